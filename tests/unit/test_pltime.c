/* Tests for playlists/pltime.c: zones, civil time, ISO 8601 text, HH:MM. */
#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "playlists/pltime.h"
#include "tests/unit/check_main.h"

#define H PL_MS_PER_HOUR

/* A fixed-seed generator so a failure is repeatable. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A random instant in [lo, hi). */
static pl_ms rng_between(uint64_t *s, pl_ms lo, pl_ms hi)
{
    return lo + (pl_ms)(rng_next(s) % (uint64_t)(hi - lo));
}

static pl_tz *tz_open(const char *name)
{
    char err[256] = "";
    pl_tz *tz = pl_tz_new(name, err, sizeof err);

    ck_assert_msg(tz != NULL, "pl_tz_new(%s): %s", name, err);
    ck_assert_str_eq(pl_tz_name(tz), name);
    return tz;
}

/* The instant of S, which must parse. */
static pl_ms at(const char *s, const pl_tz *tz)
{
    char err[256] = "";
    pl_ms t = 0;

    ck_assert_msg(pl_time_parse(s, tz, PL_TIME_INSTANT, &t, err, sizeof err) == 0, "parse %s: %s",
                  s, err);
    return t;
}

static void assert_fmt(pl_ms t, const pl_tz *tz, const char *want)
{
    char buf[PL_TIME_BUFSZ];
    int n = pl_time_format(t, tz, buf, sizeof buf);

    ck_assert_int_eq(n, (int)strlen(want));
    ck_assert_str_eq(buf, want);
}

/* 1900-01-01T00:00Z and 2200-01-01T00:00Z. */
#define MS_1900 PL_MS_MIN
#define MS_2200 INT64_C(7258118400000)

static const char *const zones[] = {
    "Asia/Tokyo",       "Europe/Berlin",       "America/New_York", "UTC",
    "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata",     "America/St_Johns",
    "Pacific/Apia",     "Africa/Casablanca",   "Europe/Dublin",    "Pacific/Chatham",
};
#define NZONES (sizeof zones / sizeof zones[0])

START_TEST(test_tokyo_basics)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    struct pl_civil c;
    pl_ms t, e;

    t = at("2023-03-31T23:59:59.000+09:00", tz);
    ck_assert_int_eq(t, INT64_C(1680274799000));
    ck_assert_int_eq(at("2023-03-31T23:59:59", tz), t);
    ck_assert_int_eq(at("2023-03-31 23:59:59", tz), t);
    ck_assert_int_eq(at("2023-03-31T14:59:59Z", tz), t);
    ck_assert_int_eq(at("2023-03-31T14:59:59z", tz), t);
    ck_assert_int_eq(at("2023-03-31T09:59:59-05:00", tz), t);
    ck_assert_int_eq(at("2023-03-31T23:59:59+0900", tz), t);
    ck_assert_int_eq(at("2023-03-31T23:59:59+09", tz), t);
    ck_assert_int_eq(at("2023-03-31T23:59", tz), t - 59000);
    ck_assert_int_eq(at("2023-03-31T23:59:59.5", tz), t + 500);
    ck_assert_int_eq(at("2023-03-31T23:59:59.25", tz), t + 250);
    ck_assert_int_eq(at("2023-03-31T23:59:59.007", tz), t + 7);
    ck_assert_int_eq(pl_tz_offset_at(tz, t), 9 * 3600);
    assert_fmt(t, tz, "2023-03-31T23:59:59.000+09:00");
    assert_fmt(t + 999, tz, "2023-03-31T23:59:59.999+09:00");

    char buf[PL_TIME_BUFSZ];
    ck_assert_int_eq(pl_time_format_s(t + 999, tz, buf, sizeof buf), 25);
    ck_assert_str_eq(buf, "2023-03-31T23:59:59+09:00");

    pl_tz_to_civil(tz, t, &c);
    ck_assert_int_eq(c.year, 2023);
    ck_assert_int_eq(c.month, 3);
    ck_assert_int_eq(c.day, 31);
    ck_assert_int_eq(c.hour, 23);
    ck_assert_int_eq(c.min, 59);
    ck_assert_int_eq(c.sec, 59);
    ck_assert_int_eq(c.ms, 0);
    ck_assert_int_eq(c.wday, 5); /* a Friday */
    ck_assert_int_eq(c.offset_s, 32400);

    /* Date-only START and END: the campaign of SPEC.md §4. */
    char err[256];
    ck_assert_int_eq(pl_time_parse("2023-03-01", tz, PL_TIME_START, &t, err, sizeof err), 0);
    assert_fmt(t, tz, "2023-03-01T00:00:00.000+09:00");
    ck_assert_int_eq(pl_time_parse("2023-03-31", tz, PL_TIME_END, &e, err, sizeof err), 0);
    assert_fmt(e, tz, "2023-04-01T00:00:00.000+09:00");
    ck_assert_int_eq(e - t, 31 * PL_MS_PER_DAY);
    /* END on the last day of a year and of a leap February. */
    ck_assert_int_eq(pl_time_parse("2023-12-31", tz, PL_TIME_END, &e, err, sizeof err), 0);
    assert_fmt(e, tz, "2024-01-01T00:00:00.000+09:00");
    ck_assert_int_eq(pl_time_parse("2024-02-29", tz, PL_TIME_END, &e, err, sizeof err), 0);
    assert_fmt(e, tz, "2024-03-01T00:00:00.000+09:00");
    /* A date-time with START/END is just that instant. */
    ck_assert_int_eq(pl_time_parse("2023-03-31T22:00", tz, PL_TIME_END, &e, err, sizeof err), 0);
    assert_fmt(e, tz, "2023-03-31T22:00:00.000+09:00");

    /* Day start and the wartime DST Japan had in 1948..1951. */
    ck_assert_int_eq(pl_tz_day_start(tz, t + 5 * H), t);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("1950-07-01T12:00Z", NULL)), 10 * 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("1960-07-01T12:00Z", NULL)), 9 * 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2150-07-01T12:00Z", NULL)), 9 * 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("9999-07-01T12:00Z", NULL)), 9 * 3600);
    pl_tz_free(tz);
    pl_tz_free(NULL);
}
END_TEST

START_TEST(test_weekdays)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    struct pl_civil c;
    /* 1900-01-01 Monday, 1969-12-31 Wednesday, 1970-01-01 Thursday,
     * 2000-02-29 Tuesday, 2023-03-31 Friday, 2100-03-01 Monday. */
    static const struct {
        int y, m, d, wday;
    } days[] = {{1900, 1, 1, 1},  {1969, 12, 31, 3}, {1970, 1, 1, 4},
                {2000, 2, 29, 2}, {2023, 3, 31, 5},  {2100, 3, 1, 1}};

    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        pl_ms t = pl_tz_from_civil(tz, days[i].y, days[i].m, days[i].d, 12, 0, 0, 0);

        pl_tz_to_civil(tz, t, &c);
        ck_assert_int_eq(c.year, days[i].y);
        ck_assert_int_eq(c.month, days[i].m);
        ck_assert_int_eq(c.day, days[i].d);
        ck_assert_int_eq(c.wday, days[i].wday);
    }
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_berlin_2023)
{
    pl_tz *tz = tz_open("Europe/Berlin");
    pl_ms t, d0, d1;

    /* Spring forward, 2023-03-26 02:00 CET -> 03:00 CEST at 01:00Z. */
    pl_ms jump = at("2023-03-26T01:00Z", NULL);
    ck_assert_int_eq(pl_tz_offset_at(tz, jump - 1), 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, jump), 7200);
    t = pl_tz_from_civil(tz, 2023, 3, 26, 2, 30, 0, 0);
    ck_assert_int_eq(t, jump);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 3, 26, 2, 0, 0, 0), jump);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 3, 26, 2, 59, 59, 999), jump);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 3, 26, 1, 59, 59, 999), jump - 1);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 3, 26, 3, 0, 0, 0), jump);
    ck_assert_int_eq(at("2023-03-26T02:30", tz), jump);
    assert_fmt(jump, tz, "2023-03-26T03:00:00.000+02:00");
    assert_fmt(jump - 1, tz, "2023-03-26T01:59:59.999+01:00");
    d0 = pl_tz_day_start(tz, jump);
    d1 = pl_tz_day_start(tz, d0 + 30 * H);
    assert_fmt(d0, tz, "2023-03-26T00:00:00.000+01:00");
    ck_assert_int_eq(d1 - d0, 23 * H);
    ck_assert_int_eq(pl_tz_day_start(tz, d1 - 1), d0);
    ck_assert_int_eq(pl_tz_day_start(tz, d0), d0);

    /* Fall back, 2023-10-29 03:00 CEST -> 02:00 CET at 01:00Z; 02:30 twice. */
    pl_ms back = at("2023-10-29T01:00Z", NULL);
    ck_assert_int_eq(pl_tz_offset_at(tz, back - 1), 7200);
    ck_assert_int_eq(pl_tz_offset_at(tz, back), 3600);
    t = pl_tz_from_civil(tz, 2023, 10, 29, 2, 30, 0, 0);
    ck_assert_int_eq(t, at("2023-10-29T00:30Z", NULL));
    assert_fmt(t, tz, "2023-10-29T02:30:00.000+02:00");
    assert_fmt(t + H, tz, "2023-10-29T02:30:00.000+01:00");
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 10, 29, 2, 0, 0, 0), back - H);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 10, 29, 3, 0, 0, 0), back + H);
    ck_assert_int_eq(at("2023-10-29T02:30", tz), t);
    ck_assert_int_eq(at("2023-10-29T02:30+01:00", tz), t + H);
    d0 = pl_tz_day_start(tz, back);
    d1 = pl_tz_day_start(tz, d0 + 30 * H);
    assert_fmt(d0, tz, "2023-10-29T00:00:00.000+02:00");
    ck_assert_int_eq(d1 - d0, 25 * H);
    /* A date-only END on those days covers the whole local day. */
    char err[256];
    pl_ms s, e;
    ck_assert_int_eq(pl_time_parse("2023-10-29", tz, PL_TIME_START, &s, err, sizeof err), 0);
    ck_assert_int_eq(pl_time_parse("2023-10-29", tz, PL_TIME_END, &e, err, sizeof err), 0);
    ck_assert_int_eq(e - s, 25 * H);
    ck_assert_int_eq(pl_time_parse("2023-03-26", tz, PL_TIME_END, &e, err, sizeof err), 0);
    ck_assert_int_eq(pl_time_parse("2023-03-26", tz, PL_TIME_START, &s, err, sizeof err), 0);
    ck_assert_int_eq(e - s, 23 * H);

    /* Winter and summer either side. */
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2023-01-15T12:00Z", NULL)), 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2023-07-15T12:00Z", NULL)), 7200);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2023-12-15T12:00Z", NULL)), 3600);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_new_york)
{
    pl_tz *tz = tz_open("America/New_York");
    pl_ms t, d0;

    /* 2023-03-12 02:00 EST -> 03:00 EDT at 07:00Z. */
    t = pl_tz_from_civil(tz, 2023, 3, 12, 2, 30, 0, 0);
    ck_assert_int_eq(t, at("2023-03-12T07:00Z", NULL));
    assert_fmt(t, tz, "2023-03-12T03:00:00.000-04:00");
    assert_fmt(t - 1, tz, "2023-03-12T01:59:59.999-05:00");
    d0 = pl_tz_day_start(tz, t);
    ck_assert_int_eq(pl_tz_day_start(tz, d0 + 26 * H) - d0, 23 * H);
    /* 2023-11-05 02:00 EDT -> 01:00 EST at 06:00Z; 01:30 first is EDT. */
    t = pl_tz_from_civil(tz, 2023, 11, 5, 1, 30, 0, 0);
    ck_assert_int_eq(t, at("2023-11-05T05:30Z", NULL));
    assert_fmt(t, tz, "2023-11-05T01:30:00.000-04:00");
    assert_fmt(t + H, tz, "2023-11-05T01:30:00.000-05:00");
    d0 = pl_tz_day_start(tz, t);
    ck_assert_int_eq(pl_tz_day_start(tz, d0 + 26 * H) - d0, 25 * H);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2023-07-04T12:00Z", NULL)), -4 * 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2023-01-04T12:00Z", NULL)), -5 * 3600);
    /* The rules before 2007 were different: 2006-04-02 was the change. */
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2006-03-20T12:00Z", NULL)), -5 * 3600);
    ck_assert_int_eq(pl_tz_offset_at(tz, at("2006-04-03T12:00Z", NULL)), -4 * 3600);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_utc)
{
    pl_tz *tz = tz_open("UTC");
    struct pl_civil c;

    ck_assert_int_eq(pl_tz_offset_at(tz, 0), 0);
    ck_assert_int_eq(pl_tz_offset_at(tz, PL_MS_MAX), 0);
    assert_fmt(0, tz, "1970-01-01T00:00:00.000+00:00");
    assert_fmt(-1, tz, "1969-12-31T23:59:59.999+00:00");
    assert_fmt(PL_MS_MIN, tz, "1900-01-01T00:00:00.000+00:00");
    assert_fmt(PL_MS_MAX, tz, "9999-12-31T23:59:59.999+00:00");
    /* A NULL zone is UTC too. */
    assert_fmt(-1, NULL, "1969-12-31T23:59:59.999+00:00");
    ck_assert_str_eq(pl_tz_name(NULL), "UTC");
    ck_assert_int_eq(at("1970-01-01T00:00", tz), 0);
    ck_assert_int_eq(at("1969-12-31T23:59:59.999", tz), -1);
    ck_assert_int_eq(at("1900-01-01T00:00", tz), PL_MS_MIN);
    ck_assert_int_eq(at("9999-12-31T23:59:59.999", tz), PL_MS_MAX);
    pl_tz_to_civil(tz, -1, &c);
    ck_assert_int_eq(c.year, 1969);
    ck_assert_int_eq(c.ms, 999);
    ck_assert_int_eq(c.wday, 3);
    pl_tz_to_civil(tz, -PL_MS_PER_DAY * 365, &c);
    ck_assert_int_eq(c.year, 1969);
    ck_assert_int_eq(c.month, 1);
    ck_assert_int_eq(c.day, 1);
    ck_assert_int_eq(c.hour, 0);
    pl_tz_free(tz);

    /* Other spellings ICU knows are zones too. */
    tz = tz_open("Etc/UTC");
    ck_assert_int_eq(pl_tz_offset_at(tz, 0), 0);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_normalise)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    pl_ms base = pl_tz_from_civil(tz, 2023, 2, 1, 0, 0, 0, 0);

    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 32, 0, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 31, 24, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 31, 23, 60, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 31, 23, 59, 60, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 31, 23, 59, 59, 1000), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2022, 14, 1, 0, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2024, -10, 1, 0, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 2, 0, 24, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 3, -27, 0, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 2, 2, -24, 0, 0, 0), base);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 2, 1, 0, 0, 0, -1), base - 1);
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 0, 1, 0, 0, 0, 0),
                     pl_tz_from_civil(tz, 2022, 12, 1, 0, 0, 0, 0));
    /* 2023-02-29 is 2023-03-01; 2024-02-30 is 2024-03-01. */
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 2, 29, 0, 0, 0, 0),
                     pl_tz_from_civil(tz, 2023, 3, 1, 0, 0, 0, 0));
    ck_assert_int_eq(pl_tz_from_civil(tz, 2024, 2, 30, 0, 0, 0, 0),
                     pl_tz_from_civil(tz, 2024, 3, 1, 0, 0, 0, 0));
    ck_assert_int_eq(pl_tz_from_civil(tz, 2023, 1, 1, 0, 0, 0, 0) + 365 * PL_MS_PER_DAY,
                     pl_tz_from_civil(tz, 2023, 1, 366, 0, 0, 0, 0));

    /* Absurd fields neither crash nor overflow (UBSan watches). */
    struct pl_civil c;
    pl_ms t = pl_tz_from_civil(tz, INT_MAX, INT_MAX, INT_MAX, INT_MAX, INT_MAX, INT_MAX, INT_MAX);
    ck_assert(t > PL_MS_MAX);
    t = pl_tz_from_civil(tz, INT_MIN, INT_MIN, INT_MIN, INT_MIN, INT_MIN, INT_MIN, INT_MIN);
    ck_assert(t < PL_MS_MIN);
    pl_tz_to_civil(tz, INT64_MAX, &c);
    ck_assert(c.year > 10000);
    pl_tz_to_civil(tz, INT64_MIN, &c);
    ck_assert(c.year < 0);
    ck_assert(c.month >= 1 && c.month <= 12 && c.wday >= 0 && c.wday <= 6);
    ck_assert_int_eq(pl_tz_offset_at(tz, INT64_MIN), pl_tz_offset_at(tz, INT64_MIN + 1));
    (void)pl_tz_offset_at(tz, INT64_MAX);
    (void)pl_tz_day_start(tz, INT64_MAX);
    (void)pl_tz_day_start(tz, INT64_MIN);
    char buf[64];
    ck_assert_int_gt(pl_time_format(INT64_MIN, tz, buf, sizeof buf), 0);
    ck_assert_int_gt(pl_time_format(INT64_MAX, tz, buf, sizeof buf), 0);
    pl_tz_free(tz);
}
END_TEST

/* format -> parse gives back the instant, in many zones and centuries. */
START_TEST(test_round_trip)
{
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char buf[PL_TIME_BUFSZ], err[256];

    for (size_t z = 0; z < NZONES; z++) {
        pl_tz *tz = tz_open(zones[z]);
        pl_tz *other = tz_open(zones[(z + 1) % NZONES]);

        for (int i = 0; i < 1000; i++) {
            pl_ms t = rng_between(&seed, MS_1900, MS_2200), back = 0;

            ck_assert_int_eq(pl_time_format(t, tz, buf, sizeof buf), 29);
            /* The text carries its offset, so any zone reads it back. */
            ck_assert_msg(pl_time_parse(buf, other, PL_TIME_INSTANT, &back, err, sizeof err) == 0,
                          "%s: %s", buf, err);
            ck_assert_msg(back == t, "%s %s: %lld != %lld", zones[z], buf, (long long)back,
                          (long long)t);
            ck_assert_int_eq(pl_time_format_s(t, tz, buf, sizeof buf), 25);
            ck_assert_int_eq(pl_time_parse(buf, tz, PL_TIME_START, &back, err, sizeof err), 0);
            ck_assert_int_eq(back, t - (t % 1000 + 1000) % 1000);
        }
        /* The edges of the range, whatever the local year reads. */
        static const pl_ms edges[] = {PL_MS_MIN, PL_MS_MIN + 1, PL_MS_MAX - 1, PL_MS_MAX};
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
            pl_ms back = 0;

            ck_assert_int_ge(pl_time_format(edges[i], tz, buf, sizeof buf), 29);
            ck_assert_msg(pl_time_parse(buf, tz, PL_TIME_INSTANT, &back, err, sizeof err) == 0,
                          "%s: %s", buf, err);
            ck_assert_int_eq(back, edges[i]);
        }
        pl_tz_free(other);
        pl_tz_free(tz);
    }
}
END_TEST

/* to_civil and from_civil undo each other, but for the second pass of a
 * repeated hour, which from_civil maps to the first. */
START_TEST(test_civil_inverse)
{
    uint64_t seed = 12345;

    for (size_t z = 0; z < NZONES; z++) {
        pl_tz *tz = tz_open(zones[z]);

        for (int i = 0; i < 1000; i++) {
            pl_ms t = rng_between(&seed, MS_1900, MS_2200);
            struct pl_civil c, c2;
            pl_ms u;

            pl_tz_to_civil(tz, t, &c);
            ck_assert(c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31);
            ck_assert(c.hour >= 0 && c.hour < 24 && c.min >= 0 && c.min < 60);
            ck_assert(c.sec >= 0 && c.sec < 60 && c.ms >= 0 && c.ms < 1000);
            ck_assert_int_eq(
                t + (pl_ms)c.offset_s * 1000 -
                    pl_tz_from_civil(NULL, c.year, c.month, c.day, c.hour, c.min, c.sec, c.ms),
                0);
            u = pl_tz_from_civil(tz, c.year, c.month, c.day, c.hour, c.min, c.sec, c.ms);
            if (u != t) {
                ck_assert_msg(u < t && u > t - 4 * H, "%s: %lld -> %lld", zones[z], (long long)t,
                              (long long)u);
                pl_tz_to_civil(tz, u, &c2);
                ck_assert_int_ne(c2.offset_s, c.offset_s);
                ck_assert_int_eq(c2.hour, c.hour);
                ck_assert_int_eq(c2.min, c.min);
                ck_assert_int_eq(c2.day, c.day);
            }
            /* Day start: at most t, the same local date, at 00:00 or a jump. */
            u = pl_tz_day_start(tz, t);
            ck_assert(u <= t && t - u < 26 * H);
            pl_tz_to_civil(tz, u, &c2);
            ck_assert_int_eq(c2.day, c.day);
            ck_assert_int_eq(c2.month, c.month);
            ck_assert_int_eq(c2.year, c.year);
            ck_assert(c2.hour == 0 || (c2.hour == 1 && c2.min == 0));
        }
        pl_tz_free(tz);
    }
}
END_TEST

/* Wall times near offset changes: from_civil then to_civil gives the same
 * wall time back, or, in a gap, the instant the clocks jumped. */
START_TEST(test_wall_times)
{
    uint64_t seed = 4242;
    long gaps = 0;

    for (size_t z = 0; z < NZONES; z++) {
        pl_tz *tz = tz_open(zones[z]);

        for (int i = 0; i < 1200; i++) {
            pl_ms t0 = rng_between(&seed, MS_1900 + PL_MS_PER_DAY, MS_2200);
            struct pl_civil c, w, before, after;
            pl_ms u, wall, wall_u;

            /* Half the samples land within an hour of an offset change. */
            pl_tz_to_civil(tz, t0, &c);
            pl_ms lo = t0, hi = t0;
            while (i % 2 && hi - t0 < 800 * PL_MS_PER_DAY &&
                   pl_tz_offset_at(tz, hi) == pl_tz_offset_at(tz, t0))
                hi += 30 * PL_MS_PER_DAY;
            if (i % 2 && pl_tz_offset_at(tz, hi) != pl_tz_offset_at(tz, t0)) {
                int off_lo = pl_tz_offset_at(tz, t0);

                lo = hi - 30 * PL_MS_PER_DAY;

                while (hi - lo > 1) {
                    pl_ms mid = lo + (hi - lo) / 2;

                    if (pl_tz_offset_at(tz, mid) == off_lo)
                        lo = mid;
                    else
                        hi = mid;
                }
                /* A wall time within 90 minutes of the clock reading at the
                 * change, as a person would write it: maybe never shown. */
                pl_tz_to_civil(tz, hi - 1, &c);
                wall = pl_tz_from_civil(NULL, c.year, c.month, c.day, c.hour, c.min, c.sec, c.ms) +
                       rng_between(&seed, -90 * PL_MS_PER_MIN, 90 * PL_MS_PER_MIN);
                pl_tz_to_civil(NULL, wall, &c);
            }
            wall = pl_tz_from_civil(NULL, c.year, c.month, c.day, c.hour, c.min, c.sec, c.ms);
            u = pl_tz_from_civil(tz, c.year, c.month, c.day, c.hour, c.min, c.sec, c.ms);
            pl_tz_to_civil(tz, u, &w);
            wall_u = pl_tz_from_civil(NULL, w.year, w.month, w.day, w.hour, w.min, w.sec, w.ms);
            if (wall_u == wall) {
                /* Valid: also the earliest instant showing that wall time. */
                for (pl_ms back = 15 * PL_MS_PER_MIN; back <= 3 * H; back += 15 * PL_MS_PER_MIN) {
                    pl_tz_to_civil(tz, u - back, &before);
                    ck_assert_msg(before.offset_s - w.offset_s != back / 1000,
                                  "%s: %lld is a second occurrence", zones[z], (long long)u);
                }
                continue;
            }
            /* Skipped: U is an offset change forward and WALL falls in it. */
            gaps++;
            pl_tz_to_civil(tz, u - 1, &before);
            pl_tz_to_civil(tz, u, &after);
            ck_assert_int_gt(after.offset_s, before.offset_s);
            ck_assert(pl_tz_from_civil(NULL, before.year, before.month, before.day, before.hour,
                                       before.min, before.sec, before.ms) < wall);
            ck_assert(wall_u > wall);
        }
        pl_tz_free(tz);
    }
    /* The samples did reach into gaps. */
    ck_assert_int_gt(gaps, 100);
}
END_TEST

/* The table built from ICU, and the 400-year fold past 2500, agree with ICU
 * asked directly. */
START_TEST(test_agrees_with_icu)
{
    uint64_t seed = 777;
    static const char *const zs[] = {"Europe/Berlin",     "America/New_York", "Australia/Lord_Howe",
                                     "Africa/Casablanca", "Asia/Tokyo",       "America/Santiago",
                                     "Europe/Dublin"};

    for (size_t z = 0; z < sizeof zs / sizeof zs[0]; z++) {
        pl_tz *tz = tz_open(zs[z]);
        UChar uid[64];
        UErrorCode st = U_ZERO_ERROR;
        UCalendar *cal;

        u_uastrcpy(uid, zs[z]);
        cal = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
        ck_assert(U_SUCCESS(st));
        for (int i = 0; i < 2000; i++) {
            pl_ms t = i % 2 ? rng_between(&seed, MS_1900, PL_MS_MAX)
                            : rng_between(&seed, MS_1900, MS_2200);
            int want;

            ucal_setMillis(cal, (UDate)t, &st);
            want =
                (ucal_get(cal, UCAL_ZONE_OFFSET, &st) + ucal_get(cal, UCAL_DST_OFFSET, &st)) / 1000;
            ck_assert(U_SUCCESS(st));
            ck_assert_msg(pl_tz_offset_at(tz, t) == want, "%s at %lld: %d, ICU says %d", zs[z],
                          (long long)t, pl_tz_offset_at(tz, t), want);
        }
        ucal_close(cal);
        pl_tz_free(tz);
    }
}
END_TEST

START_TEST(test_far_future)
{
    pl_tz *tz = tz_open("Europe/Berlin");

    /* The last Sunday of March 9999 is the 28th; of October the 31st. */
    ck_assert_int_eq(pl_tz_from_civil(tz, 9999, 3, 28, 2, 30, 0, 0), at("9999-03-28T01:00Z", NULL));
    ck_assert_int_eq(pl_tz_from_civil(tz, 9999, 10, 31, 2, 30, 0, 0),
                     at("9999-10-31T00:30Z", NULL));
    assert_fmt(at("9999-07-01T12:00Z", NULL), tz, "9999-07-01T14:00:00.000+02:00");
    assert_fmt(at("2500-01-01T00:00Z", NULL), tz, "2500-01-01T01:00:00.000+01:00");
    assert_fmt(at("2499-12-31T23:59:59.999Z", NULL), tz, "2500-01-01T00:59:59.999+01:00");
    pl_tz_free(tz);
}
END_TEST

/* Local mean time offsets have seconds: format cuts the offset to minutes
 * and still names the same instant. */
START_TEST(test_lmt_seconds)
{
    pl_tz *tz = tz_open("Africa/Monrovia");
    pl_ms t = at("1960-06-01T12:00:00.123Z", NULL);
    struct pl_civil c;
    char buf[PL_TIME_BUFSZ];

    pl_tz_to_civil(tz, t, &c);
    ck_assert_int_ne(c.offset_s % 60, 0);
    ck_assert_int_eq(pl_time_format(t, tz, buf, sizeof buf), 29);
    ck_assert_int_eq(at(buf, NULL), t);
    pl_tz_free(tz);
}
END_TEST

/* Expects S to be refused with an error mentioning each of the NULL-ended
 * fragments. */
static void assert_rejects(const char *s, const pl_tz *tz, enum pl_time_role role, ...)
{
    char err[512];
    pl_ms t = 42;
    va_list ap;
    const char *frag;

    memset(err, 0, sizeof err);
    ck_assert_msg(pl_time_parse(s, tz, role, &t, err, sizeof err) == -1, "accepted \"%s\"",
                  s ? s : "(null)");
    ck_assert_int_eq(t, 42);
    ck_assert_msg(err[0] != '\0', "no message for \"%s\"", s ? s : "(null)");
    va_start(ap, role);
    while ((frag = va_arg(ap, const char *)))
        ck_assert_msg(strstr(err, frag), "error for \"%s\" lacks [%s]: %s", s ? s : "(null)", frag,
                      err);
    va_end(ap);
    /* The error names a right form somewhere. */
    ck_assert_msg(strstr(err, "write") || strstr(err, "e.g."), "no right form: %s", err);
}

START_TEST(test_parse_rejects)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    const enum pl_time_role S = PL_TIME_START, I = PL_TIME_INSTANT;

    assert_rejects("2023-02-30", tz, S, "\"2023-02-30\"", "February 2023 has 28 days",
                   "\"2023-02-28\"", NULL);
    assert_rejects("2023-02-29", tz, S, "\"2023-02-29\"", "28 days", NULL);
    assert_rejects("1900-02-29", tz, S, "February 1900 has 28 days", NULL);
    assert_rejects("2023-04-31", tz, S, "April 2023 has 30 days", "\"2023-04-30\"", NULL);
    assert_rejects("2023-13-01", tz, S, "\"2023-13-01\"", "months run 01..12", NULL);
    assert_rejects("2023-00-10", tz, S, "\"2023-00-10\"", "months", NULL);
    assert_rejects("2023-03-00", tz, S, "\"2023-03-00\"", "days run 01..31", NULL);
    assert_rejects("2023-03-32", tz, S, "\"2023-03-32\"", NULL);
    assert_rejects("2023-03-31T24:00", tz, S, "\"2023-03-31T24:00\"", "hour 24",
                   "\"2023-04-01T00:00\"", NULL);
    assert_rejects("2024-12-31T24:00:00.000", tz, S, "\"2025-01-01T00:00\"", NULL);
    assert_rejects("2024-02-28T24:00", tz, S, "\"2024-02-29T00:00\"", NULL);
    assert_rejects("2023-03-31T24:30", tz, S, "hour 24", NULL);
    assert_rejects("2023-03-31T25:00", tz, S, "\"2023-03-31T25:00\"", "hour 25", NULL);
    assert_rejects("2023-03-31T99:00", tz, S, "hour 99", NULL);
    assert_rejects("2023-03-31T12:60", tz, S, "\"2023-03-31T12:60\"", "minute 60", NULL);
    assert_rejects("2023-03-31T12:00:60", tz, S, "\"2023-03-31T12:00:60\"", "second 60", "leap",
                   NULL);
    assert_rejects("2023-03-31T12:00:61", tz, S, "second 61", NULL);
    assert_rejects("2023-03-31T12:00:00.1234", tz, S, "\"2023-03-31T12:00:00.1234\"", "4 digits",
                   NULL);
    assert_rejects("2023-03-31T12:00:00.", tz, S, "\"2023-03-31T12:00:00.\"", NULL);
    assert_rejects("2023-03-31T12:00+14:30", tz, S, "+14:30", "-14:00..+14:00", NULL);
    assert_rejects("2023-03-31T12:00-15:00", tz, S, "-15:00", NULL);
    assert_rejects("2023-03-31T12:00+09:60", tz, S, "+09:60", NULL);
    assert_rejects("2023-03-31T12:00+9", tz, S, "\"2023-03-31T12:00+9\"", "+09:00", NULL);
    assert_rejects("2023-03-31T12:00+09:0", tz, S, "+09:0", NULL);
    assert_rejects("2023-03-31T12:00+", tz, S, NULL);
    assert_rejects("2023-03-31T12:00Zjunk", tz, S, "\"junk\"", NULL);
    assert_rejects("2023-03-31T12:00:00+09:00 ", tz, S, "spaces", NULL);
    assert_rejects(" 2023-03-31", tz, S, "spaces", NULL);
    assert_rejects("2023-03-31\n", tz, S, "spaces", "\\x0a", NULL);
    assert_rejects("2023-03-31x", tz, S, "\"x\"", "after the date", NULL);
    assert_rejects("2023-03-31T12:00abc", tz, S, "\"abc\"", "after the time", NULL);
    assert_rejects("2023-03-31Z", tz, S, "\"Z\"", NULL);
    assert_rejects("2023-03-31T", tz, S, "must follow the 'T'", NULL);
    assert_rejects("2023-03-31T12", tz, S, "\"2023-03-31T12\"", NULL);
    assert_rejects("2023-03-31T1:00", tz, S, "2 digits", NULL);
    assert_rejects("2023-03-31T12:0", tz, S, "2 digits", NULL);
    assert_rejects("2023-03-31T12:00:0", tz, S, "2 digits", NULL);
    assert_rejects("2023-3-31", tz, S, "\"2023-3-31\"", "2 digits", NULL);
    assert_rejects("2023-03-1", tz, S, "2 digits", NULL);
    assert_rejects("2023-03-011", tz, S, "2 digits", NULL);
    assert_rejects("23-03-31", tz, S, "4-digit year", NULL);
    assert_rejects("02023-03-31", tz, S, "more than 4 digits", NULL);
    assert_rejects("2023/03/31", tz, S, "\"2023/03/31\"", NULL);
    assert_rejects("20230331", tz, S, NULL);
    assert_rejects("1899-12-31", tz, S, "\"1899-12-31\"", "1900", NULL);
    assert_rejects("1898-12-31T23:00-12:00", tz, S, "\"1898-12-31T23:00-12:00\"", "1900", NULL);
    assert_rejects("10000-01-01T09:00+09:00", tz, S, "after", NULL);
    assert_rejects("10000-01-01", tz, PL_TIME_END, "after", NULL);
    assert_rejects("10001-01-01", tz, S, "more than 4 digits", NULL);
    assert_rejects("100000-01-01", tz, S, "more than 4 digits", NULL);
    assert_rejects("0000-01-01", tz, S, "1900", NULL);
    /* 1900-01-01 00:00 in Tokyo is still 1899 in UTC. */
    assert_rejects("1900-01-01", tz, S, "\"1900-01-01\"", "before", NULL);
    assert_rejects("9999-12-31T23:00-05:00", tz, S, "after", NULL);
    assert_rejects("2023-03-31", tz, I, "\"2023-03-31\"", "without a time", NULL);
    assert_rejects("", tz, S, "empty", NULL);
    assert_rejects(NULL, tz, S, "no date-time", NULL);
    assert_rejects("-2023-03-31", tz, S, NULL);
    assert_rejects("+2023-03-31", tz, S, NULL);
    assert_rejects("2023-03-31T12:00:00.000+09:00:00", tz, S, "\":00\"", NULL);
    assert_rejects("2023\xef\xbc\x8d"
                   "03-31",
                   tz, S,
                   "2023\xef\xbc\x8d"
                   "03-31",
                   NULL);
    assert_rejects("２０２３-03-31", tz, S, "\"２０２３-03-31\"", NULL);
    assert_rejects("2023-03-31\xff\xfe", tz, S, "\\xff\\xfe", NULL);
    assert_rejects("2023-03-31\x1b[2J", tz, S, "\\x1b", NULL);
    assert_rejects("2023-03-31\"", tz, S, "\\\"", NULL);
    /* A long hostile text is cut in the message. */
    char longs[5000];
    memset(longs, '9', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    assert_rejects(longs, tz, S, "...", NULL);
    memcpy(longs, "2023-03-31T12:00", 16);
    assert_rejects(longs, tz, S, "...", NULL);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_parse_accepts)
{
    pl_tz *tz = tz_open("Asia/Tokyo");
    char err[256];
    pl_ms t;

    ck_assert_int_eq(at("2024-02-29T00:00", tz), pl_tz_from_civil(tz, 2024, 2, 29, 0, 0, 0, 0));
    ck_assert_int_eq(at("2000-02-29T00:00", tz), pl_tz_from_civil(tz, 2000, 2, 29, 0, 0, 0, 0));
    ck_assert_int_eq(at("2023-03-31T23:59:59.999", tz) + 1, at("2023-04-01T00:00", tz));
    ck_assert_int_eq(at("2023-03-31t12:00", tz), at("2023-03-31T12:00", tz));
    ck_assert_int_eq(at("2023-03-31T12:00:00,5", tz), at("2023-03-31T12:00:00.5", tz));
    ck_assert_int_eq(at("2023-03-31T12:00+14:00", tz), at("2023-03-30T22:00Z", tz));
    ck_assert_int_eq(at("2023-03-31T12:00-14:00", tz), at("2023-04-01T02:00Z", tz));
    ck_assert_int_eq(at("2023-03-31T12:00-00:00", tz), at("2023-03-31T12:00Z", tz));
    ck_assert_int_eq(at("2023-03-31T05:30+0530", tz), at("2023-03-31T00:00Z", tz));
    ck_assert_int_eq(at("1900-01-01T09:00", tz), PL_MS_MIN);
    ck_assert_int_eq(at("9999-12-31T23:59:59.999Z", tz), PL_MS_MAX);
    /* The edges as zones far from UTC write them. */
    ck_assert_int_eq(at("10000-01-01T08:59:59.999+09:00", tz), PL_MS_MAX);
    ck_assert_int_eq(at("10000-01-01T08:59:59.999", tz), PL_MS_MAX);
    ck_assert_int_eq(at("1899-12-31T19:00-05:00", tz), PL_MS_MIN);
    /* "Forever" in Tokyo: the end of 9999-12-31 local is still in range. */
    ck_assert_int_eq(pl_time_parse("9999-12-31", tz, PL_TIME_END, &t, err, sizeof err), 0);
    ck_assert_int_eq(t, PL_MS_MAX + 1 - 9 * H);
    /* OUT is optional; ERR may be absent or tiny. */
    ck_assert_int_eq(pl_time_parse("2023-03-31T12:00", tz, PL_TIME_INSTANT, NULL, NULL, 0), 0);
    ck_assert_int_eq(pl_time_parse("2023-02-30", tz, PL_TIME_START, &t, NULL, 0), -1);
    ck_assert_int_eq(pl_time_parse("2023-02-30", tz, PL_TIME_START, &t, err, 1), -1);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(pl_time_parse("2023-02-30", tz, PL_TIME_START, &t, err, 12), -1);
    ck_assert_int_eq(strlen(err), 11);
    /* No zone: local is UTC. */
    ck_assert_int_eq(pl_time_parse("1970-01-02", NULL, PL_TIME_START, &t, err, sizeof err), 0);
    ck_assert_int_eq(t, PL_MS_PER_DAY);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_format_buffers)
{
    char buf[PL_TIME_BUFSZ];

    ck_assert_int_eq(pl_time_format(0, NULL, buf, 30), 29);
    ck_assert_int_eq(pl_time_format(0, NULL, buf, 29), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(pl_time_format(0, NULL, buf, 0), -1);
    ck_assert_int_eq(pl_time_format(0, NULL, NULL, 30), -1);
    ck_assert_int_eq(pl_time_format_s(0, NULL, buf, 26), 25);
    ck_assert_int_eq(pl_time_format_s(0, NULL, buf, 25), -1);
}
END_TEST

START_TEST(test_zone_names)
{
    static const char *const bad[] = {
        "Bogus/Zone",   "asia/tokyo",       "Etc/Unknown", "GMT+9",
        "GMT+09:00",    "Asia/Tokyo ",      " Asia/Tokyo", "Asia/Tōkyō",
        "Asia/Tokyo\n", "../../etc/passwd", "+09:00",      "",
    };
    char err[512];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char q[64];

        err[0] = '\0';
        ck_assert_msg(pl_tz_new(bad[i], err, sizeof err) == NULL, "accepted %s", bad[i]);
        ck_assert(strstr(err, "Asia/Tokyo"));
        if (bad[i][0] && !strchr(bad[i], '\n')) {
            snprintf(q, sizeof q, "\"%s\"", bad[i]);
            ck_assert_msg(strstr(err, q), "error lacks %s: %s", q, err);
        }
    }
    ck_assert(pl_tz_new("asia/tokyo", err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, "did you mean \"Asia/Tokyo\""), "%s", err);
    ck_assert(pl_tz_new(NULL, err, sizeof err) == NULL);
    ck_assert(strstr(err, "Asia/Tokyo"));
    ck_assert(pl_tz_new("Nowhere", NULL, 0) == NULL);

    char longname[400];
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert(pl_tz_new(longname, err, sizeof err) == NULL);
    ck_assert(strstr(err, "..."));
}
END_TEST

START_TEST(test_hhmm)
{
    static const struct {
        const char *s;
        int min;
    } good[] = {{"00:00", 0},    {"07:00", 420},  {"7:00", 420}, {"22:30", 1350},
                {"23:59", 1439}, {"24:00", 1440}, {"0:05", 5},   {"12:00", 720}};
    static const char *const bad[] = {"24:01",  "25:00",   "12:60",  "",       "7",
                                      "07",     "07:0",    "07:000", "007:00", "07-00",
                                      " 07:00", "07:00 ",  "-1:00",  "ab:cd",  "07:0a",
                                      "７:00",  "07:00\n", ":00",    "99:99"};
    char err[256];
    int m;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        m = -1;
        ck_assert_msg(pl_hhmm_parse(good[i].s, &m, err, sizeof err) == 0, "%s: %s", good[i].s, err);
        ck_assert_int_eq(m, good[i].min);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char q[64];

        m = -7;
        err[0] = '\0';
        ck_assert_msg(pl_hhmm_parse(bad[i], &m, err, sizeof err) == -1, "accepted %s", bad[i]);
        ck_assert_int_eq(m, -7);
        ck_assert(strstr(err, "write"));
        if (!strchr(bad[i], '\n')) {
            snprintf(q, sizeof q, "\"%s\"", bad[i]);
            ck_assert_msg(strstr(err, q), "error lacks %s: %s", q, err);
        }
    }
    ck_assert_int_eq(pl_hhmm_parse("25:00", &m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "\"25:00\"") && strstr(err, "24:00"), "%s", err);
    ck_assert_int_eq(pl_hhmm_parse(NULL, &m, err, sizeof err), -1);
    ck_assert_int_eq(pl_hhmm_parse("12:00", NULL, NULL, 0), 0);
    ck_assert_int_eq(pl_hhmm_parse("12:99", NULL, NULL, 0), -1);
}
END_TEST

START_TEST(test_weekday)
{
    static const char *const names[7][4] = {
        {"sun", "Sunday", "SUN", "sUnDaY"},     {"mon", "monday", "Mon", "MONDAY"},
        {"tue", "tuesday", "Tue", "TUESDAY"},   {"wed", "wednesday", "WED", "Wednesday"},
        {"thu", "thursday", "Thu", "THURSDAY"}, {"fri", "friday", "Fri", "FRIDAY"},
        {"sat", "saturday", "Sat", "SATURDAY"},
    };
    static const char *const bad[] = {"",     "mo",   "mond",    "monday ", " mon",
                                      "moon", "tues", "thur",    "sun.",    "月",
                                      "7",    "xyz",  "sundays", "mon\n"};

    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 4; k++)
            ck_assert_int_eq(pl_weekday_parse(names[d][k]), d);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(pl_weekday_parse(bad[i]) == -1, "accepted %s", bad[i]);
    ck_assert_int_eq(pl_weekday_parse(NULL), -1);
}
END_TEST

/* One zone shared by threads: every pl_tz_* call is read-only. */
struct share {
    const pl_tz *tz;
    int bad;
};

static void *share_run(void *arg)
{
    struct share *sh = arg;
    uint64_t seed = (uint64_t)(uintptr_t)arg | 1;
    char buf[PL_TIME_BUFSZ];

    for (int i = 0; i < 5000; i++) {
        pl_ms t = rng_between(&seed, MS_1900, MS_2200), back;

        pl_time_format(t, sh->tz, buf, sizeof buf);
        if (pl_time_parse(buf, sh->tz, PL_TIME_INSTANT, &back, NULL, 0) != 0 || back != t)
            sh->bad++;
    }
    return NULL;
}

START_TEST(test_threads)
{
    pl_tz *tz = tz_open("Europe/Berlin");
    struct share sh[4];
    pthread_t th[4];

    for (int i = 0; i < 4; i++) {
        sh[i].tz = tz;
        sh[i].bad = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, share_run, &sh[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(sh[i].bad, 0);
    }
    pl_tz_free(tz);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("pltime");
    TCase *tc = tcase_create("pltime");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_tokyo_basics);
    tcase_add_test(tc, test_weekdays);
    tcase_add_test(tc, test_berlin_2023);
    tcase_add_test(tc, test_new_york);
    tcase_add_test(tc, test_utc);
    tcase_add_test(tc, test_normalise);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_civil_inverse);
    tcase_add_test(tc, test_wall_times);
    tcase_add_test(tc, test_agrees_with_icu);
    tcase_add_test(tc, test_far_future);
    tcase_add_test(tc, test_lmt_seconds);
    tcase_add_test(tc, test_parse_rejects);
    tcase_add_test(tc, test_parse_accepts);
    tcase_add_test(tc, test_format_buffers);
    tcase_add_test(tc, test_zone_names);
    tcase_add_test(tc, test_hhmm);
    tcase_add_test(tc, test_weekday);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}
