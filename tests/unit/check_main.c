/* The main() every unit-test binary shares: runs the file's suite with Check
 * (each test forked, so a crash is a failure) and prints one line the runner
 * sums up: "RESULT <passed> <failed>". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/check_main.h"

int main(void)
{
    SRunner *sr = srunner_create(test_suite());
    int run, failed;

    srunner_run_all(sr, CK_NORMAL);
    run = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("RESULT %d %d\n", run - failed, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
