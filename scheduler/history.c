#include "scheduler/history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/slurp.h"

int sched_history_path(const struct sched_state *st, const char *id, unsigned n, const char *ext,
                       char *path, size_t pathlen)
{
    int w;

    if (n)
        w = snprintf(path, pathlen, "%s/history/%s/%u.%s", st->campaigns, id, n, ext);
    else
        w = snprintf(path, pathlen, "%s/history/%s", st->campaigns, id);
    return w < 0 || (size_t)w >= pathlen ? -1 : 0;
}

int sched_history_mkdir(const struct sched_state *st, const char *id, char *err, size_t errlen)
{
    char path[4096];
    int r;

    if (sched_history_path(st, id, 0, NULL, path, sizeof path) < 0) {
        snprintf(err, errlen, "%s/history/%s: path too long", st->campaigns, id);
        return -ENAMETOOLONG;
    }
    r = mkdir(path, 0755) < 0 ? -errno : 1;
    if (r == -ENOENT) {
        /* The first campaign ever: campaigns/history itself. */
        char *slash = strrchr(path, '/');
        *slash = '\0';
        r = mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
        *slash = '/';
        if (r == 0)
            r = mkdir(path, 0755) < 0 ? -errno : 1;
    }
    if (r == -EEXIST)
        return 0;
    if (r < 0)
        snprintf(err, errlen, "%s: cannot create the directory: %s", path, strerror(-r));
    return r;
}

/* The version a history entry NAME ("<N>.cfg" or "<N>.src") holds, with its
 * extension in *EXT; 0 when NAME is not one. */
static unsigned entry_version(const char *name, const char **ext)
{
    char *end;
    unsigned long n;

    if (name[0] < '1' || name[0] > '9')
        return 0;
    errno = 0;
    n = strtoul(name, &end, 10);
    if (errno || n == 0 || n > 999999999 || (strcmp(end, ".cfg") && strcmp(end, ".src")))
        return 0;
    *ext = end + 1;
    return (unsigned)n;
}

/* Calls FN for every history entry of ID; returns -errno when the directory
 * cannot be read (-ENOENT: no history). */
static int each_entry(const struct sched_state *st, const char *id,
                      void (*fn)(unsigned n, const char *ext, void *arg), void *arg)
{
    char dir[4096];
    struct dirent *de;
    DIR *d;

    if (sched_history_path(st, id, 0, NULL, dir, sizeof dir) < 0)
        return -ENAMETOOLONG;
    d = opendir(dir);
    if (!d)
        return -errno;
    while ((de = readdir(d))) {
        const char *ext;
        unsigned n = entry_version(de->d_name, &ext);
        if (n)
            fn(n, ext, arg);
    }
    closedir(d);
    return 0;
}

static void note_max(unsigned n, const char *ext, void *arg)
{
    unsigned *max = arg;

    (void)ext;
    if (n > *max)
        *max = n;
}

unsigned sched_history_last(const struct sched_state *st, const char *id)
{
    unsigned max = 0;

    each_entry(st, id, note_max, &max);
    return max;
}

struct collect {
    struct sched_version *v;
    size_t n, cap;
    bool failed;
};

static struct sched_version *collect_find(struct collect *c, unsigned n)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].n == n)
            return &c->v[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct sched_version *v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            c->failed = true;
            return NULL;
        }
        c->v = v;
        c->cap = cap;
    }
    memset(&c->v[c->n], 0, sizeof c->v[c->n]);
    c->v[c->n].n = n;
    return &c->v[c->n++];
}

static void collect_one(unsigned n, const char *ext, void *arg)
{
    struct sched_version *v = collect_find(arg, n);

    if (v && strcmp(ext, "src") == 0)
        v->has_src = true;
}

static int version_cmp(const void *a, const void *b)
{
    const struct sched_version *x = a, *y = b;

    return x->n < y->n ? -1 : x->n > y->n;
}

/* A normalised campaign file, or NULL. */
static struct pl_campaign *read_file(const char *path, const pl_tz *tz)
{
    struct pl_campaign *c = NULL;
    char *text = NULL, msg[512];
    size_t len;

    if (slurp_path(path, NULL, SCHED_NORMALISED_MAX_BYTES, &text, &len, msg, sizeof msg) == 0)
        c = sched_campaign_parse_normalised(text, len, path, tz, msg, sizeof msg);
    free(text);
    return c;
}

int sched_history_list(const struct sched_state *st, const char *id, const pl_tz *tz,
                       struct sched_version **out, size_t *nout, char *err, size_t errlen)
{
    struct collect c = {0};
    char path[4096], cur[4096];
    struct pl_campaign *current;
    int r = each_entry(st, id, collect_one, &c);

    *out = NULL;
    *nout = 0;
    if (r == -ENOENT)
        return 0;
    if (r < 0 || c.failed) {
        r = r < 0 ? r : -ENOMEM;
        sched_history_path(st, id, 0, NULL, path, sizeof path);
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
        sched_history_free(c.v, c.n);
        return r;
    }
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, version_cmp);
    /* The current version by its number: a copy of the tree made without
     * hard links still knows it. */
    snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, id);
    current = read_file(cur, tz);
    for (size_t i = 0; i < c.n; i++) {
        struct sched_version *v = &c.v[i];

        v->current = current && current->version == v->n;
        if (sched_history_path(st, id, v->n, "cfg", path, sizeof path) == 0)
            v->c = read_file(path, tz);
    }
    pl_campaign_free(current);
    *out = c.v;
    *nout = c.n;
    return 0;
}

void sched_history_free(struct sched_version *v, size_t n)
{
    for (size_t i = 0; i < n && v; i++)
        pl_campaign_free(v[i].c);
    free(v);
}

struct versions {
    unsigned *v;
    size_t n, cap;
};

static void collect_number(unsigned n, const char *ext, void *arg)
{
    struct versions *vs = arg;

    if (strcmp(ext, "cfg") != 0)
        return;
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 32;
        unsigned *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n++] = n;
}

static int unsigned_cmp(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

int sched_history_prune(const struct sched_state *st, const char *id, int keep, unsigned current)
{
    struct versions vs = {0};
    int removed = 0;

    if (keep <= 0 || each_entry(st, id, collect_number, &vs) < 0 || vs.n <= (size_t)keep) {
        free(vs.v);
        return 0;
    }
    qsort(vs.v, vs.n, sizeof *vs.v, unsigned_cmp);
    for (size_t i = 0; i + (size_t)keep < vs.n; i++) {
        char path[4096];
        if (vs.v[i] == current)
            continue;
        if (sched_history_path(st, id, vs.v[i], "src", path, sizeof path) == 0)
            unlink(path);
        if (sched_history_path(st, id, vs.v[i], "cfg", path, sizeof path) == 0 && unlink(path) == 0)
            removed++;
    }
    free(vs.v);
    return removed;
}
