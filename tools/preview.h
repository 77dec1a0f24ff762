/* preview.h - `signagectl preview`: a campaign as each of its screens will
 * show it, before it airs (SPEC §9).
 *
 * The campaign (a file with its media beside it, checked as `check` does,
 * or an accepted campaign by id) is merged alone into a playlist for each
 * screen it targets, its dates and hours widened so that every item is in
 * one loop, exactly as the scheduler merges (scheduler/publish.h).  The
 * player itself then draws each item (`signage-player --preview DIR`), so
 * the pictures are what the screen will show and signagectl needs no SDL.
 * For each text item it reports the size and lines chosen; for every item
 * what an operator can act on, on that screen: text too small to read, a
 * phrase split because whole it would be too small to read, a character no
 * font has, and the scheduler's own media warnings (a picture enlarged so
 * far it blurs, or leaving most of the screen to bars; a video heavier than
 * a signage PC plays smoothly).
 *
 * A file's media are copied (converted where the scheduler would convert
 * them) into a scratch directory under $TMPDIR, removed afterwards; nothing
 * in the spool or the state is changed.
 */
#ifndef SIGNAGE_TOOLS_PREVIEW_H
#define SIGNAGE_TOOLS_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/config.h"
#include "playlists/pltime.h"

/* Text smaller than this share of the screen's shorter side, in 1/1000,
 * cannot be read from a few metres: 32 px on a 1080-line screen. */
#define PREVIEW_LEGIBLE_PERMILLE 30

/* How long the player may take for one screen, in seconds. */
#define PREVIEW_PLAYER_TIMEOUT_S 300

struct preview_req {
    const struct pl_config *cfg;
    pl_ms now;
    const char *what;           /* a campaign file, or the id of an accepted campaign */
    const char *const *screens; /* --screen filter; NULL/0: every screen targeted */
    size_t nscreens;
    const char *out; /* --out DIR, created when missing */
    bool json;
};

/* Runs the preview and prints it (text or JSON) on stdout.  Returns the
 * exit status: 0 rendered (warnings or not), 1 the campaign is refused or
 * rendering failed, 2 a usage error (unknown screen), 128 + N when signal
 * N (SIGINT, SIGTERM) stopped it: the player is killed and the scratch
 * folder removed first.  --json prints, when the campaign is refused,
 * {"file", "ok": false, "errors": [...]}. */
int preview_run(const struct preview_req *rq);

#endif
