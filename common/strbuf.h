/* strbuf.h - a growable string buffer (curl's dynbuf idea).
 *
 * The buffer is always NUL-terminated once anything was added.  After an
 * allocation failure the buffer keeps what it had, every later append fails,
 * and sb_failed() says so: callers may append many times and check once.
 */
#ifndef SIGNAGE_STRBUF_H
#define SIGNAGE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *buf;  /* NULL until the first append */
    size_t len; /* bytes, not counting the NUL */
    size_t cap;
    bool failed;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void sb_init(struct strbuf *sb);

/* strdup(S) that keeps NULL as NULL; a copy that fails sets *OOM (and
 * returns NULL), so a run of copies is checked once at the end. */
char *sb_strdup(const char *s, bool *oom);
/* Frees the contents; the strbuf may be reused after sb_init(). */
void sb_free(struct strbuf *sb);
/* Empties the buffer, keeping its memory. */
void sb_reset(struct strbuf *sb);

/* Each returns 0, or -1 when memory ran out (then sb_failed() is true). */
int sb_append(struct strbuf *sb, const char *s, size_t n);
int sb_puts(struct strbuf *sb, const char *s);
int sb_putc(struct strbuf *sb, char c);
int sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

bool sb_failed(const struct strbuf *sb);
/* The text, "" when empty; valid until the next append or free. */
const char *sb_str(const struct strbuf *sb);
/* Hands the text to the caller (free() it) and empties the buffer; NULL on
 * failure. */
char *sb_steal(struct strbuf *sb);

#endif
