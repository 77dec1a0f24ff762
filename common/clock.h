/* clock.h - a program's notion of "now", in milliseconds since the epoch
 * (playlists' pl_ms): the wall clock, or a simulated clock that starts at a
 * given instant and runs at a given rate (the player's --clock, the
 * scheduler's --now; tests, previews); and the one place that reads the
 * system's clocks.  Both are read through the monotonic clock so a simulated run
 * is smooth; the real one follows CLOCK_REALTIME (NTP steps included, as
 * the schedule is anchored to real time).
 */
#ifndef SIGNAGE_COMMON_CLOCK_H
#define SIGNAGE_COMMON_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct pclock;

/* A clock following CLOCK_REALTIME.  NULL when out of memory.  Free with
 * pclock_free(). */
struct pclock *pclock_new_real(void);

/* A simulated clock showing START now and advancing RATE times as fast as
 * real time (RATE > 0).  NULL when out of memory or RATE is not > 0. */
struct pclock *pclock_new_sim(int64_t start, double rate);

/* NULL is a no-op. */
void pclock_free(struct pclock *c);

/* The clock's time now. */
int64_t pclock_now(const struct pclock *c);

/* The clock's time when the monotonic clock reads MONO_NS (simulated
 * clocks only; a real clock answers pclock_now()).  Pure: for tests. */
int64_t pclock_at(const struct pclock *c, int64_t mono_ns);

/* How much real time (ns) passes while the clock advances by D ms. */
int64_t pclock_real_ns(const struct pclock *c, int64_t d);

bool pclock_simulated(const struct pclock *c);

/* CLOCK_MONOTONIC in nanoseconds and in milliseconds. */
int64_t pclock_mono_ns(void);
int64_t pclock_mono_ms(void);

/* The CLOCK_MONOTONIC instant MS milliseconds from now, as the deadline of
 * a pthread_cond_timedwait() on a condition variable set to that clock. */
struct timespec pclock_mono_after(int64_t ms);

/* CLOCK_REALTIME in nanoseconds and in milliseconds since the epoch. */
int64_t pclock_wall_ns(void);
int64_t pclock_wall_ms(void);

#endif
