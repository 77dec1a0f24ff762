/* Tests for common/slurp.c: whole regular files, and nothing else; and
 * common/grow.c, the growable arrays such readers fill. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/grow.h"
#include "common/slurp.h"
#include "tests/unit/check_main.h"

static void spill(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

START_TEST(test_whole_file)
{
    char dir[256], path[512], *buf = NULL, err[256] = "";
    size_t len = 99;

    test_tmpdir_make(dir, sizeof dir, "slurp");
    snprintf(path, sizeof path, "%s/a.cfg", dir);
    spill(path, "東京都\nx");
    ck_assert_int_eq(slurp_path(path, "a.cfg", 100, &buf, &len, err, sizeof err), 0);
    ck_assert_uint_eq(len, strlen("東京都\nx"));
    ck_assert_str_eq(buf, "東京都\nx"); /* NUL-terminated */
    free(buf);
    /* from an fd opened elsewhere, which stays open */
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(slurp_fd(fd, "a.cfg", 100, &buf, &len, err, sizeof err), 0);
    ck_assert_str_eq(buf, "東京都\nx");
    ck_assert_int_eq(fcntl(fd, F_GETFD), 0);
    close(fd);
    free(buf);
    /* an empty file is an empty string */
    spill(path, "");
    ck_assert_int_eq(slurp_path(path, NULL, 100, &buf, &len, err, sizeof err), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(buf, "");
    free(buf);
    test_tmpdir_remove(dir);
}
END_TEST

START_TEST(test_refused)
{
    char dir[256], path[512], fifo[512], *buf = (char *)1, err[256] = "";
    size_t len = 99;

    test_tmpdir_make(dir, sizeof dir, "slurp");
    snprintf(path, sizeof path, "%s/big", dir);
    spill(path, "0123456789");
    ck_assert_int_eq(slurp_path(path, "big", 9, &buf, &len, err, sizeof err), -EFBIG);
    ck_assert_ptr_null(buf);
    ck_assert_uint_eq(len, 0);
    ck_assert_msg(strstr(err, "big: error: the file is 10 bytes, more than the 9 allowed"), "%s",
                  err);
    ck_assert_int_eq(slurp_path(path, "big", 10, &buf, &len, err, sizeof err), 0);
    free(buf);
    /* a folder, a FIFO (no writer: must not block), a missing file */
    ck_assert_int_eq(slurp_path(dir, "d", 100, &buf, &len, err, sizeof err), -EINVAL);
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(slurp_path(fifo, "fifo", 100, &buf, &len, err, sizeof err), -EINVAL);
    unlink(fifo);
    snprintf(path, sizeof path, "%s/none", dir);
    ck_assert_int_eq(slurp_path(path, "none", 100, &buf, &len, err, sizeof err), -ENOENT);
    ck_assert_msg(strstr(err, "none: error: cannot open"), "%s", err);
    ck_assert_ptr_null(buf);
    test_tmpdir_remove(dir);
}
END_TEST

START_TEST(test_grow_array)
{
    size_t cap = 0, n;
    int *v = NULL, *nv;

    for (n = 0; n < 1000; n++) {
        nv = grow_array(v, &cap, n, sizeof *v, 16);
        ck_assert_ptr_nonnull(nv);
        v = nv;
        v[n] = (int)n;
        ck_assert_uint_gt(cap, n);
    }
    ck_assert_uint_eq(cap, 1024); /* 16 doubled six times */
    for (n = 0; n < 1000; n++)
        ck_assert_int_eq(v[n], (int)n);
    /* Room left: the same array, the room unchanged. */
    ck_assert_ptr_eq(grow_array(v, &cap, 1000, sizeof *v, 16), v);
    ck_assert_uint_eq(cap, 1024);
    /* A size that overflows leaves the array and its room as they were. */
    nv = grow_array(v, &cap, 1024, SIZE_MAX / 1024, 16);
    ck_assert_ptr_null(nv);
    ck_assert_uint_eq(cap, 1024);
    ck_assert_int_eq(v[999], 999);
    free(v);
    /* The first room is FIRST; none at all is an error, not a 0-byte array. */
    cap = 0;
    ck_assert_ptr_null(grow_array(NULL, &cap, 0, sizeof *v, 0));
    ck_assert_uint_eq(cap, 0);
    v = grow_array(NULL, &cap, 0, sizeof *v, 3);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(cap, 3);
    free(v);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("slurp");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_whole_file);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_grow_array);
    suite_add_tcase(s, tc);
    return s;
}
