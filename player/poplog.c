#include "player/poplog.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct poplog {
    char *dir;
    const pl_tz *tz;
};

static const char *const result_names[] = {"played", "cut", "skipped", "error"};

const char *poplog_result_name(enum poplog_result r)
{
    return (unsigned)r < 4 ? result_names[r] : "error";
}

/* mkdir -p for the last two components at most (STATE/log). */
static int make_dir(const char *dir)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -errno;
    char *parent = strdup(dir);
    if (!parent)
        return -ENOMEM;
    char *slash = strrchr(parent, '/');
    int rc = -ENOENT;
    if (slash && slash != parent) {
        *slash = '\0';
        if (mkdir(parent, 0755) == 0 || errno == EEXIST)
            rc = mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -errno;
        else
            rc = -errno;
    }
    free(parent);
    return rc;
}

struct poplog *poplog_new(const char *dir, const pl_tz *tz, char *err, size_t errlen)
{
    struct poplog *log;
    int rc = make_dir(dir);
    if (rc) {
        snprintf(err, errlen, "%s: cannot create the proof-of-play directory: %s", dir,
                 strerror(-rc));
        return NULL;
    }
    log = calloc(1, sizeof(*log));
    if (!log)
        goto fail;
    log->dir = strdup(dir);
    if (!log->dir)
        goto out_free;
    log->tz = tz;
    return log;

out_free:
    free(log);
fail:
    snprintf(err, errlen, "%s: out of memory", dir);
    return NULL;
}

void poplog_free(struct poplog *log)
{
    if (!log)
        return;
    free(log->dir);
    free(log);
}

static int set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

static int set_time(json_t *o, const char *k, pl_ms t, const pl_tz *tz)
{
    char buf[PL_TIME_BUFSZ];

    if (pl_time_format(t, tz, buf, sizeof(buf)) < 0)
        return -1;
    return json_object_set_new(o, k, json_string(buf));
}

char *poplog_format(const struct poplog_entry *e, const pl_tz *tz)
{
    json_t *o = json_object();
    char *line = NULL;
    int rc = 0;

    if (!o)
        return NULL;
    /* jansson keeps insertion order, so the keys come out as SPEC §8 lists them. */
    rc |= set_str(o, "screen", e->screen);
    rc |= set_str(o, "campaign", e->campaign);
    rc |= set_str(o, "owner", e->owner);
    rc |= set_str(o, "title", e->title);
    rc |= json_object_set_new(o, "item", json_integer(e->item));
    rc |= set_str(o, "type", e->type);
    rc |= set_str(o, "media", e->media);
    rc |= set_str(o, "sha256", e->sha256);
    rc |= set_time(o, "start", e->start, tz);
    rc |= set_time(o, "end", e->end, tz);
    rc |= json_object_set_new(o, "planned_ms", json_integer(e->planned_ms));
    rc |= json_object_set_new(o, "shown_ms", json_integer(e->shown_ms));
    rc |= json_object_set_new(o, "result", json_string(poplog_result_name(e->result)));
    if (e->error)
        rc |= set_str(o, "error", e->error);
    rc |= json_object_set_new(o, "generation", json_integer(e->generation));
    if (rc == 0) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s) {
            size_t n = strlen(s);
            line = malloc(n + 2);
            if (line) {
                memcpy(line, s, n);
                line[n] = '\n';
                line[n + 1] = '\0';
            }
            free(s);
        }
    }
    json_decref(o);
    return line;
}

int poplog_path(const struct poplog *log, pl_ms start, char *buf, size_t len)
{
    struct pl_civil c;

    pl_tz_to_civil(log->tz, start, &c);
    int n = snprintf(buf, len, "%s/play-%04d-%02d-%02d.jsonl", log->dir, c.year, c.month, c.day);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int poplog_write(struct poplog *log, const struct poplog_entry *e, char *err, size_t errlen)
{
    char path[4096];
    int rc = 0;

    if (poplog_path(log, e->start, path, sizeof(path))) {
        snprintf(err, errlen, "%s: path too long", log->dir);
        return -ENAMETOOLONG;
    }
    char *line = poplog_format(e, log->tz);
    if (!line) {
        snprintf(err, errlen, "%s: out of memory formatting a line", path);
        return -ENOMEM;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT && make_dir(log->dir) == 0)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto out_line;
    }
    size_t n = strlen(line);
    ssize_t w;
    do
        w = write(fd, line, n);
    while (w < 0 && errno == EINTR);
    if (w < 0 || (size_t)w != n) {
        rc = w < 0 ? -errno : -EIO;
        snprintf(err, errlen, "%s: cannot append: %s", path,
                 w < 0 ? strerror(errno) : "short write (disk full?)");
    }
    close(fd);
out_line:
    free(line);
    return rc;
}
