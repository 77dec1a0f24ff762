/* report.h - proof-of-play summaries for `signagectl report` (SPEC §8).
 *
 * Reads the players' log/<screen>/play-YYYY-MM-DD.jsonl files (and the flat
 * log/play-YYYY-MM-DD.jsonl of older players) and sums them up by
 * owner, campaign, screen or day: plays, seconds shown, share of all shown
 * time, errors, and dark time (seconds of a screen's covered span that no
 * log entry accounts for).  Output as a text table, CSV, JSON or an HTML
 * page with a chart.
 */
#ifndef SIGNAGE_REPORT_H
#define SIGNAGE_REPORT_H

#include <stdio.h>

#include "playlists/pltime.h"

enum report_by { REPORT_BY_OWNER, REPORT_BY_CAMPAIGN, REPORT_BY_SCREEN, REPORT_BY_DAY };
/* REPORT_CSV is for spreadsheets: UTF-8 with a byte-order mark, CRLF, cells
 * that would read as formulas guarded with a '; REPORT_CSV_PLAIN the same
 * without the mark. */
enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_CSV_PLAIN, REPORT_JSON, REPORT_HTML };

struct report;

/* A new, empty report whose days are local dates in TZ (borrowed; must
 * outlive the report).  NULL on out of memory. */
struct report *report_new(const pl_tz *tz);
void report_free(struct report *r);

/* Adds one log line (one JSON object).  NAME and LINENO are for the
 * message.  Returns 0, or -1 with ERR filled for a line that is not a
 * proof-of-play entry; the report is unchanged then. */
int report_add_line(struct report *r, const char *line, size_t len, const char *name, long lineno,
                    char *err, size_t errlen);

/* Reads every log of LOGDIR (as report_load_trees() below) whose date is
 * within [FROM, TO] ("YYYY-MM-DD" each, NULL = open-ended).  Unreadable
 * lines are counted
 * (report_bad_lines) and the first few logged as warnings; they do not stop
 * the report.  Returns 0, or -1 with ERR filled when LOGDIR cannot be read
 * or FROM/TO are not dates. */
int report_load_dir(struct report *r, const char *logdir, const char *from, const char *to,
                    char *err, size_t errlen);

/* The same for the log trees TREES (NTREES of them: logs collected from
 * several boxes): in each, TREE/play-DAY.jsonl and TREE/<screen>/play-DAY.jsonl
 * (SPEC §2: one file per screen and day).  A line read twice (a file
 * collected twice, or found in two trees) is counted once
 * (report_repeated_lines()). */
int report_load_trees(struct report *r, const char *const *trees, size_t ntrees, const char *from,
                      const char *to, char *err, size_t errlen);

/* Entries added so far, lines refused, and lines counted once already. */
long report_entries(const struct report *r);
long report_bad_lines(const struct report *r);
long report_repeated_lines(const struct report *r);

/* Writes the summary grouped BY in FORMAT to OUT.  Returns 0 or -1 (out of
 * memory or a write error). */
int report_write(const struct report *r, enum report_by by, enum report_format format, FILE *out);

/* "owner", "campaign", "screen", "day" -> enum; -1 for anything else. */
int report_by_parse(const char *s);

#endif
