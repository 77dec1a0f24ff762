/* The main() every unit-test binary shares: runs the file's suite with Check
 * (each test forked, so a crash is a failure) and prints one line the runner
 * sums up: "RESULT <passed> <failed>". */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"

void test_tmpdir_make(char *dir, size_t len, const char *name)
{
    snprintf(dir, len, "/tmp/%s.XXXXXX", name);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

void test_tmpdir_remove(const char *dir)
{
    char cmd[512];

    ck_assert_ptr_null(strchr(dir, '\''));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

void test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

int main(void)
{
    SRunner *sr = srunner_create(test_suite());
    int run, failed;

    /* As in the scheduler: a lease probe (scheduler/ingest.c) may see a
     * writer open a spool file. */
    signal(SIGIO, SIG_IGN);
    srunner_run_all(sr, CK_NORMAL);
    run = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("RESULT %d %d\n", run - failed, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
