/* text.c - Japanese text slides on SDL surfaces (SDL_ttf with HarfBuzz). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>
#include <limits.h>

#include "common/log.h"
#include "common/utf8.h"
#include "media/fonts.h"
#include "player/text.h"
#include "player/textlayout.h"

struct text_cache_entry {
    char *text; /* NULL: slot empty */
    uint32_t fg, bg;
    int w, h;
    int pt, nlines;
    SDL_Surface *surface;
    unsigned long long used; /* for LRU */
};

/* A font a character the bundled one lacks is drawn with: Noto Sans CJK
 * (𠮷 and other rare kanji of names) or Noto Color Emoji, whose glyphs
 * are bitmaps of one size, scaled to the line. */
struct text_fallback {
    TTF_Font *font;
    bool bitmap;
};

#define TEXT_FALLBACKS FONTS_FALLBACKS

struct text_renderer {
    TTF_Font *font;
    struct text_fallback fb[TEXT_FALLBACKS];
    int nfb;
    int pt;        /* size the font is set to */
    char *scratch; /* NUL-terminated copies for SDL_ttf */
    size_t scratch_cap;
    struct text_cache_entry cache[TEXT_CACHE_SLOTS];
    unsigned long long clock;
    int last_pt, last_nlines;
    bool have_last;
    uint32_t missing[64]; /* characters the font lacks, each logged once */
    size_t nmissing;
};

static int text_set_pt(struct text_renderer *r, int pt)
{
    if (r->pt == pt)
        return 0;
    if (TTF_SetFontSize(r->font, pt) < 0)
        return -1;
    for (int i = 0; i < r->nfb; i++)
        if (!r->fb[i].bitmap && TTF_SetFontSize(r->fb[i].font, pt) < 0)
            return -1;
    r->pt = pt;
    return 0;
}

/* Which font draws CP: 0 the bundled one, 1.. a fallback, -1 none. */
static int text_font_of(const struct text_renderer *r, uint32_t cp)
{
    if (TTF_GlyphIsProvided32(r->font, cp))
        return 0;
    for (int i = 0; i < r->nfb; i++)
        if (TTF_GlyphIsProvided32(r->fb[i].font, cp))
            return i + 1;
    return -1;
}

static TTF_Font *text_font(const struct text_renderer *r, int which)
{
    return which == 0 ? r->font : r->fb[which - 1].font;
}

/* Scale of font WHICH to the bundled font's line, in 1/1024: 1024 but for
 * a bitmap font, whose one size is shrunk or grown to the line height. */
static int text_scale(const struct text_renderer *r, int which)
{
    int h;

    if (which == 0 || !r->fb[which - 1].bitmap)
        return 1024;
    h = TTF_FontHeight(r->fb[which - 1].font);
    return h > 0 ? TTF_FontHeight(r->font) * 1024 / h : 1024;
}

/* Code points that draw nothing of their own and belong with the
 * character before them: joiners, variation selectors, the keycap, and
 * combining marks (dakuten, accents). */
static bool text_attached(uint32_t cp)
{
    return cp == 0x200d || cp == 0x200c || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0x20e3 ||
           (cp >= 0x0300 && cp <= 0x036f) || cp == 0x3099 || cp == 0x309a ||
           (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

/* The font for the character CP, followed by NEXT: an emoji asked for as
 * one (U+FE0F after it) comes from the emoji font when that has it. */
static int text_font_for(const struct text_renderer *r, uint32_t cp, uint32_t next)
{
    if (next == 0xfe0f) {
        for (int i = 0; i < r->nfb; i++)
            if (r->fb[i].bitmap && TTF_GlyphIsProvided32(r->fb[i].font, cp))
                return i + 1;
    }
    return text_font_of(r, cp);
}

/* The length of the run of S (LEN bytes) drawn with one font, which goes
 * into *WHICH.  Marks, joiners and selectors stay with the character
 * before them, so a sequence (🏃‍♀️, 1️⃣, か゛) is never cut between fonts. */
static size_t text_run(const struct text_renderer *r, const char *s, size_t len, int *which)
{
    size_t o = 0;

    *which = -1;
    while (o < len) {
        uint32_t cp = 0xfffd, next = 0;
        size_t n = utf8_decode(s + o, len - o, &cp);
        int f;
        if (n == 0)
            n = 1; /* cannot happen on sanitised text */
        if (o + n < len && utf8_decode(s + o + n, len - o - n, &next) == 0)
            next = 0;
        f = text_attached(cp) ? *which : text_font_for(r, cp, next);
        if (f < 0 || f == *which || *which < 0) {
            if (*which < 0 && f >= 0)
                *which = f;
            o += n;
            continue;
        }
        break;
    }
    if (*which < 0)
        *which = 0;
    return o;
}

/* Copies LEN bytes of S into the scratch buffer, NUL-terminated. */
static const char *text_cstr(struct text_renderer *r, const char *s, size_t len)
{
    if (len + 1 > r->scratch_cap) {
        size_t cap = len + 1 < 256 ? 256 : len + 1;
        char *p = realloc(r->scratch, cap);

        if (!p)
            return NULL;
        r->scratch = p;
        r->scratch_cap = cap;
    }
    memcpy(r->scratch, s, len);
    r->scratch[len] = '\0';
    return r->scratch;
}

static int text_cb_measure(void *ctx, const char *utf8, size_t len)
{
    struct text_renderer *r = ctx;
    long long total = 0;

    for (size_t o = 0; o < len;) {
        int which, w = 0, h = 0;
        size_t n = text_run(r, utf8 + o, len - o, &which);
        const char *s = text_cstr(r, utf8 + o, n);
        if (!s || TTF_SizeUTF8(text_font(r, which), s, &w, &h) < 0)
            return -1;
        total += (long long)w * text_scale(r, which) / 1024;
        o += n;
    }
    return total > INT_MAX ? INT_MAX : (int)total;
}

static int text_cb_set_size(void *ctx, int pt, int *line_skip, int *line_height)
{
    struct text_renderer *r = ctx;

    if (text_set_pt(r, pt) < 0)
        return -1;
    /* The bundled font's own line skip is exactly 1 em: lines would touch. */
    *line_height = TTF_FontHeight(r->font);
    *line_skip = *line_height * TEXT_LEADING_PERCENT / 100;
    if (*line_skip < TTF_FontLineSkip(r->font))
        *line_skip = TTF_FontLineSkip(r->font);
    return 0;
}

/* Whether a font draws CP: the bundled one or a fallback.  A character
 * none can draw is left out (a box would mean nothing to a passer-by), but
 * never silently: the first time, a warning names it, since a name can
 * change meaning (𠮷野家). */
static bool text_cb_has_glyph(void *ctx, uint32_t cp)
{
    struct text_renderer *r = ctx;
    char u8[5] = "";

    if (text_font_of(r, cp) >= 0)
        return true;
    for (size_t i = 0; i < r->nmissing; i++)
        if (r->missing[i] == cp)
            return false;
    if (r->nmissing == sizeof r->missing / sizeof r->missing[0])
        return false; /* named enough; said so once, below */
    r->missing[r->nmissing++] = cp;
    if (r->nmissing == sizeof r->missing / sizeof r->missing[0]) {
        log_warn("text: more characters are in no font here; they are left out without "
                 "naming each");
        return false;
    }
    u8[utf8_encode(cp, u8)] = '\0';
    log_warn("text: U+%04X \"%s\" is in no font here, so it is left out of the slide; "
             "write it another way",
             (unsigned)cp, u8);
    return false;
}

/* True for a font of bitmaps of fixed sizes (SDL_ttf then takes a size as
 * the number of a strike): its height does not follow the size. */
static bool text_is_bitmap(TTF_Font *f, int pt)
{
    int h1, h2;

    if (TTF_SetFontSize(f, 20) < 0)
        return true;
    h1 = TTF_FontHeight(f);
    if (TTF_SetFontSize(f, 80) < 0)
        return true;
    h2 = TTF_FontHeight(f);
    (void)TTF_SetFontSize(f, pt);
    return h1 == h2;
}

/* The fallbacks that are installed (media/fonts.h), opened at the size of
 * the bundled font. */
static void text_open_fallbacks(struct text_renderer *r)
{
    struct fonts_file files[FONTS_FALLBACKS];
    int n = fonts_fallbacks(files);

    for (int i = 0; i < n && r->nfb < TEXT_FALLBACKS; i++) {
        TTF_Font *f = TTF_OpenFontIndex(files[i].path, r->pt, files[i].index);
        if (!f)
            continue;
        log_debug("text: fallback font %s", files[i].path);
        r->fb[r->nfb++] = (struct text_fallback){f, text_is_bitmap(f, r->pt)};
    }
    fonts_files_free(files, n);
    if (r->nfb < TEXT_FALLBACKS)
        log_info("text: %d of %d fallback fonts installed (fonts-noto-cjk, "
                 "fonts-noto-color-emoji); characters the bundled font lacks may be left out",
                 r->nfb, TEXT_FALLBACKS);
}

struct text_renderer *text_renderer_new(const char *font_path, char *err, size_t errlen)
{
    struct text_renderer *r;

    if (!font_path) {
        snprintf(err, errlen, "no font file given; the bundled one is fonts/BIZUDPGothic-Bold.ttf");
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (TTF_Init() < 0) {
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        goto out_free;
    }
    r->pt = 48;
    r->font = TTF_OpenFont(font_path, r->pt);
    if (!r->font) {
        snprintf(err, errlen,
                 "%s: cannot open the font: %s; it should be a TrueType or "
                 "OpenType font with Japanese glyphs",
                 font_path, TTF_GetError());
        goto out_quit;
    }
    if (!TTF_GlyphIsProvided32(r->font, 0x3042)) { /* あ */
        snprintf(err, errlen,
                 "%s: the font has no Japanese glyphs (no あ); use "
                 "fonts/BIZUDPGothic-Bold.ttf",
                 font_path);
        goto out_close;
    }
    /* Ignored (returns -1) when SDL_ttf lacks HarfBuzz; shaping then is
     * plain FreeType, which still covers Japanese. */
    (void)TTF_SetFontDirection(r->font, TTF_DIRECTION_LTR);
    text_open_fallbacks(r);
    return r;
out_close:
    TTF_CloseFont(r->font);
out_quit:
    TTF_Quit();
out_free:
    free(r);
    return NULL;
}

static void text_cache_clear(struct text_cache_entry *e)
{
    free(e->text);
    SDL_FreeSurface(e->surface);
    memset(e, 0, sizeof *e);
}

void text_renderer_free(struct text_renderer *r)
{
    if (!r)
        return;
    for (int i = 0; i < TEXT_CACHE_SLOTS; i++)
        text_cache_clear(&r->cache[i]);
    for (int i = 0; i < r->nfb; i++)
        TTF_CloseFont(r->fb[i].font);
    TTF_CloseFont(r->font);
    TTF_Quit();
    free(r->scratch);
    free(r);
}

int text_margin(int w, int h)
{
    int m = (w < h ? w : h) * TEXT_MARGIN_PERMILLE / 1000;

    return m < 1 ? 1 : m;
}

int text_last_layout(const struct text_renderer *r, int *pt, int *nlines)
{
    if (!r || !r->have_last)
        return -1;
    if (pt)
        *pt = r->last_pt;
    if (nlines)
        *nlines = r->last_nlines;
    return 0;
}

static struct text_cache_entry *text_cache_find(struct text_renderer *r, const char *utf8,
                                                uint32_t fg, uint32_t bg, int w, int h)
{
    for (int i = 0; i < TEXT_CACHE_SLOTS; i++) {
        struct text_cache_entry *e = &r->cache[i];

        if (e->text && e->fg == fg && e->bg == bg && e->w == w && e->h == h &&
            strcmp(e->text, utf8) == 0)
            return e;
    }
    return NULL;
}

/* Keeps a copy of S under the key; a failure only means no caching. */
static void text_cache_put(struct text_renderer *r, const char *utf8, uint32_t fg, uint32_t bg,
                           int w, int h, int pt, int nlines, SDL_Surface *s)
{
    struct text_cache_entry *e = &r->cache[0];
    char *key;
    SDL_Surface *copy;

    for (int i = 1; i < TEXT_CACHE_SLOTS && e->text; i++) {
        if (!r->cache[i].text || r->cache[i].used < e->used)
            e = &r->cache[i];
    }
    key = strdup(utf8);
    copy = SDL_DuplicateSurface(s);
    if (!key || !copy) {
        free(key);
        SDL_FreeSurface(copy);
        return;
    }
    text_cache_clear(e);
    e->text = key;
    e->fg = fg;
    e->bg = bg;
    e->w = w;
    e->h = h;
    e->pt = pt;
    e->nlines = nlines;
    e->surface = copy;
    e->used = ++r->clock;
}

static SDL_Color text_color(uint32_t rgb)
{
    SDL_Color c = {(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255};

    return c;
}

/* SDL's blend rounds the destination alpha of an opaque surface down to
 * 253 or so under antialiased edges: put it back to opaque inside BOX. */
static void text_opaque(SDL_Surface *s, const SDL_Rect *box)
{
    for (int y = box->y; y < box->y + box->h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);

        for (int x = box->x; x < box->x + box->w; x++)
            row[x] |= 0xff000000u;
    }
}

/* Renders the LEN bytes at S as one line: with the bundled font alone as
 * it always was, else run by run (each in the font that has its glyphs)
 * on a transparent surface as tall as the bundled font's line, every run
 * on the same baseline. */
static SDL_Surface *text_render_line(struct text_renderer *r, const char *s, size_t len,
                                     SDL_Color fg)
{
    int which, asc = TTF_FontAscent(r->font), x = 0, w, h = TTF_FontHeight(r->font) + 1;
    SDL_Surface *line;
    const char *c;

    if (text_run(r, s, len, &which) == len && which == 0) {
        c = text_cstr(r, s, len);
        return c ? TTF_RenderUTF8_Blended(r->font, c, fg) : NULL;
    }
    w = text_cb_measure(r, s, len);
    if (w < 0)
        return NULL;
    line = SDL_CreateRGBSurfaceWithFormat(0, w > 0 ? w : 1, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!line)
        return NULL;
    SDL_FillRect(line, NULL, 0);
    for (size_t o = 0; o < len;) {
        size_t n = text_run(r, s + o, len - o, &which);
        TTF_Font *f = text_font(r, which);
        int scale = text_scale(r, which), rw = 0, rh = 0;
        SDL_Surface *img = NULL;
        SDL_Rect at;
        c = text_cstr(r, s + o, n);
        o += n;
        if (!c || TTF_SizeUTF8(f, c, &rw, &rh) < 0) {
            SDL_FreeSurface(line);
            return NULL;
        }
        if (rw == 0)
            continue; /* only joiners or marks: nothing to draw */
        img = TTF_RenderUTF8_Blended(f, c, fg);
        if (!img) {
            SDL_FreeSurface(line);
            return NULL;
        }
        at.x = x;
        at.w = img->w * scale / 1024;
        at.h = img->h * scale / 1024;
        /* a bitmap emoji fills the line's height; text sits on the baseline */
        at.y = scale == 1024 ? asc - TTF_FontAscent(f) : (h - at.h) / 2;
        /* copied, not blended: the line is transparent, runs do not overlap */
        SDL_SetSurfaceBlendMode(img, SDL_BLENDMODE_NONE);
        if (scale == 1024) {
            SDL_BlitSurface(img, NULL, line, &at);
        } else {
            SDL_Rect clip = at;
            if (SDL_IntersectRect(&clip, &(SDL_Rect){0, 0, line->w, line->h}, &clip) &&
                clip.w == at.w && clip.h == at.h && img->format->format == line->format->format)
                SDL_SoftStretchLinear(img, NULL, line, &at);
            else
                SDL_BlitScaled(img, NULL, line, &at);
        }
        SDL_FreeSurface(img);
        x += rw * scale / 1024;
    }
    return line;
}

/* Draws the lines of L onto DST, centred inside the box that leaves margin M. */
static int text_draw(struct text_renderer *r, const struct tl_layout *l, SDL_Surface *dst, int m,
                     uint32_t fg, char *err, size_t errlen)
{
    SDL_Rect box = {m, m, dst->w - 2 * m, dst->h - 2 * m};
    int block = tl_layout_height(l);
    long long y = box.y + (box.h - block) / 2;

    if (l->overflow || block > box.h)
        y = box.y;
    SDL_SetClipRect(dst, &box);
    for (size_t i = 0; i < l->nlines && y < box.y + box.h; i++, y += l->line_skip) {
        const struct tl_line *ln = &l->lines[i];
        SDL_Surface *img;
        SDL_Rect at;

        if (ln->len == 0)
            continue;
        img = text_render_line(r, l->text + ln->off, ln->len, text_color(fg));
        if (!img) {
            snprintf(err, errlen, "drawing text at %d pt: %s", l->pt, TTF_GetError());
            return -1;
        }
        at.x = box.x + (box.w - img->w) / 2;
        at.y = (int)y;
        at.w = img->w;
        at.h = img->h;
        SDL_SetSurfaceBlendMode(img, SDL_BLENDMODE_BLEND);
        if (SDL_BlitSurface(img, NULL, dst, &at) < 0) {
            snprintf(err, errlen, "blitting text: %s", SDL_GetError());
            SDL_FreeSurface(img);
            return -1;
        }
        SDL_FreeSurface(img);
    }
    SDL_SetClipRect(dst, NULL);
    text_opaque(dst, &box);
    return 0;
}

/* Auto-fits UTF8 into the box of a W x H picture whose margins leave room. */
static struct tl_layout *text_fit(struct text_renderer *r, const char *utf8, int w, int h,
                                  char *err, size_t errlen)
{
    struct tl_font font = {text_cb_set_size, text_cb_measure, text_cb_has_glyph, r};
    int m = text_margin(w, h), max_pt = h - 2 * m < TEXT_MAX_PT ? h - 2 * m : TEXT_MAX_PT;
    struct tl_layout *l;
    char lerr[256];

    if (max_pt < TEXT_MIN_PT)
        max_pt = TEXT_MIN_PT;
    l = tl_layout_fit(utf8, strlen(utf8), w - 2 * m, h - 2 * m, TEXT_MIN_PT, max_pt, &font, lerr,
                      sizeof lerr);
    if (!l)
        snprintf(err, errlen, "laying out text: %s", lerr);
    return l;
}

SDL_Surface *text_render(struct text_renderer *r, const char *utf8, uint32_t fg_rgb,
                         uint32_t bg_rgb, int w, int h, char *err, size_t errlen)
{
    struct text_cache_entry *hit;
    struct tl_layout *l;
    SDL_Surface *s;
    int m;

    if (!r || !utf8) {
        snprintf(err, errlen, "text_render needs a renderer and a text");
        return NULL;
    }
    if (w < 1 || h < 1 || w > TEXT_SIZE_MAX || h > TEXT_SIZE_MAX) {
        snprintf(err, errlen, "picture of %dx%d pixels; each side must be 1..%d", w, h,
                 TEXT_SIZE_MAX);
        return NULL;
    }
    fg_rgb &= 0xffffff;
    bg_rgb &= 0xffffff;
    hit = text_cache_find(r, utf8, fg_rgb, bg_rgb, w, h);
    if (hit) {
        s = SDL_DuplicateSurface(hit->surface);
        if (!s) {
            snprintf(err, errlen, "copying a cached text picture: %s", SDL_GetError());
            return NULL;
        }
        hit->used = ++r->clock;
        r->last_pt = hit->pt;
        r->last_nlines = hit->nlines;
        r->have_last = true;
        return s;
    }

    s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) {
        snprintf(err, errlen, "text picture of %dx%d: %s", w, h, SDL_GetError());
        return NULL;
    }
    SDL_FillRect(
        s, NULL,
        SDL_MapRGBA(s->format, (Uint8)(bg_rgb >> 16), (Uint8)(bg_rgb >> 8), (Uint8)bg_rgb, 255));
    m = text_margin(w, h);
    if (w - 2 * m < 1 || h - 2 * m < 1) {
        /* No room for any text: the background alone is still a picture. */
        r->last_pt = 0;
        r->last_nlines = 0;
        r->have_last = true;
        return s;
    }
    l = text_fit(r, utf8, w, h, err, errlen);
    if (!l)
        goto out_free_surface;
    if (text_set_pt(r, l->pt) < 0) {
        snprintf(err, errlen, "setting the font to %d pt: %s", l->pt, TTF_GetError());
        goto out_free_layout;
    }
    if (text_draw(r, l, s, m, fg_rgb, err, errlen) < 0)
        goto out_free_layout;
    r->last_pt = l->pt;
    r->last_nlines = (int)l->nlines;
    r->have_last = true;
    text_cache_put(r, utf8, fg_rgb, bg_rgb, w, h, l->pt, (int)l->nlines, s);
    tl_layout_free(l);
    return s;
out_free_layout:
    tl_layout_free(l);
out_free_surface:
    SDL_FreeSurface(s);
    return NULL;
}

void text_report_clear(struct text_report *rep)
{
    for (size_t i = 0; rep->lines && i < rep->nlines; i++)
        free(rep->lines[i]);
    free(rep->lines);
    memset(rep, 0, sizeof *rep);
}

static bool text_has(const void *ctx, uint32_t cp)
{
    return text_font_of(ctx, cp) >= 0;
}

int text_describe(struct text_renderer *r, const char *utf8, int w, int h, struct text_report *out,
                  char *err, size_t errlen)
{
    struct tl_layout *l;
    int m;

    memset(out, 0, sizeof *out);
    if (!r || !utf8 || w < 1 || h < 1 || w > TEXT_SIZE_MAX || h > TEXT_SIZE_MAX) {
        snprintf(err, errlen, "text_describe needs a renderer, a text and a picture of 1..%d px",
                 TEXT_SIZE_MAX);
        return -1;
    }
    m = text_margin(w, h);
    out->box_w = w - 2 * m > 0 ? w - 2 * m : 0;
    out->box_h = h - 2 * m > 0 ? h - 2 * m : 0;
    out->nmissing =
        fonts_missing(utf8, strlen(utf8), text_has, r, out->missing, sizeof out->missing);
    if (!out->box_w || !out->box_h)
        return 0;
    l = text_fit(r, utf8, w, h, err, errlen);
    if (!l)
        return -1;
    out->pt = l->pt;
    out->max_lines = l->max_lines;
    out->phrase_splits = l->phrase_splits;
    out->phrase_pt = l->phrase_pt;
    out->overflow = l->overflow;
    size_t want = l->nlines;
    out->lines = calloc(want ? want : 1, sizeof *out->lines);
    for (size_t i = 0; out->lines && i < want; i++) {
        out->lines[i] = strndup(l->text + l->lines[i].off, l->lines[i].len);
        if (!out->lines[i])
            break;
        out->nlines++;
    }
    tl_layout_free(l);
    if (!out->lines || out->nlines < want) {
        text_report_clear(out);
        snprintf(err, errlen, "out of memory describing a text");
        return -1;
    }
    return 0;
}
