/* upload.h - proof of play back to the central server (SPEC §8, §10).
 *
 * For each screen, each STATE/log/<screen>/play-YYYY-MM-DD.jsonl:
 *  - while its day is open, every run of new complete lines (up to the last
 *    '\n') is PUT as UPLOAD/<screen>/play-YYYY-MM-DD.jsonl.<OFFSET>.part,
 *    OFFSET the byte offset of its first byte in the box's file, decimal,
 *    12 digits zero-padded;
 *  - once the day is closed (its local day ended more than an hour ago and
 *    the file has not changed for a minute), the whole file is PUT as
 *    UPLOAD/<screen>/play-YYYY-MM-DD.jsonl, the day is done, and each part
 *    uploaded before is DELETEd (a failed DELETE is retried alone later; a
 *    part refused with a 4xx but 404/408/429 is forgotten, with a warning).
 * What the server has is recorded per file in STATE/.sync/up/<screen>/<file>
 * ("offset N" and "file DEV INO", or "done SIZE"; "part N" lines for the
 * parts on the server), rewritten atomically after each
 * 2xx: a restart or an outage resumes where it stopped, and only a part
 * whose 2xx was lost is sent twice (the same name and bytes: idempotent).
 */
#ifndef SIGNAGE_SYNC_UPLOAD_H
#define SIGNAGE_SYNC_UPLOAD_H

#include <stdbool.h>
#include <sys/stat.h>

#include "sync/env.h"

#define SYNC_CLOSE_AFTER_MS (3600 * 1000LL) /* after the day's end */
#define SYNC_QUIET_MS (60 * 1000LL)         /* unchanged this long */

/* Uploads what is new for every screen.  Returns how it went (env.h). */
enum sync_outcome sync_upload(struct sync_env *env);

/* Whether the central server has the whole of SCREEN's log file NAME as it
 * is now (SB): sent whole, and nothing written since. */
bool sync_upload_has(const struct sync_env *env, const char *screen, const char *name,
                     const struct stat *sb);

/* Drops the record of SCREEN's log file NAME (the file is being removed). */
void sync_upload_forget(const struct sync_env *env, const char *screen, const char *name);

#endif
