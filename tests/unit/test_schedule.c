/* Tests for playlists/schedule.c: hand-made cases, hostile inputs, and
 * properties checked on random campaign sets from a seeded PRNG (the seed is
 * in every failure message, so a failure reproduces). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playlists/model.h"
#include "playlists/pltime.h"
#include "playlists/schedule.h"
#include "tests/unit/check_main.h"

#define MIN_MS PL_MS_PER_MIN
#define HOUR PL_MS_PER_HOUR
#define DAY PL_MS_PER_DAY
#define SEC PL_MS_PER_SEC

enum {
    SUN = 1u << 0,
    MON = 1u << 1,
    TUE = 1u << 2,
    WED = 1u << 3,
    THU = 1u << 4,
    FRI = 1u << 5,
    SAT = 1u << 6,
    WEEKDAYS = MON | TUE | WED | THU | FRI,
    ALLDAYS = 0x7f
};

/* ---- fixtures -------------------------------------------------------------- */

static pl_tz *tz_open(const char *name)
{
    char err[256];
    pl_tz *tz = pl_tz_new(name, err, sizeof err);
    ck_assert_msg(tz != NULL, "pl_tz_new(%s): %s", name, err);
    return tz;
}

static pl_ms civil(const pl_tz *tz, int y, int mo, int d, int h, int mi)
{
    return pl_tz_from_civil(tz, y, mo, d, h, mi, 0, 0);
}

static struct pl_campaign *camp_new(const char *id, int prio, int weight, pl_ms start, pl_ms end)
{
    struct pl_campaign *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->title = strdup(id);
    c->owner = strdup("test");
    c->priority = prio;
    c->weight = weight;
    c->start = start;
    c->end = end;
    return c;
}

static void camp_item(struct pl_campaign *c, pl_ms duration)
{
    struct pl_item *v = realloc(c->items, (c->nitems + 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    c->items = v;
    memset(&v[c->nitems], 0, sizeof v[c->nitems]);
    v[c->nitems].type = PL_ITEM_IMAGE;
    v[c->nitems].duration_ms = duration;
    c->nitems++;
}

static void camp_hours(struct pl_campaign *c, unsigned days, int from, int to)
{
    struct pl_daypart *v = realloc(c->hours, (c->nhours + 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    c->hours = v;
    v[c->nhours].days = days;
    v[c->nhours].from_min = from;
    v[c->nhours].to_min = to;
    c->nhours++;
}

static size_t intervals(const struct pl_campaign *c, const pl_tz *tz, pl_ms from, pl_ms to,
                        struct pl_interval **iv)
{
    size_t n = 99;
    ck_assert_int_eq(pl_campaign_intervals(c, tz, from, to, iv, &n), 0);
    return n;
}

/* Total time of campaign C's slots in W. */
static pl_ms camp_time(const struct pl_window *w, const struct pl_campaign *c)
{
    pl_ms t = 0;
    for (size_t i = 0; i < w->nslots; i++)
        if (w->slots[i].campaign == c)
            t += w->slots[i].duration_ms;
    return t;
}

/* Loop invariants every loop must keep. */
static void check_loop_shape(const struct pl_window *w)
{
    pl_ms off = 0;
    ck_assert_uint_gt(w->nslots, 0);
    for (size_t i = 0; i < w->nslots; i++) {
        const struct pl_slot *s = &w->slots[i];
        ck_assert_int_eq(s->offset_ms, off);
        ck_assert_uint_lt(s->item, s->campaign->nitems);
        ck_assert_int_eq(s->duration_ms, s->campaign->items[s->item].duration_ms);
        ck_assert_int_eq(s->campaign->priority, w->priority);
        off += s->duration_ms;
    }
    ck_assert_int_eq(w->loop_ms, off);
}

/* ---- intervals ------------------------------------------------------------- */

START_TEST(test_kochi_expo)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    char err[256];
    pl_ms start, end;
    ck_assert_int_eq(pl_time_parse("2023-03-01", tz, PL_TIME_START, &start, err, sizeof err), 0);
    ck_assert_int_eq(pl_time_parse("2023-03-31", tz, PL_TIME_END, &end, err, sizeof err), 0);
    ck_assert_int_eq(start, civil(tz, 2023, 3, 1, 0, 0));
    ck_assert_int_eq(end, civil(tz, 2023, 4, 1, 0, 0));

    struct pl_campaign *kochi = camp_new("kochi-makino-expo", 50, 1, start, end);
    camp_item(kochi, 15 * SEC);
    camp_item(kochi, 30 * SEC);
    camp_item(kochi, 10 * SEC);
    struct pl_interval *iv;
    size_t n = intervals(kochi, tz, civil(tz, 2023, 1, 1, 0, 0), civil(tz, 2023, 6, 1, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, start);
    ck_assert_int_eq(iv[0].end, end); /* through the end of the 31st */
    free(iv);
    /* clipped to the range asked for */
    n = intervals(kochi, tz, start + DAY, start + 2 * DAY, &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, start + DAY);
    ck_assert_int_eq(iv[0].end, start + 2 * DAY);
    free(iv);

    /* A window is listed whole even when the range is a day in the middle. */
    const struct pl_campaign *set[2] = {kochi, NULL};
    struct pl_window *w;
    size_t nw;
    ck_assert_int_eq(pl_build_windows(set, 1, tz, civil(tz, 2023, 3, 10, 0, 0),
                                      civil(tz, 2023, 3, 11, 0, 0), &w, &nw),
                     0);
    ck_assert_uint_eq(nw, 1);
    ck_assert_int_eq(w[0].start, start);
    ck_assert_int_eq(w[0].end, end);
    ck_assert_int_eq(w[0].priority, 50);
    check_loop_shape(&w[0]);
    ck_assert_uint_eq(w[0].nslots, 3); /* alone: one pass is its whole share */
    ck_assert_int_eq(w[0].loop_ms, 55 * SEC);
    pl_windows_free(w, nw);

    /* A priority-100 appeal takes over inside it, then gives the screen back. */
    pl_ms t0 = civil(tz, 2023, 3, 11, 14, 46), t1 = civil(tz, 2023, 3, 12, 0, 0);
    struct pl_campaign *appeal = camp_new("disaster-appeal", 100, 1, t0, t1);
    camp_item(appeal, 20 * SEC);
    set[1] = appeal;
    ck_assert_int_eq(pl_build_windows(set, 2, tz, civil(tz, 2023, 3, 10, 0, 0),
                                      civil(tz, 2023, 3, 20, 0, 0), &w, &nw),
                     0);
    ck_assert_uint_eq(nw, 3);
    ck_assert_int_eq(w[0].start, start);
    ck_assert_int_eq(w[0].end, t0);
    ck_assert_int_eq(w[1].start, t0);
    ck_assert_int_eq(w[1].end, t1);
    ck_assert_int_eq(w[2].start, t1);
    ck_assert_int_eq(w[2].end, end);
    ck_assert_int_eq(w[1].priority, 100);
    for (size_t i = 0; i < nw; i++)
        check_loop_shape(&w[i]);
    ck_assert_uint_eq(w[1].nslots, 1);
    ck_assert_ptr_eq(w[1].slots[0].campaign, appeal);
    ck_assert_ptr_eq(w[2].slots[0].campaign, kochi);

    /* Kochi is cut exactly when the appeal begins. */
    struct pl_due due;
    pl_due_at(w, nw, NULL, t0 - 1, &due);
    ck_assert_ptr_eq(due.window, &w[0]);
    ck_assert_ptr_eq(due.slot->campaign, kochi);
    ck_assert_int_le(due.slot_end, t0);
    pl_due_at(w, nw, NULL, t0, &due);
    ck_assert_ptr_eq(due.slot->campaign, appeal);
    ck_assert_int_eq(due.slot_start, t0);
    pl_due_at(w, nw, NULL, end, &due);
    ck_assert_ptr_null(due.window);
    ck_assert_ptr_null(due.slot);
    ck_assert_int_eq(due.slot_start, end);
    ck_assert_int_eq(due.slot_end, PL_MS_MAX);
    pl_windows_free(w, nw);

    pl_campaign_free(kochi);
    pl_campaign_free(appeal);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_weekday_hours)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    /* 2023-03-06 is a Monday. */
    pl_ms mon = civil(tz, 2023, 3, 6, 0, 0);
    struct pl_campaign *c =
        camp_new("weekdays", 50, 1, civil(tz, 2023, 3, 1, 0, 0), civil(tz, 2023, 4, 1, 0, 0));
    camp_item(c, 10 * SEC);
    camp_hours(c, WEEKDAYS, 7 * 60, 22 * 60);
    struct pl_interval *iv;
    size_t n = intervals(c, tz, mon, mon + 7 * DAY, &iv);
    ck_assert_uint_eq(n, 5);
    for (int d = 0; d < 5; d++) {
        ck_assert_int_eq(iv[d].start, civil(tz, 2023, 3, 6 + d, 7, 0));
        ck_assert_int_eq(iv[d].end, civil(tz, 2023, 3, 6 + d, 22, 0));
    }
    free(iv);
    /* a range starting mid-instance is cut there */
    n = intervals(c, tz, mon + 8 * HOUR, mon + 8 * HOUR + 5, &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, mon + 8 * HOUR);
    ck_assert_int_eq(iv[0].end, mon + 8 * HOUR + 5);
    free(iv);
    /* Saturday and Sunday: nothing */
    n = intervals(c, tz, civil(tz, 2023, 3, 11, 0, 0), civil(tz, 2023, 3, 13, 0, 0), &iv);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(iv);

    /* Windows: each weekday's window whole, even when the range starts mid-day. */
    const struct pl_campaign *set[] = {c};
    struct pl_window *w;
    size_t nw;
    ck_assert_int_eq(pl_build_windows(set, 1, tz, mon + 12 * HOUR, mon + DAY + 8 * HOUR, &w, &nw),
                     0);
    ck_assert_uint_eq(nw, 2);
    ck_assert_int_eq(w[0].start, civil(tz, 2023, 3, 6, 7, 0));
    ck_assert_int_eq(w[0].end, civil(tz, 2023, 3, 6, 22, 0));
    ck_assert_int_eq(w[1].start, civil(tz, 2023, 3, 7, 7, 0));
    ck_assert_int_eq(w[1].end, civil(tz, 2023, 3, 7, 22, 0));
    pl_windows_free(w, nw);
    pl_campaign_free(c);

    /* Mon-Fri 00:00-24:00 is one stretch, Monday 00:00 to Saturday 00:00. */
    c = camp_new("weekdays-all-day", 50, 1, civil(tz, 2023, 3, 1, 0, 0),
                 civil(tz, 2023, 4, 1, 0, 0));
    camp_item(c, 10 * SEC);
    camp_hours(c, WEEKDAYS, 0, 1440);
    n = intervals(c, tz, mon - DAY, mon + 7 * DAY, &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, mon);
    ck_assert_int_eq(iv[0].end, civil(tz, 2023, 3, 11, 0, 0));
    free(iv);
    set[0] = c;
    ck_assert_int_eq(pl_build_windows(set, 1, tz, mon + 2 * DAY, mon + 2 * DAY + 1, &w, &nw), 0);
    ck_assert_uint_eq(nw, 1);
    ck_assert_int_eq(w[0].start, mon);
    ck_assert_int_eq(w[0].end, mon + 5 * DAY);
    pl_windows_free(w, nw);
    /* the first week is cut by the campaign's start (Wed 2023-03-01) */
    ck_assert_int_eq(pl_build_windows(set, 1, tz, mon - 4 * DAY, mon - 4 * DAY + 1, &w, &nw), 0);
    ck_assert_uint_eq(nw, 1);
    ck_assert_int_eq(w[0].start, civil(tz, 2023, 3, 1, 0, 0));
    ck_assert_int_eq(w[0].end, civil(tz, 2023, 3, 4, 0, 0));
    pl_windows_free(w, nw);
    pl_campaign_free(c);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_past_midnight)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    struct pl_campaign *c =
        camp_new("late", 50, 1, civil(tz, 2023, 3, 1, 0, 0), civil(tz, 2023, 4, 1, 0, 0));
    camp_item(c, 10 * SEC);
    camp_hours(c, FRI, 22 * 60, 2 * 60); /* Friday 22:00 to Saturday 02:00 */
    struct pl_interval *iv;
    size_t n = intervals(c, tz, civil(tz, 2023, 3, 6, 0, 0), civil(tz, 2023, 3, 13, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, civil(tz, 2023, 3, 10, 22, 0));
    ck_assert_int_eq(iv[0].end, civil(tz, 2023, 3, 11, 2, 0));
    free(iv);
    /* asked from Saturday 01:00: the part after midnight is still there */
    n = intervals(c, tz, civil(tz, 2023, 3, 11, 1, 0), civil(tz, 2023, 3, 12, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, civil(tz, 2023, 3, 11, 1, 0));
    ck_assert_int_eq(iv[0].end, civil(tz, 2023, 3, 11, 2, 0));
    free(iv);
    /* Every night 22:00-02:00 plus 02:00-06:00 on Saturday merge into one stretch. */
    c->hours[0].days = ALLDAYS;
    camp_hours(c, SAT, 2 * 60, 6 * 60);
    n = intervals(c, tz, civil(tz, 2023, 3, 10, 12, 0), civil(tz, 2023, 3, 12, 12, 0), &iv);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(iv[0].start, civil(tz, 2023, 3, 10, 22, 0));
    ck_assert_int_eq(iv[0].end, civil(tz, 2023, 3, 11, 6, 0));
    ck_assert_int_eq(iv[1].start, civil(tz, 2023, 3, 11, 22, 0));
    ck_assert_int_eq(iv[1].end, civil(tz, 2023, 3, 12, 2, 0));
    free(iv);
    /* a daypart past midnight on the campaign's last day stops at its end */
    n = intervals(c, tz, civil(tz, 2023, 3, 31, 0, 0), civil(tz, 2023, 4, 2, 0, 0), &iv);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(iv[1].start, civil(tz, 2023, 3, 31, 22, 0));
    ck_assert_int_eq(iv[1].end, civil(tz, 2023, 4, 1, 0, 0));
    free(iv);
    pl_campaign_free(c);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_berlin_dst)
{
    pl_tz *tz = tz_open("Europe/Berlin");
    struct pl_campaign *c =
        camp_new("nights", 50, 1, civil(tz, 2023, 1, 1, 0, 0), civil(tz, 2024, 1, 1, 0, 0));
    camp_item(c, 10 * SEC);
    camp_hours(c, SUN, 60, 4 * 60);      /* Sunday 01:00-04:00 */
    camp_hours(c, SAT, 22 * 60, 2 * 60); /* Saturday 22:00 - Sunday 02:00 */
    struct pl_interval *iv;
    /* Spring forward, 2023-03-26: 02:00 CET becomes 03:00 CEST. */
    size_t n = intervals(c, tz, civil(tz, 2023, 3, 25, 12, 0), civil(tz, 2023, 3, 26, 12, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, INT64_C(1679778000000)); /* 2023-03-25T21:00Z = 22:00 CET */
    ck_assert_int_eq(iv[0].end, INT64_C(1679796000000));   /* 2023-03-26T02:00Z = 04:00 CEST */
    ck_assert_int_eq(iv[0].end - iv[0].start, 5 * HOUR);   /* 6 wall hours, one skipped */
    free(iv);
    /* Sunday 01:00-04:00 alone that night is two real hours. */
    c->hours[1].days = 0;
    n = intervals(c, tz, civil(tz, 2023, 3, 26, 0, 0), civil(tz, 2023, 3, 27, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, INT64_C(1679788800000)); /* 00:00Z = 01:00 CET */
    ck_assert_int_eq(iv[0].end - iv[0].start, 2 * HOUR);
    free(iv);
    /* Fall back, 2023-10-29: 03:00 CEST becomes 02:00 CET, so four real hours. */
    n = intervals(c, tz, civil(tz, 2023, 10, 29, 0, 0), civil(tz, 2023, 10, 30, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, INT64_C(1698534000000)); /* 2023-10-28T23:00Z = 01:00 CEST */
    ck_assert_int_eq(iv[0].end, INT64_C(1698548400000));   /* 03:00Z = 04:00 CET */
    free(iv);
    /* An ordinary Sunday is three hours. */
    n = intervals(c, tz, civil(tz, 2023, 6, 4, 0, 0), civil(tz, 2023, 6, 5, 0, 0), &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].end - iv[0].start, 3 * HOUR);
    free(iv);

    /* The window of the DST night is whole whichever side the range is. */
    const struct pl_campaign *set[] = {c};
    struct pl_window *w;
    size_t nw;
    ck_assert_int_eq(pl_build_windows(set, 1, tz, INT64_C(1698534000000) + HOUR,
                                      INT64_C(1698534000000) + HOUR + 1, &w, &nw),
                     0);
    ck_assert_uint_eq(nw, 1);
    ck_assert_int_eq(w[0].start, INT64_C(1698534000000));
    ck_assert_int_eq(w[0].end, INT64_C(1698548400000));
    pl_windows_free(w, nw);
    pl_campaign_free(c);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_intervals_hostile)
{
    pl_tz *tz = tz_open("UTC");
    struct pl_interval *iv = NULL;
    size_t n;
    struct pl_campaign *c = camp_new("odd", 50, 1, 10 * DAY, 20 * DAY);
    camp_item(c, SEC);

    /* empty or backwards ranges */
    n = intervals(c, tz, 15 * DAY, 15 * DAY, &iv);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(iv);
    n = intervals(c, tz, 16 * DAY, 15 * DAY, &iv);
    ck_assert_uint_eq(n, 0);
    /* ranges far outside the years anybody parses */
    n = intervals(c, tz, INT64_MIN, INT64_MAX, &iv);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(iv[0].start, 10 * DAY);
    free(iv);
    /* dayparts the validator refuses: empty, no days, out of range */
    camp_hours(c, ALLDAYS, 600, 600);
    camp_hours(c, 0, 0, 1440);
    camp_hours(c, ALLDAYS, -30, 60);
    camp_hours(c, ALLDAYS, 60, 5000);
    camp_hours(c, ALLDAYS, 1440, 1440);
    n = intervals(c, tz, 0, 40 * DAY, &iv);
    ck_assert_uint_eq(n, 0);
    /* ... next to a good one, which still works; 0 -> 24:00 on Monday only */
    camp_hours(c, MON, 0, 1440);
    n = intervals(c, tz, 0, 40 * DAY, &iv);
    ck_assert_uint_eq(n, 2); /* 1970-01-12 and 01-19 are Mondays */
    ck_assert_int_eq(iv[0].start, 11 * DAY);
    ck_assert_int_eq(iv[0].end, 12 * DAY);
    ck_assert_int_eq(iv[1].start, 18 * DAY);
    free(iv);
    /* a campaign ending before it starts is never active */
    c->end = c->start;
    n = intervals(c, tz, 0, 40 * DAY, &iv);
    ck_assert_uint_eq(n, 0);
    c->end = c->start - DAY;
    n = intervals(c, tz, 0, 40 * DAY, &iv);
    ck_assert_uint_eq(n, 0);
    /* before 1970 and at the edges of the representable years */
    c->start = PL_MS_MIN;
    c->end = PL_MS_MAX;
    n = intervals(c, tz, PL_MS_MIN, PL_MS_MIN + 15 * DAY, &iv);
    ck_assert_uint_ge(n, 2);
    free(iv);
    n = intervals(c, tz, PL_MS_MAX - 15 * DAY, INT64_MAX, &iv);
    ck_assert_uint_ge(n, 2);
    ck_assert_int_le(iv[n - 1].end, PL_MS_MAX);
    free(iv);
    ck_assert_int_eq(pl_campaign_intervals(NULL, tz, 0, DAY, &iv, &n), 0);
    ck_assert_uint_eq(n, 0);
    pl_campaign_free(c);
    pl_tz_free(tz);
}
END_TEST

/* ---- loops ----------------------------------------------------------------- */

START_TEST(test_loop_time_shares)
{
    /* A 60 s video and a 10 s image with equal weights get equal time. */
    struct pl_campaign *video = camp_new("a-video", 50, 1, 0, DAY);
    struct pl_campaign *image = camp_new("b-image", 50, 1, 0, DAY);
    camp_item(video, 60 * SEC);
    camp_item(image, 10 * SEC);
    const struct pl_campaign *set[] = {video, image};
    struct pl_window w = {0};
    ck_assert_int_eq(pl_build_loop(set, 2, &w), 0);
    check_loop_shape(&w);
    ck_assert_int_eq(camp_time(&w, video), 60 * SEC);
    ck_assert_int_eq(camp_time(&w, image), 60 * SEC);
    ck_assert_int_eq(w.loop_ms, 120 * SEC);
    ck_assert_uint_eq(w.nslots, 7);
    ck_assert_int_eq(w.priority, 50);
    free(w.slots);

    /* Weights 3:1 with equal items: B is spread, never twice in a row. */
    struct pl_campaign *a = camp_new("a", 50, 3, 0, DAY);
    struct pl_campaign *b = camp_new("b", 50, 1, 0, DAY);
    for (int i = 0; i < 4; i++)
        camp_item(a, 10 * SEC);
    camp_item(b, 10 * SEC);
    set[0] = a;
    set[1] = b;
    ck_assert_int_eq(pl_build_loop(set, 2, &w), 0);
    check_loop_shape(&w);
    double share = (double)camp_time(&w, a) / (double)w.loop_ms;
    ck_assert_msg(share > 0.70 && share < 0.80, "a's share %.3f, want 0.75", share);
    size_t nb = 0, last = SIZE_MAX, maxgap = 0, firstb = SIZE_MAX;
    for (size_t i = 0; i < w.nslots; i++) {
        if (w.slots[i].campaign != b)
            continue;
        nb++;
        if (firstb == SIZE_MAX)
            firstb = i;
        if (last != SIZE_MAX) {
            ck_assert_uint_gt(i - last, 1);
            if (i - last > maxgap)
                maxgap = i - last;
        }
        last = i;
    }
    ck_assert_uint_ge(nb, 2);
    ck_assert_uint_gt(firstb + w.nslots - last, 1); /* not adjacent across the wrap */
    ck_assert_uint_le(maxgap, 5);
    /* a's items keep their order, round robin */
    unsigned next = 0;
    for (size_t i = 0; i < w.nslots; i++) {
        if (w.slots[i].campaign != a)
            continue;
        ck_assert_uint_eq(w.slots[i].item, next);
        next = (next + 1) % 4;
    }
    free(w.slots);

    /* Only the highest priority takes part. */
    struct pl_campaign *filler = camp_new("filler", 0, 100, 0, DAY);
    camp_item(filler, SEC);
    const struct pl_campaign *three[] = {filler, a, b};
    ck_assert_int_eq(pl_build_loop(three, 3, &w), 0);
    ck_assert_int_eq(camp_time(&w, filler), 0);
    ck_assert_int_eq(w.priority, 50);
    free(w.slots);

    pl_campaign_free(video);
    pl_campaign_free(image);
    pl_campaign_free(a);
    pl_campaign_free(b);
    pl_campaign_free(filler);
}
END_TEST

START_TEST(test_loop_extremes)
{
    struct pl_window w = {0};
    /* nothing, NULLs and campaigns without items: an empty loop, no crash */
    struct pl_campaign *empty = camp_new("empty", 50, 1, 0, DAY);
    const struct pl_campaign *set[4] = {NULL, empty, NULL, NULL};
    ck_assert_int_eq(pl_build_loop(set, 0, &w), 0);
    ck_assert_uint_eq(w.nslots, 0);
    ck_assert_int_eq(pl_build_loop(set, 2, &w), 0);
    ck_assert_uint_eq(w.nslots, 0);
    ck_assert_ptr_null(w.slots);
    ck_assert_int_eq(w.loop_ms, 0);

    /* a 24 h item beside a 1 ms one: the bound cannot hold, every item once */
    struct pl_campaign *day = camp_new("day", 50, 1, 0, DAY);
    struct pl_campaign *ms = camp_new("ms", 50, 1, 0, DAY);
    camp_item(day, DAY);
    camp_item(ms, 1);
    set[2] = day;
    set[3] = ms;
    ck_assert_int_eq(pl_build_loop(set, 4, &w), 0);
    check_loop_shape(&w);
    ck_assert_uint_eq(w.nslots, 2);
    ck_assert_int_eq(w.loop_ms, DAY + 1);
    free(w.slots);

    /* a 30 min item beside a 1 ms one with equal weights: the 1 ms item
     * would need 1.8 million slots; the slot cap keeps it sane. */
    day->items[0].duration_ms = 30 * MIN_MS;
    ck_assert_int_eq(pl_build_loop(set, 4, &w), 0);
    check_loop_shape(&w);
    ck_assert_uint_le(w.nslots, 70000);
    ck_assert_int_le(w.loop_ms, HOUR);
    ck_assert_int_gt(camp_time(&w, ms), 0);
    free(w.slots);

    /* one 1 ms item alone */
    const struct pl_campaign *one[] = {ms};
    ck_assert_int_eq(pl_build_loop(one, 1, &w), 0);
    check_loop_shape(&w);
    ck_assert_uint_eq(w.nslots, 1);
    ck_assert_int_eq(w.loop_ms, 1);
    free(w.slots);

    /* bad weights and durations the validator refuses are survived */
    struct pl_campaign *bad = camp_new("bad", 50, 0, 0, DAY);
    camp_item(bad, 0);
    camp_item(bad, -5);
    const struct pl_campaign *b2[] = {bad, ms};
    ck_assert_int_eq(pl_build_loop(b2, 2, &w), 0);
    ck_assert_uint_ge(w.nslots, 3);
    ck_assert_int_gt(w.loop_ms, 0);
    free(w.slots);

    /* a campaign that cannot get its share in an hour: 50 min of items at
     * weight 1 beside a 10 s item at weight 10.  One pass each, the rest of
     * the hour to the heavier one (best effort). */
    struct pl_campaign *longc = camp_new("long", 50, 1, 0, DAY);
    struct pl_campaign *heavy = camp_new("heavy", 50, 10, 0, DAY);
    for (int i = 0; i < 5; i++)
        camp_item(longc, 10 * MIN_MS);
    camp_item(heavy, 10 * SEC);
    const struct pl_campaign *b3[] = {longc, heavy};
    ck_assert_int_eq(pl_build_loop(b3, 2, &w), 0);
    check_loop_shape(&w);
    ck_assert_int_eq(camp_time(&w, longc), 50 * MIN_MS);
    ck_assert_int_eq(camp_time(&w, heavy), 10 * MIN_MS);
    ck_assert_int_eq(w.loop_ms, HOUR);
    free(w.slots);

    pl_campaign_free(empty);
    pl_campaign_free(day);
    pl_campaign_free(ms);
    pl_campaign_free(bad);
    pl_campaign_free(longc);
    pl_campaign_free(heavy);
}
END_TEST

/* ---- pl_due_at --------------------------------------------------------------- */

START_TEST(test_due_at)
{
    struct pl_campaign *c = camp_new("c", 50, 1, 0, DAY);
    camp_item(c, 10 * SEC);
    camp_item(c, 20 * SEC);
    struct pl_slot slots[2] = {{c, 0, 0, 10 * SEC}, {c, 1, 10 * SEC, 20 * SEC}};
    struct pl_window ws[2] = {
        {1000 * SEC, 1095 * SEC, 50, 30 * SEC, slots, 2},
        {2000 * SEC, 2045 * SEC, 50, 30 * SEC, slots, 2},
    };
    struct pl_slot fslots[1] = {{c, 0, 0, 7 * SEC}};
    struct pl_window fb = {0, 0, 0, 7 * SEC, fslots, 1};
    struct pl_due d;

    pl_due_at(ws, 2, &fb, 1000 * SEC, &d);
    ck_assert_ptr_eq(d.window, &ws[0]);
    ck_assert_ptr_eq(d.slot, &slots[0]);
    ck_assert_int_eq(d.slot_start, 1000 * SEC);
    ck_assert_int_eq(d.slot_end, 1010 * SEC);
    ck_assert_int_eq(d.offset_ms, 0);
    pl_due_at(ws, 2, &fb, 1045 * SEC, &d); /* second loop, item 1, 5 s in */
    ck_assert_ptr_eq(d.slot, &slots[1]);
    ck_assert_int_eq(d.slot_start, 1040 * SEC);
    ck_assert_int_eq(d.offset_ms, 5 * SEC);
    pl_due_at(ws, 2, &fb, 1094 * SEC, &d); /* cut at the window's end */
    ck_assert_ptr_eq(d.slot, &slots[0]);
    ck_assert_int_eq(d.slot_start, 1090 * SEC);
    ck_assert_int_eq(d.slot_end, 1095 * SEC);
    /* between windows: the fallback anchored at the previous end, cut at the next start */
    pl_due_at(ws, 2, &fb, 1095 * SEC, &d);
    ck_assert_ptr_null(d.window);
    ck_assert_ptr_eq(d.slot, &fslots[0]);
    ck_assert_int_eq(d.slot_start, 1095 * SEC);
    pl_due_at(ws, 2, &fb, 1999 * SEC, &d);
    ck_assert_int_eq(d.slot_start, 1095 * SEC + 129 * 7 * SEC);
    ck_assert_int_eq(d.slot_end, 2000 * SEC);
    /* before every window: anchored at 0, also for negative instants */
    pl_due_at(ws, 2, &fb, -1, &d);
    ck_assert_ptr_null(d.window);
    ck_assert_int_eq(d.slot_start, -7 * SEC);
    ck_assert_int_eq(d.slot_end, 0);
    ck_assert_int_eq(d.offset_ms, 7 * SEC - 1);
    pl_due_at(ws, 2, &fb, 3 * SEC, &d);
    ck_assert_int_eq(d.slot_start, 0);
    ck_assert_int_eq(d.slot_end, 7 * SEC);
    /* after the last: never cut */
    pl_due_at(ws, 2, &fb, 2046 * SEC, &d);
    ck_assert_int_eq(d.slot_start, 2045 * SEC);
    ck_assert_int_eq(d.slot_end, 2052 * SEC);
    /* no fallback, an empty one, no windows at all */
    struct pl_window nofb = {0};
    pl_due_at(ws, 2, NULL, 1500 * SEC, &d);
    ck_assert_ptr_null(d.slot);
    ck_assert_int_eq(d.slot_start, 1095 * SEC);
    ck_assert_int_eq(d.slot_end, 2000 * SEC);
    ck_assert_int_eq(d.offset_ms, 405 * SEC);
    pl_due_at(ws, 2, &nofb, 0, &d);
    ck_assert_ptr_null(d.slot);
    ck_assert_int_eq(d.slot_start, PL_MS_MIN);
    ck_assert_int_eq(d.slot_end, 1000 * SEC);
    pl_due_at(NULL, 0, NULL, 5, &d);
    ck_assert_ptr_null(d.window);
    ck_assert_int_eq(d.slot_start, PL_MS_MIN);
    ck_assert_int_eq(d.slot_end, PL_MS_MAX);
    /* absurd instants: no overflow (UBSan would stop the test) */
    pl_due_at(ws, 2, &fb, INT64_MIN, &d);
    ck_assert_ptr_eq(d.slot, &fslots[0]);
    ck_assert_int_le(d.slot_start, INT64_MIN + 7 * SEC);
    pl_due_at(ws, 2, &fb, INT64_MAX, &d);
    ck_assert_ptr_eq(d.slot, &fslots[0]);
    pl_due_at(ws, 2, NULL, INT64_MIN, &d);
    ck_assert_ptr_null(d.slot);
    pl_windows_free(NULL, 0);
    pl_windows_free(NULL, 5);
    pl_campaign_free(c);
}
END_TEST

/* ---- properties on random inputs --------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(2685821657736338717);
}

static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

#define BASE INT64_C(1672531200000) /* 2023-01-01T00:00Z */
#define MAXC 7

struct world {
    pl_tz *tz;
    struct pl_campaign *c[MAXC];
    size_t n;
    /* each campaign's activity over [BASE - 30d, BASE + 200d), for brute force */
    struct pl_interval *iv[MAXC];
    size_t niv[MAXC];
};

static void world_make(struct world *wd, struct rng *r, pl_tz *const zones[3])
{
    static const int prios[] = {0, 50, 50, 50, 100};
    memset(wd, 0, sizeof *wd);
    wd->tz = zones[rng_range(r, 0, 2)];
    wd->n = (size_t)rng_range(r, 1, MAXC);
    for (size_t i = 0; i < wd->n; i++) {
        char id[32];
        snprintf(id, sizeof id, "c%02zu", i);
        pl_ms start = BASE + rng_range(r, 0, 60) * DAY + rng_range(r, 0, 96) * 15 * MIN_MS;
        pl_ms len = rng_range(r, 0, 3) == 0
                        ? rng_range(r, 1, 48) * HOUR
                        : rng_range(r, 1, 40) * DAY + rng_range(r, 0, 23) * HOUR;
        struct pl_campaign *c =
            camp_new(id, prios[rng_range(r, 0, 4)], (int)rng_range(r, 1, 5), start, start + len);
        int nitems = (int)rng_range(r, 1, 6);
        for (int k = 0; k < nitems; k++)
            camp_item(c, rng_range(r, 0, 4) == 0
                             ? rng_range(r, 1, 120) * SEC
                             : rng_range(r, 2, 30) * SEC + rng_range(r, 0, 999));
        if (rng_range(r, 0, 1)) {
            int nh = (int)rng_range(r, 1, 3);
            for (int h = 0; h < nh; h++) {
                int from = (int)rng_range(r, 0, 95) * 15, to = (int)rng_range(r, 0, 96) * 15;
                if (rng_range(r, 0, 5) == 0) {
                    from = 0;
                    to = 1440;
                }
                if (from == to)
                    to = (from + 60) % 1440;
                camp_hours(c, (unsigned)rng_range(r, 1, 127), from, to);
            }
        }
        wd->c[i] = c;
    }
    for (size_t i = 0; i < wd->n; i++)
        ck_assert_int_eq(pl_campaign_intervals(wd->c[i], wd->tz, BASE - 30 * DAY, BASE + 200 * DAY,
                                               &wd->iv[i], &wd->niv[i]),
                         0);
}

static void world_free(struct world *wd)
{
    for (size_t i = 0; i < wd->n; i++) {
        pl_campaign_free(wd->c[i]);
        free(wd->iv[i]);
    }
}

/* 1: C active through all of [S, E); 0: at no instant of it; -1: partly. */
static int coverage(const struct world *wd, size_t c, pl_ms s, pl_ms e)
{
    pl_ms covered = 0;
    for (size_t i = 0; i < wd->niv[c]; i++) {
        pl_ms a = wd->iv[c][i].start > s ? wd->iv[c][i].start : s;
        pl_ms b = wd->iv[c][i].end < e ? wd->iv[c][i].end : e;
        if (a < b)
            covered += b - a;
    }
    return covered == e - s ? 1 : covered == 0 ? 0 : -1;
}

static bool active_at(const struct world *wd, size_t c, pl_ms t)
{
    return coverage(wd, c, t, t + 1) == 1;
}

static bool in_loop(const struct pl_window *w, const struct pl_campaign *c)
{
    for (size_t i = 0; i < w->nslots; i++)
        if (w->slots[i].campaign == c)
            return true;
    return false;
}

/* True when the campaigns taking part at T (brute force) are W's. */
static bool takes_part_as(const struct world *wd, const struct pl_window *w, pl_ms t)
{
    int top = -1;
    for (size_t c = 0; c < wd->n; c++)
        if (active_at(wd, c, t) && wd->c[c]->priority > top)
            top = wd->c[c]->priority;
    if (top != w->priority)
        return false;
    for (size_t c = 0; c < wd->n; c++)
        if ((active_at(wd, c, t) && wd->c[c]->priority == top) != in_loop(w, wd->c[c]))
            return false;
    return true;
}

/* The brute-force answer for pl_due_at: linear scans only. */
static void due_brute(const struct pl_window *ws, size_t n, const struct pl_window *fb, pl_ms t,
                      struct pl_due *d)
{
    const struct pl_window *loop = NULL;
    pl_ms anchor = 0, cut = INT64_MAX;
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        if (ws[i].start <= t && t < ws[i].end) {
            d->window = &ws[i];
            loop = &ws[i];
            anchor = ws[i].start;
            cut = ws[i].end;
        }
    }
    if (!loop) {
        d->slot_start = PL_MS_MIN;
        d->slot_end = PL_MS_MAX;
        for (size_t i = 0; i < n; i++) {
            if (ws[i].end <= t) {
                anchor = ws[i].end;
                d->slot_start = ws[i].end;
            }
            if (ws[i].start > t && cut == INT64_MAX) {
                cut = ws[i].start;
                d->slot_end = ws[i].start;
            }
        }
        loop = fb;
        if (!fb || fb->nslots == 0) {
            d->offset_ms = t - d->slot_start;
            return;
        }
    }
    pl_ms off = (t - anchor) % loop->loop_ms;
    if (off < 0)
        off += loop->loop_ms;
    for (size_t i = 0; i < loop->nslots; i++) {
        const struct pl_slot *s = &loop->slots[i];
        if (s->offset_ms <= off && off < s->offset_ms + s->duration_ms) {
            d->slot = s;
            d->slot_start = t - (off - s->offset_ms);
            d->slot_end =
                d->slot_start + s->duration_ms < cut ? d->slot_start + s->duration_ms : cut;
            d->offset_ms = off - s->offset_ms;
        }
    }
}

static void same_windows(const struct pl_window *a, const struct pl_window *b, uint64_t seed)
{
    ck_assert_msg(a->start == b->start && a->end == b->end && a->priority == b->priority &&
                      a->loop_ms == b->loop_ms && a->nslots == b->nslots,
                  "seed %llu: windows differ", (unsigned long long)seed);
    for (size_t i = 0; i < a->nslots; i++) {
        const struct pl_slot *x = &a->slots[i], *y = &b->slots[i];
        ck_assert_msg(x->campaign == y->campaign && strcmp(x->campaign->id, y->campaign->id) == 0 &&
                          x->item == y->item && x->offset_ms == y->offset_ms &&
                          x->duration_ms == y->duration_ms,
                      "seed %llu: slot %zu differs", (unsigned long long)seed, i);
    }
}

/* The shortest loop meeting every share: max(pass / share). */
static double lstar_of(const struct pl_window *w, const struct world *wd)
{
    double wsum = 0, l = 0;
    for (size_t i = 0; i < wd->n; i++)
        if (in_loop(w, wd->c[i]))
            wsum += wd->c[i]->weight;
    for (size_t i = 0; i < wd->n; i++) {
        if (!in_loop(w, wd->c[i]))
            continue;
        pl_ms pass = 0;
        for (size_t k = 0; k < wd->c[i]->nitems; k++)
            pass += wd->c[i]->items[k].duration_ms;
        double x = (double)pass * wsum / wd->c[i]->weight;
        if (x > l)
            l = x;
    }
    return l;
}

struct stats {
    size_t windows, share_checked, samples;
};

static void check_world(uint64_t seed, pl_tz *const zones[3], struct stats *st)
{
    struct rng r = {seed * UINT64_C(0x9E3779B97F4A7C15) + 1};
    struct world wd;
    world_make(&wd, &r, zones);
    const struct pl_campaign *set[MAXC];
    for (size_t i = 0; i < wd.n; i++)
        set[i] = wd.c[i];

    pl_ms from = BASE + rng_range(&r, 0, 70) * DAY + rng_range(&r, 0, DAY - 1);
    pl_ms to = from + rng_range(&r, 1, 20 * DAY);
    struct pl_window *ws;
    size_t nw;
    ck_assert_int_eq(pl_build_windows(set, wd.n, wd.tz, from, to, &ws, &nw), 0);
    st->windows += nw;

    for (size_t i = 0; i < nw; i++) {
        const struct pl_window *w = &ws[i];
        ck_assert_msg(w->start < w->end && w->start < to && w->end > from,
                      "seed %llu: window %zu outside the range", (unsigned long long)seed, i);
        if (i > 0)
            ck_assert_int_le(ws[i - 1].end, w->start);
        check_loop_shape(w);
        /* (a) exactly the highest-priority active campaigns, all through the window */
        for (size_t c = 0; c < wd.n; c++) {
            int cov = coverage(&wd, c, w->start, w->end);
            bool in = in_loop(w, wd.c[c]);
            if (wd.c[c]->priority > w->priority)
                ck_assert_msg(cov == 0, "seed %llu: %s (prio %d) active under window %zu",
                              (unsigned long long)seed, wd.c[c]->id, wd.c[c]->priority, i);
            else if (wd.c[c]->priority == w->priority)
                ck_assert_msg((in && cov == 1) || (!in && cov == 0),
                              "seed %llu: %s in loop %d, coverage %d, window %zu",
                              (unsigned long long)seed, wd.c[c]->id, in, cov, i);
            else
                ck_assert(!in);
        }
        /* maximal: just before it and at its end, something else takes part */
        ck_assert_msg(!takes_part_as(&wd, w, w->start - 1) && !takes_part_as(&wd, w, w->end),
                      "seed %llu: window %zu is not maximal", (unsigned long long)seed, i);
        /* (c) every item of every taking-part campaign; (e) bounded length */
        pl_ms pass_sum = 0;
        for (size_t c = 0; c < wd.n; c++) {
            if (!in_loop(w, wd.c[c]))
                continue;
            for (unsigned k = 0; k < wd.c[c]->nitems; k++) {
                bool found = false;
                for (size_t s = 0; s < w->nslots && !found; s++)
                    found = w->slots[s].campaign == wd.c[c] && w->slots[s].item == k;
                ck_assert_msg(found, "seed %llu: %s item %u missing", (unsigned long long)seed,
                              wd.c[c]->id, k);
                pass_sum += wd.c[c]->items[k].duration_ms;
            }
        }
        ck_assert_msg(w->loop_ms <= (pass_sum > HOUR ? pass_sum : HOUR),
                      "seed %llu: loop of %lld ms", (unsigned long long)seed,
                      (long long)w->loop_ms);
        /* (b) shares within 10% when the bound allowed them */
        if (w->nslots >= 10 && 12 * lstar_of(w, &wd) <= (double)HOUR) {
            double wsum = 0;
            for (size_t c = 0; c < wd.n; c++)
                if (in_loop(w, wd.c[c]))
                    wsum += wd.c[c]->weight;
            for (size_t c = 0; c < wd.n; c++) {
                if (!in_loop(w, wd.c[c]))
                    continue;
                double want = wd.c[c]->weight / wsum;
                double got = (double)camp_time(w, wd.c[c]) / (double)w->loop_ms;
                ck_assert_msg(got > want * 0.9 && got < want * 1.1,
                              "seed %llu: %s share %.3f, want %.3f (%zu slots)",
                              (unsigned long long)seed, wd.c[c]->id, got, want, w->nslots);
            }
            st->share_checked++;
        }
    }

    /* (a) by sampling instants, and (f) against the brute force */
    struct pl_slot fslots[2] = {{wd.c[0], 0, 0, 5 * SEC}, {wd.c[0], 0, 5 * SEC, 3 * SEC}};
    struct pl_window fb = {0, 0, 0, 8 * SEC, fslots, 2};
    for (int k = 0; k < 40; k++) {
        pl_ms t;
        if (k < 8 && nw > 0) {
            const struct pl_window *w = &ws[rng_range(&r, 0, (int64_t)nw - 1)];
            t = (k & 1 ? w->start : w->end) - (k & 2 ? 1 : 0);
        } else {
            t = from + rng_range(&r, 0, to - from - 1);
        }
        struct pl_due got, want;
        pl_due_at(ws, nw, k % 3 ? &fb : NULL, t, &got);
        due_brute(ws, nw, k % 3 ? &fb : NULL, t, &want);
        ck_assert_msg(got.window == want.window && got.slot == want.slot &&
                          got.slot_start == want.slot_start && got.slot_end == want.slot_end &&
                          got.offset_ms == want.offset_ms,
                      "seed %llu: pl_due_at(%lld) disagrees with the linear scan",
                      (unsigned long long)seed, (long long)t);
        ck_assert(got.slot_start <= t && t < got.slot_end);
        if (t < from || t >= to)
            continue;
        int top = -1;
        for (size_t c = 0; c < wd.n; c++)
            if (active_at(&wd, c, t) && wd.c[c]->priority > top)
                top = wd.c[c]->priority;
        if (top < 0) {
            ck_assert_ptr_null(got.window);
            continue;
        }
        ck_assert_ptr_nonnull(got.window);
        for (size_t c = 0; c < wd.n; c++)
            ck_assert((active_at(&wd, c, t) && wd.c[c]->priority == top) ==
                      in_loop(got.window, wd.c[c]));
        st->samples++;
    }

    /* (d) the same campaigns in another order: identical windows and loops */
    const struct pl_campaign *shuf[MAXC];
    memcpy(shuf, set, sizeof shuf);
    for (size_t i = wd.n; i > 1; i--) {
        size_t j = (size_t)rng_range(&r, 0, (int64_t)i - 1);
        const struct pl_campaign *tmp = shuf[i - 1];
        shuf[i - 1] = shuf[j];
        shuf[j] = tmp;
    }
    struct pl_window *ws2;
    size_t nw2;
    ck_assert_int_eq(pl_build_windows(shuf, wd.n, wd.tz, from, to, &ws2, &nw2), 0);
    ck_assert_uint_eq(nw, nw2);
    for (size_t i = 0; i < nw; i++)
        same_windows(&ws[i], &ws2[i], seed);
    pl_windows_free(ws2, nw2);

    /* (g) an overlapping range, earlier or later: shared windows identical */
    pl_ms shift = rng_range(&r, -(to - from) + 1, to - from - 1);
    pl_ms from2 = from + shift, to2 = to + shift + rng_range(&r, 0, 3 * DAY);
    ck_assert_int_eq(pl_build_windows(shuf, wd.n, wd.tz, from2, to2, &ws2, &nw2), 0);
    size_t j = 0, shared = 0;
    for (size_t i = 0; i < nw; i++) {
        if (ws[i].end <= from2 || ws[i].start >= to2)
            continue; /* outside the other range */
        while (j < nw2 && ws2[j].start < ws[i].start)
            j++;
        ck_assert_msg(j < nw2, "seed %llu: window %zu missing from the other range",
                      (unsigned long long)seed, i);
        same_windows(&ws[i], &ws2[j], seed);
        shared++;
    }
    for (size_t i = 0; i < nw2; i++)
        if (ws2[i].end > from && ws2[i].start < to)
            shared--;
    ck_assert_msg(shared == 0, "seed %llu: the ranges disagree on their common windows",
                  (unsigned long long)seed);
    pl_windows_free(ws2, nw2);

    pl_windows_free(ws, nw);
    world_free(&wd);
}

START_TEST(test_properties)
{
    pl_tz *zones[3] = {tz_open("Asia/Tokyo"), tz_open("Europe/Berlin"), tz_open("UTC")};
    struct stats st = {0};
    for (uint64_t seed = 1; seed <= 400; seed++)
        check_world(seed, zones, &st);
    if (getenv("SCHED_DEBUG"))
        fprintf(stderr, "windows %zu shares %zu samples %zu\n", st.windows, st.share_checked,
                st.samples);
    /* the properties were exercised, not skipped */
    ck_assert_uint_gt(st.windows, 1000);
    ck_assert_uint_gt(st.share_checked, 80);
    ck_assert_uint_gt(st.samples, 4000);
    for (int i = 0; i < 3; i++)
        pl_tz_free(zones[i]);
}
END_TEST

/* Loops alone, on many more random sets than windows see: (b) shares,
 * (c) every item, (d) order does not matter, (e) bounded length. */
START_TEST(test_loop_properties)
{
    size_t checked = 0, compromised = 0, near_total = 0, near_ok = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        struct rng r = {seed * UINT64_C(0xD1B54A32D192ED03) + 7};
        struct pl_campaign *c[MAXC];
        const struct pl_campaign *set[MAXC], *shuf[MAXC];
        size_t n = (size_t)rng_range(&r, 1, MAXC);
        int scale = (int)rng_range(&r, 0, 3); /* ms, s, tens of s, minutes */
        static const pl_ms unit[] = {1, SEC, 10 * SEC, MIN_MS};
        double wsum = 0, lstar = 0;
        pl_ms pass_sum = 0;

        for (size_t i = 0; i < n; i++) {
            char id[16];
            snprintf(id, sizeof id, "k%02zu", (size_t)rng_range(&r, 0, 99) * 10 + i);
            c[i] = camp_new(id, 50, (int)rng_range(&r, 1, 100), 0, DAY);
            size_t nitems = (size_t)rng_range(&r, 1, 12);
            for (size_t k = 0; k < nitems; k++)
                camp_item(c[i], rng_range(&r, 1, 30) * unit[scale] + rng_range(&r, 0, 9));
            set[i] = shuf[i] = c[i];
            wsum += c[i]->weight;
        }
        for (size_t i = 0; i < n; i++) {
            pl_ms pass = 0;
            for (size_t k = 0; k < c[i]->nitems; k++)
                pass += c[i]->items[k].duration_ms;
            pass_sum += pass;
            if ((double)pass * wsum / c[i]->weight > lstar)
                lstar = (double)pass * wsum / c[i]->weight;
        }
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)rng_range(&r, 0, (int64_t)i - 1);
            const struct pl_campaign *tmp = shuf[i - 1];
            shuf[i - 1] = shuf[j];
            shuf[j] = tmp;
        }
        struct pl_window w = {0}, w2 = {0};
        if (getenv("SCHED_SEED") && strtoull(getenv("SCHED_SEED"), NULL, 10) == seed)
            for (size_t i = 0; i < n; i++) {
                fprintf(stderr, "%s w%d:", c[i]->id, c[i]->weight);
                for (size_t k = 0; k < c[i]->nitems; k++)
                    fprintf(stderr, " %lld", (long long)c[i]->items[k].duration_ms);
                fprintf(stderr, "\n");
            }
        ck_assert_int_eq(pl_build_loop(set, n, &w), 0);
        ck_assert_int_eq(pl_build_loop(shuf, n, &w2), 0);
        check_loop_shape(&w);
        same_windows(&w, &w2, seed);
        ck_assert_msg(w.loop_ms <= (pass_sum > HOUR ? pass_sum : HOUR), "seed %llu: loop %lld",
                      (unsigned long long)seed, (long long)w.loop_ms);
        for (size_t i = 0; i < n; i++) {
            for (unsigned k = 0; k < c[i]->nitems; k++) {
                bool found = false;
                for (size_t s = 0; s < w.nslots && !found; s++)
                    found = w.slots[s].campaign == c[i] && w.slots[s].item == k;
                ck_assert_msg(found, "seed %llu: item missing", (unsigned long long)seed);
            }
            double want = c[i]->weight / wsum;
            double got = (double)camp_time(&w, c[i]) / (double)w.loop_ms;
            bool close = got > want * 0.9 && got < want * 1.1;
            /* In a loop of M * lstar, whole items miss a share by at most
             * 1/M relative, so with 12 * lstar in the hour 10% must hold.
             * Closer to the bound it can be impossible (seed 162: an
             * hour's share of 41 s made of a 24 s pass and 10 s or 14 s
             * items); there it is counted, not required. */
            if (w.nslots >= 10 && 12 * lstar <= (double)HOUR)
                ck_assert_msg(close, "seed %llu: %s share %.4f, want %.4f (%zu slots, loop %lld)",
                              (unsigned long long)seed, c[i]->id, got, want, w.nslots,
                              (long long)w.loop_ms);
            if (w.nslots >= 10 && lstar <= (double)HOUR) {
                near_total++;
                near_ok += close;
            }
        }
        if (w.nslots >= 10 && 12 * lstar <= (double)HOUR)
            checked++;
        if (lstar > (double)HOUR)
            compromised++;
        free(w.slots);
        free(w2.slots);
        for (size_t i = 0; i < n; i++)
            pl_campaign_free(c[i]);
    }
    if (getenv("SCHED_DEBUG"))
        fprintf(stderr, "loops: shares checked %zu, compromised %zu, near the bound %zu/%zu\n",
                checked, compromised, near_ok, near_total);
    ck_assert_uint_gt(checked, 200);
    /* near the bound most shares still come out within 10% */
    ck_assert_uint_ge(near_ok * 10, near_total * 9);
    ck_assert_uint_gt(compromised, 100);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("cases");
    TCase *tp = tcase_create("properties");

    tcase_add_test(tc, test_kochi_expo);
    tcase_add_test(tc, test_weekday_hours);
    tcase_add_test(tc, test_past_midnight);
    tcase_add_test(tc, test_berlin_dst);
    tcase_add_test(tc, test_intervals_hostile);
    tcase_add_test(tc, test_loop_time_shares);
    tcase_add_test(tc, test_loop_extremes);
    tcase_add_test(tc, test_due_at);
    suite_add_tcase(s, tc);
    tcase_set_timeout(tp, 120);
    tcase_add_test(tp, test_properties);
    tcase_add_test(tp, test_loop_properties);
    suite_add_tcase(s, tp);
    return s;
}
