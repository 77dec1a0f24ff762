/* cfgutil.c - reading libconfig text safely.
 *
 * libconfig 1.5 is trusting: it follows @include even from
 * config_read_string(), silently wraps integers that do not fit in 32 bits
 * (99999999999 becomes 1215752191), turns "\x00" into an early end of
 * string, accepts any bytes as "UTF-8", and checks for duplicate names in a
 * group in linear time (so 50 000 settings in one group take many seconds).
 * pl_cfg_read_text() therefore scans the text itself first, with the same
 * idea of strings and comments as libconfig's scanner, and refuses all of
 * that before libconfig sees a byte.
 */
#include "playlists/cfgutil.h"

#include "common/slurp.h"
#include "common/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper nesting than this is refused before parsing (no file of ours needs
 * more than 4). */
#define CFG_MAX_DEPTH 32
/* Settings in one group: libconfig's duplicate check is quadratic. */
#define CFG_MAX_GROUP_SETTINGS 1000
/* A file path in an item. */
#define CFG_FILE_MAX 1024

/* The default colours of text items: a calm dark navy with white text. */
#define CFG_DEFAULT_BACKGROUND 0x0b2545u
#define CFG_DEFAULT_COLOR 0xffffffu

bool pl_utf8_valid(const char *s, size_t len)
{
    return utf8_valid(s, len);
}

/* "FILE:LINE: error: " and the message into ERR; LINE 0 = unknown. */
static void __attribute__((format(printf, 5, 0)))
cfg_verror_line(char *err, size_t errlen, const char *file, unsigned line, const char *fmt,
                va_list ap)
{
    int n;

    if (!err || errlen == 0)
        return;
    if (!file)
        file = "(config)";
    if (line > 0)
        n = snprintf(err, errlen, "%s:%u: error: ", file, line);
    else
        n = snprintf(err, errlen, "%s: error: ", file);
    if (n < 0 || (size_t)n >= errlen)
        return;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

void pl_cfg_error(char *err, size_t errlen, const char *file, const config_setting_t *s,
                  const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_verror_line(err, errlen, file, s ? config_setting_source_line(s) : 0, fmt, ap);
    va_end(ap);
}

/* The same as pl_cfg_error() with an explicit line (0 = unknown). */
static void __attribute__((format(printf, 5, 6)))
cfg_error_line(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_verror_line(err, errlen, file, line, fmt, ap);
    va_end(ap);
}

static unsigned line_of(const char *text, size_t off)
{
    unsigned line = 1;

    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Checks one number token [S, S+N) (libconfig syntax) for values libconfig
 * would silently wrap or make infinite. */
static int check_number(const char *s, size_t n, const char *file, unsigned line, char *err,
                        size_t errlen)
{
    char buf[80];
    size_t k = n;
    bool hex = false, is_float = false, is_long = false;
    const char *digits;

    if (n >= sizeof buf) {
        cfg_error_line(err, errlen, file, line,
                       "a number of %zu characters is out of range; write a plain value such "
                       "as 15 or 2.5",
                       n);
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    digits = buf + (buf[0] == '-' || buf[0] == '+');
    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        hex = true;
    for (size_t i = 0; i < n && !hex; i++)
        if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')
            is_float = true;
    if (is_float) {
        char *end;
        double v;

        errno = 0;
        v = strtod(buf, &end);
        if (end == buf || *end != '\0')
            return 0; /* not a number libconfig knows: its parser will say so */
        if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
            cfg_error_line(err, errlen, file, line,
                           "the number %s is out of range; write a plain value such as 2.5", buf);
            return -1;
        }
        return 0;
    }
    while (k > 0 && (buf[k - 1] == 'L' || buf[k - 1] == 'l'))
        k--;
    is_long = k < n;
    buf[k] = '\0';
    {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(buf, &end, hex ? 16 : 10);
        if (end == buf || *end != '\0')
            return 0; /* libconfig's parser will report it */
        if (errno == ERANGE || (!is_long && (v > INT32_MAX || v < INT32_MIN))) {
            cfg_error_line(err, errlen, file, line,
                           "the number %.*s is out of range; integers are limited to "
                           "-2147483648..2147483647 (with an L suffix, 64 bits)",
                           (int)n, s);
            return -1;
        }
    }
    return 0;
}

/* Scans the NUL-terminated TEXT (LF line ends) like libconfig's scanner
 * would and refuses what libconfig would mishandle. */
static int cfg_prescan(const char *text, size_t len, const char *file, char *err, size_t errlen)
{
    unsigned counts[CFG_MAX_DEPTH + 1]; /* settings in the open group at each depth */
    bool is_group[CFG_MAX_DEPTH + 1];
    unsigned depth = 0, line = 1;
    size_t i = 0;
    /* The last token, to know where a string may stand: libconfig 1.5
     * leaks a string it meets where its grammar has no place for one. */
    enum { P_START, P_ASSIGN, P_LIST, P_GROUP, P_COMMA, P_STRING, P_OTHER } prev = P_START;

    counts[0] = 0;
    is_group[0] = true;
    while (i < len) {
        char c = text[i];

        if (c == '\n') {
            line++;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
        } else if (c == '"') {
            unsigned start_line = line;
            if (!(prev == P_ASSIGN || prev == P_LIST || prev == P_STRING ||
                  (prev == P_COMMA && !is_group[depth]))) {
                cfg_error_line(err, errlen, file, line,
                               "a string in quotes stands where a setting name belongs; write "
                               "name = \"...\"; and check the ';' or ',' before it");
                return -1;
            }
            prev = P_STRING;
            i++;
            while (i < len && text[i] != '"') {
                if (text[i] == '\n')
                    line++;
                if (text[i] == '\\' && i + 1 < len) {
                    if (text[i + 1] == 'x' && i + 3 < len && text[i + 2] == '0' &&
                        text[i + 3] == '0') {
                        cfg_error_line(err, errlen, file, line,
                                       "a string contains \\x00, which would cut it short; "
                                       "remove it");
                        return -1;
                    }
                    i++;
                    if (text[i] == '\n')
                        line++;
                }
                i++;
            }
            if (i >= len) {
                cfg_error_line(err, errlen, file, start_line,
                               "the string opened on this line is never closed; add the "
                               "closing '\"'");
                return -1;
            }
            i++;
        } else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
            while (i < len && text[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            unsigned start_line = line;
            i += 2;
            while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/')) {
                if (text[i] == '\n')
                    line++;
                i++;
            }
            if (i >= len) {
                cfg_error_line(err, errlen, file, start_line,
                               "the comment opened with '/*' on this line is never closed; "
                               "add '*/'");
                return -1;
            }
            i += 2;
        } else if (c == '@') {
            cfg_error_line(err, errlen, file, line,
                           "directives such as @include are not allowed; a file may not make "
                           "us read another file, so put everything in this one");
            return -1;
        } else if (c == '{' || c == '(' || c == '[') {
            if (depth >= CFG_MAX_DEPTH) {
                cfg_error_line(err, errlen, file, line,
                               "groups and lists are nested more than %d deep; no valid file "
                               "needs that, check the brackets",
                               CFG_MAX_DEPTH);
                return -1;
            }
            depth++;
            counts[depth] = 0;
            is_group[depth] = c == '{';
            prev = c == '{' ? P_GROUP : P_LIST;
            i++;
        } else if (c == '}' || c == ')' || c == ']') {
            if (depth > 0)
                depth--;
            prev = P_OTHER;
            i++;
        } else if (c == ',') {
            prev = P_COMMA;
            i++;
        } else if (c == '=' || c == ':') {
            prev = P_ASSIGN;
            if (is_group[depth] && ++counts[depth] > CFG_MAX_GROUP_SETTINGS) {
                cfg_error_line(err, errlen, file, line,
                               "more than %d settings in one group; split the data into a "
                               "list",
                               CFG_MAX_GROUP_SETTINGS);
                return -1;
            }
            i++;
        } else if (is_name_start(c)) {
            prev = P_OTHER;
            while (i < len && is_name_char(text[i]))
                i++;
        } else if (is_digit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < len &&
                                   (is_digit(text[i + 1]) || text[i + 1] == '.'))) {
            size_t start = i;
            bool hex = false;

            prev = P_OTHER;
            i++;
            while (i < len) {
                char d = text[i];
                if (d == 'x' || d == 'X')
                    hex = true;
                if (is_digit(d) || (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '.' ||
                    d == '_')
                    i++;
                else if ((d == '-' || d == '+') && !hex &&
                         (text[i - 1] == 'e' || text[i - 1] == 'E'))
                    i++;
                else
                    break;
            }
            if (check_number(text + start, i - start, file, line, err, errlen) < 0)
                return -1;
        } else {
            prev = P_OTHER;
            i++;
        }
    }
    return 0;
}

/* A hint for the common libconfig messages. */
static const char *cfg_hint(const char *msg)
{
    if (!msg)
        return "the file could not be parsed";
    if (strstr(msg, "syntax error"))
        return "check for a missing ';' or '\"' on this line or the one before, and that "
               "each setting is written name = value;";
    if (strstr(msg, "duplicate"))
        return "each name may appear only once in its group; remove or rename one of them";
    if (strstr(msg, "memory"))
        return "the file is too large or too deeply nested";
    return "check the libconfig syntax on this line";
}

/* A byte-order mark of UTF-16, or the NULs that every other byte of
 * UTF-16 ASCII text is. */
static bool looks_utf16(const char *text, size_t len)
{
    size_t nul_even = 0, nul_odd = 0, n = len < 64 ? len : 64;

    if (len >= 2 && (memcmp(text, "\xff\xfe", 2) == 0 || memcmp(text, "\xfe\xff", 2) == 0))
        return true;
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\0' && i % 2)
            nul_odd++;
        else if (text[i] == '\0')
            nul_even++;
    return n >= 4 && (nul_odd * 2 >= n - 1 || nul_even * 2 >= n - 1);
}

/* The length of the white space character at S that shows nothing (ASCII
 * space, tab, line break; no-break, full-width U+3000 and other Unicode
 * spaces; zero-width space and BOM), or 0. */
static size_t space_len(const char *s)
{
    static const char *const wide[] = {
        "\xc2\xa0",     /* U+00A0 no-break space */
        "\xe3\x80\x80", /* U+3000 ideographic (full-width) space */
        "\xe2\x80\xaf", /* U+202F */
        "\xe2\x81\x9f", /* U+205F */
        "\xe2\x80\x8b", /* U+200B zero-width space */
        "\xef\xbb\xbf", /* U+FEFF */
    };

    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        return 1;
    /* U+2000..U+200A: en quad .. hair space */
    if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] >= 0x80 &&
        (unsigned char)s[2] <= 0x8a)
        return 3;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (strncmp(s, wide[i], strlen(wide[i])) == 0)
            return strlen(wide[i]);
    return 0;
}

bool pl_cfg_blank(const char *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0' || !strchr(" \t\r\n\f\v", text[i]))
            return false;
    return true;
}

int pl_cfg_read_text(config_t *cfg, const char *text, size_t len, const char *file, char *err,
                     size_t errlen)
{
    char *copy;
    size_t n = 0;
    int ret = -1;

    if (!text)
        len = 0;
    if (looks_utf16(text, len)) {
        cfg_error_line(err, errlen, file, 0,
                       "the file is saved as UTF-16 (Notepad calls it \"Unicode\"); save it as "
                       "UTF-8 (in Notepad: File, Save As, Encoding: UTF-8)");
        return -1;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    {
        const char *nul = len ? memchr(text, '\0', len) : NULL;
        if (nul) {
            cfg_error_line(err, errlen, file, line_of(text, (size_t)(nul - text)),
                           "the file contains a NUL byte; it is not a text file, save it as "
                           "UTF-8 text");
            return -1;
        }
    }
    if (!pl_utf8_valid(text, len)) {
        /* Find the first bad line for the message. */
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i == len || text[i] == '\n') {
                if (!pl_utf8_valid(text + start, i - start)) {
                    cfg_error_line(err, errlen, file, line_of(text, start),
                                   "this line is not valid UTF-8; save the file as UTF-8 "
                                   "(not Shift_JIS or another encoding)");
                    return -1;
                }
                start = i + 1;
            }
        }
        cfg_error_line(err, errlen, file, 0, "the file is not valid UTF-8; save it as UTF-8");
        return -1;
    }
    copy = malloc(len + 1);
    if (!copy) {
        cfg_error_line(err, errlen, file, 0, "out of memory reading %zu bytes", len);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        copy[n++] = text[i];
    }
    copy[n] = '\0';
    if (cfg_prescan(copy, n, file, err, errlen) < 0)
        goto out_free;
    if (config_read_string(cfg, copy) != CONFIG_TRUE) {
        const char *msg = config_error_text(cfg);
        int line = config_error_line(cfg);
        cfg_error_line(err, errlen, file, line > 0 ? (unsigned)line : 0, "%s; %s",
                       msg ? msg : "parse error", cfg_hint(msg));
        goto out_free;
    }
    ret = 0;
out_free:
    free(copy);
    return ret;
}

int pl_cfg_read_file(config_t *cfg, const char *path, size_t max_bytes, const char *file, char *err,
                     size_t errlen)
{
    char *buf;
    size_t len;
    int ret;

    if (slurp_path(path, file, max_bytes, &buf, &len, err, errlen) < 0)
        return -1;
    ret = pl_cfg_read_text(cfg, buf, len, file ? file : path, err, errlen);
    free(buf);
    return ret;
}

static const char *type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP:
        return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a number";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "true/false";
    case CONFIG_TYPE_ARRAY:
        return "an array [ ... ]";
    case CONFIG_TYPE_LIST:
        return "a list ( ... )";
    default:
        return "something else";
    }
}

int pl_cfg_string(const config_setting_t *g, const char *name, const char *file, const char **out,
                  char *err, size_t errlen)
{
    const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
    const char *v;

    if (!s)
        return 1;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        pl_cfg_error(err, errlen, file, s, "'%s' must be a string in double quotes, not %s", name,
                     type_name(config_setting_type(s)));
        return -1;
    }
    v = config_setting_get_string(s);
    if (!v || !*v) {
        pl_cfg_error(err, errlen, file, s, "'%s' is empty; give a value or leave it out", name);
        return -1;
    }
    if (!pl_utf8_valid(v, strlen(v))) {
        pl_cfg_error(err, errlen, file, s,
                     "'%s' is not valid UTF-8 (check its \\x escapes); write the text as is", name);
        return -1;
    }
    *out = v;
    return 0;
}

int pl_cfg_int(const config_setting_t *g, const char *name, const char *file, long long min,
               long long max, long long *out, char *err, size_t errlen)
{
    const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
    long long v;

    if (!s)
        return 1;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        v = config_setting_get_int(s);
        break;
    case CONFIG_TYPE_INT64:
        v = config_setting_get_int64(s);
        break;
    default:
        pl_cfg_error(err, errlen, file, s, "'%s' must be a whole number (%lld..%lld), not %s", name,
                     min, max, type_name(config_setting_type(s)));
        return -1;
    }
    if (v < min || v > max) {
        pl_cfg_error(err, errlen, file, s, "'%s' is %lld; it must be between %lld and %lld", name,
                     v, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int pl_cfg_seconds(const config_setting_t *g, const char *name, const char *file, pl_ms min_ms,
                   pl_ms max_ms, pl_ms *out, char *err, size_t errlen)
{
    const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
    double secs;
    pl_ms ms;

    if (!s)
        return 1;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        secs = config_setting_get_int(s);
        break;
    case CONFIG_TYPE_INT64:
        secs = (double)config_setting_get_int64(s);
        break;
    case CONFIG_TYPE_FLOAT:
        secs = config_setting_get_float(s);
        break;
    default:
        pl_cfg_error(err, errlen, file, s,
                     "'%s' must be a number of seconds such as 15 or 7.5, not %s", name,
                     type_name(config_setting_type(s)));
        return -1;
    }
    /* Compare in double first so that the conversion below cannot overflow. */
    if (!isfinite(secs) || secs * 1000.0 < (double)min_ms - 0.5 ||
        secs * 1000.0 > (double)max_ms + 0.5) {
        pl_cfg_error(err, errlen, file, s,
                     "'%s' is %g seconds; it must be between %.3f and %.3f seconds", name, secs,
                     (double)min_ms / 1000.0, (double)max_ms / 1000.0);
        return -1;
    }
    ms = (pl_ms)llround(secs * 1000.0);
    if (ms < min_ms)
        ms = min_ms;
    if (ms > max_ms)
        ms = max_ms;
    *out = ms;
    return 0;
}

static const char *const item_members[] = {"type",       "file",  "text", "duration",
                                           "background", "color", "page"};
#define ITEM_MEMBERS_LIST "type, file, text, duration, background, color, page"

/* True when PATH is relative, without ".." components or control bytes. */
static bool file_path_safe(const char *path)
{
    const char *p = path;

    if (path[0] == '/')
        return false;
    for (const unsigned char *q = (const unsigned char *)path; *q; q++)
        if (*q < 0x20 || *q == 0x7f)
            return false;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        if (!slash)
            break;
        p = slash + 1;
    }
    return true;
}

static int item_color(const config_setting_t *s, const char *name, const char *file, uint32_t *out,
                      char *err, size_t errlen)
{
    const char *v;
    int r = pl_cfg_string(s, name, file, &v, err, errlen);

    if (r != 0)
        return r;
    if (pl_color_parse(v, out) < 0) {
        pl_cfg_error(err, errlen, file, config_setting_get_member(s, name),
                     "'%s' is \"%.40s\"; write a colour as \"#rrggbb\" such as \"#1b5e20\"", name,
                     v);
        return -1;
    }
    return 0;
}

/* An image item's page = N (a PDF's page).  Returns 0 or -1 with ERR. */
static int item_page(const config_setting_t *s, const char *file, struct pl_item *it, char *err,
                     size_t errlen)
{
    long long page;
    int r;

    if (!config_setting_get_member(s, "page"))
        return 0;
    if (it->type != PL_ITEM_IMAGE) {
        pl_cfg_error(err, errlen, file, config_setting_get_member(s, "page"),
                     "'page' picks a page of a PDF, shown as an image; make the item type = "
                     "\"image\" or remove it");
        return -1;
    }
    r = pl_cfg_int(s, "page", file, 1, PL_PAGE_MAX, &page, err, errlen);
    if (r != 0)
        return -1;
    it->page = (int)page;
    return 0;
}

int pl_cfg_item_parse(const config_setting_t *s, const char *file, pl_ms default_duration_ms,
                      struct pl_item *out, char *err, size_t errlen)
{
    struct pl_item it;
    const char *v;
    int r, type;

    memset(out, 0, sizeof *out);
    memset(&it, 0, sizeof it);
    if (!s || config_setting_type(s) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, file, s,
                     "an item must be a group such as { type = \"image\"; file = \"a.jpg\"; }, "
                     "not %s",
                     s ? type_name(config_setting_type(s)) : "nothing");
        return -1;
    }
    it.line = (int)config_setting_source_line(s);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *mname = config_setting_name(m);
        bool known = false;
        for (size_t k = 0; k < sizeof item_members / sizeof item_members[0]; k++)
            if (mname && strcmp(mname, item_members[k]) == 0)
                known = true;
        if (!known) {
            pl_cfg_error(err, errlen, file, m,
                         "unknown item setting '%s'; an item knows " ITEM_MEMBERS_LIST,
                         mname ? mname : "?");
            return -1;
        }
    }
    r = pl_cfg_string(s, "type", file, &v, err, errlen);
    if (r < 0)
        return -1;
    if (r > 0) {
        pl_cfg_error(err, errlen, file, s,
                     "the item has no 'type'; add type = \"image\", \"video\" or \"text\"");
        return -1;
    }
    type = pl_item_type_parse(v);
    if (type < 0) {
        pl_cfg_error(err, errlen, file, config_setting_get_member(s, "type"),
                     "unknown item type \"%.40s\"; use \"image\", \"video\" or \"text\"", v);
        return -1;
    }
    it.type = (enum pl_item_type)type;
    it.background = CFG_DEFAULT_BACKGROUND;
    it.color = CFG_DEFAULT_COLOR;

    if (it.type == PL_ITEM_TEXT) {
        if (config_setting_get_member(s, "file")) {
            pl_cfg_error(err, errlen, file, config_setting_get_member(s, "file"),
                         "a text item has no 'file'; put the words in text = \"...\", or make "
                         "it an image");
            return -1;
        }
        r = pl_cfg_string(s, "text", file, &v, err, errlen);
        if (r < 0)
            return -1;
        if (r > 0) {
            pl_cfg_error(err, errlen, file, s,
                         "a text item needs 'text'; add text = \"...\" (\\n breaks a line)");
            return -1;
        }
        {
            const config_setting_t *t = config_setting_get_member(s, "text");
            size_t n = strlen(v);
            bool blank = true;
            if (n > PL_TEXT_MAX) {
                pl_cfg_error(err, errlen, file, t,
                             "'text' is %zu bytes; at most %d fit on a screen, shorten it", n,
                             PL_TEXT_MAX);
                return -1;
            }
            for (const unsigned char *q = (const unsigned char *)v; *q; q++) {
                if ((*q < 0x20 && *q != '\n' && *q != '\t') || *q == 0x7f) {
                    pl_cfg_error(err, errlen, file, t,
                                 "'text' contains the control character 0x%02x; only \\n and "
                                 "\\t are allowed",
                                 *q);
                    return -1;
                }
            }
            for (const char *q = v; *q && blank;) {
                size_t sp = space_len(q);
                blank = sp > 0;
                q += sp;
            }
            if (blank) {
                pl_cfg_error(err, errlen, file, t,
                             "'text' is blank (only spaces, full-width \u3000 spaces or line "
                             "breaks); give the words to show");
                return -1;
            }
        }
        it.text = strdup(v);
        if (!it.text)
            goto out_nomem;
        if (item_color(s, "color", file, &it.color, err, errlen) < 0)
            goto out_clear;
    } else {
        const config_setting_t *f;
        if (config_setting_get_member(s, "text")) {
            pl_cfg_error(err, errlen, file, config_setting_get_member(s, "text"),
                         "an %s item has no 'text'; remove it, or make the item type = "
                         "\"text\"",
                         pl_item_type_name(it.type));
            return -1;
        }
        if (config_setting_get_member(s, "color")) {
            pl_cfg_error(err, errlen, file, config_setting_get_member(s, "color"),
                         "'color' is the colour of text; an %s item has none, remove it",
                         pl_item_type_name(it.type));
            return -1;
        }
        r = pl_cfg_string(s, "file", file, &v, err, errlen);
        if (r < 0)
            return -1;
        if (r > 0) {
            pl_cfg_error(err, errlen, file, s,
                         "an %s item needs 'file'; add file = \"path/in/spool.%s\"",
                         pl_item_type_name(it.type), it.type == PL_ITEM_IMAGE ? "jpg" : "mp4");
            return -1;
        }
        f = config_setting_get_member(s, "file");
        if (strlen(v) > CFG_FILE_MAX) {
            pl_cfg_error(err, errlen, file, f, "'file' is longer than %d bytes; use a shorter path",
                         CFG_FILE_MAX);
            return -1;
        }
        if (!file_path_safe(v)) {
            pl_cfg_error(err, errlen, file, f,
                         "'file' \"%.80s\" must be a path relative to the spool, without '..' "
                         "or control characters, such as \"kochi/makino.jpg\"",
                         v);
            return -1;
        }
        it.file = strdup(v);
        if (!it.file)
            goto out_nomem;
    }
    if (item_page(s, file, &it, err, errlen) < 0)
        goto out_clear;
    if (item_color(s, "background", file, &it.background, err, errlen) < 0)
        goto out_clear;
    r = pl_cfg_seconds(s, "duration", file, PL_DURATION_MIN_MS, PL_DURATION_MAX_MS, &it.duration_ms,
                       err, errlen);
    if (r < 0)
        goto out_clear;
    if (r > 0)
        it.duration_ms = it.type == PL_ITEM_VIDEO ? 0 : default_duration_ms;
    *out = it;
    return 0;

out_nomem:
    pl_cfg_error(err, errlen, file, s, "out of memory");
out_clear:
    pl_item_clear(&it);
    return -1;
}
