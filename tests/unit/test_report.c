/* Tests for tools/report.c: proof-of-play summaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Runs report_write into a string. */
static char *render(const struct report *r, enum report_by by, enum report_format f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(report_write(r, by, f, out), 0);
    fclose(out);
    return buf;
}

START_TEST(test_by_owner_and_dark_time)
{
    pl_tz *tz = tokyo();
    struct report *r = report_new(tz);

    /* plaza: 10 s Kochi, 10 s Tokyo, then 5 s dark, 10 s fallback */
    add(r, entry("plaza", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "played"));
    add(r, entry("plaza", "wood-2023", "東京都", "10:00:10", "10:00:20", 10000, "played"));
    add(r, entry("plaza", "-", "", "10:00:25", "10:00:35", 10000, "played"));
    /* 4gou: an error entry that showed nothing, then Kochi cut short */
    add(r, entry("4gou", "kochi-makino-expo", "高知県", "10:00:00", "10:00:00", 0, "error"));
    add(r, entry("4gou", "kochi-makino-expo", "高知県", "10:00:00", "10:00:10", 10000, "cut"));
    ck_assert_int_eq(report_entries(r), 5);

    char *csv = render(r, REPORT_BY_OWNER, REPORT_CSV);
    ck_assert_msg(strstr(csv, "\"高知県\",2,20.000,0.5000,1,\r\n") != NULL, "%s", csv);
    ck_assert_msg(strstr(csv, "\"東京都\",1,10.000,0.2500,0,\r\n") != NULL, "%s", csv);
    ck_assert_msg(strstr(csv, "\"(fallback)\",1,10.000,0.2500,0,\r\n") != NULL, "%s", csv);
    free(csv);

    csv = render(r, REPORT_BY_SCREEN, REPORT_CSV);
    ck_assert_msg(strstr(csv, "\"plaza\",3,30.000,0.7500,0,5.000\r\n") != NULL, "%s", csv);
    ck_assert_msg(strstr(csv, "\"4gou\",1,10.000,0.2500,1,0.000\r\n") != NULL, "%s", csv);
    free(csv);

    char *table = render(r, REPORT_BY_SCREEN, REPORT_TABLE);
    ck_assert_msg(strstr(table, "total: 40.0 s shown, 5.0 s dark") != NULL, "%s", table);
    free(table);

    char *day = render(r, REPORT_BY_DAY, REPORT_JSON);
    ck_assert_msg(strstr(day, "\"2023-03-15\"") != NULL, "%s", day);
    ck_assert_msg(strstr(day, "\"dark_seconds\": 5.0") != NULL, "%s", day);
    free(day);
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
    char *csv = render(r, REPORT_BY_OWNER, REPORT_CSV);
    ck_assert_msg(strstr(csv, "\"Owner \"\"Q\"\" <b>\",2,") != NULL, "%s", csv);
    free(csv);
    char *html = render(r, REPORT_BY_OWNER, REPORT_HTML);
    ck_assert_msg(strstr(html, "Owner &quot;Q&quot; &lt;b&gt;") != NULL, "%s", html);
    ck_assert(strstr(html, "<b>") == NULL);
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
    char *table = render(r, REPORT_BY_SCREEN, REPORT_TABLE);
    ck_assert_msg(strstr(table, "3 log lines found twice counted once") != NULL, "%s", table);
    ck_assert_msg(strstr(table, "total: 35.0 s shown") != NULL, "%s", table);
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
    char *csv = render(r, REPORT_BY_OWNER, REPORT_CSV);
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
    csv = render(r, REPORT_BY_OWNER, REPORT_CSV_PLAIN);
    ck_assert_msg(strncmp(csv, "owner,plays,", 12) == 0, "%s", csv);
    free(csv);
    report_free(r);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_by_parse)
{
    ck_assert_int_eq(report_by_parse("owner"), REPORT_BY_OWNER);
    ck_assert_int_eq(report_by_parse("day"), REPORT_BY_DAY);
    ck_assert_int_eq(report_by_parse("Owner"), -1);
    ck_assert_int_eq(report_by_parse(NULL), -1);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_by_owner_and_dark_time);
    tcase_add_test(tc, test_bad_lines);
    tcase_add_test(tc, test_load_dir_dates_and_escaping);
    tcase_add_test(tc, test_trees_per_screen_and_repeats);
    tcase_add_test(tc, test_csv_for_excel);
    tcase_add_test(tc, test_by_parse);
    suite_add_tcase(s, tc);
    return s;
}
