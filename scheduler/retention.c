/* retention.c - see retention.h. */
#include "scheduler/retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/grow.h"
#include "common/log.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "playlists/logkeep.h"
#include "scheduler/campaign.h"

#define UNUSED_FILE ".media-unused" /* in STATE: "<medium> <ms first seen unused>" lines */
#define REF_FILE_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define SPOOL_DEPTH 16
#define HEX_LEN 64

/* --- small helpers ------------------------------------------------------ */

static pl_ms ms_of(const struct timespec *ts)
{
    return (pl_ms)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* When the file came where it is: the later of its mtime and ctime. */
static pl_ms arrived(const struct stat *sb)
{
    pl_ms m = ms_of(&sb->st_mtim), c = ms_of(&sb->st_ctim);
    return m > c ? m : c;
}

static bool aged(pl_ms since, pl_ms now, int days)
{
    return days > 0 && now - since >= (pl_ms)days * PL_MS_PER_DAY;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static bool skipped_name(const char *name)
{
    return name[0] == '.' || atomic_is_temp_name(name);
}

/* A sorted list of strings, for "is this one referenced". */
struct names {
    char **v;
    size_t n, cap;
    bool failed; /* out of memory, or a source could not be read */
};

static void names_add(struct names *s, const char *p, size_t len)
{
    char **v = grow_array(s->v, &s->cap, s->n, sizeof *v, 64);

    if (!v) {
        s->failed = true;
        return;
    }
    s->v = v;
    if (!(s->v[s->n] = strndup(p, len))) {
        s->failed = true;
        return;
    }
    s->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_sort(struct names *s)
{
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static bool names_has(const struct names *s, const char *p)
{
    return s->n && bsearch(&p, s->v, s->n, sizeof *s->v, cmp_str);
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* --- rejected/ ------------------------------------------------------------ */

static int prune_rejected(const struct sched_state *st, const struct pl_config *cfg, pl_ms now,
                          struct sched_prune_stats *ps)
{
    DIR *d;
    struct dirent *de;
    int ret = 0;

    if (cfg->rejected_keep_days <= 0 || !(d = opendir(st->rejected)))
        return 0;
    while ((de = readdir(d))) {
        char other[NAME_MAX + 8], shown[UTF8_PRINTABLE_NAME];
        struct stat sb, eb;
        bool is_error = ends_with(de->d_name, ".error"), has_other;
        pl_ms t;

        if (skipped_name(de->d_name) ||
            fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(sb.st_mode))
            continue;
        if (is_error)
            snprintf(other, sizeof other, "%.*s", (int)(strlen(de->d_name) - 6), de->d_name);
        else
            snprintf(other, sizeof other, "%s.error", de->d_name);
        has_other = fstatat(dirfd(d), other, &eb, AT_SYMLINK_NOFOLLOW) == 0;
        /* A pair goes with its file; an .error alone goes by itself. */
        if (is_error && has_other)
            continue;
        t = arrived(&sb);
        if (has_other && arrived(&eb) > t)
            t = arrived(&eb);
        if (!aged(t, now, cfg->rejected_keep_days))
            continue;
        utf8_printable(de->d_name, shown, sizeof shown);
        if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
            log_warn("rejected/%s: cannot remove: %s", shown, strerror(errno));
            ret = -1;
            continue;
        }
        if (has_other)
            unlinkat(dirfd(d), other, 0);
        log_info("rejected/%s: removed, %d days after it was rejected (rejected_keep_days)", shown,
                 cfg->rejected_keep_days);
        ps->rejected++;
        ps->bytes += (uint64_t)sb.st_size;
    }
    closedir(d);
    atomic_sync_dir(st->rejected);
    return ret;
}

/* --- spool/ --------------------------------------------------------------- */

/* P as the ingest resolves it beneath spool/: without "./" and repeated
 * slashes. */
static void spool_key(const char *p, char *out, size_t outlen)
{
    size_t o = 0;

    while (*p && o + 1 < outlen) {
        if ((p[0] == '.' && p[1] == '/') && (o == 0 || out[o - 1] == '/')) {
            p += 2;
            continue;
        }
        if (p[0] == '/' && (o == 0 || out[o - 1] == '/')) {
            p++;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

static void add_files(struct names *refs, const struct pl_campaign *c)
{
    char key[PATH_MAX];

    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i].file) {
            spool_key(c->items[i].file, key, sizeof key);
            names_add(refs, key, strlen(key));
        }
}

/* The files the campaign files waiting in the spool use.  False when one
 * cannot be read: what it uses is unknown, so nothing is moved. */
static bool waiting_files(const struct pl_config *cfg, int spoolfd, struct names *refs)
{
    DIR *d;
    struct dirent *de;
    int fd = dup(spoolfd);
    bool ok = true;

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    rewinddir(d); /* the copy shares its position with SPOOLFD */
    while ((de = readdir(d))) {
        char err[1024];
        struct pl_campaign *c;
        if (skipped_name(de->d_name) || !ends_with(de->d_name, ".cfg"))
            continue;
        c = sched_campaign_load(spoolfd, de->d_name, de->d_name, cfg, err, sizeof err);
        if (!c) {
            log_debug("spool/%s: not read for retention (%s); the spool is left as it is today",
                      de->d_name, err);
            ok = false;
            break;
        }
        add_files(refs, c);
        pl_campaign_free(c);
    }
    closedir(d);
    return ok;
}

struct spool_walk {
    const struct sched_state *st;
    const struct pl_config *cfg;
    const struct names *refs;
    pl_ms now;
    struct sched_prune_stats *ps;
    int ret;
};

static void leftover(struct spool_walk *w, const char *rel, const char *name, const struct stat *sb)
{
    char *from = NULL, *why = NULL, final[NAME_MAX + 1], err[1024], shown[UTF8_PRINTABLE_NAME];
    struct sched_file_id id = sched_file_id_of(sb);

    utf8_printable(rel, shown, sizeof shown);
    if (asprintf(&from, "%s/%s", w->st->spool, rel) < 0) {
        from = NULL;
        goto out;
    }
    if (asprintf(&why,
                 "spool/%s: warning: no campaign has used this file for %d days "
                 "(spool_keep_days): no campaign file waiting in the spool names it, and no "
                 "accepted campaign that plays or ended less than %d days ago.  It was moved "
                 "here, and is removed from rejected/ after %d more days.  To use it again, "
                 "copy it back into spool/%s with a campaign file that names it.\n",
                 shown, w->cfg->spool_keep_days, w->cfg->spool_keep_days,
                 w->cfg->rejected_keep_days, shown) < 0) {
        why = NULL;
        goto out;
    }
    if (sched_reject_file(w->st, from, name, &id, why, final, sizeof final, err, sizeof err) < 0) {
        log_warn("%s; it stays in the spool", err);
        w->ret = -1;
        goto out;
    }
    log_warn("spool/%s: used by no campaign for %d days; moved to rejected/%s", shown,
             w->cfg->spool_keep_days, final);
    w->ps->spool++;
out:
    free(from);
    free(why);
}

static void walk_spool(struct spool_walk *w, int dfd, const char *prefix, int depth)
{
    DIR *d;
    struct dirent *de;
    int fd = dup(dfd);

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);
    while ((de = readdir(d))) {
        char rel[PATH_MAX];
        struct stat sb;

        if (skipped_name(de->d_name) || fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (snprintf(rel, sizeof rel, "%s%s", prefix, de->d_name) >= (int)sizeof rel)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0 && depth < SPOOL_DEPTH && strlen(rel) + 2 < sizeof rel) {
                strcat(rel, "/");
                walk_spool(w, sub, rel, depth + 1);
            }
            if (sub >= 0)
                close(sub);
            continue;
        }
        /* Campaign files are the ingest's; links and FIFOs are left. */
        if (!S_ISREG(sb.st_mode) || (depth == 0 && ends_with(de->d_name, ".cfg")) ||
            !aged(arrived(&sb), w->now, w->cfg->spool_keep_days) || names_has(w->refs, rel))
            continue;
        leftover(w, rel, de->d_name, &sb);
    }
    closedir(d);
}

static int prune_spool(const struct sched_state *st, const struct pl_config *cfg,
                       const struct sched_set *set, pl_ms now, struct sched_prune_stats *ps)
{
    struct names refs = {0};
    struct spool_walk w = {st, cfg, &refs, now, ps, 0};
    pl_ms since = now - (pl_ms)cfg->spool_keep_days * PL_MS_PER_DAY;
    int fd;

    if (cfg->spool_keep_days <= 0)
        return 0;
    if ((fd = open(st->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].c->end > since)
            add_files(&refs, set->v[i].c);
    if (waiting_files(cfg, fd, &refs) && !refs.failed) {
        names_sort(&refs);
        walk_spool(&w, fd, "", 0);
    }
    close(fd);
    names_free(&refs);
    return w.ret;
}

/* --- media/ --------------------------------------------------------------- */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Every run of exactly 64 lowercase hex digits in the file PATH: whatever
 * its format (campaign, history version, playlist of any format, the
 * fallback's record), a file that names a medium's hash keeps it.  A file
 * that is gone is fine; one that cannot be read marks REFS failed. */
static void scan_refs(struct names *refs, const char *path)
{
    char *text, err[512];
    size_t len, run = 0;
    int r = slurp_path(path, NULL, REF_FILE_MAX_BYTES, &text, &len, err, sizeof err);

    if (r == -ENOENT)
        return;
    if (r < 0) {
        log_warn("%s; no medium is removed today", err);
        refs->failed = true;
        return;
    }
    for (size_t i = 0; i <= len; i++) {
        if (i < len && is_hex(text[i])) {
            run++;
            continue;
        }
        if (run == HEX_LEN)
            names_add(refs, text + i - HEX_LEN, HEX_LEN);
        run = 0;
    }
    free(text);
}

/* Scans every file of DIR whose name ends with TAIL; with DEPTH 1, those
 * of each folder of DIR too. */
static void scan_dir(struct names *refs, const char *dir, const char *tail, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        if (errno != ENOENT) {
            log_warn("%s: cannot read: %s; no medium is removed today", dir, strerror(errno));
            refs->failed = true;
        }
        return;
    }
    while ((de = readdir(d))) {
        char *p = NULL;
        struct stat sb;
        if (skipped_name(de->d_name))
            continue;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
            refs->failed = true;
            break;
        }
        if (lstat(p, &sb) < 0) {
            if (errno != ENOENT) { /* gone since readdir is fine */
                log_warn("%s: %s; no medium is removed today", p, strerror(errno));
                refs->failed = true;
            }
        } else if (S_ISDIR(sb.st_mode) && depth > 0) {
            scan_dir(refs, p, tail, depth - 1);
        } else if (S_ISREG(sb.st_mode) && ends_with(de->d_name, tail)) {
            scan_refs(refs, p);
        }
        free(p);
    }
    closedir(d);
}

static void add_hashes(struct names *refs, const struct pl_campaign *c)
{
    for (size_t i = 0; c && i < c->nitems; i++) {
        if (c->items[i].sha256[0])
            names_add(refs, c->items[i].sha256, strlen(c->items[i].sha256));
        if (c->items[i].source_sha256[0])
            names_add(refs, c->items[i].source_sha256, strlen(c->items[i].source_sha256));
    }
}

/* A store name, "<64 hex>.<ext>". */
static bool medium_name(const char *name)
{
    size_t n = strlen(name);

    if (n < HEX_LEN + 2 || name[HEX_LEN] != '.')
        return false;
    for (size_t i = 0; i < HEX_LEN; i++)
        if (!is_hex(name[i]))
            return false;
    return true;
}

/* STATE/.media-unused: when each unreferenced medium was first seen so. */
/* STATE/.media-unused: one "<medium> <ms first seen unused>" line each.
 * NAMES gets the lines that read well, sorted by medium.  Returns whether
 * there was such a file. */
static bool unused_load(const char *path, struct names *names)
{
    char *text, err[512], *line, *save = NULL;
    size_t len;

    if (slurp_path(path, NULL, REF_FILE_MAX_BYTES, &text, &len, err, sizeof err) < 0)
        return false;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' '), *end;
        if (!sp || (size_t)(sp - line) > NAME_MAX)
            continue;
        *sp = '\0';
        errno = 0;
        (void)strtoll(sp + 1, &end, 10);
        if (errno || *end || sp[1] == '\0' || !medium_name(line))
            continue;
        *sp = ' ';
        names_add(names, line, strlen(line));
    }
    free(text);
    names_sort(names);
    return true;
}

/* Compares the medium KEY with the medium of a record line. */
static int cmp_record(const void *key, const void *elem)
{
    const char *k = key, *r = *(char *const *)elem;
    size_t n = strcspn(r, " ");
    int c = strncmp(k, r, n);

    return c ? c : (k[n] != '\0');
}

/* When NAME was first seen unused: its record's time, else NOW. */
static pl_ms unused_since(const struct names *names, const char *name, pl_ms now)
{
    char *const *r =
        names->n ? bsearch(name, names->v, names->n, sizeof *names->v, cmp_record) : NULL;
    long long t;

    if (!r)
        return now;
    t = strtoll(strchr(*r, ' ') + 1, NULL, 10);
    return t < now ? (pl_ms)t : now;
}

static int prune_media(const struct sched_state *st, const struct pl_config *cfg,
                       const struct sched_set *set, pl_ms now, struct sched_prune_stats *ps)
{
    struct names refs = {0}, old = {0};
    struct strbuf keep = STRBUF_INIT;
    char *fallback = NULL, *record = NULL, err[512];
    DIR *d = NULL;
    struct dirent *de;
    bool had;
    int ret = 0;

    if (cfg->media_grace_days <= 0)
        return 0;
    for (size_t i = 0; i < set->n; i++)
        add_hashes(&refs, set->v[i].c);
    add_hashes(&refs, cfg->fallback);
    /* current, and every version: campaigns/history/<id>/<n>.cfg, two down */
    scan_dir(&refs, st->campaigns, ".cfg", 2);
    scan_dir(&refs, st->playlists, ".playlist", 0);
    if (asprintf(&fallback, "%s/.fallback", st->root) < 0 ||
        asprintf(&record, "%s/" UNUSED_FILE, st->root) < 0) {
        ret = -1;
        goto out;
    }
    scan_refs(&refs, fallback);
    if (refs.failed || !(d = opendir(st->media))) {
        ret = -1;
        goto out;
    }
    names_sort(&refs);
    had = unused_load(record, &old);
    while ((de = readdir(d))) {
        char hash[HEX_LEN + 1], shown[UTF8_PRINTABLE_NAME];
        struct stat sb;
        pl_ms t;

        if (!medium_name(de->d_name) ||
            fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
            continue;
        memcpy(hash, de->d_name, HEX_LEN);
        hash[HEX_LEN] = '\0';
        if (names_has(&refs, hash))
            continue;
        t = unused_since(&old, de->d_name, now);
        if (!aged(t, now, cfg->media_grace_days)) {
            sb_printf(&keep, "%s %lld\n", de->d_name, (long long)t);
            ps->media_waiting++;
            continue;
        }
        if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
            log_warn("media/%s: cannot remove: %s", utf8_printable(de->d_name, shown, sizeof shown),
                     strerror(errno));
            ret = -1;
            continue;
        }
        log_info("media/%s: removed: nothing has used it for %d days (media_grace_days)",
                 de->d_name, cfg->media_grace_days);
        ps->media++;
        ps->bytes += (uint64_t)sb.st_size;
    }
    if (ps->media)
        atomic_sync_dir(st->media);
    if (sb_failed(&keep)) {
        ret = -1;
    } else if (keep.len) {
        if (atomic_write_file(record, sb_str(&keep), keep.len, 0644, err, sizeof err) < 0) {
            log_warn("%s", err);
            ret = -1;
        }
    } else if (had && unlink(record) < 0 && errno != ENOENT) {
        log_warn("%s: cannot remove: %s", record, strerror(errno));
        ret = -1;
    }
out:
    if (d)
        closedir(d);
    sb_free(&keep);
    names_free(&refs);
    names_free(&old);
    free(fallback);
    free(record);
    return ret;
}

int sched_prune(const struct sched_state *st, const struct pl_config *cfg,
                const struct sched_set *set, pl_ms now, struct sched_prune_stats *ps)
{
    struct pl_log_prune_stats ls = {0};
    int ret = 0;

    memset(ps, 0, sizeof *ps);
    if (pl_log_prune(st->log, cfg->tz, now, cfg->log_keep_days, NULL, NULL, &ls) < 0)
        ret = -1;
    ps->logs = ls.removed;
    ps->bytes = ls.bytes;
    if (prune_rejected(st, cfg, now, ps) < 0)
        ret = -1;
    if (prune_spool(st, cfg, set, now, ps) < 0)
        ret = -1;
    if (prune_media(st, cfg, set, now, ps) < 0)
        ret = -1;
    return ret;
}
