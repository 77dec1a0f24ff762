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
#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "scheduler/campaign.h"
#include "scheduler/fallback.h"
#include "scheduler/history.h"
#include "scheduler/probe.h"
#include "scheduler/store.h"

#define ERR_MAX 16384
#define PENDING_MAX 10000

struct pending {
    char *name;
    pl_ms first_seen;
    bool seen; /* still in the spool during this pass */
};

/* A spool file as last seen: settling is judged against it. */
struct seen {
    char *name;
    struct sched_file_id id;
    int64_t ctime_ns; /* a rename into the spool changes only this */
    pl_ms since;      /* monotonic clock: first seen as it is now */
    bool closed;      /* inotify: closed after writing, or moved in, since */
    bool told_open;   /* "still open for writing" logged */
    bool alive;       /* still in the spool during this pass */
};

/* A spool file ready to be read this pass. */
struct entry {
    char *name;
    char *shown; /* NAME as people read it (utf8_printable) */
    struct sched_file_id id;
    int64_t ctime_ns; /* id.mtime_ns and id.size too */
    int whole;        /* enum whole */
};

struct sched_ingest {
    const struct sched_state *st;
    struct seen *seen;
    size_t nseen, capseen;
    char *pending_path;
    struct pending *v;
    size_t n, cap;
    bool dirty;       /* .pending needs writing */
    pl_ms settle_due; /* wall clock: a file to look at again; 0 = none */
    pl_ms wait_due;   /* the same, for files settling or open for writing only */
    pl_ms pass_now;   /* NOW of the last pass */
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
    ig->pass_now = PL_MS_MIN;
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
    for (size_t i = 0; i < ig->nseen; i++)
        free(ig->seen[i].name);
    free(ig->seen);
    free(ig->pending_path);
    free(ig);
}

/* --- when a spool file is complete ------------------------------------- */

static bool eligible(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".cfg") == 0;
}

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The record of NAME, made anew (not closed, seen from WALL on) when the
 * file is not the one last seen under that name.  NULL on out of memory. */
static struct seen *seen_get(struct sched_ingest *ig, const char *name, const struct stat *sb,
                             pl_ms mono)
{
    struct sched_file_id id = sched_file_id_of(sb);
    struct seen *w = NULL;

    for (size_t i = 0; i < ig->nseen && !w; i++)
        if (strcmp(ig->seen[i].name, name) == 0)
            w = &ig->seen[i];
    if (!w) {
        if (ig->nseen == ig->capseen) {
            size_t cap = ig->capseen ? 2 * ig->capseen : 64;
            struct seen *v = realloc(ig->seen, cap * sizeof *v);
            if (!v)
                return NULL;
            ig->seen = v;
            ig->capseen = cap;
        }
        w = &ig->seen[ig->nseen];
        memset(w, 0, sizeof *w);
        if (!(w->name = strdup(name)))
            return NULL;
        ig->nseen++;
    } else if (sched_file_id_eq(&w->id, &id) && w->ctime_ns == ns_of(&sb->st_ctim)) {
        w->alive = true;
        return w;
    }
    w->id = id;
    w->ctime_ns = ns_of(&sb->st_ctim);
    w->since = mono;
    w->closed = false;
    w->alive = true;
    return w;
}

static void due_at(struct sched_ingest *ig, pl_ms due)
{
    if (!ig->settle_due || due < ig->settle_due)
        ig->settle_due = due;
}

/* A file not whole yet, due to be looked at again at DUE. */
static void wait_for(struct sched_ingest *ig, pl_ms due)
{
    due_at(ig, due);
    if (!ig->wait_due || due < ig->wait_due)
        ig->wait_due = due;
}

/* --- one file ---------------------------------------------------------- */

/* Moves spool/NAME, the file E, to rejected/, its .error written first. */
static int reject(struct sched_ingest *ig, const struct entry *e, const char *why)
{
    const char *name = e->name;
    const struct sched_state *st = ig->st;
    char final[1024], err[1024], shown[UTF8_PRINTABLE_NAME], shown_final[UTF8_PRINTABLE_NAME];
    char *from = NULL, *text = NULL;
    const char *nl = strchr(why, '\n');
    int r = -ENOMEM;

    if (asprintf(&from, "%s/%s", st->spool, name) < 0) {
        from = NULL;
        goto out_free;
    }
    if (asprintf(&text, "%s\n", why) < 0) {
        text = NULL;
        goto out_free;
    }
    r = sched_reject_file(st, from, name, &e->id, text, final, sizeof final, err, sizeof err);
    if (r == -ESTALE) {
        log_info("spool/%s: replaced while it was judged; judging the new file",
                 utf8_printable(name, shown, sizeof shown));
        goto out_free;
    }
    if (r < 0) {
        log_error("%s; it stays in the spool", err);
        goto out_free;
    }
    utf8_printable(name, shown, sizeof shown);
    log_warn("spool/%s: rejected, moved to rejected/%s: %.*s%s", shown,
             utf8_printable(final, shown_final, sizeof shown_final),
             nl ? (int)(nl - why) : (int)strlen(why), why, nl ? " (more in the .error file)" : "");
out_free:
    free(from);
    free(text);
    return r;
}

/* Copies the media of C into the store.  Returns 0, -ESTALE when a medium
 * changed since the probe, or another -errno (logged). */
static int store_media(const struct sched_state *st, int spoolfd, struct pl_campaign *c,
                       const char *shown)
{
    char err[1024];
    int r = sched_store_campaign(st->media, spoolfd, c, err, sizeof err);

    if (r < 0 && r != -ESTALE)
        log_error("spool/%s: %s; will retry", shown, err);
    return r;
}

/* -1, 0, 1 as the version A came before, with, or after B: by when each
 * became complete in the spool (ctime), then mtime, then name. */
static int arrival_cmp(int64_t actime, int64_t amtime, const char *aname, int64_t bctime,
                       int64_t bmtime, const char *bname)
{
    if (actime != bctime)
        return actime < bctime ? -1 : 1;
    if (amtime != bmtime)
        return amtime < bmtime ? -1 : 1;
    return strcmp(aname, bname);
}

/* The message for a file older than the accepted version CUR. */
static void older_message(char *err, size_t errlen, const char *shown, const struct pl_campaign *c,
                          const struct pl_campaign *cur, const pl_tz *tz)
{
    char when_new[PL_TIME_BUFSZ], when_old[PL_TIME_BUFSZ], from[600];

    pl_time_format(cur->arrived_ns / 1000000, tz, when_new, sizeof when_new);
    pl_time_format(c->arrived_ns / 1000000, tz, when_old, sizeof when_old);
    if (cur->restored_from)
        snprintf(from, sizeof from, "version %u, restored from version %u at %s", cur->version,
                 cur->restored_from, when_new);
    else
        snprintf(from, sizeof from, "version %u, from %s, complete in the spool at %s",
                 cur->version, cur->source ? cur->source : "?", when_new);
    snprintf(err, errlen,
             "%s: error: campaign \"%s\" already has a newer version (%s); this file was "
             "complete at %s, before it, so it would undo that replacement.  To make this file "
             "current anyway, copy it into spool/ again; `signagectl history %s` lists every "
             "version",
             shown, c->id, from, when_old, c->id);
}

/* The pending grace for people: "10 min", or "30 s" when under a minute. */
static const char *grace_text(const struct pl_config *cfg, char *buf, size_t len)
{
    if (cfg->pending_grace_ms >= PL_MS_PER_MIN)
        snprintf(buf, len, "%lld min", (long long)(cfg->pending_grace_ms / PL_MS_PER_MIN));
    else
        snprintf(buf, len, "%lld s", (long long)(cfg->pending_grace_ms / PL_MS_PER_SEC));
    return buf;
}

enum outcome { ACCEPTED, PENDING, REJECTED, DEFERRED };

/* How sure we are that a file is whole: CERTAIN when it was closed after
 * writing or nobody has it open for writing, else a failed read may be a
 * read of half a file. */
enum whole { WHOLE_CERTAIN, WHOLE_UNSURE, WHOLE_FORCED };

static enum outcome ingest_file(struct sched_ingest *ig, const struct pl_config *cfg,
                                struct sched_set *set, int spoolfd, const struct entry *e,
                                pl_ms now, pl_ms wall, enum whole whole)
{
    const struct sched_state *st = ig->st;
    const char *name = e->name;
    char *err = malloc(ERR_MAX), *src = NULL, *dst = NULL, shown[UTF8_PRINTABLE_NAME], grace[32];
    struct pl_campaign *c = NULL;
    const struct pl_campaign *cur;
    struct pending *p = pending_find(ig, name);
    enum outcome out = DEFERRED;
    struct strbuf warnings = STRBUF_INIT;
    struct sched_probe_ctx pctx = {st->media, cfg, &warnings};
    struct stat sb;
    int r;

    if (p)
        p->seen = true;
    if (!err)
        return DEFERRED;
    err[0] = '\0';
    snprintf(shown, sizeof shown, "%s", e->shown);
    c = sched_campaign_load(spoolfd, name, shown, cfg, err, ERR_MAX);
    /* Changed while it was read: judge it when it has settled again. */
    if (fstatat(spoolfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || ns_of(&sb.st_ctim) != e->ctime_ns ||
        sb.st_size != e->id.size) {
        wait_for(ig, wall + (cfg->settle_ms > 100 ? cfg->settle_ms : 100));
        goto out_free;
    }
    if (!c) {
        if (!err[0])
            snprintf(err, ERR_MAX, "%s: error: cannot read the file", shown);
        if (whole == WHOLE_UNSURE) {
            /* Perhaps half a file from a writer that paused: it is judged
             * once it has not changed for the grace period. */
            pl_ms due = e->ctime_ns / 1000000 + cfg->pending_grace_ms;
            if (due > wall) {
                if (!p && (p = pending_add(ig, name, now)))
                    log_info("spool/%s: cannot be read yet, perhaps still being written; "
                             "judged when unchanged for %lld s: %.200s",
                             shown, (long long)(cfg->pending_grace_ms / PL_MS_PER_SEC), err);
                due_at(ig, due);
                out = PENDING;
                goto out_free;
            }
        } else if (whole == WHOLE_FORCED) {
            size_t n = strlen(err);
            snprintf(err + n, ERR_MAX - n,
                     "\n%s: note: another program still had the file open for writing after "
                     "%s; if it was still copying, copy it again",
                     shown, grace_text(cfg, grace, sizeof grace));
        }
        out = reject(ig, e, err) == 0 ? REJECTED : DEFERRED;
        goto out_free;
    }
    c->arrived_ns = e->ctime_ns;
    c->mtime_ns = e->id.mtime_ns;
    /* What disk says now: signagectl may have restored or withdrawn it. */
    if (snprintf(err, ERR_MAX, "%s.cfg", c->id) < ERR_MAX)
        sched_set_refresh(set, st, cfg->tz, err);
    err[0] = '\0';
    cur = sched_set_find(set, c->id);
    if (cur && cur->version &&
        arrival_cmp(c->arrived_ns, c->mtime_ns, shown, cur->arrived_ns, cur->mtime_ns,
                    cur->source ? cur->source : "") < 0) {
        older_message(err, ERR_MAX, shown, c, cur, cfg->tz);
        out = reject(ig, e, err) == 0 ? REJECTED : DEFERRED;
        goto out_free;
    }
    switch (sched_probe_campaign(spoolfd, c, &pctx, err, ERR_MAX)) {
    case SCHED_PROBE_OK:
        break;
    case SCHED_PROBE_RETRY:
        /* Not the file's fault (no process or memory for a conversion,
         * or a stop): tried again shortly, never rejected for it. */
        log_warn("spool/%s: cannot be checked now, will try again: %s", shown, err);
        out = DEFERRED;
        goto out_free;
    case SCHED_PROBE_PENDING:
        if (!p)
            p = pending_add(ig, name, now);
        if (p && now - p->first_seen >= cfg->pending_grace_ms) {
            char *why = NULL;
            if (asprintf(&why,
                         "%s: error: media still missing after %s; copy the media "
                         "into spool/ first, then the campaign file\n%s",
                         shown, grace_text(cfg, grace, sizeof grace), err) < 0) {
                out = DEFERRED;
                goto out_free;
            }
            out = reject(ig, e, why) == 0 ? REJECTED : DEFERRED;
            free(why);
        } else {
            if (p && p->first_seen == now)
                log_info("spool/%s: pending, media missing: %s", shown, err);
            if (p)
                p->seen = true;
            out = PENDING;
        }
        goto out_free;
    default:
        out = reject(ig, e, err) == 0 ? REJECTED : DEFERRED;
        goto out_free;
    }
    r = store_media(st, spoolfd, c, shown);
    if (r == -ESTALE) {
        log_info("spool/%s: a medium changed while being accepted; will retry", shown);
        goto out_free;
    }
    if (r < 0)
        goto out_free;
    if (asprintf(&src, "%s/%s", st->spool, name) < 0 ||
        asprintf(&dst, "%s/%s.cfg", st->campaigns, c->id) < 0)
        goto out_free;
    r = sched_history_accept(st, c, cfg->tz, cur, src, &e->id, cfg->history_keep, err, ERR_MAX);
    if (r == -ESTALE) {
        log_info("spool/%s: replaced while it was judged; judging the new file", shown);
        wait_for(ig, wall + (cfg->settle_ms > 100 ? cfg->settle_ms : 100));
        goto out_free;
    }
    if (r < 0) {
        log_error("spool/%s: %s; will retry", shown, err);
        goto out_free;
    }
    if (r == 1)
        log_warn("spool/%s: deleted or replaced in the spool while it was being accepted; it "
                 "was read whole and plays, but its file is not in the history",
                 shown);
    log_info("spool/%s: accepted as campaign \"%s\" version %u (%zu items)%s", shown, c->id,
             c->version, c->nitems,
             cur && cur->version == c->version ? ", finishing what a stop cut short"
             : cur                             ? ", replacing the previous version"
                                               : "");
    /* the set remembers which file it read, to notice a change later */
    struct stat dsb;
    struct sched_file_id fid = {0};
    if (stat(dst, &dsb) == 0)
        fid = sched_file_id_of(&dsb);
    if (sched_set_put(set, c, &fid) < 0)
        log_error("spool/%s: out of memory", shown);
    c = NULL;
    out = ACCEPTED;
    /* Accepted, but an operator should know (journalctl -p warning). */
    for (char *w = warnings.len ? warnings.buf : NULL, *nl; w && *w; w = nl ? nl + 1 : NULL) {
        nl = strchr(w, '\n');
        if (nl)
            *nl = '\0';
        log_warn("spool/%s", w);
    }
out_free:
    if (out != PENDING && out != DEFERRED && (p = pending_find(ig, name)))
        pending_drop(ig, p);
    sb_free(&warnings);
    pl_campaign_free(c);
    free(src);
    free(dst);
    free(err);
    return out;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    return arrival_cmp(x->ctime_ns, x->id.mtime_ns, x->shown, y->ctime_ns, y->id.mtime_ns,
                       y->shown);
}

static bool in_list(const char *name, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

/* Whether spool/NAME (status SB) may be read now, and how sure we are that
 * it is whole.  Returns false (a later pass is due) while it is settling or
 * open for writing. */
static bool ready(struct sched_ingest *ig, const struct pl_config *cfg, int fd, const char *name,
                  const struct stat *sb, pl_ms wall, pl_ms mono, pl_ms settle_ms, bool closed,
                  enum whole *whole)
{
    struct seen *w = seen_get(ig, name, sb, mono);
    pl_ms changed = ns_of(&sb->st_ctim) / 1000000, quiet;
    int writers;

    if (!w)
        return false;
    if (closed)
        w->closed = true;
    /* Unchanged for the settle interval, by our own look or by its ctime
     * (a ctime in the future, from a skewed clock, counts from our look). */
    quiet = mono - w->since;
    if (changed <= wall && wall - changed > quiet)
        quiet = wall - changed;
    if (quiet < settle_ms) {
        wait_for(ig, wall + (settle_ms - quiet));
        return false;
    }
    /* A symbolic link is made in one step; what it leads to is opened
     * with the spool's own checks. */
    writers = S_ISLNK(sb->st_mode) ? 0 : sched_open_for_writing(fd, name);
    if (writers == 1) {
        if (quiet >= cfg->pending_grace_ms) {
            /* A writer that never closes: after the grace, take what is there. */
            *whole = WHOLE_FORCED;
            return true;
        }
        wait_for(ig, wall + 5 * PL_MS_PER_SEC);
        if (!w->told_open) {
            char shown[UTF8_PRINTABLE_NAME];
            log_info("spool/%s: still open for writing; read when it is closed",
                     utf8_printable(name, shown, sizeof shown));
            w->told_open = true;
        }
        return false;
    }
    *whole = writers == 0 || w->closed ? WHOLE_CERTAIN : WHOLE_UNSURE;
    return true;
}

int sched_ingest_pass(struct sched_ingest *ig, const struct pl_config *cfg, struct sched_set *set,
                      pl_ms now, pl_ms settle_ms, const char *const *fresh, size_t nfresh,
                      struct sched_ingest_stats *stats)
{
    struct sched_ingest_stats dummy;
    struct entry *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    pl_ms wall = pclock_wall_ms(), mono = pclock_mono_ms();
    char shown[UTF8_PRINTABLE_NAME];
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
    ig->settle_due = ig->wait_due = 0;
    ig->pass_now = now;
    for (size_t i = 0; i < ig->n; i++)
        ig->v[i].seen = false;
    for (size_t i = 0; i < ig->nseen; i++)
        ig->seen[i].alive = false;
    while ((de = readdir(d))) {
        struct stat sb;
        enum whole whole;
        struct pending *p;
        if (!eligible(de->d_name))
            continue;
        if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode))
            continue; /* directories, FIFOs, sockets named *.cfg: left alone */
        if (!ready(ig, cfg, fd, de->d_name, &sb, wall, mono, settle_ms,
                   in_list(de->d_name, fresh, nfresh), &whole)) {
            stats->deferred++;
            if ((p = pending_find(ig, de->d_name)))
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
        v[n].shown = strdup(utf8_printable(de->d_name, shown, sizeof shown));
        if (!v[n].name || !v[n].shown) {
            free(v[n].name);
            free(v[n].shown);
            break;
        }
        v[n].id = sched_file_id_of(&sb);
        v[n].ctime_ns = ns_of(&sb.st_ctim);
        v[n++].whole = whole;
    }
    /* Oldest first, so that of two versions of a campaign the newer wins. */
    if (n > 1)
        qsort(v, n, sizeof *v, entry_cmp);
    for (size_t i = 0; i < n; i++) {
        switch (ingest_file(ig, cfg, set, fd, &v[i], now, wall, v[i].whole)) {
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
            due_at(ig, wall + 5000);
            break;
        }
        free(v[i].name);
        free(v[i].shown);
    }
    free(v);
    closedir(d);
    /* Forget files that are gone from the spool. */
    for (size_t i = 0; i < ig->n;) {
        if (!ig->v[i].seen)
            pending_drop(ig, &ig->v[i]);
        else
            i++;
    }
    for (size_t i = 0; i < ig->nseen;) {
        if (!ig->seen[i].alive) {
            free(ig->seen[i].name);
            ig->seen[i] = ig->seen[--ig->nseen];
        } else {
            i++;
        }
    }
    pending_save(ig);
    return accepted;
}

pl_ms sched_ingest_settle_deadline(const struct sched_ingest *ig, pl_ms now)
{
    return ig->wait_due ? now + (ig->wait_due - pclock_wall_ms()) : PL_MS_MAX;
}

pl_ms sched_ingest_next_deadline(const struct sched_ingest *ig, const struct pl_config *cfg,
                                 pl_ms now)
{
    pl_ms next = PL_MS_MAX;

    /* A grace that had run out by the last pass was dealt with there: the
     * file was rejected, or waits for something with its own deadline. */
    for (size_t i = 0; i < ig->n; i++) {
        pl_ms due = ig->v[i].first_seen + cfg->pending_grace_ms;
        if (due > ig->pass_now && due < next)
            next = due;
    }
    if (ig->settle_due) {
        pl_ms due = now + (ig->settle_due - pclock_wall_ms());
        if (due < next)
            next = due;
    }
    return next;
}

/* --- the fallback ------------------------------------------------------ */

int sched_ingest_fallback(const struct sched_state *st, struct pl_config *cfg, long *from)
{
    struct pl_campaign *fb = cfg->fallback;
    int dirfd, ret = 0;
    size_t keep = 0;

    if (!fb || !fb->nitems)
        return 0;
    dirfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; i < fb->nitems; i++) {
        struct pl_item *it = &fb->items[i];
        struct sched_media_info info = {.derived_fd = -1};
        char sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX], err[1024];
        bool ok = true;

        if (it->type != PL_ITEM_TEXT && it->file) {
            int r = dirfd < 0 ? -errno
                              : sched_probe_item(dirfd, it, cfg->convert_timeout_ms, &info, err,
                                                 sizeof err);
            if (r == 0 && info.derived_fd >= 0)
                r = sched_store_put_fd(st->media, info.derived_fd, it->file, info.ext, sha, media,
                                       err, sizeof err);
            else if (r == 0)
                r = sched_store_put(st->media, dirfd, it->file, info.ext, info.sha256,
                                    sched_store_max_bytes(it->type), sha, media, err, sizeof err);
            if (r == 0) {
                memcpy(it->source_sha256, info.source_sha256, PL_SHA256_HEX);
                it->type = info.type;
            }
            sched_media_info_release(&info);
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
        if (from)
            from[keep] = (long)i;
        keep++;
    }
    if (dirfd >= 0)
        close(dirfd);
    fb->nitems = keep;
    if (keep == 0) {
        if (from)
            from[0] = -1;
        if (sched_fallback_title_item(fb) < 0)
            return -1;
    }
    return ret;
}
