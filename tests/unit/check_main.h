/* check_main.h - each tests/unit/test_*.c defines test_suite(). */
#ifndef SIGNAGE_CHECK_MAIN_H
#define SIGNAGE_CHECK_MAIN_H

#include <check.h>
#include <stddef.h>

Suite *test_suite(void);

/* A scratch directory /tmp/NAME.XXXXXX made into DIR (LEN bytes, at least
 * 32), failing the test when it cannot be; test_tmpdir_remove() removes it
 * with everything in it. */
void test_tmpdir_make(char *dir, size_t len, const char *name);
void test_tmpdir_remove(const char *dir);

/* Writes TEXT to PATH (created or truncated), failing the test on error. */
void test_write_file(const char *path, const char *text);

/* Directory with the repository's files (fonts/, tests/), for fixtures. */
#define TEST_SRCDIR "."

#endif
