#include "common/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *atomic_dir_of(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return NULL;
    char *s = strrchr(d, '/');
    if (!s) {
        free(d);
        return strdup(".");
    }
    if (s == d)
        s[1] = '\0';
    else
        *s = '\0';
    return d;
}

int atomic_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0 && errno != EINVAL)
        r = -errno;
    close(fd);
    return r;
}

/* atomic_fill_temp(), flushing the file only when FLUSH; SB (may be NULL)
 * gets the file's identity. */
static int fill_temp(char *tmpl, mode_t mode, int (*fill)(int fd, void *ctx), void *ctx, bool flush,
                     struct stat *sb, const char **what)
{
    const char *step = "cannot create a temporary file";
    int fd = mkostemp(tmpl, O_CLOEXEC), r;

    if (fd < 0) {
        r = -errno;
        goto out;
    }
    /* mkostemp makes 0600; readers (players, rsync) need MODE. */
    step = "cannot set the file mode";
    r = fchmod(fd, mode) < 0 ? -errno : 0;
    if (r == 0) {
        step = "cannot write";
        r = fill(fd, ctx);
    }
    if (r == 0 && flush) {
        step = "cannot flush to disk";
        r = fsync(fd) < 0 ? -errno : 0;
    }
    if (r == 0 && sb) {
        step = "cannot stat";
        r = fstat(fd, sb) < 0 ? -errno : 0;
    }
    if (close(fd) < 0 && r == 0) {
        step = "cannot close";
        r = -errno;
    }
    if (r < 0)
        unlink(tmpl);
out:
    if (what)
        *what = step;
    return r;
}

int atomic_fill_temp(char *tmpl, mode_t mode, int (*fill)(int fd, void *ctx), void *ctx,
                     const char **what)
{
    return fill_temp(tmpl, mode, fill, ctx, true, NULL, what);
}

struct bytes {
    const void *data;
    size_t len;
};

static int write_bytes(int fd, void *ctx)
{
    const struct bytes *b = ctx;
    return atomic_write_all(fd, b->data, b->len);
}

/* fsyncs the directory holding PATH. */
static void sync_parent(const char *path)
{
    char *dcopy = strdup(path);

    if (dcopy)
        atomic_sync_dir(dirname(dcopy));
    free(dcopy);
}

int atomic_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int atomic_copy_fd(int in, int out, void (*each)(void *ctx, const void *buf, size_t n), void *ctx)
{
    char buf[65536];

    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        if (each)
            each(ctx, buf, (size_t)n);
        if (out >= 0) {
            int r = atomic_write_all(out, buf, (size_t)n);
            if (r < 0)
                return r;
        }
    }
}

int atomic_write_temp(const char *path, const void *data, size_t len, mode_t mode, char **tmp_out,
                      char *err, size_t errlen)
{
    char *tmp = NULL;
    const char *what;
    int r;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        tmp = NULL;
        r = -ENOMEM;
        what = "out of memory";
        goto out;
    }
    struct bytes b = {data, len};
    r = atomic_fill_temp(tmp, mode, write_bytes, &b, &what);
out:
    if (r < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-r));
        free(tmp);
        tmp = NULL;
    }
    *tmp_out = tmp;
    return r;
}

/* Writes DATA to a new synced temporary file beside PATH, then renames it
 * over PATH (REPLACE) or links it to PATH only when PATH does not exist. */
static int publish(const char *path, const void *data, size_t len, mode_t mode, bool replace,
                   char *err, size_t errlen)
{
    char *tmp = NULL;
    int r = atomic_write_temp(path, data, len, mode, &tmp, err, errlen);

    if (r < 0)
        return r;
    r = (replace ? rename(tmp, path) : link(tmp, path)) < 0 ? -errno : 0;
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s: %s: %s", path,
                 r == -EEXIST ? "already exists" : "cannot put into place", strerror(-r));
    if (r < 0 || !replace)
        unlink(tmp);
    if (r == 0)
        sync_parent(path);
    free(tmp);
    return r;
}

int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen)
{
    return publish(path, data, len, mode, true, err, errlen);
}

int atomic_create_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                       size_t errlen)
{
    return publish(path, data, len, mode, false, err, errlen);
}

int atomic_link_file(const char *existing, const char *path, char *err, size_t errlen)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char *tmp = NULL;
    const char *what = "cannot link";
    int r = -EEXIST;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        tmp = NULL;
        r = -ENOMEM;
        what = "out of memory";
        goto out;
    }
    /* A fresh name beside PATH, as mkostemp would make, for link(). */
    for (int tries = 0; tries < 100 && r == -EEXIST; tries++) {
        unsigned char rnd[6];
        char *x = tmp + strlen(tmp) - 6;
        if (getentropy(rnd, sizeof rnd) < 0) {
            r = -errno;
            what = "cannot make a temporary name";
            goto out;
        }
        for (int i = 0; i < 6; i++)
            x[i] = alnum[rnd[i] % (sizeof alnum - 1)];
        r = link(existing, tmp) < 0 ? -errno : 0;
    }
    if (r == 0 && rename(tmp, path) < 0) {
        r = -errno;
        what = "cannot rename into place";
        unlink(tmp);
    }
    if (r == 0)
        sync_parent(path);
out:
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-r));
    free(tmp);
    return r;
}

static bool six_alnum(const char *s)
{
    for (int i = 0; i < 6; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return s[6] == '\0';
}

bool atomic_is_temp_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 16 && strncmp(name, ".incoming.", 10) == 0)
        return six_alnum(name + 10);
    return n > 11 && strncmp(name + n - 11, ".tmp.", 5) == 0 && six_alnum(name + n - 6);
}

/* --- many files, one flush --------------------------------------------- */

struct atomic_batch {
    char *dir;
    char **tmp, **path;
    size_t n, cap;
};

struct atomic_batch *atomic_batch_new(const char *dir)
{
    struct atomic_batch *b = calloc(1, sizeof *b);

    if (b && !(b->dir = strdup(dir))) {
        free(b);
        b = NULL;
    }
    return b;
}

int atomic_batch_add(struct atomic_batch *b, const char *path, const void *data, size_t len,
                     mode_t mode, struct stat *sb, char *err, size_t errlen)
{
    char *tmp = NULL, *dst = strdup(path);
    const char *what = "out of memory";
    struct bytes by = {data, len};
    int r = -ENOMEM;

    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        char **t = realloc(b->tmp, cap * sizeof *t), **p;
        if (t)
            b->tmp = t;
        p = t ? realloc(b->path, cap * sizeof *p) : NULL;
        if (!p)
            goto out;
        b->path = p;
        b->cap = cap;
    }
    if (!dst || asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        tmp = NULL;
        goto out;
    }
    r = fill_temp(tmp, mode, write_bytes, &by, false, sb, &what);
    if (r == 0) {
        b->tmp[b->n] = tmp;
        b->path[b->n++] = dst;
        return 0;
    }
out:
    snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-r));
    free(tmp);
    free(dst);
    return r;
}

size_t atomic_batch_size(const struct atomic_batch *b)
{
    return b->n;
}

int atomic_batch_commit(struct atomic_batch *b,
                        void (*failed)(void *ctx, size_t i, const char *err), void *ctx)
{
    char err[4096];
    int fd, bad = 0, r = 0;

    if (b->n == 0)
        return 0;
    fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0)
        r = -errno;
    for (size_t i = 0; i < b->n; i++) {
        if (r == 0 && rename(b->tmp[i], b->path[i]) == 0)
            goto next;
        snprintf(err, sizeof err, "%s: %s: %s", b->path[i],
                 r < 0 ? "cannot flush to disk" : "cannot rename into place",
                 strerror(r < 0 ? -r : errno));
        unlink(b->tmp[i]);
        bad++;
        if (failed)
            failed(ctx, i, err);
    next:
        free(b->tmp[i]);
        free(b->path[i]);
    }
    b->n = 0;
    if (fd >= 0) {
        /* A directory that cannot be flushed leaves the renames done but
         * perhaps undone by a power cut: the old files, whole. */
        (void)fsync(fd);
        close(fd);
    }
    return bad;
}

void atomic_batch_free(struct atomic_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        unlink(b->tmp[i]);
        free(b->tmp[i]);
        free(b->path[i]);
    }
    free(b->tmp);
    free(b->path);
    free(b->dir);
    free(b);
}
