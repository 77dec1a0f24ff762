/* merge.h - the merge of campaigns into one screen's playlist (SPEC §5,
 * §6): which campaigns target the screen, their windows and loops over a
 * range, and the fallback loop.  Pure: campaigns in, a playlist out, no
 * file touched; the scheduler publishes what it gives (scheduler/publish.h)
 * and signagectl plan/at/preview compute with it.
 */
#ifndef SIGNAGE_PLAYLISTS_MERGE_H
#define SIGNAGE_PLAYLISTS_MERGE_H

#include <stddef.h>

#include "playlists/config.h"
#include "playlists/plfile.h"
#include "playlists/schedule.h"

/* The range a publication at NOW covers: from 24 hours before the start of
 * NOW's local day to horizon + 1 days after it, so it holds [NOW - 1 day,
 * NOW + horizon) and is the same all day: a playlist is a function of its
 * campaigns, its screen and the day (what publish.h signs). */
void pl_merge_range(const struct pl_config *cfg, pl_ms now, pl_ms *from, pl_ms *to);

/* The indices into CAMPS (N campaigns) of those that target S; *OUT
 * malloc'ed (free it), *NOUT how many.  0, or -1 on out of memory. */
int pl_merge_targeting(const struct pl_campaign *const *camps, size_t n, const struct pl_screen *s,
                       size_t **out, size_t *nout);

/* The windows over [FROM, TO) of the campaigns CAMPS[IDX[i]], i < N.  0, or
 * -1 on out of memory. */
int pl_merge_windows(const struct pl_config *cfg, const struct pl_campaign *const *camps,
                     const size_t *idx, size_t n, pl_ms from, pl_ms to, struct pl_window **w,
                     size_t *nw);

/* The loop of CFG's fallback into FB (empty when there is none).  0, or -1
 * on out of memory. */
int pl_merge_fallback(const struct pl_config *cfg, struct pl_window *fb);

/* The playlist of screen S for [FROM, TO) from the N campaigns CAMPS
 * (generation 0, generated_at FROM), as the scheduler publishes it.  It
 * borrows the campaigns and CFG->fallback, which must outlive it; free it
 * with pl_playlist_free().  NULL with ERR filled on out of memory. */
struct pl_playlist *pl_merge_screen(const struct pl_config *cfg,
                                    const struct pl_campaign *const *camps, size_t n,
                                    const struct pl_screen *s, pl_ms from, pl_ms to, char *err,
                                    size_t errlen);

#endif
