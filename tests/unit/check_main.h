/* check_main.h - each tests/unit/test_*.c defines test_suite(). */
#ifndef SIGNAGE_CHECK_MAIN_H
#define SIGNAGE_CHECK_MAIN_H

#include <check.h>

Suite *test_suite(void);

/* Directory with the repository's files (fonts/, tests/), for fixtures. */
#define TEST_SRCDIR "."

#endif
