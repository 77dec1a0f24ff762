/* normalised.h - the accepted campaign file, STATE/campaigns/<id>.cfg.
 *
 * The scheduler writes each campaign it accepts in this normalised form
 * (libconfig text: every instant in full with its offset, media by store
 * path and SHA-256, hours as "HH:MM"), and everything that reads campaigns
 * later reads it back here: the scheduler at start, signagectl's list, plan
 * and at, the history.  Reading needs libconfig and ICU only, so those
 * commands link nothing of the scheduler.
 */
#ifndef SIGNAGE_PLAYLISTS_NORMALISED_H
#define SIGNAGE_PLAYLISTS_NORMALISED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "playlists/model.h"
#include "playlists/pltime.h"

#define PL_NORMALISED_MAX_BYTES (4u << 20) /* a normalised file at most */

/* Appends the normalised text of C (whose media items must carry media and
 * sha256) to OUT, instants written in TZ.  Returns 0 or -1 (out of
 * memory). */
int pl_campaign_format(const struct pl_campaign *c, const pl_tz *tz, struct strbuf *out);

/* Parses normalised text (NAME for messages).  Returns a new campaign (free
 * with pl_campaign_free()), or NULL with ERR filled
 * ("NAME:LINE: error: ..."). */
struct pl_campaign *pl_campaign_parse_normalised(const char *text, size_t len, const char *name,
                                                 const pl_tz *tz, char *err, size_t errlen);

/* Reads and parses the normalised campaign file PATH (at most
 * PL_NORMALISED_MAX_BYTES).  Returns a new campaign, or NULL with ERR
 * filled. */
struct pl_campaign *pl_campaign_read_normalised(const char *path, const pl_tz *tz, char *err,
                                                size_t errlen);

/* True when NAME is that of a current campaign file, "<id>.cfg". */
bool pl_is_campaign_name(const char *name);

/* Reads DIR/NAME, an accepted campaign, which must hold campaign <id> of
 * its name "<id>.cfg" (a file renamed by hand does not count); never
 * follows a symbolic link, never blocks on a FIFO.  SB (may be NULL) gets
 * the file's fstat.  Returns a new campaign, or NULL with ERR filled. */
struct pl_campaign *pl_campaign_read_accepted(const char *dir, const char *name, const pl_tz *tz,
                                              struct stat *sb, char *err, size_t errlen);

/* Every accepted campaign of DIR into *OUT (N of them, sorted by id; free
 * with pl_campaigns_free()).  A file that cannot be read is logged and left
 * out.  A DIR that does not exist holds none (said in the log).  Returns how
 * many were left out, or -1 (logged) when DIR cannot be read. */
int pl_campaigns_load(const char *dir, const pl_tz *tz, struct pl_campaign ***out, size_t *n);

void pl_campaigns_free(struct pl_campaign **v, size_t n);

#endif
