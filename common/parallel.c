/* parallel.c - one loop spread over the cores (see parallel.h). */
#include "common/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

struct loop {
    size_t n;
    atomic_size_t next;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
};

static void *worker(void *arg)
{
    struct loop *l = arg;

    for (size_t i; (i = atomic_fetch_add(&l->next, 1)) < l->n;)
        l->fn(l->ctx, i);
    return NULL;
}

void parallel_for(size_t n, size_t min, void (*fn)(void *ctx, size_t i), void *ctx)
{
    struct loop l = {.n = n, .fn = fn, .ctx = ctx};
    pthread_t tid[PARALLEL_THREADS];
    bool started[PARALLEL_THREADS] = {false};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t k = cores < 1 ? 1 : cores > PARALLEL_THREADS ? PARALLEL_THREADS : (size_t)cores;

    atomic_init(&l.next, 0);
    if (n < min || n < 2)
        k = 1;
    for (size_t t = 1; t < k; t++)
        started[t] = pthread_create(&tid[t], NULL, worker, &l) == 0;
    worker(&l);
    for (size_t t = 1; t < k; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}
