/* fonts.h - the fonts a text slide is set in, found without SDL.
 *
 * A slide is set in the bundled font, BIZ UDPGothic Bold (fonts/, found as
 * fonts_bundled() says).  A character it lacks is drawn with the first
 * installed fallback that has it: Noto Sans CJK JP Bold (rare kanji of
 * names, 𠮷 of 𠮷野家), then Noto Color Emoji (🌸); both are Debian's
 * packages, found through fontconfig.  What no font has is left out.
 *
 * The player opens these files with SDL_ttf (player/text.c); signagectl
 * check asks fonts_cover_has() which characters of a text would be left
 * out, from the same files.
 */
#ifndef SIGNAGE_MEDIA_FONTS_H
#define SIGNAGE_MEDIA_FONTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FONTS_BUNDLED_NAME "BIZUDPGothic-Bold.ttf"
/* The same font from Debian's fonts-morisawa-bizud-gothic. */
#define FONTS_SYSTEM_PATH "/usr/share/fonts/truetype/bizud-gothic/" FONTS_BUNDLED_NAME
#define FONTS_FALLBACKS 2

/* A font file and the index of the face in it (a .ttc holds several). */
struct fonts_file {
    char *path;
    int index;
};

/* The path of the bundled font: $SIGNAGE_FONT when set, else
 * fonts/BIZUDPGothic-Bold.ttf beside the running program (a build tree or
 * PREFIX/share/signage), else under the working directory, else under
 * SIGNAGE_DATADIR, else FONTS_SYSTEM_PATH (the Debian package's font) when
 * it is there; the SIGNAGE_DATADIR path when none is.  NULL only when out
 * of memory; the caller frees. */
char *fonts_bundled(void);

/* Fills OUT with the fallbacks that are installed, in order of preference,
 * and returns how many (0..FONTS_FALLBACKS).  fontconfig's configuration
 * is made and freed inside: nothing of it stays in a long-running player. */
int fonts_fallbacks(struct fonts_file out[FONTS_FALLBACKS]);

/* Frees the paths of the N files at F. */
void fonts_files_free(struct fonts_file *f, int n);

/* Whether the character CP is drawn by nothing of its own (white space,
 * line breaks, zero-width joiners, variation selectors): such a character
 * is never "missing" from a font. */
bool fonts_invisible(uint32_t cp);

struct fonts_cover;

/* Which characters the bundled font at BUNDLED and the installed fallbacks
 * draw.  NULL with ERR filled when the bundled font cannot be read. */
struct fonts_cover *fonts_cover_new(const char *bundled, char *err, size_t errlen);

/* True when a font of C draws CP (or CP needs no glyph). */
bool fonts_cover_has(const struct fonts_cover *c, uint32_t cp);

/* Appends to OUT (OUTLEN bytes, NUL-terminated, cut when full) each
 * character of the LEN bytes of UTF-8 at S that no font of C draws, once
 * each, as "U+20BB7 𠮷" separated by ", ".  Returns how many there are. */
size_t fonts_cover_missing(const struct fonts_cover *c, const char *s, size_t len, char *out,
                           size_t outlen);

/* The same for any font set: HAS(CTX, CP) says whether it draws CP. */
size_t fonts_missing(const char *s, size_t len, bool (*has)(const void *ctx, uint32_t cp),
                     const void *ctx, char *out, size_t outlen);

void fonts_cover_free(struct fonts_cover *c);

#endif
