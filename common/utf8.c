#include "common/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t utf8_seq_len(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    size_t n;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len <= n)
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n + 1;
}

bool utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(s + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

char *utf8_printable(const char *name, char *buf, size_t buflen)
{
    size_t len = strlen(name), o = 0;

    if (!buflen)
        return buf;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)name[i];
        size_t n = utf8_seq_len(name + i, len - i);
        char esc[5];
        const char *piece = name + i;
        size_t plen = n;

        if (n == 0 || c < 0x20 || c == 0x7f || c == '\\') {
            if (c == '\\')
                memcpy(esc, "\\\\", 3);
            else
                snprintf(esc, sizeof esc, "\\x%02x", c);
            piece = esc;
            plen = strlen(esc);
            n = 1;
        }
        if (o + plen >= buflen)
            break;
        memcpy(buf + o, piece, plen);
        o += plen;
        i += n;
    }
    buf[o] = '\0';
    return buf;
}
