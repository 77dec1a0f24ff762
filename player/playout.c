/* playout.c - the plan's actions carried out (see playout.h). */
#include "player/playout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "common/log.h"
#include "playlists/model.h"

#define PLAYOUT_JOBS 4          /* the next item and the one after, with room to spare */
#define PLAYOUT_END_SLACK_MS 50 /* a file this much longer than its slot still ends in it */

/* A preparation the plan asked for: running, or done with its picture. */
struct job {
    uint64_t id;      /* 0: a free entry */
    bool running;     /* handed to the preparation thread */
    pl_ms origin;     /* the due slot's start: the video's time 0 */
    struct content c; /* once done */
};

struct playout {
    struct planner *plan;
    struct render *render;
    struct prep *prep;
    struct poplog *poplog;
    bool poplog_failed;
    bool sync;
    char *state, *screen_id;
    struct job jobs[PLAYOUT_JOBS];
    uint64_t last_job; /* the last PLAN_PREPARE's */
};

static struct job *job_find(struct playout *po, uint64_t id)
{
    for (int i = 0; id && i < PLAYOUT_JOBS; i++)
        if (po->jobs[i].id == id)
            return &po->jobs[i];
    return NULL;
}

static void job_drop(struct playout *po, struct job *j)
{
    if (j->running)
        prep_cancel(po->prep, j->id); /* no longer wanted: not worked on */
    if (po->render)
        render_release(po->render, &j->c); /* else it holds nothing yet */
    memset(j, 0, sizeof(*j));
    content_init(&j->c);
}

/* STATE/MEDIA for a medium of hash SHA, or NULL: a path the store does not
 * write (pl_media_path_valid(): never "..", never another directory). */
static char *media_path(const struct playout *po, const char *media, const char *sha)
{
    char *p = NULL;

    if (!media || !sha || !pl_media_path_valid(media, sha))
        return NULL;
    if (asprintf(&p, "%s/%s", po->state, media) < 0)
        return NULL;
    return p;
}

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

/* Job J's answer R at playlist time NOW: its picture made, the plan told. */
static void job_done(struct playout *po, struct job *j, struct prep_result *r, pl_ms now)
{
    char err[512];
    const struct plan_slot *s = plan_candidate(po->plan, j->id, r->chosen);
    bool ok = false;

    j->running = false;
    if (s && plan_slot_copy(&j->c.info, s) == 0) {
        ok = render_from_result(po->render, &j->c, r, now - j->origin, err, sizeof(err)) == 0;
        if (!ok) {
            log_warn("%s item %d: %s", s->campaign, s->item, err);
            render_release(po->render, &j->c);
        }
    }
    const struct plan_slot *shown =
        plan_prepared(po->plan, j->id, ok ? r->chosen : r->n, r->errors, r->n, now);
    if (!shown) {
        job_drop(po, j);
        return;
    }
    if (!ok) {
        if (render_plain(po->render, &j->c))
            render_release(po->render, &j->c); /* shown as the built-in colour */
        else if (plan_slot_copy(&j->c.info, shown))
            render_release(po->render, &j->c);
    }
}

/* The content S follows when S is the next play of its video: the same
 * medium, due the moment the play before it (on screen, or prepared)
 * ends, that play running to the end of its file within its slot.  Its
 * decoder then goes on (render_continue()) instead of a second one being
 * opened.  NULL when there is none. */
static const struct content *followed(const struct playout *po, const struct plan_slot *s)
{
    const struct content *before;

    if (po->sync || !po->render || s->type != PL_ITEM_VIDEO || !s->media || !s->sha256)
        return NULL;
    before = render_on_screen(po->render);
    if (before->info.slot_end != s->slot_start || !before->video) {
        before = NULL;
        for (int i = 0; !before && i < PLAYOUT_JOBS; i++) {
            const struct job *j = &po->jobs[i];
            if (j->id && !j->running && j->c.valid && j->c.video &&
                j->c.info.slot_end == s->slot_start)
                before = &j->c;
        }
    }
    if (!before || !before->valid || !before->video)
        return NULL;
    const struct plan_slot *o = &before->info;
    pl_ms len = o->slot_end - o->slot_start, file = video_duration_ms(before->video);
    bool same = o->type == PL_ITEM_VIDEO && o->media && o->sha256 && !strcmp(o->media, s->media) &&
                !strcmp(o->sha256, s->sha256);
    return same && !o->cut_at_end && file > 0 && file <= len + PLAYOUT_END_SLACK_MS ? before : NULL;
}

static void do_prepare(struct playout *po, struct plan_action *a, pl_ms t)
{
    struct prep_item items[PLAN_CANDS_MAX];
    struct job *j = NULL;

    for (int i = 0; !j && i < PLAYOUT_JOBS; i++)
        if (!po->jobs[i].id)
            j = &po->jobs[i];
    if (!j) {
        log_error("job %llu: every preparation slot is taken", (unsigned long long)a->job);
        return;
    }
    memset(j, 0, sizeof(*j));
    content_init(&j->c);
    j->id = a->job;
    j->origin = a->ncand ? a->cands[0].slot_start : t;
    po->last_job = a->job;
    if (a->cached && a->ncand && po->render &&
        render_use_cached(po->render, &j->c, &a->cands[0]) == 0) {
        j->c.info = a->cands[0];
        memset(&a->cands[0], 0, sizeof(a->cands[0]));
        return;
    }
    const struct content *before = a->ncand ? followed(po, &a->cands[0]) : NULL;
    if (before && render_continue(&j->c, before) == 0) {
        j->c.info = a->cands[0];
        memset(&a->cands[0], 0, sizeof(a->cands[0]));
        log_debug("%s item %d: plays again, from the decoder of the play before",
                  j->c.info.campaign, j->c.info.item);
        if (!plan_prepared(po->plan, j->id, 0, NULL, 0, t))
            job_drop(po, j);
        return;
    }
    size_t n = a->ncand < PLAN_CANDS_MAX ? a->ncand : PLAN_CANDS_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct plan_slot *s = &a->cands[i];
        memset(&items[i], 0, sizeof(items[i]));
        items[i].type = s->type;
        items[i].fg = s->fg;
        items[i].bg = s->bg;
        if (s->type == PL_ITEM_TEXT)
            items[i].text = s->text;
        else
            items[i].path = media_path(po, s->media, s->sha256);
    }
    j->running = true;
    struct prep_result *r = NULL;
    int rc = 0;
    if (po->sync) {
        r = prep_run(po->prep, items, n);
        rc = r ? 0 : -1;
        if (r && r->video) {
            video_play(r->video);
            video_settle(r->video, t - j->origin);
        }
    } else {
        rc = prep_submit(po->prep, j->id, items, n);
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].path);
    if (rc)
        log_error("job %llu could not be prepared: out of memory", (unsigned long long)a->job);
    if (r) {
        job_done(po, j, r, t);
        prep_dispose_video(po->prep, r->video);
        r->video = NULL;
        prep_result_free(r);
    }
}

static void do_show(struct playout *po, struct plan_action *a, int64_t mono_ms)
{
    struct content c;
    struct job *j = job_find(po, a->job);

    content_init(&c);
    if (j) {
        c = j->c;
        content_init(&j->c);
        j->id = 0;
    } else if (render_plain(po->render, &c)) {
        render_release(po->render, &c); /* drawn in the built-in colour */
    }
    plan_slot_clear(&c.info);
    c.info = a->slot; /* what the plan shows: the proof of play's view */
    memset(&a->slot, 0, sizeof(a->slot));
    render_show(po->render, &c, mono_ms);
}

static void do_log(struct playout *po, const struct plan_action *a)
{
    char err[512];
    const struct plan_slot *s = &a->slot;
    struct poplog_entry e = {
        .screen = po->screen_id,
        .campaign = s->campaign,
        .owner = s->owner,
        .title = s->title,
        .item = s->item,
        .type = pl_item_type_name(s->type),
        .media = s->type == PL_ITEM_TEXT ? NULL : s->media,
        .sha256 = s->type == PL_ITEM_TEXT ? NULL : s->sha256,
        .start = a->start,
        .end = a->end,
        .planned_ms = a->planned_ms,
        .shown_ms = a->shown_ms,
        .result = a->result,
        .error = a->error,
        .generation = s->generation,
    };

    if (!po->poplog)
        return;
    if (poplog_write(po->poplog, &e, err, sizeof(err))) {
        if (!po->poplog_failed)
            log_error("proof of play: %s (further failures are not logged)", err);
        po->poplog_failed = true;
    } else {
        po->poplog_failed = false;
    }
}

void playout_apply(struct playout *po, pl_ms t, int64_t mono_ms)
{
    struct plan_action a;

    while (plan_take_action(po->plan, &a)) {
        struct job *j;
        switch (a.kind) {
        case PLAN_PREPARE:
            do_prepare(po, &a, t);
            break;
        case PLAN_CANCEL:
            if ((j = job_find(po, a.job)) != NULL)
                job_drop(po, j);
            break;
        case PLAN_SHOW:
            do_show(po, &a, mono_ms);
            break;
        case PLAN_LOG:
            do_log(po, &a);
            break;
        }
        plan_action_clear(&a);
    }
}

void playout_set_render(struct playout *po, struct render *r)
{
    po->render = r;
}

void playout_poll(struct playout *po, pl_ms t)
{
    struct prep_result *r;

    while (po->render && (r = prep_poll(po->prep)) != NULL) {
        struct job *j = job_find(po, r->id);
        if (j && j->running)
            job_done(po, j, r, t);
        prep_dispose_video(po->prep, r->video); /* one nobody wants any more */
        r->video = NULL;
        prep_result_free(r);
    }
}

int playout_moment(struct playout *po, pl_ms t)
{
    if (plan_moment(po->plan, t))
        return -1;
    playout_apply(po, t, 0);
    struct job *j = job_find(po, po->last_job);
    if (!j || j->running || !j->c.valid)
        return -1; /* nothing could be drawn, not even the plain slide */
    struct content c = j->c;
    content_init(&j->c);
    j->id = 0;
    render_show(po->render, &c, 0);
    return 0;
}

struct playout *playout_new(const struct playout_opts *o)
{
    struct playout *po = calloc(1, sizeof(*po));

    if (!po)
        return NULL;
    po->plan = o->plan;
    po->render = o->render;
    po->prep = o->prep;
    po->poplog = o->poplog;
    po->sync = o->sync;
    po->state = strdup(o->state);
    po->screen_id = strdup(o->screen_id);
    for (int i = 0; i < PLAYOUT_JOBS; i++)
        content_init(&po->jobs[i].c);
    if (!po->state || !po->screen_id) {
        playout_free(po);
        return NULL;
    }
    return po;
}

void playout_free(struct playout *po)
{
    if (!po)
        return;
    for (int i = 0; i < PLAYOUT_JOBS; i++)
        if (po->jobs[i].id)
            job_drop(po, &po->jobs[i]);
    free(po->state);
    free(po->screen_id);
    free(po);
}
