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

#endif
