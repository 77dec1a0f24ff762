#include "scheduler/history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libgen.h>

#include "common/atomic.h"
#include "common/log.h"
#include "common/strbuf.h"

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
    char msg[512];

    return pl_campaign_read_normalised(path, tz, msg, sizeof msg);
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

/* --- accepting and restoring ------------------------------------------ */

static bool same_arrival(const struct pl_campaign *a, const struct pl_campaign *b)
{
    return a && b && a->version && a->arrived_ns == b->arrived_ns && a->mtime_ns == b->mtime_ns &&
           a->source && b->source && strcmp(a->source, b->source) == 0;
}

/* Reads version N of ID from its history, or the current version when N is
 * 0; NULL (ERR filled) when it cannot be read. */
static struct pl_campaign *read_version(const struct sched_state *st, const char *id, unsigned n,
                                        const pl_tz *tz, char *err, size_t errlen)
{
    char path[4096];

    if (n == 0 ? snprintf(path, sizeof path, "%s/%s.cfg", st->campaigns, id) >= (int)sizeof path
               : sched_history_path(st, id, n, "cfg", path, sizeof path) < 0) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, id);
        return NULL;
    }
    return pl_campaign_read_normalised(path, tz, err, errlen);
}

/* Writes C as version C->version of its history and makes it current. */
static int write_version(const struct sched_state *st, const struct pl_campaign *c, const pl_tz *tz,
                         char *err, size_t errlen)
{
    struct strbuf sb = STRBUF_INIT;
    char hist[4096], cur[4096], *tmp = NULL;
    int r;

    if (sched_history_path(st, c->id, c->version, "cfg", hist, sizeof hist) < 0 ||
        snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, c->id) >= (int)sizeof cur) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, c->id);
        return -ENAMETOOLONG;
    }
    if (pl_campaign_format(c, tz, &sb) < 0) {
        snprintf(err, errlen, "%s: out of memory", hist);
        r = -ENOMEM;
        goto out_free;
    }
    /* Current first, then the history's name for it: a version in the
     * history has always been current, and a crash in between leaves a
     * temporary file, which the next start removes. */
    r = atomic_write_temp(hist, sb_str(&sb), sb.len, 0644, &tmp, err, errlen);
    if (r < 0)
        goto out_free;
    r = atomic_link_file(tmp, cur, err, errlen);
    if (r == 0 && rename(tmp, hist) < 0) {
        r = -errno;
        snprintf(err, errlen, "%s: cannot rename into place: %s", hist, strerror(-r));
    }
    if (r < 0)
        unlink(tmp);
    else
        atomic_sync_dir(dirname(strcpy(cur, hist)));
    free(tmp);
out_free:
    sb_free(&sb);
    return r;
}

/* Gives the current version of ID its name in the history when a crash
 * came between making it current and naming it. */
static int name_current(const struct sched_state *st, const char *id, unsigned n, char *err,
                        size_t errlen)
{
    char hist[4096], cur[4096];

    if (sched_history_path(st, id, n, "cfg", hist, sizeof hist) < 0 ||
        snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, id) >= (int)sizeof cur) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, id);
        return -ENAMETOOLONG;
    }
    return atomic_link_file(cur, hist, err, errlen);
}

/* The last version number used in ID's history: the current one's, or a
 * later one made before a crash or a withdrawal. */
static unsigned next_free(const struct sched_state *st, const char *id,
                          const struct pl_campaign *current)
{
    char path[4096];
    unsigned last;

    if (!current || !current->version)
        return sched_history_last(st, id);
    last = current->version;
    while (sched_history_path(st, id, last + 1, "cfg", path, sizeof path) == 0 &&
           access(path, F_OK) == 0)
        last++;
    return last;
}

int sched_history_accept(const struct sched_state *st, struct pl_campaign *c, const pl_tz *tz,
                         const struct pl_campaign *current, const char *src_path,
                         const struct sched_file_id *src_id, int keep, char *err, size_t errlen)
{
    char name[32], dir[4096];
    bool gone = false;
    int r;

    if (!pl_id_valid(c->id)) {
        snprintf(err, errlen, "campaign id \"%s\" is not valid", c->id ? c->id : "");
        return -EINVAL;
    }
    if (src_path && !sched_file_is(src_path, src_id)) {
        snprintf(err, errlen, "%s: replaced or removed since it was read", src_path);
        return -ESTALE;
    }
    if (same_arrival(current, c)) {
        /* This very file was accepted, and a crash came before it left the
         * spool: only what followed is left to do. */
        c->version = current->version;
    } else {
        r = sched_history_mkdir(st, c->id, err, errlen);
        if (r < 0)
            return r;
        c->version = (r == 0 ? next_free(st, c->id, current) : 0) + 1;
        r = write_version(st, c, tz, err, errlen);
        if (r < 0)
            return r;
    }
    if (src_path) {
        snprintf(name, sizeof name, "%u.src", c->version);
        if (sched_history_path(st, c->id, 0, NULL, dir, sizeof dir) < 0) {
            snprintf(err, errlen, "%s/%s: path too long", st->campaigns, c->id);
            return -ENAMETOOLONG;
        }
        r = sched_move_checked(src_path, dir, name, src_id, err, errlen);
        /* Deleted, or replaced by another file, while it was being
         * accepted: it was read whole, and plays. */
        if (r == -ESTALE || (r == -ENOENT && access(src_path, F_OK) < 0))
            gone = true;
        else if (r < 0)
            return r;
    }
    sched_history_prune(st, c->id, keep, c->version);
    return gone ? 1 : 0;
}

int sched_history_restore(const struct sched_state *st, const char *id, unsigned n, const pl_tz *tz,
                          int64_t now_ns, int keep, unsigned *newv, char *err, size_t errlen)
{
    struct pl_campaign *c, *cur;
    char from[4096], to[4096], msg[256];
    int r;

    if (!pl_id_valid(id)) {
        snprintf(err, errlen, "\"%s\" is not a campaign id; `signagectl list` shows them", id);
        return -ENOENT;
    }
    c = n ? read_version(st, id, n, tz, err, errlen) : NULL;
    if (!c) {
        if (n == 0 || (sched_history_path(st, id, n, "cfg", from, sizeof from) == 0 &&
                       access(from, F_OK) < 0))
            snprintf(err, errlen,
                     "campaign \"%s\" has no version %u; `signagectl history %s` lists them", id, n,
                     id);
        return -ENOENT;
    }
    cur = read_version(st, id, 0, tz, msg, sizeof msg);
    if (cur && cur->version == n) {
        pl_campaign_free(cur);
        pl_campaign_free(c);
        *newv = n;
        return 0;
    }
    pl_campaign_free(cur);
    c->restored_from = n;
    c->version = sched_history_last(st, id) + 1;
    c->arrived_ns = c->mtime_ns = now_ns;
    r = write_version(st, c, tz, err, errlen);
    if (r == 0) {
        /* The operator's file of version N stands for the new one too. */
        if (sched_history_path(st, id, n, "src", from, sizeof from) == 0 &&
            sched_history_path(st, id, c->version, "src", to, sizeof to) == 0 &&
            link(from, to) == 0)
            atomic_sync_dir(dirname(to));
        *newv = c->version;
        sched_history_prune(st, id, keep, c->version);
    }
    pl_campaign_free(c);
    return r;
}

/* A campaign accepted before versions were kept: its current file becomes
 * version 1 of its history, and campaigns/<id>.src that version's source.
 * A current version missing from the history is named there. */
/* KNOWN (may be NULL) is campaigns/<ID>.cfg as already read: its version
 * is taken from it, and the file is read only for a campaign from before
 * versions were kept. */
static int repair_current(const struct sched_state *st, const char *id, const pl_tz *tz,
                          const struct pl_campaign *known)
{
    struct pl_campaign *c = NULL;
    char err[1024], src[4096], cur[4096], hist[4096], dir[4096], name[32];
    struct stat sb = {0};
    unsigned version;
    bool legacy;
    int r = 0;

    if (known && known->version > 0) {
        version = known->version;
    } else {
        c = read_version(st, id, 0, tz, err, sizeof err);
        if (!c)
            return 0;
        version = c->version;
    }
    legacy = version == 0;
    snprintf(src, sizeof src, "%s/%s.src", st->campaigns, id);
    snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, id);
    if (legacy) {
        /* When it was accepted: its normalised file was written then. */
        stat(cur, &sb);
        c->arrived_ns = c->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        r = sched_history_mkdir(st, id, err, sizeof err);
        if (r >= 0) {
            c->version = sched_history_last(st, id) + 1;
            r = write_version(st, c, tz, err, sizeof err);
        }
    } else if (sched_history_path(st, id, version, "cfg", hist, sizeof hist) == 0 &&
               access(hist, F_OK) < 0 && errno == ENOENT) {
        /* A crash came between making this version current and naming it
         * in the history. */
        r = name_current(st, id, version, err, sizeof err);
        if (r == 0)
            log_info("campaigns/%s.cfg: named version %u in its history", id, version);
    } else if (access(src, F_OK) < 0) {
        pl_campaign_free(c);
        return 0;
    }
    /* The operator's file of an old-layout campaign, also when a crash cut
     * its move short. */
    if (c)
        version = c->version; /* a legacy campaign has just got its number */
    snprintf(name, sizeof name, "%u.src", version);
    if (r >= 0 && access(src, F_OK) == 0 &&
        sched_history_path(st, id, 0, NULL, dir, sizeof dir) == 0 &&
        sched_history_path(st, id, version, "src", hist, sizeof hist) == 0 &&
        access(hist, F_OK) < 0)
        r = sched_move_file(src, dir, name, false, NULL, 0, err, sizeof err);
    if (r < 0)
        log_error("campaigns/%s.cfg: cannot move into its history: %s", id, err);
    else if (legacy)
        log_info("campaigns/%s.cfg: kept as version %u of its history", id, version);
    pl_campaign_free(c);
    return r < 0 ? 0 : 1;
}

int sched_history_repair(const struct sched_state *st, const pl_tz *tz, const struct sched_set *set)
{
    char dir[4096];
    struct dirent *de;
    int n = 0;
    DIR *d;

    snprintf(dir, sizeof dir, "%s/history", st->campaigns);
    if ((d = opendir(dir))) {
        while ((de = readdir(d))) {
            char path[4096];
            if (pl_id_valid(de->d_name) &&
                sched_history_path(st, de->d_name, 0, NULL, path, sizeof path) == 0)
                n += sched_remove_temps(path);
        }
        closedir(d);
    }
    if (set) {
        for (size_t i = 0; i < set->n; i++)
            n += repair_current(st, set->v[i].c->id, tz, set->v[i].c);
        return n;
    }
    d = opendir(st->campaigns);
    if (!d)
        return n;
    while ((de = readdir(d))) {
        char id[PL_ID_MAX + 1];
        if (pl_is_campaign_name(de->d_name)) {
            snprintf(id, sizeof id, "%.*s", (int)(strlen(de->d_name) - 4), de->d_name);
            n += repair_current(st, id, tz, NULL);
        }
    }
    closedir(d);
    return n;
}
