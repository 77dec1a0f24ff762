/* publish.h - merging the accepted campaigns into one playlist per screen
 * (SPEC §5, §6) and publishing only what changed.
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

/* The range a publication at NOW covers: [NOW - 1 day, NOW + horizon). */
void sched_publish_range(const struct pl_config *cfg, pl_ms now, pl_ms *from, pl_ms *to);

/* Publishes every screen of CFG from SET for the range of NOW.  The caller
 * holds the state lock.  STATS may be NULL.  Returns 0 when every playlist
 * is current, -1 when at least one could not be computed or written (each
 * such screen is logged once until it succeeds again). */
int sched_publish(struct sched_publisher *p, const struct sched_state *st,
                  const struct pl_config *cfg, const struct sched_set *set, pl_ms now,
                  struct sched_publish_stats *stats);

/* Computes, in memory, the playlist of screen S for [FROM, TO) from SET
 * exactly as sched_publish() would (generation 0, generated_at FROM).  The
 * playlist borrows the campaigns of SET and CFG->fallback, which must
 * outlive it; free it with pl_playlist_free().  NULL with ERR filled on out
 * of memory. */
struct pl_playlist *sched_publish_build(const struct pl_config *cfg, const struct sched_set *set,
                                        const struct pl_screen *s, pl_ms from, pl_ms to, char *err,
                                        size_t errlen);

#endif
