#include "common/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int write_all(int fd, const void *data, size_t len)
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

int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen)
{
    char *tmp = NULL, *dcopy = NULL;
    const char *what;
    int fd, r;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        tmp = NULL;
        r = -ENOMEM;
        what = "out of memory";
        goto out;
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        what = "cannot create a temporary file";
        goto out;
    }
    /* mkostemp makes 0600; readers (players, rsync) need MODE. */
    r = fchmod(fd, mode) < 0 ? -errno : 0;
    what = "cannot set the file mode";
    if (r == 0) {
        r = write_all(fd, data, len);
        what = "cannot write";
    }
    if (r == 0 && fsync(fd) < 0) {
        r = -errno;
        what = "cannot flush to disk";
    }
    if (close(fd) < 0 && r == 0) {
        r = -errno;
        what = "cannot close";
    }
    if (r == 0 && rename(tmp, path) < 0) {
        r = -errno;
        what = "cannot rename into place";
    }
    if (r < 0) {
        unlink(tmp);
        goto out;
    }
    dcopy = strdup(path);
    if (dcopy)
        atomic_sync_dir(dirname(dcopy));
out:
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-r));
    free(dcopy);
    free(tmp);
    return r;
}
