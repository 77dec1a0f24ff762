/* Tests for playlists/plfile.c: playlist files written and read back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "playlists/plfile.h"
#include "tests/unit/check_main.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* The nastiest text a campaign could hold, as far as escaping goes. */
static const char nasty[] = "牧野博士の新休日\nらんまんの舞台・高知 \"quoted\" back\\slash \\n "
                            "\\x41 tab\there cr\r ff\f \x01\x1f\x7f /* not a comment */ "
                            "# nor this @include \"/etc/passwd\" 😀 end\\";

struct fixture {
    pl_tz *tz;
    struct pl_campaign *camps[3]; /* kochi, tokyo, fallback */
    struct pl_window windows[2];
    struct pl_slot slots0[4], slots1[2], fslots[1];
    struct pl_playlist pl;
};

static struct pl_campaign *camp(const char *id, const char *owner, const char *title, size_t nitems)
{
    struct pl_campaign *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->owner = owner ? strdup(owner) : NULL;
    c->title = title ? strdup(title) : NULL;
    c->items = calloc(nitems, sizeof *c->items);
    c->nitems = nitems;
    c->weight = 1;
    return c;
}

static void set_media(struct pl_item *it, enum pl_item_type t, pl_ms d, const char *media,
                      const char *sha)
{
    it->type = t;
    it->duration_ms = d;
    it->media = strdup(media);
    strcpy(it->sha256, sha);
    it->background = 0x0b2545;
}

static void set_text(struct pl_item *it, pl_ms d, const char *text, uint32_t bg, uint32_t fg)
{
    it->type = PL_ITEM_TEXT;
    it->duration_ms = d;
    it->text = strdup(text);
    it->background = bg;
    it->color = fg;
}

static void fixture_init(struct fixture *f)
{
    char err[256];
    struct pl_campaign *k, *t, *fb;

    memset(f, 0, sizeof *f);
    f->tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    ck_assert_msg(f->tz != NULL, "%s", err);
    k = f->camps[0] = camp("kochi-makino-expo", "高知県",
                           "高知県観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」", 3);
    set_media(&k->items[0], PL_ITEM_IMAGE, 15000, "media/" SHA_A ".jpg", SHA_A);
    set_media(&k->items[1], PL_ITEM_VIDEO, 31250, "media/" SHA_B ".mp4", SHA_B);
    set_text(&k->items[2], 10000, "牧野博士の新休日\nらんまんの舞台・高知", 0x1b5e20, 0xffffff);
    t = f->camps[1] = camp("tokyo-wood-2023", "東京都", nasty, 2);
    set_text(&t->items[1], 1001, nasty, 0x000000, 0xfedcba);
    fb = f->camps[2] = camp("-", "-", "fallback", 1);
    set_text(&fb->items[0], 10000, "東京都", 0x0b2545, 0xffffff);

    f->slots0[0] = (struct pl_slot){k, 0, 0, 15000};
    f->slots0[1] = (struct pl_slot){t, 1, 0, 1001};
    f->slots0[2] = (struct pl_slot){k, 1, 0, 31250};
    f->slots0[3] = (struct pl_slot){k, 2, 0, 10000};
    f->slots1[0] = (struct pl_slot){t, 1, 0, 1001};
    f->slots1[1] = (struct pl_slot){t, 1, 0, 86400000};
    f->fslots[0] = (struct pl_slot){fb, 0, 0, 10000};
    /* 2023-03-01T00:00+09:00 .. 2023-04-01T00:00+09:00, then a day at 100. */
    f->windows[0] =
        (struct pl_window){INT64_C(1677596400000), INT64_C(1680274800000), 50, 57251, f->slots0, 4};
    f->windows[1] = (struct pl_window){
        INT64_C(1680274800000), INT64_C(1680361200000), 100, 86401001, f->slots1, 2};
    f->pl.format = PL_FORMAT;
    f->pl.screen = (char *)"shinjuku-west-4gou";
    f->pl.timezone = (char *)"Asia/Tokyo";
    f->pl.width = 1080;
    f->pl.height = 1920;
    f->pl.rotate = 90;
    f->pl.generation = INT64_C(12345678901);
    f->pl.generated_at = INT64_C(1677596400123);
    f->pl.windows = f->windows;
    f->pl.nwindows = 2;
    f->pl.fallback = (struct pl_window){0, 0, 0, 10000, f->fslots, 1};
}

static void fixture_clear(struct fixture *f)
{
    for (int i = 0; i < 3; i++)
        pl_campaign_free(f->camps[i]);
    pl_tz_free(f->tz);
}

static char *format_pl(const struct pl_playlist *pl, const pl_tz *tz, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    ck_assert_int_eq(pl_playlist_format(pl, tz, &sb), 0);
    *len = sb.len;
    return sb_steal(&sb);
}

static void assert_same_slot(const struct pl_slot *a, const struct pl_slot *b, bool fallback)
{
    const struct pl_item *ia = &a->campaign->items[a->item];
    const struct pl_item *ib = &b->campaign->items[b->item];

    ck_assert_str_eq(fallback ? "-" : a->campaign->id, b->campaign->id);
    ck_assert_str_eq(a->campaign->owner, b->campaign->owner);
    ck_assert_str_eq(a->campaign->title, b->campaign->title);
    ck_assert_uint_eq(a->item, b->item);
    ck_assert_int_eq(a->duration_ms, b->duration_ms);
    ck_assert_int_eq(ia->type, ib->type);
    ck_assert_uint_eq(ia->background, ib->background);
    if (ia->type == PL_ITEM_TEXT) {
        ck_assert_str_eq(ia->text, ib->text);
        ck_assert_uint_eq(ia->color, ib->color);
        ck_assert_ptr_null(ib->media);
    } else {
        ck_assert_str_eq(ia->media, ib->media);
        ck_assert_str_eq(ia->sha256, ib->sha256);
        ck_assert_ptr_null(ib->text);
    }
}

START_TEST(test_round_trip)
{
    struct fixture f;
    char err[512];
    size_t len, len2;
    char *text, *text2;
    struct pl_playlist *pl;

    fixture_init(&f);
    text = format_pl(&f.pl, f.tz, &len);
    pl = pl_playlist_parse(text, len, "x.playlist", err, sizeof err);
    ck_assert_msg(pl != NULL, "%s\n%s", err, text);
    ck_assert_int_eq(pl->format, 2);
    ck_assert_str_eq(pl->screen, "shinjuku-west-4gou");
    ck_assert_str_eq(pl->timezone, "Asia/Tokyo");
    ck_assert_int_eq(pl->width, 1080);
    ck_assert_int_eq(pl->height, 1920);
    ck_assert_int_eq(pl->rotate, 90);
    ck_assert_int_eq(pl->generation, INT64_C(12345678901));
    ck_assert_int_eq(pl->generated_at, INT64_C(1677596400123));
    ck_assert_uint_eq(pl->nwindows, 2);
    for (size_t w = 0; w < 2; w++) {
        ck_assert_int_eq(pl->windows[w].start, f.windows[w].start);
        ck_assert_int_eq(pl->windows[w].end, f.windows[w].end);
        ck_assert_int_eq(pl->windows[w].priority, f.windows[w].priority);
        ck_assert_int_eq(pl->windows[w].loop_ms, f.windows[w].loop_ms);
        ck_assert_uint_eq(pl->windows[w].nslots, f.windows[w].nslots);
        pl_ms off = 0;
        for (size_t i = 0; i < pl->windows[w].nslots; i++) {
            assert_same_slot(&f.windows[w].slots[i], &pl->windows[w].slots[i], false);
            ck_assert_int_eq(pl->windows[w].slots[i].offset_ms, off);
            off += f.windows[w].slots[i].duration_ms;
        }
    }
    ck_assert_uint_eq(pl->fallback.nslots, 1);
    ck_assert_int_eq(pl->fallback.loop_ms, 10000);
    assert_same_slot(&f.fslots[0], &pl->fallback.slots[0], true);
    /* Stubs: one per campaign, the same pointer for every slot of it. */
    ck_assert_uint_eq(pl->ncampaigns, 3);
    ck_assert_ptr_eq(pl->windows[0].slots[0].campaign, pl->windows[0].slots[2].campaign);
    ck_assert_ptr_eq(pl->windows[0].slots[1].campaign, pl->windows[1].slots[0].campaign);
    ck_assert_uint_eq(pl->windows[0].slots[1].campaign->nitems, 2);
    ck_assert_int_eq(pl->windows[0].slots[1].campaign->items[1].duration_ms, 1001);
    ck_assert_str_eq(pl->fallback.slots[0].campaign->id, "-");

    text2 = format_pl(pl, f.tz, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert_msg(memcmp(text, text2, len) == 0, "not identical:\n%s\n---\n%s", text, text2);
    /* Formatting is a pure function of the data. */
    free(text2);
    text2 = format_pl(&f.pl, f.tz, &len2);
    ck_assert(len == len2 && memcmp(text, text2, len) == 0);
    free(text2);
    pl_playlist_free(pl);
    pl_playlist_free(NULL);
    free(text);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_other_zone_and_empty)
{
    struct fixture f;
    char err[512];
    size_t len;
    char *text;
    struct pl_playlist *pl;
    pl_tz *berlin;

    fixture_init(&f);
    berlin = pl_tz_new("Europe/Berlin", err, sizeof err);
    ck_assert_ptr_nonnull(berlin);
    f.pl.timezone = NULL; /* taken from the zone */
    f.pl.nwindows = 0;
    f.pl.fallback.nslots = 0;
    f.pl.fallback.loop_ms = 0;
    text = format_pl(&f.pl, berlin, &len);
    ck_assert_msg(strstr(text, "timezone = \"Europe/Berlin\";"), "%s", text);
    ck_assert_msg(strstr(text, "generated_at = \"2023-02-28T16:00:00.123+01:00\";"), "%s", text);
    pl = pl_playlist_parse(text, len, "x.playlist", err, sizeof err);
    ck_assert_msg(pl != NULL, "%s\n%s", err, text);
    ck_assert_uint_eq(pl->nwindows, 0);
    ck_assert_uint_eq(pl->fallback.nslots, 0);
    ck_assert_uint_eq(pl->ncampaigns, 0);
    ck_assert_int_eq(pl->generated_at, f.pl.generated_at);
    pl_playlist_free(pl);
    free(text);
    pl_tz_free(berlin);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_format_refuses_bad_slots)
{
    struct fixture f;
    struct strbuf sb = STRBUF_INIT;

    fixture_init(&f);
    f.slots0[2].item = 7; /* the campaign has 3 items */
    ck_assert_int_eq(pl_playlist_format(&f.pl, f.tz, &sb), -1);
    f.slots0[2].item = 1;
    f.slots0[2].campaign = NULL;
    sb_reset(&sb);
    ck_assert_int_eq(pl_playlist_format(&f.pl, f.tz, &sb), -1);
    sb_free(&sb);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_truncated_everywhere)
{
    struct fixture f;
    char err[512];
    size_t len;
    char *text;
    int ok = 0;

    fixture_init(&f);
    text = format_pl(&f.pl, f.tz, &len);
    for (size_t n = 0; n < len; n++) {
        struct pl_playlist *pl = pl_playlist_parse(text, n, "t.playlist", err, sizeof err);
        if (pl) {
            ok++;
            pl_playlist_free(pl);
        } else {
            ck_assert_msg(strncmp(err, "t.playlist:", 11) == 0 && strstr(err, "error: "),
                          "at %zu: %s", n, err);
        }
    }
    /* Only cuts in the final ");\n" can leave a valid file. */
    ck_assert_int_le(ok, 3);
    free(text);
    fixture_clear(&f);
}
END_TEST

#define HEAD                                                                                       \
    "format = 1;\nscreen = \"s1\";\ntimezone = \"Asia/Tokyo\";\nwidth = 1920;\n"                   \
    "height = 1080;\nrotate = 0;\ngeneration = 1L;\n"                                              \
    "generated_at = \"2023-03-01T00:00:00.000+09:00\";\n"                                          \
    "fallback = ( { campaign = \"-\"; item = 0; type = \"text\"; duration = 10.000; "              \
    "text = \"東京都\"; } );\n"
#define SLOT_IMG(camp, item, dur)                                                                  \
    "{ campaign = \"" camp "\"; owner = \"o\"; title = \"t\"; item = " item "; "                   \
    "type = \"image\"; duration = " dur "; media = \"media/" SHA_A ".jpg\"; sha256 = \"" SHA_A     \
    "\"; }"
#define WIN(start, end, slots)                                                                     \
    "{ start = \"" start "\"; end = \"" end "\"; priority = 50; loop = ( " slots " ); }"
#define T0 "2023-03-01T00:00:00.000+09:00"
#define T1 "2023-03-02T00:00:00.000+09:00"
#define T2 "2023-03-03T00:00:00.000+09:00"

static struct pl_playlist *parse_str(const char *s, char *err, size_t errlen)
{
    err[0] = '\0';
    return pl_playlist_parse(s, strlen(s), "p.playlist", err, errlen);
}

START_TEST(test_good_handwritten)
{
    char err[512];
    const char text[] =
        "\xef\xbb\xbf"
        "format = 1;\r\nscreen = \"s1\";\r\n"
        "timezone = \"Asia/Tokyo\";\r\nwidth = 1920;\r\nheight = 1080;\r\n"
        "rotate = 0;\r\ngeneration = 0;\r\n"
        "generated_at = \"2023-03-01T00:00:00Z\";\r\nfallback = ();\r\n"
        "windows = ( " WIN(T0, T1,
                           SLOT_IMG("a", "3", "2.5") ", " SLOT_IMG("a", "3", "1")) " );\r\n";
    struct pl_playlist *pl = parse_str(text, err, sizeof err);

    ck_assert_msg(pl != NULL, "%s", err);
    ck_assert_uint_eq(pl->nwindows, 1);
    ck_assert_int_eq(pl->windows[0].loop_ms, 3500);
    ck_assert_int_eq(pl->windows[0].slots[1].offset_ms, 2500);
    ck_assert_int_eq(pl->windows[0].slots[1].duration_ms, 1000);
    ck_assert_uint_eq(pl->campaigns[0]->nitems, 4);
    ck_assert_str_eq(pl->campaigns[0]->items[3].sha256, SHA_A);
    ck_assert_uint_eq(pl->campaigns[0]->items[3].background, 0x0b2545);
    ck_assert_int_eq(pl->generation, 0);
    pl_playlist_free(pl);
}
END_TEST

struct bad_pl {
    const char *text;
    const char *want1, *want2;
};

/* Every case refused, its message naming the file and saying both wants. */
static void assert_refused(const struct bad_pl *cases, size_t n)
{
    char err[512];

    for (size_t i = 0; i < n; i++) {
        struct pl_playlist *pl = parse_str(cases[i].text, err, sizeof err);
        ck_assert_msg(pl == NULL, "case %zu accepted", i);
        ck_assert_msg(strncmp(err, "p.playlist:", 11) == 0 && strstr(err, cases[i].want1) &&
                          strstr(err, cases[i].want2),
                      "case %zu: %s", i, err);
    }
}

START_TEST(test_corrupt_files)
{
    static const struct bad_pl cases[] = {
        {"", "p.playlist: error:", "no 'format'"},
        {"screens = ();\n", "p.playlist: error:", "no 'format'"},
        {"format = 3;\nscreen = \"s1\"; whatever = 1;\n", "p.playlist:1:", "format 3"},
        {"format = \"1\";\n", "p.playlist:1:", "'format'"},
        {"format = 1;\n", "p.playlist:", "'screen' is missing"},
        {HEAD "windows = ();\nextra = 1;\n", "p.playlist:", "'extra'"},
        {"@include \"/etc/passwd\"\n" HEAD "windows = ();\n", "p.playlist:1:", "@include"},
        {HEAD, "p.playlist:", "'windows' is missing"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "-5")) " );", ":10:", "'duration'"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "0.999")) " );", ":10:", "between"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "86400.001")) " );", ":10:", "between"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "1e999")) " );",
         ":10:", "out of range"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "99999999999")) " );",
         ":10:", "out of range"},
        {HEAD "windows = ( " WIN(T0, T2, SLOT_IMG("a", "0", "1")) ",\n" WIN(
             T1, T2, SLOT_IMG("a", "0", "1")) " );",
         ":11:", "previous one ends"},
        {HEAD "windows = ( " WIN(T1, T2, SLOT_IMG("a", "0", "1")) ",\n" WIN(
             T0, T1, SLOT_IMG("a", "0", "1")) " );",
         ":11:", "previous one ends"},
        {HEAD "windows = ( " WIN(T1, T1, SLOT_IMG("a", "0", "1")) " );",
         ":10:", "'end' must be after"},
        {HEAD "windows = ( " WIN(T0, T1, ) " );", ":10:", "loop is empty"},
        {HEAD "windows = ( { start = \"" T0 "\"; end = \"" T1 "\"; priority = 50; } );",
         ":10:", "no 'loop'"},
        {HEAD "windows = ( { start = \"" T0 "\"; end = \"" T1
              "\"; priority = 101; loop = ( " SLOT_IMG("a", "0", "1") " ); } );",
         ":10:", "'priority'"},
        {HEAD "windows = ( { start = \"2023-02-30T00:00:00+09:00\"; end = \"" T1
              "\"; priority = 1; loop = ( " SLOT_IMG("a", "0", "1") " ); } );",
         ":10:", "'start'"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("Bad", "0", "1")) " );", ":10:", "\"Bad\""},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("-", "0", "1")) " );", ":10:", "\"-\""},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "10000", "1")) " );", ":10:", "'item'"},
        {HEAD "windows = ( " WIN(T0, T1, SLOT_IMG("a", "-1", "1")) " );", ":10:", "'item'"},
        {HEAD
         "windows = ( " WIN(T0, T1, SLOT_IMG("a", "0", "1") ", " SLOT_IMG("a", "0", "2")) ",\n" WIN(
             T1, T2,
             "{ campaign = \"a\"; owner = \"o\"; title = \"t\"; item = 0; "
             "type = \"text\"; duration = 1; text = \"x\"; }") " );",
         ":11:", "differs"},
        {HEAD "windows = ( " WIN(
             T0, T1,
             SLOT_IMG("a", "0", "1") ", { campaign = \"a\"; owner "
                                     "= \"other\"; item = 1; type = \"text\"; duration = "
                                     "1; text = \"x\"; }") " );",
         ":10:", "owner or title"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"audio\"; "
                                 "duration = 1; }") " );",
         ":10:", "\"audio\""},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"image\"; "
                                 "duration = 1; media = \"media/../../etc/passwd\"; "
                                 "sha256 = \"" SHA_A "\"; }") " );",
         ":10:", "'media'"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"image\"; "
                                 "duration = 1; media = \"/etc/passwd\"; "
                                 "sha256 = \"" SHA_A "\"; }") " );",
         ":10:", "'media'"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"image\"; "
                                 "duration = 1; media = \"media/x.jpg\"; "
                                 "sha256 = \"ABCDEF\"; }") " );",
         ":10:", "'sha256'"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"image\"; "
                                 "duration = 1; sha256 = \"" SHA_A "\"; }") " );",
         ":10:", "'media' is missing"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"text\"; "
                                 "duration = 1; text = \"\\xff\"; }") " );",
         ":10:", "UTF-8"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"text\"; "
                                 "duration = 1; text = \"x\"; color = \"red\"; }") " );",
         ":10:", "'color'"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"text\"; "
                                 "duration = 1; text = \"x\"; media = \"media/x\"; }") " );",
         ":10:", "no 'media'"},
        {HEAD "windows = ( " WIN(T0, T1,
                                 "{ campaign = \"a\"; item = 0; type = \"text\"; "
                                 "duration = 1; text = \"x\"; speed = 2; }") " );",
         ":10:", "'speed'"},
        {HEAD "windows = ( " WIN(T0, T1, "5") " );", ":10:", "must be a group"},
        {HEAD "windows = { a = 1; };", ":10:", "must be a list"},
        {HEAD "windows = ( 1 );", ":10:", "must be a group"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"Mars/Olympus\";\n", ":3:", "'timezone'"},
        {"format = 1;\nscreen = \"../s1\";\n", ":2:", "not valid"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 0;\n", ":4:", "'width'"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 20; height = 20; "
         "rotate = 45;\n",
         ":4:", "'rotate'"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 20; height = 20; "
         "rotate = 0; generation = -1L;\n",
         ":4:", "'generation'"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 20; height = 20; "
         "rotate = 0; generation = 1L; generated_at = 5;\n",
         ":4:", "'generated_at'"},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 20; height = 20; "
         "rotate = 0; generation = 1L; generated_at = \"2023-01-01T00:00:00Z\";\n"
         "fallback = ( " SLOT_IMG("a", "0", "1") " );\n",
         ":5:", "campaign \"-\""},
        {"format = 1;\nscreen = \"s1\";\ntimezone = \"UTC\";\nwidth = 20; height = 20; "
         "rotate = 0; generation = 1L; generated_at = \"2023-01-01T00:00:00Z\";\n"
         "windows = ();\n",
         "p.playlist: error:", "'fallback' is missing"},
        {"format = 1; format = 1;", ":1:", "duplicate"},
        {"format = 1;\n((((((((((((((((((((((((((((((((((((((((", ":2:", "nested"},
    };
    assert_refused(cases, sizeof cases / sizeof cases[0]);
}
END_TEST

/* Format 2, written by hand: the head of HEAD with its own body. */
#define HEAD2                                                                                      \
    "format = 2;\nscreen = \"s1\";\ntimezone = \"Asia/Tokyo\";\nwidth = 1920;\n"                   \
    "height = 1080;\nrotate = 0;\ngeneration = 1L;\n"                                              \
    "generated_at = \"2023-03-01T00:00:00.000+09:00\";\n"
#define CAMPS2                                                                                       \
    "campaigns = ( { id = \"-\"; items = ( { type = \"text\"; duration = 10; text = \"東京都\"; " \
    "} ); },\n"                                                                                      \
    "  { id = \"a\"; owner = \"o\"; title = \"t\"; items = ( { type = \"image\"; duration = 2.5; "   \
    "media = \"media/" SHA_A ".jpg\"; sha256 = \"" SHA_A "\"; }, { }, { type = \"text\"; "           \
    "duration = 1; text = \"x\"; } ); } );\n"
#define WIN2(start, end, loop)                                                                     \
    "{ start = \"" start "\"; end = \"" end "\"; priority = 50; loop = " loop "; }"

START_TEST(test_format2_handwritten)
{
    char err[512];
    const char text[] =
        HEAD2 "inputs = \"abc\";\n" CAMPS2 "loops = ( [ 0 ], [ 1, 3, 1 ], ( 3, [ 1, 60000 ] ) );\n"
              "fallback = 0;\n"
              "windows = ( " WIN2(T0, T1, "1") ", " WIN2(T1, T2, "2") " );\n";
    struct pl_playlist *pl = parse_str(text, err, sizeof err);

    ck_assert_msg(pl != NULL, "%s", err);
    ck_assert_int_eq(pl->format, 2);
    ck_assert_str_eq(pl->inputs, "abc");
    ck_assert_uint_eq(pl->ncampaigns, 2);
    ck_assert_uint_eq(pl->fallback.nslots, 1);
    ck_assert_str_eq(pl->fallback.slots[0].campaign->id, "-");
    ck_assert_uint_eq(pl->nwindows, 2);
    /* [ 1, 3, 1 ]: a's item 0 (2.5 s), item 2 (1 s), item 0. */
    ck_assert_uint_eq(pl->windows[0].nslots, 3);
    ck_assert_int_eq(pl->windows[0].loop_ms, 6000);
    ck_assert_uint_eq(pl->windows[0].slots[1].item, 2);
    ck_assert_int_eq(pl->windows[0].slots[2].offset_ms, 3500);
    ck_assert_str_eq(pl->windows[0].slots[0].campaign->owner, "o");
    /* ( 3, [ 1, 60000 ] ): a slot that does not last its item's time. */
    ck_assert_int_eq(pl->windows[1].slots[1].duration_ms, 60000);
    ck_assert_int_eq(pl->windows[1].loop_ms, 61000);
    /* The placeholder { } is an item number nobody plays. */
    ck_assert_int_eq(pl->windows[0].slots[0].campaign->items[1].duration_ms, 0);
    pl_playlist_free(pl);
}
END_TEST

START_TEST(test_format2_corrupt)
{
#define BODY2(loops, fb, wins)                                                                     \
    HEAD2 CAMPS2 "loops = " loops ";\nfallback = " fb ";\nwindows = " wins ";\n"
    static const struct bad_pl cases[] = {
        {HEAD2 "fallback = -1; windows = ();", "p.playlist:", "'campaigns' is missing"},
        {HEAD2 "campaigns = (); fallback = -1; windows = ();", "p.playlist:", "'loops' is missing"},
        {HEAD2 "campaigns = (); loops = (); windows = ();", "p.playlist:", "'fallback' is missing"},
        {HEAD2 "campaigns = 5; loops = (); fallback = -1; windows = ();", ":9:", "must be a list"},
        {HEAD2 "campaigns = ( 5 ); loops = (); fallback = -1; windows = ();",
         ":9:", "a campaign must be"},
        {HEAD2
         "campaigns = ( { id = \"a\"; items = (); } ); loops = (); fallback = -1; windows = ();",
         ":9:", "no items"},
        {HEAD2 "campaigns = ( { id = \"a\"; } ); loops = (); fallback = -1; windows = ();",
         ":9:", "items = ("},
        {HEAD2 "campaigns = ( { id = \"A\"; items = ( { } ); } ); loops = (); fallback = -1; "
               "windows = ();",
         ":9:", "not valid"},
        {HEAD2 "campaigns = ( { id = \"a\"; items = ( { } ); }, { id = \"a\"; items = ( { } ); } );"
               " loops = (); fallback = -1; windows = ();",
         ":9:", "listed twice"},
        {HEAD2 "campaigns = ( { id = \"a\"; colour = 1; items = ( { } ); } ); loops = (); "
               "fallback = -1; windows = ();",
         ":9:", "'colour'"},
        {HEAD2
         "campaigns = ( { id = \"a\"; items = ( { type = \"text\"; duration = 1; text = \"x\"; "
         "campaign = \"b\"; } ); } ); loops = (); fallback = -1; windows = ();",
         ":9:", "'campaign'"},
        {HEAD2 "campaigns = ( { id = \"a\"; items = ( { type = \"image\"; duration = 1; "
               "media = \"/etc/passwd\"; sha256 = \"" SHA_A "\"; } ); } ); loops = (); "
               "fallback = -1; windows = ();",
         ":9:", "'media'"},
        {HEAD2 "campaigns = ( { id = \"a\"; items = ( 7 ); } ); loops = (); fallback = -1; "
               "windows = ();",
         ":9:", "an item must be a group"},
        {BODY2("( [ 0 ], [ 4 ] )", "0", "()"), ":11:", "item number 4"},
        {BODY2("( [ 0 ], [ 2 ] )", "0", "()"), ":11:", "item number 2"},
        {BODY2("( [ 0 ], [ -1 ] )", "0", "()"), ":11:", "item number -1"},
        {BODY2("( [ 0 ], [ 1, 0 ] )", "0", "()"), ":11:", "mixes the fallback"},
        {BODY2("( [ 0 ], [ ] )", "0", "()"), ":11:", "at least one"},
        {BODY2("( [ 0 ], ( \"1\" ) )", "0", "()"), ":11:", "item numbers"},
        {BODY2("( [ 0 ], ( [ 1, 2, 3 ] ) )", "0", "()"), ":11:", "item numbers"},
        {BODY2("( [ 0 ], ( [ 1, 999 ] ) )", "0", "()"), ":11:", "not 999"},
        {BODY2("( [ 0 ], ( [ 1, 86400001 ] ) )", "0", "()"), ":11:", "not 86400001"},
        {BODY2("( [ 0 ], ( ( ( 1 ) ) ) )", "0", "()"), ":11:", "item numbers"},
        {BODY2("( [ 0 ], [ 1 ] )", "2", "()"), ":12:", "'fallback'"},
        {BODY2("( [ 0 ], [ 1 ] )", "-2", "()"), ":12:", "'fallback'"},
        {BODY2("( [ 0 ], [ 1 ] )", "1", "()"), ":12:", "the fallback's loop"},
        {BODY2("( [ 0 ], [ 1 ] )", "0", "( " WIN2(T0, T1, "0") " )"), ":13:", "fallback's"},
        {BODY2("( [ 0 ], [ 1 ] )", "0", "( " WIN2(T0, T1, "2") " )"), ":13:", "'loop'"},
        {BODY2("( [ 0 ], [ 1 ] )", "0", "( " WIN2(T0, T1, "\"1\"") " )"), ":13:", "'loop'"},
        {BODY2("()", "-1", "( " WIN2(T0, T1, "0") " )"), ":13:", "'loops' is empty"},
        {BODY2("( [ 0 ], [ 1 ] )", "0", "( " WIN2(T1, T2, "1") ", " WIN2(T0, T1, "1") " )"),
         ":13:", "previous one ends"},
        {BODY2("( [ 0 ], [ 1 ] )", "0", "( " WIN2(T0, T1, "1") " );\nfoo = 1"), ":14:", "'foo'"},
        {HEAD2 "inputs = 5;" CAMPS2 "loops = (); fallback = -1; windows = ();", ":9:", "'inputs'"},
    };
#undef BODY2
    assert_refused(cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(test_format1_read_written_as_2)
{
    /* A playlist of the old format plays the same once written anew. */
    char err[512];
    const char text[] = HEAD "windows = ( " WIN(
        T0, T1,
        SLOT_IMG("a", "3", "2.5") ", " SLOT_IMG("b", "0", "1") ", " SLOT_IMG(
            "a", "3", "7")) ",\n" WIN(T1, T2,
                                      SLOT_IMG("a", "3", "2.5") ", " SLOT_IMG(
                                          "b", "0", "1") ", " SLOT_IMG("a", "3", "7")) " );\n";
    struct pl_playlist *v1 = parse_str(text, err, sizeof err), *v2;
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    size_t len;
    char *out;

    ck_assert_msg(v1 != NULL, "%s", err);
    ck_assert_int_eq(v1->format, 1);
    out = format_pl(v1, tz, &len);
    /* The two windows have the same loop: it is written once. */
    ck_assert_msg(strstr(out, "loop = 1; }") && !strstr(out, "loop = 2;"), "%s", out);
    ck_assert_msg(strstr(out, "{ }"), "%s", out); /* a's items 0..2 are not played */
    v2 = pl_playlist_parse(out, len, "v2.playlist", err, sizeof err);
    ck_assert_msg(v2 != NULL, "%s\n%s", err, out);
    ck_assert_uint_eq(v2->nwindows, 2);
    ck_assert_ptr_eq(v2->windows[0].slots, v2->windows[1].slots);
    for (size_t w = 0; w < 2; w++) {
        ck_assert_int_eq(v2->windows[w].start, v1->windows[w].start);
        ck_assert_int_eq(v2->windows[w].end, v1->windows[w].end);
        ck_assert_int_eq(v2->windows[w].loop_ms, v1->windows[w].loop_ms);
        ck_assert_uint_eq(v2->windows[w].nslots, 3);
        for (size_t i = 0; i < 3; i++) {
            assert_same_slot(&v1->windows[w].slots[i], &v2->windows[w].slots[i], false);
            ck_assert_int_eq(v2->windows[w].slots[i].offset_ms, v1->windows[w].slots[i].offset_ms);
        }
    }
    assert_same_slot(&v1->fallback.slots[0], &v2->fallback.slots[0], true);
    pl_playlist_free(v1);
    pl_playlist_free(v2);
    pl_tz_free(tz);
    free(out);
}
END_TEST

START_TEST(test_big_loop)
{
    /* 100 000 slots in one window, spread over 2 000 campaigns. */
    const size_t n = 100000;
    struct strbuf sb = STRBUF_INIT;
    struct pl_playlist *pl;
    char err[512];

    sb_puts(&sb,
            HEAD "windows = ( { start = \"" T0 "\"; end = \"" T1 "\"; priority = 50; loop = (\n");
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb,
                  "{ campaign = \"c%zu\"; item = %zu; type = \"text\"; duration = 1.5; "
                  "text = \"c%zu-i%zu\"; }%s\n",
                  i % 2000, (i / 2000) % 10, i % 2000, (i / 2000) % 10, i + 1 < n ? "," : "");
    sb_puts(&sb, "); } );\n");
    ck_assert(!sb_failed(&sb));
    pl = pl_playlist_parse(sb_str(&sb), sb.len, "big.playlist", err, sizeof err);
    ck_assert_msg(pl != NULL, "%s", err);
    ck_assert_uint_eq(pl->windows[0].nslots, n);
    ck_assert_int_eq(pl->windows[0].loop_ms, (pl_ms)n * 1500);
    ck_assert_int_eq(pl->windows[0].slots[n - 1].offset_ms, (pl_ms)(n - 1) * 1500);
    ck_assert_uint_eq(pl->ncampaigns, 2001);
    ck_assert_str_eq(pl->windows[0].slots[n - 1].campaign->id, "c1999");
    ck_assert_uint_eq(pl->windows[0].slots[n - 1].campaign->nitems, 10);
    ck_assert_uint_eq(pl->windows[0].slots[n - 1].item, 9);
    ck_assert_str_eq(pl->windows[0].slots[n - 1].campaign->items[9].text, "c1999-i9");

    /* And it formats back fast enough to write many screens. */
    {
        pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
        struct strbuf out = STRBUF_INIT;
        ck_assert_int_eq(pl_playlist_format(pl, tz, &out), 0);
        /* Each item once (about 130 bytes), each slot a number. */
        ck_assert_uint_gt(out.len, 20000 * 100);
        ck_assert_uint_lt(out.len, 20000 * 140 + n * 8);
        struct pl_playlist *back =
            pl_playlist_parse(sb_str(&out), out.len, "big2.playlist", err, sizeof err);
        ck_assert_msg(back != NULL, "%s", err);
        ck_assert_uint_eq(back->windows[0].nslots, n);
        ck_assert_int_eq(back->windows[0].loop_ms, (pl_ms)n * 1500);
        ck_assert_str_eq(back->windows[0].slots[n - 1].campaign->items[9].text, "c1999-i9");
        pl_playlist_free(back);
        sb_free(&out);
        pl_tz_free(tz);
    }
    pl_playlist_free(pl);
    sb_free(&sb);
}
END_TEST

START_TEST(test_item_budget)
{
    /* Campaigns asking for item 9999 each would allocate without bound. */
    struct strbuf sb = STRBUF_INIT;
    struct pl_playlist *pl;
    char err[512];

    sb_puts(&sb,
            HEAD "windows = ( { start = \"" T0 "\"; end = \"" T1 "\"; priority = 50; loop = (\n");
    for (int i = 0; i < 20; i++)
        sb_printf(&sb,
                  "{ campaign = \"c%d\"; item = 9999; type = \"text\"; duration = 1; "
                  "text = \"t\"; }%s\n",
                  i, i + 1 < 20 ? "," : "");
    sb_puts(&sb, "); } );\n");
    pl = pl_playlist_parse(sb_str(&sb), sb.len, "b.playlist", err, sizeof err);
    ck_assert_ptr_null(pl);
    ck_assert_msg(strstr(err, "b.playlist:") && strstr(err, "item numbers"), "%s", err);
    sb_free(&sb);
}
END_TEST

START_TEST(test_save_load)
{
    struct fixture f;
    char dir[] = "/tmp/plfile-XXXXXX", path[128], err[512];
    struct pl_playlist *pl;
    struct stat st;

    fixture_init(&f);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/shinjuku-west-4gou.playlist", dir);
    ck_assert_msg(pl_playlist_save(&f.pl, f.tz, path, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    pl = pl_playlist_load(path, err, sizeof err);
    ck_assert_msg(pl != NULL, "%s", err);
    ck_assert_uint_eq(pl->nwindows, 2);
    ck_assert_str_eq(pl->windows[0].slots[1].campaign->items[1].text, nasty);
    pl_playlist_free(pl);

    ck_assert_ptr_null(pl_playlist_load(dir, err, sizeof err));
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    unlink(path);
    ck_assert_ptr_null(pl_playlist_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, "cannot open"), "%s", err);
    /* A bad playlist reports its path. */
    {
        FILE *fp = fopen(path, "w");
        ck_assert_ptr_nonnull(fp);
        fputs("format = 1;\nscreen = 5;\n", fp);
        fclose(fp);
        ck_assert_ptr_null(pl_playlist_load(path, err, sizeof err));
        ck_assert_msg(strstr(err, path) && strstr(err, ":2: error:"), "%s", err);
    }
    unlink(path);
    rmdir(dir);
    fixture_clear(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("plfile");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_other_zone_and_empty);
    tcase_add_test(tc, test_format_refuses_bad_slots);
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_good_handwritten);
    tcase_add_test(tc, test_corrupt_files);
    tcase_add_test(tc, test_format2_handwritten);
    tcase_add_test(tc, test_format2_corrupt);
    tcase_add_test(tc, test_format1_read_written_as_2);
    tcase_add_test(tc, test_big_loop);
    tcase_add_test(tc, test_item_budget);
    tcase_add_test(tc, test_save_load);
    suite_add_tcase(s, tc);
    return s;
}
