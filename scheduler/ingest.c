#include "scheduler/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "scheduler/campaign.h"
#include "scheduler/probe.h"
#include "scheduler/store.h"

#define ERR_MAX 16384
#define PENDING_MAX 10000

struct pending {
    char *name;
    pl_ms first_seen;
    bool seen; /* still in the spool during this pass */
};

struct sched_ingest {
    const struct sched_state *st;
    char *pending_path;
    struct pending *v;
    size_t n, cap;
    bool dirty;       /* .pending needs writing */
    pl_ms settle_due; /* wall clock: a settling file becomes due; 0 = none */
};

/* --- the pending table ------------------------------------------------- */

static struct pending *pending_find(struct sched_ingest *ig, const char *name)
{
    for (size_t i = 0; i < ig->n; i++)
        if (strcmp(ig->v[i].name, name) == 0)
            return &ig->v[i];
    return NULL;
}

static struct pending *pending_add(struct sched_ingest *ig, const char *name, pl_ms first)
{
    if (ig->n >= PENDING_MAX)
        return NULL;
    if (ig->n == ig->cap) {
        size_t cap = ig->cap ? 2 * ig->cap : 16;
        struct pending *v = realloc(ig->v, cap * sizeof *v);
        if (!v)
            return NULL;
        ig->v = v;
        ig->cap = cap;
    }
    ig->v[ig->n].name = strdup(name);
    if (!ig->v[ig->n].name)
        return NULL;
    ig->v[ig->n].first_seen = first;
    ig->v[ig->n].seen = true;
    ig->dirty = true;
    return &ig->v[ig->n++];
}

static void pending_drop(struct sched_ingest *ig, struct pending *p)
{
    size_t i = (size_t)(p - ig->v);

    free(p->name);
    ig->v[i] = ig->v[--ig->n];
    ig->dirty = true;
}

static void pending_load(struct sched_ingest *ig)
{
    FILE *f = fopen(ig->pending_path, "re");
    char line[4096];

    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *end;
        long long t;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (!sp || !sp[1])
            continue;
        *sp = '\0';
        t = strtoll(line, &end, 10);
        if (*end || t < PL_MS_MIN || t > PL_MS_MAX)
            continue;
        if (!pending_find(ig, sp + 1))
            pending_add(ig, sp + 1, t);
    }
    fclose(f);
    ig->dirty = false;
}

static void pending_save(struct sched_ingest *ig)
{
    struct strbuf sb = STRBUF_INIT;
    char err[512];

    if (!ig->dirty)
        return;
    for (size_t i = 0; i < ig->n; i++)
        if (!strchr(ig->v[i].name, '\n'))
            sb_printf(&sb, "%lld %s\n", (long long)ig->v[i].first_seen, ig->v[i].name);
    if (sb_failed(&sb))
        log_error("%s: out of memory", ig->pending_path);
    else if (ig->n == 0)
        unlink(ig->pending_path);
    else if (atomic_write_file(ig->pending_path, sb_str(&sb), sb.len, 0644, err, sizeof err) < 0)
        log_error("%s", err);
    else
        ig->dirty = false;
    if (ig->n == 0)
        ig->dirty = false;
    sb_free(&sb);
}

struct sched_ingest *sched_ingest_new(const struct sched_state *st)
{
    struct sched_ingest *ig = calloc(1, sizeof *ig);

    if (!ig)
        return NULL;
    ig->st = st;
    if (asprintf(&ig->pending_path, "%s/.pending", st->root) < 0) {
        free(ig);
        return NULL;
    }
    pending_load(ig);
    return ig;
}

void sched_ingest_free(struct sched_ingest *ig)
{
    if (!ig)
        return;
    for (size_t i = 0; i < ig->n; i++)
        free(ig->v[i].name);
    free(ig->v);
    free(ig->pending_path);
    free(ig);
}

/* --- one file ---------------------------------------------------------- */

static bool eligible(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".cfg") == 0;
}

static pl_ms wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (pl_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves spool/NAME to rejected/ and writes the .error beside it. */
static int reject(struct sched_ingest *ig, const char *name, const char *why)
{
    const struct sched_state *st = ig->st;
    char final[1024], err[1024], *from = NULL, *epath = NULL, *text = NULL;
    const char *nl = strchr(why, '\n');
    int r;

    if (asprintf(&from, "%s/%s", st->spool, name) < 0)
        return -ENOMEM;
    r = sched_move_file(from, st->rejected, name, false, final, sizeof final, err, sizeof err);
    if (r < 0) {
        log_error("%s; it stays in the spool", err);
        goto out_free;
    }
    if (asprintf(&epath, "%s/%s.error", st->rejected, final) < 0 ||
        asprintf(&text, "%s\n", why) < 0) {
        r = -ENOMEM;
        goto out_free;
    }
    r = atomic_write_file(epath, text, strlen(text), 0644, err, sizeof err);
    if (r < 0)
        log_error("%s", err);
    log_warn("spool/%s: rejected, moved to rejected/%s: %.*s%s", name, final,
             nl ? (int)(nl - why) : (int)strlen(why), why, nl ? " (more in the .error file)" : "");
out_free:
    free(from);
    free(epath);
    free(text);
    return r;
}

static uint64_t max_bytes(enum pl_item_type t)
{
    return t == PL_ITEM_VIDEO ? SCHED_VIDEO_MAX_BYTES : SCHED_IMAGE_MAX_BYTES;
}

/* Copies the media of C into the store.  Returns 0, -ESTALE when a medium
 * changed since the probe, or another -errno (logged). */
static int store_media(const struct sched_state *st, int spoolfd, struct pl_campaign *c,
                       const char *name)
{
    for (size_t i = 0; i < c->nitems; i++) {
        struct pl_item *it = &c->items[i];
        char sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX], err[1024];
        const char *ext;
        int r;

        if (it->type == PL_ITEM_TEXT || !it->file)
            continue;
        ext = it->media ? strrchr(it->media, '.') : NULL;
        r = sched_store_put(st->media, spoolfd, it->file, ext ? ext + 1 : NULL, it->sha256,
                            max_bytes(it->type), sha, media, err, sizeof err);
        if (r < 0) {
            if (r != -ESTALE)
                log_error("spool/%s: %s; will retry", name, err);
            return r;
        }
        free(it->media);
        it->media = strdup(media);
        if (!it->media)
            return -ENOMEM;
    }
    return 0;
}

enum outcome { ACCEPTED, PENDING, REJECTED, DEFERRED };

static enum outcome ingest_file(struct sched_ingest *ig, const struct pl_config *cfg,
                                struct sched_set *set, int spoolfd, const char *name, pl_ms now)
{
    const struct sched_state *st = ig->st;
    char *err = malloc(ERR_MAX), *src = NULL, *dst = NULL;
    struct pl_campaign *c = NULL;
    struct pending *p = pending_find(ig, name);
    enum outcome out = DEFERRED;
    int r;

    if (p)
        p->seen = true;
    if (!err)
        return DEFERRED;
    err[0] = '\0';
    c = sched_campaign_load(spoolfd, name, name, cfg, err, ERR_MAX);
    if (!c) {
        if (!err[0])
            snprintf(err, ERR_MAX, "%s: error: cannot read the file", name);
        out = reject(ig, name, err) == 0 ? REJECTED : DEFERRED;
        goto out_free;
    }
    switch (sched_probe_campaign(spoolfd, c, err, ERR_MAX)) {
    case SCHED_PROBE_OK:
        break;
    case SCHED_PROBE_PENDING:
        if (!p)
            p = pending_add(ig, name, now);
        if (p && now - p->first_seen >= cfg->pending_grace_ms) {
            char *why = NULL;
            if (asprintf(&why,
                         "%s: error: media still missing after %lld min; copy the media "
                         "into spool/ first, then the campaign file\n%s",
                         name, (long long)(cfg->pending_grace_ms / PL_MS_PER_MIN), err) < 0) {
                out = DEFERRED;
                goto out_free;
            }
            out = reject(ig, name, why) == 0 ? REJECTED : DEFERRED;
            free(why);
        } else {
            if (p && p->first_seen == now)
                log_info("spool/%s: pending, media missing: %s", name, err);
            if (p)
                p->seen = true;
            out = PENDING;
        }
        goto out_free;
    default:
        out = reject(ig, name, err) == 0 ? REJECTED : DEFERRED;
        goto out_free;
    }
    r = store_media(st, spoolfd, c, name);
    if (r == -ESTALE) {
        log_info("spool/%s: a medium changed while being accepted; will retry", name);
        goto out_free;
    }
    if (r < 0)
        goto out_free;
    if (asprintf(&src, "%s/%s", st->spool, name) < 0 ||
        asprintf(&dst, "%s/%s.cfg", st->campaigns, c->id) < 0)
        goto out_free;
    if (sched_state_accept(st, c, cfg->tz, src, err, ERR_MAX) < 0) {
        log_error("spool/%s: %s; will retry", name, err);
        goto out_free;
    }
    log_info("spool/%s: accepted as campaign \"%s\" (%zu items)%s", name, c->id, c->nitems,
             sched_set_find(set, c->id) ? ", replacing the previous version" : "");
    if (sched_set_put(set, c, dst) < 0)
        log_error("spool/%s: out of memory", name);
    c = NULL;
    out = ACCEPTED;
out_free:
    if (out != PENDING && out != DEFERRED && (p = pending_find(ig, name)))
        pending_drop(ig, p);
    pl_campaign_free(c);
    free(src);
    free(dst);
    free(err);
    return out;
}

/* Spool entries in the order they are handled: oldest first, so that of
 * two files with the same id the newer one wins. */
struct entry {
    char *name;
    int64_t mtime_ns;
};

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool in_list(const char *name, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

int sched_ingest_pass(struct sched_ingest *ig, const struct pl_config *cfg, struct sched_set *set,
                      pl_ms now, pl_ms settle_ms, const char *const *fresh, size_t nfresh,
                      struct sched_ingest_stats *stats)
{
    struct sched_ingest_stats dummy;
    struct entry *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    pl_ms wall = wall_ms();
    int accepted = 0, fd;
    DIR *d;

    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    fd = open(ig->st->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || !(d = fdopendir(fd))) {
        log_error("%s: cannot read the spool: %s", ig->st->spool, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ig->settle_due = 0;
    for (size_t i = 0; i < ig->n; i++)
        ig->v[i].seen = false;
    while ((de = readdir(d))) {
        struct stat sb;
        int64_t m;
        if (!eligible(de->d_name))
            continue;
        if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode))
            continue; /* directories, FIFOs, sockets named *.cfg: left alone */
        m = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        /* A future mtime (a skewed clock upstream) does not hold a file back. */
        if (settle_ms > 0 && wall - m / 1000000 >= 0 && wall - m / 1000000 < settle_ms &&
            !in_list(de->d_name, fresh, nfresh)) {
            pl_ms due = m / 1000000 + settle_ms;
            if (!ig->settle_due || due < ig->settle_due)
                ig->settle_due = due;
            stats->deferred++;
            struct pending *p = pending_find(ig, de->d_name);
            if (p)
                p->seen = true;
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            struct entry *nv = realloc(v, nc * sizeof *nv);
            if (!nv)
                break;
            v = nv;
            cap = nc;
        }
        v[n].name = strdup(de->d_name);
        if (!v[n].name)
            break;
        v[n++].mtime_ns = m;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, entry_cmp);
    for (size_t i = 0; i < n; i++) {
        switch (ingest_file(ig, cfg, set, fd, v[i].name, now)) {
        case ACCEPTED:
            stats->accepted++;
            accepted++;
            break;
        case PENDING:
            stats->pending++;
            break;
        case REJECTED:
            stats->rejected++;
            break;
        case DEFERRED:
            stats->deferred++;
            if (!ig->settle_due || wall + 5000 < ig->settle_due)
                ig->settle_due = wall + 5000;
            break;
        }
        free(v[i].name);
    }
    free(v);
    closedir(d);
    /* Forget pending files that are gone from the spool. */
    for (size_t i = 0; i < ig->n;) {
        if (!ig->v[i].seen)
            pending_drop(ig, &ig->v[i]);
        else
            i++;
    }
    pending_save(ig);
    return accepted;
}

pl_ms sched_ingest_next_deadline(const struct sched_ingest *ig, const struct pl_config *cfg,
                                 pl_ms now)
{
    pl_ms next = PL_MS_MAX;

    for (size_t i = 0; i < ig->n; i++) {
        pl_ms due = ig->v[i].first_seen + cfg->pending_grace_ms;
        if (due < next)
            next = due;
    }
    if (ig->settle_due) {
        pl_ms due = now + (ig->settle_due - wall_ms());
        if (due < next)
            next = due;
    }
    return next;
}

/* --- the fallback ------------------------------------------------------ */

static int fallback_text(struct pl_campaign *fb)
{
    struct pl_item *it = &fb->items[0];

    memset(it, 0, sizeof *it);
    it->type = PL_ITEM_TEXT;
    it->duration_ms = 10 * PL_MS_PER_SEC;
    it->text = strdup(fb->title && fb->title[0] ? fb->title : "-");
    it->background = 0x000000;
    it->color = 0xffffff;
    fb->nitems = 1;
    return it->text ? 0 : -1;
}

int sched_ingest_fallback(const struct sched_state *st, struct pl_config *cfg)
{
    struct pl_campaign *fb = cfg->fallback;
    int dirfd, ret = 0;
    size_t keep = 0;

    if (!fb || !fb->nitems)
        return 0;
    dirfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; i < fb->nitems; i++) {
        struct pl_item *it = &fb->items[i];
        struct sched_media_info info;
        char sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX], err[1024];
        bool ok = true;

        if (it->type != PL_ITEM_TEXT && it->file) {
            int r = dirfd < 0 ? -errno
                              : sched_probe_file(dirfd, it->file, it->type, &info, err, sizeof err);
            if (r == 0)
                r = sched_store_put(st->media, dirfd, it->file, info.ext, info.sha256,
                                    max_bytes(it->type), sha, media, err, sizeof err);
            if (r < 0) {
                if (dirfd < 0)
                    snprintf(err, sizeof err, "%s: %s", cfg->dir, strerror(-r));
                log_error("%s: fallback item %zu (%s): %s; left out of the fallback", cfg->path, i,
                          it->file, err);
                ok = false;
                ret = -1;
            } else {
                free(it->media);
                it->media = strdup(media);
                memcpy(it->sha256, sha, sizeof sha);
                if (it->type == PL_ITEM_VIDEO && it->duration_ms <= 0)
                    it->duration_ms = info.duration_ms;
                if (!it->media || it->duration_ms <= 0)
                    ok = false;
            }
        }
        if (!ok) {
            pl_item_clear(it);
            continue;
        }
        if (keep != i)
            fb->items[keep] = *it;
        keep++;
    }
    if (dirfd >= 0)
        close(dirfd);
    fb->nitems = keep;
    if (keep == 0 && fallback_text(fb) < 0)
        return -1;
    return ret;
}
