/* render.c - textures, the picture cache and the frame (see render.h). */
#include "player/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct cache_entry {
    char *key;
    SDL_Texture *tex;
    int refs;
    uint64_t used;
};

struct render {
    SDL_Renderer *ren;
    SDL_Texture *target, *fade_from;
    int w, h, rotate, fade_ms;
    struct prep *prep;
    struct cache_entry cache[RENDER_CACHE_MAX];
    uint64_t tick;

    struct content cur;
    bool play_after_present; /* the video came on screen: let it decode on */
    bool dirty;              /* the picture changed: present a frame */
    bool fading;
    int64_t switch_mono_ms; /* real time of the last switch (and fade start) */
};

void content_init(struct content *c)
{
    memset(c, 0, sizeof(*c));
    c->cache_slot = -1;
}

/* ------------------------------------------------------------ the cache */

static int cache_find(const struct render *r, const char *key)
{
    for (int i = 0; i < RENDER_CACHE_MAX; i++)
        if (r->cache[i].key && strcmp(r->cache[i].key, key) == 0)
            return i;
    return -1;
}

/* Takes TEX under KEY (both owned by the cache on success).  Returns the
 * slot, or -1 when every slot is in use (the caller keeps TEX and KEY). */
static int cache_put(struct render *r, char *key, SDL_Texture *tex)
{
    int victim = -1;

    for (int i = 0; i < RENDER_CACHE_MAX; i++) {
        if (!r->cache[i].key) {
            victim = i;
            break;
        }
        if (r->cache[i].refs == 0 && (victim < 0 || r->cache[i].used < r->cache[victim].used))
            victim = i;
    }
    if (victim < 0)
        return -1;
    struct cache_entry *e = &r->cache[victim];
    if (e->key) {
        free(e->key);
        SDL_DestroyTexture(e->tex);
    }
    e->key = key;
    e->tex = tex;
    e->refs = 0;
    e->used = ++r->tick;
    return victim;
}

static void cache_clear(struct render *r)
{
    for (int i = 0; i < RENDER_CACHE_MAX; i++) {
        free(r->cache[i].key);
        if (r->cache[i].tex)
            SDL_DestroyTexture(r->cache[i].tex);
        memset(&r->cache[i], 0, sizeof(r->cache[i]));
    }
}

/* C shows picture TEX from cache slot I. */
static void content_use_slot(struct render *r, struct content *c, int i)
{
    c->cache_slot = i;
    c->tex = r->cache[i].tex;
    r->cache[i].refs++;
    r->cache[i].used = ++r->tick;
}

/* The cache slot holding S's picture, or -1. */
static int cache_of(const struct render *r, const struct plan_slot *s)
{
    char *key = plan_slot_cache_key(s);
    int i = key ? cache_find(r, key) : -1;

    free(key);
    return i;
}

bool render_cached(void *r, const struct plan_slot *s)
{
    return cache_of(r, s) >= 0;
}

int render_use_cached(struct render *r, struct content *c, const struct plan_slot *s)
{
    int i = cache_of(r, s);

    if (i < 0)
        return -1;
    content_use_slot(r, c, i);
    c->valid = true;
    return 0;
}

/* ------------------------------------------------------------ content */

void render_release(struct render *r, struct content *c)
{
    if (c->cache_slot >= 0 && c->tex)
        r->cache[c->cache_slot].refs--;
    else if (c->tex)
        SDL_DestroyTexture(c->tex);
    if (c->vtex)
        SDL_DestroyTexture(c->vtex);
    else if (c->video && c->vplay > 0)
        video_unask(c->video, c->vplay); /* a next play never shown */
    if (c->video && video_unref(c->video))
        prep_dispose_video(r->prep, c->video);
    plan_slot_clear(&c->info);
    content_init(c);
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

/* C's video texture, made for and filled with frame F.  Returns 0, or -1
 * with ERR filled. */
static int video_texture(struct render *r, struct content *c, const struct video_frame *f,
                         char *err, size_t errlen)
{
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
    c->vtex = SDL_CreateTexture(r->ren,
                                f->fmt == VIDEO_NV12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV,
                                SDL_TEXTUREACCESS_STREAMING, f->w, f->h);
    if (!c->vtex || video_upload(c, f)) {
        snprintf(err, errlen, "cannot make a %dx%d video texture: %s", f->w, f->h, SDL_GetError());
        return -1;
    }
    return 0;
}

int render_from_result(struct render *r, struct content *c, struct prep_result *res, pl_ms media_t,
                       char *err, size_t errlen)
{
    if (res->video) {
        if (video_texture(r, c, video_frame_at(res->video, media_t, NULL), err, errlen))
            return -1;
        c->video = res->video;
        res->video = NULL;
        c->valid = true;
        return 0;
    }
    if (!res->surface) {
        snprintf(err, errlen, "nothing was prepared");
        return -1;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r->ren, res->surface);
    if (!tex) {
        snprintf(err, errlen, "cannot upload a picture: %s", SDL_GetError());
        return -1;
    }
    char *key = plan_slot_cache_key(&c->info);
    int slot = key ? cache_put(r, key, tex) : -1;
    if (slot >= 0) {
        content_use_slot(r, c, slot);
    } else {
        free(key);
        c->tex = tex;
        c->cache_slot = -1;
    }
    c->valid = true;
    return 0;
}

int render_continue(struct content *c, const struct content *from)
{
    int n;

    if (!from->valid || !from->video || (n = video_again(from->video)) < 0)
        return -1;
    c->video = video_ref(from->video);
    c->vplay = n;
    c->vtex = NULL; /* the one on screen, taken over at the switch */
    c->vw = from->vw;
    c->vh = from->vh;
    c->vfmt = from->vfmt;
    c->vaspect = from->vaspect;
    c->vrot = from->vrot;
    c->valid = true;
    return 0;
}

/* C continues a video (render_continue()) and goes on screen: the video
 * moves on to C's play, in the texture on screen, which holds the last
 * frame until the play's first.  When C's video is not the one on screen
 * (something else came between), C gets a texture of its own.  Returns 0,
 * or -1 (C then holds nothing but its slot). */
static int continue_video(struct render *r, struct content *c)
{
    char err[256];

    video_show_play(c->video, c->vplay);
    if (r->cur.video == c->video && r->cur.vtex) {
        c->vtex = r->cur.vtex;
        r->cur.vtex = NULL;
        return 0;
    }
    if (video_texture(r, c, video_frame_at(c->video, 0, NULL), err, sizeof(err)) == 0)
        return 0;
    log_warn("%s item %d: %s", c->info.campaign ? c->info.campaign : "", c->info.item, err);
    if (c->vtex)
        SDL_DestroyTexture(c->vtex);
    c->vtex = NULL;
    if (video_unref(c->video))
        prep_dispose_video(r->prep, c->video);
    c->video = NULL;
    c->valid = false;
    return -1;
}

int render_plain(struct render *r, struct content *c)
{
    SDL_Surface *s = prep_plain(r->w, r->h, PLAN_BUILTIN_BG);

    c->tex = s ? SDL_CreateTextureFromSurface(r->ren, s) : NULL;
    SDL_FreeSurface(s);
    c->cache_slot = -1;
    c->valid = c->tex != NULL;
    return c->valid ? 0 : -1;
}

/* ------------------------------------------------------------ drawing */

static void set_color(SDL_Renderer *ren, uint32_t rgb)
{
    SDL_SetRenderDrawColor(ren, (rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, 255);
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
static void draw_content(struct render *r, const struct content *c, const SDL_Rect *box)
{
    if (!c->valid || c->video) {
        set_color(r->ren, c->valid ? c->info.bg : PLAN_BUILTIN_BG);
        SDL_RenderFillRect(r->ren, box);
    }
    if (!c->valid)
        return;
    if (!c->video) {
        SDL_RenderCopy(r->ren, c->tex, NULL, box);
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
        SDL_RenderCopyEx(r->ren, c->vtex, NULL, &dst, c->vrot, NULL, SDL_FLIP_NONE);
    else
        SDL_RenderCopy(r->ren, c->vtex, NULL, &dst);
}

/* The rectangle the W x H picture turned by ROTATE takes, fitted to OW x OH
 * and centred (before the turn: SDL_RenderCopyEx turns about its centre). */
static SDL_Rect fit_rotated(int w, int h, int rotate, int ow, int oh)
{
    int rw = rotate % 180 ? h : w, rh = rotate % 180 ? w : h;
    double s = (double)ow / rw < (double)oh / rh ? (double)ow / rw : (double)oh / rh;
    SDL_Rect out;

    out.w = (int)(w * s + 0.5);
    out.h = (int)(h * s + 0.5);
    out.x = (ow - out.w) / 2;
    out.y = (oh - out.h) / 2;
    return out;
}

/* Composes the frame onto the OW x OH output.  An upright screen
 * without cross-fades is drawn straight onto the output; a turned one (or
 * one that fades) is composed in the picture-sized target first, then
 * copied out turned. */
static void draw_frame(struct render *r, bool upright, int ow, int oh, int64_t mono_ms)
{
    int rotate = upright ? 0 : r->rotate;
    SDL_Rect dst = fit_rotated(r->w, r->h, rotate, ow, oh);

    if (rotate == 0 && !r->fade_from) {
        SDL_SetRenderTarget(r->ren, NULL);
        if (dst.w != ow || dst.h != oh) {
            SDL_SetRenderDrawColor(r->ren, 0, 0, 0, 255);
            SDL_RenderClear(r->ren);
        }
        draw_content(r, &r->cur, &dst);
        return;
    }
    SDL_Rect whole = {0, 0, r->w, r->h};
    SDL_SetRenderTarget(r->ren, r->target);
    draw_content(r, &r->cur, &whole);
    if (r->fading) {
        int64_t el = mono_ms - r->switch_mono_ms;
        if (el >= r->fade_ms) {
            r->fading = false;
        } else {
            int alpha = (int)(255 - el * 255 / r->fade_ms);
            SDL_SetTextureAlphaMod(r->fade_from, (Uint8)alpha);
            SDL_RenderCopy(r->ren, r->fade_from, NULL, NULL);
        }
    }
    SDL_SetRenderTarget(r->ren, NULL);
    SDL_SetRenderDrawColor(r->ren, 0, 0, 0, 255);
    SDL_RenderClear(r->ren);
    SDL_RenderCopyEx(r->ren, r->target, NULL, &dst, rotate, NULL, SDL_FLIP_NONE);
}

void render_show(struct render *r, struct content *c, int64_t mono_ms)
{
    if (r->fade_ms > 0 && r->fade_from && r->cur.valid) {
        SDL_SetRenderTarget(r->ren, r->fade_from);
        SDL_SetTextureAlphaMod(r->target, 255);
        SDL_RenderCopy(r->ren, r->target, NULL, NULL);
        SDL_SetRenderTarget(r->ren, NULL);
        r->fading = true; /* from switch_mono_ms */
    }
    if (c->valid && c->video && !c->vtex && continue_video(r, c))
        render_plain(r, c); /* its own texture could not be made */
    render_release(r, &r->cur);
    r->cur = *c;
    content_init(c);
    r->play_after_present = r->cur.video != NULL;
    r->switch_mono_ms = mono_ms;
    r->dirty = true;
}

const struct content *render_on_screen(const struct render *r)
{
    return &r->cur;
}

bool render_frame(struct render *r, pl_ms t, int64_t mono_ms, bool redraw)
{
    /* A frame is drawn and presented only when the picture changed (a
     * switch, a new video frame, a fade, the window): the display keeps the
     * last frame, so a still slide costs nothing between its changes, and a
     * 30 fps video is presented 30 times a second, not 60. */
    bool dirty = content_update(&r->cur, t) || r->dirty || redraw || r->fading;
    if (!dirty)
        return false;
    int ow, oh;
    SDL_GetRendererOutputSize(r->ren, &ow, &oh);
    draw_frame(r, false, ow, oh, mono_ms);
    SDL_RenderPresent(r->ren);
    r->dirty = false;
    if (r->play_after_present) {
        /* after its first frame is out: its decoder waking up does not
         * compete with that frame (the next is queued already) */
        video_play(r->cur.video);
        r->play_after_present = false;
    }
    return true;
}

int64_t render_next_mono(const struct render *r, int64_t mono_ms)
{
    return r->dirty || r->fading ? mono_ms : INT64_MAX;
}

void render_still(struct render *r, pl_ms t, int ow, int oh)
{
    content_update(&r->cur, t);
    draw_frame(r, true, ow, oh, 0);
    SDL_RenderPresent(r->ren);
}

/* ------------------------------------------------------------ life */

struct render *render_new(SDL_Renderer *ren, int w, int h, int rotate, int fade_ms,
                          struct prep *prep, char *err, size_t errlen)
{
    struct render *r = calloc(1, sizeof(*r));

    if (!r) {
        SDL_DestroyRenderer(ren);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->ren = ren;
    r->w = w;
    r->h = h;
    r->rotate = rotate;
    r->prep = prep;
    content_init(&r->cur);
    r->target = SDL_CreateTexture(ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    if (!r->target) {
        snprintf(err, errlen, "cannot create a %dx%d render target: %s", w, h, SDL_GetError());
        render_free(r);
        return NULL;
    }
    if (fade_ms > 0) {
        r->fade_from =
            SDL_CreateTexture(ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
        if (r->fade_from) {
            SDL_SetTextureBlendMode(r->fade_from, SDL_BLENDMODE_BLEND);
            r->fade_ms = fade_ms;
        } else {
            log_warn("no cross-fade: %s", SDL_GetError());
        }
    }
    return r;
}

void render_free(struct render *r)
{
    if (!r)
        return;
    render_release(r, &r->cur);
    cache_clear(r); /* its textures go with the renderer */
    if (r->fade_from)
        SDL_DestroyTexture(r->fade_from);
    if (r->target)
        SDL_DestroyTexture(r->target);
    if (r->ren)
        SDL_DestroyRenderer(r->ren);
    free(r);
}
