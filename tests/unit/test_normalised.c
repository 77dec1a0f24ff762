/* Tests for playlists/normalised.c: reading the accepted campaigns of
 * STATE/campaigns/ as signagectl's list, plan and at do, with no scheduler
 * code: what is read, what is left out, and that nothing hangs or follows
 * a link. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "playlists/normalised.h"
#include "tests/unit/check_main.h"

static pl_tz *tz;

static struct pl_campaign *text_campaign(const char *id)
{
    struct pl_campaign *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->id = strdup(id);
    c->title = strdup("牧野博士の新休日");
    c->owner = strdup("高知県");
    c->start = INT64_C(1677596400000); /* 2023-03-01T00:00+09:00 */
    c->end = INT64_C(1680274800000);   /* 2023-04-01T00:00+09:00 */
    c->priority = 50;
    c->weight = 1;
    c->nscreens = 1;
    c->screens = calloc(1, sizeof *c->screens);
    c->screens[0] = strdup("*");
    c->nitems = 1;
    c->items = calloc(1, sizeof *c->items);
    c->items[0].type = PL_ITEM_TEXT;
    c->items[0].duration_ms = 10000;
    c->items[0].text = strdup("らんまんの舞台・高知");
    c->items[0].background = 0x0b2545;
    c->items[0].color = 0xffffff;
    return c;
}

/* DIR/NAME holding the normalised text of campaign ID. */
static void write_campaign(const char *dir, const char *name, const char *id)
{
    char path[512];
    struct strbuf sb = STRBUF_INIT;
    struct pl_campaign *c = text_campaign(id);

    ck_assert_int_eq(pl_campaign_format(c, tz, &sb), 0);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    test_write_file(path, sb_str(&sb));
    sb_free(&sb);
    pl_campaign_free(c);
}

static void setup(void)
{
    char err[256];
    tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    ck_assert_ptr_nonnull(tz);
}

static void teardown(void)
{
    pl_tz_free(tz);
}

START_TEST(test_missing_dir_is_empty)
{
    char dir[256], sub[300];
    struct pl_campaign **v = (struct pl_campaign **)1;
    size_t n = 99;

    test_tmpdir_make(dir, sizeof dir, "normalised");
    snprintf(sub, sizeof sub, "%s/campaigns", dir);
    ck_assert_int_eq(pl_campaigns_load(sub, tz, &v, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    /* reading created nothing */
    ck_assert_int_ne(access(sub, F_OK), 0);
    /* a file where the directory should be cannot be read */
    test_write_file(sub, "x");
    ck_assert_int_eq(pl_campaigns_load(sub, tz, &v, &n), -1);
}
END_TEST

START_TEST(test_load_sorted_and_left_out)
{
    char dir[256], path[512], err[512];
    struct pl_campaign **v;
    size_t n;
    struct stat sb;

    test_tmpdir_make(dir, sizeof dir, "normalised");
    write_campaign(dir, "zeta.cfg", "zeta");
    write_campaign(dir, "alpha.cfg", "alpha");
    write_campaign(dir, "mid.cfg", "mid");
    /* renamed by hand: holds another id */
    write_campaign(dir, "renamed.cfg", "other");
    /* not a campaign at all */
    snprintf(path, sizeof path, "%s/garbage.cfg", dir);
    test_write_file(path, "format = 1;\nid = ;;;\n");
    /* a link is never followed, a FIFO never blocks */
    snprintf(path, sizeof path, "%s/link.cfg", dir);
    ck_assert_int_eq(symlink("alpha.cfg", path), 0);
    snprintf(path, sizeof path, "%s/fifo.cfg", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    /* not named like a campaign: not looked at */
    write_campaign(dir, ".hidden.cfg", "hidden");
    write_campaign(dir, "notes.txt", "notes");

    ck_assert_int_eq(pl_campaigns_load(dir, tz, &v, &n), 4);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0]->id, "alpha");
    ck_assert_str_eq(v[1]->id, "mid");
    ck_assert_str_eq(v[2]->id, "zeta");
    ck_assert_str_eq(v[0]->items[0].text, "らんまんの舞台・高知");
    ck_assert_int_eq(v[0]->start, INT64_C(1677596400000));
    pl_campaigns_free(v, n);

    /* one file, with its identity, and why another is refused */
    struct pl_campaign *c = pl_campaign_read_accepted(dir, "mid.cfg", tz, &sb, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_gt(sb.st_size, 0);
    ck_assert(S_ISREG(sb.st_mode));
    pl_campaign_free(c);
    c = pl_campaign_read_accepted(dir, "renamed.cfg", tz, NULL, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err, "holds campaign \"other\""));
    c = pl_campaign_read_accepted(dir, "link.cfg", tz, NULL, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

START_TEST(test_campaign_names)
{
    ck_assert(pl_is_campaign_name("kochi-expo.cfg"));
    ck_assert(!pl_is_campaign_name(".cfg"));
    ck_assert(!pl_is_campaign_name(".kochi.cfg"));
    ck_assert(!pl_is_campaign_name("kochi.cfg.tmp.abcdef"));
    ck_assert(!pl_is_campaign_name("kochi.CFG"));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("normalised");
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_missing_dir_is_empty);
    tcase_add_test(tc, test_load_sorted_and_left_out);
    tcase_add_test(tc, test_campaign_names);
    suite_add_tcase(s, tc);
    return s;
}
