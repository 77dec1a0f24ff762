/* Tests for playlists/merge.c: which campaigns reach a screen, and the
 * playlist the merge gives it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playlists/merge.h"
#include "scheduler/campaign.h"
#include "tests/unit/check_main.h"

static const char cfg_text[] =
    "screens = (\n"
    "  { id = \"plaza\"; groups = [ \"tokyo\" ]; width = 1920; height = 1080; },\n"
    "  { id = \"gairo\"; groups = [ \"tokyo\" ]; width = 1080; height = 1920; rotate = 90; },\n"
    "  { id = \"kochi\"; groups = [ \"shikoku\" ]; width = 1920; height = 1080; }\n"
    ");\n"
    "horizon_days = 7;\n"
    "fallback = { title = \"fb\"; owner = \"東京都\";\n"
    "  items = ( { type = \"text\"; text = \"相互PR\"; duration = 10; } ); };\n";

static struct pl_config *load_cfg(char *dir, size_t len)
{
    char path[512], err[1024] = "";
    FILE *f;

    test_tmpdir_make(dir, len, "merge");
    snprintf(path, sizeof path, "%s/signage.cfg", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(cfg_text, f);
    fclose(f);
    struct pl_config *cfg = pl_config_load(path, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    return cfg;
}

static struct pl_campaign *camp(const struct pl_config *cfg, const char *id, const char *screens)
{
    char text[1024], err[1024] = "";

    snprintf(text, sizeof text,
             "id = \"%s\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";\n"
             "end = \"2023-03-31\"; screens = [ %s ];\n"
             "items = ( { type = \"text\"; text = \"%s\"; duration = 5; } );\n",
             id, screens, id);
    struct pl_campaign *c = sched_campaign_parse(text, strlen(text), id, cfg, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    return c;
}

START_TEST(test_targeting_and_playlist)
{
    char dir[256], err[256] = "";
    struct pl_config *cfg = load_cfg(dir, sizeof dir);
    struct pl_campaign *c[3] = {camp(cfg, "wood", "\"tokyo\""), camp(cfg, "yosakoi", "\"shikoku\""),
                                camp(cfg, "all", "\"*\"")};
    const struct pl_campaign *camps[3] = {c[0], c[1], c[2]};
    const struct pl_screen *gairo = pl_config_screen(cfg, "gairo");
    size_t *idx = NULL, n = 99;
    pl_ms from, to, now = 1678838400000; /* 2023-03-15T00:00Z */

    ck_assert_int_eq(pl_merge_targeting(camps, 3, gairo, &idx, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(idx[0], 0); /* wood by its group */
    ck_assert_uint_eq(idx[1], 2); /* all by "*" */
    free(idx);
    ck_assert_int_eq(pl_merge_targeting(camps, 0, gairo, &idx, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(idx);

    /* From the day before NOW's local day (09:00 JST is 9 h into it) to 7 + 1
     * days after its start: the same range all day, holding NOW - 1 day ..
     * NOW + 7 days. */
    pl_merge_range(cfg, now, &from, &to);
    ck_assert_int_eq(from, now - 9 * PL_MS_PER_HOUR - PL_MS_PER_DAY);
    ck_assert_int_eq(to, now - 9 * PL_MS_PER_HOUR + 8 * PL_MS_PER_DAY);
    pl_ms from2, to2;
    pl_merge_range(cfg, now + 14 * PL_MS_PER_HOUR + 59 * PL_MS_PER_MIN, &from2, &to2);
    ck_assert_int_eq(from2, from);
    ck_assert_int_eq(to2, to);
    pl_merge_range(cfg, now + 15 * PL_MS_PER_HOUR, &from2, &to2);
    ck_assert_int_eq(from2, from + PL_MS_PER_DAY);

    struct pl_playlist *pl = pl_merge_screen(cfg, camps, 3, gairo, from, to, err, sizeof err);
    ck_assert_msg(pl != NULL, "%s", err);
    ck_assert_str_eq(pl->screen, "gairo");
    ck_assert_int_eq(pl->width, 1080);
    ck_assert_int_eq(pl->height, 1920);
    ck_assert_int_eq(pl->rotate, 90);
    ck_assert_int_eq(pl->generated_at, from);
    ck_assert_uint_ge(pl->nwindows, 1);
    for (size_t w = 0; w < pl->nwindows; w++)
        for (size_t k = 0; k < pl->windows[w].nslots; k++) {
            const char *id = pl->windows[w].slots[k].campaign->id;
            ck_assert_msg(strcmp(id, "yosakoi") != 0, "kochi's campaign on gairo");
        }
    ck_assert_uint_eq(pl->fallback.nslots, 1);
    pl_playlist_free(pl);

    for (int i = 0; i < 3; i++)
        pl_campaign_free(c[i]);
    pl_config_free(cfg);
    test_tmpdir_remove(dir);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_targeting_and_playlist);
    suite_add_tcase(s, tc);
    return s;
}
