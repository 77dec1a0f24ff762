/* logkeep.h - how long proof of play is kept (log_keep_days), for the
 * scheduler's state and for a box fed by signage-sync.
 *
 * In STATE/log/ and in each screen's folder under it, a file
 * play-YYYY-MM-DD.jsonl is removed when its day is KEEP or more days before
 * the earlier of today and the newest day of that folder: a screen switched
 * off keeps its last KEEP days, and a clock set years ahead does not empty
 * a folder at once.  A caller may keep a file that is due (a box keeps a
 * day the central server does not have yet).
 */
#ifndef SIGNAGE_PL_LOGKEEP_H
#define SIGNAGE_PL_LOGKEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "playlists/pltime.h"

/* Whether the due file NAME of folder SCREEN (NULL: the flat STATE/log/)
 * may go; SB is its stat. */
typedef bool (*pl_log_may_remove_fn)(const char *screen, const char *name, const struct stat *sb,
                                     void *arg);

struct pl_log_prune_stats {
    size_t removed; /* files */
    uint64_t bytes; /* freed */
    size_t held;    /* due, but MAY said no */
};

/* The day number (pl_days_from_civil) of a file named
 * "play-YYYY-MM-DD.jsonl" with a real date, else false. */
bool pl_log_day(const char *name, int64_t *day);

/* Applies KEEP days (0: keep for ever) to LOGDIR at NOW in TZ.  MAY (NULL:
 * always yes) is asked for each due file.  Every removal is logged, by
 * folder; what cannot be removed is logged and left.  Adds to *PS.
 * Returns 0, or -1 when something could not be removed or read. */
int pl_log_prune(const char *logdir, const pl_tz *tz, pl_ms now, int keep, pl_log_may_remove_fn may,
                 void *arg, struct pl_log_prune_stats *ps);

#endif
