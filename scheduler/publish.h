/* publish.h - publishing the accepted campaigns as one playlist per
 * screen (SPEC §5, §6), merged by playlists/merge.h, costing what changed.
 *
 * Each playlist records the signature of its inputs (`inputs`: the digests
 * of the campaigns targeting the screen, the screen, the configuration and
 * the day, which fixes the covered range); a screen whose signature did not
 * change is skipped, neither rebuilt nor read.  Screens targeted by the same
 * names share one computation of windows and one formatting of the text.
 * Changed playlists are written with generation = old + 1 and put in place
 * by one batch (one flush of the file system).  A write that fails (disk
 * full) leaves the old playlist in place; it is logged once and tried again
 * on the next call.  STATE/playlists/.index remembers, between processes,
 * what each file was made from.
 */
#ifndef SIGNAGE_SCHED_PUBLISH_H
#define SIGNAGE_SCHED_PUBLISH_H

#include <stdbool.h>
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

/* Within a day a publisher trusts what it wrote and does not look at the
 * files again; the first pass of a process and of each day lstat's every
 * playlist.  A daemon watching playlists/ tells it of a file someone else
 * changed: sched_publisher_touched() with the file's NAME returns true when
 * the file is not the one last written (the next pass checks it, and
 * rewrites it if it must); sched_publisher_verify() makes the next pass
 * lstat every file (after an inotify overflow). */
bool sched_publisher_touched(struct sched_publisher *p, const struct sched_state *st,
                             const char *name);
void sched_publisher_verify(struct sched_publisher *p);

/* Publishes every screen of CFG from SET for the range of NOW.  The caller
 * holds the state lock.  STATS may be NULL.  Returns 0 when every playlist
 * is current, -1 when at least one could not be computed or written (each
 * such screen is logged once until it succeeds again). */
int sched_publish(struct sched_publisher *p, const struct sched_state *st,
                  const struct pl_config *cfg, const struct sched_set *set, pl_ms now,
                  struct sched_publish_stats *stats);

#endif
