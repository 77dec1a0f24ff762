/* report.h - proof-of-play summaries for `signagectl report` (SPEC §8).
 *
 * Reads the players' log/<screen>/play-YYYY-MM-DD.jsonl files (and the flat
 * log/play-YYYY-MM-DD.jsonl of older players), from any number of trees
 * collected from many boxes, each line counted once.  Sums them up by any
 * of owner, campaign, screen and day: plays, played / cut / skipped /
 * error counts, time shown, share of the screens' time, and dark time
 * measured against the period (a screen must show something at every
 * instant: a campaign or the fallback).  Output as a text table, CSV for
 * Excel, JSON, or a partner's HTML page with charts.
 *
 * The lines are streamed: memory grows with the number of distinct
 * (screen, campaign, owner, day) combinations and of a screen's dark gaps,
 * never with the number of lines.
 */
#ifndef SIGNAGE_REPORT_H
#define SIGNAGE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "playlists/pltime.h"

enum report_by { REPORT_BY_OWNER, REPORT_BY_CAMPAIGN, REPORT_BY_SCREEN, REPORT_BY_DAY };

/* The row keys, in order, each at most once. */
struct report_keys {
    enum report_by k[4];
    size_t n;
};

/* REPORT_CSV is for spreadsheets: UTF-8 with a byte-order mark, CRLF, cells
 * that would read as formulas guarded with a '; REPORT_CSV_PLAIN the same
 * without the mark. */
enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_CSV_PLAIN, REPORT_JSON, REPORT_HTML };

struct report;

/* A new, empty report whose days are local dates in TZ (borrowed; must
 * outlive the report).  NULL on out of memory. */
struct report *report_new(const pl_tz *tz);
void report_free(struct report *r);

/* Time after NOW has not happened: it is neither shown nor dark.  Default:
 * no limit.  Call before adding lines. */
void report_set_now(struct report *r, pl_ms now);

/* Counts only the lines of OWNER and/or CAMPAIGN (NULL: any) in the rows;
 * the others still count in the screens' time (the share's denominator).
 * Call before adding lines.  0, or -1 out of memory. */
int report_select(struct report *r, const char *owner, const char *campaign);

/* A screen of the network: NAME is for people (may be NULL).  COVERED:
 * the report covers it whatever its logs say (with no log it is dark for
 * the whole period); else only when the selection played there.  0, or -1
 * out of memory. */
int report_add_screen(struct report *r, const char *id, const char *name, bool covered);

/* The period: local days FROM to TO ("YYYY-MM-DD", both included).  Call
 * before adding lines.  0, or -1 with ERR filled when they are not dates
 * or FROM is after TO. */
int report_set_period(struct report *r, const char *from, const char *to, char *err, size_t errlen);

/* Keeps a summary of each closed day's log file in DIR (made if need be;
 * NULL: none), so that the next report over it reads the summary instead
 * of the lines: a month or a year in seconds.  Used for periods whose
 * timeline is drawn in buckets of 15 minutes or more (two days or longer).
 * 0, or -1 when DIR cannot be made. */
int report_set_cache(struct report *r, const char *dir);
long report_cache_hits(const struct report *r);

/* Adds one log line (one JSON object).  NAME and LINENO are for the
 * message.  Returns 0, or -1 with ERR filled for a line that is not a
 * proof-of-play entry; the report is unchanged then. */
int report_add_line(struct report *r, const char *line, size_t len, const char *name, long lineno,
                    char *err, size_t errlen);

/* Reads the log trees TREES (NTREES of them: logs collected from several
 * boxes): in each, TREE/play-DAY.jsonl and TREE/<screen>/play-DAY.jsonl,
 * and the parts of them a box uploads during the day (issue 15),
 * play-DAY.jsonl.NNNNNNNNNNNN.part (12 digits: the offset of its first
 * byte in the day file), the days within [FROM, TO] (NULL: open; the period then runs from the
 * first to the last day found).  A line read twice (a file collected
 * twice, or found in two trees) is counted once (report_repeated_lines()).
 * Unreadable lines are counted (report_bad_lines()) and the first few
 * logged as warnings.  Returns 0, or -1 with ERR filled when a tree cannot
 * be read or FROM/TO are not dates. */
int report_load_trees(struct report *r, const char *const *trees, size_t ntrees, const char *from,
                      const char *to, char *err, size_t errlen);
int report_load_dir(struct report *r, const char *logdir, const char *from, const char *to,
                    char *err, size_t errlen);

/* Lines counted, lines refused, and lines counted once already. */
long report_entries(const struct report *r);
long report_bad_lines(const struct report *r);
long report_repeated_lines(const struct report *r);
/* Lines of the selection (report_select()) counted. */
long report_selected(const struct report *r);

/* Writes the summary with rows by KEYS in FORMAT to OUT.  Returns 0 or -1
 * (out of memory or a write error). */
int report_write(const struct report *r, const struct report_keys *keys, enum report_format format,
                 FILE *out);

/* "owner", "campaign", "screen", "day" -> enum; -1 for anything else. */
int report_by_parse(const char *s);

/* "campaign,screen,day" -> KEYS.  0, or -1 for an unknown or repeated key. */
int report_keys_parse(const char *s, struct report_keys *keys);

/* MS as h:mm:ss ("0:00:05", "1234:05:00"), rounded to the second. */
void report_hms(long long ms, char *buf, size_t len);

#endif
