/* report_impl.h - what tools/report.c shares with its HTML page
 * (tools/report_html.c).  Not for other users.
 */
#ifndef SIGNAGE_REPORT_IMPL_H
#define SIGNAGE_REPORT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/report.h"

#define REPORT_NONE UINT32_MAX
/* Timeline categories: the first REPORT_TL_OWN campaigns (or owners) of
 * the selection each have a colour, the rest of the selection share one,
 * and what is not selected (other owners, the fallback) another. */
#define REPORT_TL_OWN 7
#define REPORT_TL_REST REPORT_TL_OWN
#define REPORT_TL_OTHER (REPORT_TL_OWN + 1)
#define REPORT_TL_NCAT (REPORT_TL_OWN + 2)

struct report_agg {
    long played, cut, skipped, errors;
    int64_t shown_ms;
};

/* One output row, and the first contribution's ids (its key values). */
struct report_row {
    uint32_t screen, campaign, owner;
    int32_t day;
    struct report_agg a;
    int64_t screens_ms; /* everything its screens showed on its days: the share's denominator */
    int64_t dark_ms;    /* -1: not attributable to rows of these keys */
    long days_without_log;
};

/* A day a screen has no log line for, in runs. */
struct report_gap {
    uint32_t screen;
    int32_t first, last;
};

/* What the writers get. */
struct report_sum {
    const struct report *r;
    const struct report_keys *keys;
    struct report_row *rows;
    size_t n;
    struct report_agg total;
    int64_t total_screens_ms, total_dark_ms;
    bool dark_rows;    /* rows carry dark time (keys are screen and/or day) */
    int32_t d0, d1;    /* the period's days, both included; d0 > d1: no period */
    pl_ms p0, p1;      /* the period as instants [p0, p1) */
    pl_ms counted_end; /* min(p1, now): time after it has not happened */
    uint32_t *grid;    /* the screens the report covers */
    size_t ngrid;
    struct report_gap *gaps; /* days with no log, per grid screen */
    size_t ngaps;
    long *plays_per_day; /* [d - d0] for the period's days: the selection's plays */
};

/* Accessors for the writers. */
const char *report_screen_id(const struct report *r, uint32_t screen);
const char *report_screen_name(const struct report *r, uint32_t screen); /* NULL: none */
const char *report_campaign_id(const struct report *r, uint32_t campaign);
const char *report_campaign_title(const struct report *r, uint32_t campaign); /* NULL: none */
const char *report_owner_name(const struct report *r, uint32_t owner);
const char *report_selected_owner(const struct report *r);    /* NULL: any */
const char *report_selected_campaign(const struct report *r); /* NULL: any */
const pl_tz *report_tz(const struct report *r);
pl_ms report_now(const struct report *r);
long report_unreadable(const struct report *r);

/* The row's value of key K: "(fallback)" for the fallback's owner and
 * campaign.  DAY gets room for a date. */
const char *report_key_text(const struct report *r, const struct report_row *row, enum report_by k,
                            char day[16]);
void report_day_text(int32_t day, char buf[16]);

/* Dark milliseconds of SCREEN within [A, B). */
int64_t report_dark_between(const struct report *r, uint32_t screen, pl_ms a, pl_ms b);

/* The timeline of SCREEN: NB buckets of BUCKET_MS from S->p0, each
 * REPORT_TL_NCAT milliseconds; NULL when there is none.  The categories'
 * campaign (or owner) ids in CATS, REPORT_NONE where unused; BY_OWNER
 * says which. */
const uint32_t *report_timeline(const struct report *r, uint32_t screen, size_t *nb,
                                pl_ms *bucket_ms);
void report_timeline_cats(const struct report *r, uint32_t cats[REPORT_TL_OWN], bool *by_owner);

/* Errors and skips of SCREEN (merged intervals), for the timeline. */
size_t report_failing(const struct report *r, uint32_t screen, const pl_ms (**iv)[2]);

/* The days without a log, as text ("2023-03-03..2023-03-05, 2023-03-09"),
 * with the screens that share exactly those days: one line for a network
 * where every screen misses the same day. */
struct report_gapline {
    char *days;
    uint32_t *screens;
    size_t n;
};
struct report_gapline *report_gap_lines(const struct report_sum *s, size_t *n);
void report_gap_lines_free(struct report_gapline *g, size_t n);

/* A time as the players write it ("2023-03-15T10:00:14.481+09:00"), read
 * without pl_time_parse(); false for anything else.  For the fuzzer. */
bool report_time_fast(const char *s, size_t n, pl_ms *out);

/* Sums R up by KEYS into S; report_sum_free() after, even on failure.
 * 0, or -1 out of memory. */
int report_rollup(const struct report *r, const struct report_keys *keys, struct report_sum *s);
void report_sum_free(struct report_sum *s);

int report_write_html(const struct report_sum *s, FILE *out);

#endif
