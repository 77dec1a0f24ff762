/* Tests for playlists/config.c: signage.cfg (SPEC §3). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "playlists/config.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/config-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/signage.cfg", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

/* Writes TEXT as $tmpdir/signage.cfg, whose path goes to PATH (128 bytes). */
static void write_cfg(const char *text, char *path)
{
    FILE *f;

    snprintf(path, 128, "%s/signage.cfg", tmpdir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Writes TEXT as $tmpdir/signage.cfg and loads it. */
static struct pl_config *load_text(const char *text, char *err, size_t errlen)
{
    char path[128];

    write_cfg(text, path);
    err[0] = '\0';
    return pl_config_load(path, err, errlen);
}

/* The state the build takes when signage.cfg names none (make
 * DEFAULT_STATE=...), for a file in tmpdir: ./var there in a build tree,
 * /var/lib/signage as the Debian package builds it. */
static void default_state(char *out, size_t outlen)
{
    const char *d = SIGNAGE_DEFAULT_STATE;

    if (d[0] == '/') {
        snprintf(out, outlen, "%s", d);
        return;
    }
    if (strncmp(d, "./", 2) == 0)
        d += 2;
    snprintf(out, outlen, "%s/%s", tmpdir, d);
}

#define SCREENS                                                                                                    \
    "screens = (\n"                                                                                                \
    "  { id = \"shinjuku-west-plaza\"; name = \"新宿駅西口広場 デジタルサイネージ\";\n"            \
    "    groups = [ \"shinjuku-west\", \"tokyo\" ]; width = 1920; height = 1080; },\n"                             \
    "  { id = \"shinjuku-west-4gou\"; name = \"4号街路 デジタルサイネージ(新宿駅西口付近)\";\n" \
    "    groups = [ \"shinjuku-west\", \"tokyo\" ]; width = 1080; height = 1920; rotate = 90; }\n"                 \
    ");\n"

START_TEST(test_spec_example)
{
    char err[512];
    struct pl_config *cfg = load_text(SCREENS, err, sizeof err);
    char want[128];

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_uint_eq(cfg->nscreens, 2);
    ck_assert_str_eq(cfg->screens[0].id, "shinjuku-west-plaza");
    ck_assert_str_eq(cfg->screens[0].name, "新宿駅西口広場 デジタルサイネージ");
    ck_assert_uint_eq(cfg->screens[0].ngroups, 2);
    ck_assert_str_eq(cfg->screens[0].groups[1], "tokyo");
    ck_assert_int_eq(cfg->screens[0].width, 1920);
    ck_assert_int_eq(cfg->screens[0].rotate, 0);
    ck_assert_int_eq(cfg->screens[1].width, 1080);
    ck_assert_int_eq(cfg->screens[1].height, 1920);
    ck_assert_int_eq(cfg->screens[1].rotate, 90);
    /* Defaults. */
    ck_assert_str_eq(cfg->timezone, "Asia/Tokyo");
    ck_assert_ptr_nonnull(cfg->tz);
    ck_assert_int_eq(cfg->horizon_days, 35);
    ck_assert_int_eq(cfg->default_duration_ms, 10000);
    ck_assert_int_eq(cfg->pending_grace_ms, 600000);
    ck_assert_str_eq(cfg->dir, tmpdir);
    default_state(want, sizeof want);
    ck_assert_str_eq(cfg->state, want);
    snprintf(want, sizeof want, "%s/signage.cfg", tmpdir);
    ck_assert_str_eq(cfg->path, want);
    /* The default fallback: one text item, never a black screen. */
    ck_assert_ptr_nonnull(cfg->fallback);
    ck_assert_str_eq(cfg->fallback->id, "-");
    ck_assert_int_eq(cfg->fallback->priority, 0);
    ck_assert_int_eq(cfg->fallback->weight, 1);
    ck_assert(cfg->fallback->start == PL_MS_MIN && cfg->fallback->end == PL_MS_MAX);
    ck_assert_uint_eq(cfg->fallback->nitems, 1);
    ck_assert_int_eq(cfg->fallback->items[0].type, PL_ITEM_TEXT);
    ck_assert_str_eq(cfg->fallback->items[0].text, "東京都");
    ck_assert_int_eq(cfg->fallback->items[0].duration_ms, 10000);
    ck_assert_uint_eq(cfg->fallback->items[0].background, 0x0b2545);
    pl_config_free(cfg);
    pl_config_free(NULL);
}
END_TEST

START_TEST(test_everything_set)
{
    char err[512];
    struct pl_config *cfg = load_text(
        "\xef\xbb\xbf# all settings\r\n"
        "state = \"/srv/signage\";\r\n"
        "timezone = \"Europe/Berlin\";\r\n"
        "horizon_days = 366;\r\n"
        "default_duration = 7.5;\r\n"
        "pending_grace = 0;\r\n"
        "fallback = { title = \"東京都からのお知らせ\"; owner = \"東京都\";\r\n"
        "  items = ( { type = \"image\"; file = \"fallback/tokyo.png\"; },\r\n"
        "            { type = \"video\"; file = \"fallback/wood.mp4\"; duration = 30; },\r\n"
        "            { type = \"text\"; text = \"WOODコレクション2023\"; } ); };\r\n" SCREENS,
        err, sizeof err);

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(cfg->state, "/srv/signage");
    ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
    ck_assert_int_eq(cfg->horizon_days, 366);
    ck_assert_int_eq(cfg->default_duration_ms, 7500);
    ck_assert_int_eq(cfg->pending_grace_ms, 0);
    ck_assert_str_eq(cfg->fallback->id, "-");
    ck_assert_str_eq(cfg->fallback->title, "東京都からのお知らせ");
    ck_assert_str_eq(cfg->fallback->owner, "東京都");
    ck_assert_uint_eq(cfg->fallback->nitems, 3);
    ck_assert_str_eq(cfg->fallback->items[0].file, "fallback/tokyo.png");
    ck_assert_int_eq(cfg->fallback->items[0].duration_ms, 7500);
    ck_assert_int_eq(cfg->fallback->items[1].duration_ms, 30000);
    ck_assert_str_eq(cfg->fallback->items[2].text, "WOODコレクション2023");
    ck_assert_int_eq(cfg->fallback->items[2].line, 10);
    pl_config_free(cfg);
}
END_TEST

START_TEST(test_relative_state)
{
    char err[512], want[128];
    struct pl_config *cfg = load_text("state = \"data/state\";\n" SCREENS, err, sizeof err);

    ck_assert_msg(cfg != NULL, "%s", err);
    snprintf(want, sizeof want, "%s/data/state", tmpdir);
    ck_assert_str_eq(cfg->state, want);
    pl_config_free(cfg);
}
END_TEST

struct bad_cfg {
    const char *text;
    const char *want1, *want2;
};

#define ONE_SCREEN "screens = ( { id = \"a\"; width = 100; height = 100; } );\n"

START_TEST(test_broken_variants)
{
    static const struct bad_cfg cases[] = {
        {"screen = ( { id = \"a\"; width = 100; height = 100; } );\n", ":1: error:", "'screen'"},
        {"timezone = \"Asia/Tokio\";\n" ONE_SCREEN, ":1: error:", "'timezone'"},
        {"timezone = 9;\n" ONE_SCREEN, ":1: error:", "'timezone' must be a string"},
        {"\n\nhorizon_days = 0;\n" ONE_SCREEN, ":3: error:", "between 1 and 366"},
        {"horizon_days = 367;\n" ONE_SCREEN, ":1: error:", "'horizon_days'"},
        {"horizon_days = 3.5;\n" ONE_SCREEN, ":1: error:", "whole number"},
        {"default_duration = 0;\n" ONE_SCREEN, ":1: error:", "'default_duration'"},
        {"default_duration = 100000;\n" ONE_SCREEN, ":1: error:", "'default_duration'"},
        {"pending_grace = -1;\n" ONE_SCREEN, ":1: error:", "'pending_grace'"},
        {"state = \"\";\n" ONE_SCREEN, ":1: error:", "'state' is empty"},
        {"state = [\"a\"];\n" ONE_SCREEN, ":1: error:", "'state'"},
        {"# no screens\nstate = \"x\";\n", "signage.cfg: error:", "no 'screens'"},
        {"screens = ();\n", ":1: error:", "non-empty list"},
        {"screens = { id = \"a\"; };\n", ":1: error:", "non-empty list"},
        {"screens = ( 5 );\n", ":1: error:", "must be a group"},
        {"screens = (\n { width = 100; height = 100; } );\n", ":2: error:", "no 'id'"},
        {"screens = (\n { id = \"Bad Id\"; width = 100; height = 100; } );\n",
         ":2: error:", "\"Bad Id\""},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; },\n"
         " { id = \"a\"; width = 100; height = 100; } );\n",
         ":3: error:", "used twice"},
        {"screens = (\n { id = \"a\"; height = 100; } );\n", ":2: error:", "no 'width'"},
        {"screens = (\n { id = \"a\"; width = 100; } );\n", ":2: error:", "no 'height'"},
        {"screens = (\n { id = \"a\"; width = 15; height = 100; } );\n",
         ":2: error:", "'width' is 15"},
        {"screens = (\n { id = \"a\"; width = 100; height = 16385; } );\n",
         ":2: error:", "'height'"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; rotate = 45; } );\n",
         ":2: error:", "0, 90, 180 or 270"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; rotate = 360; } );\n",
         ":2: error:", "'rotate'"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; rotate = -90; } );\n",
         ":2: error:", "'rotate'"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; groups = [ \"*\" ]; } );\n",
         ":2: error:", "\"*\""},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; groups = [ \"Tokyo\" ]; } );\n",
         ":2: error:", "\"Tokyo\""},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; groups = [ 1 ]; } );\n",
         ":2: error:", "strings"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; groups = \"tokyo\"; } );\n",
         ":2: error:", "'groups' must be an array"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; group = [ \"x\" ]; } );\n",
         ":2: error:", "'group'; known are id, name, groups"},
        {"screens = (\n { id = \"a\"; width = 100; height = 100; },\n"
         " { id = \"b\"; width = 100; height = 100; groups = [ \"a\" ]; } );\n",
         ":3: error:", "name of a screen"},
        {"fallback = {\n items = ( { type = \"text\"; text = \"\"; } ); };\n" ONE_SCREEN,
         ":2: error:", "'text' is empty"},
        {"fallback = { items = (); };\n" ONE_SCREEN, ":1: error:", "non-empty list"},
        {"fallback = { title = \"x\"; };\n" ONE_SCREEN, ":1: error:", "no 'items'"},
        {"fallback = ( 1 );\n" ONE_SCREEN, ":1: error:", "must be a group"},
        {"fallback = { items = ( { type = \"image\"; file = \"a.png\"; } ); priority = 5; "
         "};\n" ONE_SCREEN,
         ":1: error:", "'priority'; known are items, title, owner"},
        {"fallback = {\n items = ( { type = \"video\"; file = \"a.mp4\"; } ); };\n" ONE_SCREEN,
         ":2: error:", "needs a 'duration'"},
        {"fallback = {\n items = ( { type = \"image\"; file = \"../a.png\"; } ); };\n" ONE_SCREEN,
         ":2: error:", "'..'"},
        {"@include \"/etc/signage/other.cfg\"\n" ONE_SCREEN, ":1: error:", "@include"},
        {"screens = ( { id = \"a\"; width = 100; height = 100; } )\nstate = \"x\"\n;;\n",
         ":3: error:", "syntax error"},
        {"timezone = \"\xff\";\n" ONE_SCREEN, ":1: error:", "UTF-8"},
    };
    char err[512];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pl_config *cfg = load_text(cases[i].text, err, sizeof err);
        ck_assert_msg(cfg == NULL, "case %zu accepted", i);
        ck_assert_msg(strstr(err, "signage.cfg") && strstr(err, cases[i].want1) &&
                          strstr(err, cases[i].want2),
                      "case %zu: %s", i, err);
    }
}
END_TEST

START_TEST(test_files)
{
    char err[512];
    struct pl_config *cfg;

    cfg = pl_config_load("/nonexistent/signage.cfg", err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, "/nonexistent/signage.cfg: error: cannot open"), "%s", err);
    cfg = pl_config_load(tmpdir, err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    {
        /* Over 64 MiB. */
        size_t n = 64 * 1024 * 1024 + 10;
        char *big = malloc(n + 1);
        ck_assert_ptr_nonnull(big);
        memset(big, '#', n);
        big[n] = '\0';
        cfg = load_text(big, err, sizeof err);
        free(big);
        ck_assert_ptr_null(cfg);
        ck_assert_msg(strstr(err, "more than"), "%s", err);
    }
}
END_TEST

/* 100,000 screens (no fixed cap): looked up by id and group in O(log n);
 * an id used twice is found wherever it is, and named with its line. */
static char *many_screens(size_t n, const char *last_id)
{
    struct strbuf sb = STRBUF_INIT;

    sb_puts(&sb, "screens = (\n");
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb,
                  "{ id = \"s%06zu\"; groups = [ \"g-%zu\", \"line-%zu\" ]; width = 1920; "
                  "height = 1080; },\n",
                  (i * 7919) % n, i % 50, i % 7);
    sb_printf(&sb, "{ id = \"%s\"; width = 1080; height = 1920; } );\n", last_id);
    ck_assert(!sb_failed(&sb));
    return sb_steal(&sb);
}

START_TEST(test_many_screens)
{
    char err[512];
    char *text = many_screens(100000, "last");
    struct pl_config *cfg = load_text(text, err, sizeof err);

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_uint_eq(cfg->nscreens, 100001);
    ck_assert_uint_eq(cfg->ngroups, 57);
    ck_assert_ptr_eq(pl_config_screen(cfg, "last"), &cfg->screens[100000]);
    ck_assert_str_eq(pl_config_screen(cfg, "s000000")->id, "s000000");
    ck_assert_str_eq(pl_config_screen(cfg, "s099999")->id, "s099999");
    ck_assert_ptr_null(pl_config_screen(cfg, "s100000"));
    ck_assert(pl_config_target_known(cfg, "g-49"));
    ck_assert(pl_config_target_known(cfg, "line-0"));
    ck_assert(pl_config_target_known(cfg, "s054321"));
    ck_assert(!pl_config_target_known(cfg, "g-50"));
    ck_assert(!pl_config_target_known(cfg, ""));
    pl_config_free(cfg);
    free(text);

    text = many_screens(100000, "s012345"); /* the last one repeats an id */
    cfg = load_text(text, err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, ":100002: error:") && strstr(err, "\"s012345\" is used twice"), "%s",
                  err);
    free(text);

    text = many_screens(1000, "g-3"); /* a screen named like a group */
    cfg = load_text(text, err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, "group \"g-3\" has the name of a screen"), "%s", err);
    free(text);
}
END_TEST

/* The screens list read by cfgfast.h and by libconfig agree: on what they
 * accept (every field), and on the message of what they refuse. */
static void assert_same_screens(const struct pl_config *a, const struct pl_config *b)
{
    ck_assert_uint_eq(a->nscreens, b->nscreens);
    for (size_t i = 0; i < a->nscreens; i++) {
        const struct pl_screen *x = &a->screens[i], *y = &b->screens[i];
        ck_assert_str_eq(x->id, y->id);
        ck_assert_str_eq(x->name ? x->name : "(none)", y->name ? y->name : "(none)");
        ck_assert_uint_eq(x->ngroups, y->ngroups);
        for (size_t k = 0; k < x->ngroups; k++)
            ck_assert_str_eq(x->groups[k], y->groups[k]);
        ck_assert_int_eq(x->width, y->width);
        ck_assert_int_eq(x->height, y->height);
        ck_assert_int_eq(x->rotate, y->rotate);
    }
    ck_assert_uint_eq(a->ngroups, b->ngroups);
    ck_assert_str_eq(a->timezone, b->timezone);
    ck_assert_int_eq(a->horizon_days, b->horizon_days);
}

static void compare_paths(const char *text, bool ok)
{
    char path[128], e1[1024] = "", e2[1024] = "";
    struct pl_config *fast, *slow;

    write_cfg(text, path);
    fast = pl_config_load(path, e1, sizeof e1);
    slow = pl_config_load_libconfig(path, e2, sizeof e2);
    ck_assert_msg((fast != NULL) == ok && (slow != NULL) == ok, "%s\nfast: %s\nslow: %s", text, e1,
                  e2);
    if (ok)
        assert_same_screens(fast, slow);
    else
        ck_assert_str_eq(e1, e2);
    pl_config_free(fast);
    pl_config_free(slow);
}

START_TEST(test_fast_screens)
{
    static const char *const good[] = {
        SCREENS,
        /* comments of the three kinds, ':' and ',' as libconfig allows */
        "# net\nscreens : ( // all\n { id : \"a\", width : 1920, height : 1080 } /* one */ ,\n"
        "{ id = \"b\" /* x */ ; width = 0x780; height = 1080L; rotate = +90 }\n);\n",
        /* groups as a list, empty groups, adjacent strings, escapes */
        "screens = ( { id = \"a\" \"b\"; name = \"\\\"q\\\" \\\\ \\x41\\n\"; groups = ( \"g\", "
        "\"h\" ); width = 16; height = 16384; },\n"
        "{ id = \"c\"; groups = [ ]; width = 20; height = 20; rotate = 270; } );\n",
        /* the same group twice, other settings around the list */
        "timezone = \"Europe/Berlin\";\nscreens = ( { id = \"a\"; groups = [ \"g\", \"g\" ]; "
        "width = 20; height = 20; } );\nhorizon_days = 10;\n",
        /* CRLF and a BOM */
        "\xef\xbb\xbfscreens = (\r\n { id = \"a\"; width = 20; height = 20; }\r\n);\r\n",
        /* what the fast reader leaves to libconfig: a string across a CRLF
         * (libconfig gets it as LF), a form feed, a 0-led number */
        "screens = ( { id = \"a\"; name = \"x\r\ny\"; width = 20; height = 20; } );\n",
        "screens = ( {\f id = \"a\"; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 020; height = 1080; rotate = 0; } );\n"
        "settle = 1.5;\n",
    };
    static const char *const bad[] = {
        "screens = ( { id = \"a\"; width = 20; height = 20; }, );\n",
        "screens = ( { id = \"a\"; width = 20.0; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; colour = 1; } );\n",
        "screens = ( { id = \"a\"; id = \"b\"; width = 20; height = 20; } );\n",
        "screens = ( { id = \"A\"; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; rotate = 45; } );\n",
        "screens = ( { id = \"a\"; width = 20; } );\n",
        "screens = ( { id = \"a\"; width = 99999999999999999999; height = 20; } );\n",
        "screens = ( { id = \"a\"; groups = [ \"*\" ]; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\"; groups = [ 5 ]; width = 20; height = 20; } );\n",
        ("screens = ( { id = \"a\"; width = 20; height = 20; },\n"
         "{ id = \"a\"; width = 20; height = 20; } );\n"),
        "screens = ( { id = \"a\"; groups = [ \"a\" ]; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\\q\"; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; } );\nscreens = ();\n",
        "screens = ( { id = \"a /* unterminated; width = 20; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; } /* unterminated );\n",
        "screens = ( { id = \"\xff\"; width = 20; height = 20; } );\n",
        "screens = ();\n",
        "screens = [ 1 ];\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; } ;\n",
        /* libconfig's hex has no sign (found in review) */
        "screens = ( { id = \"a\"; width = +0x780; height = 20; } );\n",
        "screens = ( { id = \"a\"; width = 20; height = 20; rotate = -0x0; } );\n",
        /* not white space to libconfig (found by fuzz_config) */
        "screens = ( {\v id = \"a\"; width = 20; height = 20; } );\n",
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        compare_paths(good[i], true);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        compare_paths(bad[i], false);
}
END_TEST

START_TEST(test_head_only)
{
    char path[128], err[1024];
    char *text = many_screens(1000, "last");
    struct pl_config *cfg;
    FILE *f;

    snprintf(path, sizeof path, "%s/signage.cfg", tmpdir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "timezone = \"Europe/Berlin\";\n%s", text);
    fclose(f);
    cfg = pl_config_load_head(path, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert(cfg->screens_left_out);
    ck_assert_uint_eq(cfg->nscreens, 0);
    ck_assert_ptr_null(pl_config_screen(cfg, "last"));
    ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
    pl_config_free(cfg);
    cfg = pl_config_load(path, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert(!cfg->screens_left_out);
    ck_assert_uint_eq(cfg->nscreens, 1001);
    pl_config_free(cfg);
    /* An error outside the screens is an error of the head too. */
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "horizon_days = 0;\n%s", text);
    fclose(f);
    ck_assert_ptr_null(pl_config_load_head(path, err, sizeof err));
    ck_assert_msg(strstr(err, ":1: error:") && strstr(err, "horizon_days"), "%s", err);
    free(text);
}
END_TEST

/* `signagectl at` reads only around the screens list when the scheduler
 * recorded where it is (pl_config_save_place()) for this very file; a
 * changed file, a hostile record or `state` after the list: the file is
 * scanned, with the same result. */
static void write_place(const char *place, const char *rec)
{
    FILE *f = fopen(place, "w");

    ck_assert_ptr_nonnull(f);
    fputs(rec, f);
    fclose(f);
}

static void check_head(const char *path, bool from_place, int horizon)
{
    char err[1024];
    struct pl_config *cfg = pl_config_load_head(path, err, sizeof err);

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert(cfg->head_from_place == from_place);
    ck_assert(cfg->screens_left_out);
    ck_assert_uint_eq(cfg->nscreens, 0);
    ck_assert_int_eq(cfg->horizon_days, horizon);
    ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
    ck_assert_ptr_nonnull(strstr(cfg->state, "/st"));
    pl_config_free(cfg);
}

START_TEST(test_head_from_place)
{
    char path[128], state[128], place[160], err[1024], rec[256], id[128];
    char *screens = many_screens(1000, "last");
    struct strbuf sb = STRBUF_INIT;
    struct pl_config *full;
    struct stat st;

    snprintf(state, sizeof state, "%s/st", tmpdir);
    ck_assert_int_eq(mkdir(state, 0755), 0);
    snprintf(place, sizeof place, "%s/.config-place", state);
    /* `state` before the list; settings after it are read too */
    sb_printf(&sb,
              "# the network\nsettle = 0.5;\nstate = \"st\"; /* next to this file */\n%s"
              "horizon_days = 40;\ntimezone = \"Europe/Berlin\";\n",
              screens);
    write_cfg(sb_str(&sb), path);
    check_head(path, false, 40); /* nothing recorded yet */
    full = pl_config_load(path, err, sizeof err);
    ck_assert_msg(full != NULL, "%s", err);
    ck_assert(full->place_known);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0); /* the same again */
    check_head(path, true, 40);
    pl_config_free(full);

    /* hostile or stale records: each is passed over */
    ck_assert_int_eq(stat(path, &st), 0);
    snprintf(id, sizeof id, "%llu %llu %lld %lld", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino,
             (long long)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec, (long long)st.st_size);
    const char *tails[] = {
        " 0 0\n",                       /* an empty list */
        " 60 50\n",                     /* backwards */
        " 10 999999999\n",              /* past the end */
        " 70 80\n",                     /* no brackets there */
        " 70 80",                       /* no newline */
        " 70 80\n\n",                   /* more after it */
        " -5 80\n",                     /* negative */
        " 99999999999999999999999 1\n", /* out of range */
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        snprintf(rec, sizeof rec, "%s%s", id, tails[i]);
        write_place(place, rec);
        check_head(path, false, 40);
    }
    write_place(place, "");
    check_head(path, false, 40);
    write_place(place, "garbage\n");
    check_head(path, false, 40);
    write_place(place, "\x01\x02\xff 1 2 3 4 5 6\n");
    check_head(path, false, 40);

    /* the file changed since: its record no longer holds */
    full = pl_config_load(path, err, sizeof err);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    pl_config_free(full);
    sb_reset(&sb);
    sb_printf(&sb, "state = \"st\";\n%shorizon_days = 366;\ntimezone = \"Europe/Berlin\";\n",
              screens);
    write_cfg(sb_str(&sb), path);
    check_head(path, false, 366);

    /* `state` after the list: not looked for past it */
    full = pl_config_load(path, err, sizeof err);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    pl_config_free(full);
    check_head(path, true, 366);
    sb_reset(&sb);
    sb_printf(&sb, "%sstate = \"st\";\nhorizon_days = 366;\ntimezone = \"Europe/Berlin\";\n",
              screens);
    write_cfg(sb_str(&sb), path);
    full = pl_config_load(path, err, sizeof err);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    pl_config_free(full);
    check_head(path, false, 366);

    sb_free(&sb);
    free(screens);
    unlink(place);
    rmdir(state);
}
END_TEST

/* With no `state` at all, the fast path takes the default state, as the
 * whole file's reading does, and finds the record there; a `state` after
 * the list is not taken for the default. */
START_TEST(test_head_default_state)
{
    char path[128], state[160], place[192], other[160], other_place[192], err[1024];
    char *screens = many_screens(1000, "last");
    struct strbuf sb = STRBUF_INIT;
    struct pl_config *full, *head;

    ck_assert_msg(SIGNAGE_DEFAULT_STATE[0] != '/',
                  "a unit build keeps its state relative (DEFAULT_STATE=./var)");
    default_state(state, sizeof state);
    ck_assert_int_eq(mkdir(state, 0755), 0);
    snprintf(place, sizeof place, "%s/.config-place", state);
    sb_printf(&sb, "horizon_days = 40;\n%stimezone = \"Europe/Berlin\";\n", screens);
    write_cfg(sb_str(&sb), path);
    full = pl_config_load(path, err, sizeof err);
    ck_assert_msg(full != NULL, "%s", err);
    ck_assert_str_eq(full->state, state);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    pl_config_free(full);
    ck_assert_int_eq(access(place, R_OK), 0);
    head = pl_config_load_head(path, err, sizeof err);
    ck_assert_msg(head != NULL, "%s", err);
    ck_assert(head->head_from_place);
    ck_assert_str_eq(head->state, state);
    ck_assert_int_eq(head->horizon_days, 40);
    pl_config_free(head);

    /* `state` after the list, elsewhere: a record for this very file in
     * the default's directory (copied there) is not taken for it */
    sb_reset(&sb);
    sb_printf(&sb, "horizon_days = 40;\n%sstate = \"other\";\ntimezone = \"Europe/Berlin\";\n",
              screens);
    write_cfg(sb_str(&sb), path);
    snprintf(other, sizeof other, "%s/other", tmpdir);
    snprintf(other_place, sizeof other_place, "%s/.config-place", other);
    ck_assert_int_eq(mkdir(other, 0755), 0);
    full = pl_config_load(path, err, sizeof err);
    ck_assert_msg(full != NULL, "%s", err);
    ck_assert_int_eq(pl_config_save_place(full, err, sizeof err), 0);
    pl_config_free(full);
    ck_assert_int_eq(rename(other_place, place), 0);
    head = pl_config_load_head(path, err, sizeof err);
    ck_assert_msg(head != NULL, "%s", err);
    ck_assert(!head->head_from_place);
    ck_assert_str_eq(head->state, other);
    pl_config_free(head);
    rmdir(other);

    sb_free(&sb);
    free(screens);
    unlink(place);
    rmdir(state);
}
END_TEST

START_TEST(test_video_decode)
{
    char err[512];
    struct pl_config *cfg = load_text(SCREENS, err, sizeof err);

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert(!cfg->video_vaapi); /* software unless asked */
    pl_config_free(cfg);
    cfg = load_text("video_decode = \"vaapi\";\n" SCREENS, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert(cfg->video_vaapi);
    pl_config_free(cfg);
    cfg = load_text("video_decode = \"software\";\n" SCREENS, err, sizeof err);
    ck_assert_msg(cfg != NULL && !cfg->video_vaapi, "%s", err);
    pl_config_free(cfg);
    cfg = load_text("video_decode = \"gpu\";\n" SCREENS, err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, ":1: error:") && strstr(err, "\"software\" or \"vaapi\""), "%s", err);
    cfg = load_text("video_decode = true;\n" SCREENS, err, sizeof err);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, "'video_decode'"), "%s", err);
}
END_TEST

START_TEST(test_locate)
{
    char cwd[512], old[512];

    unsetenv("SIGNAGE_CONFIG");
    ck_assert_str_eq(pl_config_locate("x.cfg"), "x.cfg");
    ck_assert_ptr_nonnull(getcwd(old, sizeof old));
    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_str_eq(pl_config_locate(NULL), "/etc/signage/signage.cfg");
    {
        FILE *f = fopen("signage.cfg", "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
    }
    ck_assert_str_eq(pl_config_locate(NULL), "./signage.cfg");
    setenv("SIGNAGE_CONFIG", "/opt/s.cfg", 1);
    ck_assert_str_eq(pl_config_locate(NULL), "/opt/s.cfg");
    ck_assert_str_eq(pl_config_locate("y.cfg"), "y.cfg");
    setenv("SIGNAGE_CONFIG", "", 1);
    ck_assert_str_eq(pl_config_locate(NULL), "./signage.cfg");
    unsetenv("SIGNAGE_CONFIG");
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(old), 0);
}
END_TEST

START_TEST(test_targets)
{
    char err[512];
    struct pl_config *cfg =
        load_text(SCREENS "fallback = { items = ( { type = \"text\"; text = \"x\"; } ); };\n", err,
                  sizeof err);
    const struct pl_screen *plaza, *gou;
    char plaza_id[] = "shinjuku-west-plaza", nowhere[] = "nowhere", west[] = "shinjuku-west";
    char star[] = "*", shibuya[] = "shibuya", east[] = "tokyo-east";
    char *t_plaza[] = {plaza_id};
    char *t_group[] = {nowhere, west};
    char *t_all[] = {star};
    char *t_none[] = {shibuya, east};
    struct pl_campaign c = {0};

    ck_assert_msg(cfg != NULL, "%s", err);
    plaza = pl_config_screen(cfg, "shinjuku-west-plaza");
    gou = pl_config_screen(cfg, "shinjuku-west-4gou");
    ck_assert_ptr_nonnull(plaza);
    ck_assert_ptr_nonnull(gou);
    ck_assert_ptr_null(pl_config_screen(cfg, "shinjuku"));
    ck_assert_ptr_null(pl_config_screen(cfg, NULL));

    c.screens = t_plaza;
    c.nscreens = 1;
    ck_assert(pl_screen_targeted(plaza, &c));
    ck_assert(!pl_screen_targeted(gou, &c));
    c.screens = t_group;
    c.nscreens = 2;
    ck_assert(pl_screen_targeted(plaza, &c));
    ck_assert(pl_screen_targeted(gou, &c));
    c.screens = t_all;
    c.nscreens = 1;
    ck_assert(pl_screen_targeted(plaza, &c));
    ck_assert(pl_screen_targeted(gou, &c));
    c.screens = t_none;
    c.nscreens = 2;
    ck_assert(!pl_screen_targeted(plaza, &c));
    c.nscreens = 0;
    ck_assert(!pl_screen_targeted(plaza, &c));
    ck_assert(!pl_screen_targeted(NULL, &c));

    ck_assert(pl_config_target_known(cfg, "*"));
    ck_assert(pl_config_target_known(cfg, "tokyo"));
    ck_assert(pl_config_target_known(cfg, "shinjuku-west-4gou"));
    ck_assert(!pl_config_target_known(cfg, "shinjuku"));
    ck_assert(!pl_config_target_known(cfg, ""));
    ck_assert(!pl_config_target_known(cfg, NULL));
    pl_config_free(cfg);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_spec_example);
    tcase_add_test(tc, test_everything_set);
    tcase_add_test(tc, test_relative_state);
    tcase_add_test(tc, test_broken_variants);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_locate);
    tcase_add_test(tc, test_targets);
    tcase_add_test(tc, test_many_screens);
    tcase_add_test(tc, test_fast_screens);
    tcase_add_test(tc, test_head_only);
    tcase_add_test(tc, test_head_from_place);
    tcase_add_test(tc, test_head_default_state);
    tcase_add_test(tc, test_video_decode);
    suite_add_tcase(s, tc);
    return s;
}
