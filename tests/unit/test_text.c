/* Tests for player/text.c: real SDL surfaces with the bundled font.
 *
 * With SIGNAGE_TEST_SHOTS=DIR set, the pictures are also written there as
 * PNG files for a person to look at. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "player/text.h"
#include "tests/unit/check_main.h"

#define FONT TEST_SRCDIR "/fonts/BIZUDPGothic-Bold.ttf"
#define KOCHI "牧野博士の新休日\nらんまんの舞台・高知"
#define GREEN 0x1b5e20
#define WHITE 0xffffff

static const char long_text[] =
    "お知らせ。高知県観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」は、"
    "2023/03/31まで開催しています。会場では、植物学者・牧野富太郎博士ゆかりの"
    "草花を紹介する「まきの植物探検」や、県内各地の食を楽しむ「高知の食まつり」"
    "（10:00～17:00、入場料1,000円）など、さまざまな催しを行っています。"
    "ご来場の際は、公共交通機関をご利用ください。";

static struct text_renderer *open_renderer(void)
{
    char err[512] = "";
    struct text_renderer *r = text_renderer_new(FONT, err, sizeof err);

    ck_assert_msg(r != NULL, "text_renderer_new: %s", err);
    return r;
}

static Uint32 px(const SDL_Surface *s, int x, int y)
{
    return *(const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch +
                             (size_t)x * 4);
}

static void shot(const SDL_Surface *s, const char *name)
{
    const char *dir = getenv("SIGNAGE_TEST_SHOTS");
    char path[1024];

    if (!dir || !*dir)
        return;
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    IMG_SavePNG((SDL_Surface *)s, path);
}

struct ink {
    long count;         /* pixels that differ from the background */
    long bright;        /* of those, near the text colour */
    int x0, y0, x1, y1; /* their bounding box */
};

static struct ink measure_ink(const SDL_Surface *s, uint32_t bg, uint32_t fg)
{
    struct ink k = {0, 0, s->w, s->h, -1, -1};

    for (int y = 0; y < s->h; y++) {
        for (int x = 0; x < s->w; x++) {
            Uint32 p = px(s, x, y);

            if (p == (0xff000000u | bg))
                continue;
            k.count++;
            if (p == (0xff000000u | fg))
                k.bright++;
            k.x0 = x < k.x0 ? x : k.x0;
            k.y0 = y < k.y0 ? y : k.y0;
            k.x1 = x > k.x1 ? x : k.x1;
            k.y1 = y > k.y1 ? y : k.y1;
        }
    }
    return k;
}

/* Renders and checks what every text picture must be: the size and format
 * asked for, opaque, the background in the margins. */
static SDL_Surface *render_ok(struct text_renderer *r, const char *text, uint32_t fg, uint32_t bg,
                              int w, int h, struct ink *ink)
{
    char err[512] = "";
    SDL_Surface *s = text_render(r, text, fg, bg, w, h, err, sizeof err);
    int m = text_margin(w, h);

    ck_assert_msg(s != NULL, "text_render: %s", err);
    ck_assert_int_eq(s->w, w);
    ck_assert_int_eq(s->h, h);
    ck_assert_uint_eq(s->format->format, SDL_PIXELFORMAT_ARGB8888);
    *ink = measure_ink(s, bg, fg);
    if (ink->count > 0) {
        ck_assert_msg(ink->x0 >= m && ink->y0 >= m && ink->x1 < w - m && ink->y1 < h - m,
                      "ink at (%d,%d)-(%d,%d) outside the margin %d of %dx%d", ink->x0, ink->y0,
                      ink->x1, ink->y1, m, w, h);
    }
    for (int y = 0; y<h; y += h> 64 ? 7 : 1) {
        for (int x = 0; x<w; x += w> 64 ? 7 : 1)
            ck_assert_uint_eq(px(s, x, y) >> 24, 0xff); /* opaque everywhere */
    }
    return s;
}

START_TEST(test_kochi_landscape)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *s = render_ok(r, KOCHI, WHITE, GREEN, 1920, 1080, &k);
    int pt = 0, nlines = 0;

    shot(s, "kochi-1920x1080");
    ck_assert_uint_eq(px(s, 0, 0), 0xff1b5e20);
    ck_assert_uint_eq(px(s, 1919, 0), 0xff1b5e20);
    ck_assert_uint_eq(px(s, 0, 1079), 0xff1b5e20);
    ck_assert_uint_eq(px(s, 1919, 1079), 0xff1b5e20);
    ck_assert_int_eq(text_last_layout(r, &pt, &nlines), 0);
    ck_assert_int_eq(nlines, 2); /* the explicit newline, nothing more */
    ck_assert_int_gt(pt, 100);
    /* solid white strokes, and antialiasing (some in-between pixels) */
    ck_assert_int_gt(k.bright, 50000);
    ck_assert_int_gt(k.count - k.bright, 1000);
    /* the block is centred: the ink's middle is near the picture's */
    ck_assert_int_lt(abs((k.x0 + k.x1) / 2 - 960), 40);
    ck_assert_int_lt(abs((k.y0 + k.y1) / 2 - 540), 60);
    /* and large: the longer line spans most of the width */
    ck_assert_int_gt(k.x1 - k.x0, 1920 * 6 / 10);
    SDL_FreeSurface(s);
    text_renderer_free(r);
}
END_TEST

START_TEST(test_kochi_portrait)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *s = render_ok(r, KOCHI, WHITE, GREEN, 1080, 1920, &k);
    int pt = 0, nlines = 0;

    shot(s, "kochi-1080x1920");
    ck_assert_int_eq(text_last_layout(r, &pt, &nlines), 0);
    ck_assert_int_ge(nlines, 2);
    ck_assert_int_gt(k.bright, 20000);
    ck_assert_int_lt(abs((k.y0 + k.y1) / 2 - 960), 80);
    SDL_FreeSurface(s);
    text_renderer_free(r);
}
END_TEST

/* A katakana word with Latin letters and digits is never broken to make
 * the text bigger (the demo's Tokyo slide). */
START_TEST(test_katakana_word)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *s =
        render_ok(r, "WOODコレクション2023\n東京ビッグサイト", 0xfff8e1, 0x5d4037, 1920, 1080, &k);
    int pt = 0, nlines = 0;

    shot(s, "wood-collection-1920x1080");
    ck_assert_int_eq(text_last_layout(r, &pt, &nlines), 0);
    ck_assert_int_eq(nlines, 2); /* WOODコレクション2023 / 東京ビッグサイト */
    ck_assert_int_gt(pt, 100);
    ck_assert_int_gt(k.x1 - k.x0, 1920 * 7 / 10); /* the long line spans the width */
    ck_assert_int_lt(abs((k.y0 + k.y1) / 2 - 540), 60);
    SDL_FreeSurface(s);

    /* portrait: the word wraps nowhere, the kanji may */
    s = render_ok(r, "WOODコレクション2023\n東京ビッグサイト", 0xfff8e1, 0x5d4037, 1080, 1920, &k);
    shot(s, "wood-collection-1080x1920");
    ck_assert_int_eq(text_last_layout(r, &pt, &nlines), 0);
    ck_assert_int_le(nlines, 3);
    SDL_FreeSurface(s);
    text_renderer_free(r);
}
END_TEST

START_TEST(test_sizes)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *s;
    int small_pt, big_pt, long_pt, long_lines;

    s = render_ok(r, KOCHI, WHITE, GREEN, 640, 360, &k);
    text_last_layout(r, &small_pt, NULL);
    SDL_FreeSurface(s);
    s = render_ok(r, KOCHI, WHITE, GREEN, 1920, 1080, &k);
    text_last_layout(r, &big_pt, NULL);
    SDL_FreeSurface(s);
    ck_assert_int_gt(big_pt, small_pt * 2); /* three times the box: much bigger text */

    s = render_ok(r, long_text, 0x202020, 0xfff8e1, 1920, 1080, &k);
    shot(s, "long-1920x1080");
    text_last_layout(r, &long_pt, &long_lines);
    ck_assert_int_lt(long_pt, big_pt);
    ck_assert_int_ge(long_lines, 4);
    ck_assert_int_gt(k.count, 10000);
    SDL_FreeSurface(s);

    s = render_ok(r, long_text, 0x202020, 0xfff8e1, 1080, 1920, &k);
    shot(s, "long-1080x1920");
    SDL_FreeSurface(s);
    text_renderer_free(r);
}
END_TEST

START_TEST(test_cache)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *a, *b, *c;

    a = render_ok(r, KOCHI, WHITE, GREEN, 800, 450, &k);
    b = render_ok(r, KOCHI, WHITE, GREEN, 800, 450, &k);
    ck_assert_ptr_ne(a, b);
    ck_assert_int_eq(memcmp(a->pixels, b->pixels, (size_t)a->pitch * 450), 0);
    SDL_FreeSurface(a); /* the caller's copy: the cache keeps its own */
    /* other colours are another key */
    c = render_ok(r, KOCHI, 0xffeb3b, 0x0d47a1, 800, 450, &k);
    ck_assert_uint_eq(px(c, 0, 0), 0xff0d47a1);
    ck_assert_int_gt(k.bright, 1000);
    SDL_FreeSurface(c);
    /* push the first one out of the LRU and back in */
    for (int i = 0; i < TEXT_CACHE_SLOTS + 2; i++) {
        char t[32];

        snprintf(t, sizeof t, "第%d会場", i);
        c = render_ok(r, t, WHITE, GREEN, 800, 450, &k);
        SDL_FreeSurface(c);
    }
    a = render_ok(r, KOCHI, WHITE, GREEN, 800, 450, &k);
    ck_assert_int_eq(memcmp(a->pixels, b->pixels, (size_t)a->pitch * 450), 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    text_renderer_free(r);
}
END_TEST

START_TEST(test_absurd_text)
{
    struct text_renderer *r = open_renderer();
    struct ink k;
    SDL_Surface *s;
    char *big = malloc(4096);
    char err[512];
    int pt, n;

    ck_assert_ptr_nonnull(big);
    /* nothing to draw: the background alone */
    s = render_ok(r, "", WHITE, GREEN, 320, 180, &k);
    ck_assert_int_eq(k.count, 0);
    SDL_FreeSurface(s);
    s = render_ok(r, "\n\n\n\r\n", WHITE, GREEN, 320, 180, &k);
    ck_assert_int_eq(k.count, 0);
    SDL_FreeSurface(s);

    /* 4 KiB of one character: smallest size, clipped inside the margins */
    for (int i = 0; i + 3 <= 4095; i += 3)
        memcpy(big + i, "鬱", 3);
    big[4095] = '\0';
    s = render_ok(r, big, WHITE, GREEN, 320, 180, &k);
    text_last_layout(r, &pt, &n);
    ck_assert_int_eq(pt, TEXT_MIN_PT);
    ck_assert_int_gt(k.count, 5000);
    SDL_FreeSurface(s);
    s = render_ok(r, big, WHITE, GREEN, 1920, 1080, &k);
    shot(s, "4k-of-one-char");
    SDL_FreeSurface(s);

    /* emoji the bundled font lacks come from Noto Color Emoji */
    s = render_ok(r, "😀🇯🇵🍣高知😀", WHITE, GREEN, 640, 360, &k);
    ck_assert_int_gt(k.bright, 1000);
    SDL_FreeSurface(s);
    s = render_ok(r, "😀🍣", WHITE, GREEN, 640, 360, &k);
    ck_assert_int_gt(k.count, 1000);
    shot(s, "emoji");
    SDL_FreeSurface(s);
    /* what no font has (a private-use character) is left out: no boxes */
    s = render_ok(r, "\xf4\x8f\xbf\xbd", WHITE, GREEN, 640, 360, &k);
    ck_assert_int_eq(k.count, 0);
    SDL_FreeSurface(s);

    /* combining marks, an ideographic variation sequence, invalid UTF-8 */
    s = render_ok(r, "か\xe3\x82\x99は\xe3\x82\x9a e\xcc\x81 葛\xf3\xa0\x84\x80飾区", WHITE, GREEN,
                  640, 360, &k);
    ck_assert_int_gt(k.bright, 500);
    SDL_FreeSurface(s);
    s = render_ok(r, "\xff\xfe\xc0\x80高\xed\xa0\x80知\xe3\x81", WHITE, GREEN, 640, 360, &k);
    ck_assert_int_gt(k.bright, 500);
    SDL_FreeSurface(s);

    /* tiny and degenerate pictures */
    s = render_ok(r, KOCHI, WHITE, GREEN, 1, 1, &k);
    SDL_FreeSurface(s);
    s = render_ok(r, KOCHI, WHITE, GREEN, 24, 24, &k);
    SDL_FreeSurface(s);
    s = render_ok(r, KOCHI, WHITE, GREEN, 16384, 2, &k);
    SDL_FreeSurface(s);

    err[0] = '\0';
    ck_assert_ptr_null(text_render(r, KOCHI, WHITE, GREEN, 0, 100, err, sizeof err));
    ck_assert(strstr(err, "1..") != NULL);
    ck_assert_ptr_null(text_render(r, KOCHI, WHITE, GREEN, 100, 16385, err, sizeof err));
    ck_assert_ptr_null(text_render(r, KOCHI, WHITE, GREEN, -5, -5, err, sizeof err));
    ck_assert_ptr_null(text_render(r, NULL, WHITE, GREEN, 100, 100, err, sizeof err));
    ck_assert_ptr_null(text_render(NULL, KOCHI, WHITE, GREEN, 100, 100, err, sizeof err));

    /* over the length limit: an error, not a hang */
    char *huge = malloc(70000);
    ck_assert_ptr_nonnull(huge);
    memset(huge, 'a', 69999);
    huge[69999] = '\0';
    err[0] = '\0';
    ck_assert_ptr_null(text_render(r, huge, WHITE, GREEN, 100, 100, err, sizeof err));
    ck_assert(err[0] != '\0');
    free(huge);
    free(big);
    text_renderer_free(r);
}
END_TEST

START_TEST(test_bad_font)
{
    char err[512] = "";

    ck_assert_ptr_null(text_renderer_new("/nonexistent/font.ttf", err, sizeof err));
    ck_assert(strstr(err, "/nonexistent/font.ttf") != NULL);
    err[0] = '\0';
    ck_assert_ptr_null(text_renderer_new(TEST_SRCDIR "/fonts/OFL.txt", err, sizeof err));
    ck_assert(err[0] != '\0');
    ck_assert_ptr_null(text_renderer_new(NULL, err, sizeof err));
    text_renderer_free(NULL);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_kochi_landscape);
    tcase_add_test(tc, test_kochi_portrait);
    tcase_add_test(tc, test_katakana_word);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_cache);
    tcase_add_test(tc, test_absurd_text);
    tcase_add_test(tc, test_bad_font);
    suite_add_tcase(s, tc);
    return s;
}
