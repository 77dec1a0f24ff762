#include "common/safeopen.h"

#include "common/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Flags for the final open: never block on a FIFO, never acquire a tty. */
#define SAFEOPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Refuses what no resolution should even try: empty, absolute, "..". */
static int check_path(const char *path, char *err, size_t errlen)
{
    const char *p;

    if (!path || !*path)
        return err_fail(err, errlen, -EINVAL,
                        "empty file name; name a file relative to the "
                        "directory");
    if (strlen(path) >= PATH_MAX)
        return err_fail(err, errlen, -EINVAL, "file name is %zu bytes long; the limit is %d",
                        strlen(path), PATH_MAX - 1);
    if (path[0] == '/')
        return err_fail(err, errlen, -EINVAL,
                        "'%s' is an absolute path; name the file relative to the directory", path);
    for (p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return err_fail(err, errlen, -EINVAL,
                            "'%s' contains '..'; name a file inside the directory, without '..'",
                            path);
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Explains an errno from resolving PATH. */
static int open_error(int e, const char *path, char *err, size_t errlen)
{
    switch (e) {
    case ENOENT:
        return err_fail(err, errlen, -ENOENT, "'%s' does not exist", path);
    case EXDEV:
        return err_fail(err, errlen, -EXDEV,
                        "'%s' is (or passes through) a symbolic link that leads outside the "
                        "directory; copy the file in instead",
                        path);
    case ELOOP:
        return err_fail(err, errlen, -ELOOP,
                        "'%s' is a symbolic link that cannot be followed here; copy the file in "
                        "instead",
                        path);
    case ENOTDIR:
        return err_fail(err, errlen, -ENOTDIR, "'%s': a part of the path is not a directory", path);
    case EACCES:
    case EPERM:
        return err_fail(err, errlen, -e, "cannot read '%s': permission denied; make it readable",
                        path);
    default:
        return err_fail(err, errlen, -e, "cannot open '%s': %s", path, strerror(e));
    }
}

/* Checks that the open FD is a regular file of at most MAX_BYTES. */
static int check_fd(int fd, const char *path, uint64_t max_bytes, struct stat *st, char *err,
                    size_t errlen)
{
    struct stat sb;

    if (fstat(fd, &sb) < 0)
        return err_fail(err, errlen, -errno, "cannot stat '%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return err_fail(err, errlen, -EISDIR, "'%s' is a directory, not a file", path);
    if (!S_ISREG(sb.st_mode))
        return err_fail(err, errlen, -EINVAL,
                        "'%s' is not a regular file (a FIFO, socket or device); give a plain file",
                        path);
    if ((uint64_t)sb.st_size > max_bytes)
        return err_fail(err, errlen, -EFBIG, "'%s' is %lld bytes; the limit is %llu bytes", path,
                        (long long)sb.st_size, (unsigned long long)max_bytes);
    if (st)
        *st = sb;
    return 0;
}

static int finish(int fd, const char *path, uint64_t max_bytes, struct stat *st, char *err,
                  size_t errlen)
{
    int r = check_fd(fd, path, max_bytes, st, err, errlen);

    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int safeopen_read_walk(int dirfd, const char *relpath, uint64_t max_bytes, struct stat *st,
                       char *err, size_t errlen)
{
    char comp[NAME_MAX + 1];
    const char *p;
    int cur = dirfd, fd, r;

    r = check_path(relpath, err, errlen);
    if (r < 0)
        return r;
    p = relpath;
    for (;;) {
        size_t n = strcspn(p, "/");
        const char *next = p + n;
        int last;

        while (*next == '/')
            next++;
        last = *next == '\0';
        if (n > NAME_MAX) {
            r = err_fail(err, errlen, -ENAMETOOLONG, "'%s': a name in the path is too long",
                         relpath);
            goto out_close;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (last) {
            fd = openat(cur, n ? comp : ".", SAFEOPEN_FLAGS | O_NOFOLLOW);
            r = fd < 0 ? open_error(errno, relpath, err, errlen) : 0;
            break;
        }
        if (n == 0 || (n == 1 && comp[0] == '.')) {
            p = next;
            continue;
        }
        fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            struct stat sb;
            /* ENOTDIR here is a symlink (O_NOFOLLOW) or a plain file. */
            if (e == ENOTDIR && fstatat(cur, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(sb.st_mode))
                e = ELOOP;
            r = open_error(e, relpath, err, errlen);
            goto out_close;
        }
        if (cur != dirfd)
            close(cur);
        cur = fd;
        p = next;
    }
    if (cur != dirfd)
        close(cur);
    if (r < 0)
        return r;
    return finish(fd, relpath, max_bytes, st, err, errlen);

out_close:
    if (cur != dirfd)
        close(cur);
    return r;
}

int safeopen_read(int dirfd, const char *relpath, uint64_t max_bytes, struct stat *st, char *err,
                  size_t errlen)
{
    struct open_how how;
    int r, fd = -1;

    r = check_path(relpath, err, errlen);
    if (r < 0)
        return r;
    memset(&how, 0, sizeof how);
    how.flags = SAFEOPEN_FLAGS;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    /* EAGAIN: a concurrent rename made the kernel unsure; try again. */
    for (int tries = 0; tries < 8; tries++) {
        fd = (int)syscall(SYS_openat2, dirfd, relpath, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN)
            break;
    }
    if (fd < 0) {
        if (errno == ENOSYS)
            return safeopen_read_walk(dirfd, relpath, max_bytes, st, err, errlen);
        return open_error(errno, relpath, err, errlen);
    }
    return finish(fd, relpath, max_bytes, st, err, errlen);
}
