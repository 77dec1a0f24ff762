/* Tests for common/imghdr.c: real images made by ffmpeg, hand-made headers
 * (EXIF in both byte orders, VP8X, bombs), and every truncation and random
 * corruption of them in exact-size buffers, so ASan sees any over-read. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/imghdr.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_imghdr.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Makes TMPDIR/NAME with ffmpeg from a lavfi source and loads it into an
 * exact-size buffer. */
static unsigned char *make_image(const char *name, const char *args, size_t *len)
{
    char cmd[512], path[256];
    unsigned char *buf;
    FILE *f;
    long n;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -loglevel error -y %s '%s'", args, path);
    ck_assert_msg(system(cmd) == 0, "ffmpeg failed: %s", cmd);
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    ck_assert_int_gt(n, 0);
    buf = malloc((size_t)n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Parses the first LEN bytes of P from an exact-size copy. */
static int parse_prefix(const unsigned char *p, size_t len, struct imghdr *h)
{
    unsigned char *copy = malloc(len ? len : 1);
    char err[256];
    int r;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, p, len);
    r = imghdr_parse(len ? copy : NULL, len, h, err, sizeof err);
    if (r < 0)
        ck_assert_msg(err[0] != '\0', "failure without a message");
    free(copy);
    return r;
}

START_TEST(test_real_images)
{
    static const struct {
        const char *name, *args;
        enum imghdr_format f;
    } cases[] = {
        {"a.png", "-f lavfi -i testsrc=size=321x243 -frames:v 1", IMGHDR_PNG},
        {"a.jpg", "-f lavfi -i testsrc=size=321x243 -frames:v 1", IMGHDR_JPEG},
        {"lossy.webp", "-f lavfi -i testsrc=size=321x243 -frames:v 1 -c:v libwebp", IMGHDR_WEBP},
        {"lossless.webp",
         "-f lavfi -i testsrc=size=321x243 -frames:v 1 -c:v libwebp "
         "-lossless 1",
         IMGHDR_WEBP},
        {"alpha.webp",
         "-f lavfi -i testsrc=size=321x243 -frames:v 1 -vf format=yuva420p "
         "-c:v libwebp",
         IMGHDR_WEBP},
        {"a.gif", "-f lavfi -i testsrc=size=321x243 -frames:v 1", IMGHDR_GIF},
        {"a.bmp", "-f lavfi -i testsrc=size=321x243 -frames:v 1", IMGHDR_BMP},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct imghdr h;
        size_t len;
        unsigned char *p = make_image(cases[i].name, cases[i].args, &len);
        int r = parse_prefix(p, len, &h);

        ck_assert_int_eq(h.format, cases[i].f);
        ck_assert_int_eq(imghdr_sniff(p, len), cases[i].f);
        ck_assert_msg(h.width == 321 && h.height == 243, "%s: %dx%d", cases[i].name, h.width,
                      h.height);
        ck_assert_int_eq(h.orientation, 1);
        if (cases[i].f == IMGHDR_GIF || cases[i].f == IMGHDR_BMP)
            ck_assert_int_eq(r, -ENOTSUP);
        else
            ck_assert_int_eq(r, 0);
        free(p);
    }
}
END_TEST

/* Every prefix of a real file: never an over-read; too short = error. */
START_TEST(test_truncations)
{
    static const char *const names[] = {"t.png", "t.jpg", "t.webp"};

    for (size_t i = 0; i < 3; i++) {
        struct imghdr h;
        size_t len, hdrlen = 0;
        unsigned char *p = make_image(names[i], "-f lavfi -i testsrc=size=64x48 -frames:v 1", &len);
        /* The shortest prefix that parses is the header's length. */
        for (size_t n = 0; n <= len && n < 4096; n++) {
            int r = parse_prefix(p, n, &h);
            if (r == 0 && !hdrlen)
                hdrlen = n;
            if (hdrlen)
                ck_assert_msg(r == 0, "%s: prefix %zu fails after %zu parsed", names[i], n, hdrlen);
        }
        ck_assert_msg(hdrlen > 0, "%s never parsed", names[i]);
        ck_assert_msg(hdrlen >= 25, "%s: %zu bytes cannot hold a header", names[i], hdrlen);
        free(p);
    }
}
END_TEST

/* A minimal JPEG header: SOI, optional APP1, SOF0 WxH, SOS. */
static size_t jpeg_with_app1(unsigned char *out, const unsigned char *app1, size_t app1len, int w,
                             int h)
{
    size_t n = 0;

    out[n++] = 0xff;
    out[n++] = 0xd8;
    if (app1) {
        out[n++] = 0xff;
        out[n++] = 0xe1;
        out[n++] = (unsigned char)((app1len + 2) >> 8);
        out[n++] = (unsigned char)(app1len + 2);
        memcpy(out + n, app1, app1len);
        n += app1len;
    }
    static const unsigned char sof_tail[] = {3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
    out[n++] = 0xff;
    out[n++] = 0xc0;
    out[n++] = 0;
    out[n++] = 17;
    out[n++] = 8;
    out[n++] = (unsigned char)(h >> 8);
    out[n++] = (unsigned char)h;
    out[n++] = (unsigned char)(w >> 8);
    out[n++] = (unsigned char)w;
    memcpy(out + n, sof_tail, sizeof sof_tail);
    n += sizeof sof_tail;
    out[n++] = 0xff;
    out[n++] = 0xda;
    out[n++] = 0;
    out[n++] = 12;
    memset(out + n, 0, 10);
    n += 10;
    return n;
}

/* "Exif\0\0" + TIFF with one IFD0 entry: tag, type, count, value. */
static size_t exif_block(unsigned char *out, int big_endian, unsigned tag, unsigned type,
                         unsigned count, unsigned value, unsigned ifd_off, unsigned nentries)
{
    size_t n = 0;
#define P16(v)                                                                                     \
    do {                                                                                           \
        unsigned v_ = (v);                                                                         \
        if (big_endian) {                                                                          \
            out[n++] = (unsigned char)(v_ >> 8);                                                   \
            out[n++] = (unsigned char)v_;                                                          \
        } else {                                                                                   \
            out[n++] = (unsigned char)v_;                                                          \
            out[n++] = (unsigned char)(v_ >> 8);                                                   \
        }                                                                                          \
    } while (0)
#define P32(v)                                                                                     \
    do {                                                                                           \
        unsigned w_ = (v);                                                                         \
        if (big_endian) {                                                                          \
            P16(w_ >> 16);                                                                         \
            P16(w_ & 0xffff);                                                                      \
        } else {                                                                                   \
            P16(w_ & 0xffff);                                                                      \
            P16(w_ >> 16);                                                                         \
        }                                                                                          \
    } while (0)
    memcpy(out, "Exif\0\0", 6);
    n = 6;
    out[n++] = big_endian ? 'M' : 'I';
    out[n++] = big_endian ? 'M' : 'I';
    P16(42);
    P32(ifd_off);
    P16(nentries);
    /* An unrelated tag first, then the one asked for. */
    P16(0x010f);
    P16(2);
    P32(4);
    P32(0);
    P16(tag);
    P16(type);
    P32(count);
    P16(value);
    P16(0);
    P32(0);
#undef P16
#undef P32
    return n;
}

START_TEST(test_exif)
{
    static const struct {
        int be;
        unsigned tag, type, count, value, ifd, nent;
        int want;
    } cases[] = {
        {0, 0x0112, 3, 1, 6, 8, 2, 6},                                         /* Intel order */
        {1, 0x0112, 3, 1, 3, 8, 2, 3},                                         /* Motorola order */
        {1, 0x0112, 3, 1, 8, 8, 2, 8},          {0, 0x0112, 3, 1, 9, 8, 2, 1}, /* out of range */
        {0, 0x0112, 3, 1, 0, 8, 2, 1},          {0, 0x0112, 4, 1, 6, 8, 2, 1}, /* wrong type */
        {0, 0x0112, 3, 0, 6, 8, 2, 1},                                         /* count 0 */
        {0, 0x0113, 3, 1, 6, 8, 2, 1},                                         /* other tag */
        {0, 0x0112, 3, 1, 6, 60000, 2, 1}, /* IFD beyond the block */
        {0, 0x0112, 3, 1, 6, 4, 2, 1},     /* IFD inside the header */
        {0, 0x0112, 3, 1, 6, 8, 65535, 6}, /* huge entry count: clamped */
        {1, 0x0112, 3, 1, 6, 0xffffffff, 2, 1},
    };
    unsigned char exif[128], jpeg[256];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct imghdr h;
        size_t el = exif_block(exif, cases[i].be, cases[i].tag, cases[i].type, cases[i].count,
                               cases[i].value, cases[i].ifd, cases[i].nent);
        size_t jl = jpeg_with_app1(jpeg, exif, el, 640, 480);
        ck_assert_int_eq(parse_prefix(jpeg, jl, &h), 0);
        ck_assert_int_eq(h.format, IMGHDR_JPEG);
        ck_assert_int_eq(h.width, 640);
        ck_assert_int_eq(h.height, 480);
        ck_assert_msg(h.orientation == cases[i].want, "case %zu: orientation %d, want %d", i,
                      h.orientation, cases[i].want);
        /* Cut anywhere: no over-read, and before SOS never a success. */
        for (size_t n = 0; n < jl - 10; n++)
            ck_assert_int_lt(parse_prefix(jpeg, n, &h), 0);
    }
    /* Not Exif: a different APP1 (XMP) is ignored. */
    {
        struct imghdr h;
        static const unsigned char xmp[] = "http://ns.adobe.com/xap/1.0/\0<x/>";
        size_t jl = jpeg_with_app1(jpeg, xmp, sizeof xmp, 10, 20);
        ck_assert_int_eq(parse_prefix(jpeg, jl, &h), 0);
        ck_assert_int_eq(h.orientation, 1);
    }
}
END_TEST

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t png_header(unsigned char *out, uint32_t w, uint32_t h, int depth, int ct)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    memcpy(out, sig, 8);
    put_be32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    put_be32(out + 16, w);
    put_be32(out + 20, h);
    out[24] = (unsigned char)depth;
    out[25] = (unsigned char)ct;
    out[26] = out[27] = out[28] = 0;
    put_be32(out + 29, 0); /* CRC: not checked by the header parser */
    return 33;
}

START_TEST(test_png_headers)
{
    unsigned char p[256];
    struct imghdr h;
    size_t n;

    /* A bomb header parses: refusing it is the caller's decision. */
    n = png_header(p, 100000, 100000, 8, 2);
    ck_assert_int_eq(parse_prefix(p, n, &h), 0);
    ck_assert_int_eq(h.width, 100000);
    ck_assert_int_eq(h.height, 100000);
    n = png_header(p, 0, 10, 8, 2);
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    n = png_header(p, 10, 0x80000000u, 8, 2);
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    n = png_header(p, 10, 10, 3, 2); /* depth 3 */
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    n = png_header(p, 10, 10, 16, 3); /* palette of depth 16 */
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    n = png_header(p, 10, 10, 8, 5);
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    n = png_header(p, 10, 10, 8, 6);
    memcpy(p + 12, "IHDX", 4);
    ck_assert_int_eq(parse_prefix(p, n, &h), -EINVAL);
    /* eXIf chunk before the image data sets the orientation; acTL = APNG. */
    {
        unsigned char exif[128];
        size_t el = exif_block(exif, 1, 0x0112, 3, 1, 5, 8, 2) - 6;
        n = png_header(p, 10, 10, 8, 6);
        put_be32(p + n, 8);
        memcpy(p + n + 4, "acTL", 4);
        memset(p + n + 8, 0, 12);
        n += 20;
        put_be32(p + n, (uint32_t)el);
        memcpy(p + n + 4, "eXIf", 4);
        memcpy(p + n + 8, exif + 6, el);
        put_be32(p + n + 8 + el, 0);
        n += 12 + el;
        ck_assert_int_eq(parse_prefix(p, n, &h), 0);
        ck_assert_int_eq(h.orientation, 5);
        ck_assert_int_eq(h.animated, 1);
        /* The same chunk with a length past the end is ignored, not read. */
        put_be32(p + n - 12 - el, 0x7fffffff);
        ck_assert_int_eq(parse_prefix(p, n, &h), 0);
        ck_assert_int_eq(h.orientation, 1);
    }
}
END_TEST

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

START_TEST(test_webp_headers)
{
    unsigned char p[256], exif[128];
    struct imghdr h;
    size_t n, el;

    /* VP8X canvas 16384x16385 (24-bit minus one), EXIF flag, EXIF chunk. */
    memset(p, 0, sizeof p);
    memcpy(p, "RIFF", 4);
    memcpy(p + 8, "WEBPVP8X", 8);
    put_le32(p + 16, 10);
    p[20] = 0x08 | 0x02;
    p[24] = 0xff;
    p[25] = 0x3f; /* width - 1 = 16383 */
    p[27] = 0x00;
    p[28] = 0x40; /* height - 1 = 16384 */
    n = 30;
    memcpy(p + n, "ICCP", 4);
    put_le32(p + n + 4, 3); /* odd size: padded */
    n += 8 + 4;
    el = exif_block(exif, 0, 0x0112, 3, 1, 8, 8, 2);
    memcpy(p + n, "EXIF", 4);
    put_le32(p + n + 4, (uint32_t)el);
    memcpy(p + n + 8, exif, el); /* with the "Exif\0\0" prefix some writers keep */
    n += 8 + el;
    put_le32(p + 4, (uint32_t)(n - 8));
    ck_assert_int_eq(parse_prefix(p, n, &h), 0);
    ck_assert_int_eq(h.format, IMGHDR_WEBP);
    ck_assert_int_eq(h.width, 16384);
    ck_assert_int_eq(h.height, 16385);
    ck_assert_int_eq(h.orientation, 8);
    ck_assert_int_eq(h.animated, 1);
    for (size_t k = 0; k < n; k++)
        parse_prefix(p, k, &h);
    /* An unknown first chunk, a VP8 inter frame, a VP8L bad signature. */
    memcpy(p + 12, "VP9 ", 4);
    ck_assert_int_eq(parse_prefix(p, 40, &h), -EINVAL);
    memcpy(p + 12, "VP8 ", 4);
    p[20] = 1;
    ck_assert_int_eq(parse_prefix(p, 40, &h), -EINVAL);
    memcpy(p + 12, "VP8L", 4);
    p[20] = 0x2e;
    ck_assert_int_eq(parse_prefix(p, 40, &h), -EINVAL);
}
END_TEST

START_TEST(test_not_images)
{
    static const char text[] = "this is not an image, just text named .png\n";
    static const unsigned char mp4[] = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    struct imghdr h;
    char err[128];

    ck_assert_int_eq(parse_prefix((const unsigned char *)text, sizeof text - 1, &h), -EILSEQ);
    ck_assert_int_eq(h.format, IMGHDR_UNKNOWN);
    ck_assert_int_eq(parse_prefix(mp4, sizeof mp4, &h), -EILSEQ);
    ck_assert_int_eq(parse_prefix(mp4, 0, &h), -EILSEQ);
    ck_assert_int_eq(imghdr_parse(NULL, 100, &h, err, sizeof err), -EILSEQ);
    ck_assert(strstr(err, "PNG, JPEG or WebP") != NULL);
    /* No error buffer at all is fine. */
    ck_assert_int_eq(imghdr_parse(text, 10, &h, NULL, 0), -EILSEQ);
    ck_assert_str_eq(imghdr_format_name(IMGHDR_WEBP), "WebP");
    ck_assert_str_eq(imghdr_format_ext(IMGHDR_JPEG), "jpg");
    ck_assert_ptr_null(imghdr_format_ext(IMGHDR_GIF));
    /* Two SOF, SOS before SOF, DNL height 0, a second SOI. */
    {
        unsigned char j[128];
        size_t n = jpeg_with_app1(j, NULL, 0, 0, 10);
        ck_assert_int_eq(parse_prefix(j, n, &h), -EINVAL);
        n = jpeg_with_app1(j, NULL, 0, 10, 10);
        j[3] = 0xd8;
        ck_assert_int_eq(parse_prefix(j, n, &h), -EINVAL);
        n = jpeg_with_app1(j, NULL, 0, 10, 10);
        j[3] = 0xda; /* the SOF turned into a SOS */
        ck_assert_int_eq(parse_prefix(j, n, &h), -EINVAL);
        n = jpeg_with_app1(j, NULL, 0, 10, 10);
        j[4] = 0;
        j[5] = 1; /* segment length 1 */
        ck_assert_int_eq(parse_prefix(j, n, &h), -EINVAL);
    }
}
END_TEST

/* Random corruption of real headers: only checks nothing over-reads (ASan)
 * and every failure has a message. */
START_TEST(test_random_corruption)
{
    static const char *const names[] = {"r.png", "r.jpg", "r.webp"};
    unsigned seed = 12345;

    for (size_t i = 0; i < 3; i++) {
        size_t len;
        unsigned char *p = make_image(names[i], "-f lavfi -i testsrc=size=32x32 -frames:v 1", &len);
        size_t cut = len < 600 ? len : 600;
        for (int round = 0; round < 3000; round++) {
            unsigned char *q = malloc(cut);
            struct imghdr h;
            char err[256];
            size_t n;
            ck_assert_ptr_nonnull(q);
            memcpy(q, p, cut);
            for (int k = 0; k < 4; k++) {
                seed = seed * 1103515245u + 12345u;
                q[12 + (seed >> 8) % (cut - 12)] = (unsigned char)(seed >> 20);
            }
            seed = seed * 1103515245u + 12345u;
            n = (seed >> 4) % (cut + 1);
            if (imghdr_parse(q, n, &h, err, sizeof err) < 0)
                ck_assert(err[0] != '\0');
            else
                ck_assert(h.width > 0 && h.height > 0 && h.orientation >= 1 && h.orientation <= 8);
            free(q);
        }
        free(p);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("imghdr");
    TCase *tc = tcase_create("imghdr");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_real_images);
    tcase_add_test(tc, test_truncations);
    tcase_add_test(tc, test_exif);
    tcase_add_test(tc, test_png_headers);
    tcase_add_test(tc, test_webp_headers);
    tcase_add_test(tc, test_not_images);
    tcase_add_test(tc, test_random_corruption);
    suite_add_tcase(s, tc);
    return s;
}
