/* Tests for the preparation thread: candidates tried in order with every
 * failure reported, waiting jobs withdrawn, and playlists read off the
 * render thread (good, garbage, missing, replaced). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "player/prep.h"
#include "player/video.h"
#include "tests/unit/check_main.h"

#define FONT TEST_SRCDIR "/fonts/BIZUDPGothic-Bold.ttf"

static char tmpdir[64];

static void setup(void)
{
    test_tmpdir_make(tmpdir, sizeof tmpdir, "test_prep");
}

static void teardown(void)
{
    test_tmpdir_remove(tmpdir);
}

static const char *const good_playlist =
    "format = 1;\n"
    "screen = \"t\";\n"
    "timezone = \"Asia/Tokyo\";\n"
    "width = 320; height = 180;\n"
    "rotate = 0;\n"
    "generation = 7L;\n"
    "generated_at = \"2023-03-10T00:00:00.000+09:00\";\n"
    "fallback = ( );\n"
    "windows = ( { start = \"2023-03-10T00:00:00.000+09:00\"; end = "
    "\"2023-03-11T00:00:00.000+09:00\"; priority = 50; loop = ( { campaign = \"a\"; item = 0; "
    "type = \"text\"; duration = 5.000; text = \"高知\"; background = \"#000080\"; "
    "color = \"#ffffff\"; } ); } );\n";

/* Polls for a result (or a playlist answer) for at most 10 s. */
static struct prep_result *wait_result(struct prep *p)
{
    for (int i = 0; i < 1000; i++) {
        struct prep_result *r = prep_poll(p);
        if (r)
            return r;
        usleep(10000);
    }
    return NULL;
}

static int wait_playlist(struct prep *p, struct pl_playlist **pl, char *err, size_t errlen)
{
    for (int i = 0; i < 1000; i++) {
        if (prep_poll_playlist(p, pl, err, errlen))
            return 1;
        usleep(10000);
    }
    return 0;
}

START_TEST(test_candidates_in_order)
{
    char err[512];
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);
    struct prep_item items[2] = {
        {.type = PL_ITEM_IMAGE, .path = (char *)"/nonexistent/a.png"},
        {.type = PL_ITEM_TEXT, .text = (char *)"東京都", .fg = 0xffffff, .bg = 0x000080},
    };

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(prep_submit(p, 42, items, 2), 0);
    struct prep_result *r = wait_result(p);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->id, 42);
    ck_assert_uint_eq(r->chosen, 1);
    ck_assert_ptr_nonnull(r->errors[0]);
    ck_assert_msg(strstr(r->errors[0], "/nonexistent/a.png"), "error: %s", r->errors[0]);
    ck_assert_ptr_null(r->errors[1]);
    ck_assert_ptr_nonnull(r->surface);
    ck_assert_int_eq(r->surface->w, 320);
    ck_assert_int_eq(r->surface->h, 180);
    prep_result_free(r);
    prep_free(p);
}
END_TEST

START_TEST(test_all_fail)
{
    char err[512];
    struct prep *p = prep_new(320, 180, FONT, false, err, sizeof err);
    struct prep_item items[2] = {
        {.type = PL_ITEM_VIDEO, .path = (char *)"/nonexistent/v.mp4"},
        {.type = PL_ITEM_IMAGE, .path = (char *)"/dev/null"},
    };

    ck_assert_ptr_nonnull(p);
    struct prep_result *r = prep_run(p, items, 2);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->chosen, 2); /* none */
    ck_assert_ptr_nonnull(r->errors[0]);
    ck_assert_ptr_nonnull(r->errors[1]);
    ck_assert_ptr_null(r->surface);
    ck_assert_ptr_null(r->video);
    prep_result_free(r);
    prep_free(p);
}
END_TEST

/* Without the thread nothing runs, so the queue can be looked at exactly. */
START_TEST(test_cancel_waiting)
{
    char err[512];
    struct prep *p = prep_new(320, 180, FONT, false, err, sizeof err);
    struct prep_item it = {.type = PL_ITEM_TEXT, .text = (char *)"x"};

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(prep_submit(p, 1, &it, 1), 0);
    ck_assert_int_eq(prep_submit(p, 2, &it, 1), 0);
    ck_assert_int_eq(prep_submit(p, 3, &it, 1), 0);
    ck_assert(prep_cancel(p, 2));
    ck_assert(!prep_cancel(p, 2)); /* once */
    ck_assert(!prep_cancel(p, 99));
    ck_assert(prep_cancel(p, 3));
    ck_assert(prep_cancel(p, 1));
    ck_assert(!prep_cancel(p, 1));
    prep_free(p); /* nothing left to leak */
}
END_TEST

/* A withdrawn job never answers; the one after it does. */
START_TEST(test_cancel_threaded)
{
    char err[512];
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);
    struct prep_item it = {.type = PL_ITEM_TEXT, .text = (char *)"相互PR", .bg = 0x202020};
    bool seen[6] = {false};

    ck_assert_ptr_nonnull(p);
    for (uint64_t id = 1; id <= 4; id++)
        ck_assert_int_eq(prep_submit(p, id, &it, 1), 0);
    bool c3 = prep_cancel(p, 3);
    ck_assert_int_eq(prep_submit(p, 5, &it, 1), 0);
    for (;;) {
        struct prep_result *r = wait_result(p);
        ck_assert_ptr_nonnull(r);
        ck_assert_uint_le(r->id, 5);
        seen[r->id] = true;
        bool last = r->id == 5;
        prep_result_free(r);
        if (last)
            break;
    }
    if (c3)
        ck_assert(!seen[3]);
    ck_assert(seen[4]);
    prep_free(p);
}
END_TEST

START_TEST(test_playlist_good)
{
    char err[1024], path[128];
    struct pl_playlist *pl = NULL;
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);

    snprintf(path, sizeof path, "%s/t.playlist", tmpdir);
    test_write_file(path, good_playlist);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(prep_poll_playlist(p, &pl, err, sizeof err), 0); /* nothing asked */
    ck_assert_int_eq(prep_load_playlist(p, path), 0);
    ck_assert_int_eq(wait_playlist(p, &pl, err, sizeof err), 1);
    ck_assert_ptr_nonnull(pl);
    ck_assert_int_eq(pl->generation, 7);
    ck_assert_uint_eq(pl->nwindows, 1);
    pl_playlist_free(pl);
    ck_assert_int_eq(prep_poll_playlist(p, &pl, err, sizeof err), 0); /* answered once */
    prep_free(p);
}
END_TEST

START_TEST(test_playlist_bad)
{
    char err[1024], path[128];
    struct pl_playlist *pl = NULL;
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);

    ck_assert_ptr_nonnull(p);
    snprintf(path, sizeof path, "%s/garbage.playlist", tmpdir);
    test_write_file(path, "format = 1;\nwindows = ( { start = \"2023-");
    ck_assert_int_eq(prep_load_playlist(p, path), 0);
    err[0] = '\0';
    ck_assert_int_eq(wait_playlist(p, &pl, err, sizeof err), 1);
    ck_assert_ptr_null(pl);
    ck_assert_msg(strstr(err, "garbage.playlist"), "err: %s", err);

    snprintf(path, sizeof path, "%s/missing.playlist", tmpdir);
    ck_assert_int_eq(prep_load_playlist(p, path), 0);
    err[0] = '\0';
    ck_assert_int_eq(wait_playlist(p, &pl, err, sizeof err), 1);
    ck_assert_ptr_null(pl);
    ck_assert_msg(strstr(err, "missing.playlist"), "err: %s", err);
    prep_free(p);
}
END_TEST

/* Two requests before any answer is taken: the answer is the later file's
 * (the earlier is superseded, whether it ran or not), and nothing leaks. */
START_TEST(test_playlist_superseded)
{
    char err[1024], good[128], bad[128];
    struct pl_playlist *pl = NULL;
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);

    ck_assert_ptr_nonnull(p);
    snprintf(bad, sizeof bad, "%s/bad.playlist", tmpdir);
    snprintf(good, sizeof good, "%s/good.playlist", tmpdir);
    test_write_file(bad, "not a playlist");
    test_write_file(good, good_playlist);
    ck_assert_int_eq(prep_load_playlist(p, bad), 0);
    ck_assert_int_eq(prep_load_playlist(p, good), 0);
    /* the good file's answer comes last; an earlier one may come first */
    for (int i = 0; i < 2 && !pl; i++)
        ck_assert_int_eq(wait_playlist(p, &pl, err, sizeof err), 1);
    ck_assert_ptr_nonnull(pl);
    ck_assert_int_eq(pl->generation, 7);
    pl_playlist_free(pl);
    /* an answer never taken is freed with the preparer */
    ck_assert_int_eq(prep_load_playlist(p, good), 0);
    usleep(50000);
    prep_free(p);
}
END_TEST

/* A video is prepared held (first frame only), and one no longer wanted is
 * stopped and freed on the preparation thread. */
START_TEST(test_video_held_and_disposed)
{
    char err[512], path[128], cmd[512];
    struct prep *p = prep_new(320, 180, FONT, true, err, sizeof err);

    ck_assert_ptr_nonnull(p);
    snprintf(path, sizeof path, "%s/v.mp4", tmpdir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=s=160x90:r=25:d=2 "
             "-pix_fmt yuv420p '%s'",
             path);
    ck_assert_int_eq(system(cmd), 0);
    struct prep_item it = {.type = PL_ITEM_VIDEO, .path = path};
    for (uint64_t id = 1; id <= 3; id++) {
        ck_assert_int_eq(prep_submit(p, id, &it, 1), 0);
        struct prep_result *r = wait_result(p);
        ck_assert_ptr_nonnull(r);
        ck_assert_ptr_nonnull(r->video);
        usleep(200000);
        const struct video_frame *f = video_frame_at(r->video, 100000, NULL);
        ck_assert_int_eq(f->pts_ms, 0); /* held */
        prep_dispose_video(p, r->video);
        r->video = NULL;
        prep_result_free(r);
    }
    prep_dispose_video(p, NULL);
    prep_free(p); /* frees any not yet freed: the sanitizers would see a leak */

    /* without the thread it is freed at once */
    p = prep_new(320, 180, FONT, false, err, sizeof err);
    struct prep_result *r = prep_run(p, &it, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(r->video);
    prep_dispose_video(p, r->video);
    r->video = NULL;
    prep_result_free(r);
    prep_free(p);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("prep");
    TCase *tc = tcase_create("prep");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_candidates_in_order);
    tcase_add_test(tc, test_all_fail);
    tcase_add_test(tc, test_cancel_waiting);
    tcase_add_test(tc, test_cancel_threaded);
    tcase_add_test(tc, test_playlist_good);
    tcase_add_test(tc, test_playlist_bad);
    tcase_add_test(tc, test_playlist_superseded);
    tcase_add_test(tc, test_video_held_and_disposed);
    suite_add_tcase(s, tc);
    return s;
}
