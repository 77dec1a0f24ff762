#include "common/slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/errbuf.h"

int slurp_fd(int fd, const char *name, size_t max_bytes, char **out, size_t *len, char *err,
             size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int r = 0;

    *out = NULL;
    *len = 0;
    if (fstat(fd, &st) < 0) {
        r = err_fail(err, errlen, -errno, "%s: error: cannot stat: %s", name, strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode)) {
        r = err_fail(err, errlen, -EINVAL, "%s: error: not a regular file; give the path of a file",
                     name);
        goto out_close;
    }
    if ((uintmax_t)st.st_size > max_bytes) {
        r = err_fail(err, errlen, -EFBIG,
                     "%s: error: the file is %jd bytes, more than the %zu allowed; is it the "
                     "right file?",
                     name, (intmax_t)st.st_size, max_bytes);
        goto out_close;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        r = err_fail(err, errlen, -ENOMEM, "%s: error: out of memory", name);
        goto out_close;
    }
    /* Ask for one byte more than fstat said, to notice a file that grew. */
    while (got <= (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = err_fail(err, errlen, -errno, "%s: error: cannot read: %s", name, strerror(errno));
            goto out_free;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got > (size_t)st.st_size) {
        r = err_fail(err, errlen, -EAGAIN,
                     "%s: error: the file changed while it was read; try again once it is "
                     "complete",
                     name);
        goto out_free;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    buf = NULL;
out_free:
    free(buf);
out_close:
    return r;
}

int slurp_path(const char *path, const char *name, size_t max_bytes, char **out, size_t *len,
               char *err, size_t errlen)
{
    int fd, r;

    *out = NULL;
    *len = 0;
    if (!name)
        name = path;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return err_fail(err, errlen, -errno, "%s: error: cannot open: %s", name, strerror(errno));
    r = slurp_fd(fd, name, max_bytes, out, len, err, errlen);
    close(fd);
    return r;
}
