/* Tests for scheduler/campaign.c (SPEC section 4) and common/safeopen.c:
 * the SPEC example, Windows-made files, and a corpus of broken and hostile
 * campaign files, each checked for the file, line and what is wrong. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safeopen.h"
#include "common/strbuf.h"
#include "playlists/config.h"
#include "scheduler/campaign.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];
static struct pl_config *cfg;

static void write_file(const char *rel, const char *text, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void setup(void)
{
    static const char conf[] =
        "screens = (\n"
        "  { id = \"shinjuku-west-plaza\"; groups = [ \"shinjuku-west\", \"tokyo\" ];\n"
        "    width = 1920; height = 1080; },\n"
        "  { id = \"shinjuku-west-4gou\"; groups = [ \"shinjuku-west\", \"tokyo\" ];\n"
        "    width = 1080; height = 1920; rotate = 90; }\n"
        ");\n";
    char path[128], err[1024];

    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_campaign.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    write_file("signage.cfg", conf, sizeof conf - 1);
    snprintf(path, sizeof path, "%s/signage.cfg", tmpdir);
    cfg = pl_config_load(path, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
}

static void teardown(void)
{
    char cmd[128];

    pl_config_free(cfg);
    cfg = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static struct pl_campaign *parse(const char *text, char *err, size_t errlen)
{
    return sched_campaign_parse(text, strlen(text), "spool/x.cfg", cfg, err, errlen);
}

static int count_lines(const char *s)
{
    int n = *s ? 1 : 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Asserts that ERR has a line starting with PREFIX and containing WHAT. */
#define assert_line(err, prefix, what) assert_line_at(err, prefix, what, __LINE__)
static void assert_line_at(const char *err, const char *prefix, const char *what, int at)
{
    const char *p = err;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[2048];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        if (strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, what))
            return;
        p = nl ? nl + 1 : NULL;
    }
    ck_abort_msg("line %d: no line '%s...%s' in:\n%s", at, prefix, what, err);
}

#define SPEC_EXAMPLE                                                                                               \
    "id       = \"kochi-makino-expo\";\n"                                                                          \
    "title    = \"高知県観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」\";\n" \
    "owner    = \"高知県\";\n"                                                                                  \
    "start    = \"2023-03-01\";\n"                                                                                 \
    "end      = \"2023-03-31\";\n"                                                                                 \
    "screens  = [ \"shinjuku-west\" ];\n"                                                                          \
    "priority = 50;\n"                                                                                             \
    "weight   = 1;\n"                                                                                              \
    "hours    = ( { days = [ \"mon\", \"tue\", \"wed\", \"thu\", \"fri\" ]; from = \"07:00\"; "                    \
    "to = \"22:00\"; } );\n"                                                                                       \
    "items = (\n"                                                                                                  \
    "  { type = \"image\"; file = \"kochi/makino.jpg\"; duration = 15; },\n"                                       \
    "  { type = \"video\"; file = \"kochi/expo.mp4\"; },\n"                                                        \
    "  { type = \"text\";  text = \"牧野博士の新休日\\nらんまんの舞台・高知\"; duration = 10;\n" \
    "    background = \"#1b5e20\"; color = \"#ffffff\"; }\n"                                                       \
    ");\n"

static void check_spec_example(const struct pl_campaign *c)
{
    ck_assert_str_eq(c->id, "kochi-makino-expo");
    ck_assert_str_eq(c->owner, "高知県");
    ck_assert_str_eq(c->title, "高知県観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」");
    /* 2023-03-01T00:00+09:00 and the end of 2023-03-31 in Tokyo. */
    ck_assert_int_eq(c->start, INT64_C(1677596400000));
    ck_assert_int_eq(c->end, INT64_C(1680274800000));
    ck_assert_int_eq(c->priority, 50);
    ck_assert_int_eq(c->weight, 1);
    ck_assert_uint_eq(c->nscreens, 1);
    ck_assert_str_eq(c->screens[0], "shinjuku-west");
    ck_assert_uint_eq(c->nhours, 1);
    ck_assert_uint_eq(c->hours[0].days, 0x3e);
    ck_assert_int_eq(c->hours[0].from_min, 7 * 60);
    ck_assert_int_eq(c->hours[0].to_min, 22 * 60);
    ck_assert_uint_eq(c->nitems, 3);
    ck_assert_int_eq(c->items[0].type, PL_ITEM_IMAGE);
    ck_assert_str_eq(c->items[0].file, "kochi/makino.jpg");
    ck_assert_int_eq(c->items[0].duration_ms, 15000);
    ck_assert_int_eq(c->items[0].line, 11);
    ck_assert_int_eq(c->items[1].type, PL_ITEM_VIDEO);
    ck_assert_int_eq(c->items[1].duration_ms, 0);
    ck_assert_int_eq(c->items[1].line, 12);
    ck_assert_int_eq(c->items[2].type, PL_ITEM_TEXT);
    ck_assert_str_eq(c->items[2].text, "牧野博士の新休日\nらんまんの舞台・高知");
    ck_assert_uint_eq(c->items[2].background, 0x1b5e20);
}

START_TEST(test_spec_example)
{
    char err[4096] = "";
    struct pl_campaign *c = parse(SPEC_EXAMPLE, err, sizeof err);

    ck_assert_msg(c != NULL, "%s", err);
    check_spec_example(c);
    ck_assert_str_eq(c->source, "spool/x.cfg");
    pl_campaign_free(c);
}
END_TEST

/* What Windows tools write: a BOM and CRLF line ends. */
START_TEST(test_bom_crlf)
{
    struct strbuf sb = STRBUF_INIT;
    char err[4096] = "";
    struct pl_campaign *c;

    sb_puts(&sb, "\xef\xbb\xbf");
    for (const char *p = SPEC_EXAMPLE; *p; p++) {
        if (*p == '\n')
            sb_putc(&sb, '\r');
        sb_putc(&sb, *p);
    }
    c = sched_campaign_parse(sb_str(&sb), sb.len, "spool/x.cfg", cfg, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    check_spec_example(c);
    pl_campaign_free(c);
    sb_free(&sb);
}
END_TEST

START_TEST(test_defaults_and_targets)
{
    char err[4096] = "";
    struct pl_campaign *c = parse("id = \"tokyo-wood-2023\"; title = \"WOODコレクション2023\";\n"
                                  "owner = \"東京都\"; start = \"2023-01-10T09:30\";\n"
                                  "end = \"2023-01-10T18:00:00+09:00\";\n"
                                  "screens = ( \"tokyo\", \"*\", \"tokyo\", "
                                  "\"shinjuku-west-4gou\" );\n"
                                  "hours = ( { days = [ \"sat\", \"sun\" ]; from = \"00:00\"; "
                                  "to = \"24:00\"; },\n"
                                  "          { days = [ \"fri\" ]; from = \"22:00\"; "
                                  "to = \"06:00\"; } );\n"
                                  "items = ( { type = \"text\"; text = \"木\"; } );\n",
                                  err, sizeof err);

    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(c->priority, 50);
    ck_assert_int_eq(c->weight, 1);
    ck_assert_int_eq(c->end - c->start, 8 * 3600000 + 30 * 60000);
    ck_assert_uint_eq(c->nscreens, 3); /* "tokyo" twice is kept once */
    ck_assert_uint_eq(c->nhours, 2);
    ck_assert_uint_eq(c->hours[0].days, 0x41);
    ck_assert_int_eq(c->hours[0].to_min, 1440);
    ck_assert_int_eq(c->hours[1].from_min, 1320);
    ck_assert_int_eq(c->hours[1].to_min, 360);
    ck_assert_int_eq(c->items[0].duration_ms, cfg->default_duration_ms);
    pl_campaign_free(c);
}
END_TEST

/* One file with many problems: every one is reported, with its line. */
START_TEST(test_all_problems_reported)
{
    char err[8192] = "";
    struct pl_campaign *c = parse("id = \"Kochi Expo\";\n"                                 /* 1 */
                                  "titel = \"typo\";\n"                                    /* 2 */
                                  "owner = \"\";\n"                                        /* 3 */
                                  "start = \"2023-02-30\";\n"                              /* 4 */
                                  "end = \"2023-03-31\";\n"                                /* 5 */
                                  "screens = [ \"shinjuku-east\", \"tokyo\" ];\n"          /* 6 */
                                  "priority = 101;\n"                                      /* 7 */
                                  "weight = 0;\n"                                          /* 8 */
                                  "hours = ( { days = [ \"mon\", \"mon\", \"funday\" ];\n" /* 9 */
                                  "  from = \"07:00\"; to = \"07:00\"; },\n"               /* 10 */
                                  "  { days = [ \"tue\" ]; from = \"25:00\"; to = \"08:00\";\n"
                                  "    extra = 1; } );\n"                                /* 12 */
                                  "items = ( { type = \"audio\"; file = \"a.mp3\"; },\n" /* 13 */
                                  "  { type = \"image\"; file = \"/etc/passwd\"; },\n"   /* 14 */
                                  "  { type = \"image\"; file = \"../x.jpg\"; } );\n",   /* 15 */
                                  err, sizeof err);

    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:1: error: ", "Kochi Expo");
    assert_line(err, "spool/x.cfg:2: error: ", "unknown setting 'titel'; did you mean 'title'");
    assert_line(err, "spool/x.cfg", "missing setting 'title'");
    assert_line(err, "spool/x.cfg:3: error: ", "owner");
    assert_line(err, "spool/x.cfg:4: error: ", "2023-02-30");
    assert_line(err, "spool/x.cfg:6: error: ", "unknown screen or group 'shinjuku-east'");
    assert_line(err, "spool/x.cfg:6: error: ", "shinjuku-west-plaza");
    assert_line(err, "spool/x.cfg:7: error: ", "priority");
    assert_line(err, "spool/x.cfg:8: error: ", "weight");
    assert_line(err, "spool/x.cfg:9: error: ", "'mon' is listed twice");
    assert_line(err, "spool/x.cfg:9: error: ", "'funday' is not a weekday");
    assert_line(err, "spool/x.cfg:11: error: ", "25:00");
    assert_line(err, "spool/x.cfg:12: error: ", "unknown setting 'extra' in a daypart");
    assert_line(err, "spool/x.cfg:13: error: ", "audio");
    assert_line(err, "spool/x.cfg:14: error: ", "/etc/passwd");
    assert_line(err, "spool/x.cfg:15: error: ", "..");
    ck_assert_int_ge(count_lines(err), 15);
    /* The daypart whose days were bad still reports nothing about from == to
     * (it was skipped), but a clean one does. */
    c = parse("id = \"a\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
              "end = \"2023-03-01\"; screens = [ \"*\" ];\n"
              "hours = ( { days = [ \"mon\" ]; from = \"07:00\"; to = \"07:00\"; } );\n"
              "items = ( { type = \"text\"; text = \"x\"; } );\n",
              err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:3: error: ", "from and to are the same time");
    ck_assert_int_eq(count_lines(err), 1);
}
END_TEST

START_TEST(test_end_before_start)
{
    char err[2048] = "";
    struct pl_campaign *c = parse("id = \"a\"; title = \"t\"; owner = \"o\";\n"
                                  "start = \"2023-03-31\";\n"
                                  "end = \"2023-03-01\";\n"
                                  "screens = [ \"*\" ]; items = ( { type = \"text\"; "
                                  "text = \"x\"; } );\n",
                                  err, sizeof err);

    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:3: error: ", "is not after start");
    ck_assert_int_eq(count_lines(err), 1);
    /* A date-time end equal to start is empty too; a date end equal to a
     * date start is a whole day and fine. */
    c = parse("id = \"a\"; title = \"t\"; owner = \"o\";\n"
              "start = \"2023-03-01T10:00\"; end = \"2023-03-01T10:00\";\n"
              "screens = [ \"*\" ]; items = ( { type = \"text\"; text = \"x\"; } );\n",
              err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:2: error: ", "is not after start");
    c = parse("id = \"a\"; title = \"t\"; owner = \"o\";\n"
              "start = \"2023-03-01\"; end = \"2023-03-01\";\n"
              "screens = [ \"*\" ]; items = ( { type = \"text\"; text = \"x\"; } );\n",
              err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(c->end - c->start, 86400000);
    pl_campaign_free(c);
}
END_TEST

START_TEST(test_wrong_types)
{
    char err[8192] = "";
    struct pl_campaign *c = parse("id = 5;\n"
                                  "title = [ \"a\" ];\n"
                                  "owner = \"o\";\n"
                                  "start = 20230301;\n"
                                  "end = \"2023-03-31\";\n"
                                  "screens = \"tokyo\";\n"
                                  "priority = \"high\";\n"
                                  "weight = 1.5;\n"
                                  "hours = \"all day\";\n"
                                  "items = { type = \"text\"; text = \"x\"; };\n",
                                  err, sizeof err);

    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:1: error: ", "id");
    assert_line(err, "spool/x.cfg:2: error: ", "title");
    assert_line(err, "spool/x.cfg:4: error: ", "start");
    assert_line(err, "spool/x.cfg:6: error: ", "screens must be a list");
    assert_line(err, "spool/x.cfg:7: error: ", "priority");
    assert_line(err, "spool/x.cfg:8: error: ", "weight");
    assert_line(err, "spool/x.cfg:9: error: ", "hours must be a list");
    assert_line(err, "spool/x.cfg:10: error: ", "items must be a list");
    /* Lists that hold the wrong things. */
    c = parse("id = \"a\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
              "end = \"2023-03-31\"; screens = [ 1, 2 ];\n"
              "hours = ( \"mon\", { days = \"mon\"; from = \"07:00\"; to = \"08:00\"; } );\n"
              "items = ( \"x.jpg\", 5 );\n",
              err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:2: error: ", "screens entry 1 is not a string");
    assert_line(err, "spool/x.cfg:3: error: ", "daypart 1 is not a group");
    assert_line(err, "spool/x.cfg:3: error: ", "days must be a non-empty list");
    assert_line(err, "spool/x.cfg:4: error: ", "item 1 is not a group");
    assert_line(err, "spool/x.cfg:4: error: ", "item 2 is not a group");
}
END_TEST

START_TEST(test_missing_and_empty)
{
    char err[8192] = "";
    struct pl_campaign *c = parse("# only a comment\r\n", err, sizeof err);

    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'id'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'title'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'owner'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'start'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'end'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'screens'");
    assert_line(err, "spool/x.cfg: error: ", "missing setting 'items'");
    ck_assert_int_eq(count_lines(err), 7);
    c = sched_campaign_parse(NULL, 0, NULL, cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    c = parse("id = \"a\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
              "end = \"2023-03-31\"; screens = [ ];\n hours = ( );\n items = ( );\n",
              err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:2: error: ", "screens is empty");
    assert_line(err, "spool/x.cfg:3: error: ", "hours is empty");
    assert_line(err, "spool/x.cfg:4: error: ", "items is empty");
}
END_TEST

START_TEST(test_syntax_and_encoding)
{
    char err[2048] = "";
    struct pl_campaign *c;
    static const char nul[] = "id = \"a\";\n\0title = \"t\";\n";

    c = parse("id = \"a\";\ntitle = \"unterminated;\nowner = \"o\";\n", err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_msg(strncmp(err, "spool/x.cfg:", 12) == 0 && strstr(err, ": error: "), "%s", err);
    c = parse("id = \"a\"\ntitle = \"t\";\n", err, sizeof err); /* missing ';' is fine... */
    pl_campaign_free(c);
    c = parse("id == \"a\";\n", err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:1: error: ", "");
    /* Shift_JIS for 高知 is not UTF-8. */
    c = parse("id = \"a\";\ntitle = \"\x8d\x82\x92\x6d\";\n", err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:2: error: ", "UTF-8");
    c = sched_campaign_parse(nul, sizeof nul - 1, "spool/x.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:2: error: ", "NUL");
    /* @include must not make us read another file. */
    c = parse("@include \"/etc/passwd\"\n", err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert(strstr(err, "spool/x.cfg") == err);
    ck_assert(strstr(err, "root:") == NULL);
    /* A title with a line break would break every one-line report. */
    c = parse("id = \"a\"; title = \"two\\nlines\"; owner = \"o\"; start = \"2023-03-01\";\n"
              "end = \"2023-03-31\"; screens = [ \"*\" ];\n"
              "items = ( { type = \"text\"; text = \"x\"; } );\n",
              err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "spool/x.cfg:1: error: ", "title contains a line break");
}
END_TEST

START_TEST(test_absurd_sizes)
{
    struct strbuf sb = STRBUF_INIT;
    char err[16384] = "";
    struct pl_campaign *c;

    /* 201 items. */
    sb_puts(&sb, "id = \"a\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
                 "end = \"2023-03-31\"; screens = [ \"*\" ];\nitems = (\n");
    for (int i = 0; i < 201; i++)
        sb_printf(&sb, "%s{ type = \"text\"; text = \"%d\"; }\n", i ? "," : "", i);
    sb_puts(&sb, ");\n");
    c = sched_campaign_parse(sb_str(&sb), sb.len, "big.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "big.cfg:3: error: ", "items has 201 entries; at most 200");
    /* 200 are fine. */
    sb_reset(&sb);
    sb_puts(&sb, "id = \"a\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
                 "end = \"2023-03-31\"; screens = [ \"*\" ];\nitems = (\n");
    for (int i = 0; i < 200; i++)
        sb_printf(&sb, "%s{ type = \"text\"; text = \"%d\"; }\n", i ? "," : "", i);
    sb_puts(&sb, ");\n");
    c = sched_campaign_parse(sb_str(&sb), sb.len, "big.cfg", cfg, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(c->nitems, 200);
    pl_campaign_free(c);
    /* A 300-byte title. */
    sb_reset(&sb);
    sb_puts(&sb, "id = \"a\"; title = \"");
    for (int i = 0; i < 100; i++)
        sb_puts(&sb, "高");
    sb_puts(&sb, "\"; owner = \"o\"; start = \"2023-03-01\"; end = \"2023-03-31\";\n"
                 "screens = [ \"*\" ]; items = ( { type = \"text\"; text = \"x\"; } );\n");
    c = sched_campaign_parse(sb_str(&sb), sb.len, "big.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "big.cfg:1: error: ", "title is 300 bytes long");
    /* 80 unknown settings: the report stops at 50 lines and says so. */
    sb_reset(&sb);
    for (int i = 0; i < 80; i++)
        sb_printf(&sb, "bogus%d = %d;\n", i, i);
    c = sched_campaign_parse(sb_str(&sb), sb.len, "big.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(count_lines(err), SCHED_CAMPAIGN_MAX_ERRORS);
    assert_line(err, "big.cfg:49: error: ", "unknown setting 'bogus48'");
    assert_line(err, "big.cfg: error: ", "more problems not shown");
    /* Deep nesting. */
    sb_reset(&sb);
    sb_puts(&sb, "items = ");
    for (int i = 0; i < 5000; i++)
        sb_putc(&sb, '(');
    for (int i = 0; i < 5000; i++)
        sb_putc(&sb, ')');
    sb_puts(&sb, ";\n");
    c = sched_campaign_parse(sb_str(&sb), sb.len, "deep.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, "deep.cfg", 8) == 0);
    /* A huge integer and a huge number of dayparts. */
    c = parse("priority = 99999999999999999999; weight = -9223372036854775808;\n", err, sizeof err);
    ck_assert_ptr_null(c);
    sb_free(&sb);
}
END_TEST

/* Small error buffers: cut at a line boundary, never overrun. */
START_TEST(test_small_err_buffer)
{
    char err[80];
    struct pl_campaign *c;

    memset(err, 'X', sizeof err);
    c = sched_campaign_parse("# c\n", 4, "spool/x.cfg", cfg, err, 60);
    ck_assert_ptr_null(c);
    ck_assert_uint_lt(strlen(err), 60);
    ck_assert_int_eq(err[60], 'X');
    ck_assert(strncmp(err, "spool/x.cfg: error: missing setting 'id'", 40) == 0);
    ck_assert(strchr(err, '\n') == NULL);
    c = sched_campaign_parse("", 0, "spool/x.cfg", cfg, NULL, 0);
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_load)
{
    char err[4096] = "", big[256], path[512];
    struct pl_campaign *c;
    int dirfd, fd;

    ck_assert_int_eq(mkdir(strcat(strcpy(path, tmpdir), "/spool"), 0755), 0);
    ck_assert_int_eq(mkdir(strcat(strcpy(path, tmpdir), "/spool/高知 県"), 0755), 0);
    write_file("spool/高知 県/牧野 博士.cfg", SPEC_EXAMPLE, strlen(SPEC_EXAMPLE));
    write_file("outside.cfg", SPEC_EXAMPLE, strlen(SPEC_EXAMPLE));
    snprintf(path, sizeof path, "%s/spool", tmpdir);
    dirfd = open(path, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dirfd, 0);

    c = sched_campaign_load(dirfd, "高知 県/牧野 博士.cfg", "牧野 博士.cfg", cfg, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_str_eq(c->source, "牧野 博士.cfg");
    check_spec_example(c);
    pl_campaign_free(c);

    /* A symlink inside is followed; one out of the spool is refused. */
    ck_assert_int_eq(symlinkat("高知 県/牧野 博士.cfg", dirfd, "in.cfg"), 0);
    c = sched_campaign_load(dirfd, "in.cfg", "in.cfg", cfg, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    pl_campaign_free(c);
    ck_assert_int_eq(symlinkat("../outside.cfg", dirfd, "out.cfg"), 0);
    c = sched_campaign_load(dirfd, "out.cfg", "out.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "out.cfg: error: ", "leads outside");
    c = sched_campaign_load(dirfd, "../outside.cfg", "x.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "x.cfg: error: ", "'..'");
    snprintf(path, sizeof path, "%s/outside.cfg", tmpdir);
    c = sched_campaign_load(dirfd, path, "x.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "x.cfg: error: ", "absolute path");

    /* A FIFO is refused at once, without waiting for a writer. */
    ck_assert_int_eq(mkfifoat(dirfd, "fifo.cfg", 0644), 0);
    c = sched_campaign_load(dirfd, "fifo.cfg", "fifo.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "fifo.cfg: error: ", "not a regular file");
    ck_assert_int_eq(mkdirat(dirfd, "dir.cfg", 0755), 0);
    c = sched_campaign_load(dirfd, "dir.cfg", "dir.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "dir.cfg: error: ", "directory");
    c = sched_campaign_load(dirfd, "nothere.cfg", "nothere.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    assert_line(err, "nothere.cfg: error: ", "does not exist");

    /* More than 1 MiB. */
    fd = openat(dirfd, "big.cfg", O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, SCHED_CAMPAIGN_MAX_BYTES + 1), 0);
    close(fd);
    c = sched_campaign_load(dirfd, "big.cfg", "big.cfg", cfg, err, sizeof err);
    ck_assert_ptr_null(c);
    snprintf(big, sizeof big, "%d bytes", SCHED_CAMPAIGN_MAX_BYTES + 1);
    assert_line(err, "big.cfg: error: ", big);
    close(dirfd);
}
END_TEST

/* safeopen directly, including the no-openat2 fallback. */
START_TEST(test_safeopen)
{
    char err[512], path[512];
    int dirfd, fd;
    struct stat st;
    int (*fns[2])(int, const char *, uint64_t, struct stat *, char *,
                  size_t) = {safeopen_read, safeopen_read_walk};

    snprintf(path, sizeof path, "%s/base", tmpdir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_eq(mkdir(strcat(path, "/sub dir"), 0755), 0);
    write_file("base/sub dir/画像 1.jpg", "hello", 5);
    write_file("secret", "secret", 6);
    snprintf(path, sizeof path, "%s/base", tmpdir);
    dirfd = open(path, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dirfd, 0);
    ck_assert_int_eq(symlinkat("../secret", dirfd, "out"), 0);
    ck_assert_int_eq(symlinkat("sub dir", dirfd, "linkdir"), 0);
    ck_assert_int_eq(symlinkat("/proc/self/root/etc/passwd", dirfd, "abs"), 0);

    for (int k = 0; k < 2; k++) {
        fd = fns[k](dirfd, "sub dir/画像 1.jpg", 100, &st, err, sizeof err);
        ck_assert_msg(fd >= 0, "%s", err);
        ck_assert_int_eq(st.st_size, 5);
        close(fd);
        fd = fns[k](dirfd, "./sub dir//画像 1.jpg", 100, NULL, err, sizeof err);
        ck_assert_msg(fd >= 0, "%s", err);
        close(fd);
        ck_assert_int_eq(fns[k](dirfd, "sub dir/画像 1.jpg", 4, NULL, err, sizeof err), -EFBIG);
        ck_assert_int_eq(fns[k](dirfd, "", 100, NULL, err, sizeof err), -EINVAL);
        ck_assert_int_eq(fns[k](dirfd, NULL, 100, NULL, err, sizeof err), -EINVAL);
        ck_assert_int_eq(fns[k](dirfd, "/etc/passwd", 100, NULL, err, sizeof err), -EINVAL);
        ck_assert_int_eq(fns[k](dirfd, "sub dir/../../secret", 100, NULL, err, sizeof err),
                         -EINVAL);
        ck_assert_int_eq(fns[k](dirfd, "sub dir/..", 100, NULL, err, sizeof err), -EINVAL);
        ck_assert_int_eq(fns[k](dirfd, "sub dir", 100, NULL, err, sizeof err), -EISDIR);
        ck_assert_int_eq(fns[k](dirfd, "nothere/x", 100, NULL, err, sizeof err), -ENOENT);
        ck_assert_int_eq(fns[k](dirfd, "sub dir/画像 1.jpg/x", 100, NULL, err, sizeof err),
                         -ENOTDIR);
        fd = fns[k](dirfd, "out", 100, NULL, err, sizeof err);
        ck_assert_int_lt(fd, 0);
        fd = fns[k](dirfd, "abs", 100, NULL, err, sizeof err);
        ck_assert_int_lt(fd, 0);
        fd = fns[k](dirfd, "linkdir/画像 1.jpg", 100, NULL, err, sizeof err);
        if (k == 0) {
            ck_assert_msg(fd >= 0, "%s", err);
            close(fd);
        } else {
            ck_assert_int_eq(fd, -ELOOP); /* the fallback follows no symlink */
        }
    }
    ck_assert_int_eq(safeopen_read(dirfd, "out", 100, NULL, err, sizeof err), -EXDEV);
    ck_assert(strstr(err, "outside") != NULL);
    close(dirfd);
}
END_TEST

/* What Windows tools save by mistake: an empty file, blank space, UTF-16. */
START_TEST(test_operator_encodings)
{
    static const char utf16le[] = "\xff\xfei\0d\0 \0=\0 \0\"\0x\0\"\0;\0";
    static const char utf16_nobom[] = "i\0d\0 \0=\0 \0\"\0x\0\"\0;\0\n\0";
    char err[2048];

    ck_assert_ptr_null(sched_campaign_parse("", 0, "spool/x.cfg", cfg, err, sizeof err));
    ck_assert_str_eq(err, "spool/x.cfg: error: the file is empty (0 bytes); it was saved empty, "
                          "or its copy has not finished");
    ck_assert_ptr_null(parse("\xef\xbb\xbf \r\n\t\n", err, sizeof err));
    ck_assert_int_eq(count_lines(err), 1);
    ck_assert_ptr_nonnull(strstr(err, "the file is empty (nothing but blank space)"));
    ck_assert_ptr_null(
        sched_campaign_parse(utf16le, sizeof utf16le - 1, "spool/x.cfg", cfg, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "spool/x.cfg: error: the file is saved as UTF-16"));
    ck_assert_ptr_nonnull(strstr(err, "save it as UTF-8"));
    ck_assert_int_eq(count_lines(err), 1);
    ck_assert_ptr_null(sched_campaign_parse(utf16_nobom, sizeof utf16_nobom - 1, "spool/x.cfg", cfg,
                                            err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "saved as UTF-16"));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("campaign");
    TCase *tc = tcase_create("campaign");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_spec_example);
    tcase_add_test(tc, test_bom_crlf);
    tcase_add_test(tc, test_defaults_and_targets);
    tcase_add_test(tc, test_all_problems_reported);
    tcase_add_test(tc, test_end_before_start);
    tcase_add_test(tc, test_wrong_types);
    tcase_add_test(tc, test_missing_and_empty);
    tcase_add_test(tc, test_syntax_and_encoding);
    tcase_add_test(tc, test_absurd_sizes);
    tcase_add_test(tc, test_small_err_buffer);
    tcase_add_test(tc, test_load);
    tcase_add_test(tc, test_safeopen);
    tcase_add_test(tc, test_operator_encodings);
    suite_add_tcase(s, tc);
    return s;
}
