/* cfgutil.h - reading libconfig text safely, with messages a person can act on.
 *
 * Shared by signage.cfg, campaign files and playlist files.  Every message
 * has the compiler form "FILE:LINE: error: what is wrong, and what would be
 * right" (LINE omitted when unknown).
 */
#ifndef SIGNAGE_CFGUTIL_H
#define SIGNAGE_CFGUTIL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "playlists/model.h"

/* Item durations accepted, in ms (1 s .. 24 h). */
#define PL_DURATION_MIN_MS INT64_C(1000)
#define PL_DURATION_MAX_MS INT64_C(86400000)
/* Text items: at most this many bytes of UTF-8. */
#define PL_TEXT_MAX 4096
#define PL_PAGE_MAX 9999 /* page = N of a PDF */

/* Reads LEN bytes of TEXT into CFG (config_init()ed by the caller) as the
 * file FILE.  Accepts a UTF-8 BOM and CRLF line ends; refuses NUL bytes,
 * invalid UTF-8, and @include directives (a file may make us read nothing
 * but itself).  Returns 0, or -1 with ERR filled. */
int pl_cfg_read_text(config_t *cfg, const char *text, size_t len, const char *file, char *err,
                     size_t errlen);

/* Reads the file PATH (a regular file of at most MAX_BYTES) into memory and
 * then as pl_cfg_read_text(); FILE names it in messages.  Returns 0 or -1. */
int pl_cfg_read_file(config_t *cfg, const char *path, size_t max_bytes, const char *file, char *err,
                     size_t errlen);

/* Writes "FILE:LINE: error: <fmt...>" into ERR, LINE taken from S (which may
 * be NULL). */
void pl_cfg_error(char *err, size_t errlen, const char *file, const config_setting_t *s,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Typed lookups of member NAME of group G.  Each returns 0 and sets *OUT
 * when present and of the right type, 1 when absent (*OUT untouched), and -1
 * with ERR filled when present with the wrong type or value.
 * pl_cfg_string: a non-empty string (*OUT borrowed from the config).
 * pl_cfg_int:    an integer (int or int64 setting) in [MIN, MAX].
 * pl_cfg_seconds: a number of seconds (integer or float) in [MIN_MS, MAX_MS]
 *                 after conversion to ms. */
int pl_cfg_string(const config_setting_t *g, const char *name, const char *file, const char **out,
                  char *err, size_t errlen);
int pl_cfg_int(const config_setting_t *g, const char *name, const char *file, long long min,
               long long max, long long *out, char *err, size_t errlen);
int pl_cfg_seconds(const config_setting_t *g, const char *name, const char *file, pl_ms min_ms,
                   pl_ms max_ms, pl_ms *out, char *err, size_t errlen);

/* Parses one item group { type = "image"|"video"|"text"; file = ...;
 * text = ...; duration = ...; background = "#rrggbb"; color = "#rrggbb";
 * page = N; } (page: which page of a PDF an image item shows, 1..PL_PAGE_MAX)
 * into OUT (zeroed first; owns its strings on success).  Images and text
 * without duration get DEFAULT_DURATION_MS; a video without one gets 0 (its
 * length is filled in from the probe).  file must be a relative path
 * without ".." components; text must be non-empty valid UTF-8 of at most
 * PL_TEXT_MAX bytes.  Unknown members are errors (a typo should not pass
 * silently).  Returns 0, or -1 with ERR filled. */
int pl_cfg_item_parse(const config_setting_t *s, const char *file, pl_ms default_duration_ms,
                      struct pl_item *out, char *err, size_t errlen);

/* True when the LEN bytes at TEXT hold nothing but a UTF-8 BOM and blank
 * space: an empty file. */
bool pl_cfg_blank(const char *text, size_t len);

/* True when the LEN bytes at S are valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool pl_utf8_valid(const char *s, size_t len);

#endif
