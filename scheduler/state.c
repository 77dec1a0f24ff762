#include "scheduler/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/grow.h"
#include "common/slurp.h"
#include "common/utf8.h"
#include "common/log.h"
#include "common/parallel.h"
#include "playlists/cfgutil.h"
#include "playlists/normalised.h"

/* --- the tree --------------------------------------------------------- */

static int ensure_dir(const char *path, char *err, size_t errlen)
{
    struct stat sb;

    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot create the directory: %s", path, strerror(e));
        return -e;
    }
    if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: exists but is not a directory; move it away", path);
        return -ENOTDIR;
    }
    return 0;
}

static char *join(const char *a, const char *b)
{
    char *s;

    if (asprintf(&s, "%s/%s", a, b) < 0)
        return NULL;
    return s;
}

struct sched_state *sched_state_open(const char *root, char *err, size_t errlen)
{
    struct sched_state *st = calloc(1, sizeof *st);
    char **dirs[6];
    static const char *const names[6] = {"spool", "campaigns", "rejected",
                                         "media", "playlists", "log"};

    if (!st)
        goto out_nomem;
    st->lockfd = -1;
    st->root = strdup(root);
    if (!st->root)
        goto out_nomem;
    if (ensure_dir(root, err, errlen) < 0)
        goto out_free;
    dirs[0] = &st->spool;
    dirs[1] = &st->campaigns;
    dirs[2] = &st->rejected;
    dirs[3] = &st->media;
    dirs[4] = &st->playlists;
    dirs[5] = &st->log;
    for (int i = 0; i < 6; i++) {
        *dirs[i] = join(root, names[i]);
        if (!*dirs[i])
            goto out_nomem;
        if (ensure_dir(*dirs[i], err, errlen) < 0)
            goto out_free;
    }
    return st;
out_nomem:
    snprintf(err, errlen, "%s: out of memory", root);
out_free:
    sched_state_free(st);
    return NULL;
}

void sched_state_free(struct sched_state *st)
{
    if (!st)
        return;
    sched_state_unlock(st);
    free(st->root);
    free(st->spool);
    free(st->campaigns);
    free(st->rejected);
    free(st->media);
    free(st->playlists);
    free(st->log);
    free(st);
}

int sched_state_lock(struct sched_state *st, char *err, size_t errlen)
{
    char *path;
    int fd, e;

    if (st->lockfd >= 0)
        return 0;
    path = join(st->root, ".lock");
    if (!path) {
        snprintf(err, errlen, "%s/.lock: out of memory", st->root);
        return -ENOMEM;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        e = errno;
        snprintf(err, errlen, "%s: cannot open the lock file: %s", path, strerror(e));
        free(path);
        return -e;
    }
    while (flock(fd, LOCK_EX) < 0) {
        if (errno == EINTR)
            continue;
        e = errno;
        snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(e));
        close(fd);
        free(path);
        return -e;
    }
    free(path);
    st->lockfd = fd;
    return 0;
}

void sched_state_unlock(struct sched_state *st)
{
    if (!st || st->lockfd < 0)
        return;
    flock(st->lockfd, LOCK_UN);
    close(st->lockfd);
    st->lockfd = -1;
}

/* --- files arriving ------------------------------------------------- */

int sched_open_for_writing(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    int r;

    if (fd < 0)
        return -1;
    /* A read lease is granted only while nobody has the file open for
     * writing.  It is given back at once; the caller ignores SIGIO, the
     * signal a writer opening the file meanwhile would send. */
    if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
        fcntl(fd, F_SETLEASE, F_UNLCK);
        r = 0;
    } else {
        r = errno == EAGAIN || errno == EBUSY ? 1 : -1;
    }
    close(fd);
    return r;
}

/* --- moving files ----------------------------------------------------- */

/* atomic_fill_temp()'s FILL: the file open as *CTX, copied. */
static int copy_from(int fd, void *ctx)
{
    return atomic_copy_fd(*(int *)ctx, fd, NULL, NULL);
}

/* Copies FROM to TO (created exclusively unless REPLACE) through a synced
 * temporary file, then removes FROM. */
static int move_by_copy(const char *from, const char *to, bool replace)
{
    char *tmp = NULL;
    int in = -1, r;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", to) < 0)
        return -ENOMEM;
    in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) {
        r = -errno;
        goto out_free;
    }
    r = atomic_fill_temp(tmp, 0644, copy_from, &in, NULL);
    if (r < 0)
        goto out_close;
    if (replace)
        r = rename(tmp, to) < 0 ? -errno : 0;
    else
        r = link(tmp, to) < 0 ? -errno : 0;
    unlink(tmp);
    if (r == 0 && unlink(from) < 0)
        r = -errno;
out_close:
    close(in);
out_free:
    free(tmp);
    return r;
}

static int move_one(const char *from, const char *to, bool replace)
{
    int r;

    if (replace)
        r = rename(from, to) < 0 ? -errno : 0;
    else
        r = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0 ? -errno : 0;
    if (r == -EINVAL && !replace) {
        /* A file system without RENAME_NOREPLACE: link never overwrites. */
        r = link(from, to) < 0 ? -errno : 0;
        if (r == 0)
            unlink(from);
    }
    if (r == -EXDEV)
        r = move_by_copy(from, to, replace);
    return r;
}

struct sched_file_id sched_file_id_of(const struct stat *sb)
{
    return (struct sched_file_id){sb->st_dev, sb->st_ino, sb->st_size,
                                  (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec};
}

bool sched_file_id_eq(const struct sched_file_id *a, const struct sched_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

bool sched_file_is(const char *path, const struct sched_file_id *id)
{
    struct stat sb;
    struct sched_file_id now;

    if (!id)
        return true;
    if (lstat(path, &sb) < 0)
        return false;
    now = sched_file_id_of(&sb);
    return sb.st_dev != id->dev || sched_file_id_eq(&now, id);
}

/* TO was moved from FROM but is another file than the one read, put there
 * by its owner just before: it goes back to FROM (or beside it, numbered,
 * when FROM is taken again) to be judged on its own. */
static void put_back(const char *to, const char *from)
{
    const char *slash = strrchr(from, '/');
    char *dcopy = strdup(from), err[256];

    if (move_one(to, from, false) == 0 || !dcopy || !slash) {
        free(dcopy);
        return;
    }
    sched_move_file(to, dirname(dcopy), slash + 1, false, NULL, 0, err, sizeof err);
    free(dcopy);
}

/* DIR/NAME when N is 0, else DIR/BASE.N.EXT.  Returns 0, or -ENAMETOOLONG
 * when it does not fit in LEN bytes. */
static int numbered_path(char *buf, size_t len, const char *dir, const char *name, int n)
{
    const char *dot = strrchr(name, '.');
    size_t baselen = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    const char *ext = dot && dot != name ? dot : "";
    int w = n == 0 ? snprintf(buf, len, "%s/%s", dir, name)
                   : snprintf(buf, len, "%s/%.*s.%d%s", dir, (int)baselen, name, n, ext);

    return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

int sched_move_file(const char *from, const char *dir, const char *name, bool replace, char *final,
                    size_t finallen, char *err, size_t errlen)
{
    char to[PATH_MAX];
    int r = -EEXIST;

    for (int n = 0; n < 1000 && r == -EEXIST; n++) {
        r = numbered_path(to, sizeof to, dir, name, n);
        if (r == 0)
            r = move_one(from, to, replace);
    }
    if (r < 0) {
        snprintf(err, errlen, "%s: cannot move into %s/: %s", from, dir, strerror(-r));
    } else {
        atomic_sync_dir(dir);
        if (final && finallen)
            snprintf(final, finallen, "%s", to + strlen(dir) + 1);
    }
    return r;
}

int sched_move_checked(const char *from, const char *dir, const char *name,
                       const struct sched_file_id *id, char *err, size_t errlen)
{
    char final[NAME_MAX + 1], to[PATH_MAX];
    int r = sched_move_file(from, dir, name, true, final, sizeof final, err, errlen);

    if (r < 0)
        return r;
    snprintf(to, sizeof to, "%s/%s", dir, final);
    if (sched_file_is(to, id))
        return 0;
    put_back(to, from);
    snprintf(err, errlen, "%s: replaced by another file just before it was moved", from);
    return -ESTALE;
}

/* --- withdrawing ----------------------------------------------------- */

int sched_state_withdraw(const struct sched_state *st, const char *id, char *err, size_t errlen)
{
    char *cfg = NULL;
    int r = 0;

    if (!pl_id_valid(id)) {
        snprintf(err, errlen, "\"%s\" is not a campaign id; `signagectl list` shows them", id);
        return -ENOENT;
    }
    if (asprintf(&cfg, "%s/%s.cfg", st->campaigns, id) < 0) {
        snprintf(err, errlen, "%s: out of memory", st->campaigns);
        return -ENOMEM;
    }
    /* Only the link to the current version goes: history keeps it. */
    if (unlink(cfg) < 0)
        r = -errno;
    else
        atomic_sync_dir(st->campaigns);
    if (r == -ENOENT)
        snprintf(err, errlen, "no accepted campaign \"%s\"; `signagectl list` shows them", id);
    else if (r < 0)
        snprintf(err, errlen, "%s: cannot remove: %s", cfg, strerror(-r));
    free(cfg);
    return r;
}

/* --- rejecting ---------------------------------------------------------- */

/* The longest rejected name kept whole: room for ".NNN" and
 * ".error.tmp.XXXXXX" within a 255-byte directory entry. */
#define REJECT_NAME_MAX 200

/* NAME, or when it is longer than REJECT_NAME_MAX its first bytes (cut at a
 * character boundary when it is UTF-8) with "~" before its extension. */
static void reject_name(const char *name, char *out, size_t outlen)
{
    const char *dot = strrchr(name, '.');
    size_t len = strlen(name), ext = dot ? strlen(dot) : 0, keep;

    if (len <= REJECT_NAME_MAX || ext > 16) {
        snprintf(out, outlen, "%.*s", REJECT_NAME_MAX, name);
        return;
    }
    keep = REJECT_NAME_MAX - ext - 1;
    while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
        keep--;
    snprintf(out, outlen, "%.*s~%s", (int)keep, name, dot);
}

int sched_reject_file(const struct sched_state *st, const char *from, const char *name,
                      const struct sched_file_id *id, const char *why, char *final, size_t finallen,
                      char *err, size_t errlen)
{
    char to[PATH_MAX], epath[PATH_MAX + 8], base[REJECT_NAME_MAX + 1];
    int r = -EEXIST;

    reject_name(name, base, sizeof base);
    for (int n = 0; n < 1000 && r == -EEXIST; n++) {
        struct stat sb;
        r = numbered_path(to, sizeof to, st->rejected, base, n);
        if (r < 0)
            break;
        r = -EEXIST;
        if (lstat(to, &sb) == 0)
            continue;
        snprintf(epath, sizeof epath, "%s.error", to);
        /* The reason first: a crash now leaves an .error with no file,
         * which the next start removes, and the file still in the spool. */
        r = atomic_create_file(epath, why, strlen(why), 0644, err, errlen);
        if (r == -EEXIST)
            continue;
        if (r < 0)
            return r;
        r = sched_file_is(from, id) ? move_one(from, to, false) : -ESTALE;
        if (r == 0 && !sched_file_is(to, id)) {
            put_back(to, from);
            r = -ESTALE;
        }
        if (r < 0) {
            unlink(epath);
            atomic_sync_dir(st->rejected);
        }
    }
    if (r < 0) {
        char shown[UTF8_PRINTABLE_NAME];
        snprintf(err, errlen, "spool/%s: cannot move into %s/: %s",
                 utf8_printable(name, shown, sizeof shown), st->rejected, strerror(-r));
        return r;
    }
    atomic_sync_dir(st->rejected);
    if (final && finallen)
        snprintf(final, finallen, "%s", to + strlen(st->rejected) + 1);
    return 0;
}

/* --- the set ---------------------------------------------------------- */

struct sched_set *sched_set_new(void)
{
    return calloc(1, sizeof(struct sched_set));
}

static void set_clear(struct sched_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        pl_campaign_free(set->v[i].c);
    set->n = 0;
}

void sched_set_free(struct sched_set *set)
{
    if (!set)
        return;
    set_clear(set);
    free(set->v);
    free(set);
}

/* Index of ID, or -(insertion point) - 1. */
static long set_index(const struct sched_set *set, const char *id)
{
    size_t lo = 0, hi = set->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->v[mid].c->id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

const struct pl_campaign **sched_set_campaigns(const struct sched_set *set)
{
    const struct pl_campaign **v = malloc((set->n ? set->n : 1) * sizeof *v);

    for (size_t i = 0; v && i < set->n; i++)
        v[i] = set->v[i].c;
    return v;
}

const struct pl_campaign *sched_set_find(const struct sched_set *set, const char *id)
{
    long i = set_index(set, id);

    return i >= 0 ? set->v[i].c : NULL;
}

int sched_set_put(struct sched_set *set, struct pl_campaign *c, const struct sched_file_id *id)
{
    long i = set_index(set, c->id);
    struct sched_set_entry *e;

    if (i >= 0) {
        e = &set->v[i];
        pl_campaign_free(e->c);
    } else {
        size_t at = (size_t)(-i - 1);
        struct sched_set_entry *v = grow_array(set->v, &set->cap, set->n, sizeof *v, 16);
        if (!v) {
            pl_campaign_free(c);
            return -1;
        }
        set->v = v;
        memmove(&set->v[at + 1], &set->v[at], (set->n - at) * sizeof *set->v);
        set->n++;
        e = &set->v[at];
    }
    memset(e, 0, sizeof *e);
    e->c = c;
    e->serial = ++set->next_serial;
    e->digest = pl_campaign_digest(c);
    if (id)
        e->id = *id;
    return 0;
}

int sched_set_remove(struct sched_set *set, const char *id)
{
    long i = set_index(set, id);

    if (i < 0)
        return -1;
    pl_campaign_free(set->v[i].c);
    memmove(&set->v[i], &set->v[i + 1], (set->n - (size_t)i - 1) * sizeof *set->v);
    set->n--;
    return 0;
}

/* Reads campaigns/NAME into SET; -1 (logged) when it cannot be read. */
static int set_read(struct sched_set *set, const struct sched_state *st, const char *name,
                    const pl_tz *tz)
{
    char err[1024] = "";
    struct stat sb;
    struct pl_campaign *c =
        pl_campaign_read_accepted(st->campaigns, name, tz, &sb, err, sizeof err);

    if (!c) {
        log_error("%s; left out", err);
        return -1;
    }
    struct sched_file_id id = sched_file_id_of(&sb);
    return sched_set_put(set, c, &id);
}

/* One campaign file of a load, read on whichever thread took it. */
struct load_one {
    char *name;
    struct pl_campaign *c;
    struct stat sb;
    char *err;
};

struct load_job {
    const struct sched_state *st;
    const pl_tz *tz;
    struct load_one *v;
};

static void load_one(void *ctx, size_t i)
{
    const struct load_job *j = ctx;
    struct load_one *o = &j->v[i];
    char err[1024] = "";

    o->c = pl_campaign_read_accepted(j->st->campaigns, o->name, j->tz, &o->sb, err, sizeof err);
    if (!o->c)
        o->err = strdup(err);
}

static int load_cmp(const void *a, const void *b)
{
    const struct load_one *x = a, *y = b;

    if (!x->c != !y->c)
        return x->c ? -1 : 1; /* the ones read, then the ones refused */
    return x->c ? strcmp(x->c->id, y->c->id) : strcmp(x->name, y->name);
}

#define LOAD_PARALLEL 64 /* campaigns from which they are read over the cores */

int sched_set_load(struct sched_set *set, const struct sched_state *st, const pl_tz *tz)
{
    struct load_job j = {.st = st, .tz = tz};
    size_t n = 0, cap = 0;
    DIR *d = opendir(st->campaigns);
    struct dirent *de;
    int bad = 0;

    if (!d) {
        log_error("%s: cannot read the directory: %s", st->campaigns, strerror(errno));
        return -1;
    }
    set_clear(set);
    while ((de = readdir(d))) {
        if (!pl_is_campaign_name(de->d_name))
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            struct load_one *v = realloc(j.v, ncap * sizeof *v);
            if (!v)
                break;
            j.v = v;
            cap = ncap;
        }
        memset(&j.v[n], 0, sizeof j.v[n]);
        if (!(j.v[n].name = strdup(de->d_name)))
            break;
        n++;
    }
    if (de) {
        log_error("%s: out of memory reading the campaigns", st->campaigns);
        bad = -1;
    }
    closedir(d);
    /* Parsed over the cores; put in order of id, so each goes at the end. */
    if (bad == 0)
        parallel_for(n, LOAD_PARALLEL, load_one, &j);
    if (n > 1)
        qsort(j.v, n, sizeof *j.v, load_cmp);
    for (size_t i = 0; i < n; i++) {
        struct load_one *o = &j.v[i];
        if (bad >= 0 && !o->c) {
            log_error("%s; left out", o->err ? o->err : "out of memory");
            bad++;
        } else if (o->c) {
            struct sched_file_id id = sched_file_id_of(&o->sb);
            if (sched_set_put(set, o->c, &id) < 0 && bad >= 0)
                bad++;
        }
        free(o->name);
        free(o->err);
    }
    free(j.v);
    return bad;
}

int sched_set_refresh(struct sched_set *set, const struct sched_state *st, const pl_tz *tz,
                      const char *name)
{
    char id[PL_ID_MAX + 1];
    struct sched_file_id now;
    struct stat sb;
    char *path;
    long i;

    if (!pl_is_campaign_name(name))
        return 0;
    snprintf(id, sizeof id, "%.*s", (int)(strlen(name) - 4), name);
    i = set_index(set, id);
    path = join(st->campaigns, name);
    if (!path)
        return -1;
    if (lstat(path, &sb) < 0) {
        free(path);
        return i >= 0 && sched_set_remove(set, id) == 0 ? 1 : 0;
    }
    now = sched_file_id_of(&sb);
    if (i >= 0 && sched_file_id_eq(&set->v[i].id, &now)) {
        free(path);
        return 0;
    }
    free(path);
    return set_read(set, st, name, tz) == 0 ? 1 : -1;
}

/* --- repair after a crash ----------------------------------------------- */

int sched_remove_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d))) {
        if (!atomic_is_temp_name(de->d_name))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
            log_info("%s/%s: removed a temporary file left by a crash", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    if (n)
        atomic_sync_dir(dir);
    return n;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* rejected/: every file with its .error, no .error without its file. */
static int repair_rejected(const struct sched_state *st)
{
    DIR *d = opendir(st->rejected);
    struct dirent *de;
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d))) {
        char other[NAME_MAX + 8], shown[UTF8_PRINTABLE_NAME];
        struct stat sb;
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.' || atomic_is_temp_name(de->d_name))
            continue;
        if (ends_with(de->d_name, ".cfg.error")) {
            snprintf(other, sizeof other, "%.*s", (int)(len - 6), de->d_name);
            if (fstatat(dirfd(d), other, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
                unlinkat(dirfd(d), de->d_name, 0) == 0) {
                log_info("rejected/%s: removed; its file never moved here (a crash came first) "
                         "and is judged again from the spool",
                         utf8_printable(de->d_name, shown, sizeof shown));
                n++;
            }
        } else if (ends_with(de->d_name, ".cfg")) {
            char path[PATH_MAX + 8], *why = NULL;
            snprintf(other, sizeof other, "%s.error", de->d_name);
            if (fstatat(dirfd(d), other, &sb, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                continue;
            utf8_printable(de->d_name, shown, sizeof shown);
            if (asprintf(&why,
                         "%s: error: the scheduler stopped before it wrote why this file was "
                         "rejected; `signagectl check rejected/%s` tells what is wrong with it\n",
                         shown, shown) < 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", st->rejected, other);
            if (atomic_create_file(path, why, strlen(why), 0644, NULL, 0) == 0) {
                log_info("rejected/%s: wrote the missing .error", shown);
                n++;
            }
            free(why);
        }
    }
    closedir(d);
    return n;
}

int sched_state_repair(const struct sched_state *st)
{
    const char *dirs[] = {st->root, st->campaigns, st->playlists, st->media, st->rejected};
    int n = 0;

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        n += sched_remove_temps(dirs[i]);
    n += repair_rejected(st);
    return n;
}
