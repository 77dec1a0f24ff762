/* Tests for playlists/model.c and the common/ utilities it stands beside. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/parallel.h"
#include "common/strbuf.h"
#include "playlists/model.h"
#include "tests/unit/check_main.h"

/* parallel_for() calls its function once for each index, whether it runs
 * on one thread (few items) or several. */
static void square_into(void *ctx, size_t i)
{
    long *v = ctx;

    v[i] += (long)(i * i) + 1;
}

START_TEST(test_parallel_for)
{
    static const size_t ns[] = {0, 1, 7, 100000};
    long *v = calloc(100000, sizeof *v);

    ck_assert_ptr_nonnull(v);
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        for (size_t min = 1; min <= 1000000; min *= 1000) {
            memset(v, 0, 100000 * sizeof *v);
            parallel_for(ns[k], min, square_into, v);
            for (size_t i = 0; i < ns[k]; i++)
                ck_assert_msg(v[i] == (long)(i * i) + 1, "n %zu min %zu: v[%zu] = %ld", ns[k], min,
                              i, v[i]);
            for (size_t i = ns[k]; i < 100000; i++)
                ck_assert_int_eq(v[i], 0);
        }
    }
    free(v);
}
END_TEST

START_TEST(test_ids)
{
    ck_assert(pl_id_valid("kochi-makino-expo"));
    ck_assert(pl_id_valid("0"));
    ck_assert(pl_id_valid("a_b-9"));
    ck_assert(!pl_id_valid(""));
    ck_assert(!pl_id_valid(NULL));
    ck_assert(!pl_id_valid("-lead"));
    ck_assert(!pl_id_valid("_lead"));
    ck_assert(!pl_id_valid("Upper"));
    ck_assert(!pl_id_valid("has space"));
    ck_assert(!pl_id_valid("../etc"));
    ck_assert(!pl_id_valid("高知"));
    char id[80];
    memset(id, 'a', sizeof id);
    id[64] = '\0';
    ck_assert(pl_id_valid(id));
    id[64] = 'a';
    id[65] = '\0';
    ck_assert(!pl_id_valid(id));
}
END_TEST

START_TEST(test_colors)
{
    uint32_t c = 0;
    char buf[8];

    ck_assert_int_eq(pl_color_parse("#1b5e20", &c), 0);
    ck_assert_uint_eq(c, 0x1b5e20);
    pl_color_format(c, buf);
    ck_assert_str_eq(buf, "#1b5e20");
    ck_assert_int_eq(pl_color_parse("#FFF", &c), 0);
    ck_assert_uint_eq(c, 0xffffff);
    ck_assert_int_eq(pl_color_parse("1b5e20", &c), -1);
    ck_assert_int_eq(pl_color_parse("#1b5e2", &c), -1);
    ck_assert_int_eq(pl_color_parse("#1b5e2g", &c), -1);
    ck_assert_int_eq(pl_color_parse("#", &c), -1);
    ck_assert_int_eq(pl_color_parse(NULL, &c), -1);
}
END_TEST

START_TEST(test_item_types)
{
    ck_assert_int_eq(pl_item_type_parse("image"), PL_ITEM_IMAGE);
    ck_assert_int_eq(pl_item_type_parse("video"), PL_ITEM_VIDEO);
    ck_assert_int_eq(pl_item_type_parse("text"), PL_ITEM_TEXT);
    ck_assert_int_eq(pl_item_type_parse("Image"), -1);
    ck_assert_int_eq(pl_item_type_parse("audio"), -1);
    ck_assert_str_eq(pl_item_type_name(PL_ITEM_VIDEO), "video");
    pl_campaign_free(NULL);
}
END_TEST

START_TEST(test_media_paths)
{
    static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static const char *const bad[] = {
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.",
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.jpegjpeg9",
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.PNG",
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.p/g",
        "media/1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png",
        "media/../0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab.png",
        "/etc/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png",
        "media/0123",
        "",
    };

    ck_assert(pl_sha256_valid(sha));
    ck_assert(!pl_sha256_valid(""));
    ck_assert(!pl_sha256_valid("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
    ck_assert(!pl_sha256_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"));
    ck_assert(
        !pl_sha256_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
    ck_assert(pl_media_path_valid(
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png", sha));
    ck_assert(pl_media_path_valid(
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.mp4", sha));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!pl_media_path_valid(bad[i], sha), "accepted %s", bad[i]);
    ck_assert(!pl_media_path_valid(
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png", "x"));
}
END_TEST

START_TEST(test_strbuf)
{
    struct strbuf sb = STRBUF_INIT;

    ck_assert_str_eq(sb_str(&sb), "");
    for (int i = 0; i < 1000; i++)
        sb_printf(&sb, "%d,", i);
    ck_assert(!sb_failed(&sb));
    ck_assert(strncmp(sb_str(&sb), "0,1,2,", 6) == 0);
    ck_assert_uint_eq(sb.len, strlen(sb.buf));
    char *s = sb_steal(&sb);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(sb.buf);
    free(s);
    sb_free(&sb);
}
END_TEST

START_TEST(test_atomic_write)
{
    char dir[] = "/tmp/signage-atomic.XXXXXX", path[64], err[256] = "";
    struct stat st;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.playlist", dir);
    ck_assert_int_eq(atomic_write_file(path, "one\n", 4, 0644, err, sizeof err), 0);
    ck_assert_int_eq(atomic_write_file(path, "two!\n", 5, 0644, err, sizeof err), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 5);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    /* a directory that does not exist: error with the path, nothing left */
    char bad[96];
    snprintf(bad, sizeof bad, "%s/nodir/x", dir);
    ck_assert_int_eq(atomic_write_file(bad, "x", 1, 0644, err, sizeof err), -ENOENT);
    ck_assert(strstr(err, bad) != NULL);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0); /* fails if a temporary file was left */
}
END_TEST

static void note_failed(void *ctx, size_t i, const char *err)
{
    size_t *seen = ctx;

    ck_assert(strstr(err, "cannot rename into place") != NULL);
    *seen = i + 1;
}

START_TEST(test_atomic_batch)
{
    char dir[] = "/tmp/signage-batch.XXXXXX", path[96], err[256] = "", buf[16];
    struct atomic_batch *b;
    struct stat st, st2;
    size_t failed = 0;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    b = atomic_batch_new(dir);
    ck_assert_ptr_nonnull(b);
    snprintf(path, sizeof path, "%s/a.playlist", dir);
    ck_assert_int_eq(atomic_write_file(path, "old\n", 4, 0644, err, sizeof err), 0);
    ck_assert_int_eq(atomic_batch_add(b, path, "new!\n", 5, 0644, &st, err, sizeof err), 0);
    /* Before the commit the old file is in place, whole. */
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    ck_assert_str_eq(buf, "old\n");
    snprintf(path, sizeof path, "%s/b.playlist", dir);
    ck_assert_int_eq(atomic_batch_add(b, path, "b\n", 2, 0644, NULL, err, sizeof err), 0);
    /* A target that turns into a directory before the commit cannot be replaced. */
    snprintf(path, sizeof path, "%s/c.playlist", dir);
    ck_assert_int_eq(atomic_batch_add(b, path, "c\n", 2, 0644, NULL, err, sizeof err), 0);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/d/x.playlist", dir);
    ck_assert_int_eq(atomic_batch_add(b, path, "x", 1, 0644, NULL, err, sizeof err), -ENOENT);
    ck_assert(strstr(err, path) != NULL);
    ck_assert_uint_eq(atomic_batch_size(b), 3);
    ck_assert_int_eq(atomic_batch_commit(b, note_failed, &failed), 1);
    ck_assert_uint_eq(failed, 3); /* the third added */
    ck_assert_uint_eq(atomic_batch_size(b), 0);
    snprintf(path, sizeof path, "%s/a.playlist", dir);
    ck_assert_int_eq(stat(path, &st2), 0);
    ck_assert_int_eq(st2.st_ino, st.st_ino); /* the identity given when added */
    ck_assert_int_eq(st2.st_size, 5);
    ck_assert_int_eq(st2.st_mode & 0777, 0644);
    unlink(path);
    snprintf(path, sizeof path, "%s/b.playlist", dir);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/c.playlist", dir);
    ck_assert_int_eq(rmdir(path), 0);
    /* What is not committed is removed when the batch is freed. */
    snprintf(path, sizeof path, "%s/e.playlist", dir);
    ck_assert_int_eq(atomic_batch_add(b, path, "e", 1, 0644, NULL, err, sizeof err), 0);
    atomic_batch_free(b);
    atomic_batch_free(NULL);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(rmdir(dir), 0); /* fails if a temporary file was left */
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parallel_for);
    tcase_add_test(tc, test_ids);
    tcase_add_test(tc, test_colors);
    tcase_add_test(tc, test_item_types);
    tcase_add_test(tc, test_media_paths);
    tcase_add_test(tc, test_strbuf);
    tcase_add_test(tc, test_atomic_write);
    tcase_add_test(tc, test_atomic_batch);
    suite_add_tcase(s, tc);
    return s;
}
