/* fonts.c - the bundled font and the fallbacks fontconfig finds. */
#include <fontconfig/fontconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/utf8.h"
#include "media/fonts.h"

#ifndef SIGNAGE_DATADIR
#define SIGNAGE_DATADIR "/usr/local/share/signage"
#endif

/* Each fallback: what to ask fontconfig for, and the family it must answer
 * with (it answers every query with some font). */
static const struct {
    const char *pattern, *family;
} fonts_wanted[FONTS_FALLBACKS] = {
    {"Noto Sans CJK JP:weight=bold", "Noto Sans CJK JP"},
    {"Noto Color Emoji", "Noto Color Emoji"},
};

char *fonts_bundled(void)
{
    static const char *const rel[] = {"/../fonts", "/../../fonts", "/../share/signage/fonts"};
    const char *env = getenv("SIGNAGE_FONT");
    char exe[PATH_MAX], *p = NULL;

    if (env && *env)
        return strdup(env);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
            if (asprintf(&p, "%s%s/%s", exe, rel[i], FONTS_BUNDLED_NAME) < 0)
                return NULL;
            if (access(p, R_OK) == 0)
                return p;
            free(p);
        }
    }
    if (access("fonts/" FONTS_BUNDLED_NAME, R_OK) == 0)
        return strdup("fonts/" FONTS_BUNDLED_NAME);
    if (asprintf(&p, "%s/fonts/%s", SIGNAGE_DATADIR, FONTS_BUNDLED_NAME) < 0)
        return NULL;
    /* The Debian package ships no copy: the same file comes with
     * fonts-morisawa-bizud-gothic, which it depends on.  When neither is
     * there, the DATADIR path is the one named in the error. */
    if (access(p, R_OK) != 0 && access(FONTS_SYSTEM_PATH, R_OK) == 0) {
        free(p);
        return strdup(FONTS_SYSTEM_PATH);
    }
    return p;
}

/* The file of the installed font FC matches for fallback I, into OUT. */
static bool fonts_find(FcConfig *fc, int i, struct fonts_file *out)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)fonts_wanted[i].pattern), *m = NULL;
    FcChar8 *file = NULL, *fam = NULL;
    FcResult res;
    bool found = false;

    if (!pat)
        return false;
    FcConfigSubstitute(fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    m = FcFontMatch(fc, pat, &res);
    if (m && FcPatternGetString(m, FC_FAMILY, 0, &fam) == FcResultMatch &&
        strcmp((const char *)fam, fonts_wanted[i].family) == 0 &&
        FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
        out->index = 0;
        (void)FcPatternGetInteger(m, FC_INDEX, 0, &out->index);
        out->path = strdup((const char *)file);
        found = out->path != NULL;
    }
    if (m)
        FcPatternDestroy(m);
    FcPatternDestroy(pat);
    return found;
}

int fonts_fallbacks(struct fonts_file out[FONTS_FALLBACKS])
{
    FcConfig *fc = FcInitLoadConfigAndFonts();
    int n = 0;

    if (!fc)
        return 0;
    for (int i = 0; i < FONTS_FALLBACKS; i++)
        if (fonts_find(fc, i, &out[n]))
            n++;
    FcConfigDestroy(fc);
    return n;
}

void fonts_files_free(struct fonts_file *f, int n)
{
    for (int i = 0; i < n; i++) {
        free(f[i].path);
        f[i].path = NULL;
    }
}

bool fonts_invisible(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || cp == ' ' || cp == 0x3000 || cp == 0xa0 || cp == 0x2028 ||
           cp == 0x2029 || utf8_default_ignorable(cp);
}

struct fonts_cover {
    FcCharSet *sets[1 + FONTS_FALLBACKS];
    int n;
};

/* The characters of face INDEX of the font file PATH, or NULL. */
static FcCharSet *fonts_charset(const char *path, int index)
{
    int count = 0;
    FcPattern *p = FcFreeTypeQuery((const FcChar8 *)path, (unsigned)index, NULL, &count);
    FcCharSet *cs = NULL, *copy = NULL;

    if (!p)
        return NULL;
    if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) == FcResultMatch)
        copy = FcCharSetCopy(cs);
    FcPatternDestroy(p);
    return copy;
}

struct fonts_cover *fonts_cover_new(const char *bundled, char *err, size_t errlen)
{
    struct fonts_cover *c = calloc(1, sizeof *c);
    struct fonts_file fb[FONTS_FALLBACKS];
    int nfb;

    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->sets[0] = bundled ? fonts_charset(bundled, 0) : NULL;
    if (!c->sets[0]) {
        snprintf(err, errlen, "%s: cannot read the font; it should be the bundled %s",
                 bundled ? bundled : "(none)", FONTS_BUNDLED_NAME);
        free(c);
        return NULL;
    }
    c->n = 1;
    nfb = fonts_fallbacks(fb);
    for (int i = 0; i < nfb; i++) {
        FcCharSet *cs = fonts_charset(fb[i].path, fb[i].index);
        if (cs)
            c->sets[c->n++] = cs;
    }
    fonts_files_free(fb, nfb);
    return c;
}

bool fonts_cover_has(const struct fonts_cover *c, uint32_t cp)
{
    if (fonts_invisible(cp))
        return true;
    for (int i = 0; i < c->n; i++)
        if (FcCharSetHasChar(c->sets[i], cp))
            return true;
    return false;
}

static bool cover_has(const void *ctx, uint32_t cp)
{
    return fonts_cover_has(ctx, cp);
}

size_t fonts_cover_missing(const struct fonts_cover *c, const char *s, size_t len, char *out,
                           size_t outlen)
{
    return fonts_missing(s, len, cover_has, c, out, outlen);
}

size_t fonts_missing(const char *s, size_t len, bool (*has)(const void *ctx, uint32_t cp),
                     const void *ctx, char *out, size_t outlen)
{
    uint32_t seen[64];
    size_t nseen = 0, n = 0, o = 0;

    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0xfffd;
        size_t k = utf8_decode(s + i, len - i, &cp);
        bool dup = false;
        char u8[5];

        i += k ? k : 1;
        if (fonts_invisible(cp) || has(ctx, cp))
            continue;
        for (size_t j = 0; j < nseen && !dup; j++)
            dup = seen[j] == cp;
        if (dup)
            continue;
        if (nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = cp;
        n++;
        u8[utf8_encode(cp, u8)] = '\0';
        if (o < outlen) {
            int w =
                snprintf(out + o, outlen - o, "%sU+%04X %s", n > 1 ? ", " : "", (unsigned)cp, u8);
            o = w < 0 ? outlen : o + (size_t)w;
        }
    }
    return n;
}

void fonts_cover_free(struct fonts_cover *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        FcCharSetDestroy(c->sets[i]);
    free(c);
}
