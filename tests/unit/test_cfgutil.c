/* Tests for playlists/cfgutil.c: safe libconfig reading and item parsing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/utf8.h"
#include "playlists/cfgutil.h"
#include "tests/unit/check_main.h"

/* Parses TEXT; returns what pl_cfg_read_text() returned, error in ERR. */
static int parse(config_t *cfg, const char *text, size_t len, char *err, size_t errlen)
{
    config_init(cfg);
    err[0] = '\0';
    return pl_cfg_read_text(cfg, text, len, "t.cfg", err, errlen);
}

static int parse_str(const char *text, char *err, size_t errlen)
{
    config_t cfg;
    int r = parse(&cfg, text, strlen(text), err, errlen);
    config_destroy(&cfg);
    return r;
}

START_TEST(test_bom_crlf)
{
    const char text[] = "\xef\xbb\xbf# comment\r\na = 1;\r\nb = \"x\r\ny\";\r\nc = 3;\r\n";
    config_t cfg;
    char err[256];
    const char *s;
    long long v;

    ck_assert_int_eq(parse(&cfg, text, sizeof text - 1, err, sizeof err), 0);
    ck_assert_int_eq(pl_cfg_string(config_root_setting(&cfg), "b", "t.cfg", &s, err, sizeof err),
                     0);
    ck_assert_str_eq(s, "x\ny");
    ck_assert_int_eq(
        pl_cfg_int(config_root_setting(&cfg), "c", "t.cfg", 0, 10, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_uint_eq(config_setting_source_line(config_lookup(&cfg, "c")), 5);
    config_destroy(&cfg);
}
END_TEST

START_TEST(test_nul_and_utf8)
{
    const char nul[] = "a = 1;\nb = 2;\n\0c = 3;\n";
    config_t cfg;
    char err[256];

    ck_assert_int_eq(parse(&cfg, nul, sizeof nul - 1, err, sizeof err), -1);
    config_destroy(&cfg);
    ck_assert_msg(strstr(err, "t.cfg:3: error:") && strstr(err, "NUL"), "%s", err);

    ck_assert_int_eq(parse_str("a = 1;\nb = 2;\nc = \"\x93\x8c\x8b\x9e\";\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:3: error:") && strstr(err, "UTF-8"), "%s", err);
    /* A UTF-8 sequence cut at the very end. */
    ck_assert_int_eq(parse_str("a = \"\xe6\x9d", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "UTF-8"), "%s", err);
    /* Escapes can make invalid UTF-8 too: the typed lookup catches it. */
    {
        const char *s = NULL;
        ck_assert_int_eq(parse(&cfg, "a = \"\\xff\";", 11, err, sizeof err), 0);
        ck_assert_int_eq(
            pl_cfg_string(config_root_setting(&cfg), "a", "t.cfg", &s, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "UTF-8"), "%s", err);
        config_destroy(&cfg);
    }
    ck_assert_int_eq(parse_str("a = \"ab\\x00cd\";\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1:") && strstr(err, "\\x00"), "%s", err);
}
END_TEST

START_TEST(test_include_refused)
{
    char dir[] = "/tmp/cfgutil-XXXXXX";
    char path[256], text[1024], err[256];
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/inc.cfg", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("secret = 1;\n", f);
    fclose(f);
    /* libconfig 1.5 would follow this even from a string. */
    snprintf(text, sizeof text, "a = 1;\n  @include \"%s\"\nb = 2;\n", path);
    ck_assert_int_eq(parse_str(text, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:2: error:") && strstr(err, "@include"), "%s", err);
    snprintf(text, sizeof text, "@include \"%s\"\n", path);
    ck_assert_int_eq(parse_str(text, err, sizeof err), -1);
    /* In a string or a comment it is only text. */
    snprintf(text, sizeof text,
             "a = \"mail @include \\\"x\\\"\"; # @include \"%s\"\n"
             "/*\n@include \"%s\"\n*/ b = 1;\n",
             path, path);
    ck_assert_msg(parse_str(text, err, sizeof err) == 0, "%s", err);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_syntax_messages)
{
    char err[512];

    ck_assert_int_eq(parse_str("a = 1;\nb = \"unclosed;\nc = 2;\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:2: error:") && strstr(err, "never closed"), "%s", err);
    ck_assert_int_eq(parse_str("a = 1;\nb = = 2;\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:2: error: syntax error") && strstr(err, "missing ';'"), "%s",
                  err);
    ck_assert_int_eq(parse_str("a = 1;\na = 2;\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "duplicate") && strstr(err, "only once"), "%s", err);
    ck_assert_int_eq(parse_str("a = 1; /* never\nclosed\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1:") && strstr(err, "*/"), "%s", err);
    ck_assert_int_eq(parse_str("a = { b = 1; ", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1: error:"), "%s", err);
    /* libconfig 1.5 leaks a string met where no value may stand: refused first. */
    {
        static const char *const misplaced[] = {
            "\"a\"",          "x = ( 1 \"a\" );",        "x = 1, \"a\";",
            "x = { \"a\" };", "x = ({ a = 1; } \"s\");", "x = 1; \"a\" = 2;"};
        for (size_t i = 0; i < sizeof misplaced / sizeof misplaced[0]; i++) {
            ck_assert_int_eq(parse_str(misplaced[i], err, sizeof err), -1);
            ck_assert_msg(strstr(err, "t.cfg:1:") && strstr(err, "setting name"), "%s", err);
        }
        ck_assert_msg(parse_str("x = \"a\" \"b\"; y = ( \"a\", \"b\" \"c\", [\"d\"] ); "
                                "z: \"q\"; w = [ \"a\",\"b\" ];",
                                err, sizeof err) == 0,
                      "%s", err);
    }
    ck_assert_int_eq(parse_str("", err, sizeof err), 0);
    ck_assert_int_eq(parse_str("\xef\xbb\xbf", err, sizeof err), 0);
}
END_TEST

START_TEST(test_numbers)
{
    config_t cfg;
    char err[256];
    long long v;

    ck_assert_int_eq(parse_str("a = 99999999999;\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1:") && strstr(err, "99999999999"), "%s", err);
    ck_assert_int_eq(parse_str("a = 2147483648;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = -2147483649;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = 0x1FFFFFFFF;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = 99999999999999999999L;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = 1e400;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = -1.5e999;", err, sizeof err), -1);
    ck_assert_int_eq(parse_str("a = 2147483647; b = -2147483648; c = 1e300; d = 1.5e+3; "
                               "e = 9223372036854775807L; f-2 = 0x10; g = .5; h = -0.0;",
                               err, sizeof err),
                     0);
    ck_assert_int_eq(parse(&cfg, "big = 12345678901L; s = \"99999999999\";", 38, err, sizeof err),
                     0);
    ck_assert_int_eq(
        pl_cfg_int(config_root_setting(&cfg), "big", "t.cfg", 0, INT64_MAX, &v, err, sizeof err),
        0);
    ck_assert_int_eq(v, 12345678901LL);
    ck_assert_int_eq(
        pl_cfg_int(config_root_setting(&cfg), "big", "t.cfg", 0, 1000, &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'big'") && strstr(err, "between 0 and 1000"), "%s", err);
    ck_assert_int_eq(
        pl_cfg_int(config_root_setting(&cfg), "s", "t.cfg", 0, 1000, &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "whole number") && strstr(err, "a string"), "%s", err);
    ck_assert_int_eq(
        pl_cfg_int(config_root_setting(&cfg), "none", "t.cfg", 0, 1000, &v, err, sizeof err), 1);
    config_destroy(&cfg);
}
END_TEST

START_TEST(test_hostile_sizes)
{
    size_t n = 10 * 1024 * 1024, k;
    char *s = malloc(n + 64);
    char err[256];
    config_t cfg;
    clock_t t0;

    ck_assert_ptr_nonnull(s);
    /* Very deep nesting: refused before libconfig recurses. */
    memset(s, '(', 100000);
    memcpy(s, "a = ", 4);
    s[100000] = '\0';
    ck_assert_int_eq(parse_str(s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1:") && strstr(err, "nested"), "%s", err);
    /* 32 deep is fine. */
    k = (size_t)sprintf(s, "a = ");
    for (int i = 0; i < 31; i++)
        s[k++] = '(';
    s[k++] = '[';
    s[k++] = '1';
    s[k++] = ']';
    for (int i = 0; i < 31; i++)
        s[k++] = ')';
    strcpy(s + k, ";");
    ck_assert_msg(parse_str(s, err, sizeof err) == 0, "%s", err);

    /* One string of 10 MB. */
    memcpy(s, "a = \"", 5);
    memset(s + 5, 'x', n);
    strcpy(s + 5 + n, "\";");
    ck_assert_int_eq(parse(&cfg, s, n + 7, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(config_setting_get_string(config_lookup(&cfg, "a"))), n);
    config_destroy(&cfg);

    /* 100 000 list elements. */
    k = (size_t)sprintf(s, "a = (");
    for (int i = 0; i < 100000; i++)
        k += (size_t)sprintf(s + k, "%d,", i);
    strcpy(s + k, "0);");
    ck_assert_int_eq(parse(&cfg, s, strlen(s), err, sizeof err), 0);
    ck_assert_int_eq(config_setting_length(config_lookup(&cfg, "a")), 100001);
    config_destroy(&cfg);

    /* 50 000 settings in one group would take libconfig 1.5 about a minute. */
    t0 = clock();
    k = 0;
    for (int i = 0; i < 50000; i++)
        k += (size_t)sprintf(s + k, "a%d=1;\n", i);
    ck_assert_int_eq(parse_str(s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.cfg:1001:") && strstr(err, "settings in one group"), "%s", err);
    ck_assert((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    free(s);
}
END_TEST

START_TEST(test_utf8_valid)
{
    ck_assert(pl_utf8_valid("", 0));
    ck_assert(pl_utf8_valid("東京都 WOOD", strlen("東京都 WOOD")));
    ck_assert(pl_utf8_valid("\xf0\x9f\x98\x80", 4));  /* U+1F600 */
    ck_assert(pl_utf8_valid("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
    ck_assert(!pl_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    ck_assert(!pl_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    ck_assert(!pl_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
    ck_assert(!pl_utf8_valid("\xf0\x80\x80\xaf", 4)); /* overlong */
    ck_assert(!pl_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    ck_assert(!pl_utf8_valid("\xe6\x9d", 2));         /* truncated */
    ck_assert(!pl_utf8_valid("\x80", 1));             /* lone continuation */
    ck_assert(!pl_utf8_valid("\xff", 1));
    ck_assert(!pl_utf8_valid("\x93\x8c\x8b\x9e", 4)); /* Shift_JIS 東京 */
}
END_TEST

START_TEST(test_read_file)
{
    char dir[] = "/tmp/cfgutil-XXXXXX";
    char path[256], fifo[256], err[256];
    config_t cfg;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.cfg", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("a = 1;\nb = ;\n", f);
    fclose(f);
    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_file(&cfg, path, 1024, "a.cfg", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "a.cfg:2: error:"), "%s", err);
    config_destroy(&cfg);
    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_file(&cfg, path, 5, "a.cfg", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "a.cfg: error:") && strstr(err, "more than the 5"), "%s", err);
    config_destroy(&cfg);
    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_file(&cfg, dir, 1024, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    config_destroy(&cfg);
    snprintf(fifo, sizeof fifo, "%s/fifo.cfg", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_file(&cfg, fifo, 1024, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    config_destroy(&cfg);
    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_file(&cfg, "/nonexistent/x.cfg", 1024, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/x.cfg: error: cannot open"), "%s", err);
    config_destroy(&cfg);
    unlink(fifo);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* Parses "x = { ITEM };" and the item in it. */
static int item(const char *body, struct pl_item *it, char *err, size_t errlen)
{
    char text[8192];
    config_t cfg;
    int r;

    snprintf(text, sizeof text, "\n\nx = {\n%s\n};\n", body);
    config_init(&cfg);
    r = pl_cfg_read_text(&cfg, text, strlen(text), "c.cfg", err, errlen);
    ck_assert_msg(r == 0, "%s", err);
    r = pl_cfg_item_parse(config_lookup(&cfg, "x"), "c.cfg", 10000, it, err, errlen);
    config_destroy(&cfg);
    return r;
}

START_TEST(test_item_good)
{
    struct pl_item it;
    char err[512];

    ck_assert_int_eq(item("type = \"image\"; file = \"kochi/牧野 博士.jpg\"; duration = 15;", &it,
                          err, sizeof err),
                     0);
    ck_assert_int_eq(it.type, PL_ITEM_IMAGE);
    ck_assert_str_eq(it.file, "kochi/牧野 博士.jpg");
    ck_assert_int_eq(it.duration_ms, 15000);
    ck_assert_int_eq(it.line, 3);
    ck_assert_ptr_null(it.text);
    ck_assert_uint_eq(it.background, 0x0b2545);
    pl_item_clear(&it);

    ck_assert_int_eq(item("type = \"video\"; file = \"kochi/expo.mp4\";", &it, err, sizeof err), 0);
    ck_assert_int_eq(it.type, PL_ITEM_VIDEO);
    ck_assert_int_eq(it.duration_ms, 0);
    pl_item_clear(&it);

    ck_assert_int_eq(item("type = \"text\"; text = \"牧野博士の新休日\\nらんまんの舞台・高知\";"
                          " duration = 7.25; background = \"#1b5e20\"; color = \"#fff\";",
                          &it, err, sizeof err),
                     0);
    ck_assert_int_eq(it.type, PL_ITEM_TEXT);
    ck_assert_str_eq(it.text, "牧野博士の新休日\nらんまんの舞台・高知");
    ck_assert_int_eq(it.duration_ms, 7250);
    ck_assert_uint_eq(it.background, 0x1b5e20);
    ck_assert_uint_eq(it.color, 0xffffff);
    ck_assert_ptr_null(it.file);
    pl_item_clear(&it);

    ck_assert_int_eq(item("type = \"text\"; text = \"東京都\";", &it, err, sizeof err), 0);
    ck_assert_int_eq(it.duration_ms, 10000);
    ck_assert_uint_eq(it.background, 0x0b2545);
    ck_assert_uint_eq(it.color, 0xffffff);
    pl_item_clear(&it);
}
END_TEST

struct bad_item {
    const char *body;
    const char *want1, *want2;
};

START_TEST(test_item_bad)
{
    static const struct bad_item cases[] = {
        {"type = \"image\"; file = \"a.jpg\"; durat1on = 5;", "c.cfg:4:", "'durat1on'"},
        {"type = \"image\"; file = \"a.jpg\"; colour = \"#fff\";", "type, file, text", "colour"},
        {"file = \"a.jpg\";", "c.cfg:3:", "no 'type'"},
        {"type = \"audio\"; file = \"a.mp3\";", "c.cfg:4:", "\"audio\""},
        {"type = 1; file = \"a.jpg\";", "'type'", "a string"},
        {"type = \"image\";", "c.cfg:3:", "needs 'file'"},
        {"type = \"image\"; file = \"\";", "'file'", "empty"},
        {"type = \"image\"; file = \"/etc/passwd\";", "c.cfg:4:", "relative"},
        {"type = \"image\"; file = \"../x.jpg\";", "'file'", ".."},
        {"type = \"image\"; file = \"a/../../x.jpg\";", "'file'", ".."},
        {"type = \"image\"; file = \"a/..\";", "'file'", ".."},
        {"type = \"image\"; file = \"a\\tb.jpg\";", "'file'", "control"},
        {"type = \"image\"; file = \"a.jpg\"; text = \"x\";", "'text'", "\"text\""},
        {"type = \"video\"; file = \"a.mp4\"; color = \"#fff\";", "'color'", "remove"},
        {"type = \"text\"; file = \"a.jpg\"; text = \"x\";", "'file'", "text item"},
        {"type = \"text\";", "c.cfg:3:", "needs 'text'"},
        {"type = \"text\"; text = \"\";", "'text'", "empty"},
        {"type = \"text\"; text = \" \\n \";", "'text'", "blank"},
        {"type = \"text\"; text = \"\xe3\x80\x80\xe3\x80\x80\\n\xe3\x80\x80\";", "'text'",
         "full-width"},
        {"type = \"text\"; text = \"\xc2\xa0\xe2\x80\x83\xe2\x80\x8b\";", "'text'", "blank"},
        {"type = \"text\"; text = \"\xe3\x80\x80高知\xe3\x80\x80\";", NULL, NULL},
        {"type = \"text\"; text = \"\xe2\x80\x8bx\";", NULL, NULL},
        {"type = \"text\"; text = \"a\\x01b\";", "'text'", "0x01"},
        {"type = \"text\"; text = \"\\xe6\\x9d\";", "'text'", "UTF-8"},
        {"type = \"text\"; text = \"x\"; duration = 0;", "'duration'", "between 1.000"},
        {"type = \"text\"; text = \"x\"; duration = -5;", "'duration'", "-5 seconds"},
        {"type = \"text\"; text = \"x\"; duration = 0.5;", "'duration'", "between"},
        {"type = \"text\"; text = \"x\"; duration = 86401;", "'duration'", "86400.000"},
        {"type = \"text\"; text = \"x\"; duration = 1e300;", "'duration'", "between"},
        {"type = \"text\"; text = \"x\"; duration = \"10\";", "'duration'", "a string"},
        {"type = \"text\"; text = \"x\"; duration = 10L;", NULL, NULL},
        {"type = \"text\"; text = \"x\"; background = \"green\";", "'background'", "#rrggbb"},
        {"type = \"text\"; text = \"x\"; color = \"#12345g\";", "'color'", "#rrggbb"},
        {"type = \"text\"; text = \"x\"; color = [1];", "'color'", "an array"},
        {"type = \"text\"; text = \"x\"; sub = { a = 1; };", "'sub'", "known"},
    };
    struct pl_item it;
    char err[512];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = item(cases[i].body, &it, err, sizeof err);
        if (!cases[i].want1) {
            ck_assert_msg(r == 0, "case %zu: %s", i, err);
            pl_item_clear(&it);
            continue;
        }
        ck_assert_msg(r == -1, "case %zu accepted: %s", i, cases[i].body);
        ck_assert_msg(strstr(err, cases[i].want1) && strstr(err, cases[i].want2), "case %zu: %s", i,
                      err);
        ck_assert_msg(strncmp(err, "c.cfg:", 6) == 0 && strstr(err, ": error: "), "case %zu: %s", i,
                      err);
        ck_assert_ptr_null(it.file);
        ck_assert_ptr_null(it.text);
    }
}
END_TEST

START_TEST(test_item_text_limits)
{
    char *body = malloc(PL_TEXT_MAX + 100);
    struct pl_item it;
    char err[512];
    size_t k;

    ck_assert_ptr_nonnull(body);
    k = (size_t)sprintf(body, "type = \"text\"; text = \"");
    memset(body + k, 'a', PL_TEXT_MAX);
    strcpy(body + k + PL_TEXT_MAX, "\";");
    ck_assert_int_eq(item(body, &it, err, sizeof err), 0);
    pl_item_clear(&it);
    k = (size_t)sprintf(body, "type = \"text\"; text = \"");
    memset(body + k, 'a', PL_TEXT_MAX + 1);
    strcpy(body + k + PL_TEXT_MAX + 1, "\";");
    ck_assert_int_eq(item(body, &it, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "4097 bytes"), "%s", err);
    free(body);

    /* Not a group at all. */
    {
        config_t cfg;
        config_init(&cfg);
        ck_assert_int_eq(pl_cfg_read_text(&cfg, "x = 5;", 6, "c.cfg", err, sizeof err), 0);
        ck_assert_int_eq(
            pl_cfg_item_parse(config_lookup(&cfg, "x"), "c.cfg", 10000, &it, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "c.cfg:1:") && strstr(err, "group"), "%s", err);
        ck_assert_int_eq(pl_cfg_item_parse(NULL, "c.cfg", 10000, &it, err, sizeof err), -1);
        config_destroy(&cfg);
    }
}
END_TEST

START_TEST(test_seconds)
{
    config_t cfg;
    char err[256];
    pl_ms ms = -1;
    const char *text = "a = 1.0005; b = 1; c = \"x\"; d = 2.9999;";

    config_init(&cfg);
    ck_assert_int_eq(pl_cfg_read_text(&cfg, text, strlen(text), "t.cfg", err, sizeof err), 0);
    ck_assert_int_eq(
        pl_cfg_seconds(config_root_setting(&cfg), "a", "t.cfg", 1000, 5000, &ms, err, sizeof err),
        0);
    ck_assert_int_eq(ms, 1001);
    ck_assert_int_eq(
        pl_cfg_seconds(config_root_setting(&cfg), "d", "t.cfg", 1000, 5000, &ms, err, sizeof err),
        0);
    ck_assert_int_eq(ms, 3000);
    ck_assert_int_eq(
        pl_cfg_seconds(config_root_setting(&cfg), "b", "t.cfg", 2000, 5000, &ms, err, sizeof err),
        -1);
    ck_assert_int_eq(
        pl_cfg_seconds(config_root_setting(&cfg), "zz", "t.cfg", 2000, 5000, &ms, err, sizeof err),
        1);
    ck_assert_int_eq(
        pl_cfg_seconds(config_root_setting(&cfg), "c", "t.cfg", 2000, 5000, &ms, err, sizeof err),
        -1);
    config_destroy(&cfg);
}
END_TEST

/* Names that are not UTF-8 are shown with their bytes escaped. */
START_TEST(test_printable_names)
{
    char buf[UTF8_PRINTABLE_NAME], small[8];

    ck_assert_str_eq(utf8_printable("高知 expo.cfg", buf, sizeof buf), "高知 expo.cfg");
    /* Shift_JIS 東京 */
    ck_assert_str_eq(utf8_printable("\x93\x8c\x8b\x9e.cfg", buf, sizeof buf),
                     "\\x93\\x8c\\x8b\\x9e.cfg");
    ck_assert_str_eq(utf8_printable("a\nb\\c\x7f", buf, sizeof buf), "a\\x0ab\\\\c\\x7f");
    ck_assert(utf8_valid(buf, strlen(buf)));
    /* Cut at a character boundary, never inside an escape or a character. */
    ck_assert_str_eq(utf8_printable("ab高知", small, sizeof small), "ab高");
    ck_assert_str_eq(utf8_printable("a\xff\xff", small, sizeof small), "a\\xff");
    ck_assert_uint_eq(utf8_seq_len("\xe9\xab\x98", 3), 3);
    ck_assert_uint_eq(utf8_seq_len("\xe9\xab", 2), 0);
    ck_assert(pl_cfg_blank("\xef\xbb\xbf \r\n", 6));
    ck_assert(!pl_cfg_blank(" x", 2));
}
END_TEST

/* utf8_decode and utf8_encode: every length round-trips; overlongs,
 * surrogates, values past U+10FFFF and cut sequences are refused. */
START_TEST(test_utf8_codec)
{
    static const uint32_t cps[] = {0x41, 0xe9, 0x3042, 0xff5e, 0x20bb7, 0x1f338, 0x10ffff};
    static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xe3\x81", "\x80",         "\xff"};
    char buf[4];
    uint32_t c = 0;

    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        size_t n = utf8_encode(cps[i], buf);
        ck_assert_uint_ge(n, 1);
        ck_assert_uint_le(n, 4);
        ck_assert_uint_eq(utf8_decode(buf, n, &c), n);
        ck_assert_uint_eq(c, cps[i]);
        ck_assert_uint_eq(utf8_decode(buf, n - 1, &c), 0); /* cut short */
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_uint_eq(utf8_decode(bad[i], strlen(bad[i]), &c), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("cfgutil");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_bom_crlf);
    tcase_add_test(tc, test_nul_and_utf8);
    tcase_add_test(tc, test_include_refused);
    tcase_add_test(tc, test_syntax_messages);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_hostile_sizes);
    tcase_add_test(tc, test_utf8_valid);
    tcase_add_test(tc, test_read_file);
    tcase_add_test(tc, test_item_good);
    tcase_add_test(tc, test_item_bad);
    tcase_add_test(tc, test_item_text_limits);
    tcase_add_test(tc, test_seconds);
    tcase_add_test(tc, test_printable_names);
    tcase_add_test(tc, test_utf8_codec);
    suite_add_tcase(s, tc);
    return s;
}
