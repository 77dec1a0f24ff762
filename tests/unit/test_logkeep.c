/* Tests for playlists/logkeep.c: which proof-of-play day files are due,
 * both ends of log_keep_days, the caller's veto, and what is never touched. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "playlists/logkeep.h"
#include "tests/unit/check_main.h"

START_TEST(test_day_names)
{
    int64_t d, e;

    ck_assert(pl_log_day("play-2024-02-29.jsonl", &d));
    ck_assert(pl_log_day("play-2024-03-01.jsonl", &e));
    ck_assert_int_eq(e - d, 1);
    ck_assert(pl_log_day("play-2023-12-31.jsonl", &d));
    ck_assert(pl_log_day("play-2024-01-01.jsonl", &e));
    ck_assert_int_eq(e - d, 1);
    ck_assert(!pl_log_day("play-2023-02-29.jsonl", &d)); /* not a leap year */
    ck_assert(!pl_log_day("play-2023-13-01.jsonl", &d));
    ck_assert(!pl_log_day("play-2023-00-10.jsonl", &d));
    ck_assert(!pl_log_day("play-2023-04-31.jsonl", &d));
    ck_assert(!pl_log_day("play-2023-1-01.jsonl", &d));
    ck_assert(!pl_log_day("play-2023-01-01.jsonl.000000000000.part", &d));
    ck_assert(!pl_log_day("play-2023-01-01.json", &d));
    ck_assert(!pl_log_day("play-2023-0a-01.jsonl", &d));
    ck_assert(!pl_log_day("", &d));
}
END_TEST

struct veto {
    const char *hold; /* this name is kept */
    int asked, asked_flat;
};

static bool may(const char *screen, const char *name, const struct stat *sb, void *arg)
{
    struct veto *v = arg;

    ck_assert(S_ISREG(sb->st_mode));
    v->asked++;
    if (!screen)
        v->asked_flat++;
    else
        ck_assert(strcmp(screen, "plaza") == 0 || strcmp(screen, "switched-off") == 0);
    return strcmp(name, v->hold) != 0;
}

static void day_file(const char *dir, int day_of_nov, const char *text)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/play-2026-11-%02d.jsonl", dir, day_of_nov);
    test_write_file(path, text);
}

static bool exists(const char *dir, int day_of_nov)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/play-2026-11-%02d.jsonl", dir, day_of_nov);
    return access(path, F_OK) == 0;
}

START_TEST(test_prune)
{
    char dir[256], plaza[512], off[512], path[700], err[256];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    pl_ms now;
    struct veto v = {.hold = "play-2026-11-22.jsonl"};
    struct pl_log_prune_stats ps = {0};
    struct stat sb;

    ck_assert_ptr_nonnull(tz);
    ck_assert_int_eq(
        pl_time_parse("2026-11-30T00:30:00+09:00", tz, PL_TIME_START, &now, err, sizeof err), 0);
    test_tmpdir_make(dir, sizeof dir, "logkeep");
    snprintf(plaza, sizeof plaza, "%s/plaza", dir);
    snprintf(off, sizeof off, "%s/switched-off", dir);
    ck_assert_int_eq(mkdir(plaza, 0755), 0);
    ck_assert_int_eq(mkdir(off, 0755), 0);
    for (int d = 15; d <= 30; d++)
        day_file(plaza, d, "{}\n");
    day_file(dir, 10, "{}\n"); /* the flat log/ of older players */
    day_file(dir, 29, "{}\n");
    for (int d = 1; d <= 12; d++) /* a screen whose last day was the 12th */
        day_file(off, d, "{}\n");
    /* a symlink named as a day, and one to a folder: never followed */
    snprintf(path, sizeof path, "%s/play-2026-11-01.jsonl", plaza);
    ck_assert_int_eq(symlink("/etc/hostname", path), 0);
    snprintf(path, sizeof path, "%s/link", dir);
    ck_assert_int_eq(symlink(off, path), 0);
    snprintf(path, sizeof path, "%s/play-2026-11-02.jsonl.000000000000.part", plaza);
    test_write_file(path, "{}\n");

    ck_assert_int_eq(pl_log_prune(dir, tz, now, 0, NULL, NULL, &ps), 0);
    ck_assert_uint_eq(ps.removed, 0); /* 0: kept for ever */

    ck_assert_int_eq(pl_log_prune(dir, tz, now, 7, may, &v, &ps), 0);
    /* plaza: today the 30th, kept from the 24th (30 - 7 + 1): 15..23 due */
    ck_assert(exists(plaza, 24) && exists(plaza, 30));
    ck_assert(!exists(plaza, 23) && !exists(plaza, 15));
    ck_assert(exists(plaza, 22)); /* the veto */
    /* switched off: its own last day is the reference: 6..12 kept */
    ck_assert(exists(off, 6) && exists(off, 12));
    ck_assert(!exists(off, 5) && !exists(off, 1));
    /* flat: the 29th is its newest; the 10th is due */
    ck_assert(!exists(dir, 10) && exists(dir, 29));
    ck_assert_uint_eq(ps.removed, 8 + 5 + 1);
    ck_assert_uint_eq(ps.held, 1);
    ck_assert_uint_eq(ps.bytes, 3 * ps.removed);
    ck_assert_int_eq(v.asked, 9 + 5 + 1); /* every due file, once */
    ck_assert_int_eq(v.asked_flat, 1);
    snprintf(path, sizeof path, "%s/play-2026-11-01.jsonl", plaza);
    ck_assert_int_eq(lstat(path, &sb), 0); /* the symlink is still there */
    ck_assert(S_ISLNK(sb.st_mode));
    ck_assert_int_eq(access("/etc/hostname", F_OK), 0);
    snprintf(path, sizeof path, "%s/play-2026-11-02.jsonl.000000000000.part", plaza);
    ck_assert_int_eq(access(path, F_OK), 0);
    test_tmpdir_remove(dir);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_no_folder)
{
    char err[256];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    struct pl_log_prune_stats ps = {0};

    ck_assert_int_eq(pl_log_prune("/nonexistent/log", tz, 0, 7, NULL, NULL, &ps), 0);
    ck_assert_uint_eq(ps.removed, 0);
    pl_tz_free(tz);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("logkeep");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_day_names);
    tcase_add_test(tc, test_prune);
    tcase_add_test(tc, test_no_folder);
    suite_add_tcase(s, tc);
    return s;
}
