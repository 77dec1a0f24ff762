/* textlayout.c - Japanese line breaking (ICU, ja@lb=strict) and auto-fit. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "player/textlayout.h"

#include "common/utf8.h"
#include "player/phrase.h"

/* Per byte offset of the sanitised text: may a line end here, is this a
 * grapheme boundary, and is it one where a run that must be split (last
 * resort) is best split: outside any word, or inside one where ICU would
 * have broken it. */
#define TL_BRK 0x01
#define TL_GRAPHEME 0x02
#define TL_SPLIT 0x04
#define TL_WORD 0x08 /* ICU's dictionary word boundary (words mode only) */

/* How much of a phrase's inside auto-fit may break (tl_prep_init()). */
enum tl_mode {
    TL_LOOSE,   /* wherever ICU's line breaking allows */
    TL_WORDS,   /* at phrase ends, and between the words of a kanji compound */
    TL_PHRASES, /* at phrase ends only */
};

enum { TL_FITS = 0, TL_NOFIT = 1 };

/* The size-independent part of a layout, computed once per text. */
struct tl_prep {
    char *text;
    size_t len;
    unsigned char *flags; /* len + 1 entries */
    size_t *cand;         /* where a line may end, ascending: break
                           * opportunities and paragraph ends */
    size_t ncand;
};

char *tl_sanitize(const char *utf8, size_t len, bool (*keep)(void *ctx, uint32_t cp), void *ctx,
                  size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)utf8;
    /* U+FFFD (3 bytes) for each invalid byte is the worst growth. */
    char *out = malloc(len * 3 + 1);
    size_t o = 0, i = 0;

    if (!out)
        return NULL;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_decode((const char *)s + i, len - i, &c);

        if (n == 0) {
            c = 0xfffd;
            n = 1;
        }
        i += n;
        if (c == '\r') {
            if (i < len && s[i] == '\n')
                i++;
            c = '\n';
        } else if (c == 0x2028 || c == 0x2029) {
            c = '\n';
        } else if (c == '\t') {
            c = ' ';
        }
        if (c != '\n' && (c < 0x20 || (c >= 0x7f && c < 0xa0)))
            continue;
        if (c == 0xfeff)
            continue; /* a BOM or zero-width no-break space: nothing to draw */
        if (keep && c != '\n' && c != ' ' && !utf8_default_ignorable(c) && !keep(ctx, c))
            continue;
        o += utf8_encode(c, out + o);
    }
    /* Trailing blank lines and spaces would only push the block off centre. */
    while (o > 0) {
        if (out[o - 1] == '\n' || out[o - 1] == ' ') {
            o--;
        } else if (o >= 3 && memcmp(out + o - 3, "\xe3\x80\x80", 3) == 0) {
            o -= 3; /* U+3000 ideographic space */
        } else {
            break;
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

static bool tl_is_digit(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0xff10 && c <= 0xff19);
}

/* What joins the digits of one number: 1,000, 10:00, 2023/03/31, and the
 * hyphens of a telephone number, ASCII or full-width (０３－１２３４－５６７８). */
static bool tl_is_numsep(uint32_t c)
{
    return c == ',' || c == '.' || c == ':' || c == '/' || c == '-' || c == 0xff0c || c == 0xff0e ||
           c == 0xff1a || c == 0xff0f || c == 0xff0d || c == 0x2010 || c == 0x2011 || c == 0x2212;
}

/* Katakana and Latin letters (ASCII and full-width), which with digits make
 * up words that ICU without phrase breaking splits anywhere.  The katakana
 * middle dot ・ and double hyphen ゠ separate words and are left out. */
static bool tl_is_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0x30a1 && c <= 0x30ff && c != 0x30fb) || (c >= 0x31f0 && c <= 0x31ff) ||
           (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a) ||
           (c >= 0xff66 && c <= 0xff9f);
}

/* The next position after B, up to PE, carrying FLAG (PE itself always). */
static size_t tl_next(const struct tl_prep *p, size_t b, size_t pe, unsigned char flag)
{
    for (b++; b < pe; b++) {
        if (p->flags[b] & flag)
            return b;
    }
    return pe;
}

/* First code point of the grapheme at I (U+FFFD if undecodable). */
static uint32_t tl_first_cp(const struct tl_prep *p, size_t i)
{
    uint32_t c;

    if (utf8_decode((const char *)p->text + i, p->len - i, &c) == 0)
        c = 0xfffd; /* cannot happen on sanitised text */
    return c;
}

/* Sets the flags of the grapheme boundary I: inside a word (GLUED) its
 * break opportunity is withdrawn, though a last-resort split may still use
 * it; outside one, any split is as good as another. */
static void tl_glue(struct tl_prep *p, size_t i, bool glued)
{
    if (!glued)
        p->flags[i] |= TL_SPLIT;
    else if (p->flags[i] & TL_BRK)
        p->flags[i] = (unsigned char)((p->flags[i] & ~TL_BRK) | TL_SPLIT);
}

/* Counters and units a number is read with: 7時, 100名, 2023年, 1万. */
static bool tl_is_counter(uint32_t c)
{
    static const char counters[] = "年月日時分秒名人回円個枚本件階歳才号番位点倍割台冊杯匹頭羽"
                                   "軒度週箇部社校周万億兆千百泊品問曲話巻";

    for (size_t i = 0; counters[i];) {
        uint32_t k;
        size_t n = utf8_decode((const char *)counters + i, sizeof counters - 1 - i, &k);
        if (n == 0)
            break;
        if (k == c)
            return true;
        i += n;
    }
    return false;
}

/* Withdraws the break opportunities inside words, so they are split only as
 * a last resort: runs of katakana, Latin letters and digits
 * (WOODコレクション2023, Ｔシャツ, ２０２３: ICU has no phrase breaking and
 * breaks between ideographic-class characters anywhere) and numbers
 * DIGIT ((SEP)? DIGIT)* (2023/03/31, 10:00, 1,000, 03-1234-5678).  Works on graphemes,
 * classed by their first code point, so a combining mark or variation
 * selector does not end a word.  Hiragana and kanji are left to ICU. */
static void tl_keep_words(struct tl_prep *p)
{
    size_t i = 0, next;
    bool prev_word = false, prev_digit = false; /* the grapheme before I */
    uint32_t prev = 0;

    while (i < p->len) {
        uint32_t c = tl_first_cp(p, i);
        bool digit = tl_is_digit(c), word = digit || tl_is_letter(c);

        next = tl_next(p, i, p->len, TL_GRAPHEME);
        if (prev_digit && !word && tl_is_numsep(c) && next < p->len &&
            tl_is_digit(tl_first_cp(p, next)))
            word = digit = true; /* the separator joins the number */
        /* A number keeps its counter (7時, 100名, 2023年) and its 第 (第97回);
         * a line never starts with ～ (U+FF5E, what Windows IMEs type for
         * the wave dash 〜, which ICU already keeps off a line start). */
        tl_glue(p, i,
                (prev_word && word) || (prev_digit && tl_is_counter(c)) ||
                    (prev == 0x7b2c && digit) || c == 0xff5e);
        prev_word = word;
        prev_digit = digit;
        prev = c;
        i = next;
    }
}

/* A web address: a run of printable ASCII with "://" in it or starting
 * "www.", without the punctuation that ends the sentence around it.  Sets
 * *RUN_END to the end of the whole ASCII run from S (so a caller moves on
 * past it) and returns the end of the address, or S when the run is none. */
static size_t tl_url_end(const char *t, size_t len, size_t s, size_t *run_end)
{
    size_t e = s;
    bool url = false;

    while (e < len && t[e] > ' ' && t[e] < 0x7f)
        e++;
    *run_end = e;
    if (e - s >= 4 && strncmp(t + s, "www.", 4) == 0)
        url = true;
    for (size_t i = s; !url && i + 3 <= e; i++)
        url = memcmp(t + i, "://", 3) == 0;
    if (!url)
        return s;
    while (e > s && strchr(".,;:!?)]'\"", t[e - 1]))
        e--;
    return e;
}

/* A web address may break only after / . - ? and before a letter, digit or
 * one of %_~#=& (where a reader sees it go on), never inside its scheme
 * "https://", wherever ICU would have broken it.  Only when even one piece
 * of it is wider than the box at the smallest size does the last resort
 * split it elsewhere. */
static void tl_keep_urls(struct tl_prep *p)
{
    for (size_t i = 0; i < p->len;) {
        size_t run, e = tl_url_end(p->text, p->len, i, &run), body;
        const char *scheme;
        if (e == i) {
            i = run > i ? run : i + 1;
            continue;
        }
        scheme = memmem(p->text + i, e - i, "://", 3);
        body = scheme ? (size_t)(scheme - p->text) + 3 : i;
        for (size_t k = i + 1; k < e; k++) {
            char c = p->text[k - 1], d = p->text[k];
            if (k > body && strchr("/.-?", c) && (isalnum((unsigned char)d) || strchr("%_~#=&", d)))
                p->flags[k] |= TL_BRK | TL_SPLIT;
            else
                p->flags[k] &= (unsigned char)~(TL_BRK | TL_SPLIT);
        }
        i = run;
    }
}

/* Where an author marked a break: spaces, and the zero-width space an
 * author puts in to allow one (東京都\u200B立川市). */
static bool tl_is_space(uint32_t c)
{
    return c == ' ' || c == 0x3000 || c == '\n' || c == 0x200b;
}

/* Phrase mode: withdraws ICU's break opportunities inside a phrase
 * (bunsetsu), where BudouX's Japanese model (player/phrase.h) sees no
 * boundary: 心より／お見舞い／申し上げます, ありがとう／ございました,
 * 電車は／7時30分発.  Each paragraph is read on its own; a break next to a
 * space stays (Latin words, spaced Japanese).  Returns 0 or -1 (memory). */
static bool tl_is_han(uint32_t c)
{
    return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x20000 && c <= 0x3134f) || (c >= 0xf900 && c <= 0xfaff) || c == 0x3005;
}

/* Words mode: whether a phrase may still break before CPS[J] (paragraph
 * PS..PE): where ICU's dictionary ends a word of two characters or more and
 * a kanji word of two or more starts, after a kanji, a number or a
 * katakana or Latin word, and BudouX's model leans towards a boundary
 * there though it found none: 第97回全国／高等学校野球／選手権大会,
 * 東京特許／許可局.  Never inside a word, never before okurigana, a
 * particle or a one-character suffix (新宿区, 参加者募集中), nor where the
 * model sees nothing or is against it (高等／学校, 学校／総合). */
static bool tl_word_split(const struct tl_prep *p, const uint32_t *cps, const size_t *offs,
                          size_t j, size_t ps, size_t pe)
{
    uint32_t a = cps[j - 1], b = cps[j];

    return (p->flags[offs[j]] & TL_WORD) && j >= ps + 2 && j + 2 <= pe &&
           !(p->flags[offs[j - 1]] & TL_WORD) && !(p->flags[offs[j + 1]] & TL_WORD) &&
           tl_is_han(b) && tl_is_han(cps[j + 1]) &&
           (tl_is_han(a) || tl_is_digit(a) || tl_is_letter(a)) &&
           phrase_evidence(cps + ps, pe - ps, j - ps) > 0;
}

static int tl_keep_phrases(struct tl_prep *p, enum tl_mode mode)
{
    uint32_t *cps = malloc((p->len + 1) * sizeof *cps);
    size_t *offs = malloc((p->len + 1) * sizeof *offs);
    bool *brk = malloc(p->len + 1);
    size_t n = 0;

    if (!cps || !offs || !brk) {
        free(cps);
        free(offs);
        free(brk);
        return -1;
    }
    for (size_t i = 0; i < p->len;) {
        uint32_t c;
        size_t k = utf8_decode((const char *)p->text + i, p->len - i, &c);
        offs[n] = i;
        cps[n++] = k ? c : 0xfffd;
        i += k ? k : 1;
    }
    for (size_t ps = 0; ps < n;) {
        size_t pe = ps;
        while (pe < n && cps[pe] != '\n')
            pe++;
        phrase_boundaries(cps + ps, pe - ps, brk + ps);
        for (size_t j = ps + 1; j < pe; j++) {
            if (!brk[j] && !tl_is_space(cps[j - 1]) && !tl_is_space(cps[j]) &&
                !(mode == TL_WORDS && tl_word_split(p, cps, offs, j, ps, pe)))
                tl_glue(p, offs[j], true);
        }
        ps = pe + 1;
    }
    free(cps);
    free(offs);
    free(brk);
    return 0;
}

/* Marks the boundaries ICU reports for iterator TYPE in locale LOCALE. */
static int tl_mark(struct tl_prep *p, UBreakIteratorType type, const char *locale,
                   unsigned char flag, char *err, size_t errlen)
{
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi;
    UText *ut;
    int32_t b;

    bi = ubrk_open(type, locale, NULL, 0, &st);
    if (U_FAILURE(st)) {
        snprintf(err, errlen, "ICU break iterator for %s: %s", locale, u_errorName(st));
        return -1;
    }
    ut = utext_openUTF8(NULL, p->text, (int64_t)p->len, &st);
    if (U_FAILURE(st))
        goto out_close_bi;
    ubrk_setUText(bi, ut, &st);
    if (U_FAILURE(st))
        goto out_close_ut;
    for (b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi)) {
        if (b >= 0 && (size_t)b <= p->len)
            p->flags[b] |= flag;
    }
out_close_ut:
    utext_close(ut);
out_close_bi:
    ubrk_close(bi);
    if (U_FAILURE(st)) {
        snprintf(err, errlen, "ICU break iterator: %s", u_errorName(st));
        return -1;
    }
    return 0;
}

static void tl_prep_clear(struct tl_prep *p)
{
    free(p->text);
    free(p->flags);
    free(p->cand);
    memset(p, 0, sizeof *p);
}

/* Collects the candidate line ends once the flags are final. */
static int tl_collect(struct tl_prep *p)
{
    p->cand = malloc((p->len + 1) * sizeof *p->cand);
    if (!p->cand)
        return -1;
    for (size_t i = 1; i <= p->len; i++) {
        if ((p->flags[i] & TL_BRK) || i == p->len || p->text[i] == '\n')
            p->cand[p->ncand++] = i;
    }
    return 0;
}

static int tl_prep_init(struct tl_prep *p, const char *utf8, size_t len,
                        bool (*keep)(void *ctx, uint32_t cp), void *ctx, enum tl_mode mode,
                        char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (!utf8) {
        snprintf(err, errlen, "no text given");
        return -1;
    }
    if (len > TL_TEXT_MAX) {
        snprintf(err, errlen, "text is %zu bytes long; at most %d bytes fit on a screen", len,
                 TL_TEXT_MAX);
        return -1;
    }
    p->text = tl_sanitize(utf8, len, keep, ctx, &p->len);
    if (!p->text)
        goto out_nomem;
    p->flags = calloc(p->len + 1, 1);
    if (!p->flags)
        goto out_nomem;
    if (p->len > 0) {
        if (tl_mark(p, UBRK_LINE, "ja@lb=strict", TL_BRK, err, errlen) < 0 ||
            tl_mark(p, UBRK_CHARACTER, "ja", TL_GRAPHEME, err, errlen) < 0 ||
            (mode == TL_WORDS && tl_mark(p, UBRK_WORD, "ja", TL_WORD, err, errlen) < 0)) {
            tl_prep_clear(p);
            return -1;
        }
        tl_keep_words(p);
        if (mode != TL_LOOSE && tl_keep_phrases(p, mode) < 0)
            goto out_nomem;
        tl_keep_urls(p); /* after phrases: BudouX knows no addresses */
        if (tl_collect(p) < 0)
            goto out_nomem;
    }
    return 0;
out_nomem:
    tl_prep_clear(p);
    snprintf(err, errlen, "out of memory laying out text");
    return -1;
}

/* End of the run S..E without its trailing spaces (ASCII and U+3000). */
static size_t tl_trim_end(const char *t, size_t s, size_t e)
{
    while (e > s) {
        if (t[e - 1] == ' ')
            e--;
        else if (e - s >= 3 && memcmp(t + e - 3, "\xe3\x80\x80", 3) == 0)
            e -= 3;
        else
            break;
    }
    return e;
}

struct tl_lines {
    struct tl_line *v;
    size_t n, cap;
};

static int tl_push(struct tl_lines *ls, size_t off, size_t len, int width)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 16;
        struct tl_line *v = realloc(ls->v, cap * sizeof *v);

        if (!v)
            return -1;
        ls->v = v;
        ls->cap = cap;
    }
    ls->v[ls->n].off = off;
    ls->v[ls->n].len = len;
    ls->v[ls->n].width = width;
    ls->n++;
    return 0;
}

/* What filling lines needs besides the text. */
struct tl_fill_ctx {
    const struct tl_prep *p;
    tl_measure_fn measure;
    void *ctx;
    bool split; /* split graphemes when nothing else fits */
    char *err;
    size_t errlen;
};

/* Index of the first candidate line end after POS (ncand when none). */
static size_t tl_cand_after(const struct tl_prep *p, size_t pos)
{
    size_t lo = 0, hi = p->ncand;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (p->cand[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Width of the run S..E without its trailing spaces: >= 0, or -2 when
 * measuring failed. */
static int tl_width(const struct tl_fill_ctx *f, size_t s, size_t e)
{
    int w = f->measure(f->ctx, f->p->text + s, tl_trim_end(f->p->text, s, e) - s);

    return w < 0 ? -2 : w;
}

/* Last resort for a run S..LIMIT with no break opportunity that fits
 * MAX_W: the furthest position carrying FLAG after S, up to LIMIT, at which
 * it fits, in *BEST with its width in *BESTW.  When none fits, *BEST is the
 * first such position if ANYWAY, else 0.  Returns 0, or -1 when measuring
 * failed. */
static int tl_split(const struct tl_fill_ctx *f, size_t s, size_t limit, int max_w,
                    unsigned char flag, bool anyway, size_t *best, int *bestw)
{
    *best = 0;
    for (size_t b = tl_next(f->p, s, limit, flag);; b = tl_next(f->p, b, limit, flag)) {
        int w = tl_width(f, s, b);

        if (w < 0)
            return -1;
        if (w > max_w && (*best != 0 || !anyway))
            break;
        *best = b;
        *bestw = w;
        if (w > max_w || b == limit)
            break;
    }
    return 0;
}

/* Greedy filling of the paragraph PS..PE (no '\n' inside) into lines no
 * wider than MAX_W, appended to LS.  Returns TL_FITS, TL_NOFIT (LS would
 * hold more than MAX_LINES lines, or a run is wider than MAX_W and SPLIT is
 * false), or -1 with ERR filled. */
static int tl_fill_para(const struct tl_fill_ctx *f, size_t ps, size_t pe, int max_w,
                        size_t max_lines, struct tl_lines *ls)
{
    const struct tl_prep *p = f->p;
    const char *t = p->text;
    size_t s = ps;

    if (s == pe && tl_push(ls, s, 0, 0) < 0)
        goto out_nomem;
    while (s < pe) {
        size_t best = 0, e;
        int bestw = 0, w;

        /* The furthest candidate end that fits, found by galloping then
         * bisecting over the candidates (widths grow with the run): a
         * handful of measures per line instead of one per candidate. */
        size_t lo = tl_cand_after(p, s), hi = tl_cand_after(p, pe - 1), i, step = 2;
        size_t ok = SIZE_MAX, bad;

        /* candidates lo..hi lie in (s, pe], cand[hi] == pe */
        bad = hi + 1;
        for (i = lo;; i = lo + step - 1, step *= 2) {
            if (i > hi)
                i = hi;
            w = tl_width(f, s, p->cand[i]);
            if (w < -1)
                goto out_measure;
            if (w < 0 || w > max_w) {
                bad = i;
                break;
            }
            ok = i;
            bestw = w;
            if (i == hi)
                break;
        }
        while (ok == SIZE_MAX ? lo < bad : ok + 1 < bad) {
            size_t from = ok == SIZE_MAX ? lo : ok + 1;
            size_t mid = from + (bad - from) / 2;

            w = tl_width(f, s, p->cand[mid]);
            if (w < -1)
                goto out_measure;
            if (w < 0 || w > max_w) {
                bad = mid;
            } else {
                ok = mid;
                bestw = w;
            }
        }
        if (ok != SIZE_MAX)
            best = p->cand[ok];
        if (best == 0) {
            size_t limit = tl_next(p, s, pe, TL_BRK);

            if (!f->split)
                return TL_NOFIT;
            /* Outside words or where ICU would break inside one, else
             * between any graphemes, at least one even if too wide. */
            if (tl_split(f, s, limit, max_w, TL_SPLIT, false, &best, &bestw) < 0 ||
                (best == 0 && tl_split(f, s, limit, max_w, TL_GRAPHEME, true, &best, &bestw) < 0))
                goto out_measure;
        }
        e = tl_trim_end(t, s, best);
        if (tl_push(ls, s, e - s, bestw) < 0)
            goto out_nomem;
        if (ls->n > max_lines)
            return TL_NOFIT;
        s = best;
        while (s < pe && t[s] == ' ')
            s++;
    }
    return ls->n > max_lines ? TL_NOFIT : TL_FITS;
out_measure:
    snprintf(f->err, f->errlen, "measuring text failed");
    return -1;
out_nomem:
    snprintf(f->err, f->errlen, "out of memory laying out text");
    return -1;
}

/* A wrapped paragraph is re-filled at the narrowest width that gives the
 * same number of lines, so its last line is not a lone 日 under a full
 * one.  Replaces the lines of LS from FIRST on.  Returns 0 or -1. */
static int tl_balance_para(const struct tl_fill_ctx *f, size_t ps, size_t pe, int max_w,
                           size_t first, struct tl_lines *ls)
{
    size_t k = ls->n - first;
    int lo = 1, hi = max_w, r;

    if (k < 2)
        return 0;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        ls->n = first;
        r = tl_fill_para(f, ps, pe, mid, first + k, ls);
        if (r < 0)
            return -1;
        if (r == TL_FITS)
            hi = mid;
        else
            lo = mid + 1;
    }
    ls->n = first;
    r = tl_fill_para(f, ps, pe, lo, SIZE_MAX, ls);
    return r < 0 ? -1 : 0;
}

/* Fills every paragraph at the current size into LS (emptied first).
 * BALANCE evens out the lines of wrapped paragraphs.  Returns TL_FITS,
 * TL_NOFIT or -1 as tl_fill_para(). */
static int tl_fill(const struct tl_fill_ctx *f, int max_w, size_t max_lines, bool balance,
                   struct tl_lines *ls)
{
    const struct tl_prep *p = f->p;
    size_t ps = 0;

    ls->n = 0;
    if (p->len == 0)
        return TL_FITS;
    for (;;) {
        const char *nl = memchr(p->text + ps, '\n', p->len - ps);
        size_t pe = nl ? (size_t)(nl - p->text) : p->len;
        size_t first = ls->n;
        int r = tl_fill_para(f, ps, pe, max_w, max_lines, ls);

        if (r != TL_FITS)
            return r;
        if (balance && tl_balance_para(f, ps, pe, max_w, first, ls) < 0)
            return -1;
        if (!nl)
            break;
        ps = pe + 1;
    }
    return TL_FITS;
}

/* Number of paragraphs ('\n'-separated) in P. */
static size_t tl_paragraphs(const struct tl_prep *p)
{
    size_t n = p->len ? 1 : 0;

    for (size_t i = 0; i < p->len; i++)
        n += p->text[i] == '\n';
    return n;
}

static struct tl_layout *tl_finish(struct tl_prep *p, struct tl_lines *ls, char *err, size_t errlen)
{
    struct tl_layout *l = calloc(1, sizeof *l);

    if (!l) {
        snprintf(err, errlen, "out of memory laying out text");
        free(ls->v);
        tl_prep_clear(p);
        return NULL;
    }
    l->text = p->text;
    l->len = p->len;
    l->lines = ls->v;
    l->nlines = ls->n;
    free(p->flags);
    free(p->cand);
    memset(p, 0, sizeof *p);
    memset(ls, 0, sizeof *ls);
    return l;
}

struct tl_layout *tl_layout_break(const char *utf8, size_t len, int max_width,
                                  tl_measure_fn measure, void *ctx, char *err, size_t errlen)
{
    struct tl_prep p;
    struct tl_lines ls = {NULL, 0, 0};

    if (!measure || max_width < 1) {
        snprintf(err, errlen, "text layout needs a measure and a width of at least 1 pixel");
        return NULL;
    }
    if (tl_prep_init(&p, utf8, len, NULL, NULL, TL_LOOSE, err, errlen) < 0)
        return NULL;
    struct tl_fill_ctx f = {&p, measure, ctx, true, err, errlen};

    if (tl_fill(&f, max_width, SIZE_MAX, false, &ls) < 0) {
        free(ls.v);
        tl_prep_clear(&p);
        return NULL;
    }
    return tl_finish(&p, &ls, err, errlen);
}

/* How many lines of SKIP with the last one HEIGHT high fit in BOX_H. */
static size_t tl_max_lines(int box_h, int skip, int height)
{
    if (box_h < height)
        return 0;
    if (skip < 1)
        return SIZE_MAX;
    return (size_t)((box_h - height) / skip) + 1;
}

static bool tl_widths_fit(const struct tl_lines *ls, int max_w)
{
    for (size_t i = 0; i < ls->n; i++) {
        if (ls->v[i].width > max_w)
            return false;
    }
    return true;
}

/* Binary search for the largest size in LO..HI at which the text fits the
 * box in at most LINE_CAP lines.  Returns the size, 0 when none fits, or -1
 * with ERR filled. */
static int tl_search(const struct tl_fill_ctx *f, const struct tl_font *font, int box_w, int box_h,
                     int lo, int hi, size_t line_cap, struct tl_lines *ls)
{
    int best = 0, skip, height, r;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        size_t cap;

        if (font->set_size(font->ctx, mid, &skip, &height) < 0) {
            snprintf(f->err, f->errlen, "cannot set the font to %d pt", mid);
            return -1;
        }
        cap = tl_max_lines(box_h, skip, height);
        r = tl_fill(f, box_w, cap < line_cap ? cap : line_cap, false, ls);
        if (r < 0)
            return -1;
        if (r == TL_FITS) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

/* The size auto-fit picks for the text of F: the largest that fits, or a
 * little smaller to keep the author's lines.  0 when nothing fits whole;
 * -1 with the error in F. */
static int tl_fit_pt(const struct tl_fill_ctx *f, const struct tl_font *font, int box_w, int box_h,
                     int min_pt, int max_pt, struct tl_lines *ls)
{
    int pt, nowrap_pt, skip, height;

    pt = tl_search(f, font, box_w, box_h, min_pt, max_pt, SIZE_MAX, ls);
    if (pt > 0 && font->set_size(font->ctx, pt, &skip, &height) == 0 &&
        tl_fill(f, box_w, SIZE_MAX, false, ls) == TL_FITS && ls->n > tl_paragraphs(f->p)) {
        /* It wraps.  The lines the author wrote read better than bigger
         * text cut elsewhere, unless keeping them costs a lot of size. */
        nowrap_pt = tl_search(f, font, box_w, box_h, min_pt, pt, tl_paragraphs(f->p), ls);
        if (nowrap_pt < 0)
            return -1;
        if ((long long)nowrap_pt * 100 >= (long long)pt * TL_NOWRAP_PERCENT)
            pt = nowrap_pt;
    }
    return pt;
}

/* How many lines of LS, laid out in TEXT, end inside a phrase of PHR (the
 * phrase-mode preparation of the same text: no break there). */
static size_t tl_phrase_splits(const struct tl_prep *phr, const struct tl_lines *ls)
{
    size_t k = 0;

    for (size_t i = 1; i < ls->n; i++) {
        size_t at = ls->v[i].off;
        if (at > 0 && at < phr->len && phr->text[at - 1] != '\n' && !(phr->flags[at] & TL_BRK))
            k++;
    }
    return k;
}

/* What the layout of F at PT (0: none fits) is worth: PT, less PERCENT of
 * it for each line ending inside a phrase of PHR (the phrase-mode
 * preparation of the same text); 0 when it does not fit the box at PT.
 * Into *WORTH; -1 on error (in F). */
static int tl_worth(const struct tl_fill_ctx *f, const struct tl_prep *phr,
                    const struct tl_font *font, int box_w, int box_h, int pt, int percent,
                    struct tl_lines *ls, double *worth)
{
    int skip, height;
    size_t k;

    *worth = pt;
    if (pt == 0 || f->p == phr)
        return 0;
    if (font->set_size(font->ctx, pt, &skip, &height) < 0) {
        snprintf(f->err, f->errlen, "cannot set the font to %d pt", pt);
        return -1;
    }
    if (tl_fill(f, box_w, SIZE_MAX, true, ls) < 0)
        return -1;
    if (ls->n > tl_max_lines(box_h, skip, height) || !tl_widths_fit(ls, box_w)) {
        *worth = 0;
        return 0;
    }
    k = tl_phrase_splits(phr, ls);
    for (size_t i = 0; i < k && *worth >= 1; i++)
        *worth = *worth * percent / 100;
    return 0;
}

/* The size at which F's layout is worth most: its largest, TOP, or with
 * SCAN any size down to where none could beat FLOOR, the worth of the best
 * layout so far (a smaller size may part fewer words: 全国高等学校／
 * 総合体育大会 rather than 全国高等／学校総合／体育大会).  Never below TOP
 * when nothing else fits (FLOOR 0).  *PT and *WORTH get it (unchanged when
 * none beats FLOOR); -1 on error. */
static int tl_best_size(const struct tl_fill_ctx *f, const struct tl_prep *phr,
                        const struct tl_font *font, int box_w, int box_h, int top, int min_pt,
                        int percent, bool scan, double floor, struct tl_lines *ls, int *pt,
                        double *worth)
{
    if (!scan || floor <= 0)
        min_pt = top;
    for (int p = top; p >= min_pt && p > floor; p = p * 15 / 16 < p - 1 ? p * 15 / 16 : p - 1) {
        double w;
        if (tl_worth(f, phr, font, box_w, box_h, p, percent, ls, &w) < 0)
            return -1;
        if (w > floor && w > *worth) {
            *worth = w;
            *pt = p;
        }
    }
    return 0;
}

struct tl_layout *tl_layout_fit(const char *utf8, size_t len, int box_w, int box_h, int min_pt,
                                int max_pt, const struct tl_font *font, char *err, size_t errlen)
{
    /* Phrases kept whole read better; a kanji compound parted between its
     * words costs a little, a phrase broken anywhere else more: each is
     * taken only where it gains enough size. */
    static const enum tl_mode modes[] = {TL_PHRASES, TL_WORDS, TL_LOOSE};
    static const int percent[] = {100, TL_WORD_SPLIT_PERCENT, TL_PHRASE_SPLIT_PERCENT};
    enum { N = sizeof modes / sizeof modes[0] };
    struct tl_prep prep[N];
    struct tl_fill_ctx fc[N];
    struct tl_lines ls = {NULL, 0, 0};
    struct tl_layout *l = NULL;
    int pt = 0, phrase_pt = 0, skip, height, r;
    size_t best = N - 1, made = 0;
    double best_worth = 0;
    bool overflow = false;

    if (!font || !font->set_size || !font->measure || box_w < 1 || box_h < 1 || min_pt < 1 ||
        max_pt < min_pt) {
        snprintf(err, errlen,
                 "text fit needs a font, a box of at least 1x1 pixels and "
                 "1 <= min_pt <= max_pt");
        return NULL;
    }
    for (; made < N; made++) {
        if (tl_prep_init(&prep[made], utf8, len, font->has_glyph, font->ctx, modes[made], err,
                         errlen) < 0)
            goto out_free;
        fc[made] = (struct tl_fill_ctx){&prep[made], font->measure, font->ctx, false, err, errlen};
    }
    for (size_t i = 0; i < N; i++) {
        double worth = 0;
        int mpt = tl_fit_pt(&fc[i], font, box_w, box_h, min_pt, max_pt, &ls), at = 0;
        if (mpt < 0 || tl_best_size(&fc[i], &prep[0], font, box_w, box_h, mpt, min_pt, percent[i],
                                    modes[i] == TL_WORDS, best_worth, &ls, &at, &worth) < 0)
            goto out_free;
        if (i == 0)
            phrase_pt = at;
        if (worth > best_worth) {
            best_worth = worth;
            best = i;
            pt = at;
        }
    }
    struct tl_fill_ctx *f = &fc[best];
    if (pt > 0) {
        if (font->set_size(font->ctx, pt, &skip, &height) < 0)
            goto out_size;
        r = tl_fill(f, box_w, SIZE_MAX, true, &ls);
    } else {
        /* Nothing fits whole: smallest size, graphemes split, clipped. */
        pt = min_pt;
        if (font->set_size(font->ctx, pt, &skip, &height) < 0)
            goto out_size;
        f->split = true;
        r = tl_fill(f, box_w, SIZE_MAX, false, &ls);
        overflow = ls.n > tl_max_lines(box_h, skip, height) || !tl_widths_fit(&ls, box_w);
    }
    if (r < 0)
        goto out_free;
    size_t splits = tl_phrase_splits(&prep[0], &ls);
    l = tl_finish(&prep[best], &ls, err, errlen); /* takes LS and the prep */
    if (l) {
        l->pt = pt;
        l->line_skip = skip;
        l->line_height = height;
        l->overflow = overflow;
        l->max_lines = tl_max_lines(box_h, skip, height);
        l->phrase_splits = splits;
        l->phrase_pt = phrase_pt;
    }
    for (size_t i = 0; i < N; i++)
        if (i != best)
            tl_prep_clear(&prep[i]);
    return l;
out_size:
    snprintf(err, errlen, "cannot set the font to %d pt", pt);
out_free:
    free(ls.v);
    for (size_t i = 0; i < made; i++)
        tl_prep_clear(&prep[i]);
    return NULL;
}

int tl_layout_height(const struct tl_layout *l)
{
    long long h;

    if (!l || l->nlines == 0)
        return 0;
    h = (long long)(l->nlines - 1) * l->line_skip + l->line_height;
    return h > INT_MAX ? INT_MAX : (int)h;
}

void tl_layout_free(struct tl_layout *l)
{
    if (!l)
        return;
    free(l->text);
    free(l->lines);
    free(l);
}
