/* Tests for tools/report.c: proof-of-play summaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "tests/unit/check_main.h"
#include "tools/report.h"

static pl_tz *tokyo(void)
{
    char err[256];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);

    ck_assert_msg(tz != NULL, "%s", err);
    return tz;
}

/* A log line; times are Tokyo local "HH:MM:SS" on 2023-03-15. */
static char *entry(const char *screen, const char *campaign, const char *owner, const char *start,
                   const char *end, long shown, const char *result)
{
    char *s = NULL;

    ck_assert_int_ge(
        asprintf(&s,
                 "{\"screen\":\"%s\",\"campaign\":\"%s\",\"owner\":\"%s\",\"title\":\"t\","
                 "\"item\":0,\"type\":\"image\",\"start\":\"2023-03-15T%s.000+09:00\","
                 "\"end\":\"2023-03-15T%s.000+09:00\",\"planned_ms\":%ld,\"shown_ms\":%ld,"
                 "\"result\":\"%s\",\"generation\":1}",
                 screen, campaign, owner, start, end, shown, shown, result),
        0);
    return s;
}

static void add(struct report *r, char *line)
{
    char err[512];

    ck_assert_msg(report_add_line(r, line, strlen(line), "t.jsonl", 1, err, sizeof err) == 0, "%s",
                  err);
    free(line);
}

/* Runs report_write with rows by BY ("campaign,screen") into a string. */
static char *render(const struct report *r, const char *by, enum report_format f)
{
    char *buf = NULL;
    size_t len = 0;
    struct report_keys keys;
    FILE *out = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(report_keys_parse(by, &keys), 0);
    ck_assert_int_eq(report_write(r, &keys, f, out), 0);
    fclose(out);
    return buf;
}

/* 2023-03-15T10:00:40+09:00: "now" in these tests */
#define NOW_MS 1678842040000LL

/* A report of 2023-03-15 as seen at 10:00:40 with, on plaza, 10 s of Kochi,
 * 10 s of Tokyo, 5 s dark, 10 s of the fallback; on 4gou an error that
 * showed nothing, then Kochi cut short. */
static struct report *sample(pl_tz *tz, const char *owner)
{
    struct report *r = report_new(tz);
    char err[256];

    report_set_now(r, NOW_MS);
    ck_assert_int_eq(report_select(r, owner, NULL), 0);
    ck_assert_int_eq(report_set_period(r, "2023-03-15", "2023-03-15", err, sizeof err), 0);
    add(r, entry("plaza", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "played"));
    add(r, entry("plaza", "wood-2023", "東京都", "10:00:10", "10:00:20", 10000, "played"));
    add(r, entry("plaza", "-", "", "10:00:25", "10:00:35", 10000, "played"));
    add(r, entry("4gou", "kochi-makino-expo", "高知県", "10:00:00", "10:00:00", 0, "error"));
    add(r, entry("4gou", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "cut"));
    return r;
}

START_TEST(test_by_owner_and_dark_time)
{
    pl_tz *tz = tokyo();
    struct report *r = sample(tz, NULL);

    ck_assert_int_eq(report_entries(r), 5);
    /* share: of everything the same screens showed that day (plaza 30 s,
     * 4gou 10 s) */
    char *csv = render(r, "owner", REPORT_CSV);
    ck_assert_msg(strstr(csv, "\r\n\"高知県\",2,1,1,0,1,0:00:20,20.000,0.5000\r\n") != NULL, "%s",
                  csv);
    ck_assert_msg(strstr(csv, "\r\n\"東京都\",1,1,0,0,0,0:00:10,10.000,0.3333\r\n") != NULL, "%s",
                  csv);
    ck_assert_msg(strstr(csv, "\r\n\"(fallback)\",1,1,0,0,0,0:00:10,10.000,0.3333\r\n") != NULL,
                  "%s", csv);
    free(csv);

    /* dark: the day from midnight to now (36,040 s) less what the log
     * accounts for: plaza 30 s, 4gou 10 s */
    csv = render(r, "screen", REPORT_CSV);
    ck_assert_msg(
        strstr(csv, "\"4gou\",\"\",1,0,1,0,1,0:00:10,10.000,1.0000,10:00:30,36030.000,0\r\n") !=
            NULL,
        "%s", csv);
    ck_assert_msg(
        strstr(csv, "\"plaza\",\"\",3,3,0,0,0,0:00:30,30.000,1.0000,10:00:10,36010.000,0\r\n") !=
            NULL,
        "%s", csv);
    free(csv);

    char *table = render(r, "screen", REPORT_TABLE);
    ck_assert_msg(strstr(table, "total: 0:00:40 shown (40.0 s, 100.0% of its screens' time), "
                                "20:00:40 dark (72040.0 s) on 2 screens") != NULL,
                  "%s", table);
    free(table);

    char *day = render(r, "day", REPORT_JSON);
    ck_assert_msg(strstr(day, "\"day\": \"2023-03-15\"") != NULL, "%s", day);
    ck_assert_msg(strstr(day, "\"dark_seconds\": 72040.0") != NULL, "%s", day);
    free(day);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

/* A partner's view: only its lines in the rows, its share of the screens'
 * time, rows by several keys. */
START_TEST(test_owner_and_keys)
{
    pl_tz *tz = tokyo();
    struct report *r = sample(tz, "高知県");

    ck_assert_int_eq(report_entries(r), 5);
    ck_assert_int_eq(report_selected(r), 3);
    char *csv = render(r, "campaign,screen,day", REPORT_CSV_PLAIN);
    ck_assert_msg(strncmp(csv, "campaign,campaign_title,screen,screen_name,day,plays,", 52) == 0,
                  "%s", csv);
    ck_assert_msg(strstr(csv, "\"kochi-makino-expo\",\"t\",\"4gou\",\"\",\"2023-03-15\",1,0,1,0,1,"
                              "0:00:10,10.000,1.0000\r\n") != NULL,
                  "%s", csv);
    ck_assert_msg(strstr(csv, "\"kochi-makino-expo\",\"t\",\"plaza\",\"\",\"2023-03-15\",1,1,0,0,0,"
                              "0:00:10,10.000,0.3333\r\n") != NULL,
                  "%s", csv);
    ck_assert_ptr_null(strstr(csv, "wood-2023"));
    ck_assert_ptr_null(strstr(csv, "dark")); /* not a screen's or a day's row */
    free(csv);
    char *json = render(r, "campaign", REPORT_JSON);
    ck_assert_msg(strstr(json, "\"owner\": \"高知県\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"share\": 0.5") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"screens\": 2") != NULL, "%s", json);
    free(json);
    report_free(r);

    /* a campaign nobody ran: empty rows, no screens */
    r = report_new(tz);
    ck_assert_int_eq(report_select(r, NULL, "nothing-like-it"), 0);
    add(r, entry("plaza", "wood-2023", "東京都", "10:00:10", "10:00:20", 10000, "played"));
    ck_assert_int_eq(report_selected(r), 0);
    char *table = render(r, "screen", REPORT_TABLE);
    ck_assert_msg(strstr(table, "on 0 screens") != NULL, "%s", table);
    free(table);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

/* A screen that should have played and has no log is dark all the time;
 * days without a log are named; time after now is not dark. */
START_TEST(test_dark_against_the_period)
{
    pl_tz *tz = tokyo();
    struct report *r = report_new(tz);
    char err[256];

    report_set_now(r, NOW_MS + 14 * 3600000LL - 40000); /* 2023-03-16T00:00 */
    ck_assert_int_eq(report_set_period(r, "2023-03-14", "2023-03-20", err, sizeof err), 0);
    ck_assert_int_eq(report_add_screen(r, "kochi", "高知駅 デジタルサイネージ", true), 0);
    ck_assert_int_eq(report_add_screen(r, "named-only", "名前だけ", false), 0);
    /* out of order, overlapping: the same cover as in order */
    add(r, entry("plaza", "a", "高知県", "10:00:10", "10:00:20", 10000, "played"));
    add(r, entry("plaza", "a", "高知県", "10:00:00", "10:00:15", 10000, "played"));
    add(r, entry("plaza", "a", "高知県", "10:00:30", "10:00:40", 10000, "played"));
    add(r, entry("plaza", "a", "高知県", "10:00:18", "10:00:31", 10000, "played"));
    char *csv = render(r, "screen", REPORT_CSV);
    /* two whole days up to now: 172,800 s */
    ck_assert_msg(strstr(csv, "\"kochi\",\"高知駅 デジタルサイネージ\",0,0,0,0,0,0:00:00,0.000,"
                              "0.0000,48:00:00,172800.000,2\r\n") != NULL,
                  "%s", csv);
    ck_assert_msg(strstr(csv, "\"plaza\",\"\",4,4,0,0,0,0:00:40,40.000,1.0000,47:59:20,"
                              "172760.000,1\r\n") != NULL,
                  "%s", csv);
    ck_assert_ptr_null(strstr(csv, "named-only"));
    free(csv);
    char *table = render(r, "screen,day", REPORT_TABLE);
    ck_assert_msg(strstr(table, "no log: 2023-03-14..2023-03-15: kochi\n") != NULL, "%s", table);
    ck_assert_msg(strstr(table, "no log: 2023-03-14: plaza\n") != NULL, "%s", table);
    ck_assert_ptr_null(strstr(table, "2023-03-16")); /* not happened yet */
    free(table);
    char *json = render(r, "day", REPORT_JSON);
    ck_assert_msg(strstr(json, "\"from\": \"2023-03-14\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"to\": \"2023-03-20\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"dark_seconds\": 345560.0") != NULL, "%s", json);
    free(json);
    report_free(r);

    /* bad periods */
    r = report_new(tz);
    ck_assert_int_eq(report_set_period(r, "2023-03-20", "2023-03-14", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "after") != NULL, "%s", err);
    ck_assert_int_eq(report_set_period(r, "2023-02-30", "2023-03-14", err, sizeof err), -1);
    ck_assert_int_eq(report_set_period(r, "2023-03-01", "tomorrow", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "tomorrow") != NULL, "%s", err);
    /* absurd: every day since 1 AD would be a grid of millions of days */
    ck_assert_int_eq(report_set_period(r, "0001-01-01", "9999-12-31", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "at most 3660") != NULL, "%s", err);
    ck_assert_int_eq(report_set_period(r, "2013-01-01", "2023-01-09", err, sizeof err), -1);
    ck_assert_int_eq(report_set_period(r, "2013-01-01", "2023-01-08", err, sizeof err),
                     0); /* 3660 days */
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

/* The partner pack: one page, the period, the names, three charts. */
START_TEST(test_html_pack)
{
    pl_tz *tz = tokyo();
    struct report *r = report_new(tz);
    char err[256];

    report_set_now(r, NOW_MS);
    ck_assert_int_eq(report_select(r, "高知県", NULL), 0);
    ck_assert_int_eq(report_set_period(r, "2023-03-15", "2023-03-15", err, sizeof err), 0);
    ck_assert_int_eq(report_add_screen(r, "plaza", "新宿駅西口広場 <大型>", true), 0);
    add(r, entry("plaza", "kochi-makino-expo", "高知県", "10:00:00", "10:00:30", 30000, "played"));
    add(r, entry("plaza", "wood-2023", "東京都", "10:00:30", "10:00:40", 10000, "played"));
    add(r, entry("plaza", "kochi-makino-expo", "高知県", "10:00:40", "10:00:40", 0, "error"));
    char *html = render(r, "campaign,screen", REPORT_HTML);
    FILE *f = fopen("/tmp/test_report_pack.html", "w");
    if (f) {
        fputs(html, f);
        fclose(f);
    }
    ck_assert_msg(strstr(html, "2023-03-15 〜 2023-03-15 (Asia/Tokyo)") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "2023-03-15 10:00:40+09:00") != NULL, "%s",
                  "made at: see /tmp/test_report_pack.html");
    ck_assert_msg(strstr(html, "新宿駅西口広場 &lt;大型&gt; (plaza)") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_ptr_null(strstr(html, "<大型>"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "http"));
    ck_assert_msg(strstr(html, "aria-label=\"share per campaign\"") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "aria-label=\"plays per day\"") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "aria-label=\"timeline per screen\"") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "75.0%") != NULL, "%s",
                  "Kochi's share: see /tmp/test_report_pack.html");
    /* the timeline in 10-minute buckets: dark before 10:00; Kochi's
     * colour from the bottom for 30 s of the 40 s of 10:00 that have
     * happened (14 of 18 px); white after */
    ck_assert_msg(strstr(html,
                         "<g><title>2023-03-15 00:00:00+09:00 – 2023-03-15 10:00:00+09:00\n"
                         "消灯 / dark 100%</title><rect x=\"20.00\" y=\"18\" width=\"375.00\" "
                         "height=\"18\" fill=\"#212121\"/></g>") != NULL,
                  "%s", "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "<g><title>2023-03-15 10:00:00+09:00 – 2023-03-15 10:10:00+09:00\n"
                               "kochi-makino-expo 75%</title><rect x=\"395.00\" y=\"22\" "
                               "width=\"6.25\" height=\"14\" fill=\"#1b5e20\"/></g>") != NULL,
                  "%s", "not in the page (written to /tmp/test_report_pack.html)");
    ck_assert_msg(strstr(html, "fill=\"#ffffff\" stroke") != NULL, "%s",
                  "not in the page (written to /tmp/test_report_pack.html)");
    free(html);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_bad_lines)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[1,2]",
        "{\"screen\":\"a\"}",
        "{\"screen\":\"a\",\"campaign\":\"c\",\"start\":\"2023-03-15T10:00:00+09:00\","
        "\"end\":\"2023-03-15T10:00:10+09:00\",\"shown_ms\":10000,\"result\":\"maybe\"}",
        "{\"screen\":\"a\",\"campaign\":\"c\",\"start\":\"2023-03-15T10:00:10+09:00\","
        "\"end\":\"2023-03-15T10:00:00+09:00\",\"shown_ms\":0,\"result\":\"played\"}",
        "{\"screen\":\"a\",\"campaign\":\"c\",\"start\":\"2023-02-30T10:00:00+09:00\","
        "\"end\":\"2023-03-15T10:00:00+09:00\",\"shown_ms\":0,\"result\":\"played\"}",
        "{\"screen\":\"a\",\"campaign\":\"c\",\"start\":\"2023-03-15T10:00:00+09:00\","
        "\"end\":\"2023-03-15T10:00:10+09:00\",\"shown_ms\":99999999,\"result\":\"played\"}",
        "{\"screen\":1,\"campaign\":\"c\",\"start\":\"x\",\"end\":\"y\",\"shown_ms\":\"1\"}",
        "{\"screen\":\"a\",\"screen\":\"b\"}",
    };
    pl_tz *tz = tokyo();
    struct report *r = report_new(tz);
    char err[512];

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        ck_assert_int_eq(
            report_add_line(r, bad[i], strlen(bad[i]), "play.jsonl", 7, err, sizeof err), -1);
        ck_assert_msg(strncmp(err, "play.jsonl:7: error: ", 21) == 0, "%zu: %s", i, err);
    }
    ck_assert_int_eq(report_entries(r), 0);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_load_dir_dates_and_escaping)
{
    char dir[] = "/tmp/signage-report.XXXXXX", err[512];
    pl_tz *tz = tokyo();
    struct report *r;
    char *l1 = entry("plaza", "a", "Owner \\\"Q\\\" <b>", "10:00:00", "10:00:10", 10000, "played");
    char *l2 = entry("plaza", "a", "Owner \\\"Q\\\" <b>", "10:00:10", "10:00:20", 10000, "played");
    char *text = NULL;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_ge(asprintf(&text, "%s\n\ngarbage line\n%s\n", l1, l2), 0);
    write_file(dir, "play-2023-03-15.jsonl", text);
    write_file(dir, "play-2023-03-16.jsonl", text);
    write_file(dir, "play-2023-3-17.jsonl", text); /* not a log name: ignored */
    write_file(dir, "notes.txt", "x");

    r = report_new(tz);
    ck_assert_int_eq(report_load_dir(r, dir, "2023-03-15", "2023-03-15", err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 2);
    ck_assert_int_eq(report_bad_lines(r), 1);
    char *csv = render(r, "owner", REPORT_CSV);
    ck_assert_msg(strstr(csv, "\"Owner \"\"Q\"\" <b>\",2,") != NULL, "%s", csv);
    free(csv);
    char *html = render(r, "owner", REPORT_HTML);
    ck_assert_msg(strstr(html, "Owner &quot;Q&quot; &lt;b&gt;") != NULL, "%s", html);
    ck_assert(strstr(html, "Q\" <b>") == NULL && strstr(html, "Q&quot; <b>") == NULL);
    ck_assert(strstr(html, "<svg") != NULL);
    free(html);
    report_free(r);

    r = report_new(tz);
    ck_assert_int_eq(report_load_dir(r, dir, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 4);
    report_free(r);

    /* an empty log directory is an empty report, not an error */
    char empty[600];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    ck_assert_int_eq(mkdir(empty, 0755), 0);
    r = report_new(tz);
    ck_assert_int_eq(report_load_dir(r, empty, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 0);
    report_free(r);

    r = report_new(tz);
    ck_assert_int_eq(report_load_dir(r, dir, "2023-3-1", NULL, err, sizeof err), -1);
    ck_assert_int_eq(report_load_dir(r, "/nonexistent/log", NULL, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/log") != NULL, "%s", err);
    report_free(r);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(text);
    free(l1);
    free(l2);
    pl_tz_free(tz);
}
END_TEST

/* Logs from many boxes: one directory per screen (SPEC §2), the flat
 * layout of older players beside it, several trees; a file collected
 * twice, or a line found in two files of its day, is counted once. */
START_TEST(test_trees_per_screen_and_repeats)
{
    char a[] = "/tmp/signage-report-a.XXXXXX", b[] = "/tmp/signage-report-b.XXXXXX";
    char sub[600], err[512], *text = NULL, *flat = NULL;
    pl_tz *tz = tokyo();
    struct report *r;
    char *l1 = entry("plaza", "a", "高知県", "10:00:00", "10:00:10", 10000, "played");
    char *l2 = entry("plaza", "a", "高知県", "10:00:10", "10:00:20", 10000, "played");
    char *k1 = entry("kochi", "a", "高知県", "10:00:00", "10:00:10", 10000, "played");
    char *k2 = entry("kochi", "a", "高知県", "10:00:10", "10:00:15", 5000, "cut");

    ck_assert_ptr_nonnull(mkdtemp(a));
    ck_assert_ptr_nonnull(mkdtemp(b));
    ck_assert_int_ge(asprintf(&text, "%s\n%s\n", l1, l2), 0);
    ck_assert_int_ge(asprintf(&flat, "%s\n%s\n", l1, k2), 0);
    const char *dirs[][2] = {{a, "plaza"}, {a, "kochi"}, {b, "plaza"}, {b, "UPPER"}};
    for (size_t i = 0; i < 4; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dirs[i][0], dirs[i][1]);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
    }
    snprintf(sub, sizeof sub, "%s/plaza", a);
    write_file(sub, "play-2023-03-15.jsonl", text);
    snprintf(sub, sizeof sub, "%s/kochi", a);
    write_file(sub, "play-2023-03-15.jsonl", k1);
    snprintf(sub, sizeof sub, "%s/plaza", b);
    write_file(sub, "play-2023-03-15.jsonl", text); /* collected twice */
    snprintf(sub, sizeof sub, "%s/UPPER", b);
    write_file(sub, "play-2023-03-15.jsonl", k2); /* not a screen id: not read */
    write_file(b, "play-2023-03-15.jsonl", flat); /* an older player's flat log */

    const char *const trees[] = {a, b};
    r = report_new(tz);
    ck_assert_int_eq(report_load_trees(r, trees, 2, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 4);        /* l1, l2, k1, k2 */
    ck_assert_int_eq(report_repeated_lines(r), 3); /* b/plaza twice, l1 in the flat file */
    char *table = render(r, "screen", REPORT_TABLE);
    ck_assert_msg(strstr(table, "3 log lines found twice counted once") != NULL, "%s", table);
    ck_assert_msg(strstr(table, "total: 0:00:35 shown (35.0 s,") != NULL, "%s", table);
    free(table);
    report_free(r);

    /* the same tree named twice adds nothing */
    const char *const twice[] = {a, a};
    r = report_new(tz);
    ck_assert_int_eq(report_load_trees(r, twice, 2, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 3);
    ck_assert_int_eq(report_repeated_lines(r), 3);
    report_free(r);

    /* a tree that is not there is an error naming it */
    const char *const missing[] = {a, "/nonexistent/box2/log"};
    r = report_new(tz);
    ck_assert_int_eq(report_load_trees(r, missing, 2, NULL, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/box2/log") != NULL, "%s", err);
    report_free(r);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    ck_assert_int_eq(system(cmd), 0);
    free(text);
    free(flat);
    free(l1);
    free(l2);
    free(k1);
    free(k2);
    pl_tz_free(tz);
}
END_TEST

/* Asserts A and B equal; when not, both are written to /tmp for diff. */
static void same_page(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return;
    FILE *f = fopen("/tmp/test_report_a.html", "w"), *g = fopen("/tmp/test_report_b.html", "w");
    if (f) {
        fputs(a, f);
        fclose(f);
    }
    if (g) {
        fputs(b, g);
        fclose(g);
    }
    ck_abort_msg("the pages differ: diff /tmp/test_report_a.html /tmp/test_report_b.html");
}

/* Runs a report of a week over DIR, with the summary cache CACHE (NULL:
 * none), as CSV by screen and day, with its HTML page; *HITS gets the
 * summaries read. */
static char *week(pl_tz *tz, const char *dir, const char *cache, long *hits, char **html)
{
    char err[512];
    struct report *r = report_new(tz);

    report_set_now(r, NOW_MS + 5 * 86400000LL);
    ck_assert_int_eq(report_select(r, "高知県", NULL), 0);
    ck_assert_int_eq(report_set_cache(r, cache), 0);
    ck_assert_int_eq(report_load_dir(r, dir, "2023-03-10", "2023-03-16", err, sizeof err), 0);
    char *csv = render(r, "screen,day", REPORT_CSV);
    *html = render(r, "campaign", REPORT_HTML);
    *hits = report_cache_hits(r);
    report_free(r);
    return csv;
}

/* The summary cache gives the same report as the lines; a changed log
 * gets a new summary; a torn or hostile summary is read as absent. */
START_TEST(test_summary_cache)
{
    char dir[] = "/tmp/signage-report-c.XXXXXX", sub[600], cache[600], cmd[1400];
    pl_tz *tz = tokyo();
    long hits;
    char *html0, *html;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/log/plaza", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    char *text = NULL;
    {
        /* a line that shows nothing first (it takes no colour on either
         * path), and the same 10 minutes twice (counted twice on both paths;
         * a summary holding more than a slot's length is still read back) */
        char *l[7] = {
            entry("plaza", "kochi-katsuo", "高知県", "09:59:59", "09:59:59", 0, "played"),
            entry("plaza", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "played"),
            entry("plaza", "wood-2023", "東京都", "10:00:10", "10:00:20", 10000, "played"),
            entry("plaza", "kochi-makino-expo", "高知県", "10:00:20", "10:00:25", 5000, "cut"),
            entry("plaza", "kochi-makino-expo", "高知県", "10:30:00", "10:30:00", 0, "error"),
            entry("plaza", "kochi-makino-expo", "高知県", "12:00:00", "12:10:00", 600000, "played"),
            entry("plaza", "kochi-makino-expo", "高知県", "12:00:00", "12:10:00", 600000,
                  "played")};
        ck_assert_int_ge(asprintf(&text, "%s\n%s\n%s\n%s\n%s\n%s\n%s\nnot json\n", l[0], l[1], l[2],
                                  l[3], l[4], l[5], l[6]),
                         0);
        for (int i = 0; i < 7; i++)
            free(l[i]);
    }
    write_file(sub, "play-2023-03-15.jsonl", text);
    snprintf(sub, sizeof sub, "%s/log", dir);

    char *plain = week(tz, sub, NULL, &hits, &html0);
    ck_assert_int_eq(hits, 0);
    ck_assert_msg(
        strstr(plain, "\"plaza\",\"\",\"2023-03-15\",5,4,1,0,1,0:20:15,1215.000,0.9918,") != NULL,
        "%s", plain);
    ck_assert_ptr_null(strstr(html0, "(kochi-katsuo)</span>"));
    char *first = week(tz, sub, cache, &hits, &html);
    ck_assert_int_eq(hits, 0); /* made now */
    ck_assert_str_eq(first, plain);
    same_page(html, html0);
    free(first);
    free(html);
    char *again = week(tz, sub, cache, &hits, &html);
    ck_assert_int_eq(hits, 1);
    ck_assert_str_eq(again, plain);
    same_page(html, html0);
    free(again);
    free(html);

    /* torn, flipped, empty, random: each read as absent, and mended */
    static const char *const spoil[] = {
        "truncate -s -9 \"$SPOIL\"/*.sum",
        "printf '\\001' | dd of=\"$(ls \"$SPOIL\"/*.sum)\" bs=1 seek=40 conv=notrunc 2>/dev/null",
        ": > \"$(ls \"$SPOIL\"/*.sum)\"", "head -c 5000 /dev/urandom > \"$(ls \"$SPOIL\"/*.sum)\""};
    setenv("SPOIL", cache, 1);
    for (size_t i = 0; i < sizeof spoil / sizeof *spoil; i++) {
        ck_assert_int_eq(system(spoil[i]), 0);
        char *t = week(tz, sub, cache, &hits, &html);
        ck_assert_msg(hits == 0, "spoilt summary %zu used", i);
        ck_assert_str_eq(t, plain);
        same_page(html, html0);
        free(t);
        free(html);
        t = week(tz, sub, cache, &hits, &html);
        ck_assert_int_eq(hits, 1);
        ck_assert_str_eq(t, plain);
        free(t);
        free(html);
    }

    /* a log collected again with one more line: counted */
    char *more =
        entry("plaza", "kochi-makino-expo", "高知県", "11:00:00", "11:00:10", 10000, "played");
    snprintf(cmd, sizeof cmd, "%s/plaza/play-2023-03-15.jsonl", sub);
    FILE *f = fopen(cmd, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", more);
    fclose(f);
    char *after = week(tz, sub, cache, &hits, &html);
    ck_assert_int_eq(hits, 0);
    ck_assert_msg(
        strstr(after, "\"plaza\",\"\",\"2023-03-15\",6,5,1,0,1,0:20:25,1225.000,0.9919,") != NULL,
        "%s", after);
    free(after);
    free(html);
    free(more);

    free(plain);
    free(html0);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    pl_tz_free(tz);
}
END_TEST

/* A week over the trees TREES (N), as week() does; *REPEATED gets the
 * lines found twice. */
static char *week_trees(pl_tz *tz, const char *const *trees, size_t n, const char *cache,
                        long *hits, char **html, long *repeated)
{
    char err[512];
    struct report *r = report_new(tz);

    report_set_now(r, NOW_MS + 5 * 86400000LL);
    ck_assert_int_eq(report_select(r, "高知県", NULL), 0);
    ck_assert_int_eq(report_set_cache(r, cache), 0);
    ck_assert_msg(report_load_trees(r, trees, n, "2023-03-10", "2023-03-16", err, sizeof err) == 0,
                  "%s", err);
    char *csv = render(r, "screen,day", REPORT_CSV);
    *html = render(r, "campaign", REPORT_HTML);
    *hits = report_cache_hits(r);
    *repeated = report_repeated_lines(r);
    report_free(r);
    return csv;
}

/* Writes TEXT's lines [A, B) to DIR/play-2023-03-15.jsonl.<offset>.part,
 * as a box uploads a run of new lines during the day (issue 15). */
static void write_part(const char *dir, const char *text, int a, int b)
{
    const char *p = text, *q;
    char name[64], *piece;
    int i = 0;

    for (; i < a; i++)
        p = strchr(p, '\n') + 1;
    for (q = p; i < b; i++)
        q = strchr(q, '\n') + 1;
    snprintf(name, sizeof name, "play-2023-03-15.jsonl.%012ld.part", (long)(p - text));
    ck_assert_ptr_nonnull(piece = strndup(p, (size_t)(q - p)));
    write_file(dir, name, piece);
    free(piece);
}

/* A day uploaded in parts counts as the same day uploaded whole; whole and
 * parts side by side (a box that crashed between uploading the one and
 * deleting the others), or a part collected in two trees, count each line
 * once; names that are nearly parts are not logs.  With the summary cache
 * shared by all of them, the same figures again. */
START_TEST(test_parts_count_as_the_whole)
{
    char dir[] = "/tmp/signage-report-p.XXXXXX", d[700], cache[600], cmd[800];
    pl_tz *tz = tokyo();
    char *text = NULL, *kochi = NULL, *flat = NULL;
    char *l[6] = {
        entry("plaza", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "played"),
        entry("plaza", "wood-2023", "東京都", "10:00:10", "10:00:20", 10000, "played"),
        entry("plaza", "kochi-makino-expo", "高知県", "10:00:20", "10:00:25", 5000, "cut"),
        entry("plaza", "kochi-makino-expo", "高知県", "10:30:00", "10:30:00", 0, "error"),
        entry("plaza", "kochi-makino-expo", "高知県", "10:30:00", "10:40:00", 600000, "played"),
        entry("plaza", "kochi-makino-expo", "高知県", "12:00:00", "12:10:00", 600000, "played")};
    char *k =
        entry("kochi", "kochi-makino-expo", "高知県", "09:00:00", "09:00:30", 30000, "played");

    ck_assert_int_ge(
        asprintf(&text, "%s\n%s\n%s\n%s\n%s\n%s\n", l[0], l[1], l[2], l[3], l[4], l[5]), 0);
    ck_assert_int_ge(asprintf(&kochi, "%s\n", k), 0);
    ck_assert_int_ge(asprintf(&flat, "%s%s", kochi, text), 0); /* an older box: one flat file */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cache, sizeof cache, "%s/cache", dir);
    /* whole: the day file; parts: lines [0,2) [2,3) [3,6); both: the file
     * and the first two parts; two: [0,2) [2,3) in one tree, [2,3) [3,6)
     * in another; flat: an older box's flat file in parts */
    static const char *const trees[] = {"whole", "parts", "both", "two-a", "two-b", "flat"};
    for (size_t i = 0; i < sizeof trees / sizeof *trees; i++) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s/plaza' '%s/%s/kochi'", dir, trees[i], dir,
                 trees[i]);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(d, sizeof d, "%s/%s/kochi", dir, trees[i]);
        if (strcmp(trees[i], "flat") != 0 && strcmp(trees[i], "two-b") != 0)
            write_file(d, "play-2023-03-15.jsonl", kochi);
    }
    snprintf(d, sizeof d, "%s/whole/plaza", dir);
    write_file(d, "play-2023-03-15.jsonl", text);
    snprintf(d, sizeof d, "%s/parts/plaza", dir);
    write_part(d, text, 0, 2);
    write_part(d, text, 2, 3);
    write_part(d, text, 3, 6);
    /* nearly parts: not logs, ignored as any other name */
    write_file(d, "play-2023-03-15.jsonl.4096.part", text);
    write_file(d, "play-2023-03-15.jsonl.0000000000000.part", text);
    write_file(d, "play-2023-03-15.jsonl.00000000000a.part", text);
    write_file(d, "play-2023-03-15.jsonl.000000000000.part.tmp", text);
    write_file(d, "play-2023-03-15.jsonl.000000000000", text);
    write_file(d, "play-2023-03-15.jsonl.000000000000.PART", text);
    snprintf(d, sizeof d, "%s/both/plaza", dir);
    write_file(d, "play-2023-03-15.jsonl", text);
    write_part(d, text, 0, 2);
    write_part(d, text, 2, 3);
    snprintf(d, sizeof d, "%s/two-a/plaza", dir);
    write_part(d, text, 0, 2);
    write_part(d, text, 2, 3);
    snprintf(d, sizeof d, "%s/two-b/plaza", dir);
    write_part(d, text, 2, 3);
    write_part(d, text, 3, 6);
    snprintf(d, sizeof d, "%s/flat", dir);
    write_part(d, flat, 0, 3);
    write_part(d, flat, 3, 7);

    char t[6][700];
    for (size_t i = 0; i < 6; i++)
        snprintf(t[i], sizeof t[i], "%s/%s", dir, trees[i]);
    const char *const whole[] = {t[0]}, *const parts[] = {t[1]}, *const both[] = {t[2]},
                      *const two[] = {t[3], t[4]}, *const flatparts[] = {t[5]},
                      *const all[] = {t[0], t[1], t[2], t[3], t[4], t[5]};
    struct {
        const char *const *trees;
        size_t n;
        long repeated, hits; /* lines found twice; summaries read on a second run */
    } cases[] = {
        {whole, 1, 0, 2}, {parts, 1, 0, 4},     {both, 1, 3, 0},
        {two, 2, 1, 0},   {flatparts, 1, 0, 2}, {all, 6, 32, 0}, /* kochi 4 more times, plaza 28 */
    };
    long hits, repeated;
    char *html0, *html;
    char *plain = week_trees(tz, whole, 1, NULL, &hits, &html0, &repeated);
    ck_assert_int_eq(hits, 0);
    ck_assert_int_eq(repeated, 0);
    /* 10 + 5 + 600 + 600 s of Kochi on plaza, out of 1225 s shown */
    ck_assert_msg(
        strstr(plain, "\"plaza\",\"\",\"2023-03-15\",4,3,1,0,1,0:20:15,1215.000,0.9918,") != NULL,
        "%s", plain);
    ck_assert_msg(strstr(plain, "\"kochi\",\"\",\"2023-03-15\",1,1,0,0,0,0:00:30,30.000,1.0000,") !=
                      NULL,
                  "%s", plain);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int cached = 0; cached < 3; cached++) { /* none, made, read */
            char *csv = week_trees(tz, cases[i].trees, cases[i].n, cached ? cache : NULL, &hits,
                                   &html, &repeated);
            ck_assert_msg(strcmp(csv, plain) == 0, "case %zu, cache %d:\n%s", i, cached, csv);
            if (cases[i].repeated == 0) {
                same_page(html, html0);
            } else { /* the same page, and how many lines were found twice */
                char said[100];
                snprintf(said, sizeof said, "%ld log lines found twice counted once",
                         cases[i].repeated);
                ck_assert_msg(strstr(html, said) != NULL, "case %zu: %s", i, said);
            }
            ck_assert_msg(repeated == cases[i].repeated, "case %zu: %ld repeated", i, repeated);
            ck_assert_msg(hits == (cached == 2 ? cases[i].hits : 0), "case %zu, cache %d: %ld hits",
                          i, cached, hits);
            free(csv);
            free(html);
        }
        /* a summary of a part is never taken for the whole file's, nor the
         * other way round: the whole case, read again after all of them */
        if (i == 0)
            continue;
        char *csv = week_trees(tz, whole, 1, cache, &hits, &html, &repeated);
        ck_assert_str_eq(csv, plain);
        ck_assert_int_eq(hits, 2);
        free(csv);
        free(html);
    }

    free(plain);
    free(html0);
    free(text);
    free(kochi);
    free(flat);
    free(k);
    for (int i = 0; i < 6; i++)
        free(l[i]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    pl_tz_free(tz);
}
END_TEST

/* What a review found: a line spanning years, the share of a screen's
 * row, stray log names, control characters, summaries altered with their
 * checksum made good. */
START_TEST(test_hostile_reports)
{
    pl_tz *tz = tokyo();
    char err[512];
    struct report *r;

    /* a line from a clock that jumped: refused, not hiding all dark time */
    static const char span[] =
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T00:00:00.000+09:00\","
        "\"end\":\"2092-01-01T00:00:00.000+09:00\",\"shown_ms\":0,\"result\":\"played\"}";
    r = report_new(tz);
    ck_assert_int_eq(report_add_line(r, span, strlen(span), "t", 3, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "over a day") != NULL, "%s", err);
    report_free(r);

    /* one screen, two days: X 10 s on the first, others 10 s each day; by
     * screen X has half of what the screen showed on the day X played */
    r = report_new(tz);
    report_set_now(r, NOW_MS + 5 * 86400000LL);
    ck_assert_int_eq(report_select(r, "X", NULL), 0);
    ck_assert_int_eq(report_set_period(r, "2023-03-15", "2023-03-16", err, sizeof err), 0);
    add(r, entry("plaza", "x", "X", "10:00:00", "10:00:10", 10000, "played"));
    add(r, entry("plaza", "o", "O", "10:00:10", "10:00:20", 10000, "played"));
    char *o16 = NULL;
    ck_assert_int_ge(asprintf(&o16, "{\"screen\":\"plaza\",\"campaign\":\"o\",\"owner\":\"O\","
                                    "\"start\":\"2023-03-16T10:00:00.000+09:00\",\"end\":"
                                    "\"2023-03-16T10:00:10.000+09:00\",\"shown_ms\":10000,"
                                    "\"result\":\"played\"}"),
                     0);
    add(r, o16);
    char *by_screen = render(r, "screen", REPORT_CSV_PLAIN),
         *by_owner = render(r, "owner", REPORT_CSV_PLAIN);
    ck_assert_msg(strstr(by_screen, ",0:00:10,10.000,0.5000,") != NULL, "%s", by_screen);
    ck_assert_msg(strstr(by_owner, ",0:00:10,10.000,0.5000\r\n") != NULL, "%s", by_owner);
    free(by_screen);
    free(by_owner);
    report_free(r);

    /* control characters reach neither the terminal nor the warnings */
    static const char esc[] =
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"owner\":\"\\u001b[2J\\u0007\","
        "\"start\":\"2023-03-15T10:00:00.000+09:00\",\"end\":\"2023-03-15T10:00:10.000+09:00\","
        "\"shown_ms\":10000,\"result\":\"played\"}";
    r = report_new(tz);
    add(r, strdup(esc));
    char *table = render(r, "owner", REPORT_TABLE);
    ck_assert_ptr_null(strchr(table, '\x1b'));
    ck_assert_ptr_null(strchr(table, '\a'));
    ck_assert_msg(strstr(table, "\\x1b[2J\\x07") != NULL, "%s", table);
    free(table);
    report_free(r);

    /* a tree with a log of 1970 (a clock not yet set) and a name that is
     * no date: the report covers the last ten years and says so */
    char dir[] = "/tmp/signage-report-h.XXXXXX", cmd[3000];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *l = entry("plaza", "a", "高知県", "10:00:00", "10:00:10", 10000, "played");
    char *text = NULL;
    ck_assert_int_ge(asprintf(&text, "%s\n", l), 0);
    write_file(dir, "play-2023-03-15.jsonl", text);
    write_file(dir, "play-1970-01-01.jsonl", text);
    write_file(dir, "play-2023-99-99.jsonl", text);
    r = report_new(tz);
    ck_assert_int_eq(report_load_dir(r, dir, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(report_entries(r), 1);
    char *json = render(r, "day", REPORT_JSON);
    ck_assert_msg(strstr(json, "\"from\": \"2013-03-08\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"to\": \"2023-03-15\"") != NULL, "%s", json);
    free(json);
    report_free(r);

    /* summaries with bytes changed and the checksum made good again: read
     * or refused, never a crash or an overflow (ASan and UBSan watch) */
    char cache[100], sum[800], logs[100];
    snprintf(logs, sizeof logs, "%s/t", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/plaza' && cp '%s/play-2023-03-15.jsonl' '%s/plaza/'",
             logs, dir, logs);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    for (int round = 0; round < 2; round++) {
        r = report_new(tz);
        report_set_now(r, NOW_MS + 5 * 86400000LL);
        ck_assert_int_eq(report_set_cache(r, cache), 0);
        ck_assert_int_eq(report_load_dir(r, logs, "2023-03-10", "2023-03-16", err, sizeof err), 0);
        ck_assert_int_eq(report_cache_hits(r), round);
        report_free(r);
    }
    snprintf(cmd, sizeof cmd, "ls %s/*.sum", cache);
    FILE *ls = popen(cmd, "r");
    ck_assert_ptr_nonnull(ls);
    ck_assert_ptr_nonnull(fgets(sum, sizeof sum, ls));
    pclose(ls);
    sum[strcspn(sum, "\n")] = '\0';
    FILE *f = fopen(sum, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char orig[65536];
    size_t len = fread(orig, 1, sizeof orig, f);
    fclose(f);
    ck_assert_uint_gt(len, 80);
    srand(13);
    long taken = 0;
    for (int i = 0; i < 300; i++) {
        unsigned char buf[65536];
        memcpy(buf, orig, len);
        for (int k = 0; k < 1 + i % 4; k++) {
            size_t at = 8 + (size_t)rand() % (len - 16);
            buf[at] = i % 3 == 0 ? 0xff : (unsigned char)rand();
        }
        uint64_t h = hash64(buf, len - 8, 0x5a11);
        memcpy(buf + len - 8, &h, 8);
        f = fopen(sum, "wb");
        ck_assert_ptr_nonnull(f);
        fwrite(buf, 1, len, f);
        fclose(f);
        r = report_new(tz);
        report_set_now(r, NOW_MS + 5 * 86400000LL);
        ck_assert_int_eq(report_set_cache(r, cache), 0);
        ck_assert_int_eq(report_load_dir(r, logs, "2023-03-10", "2023-03-16", err, sizeof err), 0);
        taken += report_cache_hits(r);
        char *page = render(r, "owner,campaign,screen,day", REPORT_HTML);
        free(page);
        report_free(r);
    }
    ck_assert_int_lt(taken, 300); /* most alterations are seen */
    free(l);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    pl_tz_free(tz);
}
END_TEST

/* CSV for Excel: a byte-order mark first (or none, asked for), CRLF, and
 * cells that a spreadsheet would run as formulas kept as text. */
START_TEST(test_csv_for_excel)
{
    static const char *const owners[] = {"=HYPERLINK(\\\"http://x\\\")", "+1", "-2", "@SUM(A1)",
                                         "東京都"};
    static const char *const cells[] = {"\"'=HYPERLINK(\"\"http://x\"\")\",", "\"'+1\",",
                                        "\"'-2\",", "\"'@SUM(A1)\",", "\"東京都\","};
    pl_tz *tz = tokyo();
    struct report *r = report_new(tz);
    char start[16], end[16];

    for (size_t i = 0; i < 5; i++) {
        snprintf(start, sizeof start, "10:00:%02zu", i * 10);
        snprintf(end, sizeof end, "10:00:%02zu", i * 10 + 10);
        add(r, entry("plaza", "c", owners[i], start, end, 10000, "played"));
    }
    char *csv = render(r, "owner", REPORT_CSV);
    ck_assert_msg(memcmp(csv,
                         "\xEF\xBB\xBF"
                         "owner,plays,",
                         15) == 0,
                  "%s", csv);
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(strstr(csv, cells[i]) != NULL, "%s not in %s", cells[i], csv);
    ck_assert_ptr_null(strstr(csv, "\n\"="));
    for (const char *p = strchr(csv, '\n'); p; p = strchr(p + 1, '\n'))
        ck_assert_msg(p[-1] == '\r', "a line end without CR");
    free(csv);
    csv = render(r, "owner", REPORT_CSV_PLAIN);
    ck_assert_msg(strncmp(csv, "owner,plays,", 12) == 0, "%s", csv);
    free(csv);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_by_parse)
{
    struct report_keys k;
    char buf[32];

    ck_assert_int_eq(report_by_parse("owner"), REPORT_BY_OWNER);
    ck_assert_int_eq(report_by_parse("day"), REPORT_BY_DAY);
    ck_assert_int_eq(report_by_parse("Owner"), -1);
    ck_assert_int_eq(report_by_parse(NULL), -1);
    ck_assert_int_eq(report_keys_parse("campaign,screen,day", &k), 0);
    ck_assert_uint_eq(k.n, 3);
    ck_assert_int_eq(k.k[0], REPORT_BY_CAMPAIGN);
    ck_assert_int_eq(k.k[2], REPORT_BY_DAY);
    ck_assert_int_eq(report_keys_parse("owner,campaign,screen,day", &k), 0);
    ck_assert_uint_eq(k.n, 4);
    static const char *const bad[] = {"",
                                      ",",
                                      "campaign,",
                                      ",day",
                                      "day,day",
                                      "campaign,x",
                                      "owner,campaign,screen,day,owner",
                                      "screen day",
                                      "verylongkeynamethatisnotakey"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(report_keys_parse(bad[i], &k) == -1, "%s", bad[i]);
    ck_assert_int_eq(report_keys_parse(NULL, &k), -1);
    report_hms(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "0:00:00");
    report_hms(5499, buf, sizeof buf);
    ck_assert_str_eq(buf, "0:00:05");
    report_hms(5500, buf, sizeof buf);
    ck_assert_str_eq(buf, "0:00:06");
    report_hms(1234LL * 3600000 + 300000, buf, sizeof buf);
    ck_assert_str_eq(buf, "1234:05:00");
}
END_TEST

/* The quick reading of a line and jansson's agree: what the one takes the
 * other takes with the same values, what one refuses the other refuses. */
START_TEST(test_line_forms)
{
    static const char *const same[] = {
        /* spaces, unknown keys of every kind, another key order */
        " { \"result\" : \"played\" , \"shown_ms\" : 10000 , \"x\" : [1, {\"y\": null}], "
        "\"screen\":\"plaza\",\"campaign\":\"a\",\"owner\":\"高知県\",\"t\":true,\"f\":false,"
        "\"n\":-1.5e3,\"start\":\"2023-03-15T10:00:00.000+09:00\",\"end\":\"2023-03-15T10:00:10."
        "000+09:00\"} ",
        /* escapes: jansson's */
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"owner\":\"\\u9ad8\\u77e5\\u770c\","
        "\"start\":\"2023-03-15T10:00:00.000+09:00\",\"end\":\"2023-03-15T10:00:10.000+09:00\","
        "\"shown_ms\":10000,\"result\":\"played\"}",
        /* times in other forms: UTC, no milliseconds, the 31st */
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"owner\":\"高知県\",\"start\":\"2023-03-15T01:"
        "00:00.000Z\","
        "\"end\":\"2023-03-15T10:00:10+09:00\",\"shown_ms\":10000,\"result\":\"played\"}",
    };
    static const char *const refused[] = {
        "{\"screen\":\"plaza\",\"screen\":\"b\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00."
        "000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":\"played\"}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":1e4,\"result\":\"played\"}",
        "{\"screen\":\"pl\xff\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":\"played\"}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":\"played\"} x",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T25:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":\"played\"}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":010,\"result\":\"played\"}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":99999999999999999999999,"
        "\"result\":\"played\"}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":\"played\",}",
        "{\"screen\":\"plaza\",\"campaign\":\"a\",\"start\":\"2023-03-15T10:00:00.000+09:00\","
        "\"end\":\"2023-03-15T10:00:10.000+09:00\",\"shown_ms\":10000,\"result\":"
        "\"pla\\u0000yed\"}",
    };
    pl_tz *tz = tokyo();
    char err[512];

    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        struct report *r = report_new(tz);
        ck_assert_msg(report_add_line(r, same[i], strlen(same[i]), "t", 1, err, sizeof err) == 0,
                      "%zu: %s", i, err);
        char *csv = render(r, "owner,screen", REPORT_CSV_PLAIN);
        ck_assert_msg(strstr(csv, "\"高知県\",\"plaza\",\"\",1,1,0,0,0,0:00:10,10.000,1.0000") !=
                          NULL,
                      "%zu: %s", i, csv);
        free(csv);
        report_free(r);
    }
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        struct report *r = report_new(tz);
        err[0] = '\0';
        ck_assert_msg(report_add_line(r, refused[i], strlen(refused[i]), "t", 1, err, sizeof err) ==
                          -1,
                      "%zu accepted", i);
        ck_assert_msg(strncmp(err, "t:1: error: ", 12) == 0, "%zu: %s", i, err);
        ck_assert_int_eq(report_entries(r), 0);
        report_free(r);
    }
    pl_tz_free(tz);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_by_owner_and_dark_time);
    tcase_add_test(tc, test_owner_and_keys);
    tcase_add_test(tc, test_dark_against_the_period);
    tcase_add_test(tc, test_html_pack);
    tcase_add_test(tc, test_line_forms);
    tcase_add_test(tc, test_summary_cache);
    tcase_add_test(tc, test_parts_count_as_the_whole);
    tcase_add_test(tc, test_hostile_reports);
    tcase_add_test(tc, test_bad_lines);
    tcase_add_test(tc, test_load_dir_dates_and_escaping);
    tcase_add_test(tc, test_trees_per_screen_and_repeats);
    tcase_add_test(tc, test_csv_for_excel);
    tcase_add_test(tc, test_by_parse);
    suite_add_tcase(s, tc);
    return s;
}
