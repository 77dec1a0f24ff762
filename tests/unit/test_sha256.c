/* Tests for common/sha256.c: FIPS 180-4's examples, every length around the
 * padding's edge fed in pieces, and a file. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/sha256.h"
#include "tests/unit/check_main.h"

static void hex_of(const void *data, size_t len, char hex[65])
{
    struct sha256 s;

    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final_hex(&s, hex);
}

START_TEST(test_vectors)
{
    char hex[65];
    static char million[1000000];

    hex_of("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', sizeof million);
    hex_of(million, sizeof million, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Any split of the input gives the same digest. */
START_TEST(test_pieces)
{
    unsigned char data[200];
    char whole[65], parts[65];
    struct sha256 s;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 50; len < 140; len++) {
        hex_of(data, len, whole);
        for (size_t cut = 0; cut <= len; cut += 13) {
            sha256_init(&s);
            sha256_update(&s, data, cut);
            sha256_update(&s, data + cut, len - cut);
            sha256_final_hex(&s, parts);
            ck_assert_str_eq(parts, whole);
        }
    }
}
END_TEST

START_TEST(test_fd)
{
    char hex[65];
    FILE *f = tmpfile();

    ck_assert_ptr_nonnull(f);
    fputs("abc", f);
    fflush(f);
    rewind(f);
    ck_assert_int_eq(sha256_fd_hex(fileno(f), hex), 0);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    fclose(f);
    ck_assert_int_lt(sha256_fd_hex(-1, hex), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_pieces);
    tcase_add_test(tc, test_fd);
    suite_add_tcase(s, tc);
    return s;
}
