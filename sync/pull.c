/* pull.c - playlists and their media, media first. */
#include "sync/pull.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/slurp.h"
#include "playlists/plfile.h"

#define PATH_LEN 4096

/* True when M is "media/<64 lowercase hex>.<ext>" with that hex SHA and a
 * short [a-z0-9] extension: the only names a box fetches and stores. */
static bool media_name_ok(const char *m, const char *sha)
{
    const char *ext;
    size_t n;

    if (strncmp(m, "media/", 6) != 0 || strlen(sha) != 64)
        return false;
    m += 6;
    for (int i = 0; i < 64; i++)
        if (!((m[i] >= '0' && m[i] <= '9') || (m[i] >= 'a' && m[i] <= 'f')))
            return false;
    if (strncmp(m, sha, 64) != 0 || m[64] != '.')
        return false;
    ext = m + 65;
    n = strlen(ext);
    if (n == 0 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((ext[i] >= '0' && ext[i] <= '9') || (ext[i] >= 'a' && ext[i] <= 'z')))
            return false;
    return true;
}

/* Fetches one medium NAME ("<sha>.<ext>") that media/ lacks. */
static enum sync_outcome fetch_medium(struct sync_env *env, const char *screen, const char *name)
{
    const char *state = env->cfg->state;
    char part[PATH_LEN], final[PATH_LEN], url[PATH_LEN], hex[65], dir[PATH_LEN];
    struct http_result r;
    struct stat st;
    enum sync_outcome out = SYNC_FAILED;
    int fd;

    snprintf(part, sizeof part, "%s/.sync/%s.part", state, name);
    snprintf(final, sizeof final, "%s/media/%s", state, name);
    snprintf(url, sizeof url, "%smedia/%s", env->conf->url, name);
    fd = open(part, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_END) < 0) {
        log_error("%s: %s: %s", screen, part, strerror(errno));
        goto out_close;
    }
    if (st.st_size > 0)
        log_info("%s: resuming %s from byte %lld", screen, name, (long long)st.st_size);
    if (sync_http_get(env->http, url, fd, st.st_size, NULL, NULL, SYNC_MEDIUM_MAX, &r) < 0 ||
        sync_env_server_down(&r)) {
        out = sync_env_offline(env, url, &r); /* the .part stays: resumed next time */
        goto out_close;
    }
    if (r.too_big) {
        log_warn("%s: %s: refused: over %llu bytes", screen, url, SYNC_MEDIUM_MAX);
        unlink(part);
        goto out_close;
    }
    if (r.bad_range) {
        log_warn("%s: %s: asked for the bytes from %lld on, the server sent \"%s\"; this "
                 "medium starts over next poll",
                 screen, url, (long long)st.st_size, r.range);
        unlink(part);
        goto out_close;
    }
    /* 416: the .part may already be whole; its hash tells */
    if (r.status != 200 && r.status != 206 && r.status != 416) {
        log_warn("%s: %s: HTTP %ld%s; the playlist waits for it", screen, url, r.status,
                 sync_env_hint(r.status, false));
        goto out_close;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 || sha256_fd_hex(fd, hex) < 0) {
        log_error("%s: %s: %s", screen, part, strerror(errno));
        goto out_close;
    }
    if (strncmp(hex, name, 64) != 0) {
        log_warn("%s: %s: corrupt download refused and deleted (its SHA-256 is %s); tried "
                 "again next poll",
                 screen, url, hex);
        unlink(part);
        goto out_close;
    }
    if (fsync(fd) < 0 || (link(part, final) < 0 && errno != EEXIST)) {
        log_error("%s: %s: %s", screen, final, strerror(errno));
        goto out_close;
    }
    unlink(part);
    snprintf(dir, sizeof dir, "%s/media", state);
    atomic_sync_dir(dir);
    log_info("%s: %s received and verified", screen, name);
    out = SYNC_OK;
out_close:
    if (fd >= 0)
        close(fd);
    return out;
}

/* Fetches what PL names and media/ lacks.  Returns the worst outcome; with
 * anything but SYNC_OK the playlist must not be published. */
static enum sync_outcome fetch_media(struct sync_env *env, const char *screen,
                                     const struct pl_playlist *pl, size_t *fetched)
{
    enum sync_outcome out = SYNC_OK;
    char final[PATH_LEN];

    for (size_t c = 0; c < pl->ncampaigns; c++) {
        const struct pl_campaign *cp = pl->campaigns[c];

        for (size_t i = 0; cp && i < cp->nitems; i++) {
            const struct pl_item *it = &cp->items[i];
            enum sync_outcome o;

            if (it->type == PL_ITEM_TEXT || !it->media)
                continue;
            if (!media_name_ok(it->media, it->sha256)) {
                log_warn("%s: playlist refused: medium \"%s\" is not media/<sha256>.<ext>", screen,
                         it->media);
                return SYNC_FAILED;
            }
            snprintf(final, sizeof final, "%s/%s", env->cfg->state, it->media);
            if (access(final, F_OK) == 0)
                continue;
            o = fetch_medium(env, screen, it->media + 6);
            if (o == SYNC_OK)
                (*fetched)++;
            out = sync_worse(out, o);
            if (out == SYNC_OFFLINE)
                return out; /* no point asking for the rest now */
        }
    }
    return out;
}

/* Publishes BODY as the screen's playlist unless it is already that. */
static int publish(const char *path, const char *body, size_t len, char *err, size_t errlen)
{
    char *old = NULL;
    size_t oldlen = 0;
    char e[8];
    bool same = slurp_path(path, path, SYNC_PLAYLIST_MAX, &old, &oldlen, e, sizeof e) == 0 &&
                oldlen == len && memcmp(old, body, len) == 0;

    free(old);
    if (same)
        return 0;
    return atomic_write_file(path, body, len, 0644, err, errlen);
}

static enum sync_outcome pull_screen(struct sync_env *env, const char *screen)
{
    const char *state = env->cfg->state;
    char meta[PATH_LEN], tmp[PATH_LEN], dest[PATH_LEN], url[PATH_LEN], m[600], err[1024];
    char etag[256] = "", lastmod[64] = "";
    struct http_result r;
    struct pl_playlist *pl = NULL;
    enum sync_outcome out = SYNC_FAILED;
    char *body = NULL;
    size_t len = 0, fetched = 0;
    int fd;

    snprintf(meta, sizeof meta, "%s/.sync/%s.meta", state, screen);
    snprintf(tmp, sizeof tmp, "%s/.sync/%s.playlist.new", state, screen);
    snprintf(dest, sizeof dest, "%s/playlists/%s.playlist", state, screen);
    snprintf(url, sizeof url, "%splaylists/%s.playlist", env->conf->url, screen);
    /* conditional only on the playlist in place: without it, take it whole */
    if (access(dest, F_OK) == 0 && sync_env_read_small(meta, m, sizeof m) > 0) {
        char *nl = strchr(m, '\n');
        if (nl) {
            *nl = '\0';
            snprintf(etag, sizeof etag, "%.*s", (int)sizeof etag - 1, m);
            snprintf(lastmod, sizeof lastmod, "%.*s", (int)strcspn(nl + 1, "\n"), nl + 1);
        }
    }
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_error("%s: %s: %s", screen, tmp, strerror(errno));
        return SYNC_FAILED;
    }
    if (sync_http_get(env->http, url, fd, 0, etag, lastmod, SYNC_PLAYLIST_MAX, &r) < 0 ||
        sync_env_server_down(&r)) {
        out = sync_env_offline(env, url, &r);
        goto out_close;
    }
    if (r.status == 304) {
        log_debug("%s: playlist unchanged", screen);
        out = SYNC_OK;
        goto out_close;
    }
    if (r.too_big) {
        log_warn("%s: %s: playlist refused: over %u bytes; playing the one in place", screen, url,
                 SYNC_PLAYLIST_MAX);
        goto out_close;
    }
    if (r.status != 200) {
        log_warn("%s: %s: HTTP %ld%s; playing the playlist in place", screen, url, r.status,
                 sync_env_hint(r.status, false));
        goto out_close;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 ||
        slurp_fd(fd, url, SYNC_PLAYLIST_MAX, &body, &len, err, sizeof err) < 0) {
        log_error("%s: %s", screen, err);
        goto out_close;
    }
    pl = pl_playlist_parse(body, len, url, err, sizeof err);
    if (!pl) {
        log_warn("%s: playlist refused, playing the one in place: %s", screen, err);
        goto out_close;
    }
    if (strcmp(pl->screen, screen) != 0) {
        log_warn("%s: %s: playlist refused: it is screen \"%s\"'s; playing the one in place",
                 screen, url, pl->screen);
        goto out_close;
    }
    out = fetch_media(env, screen, pl, &fetched);
    if (out != SYNC_OK)
        goto out_close; /* never a playlist before its media */
    if (publish(dest, body, len, err, sizeof err) < 0) {
        log_error("%s: %s", screen, err);
        out = SYNC_FAILED;
        goto out_close;
    }
    snprintf(m, sizeof m, "%s\n%s\n", r.etag, r.last_modified);
    if (atomic_write_file(meta, m, strlen(m), 0644, err, sizeof err) < 0)
        log_warn("%s: %s (the next poll fetches the playlist again)", screen, err);
    log_info("%s: playlist generation %lld in place (%zu medi%s received)", screen,
             (long long)pl->generation, fetched, fetched == 1 ? "um" : "a");
out_close:
    pl_playlist_free(pl);
    free(body);
    close(fd);
    unlink(tmp);
    return out;
}

enum sync_outcome sync_pull(struct sync_env *env)
{
    enum sync_outcome out = SYNC_OK;

    for (size_t i = 0; i < env->conf->nscreens; i++) {
        out = sync_worse(out, pull_screen(env, env->conf->screens[i]));
        if (out == SYNC_OFFLINE)
            break; /* the rest would time out the same way */
    }
    return out;
}
