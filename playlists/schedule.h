/* schedule.h - the pure core: campaigns -> windows -> loops, and what is due
 * at an instant.  No I/O, no clock, no SDL, no FFmpeg (SPEC §5).
 */
#ifndef SIGNAGE_SCHEDULE_H
#define SIGNAGE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/model.h"
#include "playlists/pltime.h"

/* One entry of a loop.  CAMPAIGN is borrowed: from the scheduler's campaign
 * set, or from the playlist that was read (struct pl_playlist.campaigns). */
struct pl_slot {
    const struct pl_campaign *campaign;
    unsigned item;     /* index into campaign->items */
    pl_ms offset_ms;   /* start within the loop: sum of the durations before it */
    pl_ms duration_ms; /* normally the item's duration */
};

/* A maximal interval in which the set of active campaigns does not change.
 * At instant t inside it the slot at (t - start) mod loop_ms is due. */
struct pl_window {
    pl_ms start, end;      /* [start, end); listed whole (SPEC §6) */
    int priority;          /* the highest active priority: only those play */
    pl_ms loop_ms;         /* sum of the slots' durations, > 0 */
    struct pl_slot *slots; /* owned */
    size_t nslots;
};

/* A half-open interval of instants. */
struct pl_interval {
    pl_ms start, end;
};

/* The instants in [FROM, TO) when campaign C is active: inside [start, end)
 * and inside one of its dayparts (in local time of TZ).  Sorted, disjoint,
 * adjacent ones merged.  *OUT is malloc'ed (free() it); returns 0 or -1 on
 * out of memory. */
int pl_campaign_intervals(const struct pl_campaign *c, const pl_tz *tz, pl_ms from, pl_ms to,
                          struct pl_interval **out, size_t *nout);

/* The windows of one screen intersecting [FROM, TO), from the campaigns that
 * target it (the caller filters; order does not matter).  Only windows with
 * at least one active campaign are returned; each is listed whole, keeping
 * its true start and end even outside [FROM, TO), so the clock anchor does
 * not move when a later run uses another range.  Each window gets its loop
 * (pl_build_loop).  *OUT is owned by the caller: pl_windows_free().
 * Returns 0 or -1 on out of memory. */
int pl_build_windows(const struct pl_campaign *const *camps, size_t ncamps, const pl_tz *tz,
                     pl_ms from, pl_ms to, struct pl_window **out, size_t *nout);

/* The loop for a window in which CAMPS are active (SPEC §5.1-5.3): only the
 * highest priority takes part; screen time shared by weight; every item at
 * least once; each campaign's slots spread apart; deterministic (the same
 * set in any order gives the same loop).  Fills w->priority, w->slots,
 * w->nslots and w->loop_ms (replacing what was there).  Returns 0 or -1. */
int pl_build_loop(const struct pl_campaign *const *camps, size_t ncamps, struct pl_window *w);

/* Frees an array of windows and their slots; NULL is a no-op. */
void pl_windows_free(struct pl_window *w, size_t n);

/* What is due at an instant. */
struct pl_due {
    const struct pl_window *window; /* NULL: no campaign active, the fallback plays */
    const struct pl_slot *slot;     /* NULL only when the fallback loop is empty */
    pl_ms slot_start;               /* when this slot began (clock-anchored) */
    pl_ms slot_end;                 /* when it ends: its natural end, cut at the window's end
                                     * (for the fallback: cut at the next window's start) */
    pl_ms offset_ms;                /* t - slot_start */
};

/* Finds what is due at T among WINDOWS (sorted by start, disjoint) in
 * O(log n); when no window holds T, the slot of FALLBACK (a loop anchored at
 * the end of the previous window, or at 0 when there is none) is due.
 * FALLBACK may be NULL or empty.  Always succeeds. */
void pl_due_at(const struct pl_window *windows, size_t nwindows, const struct pl_window *fallback,
               pl_ms t, struct pl_due *out);

#endif
