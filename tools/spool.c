/* spool.c - the spool and rejected/ as signagectl shows them (see spool.h). */
#include "tools/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/grow.h"
#include "common/safeopen.h"
#include "common/slurp.h"
#include "common/utf8.h"
#include "playlists/cfgutil.h"
#include "scheduler/campaign.h"
#include "scheduler/state.h"

#define REASON_MAX 4096 /* bytes of an .error read for its first line */

const char *spool_wait_name(enum spool_wait w)
{
    switch (w) {
    case SPOOL_ARRIVING:
        return "being copied";
    case SPOOL_MEDIA:
        return "waiting for media";
    default:
        return "not read yet";
    }
}

static pl_ms ms_of(const struct timespec *ts)
{
    return (pl_ms)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* The scheduler's rule (scheduler/ingest.c): *.cfg, not hidden. */
static bool campaign_name(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".cfg") == 0;
}

static char *printable(const char *name)
{
    char buf[UTF8_PRINTABLE_NAME];

    return strdup(utf8_printable(name, buf, sizeof buf));
}

/* STATE/.pending: "FIRST_SEEN_MS NAME" a line, written by the scheduler.
 * The time NAME was first seen waiting for media, or PL_MS_MIN. */
static pl_ms pending_since(const char *text, const char *name)
{
    size_t n = strlen(name);

    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        char *end;
        long long t = strtoll(l, &end, 10);
        if (end == l || *end != ' ' || strncmp(end + 1, name, n) != 0 ||
            (end[1 + n] != '\n' && end[1 + n] != '\0'))
            continue;
        if (t >= PL_MS_MIN && t <= PL_MS_MAX)
            return t;
    }
    return PL_MS_MIN;
}

static int pending_cmp(const void *a, const void *b)
{
    const struct spool_file *x = a, *y = b;

    if (x->changed != y->changed)
        return x->changed < y->changed ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int rejected_cmp(const void *a, const void *b)
{
    const struct spool_rejected *x = a, *y = b;

    if (x->when != y->when)
        return x->when > y->when ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int scan_pending(const struct pl_config *cfg, pl_ms wall, struct spool_view *v, char *err,
                        size_t errlen)
{
    char *pending_path = NULL, *pending = NULL, perr[512];
    size_t plen, cap = 0;
    struct dirent *de;
    DIR *d;
    int fd;

    fd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0 || !(d = fdopendir(fd))) {
        snprintf(err, errlen, "%s: cannot read the spool: %s", v->dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (asprintf(&pending_path, "%s/.pending", cfg->state) < 0)
        pending_path = NULL;
    /* none: nothing waits for media */
    if (!pending_path ||
        slurp_path(pending_path, NULL, 1u << 24, &pending, &plen, perr, sizeof perr) < 0)
        pending = NULL;
    free(pending_path);
    while ((de = readdir(d))) {
        struct stat sb;
        struct spool_file *f;
        if (!campaign_name(de->d_name) || fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
            (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)))
            continue;
        if (!(f = grow_array(v->pending, &cap, v->npending, sizeof *f, 16)))
            break;
        v->pending = f;
        f = &v->pending[v->npending];
        memset(f, 0, sizeof *f);
        f->name = strdup(de->d_name);
        f->shown = printable(de->d_name);
        if (!f->name || !f->shown) {
            free(f->name);
            free(f->shown);
            break;
        }
        v->npending++;
        f->size = (long long)sb.st_size;
        f->changed = ms_of(&sb.st_ctim);
        f->media_since = pending ? pending_since(pending, de->d_name) : PL_MS_MIN;
        /* As the scheduler judges it: quiet for the settle interval, and
         * open for writing by nobody (a link is made in one step). */
        f->writer = S_ISREG(sb.st_mode) && sched_open_for_writing(fd, de->d_name) == 1;
        if (f->writer || wall - f->changed < cfg->settle_ms)
            f->wait = SPOOL_ARRIVING;
        else if (f->media_since != PL_MS_MIN)
            f->wait = SPOOL_MEDIA;
        else
            f->wait = SPOOL_UNREAD;
    }
    closedir(d);
    free(pending);
    if (v->npending > 1)
        qsort(v->pending, v->npending, sizeof *v->pending, pending_cmp);
    return 0;
}

/* The first line of DIR/NAME.error, printable; NULL when there is none. */
static char *first_reason(int dirfd, const char *name, pl_ms *when)
{
    char path[1024], buf[REASON_MAX + 1], line[REASON_MAX];
    struct stat sb;
    ssize_t n;
    int fd;

    if (snprintf(path, sizeof path, "%s.error", name) >= (int)sizeof path)
        return NULL;
    fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return NULL;
    }
    *when = ms_of(&sb.st_mtim);
    n = read(fd, buf, REASON_MAX);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return strdup(utf8_valid(buf, strlen(buf)) ? buf : utf8_printable(buf, line, sizeof line));
}

static void scan_rejected(const struct pl_config *cfg, struct spool_view *v)
{
    char *dir = NULL;
    size_t cap = 0;
    struct dirent *de;
    DIR *d;
    int fd;

    if (asprintf(&dir, "%s/rejected", cfg->state) < 0)
        return;
    d = opendir(dir);
    free(dir);
    if (!d)
        return;
    fd = dirfd(d);
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        struct spool_rejected *r;
        struct stat sb;
        if (de->d_name[0] == '.' || (n > 6 && strcmp(de->d_name + n - 6, ".error") == 0) ||
            atomic_is_temp_name(de->d_name) ||
            fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
            (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)))
            continue;
        if (!(r = grow_array(v->rejected, &cap, v->nrejected, sizeof *r, 16)))
            break;
        v->rejected = r;
        r = &v->rejected[v->nrejected];
        memset(r, 0, sizeof *r);
        r->name = strdup(de->d_name);
        r->shown = printable(de->d_name);
        if (!r->name || !r->shown) {
            free(r->name);
            free(r->shown);
            break;
        }
        v->nrejected++;
        /* The .error is written just before the move: its time is the
         * rejection's; without one, the file's ctime (the move). */
        r->when = ms_of(&sb.st_ctim);
        r->reason = first_reason(fd, de->d_name, &r->when);
    }
    closedir(d);
    if (v->nrejected > 1)
        qsort(v->rejected, v->nrejected, sizeof *v->rejected, rejected_cmp);
}

int spool_scan(const struct pl_config *cfg, pl_ms wall, struct spool_view *v, char *err,
               size_t errlen)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    int r;

    memset(v, 0, sizeof *v);
    if (asprintf(&v->dir, "%s/spool", cfg->state) < 0) {
        v->dir = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* The lease probe: a writer opening a file while we hold one would
     * send SIGIO, whose default is to end the process. */
    sigemptyset(&ign.sa_mask);
    sigaction(SIGIO, &ign, &old);
    r = scan_pending(cfg, wall, v, err, errlen);
    sigaction(SIGIO, &old, NULL);
    scan_rejected(cfg, v);
    return r;
}

void spool_view_clear(struct spool_view *v)
{
    for (size_t i = 0; i < v->npending; i++) {
        free(v->pending[i].name);
        free(v->pending[i].shown);
    }
    for (size_t i = 0; i < v->nrejected; i++) {
        free(v->rejected[i].name);
        free(v->rejected[i].shown);
        free(v->rejected[i].reason);
    }
    free(v->pending);
    free(v->rejected);
    free(v->dir);
    memset(v, 0, sizeof *v);
}

/* --- a campaign file as written ------------------------------------------ */

static char *written_string(const config_setting_t *root, const char *name)
{
    const config_setting_t *s = config_setting_get_member(root, name);
    const char *v =
        s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    char buf[1024];

    if (!v)
        return NULL;
    return strdup(utf8_valid(v, strlen(v)) ? v : utf8_printable(v, buf, sizeof buf));
}

static long long written_int(const config_setting_t *root, const char *name)
{
    const config_setting_t *s = config_setting_get_member(root, name);

    if (!s ||
        (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64))
        return -1;
    return config_setting_get_int64(s);
}

int spool_read_written(int dirfd, const char *name, struct spool_written *w, char *err,
                       size_t errlen)
{
    const config_setting_t *root, *s;
    char *text = NULL;
    size_t len;
    config_t cf;
    int fd, ret = -1;

    memset(w, 0, sizeof *w);
    w->priority = w->weight = w->items = -1;
    fd = safeopen_read(dirfd, name, SCHED_CAMPAIGN_MAX_BYTES, NULL, err, errlen);
    if (fd < 0)
        return -1;
    if (slurp_fd(fd, name, SCHED_CAMPAIGN_MAX_BYTES, &text, &len, err, errlen) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    config_init(&cf);
    if (pl_cfg_read_text(&cf, text, len, name, err, errlen) < 0)
        goto out;
    root = config_root_setting(&cf);
    w->id = written_string(root, "id");
    w->title = written_string(root, "title");
    w->owner = written_string(root, "owner");
    w->start = written_string(root, "start");
    w->end = written_string(root, "end");
    w->priority = written_int(root, "priority");
    w->weight = written_int(root, "weight");
    s = config_setting_get_member(root, "items");
    if (s && config_setting_is_aggregate(s))
        w->items = config_setting_length(s);
    s = config_setting_get_member(root, "screens");
    if (s && config_setting_is_aggregate(s) && config_setting_length(s) > 0) {
        int n = config_setting_length(s);
        w->screens = calloc((size_t)n, sizeof *w->screens);
        for (int i = 0; w->screens && i < n; i++) {
            const char *v = config_setting_get_string_elem(s, i);
            if (v && utf8_valid(v, strlen(v)) && (w->screens[w->nscreens] = strdup(v)))
                w->nscreens++;
        }
    }
    ret = 0;
out:
    config_destroy(&cf);
    free(text);
    if (ret < 0)
        spool_written_clear(w);
    return ret;
}

void spool_written_clear(struct spool_written *w)
{
    free(w->id);
    free(w->title);
    free(w->owner);
    free(w->start);
    free(w->end);
    for (size_t i = 0; i < w->nscreens; i++)
        free(w->screens[i]);
    free(w->screens);
    memset(w, 0, sizeof *w);
    w->priority = w->weight = w->items = -1;
}
