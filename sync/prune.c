/* prune.c - media no playlist in place names, removed after a grace. */
#include "sync/prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/grow.h"
#include "common/log.h"
#include "playlists/logkeep.h"
#include "playlists/plfile.h"
#include "sync/upload.h"

#define PATH_LEN 4096
#define DAY_MS (86400 * 1000LL)

struct names {
    char **v;
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_has(const struct names *s, const char *name)
{
    return s->n && bsearch(&name, s->v, s->n, sizeof *s->v, cmp_str);
}

/* Adds the media file names ("<sha>.<ext>") of the playlist at PATH to S.
 * Returns 0, or -1 when it cannot be read or memory runs out (logged): a
 * name left out would make a medium in use look unused. */
static int add_playlist(struct names *s, const char *path)
{
    char err[1024];
    struct pl_playlist *pl = pl_playlist_load(path, err, sizeof err);

    if (!pl) {
        log_warn("%s; media are not pruned while a playlist cannot be read", err);
        return -1;
    }
    for (size_t c = 0; c < pl->ncampaigns; c++) {
        const struct pl_campaign *cp = pl->campaigns[c];

        for (size_t i = 0; cp && i < cp->nitems; i++) {
            const char *m = cp->items[i].media;
            char **v;

            if (!m || strncmp(m, "media/", 6) != 0)
                continue;
            if ((v = grow_array(s->v, &s->cap, s->n, sizeof *v, 64)))
                s->v = v;
            if (!v || !(v[s->n] = strdup(m + 6))) {
                log_warn("%s: out of memory; media are not pruned this time", path);
                pl_playlist_free(pl);
                return -1;
            }
            s->v = v;
            s->n++;
        }
    }
    pl_playlist_free(pl);
    return 0;
}

/* The names in use by every playlist of STATE/playlists, sorted.  Returns
 * 0 or -1 (a playlist unreadable: prune nothing). */
static int in_use(const char *state, struct names *s)
{
    char dir[PATH_LEN], path[PATH_LEN + 256];
    struct dirent *de;
    DIR *dp;
    int r = 0;

    snprintf(dir, sizeof dir, "%s/playlists", state);
    dp = opendir(dir);
    if (!dp)
        return errno == ENOENT ? 0 : -1;
    while ((de = readdir(dp)) && r == 0) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 10 || strcmp(de->d_name + n - 9, ".playlist") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        r = add_playlist(s, path);
    }
    closedir(dp);
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, cmp_str);
    return r;
}

/* One file NAME of DIR not in use: marked, or removed when its mark is
 * older than GRACE_MS (a .part: when it is).  Returns 1 when removed. */
static int unused(struct sync_env *env, const char *dir, const char *name, bool part,
                  long long grace_ms)
{
    char path[PATH_LEN + 256], mark[PATH_LEN + 256];
    struct stat st;
    int fd;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (part) {
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
            env->now_ms - (long long)st.st_mtim.tv_sec * 1000 < grace_ms)
            return 0;
        if (unlink(path) < 0)
            return 0;
        log_info("%s: an unfinished download no playlist wants, removed", path);
        return 1;
    }
    snprintf(mark, sizeof mark, "%s/.sync/unused/%s", env->cfg->state, name);
    if (lstat(mark, &st) < 0) {
        fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (env->now_ms - (long long)st.st_mtim.tv_sec * 1000 < grace_ms)
        return 0;
    if (unlink(path) < 0 && errno != ENOENT) {
        log_warn("%s: %s", path, strerror(errno));
        return 0;
    }
    unlink(mark);
    log_info("%s: no playlist has named it for %d days, removed", path, env->cfg->media_grace_days);
    return 1;
}

int sync_prune(struct sync_env *env)
{
    const char *state = env->cfg->state;
    long long grace_ms = env->cfg->media_grace_days * DAY_MS;
    char dir[PATH_LEN], mark[PATH_LEN + 256];
    struct names use = {0};
    struct dirent *de;
    DIR *dp;
    int removed = 0;

    if (env->cfg->media_grace_days <= 0)
        return 0;
    snprintf(dir, sizeof dir, "%s/.sync/unused", state);
    if (sync_env_mkdirs(dir) < 0 || in_use(state, &use) < 0) {
        removed = -1;
        goto out_free;
    }
    /* media/ */
    snprintf(dir, sizeof dir, "%s/media", state);
    if ((dp = opendir(dir))) {
        while ((de = readdir(dp))) {
            if (de->d_name[0] == '.' || strlen(de->d_name) < 66 || de->d_name[64] != '.')
                continue;
            if (names_has(&use, de->d_name)) {
                snprintf(mark, sizeof mark, "%s/.sync/unused/%s", state, de->d_name);
                unlink(mark); /* named again */
            } else {
                removed += unused(env, dir, de->d_name, false, grace_ms);
            }
        }
        closedir(dp);
    }
    /* downloads that stopped half way, for media no playlist wants now */
    snprintf(dir, sizeof dir, "%s/.sync", state);
    if ((dp = opendir(dir))) {
        while ((de = readdir(dp))) {
            size_t n = strlen(de->d_name);
            char name[256];

            if (n < 71 || strcmp(de->d_name + n - 5, ".part") != 0)
                continue;
            snprintf(name, sizeof name, "%.*s", (int)(n - 5), de->d_name);
            if (!names_has(&use, name))
                removed += unused(env, dir, de->d_name, true, grace_ms);
        }
        closedir(dp);
    }
out_free:
    for (size_t i = 0; i < use.n; i++)
        free(use.v[i]);
    free(use.v);
    return removed;
}

/* A due log file may go when nothing is sent back, or when the central
 * server has all of it. */
static bool log_may_go(const char *screen, const char *name, const struct stat *sb, void *arg)
{
    const struct sync_env *env = arg;

    if (!env->conf->upload)
        return true;
    if (!screen || !sync_upload_has(env, screen, name, sb))
        return false;
    sync_upload_forget(env, screen, name); /* gone: sent whole again, idempotent */
    return true;
}

int sync_prune_logs(struct sync_env *env)
{
    char dir[PATH_LEN];
    struct pl_log_prune_stats ps = {0};
    int r;

    snprintf(dir, sizeof dir, "%s/log", env->cfg->state);
    r = pl_log_prune(dir, env->cfg->tz, env->now_ms, env->cfg->log_keep_days, log_may_go, env, &ps);
    if (ps.held)
        log_warn("%s: %zu proof-of-play file%s past log_keep_days (%d) kept: the central server "
                 "does not have %s yet",
                 dir, ps.held, ps.held == 1 ? "" : "s", env->cfg->log_keep_days,
                 ps.held == 1 ? "it" : "them");
    return r < 0 ? -1 : (int)ps.removed;
}
