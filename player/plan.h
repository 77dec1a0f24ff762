/* plan.h - the player's decisions: what is due, what to prepare, when to
 * switch, and what each item is billed as in the proof-of-play log.
 *
 * Pure: no SDL, no threads, no clock of its own.  The loop feeds it the
 * time (plan_tick()), the playlists it reads (plan_offer_playlist()) and
 * the answers of the preparation thread (plan_prepared()); the plan
 * answers with actions, taken one by one with plan_take_action(): prepare
 * these candidates, drop that job, show that job now, write this
 * proof-of-play line.  The same inputs give the same actions, so the tests
 * drive it with a made-up clock (tests/unit/test_plan.c).
 *
 * The rules (SPEC §7): when the clock reaches the end of the slot on
 * screen, the slot due then (pl_due_at) replaces it if it was prepared; the
 * one after it is prepared meanwhile.  A broken medium is replaced for its
 * time by the next playable item of its loop, then the fallback loop, then
 * the built-in slide.  Each item leaving the screen is one line with its
 * true time on screen; one that came on late is "cut" with how late it
 * was; one never shown is "skipped" (or "error") over its own slot, with
 * no screen time, written the moment it is given up.
 */
#ifndef SIGNAGE_PLAYER_PLAN_H
#define SIGNAGE_PLAYER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "player/poplog.h"
#include "playlists/plfile.h"
#include "playlists/pltime.h"

#define PLAN_CANDS_MAX 16 /* an item and what may fill its time */
#define PLAN_FAR_FUTURE (PL_MS_MAX)
#define PLAN_BUILTIN_TEXT "東京都"
#define PLAN_BUILTIN_BG 0x0d1b2aU /* dark blue, never black */
#define PLAN_BUILTIN_FG 0xffffffU
#define PLAN_CLOCK_BACK_MS 1000 /* a clock stepping back further is noticed */
#define PLAN_AFTER_DELAY_MS 250 /* real time after a switch before the next-but-one is prepared */
#define PLAN_AFTER_SOON_MS 1000 /* ... unless it is due within this (real time) */

/* A slot copied out of the playlist, so playlists can be replaced freely.
 * Strings are owned (plan_slot_clear()). */
struct plan_slot {
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

void plan_slot_clear(struct plan_slot *s);

/* DST becomes a copy of SRC.  Returns 0, or -1 out of memory (DST then
 * cleared). */
int plan_slot_copy(struct plan_slot *dst, const struct plan_slot *src);

/* The key broken media are remembered by (NULL for text). */
const char *plan_slot_media_key(const struct plan_slot *s);

/* The key a prepared picture may be cached by, allocated (the caller
 * frees it), or NULL: not cacheable (a video) or out of memory. */
char *plan_slot_cache_key(const struct plan_slot *s);

/* The slot due at T in PL into OUT (PL NULL or no slot: the built-in slide,
 * filling until the next window or for ever).  Returns 0, or -1 out of
 * memory.  OUT is cleared with plan_slot_clear(). */
int plan_due_at(const struct pl_playlist *pl, pl_ms t, struct plan_slot *out);

enum plan_action_kind {
    PLAN_PREPARE, /* prepare CANDS (the first that works); CACHED: cands[0] is
                   * in the cache already, and the plan counts it ready */
    PLAN_CANCEL,  /* JOB is not wanted any more: drop its work and picture */
    PLAN_SHOW,    /* JOB's picture goes on screen now, for SLOT; job 0 is a
                   * plain slide in the built-in colour */
    PLAN_LOG,     /* one proof-of-play line, for SLOT */
};

/* An action; plan_action_clear() frees what it holds. */
struct plan_action {
    enum plan_action_kind kind;
    uint64_t job;
    /* PLAN_PREPARE */
    struct plan_slot *cands;
    size_t ncand;
    bool cached;
    /* PLAN_SHOW (what is shown) and PLAN_LOG (what is billed) */
    struct plan_slot slot;
    /* PLAN_LOG */
    pl_ms start, end, shown_ms, planned_ms;
    enum poplog_result result;
    char *error;
};

void plan_action_clear(struct plan_action *a);

/* Answers whether S's picture is cached (so it needs no preparation). */
typedef bool plan_cached_fn(void *ctx, const struct plan_slot *s);

struct plan_opts {
    const char *name;       /* the playlist's path, for messages */
    double clock_rate;      /* playlist ms per real ms (1 but in tests and demos) */
    pl_ms broken_retry_ms;  /* a broken medium is tried again after this */
    plan_cached_fn *cached; /* NULL: nothing is cached */
    void *cached_ctx;
};

struct planner;

/* A plan with nothing on screen and no playlist.  NULL when out of memory.
 * O's strings are copied. */
struct planner *plan_new(const struct plan_opts *o);

/* From now on, FN (with CTX) says which slots are cached. */
void plan_set_cache(struct planner *p, plan_cached_fn *fn, void *ctx);

/* Frees P, its playlists and its pending actions.  NULL is a no-op. */
void plan_free(struct planner *p);

/* The next action, moved into *OUT (the caller clears it).  Returns false
 * when there is none. */
bool plan_take_action(struct planner *p, struct plan_action *out);

/* The answer to a read of the playlist file: PL (taken over by the plan),
 * or NULL with ERR (logged; the last good playlist stays).  A new
 * generation, or any when FORCEd (a SIGHUP), is taken at the next item
 * boundary; what was planned from the old one is dropped, and an item due
 * by T and not yet shown is logged as skipped.  Returns whether PL became
 * the pending playlist. */
bool plan_offer_playlist(struct planner *p, struct pl_playlist *pl, const char *err, bool force,
                         pl_ms t);

/* Takes the pending playlist now (at startup, before anything is due). */
void plan_adopt(struct planner *p);

/* The playlist in force, or NULL. */
const struct pl_playlist *plan_playlist(const struct planner *p);

/* One turn of the loop at playlist time T and monotonic real time MONO_MS:
 * switches when the slot on screen has ended and the next is ready, keeps
 * the next two in preparation, notices a clock gone back. */
void plan_tick(struct planner *p, pl_ms t, int64_t mono_ms);

/* Candidate I of JOB as planned, or NULL (no such job or candidate). */
const struct plan_slot *plan_candidate(const struct planner *p, uint64_t job, size_t i);

/* JOB's preparation ended: candidate CHOSEN is ready (CHOSEN >= the number
 * of candidates: none was, and a plain slide stands in); ERRORS[i]
 * (NERRORS of them, NULL entries for none) is why candidate i failed, and
 * the media failing are remembered as broken from NOW on.  Returns the slot
 * that will be shown for it, or NULL when JOB is no longer wanted (its
 * picture should be dropped). */
const struct plan_slot *plan_prepared(struct planner *p, uint64_t job, size_t chosen,
                                      char *const *errors, size_t nerrors, pl_ms now);

/* Nothing could be shown in time at startup: a plain built-in slide goes
 * on screen at T (a PLAN_SHOW of job 0), replaced as soon as anything is
 * ready. */
void plan_show_builtin(struct planner *p, pl_ms t);

/* The slot on screen, or NULL before the first switch. */
const struct plan_slot *plan_on_screen(const struct planner *p);

/* The player stops at T: the item on screen is logged, cut. */
void plan_stop(struct planner *p, pl_ms t);

/* For a picture of one moment (--screenshot-at, --preview): forgets what
 * is on screen (unlogged) and plans the slot due at T alone; its
 * PLAN_PREPARE is queued (never from the cache).  Returns 0, or -1 out of
 * memory. */
int plan_moment(struct planner *p, pl_ms t);

/* The slot the next switch is for, and why it cannot be shown (its
 * medium broken or failing: what fills its time is shown instead), or
 * NULL.  For plan_moment(). */
const struct plan_slot *plan_next_due(const struct planner *p);
const char *plan_next_error(const struct planner *p);

/* When plan_tick() next has something to do without any other input: the
 * playlist time (the slot on screen ending, the next-but-one to be asked
 * for), or PLAN_FAR_FUTURE; and the real time (ms, as given to plan_tick)
 * the next-but-one is asked for after a switch, or INT64_MAX.  The loop
 * sleeps until the sooner of the two (or an answer of the preparation). */
pl_ms plan_next_edge(const struct planner *p);
int64_t plan_next_mono(const struct planner *p);

#endif
