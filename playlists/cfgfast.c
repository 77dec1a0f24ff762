/* cfgfast.c - the screens list of signage.cfg read without libconfig. */
#include "playlists/cfgfast.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "playlists/model.h"

struct lex {
    const char *p, *end;
    bool bad; /* something this reader does not follow */
};

/* Skips white space (what libconfig's scanner takes as such: no \f or \v)
 * and comments: #..., //..., / * ... * /. */
static void skip_ws(struct lex *l)
{
    while (l->p < l->end) {
        char c = *l->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            l->p++;
        } else if (c == '#' || (c == '/' && l->p + 1 < l->end && l->p[1] == '/')) {
            const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
            l->p = nl ? nl + 1 : l->end;
        } else if (c == '/' && l->p + 1 < l->end && l->p[1] == '*') {
            const char *q = l->p + 2;
            while (q + 1 < l->end && !(q[0] == '*' && q[1] == '/'))
                q++;
            if (q + 1 >= l->end) {
                l->bad = true;
                l->p = l->end;
                return;
            }
            l->p = q + 2;
        } else {
            return;
        }
    }
}

static bool at(struct lex *l, char c)
{
    skip_ws(l);
    return l->p < l->end && *l->p == c;
}

static bool eat(struct lex *l, char c)
{
    if (!at(l, c))
        return false;
    l->p++;
    return true;
}

/* One quoted string, and the ones right after it (libconfig joins them),
 * with its escapes decoded; NULL when it is not one this reader follows. */
static char *lex_string(struct lex *l)
{
    struct strbuf sb = STRBUF_INIT;

    if (!at(l, '"'))
        return NULL;
    while (at(l, '"')) {
        const char *q = ++l->p;
        for (;;) {
            if (q >= l->end)
                goto bad;
            if (*q == '"')
                break;
            if (*q == '\r')
                goto bad; /* libconfig reads CRLF as LF (cfgutil.c): its call */
            if (*q == '\\') {
                char e = q + 1 < l->end ? q[1] : '\0';
                sb_append(&sb, l->p, (size_t)(q - l->p));
                if (e == 'x' && q + 3 < l->end && pl_hex_digit(q[2]) >= 0 &&
                    pl_hex_digit(q[3]) >= 0 && pl_hex_digit(q[2]) * 16 + pl_hex_digit(q[3]) != 0) {
                    sb_putc(&sb, (char)(pl_hex_digit(q[2]) * 16 + pl_hex_digit(q[3])));
                    q += 4;
                } else if (e == '"' || e == '\\') {
                    sb_putc(&sb, e);
                    q += 2;
                } else if (e == 'n' || e == 't' || e == 'r' || e == 'f') {
                    sb_putc(&sb, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : '\f');
                    q += 2;
                } else {
                    goto bad;
                }
                l->p = q;
                continue;
            }
            q++;
        }
        sb_append(&sb, l->p, (size_t)(q - l->p));
        l->p = q + 1;
    }
    if (sb_failed(&sb))
        goto bad;
    return sb_steal(&sb);
bad:
    sb_free(&sb);
    l->bad = true;
    return NULL;
}

static bool delimiter(const struct lex *l)
{
    if (l->p >= l->end)
        return true;
    return *l->p && strchr(" \t\r\n;,}])#/", *l->p) != NULL;
}

/* A decimal or 0x integer, with libconfig's optional L or LL. */
static bool lex_int(struct lex *l, long long *out)
{
    bool neg = false;
    unsigned long long v = 0, limit;
    int base = 10, digits = 0, d;

    bool sign = false;

    skip_ws(l);
    if (l->p < l->end && (*l->p == '-' || *l->p == '+')) {
        neg = *l->p++ == '-';
        sign = true;
    }
    if (l->end - l->p > 2 && l->p[0] == '0' && (l->p[1] == 'x' || l->p[1] == 'X')) {
        if (sign)
            return false; /* libconfig's hex has no sign */
        base = 16;
        l->p += 2;
    } else if (l->end - l->p > 1 && l->p[0] == '0' && l->p[1] >= '0' && l->p[1] <= '9') {
        return false; /* 010: whatever libconfig makes of it */
    }
    limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    while (l->p < l->end && (d = pl_hex_digit(*l->p)) >= 0 && d < base) {
        if (v > (limit - (unsigned)d) / (unsigned)base)
            return false;
        v = v * (unsigned)base + (unsigned)d;
        l->p++;
        digits++;
    }
    if (digits == 0)
        return false;
    if (l->p < l->end && *l->p == 'L')
        l->p += l->end - l->p > 1 && l->p[1] == 'L' ? 2 : 1;
    if (!delimiter(l))
        return false; /* a float, or something else */
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

static bool lex_name(struct lex *l, const char **name, size_t *len)
{
    const char *s;

    skip_ws(l);
    s = l->p;
    if (s >= l->end || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '*'))
        return false;
    while (l->p < l->end &&
           ((*l->p >= 'a' && *l->p <= 'z') || (*l->p >= 'A' && *l->p <= 'Z') ||
            (*l->p >= '0' && *l->p <= '9') || *l->p == '_' || *l->p == '-' || *l->p == '*'))
        l->p++;
    *name = s;
    *len = (size_t)(l->p - s);
    return true;
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* Past the string starting at P (its opening quote); NULL when it does not
 * end. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        size_t bs = 0;
        if (!q)
            return NULL;
        while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            return q + 1;
        p = q;
    }
    return NULL;
}

bool pl_cfgfast_find_list(const char *text, size_t len, const char *name, size_t *open,
                          size_t *close)
{
    /* The bytes that matter to the scan; everything else is stepped over. */
    static const bool special[256] = {
        ['"'] = true, ['#'] = true, ['/'] = true, ['@'] = true, ['('] = true,
        [')'] = true, ['['] = true, [']'] = true, ['{'] = true, ['}'] = true};
    const char *p = text, *end = text + len;
    size_t nlen = strlen(name);
    int depth = 0;
    bool found = false, in_value = false;

    while (p < end) {
        char c = *p;
        if (depth == 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            struct lex l = {p, end, false};
            const char *n;
            size_t nl;
            lex_name(&l, &n, &nl);
            p = l.p;
            if (nl != nlen || memcmp(n, name, nl) != 0)
                continue;
            if (found || !(eat(&l, '=') || eat(&l, ':')) || !at(&l, '(') || l.bad)
                return false; /* twice, or not a list: libconfig says what */
            *open = (size_t)(l.p - text);
            found = in_value = true;
            p = l.p;
            continue;
        }
        if (c == '\0')
            return false; /* a NUL byte: libconfig's message */
        if (!special[(unsigned char)c]) {
            /* Inside brackets (nearly all of a big file), straight to the
             * next byte that matters: strcspn() looks at 16 at a time. */
            p += depth > 0 ? strcspn(p, "\"#/@()[]{}") : 1;
            continue;
        }
        switch (c) {
        case '"':
            if (!(p = skip_string(p, end)))
                return false;
            continue;
        case '#':
            p = memchr(p, '\n', (size_t)(end - p));
            if (!p)
                p = end;
            continue;
        case '/':
            if (p + 1 < end && p[1] == '/') {
                p = memchr(p, '\n', (size_t)(end - p));
                if (!p)
                    p = end;
            } else if (p + 1 < end && p[1] == '*') {
                const char *q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
                if (!q)
                    return false;
                p = q + 2;
            } else {
                p++;
            }
            continue;
        case '@':
            return false; /* @include: libconfig refuses it with a message */
        case '(':
        case '[':
        case '{':
            depth++;
            break;
        default: /* ) ] } */
            if (--depth < 0)
                return false;
            if (depth == 0 && in_value) {
                if (c != ')')
                    return false;
                *close = (size_t)(p - text);
                in_value = false;
            }
        }
        p++;
    }
    return found && !in_value && depth == 0;
}

char *pl_cfgfast_top_string(const char *text, size_t len, const char *name, const char *stop)
{
    struct lex l = {text, text + len, false};

    for (;;) {
        const char *n;
        size_t nl;
        skip_ws(&l);
        if (l.p >= l.end || !lex_name(&l, &n, &nl) || !(eat(&l, '=') || eat(&l, ':')) ||
            name_is(n, nl, stop))
            return NULL;
        if (name_is(n, nl, name))
            return lex_string(&l);
        /* Another setting before it: a scalar is stepped over; a group or
         * list ends the search (the caller reads the whole file). */
        if (at(&l, '"')) {
            char *v = lex_string(&l);
            if (!v)
                return NULL;
            free(v);
        } else if (l.p < l.end && !strchr("([{", *l.p)) {
            while (!delimiter(&l))
                l.p++;
        } else {
            return NULL;
        }
        if (l.bad)
            return NULL;
        if (!eat(&l, ';'))
            eat(&l, ',');
    }
}

void pl_cfgfast_free(struct pl_cfgfast_screen *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].id);
        free(v[i].name);
        for (size_t k = 0; k < v[i].ngroups; k++)
            free(v[i].groups[k]);
        free(v[i].groups);
    }
    free(v);
}

/* [ "a", "b" ] or ( "a", "b" ), no trailing comma. */
static bool lex_strings(struct lex *l, struct pl_cfgfast_screen *s)
{
    char close;
    size_t cap = 0;

    if (eat(l, '['))
        close = ']';
    else if (eat(l, '('))
        close = ')';
    else
        return false;
    s->has_groups = true;
    if (eat(l, close))
        return true;
    do {
        char *v = lex_string(l);
        if (!v)
            return false;
        if (s->ngroups == cap) {
            size_t ncap = cap ? 2 * cap : 4;
            char **g = realloc(s->groups, ncap * sizeof *g);
            if (!g) {
                free(v);
                return false;
            }
            s->groups = g;
            cap = ncap;
        }
        s->groups[s->ngroups++] = v;
    } while (eat(l, ','));
    return eat(l, close);
}

/* One group { member = value; ... } of the members a screen has. */
static bool lex_screen(struct lex *l, struct pl_cfgfast_screen *s)
{
    if (!eat(l, '{'))
        return false;
    while (!eat(l, '}')) {
        const char *n;
        size_t nl;
        if (!lex_name(l, &n, &nl) || !(eat(l, '=') || eat(l, ':')))
            return false;
        if (name_is(n, nl, "id") && !s->id) {
            if (!(s->id = lex_string(l)))
                return false;
        } else if (name_is(n, nl, "name") && !s->name) {
            if (!(s->name = lex_string(l)))
                return false;
        } else if (name_is(n, nl, "groups") && !s->has_groups) {
            if (!lex_strings(l, s))
                return false;
        } else if (name_is(n, nl, "width") && !s->has_width) {
            if (!(s->has_width = lex_int(l, &s->width)))
                return false;
        } else if (name_is(n, nl, "height") && !s->has_height) {
            if (!(s->has_height = lex_int(l, &s->height)))
                return false;
        } else if (name_is(n, nl, "rotate") && !s->has_rotate) {
            if (!(s->has_rotate = lex_int(l, &s->rotate)))
                return false;
        } else {
            return false; /* unknown or repeated: libconfig's message */
        }
        if (!eat(l, ';'))
            eat(l, ',');
    }
    return true;
}

int pl_cfgfast_screens(const char *text, size_t len, struct pl_cfgfast_screen **out, size_t *nout)
{
    struct lex l = {text, text + len, false};
    struct pl_cfgfast_screen *v = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    *nout = 0;
    if (at(&l, '{')) {
        do {
            if (n == cap) {
                size_t ncap = cap ? 2 * cap : 64;
                struct pl_cfgfast_screen *nv = realloc(v, ncap * sizeof *nv);
                if (!nv)
                    goto fail;
                v = nv;
                cap = ncap;
            }
            memset(&v[n], 0, sizeof v[n]);
            n++;
            if (!lex_screen(&l, &v[n - 1]))
                goto fail;
        } while (eat(&l, ','));
    }
    skip_ws(&l);
    if (l.bad || l.p != l.end)
        goto fail;
    *out = v;
    *nout = n;
    return 0;
fail:
    pl_cfgfast_free(v, n);
    return -1;
}
