/* Tests for the player's pure parts: options, clock, proof-of-play log and
 * the broken-media memory. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "player/broken.h"
#include "common/clock.h"
#include "player/options.h"
#include "player/poplog.h"
#include "playlists/pltime.h"
#include "tests/unit/check_main.h"

static int parse(struct player_opts *o, char *err, size_t errlen, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"signage-player";
    va_start(ap, errlen);
    for (char *a; argc < 31 && (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    err[0] = '\0';
    return opts_parse(argc, argv, o, err, errlen);
}

#define P(...) parse(&o, err, sizeof(err), __VA_ARGS__, (char *)NULL)

START_TEST(test_opts_good)
{
    struct player_opts o;
    char err[256];

    ck_assert_int_eq(P("--screen", "shinjuku-west-plaza"), 0);
    ck_assert_str_eq(o.screen, "shinjuku-west-plaza");
    ck_assert_ptr_null(o.playlist);
    ck_assert(o.clock_rate == 1.0);
    ck_assert_int_eq(o.fade_ms, 0);
    ck_assert(!o.windowed);

    ck_assert_int_eq(P("-c", "x.cfg", "--playlist", "p.playlist", "--windowed", "--clock",
                       "2023-03-10T12:00", "--clock-rate", "60", "--frame-log", "f.log", "--fade",
                       "500", "-v", "-v"),
                     0);
    ck_assert_str_eq(o.config, "x.cfg");
    ck_assert_str_eq(o.playlist, "p.playlist");
    ck_assert(o.windowed);
    ck_assert_str_eq(o.clock, "2023-03-10T12:00");
    ck_assert(o.clock_rate == 60.0);
    ck_assert_str_eq(o.frame_log, "f.log");
    ck_assert_int_eq(o.fade_ms, 500);
    ck_assert_int_eq(o.verbose, 2);

    ck_assert_int_eq(P("--screen", "s", "--screenshot-at", "2023-03-10T12:00", "--out", "a.png",
                       "--size", "1080x1920"),
                     0);
    ck_assert_int_eq(o.size_w, 1080);
    ck_assert_int_eq(o.size_h, 1920);
    ck_assert_int_eq(P("--clock-rate=0.5", "--clock=2023-01-01", "--screen=s"), 0);
    ck_assert(o.clock_rate == 0.5);
    ck_assert_int_eq(P("--help"), 0);
    ck_assert(o.help);
}
END_TEST

START_TEST(test_opts_bad)
{
    struct player_opts o;
    char err[256];

    ck_assert_int_eq(P("--bogus"), -1);
    ck_assert_ptr_nonnull(strstr(err, "--bogus"));
    ck_assert_int_eq(parse(&o, err, sizeof(err), (char *)NULL), -1); /* neither */
    ck_assert_ptr_nonnull(strstr(err, "--screen"));
    ck_assert_int_eq(P("--screen", "a", "--playlist", "b"), -1); /* both */
    ck_assert_int_eq(P("--screen"), -1);                         /* missing value */
    ck_assert_ptr_nonnull(strstr(err, "needs a value"));
    ck_assert_int_eq(P("--screen", "a", "stray"), -1);
    ck_assert_int_eq(P("--screen", "a", "--clock-rate", "60"), -1); /* rate without clock */
    const char *rates[] = {"0", "-1", "nan", "inf", "1e9", "", "6x", "0x10"};
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
        ck_assert_msg(P("--screen", "a", "--clock", "2023-01-01", "--clock-rate", rates[i]) == -1,
                      "rate %s accepted", rates[i]);
    const char *sizes[] = {"0x10", "10x0", "x",           "10x",      "x10",
                           "-5x5", "5x-5", "99999x10",    "10x10x10", "1920X1080",
                           " 5x5", "5 x5", "4294967297x1"};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        ck_assert_msg(
            P("--screen", "a", "--screenshot-at", "t", "--out", "o", "--size", sizes[i]) == -1,
            "size %s accepted", sizes[i]);
    ck_assert_int_eq(P("--screen", "a", "--screenshot-at", "t"), -1); /* no --out */
    ck_assert_int_eq(P("--screen", "a", "--out", "o.png"), -1);       /* no time */
    ck_assert_int_eq(P("--screen", "a", "--size", "10x10"), -1);      /* size without shot */
    ck_assert_int_eq(P("--screen", "a", "--fade", "-1"), -1);
    ck_assert_int_eq(P("--screen", "a", "--fade", "100000"), -1);
    ck_assert_int_eq(P("--screen", "a", "--fade", "1s"), -1);
    ck_assert_int_eq(P("--screen", "a", "-x"), -1);
    ck_assert_ptr_nonnull(strstr(opts_usage(), "--screenshot-at"));
}
END_TEST

START_TEST(test_clock)
{
    struct pclock *c = pclock_new_sim(1000000, 60.0);
    ck_assert_ptr_nonnull(c);
    ck_assert(pclock_simulated(c));
    int64_t m = pclock_mono_ns();
    pl_ms a = pclock_at(c, m);
    pl_ms b = pclock_at(c, m + 1000000000); /* one real second later */
    ck_assert_int_eq(b - a, 60000);
    ck_assert_int_ge(a, 1000000);
    ck_assert_int_lt(a, 1000000 + 60000); /* made just now */
    ck_assert_int_eq(pclock_real_ns(c, 60000), 1000000000);
    pl_ms n1 = pclock_now(c);
    usleep(20000);
    pl_ms n2 = pclock_now(c);
    ck_assert_int_ge(n2 - n1, 20 * 60);
    pclock_free(c);

    ck_assert_ptr_null(pclock_new_sim(0, 0));
    ck_assert_ptr_null(pclock_new_sim(0, -1));
    ck_assert_ptr_null(pclock_new_sim(0, 0.0 / 0.0));

    c = pclock_new_real();
    ck_assert_ptr_nonnull(c);
    ck_assert(!pclock_simulated(c));
    pl_ms now = pclock_now(c);
    ck_assert_int_gt(now, INT64_C(1600000000000)); /* after 2020 */
    ck_assert_int_lt(pclock_mono_ms(), pclock_mono_ns());
    pclock_free(c);
    pclock_free(NULL);
    /* the wall clock in ms and ns agree; a condition variable's deadline
     * 1.5 s on the monotonic clock is a normalised timespec */
    int64_t w = pclock_wall_ms(), wn = pclock_wall_ns() / 1000000;
    ck_assert_msg(wn >= w && wn - w < 1000, "%lld %lld", (long long)w, (long long)wn);
    int64_t before = pclock_mono_ns();
    struct timespec at = pclock_mono_after(1500);
    int64_t d = (int64_t)at.tv_sec * 1000000000 + at.tv_nsec - before;
    ck_assert_msg(d >= 1500000000 && d < 1600000000, "%lld ns", (long long)d);
    ck_assert(at.tv_nsec >= 0 && at.tv_nsec < 1000000000);
}
END_TEST

static char *mkscratch(void)
{
    char tmpl[] = "/tmp/test_player_parts.XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static json_t *read_lines(const char *path, size_t *n)
{
    json_t *arr = json_array();
    FILE *f = fopen(path, "r");
    char line[8192];

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        ck_assert(line[strlen(line) - 1] == '\n');
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        ck_assert_msg(o != NULL, "bad JSON line: %s", line);
        json_array_append_new(arr, o);
    }
    fclose(f);
    *n = json_array_size(arr);
    return arr;
}

START_TEST(test_poplog)
{
    char err[512];
    char *dir = mkscratch();
    char logdir[600], path[700];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof(err));
    ck_assert_ptr_nonnull(tz);

    snprintf(logdir, sizeof(logdir), "%s/state/log", dir); /* neither exists yet */
    struct poplog *log = poplog_new(logdir, tz, err, sizeof(err));
    ck_assert_msg(log != NULL, "%s", err);

    pl_ms t0;
    ck_assert_int_eq(
        pl_time_parse("2023-03-10T23:59:50+09:00", tz, PL_TIME_INSTANT, &t0, err, sizeof(err)), 0);
    struct poplog_entry e = {
        .screen = "shinjuku-west-plaza",
        .campaign = "kochi-makino-expo",
        .owner = "高知県",
        .title = "牧野博士の新休日「らんまん」\"quoted\"\n",
        .item = 2,
        .type = "image",
        .media = "media/ab.jpg",
        .sha256 = "ab",
        .start = t0,
        .end = t0 + 5000,
        .planned_ms = 15000,
        .shown_ms = 5000,
        .result = POPLOG_CUT,
        .error = NULL,
        .generation = 42,
    };
    ck_assert_int_eq(poplog_write(log, &e, err, sizeof(err)), 0);
    /* the next one starts after local midnight: the next day's file */
    struct poplog_entry e2 = e;
    e2.campaign = "-";
    e2.type = "text";
    e2.media = NULL;
    e2.sha256 = "";
    e2.start = t0 + 10000;
    e2.end = t0 + 20000;
    e2.result = POPLOG_ERROR;
    e2.error = "media/x.png: not an image";
    ck_assert_int_eq(poplog_write(log, &e2, err, sizeof(err)), 0);

    size_t n;
    snprintf(path, sizeof(path), "%s/play-2023-03-10.jsonl", logdir);
    json_t *a = read_lines(path, &n);
    ck_assert_int_eq(n, 1);
    json_t *o = json_array_get(a, 0);
    const char *keys[] = {"screen",     "campaign", "owner",  "title",     "item",
                          "type",       "media",    "sha256", "start",     "end",
                          "planned_ms", "shown_ms", "result", "generation"};
    ck_assert_int_eq(json_object_size(o), sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        ck_assert_msg(json_object_get(o, keys[i]) != NULL, "key %s missing", keys[i]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "owner")), "高知県");
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")), e.title);
    ck_assert_str_eq(json_string_value(json_object_get(o, "start")),
                     "2023-03-10T23:59:50.000+09:00");
    ck_assert_str_eq(json_string_value(json_object_get(o, "end")), "2023-03-10T23:59:55.000+09:00");
    ck_assert_str_eq(json_string_value(json_object_get(o, "result")), "cut");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "item")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "generation")), 42);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "planned_ms")), 15000);
    json_decref(a);

    snprintf(path, sizeof(path), "%s/play-2023-03-11.jsonl", logdir);
    a = read_lines(path, &n);
    ck_assert_int_eq(n, 1);
    o = json_array_get(a, 0);
    ck_assert(json_is_null(json_object_get(o, "media")));
    ck_assert(json_is_null(json_object_get(o, "sha256")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")), e2.error);
    ck_assert_str_eq(json_string_value(json_object_get(o, "result")), "error");
    json_decref(a);

    /* the log directory removed under us: recreated */
    rm_rf(logdir);
    ck_assert_int_eq(poplog_write(log, &e, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/play-2023-03-10.jsonl", logdir);
    ck_assert_int_eq(access(path, F_OK), 0);
    /* a file where the log should go: an error, not a crash */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_lt(poplog_write(log, &e, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "play-2023-03-10.jsonl"));
    poplog_free(log);
    poplog_free(NULL);

    /* a log dir that cannot exist: under a regular file */
    snprintf(path, sizeof(path), "%s/plain", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(logdir, sizeof(logdir), "%s/plain/log", dir);
    ck_assert_ptr_null(poplog_new(logdir, tz, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, logdir));
    pl_tz_free(tz);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_poplog_results)
{
    ck_assert_str_eq(poplog_result_name(POPLOG_PLAYED), "played");
    ck_assert_str_eq(poplog_result_name(POPLOG_CUT), "cut");
    ck_assert_str_eq(poplog_result_name(POPLOG_SKIPPED), "skipped");
    ck_assert_str_eq(poplog_result_name(POPLOG_ERROR), "error");
    ck_assert_str_eq(poplog_result_name((enum poplog_result)99), "error");
}
END_TEST

START_TEST(test_broken)
{
    struct broken_set *b = broken_new(600000);
    const char *why = NULL;

    ck_assert_ptr_nonnull(b);
    ck_assert(!broken_has(b, "abc", 0, &why));
    ck_assert(!broken_has(b, NULL, 0, &why));
    ck_assert_int_eq(broken_add(b, "", "x", 0), -1);
    ck_assert_int_eq(broken_add(b, "abc", "corrupt", 1000), 0);
    ck_assert(broken_has(b, "abc", 1000, &why));
    ck_assert_str_eq(why, "corrupt");
    ck_assert(broken_has(b, "abc", 600999, NULL));
    ck_assert(broken_first_report(b, "abc"));
    ck_assert(!broken_first_report(b, "abc"));
    ck_assert(!broken_first_report(b, "zzz"));
    ck_assert(!broken_first_report(b, NULL));
    ck_assert(!broken_has(b, "abc", 601000, NULL)); /* expired: retried */
    ck_assert_int_eq(broken_count(b), 0);
    ck_assert_int_eq(broken_add(b, "abc", NULL, 5000), 0);
    ck_assert(!broken_has(b, "abc", 4000, NULL)); /* clock set back: retry */
    ck_assert_int_eq(broken_add(b, "abc", NULL, 5000), 0);
    ck_assert_int_eq(broken_add(b, "abc", NULL, 5000), 0); /* no duplicates */
    ck_assert_int_eq(broken_count(b), 1);
    broken_set_generation(b, 7);
    ck_assert_int_eq(broken_count(b), 1);
    broken_set_generation(b, 7);
    ck_assert_int_eq(broken_count(b), 1);
    broken_set_generation(b, 8); /* a new playlist: everything retried */
    ck_assert_int_eq(broken_count(b), 0);
    char key[32];
    for (int i = 0; i < BROKEN_MAX + 10; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        ck_assert_int_eq(broken_add(b, key, "w", 0), 0);
    }
    ck_assert_int_eq(broken_count(b), BROKEN_MAX);
    ck_assert(!broken_has(b, "k0", 1, NULL)); /* oldest dropped */
    ck_assert(broken_has(b, "k265", 1, NULL));
    broken_free(b);
    broken_free(NULL);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("player_parts");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_opts_good);
    tcase_add_test(tc, test_opts_bad);
    tcase_add_test(tc, test_clock);
    tcase_add_test(tc, test_poplog);
    tcase_add_test(tc, test_poplog_results);
    tcase_add_test(tc, test_broken);
    suite_add_tcase(s, tc);
    return s;
}
