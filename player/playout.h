/* playout.h - carries out what the plan decides: its PLAN_PREPARE jobs go
 * to the preparation thread (or are run at once for pictures of one
 * moment), their answers become textures and go back to the plan, its
 * PLAN_SHOW puts them on screen, its PLAN_LOG lines go to the
 * proof-of-play log.  The thin shell around player/plan.c.
 */
#ifndef SIGNAGE_PLAYER_PLAYOUT_H
#define SIGNAGE_PLAYER_PLAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "player/plan.h"
#include "player/poplog.h"
#include "player/prep.h"
#include "player/render.h"

struct playout_opts {
    struct planner *plan;  /* borrowed, as are the next three */
    struct render *render; /* NULL until playout_set_render(): jobs are only submitted */
    struct prep *prep;
    bool sync;             /* jobs run at once on this thread (prep_run()) */
    struct poplog *poplog; /* NULL: no proof of play */
    const char *state;     /* media paths are relative to it */
    const char *screen_id;
};

struct playout;

/* NULL when out of memory.  O's strings are copied. */
struct playout *playout_new(const struct playout_opts *o);

/* The renderer, once the window is open: at start the first item is sent
 * to the preparation thread before the window and its renderer are made
 * (a GL start-up of 0.1-0.3 s), and its answer is taken once they are. */
void playout_set_render(struct playout *po, struct render *r);

/* Frees PO and the pictures of its jobs.  NULL is a no-op. */
void playout_free(struct playout *po);

/* Carries out every action the plan has queued, at playlist time T and
 * real time MONO_MS. */
void playout_apply(struct playout *po, pl_ms t, int64_t mono_ms);

/* Takes the preparation thread's answers, at playlist time T (none before
 * the renderer is set). */
void playout_poll(struct playout *po, pl_ms t);

/* For pictures of one moment: plans the slot due at T and prepares it at
 * once, a video settled on its frame at T; on success it is on screen.
 * Returns 0, or -1 (logged) when nothing could be prepared. */
int playout_moment(struct playout *po, pl_ms t);

#endif
