/* plan.c - the player's decisions as a state machine (see plan.h). */
#include "player/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "player/broken.h"
#include "playlists/schedule.h"

/* A slot coming up: what is due, and what may be shown for it. */
struct upcoming {
    bool active;
    struct plan_slot due;
    struct plan_slot cand[PLAN_CANDS_MAX];
    size_t ncand;
    char *skip_why; /* the due item is known broken: logged as skipped */
    char *err;      /* the due item failed now: logged as error */
    uint64_t job;
    bool ready;
    bool late_logged;
    struct plan_slot shown; /* once ready: what will be shown for it */
};

/* What is on screen. */
struct onscreen {
    bool valid;
    struct plan_slot info; /* the item shown (a substitute fills the due slot's time) */
    pl_ms shown_from;      /* clock time it came on screen */
    bool late;             /* came on screen after its slot began: not ready in time */
};

struct planner {
    char *name;
    double clock_rate;
    plan_cached_fn *cached;
    void *cached_ctx;
    struct broken_set *broken;
    struct pl_playlist *pl, *pending;

    struct onscreen cur;
    struct upcoming next;  /* due when cur ends */
    struct upcoming after; /* due when next ends: prepared early, as a cut
                            * slot may leave next only a moment */
    uint64_t job_seq;
    int64_t switch_mono_ms; /* real time of the last switch */
    pl_ms last_t;           /* the time of the last tick */
    int64_t last_mono;      /* and its real time */

    struct plan_action *acts; /* a queue: taken from HEAD */
    size_t nacts, head, cap;
};

/* ------------------------------------------------------------------ slots */

void plan_slot_clear(struct plan_slot *s)
{
    free(s->campaign);
    free(s->owner);
    free(s->title);
    free(s->media);
    free(s->sha256);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

int plan_slot_copy(struct plan_slot *dst, const struct plan_slot *src)
{
    bool oom = false;

    *dst = *src;
    dst->campaign = sb_strdup(src->campaign, &oom);
    dst->owner = sb_strdup(src->owner, &oom);
    dst->title = sb_strdup(src->title, &oom);
    dst->media = sb_strdup(src->media, &oom);
    dst->sha256 = sb_strdup(src->sha256, &oom);
    dst->text = sb_strdup(src->text, &oom);
    if (oom) {
        plan_slot_clear(dst);
        return -1;
    }
    return 0;
}

static int slot_builtin(struct plan_slot *s, pl_ms start, pl_ms end)
{
    bool oom = false;

    memset(s, 0, sizeof(*s));
    s->builtin = true;
    s->campaign = sb_strdup("-", &oom);
    s->owner = sb_strdup("東京都", &oom);
    s->title = sb_strdup("built-in fallback", &oom);
    s->text = sb_strdup(PLAN_BUILTIN_TEXT, &oom);
    s->type = PL_ITEM_TEXT;
    s->fg = PLAN_BUILTIN_FG;
    s->bg = PLAN_BUILTIN_BG;
    s->slot_start = start;
    s->slot_end = end;
    s->natural_ms = end - start;
    if (oom) {
        plan_slot_clear(s);
        return -1;
    }
    return 0;
}

/* Slot SL of a playlist filling [START, END). */
static int slot_from(struct plan_slot *s, const struct pl_playlist *pl, const struct pl_slot *sl,
                     pl_ms start, pl_ms end)
{
    const struct pl_campaign *c = sl->campaign;
    bool oom = false;

    memset(s, 0, sizeof(*s));
    if (!c || sl->item >= c->nitems)
        return -1;
    const struct pl_item *it = &c->items[sl->item];
    s->campaign = sb_strdup(c->id ? c->id : "-", &oom);
    s->owner = sb_strdup(c->owner, &oom);
    s->title = sb_strdup(c->title, &oom);
    s->media = sb_strdup(it->media ? it->media : it->file, &oom);
    s->sha256 = sb_strdup(it->sha256[0] ? it->sha256 : NULL, &oom);
    s->text = sb_strdup(it->text, &oom);
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
        plan_slot_clear(s);
        return -1;
    }
    return 0;
}

/* Same slot of the schedule (not: same content). */
static bool slot_same(const struct plan_slot *a, const struct plan_slot *b)
{
    if (a->builtin || b->builtin)
        return a->builtin == b->builtin && a->slot_end == b->slot_end;
    return a->generation == b->generation && a->slot_start == b->slot_start &&
           a->slot_end == b->slot_end && a->item == b->item && a->campaign && b->campaign &&
           strcmp(a->campaign, b->campaign) == 0;
}

const char *plan_slot_media_key(const struct plan_slot *s)
{
    if (s->type == PL_ITEM_TEXT)
        return NULL;
    return s->sha256 && *s->sha256 ? s->sha256 : s->media;
}

char *plan_slot_cache_key(const struct plan_slot *s)
{
    char *k = NULL;
    int n = -1;

    if (s->type == PL_ITEM_TEXT)
        n = asprintf(&k, "t:%06x:%06x:%s", (unsigned)s->fg, (unsigned)s->bg,
                     s->text ? s->text : "");
    else if (s->type == PL_ITEM_IMAGE && plan_slot_media_key(s))
        n = asprintf(&k, "i:%s", plan_slot_media_key(s));
    return n < 0 ? NULL : k;
}

/* ------------------------------------------------------------ what is due */

/* Start of the first window after T, or PLAN_FAR_FUTURE. */
static pl_ms next_window_start(const struct pl_playlist *pl, pl_ms t)
{
    for (size_t i = 0; i < pl->nwindows; i++)
        if (pl->windows[i].start > t)
            return pl->windows[i].start;
    return PLAN_FAR_FUTURE;
}

static int due_at(const struct pl_playlist *pl, pl_ms t, struct plan_slot *out, struct pl_due *dout)
{
    struct pl_due d;

    memset(&d, 0, sizeof(d));
    if (!pl)
        return slot_builtin(out, t, PLAN_FAR_FUTURE);
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

int plan_due_at(const struct pl_playlist *pl, pl_ms t, struct plan_slot *out)
{
    return due_at(pl, t, out, NULL);
}

/* ------------------------------------------------------------ actions */

void plan_action_clear(struct plan_action *a)
{
    for (size_t i = 0; i < a->ncand; i++)
        plan_slot_clear(&a->cands[i]);
    free(a->cands);
    plan_slot_clear(&a->slot);
    free(a->error);
    memset(a, 0, sizeof(*a));
}

/* A new action at the end of the queue, zeroed; NULL out of memory (the
 * action is lost, and said so). */
static struct plan_action *act_push(struct planner *p, enum plan_action_kind kind)
{
    if (p->head == p->nacts)
        p->head = p->nacts = 0;
    if (p->nacts == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct plan_action *n = realloc(p->acts, cap * sizeof(*n));
        if (!n) {
            log_error("out of memory: an action of the player is lost");
            return NULL;
        }
        p->acts = n;
        p->cap = cap;
    }
    struct plan_action *a = &p->acts[p->nacts++];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    return a;
}

bool plan_take_action(struct planner *p, struct plan_action *out)
{
    if (p->head == p->nacts)
        return false;
    *out = p->acts[p->head++];
    return true;
}

static void act_job(struct planner *p, enum plan_action_kind kind, uint64_t job,
                    const struct plan_slot *s)
{
    struct plan_action *a = act_push(p, kind);

    if (!a)
        return;
    a->job = job;
    if (s && plan_slot_copy(&a->slot, s))
        log_error("out of memory describing job %llu", (unsigned long long)job);
}

/* ------------------------------------------------------- proof of play */

static void pop_write(struct planner *p, const struct plan_slot *s, pl_ms start, pl_ms end,
                      pl_ms shown, pl_ms planned, enum poplog_result res, const char *error)
{
    struct plan_action *a = act_push(p, PLAN_LOG);

    if (!a)
        return;
    a->start = start;
    a->end = end;
    a->shown_ms = shown;
    a->planned_ms = planned;
    a->result = res;
    a->error = error ? strdup(error) : NULL;
    if (plan_slot_copy(&a->slot, s) || (error && !a->error)) {
        log_error("out of memory: a proof-of-play line for %s is lost", s->campaign);
        p->nacts--;
        plan_action_clear(a);
    }
}

/* A due item that was not shown at all (RES skipped or error): logged over
 * its own slot with no screen time. */
static void pop_missed(struct planner *p, const struct plan_slot *due, enum poplog_result res,
                       const char *why)
{
    pop_write(p, due, due->slot_start, due->slot_end, 0, due->natural_ms, res, why);
}

/* The item on screen leaves it at T: its true time on screen.  An item
 * that came on late (not ready when its slot began) is logged cut, with
 * how late it was. */
static void pop_leave(struct planner *p, const struct onscreen *c, pl_ms t, bool stopping)
{
    const struct plan_slot *s = &c->info;
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
    pop_write(p, s, c->shown_from, t, t - c->shown_from, planned, res, error);
}

/* ------------------------------------------------------------ planning */

static void up_clear(struct planner *p, struct upcoming *u)
{
    if (u->job)
        act_job(p, PLAN_CANCEL, u->job, NULL);
    plan_slot_clear(&u->due);
    for (size_t i = 0; i < u->ncand; i++)
        plan_slot_clear(&u->cand[i]);
    free(u->skip_why);
    free(u->err);
    plan_slot_clear(&u->shown);
    memset(u, 0, sizeof(*u));
}

/* Moves FROM into TO (cleared first); FROM is left empty. */
static void up_move(struct planner *p, struct upcoming *to, struct upcoming *from)
{
    up_clear(p, to);
    *to = *from;
    memset(from, 0, sizeof(*from));
}

/* Adds the candidate S (a copy, given the due slot's time) unless it is
 * known broken.  Returns whether it was added. */
static bool up_add(struct planner *p, struct upcoming *u, const struct plan_slot *s, pl_ms now)
{
    const char *why;

    if (u->ncand == PLAN_CANDS_MAX)
        return false;
    if (!s->builtin && s->type != PL_ITEM_TEXT) {
        const char *key = plan_slot_media_key(s);
        if (!key || broken_has(p->broken, key, now, &why))
            return false;
    }
    if (plan_slot_copy(&u->cand[u->ncand], s))
        return false;
    struct plan_slot *c = &u->cand[u->ncand++];
    c->slot_start = u->due.slot_start;
    c->slot_end = u->due.slot_end;
    return true;
}

/* The loop slots after FROM in W (or the fallback loop) as candidates. */
static void up_add_loop(struct planner *p, struct upcoming *u, const struct pl_playlist *pl,
                        const struct pl_window *w, size_t from, pl_ms now)
{
    for (size_t k = 1; k <= w->nslots && u->ncand < PLAN_CANDS_MAX - 1; k++) {
        const struct pl_slot *sl = &w->slots[(from + k) % w->nslots];
        struct plan_slot s;
        if (slot_from(&s, pl, sl, u->due.slot_start, u->due.slot_end))
            continue;
        /* the same item again (a campaign with one item) would fail the same way */
        bool dup = false;
        for (size_t i = 0; i < u->ncand && !dup; i++)
            dup = u->cand[i].item == s.item && u->cand[i].campaign && s.campaign &&
                  strcmp(u->cand[i].campaign, s.campaign) == 0;
        if (!dup)
            up_add(p, u, &s, now);
        plan_slot_clear(&s);
    }
}

/* Lists what may fill the slot due at T of PL: the due item, the rest of
 * its loop, the fallback loop, the built-in slide; known-broken media left
 * out (NOW is the clock, for the broken set). */
static int up_build(struct planner *p, struct upcoming *u, const struct pl_playlist *pl, pl_ms t,
                    pl_ms now)
{
    struct pl_due d;
    const char *why = NULL;

    up_clear(p, u);
    memset(&d, 0, sizeof(d));
    if (due_at(pl, t, &u->due, &d))
        return -1;
    u->active = true;

    if (!u->due.builtin) {
        const char *key = plan_slot_media_key(&u->due);
        if (u->due.type != PL_ITEM_TEXT && key && broken_has(p->broken, key, now, &why)) {
            if (broken_first_report(p->broken, key))
                u->err = strdup(why); /* failed while a substitute: its first turn */
            else
                u->skip_why = strdup(why);
        } else if (u->due.type != PL_ITEM_TEXT && !key)
            u->err = strdup("the playlist names no medium for this item");
        else
            up_add(p, u, &u->due, now);
        const struct pl_window *w = d.window ? d.window : &pl->fallback;
        if (w->nslots && d.slot >= w->slots && d.slot < w->slots + w->nslots)
            up_add_loop(p, u, pl, w, (size_t)(d.slot - w->slots), now);
        if (d.window && pl->fallback.nslots)
            up_add_loop(p, u, pl, &pl->fallback, pl->fallback.nslots - 1, now);
    }
    struct plan_slot b;
    if (slot_builtin(&b, u->due.slot_start, u->due.slot_end) == 0) {
        b.generation = u->due.generation;
        up_add(p, u, &b, now);
        plan_slot_clear(&b);
    }
    return 0;
}

/* Queues U's preparation as job number one more; CACHE: the first
 * candidate may answer from the cache, and U is then ready at once. */
static void up_submit(struct planner *p, struct upcoming *u, bool cache)
{
    struct plan_action *a = act_push(p, PLAN_PREPARE);

    if (!a)
        return;
    u->job = ++p->job_seq;
    a->job = u->job;
    a->cands = calloc(u->ncand ? u->ncand : 1, sizeof(*a->cands));
    for (size_t i = 0; a->cands && i < u->ncand; i++) {
        if (plan_slot_copy(&a->cands[a->ncand], &u->cand[i]))
            break;
        a->ncand++;
    }
    if (!a->cands || a->ncand < u->ncand) {
        log_error("out of memory planning %s item %d", u->due.campaign, u->due.item);
        p->nacts--;
        plan_action_clear(a);
        u->job = 0;
        return;
    }
    if (cache && u->ncand && p->cached && p->cached(p->cached_ctx, &u->cand[0]) &&
        plan_slot_copy(&u->shown, &u->cand[0]) == 0) {
        a->cached = true;
        u->ready = true;
    }
}

/* up_build(), then its job: ready at once when the cache answers. */
static int up_make(struct planner *p, struct upcoming *u, const struct pl_playlist *pl, pl_ms t,
                   pl_ms now)
{
    if (up_build(p, u, pl, t, now))
        return -1;
    up_submit(p, u, true);
    return 0;
}

static struct upcoming *up_of_job(struct planner *p, uint64_t job)
{
    if (job && p->next.active && p->next.job == job)
        return &p->next;
    if (job && p->after.active && p->after.job == job)
        return &p->after;
    return NULL;
}

/* The candidate is the due item itself (not a substitute). */
static bool up_is_due(const struct upcoming *u, size_t i)
{
    return i < u->ncand && !u->skip_why && !u->err && !u->due.builtin && i == 0;
}

const struct plan_slot *plan_candidate(const struct planner *p, uint64_t job, size_t i)
{
    const struct upcoming *u = up_of_job((struct planner *)p, job);

    return u && !u->ready && i < u->ncand ? &u->cand[i] : NULL;
}

const struct plan_slot *plan_prepared(struct planner *p, uint64_t job, size_t chosen,
                                      char *const *errors, size_t nerrors, pl_ms now)
{
    struct upcoming *u = up_of_job(p, job);

    if (!u || u->ready)
        return NULL;
    for (size_t i = 0; errors && i < nerrors && i < u->ncand; i++) {
        if (!errors[i])
            continue;
        const struct plan_slot *s = &u->cand[i];
        const char *key = plan_slot_media_key(s);
        log_warn("%s item %d (%s): %s", s->campaign, s->item, s->media ? s->media : "text",
                 errors[i]);
        if (key)
            broken_add(p->broken, key, errors[i], now);
        if (up_is_due(u, i) && !u->err) {
            u->err = strdup(errors[i]);
            if (key)
                broken_first_report(p->broken, key); /* reported now */
        }
    }
    if (chosen < u->ncand) {
        if (plan_slot_copy(&u->shown, &u->cand[chosen]))
            return NULL;
    } else {
        /* nothing could be prepared, not even text: a plain slide */
        if (slot_builtin(&u->shown, u->due.slot_start, u->due.slot_end))
            return NULL;
        u->shown.generation = u->due.generation;
    }
    u->ready = true;
    return &u->shown;
}

/* U's due item will never be shown: logged as missed, with the reason it
 * has (broken medium, first failure) or the one that applies. */
static void up_give_up(struct planner *p, const struct upcoming *u)
{
    if (!u->active || u->due.builtin || !p->cur.valid)
        return;
    if (u->err) {
        pop_missed(p, &u->due, POPLOG_ERROR, u->err);
        return;
    }
    const char *why = u->skip_why ? u->skip_why
                      : u->ready  ? "its slot ended before a frame could show it"
                                  : "not ready in time";
    log_warn("%s item %d: %s; skipped", u->due.campaign, u->due.item, why);
    pop_missed(p, &u->due, POPLOG_SKIPPED, why);
}

/* ------------------------------------------------------------ playlists */

bool plan_offer_playlist(struct planner *p, struct pl_playlist *pl, const char *err, bool force,
                         pl_ms t)
{
    if (!pl) {
        log_error("%s (%s)", err,
                  p->pl ? "keeping the last good playlist" : "showing the built-in slide");
        return false;
    }
    if (p->pl && pl->generation == p->pl->generation && !force && !p->pending) {
        pl_playlist_free(pl); /* touched, not changed */
        return false;
    }
    if (p->pl)
        log_info("%s: generation %lld read, taken at the next item boundary", p->name,
                 (long long)pl->generation);
    else
        log_info("%s: generation %lld", p->name, (long long)pl->generation);
    pl_playlist_free(p->pending);
    p->pending = pl;
    /* planned anew with the new playlist; an item already due and not yet
     * shown never will be */
    if (p->next.active && p->next.due.slot_start <= t)
        up_give_up(p, &p->next);
    up_clear(p, &p->next);
    up_clear(p, &p->after);
    return true;
}

void plan_adopt(struct planner *p)
{
    if (!p->pending)
        return;
    pl_playlist_free(p->pl);
    p->pl = p->pending;
    p->pending = NULL;
    broken_set_generation(p->broken, p->pl->generation);
}

const struct pl_playlist *plan_playlist(const struct planner *p)
{
    return p->pl;
}

/* The playlist the next boundary uses. */
static const struct pl_playlist *boundary_pl(const struct planner *p)
{
    return p->pending ? p->pending : p->pl;
}

/* ------------------------------------------------------------ switching */

/* NEXT goes on screen at T. */
static void switch_to_next(struct planner *p, pl_ms t, int64_t mono_ms)
{
    struct upcoming *u = &p->next;

    pop_leave(p, &p->cur, t, false);
    plan_slot_clear(&p->cur.info);
    if (u->skip_why)
        pop_missed(p, &u->due, POPLOG_SKIPPED, u->skip_why);
    else if (u->err)
        pop_missed(p, &u->due, POPLOG_ERROR, u->err);
    act_job(p, PLAN_SHOW, u->job, &u->shown);
    p->cur.valid = true;
    p->cur.info = u->shown;
    memset(&u->shown, 0, sizeof(u->shown));
    p->cur.shown_from = t;
    p->cur.late = u->late_logged && !p->cur.info.builtin && t > p->cur.info.slot_start;
    u->job = 0; /* on screen now: not to be cancelled */
    p->switch_mono_ms = mono_ms;
    log_debug("on screen: %s item %d (%s) until %lld", p->cur.info.campaign, p->cur.info.item,
              pl_item_type_name(p->cur.info.type), (long long)p->cur.info.slot_end);
    if (p->after.active && p->after.due.slot_end <= u->due.slot_end)
        up_clear(p, &p->after); /* over before this one ends: planned anew */
    up_move(p, u, &p->after);
}

/* The next-but-one has yet to be planned, and can be: something is on
 * screen and the next slot ends some time.  When it is asked for is
 * plan_tick()'s (a while after a switch, or when the next is due soon). */
static bool after_wanted(const struct planner *p)
{
    return p->next.active && !p->after.active && p->cur.valid &&
           p->next.due.slot_end < PLAN_FAR_FUTURE && p->next.due.slot_end > p->next.due.slot_start;
}

void plan_tick(struct planner *p, pl_ms t, int64_t mono_ms)
{
    struct plan_slot due;

    /* a clock stepped back (by hand, or NTP) by more than a second: what is
     * due is looked up again */
    bool stepped_back = p->cur.valid && t < p->cur.shown_from - PLAN_CLOCK_BACK_MS;
    bool boundary = !p->cur.valid || t >= p->cur.info.slot_end || stepped_back ||
                    (p->cur.info.builtin && p->pending);
    if (stepped_back) {
        log_warn("the clock went back %lld ms; looking up what is due again",
                 (long long)(p->cur.shown_from - t));
        /* its time on screen up to the step is billed now, cut; it stays
         * until what is due is ready, counted from the new time (so the
         * step is noticed once, not at every tick until the clock is back
         * where it was) */
        p->cur.info.cut_at_end = true;
        /* the clock before the step: the last tick's, gone on by the real
         * time since (the loop may have slept up to half a second) */
        pop_leave(p, &p->cur, p->last_t + (pl_ms)((double)(mono_ms - p->last_mono) * p->clock_rate),
                  false);
        p->cur.shown_from = t;
        p->cur.info.slot_end = t;
        p->cur.late = false;
        up_clear(p, &p->next);
        up_clear(p, &p->after);
    }
    if (boundary) {
        if (due_at(boundary_pl(p), t, &due, NULL) == 0) {
            bool after_due = p->after.active && slot_same(&p->after.due, &due);
            if (after_due || !p->next.active || !slot_same(&p->next.due, &due)) {
                /* its whole slot went by and it was never shown */
                up_give_up(p, &p->next);
                if (after_due) {
                    up_move(p, &p->next, &p->after);
                } else {
                    /* the clock went past the one after too (or a new
                     * playlist came): it is planned anew after next */
                    if (p->after.active && p->after.due.slot_end <= t)
                        up_give_up(p, &p->after);
                    up_clear(p, &p->after);
                    up_make(p, &p->next, boundary_pl(p), t, t);
                }
            }
            plan_slot_clear(&due);
        }
        if (p->next.ready) {
            if (p->next.late_logged)
                log_warn("%s item %d shown %lld ms late: it was not ready", p->next.due.campaign,
                         p->next.due.item, (long long)(t - p->next.due.slot_start));
            plan_adopt(p);
            switch_to_next(p, t, mono_ms);
        } else if (p->cur.valid && !p->next.late_logged && t >= p->cur.info.slot_end) {
            p->next.late_logged = true; /* logged with the delay once it shows */
        }
    }
    if (!p->next.active && p->cur.valid && p->cur.info.slot_end < PLAN_FAR_FUTURE)
        up_make(p, &p->next, boundary_pl(p), p->cur.info.slot_end, t);
    /* the one after: not in the frames just after a switch, when the
     * preparation thread's work would compete with the new item's first
     * frames, unless it is due soon */
    if (after_wanted(p) &&
        (mono_ms - p->switch_mono_ms >= PLAN_AFTER_DELAY_MS ||
         (double)(p->next.due.slot_end - t) / p->clock_rate < PLAN_AFTER_SOON_MS))
        up_make(p, &p->after, boundary_pl(p), p->next.due.slot_end, t);
    p->last_t = t;
    p->last_mono = mono_ms;
}

void plan_show_builtin(struct planner *p, pl_ms t)
{
    struct plan_slot b;

    /* what is being prepared goes on: it replaces this slide when ready */
    if (slot_builtin(&b, t, t))
        return;
    pop_leave(p, &p->cur, t, false);
    plan_slot_clear(&p->cur.info);
    act_job(p, PLAN_SHOW, 0, &b);
    p->cur.valid = true;
    p->cur.info = b; /* its slot ends at once: replaced as soon as anything is ready */
    p->cur.shown_from = t;
    p->cur.late = false;
}

const struct plan_slot *plan_on_screen(const struct planner *p)
{
    return p->cur.valid ? &p->cur.info : NULL;
}

void plan_stop(struct planner *p, pl_ms t)
{
    /* slots that went by unshown are billed as such, as a boundary would */
    if (p->next.active && p->next.due.slot_end <= t)
        up_give_up(p, &p->next);
    if (p->after.active && p->after.due.slot_end <= t)
        up_give_up(p, &p->after);
    pop_leave(p, &p->cur, t, true);
    plan_slot_clear(&p->cur.info);
    p->cur.valid = false;
}

int plan_moment(struct planner *p, pl_ms t)
{
    plan_slot_clear(&p->cur.info);
    p->cur.valid = false;
    up_clear(p, &p->after);
    if (up_build(p, &p->next, p->pl, t, t))
        return -1;
    up_submit(p, &p->next, false);
    return p->next.job ? 0 : -1;
}

const struct plan_slot *plan_next_due(const struct planner *p)
{
    return p->next.active ? &p->next.due : NULL;
}

const char *plan_next_error(const struct planner *p)
{
    return p->next.active ? p->next.err : NULL;
}

pl_ms plan_next_edge(const struct planner *p)
{
    pl_ms edge = p->cur.valid ? p->cur.info.slot_end : PLAN_FAR_FUTURE;

    /* the next-but-one is asked for early when the next is due soon */
    if (after_wanted(p)) {
        pl_ms soon = p->next.due.slot_end - (pl_ms)(PLAN_AFTER_SOON_MS * p->clock_rate);
        if (soon < edge)
            edge = soon;
    }
    return edge;
}

int64_t plan_next_mono(const struct planner *p)
{
    if (after_wanted(p))
        return p->switch_mono_ms + PLAN_AFTER_DELAY_MS;
    return INT64_MAX;
}

/* ------------------------------------------------------------ life */

struct planner *plan_new(const struct plan_opts *o)
{
    struct planner *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->name = strdup(o->name ? o->name : "playlist");
    p->clock_rate = o->clock_rate > 0 ? o->clock_rate : 1.0;
    p->cached = o->cached;
    p->cached_ctx = o->cached_ctx;
    p->broken = broken_new(o->broken_retry_ms > 0 ? o->broken_retry_ms : BROKEN_RETRY_MS);
    if (!p->name || !p->broken) {
        plan_free(p);
        return NULL;
    }
    return p;
}

void plan_set_cache(struct planner *p, plan_cached_fn *fn, void *ctx)
{
    p->cached = fn;
    p->cached_ctx = ctx;
}

void plan_free(struct planner *p)
{
    if (!p)
        return;
    up_clear(p, &p->next);
    up_clear(p, &p->after);
    plan_slot_clear(&p->cur.info);
    for (size_t i = p->head; i < p->nacts; i++)
        plan_action_clear(&p->acts[i]);
    free(p->acts);
    broken_free(p->broken);
    pl_playlist_free(p->pl);
    pl_playlist_free(p->pending);
    free(p->name);
    free(p);
}
