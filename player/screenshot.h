/* screenshot.h - pictures of one moment, drawn without a window:
 * --screenshot-at (what plays at a time, as a PNG) and --preview (each
 * item of a playlist's first window, as PNGs and a JSON description: what
 * signagectl preview shows an operator).  The same plan, preparation and
 * drawing as the screen, through a software renderer.
 */
#ifndef SIGNAGE_PLAYER_SCREENSHOT_H
#define SIGNAGE_PLAYER_SCREENSHOT_H

#include "player/options.h"
#include "player/plan.h"
#include "playlists/pltime.h"

struct shot_ctx {
    const struct player_opts *o; /* screenshot_at, out, size_w/h, preview */
    struct planner *plan;        /* holding the playlist */
    const pl_tz *tz;
    const char *state, *screen_id;
    int w, h; /* the screen's picture */
};

/* --screenshot-at: writes the picture at O->screenshot_at to O->out.
 * Returns the exit status (0, or 1 logged). */
int screenshot_run(const struct shot_ctx *c);

/* --preview DIR: each item of the playlist's first window (or of its
 * fallback when it has none), once, drawn as it will be shown to
 * DIR/SCREEN-CAMPAIGN-ITEM.png, and a JSON array on stdout describing each.
 * Returns the exit status. */
int preview_run(const struct shot_ctx *c);

#endif
