/* status.h - `signagectl status`: is every screen playing what it should,
 * and what waits in the spool (SPEC §9).
 *
 * For each screen of signage.cfg, from its proof-of-play log (SPEC §8:
 * STATE/log/<screen>/play-DAY.jsonl, or the flat STATE/log/play-DAY.jsonl
 * of older players, whose lines name their screen) and its published
 * playlist (STATE/playlists/<screen>.playlist):
 *   - the last line logged: when the item ended, what it was, and the
 *     playlist generation it came from;
 *   - what the published playlist has on screen now (as `at` answers);
 *   - the generation published, against the one the player logs;
 *   - the lines with result "error" that ended in the hour before now, and
 *     those "skipped" (an item that did not air: a broken medium is logged
 *     "error" once, then "skipped" each time round the loop).
 * Logs can be a gigabyte: only the newest day files are read, each from
 * its end backwards, as far as the last hour needs and never more than
 * STATUS_READ_MAX bytes of a file.
 *
 * Each screen gets a health word:
 *   ok           nothing below
 *   stale        no line for longer than STATUS_STALE_MIN_MS, or twice the
 *                longest item of the loop on screen now if that is longer
 *                (a line is written when an item leaves the screen)
 *   no log       no proof-of-play line at all, or none that can be read
 *   no playlist  none published for the screen, or it cannot be read
 *   errors       lines with result "error" or "skipped" in the last hour
 *   behind       the player logs an older generation than the one
 *                published, for an item that started well after it was
 *                published (by more than twice the longest item, at least
 *                a minute): it has not taken up the new playlist
 * and a note for people on each problem, naming the file and what to do.
 * Then the spool's waiting campaign files and rejected/ (tools/spool.h).
 *
 * The exit status is 0 whenever the state could be read, healthy or not:
 * status informs; `--json` has "healthy" (false when a screen is not ok)
 * for a monitoring script to test.  1 when STATE cannot be read.
 */
#ifndef SIGNAGE_TOOLS_STATUS_H
#define SIGNAGE_TOOLS_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/config.h"
#include "playlists/pltime.h"

#define STATUS_STALE_MIN_MS (10 * PL_MS_PER_MIN)
#define STATUS_BEHIND_MIN_MS PL_MS_PER_MIN
#define STATUS_READ_MAX (8 << 20) /* bytes read of one log file, from its end */
#define STATUS_DAYS_MAX 7         /* day files looked at for a screen's last line */

struct status_req {
    const struct pl_config *cfg;
    pl_ms now;                  /* the time the logs and playlists are judged at */
    bool now_given;             /* NOW is --now's, not the clock's */
    pl_ms wall;                 /* the real clock: the ages of files in the spool */
    const char *const *screens; /* the screens asked about; NULL/0: every screen */
    size_t nscreens;
    bool json;
    /* the log trees to read (--log, --boxes) when TREES_GIVEN; else STATE/log */
    const char *const *trees;
    size_t ntrees;
    bool trees_given;
};

/* Prints the status (a table, or one JSON document) on stdout.  Returns
 * the exit status: 0 when it could be told (healthy or not), 1 when STATE
 * cannot be read or a screen asked about is not in the configuration
 * (logged). */
int status_run(const struct status_req *rq);

#endif
