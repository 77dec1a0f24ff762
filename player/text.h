/* text.h - Japanese text slides rendered to SDL surfaces.
 *
 * Meant for the player's preparation thread: only surface APIs (SDL_ttf,
 * blits), never a renderer, texture or window.  A text_renderer is used by
 * one thread at a time; text_renderer_new() and text_renderer_free() call
 * TTF_Init()/TTF_Quit(), which SDL_ttf counts but does not lock, so do not
 * run them while another thread is inside SDL_ttf.
 *
 * The text is laid out by textlayout.h (Japanese line breaking, digits kept
 * together, '\n' kept) at the largest size that fits inside the picture less
 * a margin of TEXT_MARGIN_PERMILLE of its shorter side on every edge; each
 * line is centred, the block is centred vertically.  The font has one
 * TTF_Font whose size is changed with TTF_SetFontSize() (no reopening per
 * size), and the last TEXT_CACHE_SLOTS pictures are kept, keyed by text,
 * colours and size.
 */
#ifndef SIGNAGE_TEXT_H
#define SIGNAGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#define TEXT_MARGIN_PERMILLE 50 /* 5% of the shorter side on each edge */
#define TEXT_MIN_PT 8
#define TEXT_MAX_PT 1000
#define TEXT_SIZE_MAX 16384 /* largest picture side accepted */
#define TEXT_CACHE_SLOTS 6
#define TEXT_LEADING_PERCENT 130 /* baseline to baseline, of the font height */

struct text_renderer;

/* Opens the TrueType/OpenType font at FONT_PATH (the bundled
 * fonts/BIZUDPGothic-Bold.ttf).  Returns the renderer, or NULL with ERR
 * filled; free it with text_renderer_free(). */
struct text_renderer *text_renderer_new(const char *font_path, char *err, size_t errlen);

/* Frees R, its font and its cache; NULL is a no-op. */
void text_renderer_free(struct text_renderer *r);

/* Margin in pixels kept free of text on each edge of a W x H picture. */
int text_margin(int w, int h);

/* Renders UTF8 (characters the font lacks are left out) as a W x H
 * SDL_PIXELFORMAT_ARGB8888 surface filled with BG_RGB, the text antialiased
 * in FG_RGB (both 0xRRGGBB).  A text too long for the picture even at
 * TEXT_MIN_PT is drawn from the top and clipped at the margin.  Returns a
 * new surface the caller frees with SDL_FreeSurface() (the cache keeps its
 * own copy), or NULL with ERR filled. */
SDL_Surface *text_render(struct text_renderer *r, const char *utf8, uint32_t fg_rgb,
                         uint32_t bg_rgb, int w, int h, char *err, size_t errlen);

/* How text_render() laid out its last picture (cache hits included): point
 * size and number of lines, for tests and logs.  Returns 0, or -1 before the
 * first picture. */
int text_last_layout(const struct text_renderer *r, int *pt, int *nlines);

/* How a text is set on a W x H picture, for people checking a campaign
 * before it airs (signagectl preview). */
struct text_report {
    int pt;           /* the size chosen (px of the em); 0: no room at all */
    int box_w, box_h; /* the area inside the margins */
    size_t max_lines; /* lines of that size the area holds */
    char **lines;     /* NLINES strings, as drawn */
    size_t nlines;
    size_t phrase_splits; /* lines that end inside a phrase */
    int phrase_pt;        /* the size with every phrase whole; 0: none fits */
    bool overflow;        /* even the smallest size is clipped */
    size_t nmissing;      /* characters no font has, left out */
    char missing[512];    /* "U+20BB7 𠮷, ..." */
};

/* Lays out UTF8 exactly as text_render() would on a W x H picture and
 * describes it in OUT (cleared with text_report_clear()).  0, or -1 with
 * ERR filled. */
int text_describe(struct text_renderer *r, const char *utf8, int w, int h, struct text_report *out,
                  char *err, size_t errlen);

void text_report_clear(struct text_report *rep);

#endif
