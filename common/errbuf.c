#include "common/errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

void err_copy_lines(char *err, size_t errlen, const char *text)
{
    size_t n = strlen(text);

    if (!err || !errlen)
        return;
    if (n >= errlen) {
        n = errlen - 1;
        while (n > 0 && text[n] != '\n')
            n--;
        if (n == 0)
            n = errlen - 1;
    }
    memcpy(err, text, n);
    err[n] = '\0';
}
