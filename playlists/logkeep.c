/* logkeep.c - see logkeep.h. */
#include "playlists/logkeep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"

bool pl_log_day(const char *name, int64_t *day)
{
    static const char form[] = "play-0000-00-00.jsonl";
    int y = 0, m = 0, d = 0, dd, mm;
    int64_t yy;

    if (strlen(name) != sizeof form - 1)
        return false;
    for (size_t i = 0; i < sizeof form - 1; i++) {
        if (form[i] == '0' ? name[i] < '0' || name[i] > '9' : name[i] != form[i])
            return false;
    }
    for (int i = 5; i < 9; i++)
        y = y * 10 + name[i] - '0';
    m = (name[10] - '0') * 10 + name[11] - '0';
    d = (name[13] - '0') * 10 + name[14] - '0';
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *day = pl_days_from_civil(y, m, d);
    pl_civil_from_days(*day, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d;
}

/* One folder (SHOWN names it, SCREEN is its screen or NULL): removes the
 * days KEEP or more before the earlier of TODAY and its newest day. */
static int prune_dir(DIR *d, const char *shown, const char *screen, int64_t today, int keep,
                     pl_log_may_remove_fn may, void *arg, struct pl_log_prune_stats *ps)
{
    struct dirent *de;
    int64_t newest = INT64_MIN, day, ref;
    size_t n = 0, held = 0;
    uint64_t bytes = 0;
    int ret = 0;

    while ((de = readdir(d)))
        if (pl_log_day(de->d_name, &day) && day > newest)
            newest = day;
    if (newest == INT64_MIN)
        return 0;
    ref = newest < today ? newest : today;
    rewinddir(d);
    while ((de = readdir(d))) {
        struct stat sb;
        if (!pl_log_day(de->d_name, &day) || day > ref - keep)
            continue;
        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
            continue;
        if (may && !may(screen, de->d_name, &sb, arg)) {
            held++;
            continue;
        }
        if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
            log_warn("%s/%s: cannot remove: %s", shown, de->d_name, strerror(errno));
            ret = -1;
            continue;
        }
        n++;
        bytes += (uint64_t)sb.st_size;
    }
    if (n) {
        int64_t y;
        int m, dd;
        pl_civil_from_days(ref - keep, &y, &m, &dd);
        log_info("%s: removed %zu proof-of-play file%s (%.1f MB) of %04lld-%02d-%02d and before: "
                 "log_keep_days is %d",
                 shown, n, n == 1 ? "" : "s", (double)bytes / 1e6, (long long)y, m, dd, keep);
        atomic_sync_dir(shown);
    }
    ps->removed += n;
    ps->bytes += bytes;
    ps->held += held;
    return ret;
}

int pl_log_prune(const char *logdir, const pl_tz *tz, pl_ms now, int keep, pl_log_may_remove_fn may,
                 void *arg, struct pl_log_prune_stats *ps)
{
    struct pl_civil c;
    DIR *d;
    struct dirent *de;
    int64_t today;
    int ret;

    if (keep <= 0)
        return 0;
    pl_tz_to_civil(tz, now, &c);
    today = pl_days_from_civil(c.year, c.month, c.day);
    if (!(d = opendir(logdir)))
        return errno == ENOENT ? 0 : -1;
    ret = prune_dir(d, logdir, NULL, today, keep, may, arg, ps);
    rewinddir(d);
    while ((de = readdir(d))) {
        char *sub = NULL;
        DIR *sd;
        if (de->d_name[0] == '.' || atomic_is_temp_name(de->d_name) ||
            asprintf(&sub, "%s/%s", logdir, de->d_name) < 0)
            continue;
        /* opendir() follows a symlink; a screen's folder is never one. */
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && (sd = fdopendir(fd))) {
            if (prune_dir(sd, sub, de->d_name, today, keep, may, arg, ps) < 0)
                ret = -1;
            closedir(sd);
        } else if (fd >= 0) {
            close(fd);
        }
        free(sub);
    }
    closedir(d);
    return ret;
}
