/* app.h - the player application: setup, the clock-anchored render loop,
 * and headless screenshots (SPEC §7).
 *
 * Threads: the main thread owns SDL (window, renderer, textures); the
 * preparation thread (prep.h) and each video's decode thread (video.h) only
 * make surfaces and frames.  Signals (SIGTERM, SIGINT, SIGHUP) are blocked
 * in every thread and read from a signalfd by the loop.
 */
#ifndef SIGNAGE_PLAYER_APP_H
#define SIGNAGE_PLAYER_APP_H

#include "player/options.h"

/* Runs the player as O says: the loop until SIGTERM/SIGINT (or the window
 * is closed), or one screenshot.  Call from main() before any other thread
 * exists (it blocks the signals it handles).  Returns the exit status: 0,
 * or 1 after logging why. */
int app_main(const struct player_opts *o);

#endif
