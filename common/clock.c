#include "common/clock.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

struct pclock {
    bool simulated;
    int64_t start; /* simulated time at MONO0 */
    int64_t mono0; /* ns */
    double rate;
};

/* Clock ID in nanoseconds. */
static int64_t read_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t pclock_mono_ns(void)
{
    return read_ns(CLOCK_MONOTONIC);
}

int64_t pclock_mono_ms(void)
{
    return pclock_mono_ns() / 1000000;
}

struct timespec pclock_mono_after(int64_t ms)
{
    int64_t ns = pclock_mono_ns() + ms * 1000000;
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};

    return ts;
}

int64_t pclock_wall_ns(void)
{
    return read_ns(CLOCK_REALTIME);
}

int64_t pclock_wall_ms(void)
{
    return pclock_wall_ns() / 1000000;
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

struct pclock *pclock_new_sim(int64_t start, double rate)
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

int64_t pclock_at(const struct pclock *c, int64_t mono_ns)
{
    if (!c->simulated)
        return pclock_now(c);
    double elapsed_ms = (double)(mono_ns - c->mono0) / 1e6 * c->rate;
    return c->start + (int64_t)floor(elapsed_ms);
}

int64_t pclock_now(const struct pclock *c)
{
    if (c->simulated)
        return pclock_at(c, pclock_mono_ns());
    return pclock_wall_ms();
}

int64_t pclock_real_ns(const struct pclock *c, int64_t d)
{
    return (int64_t)((double)d * 1e6 / c->rate);
}

bool pclock_simulated(const struct pclock *c)
{
    return c->simulated;
}
