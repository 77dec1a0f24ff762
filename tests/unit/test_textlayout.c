/* Tests for player/textlayout.c: Japanese line breaking and auto-fit against
 * a fake monospace font (no SDL, no font file). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/textlayout.h"
#include "tests/unit/check_main.h"

/* Fake font: every code point is PT wide (ASCII half that), except
 * combining marks and variation selectors, which are 0. */
struct fake_font {
    int pt;
    int calls;
    int fail_after; /* measure fails after this many calls; 0 = never */
};

static size_t u8_next(const char *s, size_t len, size_t i, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;

    if (i + n > len)
        n = len - i;
    *cp = u[i] & (n == 1 ? 0x7f : n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < n; k++)
        *cp = (*cp << 6) | (u[i + k] & 0x3f);
    return n;
}

static int fake_measure(void *ctx, const char *s, size_t len)
{
    struct fake_font *f = ctx;
    int w = 0;

    f->calls++;
    if (f->fail_after && f->calls > f->fail_after)
        return -1;
    for (size_t i = 0; i < len;) {
        uint32_t c;

        i += u8_next(s, len, i, &c);
        if ((c >= 0x300 && c <= 0x36f) || c == 0x3099 || c == 0x309a ||
            (c >= 0xfe00 && c <= 0xfe0f))
            continue;
        w += c < 0x80 ? f->pt / 2 : f->pt;
    }
    return w;
}

static int fake_set_size(void *ctx, int pt, int *skip, int *height)
{
    struct fake_font *f = ctx;

    f->pt = pt;
    *skip = pt * 3 / 2;
    *height = pt * 5 / 4;
    return 0;
}

/* Breaks TEXT at WIDTH with 10 px characters. */
static struct tl_layout *brk(const char *text, int width)
{
    struct fake_font f = {10, 0, 0};
    char err[256] = "";
    struct tl_layout *l =
        tl_layout_break(text, strlen(text), width, fake_measure, &f, err, sizeof err);

    ck_assert_msg(l != NULL, "layout failed: %s", err);
    return l;
}

static char *line_str(const struct tl_layout *l, size_t i)
{
    char *s = strndup(l->text + l->lines[i].off, l->lines[i].len);

    ck_assert_ptr_nonnull(s);
    return s;
}

/* Lines of L joined with '/'. */
static void assert_lines(const struct tl_layout *l, const char *want)
{
    char got[512] = "";

    for (size_t i = 0; i < l->nlines; i++) {
        char *x = line_str(l, i);
        if (i)
            strncat(got, "/", sizeof got - strlen(got) - 1);
        strncat(got, x, sizeof got - strlen(got) - 1);
        free(x);
    }
    ck_assert_str_eq(got, want);
}

static bool starts_with_any(const char *s, const char *const *set)
{
    for (; *set; set++) {
        if (strncmp(s, *set, strlen(*set)) == 0)
            return true;
    }
    return false;
}

static bool ends_with_any(const char *s, const char *const *set)
{
    size_t n = strlen(s);

    for (; *set; set++) {
        size_t k = strlen(*set);

        if (n >= k && strcmp(s + n - k, *set) == 0)
            return true;
    }
    return false;
}

static const char *const no_start[] = {"、", "。", "」", "）", "ー", "・", "，", "．",
                                       "』", "！", "？", "ゃ", "っ", "ァ", "々", NULL};
static const char *const no_end[] = {"「", "（", "『", NULL};

static const char *const kinsoku_texts[] = {
    "牧野博士の新休日～らんまんの舞台・高知～は、高知県の観光博覧会です。「らんまん」の"
    "舞台を巡りましょう。（入場無料）ツアーは毎日開催、ぜひお越しください！",
    "あいう、えおか。きくけ」こさし）すせそ・たちつ「てと（なにぬーねの",
    "「東京」「高知」「大阪」（東）（西）、。ー・っ、「（「（あ」）」）。これで終わり。",
    "コーヒー・ティー・ジュースのセットメニュー、お一人様一点限り。",
    "これは「小書き」のテスト、きゃっきゃっ、ジュース、ファミリーマート、さっき、人々の字。",
    NULL,
};

START_TEST(test_kinsoku)
{
    int checked = 0;

    for (const char *const *t = kinsoku_texts; *t; t++) {
        /* from 100 px (10 characters): the longest unbreakable run in these
         * texts is 9 characters, so no grapheme fallback is needed */
        for (int width = 100; width <= 400; width += 10) {
            struct tl_layout *l = brk(*t, width);
            size_t total = 0;

            for (size_t i = 0; i < l->nlines; i++) {
                char *s = line_str(l, i);

                ck_assert_msg(l->lines[i].width <= width, "line %zu too wide (%d > %d)", i,
                              l->lines[i].width, width);
                if (i > 0)
                    ck_assert_msg(!starts_with_any(s, no_start),
                                  "width %d line %zu starts "
                                  "with a forbidden character: %s",
                                  width, i, s);
                if (i + 1 < l->nlines)
                    ck_assert_msg(!ends_with_any(s, no_end),
                                  "width %d line %zu ends with "
                                  "an opening bracket: %s",
                                  width, i, s);
                total += l->lines[i].len;
                free(s);
                checked++;
            }
            /* Nothing lost or duplicated (these texts have no spaces). */
            ck_assert_uint_eq(total, strlen(*t));
            tl_layout_free(l);
        }
    }
    ck_assert_int_gt(checked, 300);
}
END_TEST

/* The break before 、 moves the previous character down with it (oikomi is
 * not done, so the line gets shorter rather than wider). */
START_TEST(test_kinsoku_pushes_out)
{
    struct tl_layout *l = brk("あいうえお、かきくけこ", 50);
    char *a;

    assert_lines(l, "あいうえ/お、かきく/けこ");
    tl_layout_free(l);

    l = brk("あいうえ「おかきくけこ", 50);
    a = line_str(l, 0);
    ck_assert_str_eq(a, "あいうえ");
    free(a);
    tl_layout_free(l);
}
END_TEST

static void assert_whole(const char *text, const char *const *numbers)
{
    for (int width = 30; width <= 300; width += 5) {
        struct tl_layout *l = brk(text, width);

        for (const char *const *n = numbers; *n; n++) {
            bool found = false;

            /* A number wider than the line may be split (last resort); only
             * check those that fit. */
            if ((int)strlen(*n) * 5 > width)
                continue;
            for (size_t i = 0; i < l->nlines && !found; i++) {
                char *s = line_str(l, i);

                found = strstr(s, *n) != NULL;
                free(s);
            }
            ck_assert_msg(found, "width %d: %s was split", width, *n);
        }
        tl_layout_free(l);
    }
}

START_TEST(test_digits_together)
{
    static const char *const ascii[] = {"2023/03/31", "10:00", "1,000", "3.14", "123456", NULL};
    static const char *const wide[] = {"２０２３", "１０：３０", "１，２００", NULL};
    struct tl_layout *l;

    assert_whole("会期は2023/03/31まで、開場10:00、入場料1,000円、円周率3.14、番号123456。", ascii);
    /* Full-width digits are ideographs to ICU: our rule keeps them together
     * (10 px each, so widths below 50 would need a split). */
    for (int width = 50; width <= 200; width += 10) {
        l = brk("令和５年は２０２３年、開演は１０：３０、料金１，２００円です。", width);
        for (const char *const *n = wide; *n; n++) {
            bool found = false;

            for (size_t i = 0; i < l->nlines && !found; i++) {
                char *s = line_str(l, i);

                found = strstr(s, *n) != NULL;
                free(s);
            }
            ck_assert_msg(found, "width %d: %s was split", width, *n);
        }
        tl_layout_free(l);
    }
}
END_TEST

START_TEST(test_newlines)
{
    struct tl_layout *l = brk("牧野博士の新休日\nらんまんの舞台・高知", 1000);
    char *s;

    ck_assert_uint_eq(l->nlines, 2);
    s = line_str(l, 0);
    ck_assert_str_eq(s, "牧野博士の新休日");
    free(s);
    s = line_str(l, 1);
    ck_assert_str_eq(s, "らんまんの舞台・高知");
    free(s);
    ck_assert_int_eq(l->lines[0].width, 80);
    tl_layout_free(l);

    /* CR LF, lone CR, blank line kept inside, trailing newlines dropped */
    l = brk("あ\r\nい\r\rう\n\n\n", 1000);
    ck_assert_uint_eq(l->nlines, 4);
    ck_assert_uint_eq(l->lines[2].len, 0);
    s = line_str(l, 3);
    ck_assert_str_eq(s, "う");
    free(s);
    tl_layout_free(l);

    /* Only newlines: nothing to draw */
    l = brk("\n\n\n\n\r\n", 100);
    ck_assert_uint_eq(l->nlines, 0);
    tl_layout_free(l);
    l = brk("", 100);
    ck_assert_uint_eq(l->nlines, 0);
    tl_layout_free(l);
}
END_TEST

/* Brute force: largest PT at which N full-width characters (breakable
 * anywhere) fit a W x H box with the fake font's metrics. */
static int expected_pt_wrapped(int n, int w, int h, int max_pt)
{
    for (int pt = max_pt; pt >= 1; pt--) {
        int per = w / pt, lines;

        if (per < 1)
            continue;
        lines = (n + per - 1) / per;
        if ((lines - 1) * (pt * 3 / 2) + pt * 5 / 4 <= h)
            return pt;
    }
    return 0;
}

/* Largest PT at which phrases of the lengths UNITS (characters, kept
 * whole, packed greedily) fit a W x H box, preferring one line as
 * tl_layout_fit does. */
static int expected_pt_phrases(const int *units, size_t nu, int w, int h, int max_pt)
{
    int total = 0, wrapped = 0, one = 0;

    for (size_t i = 0; i < nu; i++)
        total += units[i];
    for (int pt = max_pt; pt >= 1 && !wrapped; pt--) {
        int per = w / pt, lines = 1, used = 0;
        bool ok = true;
        for (size_t i = 0; i < nu && ok; i++) {
            ok = units[i] <= per;
            if (used + units[i] > per) {
                lines++;
                used = 0;
            }
            used += units[i];
        }
        if (ok && (lines - 1) * (pt * 3 / 2) + pt * 5 / 4 <= h)
            wrapped = pt;
    }
    for (int pt = wrapped; pt >= 1 && !one; pt--) {
        if (total * pt <= w && pt * 5 / 4 <= h)
            one = pt;
    }
    return one * 100 >= wrapped * TL_NOWRAP_PERCENT ? one : wrapped;
}

/* The same with tl_layout_fit's preference for not wrapping at all. */
static int expected_pt(int n, int w, int h, int max_pt)
{
    int wrapped = expected_pt_wrapped(n, w, h, max_pt);
    int one = 0;

    for (int pt = wrapped; pt >= 1 && !one; pt--) {
        if (n * pt <= w && pt * 5 / 4 <= h)
            one = pt;
    }
    return one * 100 >= wrapped * TL_NOWRAP_PERCENT ? one : wrapped;
}

static struct tl_layout *fit(const char *text, int w, int h, int min_pt, int max_pt)
{
    struct fake_font f = {0, 0, 0};
    struct tl_font font = {fake_set_size, fake_measure, NULL, &f};
    char err[256] = "";
    struct tl_layout *l =
        tl_layout_fit(text, strlen(text), w, h, min_pt, max_pt, &font, err, sizeof err);

    ck_assert_msg(l != NULL, "fit failed: %s", err);
    return l;
}

START_TEST(test_fit)
{
    /* phrases 今日は／天気が／良いので／散歩した */
    static const int units[] = {3, 3, 4, 4};
    const char *t = "今日は天気が良いので散歩した";
    int last = 0;

    for (int w = 50; w <= 2000; w += 97) {
        int h = w * 9 / 16;
        struct tl_layout *l = fit(t, w, h, 1, 1000);

        ck_assert_int_eq(l->pt, expected_pt_phrases(units, 4, w, h, 1000));
        ck_assert(!l->overflow);
        ck_assert_int_le(tl_layout_height(l), h);
        for (size_t i = 0; i < l->nlines; i++)
            ck_assert_int_le(l->lines[i].width, w);
        ck_assert_int_ge(l->pt, last); /* a bigger box never gives smaller text */
        last = l->pt;
        tl_layout_free(l);
    }

    /* Short text in a wide box: height-bound.  Long text: smaller. */
    struct tl_layout *a = fit("高知", 1920, 1080, 8, 1000);
    struct tl_layout *b = fit("高知県の観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」は"
                              "二〇二三年三月三十一日まで開催しています。ぜひお越しください。",
                              1920, 1080, 8, 1000);

    ck_assert_int_eq(a->pt, expected_pt(2, 1920, 1080, 1000));
    ck_assert_int_lt(b->pt, a->pt);
    ck_assert_int_gt(b->nlines, 1);
    tl_layout_free(a);
    tl_layout_free(b);

    /* max_pt caps the size */
    a = fit("高知", 1920, 1080, 8, 100);
    ck_assert_int_eq(a->pt, 100);
    tl_layout_free(a);
}
END_TEST

/* Auto-fit keeps the author's lines when that costs little size, and
 * evens out the lines of a paragraph it has to wrap. */
START_TEST(test_fit_shape)
{
    struct tl_layout *l = fit("牧野博士の新休日\nらんまんの舞台・高知", 1728, 972, 8, 972);
    char *a, *b;

    /* wrapping the second paragraph allows 1728 / 8 = 216 (3 lines,
     * 2 * 1.5 * 216 + 1.25 * 216 = 918 high); unwrapped 1728 / 10 = 172,
     * which is 80% of it: the author's two lines win */
    ck_assert_uint_eq(l->nlines, 2);
    ck_assert_int_eq(l->pt, 172);
    tl_layout_free(l);

    /* 11 characters in phrases 東京の／春は／桜が／綺麗です, 10 fit a line:
     * 5 + 6, not the greedy 7 + 4 */
    l = fit("東京の春は桜が綺麗です", 100, 1000, 10, 10);
    ck_assert_uint_eq(l->nlines, 2);
    ck_assert_int_eq(l->lines[0].width, 50);
    ck_assert_int_eq(l->lines[1].width, 60);
    tl_layout_free(l);

    /* the greedy break does not balance */
    l = brk("あいうえおかきくけこさ", 100);
    ck_assert_int_eq(l->lines[0].width, 100);
    tl_layout_free(l);

    /* balancing still keeps kinsoku: 、 never starts the second line */
    l = fit("あいうえおか、きくけこさし", 100, 1000, 10, 10);
    ck_assert_uint_eq(l->nlines, 2);
    a = line_str(l, 0);
    b = line_str(l, 1);
    ck_assert(!starts_with_any(b, no_start));
    ck_assert_uint_eq(strlen(a) + strlen(b), strlen("あいうえおか、きくけこさし"));
    free(a);
    free(b);
    tl_layout_free(l);
}
END_TEST

/* A number is not split to reach a bigger size: the size shrinks instead. */
START_TEST(test_fit_keeps_numbers)
{
    struct tl_layout *l = fit("2023/03/31", 100, 1000, 1, 500);

    /* 10 ASCII characters at pt/2 each must fit 100 px on one line:
     * 21 / 2 = 10 px each is the largest */
    ck_assert_uint_eq(l->nlines, 1);
    ck_assert_int_eq(l->pt, 21);
    tl_layout_free(l);
}
END_TEST

START_TEST(test_fit_overflow)
{
    char *big = malloc(4096 + 1);
    struct tl_layout *l;

    ck_assert_ptr_nonnull(big);
    /* 4 KiB of one character: 1365 x あ */
    for (int i = 0; i + 3 <= 4096; i += 3)
        memcpy(big + i, "あ", 3);
    big[4095] = '\0';
    big[4094] = '\0';
    big[4093] = '\0';
    l = fit(big, 200, 100, 8, 100);
    ck_assert_int_eq(l->pt, 8);
    ck_assert(l->overflow);
    for (size_t i = 0; i < l->nlines; i++)
        ck_assert_int_le(l->lines[i].width, 200);
    tl_layout_free(l);

    /* Fits in a big box */
    l = fit(big, 1920, 1080, 8, 1000);
    ck_assert(!l->overflow);
    ck_assert_int_gt(l->pt, 8);
    ck_assert_int_le(tl_layout_height(l), 1080);
    tl_layout_free(l);

    /* 4 KiB of ー: strict rules allow no break between them, so only the
     * grapheme fallback can lay it out */
    for (int i = 0; i + 3 <= 4096; i += 3)
        memcpy(big + i, "ー", 3);
    l = fit(big, 1920, 1080, 8, 1000);
    ck_assert_int_ge(l->nlines, 2);
    for (size_t i = 0; i < l->nlines; i++)
        ck_assert_int_le(l->lines[i].width, 1920);
    tl_layout_free(l);

    /* 4 KiB of digits: one unbreakable number */
    memset(big, '7', 4095);
    big[4095] = '\0';
    l = fit(big, 1920, 1080, 8, 1000);
    ck_assert_int_eq(l->pt, 8);
    ck_assert_int_ge(l->nlines, 2);
    tl_layout_free(l);
    free(big);
}
END_TEST

/* True when some line of L contains WORD whole. */
static bool has_whole(const struct tl_layout *l, const char *word)
{
    bool found = false;

    for (size_t i = 0; i < l->nlines && !found; i++) {
        char *s = line_str(l, i);

        found = strstr(s, word) != NULL;
        free(s);
    }
    return found;
}

/* Katakana with the Latin letters and digits next to it is one word: ICU
 * would break WOODコレクション2023 anywhere between ideographic-class
 * characters, a designer never would. */
START_TEST(test_katakana_words)
{
    static const struct {
        const char *text, *word;
        int width; /* of the word with 10 px characters */
    } cases[] = {
        {"WOODコレクション2023 東京ビッグサイト", "WOODコレクション2023", 100},
        {"会場は東京ビッグサイトです。", "ビッグサイト", 60},
        {"ＷＯＯＤコレクション２０２３の会場", "ＷＯＯＤコレクション２０２３", 140},
        {"白いＴシャツと黒いTシャツ", "Ｔシャツ", 40},
        {"白いＴシャツと黒いTシャツ", "Tシャツ", 35},
        {"半角ｺﾚｸｼｮﾝ2023です", "ｺﾚｸｼｮﾝ2023", 80},
        /* ヴ as ウ + combining voiced mark: the mark does not end the word */
        {"新ウ\xe3\x82\x99ィレッジ開業", "ウ\xe3\x82\x99ィレッジ", 50},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int width = cases[k].width; width <= 400; width += 5) {
            struct tl_layout *l = brk(cases[k].text, width);

            ck_assert_msg(has_whole(l, cases[k].word), "width %d: %s was split in %s", width,
                          cases[k].word, cases[k].text);
            for (size_t i = 0; i < l->nlines; i++)
                ck_assert_int_le(l->lines[i].width, width);
            tl_layout_free(l);
        }
    }

    /* the middle dot separates katakana words: a line may end after it */
    struct tl_layout *l = brk("コーヒー・ティー・ジュース", 50);
    char *s = line_str(l, 0);

    ck_assert_str_eq(s, "コーヒー・");
    free(s);
    tl_layout_free(l);
}
END_TEST

/* Auto-fit shrinks the text rather than splitting a katakana word: the demo
 * slide keeps WOODコレクション2023 on one line. */
START_TEST(test_fit_keeps_katakana)
{
    /* 1920x1080 less 5% margins; the word is 10 pt wide with the fake font,
     * 1812 / 10 = 181 pt */
    struct tl_layout *l = fit("WOODコレクション2023\n東京ビッグサイト", 1812, 972, 8, 1000);

    ck_assert_int_eq(l->pt, 181);
    ck_assert(!l->overflow);
    assert_lines(l, "WOODコレクション2023/東京ビッグサイト");
    tl_layout_free(l);

    /* a narrow box: the word alone sets the size, the rest wraps */
    l = fit("WOODコレクション2023 東京ビッグサイト", 300, 2000, 8, 1000);
    ck_assert_int_eq(l->pt, 30);
    ck_assert(has_whole(l, "WOODコレクション2023"));
    ck_assert(has_whole(l, "ビッグサイト"));
    tl_layout_free(l);
}
END_TEST

/* A katakana word wider than the box even at the smallest size is split,
 * where ICU would have broken it (kinsoku kept), never a crash. */
START_TEST(test_katakana_too_long)
{
    static const char *const small_kana[] = {"ー", "ャ", "ュ", "ョ", "ッ", "ァ", "ィ", NULL};
    const char *t = "ゲームセンターアドベンチャーワールドコレクション";
    char *big = malloc(4096);
    struct tl_layout *l = fit(t, 100, 1000, 8, 100);
    size_t total = 0;

    ck_assert_int_eq(l->pt, 8);
    ck_assert_int_ge(l->nlines, 2);
    for (size_t i = 0; i < l->nlines; i++) {
        char *s = line_str(l, i);

        ck_assert_int_le(l->lines[i].width, 100);
        ck_assert_msg(!starts_with_any(s, small_kana), "line %zu starts badly: %s", i, s);
        total += l->lines[i].len;
        free(s);
    }
    ck_assert_uint_eq(total, strlen(t));
    tl_layout_free(l);

    /* the plain break, down to ショ (the widest piece ICU keeps whole) */
    for (int width = 20; width <= 90; width += 10) {
        l = brk("WOODコレクション2023", width);
        ck_assert_int_ge(l->nlines, 2);
        for (size_t i = 1; i < l->nlines; i++) {
            char *s = line_str(l, i);

            ck_assert_msg(!starts_with_any(s, small_kana), "width %d line %zu: %s", width, i, s);
            free(s);
        }
        tl_layout_free(l);
    }
    l = brk("WOODコレクション2023", 50);
    ck_assert_uint_eq(l->nlines, 2); /* WOODコレク / ション2023 */
    ck_assert_int_eq(l->lines[0].width, 50);
    tl_layout_free(l);

    /* 4 KiB of one katakana: one word, clipped at the smallest size */
    ck_assert_ptr_nonnull(big);
    for (int i = 0; i + 3 <= 4095; i += 3)
        memcpy(big + i, "ア", 3);
    big[4095] = '\0';
    l = fit(big, 200, 100, 8, 100);
    ck_assert_int_eq(l->pt, 8);
    ck_assert(l->overflow);
    for (size_t i = 0; i < l->nlines; i++)
        ck_assert_int_le(l->lines[i].width, 200);
    tl_layout_free(l);
    /* and a 1 px box: a character per line */
    l = brk("アイウ", 1);
    ck_assert_uint_eq(l->nlines, 3);
    tl_layout_free(l);
    free(big);
}
END_TEST

/* Hiragana and kanji are not words to glue: they break between characters. */
START_TEST(test_kana_kanji_break)
{
    struct tl_layout *l;
    char *a;

    for (int width = 10; width <= 100; width += 10) {
        l = brk("ひらがなのぶんかさい", width);
        ck_assert_uint_eq(l->nlines, (size_t)((100 + width - 1) / width));
        tl_layout_free(l);
        l = brk("東京都千代田区丸の内", width);
        ck_assert_uint_eq(l->nlines, (size_t)((100 + width - 1) / width));
        tl_layout_free(l);
    }

    /* kanji break, the katakana word does not */
    l = fit("東京ビッグサイト", 60, 1000, 10, 10);
    assert_lines(l, "東京/ビッグサイト");
    tl_layout_free(l);

    /* the word ends where hiragana begin */
    l = brk("コレクションのおしらせ", 80);
    a = line_str(l, 0);
    ck_assert_str_eq(a, "コレクションのお");
    free(a);
    tl_layout_free(l);
}
END_TEST

/* Auto-fit keeps phrases whole when that costs little size: particles and
 * okurigana stay with their word, お/ご with the kanji after them. */
START_TEST(test_fit_phrases)
{
    struct tl_layout *l;

    /* a fixed size, 60 px: ICU alone would give ご協力をお願／いします */
    l = fit("ご協力をお願いします", 60, 1000, 10, 10);
    assert_lines(l, "ご協力を/お願いします");
    tl_layout_free(l);
    l = brk("ご協力をお願いします", 60); /* the plain break is ICU's */
    assert_lines(l, "ご協力をお願/いします");
    tl_layout_free(l);

    /* a line starts after a particle, never with one */
    l = fit("東京都と高知県の相互PR", 50, 1000, 10, 10);
    assert_lines(l, "東京都と/高知県の/相互PR");
    tl_layout_free(l);

    /* the demo's appeal on a portrait screen: phrases whole, smaller */
    l = fit("特別区\n災害支援\nご協力をお願いします", 972, 1728, 8, 1000);
    assert_lines(l, "特別区/災害支援/ご協力を/お願いします");
    ck_assert_int_eq(l->pt, 162); /* 972 / 6 characters */
    tl_layout_free(l);

    /* when keeping phrases costs too much size, ICU's breaks are used: a
     * 40 px box fits お願いします only below the smallest size */
    l = fit("ご協力をお願いします", 40, 1000, 8, 100);
    ck_assert_int_eq(l->pt, 40);
    ck_assert_uint_eq(l->nlines, 10);
    tl_layout_free(l);
}
END_TEST

/* True when LINE is SEG[i] SEG[i+1] ... SEG[j] for some i <= j. */
static bool is_run_of(const char *line, const char *const *seg, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char buf[256] = "";
        for (size_t j = i; j < n; j++) {
            strcat(buf, seg[j]);
            if (strcmp(buf, line) == 0)
                return true;
        }
    }
    return false;
}

/* A long kanji compound, one phrase to BudouX, parts between its words
 * where ICU's dictionary and BudouX's model both lean that way, rather
 * than shrinking to one line or breaking anywhere; never before a
 * one-character suffix (区, 中), never inside a word, never where the model
 * sees nothing or is against it (高等／学校, 学校／総合). */
START_TEST(test_fit_words)
{
    static const char *const seg[] = {"第97回全国", "高等学校", "野球", "選手権", "大会"};
    struct tl_layout *l = fit("第97回全国高等学校野球選手権大会", 972, 1812, 8, 1000);

    /* one line, every phrase whole, would be about 60 px */
    ck_assert_msg(l->pt >= 90 && l->pt <= 250, "%d px", l->pt);
    ck_assert_uint_ge(l->nlines, 2);
    ck_assert_int_eq(l->phrase_pt, 60); /* 972 px / 16 em */
    for (size_t i = 0; i < l->nlines; i++) {
        char *x = line_str(l, i);
        ck_assert_msg(is_run_of(x, seg, 5), "line %zu: %s", i, x);
        free(x);
    }
    tl_layout_free(l);
    for (int w = 30; w <= 160; w += 10) {
        l = fit("カヌー体験ツアー参加者募集中", w, 1000, 10, 10);
        for (size_t i = 0; i < l->nlines; i++) {
            char *x = line_str(l, i);
            ck_assert_msg(strcmp(x, "中") != 0, "width %d: 中 alone", w);
            free(x);
        }
        tl_layout_free(l);
    }
    for (int w = 200; w <= 1000; w += 50) {
        l = fit("全国高等学校総合体育大会", w, 2000, 8, 1000);
        for (size_t i = 0; i + 1 < l->nlines; i++) {
            char *x = line_str(l, i);
            size_t n = strlen(x);
            ck_assert_msg(n < 6 || strcmp(x + n - 6, "高等") != 0, "width %d: %s／", w, x);
            free(x);
        }
        tl_layout_free(l);
    }
    /* the words of a sentence are left to phrases: the appeal is set as
     * before (a split costs more than the size it gains here) */
    l = fit("令和6年能登半島地震で被災された皆様に心よりお見舞い申し上げます", 972, 1812, 8, 1000);
    assert_lines(l, "令和6年能登半島地震で/被災された皆様に/心よりお見舞い/申し上げます");
    tl_layout_free(l);
}
END_TEST

/* Signage texts the issue names, at a fixed size: phrases whole, numbers
 * with their counters, no line starting with ～. */
START_TEST(test_signage_corpus)
{
    static const struct {
        const char *text;
        int chars; /* a line's width in characters (10 px each) */
        const char *want;
    } cases[] = {
        {"心よりお見舞い申し上げます", 7, "心よりお見舞い/申し上げます"},
        {"心よりお見舞い申し上げます", 6, "心より/お見舞い/申し上げます"},
        {"令和6年能登半島地震で被災された皆様に", 11, "令和6年能登半島地震で/被災された皆様に"},
        {"ご来場ありがとうございました", 8, "ご来場ありがとう/ございました"},
        {"ご来場ありがとうございました", 6, "ご来場/ありがとう/ございました"},
        {"電車は7時30分発", 6, "電車は/7時30分発"},
        {"先着100名様にプレゼント", 8, "先着100名様に/プレゼント"},
        {"よさこい祭り", 4, "よさこい/祭り"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tl_layout *l = fit(cases[i].text, cases[i].chars * 10, 1000, 10, 10);
        assert_lines(l, cases[i].want);
        tl_layout_free(l);
    }
}
END_TEST

/* Even breaking as ICU allows (no phrases), a number keeps its counter
 * and 第, and ～ (U+FF5E) never starts a line. */
START_TEST(test_counters_and_wave)
{
    struct tl_layout *l = brk("電車は7時30分発", 40);

    for (size_t i = 0; i < l->nlines; i++) {
        char *x = line_str(l, i);
        ck_assert_msg(strncmp(x, "時", 3) != 0 && strncmp(x, "分", 3) != 0, "line %zu: %s", i, x);
        free(x);
    }
    tl_layout_free(l);
    /* a telephone number is one word, full-width (120 px) or not (60 px) */
    for (int w = 120; w <= 240; w += 10) {
        l = brk("お問い合わせ：０３－１２３４－５６７８（平日）", w);
        for (size_t i = 0; i < l->nlines; i++) {
            char *x = line_str(l, i);
            ck_assert_msg(strncmp(x, "－", 3) != 0 && !(x[0] >= '0' && x[0] <= '9') &&
                              strncmp(x, "１", 3) != 0 && strncmp(x, "５", 3) != 0,
                          "width %d, line %zu: %s", w, i, x);
            free(x);
        }
        tl_layout_free(l);
    }
    l = brk("TEL 03-1234-5678", 60);
    assert_lines(l, "TEL/03-1234-5678");
    tl_layout_free(l);
    l = brk("第97回大会", 30); /* 第97回 is 25 px wide (half-width digits) */
    assert_lines(l, "第97回/大会");
    tl_layout_free(l);
    for (int w = 20; w <= 120; w += 10) {
        l = brk("牧野博士の新休日～らんまんの舞台・高知～", w);
        for (size_t i = 0; i < l->nlines; i++) {
            char *x = line_str(l, i);
            ck_assert_msg(strncmp(x, "～", 3) != 0, "width %d, line %zu starts with ～: %s", w, i,
                          x);
            free(x);
        }
        tl_layout_free(l);
    }
}
END_TEST

/* A web address breaks only after / . - ? and never inside https:// */
START_TEST(test_urls)
{
    const char *t =
        "詳しくは https://www.metro.tokyo.lg.jp/tosei/hodohappyo/index.html をご覧ください";

    for (int w = 60; w <= 400; w += 10) {
        struct tl_layout *l = brk(t, w);
        for (size_t i = 0; i + 1 < l->nlines; i++) {
            size_t end = l->lines[i].off + l->lines[i].len;
            char last = end > 0 ? l->text[end - 1] : 0, next = l->text[l->lines[i + 1].off];
            bool in_url = last > ' ' && last < 0x7f && next > ' ' && next < 0x7f;
            ck_assert_msg(!in_url || strchr("/.-?", last), "width %d: line %zu ends '%c'", w, i,
                          last);
            ck_assert_msg(!(in_url && strncmp(l->text + end - 1, "//", 2) == 0) &&
                              !(in_url && last == ':'),
                          "width %d: split inside https://", w);
        }
        tl_layout_free(l);
    }
    /* the sentence's punctuation is not part of it: no line starts with ) or , */
    for (int w = 60; w <= 200; w += 5) {
        struct tl_layout *l = brk("（https://abcdefgh.jp/）、https://abcdefghij.jp/, ok", w);
        for (size_t i = 0; i < l->nlines; i++) {
            char *x = line_str(l, i);
            ck_assert_msg(x[0] != ')' && x[0] != ',' && strncmp(x, "）", 3) != 0 &&
                              strncmp(x, "、", 3) != 0,
                          "width %d, line %zu: %s", w, i, x);
            free(x);
        }
        tl_layout_free(l);
    }
    /* 64 KiB of one ASCII word is read once, not once a byte (this took
     * seconds; it is a test of termination as much as of time) */
    {
        char *big = malloc(TL_TEXT_MAX + 1);
        struct tl_layout *l;
        memset(big, 'a', TL_TEXT_MAX);
        big[TL_TEXT_MAX] = '\0';
        l = brk(big, 1000);
        ck_assert_uint_gt(l->nlines, 1);
        tl_layout_free(l);
        free(big);
    }
    /* wide enough for the address on a line of its own: it is not split */
    {
        struct tl_layout *l = fit(t, 700, 1000, 10, 10);
        bool whole = false;
        for (size_t i = 0; i < l->nlines; i++) {
            char *x = line_str(l, i);
            whole |= strstr(x, "https://www.metro.tokyo.lg.jp/tosei/hodohappyo/index.html") != NULL;
            free(x);
        }
        ck_assert(whole);
        tl_layout_free(l);
    }
}
END_TEST

/* A zero-width space the author typed is a place to break, in phrase mode
 * too: 高知県立／牧野植物園 on two lines rather than one tiny one. */
START_TEST(test_zero_width_space)
{
    struct tl_layout *l = fit("高知\u200b県立\u200b牧野植物園", 50, 1000, 5, 10);

    ck_assert_int_eq(l->pt, 10);
    ck_assert_uint_ge(l->nlines, 2);
    tl_layout_free(l);
}
END_TEST

/* 見頃です on a narrow portrait box stays one phrase on one line rather
 * than 見／頃／で／す at a larger size. */
START_TEST(test_short_text_not_chopped)
{
    struct tl_layout *l = fit("見頃です", 400, 1600, 8, 1000);

    assert_lines(l, "見頃です");
    ck_assert_int_eq(l->pt, 100); /* 400 px / 4 characters */
    tl_layout_free(l);
}
END_TEST

START_TEST(test_absurd)
{
    struct tl_layout *l;
    char *s;
    char err[128];
    struct fake_font f = {10, 0, 0};

    /* invalid UTF-8: overlong, surrogate, stray continuation, truncated */
    static const char bad[] = "\xff\xfe\xc0\x80\xed\xa0\x80\x80あ\xe3\x81";
    l = tl_layout_break(bad, sizeof bad - 1, 50, fake_measure, &f, err, sizeof err);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_ge(l->nlines, 1);
    ck_assert(strstr(l->text, "\xef\xbf\xbd") != NULL); /* U+FFFD */
    ck_assert(strstr(l->text, "あ") != NULL);
    tl_layout_free(l);

    /* embedded NUL and control characters are dropped, tab is a space */
    static const char ctl[] = "あ\0い\x01\x7f\tう";
    l = tl_layout_break(ctl, sizeof ctl - 1, 1000, fake_measure, &f, err, sizeof err);
    ck_assert_ptr_nonnull(l);
    ck_assert_str_eq(l->text, "あい う");
    tl_layout_free(l);

    /* combining marks stay with their base even in a 1 px box */
    l = brk("か\xe3\x82\x99"
            "e\xcc\x81",
            1);
    ck_assert_uint_eq(l->nlines, 2);
    s = line_str(l, 0);
    ck_assert_str_eq(s, "か\xe3\x82\x99");
    free(s);
    tl_layout_free(l);

    /* emoji and a variation-selector sequence (葛 + VS17) */
    l = brk("😀🇯🇵葛\xf3\xa0\x84\x80飾区", 20);
    ck_assert_int_ge(l->nlines, 2);
    tl_layout_free(l);

    /* width 1: one grapheme per line, never an endless loop */
    l = brk("あいう", 1);
    ck_assert_uint_eq(l->nlines, 3);
    tl_layout_free(l);

    /* too long */
    s = malloc(TL_TEXT_MAX + 2);
    ck_assert_ptr_nonnull(s);
    memset(s, 'a', TL_TEXT_MAX + 1);
    s[TL_TEXT_MAX + 1] = '\0';
    err[0] = '\0';
    ck_assert_ptr_null(tl_layout_break(s, strlen(s), 100, fake_measure, &f, err, sizeof err));
    ck_assert(strstr(err, "bytes") != NULL);
    free(s);

    /* bad arguments */
    ck_assert_ptr_null(tl_layout_break(NULL, 0, 100, fake_measure, &f, err, sizeof err));
    ck_assert_ptr_null(tl_layout_break("a", 1, 0, fake_measure, &f, err, sizeof err));
    ck_assert_ptr_null(tl_layout_break("a", 1, 10, NULL, &f, err, sizeof err));
    ck_assert_ptr_null(tl_layout_fit("a", 1, 10, 10, 5, 1, NULL, err, sizeof err));
    tl_layout_free(NULL);

    /* a measure that fails is an error, not a crash */
    f.fail_after = 3;
    err[0] = '\0';
    ck_assert_ptr_null(
        tl_layout_break("あいうえおかきくけこ", 30, 20, fake_measure, &f, err, sizeof err));
    ck_assert(err[0] != '\0');
}
END_TEST

static bool keep_no_emoji(void *ctx, uint32_t cp)
{
    (void)ctx;
    return cp < 0x1f000;
}

START_TEST(test_sanitize)
{
    size_t n;
    char *s = tl_sanitize("😀あ\xf0\x9f\x87\xaf\xe8\x91\x9b\xf3\xa0\x84\x80 \n ", 22, keep_no_emoji,
                          NULL, &n);

    ck_assert_ptr_nonnull(s);
    /* emoji dropped, the variation selector kept, trailing blanks cut */
    ck_assert_str_eq(s, "あ葛\xf3\xa0\x84\x80");
    ck_assert_uint_eq(n, strlen(s));
    free(s);

    s = tl_sanitize("\xef\xbb\xbf高知\xe3\x80\x80\xe2\x80\xa8", 15, NULL, NULL, &n);
    ck_assert_str_eq(s, "高知");
    free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("textlayout");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_kinsoku);
    tcase_add_test(tc, test_kinsoku_pushes_out);
    tcase_add_test(tc, test_digits_together);
    tcase_add_test(tc, test_katakana_words);
    tcase_add_test(tc, test_fit_keeps_katakana);
    tcase_add_test(tc, test_katakana_too_long);
    tcase_add_test(tc, test_kana_kanji_break);
    tcase_add_test(tc, test_fit_phrases);
    tcase_add_test(tc, test_signage_corpus);
    tcase_add_test(tc, test_counters_and_wave);
    tcase_add_test(tc, test_fit_words);
    tcase_add_test(tc, test_short_text_not_chopped);
    tcase_add_test(tc, test_urls);
    tcase_add_test(tc, test_zero_width_space);
    tcase_add_test(tc, test_newlines);
    tcase_add_test(tc, test_fit);
    tcase_add_test(tc, test_fit_shape);
    tcase_add_test(tc, test_fit_keeps_numbers);
    tcase_add_test(tc, test_fit_overflow);
    tcase_add_test(tc, test_absurd);
    tcase_add_test(tc, test_sanitize);
    suite_add_tcase(s, tc);
    return s;
}
