/* retention.h - what the scheduler removes from STATE, and when.
 *
 * A box runs for years; without this its disk fills with proof of play,
 * rejected files, operators' leftovers and media nothing plays any more.
 * Once a day (and on every --once run), under the state lock:
 *
 * - log/: a screen's proof-of-play file play-YYYY-MM-DD.jsonl is removed
 *   when its day is log_keep_days or more before the earlier of today and
 *   the newest day of that screen's folder: a screen switched off keeps its
 *   last year, and a clock set years ahead does not empty a folder at once.
 * - rejected/: a file and its .error go rejected_keep_days after they came
 *   there (the later of the file's mtime and ctime: a move sets the ctime).
 * - spool/: a file that is not a campaign file, unchanged for
 *   spool_keep_days, used by no campaign file waiting in the spool and by no
 *   accepted campaign that plays or ended less than spool_keep_days ago, is
 *   MOVED to rejected/ with an .error saying so: an operator's file is never
 *   destroyed at once, and rejected/ keeps it rejected_keep_days more.
 * - media/: a medium referenced by no accepted campaign (current or any
 *   version in the history, so `signagectl restore` still works), no
 *   published playlist and not the fallback, is removed media_grace_days
 *   after it was first seen so (STATE/.media-unused remembers when).  When
 *   any of those cannot be read, no medium is removed that day.
 *
 * A setting of 0 keeps that kind of file for ever.  Times are the
 * scheduler's (--now moves them), so a year is simulated in a test.
 */
#ifndef SIGNAGE_SCHED_RETENTION_H
#define SIGNAGE_SCHED_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "playlists/config.h"
#include "playlists/pltime.h"
#include "scheduler/state.h"

struct sched_prune_stats {
    size_t logs;          /* proof-of-play files removed */
    size_t rejected;      /* files removed from rejected/ (.error files not counted) */
    size_t spool;         /* spool files moved to rejected/ */
    size_t media;         /* media removed */
    size_t media_waiting; /* media unreferenced, in their grace period */
    uint64_t bytes;       /* freed by the removals */
};

/* Applies the retention of CFG to the state ST at NOW; SET is the accepted
 * campaigns.  Call it holding the state lock.  Every removal and move is
 * logged; what cannot be removed is logged and left.  Fills *PS.  Returns
 * 0, or -1 when some part could not be done (logged; the rest was). */
int sched_prune(const struct sched_state *st, const struct pl_config *cfg,
                const struct sched_set *set, pl_ms now, struct sched_prune_stats *ps);

#endif
