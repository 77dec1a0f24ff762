/* errbuf.h - filling a caller's error buffer (curl's error-buffer idea).
 *
 * Functions that can fail take `char *err, size_t errlen`; these helpers
 * fill it so every module words and truncates messages the same way.
 */
#ifndef SIGNAGE_ERRBUF_H
#define SIGNAGE_ERRBUF_H

#include <stddef.h>

/* Formats a message into ERR (if ERR and ERRLEN are non-zero) and returns
 * CODE, so a failure path is one line: return err_fail(err, errlen, -EINVAL, ...). */
int err_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies the multi-line message TEXT into ERR, cutting at the last whole
 * line that fits (or mid-line when not even one does).  A NULL or empty
 * buffer is left alone. */
void err_copy_lines(char *err, size_t errlen, const char *text);

#endif
