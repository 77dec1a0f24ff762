/* textlayout.h - Japanese line breaking and auto-fit, without a font.
 *
 * Layout is pure: it sees the font only through callbacks (how wide is this
 * run of text at the current size, which size, is this character in the
 * font), so it is tested with a fake monospace measure and used by the text
 * renderer with SDL_ttf.
 *
 * Break opportunities come from ICU's line break iterator with the locale
 * "ja@lb=strict" (kinsoku: no line starts with 、。」）ー・ and the like, none
 * ends with 「（; nor, here, with ～ U+FF5E), minus every opportunity inside
 * a word: a number and its counter (7時, 100名, 第97回), a run of digits
 * (2023/03/31, 10:00, 1,000, full-width digits too) or of katakana, Latin
 * letters and digits together (WOODコレクション2023, Ｔシャツ; ICU 72 has no
 * phrase breaking and would split them anywhere).  tl_layout_break() breaks
 * hiragana and kanji as ICU says; tl_layout_fit() prefers, in addition, to
 * keep phrases (bunsetsu) whole as BudouX's Japanese model finds them
 * (player/phrase.h): 心より／お見舞い／申し上げます, ご協力を／お願いします,
 * 電車は／7時30分発.  A phrase that is a long kanji compound may part
 * between two of its words as ICU's dictionary finds them (第97回全国／
 * 高等学校野球／選手権大会) where that gains enough size, and anywhere ICU
 * allows only where that gains more (TL_WORD_SPLIT_PERCENT,
 * TL_PHRASE_SPLIT_PERCENT).  A web address breaks only after / . - ? and never
 * inside its "https://".  '\n' is a hard break.  A word that is
 * wider than the box is split only as a last resort: where ICU would have broken it, else between
 * graphemes.
 */
#ifndef SIGNAGE_TEXTLAYOUT_H
#define SIGNAGE_TEXTLAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text accepted, in bytes (a signage slide, not a book). */
#define TL_TEXT_MAX (64 * 1024)

/* Auto-fit weighs each line that would end inside a phrase (see
 * tl_layout_fit()) as worth this share of the size, in percent: one split
 * pays only if it makes the text more than 1/0.6 = 1.67 times larger, two
 * at 2.8 times, three at 4.6.  So 見頃です on a narrow portrait screen stays
 * one line rather than 見／頃／で／す, and お願いし／ます is never chosen for a
 * little more size, while a phrase that cannot fit a line at any readable
 * size is still split. */
#define TL_PHRASE_SPLIT_PERCENT 60

/* The same for a line that ends between two words of a kanji compound
 * inside a phrase, where ICU's dictionary sees a word boundary (第97回全国／
 * 高等学校野球／選手権大会, フードフェスティバル2024／開催中): one such
 * break pays when it makes the text 1.43 times larger, two at 2.04. */
#define TL_WORD_SPLIT_PERCENT 70

/* Auto-fit keeps the author's lines (no extra wrapping) when that costs
 * less than this share of the size wrapping would allow, in percent. */
#define TL_NOWRAP_PERCENT 75

/* Width in pixels of the LEN bytes of UTF8 (not NUL-terminated) at the
 * current size; negative on failure. */
typedef int (*tl_measure_fn)(void *ctx, const char *utf8, size_t len);

/* What auto-fit needs of a font.  SET_SIZE selects point size PT and reports
 * the distance between baselines (LINE_SKIP) and the height of one rendered
 * line (LINE_HEIGHT); it returns 0 or negative.  HAS_GLYPH may be NULL; when
 * set, characters it rejects are dropped before layout (the font cannot
 * draw them, so they would only show as boxes). */
struct tl_font {
    int (*set_size)(void *ctx, int pt, int *line_skip, int *line_height);
    tl_measure_fn measure;
    bool (*has_glyph)(void *ctx, uint32_t cp);
    void *ctx;
};

struct tl_line {
    size_t off, len; /* bytes of tl_layout.text, trailing spaces left out */
    int width;       /* pixels, as measured */
};

struct tl_layout {
    char *text; /* the sanitised text the lines point into */
    size_t len;
    struct tl_line *lines; /* an empty paragraph is a line with len 0 */
    size_t nlines;
    int pt; /* tl_layout_fit(): the size chosen */
    int line_skip, line_height;
    bool overflow;        /* even the smallest size did not fit: draw clipped */
    size_t max_lines;     /* tl_layout_fit(): lines of this size the box holds */
    size_t phrase_splits; /* tl_layout_fit(): lines ending inside a phrase */
    int phrase_pt;        /* tl_layout_fit(): the size with every phrase whole, 0: none */
};

/* Returns a cleaned copy of the LEN bytes at UTF8 (NUL-terminated, length in
 * *OUTLEN): invalid UTF-8 becomes U+FFFD, CR LF / CR / U+2028 / U+2029 become
 * '\n', tab becomes a space, other control characters are dropped, trailing
 * white space and newlines are cut.  KEEP (may be NULL) is asked about every
 * other character except default-ignorables (variation selectors, ZWJ ...);
 * those it rejects are dropped.  NULL when memory ran out; the caller frees. */
char *tl_sanitize(const char *utf8, size_t len, bool (*keep)(void *ctx, uint32_t cp), void *ctx,
                  size_t *outlen);

/* Breaks the LEN bytes at UTF8 greedily into lines no wider than MAX_WIDTH
 * as measured by MEASURE (graphemes are split when nothing else fits; a single
 * grapheme wider than MAX_WIDTH gets a line of its own).  Returns the layout
 * (pt, line_skip and line_height 0), or NULL with ERR filled; the caller
 * frees it with tl_layout_free(). */
struct tl_layout *tl_layout_break(const char *utf8, size_t len, int max_width,
                                  tl_measure_fn measure, void *ctx, char *err, size_t errlen);

/* Finds the largest integer point size in MIN_PT..MAX_PT at which the text
 * fits a BOX_W x BOX_H box (every line no wider than BOX_W, the block of
 * lines no higher than BOX_H) without splitting anything but at break
 * opportunities, by binary search.  If that wraps a paragraph and the text
 * fits unwrapped at TL_NOWRAP_PERCENT of that size or more, the unwrapped
 * size is taken.  Wrapped paragraphs get lines of even length (same line
 * count, narrowest width).  When no size fits, lays out at MIN_PT splitting
 * graphemes where needed and sets overflow if it is still too big.
 * Returns the layout or NULL with ERR filled (bad arguments, text too long,
 * ICU or font failure, no memory); the caller frees it. */
struct tl_layout *tl_layout_fit(const char *utf8, size_t len, int box_w, int box_h, int min_pt,
                                int max_pt, const struct tl_font *font, char *err, size_t errlen);

/* Height in pixels of the block of lines of L. */
int tl_layout_height(const struct tl_layout *l);

/* Frees L and everything it owns; NULL is a no-op. */
void tl_layout_free(struct tl_layout *l);

#endif
