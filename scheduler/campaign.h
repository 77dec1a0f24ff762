/* campaign.h - reading and validating campaign files (SPEC section 4).
 *
 * Used by the scheduler when a file lands in the spool and by `signagectl
 * check`.  Every problem found is reported, not just the first: one line
 * each, "NAME:LINE: error: what is wrong, and what would be right", at most
 * SCHED_CAMPAIGN_MAX_ERRORS lines.  Media are not looked at here (see
 * probe.h).
 */
#ifndef SIGNAGE_CAMPAIGN_H
#define SIGNAGE_CAMPAIGN_H

#include <stddef.h>

#include "playlists/config.h"
#include "playlists/model.h"

#define SCHED_CAMPAIGN_MAX_BYTES (1024 * 1024) /* a campaign file */
#define SCHED_CAMPAIGN_MAX_ITEMS 200
#define SCHED_CAMPAIGN_MAX_HOURS 100    /* dayparts */
#define SCHED_CAMPAIGN_MAX_SCREENS 1000 /* entries in screens */
#define SCHED_CAMPAIGN_MAX_TEXT 256     /* bytes of title, owner */
#define SCHED_CAMPAIGN_MAX_ERRORS 50    /* lines in a report */

/* Parses and validates the LEN bytes at TEXT as the campaign file NAME
 * (used in messages and kept as ->source), against the screens, zone and
 * default duration of CFG.  A UTF-8 BOM and CRLF line ends are fine.
 * Returns a new campaign (free with pl_campaign_free()), or NULL with ERR
 * filled with every problem found, one per line (no trailing newline;
 * truncated at a line boundary if ERRLEN is too small). */
struct pl_campaign *sched_campaign_parse(const char *text, size_t len, const char *name,
                                         const struct pl_config *cfg, char *err, size_t errlen);

/* Reads RELPATH beneath the directory DIRFD (via safeopen: no symlink out,
 * regular file, at most SCHED_CAMPAIGN_MAX_BYTES) and parses it as
 * sched_campaign_parse() does; NAME is used in messages.  Returns NULL with
 * ERR filled on any problem. */
struct pl_campaign *sched_campaign_load(int dirfd, const char *relpath, const char *name,
                                        const struct pl_config *cfg, char *err, size_t errlen);

#endif
