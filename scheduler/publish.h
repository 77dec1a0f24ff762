/* publish.h - publishing the accepted campaigns as one playlist per
 * screen (SPEC §5, §6), merged by playlists/merge.h, writing only what
 * changed.
 *
 * Screens that are targeted by the same subset of campaigns share one
 * computation of windows and loops.  A playlist is rewritten only when its
 * content (everything but generation and generated_at) differs from the
 * file in playlists/, and then with generation = old + 1.  A write that
 * fails (disk full) leaves the old playlist in place; it is logged once and
 * tried again on the next call.
 */
#ifndef SIGNAGE_SCHED_PUBLISH_H
#define SIGNAGE_SCHED_PUBLISH_H

#include <stddef.h>

#include "playlists/config.h"
#include "playlists/plfile.h"
#include "scheduler/state.h"

struct sched_publisher;

struct sched_publish_stats {
    size_t screens;   /* screens considered */
    size_t written;   /* playlists rewritten */
    size_t unchanged; /* playlists already current */
    size_t failed;    /* playlists that could not be written */
    size_t subsets;   /* distinct campaign subsets computed */
};

/* A publisher remembers, between calls, which screens failed (to log once)
 * and what it last wrote (to skip re-reading unchanged files).  NULL on out
 * of memory; free with sched_publisher_free() (NULL is a no-op). */
struct sched_publisher *sched_publisher_new(void);
void sched_publisher_free(struct sched_publisher *p);

/* Forgets the remembered files (after signage.cfg was reloaded, or when
 * someone else may have written playlists). */
void sched_publisher_forget(struct sched_publisher *p);

/* Publishes every screen of CFG from SET for the range of NOW.  The caller
 * holds the state lock.  STATS may be NULL.  Returns 0 when every playlist
 * is current, -1 when at least one could not be computed or written (each
 * such screen is logged once until it succeeds again). */
int sched_publish(struct sched_publisher *p, const struct sched_state *st,
                  const struct pl_config *cfg, const struct sched_set *set, pl_ms now,
                  struct sched_publish_stats *stats);

#endif
