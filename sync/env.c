/* env.c - the helpers every part of a pass uses. */
#include "sync/env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum sync_outcome sync_env_offline(struct sync_env *env, const char *url,
                                   const struct http_result *r)
{
    if (!env->offline_why[0]) {
        if (r->status)
            snprintf(env->offline_why, sizeof env->offline_why, "%s: HTTP %ld", url, r->status);
        else
            snprintf(env->offline_why, sizeof env->offline_why, "%s: %s", url, r->err);
        env->offline_tls = r->tls;
    }
    return SYNC_OFFLINE;
}

const char *sync_env_hint(long status, bool upload)
{
    switch (status) {
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        return upload ? " (a redirect, not followed for an upload: the upload url must be the "
                        "WebDAV location itself, with no login page or proxy in between)"
                      : "";
    case 400: /* what nginx answers for a missing or unverified client certificate */
        return " (no client certificate the server trusts? check the sync group's cert and key)";
    case 401:
    case 403:
        return upload ? " (not allowed: does the upload url name this box, as its certificate "
                        "does?)"
                      : " (not allowed: is this box's certificate one the server accepts?)";
    case 404:
        return upload ? " (no upload location there: check the upload url)"
                      : " (not there: is the screen in the central signage.cfg, and the url "
                        "right?)";
    default:
        return "";
    }
}

bool sync_env_server_down(const struct http_result *r)
{
    return r->status == 0 || r->status >= 500 || r->status == 429 || r->status == 408;
}

long sync_env_read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n;

    buf[0] = '\0';
    if (fd < 0)
        return -errno;
    do
        n = read(fd, buf, len - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        n = -errno;
        close(fd);
        return (long)n;
    }
    close(fd);
    buf[n] = '\0';
    return (long)n;
}

int sync_env_mkdirs(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof p)
        return -ENAMETOOLONG;
    memcpy(p, dir, n + 1);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -errno;
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}
