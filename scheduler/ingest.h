/* ingest.h - one pass over spool/: validate, store, accept or reject.
 *
 * Only regular files (or links staying inside the spool) named *.cfg and not
 * starting with '.' are read.  For each:
 *   accepted  its media are copied into media/, the normalised campaign is
 *             written as the next version in campaigns/history/<id>/ and
 *             made current (campaigns/<id>.cfg), and then the operator's file
 *             is moved (not copied) beside it as history/<N>.src: it leaves
 *             the spool only once the accepted copy is durable, and is never
 *             deleted;
 *   pending   some medium is not there yet: the file stays in the spool and
 *             is retried on every pass; once it has been pending for the
 *             configured grace period it is rejected.  When it was first
 *             seen is kept in STATE/.pending, so separate --once runs agree;
 *   rejected  moved unchanged to rejected/<name> (a suffix is added rather
 *             than overwrite: "x.cfg" -> "x.1.cfg"), with rejected/<name>.error,
 *             written before the move, holding every message in compiler
 *             style.  A name that is not UTF-8 is kept as it is on disk and
 *             shown with "\xNN" escapes in messages.
 * Failures of our own (disk full while storing) leave the file in the spool
 * for the next pass: an operator's file is never lost.
 */
#ifndef SIGNAGE_SCHED_INGEST_H
#define SIGNAGE_SCHED_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/config.h"
#include "scheduler/state.h"

struct sched_ingest;

struct sched_ingest_stats {
    size_t accepted, pending, rejected;
    size_t deferred; /* left for a later pass: still being written, or our own failure */
};

/* A new ingest context for the tree ST (borrowed), reading STATE/.pending.
 * NULL on out of memory. */
struct sched_ingest *sched_ingest_new(const struct sched_state *st);
void sched_ingest_free(struct sched_ingest *ig);

/* One pass over spool/.  NOW is the scheduler's clock (--now aware): it
 * dates pending files.  A file is read only when it is whole:
 *   - unchanged (inode, size, mtime, ctime) for SETTLE_MS, by two looks or
 *     by its ctime, and
 *   - open for writing by nobody (a read lease is refused while a writer
 *     has it open).  When that cannot be told (we neither own the file nor
 *     have CAP_LEASE) and inotify did not report it closed or moved in
 *     (its name among the NFRESH names in FRESH), a file that fails to
 *     read stays in the spool until it has been unchanged for the pending
 *     grace, since it may be half a file.  A file still open for writing
 *     after the grace is read as it is.
 * Files are taken in the order they became whole (ctime, then mtime, then
 * name), and a file older than the accepted version of its campaign is
 * rejected with a message naming that version: the newest always wins,
 * across passes and restarts.  Accepted campaigns are put into SET.  The
 * caller holds the state lock and ignores SIGIO.  Returns the number of
 * campaigns accepted, or -1 when spool/ cannot be read. */
int sched_ingest_pass(struct sched_ingest *ig, const struct pl_config *cfg, struct sched_set *set,
                      pl_ms now, pl_ms settle_ms, const char *const *fresh, size_t nfresh,
                      struct sched_ingest_stats *stats);

/* When the last pass left a file settling or open for writing, the moment
 * (on the NOW clock) to look again; PL_MS_MAX when none.  --once waits for
 * it. */
pl_ms sched_ingest_settle_deadline(const struct sched_ingest *ig, pl_ms now);

/* When the next pass is due for ingestion's own sake (a pending grace
 * running out, a file still settling), on the NOW clock; PL_MS_MAX when
 * nothing is waiting. */
pl_ms sched_ingest_next_deadline(const struct sched_ingest *ig, const struct pl_config *cfg,
                                 pl_ms now);

/* Stores the media of CFG->fallback (files relative to CFG->dir) in media/
 * and fills their media, sha256 and (videos) durations.  Items whose file
 * is missing or broken are logged and dropped; when none is left a text
 * item with the fallback's title takes their place.  FROM (NULL, or room
 * for as many as the fallback has items) gets, for each item left, its
 * index in signage.cfg (-1: the title).  Returns 0, or -1 when an item was
 * dropped. */
int sched_ingest_fallback(const struct sched_state *st, struct pl_config *cfg, long *from);

#endif
