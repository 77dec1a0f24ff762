#include "tools/report.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "playlists/model.h"

enum entry_result { RES_PLAYED, RES_CUT, RES_SKIPPED, RES_ERROR };

struct entry {
    char *screen, *campaign, *owner;
    char day[16]; /* local date of start, YYYY-MM-DD */
    pl_ms start, end;
    int64_t shown_ms;
    enum entry_result result;
};

/* Lines already counted, by a 128-bit hash of their bytes: a log file
 * collected twice (or from two trees) is counted once.  One day at a time. */
struct seen {
    uint64_t (*v)[2]; /* {0, 0}: a free slot */
    size_t n, cap;
};

struct report {
    const pl_tz *tz;
    struct entry *e;
    size_t n, cap;
    long bad;
    long repeated; /* lines seen before, not counted again */
    struct seen seen;
};

static void seen_clear(struct seen *s);

/* One output row. */
struct row {
    const char *key;
    long plays, errors;
    int64_t shown_ms;
    int64_t dark_ms; /* -1: not attributable to this grouping */
};

struct report *report_new(const pl_tz *tz)
{
    struct report *r = calloc(1, sizeof *r);

    if (r)
        r->tz = tz;
    return r;
}

static void entry_clear(struct entry *e)
{
    free(e->screen);
    free(e->campaign);
    free(e->owner);
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        entry_clear(&r->e[i]);
    free(r->e);
    seen_clear(&r->seen);
    free(r);
}

long report_entries(const struct report *r)
{
    return (long)r->n;
}

long report_bad_lines(const struct report *r)
{
    return r->bad;
}

int report_by_parse(const char *s)
{
    static const char *const names[] = {"owner", "campaign", "screen", "day"};

    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static const char *json_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int result_parse(const char *s)
{
    static const char *const names[] = {"played", "cut", "skipped", "error"};

    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int report_add_line(struct report *r, const char *line, size_t len, const char *name, long lineno,
                    char *err, size_t errlen)
{
    struct entry e = {0};
    struct pl_civil civ;
    json_error_t jerr;
    json_t *o, *shown;
    const char *screen, *campaign, *owner, *start, *end, *result;
    char terr[256];
    int res, rc = -1;

    o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        snprintf(err, errlen, "%s:%ld: error: not a JSON object (%s)", name, lineno,
                 o ? "another JSON value" : jerr.text);
        goto out;
    }
    screen = json_str(o, "screen");
    campaign = json_str(o, "campaign");
    owner = json_str(o, "owner");
    start = json_str(o, "start");
    end = json_str(o, "end");
    result = json_str(o, "result");
    shown = json_object_get(o, "shown_ms");
    if (!screen || !campaign || !start || !end || !result || !json_is_integer(shown)) {
        snprintf(err, errlen,
                 "%s:%ld: error: not a proof-of-play entry: screen, campaign, start, end, "
                 "result and shown_ms are required",
                 name, lineno);
        goto out;
    }
    res = result_parse(result);
    if (res < 0) {
        snprintf(err, errlen,
                 "%s:%ld: error: result \"%s\" is unknown; expected played, cut, skipped or error",
                 name, lineno, result);
        goto out;
    }
    if (pl_time_parse(start, r->tz, PL_TIME_INSTANT, &e.start, terr, sizeof terr) < 0 ||
        pl_time_parse(end, r->tz, PL_TIME_INSTANT, &e.end, terr, sizeof terr) < 0) {
        snprintf(err, errlen, "%s:%ld: error: %s", name, lineno, terr);
        goto out;
    }
    if (e.end < e.start || json_integer_value(shown) < 0 ||
        json_integer_value(shown) > e.end - e.start + PL_MS_PER_SEC) {
        snprintf(err, errlen,
                 "%s:%ld: error: end is before start or shown_ms does not fit between them", name,
                 lineno);
        goto out;
    }
    e.shown_ms = json_integer_value(shown);
    e.result = (enum entry_result)res;
    pl_tz_to_civil(r->tz, e.start, &civ);
    snprintf(e.day, sizeof e.day, "%04d-%02d-%02d", civ.year % 10000, civ.month, civ.day);
    e.screen = strdup(screen);
    e.campaign = strdup(campaign);
    e.owner = strdup(owner ? owner : "");
    if (!e.screen || !e.campaign || !e.owner)
        goto oom;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        struct entry *p = realloc(r->e, cap * sizeof *p);
        if (!p)
            goto oom;
        r->e = p;
        r->cap = cap;
    }
    r->e[r->n++] = e;
    rc = 0;
    goto out;
oom:
    entry_clear(&e);
    snprintf(err, errlen, "%s:%ld: error: out of memory", name, lineno);
out:
    json_decref(o);
    return rc;
}

/* True when NAME is play-YYYY-MM-DD.jsonl; copies the date into DAY. */
static bool log_name_date(const char *name, char day[11])
{
    static const char pat[] = "play-NNNN-NN-NN.jsonl";

    if (strlen(name) != sizeof pat - 1)
        return false;
    for (size_t i = 0; pat[i]; i++) {
        if (pat[i] == 'N' ? (name[i] < '0' || name[i] > '9') : name[i] != pat[i])
            return false;
    }
    memcpy(day, name + 5, 10);
    day[10] = '\0';
    return true;
}

static bool date_valid(const char *s)
{
    char day[11];
    char name[32];

    if (!s)
        return true;
    snprintf(name, sizeof name, "play-%s.jsonl", s);
    return log_name_date(name, day);
}

/* Adds the line hashed H to the day's set.  Returns 1 when it was there
 * already, 0 when added, -1 out of memory (the line is counted). */
static int seen_add(struct seen *s, const uint64_t h[2])
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = hash_table_size(2 * (s->n + 512)); /* a quarter full: room to grow */
        uint64_t(*v)[2] = calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i][0] && !s->v[i][1])
                continue;
            size_t k = s->v[i][0] & (cap - 1);
            while (v[k][0] || v[k][1])
                k = (k + 1) & (cap - 1);
            v[k][0] = s->v[i][0];
            v[k][1] = s->v[i][1];
        }
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    size_t k = h[0] & (s->cap - 1);
    for (; s->v[k][0] || s->v[k][1]; k = (k + 1) & (s->cap - 1))
        if (s->v[k][0] == h[0] && s->v[k][1] == h[1])
            return 1;
    s->v[k][0] = h[0];
    s->v[k][1] = h[1] ? h[1] : 1; /* never {0, 0} */
    s->n++;
    return 0;
}

static void seen_clear(struct seen *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int load_file(struct report *r, const char *path, const char *name)
{
    char *line = NULL, err[512];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    FILE *f = fopen(path, "re");

    if (!f) {
        log_warn("%s: cannot read: %s; skipped", path, strerror(errno));
        return 0;
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        uint64_t h[2] = {hash64(line, (size_t)len, 0x5eed), hash64(line, (size_t)len, 0xfeed)};
        if (!h[1])
            h[1] = 1; /* as seen_add() stores it */
        if (seen_add(&r->seen, h) == 1) {
            r->repeated++;
            continue;
        }
        if (report_add_line(r, line, (size_t)len, name, lineno, err, sizeof err) < 0) {
            if (r->bad++ < 5)
                log_warn("%s (line ignored)", err);
        }
    }
    free(line);
    fclose(f);
    return 0;
}

/* A log file found in a tree: its local date and path. */
struct logfile {
    char day[11];
    char *path;
    size_t rel; /* where the part below the tree starts, for messages */
};

struct logfiles {
    struct logfile *v;
    size_t n, cap;
};

static int logfile_cmp(const void *a, const void *b)
{
    const struct logfile *x = a, *y = b;
    int c = strcmp(x->day, y->day);

    return c ? c : strcmp(x->path, y->path);
}

/* Adds DIR/NAME when NAME is a log of a day within [FROM, TO].  0, or -1
 * out of memory. */
static int logfile_add(struct logfiles *lf, const char *dir, const char *name, size_t rel,
                       const char *from, const char *to)
{
    char day[11];

    if (!log_name_date(name, day) || (from && strcmp(day, from) < 0) || (to && strcmp(day, to) > 0))
        return 0;
    if (lf->n == lf->cap) {
        size_t cap = lf->cap ? lf->cap * 2 : 64;
        struct logfile *v = realloc(lf->v, cap * sizeof *v);
        if (!v)
            return -1;
        lf->v = v;
        lf->cap = cap;
    }
    memcpy(lf->v[lf->n].day, day, sizeof day);
    if (asprintf(&lf->v[lf->n].path, "%s/%s", dir, name) < 0)
        return -1;
    lf->v[lf->n].rel = rel;
    lf->n++;
    return 0;
}

/* The logs in TREE: TREE/play-DAY.jsonl (one box's players writing side by
 * side, before logs went per screen) and TREE/<screen>/play-DAY.jsonl.
 * 0, or -1 with ERR filled when TREE cannot be read. */
static int logfiles_scan(struct logfiles *lf, const char *tree, const char *from, const char *to,
                         char *err, size_t errlen)
{
    struct dirent *de;
    DIR *d = opendir(tree);

    if (!d) {
        snprintf(err, errlen, "%s: cannot read the log directory: %s", tree, strerror(errno));
        return -1;
    }
    size_t rel = strlen(tree) + 1;

    while ((de = readdir(d))) {
        char *sub = NULL;
        DIR *sd;
        if (logfile_add(lf, tree, de->d_name, rel, from, to) < 0)
            goto oom;
        if (!pl_id_valid(de->d_name) || asprintf(&sub, "%s/%s", tree, de->d_name) < 0)
            continue;
        if ((sd = opendir(sub))) {
            struct dirent *se;
            while ((se = readdir(sd)))
                if (logfile_add(lf, sub, se->d_name, rel, from, to) < 0) {
                    closedir(sd);
                    free(sub);
                    goto oom;
                }
            closedir(sd);
        }
        free(sub);
    }
    closedir(d);
    return 0;
oom:
    closedir(d);
    snprintf(err, errlen, "out of memory");
    return -1;
}

int report_load_trees(struct report *r, const char *const *trees, size_t ntrees, const char *from,
                      const char *to, char *err, size_t errlen)
{
    struct logfiles lf = {0};
    int rc = -1;

    if (!date_valid(from) || !date_valid(to)) {
        snprintf(err, errlen, "--from/--to take a date like 2023-03-01");
        return -1;
    }
    for (size_t i = 0; i < ntrees; i++)
        if (logfiles_scan(&lf, trees[i], from, to, err, errlen) < 0)
            goto out;
    /* Days in order, so the report does not depend on readdir order; a
     * line is counted once within its day, however many copies of its
     * file were collected. */
    if (lf.n > 1)
        qsort(lf.v, lf.n, sizeof *lf.v, logfile_cmp);
    for (size_t i = 0; i < lf.n; i++) {
        if (i > 0 && strcmp(lf.v[i].day, lf.v[i - 1].day) != 0)
            seen_clear(&r->seen);
        load_file(r, lf.v[i].path, lf.v[i].path + lf.v[i].rel); /* "<screen>/play-DAY.jsonl" */
    }
    seen_clear(&r->seen);
    rc = 0;
out:
    for (size_t i = 0; i < lf.n; i++)
        free(lf.v[i].path);
    free(lf.v);
    return rc;
}

int report_load_dir(struct report *r, const char *logdir, const char *from, const char *to,
                    char *err, size_t errlen)
{
    return report_load_trees(r, &logdir, 1, from, to, err, errlen);
}

long report_repeated_lines(const struct report *r)
{
    return r->repeated;
}

static const char *entry_key(const struct entry *e, enum report_by by)
{
    switch (by) {
    case REPORT_BY_OWNER:
        return e->campaign[0] == '-' && !e->campaign[1] ? "(fallback)" : e->owner;
    case REPORT_BY_CAMPAIGN:
        return e->campaign[0] == '-' && !e->campaign[1] ? "(fallback)" : e->campaign;
    case REPORT_BY_SCREEN:
        return e->screen;
    case REPORT_BY_DAY:
        return e->day;
    }
    return "";
}

/* Sorting helpers take the grouping through a wrapper array. */
struct keyed {
    const char *key;
    const struct entry *e;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    c = strcmp(x->e->screen, y->e->screen);
    if (c)
        return c;
    return x->e->start < y->e->start ? -1 : x->e->start > y->e->start;
}

static int by_screen_start(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->e->screen, y->e->screen);

    if (c)
        return c;
    return x->e->start < y->e->start ? -1 : x->e->start > y->e->start;
}

/* bsearch over rows, which are sorted by key. */
static int row_key_cmp(const void *key, const void *row)
{
    return strcmp(key, ((const struct row *)row)->key);
}

/* Dark time: per screen, the parts of [first start, last end] no entry
 * covers.  Attributed to the row of the entry after the gap when grouping
 * by screen or day; not attributable by owner or campaign (*total only). */
static void add_dark(const struct report *r, enum report_by by, struct row *rows, size_t nrows,
                     int64_t *total)
{
    struct keyed *k = malloc((r->n ? r->n : 1) * sizeof *k);
    const char *screen = NULL;
    pl_ms covered = 0;

    *total = 0;
    if (!k)
        return;
    for (size_t i = 0; i < r->n; i++) {
        k[i].key = entry_key(&r->e[i], by);
        k[i].e = &r->e[i];
    }
    qsort(k, r->n, sizeof *k, by_screen_start);
    for (size_t i = 0; i < r->n; i++) {
        const struct entry *e = k[i].e;
        if (!screen || strcmp(screen, e->screen) != 0) {
            screen = e->screen;
            covered = e->end;
            continue;
        }
        if (e->start > covered) {
            int64_t gap = e->start - covered;
            struct row *row = bsearch(k[i].key, rows, nrows, sizeof *rows, row_key_cmp);
            *total += gap;
            if (row && row->dark_ms >= 0)
                row->dark_ms += gap;
        }
        if (e->end > covered)
            covered = e->end;
    }
    free(k);
}

/* Display width of UTF-8 text in a terminal: East Asian wide characters
 * take two columns. */
static int text_width(const char *s)
{
    int w = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        int n;
        if (*p < 0x80) {
            cp = *p;
            n = 1;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1f;
            n = 2;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0f;
            n = 3;
        } else {
            cp = *p & 0x07;
            n = 4;
        }
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                n = i;
                break;
            }
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        p += n;
        bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
        w += wide ? 2 : 1;
    }
    return w;
}

static void put_padded(FILE *out, const char *s, int width)
{
    int w = text_width(s);

    fputs(s, out);
    for (; w < width; w++)
        fputc(' ', out);
}

/* One quoted CSV cell.  A cell a spreadsheet would take for a formula
 * (= + - @, or a tab or CR first) gets a ' in front: an owner or title
 * written "=HYPERLINK(...)" stays text in Excel. */
static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    if (strchr("=+-@\t\r", *s) && *s)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const char *const by_names[] = {"owner", "campaign", "screen", "day"};

/* What the total line adds about the log lines not counted. */
static void counts_text(FILE *out, const struct report *r)
{
    if (r->bad)
        fprintf(out, ", %ld unreadable log lines ignored", r->bad);
    if (r->repeated)
        fprintf(out, ", %ld log lines found twice counted once", r->repeated);
}

static void write_table(FILE *out, enum report_by by, const struct row *rows, size_t n,
                        int64_t total_ms, int64_t dark_ms, const struct report *r)
{
    int kw = (int)strlen(by_names[by]);

    for (size_t i = 0; i < n; i++)
        if (text_width(rows[i].key) > kw)
            kw = text_width(rows[i].key);
    put_padded(out, by_names[by], kw);
    fprintf(out, "  %8s %12s %7s %7s %10s\n", "plays", "seconds", "share", "errors", "dark_s");
    for (size_t i = 0; i < n; i++) {
        put_padded(out, rows[i].key, kw);
        fprintf(out, "  %8ld %12.1f %6.1f%% %7ld ", rows[i].plays, rows[i].shown_ms / 1000.0,
                total_ms ? 100.0 * (double)rows[i].shown_ms / (double)total_ms : 0.0,
                rows[i].errors);
        if (rows[i].dark_ms >= 0)
            fprintf(out, "%10.1f\n", rows[i].dark_ms / 1000.0);
        else
            fprintf(out, "%10s\n", "-");
    }
    fprintf(out, "total: %.1f s shown, %.1f s dark", total_ms / 1000.0, dark_ms / 1000.0);
    counts_text(out, r);
    fputc('\n', out);
}

static void write_csv(FILE *out, enum report_by by, const struct row *rows, size_t n,
                      int64_t total_ms, bool plain)
{
    /* UTF-8 with its byte-order mark, or Excel on a Japanese Windows reads
     * it as Shift_JIS (東京都 becomes 譚ｱ莠ｬ驛ｽ); CRLF line ends. */
    if (!plain)
        fputs("\xEF\xBB\xBF", out);
    fprintf(out, "%s,plays,seconds,share,errors,dark_seconds\r\n", by_names[by]);
    for (size_t i = 0; i < n; i++) {
        csv_field(out, rows[i].key);
        fprintf(out, ",%ld,%.3f,%.4f,%ld,", rows[i].plays, rows[i].shown_ms / 1000.0,
                total_ms ? (double)rows[i].shown_ms / (double)total_ms : 0.0, rows[i].errors);
        if (rows[i].dark_ms >= 0)
            fprintf(out, "%.3f", rows[i].dark_ms / 1000.0);
        fputs("\r\n", out);
    }
}

static int write_json(FILE *out, enum report_by by, const struct row *rows, size_t n,
                      int64_t total_ms, int64_t dark_ms, const struct report *r)
{
    json_t *doc = json_object(), *arr = json_array();
    int rc = -1;

    if (!doc || !arr)
        goto out;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:I, s:f, s:f, s:I}", by_names[by], rows[i].key, "plays",
                              (json_int_t)rows[i].plays, "seconds", rows[i].shown_ms / 1000.0,
                              "share", total_ms ? (double)rows[i].shown_ms / (double)total_ms : 0.0,
                              "errors", (json_int_t)rows[i].errors);
        if (!o)
            goto out;
        if (rows[i].dark_ms >= 0)
            json_object_set_new(o, "dark_seconds", json_real(rows[i].dark_ms / 1000.0));
        json_array_append_new(arr, o);
    }
    json_object_set_new(doc, "by", json_string(by_names[by]));
    json_object_set(doc, "rows", arr);
    json_object_set_new(doc, "total_seconds", json_real(total_ms / 1000.0));
    json_object_set_new(doc, "dark_seconds", json_real(dark_ms / 1000.0));
    json_object_set_new(doc, "unreadable_lines", json_integer(r->bad));
    json_object_set_new(doc, "repeated_lines", json_integer(r->repeated));
    rc = json_dumpf(doc, out, JSON_INDENT(2)) < 0 ? -1 : 0;
    fputc('\n', out);
out:
    json_decref(arr);
    json_decref(doc);
    return rc;
}

static void write_html(FILE *out, enum report_by by, const struct row *rows, size_t n,
                       int64_t total_ms, int64_t dark_ms, const struct report *r)
{
    int64_t max_ms = 1;

    for (size_t i = 0; i < n; i++)
        if (rows[i].shown_ms > max_ms)
            max_ms = rows[i].shown_ms;
    fputs("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\n"
          "<title>Proof of play / 放映実績</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd}\n"
          "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
          ".bar{fill:#1b5e20}.lbl{font-size:12px}\n</style></head><body>\n",
          out);
    fprintf(out, "<h1>Proof of play by %s / 放映実績</h1>\n", by_names[by]);
    fprintf(out, "<p>%.1f s shown, %.1f s dark", total_ms / 1000.0, dark_ms / 1000.0);
    counts_text(out, r);
    fputs(".</p>\n", out);
    /* The chart: one bar per row, seconds shown. */
    fprintf(out, "<svg role=\"img\" width=\"720\" height=\"%zu\" aria-label=\"seconds shown\">\n",
            n * 24 + 8);
    for (size_t i = 0; i < n; i++) {
        double w = 420.0 * (double)rows[i].shown_ms / (double)max_ms;
        fprintf(out, "<text class=\"lbl\" x=\"0\" y=\"%zu\">", i * 24 + 18);
        html_text(out, rows[i].key);
        fprintf(out,
                "</text><rect class=\"bar\" x=\"240\" y=\"%zu\" width=\"%.1f\" height=\"18\"/>",
                i * 24 + 4, w);
        fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%zu\">%.0f s</text>\n", 246 + w,
                i * 24 + 18, rows[i].shown_ms / 1000.0);
    }
    fputs("</svg>\n<table>\n<tr>", out);
    fprintf(out,
            "<th>%s</th><th>plays</th><th>seconds</th><th>share</th><th>errors</th>"
            "<th>dark seconds</th></tr>\n",
            by_names[by]);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", out);
        html_text(out, rows[i].key);
        fprintf(out,
                "</td><td class=\"n\">%ld</td><td class=\"n\">%.1f</td>"
                "<td class=\"n\">%.1f%%</td><td class=\"n\">%ld</td><td class=\"n\">",
                rows[i].plays, rows[i].shown_ms / 1000.0,
                total_ms ? 100.0 * (double)rows[i].shown_ms / (double)total_ms : 0.0,
                rows[i].errors);
        if (rows[i].dark_ms >= 0)
            fprintf(out, "%.1f", rows[i].dark_ms / 1000.0);
        else
            fputs("-", out);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n</body></html>\n", out);
}

int report_write(const struct report *r, enum report_by by, enum report_format format, FILE *out)
{
    struct keyed *k = malloc((r->n ? r->n : 1) * sizeof *k);
    struct row *rows = calloc(r->n ? r->n : 1, sizeof *rows);
    size_t nrows = 0;
    int64_t total_ms = 0, dark_ms = 0;
    int rc = -1;

    if (!k || !rows)
        goto out;
    for (size_t i = 0; i < r->n; i++) {
        k[i].key = entry_key(&r->e[i], by);
        k[i].e = &r->e[i];
    }
    qsort(k, r->n, sizeof *k, keyed_cmp);
    for (size_t i = 0; i < r->n; i++) {
        const struct entry *e = k[i].e;
        if (nrows == 0 || strcmp(rows[nrows - 1].key, k[i].key) != 0) {
            rows[nrows].key = k[i].key;
            rows[nrows].dark_ms = by == REPORT_BY_SCREEN || by == REPORT_BY_DAY ? 0 : -1;
            nrows++;
        }
        struct row *row = &rows[nrows - 1];
        if (e->result == RES_PLAYED || e->result == RES_CUT)
            row->plays++;
        else
            row->errors++;
        row->shown_ms += e->shown_ms;
        total_ms += e->shown_ms;
    }
    add_dark(r, by, rows, nrows, &dark_ms);
    switch (format) {
    case REPORT_TABLE:
        write_table(out, by, rows, nrows, total_ms, dark_ms, r);
        break;
    case REPORT_CSV:
        write_csv(out, by, rows, nrows, total_ms, false);
        break;
    case REPORT_CSV_PLAIN:
        write_csv(out, by, rows, nrows, total_ms, true);
        break;
    case REPORT_JSON:
        if (write_json(out, by, rows, nrows, total_ms, dark_ms, r) < 0)
            goto out;
        break;
    case REPORT_HTML:
        write_html(out, by, rows, nrows, total_ms, dark_ms, r);
        break;
    }
    rc = ferror(out) ? -1 : 0;
out:
    free(rows);
    free(k);
    return rc;
}
