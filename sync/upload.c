/* upload.c - proof-of-play files, parts by day and whole once closed. */
#include "sync/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "playlists/pltime.h"

#define PATH_LEN 4096
#define MAX_PARTS 4096 /* parts per day at most; past it, the rest goes in the whole file */
#define CHUNK (1 << 16)

struct record {
    char *to; /* the URL it is about (older records lack it: NULL) */
    bool done;
    long long done_size; /* the size sent whole, -1 unknown (older records) */
    long long offset;
    bool has_id; /* dev/ino of the file the offset is in (older records lack it) */
    unsigned long long dev, ino;
    long long *parts;
    size_t nparts;
};

/* "play-YYYY-MM-DD.jsonl": the date, else false. */
static bool day_of(const char *name, int *y, int *m, int *d)
{
    char tail[8];

    return strlen(name) == 21 && sscanf(name, "play-%4d-%2d-%2d%7s", y, m, d, tail) == 4 &&
           strcmp(tail, ".jsonl") == 0 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 &&
           strspn(name + 5, "0123456789-") == 10;
}

static void record_read(const char *path, struct record *rec)
{
    FILE *f = fopen(path, "re");
    char line[PATH_LEN + 64];
    long long v;

    memset(rec, 0, sizeof *rec);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "to ", 3) == 0 && !rec->to) {
            line[strcspn(line, "\n")] = '\0';
            rec->to = strdup(line + 3);
        } else if (strcmp(line, "done\n") == 0)
            rec->done = true, rec->done_size = -1;
        else if (sscanf(line, "done %lld", &v) == 1 && v >= 0)
            rec->done = true, rec->done_size = v;
        else if (sscanf(line, "offset %lld", &v) == 1 && v >= 0)
            rec->offset = v;
        else if (sscanf(line, "file %llu %llu", &rec->dev, &rec->ino) == 2)
            rec->has_id = true;
        else if (sscanf(line, "part %lld", &v) == 1 && v >= 0 && rec->nparts < MAX_PARTS) {
            long long *p = realloc(rec->parts, (rec->nparts + 1) * sizeof *p);
            if (!p)
                break;
            rec->parts = p;
            rec->parts[rec->nparts++] = v;
        }
    }
    fclose(f);
}

static int record_write(const char *path, const struct record *rec)
{
    char *text = NULL, err[512];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int r;

    if (!f)
        return -1;
    if (rec->to)
        fprintf(f, "to %s\n", rec->to);
    if (rec->done)
        fprintf(f, "done %lld\n", rec->done_size);
    else {
        fprintf(f, "offset %lld\n", rec->offset);
        if (rec->has_id)
            fprintf(f, "file %llu %llu\n", rec->dev, rec->ino);
    }
    for (size_t i = 0; i < rec->nparts; i++) /* once done: those still to DELETE */
        fprintf(f, "part %lld\n", rec->parts[i]);
    fclose(f);
    r = atomic_write_file(path, text, len, 0644, err, sizeof err);
    if (r < 0)
        log_error("%s", err);
    free(text);
    return r;
}

/* The offset just past the last '\n' in FD's bytes [FROM, SIZE), or FROM. */
static long long complete_end(int fd, long long from, long long size)
{
    char buf[CHUNK];

    for (long long end = size; end > from;) {
        long long start = end - CHUNK > from ? end - CHUNK : from;
        ssize_t n = pread(fd, buf, (size_t)(end - start), start);
        if (n <= 0)
            return from;
        for (ssize_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n')
                return start + i;
        end = start;
    }
    return from;
}

/* Whether the byte before OFFSET in FD is a '\n'. */
static bool ends_line(int fd, long long offset)
{
    char c;

    return pread(fd, &c, 1, offset - 1) == 1 && c == '\n';
}

/* Adds OFFSET to REC's parts unless there or full.  Returns false when full. */
static bool add_part(struct record *rec, long long offset)
{
    long long *p;

    for (size_t i = 0; i < rec->nparts; i++)
        if (rec->parts[i] == offset)
            return true;
    if (rec->nparts >= MAX_PARTS || !(p = realloc(rec->parts, (rec->nparts + 1) * sizeof *p)))
        return false;
    rec->parts = p;
    rec->parts[rec->nparts++] = offset;
    return true;
}

/* An answer to a PUT/DELETE: OK, refused (logged), or server down. */
static enum sync_outcome answer(struct sync_env *env, const char *what, const char *url, int rc,
                                const struct http_result *r, bool missing_ok)
{
    if (rc < 0 || sync_env_server_down(r))
        return sync_env_offline(env, url, r);
    /* no redirect is followed, and only what a store answers counts: a 2xx
     * from a login page behind a redirect would mark a day sent */
    if (r->status == 200 || r->status == 201 || r->status == 204 ||
        (missing_ok && r->status == 404))
        return SYNC_OK;
    log_warn("%s %s: HTTP %ld%s", what, url, r->status, sync_env_hint(r->status, true));
    return SYNC_FAILED;
}

/* DELETEs the parts of a day done (its whole file on the server), dropping
 * from REC each one gone (2xx, 404) or refused for good (another 4xx but
 * 408/429: left on the server, one warning); the rest wait for a later
 * pass, without the whole file being sent again. */
static enum sync_outcome delete_parts(struct sync_env *env, const char *base, const char *recpath,
                                      struct record *rec)
{
    enum sync_outcome out = SYNC_OK;
    char url[PATH_LEN + 32];
    struct http_result r;
    size_t kept = 0, refused = 0;
    long status = 0;

    for (size_t i = 0; i < rec->nparts; i++) {
        if (out == SYNC_OK) {
            int rc;

            snprintf(url, sizeof url, "%s.%012lld.part", base, rec->parts[i]);
            rc = sync_http_delete(env->http, url, &r);
            if (rc < 0 || sync_env_server_down(&r)) {
                out = sync_env_offline(env, url, &r);
            } else if (r.status == 200 || r.status == 204 || r.status == 404) {
                continue;
            } else if (r.status >= 400 && r.status <= 499 && r.status != 408 && r.status != 429) {
                refused++, status = r.status;
                continue;
            } else {
                log_warn("DELETE %s: HTTP %ld", url, r.status);
                out = SYNC_FAILED;
            }
        }
        rec->parts[kept++] = rec->parts[i];
    }
    if (refused)
        log_warn("%s: DELETE of %zu part%s refused (HTTP %ld): left on the server", base, refused,
                 refused == 1 ? "" : "s", status);
    if (kept != rec->nparts) {
        rec->nparts = kept;
        if (record_write(recpath, rec) < 0)
            out = sync_worse(out, SYNC_FAILED);
    }
    return out;
}

/* The URL of SCREEN's log file NAME on the server. */
static void upload_base(const struct sync_env *env, const char *screen, const char *name, char *out,
                        size_t len)
{
    snprintf(out, len, "%s%s/%s", env->conf->upload, screen, name);
}

static enum sync_outcome upload_file(struct sync_env *env, const char *screen, const char *name)
{
    const char *state = env->cfg->state;
    char path[PATH_LEN], recpath[PATH_LEN], url[PATH_LEN + 32], base[PATH_LEN];
    struct record rec;
    struct http_result r;
    struct stat st;
    enum sync_outcome out = SYNC_OK;
    int y, m, d, fd, rc;
    long long end;
    bool closed;

    if (!day_of(name, &y, &m, &d))
        return SYNC_OK;
    snprintf(path, sizeof path, "%s/log/%s/%s", state, screen, name);
    snprintf(recpath, sizeof recpath, "%s/.sync/up/%s/%s", state, screen, name);
    upload_base(env, screen, name, base, sizeof base);
    record_read(recpath, &rec);
    /* a record of another server (the upload url changed): the new one has
     * none of it; the old one keeps what it had */
    if (rec.to && strcmp(rec.to, base) != 0) {
        log_info("%s: the upload url changed (it went to %s): sending it to %s from the start",
                 path, rec.to, base);
        free(rec.parts);
        free(rec.to);
        memset(&rec, 0, sizeof rec);
    }
    if (!rec.to && (rec.to = strdup(base)) && (rec.done || rec.offset || rec.nparts)) {
        /* a record older than "to": taken as this server's, and said so in
         * it, so that a later change of url is seen */
        if (record_write(recpath, &rec) < 0) {
            out = SYNC_FAILED;
            goto out_free;
        }
    }
    if (rec.done && rec.done_size < 0 && !rec.nparts)
        goto out_free;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        log_warn("%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        out = SYNC_FAILED;
        goto out_close;
    }
    closed = env->now_ms >=
                 pl_tz_from_civil(env->cfg->tz, y, m, d + 1, 0, 0, 0, 0) + SYNC_CLOSE_AFTER_MS &&
             env->now_ms >= (long long)st.st_mtim.tv_sec * 1000 + SYNC_QUIET_MS;
    /* lines written into a day already sent whole: the whole file again
     * (the same name, a longer body: idempotent), once it is quiet */
    if (rec.done) {
        if (st.st_size <= rec.done_size || !closed) {
            out = delete_parts(env, base, recpath, &rec);
            goto out_close;
        }
        log_warn("%s: %lld bytes written after its day was uploaded whole: uploading it again",
                 path, (long long)st.st_size - rec.done_size);
    }
    /* Another file under the same name (replaced, or rewritten in place):
     * the offset means nothing in it.  It is the box's proof of play now, so
     * it is taken as a new file: parts from offset 0 again, named by their
     * offsets (a name already sent is overwritten; a reader dedupes repeated
     * lines), the parts already recorded kept so that they go at close, when
     * the whole file replaces them all. */
    if (!rec.done && rec.offset > 0 &&
        ((rec.has_id &&
          (rec.dev != (unsigned long long)st.st_dev || rec.ino != (unsigned long long)st.st_ino)) ||
         (st.st_size >= rec.offset && !ends_line(fd, rec.offset)))) {
        log_warn("%s: replaced since %lld bytes of it were uploaded: uploading it from the start",
                 path, rec.offset);
        rec.offset = 0;
    }
    rec.has_id = true;
    rec.dev = (unsigned long long)st.st_dev;
    rec.ino = (unsigned long long)st.st_ino;
    if (st.st_size < rec.offset) {
        log_warn("%s: shorter (%lld bytes) than what was uploaded (%lld): left alone", path,
                 (long long)st.st_size, rec.offset);
        out = SYNC_FAILED;
        goto out_close;
    }
    if (closed) {
        rc = sync_http_put(env->http, base, fd, 0, st.st_size, &r);
        out = answer(env, "PUT", base, rc, &r, false);
        if (out != SYNC_OK)
            goto out_close;
        /* done from here: a DELETE that fails is retried alone later */
        rec.done = true;
        rec.done_size = st.st_size;
        if (record_write(recpath, &rec) < 0) {
            out = SYNC_FAILED;
            goto out_close;
        }
        log_info("%s: %s uploaded whole (%lld bytes), day closed", screen, name,
                 (long long)st.st_size);
        out = delete_parts(env, base, recpath, &rec);
        goto out_close;
    }
    end = complete_end(fd, rec.offset, st.st_size);
    if (end == rec.offset)
        goto out_close;
    /* recorded before it is sent: a part the record cannot hold (MAX_PARTS,
     * or no memory) would never be DELETEd; its lines wait for the close */
    if (!add_part(&rec, rec.offset)) {
        log_debug("%s: %s: %d parts, the rest goes whole at close", screen, name, MAX_PARTS);
        goto out_close;
    }
    snprintf(url, sizeof url, "%s.%012lld.part", base, rec.offset);
    rc = sync_http_put(env->http, url, fd, rec.offset, end - rec.offset, &r);
    out = answer(env, "PUT", url, rc, &r, false);
    if (out != SYNC_OK)
        goto out_close;
    log_debug("%s: %s: bytes %lld..%lld uploaded", screen, name, rec.offset, end);
    rec.offset = end;
    if (record_write(recpath, &rec) < 0)
        out = SYNC_FAILED;
out_close:
    if (fd >= 0)
        close(fd);
out_free:
    free(rec.parts);
    free(rec.to);
    return out;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum sync_outcome sync_upload(struct sync_env *env)
{
    enum sync_outcome out = SYNC_OK;
    char dir[PATH_LEN], updir[PATH_LEN];

    if (!env->conf->upload)
        return SYNC_OK;
    for (size_t s = 0; s < env->conf->nscreens && out != SYNC_OFFLINE; s++) {
        const char *screen = env->conf->screens[s];
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *dp;

        snprintf(dir, sizeof dir, "%s/log/%s", env->cfg->state, screen);
        snprintf(updir, sizeof updir, "%s/.sync/up/%s", env->cfg->state, screen);
        dp = opendir(dir);
        if (!dp)
            continue; /* nothing played yet */
        if (sync_env_mkdirs(updir) < 0) {
            log_error("%s: %s", updir, strerror(errno));
            closedir(dp);
            out = sync_worse(out, SYNC_FAILED);
            continue;
        }
        while ((de = readdir(dp))) {
            char **p;
            int y, m, d;

            if (!day_of(de->d_name, &y, &m, &d) || !(p = realloc(names, (n + 1) * sizeof *p)))
                continue;
            names = p;
            if ((names[n] = strdup(de->d_name)))
                n++;
        }
        closedir(dp);
        qsort(names, n, sizeof *names, by_name); /* the oldest day first */
        for (size_t i = 0; i < n; i++) {
            if (out != SYNC_OFFLINE)
                out = sync_worse(out, upload_file(env, screen, names[i]));
            free(names[i]);
        }
        free(names);
    }
    return out;
}

bool sync_upload_has(const struct sync_env *env, const char *screen, const char *name,
                     const struct stat *sb)
{
    char recpath[PATH_LEN], base[PATH_LEN];
    struct record rec;
    bool has;

    if (snprintf(recpath, sizeof recpath, "%s/.sync/up/%s/%s", env->cfg->state, screen, name) >=
        (int)sizeof recpath)
        return false;
    upload_base(env, screen, name, base, sizeof base);
    record_read(recpath, &rec);
    /* sent whole to this server ("done" without a size: a record older than
     * sizes, never sent again), and no part left there to DELETE */
    has = rec.done && (rec.done_size < 0 || rec.done_size == (long long)sb->st_size) &&
          rec.nparts == 0 && (!rec.to || strcmp(rec.to, base) == 0);
    free(rec.parts);
    free(rec.to);
    return has;
}

void sync_upload_forget(const struct sync_env *env, const char *screen, const char *name)
{
    char recpath[PATH_LEN];

    if (snprintf(recpath, sizeof recpath, "%s/.sync/up/%s/%s", env->cfg->state, screen, name) <
        (int)sizeof recpath)
        unlink(recpath);
}
