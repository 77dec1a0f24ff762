#include "tools/report.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"

enum entry_result { RES_PLAYED, RES_CUT, RES_SKIPPED, RES_ERROR };

struct entry {
    char *screen, *campaign, *owner;
    char day[16]; /* local date of start, YYYY-MM-DD */
    pl_ms start, end;
    int64_t shown_ms;
    enum entry_result result;
};

struct report {
    const pl_tz *tz;
    struct entry *e;
    size_t n, cap;
    long bad;
};

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

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
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
        if (report_add_line(r, line, (size_t)len, name, lineno, err, sizeof err) < 0) {
            if (r->bad++ < 5)
                log_warn("%s (line ignored)", err);
        }
    }
    free(line);
    fclose(f);
    return 0;
}

int report_load_dir(struct report *r, const char *logdir, const char *from, const char *to,
                    char *err, size_t errlen)
{
    struct dirent *de;
    char **names = NULL, day[11];
    size_t n = 0, cap = 0;
    int rc = -1;
    DIR *d;

    if (!date_valid(from) || !date_valid(to)) {
        snprintf(err, errlen, "--from/--to take a date like 2023-03-01");
        return -1;
    }
    d = opendir(logdir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read the log directory: %s", logdir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        if (!log_name_date(de->d_name, day))
            continue;
        if ((from && strcmp(day, from) < 0) || (to && strcmp(day, to) > 0))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **p = realloc(names, ncap * sizeof *p);
            if (!p)
                goto oom;
            names = p;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name)))
            goto oom;
        n++;
    }
    /* Dates in order, so the report does not depend on readdir order. */
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct strbuf path = STRBUF_INIT;
        sb_printf(&path, "%s/%s", logdir, names[i]);
        if (sb_failed(&path)) {
            sb_free(&path);
            goto oom;
        }
        load_file(r, sb_str(&path), names[i]);
        sb_free(&path);
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
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

static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
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

static void write_table(FILE *out, enum report_by by, const struct row *rows, size_t n,
                        int64_t total_ms, int64_t dark_ms, long bad)
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
    if (bad)
        fprintf(out, ", %ld unreadable log lines ignored", bad);
    fputc('\n', out);
}

static void write_csv(FILE *out, enum report_by by, const struct row *rows, size_t n,
                      int64_t total_ms)
{
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
                      int64_t total_ms, int64_t dark_ms, long bad)
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
    json_object_set_new(doc, "unreadable_lines", json_integer(bad));
    rc = json_dumpf(doc, out, JSON_INDENT(2)) < 0 ? -1 : 0;
    fputc('\n', out);
out:
    json_decref(arr);
    json_decref(doc);
    return rc;
}

static void write_html(FILE *out, enum report_by by, const struct row *rows, size_t n,
                       int64_t total_ms, int64_t dark_ms, long bad)
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
    if (bad)
        fprintf(out, ", %ld unreadable log lines ignored", bad);
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
        write_table(out, by, rows, nrows, total_ms, dark_ms, r->bad);
        break;
    case REPORT_CSV:
        write_csv(out, by, rows, nrows, total_ms);
        break;
    case REPORT_JSON:
        if (write_json(out, by, rows, nrows, total_ms, dark_ms, r->bad) < 0)
            goto out;
        break;
    case REPORT_HTML:
        write_html(out, by, rows, nrows, total_ms, dark_ms, r->bad);
        break;
    }
    rc = ferror(out) ? -1 : 0;
out:
    free(rows);
    free(k);
    return rc;
}
