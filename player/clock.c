#include "player/clock.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

struct pclock {
    bool simulated;
    pl_ms start;   /* simulated time at MONO0 */
    int64_t mono0; /* ns */
    double rate;
};

int64_t pclock_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t pclock_mono_ms(void)
{
    return pclock_mono_ns() / 1000000;
}

struct pclock *pclock_new_real(void)
{
    struct pclock *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->rate = 1.0;
    c->mono0 = pclock_mono_ns();
    return c;
}

struct pclock *pclock_new_sim(pl_ms start, double rate)
{
    if (!(rate > 0) || !isfinite(rate))
        return NULL;
    struct pclock *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->simulated = true;
    c->start = start;
    c->rate = rate;
    c->mono0 = pclock_mono_ns();
    return c;
}

void pclock_free(struct pclock *c)
{
    free(c);
}

pl_ms pclock_at(const struct pclock *c, int64_t mono_ns)
{
    if (!c->simulated)
        return pclock_now(c);
    double elapsed_ms = (double)(mono_ns - c->mono0) / 1e6 * c->rate;
    return c->start + (pl_ms)floor(elapsed_ms);
}

pl_ms pclock_now(const struct pclock *c)
{
    if (c->simulated)
        return pclock_at(c, pclock_mono_ns());
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (pl_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pclock_real_ns(const struct pclock *c, pl_ms d)
{
    return (int64_t)((double)d * 1e6 / c->rate);
}

bool pclock_simulated(const struct pclock *c)
{
    return c->simulated;
}
