#include "player/broken.h"

#include <stdlib.h>
#include <string.h>

struct broken_entry {
    char *key;
    char *why;
    pl_ms since;
    bool reported;
};

struct broken_set {
    pl_ms retry_ms;
    int64_t generation;
    bool have_generation;
    struct broken_entry e[BROKEN_MAX];
    size_t n;
};

struct broken_set *broken_new(pl_ms retry_ms)
{
    struct broken_set *b = calloc(1, sizeof(*b));

    if (b)
        b->retry_ms = retry_ms;
    return b;
}

static void drop(struct broken_set *b, size_t i)
{
    free(b->e[i].key);
    free(b->e[i].why);
    memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof(b->e[0]));
    b->n--;
}

static void clear(struct broken_set *b)
{
    while (b->n)
        drop(b, b->n - 1);
}

void broken_free(struct broken_set *b)
{
    if (!b)
        return;
    clear(b);
    free(b);
}

static bool expired(const struct broken_set *b, const struct broken_entry *e, pl_ms now)
{
    return now < e->since || now - e->since >= b->retry_ms;
}

static long find(const struct broken_set *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->e[i].key, key) == 0)
            return (long)i;
    return -1;
}

int broken_add(struct broken_set *b, const char *key, const char *why, pl_ms now)
{
    if (!key || !*key)
        return -1;
    long i = find(b, key);
    if (i >= 0)
        drop(b, (size_t)i);
    if (b->n == BROKEN_MAX)
        drop(b, 0);
    struct broken_entry *e = &b->e[b->n];
    e->key = strdup(key);
    e->why = why ? strdup(why) : NULL;
    if (!e->key || (why && !e->why)) {
        free(e->key);
        free(e->why);
        return -1;
    }
    e->since = now;
    e->reported = false;
    b->n++;
    return 0;
}

bool broken_has(struct broken_set *b, const char *key, pl_ms now, const char **why)
{
    if (!key || !*key)
        return false;
    long i = find(b, key);
    if (i < 0)
        return false;
    if (expired(b, &b->e[i], now)) {
        drop(b, (size_t)i);
        return false;
    }
    if (why)
        *why = b->e[i].why ? b->e[i].why : "broken";
    return true;
}

bool broken_first_report(struct broken_set *b, const char *key)
{
    long i = key && *key ? find(b, key) : -1;

    if (i < 0 || b->e[i].reported)
        return false;
    b->e[i].reported = true;
    return true;
}

void broken_set_generation(struct broken_set *b, int64_t generation)
{
    if (b->have_generation && b->generation != generation)
        clear(b);
    b->generation = generation;
    b->have_generation = true;
}

size_t broken_count(const struct broken_set *b)
{
    return b->n;
}
