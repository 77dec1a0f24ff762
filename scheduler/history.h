/* history.h - every version of a campaign the scheduler ever accepted.
 *
 * campaigns/history/<id>/<N>.cfg is version N of campaign <id>, normalised
 * (state.h), and <N>.src the operator's file it came from, byte for byte.
 * Versions are numbered from 1 and never reused.  campaigns/<id>.cfg, what
 * plays, is a hard link to the current version's <N>.cfg; withdrawing a
 * campaign removes only that link, so a replacement and a withdrawal can
 * both be undone (`signagectl restore`).  All of this is done under the
 * state lock.
 */
#ifndef SIGNAGE_SCHED_HISTORY_H
#define SIGNAGE_SCHED_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playlists/model.h"
#include "playlists/pltime.h"
#include "scheduler/state.h"

/* Fills PATH (PATHLEN bytes) with campaigns/history/<ID>, or with version
 * N's file there when N > 0 (EXT "cfg" or "src").  Returns 0, or -1 when
 * it does not fit. */
int sched_history_path(const struct sched_state *st, const char *id, unsigned n, const char *ext,
                       char *path, size_t pathlen);

/* Creates campaigns/history/<ID> when missing.  Returns 1 when it was
 * made now (the campaign has no history yet), 0 when it was there, or
 * -errno with ERR filled. */
int sched_history_mkdir(const struct sched_state *st, const char *id, char *err, size_t errlen);

/* The highest version number in ID's history; 0 when there is none. */
unsigned sched_history_last(const struct sched_state *st, const char *id);

struct sched_version {
    unsigned n;
    struct pl_campaign *c; /* the version as accepted; NULL when unreadable */
    bool has_src;          /* the operator's file is kept */
    bool current;          /* campaigns/<id>.cfg is this version */
};

/* Every version of ID, oldest first, in *OUT (*NOUT of them; free with
 * sched_history_free()).  Returns 0 (also when there is no history: *NOUT
 * is 0), or -errno with ERR filled. */
int sched_history_list(const struct sched_state *st, const char *id, const pl_tz *tz,
                       struct sched_version **out, size_t *nout, char *err, size_t errlen);
void sched_history_free(struct sched_version *v, size_t n);

/* Removes the oldest versions of ID beyond the newest KEEP (0 keeps all),
 * never the version numbered CURRENT.  Returns how many were removed. */
int sched_history_prune(const struct sched_state *st, const char *id, int keep, unsigned current);

/* Accepts C as the newest version of its campaign (see history.h): writes
 * it as campaigns/history/<id>/<N>.cfg, with C->version set to N, makes
 * that the current campaigns/<id>.cfg in one rename, then moves the
 * operator's file SRC_PATH (when not NULL) to history/<N>.src.  C's
 * arrived_ns, mtime_ns and source say when and from which file it came;
 * CURRENT (may be NULL) is the version accepted now.  When C is that very
 * file again (a crash cut its acceptance short), nothing is rewritten and
 * only the move is completed.  Then the oldest versions beyond KEEP (0:
 * all) are removed.  Returns 0; 1 when the version is current but SRC_PATH
 * had gone from the spool before it could be moved (deleted by its owner
 * after it was read); or -errno with ERR filled.  Whatever fails, SRC_PATH
 * is never lost and the previous version stays current unless the new one
 * is in place. */
int sched_history_accept(const struct sched_state *st, struct pl_campaign *c, const pl_tz *tz,
                         const struct pl_campaign *current, const char *src_path,
                         const struct sched_file_id *src_id, int keep, char *err, size_t errlen);

/* Makes version N of campaign ID current again, as a new version (so the
 * restore itself can be undone) that arrived at NOW_NS; its number goes to
 * *NEWV.  Restoring the current version does nothing (*NEWV = N).
 * Returns 0, -ENOENT (ERR filled) when there is no such version, or
 * another -errno. */
int sched_history_restore(const struct sched_state *st, const char *id, unsigned n, const pl_tz *tz,
                          int64_t now_ns, int keep, unsigned *newv, char *err, size_t errlen);

/* Run at start, under the lock, after sched_state_repair(): removes the
 * temporary files a crash left in each history; names the current version
 * in its history when a crash came before that; and turns a campaign
 * accepted before versions were kept (campaigns/<id>.cfg without a
 * version, campaigns/<id>.src) into the next version of its history.
 * SET (may be NULL) holds campaigns/ as just loaded: their versions are
 * taken from it instead of reading every file again.  Returns how many
 * campaigns it looked at and mended (each mending logged); reload SET when
 * it mended something. */
int sched_history_repair(const struct sched_state *st, const pl_tz *tz,
                         const struct sched_set *set);

#endif
