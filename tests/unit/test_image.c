/* Tests for player/image.c: pictures made at run time (ffmpeg lavfi, or SDL
 * surfaces saved as PNG), fitted, and checked pixel by pixel.
 *
 * With SIGNAGE_TEST_SHOTS=DIR set, some results are also written there. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "media/contract.h"
#include "player/image.h"
#include "common/slurp.h"
#include "tests/unit/check_main.h"

static char dir[256]; /* the fixture directory of the running test */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_image.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* PATH of NAME in the fixture directory; the last 8 answers stay valid. */
static const char *fx(const char *name)
{
    static char path[8][512];
    static unsigned next;
    char *p = path[next++ % 8];

    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* Runs ffmpeg with FILTER (a -filter_complex graph giving one picture) and
 * writes the first frame to NAME in the fixture directory. */
static const char *make_ffmpeg(const char *name, const char *filter, const char *extra)
{
    char cmd[2048];
    const char *path = fx(name);

    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex '%s' "
             "-frames:v 1 %s '%s'",
             filter, extra, path);
    ck_assert_msg(system(cmd) == 0, "ffmpeg failed: %s", cmd);
    return path;
}

/* Two halves side by side, red and blue, W x H in all. */
static const char *make_halves(const char *name, int w, int h, const char *extra)
{
    char filter[512];

    snprintf(filter, sizeof filter,
             "color=red:s=%dx%d[a];color=blue:s=%dx%d[b];[a][b]hstack=inputs=2", w / 2, h, w / 2,
             h);
    return make_ffmpeg(name, filter, extra);
}

/* Four quadrants: red, green / blue, white, W x H in all. */
static const char *make_quadrants(const char *name, int w, int h, const char *extra)
{
    char filter[512];
    int qw = w / 2, qh = h / 2;

    snprintf(filter, sizeof filter,
             "color=red:s=%dx%d[a];color=0x00ff00:s=%dx%d[b];color=blue:s=%dx%d[c];"
             "color=white:s=%dx%d[d];[a][b]hstack[t];[c][d]hstack[u];[t][u]vstack",
             qw, qh, qw, qh, qw, qh, qw, qh);
    return make_ffmpeg(name, filter, extra);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    char *buf = NULL, err[512] = "";

    ck_assert_msg(slurp_path(path, NULL, 1u << 30, &buf, len, err, sizeof err) == 0, "%s", err);
    return (unsigned char *)buf;
}

static void spill(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static Uint32 px(const SDL_Surface *s, int x, int y)
{
    return *(const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch +
                             (size_t)x * 4);
}

/* True when the pixel is within TOL of 0xRRGGBB in every channel. */
static bool near(Uint32 p, uint32_t rgb, int tol)
{
    for (int sh = 0; sh < 24; sh += 8) {
        int a = (int)((p >> sh) & 0xff), b = (int)((rgb >> sh) & 0xff);

        if (abs(a - b) > tol)
            return false;
    }
    return (p >> 24) == 0xff;
}

#define ck_near(s, x, y, rgb)                                                                      \
    ck_assert_msg(near(px(s, x, y), rgb, 48), "pixel (%d,%d) is %08x, expected ~%06x", x, y,       \
                  (unsigned)px(s, x, y), (unsigned)(rgb))

static SDL_Surface *fit_ok(const char *path, int w, int h, uint32_t bar)
{
    char err[512] = "";
    SDL_Surface *s = image_load_fit(path, w, h, bar, err, sizeof err);

    ck_assert_msg(s != NULL, "image_load_fit(%s): %s", path, err);
    ck_assert_int_eq(s->w, w);
    ck_assert_int_eq(s->h, h);
    ck_assert_uint_eq(s->format->format, SDL_PIXELFORMAT_ARGB8888);
    return s;
}

static void fit_fails(const char *path, const char *want)
{
    char err[512] = "";
    SDL_Surface *s = image_load_fit(path, 640, 360, 0, err, sizeof err);

    ck_assert_msg(s == NULL, "%s was accepted", path);
    ck_assert_msg(strstr(err, want) != NULL, "message for %s: \"%s\" lacks \"%s\"", path, err,
                  want);
    ck_assert_msg(strstr(err, path) != NULL, "message lacks the file name: %s", err);
}

static void shot(const SDL_Surface *s, const char *name)
{
    const char *d = getenv("SIGNAGE_TEST_SHOTS");
    char path[1024];

    if (!d || !*d)
        return;
    snprintf(path, sizeof path, "%s/%s.png", d, name);
    IMG_SavePNG((SDL_Surface *)s, path);
}

/* A landscape picture in a landscape box of the same aspect fills it. */
static void check_halves_fill(const char *path)
{
    SDL_Surface *s = fit_ok(path, 960, 540, 0x000000);

    ck_near(s, 10, 10, 0xff0000);
    ck_near(s, 240, 270, 0xff0000);
    ck_near(s, 720, 270, 0x0000ff);
    ck_near(s, 950, 530, 0x0000ff);
    SDL_FreeSurface(s);
}

START_TEST(test_formats)
{
    check_halves_fill(make_halves("h.png", 1920, 1080, ""));
    check_halves_fill(make_halves("h.jpg", 1920, 1080, "-q:v 2"));
    check_halves_fill(make_halves("h.webp", 1920, 1080, "-c:v libwebp"));
    /* upscaled from a small picture */
    check_halves_fill(make_halves("small.png", 64, 36, ""));
    /* content decides, not the name */
    check_halves_fill(make_halves("jpeg-named.png", 320, 180, "-f mjpeg"));
}
END_TEST

START_TEST(test_portrait_in_landscape)
{
    const char *p = make_halves("portrait.png", 200, 400, "");
    SDL_Surface *s = fit_ok(p, 1920, 1080, 0x123456);

    /* 200x400 into 1920x1080: 540x1080 in the middle, bars 690 px wide */
    shot(s, "image-portrait-in-landscape");
    ck_near(s, 0, 540, 0x123456);
    ck_near(s, 680, 540, 0x123456);
    ck_near(s, 1240, 540, 0x123456);
    ck_near(s, 1919, 0, 0x123456);
    ck_near(s, 700, 540, 0xff0000);
    ck_near(s, 955, 10, 0xff0000);
    ck_near(s, 965, 1070, 0x0000ff);
    ck_near(s, 1220, 540, 0x0000ff);
    SDL_FreeSurface(s);

    /* landscape into portrait: bars above and below */
    p = make_halves("wide.png", 400, 200, "");
    s = fit_ok(p, 1080, 1920, 0x000000);
    ck_near(s, 540, 10, 0x000000);
    ck_near(s, 540, 1910, 0x000000);
    ck_near(s, 270, 960, 0xff0000);
    ck_near(s, 810, 960, 0x0000ff);
    ck_near(s, 270, 700, 0xff0000); /* the picture is 1080x540 from y=690 */
    ck_near(s, 810, 1220, 0x0000ff);
    ck_near(s, 810, 680, 0x000000);
    SDL_FreeSurface(s);
}
END_TEST

/* Downscaling averages: a 1-pixel checkerboard becomes grey, where a
 * nearest-neighbour scaler would give black or white. */
START_TEST(test_downscale_quality)
{
    SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, 1600, 800, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Surface *s;

    ck_assert_ptr_nonnull(c);
    for (int y = 0; y < 800; y++) {
        for (int x = 0; x < 1600; x++)
            ((Uint32 *)((Uint8 *)c->pixels + y * c->pitch))[x] =
                (x + y) % 2 ? 0xffffffffu : 0xff000000u;
    }
    ck_assert_int_eq(IMG_SavePNG(c, fx("checker.png")), 0);
    SDL_FreeSurface(c);
    s = fit_ok(fx("checker.png"), 300, 150, 0xff0000);
    for (int y = 5; y < 150; y += 20) {
        for (int x = 5; x < 300; x += 20)
            ck_assert_msg(near(px(s, x, y), 0x808080, 24), "(%d,%d) = %08x", x, y,
                          (unsigned)px(s, x, y));
    }
    SDL_FreeSurface(s);
}
END_TEST

/* Transparent parts show the bar colour. */
START_TEST(test_alpha)
{
    SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, 100, 100, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Surface *s;

    ck_assert_ptr_nonnull(c);
    SDL_FillRect(c, NULL, 0x00000000u);
    SDL_Rect r = {0, 0, 50, 100};
    SDL_FillRect(c, &r, 0xffff0000u);
    ck_assert_int_eq(IMG_SavePNG(c, fx("alpha.png")), 0);
    SDL_FreeSurface(c);
    s = fit_ok(fx("alpha.png"), 200, 200, 0x00ff00);
    ck_near(s, 50, 100, 0xff0000);
    ck_near(s, 150, 100, 0x00ff00);
    SDL_FreeSurface(s);
}
END_TEST

/* Inserts an APP1 Exif segment with orientation O right after SOI. */
static void jpeg_with_orientation(const char *src, const char *dst, int o)
{
    size_t len;
    unsigned char *in = slurp(src, &len), *out;
    /* "Exif\0\0", big-endian TIFF header, one IFD entry: 0x0112 SHORT 1 O */
    unsigned char app1[] = {
        0xff, 0xe1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0,    0,
        'M',  'M',  0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01,
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (unsigned char)o,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };

    ck_assert_uint_eq(sizeof app1 - 2, 0x22);
    ck_assert(len > 4 && in[0] == 0xff && in[1] == 0xd8);
    out = malloc(len + sizeof app1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, in, 2);
    memcpy(out + 2, app1, sizeof app1);
    memcpy(out + 2 + sizeof app1, in + 2, len - 2);
    spill(dst, out, len + sizeof app1);
    free(in);
    free(out);
}

START_TEST(test_exif_orientation)
{
    /* stored: red green / blue white; what a viewer shows for each value */
    static const uint32_t R = 0xff0000, G = 0x00ff00, B = 0x0000ff, W = 0xffffff;
    static const uint32_t want[9][4] = {
        {0, 0, 0, 0}, {R, G, B, W}, /* 1 upright */
        {G, R, W, B},               /* 2 mirrored */
        {W, B, G, R},               /* 3 upside down */
        {B, W, R, G},               /* 4 flipped */
        {R, B, G, W},               /* 5 transposed */
        {B, R, W, G},               /* 6 turned clockwise */
        {W, G, B, R},               /* 7 transversed */
        {G, W, R, B},               /* 8 turned anticlockwise */
    };
    const char *q = make_quadrants("q.jpg", 400, 200, "-q:v 2");

    for (int o = 1; o <= 8; o++) {
        char name[32];
        SDL_Surface *s;
        /* 5..8 turn it to portrait, 200x400: in a 400x400 box it is
         * 200 wide with 100 px bars left and right */
        bool turned = o >= 5;
        int x0 = turned ? 100 : 0, y0 = turned ? 0 : 100;
        int qw = turned ? 100 : 200, qh = turned ? 200 : 100;

        snprintf(name, sizeof name, "o%d.jpg", o);
        jpeg_with_orientation(q, fx(name), o);
        s = fit_ok(fx(name), 400, 400, 0x000000);
        if (o == 6)
            shot(s, "image-exif-6");
        ck_near(s, x0 + qw / 2, y0 + qh / 2, want[o][0]);
        ck_near(s, x0 + qw + qw / 2, y0 + qh / 2, want[o][1]);
        ck_near(s, x0 + qw / 2, y0 + qh + qh / 2, want[o][2]);
        ck_near(s, x0 + qw + qw / 2, y0 + qh + qh / 2, want[o][3]);
        ck_near(s, turned ? 50 : 200, turned ? 200 : 50, 0x000000);
        SDL_FreeSurface(s);
    }
}
END_TEST

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

/* A PNG whose IHDR claims W x H, with a tiny (valid) IDAT after it. */
static void png_claiming(const char *path, uint32_t w, uint32_t h)
{
    unsigned char buf[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                             0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    size_t n = 16;
    uint32_t crc;

    buf[n++] = (unsigned char)(w >> 24);
    buf[n++] = (unsigned char)(w >> 16);
    buf[n++] = (unsigned char)(w >> 8);
    buf[n++] = (unsigned char)w;
    buf[n++] = (unsigned char)(h >> 24);
    buf[n++] = (unsigned char)(h >> 16);
    buf[n++] = (unsigned char)(h >> 8);
    buf[n++] = (unsigned char)h;
    buf[n++] = 8; /* depth */
    buf[n++] = 2; /* RGB */
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = 0;
    crc = crc32_of(buf + 12, n - 12);
    buf[n++] = (unsigned char)(crc >> 24);
    buf[n++] = (unsigned char)(crc >> 16);
    buf[n++] = (unsigned char)(crc >> 8);
    buf[n++] = (unsigned char)crc;
    memcpy(buf + n, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    n += 12;
    spill(path, buf, n);
}

START_TEST(test_broken_files)
{
    size_t len;
    unsigned char *b;
    const char *png = make_halves("ok.png", 640, 360, "");
    const char *jpg = make_halves("ok.jpg", 640, 360, "-q:v 3");
    const char *webp = make_halves("ok.webp", 640, 360, "-c:v libwebp");

    /* truncated, each format */
    b = slurp(png, &len);
    spill(fx("trunc.png"), b, len / 2);
    fit_fails(fx("trunc.png"), "decode");
    /* corrupt: bytes in the middle of the pixel data overwritten */
    memset(b + len / 2, 0x5a, 64);
    spill(fx("corrupt.png"), b, len);
    fit_fails(fx("corrupt.png"), "decode");
    /* PNG signature on JPEG data: mislabelled inside */
    free(b);
    b = slurp(jpg, &len);
    spill(fx("trunc.jpg"), b, len / 2);
    fit_fails(fx("trunc.jpg"), "truncated");
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    spill(fx("fake.png"), b, len);
    fit_fails(fx("fake.png"), "fake.png");
    free(b);
    b = slurp(webp, &len);
    spill(fx("trunc.webp"), b, len * 2 / 3);
    fit_fails(fx("trunc.webp"), "trunc.webp");
    free(b);

    /* not images at all */
    spill(fx("text.png"), "this is not a picture\n", 22);
    fit_fails(fx("text.png"), "not an image");
    spill(fx("empty.jpg"), "", 0);
    fit_fails(fx("empty.jpg"), "empty");
    spill(fx("anim.gif"), "GIF89a\x10\x00\x10\x00\x00\x00\x00;", 14);
    fit_fails(fx("anim.gif"), "not supported");
    fit_fails(fx("missing.png"), "cannot open");
    fit_fails(dir, "regular file");
    ck_assert_int_eq(mkfifo(fx("fifo.png"), 0600), 0);
    fit_fails(fx("fifo.png"), "regular file"); /* and no hang */

    /* decompression bombs, refused from the header */
    png_claiming(fx("bomb.png"), 100000, 100000);
    fit_fails(fx("bomb.png"), "100000");
    png_claiming(fx("wide.png"), 16385, 10);
    fit_fails(fx("wide.png"), "16385");
    png_claiming(fx("mp.png"), 12000, 9000); /* 108 MP */
    fit_fails(fx("mp.png"), "pixels");
    png_claiming(fx("zero.png"), 0, 10);
    fit_fails(fx("zero.png"), "zero.png");

    /* oversized file (sparse, cheap) */
    int fd = open(fx("huge.jpg"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)MEDIA_IMAGE_MAX_BYTES + 1), 0);
    close(fd);
    fit_fails(fx("huge.jpg"), "bytes");
}
END_TEST

START_TEST(test_bad_arguments)
{
    const char *png = make_halves("ok.png", 64, 36, "");
    char err[256] = "";

    ck_assert_ptr_null(image_load_fit(png, 0, 100, 0, err, sizeof err));
    ck_assert(err[0] != '\0');
    ck_assert_ptr_null(image_load_fit(png, 100, -1, 0, err, sizeof err));
    ck_assert_ptr_null(image_load_fit(png, 100, 16385, 0, err, sizeof err));
    ck_assert_ptr_null(image_load_fit(NULL, 100, 100, 0, err, sizeof err));
    ck_assert_ptr_null(image_fit_mem(NULL, 0, "x", 100, 100, 0, err, sizeof err));
    /* extreme aspect: a 1x1 box, a 16384x1 box */
    SDL_Surface *s = fit_ok(png, 1, 1, 0);
    SDL_FreeSurface(s);
    s = fit_ok(png, 16384, 1, 0);
    SDL_FreeSurface(s);
}
END_TEST

/* Print material: a CMYK JPEG as ImageMagick (and Photoshop) write it, with
 * an Adobe marker and inverted inks.  Red must stay red (not blue) and black
 * black (not the bar colour showing through). */
START_TEST(test_cmyk_jpeg)
{
    char cmd[1024];
    SDL_Surface *s;

    snprintf(cmd, sizeof cmd,
             "/usr/bin/convert -size 64x64 xc:red xc:'#00ff00' +append "
             "\\( xc:blue xc:black +append \\) -append \\( -size 128x64 xc:'#808080' \\) "
             "-append -colorspace CMYK -quality 95 '%s'",
             fx("cmyk.jpg"));
    ck_assert_msg(system(cmd) == 0, "ImageMagick failed: %s", cmd);
    s = fit_ok(fx("cmyk.jpg"), 128, 192, 0x00ff00);
    ck_assert_msg(near(px(s, 32, 32), 0xff0000, 8), "red is %08x", (unsigned)px(s, 32, 32));
    ck_assert_msg(near(px(s, 96, 32), 0x00ff00, 8), "green is %08x", (unsigned)px(s, 96, 32));
    ck_assert_msg(near(px(s, 32, 96), 0x0000ff, 8), "blue is %08x", (unsigned)px(s, 32, 96));
    ck_assert_msg(near(px(s, 96, 96), 0x000000, 8), "black is %08x", (unsigned)px(s, 96, 96));
    ck_assert_msg(near(px(s, 64, 160), 0x808080, 8), "grey is %08x", (unsigned)px(s, 64, 160));
    SDL_FreeSurface(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_portrait_in_landscape);
    tcase_add_test(tc, test_downscale_quality);
    tcase_add_test(tc, test_alpha);
    tcase_add_test(tc, test_exif_orientation);
    tcase_add_test(tc, test_broken_files);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_cmyk_jpeg);
    suite_add_tcase(s, tc);
    return s;
}
