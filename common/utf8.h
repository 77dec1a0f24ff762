/* utf8.h - checking UTF-8, and showing names that are not.
 *
 * File names on Linux are bytes: an operator's Windows share or a zip file
 * can leave a name in Shift_JIS or CP932.  Such a name is still handled, but
 * wherever a person reads it (logs, .error files, the normalised campaign)
 * it is shown with each byte that is not valid UTF-8 written as "\xNN".
 */
#ifndef SIGNAGE_UTF8_H
#define SIGNAGE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length (1..4) of the valid UTF-8 sequence at the start of the LEN
 * bytes at S (no overlongs, no surrogates, nothing above U+10FFFF), or 0
 * when it is not one.  LEN must be at least 1. */
size_t utf8_seq_len(const char *s, size_t len);

/* Decodes the valid UTF-8 sequence at the start of the LEN bytes at S into
 * *CP; returns its length (1..4), or 0 when it is not one (then *CP is
 * untouched). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes code point C (at most U+10FFFF) as UTF-8 at OUT; returns the
 * bytes written, 1..4. */
size_t utf8_encode(uint32_t c, char out[4]);

/* Characters that draw nothing and change how their neighbours are shaped
 * (zero-width space and joiners, marks of direction, variation selectors,
 * the byte order mark): never dropped for lack of a glyph of their own. */
bool utf8_default_ignorable(uint32_t c);

/* True when the LEN bytes at S are valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* Writes NAME into BUF (BUFLEN bytes, NUL-terminated, cut at a character
 * boundary when too long) with every byte that is not part of valid UTF-8,
 * every control character and every backslash escaped as "\xNN" (a
 * backslash as "\\").  Returns BUF. */
char *utf8_printable(const char *name, char *buf, size_t buflen);

/* Room for a printable file name of up to 255 bytes: 4 bytes a byte. */
#define UTF8_PRINTABLE_NAME 1024

#endif
