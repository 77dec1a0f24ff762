#include "scheduler/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "playlists/merge.h"
#include "playlists/schedule.h"

#define PLAYLIST_MAX_BYTES (256u << 20)

/* What the publisher knows of one screen's playlist file. */
struct screen_memo {
    char *id;
    bool known; /* the fields below describe the file on disk */
    dev_t dev;
    ino_t ino;
    int64_t mtime_ns;
    off_t size;
    int64_t generation;
    pl_ms generated_at;
    uint64_t digest; /* of the file's bytes */
    bool failing;    /* the last write failed (logged once) */
    /* What the file was computed from: the versions of the campaigns
     * targeting the screen, the screen itself, and the local day. */
    uint64_t inputs;
    pl_ms day;
};

struct sched_publisher {
    struct screen_memo *v;
    size_t n, cap;
};

/* Screens targeted by the same campaigns share their windows. */
struct subset {
    uint64_t hash;
    size_t *idx; /* indices into the set, ascending */
    size_t n;
    struct pl_window *w;
    size_t nw;
    bool used;
    bool failed;
};

struct sched_publisher *sched_publisher_new(void)
{
    return calloc(1, sizeof(struct sched_publisher));
}

void sched_publisher_free(struct sched_publisher *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].id);
    free(p->v);
    free(p);
}

void sched_publisher_forget(struct sched_publisher *p)
{
    for (size_t i = 0; p && i < p->n; i++) {
        p->v[i].known = false;
        p->v[i].inputs = 0;
    }
}

static struct screen_memo *memo_get(struct sched_publisher *p, const char *id, size_t hint)
{
    if (hint < p->n && strcmp(p->v[hint].id, id) == 0)
        return &p->v[hint];
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].id, id) == 0)
            return &p->v[i];
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        struct screen_memo *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    memset(&p->v[p->n], 0, sizeof p->v[p->n]);
    p->v[p->n].id = strdup(id);
    if (!p->v[p->n].id)
        return NULL;
    return &p->v[p->n++];
}

static uint64_t fnv(const void *data, size_t len, uint64_t h)
{
    const unsigned char *s = data;

    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

#define FNV_INIT UINT64_C(14695981039346656037)

static int64_t mtime_ns(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

static bool memo_matches(const struct screen_memo *m, const struct stat *sb)
{
    return m->known && m->dev == sb->st_dev && m->ino == sb->st_ino &&
           m->mtime_ns == mtime_ns(sb) && m->size == sb->st_size;
}

static void memo_set(struct screen_memo *m, const char *path, const char *text, size_t len,
                     int64_t generation, pl_ms at)
{
    struct stat sb;

    m->known = stat(path, &sb) == 0;
    if (!m->known)
        return;
    m->dev = sb.st_dev;
    m->ino = sb.st_ino;
    m->mtime_ns = mtime_ns(&sb);
    m->size = sb.st_size;
    m->generation = generation;
    m->generated_at = at;
    m->digest = fnv(text, len, FNV_INIT);
}

/* Reads PATH whole (not through a symbolic link); NULL when missing,
 * unreadable or absurdly large. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    char *buf = NULL, err[256];

    if (fd < 0)
        return NULL;
    if (slurp_fd(fd, path, PLAYLIST_MAX_BYTES, &buf, len, err, sizeof err) < 0)
        buf = NULL;
    close(fd);
    return buf;
}

/* The generation and generated_at of a playlist's text, read from the two
 * header lines pl_playlist_format() writes, without parsing the whole file
 * (a year of windows on 500 screens is a lot of text).  Whatever the old
 * file holds beyond those lines is compared byte for byte afterwards, so a
 * corrupt file is simply replaced.  Returns 0 or -1. */
static int old_header(const char *text, const pl_tz *tz, int64_t *gen, pl_ms *at)
{
    const char *g = strstr(text, "\ngeneration = ");
    const char *a = strstr(text, "\ngenerated_at = \"");
    char buf[64], err[128], *end;
    const char *q;
    long long v;

    if (!g || !a)
        return -1;
    errno = 0;
    v = strtoll(g + 14, &end, 10);
    if (errno || end == g + 14 || v < 0)
        return -1;
    a += 17;
    q = strchr(a, '"');
    if (!q || q - a >= (long)sizeof buf)
        return -1;
    memcpy(buf, a, (size_t)(q - a));
    buf[q - a] = '\0';
    if (pl_time_parse(buf, tz, PL_TIME_INSTANT, at, err, sizeof err) < 0)
        return -1;
    *gen = v;
    return 0;
}

static int format_text(struct pl_playlist *pl, const struct pl_config *cfg, struct strbuf *sb)
{
    sb_reset(sb);
    return pl_playlist_format(pl, cfg->tz, sb) < 0 || sb_failed(sb) ? -1 : 0;
}

/* Publishes one screen's playlist PL (generation and generated_at are
 * filled here).  Returns 1 written, 0 unchanged, -1 failed. */
static int publish_screen(struct screen_memo *m, const struct sched_state *st,
                          const struct pl_config *cfg, struct pl_playlist *pl, pl_ms now,
                          struct strbuf *sb)
{
    char *path = NULL, err[512];
    struct stat sb_old;
    int64_t old_gen = m->known ? m->generation : 0;
    int r = -1;

    if (asprintf(&path, "%s/%s.playlist", st->playlists, pl->screen) < 0) {
        path = NULL;
        snprintf(err, sizeof err, "%s: out of memory", pl->screen);
        goto out_log;
    }
    if (lstat(path, &sb_old) == 0) {
        if (memo_matches(m, &sb_old)) {
            pl->generation = m->generation;
            pl->generated_at = m->generated_at;
            if (format_text(pl, cfg, sb) == 0 && sb->len == (size_t)sb_old.st_size &&
                fnv(sb_str(sb), sb->len, FNV_INIT) == m->digest) {
                r = 0;
                goto out_free;
            }
        } else {
            size_t len = 0;
            char *old = slurp(path, &len);
            int64_t g;
            pl_ms at;
            if (old && old_header(old, cfg->tz, &g, &at) == 0) {
                old_gen = g > old_gen ? g : old_gen;
                pl->generation = g;
                pl->generated_at = at;
                if (format_text(pl, cfg, sb) == 0 && sb->len == len &&
                    memcmp(sb_str(sb), old, len) == 0) {
                    memo_set(m, path, old, len, g, at);
                    r = 0;
                }
            } else {
                log_warn("%s: cannot read the current playlist, replacing it", path);
            }
            free(old);
            if (r == 0)
                goto out_free;
        }
    }
    pl->generation = old_gen + 1;
    pl->generated_at = now;
    if (format_text(pl, cfg, sb) < 0) {
        snprintf(err, sizeof err, "%s: out of memory formatting the playlist", path);
        goto out_log;
    }
    if (atomic_write_file(path, sb_str(sb), sb->len, 0644, err, sizeof err) < 0)
        goto out_log;
    memo_set(m, path, sb_str(sb), sb->len, pl->generation, pl->generated_at);
    if (m->failing)
        log_info("%s: written again (generation %lld)", path, (long long)pl->generation);
    else
        log_info("%s: generation %lld, %zu windows", path, (long long)pl->generation, pl->nwindows);
    m->failing = false;
    r = 1;
    goto out_free;
out_log:
    if (!m->failing)
        log_error("%s; the previous playlist stays in place, will retry", err);
    m->failing = true;
    m->known = false;
    m->generation = old_gen;
    r = -1;
out_free:
    free(path);
    return r;
}

/* A signature of everything a screen's playlist is computed from, but the
 * time: the screen's own fields and the versions of its campaigns. */
static uint64_t screen_inputs(const struct sched_set *set, const struct pl_screen *s,
                              const size_t *idx, size_t n, pl_ms day)
{
    uint64_t h = fnv(s->id, strlen(s->id), FNV_INIT);
    int geo[3] = {s->width, s->height, s->rotate};

    h = fnv(geo, sizeof geo, h);
    h = fnv(&day, sizeof day, h);
    for (size_t i = 0; i < n; i++)
        h = fnv(&set->v[idx[i]].serial, sizeof set->v[idx[i]].serial, h);
    return h;
}

/* True when the screen's playlist file is still the one last written or
 * checked by this publisher. */
static bool file_current(const struct screen_memo *m, const struct sched_state *st, const char *id)
{
    char path[4096];
    struct stat sb;

    if (snprintf(path, sizeof path, "%s/%s.playlist", st->playlists, id) >= (int)sizeof path)
        return false;
    return lstat(path, &sb) == 0 && memo_matches(m, &sb);
}

static struct subset *subset_find(struct subset *tab, size_t cap, const size_t *idx, size_t n,
                                  uint64_t h)
{
    for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        struct subset *e = &tab[i];
        if (!e->used)
            return e;
        if (e->hash == h && e->n == n && memcmp(e->idx, idx, n * sizeof *idx) == 0)
            return e;
    }
}

int sched_publish(struct sched_publisher *p, const struct sched_state *st,
                  const struct pl_config *cfg, const struct sched_set *set, pl_ms now,
                  struct sched_publish_stats *stats)
{
    struct sched_publish_stats dummy;
    struct strbuf sb = STRBUF_INIT;
    struct pl_window fb;
    struct subset *tab;
    const struct pl_campaign **camps = sched_set_campaigns(set);
    size_t cap = 16;
    pl_ms from, to, day;
    int ret = 0;

    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    while (cap < 2 * cfg->nscreens + 2)
        cap *= 2;
    tab = calloc(cap, sizeof *tab);
    if (!tab || !camps || pl_merge_fallback(cfg, &fb) < 0) {
        log_error("%s: out of memory publishing", st->playlists);
        free(tab);
        free(camps);
        return -1;
    }
    pl_merge_range(cfg, now, &from, &to);
    day = pl_tz_day_start(cfg->tz, now);
    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *s = &cfg->screens[i];
        struct screen_memo *m = memo_get(p, s->id, i);
        struct pl_playlist pl;
        struct subset *e;
        size_t *idx, n;
        uint64_t h, inputs;

        stats->screens++;
        if (!m || pl_merge_targeting(camps, set->n, s, &idx, &n) < 0) {
            log_error("%s: out of memory publishing", s->id);
            stats->failed++;
            ret = -1;
            continue;
        }
        inputs = screen_inputs(set, s, idx, n, day);
        if (m->known && !m->failing && m->inputs == inputs && m->day == day &&
            file_current(m, st, s->id)) {
            free(idx);
            stats->unchanged++;
            continue;
        }
        h = fnv(idx, n * sizeof *idx, FNV_INIT);
        e = subset_find(tab, cap, idx, n, h);
        if (!e->used) {
            e->used = true;
            e->hash = h;
            e->idx = idx;
            e->n = n;
            e->failed = pl_merge_windows(cfg, camps, idx, n, from, to, &e->w, &e->nw) < 0;
            stats->subsets++;
        } else {
            free(idx);
        }
        if (e->failed) {
            if (!m->failing)
                log_error("%s: out of memory computing the windows", s->id);
            m->failing = true;
            stats->failed++;
            ret = -1;
            continue;
        }
        memset(&pl, 0, sizeof pl);
        pl.format = PL_FORMAT;
        pl.screen = s->id;
        pl.timezone = cfg->timezone;
        pl.width = s->width;
        pl.height = s->height;
        pl.rotate = s->rotate;
        pl.windows = e->w;
        pl.nwindows = e->nw;
        pl.fallback = fb;
        switch (publish_screen(m, st, cfg, &pl, now, &sb)) {
        case 1:
            stats->written++;
            m->inputs = inputs;
            m->day = day;
            break;
        case 0:
            stats->unchanged++;
            m->inputs = inputs;
            m->day = day;
            break;
        default:
            stats->failed++;
            ret = -1;
        }
    }
    for (size_t i = 0; i < cap; i++) {
        if (!tab[i].used)
            continue;
        free(tab[i].idx);
        pl_windows_free(tab[i].w, tab[i].nw);
    }
    free(tab);
    free(camps);
    free(fb.slots);
    sb_free(&sb);
    return ret;
}
