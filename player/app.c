/* app.c - the player: what is due now, prepared ahead, drawn on time, logged.
 *
 * Each frame: t = clock now; when t reaches the end of the slot on screen,
 * the slot due at t (pl_due_at) replaces it, on that frame, if it was
 * prepared; the slot after it is then handed to the preparation thread
 * (a quarter second later, so that work does not compete with the new
 * item's first frames).  A video prepared ahead holds after its first frame
 * and decodes on once that frame is presented.  A broken medium is replaced
 * for its time by the next playable item of the same loop, then the
 * fallback, then the built-in slide.
 *
 * Each item leaving the screen is one proof-of-play line with its true
 * time on screen; one that came on late is "cut" with how late it was; one
 * never shown is "skipped" (or "error") over its own slot, with no screen
 * time, written the moment it is given up (a crash loses at most the item
 * on screen), so it may come before the line of the item held meanwhile.
 */
#include "media/avglue.h"
#include "media/fonts.h"
#include "player/app.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <jansson.h>
#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "player/broken.h"
#include "common/clock.h"
#include "player/poplog.h"
#include "player/prep.h"
#include "player/text.h"
#include "player/video.h"
#include "playlists/config.h"
#include "playlists/plfile.h"
#include "playlists/schedule.h"

#define APP_DEFAULT_W 1920
#define APP_DEFAULT_H 1080
#define APP_BUILTIN_TEXT "東京都"
#define APP_BUILTIN_BG 0x0d1b2aU /* dark blue, never black */
#define APP_BUILTIN_FG 0xffffffU
#define APP_CANDS_MAX 16       /* an item and what may fill its time */
#define APP_CACHE_MAX 12       /* uploaded pictures kept */
#define APP_CHECK_MS 1000      /* playlist file looked at this often (real time) */
#define APP_FRAME_NS 16666667  /* the frame cap without vsync */
#define APP_KEEPALIVE_MS 500   /* a still picture is presented again this often */
#define APP_FIRST_WAIT_MS 3000 /* startup: how long the first item may take */
#define APP_FAR_FUTURE (PL_MS_MAX)
#define APP_CLOCK_BACK_MS 1000 /* a clock stepping back further is noticed */
#define APP_AFTER_DELAY_MS 250 /* real time after a switch before the next-but-one is prepared */
#define APP_AFTER_SOON_MS 1000 /* ... unless it is due within this (real time) */

/* A slot copied out of the playlist, so playlists can be replaced freely. */
struct slotinfo {
    bool builtin; /* the built-in slide, not from any playlist */
    char *campaign, *owner, *title, *media, *sha256, *text;
    int item;
    enum pl_item_type type;
    uint32_t fg, bg;
    pl_ms slot_start, slot_end; /* the time it fills */
    pl_ms natural_ms;           /* its own duration */
    bool cut_at_end;            /* slot_end cuts it short (a window's end) */
    int64_t generation;
};

/* What is on screen, or ready to be. */
struct content {
    bool valid;
    struct slotinfo info; /* the item shown (a substitute fills the due slot's time) */
    int cache_slot;       /* >= 0: TEX borrowed from the cache */
    SDL_Texture *tex;     /* image or text, full picture */
    struct video *video;
    SDL_Texture *vtex; /* the video's YUV texture */
    int vw, vh;
    int vrot; /* clockwise turn that stands the video upright */
    enum video_pixfmt vfmt;
    float vaspect;    /* display aspect of the video picture */
    pl_ms shown_from; /* clock time it came on screen */
    bool late;        /* came on screen after its slot began: not ready in time */
};

/* The next item: what is due, and what will be shown for it. */
struct plan {
    bool active;
    struct slotinfo due;
    struct slotinfo cand[APP_CANDS_MAX];
    size_t ncand;
    char *skip_why; /* the due item is known broken: logged as skipped */
    char *err;      /* the due item failed now: logged as error */
    uint64_t job;
    bool ready;
    bool late_logged;
    struct content c;
};

struct cache_entry {
    char *key;
    SDL_Texture *tex;
    int refs;
    uint64_t used;
};

struct app {
    const struct player_opts *o;
    struct pl_config *cfg;
    char *state;
    char *playlist_path;
    char *screen_id;
    int w, h, rotate;
    pl_tz *tz;
    struct pclock *clock;
    struct poplog *poplog;
    bool poplog_failed;
    struct broken_set *broken;
    struct prep *prep;
    FILE *frame_log;

    struct pl_playlist *pl, *pending;
    struct stat seen; /* the playlist file last looked at */
    bool seen_valid;
    bool load_force; /* the read asked for was a SIGHUP's */
    bool missing_logged;
    int64_t next_check_ms;

    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *target, *fade_from;
    bool vsync;
    struct cache_entry cache[APP_CACHE_MAX];
    uint64_t tick;

    struct content cur;
    struct plan next;  /* due when cur ends */
    struct plan after; /* due when next ends: prepared early, as a cut
                        * slot may leave next only a moment */
    uint64_t job_seq;
    int64_t switch_mono_ms;  /* monotonic time of the last switch (and fade start) */
    bool play_after_present; /* the video came on screen: let it decode on */
    bool dirty;              /* the picture changed: present a frame */
    int64_t last_present_ms; /* monotonic */
    bool fading;

    int sfd;
    bool quit, reload;
    bool ready_sent;
    uint64_t watchdog_us;
    int64_t last_watchdog_ms;
};

/* ------------------------------------------------------------------ slots */

static void slot_clear(struct slotinfo *s)
{
    free(s->campaign);
    free(s->owner);
    free(s->title);
    free(s->media);
    free(s->sha256);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

static char *xstrdup(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static int slot_copy(struct slotinfo *dst, const struct slotinfo *src)
{
    bool oom = false;

    *dst = *src;
    dst->campaign = xstrdup(src->campaign, &oom);
    dst->owner = xstrdup(src->owner, &oom);
    dst->title = xstrdup(src->title, &oom);
    dst->media = xstrdup(src->media, &oom);
    dst->sha256 = xstrdup(src->sha256, &oom);
    dst->text = xstrdup(src->text, &oom);
    if (oom) {
        slot_clear(dst);
        return -1;
    }
    return 0;
}

static int slot_builtin(struct slotinfo *s, pl_ms start, pl_ms end)
{
    bool oom = false;

    memset(s, 0, sizeof(*s));
    s->builtin = true;
    s->campaign = xstrdup("-", &oom);
    s->owner = xstrdup("東京都", &oom);
    s->title = xstrdup("built-in fallback", &oom);
    s->text = xstrdup(APP_BUILTIN_TEXT, &oom);
    s->type = PL_ITEM_TEXT;
    s->fg = APP_BUILTIN_FG;
    s->bg = APP_BUILTIN_BG;
    s->slot_start = start;
    s->slot_end = end;
    s->natural_ms = end - start;
    if (oom) {
        slot_clear(s);
        return -1;
    }
    return 0;
}

/* Slot SL of a playlist (CAMP its campaign, "-" for the fallback) filling
 * [START, END). */
static int slot_from(struct slotinfo *s, const struct pl_playlist *pl, const struct pl_slot *sl,
                     pl_ms start, pl_ms end)
{
    const struct pl_campaign *c = sl->campaign;
    bool oom = false;

    memset(s, 0, sizeof(*s));
    if (!c || sl->item >= c->nitems)
        return -1;
    const struct pl_item *it = &c->items[sl->item];
    s->campaign = xstrdup(c->id ? c->id : "-", &oom);
    s->owner = xstrdup(c->owner, &oom);
    s->title = xstrdup(c->title, &oom);
    s->media = xstrdup(it->media ? it->media : it->file, &oom);
    s->sha256 = xstrdup(it->sha256[0] ? it->sha256 : NULL, &oom);
    s->text = xstrdup(it->text, &oom);
    s->item = (int)sl->item;
    s->type = it->type;
    s->fg = it->color;
    s->bg = it->background; /* text: its background; media: the letterbox */
    s->slot_start = start;
    s->slot_end = end;
    s->natural_ms = sl->duration_ms;
    s->cut_at_end = end < start + sl->duration_ms;
    s->generation = pl->generation;
    if (oom) {
        slot_clear(s);
        return -1;
    }
    return 0;
}

/* Same slot of the schedule (not: same content). */
static bool slot_same(const struct slotinfo *a, const struct slotinfo *b)
{
    if (a->builtin || b->builtin)
        return a->builtin == b->builtin && a->slot_end == b->slot_end;
    return a->generation == b->generation && a->slot_start == b->slot_start &&
           a->slot_end == b->slot_end && a->item == b->item && a->campaign && b->campaign &&
           strcmp(a->campaign, b->campaign) == 0;
}

/* The key broken media are remembered by. */
static const char *slot_media_key(const struct slotinfo *s)
{
    if (s->type == PL_ITEM_TEXT)
        return NULL;
    return s->sha256 && *s->sha256 ? s->sha256 : s->media;
}

/* The key an uploaded picture is cached by (NULL: not cacheable). */
static char *slot_cache_key(const struct slotinfo *s)
{
    char *k = NULL;
    int n = -1;

    if (s->type == PL_ITEM_TEXT)
        n = asprintf(&k, "t:%06x:%06x:%s", (unsigned)s->fg, (unsigned)s->bg,
                     s->text ? s->text : "");
    else if (s->type == PL_ITEM_IMAGE && slot_media_key(s))
        n = asprintf(&k, "i:%s", slot_media_key(s));
    return n < 0 ? NULL : k;
}

/* STATE/MEDIA, refusing paths that leave STATE. */
static char *media_path(const struct app *a, const char *media)
{
    char *p = NULL;

    if (!media || !*media || media[0] == '/' || strcmp(media, "..") == 0 ||
        strncmp(media, "../", 3) == 0 || strstr(media, "/../") ||
        (strlen(media) >= 3 && strcmp(media + strlen(media) - 3, "/..") == 0))
        return NULL;
    if (asprintf(&p, "%s/%s", a->state, media) < 0)
        return NULL;
    return p;
}

/* ------------------------------------------------------------ what is due */

/* Start of the first window after T, or APP_FAR_FUTURE. */
static pl_ms next_window_start(const struct pl_playlist *pl, pl_ms t)
{
    for (size_t i = 0; i < pl->nwindows; i++)
        if (pl->windows[i].start > t)
            return pl->windows[i].start;
    return APP_FAR_FUTURE;
}

/* The slot due at T in PL (NULL: none, the built-in slide), into OUT.  The
 * built-in slide fills until the next window (or for ever). */
static int due_at(const struct pl_playlist *pl, pl_ms t, struct slotinfo *out, struct pl_due *dout)
{
    struct pl_due d;

    memset(&d, 0, sizeof(d));
    if (!pl)
        return slot_builtin(out, t, APP_FAR_FUTURE);
    pl_due_at(pl->windows, pl->nwindows, &pl->fallback, t, &d);
    if (dout)
        *dout = d;
    if (!d.slot || !d.slot->campaign)
        return slot_builtin(out, t, next_window_start(pl, t));
    if (slot_from(out, pl, d.slot, d.slot_start, d.slot_end)) {
        log_warn("playlist: slot at %lld refers to a missing item; showing the built-in slide",
                 (long long)t);
        return slot_builtin(out, t, next_window_start(pl, t));
    }
    return 0;
}

/* ------------------------------------------------------------ the cache */

static int cache_find(struct app *a, const char *key)
{
    for (int i = 0; i < APP_CACHE_MAX; i++)
        if (a->cache[i].key && strcmp(a->cache[i].key, key) == 0)
            return i;
    return -1;
}

/* Takes TEX under KEY (both owned by the cache on success).  Returns the
 * slot, or -1 when every slot is in use (the caller keeps TEX and KEY). */
static int cache_put(struct app *a, char *key, SDL_Texture *tex)
{
    int victim = -1;

    for (int i = 0; i < APP_CACHE_MAX; i++) {
        if (!a->cache[i].key) {
            victim = i;
            break;
        }
        if (a->cache[i].refs == 0 && (victim < 0 || a->cache[i].used < a->cache[victim].used))
            victim = i;
    }
    if (victim < 0)
        return -1;
    struct cache_entry *e = &a->cache[victim];
    if (e->key) {
        free(e->key);
        SDL_DestroyTexture(e->tex);
    }
    e->key = key;
    e->tex = tex;
    e->refs = 0;
    e->used = ++a->tick;
    return victim;
}

static void cache_clear(struct app *a)
{
    for (int i = 0; i < APP_CACHE_MAX; i++) {
        free(a->cache[i].key);
        if (a->cache[i].tex)
            SDL_DestroyTexture(a->cache[i].tex);
        memset(&a->cache[i], 0, sizeof(a->cache[i]));
    }
}

/* ------------------------------------------------------------ content */

static void content_release(struct app *a, struct content *c)
{
    if (c->cache_slot >= 0 && c->tex)
        a->cache[c->cache_slot].refs--;
    else if (c->tex)
        SDL_DestroyTexture(c->tex);
    if (c->vtex)
        SDL_DestroyTexture(c->vtex);
    prep_dispose_video(a->prep, c->video);
    slot_clear(&c->info);
    memset(c, 0, sizeof(*c));
    c->cache_slot = -1;
}

/* C shows picture TEX from cache slot I. */
static void content_use_cached(struct app *a, struct content *c, int i)
{
    c->cache_slot = i;
    c->tex = a->cache[i].tex;
    a->cache[i].refs++;
    a->cache[i].used = ++a->tick;
}

static void video_set_mode(const struct video_frame *f)
{
    SDL_YUV_CONVERSION_MODE m =
        f->matrix == VIDEO_BT709 ? SDL_YUV_CONVERSION_BT709 : SDL_YUV_CONVERSION_BT601;
    if (f->full_range)
        m = SDL_YUV_CONVERSION_JPEG;
    SDL_SetYUVConversionMode(m);
}

static int video_upload(struct content *c, const struct video_frame *f)
{
    if (f->w != c->vw || f->h != c->vh || f->fmt != c->vfmt)
        return -1; /* a size change mid-stream: keep the last picture */
    if (f->fmt == VIDEO_NV12)
        return SDL_UpdateNVTexture(c->vtex, NULL, f->plane[0], f->pitch[0], f->plane[1],
                                   f->pitch[1]);
    return SDL_UpdateYUVTexture(c->vtex, NULL, f->plane[0], f->pitch[0], f->plane[1], f->pitch[1],
                                f->plane[2], f->pitch[2]);
}

/* Makes C's textures from a preparation result (main thread only).
 * Returns 0 or -1 with ERR filled. */
static int content_from_result(struct app *a, struct content *c, struct prep_result *r,
                               pl_ms media_t, char *err, size_t errlen)
{
    if (r->video) {
        bool is_new;
        const struct video_frame *f = video_frame_at(r->video, media_t, &is_new);
        if (!f) {
            snprintf(err, errlen, "the video has no frame");
            return -1;
        }
        c->vw = f->w;
        c->vh = f->h;
        c->vfmt = f->fmt;
        float sar = f->sar_num > 0 && f->sar_den > 0 ? (float)f->sar_num / f->sar_den : 1.0f;
        c->vaspect = (float)f->w * sar / (float)f->h;
        c->vrot = f->rotate;
        video_set_mode(f);
        c->vtex = SDL_CreateTexture(
            a->ren, f->fmt == VIDEO_NV12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV,
            SDL_TEXTUREACCESS_STREAMING, f->w, f->h);
        if (!c->vtex || video_upload(c, f)) {
            snprintf(err, errlen, "cannot make a %dx%d video texture: %s", f->w, f->h,
                     SDL_GetError());
            return -1;
        }
        c->video = r->video;
        r->video = NULL;
        return 0;
    }
    if (!r->surface) {
        snprintf(err, errlen, "nothing was prepared");
        return -1;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(a->ren, r->surface);
    if (!tex) {
        snprintf(err, errlen, "cannot upload a picture: %s", SDL_GetError());
        return -1;
    }
    char *key = slot_cache_key(&c->info);
    int slot = key ? cache_put(a, key, tex) : -1;
    if (slot >= 0) {
        content_use_cached(a, c, slot);
    } else {
        free(key);
        c->tex = tex;
        c->cache_slot = -1;
    }
    return 0;
}

/* -------------------------------------------------------- proof of play */

static void pop_write(struct app *a, const struct slotinfo *s, pl_ms start, pl_ms end, pl_ms shown,
                      pl_ms planned, enum poplog_result res, const char *error)
{
    char err[512];
    struct poplog_entry e = {
        .screen = a->screen_id,
        .campaign = s->campaign,
        .owner = s->owner,
        .title = s->title,
        .item = s->item,
        .type = pl_item_type_name(s->type),
        .media = s->type == PL_ITEM_TEXT ? NULL : s->media,
        .sha256 = s->type == PL_ITEM_TEXT ? NULL : s->sha256,
        .start = start,
        .end = end,
        .planned_ms = planned,
        .shown_ms = shown,
        .result = res,
        .error = error,
        .generation = s->generation,
    };

    if (!a->poplog)
        return;
    if (poplog_write(a->poplog, &e, err, sizeof(err))) {
        if (!a->poplog_failed)
            log_error("proof of play: %s (further failures are not logged)", err);
        a->poplog_failed = true;
    } else {
        a->poplog_failed = false;
    }
}

/* A due item that was not shown at all (RES skipped or error): logged over
 * its own slot with no screen time. */
static void pop_missed(struct app *a, const struct slotinfo *due, enum poplog_result res,
                       const char *why)
{
    pop_write(a, due, due->slot_start, due->slot_end, 0, due->natural_ms, res, why);
}

/* The item on screen leaves it at T: its true time on screen.  An item
 * that came on late (not ready when its slot began) is logged cut, with
 * how late it was. */
static void pop_leave(struct app *a, const struct content *c, pl_ms t, bool stopping)
{
    const struct slotinfo *s = &c->info;
    pl_ms planned;
    enum poplog_result res = POPLOG_PLAYED;
    char why[128];
    const char *error = NULL;

    if (!c->valid)
        return;
    if (s->builtin) {
        planned = t - c->shown_from;
        res = stopping ? POPLOG_CUT : POPLOG_PLAYED;
    } else {
        planned = s->natural_ms;
        if (s->cut_at_end || (stopping && t < s->slot_end))
            res = POPLOG_CUT;
        if (c->late) {
            res = POPLOG_CUT;
            snprintf(why, sizeof(why), "shown %lld ms after its slot began: not ready in time",
                     (long long)(c->shown_from - s->slot_start));
            error = why;
        }
    }
    if (t < c->shown_from)
        t = c->shown_from; /* the clock went back: no negative time on screen */
    pop_write(a, s, c->shown_from, t, t - c->shown_from, planned, res, error);
}

/* ------------------------------------------------------------ planning */

static void plan_clear(struct app *a, struct plan *p)
{
    if (p->job && !p->ready && a->prep)
        prep_cancel(a->prep, p->job); /* no longer wanted: not worked on */
    slot_clear(&p->due);
    for (size_t i = 0; i < p->ncand; i++)
        slot_clear(&p->cand[i]);
    free(p->skip_why);
    free(p->err);
    content_release(a, &p->c);
    memset(p, 0, sizeof(*p));
    p->c.cache_slot = -1;
}

/* Adds the candidate S (a copy, given the due slot's time) unless it is
 * known broken.  Returns whether it was added. */
static bool plan_add(struct app *a, struct plan *p, const struct slotinfo *s, pl_ms now)
{
    const char *why;

    if (p->ncand == APP_CANDS_MAX)
        return false;
    if (!s->builtin && s->type != PL_ITEM_TEXT) {
        const char *key = slot_media_key(s);
        if (!key || broken_has(a->broken, key, now, &why))
            return false;
    }
    if (slot_copy(&p->cand[p->ncand], s))
        return false;
    struct slotinfo *c = &p->cand[p->ncand++];
    c->slot_start = p->due.slot_start;
    c->slot_end = p->due.slot_end;
    return true;
}

/* The loop slots after SL in W (or the fallback loop) as candidates. */
static void plan_add_loop(struct app *a, struct plan *p, const struct pl_playlist *pl,
                          const struct pl_window *w, size_t from, pl_ms now)
{
    for (size_t k = 1; k <= w->nslots && p->ncand < APP_CANDS_MAX - 1; k++) {
        const struct pl_slot *sl = &w->slots[(from + k) % w->nslots];
        struct slotinfo s;
        if (slot_from(&s, pl, sl, p->due.slot_start, p->due.slot_end))
            continue;
        /* the same item again (a campaign with one item) would fail the same way */
        bool dup = false;
        for (size_t i = 0; i < p->ncand && !dup; i++)
            dup = p->cand[i].item == s.item && p->cand[i].campaign && s.campaign &&
                  strcmp(p->cand[i].campaign, s.campaign) == 0;
        if (!dup)
            plan_add(a, p, &s, now);
        slot_clear(&s);
    }
}

static void plan_fill_prep_item(const struct app *a, const struct slotinfo *s, struct prep_item *it)
{
    memset(it, 0, sizeof(*it));
    it->type = s->type;
    it->fg = s->fg;
    it->bg = s->bg;
    if (s->type == PL_ITEM_TEXT)
        it->text = s->text;
    else
        it->path = media_path(a, s->media);
}

/* Cache hit on the first candidate: ready without a job. */
static bool plan_try_cache(struct app *a, struct plan *p)
{
    if (!p->ncand)
        return false;
    char *key = slot_cache_key(&p->cand[0]);
    int i = key ? cache_find(a, key) : -1;
    free(key);
    if (i < 0)
        return false;
    if (slot_copy(&p->c.info, &p->cand[0]))
        return false;
    content_use_cached(a, &p->c, i);
    p->c.valid = true;
    p->ready = true;
    return true;
}

/* Lists what may fill the slot due at T of PL: the due item, the rest of
 * its loop, the fallback loop, the built-in slide; known-broken media left
 * out (NOW is the clock, for the broken set). */
static int plan_build(struct app *a, struct plan *p, const struct pl_playlist *pl, pl_ms t,
                      pl_ms now)
{
    struct pl_due d;
    const char *why = NULL;

    plan_clear(a, p);
    memset(&d, 0, sizeof(d));
    if (due_at(pl, t, &p->due, &d))
        return -1;
    p->active = true;

    if (!p->due.builtin) {
        const char *key = slot_media_key(&p->due);
        if (p->due.type != PL_ITEM_TEXT && key && broken_has(a->broken, key, now, &why)) {
            if (broken_first_report(a->broken, key))
                p->err = strdup(why); /* failed while a substitute: its first turn */
            else
                p->skip_why = strdup(why);
        } else if (p->due.type != PL_ITEM_TEXT && !key)
            p->err = strdup("the playlist names no medium for this item");
        else
            plan_add(a, p, &p->due, now);
        const struct pl_window *w = d.window ? d.window : &pl->fallback;
        if (w->nslots && d.slot >= w->slots && d.slot < w->slots + w->nslots)
            plan_add_loop(a, p, pl, w, (size_t)(d.slot - w->slots), now);
        if (d.window && pl->fallback.nslots)
            plan_add_loop(a, p, pl, &pl->fallback, pl->fallback.nslots - 1, now);
    }
    struct slotinfo b;
    if (slot_builtin(&b, p->due.slot_start, p->due.slot_end) == 0) {
        b.generation = p->due.generation;
        plan_add(a, p, &b, now);
        slot_clear(&b);
    }
    return 0;
}

/* The job's candidates for prep; free each path afterwards. */
static void plan_items(const struct app *a, const struct plan *p, struct prep_item *items)
{
    for (size_t i = 0; i < p->ncand; i++)
        plan_fill_prep_item(a, &p->cand[i], &items[i]);
}

static void plan_items_free(const struct plan *p, struct prep_item *items)
{
    for (size_t i = 0; i < p->ncand; i++)
        free(items[i].path);
}

/* plan_build(), then a job for the preparation thread unless a cached
 * picture answers at once.  Returns 0 or -1. */
static int plan_make(struct app *a, struct plan *p, const struct pl_playlist *pl, pl_ms t,
                     pl_ms now)
{
    struct prep_item items[APP_CANDS_MAX];

    if (plan_build(a, p, pl, t, now))
        return -1;
    if (plan_try_cache(a, p))
        return 0;
    plan_items(a, p, items);
    p->job = ++a->job_seq;
    int rc = prep_submit(a->prep, p->job, items, p->ncand);
    plan_items_free(p, items);
    return rc;
}

/* The candidate is the due item itself (not a substitute). */
static bool plan_is_due(const struct plan *p, size_t i)
{
    return i < p->ncand && !p->skip_why && !p->err && !p->due.builtin && i == 0;
}

/* Takes result R for plan P: records failures, makes textures. */
static void plan_take(struct app *a, struct plan *p, struct prep_result *r, pl_ms now)
{
    char err[512];

    for (size_t i = 0; i < r->n && i < p->ncand; i++) {
        if (!r->errors[i])
            continue;
        const struct slotinfo *s = &p->cand[i];
        const char *key = slot_media_key(s);
        log_warn("%s item %d (%s): %s", s->campaign, s->item, s->media ? s->media : "text",
                 r->errors[i]);
        if (key)
            broken_add(a->broken, key, r->errors[i], now);
        if (plan_is_due(p, i) && !p->err) {
            p->err = strdup(r->errors[i]);
            if (key)
                broken_first_report(a->broken, key); /* reported now */
        }
    }
    if (r->chosen < p->ncand && slot_copy(&p->c.info, &p->cand[r->chosen]) == 0) {
        if (content_from_result(a, &p->c, r, now - p->due.slot_start, err, sizeof(err)) == 0) {
            p->c.valid = true;
            p->ready = true;
            return;
        }
        log_warn("%s item %d: %s", p->c.info.campaign, p->c.info.item, err);
        content_release(a, &p->c);
    }
    /* nothing could be prepared, not even text: a plain slide */
    if (slot_builtin(&p->c.info, p->due.slot_start, p->due.slot_end))
        return;
    p->c.info.generation = p->due.generation;
    SDL_Surface *s = prep_plain(a->w, a->h, APP_BUILTIN_BG);
    p->c.tex = s ? SDL_CreateTextureFromSurface(a->ren, s) : NULL;
    SDL_FreeSurface(s);
    if (p->c.tex) {
        p->c.valid = true;
        p->ready = true;
    } else {
        content_release(a, &p->c);
    }
}

static void poll_results(struct app *a, pl_ms now)
{
    struct prep_result *r;

    while ((r = prep_poll(a->prep)) != NULL) {
        if (a->next.active && !a->next.ready && r->id == a->next.job)
            plan_take(a, &a->next, r, now);
        else if (a->after.active && !a->after.ready && r->id == a->after.job)
            plan_take(a, &a->after, r, now);
        prep_dispose_video(a->prep, r->video); /* one nobody wants any more */
        r->video = NULL;
        prep_result_free(r);
    }
}

/* ------------------------------------------------------------ playlists */

static bool stat_same(const struct stat *x, const struct stat *y)
{
    return x->st_dev == y->st_dev && x->st_ino == y->st_ino && x->st_size == y->st_size &&
           x->st_mtim.tv_sec == y->st_mtim.tv_sec && x->st_mtim.tv_nsec == y->st_mtim.tv_nsec;
}

/* The answer to a read of the playlist file: PL, or NULL with ERR.  A new
 * generation (or any readable one when FORCEd) becomes the pending
 * playlist, taken at the next item boundary. */
static void playlist_take(struct app *a, struct pl_playlist *pl, const char *err, bool force)
{
    if (!pl) {
        log_error("%s (%s)", err,
                  a->pl ? "keeping the last good playlist" : "showing the built-in slide");
        return;
    }
    if (a->pl && pl->generation == a->pl->generation && !force && !a->pending) {
        pl_playlist_free(pl); /* touched, not changed */
        return;
    }
    if (a->pl)
        log_info("%s: generation %lld read, taken at the next item boundary", a->playlist_path,
                 (long long)pl->generation);
    else
        log_info("%s: generation %lld", a->playlist_path, (long long)pl->generation);
    pl_playlist_free(a->pending);
    a->pending = pl;
}

/* Looks at the playlist file; a changed (or FORCEd) one is read: on the
 * preparation thread once it runs (the answer comes through
 * playlist_poll()), else here.  Problems are logged once per version of the
 * file. */
static void playlist_check(struct app *a, bool force)
{
    struct stat st;
    char err[1024] = "";

    if (stat(a->playlist_path, &st) != 0) {
        if (!a->missing_logged)
            log_warn("%s: %s; %s", a->playlist_path, strerror(errno),
                     a->pl ? "keeping the last good playlist" : "showing the built-in slide");
        a->missing_logged = true;
        a->seen_valid = false;
        return;
    }
    a->missing_logged = false;
    if (!force && a->seen_valid && stat_same(&st, &a->seen))
        return;
    a->seen = st;
    a->seen_valid = true;
    a->load_force = a->load_force || force; /* until an answer takes it */
    if (a->prep) {
        if (prep_load_playlist(a->prep, a->playlist_path) == 0)
            return;
        a->seen_valid = false; /* out of memory: ask again next time */
        return;
    }
    struct pl_playlist *pl = pl_playlist_load(a->playlist_path, err, sizeof(err));
    playlist_take(a, pl, err, a->load_force);
    a->load_force = false;
}

/* Takes the preparation thread's answer, if one came.  Returns whether a
 * new pending playlist came with it. */
static bool playlist_poll(struct app *a)
{
    struct pl_playlist *pl;
    char err[1024] = "";
    const struct pl_playlist *before = a->pending;

    if (!a->prep || !prep_poll_playlist(a->prep, &pl, err, sizeof(err)))
        return false;
    playlist_take(a, pl, err, a->load_force);
    a->load_force = false;
    return a->pending && a->pending != before;
}

/* ------------------------------------------------------------ drawing */

static void set_color(SDL_Renderer *r, uint32_t rgb)
{
    SDL_SetRenderDrawColor(r, (rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, 255);
}

/* Brings C's video texture up to the frame due at T.  Returns whether the
 * picture changed. */
static bool content_update(struct content *c, pl_ms t)
{
    bool is_new = false;

    if (!c->valid || !c->video)
        return false;
    const struct video_frame *f = video_frame_at(c->video, t - c->info.slot_start, &is_new);
    if (!f || !is_new)
        return false;
    video_set_mode(f);
    return video_upload(c, f) == 0;
}

/* Draws content C into BOX of the current render target: the picture's
 * W x H area, scaled to BOX. */
static void draw_content(struct app *a, const struct content *c, const SDL_Rect *box)
{
    if (!c->valid || c->video) {
        set_color(a->ren, c->valid ? c->info.bg : APP_BUILTIN_BG);
        SDL_RenderFillRect(a->ren, box);
    }
    if (!c->valid)
        return;
    if (!c->video) {
        SDL_RenderCopy(a->ren, c->tex, NULL, box);
        return;
    }
    /* The picture as it stands upright; a phone's portrait video is
     * stored on its side, with a turn in its display matrix. */
    bool side = c->vrot % 180 != 0;
    float shown = side ? 1.0f / c->vaspect : c->vaspect;
    float aspect = (float)box->w / (float)box->h;
    int sw, sh;
    if (shown > aspect) {
        sw = box->w;
        sh = (int)((float)box->w / shown + 0.5f);
    } else {
        sh = box->h;
        sw = (int)((float)box->h * shown + 0.5f);
    }
    /* SDL turns about the centre: the rectangle before the turn. */
    SDL_Rect dst = {0, 0, side ? sh : sw, side ? sw : sh};
    dst.x = box->x + (box->w - dst.w) / 2;
    dst.y = box->y + (box->h - dst.h) / 2;
    if (c->vrot)
        SDL_RenderCopyEx(a->ren, c->vtex, NULL, &dst, c->vrot, NULL, SDL_FLIP_NONE);
    else
        SDL_RenderCopy(a->ren, c->vtex, NULL, &dst);
}

/* The rectangle the W x H picture turned by ROTATE takes, fitted to OW x OH
 * and centred (before the turn: SDL_RenderCopyEx turns about its centre). */
static SDL_Rect fit_rotated(int w, int h, int rotate, int ow, int oh)
{
    int rw = rotate % 180 ? h : w, rh = rotate % 180 ? w : h;
    double s = (double)ow / rw < (double)oh / rh ? (double)ow / rw : (double)oh / rh;
    SDL_Rect r;

    r.w = (int)(w * s + 0.5);
    r.h = (int)(h * s + 0.5);
    r.x = (ow - r.w) / 2;
    r.y = (oh - r.h) / 2;
    return r;
}

/* Composes the frame onto the OW x OH output.  An upright screen
 * without cross-fades is drawn straight onto the output; a turned one (or
 * one that fades) is composed in the picture-sized target first, then
 * copied out turned. */
static void draw_frame(struct app *a, bool upright, int ow, int oh)
{
    int rotate = upright ? 0 : a->rotate;
    SDL_Rect dst = fit_rotated(a->w, a->h, rotate, ow, oh);

    if (rotate == 0 && !a->fade_from) {
        SDL_SetRenderTarget(a->ren, NULL);
        if (dst.w != ow || dst.h != oh) {
            SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 255);
            SDL_RenderClear(a->ren);
        }
        draw_content(a, &a->cur, &dst);
        return;
    }
    SDL_Rect whole = {0, 0, a->w, a->h};
    SDL_SetRenderTarget(a->ren, a->target);
    draw_content(a, &a->cur, &whole);
    if (a->fading) {
        int64_t el = pclock_mono_ms() - a->switch_mono_ms;
        if (el >= a->o->fade_ms) {
            a->fading = false;
        } else {
            int alpha = (int)(255 - el * 255 / a->o->fade_ms);
            SDL_SetTextureAlphaMod(a->fade_from, (Uint8)alpha);
            SDL_RenderCopy(a->ren, a->fade_from, NULL, NULL);
        }
    }
    SDL_SetRenderTarget(a->ren, NULL);
    SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 255);
    SDL_RenderClear(a->ren);
    SDL_RenderCopyEx(a->ren, a->target, NULL, &dst, rotate, NULL, SDL_FLIP_NONE);
}

/* ------------------------------------------------------------ switching */

/* Moves plan FROM into TO (cleared first); FROM is left empty. */
static void plan_move(struct app *a, struct plan *to, struct plan *from)
{
    plan_clear(a, to);
    *to = *from;
    memset(from, 0, sizeof(*from));
    from->c.cache_slot = -1;
}

/* The plan becomes what is on screen at T. */
static void switch_to_next(struct app *a, pl_ms t)
{
    struct plan *p = &a->next;

    if (a->o->fade_ms > 0 && a->fade_from && a->cur.valid) {
        SDL_SetRenderTarget(a->ren, a->fade_from);
        SDL_SetTextureAlphaMod(a->target, 255);
        SDL_RenderCopy(a->ren, a->target, NULL, NULL);
        SDL_SetRenderTarget(a->ren, NULL);
        a->fading = true; /* from switch_mono_ms */
    }
    pop_leave(a, &a->cur, t, false);
    content_release(a, &a->cur);
    if (p->skip_why)
        pop_missed(a, &p->due, POPLOG_SKIPPED, p->skip_why);
    else if (p->err)
        pop_missed(a, &p->due, POPLOG_ERROR, p->err);
    a->cur = p->c;
    a->cur.shown_from = t;
    a->play_after_present = a->cur.video != NULL;
    a->switch_mono_ms = pclock_mono_ms();
    a->dirty = true;
    a->cur.late = p->late_logged && !a->cur.info.builtin && t > a->cur.info.slot_start;
    memset(&p->c, 0, sizeof(p->c));
    p->c.cache_slot = -1;
    log_debug("on screen: %s item %d (%s) until %lld", a->cur.info.campaign, a->cur.info.item,
              pl_item_type_name(a->cur.info.type), (long long)a->cur.info.slot_end);
    if (a->after.active && a->after.due.slot_end <= p->due.slot_end)
        plan_clear(a, &a->after); /* over before this one ends: planned anew */
    plan_move(a, p, &a->after);
}

/* The playlist the next boundary uses. */
static const struct pl_playlist *boundary_pl(const struct app *a)
{
    return a->pending ? a->pending : a->pl;
}

static void adopt_pending(struct app *a)
{
    if (!a->pending)
        return;
    pl_playlist_free(a->pl);
    a->pl = a->pending;
    a->pending = NULL;
    broken_set_generation(a->broken, a->pl->generation);
}

/* Plan P's due item will never be shown: logged as missed, with the reason
 * it has (broken medium, first failure) or the one that applies. */
static void plan_give_up(struct app *a, const struct plan *p)
{
    if (!p->active || p->due.builtin || !a->cur.valid)
        return;
    if (p->err) {
        pop_missed(a, &p->due, POPLOG_ERROR, p->err);
        return;
    }
    const char *why = p->skip_why ? p->skip_why
                      : p->ready  ? "its slot ended before a frame could show it"
                                  : "not ready in time";
    log_warn("%s item %d: %s; skipped", p->due.campaign, p->due.item, why);
    pop_missed(a, &p->due, POPLOG_SKIPPED, why);
}

/* Once per frame: switch when the slot on screen has ended and the next is
 * ready; keep the next one in preparation. */
static void step(struct app *a, pl_ms t)
{
    struct slotinfo due;

    /* a clock stepped back (by hand, or NTP) by more than a second: what is
     * due is looked up again */
    bool stepped_back = a->cur.valid && t < a->cur.shown_from - APP_CLOCK_BACK_MS;
    bool boundary = !a->cur.valid || t >= a->cur.info.slot_end || stepped_back ||
                    (a->cur.info.builtin && a->pending);
    if (stepped_back) {
        log_warn("the clock went back %lld ms; looking up what is due again",
                 (long long)(a->cur.shown_from - t));
        a->cur.info.slot_end = t; /* leaves the screen now, cut short */
        a->cur.info.cut_at_end = true;
        plan_clear(a, &a->next);
        plan_clear(a, &a->after);
    }
    if (boundary) {
        if (due_at(boundary_pl(a), t, &due, NULL) == 0) {
            bool after_due = a->after.active && slot_same(&a->after.due, &due);
            if (after_due || !a->next.active || !slot_same(&a->next.due, &due)) {
                /* its whole slot went by and it was never shown */
                plan_give_up(a, &a->next);
                if (after_due) {
                    plan_move(a, &a->next, &a->after);
                } else {
                    /* the clock went past the one after too (or a new
                     * playlist came): it is planned anew after next */
                    if (a->after.active && a->after.due.slot_end <= t)
                        plan_give_up(a, &a->after);
                    plan_clear(a, &a->after);
                    plan_make(a, &a->next, boundary_pl(a), t, t);
                }
            }
            slot_clear(&due);
        }
        if (a->next.ready) {
            if (a->next.late_logged)
                log_warn("%s item %d shown %lld ms late: it was not ready", a->next.due.campaign,
                         a->next.due.item, (long long)(t - a->next.due.slot_start));
            adopt_pending(a);
            switch_to_next(a, t);
        } else if (a->cur.valid && !a->next.late_logged && t >= a->cur.info.slot_end) {
            a->next.late_logged = true; /* logged with the delay once it shows */
        }
    }
    if (!a->next.active && a->cur.valid && a->cur.info.slot_end < APP_FAR_FUTURE)
        plan_make(a, &a->next, boundary_pl(a), a->cur.info.slot_end, t);
    /* the one after: not in the frames just after a switch, when the
     * preparation thread's work would compete with the new item's first
     * frames, unless it is due soon */
    if (a->next.active && !a->after.active && a->cur.valid &&
        a->next.due.slot_end < APP_FAR_FUTURE && a->next.due.slot_end > a->next.due.slot_start &&
        (pclock_mono_ms() - a->switch_mono_ms >= APP_AFTER_DELAY_MS ||
         (double)(a->next.due.slot_end - t) / a->o->clock_rate < APP_AFTER_SOON_MS))
        plan_make(a, &a->after, boundary_pl(a), a->next.due.slot_end, t);
}

/* ------------------------------------------------------------ setup */

static char *dir_of(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return NULL;
    char *s = strrchr(d, '/');
    if (!s) {
        free(d);
        return strdup(".");
    }
    if (s == d)
        s[1] = '\0';
    else
        *s = '\0';
    return d;
}

/* Config, STATE, playlist path, first playlist, zone and geometry. */
static int setup_model(struct app *a)
{
    const struct player_opts *o = a->o;
    char err[1024];
    const char *cfgpath = pl_config_locate(o->config);
    bool need_cfg = o->screen || o->config;

    if (need_cfg || access(cfgpath, F_OK) == 0) {
        a->cfg = pl_config_load(cfgpath, err, sizeof(err));
        if (!a->cfg) {
            if (need_cfg) {
                log_error("%s", err);
                return -1;
            }
            log_warn("%s (ignored: --playlist does not need it)", err);
        }
    }
    const struct pl_screen *scr = NULL;
    if (o->screen) {
        scr = pl_config_screen(a->cfg, o->screen);
        if (!scr) {
            log_error("%s: error: no screen \"%s\" in the configuration; use one of its "
                      "screens' ids",
                      a->cfg->path, o->screen);
            return -1;
        }
        a->state = strdup(a->cfg->state);
        if (asprintf(&a->playlist_path, "%s/playlists/%s.playlist", a->state, o->screen) < 0)
            return -1;
    } else {
        a->playlist_path = strdup(o->playlist);
        if (a->cfg) {
            a->state = strdup(a->cfg->state);
        } else {
            /* STATE/playlists/ID.playlist: STATE is the parent of its directory */
            char *d = dir_of(o->playlist);
            if (d && asprintf(&a->state, "%s/..", d) < 0)
                a->state = NULL;
            free(d);
        }
    }
    if (!a->state || !a->playlist_path)
        return -1;

    playlist_check(a, true);
    adopt_pending(a);

    const char *zone = a->pl && a->pl->timezone ? a->pl->timezone
                       : a->cfg                 ? a->cfg->timezone
                                                : "Asia/Tokyo";
    a->tz = pl_tz_new(zone, err, sizeof(err));
    if (!a->tz) {
        log_warn("%s; using Asia/Tokyo", err);
        a->tz = pl_tz_new("Asia/Tokyo", err, sizeof(err));
        if (!a->tz) {
            log_error("%s", err);
            return -1;
        }
    }
    a->w = APP_DEFAULT_W;
    a->h = APP_DEFAULT_H;
    if (scr) {
        a->w = scr->width;
        a->h = scr->height;
        a->rotate = scr->rotate;
    } else if (a->pl && a->pl->width > 0 && a->pl->height > 0) {
        a->w = a->pl->width;
        a->h = a->pl->height;
        a->rotate = a->pl->rotate;
    }
    if (a->w <= 0 || a->h <= 0 || a->w > 16384 || a->h > 16384 || a->rotate % 90 || a->rotate < 0 ||
        a->rotate >= 360) {
        log_error("screen geometry %dx%d rotate %d is not usable", a->w, a->h, a->rotate);
        return -1;
    }
    a->screen_id = strdup(o->screen ? o->screen : a->pl && a->pl->screen ? a->pl->screen : "-");
    if (!a->screen_id)
        return -1;
    return 0;
}

static int setup_clock(struct app *a, const char *at)
{
    char err[512];
    pl_ms start;

    if (!at) {
        a->clock = pclock_new_real();
    } else {
        if (pl_time_parse(at, a->tz, PL_TIME_START, &start, err, sizeof(err))) {
            log_error("--clock %s: %s", at, err);
            return -1;
        }
        a->clock = pclock_new_sim(start, a->o->clock_rate);
    }
    return a->clock ? 0 : -1;
}

static void app_free(struct app *a)
{
    plan_clear(a, &a->next);
    plan_clear(a, &a->after);
    content_release(a, &a->cur);
    prep_free(a->prep); /* before SDL goes: its results hold surfaces */
    cache_clear(a);
    if (a->fade_from)
        SDL_DestroyTexture(a->fade_from);
    if (a->target)
        SDL_DestroyTexture(a->target);
    if (a->ren)
        SDL_DestroyRenderer(a->ren);
    if (a->win)
        SDL_DestroyWindow(a->win);
    if (a->frame_log)
        fclose(a->frame_log);
    broken_free(a->broken);
    poplog_free(a->poplog);
    pclock_free(a->clock);
    pl_playlist_free(a->pl);
    pl_playlist_free(a->pending);
    pl_tz_free(a->tz);
    pl_config_free(a->cfg);
    free(a->state);
    free(a->playlist_path);
    free(a->screen_id);
    if (a->sfd >= 0)
        close(a->sfd);
}

/* ------------------------------------------------------------ screenshot */

/* Waits until the decoder holds the frame due at T (the latest with
 * pts <= T), at most a few seconds. */
static void video_settle(struct video *v, pl_ms t)
{
    pl_ms last = -1;
    int stable = 0;

    for (int i = 0; i < 500 && stable < 15; i++) {
        bool is_new;
        const struct video_frame *f = video_frame_at(v, t, &is_new);
        if (!f || video_ended(v))
            break;
        if (f->pts_ms == last) {
            stable++;
        } else {
            stable = 0;
            last = f->pts_ms;
        }
        SDL_Delay(20);
    }
}

/* Tears down what shot_begin() made, and OUT. */
static void shot_end(struct app *a, SDL_Surface *out)
{
    content_release(a, &a->cur);
    plan_clear(a, &a->next);
    cache_clear(a); /* its textures go with the renderer */
    if (a->target)
        SDL_DestroyTexture(a->target);
    a->target = NULL;
    if (a->ren)
        SDL_DestroyRenderer(a->ren);
    a->ren = NULL;
    SDL_FreeSurface(out);
}

/* The software renderer, target and preparation for pictures of OW x OH
 * drawn without a window (--screenshot-at, --preview).  Returns the
 * surface drawn on, or NULL (logged). */
static SDL_Surface *shot_begin(struct app *a, int ow, int oh)
{
    char err[512];
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, ow, oh, 32, SDL_PIXELFORMAT_ARGB8888);

    if (!out)
        return NULL;
    a->ren = SDL_CreateSoftwareRenderer(out);
    if (a->ren)
        a->target = SDL_CreateTexture(a->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET,
                                      a->w, a->h);
    char *font = fonts_bundled();
    if (a->target)
        a->prep = prep_new(a->w, a->h, font, false, err, sizeof(err));
    free(font);
    if (a->target && !a->prep)
        log_error("%s", err);
    if (!a->prep) {
        shot_end(a, out);
        return NULL;
    }
    return out;
}

/* Writes S as the PNG file PATH: into a new temporary file beside it, then
 * renamed over it, so a symbolic link or a file already at PATH is
 * replaced, never written through.  0, or -1 (logged). */
static int save_png(SDL_Surface *s, const char *path)
{
    char *tmp = NULL, *d = dir_of(path);
    int fd = -1, rc = -1;
    FILE *f = NULL;

    if (!d || asprintf(&tmp, "%s/.signage-png.XXXXXX", d) < 0) {
        free(d);
        log_error("%s: out of memory", path);
        return -1;
    }
    free(d);
    fd = mkstemp(tmp);
    if (fd >= 0) { /* a picture for people to open: the umask's mode, not 0600 */
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        log_error("%s: cannot write the picture: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return -1;
    }
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_TRUE); /* closes F */
    if (!rw)
        fclose(f);
    if (!rw || IMG_SavePNG_RW(s, rw, 1) != 0)
        log_error("%s: cannot write the picture: %s", path, SDL_GetError());
    else if (rename(tmp, path) != 0)
        log_error("%s: cannot write the picture: %s", path, strerror(errno));
    else
        rc = 0;
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* Draws what plays at T onto OUT (from shot_begin()) and saves it as the
 * PNG PATH.  *ERR gets why the item due could not be shown (the picture
 * then shows what fills its time), or NULL; the caller frees it.  Returns
 * 0 or -1 (logged). */
static int shot_take(struct app *a, SDL_Surface *out, pl_ms t, const char *path, char **err)
{
    struct plan *p = &a->next;
    struct prep_item items[APP_CANDS_MAX];

    *err = NULL;
    content_release(a, &a->cur);
    if (plan_build(a, p, a->pl, t, t))
        return -1;
    plan_items(a, p, items);
    struct prep_result *r = prep_run(a->prep, items, p->ncand);
    plan_items_free(p, items);
    if (!r)
        return -1;
    if (r->video) {
        video_play(r->video);
        video_settle(r->video, t - p->due.slot_start);
    }
    plan_take(a, p, r, t);
    prep_result_free(r);
    if (!p->ready)
        return -1;
    if (p->err)
        *err = strdup(p->err);
    a->cur = p->c;
    memset(&p->c, 0, sizeof(p->c));
    p->c.cache_slot = -1;
    content_update(&a->cur, t);
    draw_frame(a, true, out->w, out->h);
    SDL_RenderPresent(a->ren);
    return save_png(out, path);
}

static int screenshot(struct app *a)
{
    char err[512], *why = NULL;
    pl_ms t;
    int ow = a->o->size_w ? a->o->size_w : a->w, oh = a->o->size_h ? a->o->size_h : a->h;
    int rc = 1;

    if (pl_time_parse(a->o->screenshot_at, a->tz, PL_TIME_START, &t, err, sizeof(err))) {
        log_error("--screenshot-at %s: %s", a->o->screenshot_at, err);
        return 1;
    }
    SDL_Surface *out = shot_begin(a, ow, oh);
    if (out && shot_take(a, out, t, a->o->out, &why) == 0) {
        if (why)
            log_warn("%s item %d at this time: %s; the screenshot shows what fills its time",
                     a->next.due.campaign, a->next.due.item, why);
        log_info("%s: %s item %d (%s) at %s", a->o->out, a->cur.info.campaign, a->cur.info.item,
                 pl_item_type_name(a->cur.info.type), a->o->screenshot_at);
        rc = 0;
    }
    free(why);
    if (out)
        shot_end(a, out);
    if (rc)
        log_error("screenshot at %s failed%s%s", a->o->screenshot_at, SDL_GetError()[0] ? ": " : "",
                  SDL_GetError());
    return rc;
}

/* The --preview description of text item S on this screen. */
static void preview_text(struct text_renderer *tr, const struct app *a, const struct slotinfo *s,
                         json_t *o)
{
    struct text_report rep;
    char err[256];

    if (text_describe(tr, s->text, a->w, a->h, &rep, err, sizeof err) < 0) {
        json_object_set_new(o, "error", json_string(err));
        return;
    }
    json_t *lines = json_array();
    for (size_t i = 0; i < rep.nlines; i++)
        json_array_append_new(lines, json_string(rep.lines[i]));
    json_object_set_new(o, "text", json_string(s->text));
    json_object_set_new(o, "size", json_integer(rep.pt));
    json_object_set_new(o, "box", json_pack("[ii]", rep.box_w, rep.box_h));
    json_object_set_new(o, "max_lines", json_integer((json_int_t)rep.max_lines));
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "phrase_splits", json_integer((json_int_t)rep.phrase_splits));
    json_object_set_new(o, "phrase_size", json_integer(rep.phrase_pt));
    json_object_set_new(o, "overflow", json_boolean(rep.overflow));
    json_object_set_new(o, "missing", json_string(rep.missing));
    text_report_clear(&rep);
}

/* --preview DIR: each item of the playlist's first window (or of its
 * fallback when it has none), once, drawn as it will be shown to
 * DIR/SCREEN-CAMPAIGN-ITEM.png, and a JSON array on stdout describing
 * each: what signagectl preview shows an operator. */
static int preview(struct app *a)
{
    const struct pl_playlist *pl = a->pl;
    char err[512];
    int rc = 1;

    if (!pl) {
        log_error("%s: no playlist to preview", a->playlist_path);
        return 1;
    }
    const struct pl_window *w = pl->nwindows ? &pl->windows[0] : &pl->fallback;
    pl_ms t = pl->nwindows ? w->start : pl->generated_at;
    pl_ms end = pl->nwindows ? w->end : t + 86400000;
    if (end - t > w->loop_ms)
        end = t + w->loop_ms; /* one turn of the loop shows every item */
    char *font = fonts_bundled();
    struct text_renderer *tr = font ? text_renderer_new(font, err, sizeof err) : NULL;
    free(font);
    json_t *arr = json_array();
    SDL_Surface *out = tr ? shot_begin(a, a->w, a->h) : NULL;
    if (!tr)
        log_error("%s", err);
    if (!out || !arr)
        goto out;
    rc = 0;
    for (size_t n = 0; t < end && n < w->nslots;) {
        struct slotinfo due;
        struct pl_due d;
        if (due_at(pl, t, &due, &d) || due.slot_end <= t) {
            rc = 1;
            break;
        }
        bool seen = false;
        for (size_t i = 0; i < json_array_size(arr) && !seen; i++) {
            json_t *e = json_array_get(arr, i);
            seen = strcmp(json_string_value(json_object_get(e, "campaign")), due.campaign) == 0 &&
                   json_integer_value(json_object_get(e, "item")) == due.item;
        }
        if (!seen) {
            pl_ms at = due.slot_start > t ? due.slot_start : t, len = due.slot_end - at;
            char *png = NULL, *why = NULL;
            at += len / 2 < 1000 ? len / 2 : 1000; /* a video a second in */
            json_t *o = json_pack("{sssssiss}", "screen", a->screen_id, "campaign", due.campaign,
                                  "item", due.item, "type", pl_item_type_name(due.type));
            if (asprintf(&png, "%s/%s-%s-%d.png", a->o->preview, a->screen_id, due.campaign,
                         due.item + 1) < 0 ||
                !o || shot_take(a, out, at, png, &why) < 0) {
                rc = 1;
                json_decref(o);
            } else {
                json_object_set_new(o, "png", json_string(png));
                if (why)
                    json_object_set_new(o, "error", json_string(why));
                else if (due.type == PL_ITEM_TEXT && due.text)
                    preview_text(tr, a, &due, o);
                json_array_append_new(arr, o);
            }
            free(png);
            free(why);
            n++;
        }
        t = due.slot_end;
        slot_clear(&due);
    }
    char *doc = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (doc)
        puts(doc);
    free(doc);
out:
    json_decref(arr);
    if (out)
        shot_end(a, out);
    text_renderer_free(tr);
    return rc;
}

/* ------------------------------------------------------------ the loop */

static void handle_signals(struct app *a)
{
    struct signalfd_siginfo si;

    while (read(a->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            log_info("SIGHUP: reloading the playlist");
            a->reload = true;
        } else {
            log_info("%s: stopping", strsignal((int)si.ssi_signo));
            a->quit = true;
        }
    }
}

static void handle_events(struct app *a)
{
    SDL_Event ev;

    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_QUIT)
            a->quit = true;
        else if (ev.type == SDL_KEYDOWN &&
                 (ev.key.keysym.sym == SDLK_ESCAPE || ev.key.keysym.sym == SDLK_q))
            a->quit = true;
        else if (ev.type == SDL_RENDER_DEVICE_RESET)
            log_warn("the renderer was reset; textures are rebuilt as items change");
        if (ev.type == SDL_WINDOWEVENT || ev.type == SDL_RENDER_TARGETS_RESET ||
            ev.type == SDL_RENDER_DEVICE_RESET)
            a->dirty = true; /* exposed, resized, shown again: draw it anew */
    }
}

static void frame_log_line(struct app *a, pl_ms t)
{
    char iso[PL_TIME_BUFSZ];

    if (!a->frame_log || pl_time_format(t, a->tz, iso, sizeof(iso)) < 0)
        return;
    fprintf(a->frame_log, "%lld %s %s %d\n", (long long)pclock_mono_ms(), iso,
            a->cur.valid ? a->cur.info.campaign : "-", a->cur.valid ? a->cur.info.item : 0);
}

static void notify(struct app *a)
{
    int64_t now = pclock_mono_ms();

    if (!a->ready_sent) {
        sd_notify(0, "READY=1");
        a->ready_sent = true;
    }
    if (a->watchdog_us && now - a->last_watchdog_ms >= (int64_t)(a->watchdog_us / 2000)) {
        sd_notify(0, "WATCHDOG=1");
        a->last_watchdog_ms = now;
    }
}

static int setup_window(struct app *a)
{
    Uint32 flags = SDL_WINDOW_SHOWN;
    const char *drv = SDL_GetCurrentVideoDriver();

    /* Headless drivers: GL there is a slow software emulation; SDL's own
     * software renderer is faster and steadier. */
    if (drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0))
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    int ww = a->rotate % 180 ? a->h : a->w, wh = a->rotate % 180 ? a->w : a->h;

    if (a->o->windowed) {
        while (ww > 1280 || wh > 1280) {
            ww /= 2;
            wh /= 2;
        }
        flags |= SDL_WINDOW_RESIZABLE;
    } else {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    }
    a->win = SDL_CreateWindow("signage-player", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww,
                              wh, flags);
    if (!a->win) {
        log_error("cannot open a window: %s", SDL_GetError());
        return -1;
    }
    if (!a->o->windowed)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    a->ren = SDL_CreateRenderer(a->win, -1,
                                SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC |
                                    SDL_RENDERER_TARGETTEXTURE);
    if (!a->ren) {
        log_info("no accelerated renderer (%s); drawing in software", SDL_GetError());
        a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE | SDL_RENDERER_TARGETTEXTURE);
    }
    if (!a->ren) {
        log_error("cannot create a renderer: %s", SDL_GetError());
        return -1;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(a->ren, &info) == 0) {
        a->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
        log_info("renderer %s%s, picture %dx%d rotated %d", info.name,
                 a->vsync ? " with vsync" : "", a->w, a->h, a->rotate);
    }
    a->target =
        SDL_CreateTexture(a->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, a->w, a->h);
    if (!a->target) {
        log_error("cannot create a %dx%d render target: %s", a->w, a->h, SDL_GetError());
        return -1;
    }
    if (a->o->fade_ms > 0) {
        a->fade_from = SDL_CreateTexture(a->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET,
                                         a->w, a->h);
        if (a->fade_from)
            SDL_SetTextureBlendMode(a->fade_from, SDL_BLENDMODE_BLEND);
        else
            log_warn("no cross-fade: %s", SDL_GetError());
    }
    return 0;
}

static void sleep_until_ns(int64_t when)
{
    struct timespec ts = {(time_t)(when / 1000000000), (long)(when % 1000000000)};

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int run_loop(struct app *a)
{
    char err[512];
    char *logdir = NULL;

    if (asprintf(&logdir, "%s/log", a->state) < 0)
        return 1;
    a->poplog = poplog_new(logdir, a->tz, err, sizeof(err));
    free(logdir);
    if (!a->poplog)
        log_error("%s; playing without proof of play", err);
    if (a->o->frame_log) {
        a->frame_log = fopen(a->o->frame_log, "a");
        if (!a->frame_log) {
            log_error("%s: cannot open the frame log: %s", a->o->frame_log, strerror(errno));
            return 1;
        }
        setvbuf(a->frame_log, NULL, _IOLBF, 0);
    }
    if (setup_window(a))
        return 1;
    char *font = fonts_bundled();
    a->prep = prep_new(a->w, a->h, font, true, err, sizeof(err));
    free(font);
    if (!a->prep) {
        log_error("%s", err);
        return 1;
    }
    if (sd_watchdog_enabled(0, &a->watchdog_us) <= 0)
        a->watchdog_us = 0;

    int64_t start_ms = pclock_mono_ms();
    int64_t next_frame = pclock_mono_ns();
    a->next_check_ms = start_ms + APP_CHECK_MS;
    while (!a->quit) {
        handle_signals(a);
        handle_events(a);
        if (a->quit)
            break;
        pl_ms t = pclock_now(a->clock);
        int64_t now_ms = pclock_mono_ms();
        if (a->reload || now_ms >= a->next_check_ms) {
            playlist_check(a, a->reload);
            a->reload = false;
            a->next_check_ms = now_ms + APP_CHECK_MS;
        }
        if (playlist_poll(a)) {
            /* replan with the new playlist; an item already due and not
             * yet shown never will be */
            if (a->next.active && a->next.due.slot_start <= t)
                plan_give_up(a, &a->next);
            plan_clear(a, &a->next);
            plan_clear(a, &a->after);
        }
        poll_results(a, t);
        step(a, t);
        if (!a->cur.valid) {
            /* startup: nothing presented until the first item is ready */
            if (now_ms - start_ms > APP_FIRST_WAIT_MS) {
                log_warn("the first item is not ready after %d ms; showing the built-in slide",
                         APP_FIRST_WAIT_MS);
                plan_clear(a, &a->next);
                a->next.active = true;
                slot_builtin(&a->next.due, t, t);
                struct prep_result fake = {0};
                plan_take(a, &a->next, &fake, t); /* makes the plain slide */
                a->cur = a->next.c;
                a->cur.info.slot_end = t; /* replaced as soon as anything is ready */
                a->cur.shown_from = t;
                a->dirty = true;
                memset(&a->next.c, 0, sizeof(a->next.c));
                plan_clear(a, &a->next);
            } else {
                SDL_Delay(5);
                continue;
            }
        }
        /* A frame is drawn and presented only when the picture changed (a
         * switch, a new video frame, a fade, the window) or every
         * APP_KEEPALIVE_MS: a still slide costs next to nothing, and a
         * 30 fps video is presented 30 times a second, not 60. */
        bool dirty = content_update(&a->cur, t) || a->dirty || a->fading ||
                     now_ms - a->last_present_ms >= APP_KEEPALIVE_MS;
        if (dirty) {
            int ow, oh;
            SDL_GetRendererOutputSize(a->ren, &ow, &oh);
            draw_frame(a, false, ow, oh);
            SDL_RenderPresent(a->ren);
            a->dirty = false;
            a->last_present_ms = pclock_mono_ms();
            if (a->play_after_present) {
                /* after its first frame is out: its decoder waking up does
                 * not compete with that frame (the next is queued already) */
                video_play(a->cur.video);
                a->play_after_present = false;
            }
            frame_log_line(a, t);
            notify(a);
        }
        /* Pace: vsync does it; when present returns early (no vsync, no
         * display, a faster panel) the frame is held to ~60 fps. */
        int64_t t1 = pclock_mono_ns();
        next_frame += APP_FRAME_NS;
        if (next_frame < t1 - APP_FRAME_NS)
            next_frame = t1; /* fell behind: do not race to catch up */
        if (next_frame - t1 > 2000000)
            sleep_until_ns(next_frame);
    }
    pl_ms t = pclock_now(a->clock);
    pop_leave(a, &a->cur, t, true);
    a->cur.valid = false;
    sd_notify(0, "STOPPING=1");
    return 0;
}

int app_main(const struct player_opts *o)
{
    struct app a;
    sigset_t sigs;
    int rc = 1;

    memset(&a, 0, sizeof(a));
    a.o = o;
    a.sfd = -1;
    a.cur.cache_slot = -1;
    a.next.c.cache_slot = -1;
    a.after.c.cache_slot = -1;

    /* before any thread exists, so every thread inherits the mask */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    a.sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (a.sfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        return 1;
    }
    media_log_route(); /* FFmpeg's own lines at debug level: a broken medium is reported once */
    a.broken = broken_new(BROKEN_RETRY_MS);
    if (!a.broken || setup_model(&a))
        goto out;
    if (a.pl)
        broken_set_generation(a.broken, a.pl->generation);

    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (o->screenshot_at || o->preview) {
        if (setup_clock(&a, NULL))
            goto out;
        rc = a.o->preview ? preview(&a) : screenshot(&a);
        goto out;
    }
    if (setup_clock(&a, o->clock))
        goto out;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        log_error("cannot start SDL video: %s (no display? try SDL_VIDEODRIVER=offscreen, or "
                  "--screenshot-at)",
                  SDL_GetError());
        goto out;
    }
    rc = run_loop(&a);
    app_free(&a);
    SDL_Quit();
    return rc;
out:
    app_free(&a);
    SDL_Quit();
    return rc;
}
