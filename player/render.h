/* render.h - what the screen shows: prepared pictures made into textures,
 * the picture cache, the video texture kept up to its clock, the frame
 * composed (letterbox, turn, cross-fade) and presented only when it
 * changed.  Main thread only: this is the one room that touches SDL's
 * renderer.
 */
#ifndef SIGNAGE_PLAYER_RENDER_H
#define SIGNAGE_PLAYER_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "player/plan.h"
#include "player/prep.h"
#include "player/video.h"

#define RENDER_CACHE_MAX 12 /* uploaded pictures kept */

/* A picture ready to be shown, or on screen. */
struct content {
    bool valid;
    struct plan_slot info; /* the item shown (a substitute fills the due slot's time) */
    int cache_slot;        /* >= 0: TEX borrowed from the cache */
    SDL_Texture *tex;      /* image or text, full picture */
    struct video *video;
    SDL_Texture *vtex; /* the video's YUV texture */
    int vw, vh;
    int vrot; /* clockwise turn that stands the video upright */
    enum video_pixfmt vfmt;
    float vaspect; /* display aspect of the video picture */
    int vplay;     /* the play of the video it shows (video_again()) */
};

/* An empty content (nothing held). */
void content_init(struct content *c);

struct render;

/* Draws with REN (taken over: destroyed by render_free(), also on failure)
 * pictures of W x H turned by ROTATE degrees, cross-fading FADE_MS (0:
 * none); videos go back to PREP when done.  NULL with ERR on failure. */
struct render *render_new(SDL_Renderer *ren, int w, int h, int rotate, int fade_ms,
                          struct prep *prep, char *err, size_t errlen);

/* Frees R, its cache, what is on screen and the renderer.  NULL is a
 * no-op. */
void render_free(struct render *r);

/* Whether S's picture is in the cache (plan_cached_fn). */
bool render_cached(void *r, const struct plan_slot *s);

/* C shows S's cached picture.  Returns 0, or -1 when it is not cached. */
int render_use_cached(struct render *r, struct content *c, const struct plan_slot *s);

/* Makes C's textures from a preparation result (C->info says what it is),
 * its video MEDIA_T ms in.  Returns 0, or -1 with ERR filled. */
int render_from_result(struct render *r, struct content *c, struct prep_result *res, pl_ms media_t,
                       char *err, size_t errlen);

/* C becomes the next play of the video of FROM (on screen, or prepared
 * to follow it), for a video that follows itself: decoded by the same
 * decoder (video_again()), shown in the same texture.  Returns 0, or -1
 * when that video cannot go on (open it again). */
int render_continue(struct content *c, const struct content *from);

/* C becomes a plain slide in the built-in colour.  Returns 0 or -1. */
int render_plain(struct render *r, struct content *c);

/* Drops what C holds (C stays usable, empty). */
void render_release(struct render *r, struct content *c);

/* C (moved: left empty) goes on screen; what was there is released, and
 * faded out from real time MONO_MS when fading is on. */
void render_show(struct render *r, struct content *c, int64_t mono_ms);

/* What is on screen (valid false before anything was shown). */
const struct content *render_on_screen(const struct render *r);

/* One turn of the loop at playlist time T, real time MONO_MS: brings the
 * video up to T and presents a frame when the picture changed, a fade
 * runs or REDRAW asks (the window was exposed or resized); a still picture
 * is not presented again.  Returns whether a frame was presented. */
bool render_frame(struct render *r, pl_ms t, int64_t mono_ms, bool redraw);

/* The real time (ms) render_frame() next has something to do with a
 * still picture (a fade step), from MONO_MS; INT64_MAX when nothing. */
int64_t render_next_mono(const struct render *r, int64_t mono_ms);

/* Draws the picture on screen, upright, onto the whole OW x OH output and
 * presents it (for pictures of one moment), its video at T. */
void render_still(struct render *r, pl_ms t, int ow, int oh);

#endif
