/* Tests for player/plan.c: what the player shows and what it bills, under a
 * made-up clock, with a made-up preparation thread that takes as long as
 * the scenario says and fails the media it says.
 *
 * Hand-made cases pin each rule; then thousands of seeded scenarios
 * (generated playlists, late preparation, broken media, playlists swapped
 * mid-item, clocks stepping back and forth) check what must always hold:
 * every action is for a job in the right state, at most two jobs live, no
 * negative time, the time on screen adds up to the time that went by,
 * every slot that came due is billed (played, cut, skipped or error), a
 * broken medium is never billed as shown, and with preparation on time the
 * screen shows exactly what pl_due_at() says at every tick.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/plan.h"
#include "playlists/plfile.h"
#include "playlists/pltime.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "tests/unit/check_main.h"

/* ------------------------------------------------------------ playlists */

/* A check for the hot loops: Check's own ck_assert writes to its pipe at
 * every call, which costs more than the plan itself. */
#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c))                                                                                  \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);                                     \
    } while (0)

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A number in [LO, HI]. */
static int rnd(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static pl_tz *tz_tokyo(void)
{
    char err[256];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
    ck_assert_msg(tz != NULL, "%s", err);
    return tz;
}

static pl_ms at(const pl_tz *tz, const char *s)
{
    char err[256];
    pl_ms t;
    if (pl_time_parse(s, tz, PL_TIME_START, &t, err, sizeof err))
        ck_abort_msg("%s", err);
    return t;
}

/* The 64-digit "sha256" of medium N (digits are hex digits too). */
static void sha_of(int n, char out[65])
{
    snprintf(out, 65, "%064d", n);
}

/* A slot: 'i'mage, 'v'ideo or 't'ext, of DUR seconds, medium or text N. */
static void put_slot(struct strbuf *sb, const char *camp, int item, char type, int dur, int n)
{
    char sha[65];

    sha_of(n, sha);
    sb_printf(sb, "{ campaign = \"%s\"; owner = \"高知県\"; title = \"T %s\"; item = %d; ", camp,
              camp, item);
    if (type == 't')
        sb_printf(sb,
                  "type = \"text\"; duration = %d.000; text = \"テキスト %d\"; "
                  "background = \"#0b2545\"; color = \"#ffffff\"; }",
                  dur, n);
    else
        sb_printf(sb,
                  "type = \"%s\"; duration = %d.000; media = \"media/%s.%s\"; sha256 = \"%s\"; "
                  "background = \"#000000\"; }",
                  type == 'v' ? "video" : "image", dur, sha, type == 'v' ? "mp4" : "png", sha);
}

static void put_head(struct strbuf *sb, const pl_tz *tz, long long gen, pl_ms gen_at)
{
    char iso[PL_TIME_BUFSZ];

    pl_time_format(gen_at, tz, iso, sizeof iso);
    sb_printf(sb,
              "format = 1;\nscreen = \"t\";\ntimezone = \"Asia/Tokyo\";\nwidth = 480; "
              "height = 270;\nrotate = 0;\ngeneration = %lldL;\ngenerated_at = \"%s\";\n",
              gen, iso);
}

static struct pl_playlist *parse(const struct strbuf *sb)
{
    char err[1024] = "";
    struct pl_playlist *pl =
        pl_playlist_parse(sb_str(sb), strlen(sb_str(sb)), "test", err, sizeof err);
    if (!pl)
        ck_abort_msg("%s\n%s", err, sb_str(sb));
    return pl;
}

/* A random playlist from T0 on: up to three windows in the first
 * HORIZON_S seconds, loops of one to four items of 1..20 s (whole
 * seconds, so no slot is shorter than a second), a fallback loop of one
 * to three items; media numbered from BASE. */
static struct pl_playlist *random_playlist(uint64_t *s, const pl_tz *tz, pl_ms t0, long long gen,
                                           int horizon_s, int base)
{
    struct strbuf sb;
    const char types[] = "ivt";
    int start = 0, n = base;

    sb_init(&sb);
    put_head(&sb, tz, gen, t0);
    sb_puts(&sb, "fallback = ( ");
    for (int i = 0, k = rnd(s, 1, 3); i < k; i++) {
        if (i)
            sb_puts(&sb, ", ");
        put_slot(&sb, "-", i, types[rnd(s, 0, 2)], rnd(s, 1, 15), n++);
    }
    sb_puts(&sb, " );\nwindows = ( ");
    for (int w = 0, nw = rnd(s, 0, 3); w < nw && start < horizon_s; w++) {
        char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ], camp[16];
        start += rnd(s, 0, horizon_s / 4);
        int end = start + rnd(s, 1, horizon_s / 2);
        pl_time_format(t0 + (pl_ms)start * 1000, tz, a, sizeof a);
        pl_time_format(t0 + (pl_ms)end * 1000, tz, b, sizeof b);
        snprintf(camp, sizeof camp, "c%d-%d", base, w);
        sb_printf(&sb, "%s{ start = \"%s\"; end = \"%s\"; priority = 50; loop = ( ", w ? ", " : "",
                  a, b);
        for (int i = 0, k = rnd(s, 1, 4); i < k; i++) {
            if (i)
                sb_puts(&sb, ", ");
            put_slot(&sb, camp, i, types[rnd(s, 0, 2)], rnd(s, 1, 20), n++);
        }
        sb_puts(&sb, " ); }");
        start = end;
    }
    sb_puts(&sb, " );\n");
    REQUIRE(!sb_failed(&sb));
    struct pl_playlist *pl = parse(&sb);
    sb_free(&sb);
    return pl;
}

/* ------------------------------------------------------------ the world */

enum job_state { JOB_NONE, JOB_RUNNING, JOB_READY, JOB_SHOWN, JOB_CANCELLED };

struct fjob {
    uint64_t id;
    int64_t ready_at; /* real time the answer comes */
    size_t n;
    char *keys[PLAN_CANDS_MAX]; /* media key of each candidate (NULL: text) */
};

struct rec {
    char *campaign, *media;
    int item;
    int64_t generation;
    pl_ms start, end, shown, planned;
    enum poplog_result result;
    char *error;
};

struct world {
    struct planner *p;
    pl_ms t;
    int64_t mono, start_mono;
    uint64_t rng;

    /* the made-up preparation */
    struct fjob jobs[8];
    size_t njobs;
    int lat_lo, lat_hi; /* real ms a preparation takes */
    const char *broken[8];
    int nbroken;
    bool cache_all; /* every picture is cached: ready at once */

    /* what happened */
    enum job_state *state;
    size_t nstate;
    uint64_t last_job;
    struct rec *recs;
    size_t nrecs, caprecs;
    int live_max;
    pl_ms first_show; /* -1: nothing shown yet */
    char *problem;    /* the first broken rule, for the failure message */
};

static bool cached_all(void *ctx, const struct plan_slot *s)
{
    const struct world *w = ctx;
    (void)s;
    return w->cache_all;
}

static void world_init(struct world *w, uint64_t seed, pl_ms t0)
{
    memset(w, 0, sizeof(*w));
    struct plan_opts o = {
        .name = "test.playlist", .clock_rate = 1.0, .cached = cached_all, .cached_ctx = w};
    w->p = plan_new(&o);
    REQUIRE(w->p);
    w->t = t0;
    w->mono = 1000000;
    w->start_mono = w->mono;
    w->rng = seed ? seed : 1;
    w->first_show = -1;
}

static void world_free(struct world *w)
{
    plan_free(w->p);
    for (size_t i = 0; i < w->njobs; i++)
        for (size_t k = 0; k < w->jobs[i].n; k++)
            free(w->jobs[i].keys[k]);
    for (size_t i = 0; i < w->nrecs; i++) {
        free(w->recs[i].campaign);
        free(w->recs[i].media);
        free(w->recs[i].error);
    }
    free(w->recs);
    free(w->state);
    free(w->problem);
}

static void problem(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct world *w, const char *fmt, ...)
{
    va_list ap;

    if (w->problem)
        return;
    va_start(ap, fmt);
    if (vasprintf(&w->problem, fmt, ap) < 0)
        w->problem = NULL;
    va_end(ap);
}

static enum job_state *job_state(struct world *w, uint64_t id)
{
    if (id >= w->nstate) {
        size_t n = id * 2 + 16;
        w->state = realloc(w->state, n * sizeof(*w->state));
        REQUIRE(w->state);
        memset(w->state + w->nstate, 0, (n - w->nstate) * sizeof(*w->state));
        w->nstate = n;
    }
    return &w->state[id];
}

static int live_jobs(struct world *w)
{
    int n = 0;
    for (size_t i = 0; i < w->nstate; i++)
        n += w->state[i] == JOB_RUNNING || w->state[i] == JOB_READY;
    return n;
}

static bool is_broken(const struct world *w, const char *key)
{
    for (int i = 0; key && i < w->nbroken; i++)
        if (strcmp(w->broken[i], key) == 0)
            return true;
    return false;
}

static void drop_fjob(struct world *w, size_t i)
{
    for (size_t k = 0; k < w->jobs[i].n; k++)
        free(w->jobs[i].keys[k]);
    w->jobs[i] = w->jobs[--w->njobs];
}

/* Carries out the plan's actions as a player would, checking each. */
static void drain(struct world *w)
{
    struct plan_action a;

    while (plan_take_action(w->p, &a)) {
        enum job_state *st = a.job ? job_state(w, a.job) : NULL;
        switch (a.kind) {
        case PLAN_PREPARE:
            if (*st != JOB_NONE || a.job <= w->last_job)
                problem(w, "PREPARE of job %llu, not new", (unsigned long long)a.job);
            if (a.ncand < 1 || a.ncand > PLAN_CANDS_MAX)
                problem(w, "PREPARE with %zu candidates", a.ncand);
            w->last_job = a.job;
            if (a.cached) {
                *st = JOB_READY;
                break;
            }
            *st = JOB_RUNNING;
            REQUIRE(w->njobs < 8);
            struct fjob *j = &w->jobs[w->njobs++];
            memset(j, 0, sizeof(*j));
            j->id = a.job;
            j->n = a.ncand;
            j->ready_at = w->mono + rnd(&w->rng, w->lat_lo, w->lat_hi);
            for (size_t i = 0; i < a.ncand; i++) {
                const char *k = plan_slot_media_key(&a.cands[i]);
                j->keys[i] = k ? strdup(k) : NULL;
                if (a.cands[i].slot_start != a.cands[0].slot_start ||
                    a.cands[i].slot_end != a.cands[0].slot_end)
                    problem(w, "candidates of job %llu fill different times",
                            (unsigned long long)a.job);
            }
            break;
        case PLAN_CANCEL:
            if (*st != JOB_RUNNING && *st != JOB_READY)
                problem(w, "CANCEL of job %llu in state %d", (unsigned long long)a.job, *st);
            *st = JOB_CANCELLED;
            for (size_t i = 0; i < w->njobs; i++)
                if (w->jobs[i].id == a.job)
                    drop_fjob(w, i--);
            break;
        case PLAN_SHOW:
            if (getenv("PLAN_TEST_TRACE"))
                fprintf(stderr, "%lld SHOW %s %d %lld..%lld g%lld\n", (long long)w->t % 1000000,
                        a.slot.campaign, a.slot.item, (long long)a.slot.slot_start % 1000000,
                        (long long)a.slot.slot_end % 1000000, (long long)a.slot.generation);
            if (st && *st != JOB_READY)
                problem(w, "SHOW of job %llu in state %d", (unsigned long long)a.job, *st);
            if (st)
                *st = JOB_SHOWN;
            if (w->first_show < 0)
                w->first_show = w->t;
            if (!a.slot.builtin && is_broken(w, plan_slot_media_key(&a.slot)))
                problem(w, "SHOW of broken medium %s", plan_slot_media_key(&a.slot));
            break;
        case PLAN_LOG: {
            if (w->nrecs == w->caprecs) {
                w->caprecs = w->caprecs ? w->caprecs * 2 : 64;
                w->recs = realloc(w->recs, w->caprecs * sizeof(*w->recs));
                REQUIRE(w->recs);
            }
            struct rec *r = &w->recs[w->nrecs++];
            const char *k = plan_slot_media_key(&a.slot);
            r->campaign = strdup(a.slot.campaign ? a.slot.campaign : "?");
            r->media = k ? strdup(k) : NULL;
            r->item = a.slot.item;
            r->generation = a.slot.generation;
            r->start = a.start;
            r->end = a.end;
            r->shown = a.shown_ms;
            r->planned = a.planned_ms;
            r->result = a.result;
            r->error = a.error ? strdup(a.error) : NULL;
            break;
        }
        }
        plan_action_clear(&a);
        int live = live_jobs(w);
        if (live > w->live_max)
            w->live_max = live;
    }
}

/* The answers that are due by now. */
static void deliver(struct world *w)
{
    for (size_t i = 0; i < w->njobs; i++) {
        struct fjob *j = &w->jobs[i];
        if (j->ready_at > w->mono)
            continue;
        char *errors[PLAN_CANDS_MAX] = {0};
        size_t chosen = j->n;
        for (size_t k = 0; k < j->n; k++) {
            if (!is_broken(w, j->keys[k])) {
                chosen = k;
                break;
            }
            errors[k] = (char *)"cannot decode: invalid data";
        }
        const struct plan_slot *s = plan_prepared(w->p, j->id, chosen, errors, j->n, w->t);
        enum job_state *st = job_state(w, j->id);
        if (!s)
            problem(w, "job %llu, running, was not taken", (unsigned long long)j->id);
        *st = JOB_READY;
        drop_fjob(w, i--);
    }
}

/* One turn: answers, the plan, its actions; the built-in slide after 3 s
 * with nothing on screen (as app.c does). */
static void turn(struct world *w)
{
    deliver(w);
    plan_tick(w->p, w->t, w->mono);
    drain(w);
    if (!plan_on_screen(w->p) && w->mono - w->start_mono > 3000) {
        plan_show_builtin(w->p, w->t);
        drain(w);
    }
}

static void advance(struct world *w, int ms)
{
    w->t += ms;
    w->mono += ms;
}

static void stop(struct world *w)
{
    plan_stop(w->p, w->t);
    drain(w);
}

static void offer(struct world *w, struct pl_playlist *pl)
{
    plan_offer_playlist(w->p, pl, NULL, false, w->t);
    drain(w);
}

/* ------------------------------------------------------------ what must hold */

static bool shown_rec(const struct rec *r)
{
    return r->result == POPLOG_PLAYED || r->result == POPLOG_CUT;
}

/* Well-formed lines, and (CONTIGUOUS: a clock that only goes forward) the
 * time on screen adding up: each shown line starts where the last ended,
 * from the first picture to STOP_T. */
static void check_lines(struct world *w, bool contiguous, pl_ms stop_t)
{
    pl_ms last_end = w->first_show, total = 0;

    for (size_t i = 0; i < w->nrecs; i++) {
        const struct rec *r = &w->recs[i];
        if (r->end < r->start)
            problem(w, "line %zu ends before it starts", i);
        if (shown_rec(r) && r->shown != r->end - r->start)
            problem(w, "line %zu: shown %lld for %lld..%lld", i, (long long)r->shown,
                    (long long)r->start, (long long)r->end);
        if (!shown_rec(r) && (r->shown != 0 || !r->error || !*r->error))
            problem(w, "line %zu: missed with shown %lld and no reason", i, (long long)r->shown);
        if (!shown_rec(r) || !contiguous)
            continue;
        if (r->start != last_end)
            problem(w, "line %zu (%s %d) starts at %lld, the last ended at %lld", i, r->campaign,
                    r->item, (long long)r->start, (long long)last_end);
        last_end = r->end;
        total += r->shown;
    }
    if (contiguous && w->first_show >= 0 && total != stop_t - w->first_show)
        problem(w, "time on screen %lld, time gone by %lld", (long long)total,
                (long long)(stop_t - w->first_show));
}

/* Every slot of PL that came due wholly inside [FROM, TO) is billed: a
 * line of its own starting inside it (shown from the first tick of its
 * slot, shown late, or missed over its own slot). */
static void check_billed(struct world *w, const struct pl_playlist *pl, pl_ms from, pl_ms to)
{
    pl_ms t = from;

    while (t < to) {
        struct plan_slot d;
        REQUIRE(plan_due_at(pl, t, &d) == 0);
        if (d.slot_start >= from && d.slot_end <= to && !d.builtin) {
            bool found = false;
            for (size_t i = 0; i < w->nrecs && !found; i++) {
                const struct rec *r = &w->recs[i];
                found = strcmp(r->campaign, d.campaign) == 0 && r->item == d.item &&
                        r->generation == d.generation && r->start >= d.slot_start &&
                        r->start < d.slot_end;
            }
            if (!found)
                problem(w, "slot %s item %d at %lld..%lld was never billed", d.campaign, d.item,
                        (long long)d.slot_start, (long long)d.slot_end);
        }
        REQUIRE(d.slot_end > t);
        t = d.slot_end;
        plan_slot_clear(&d);
    }
}

/* Whether what is on screen is the slot PL says is due now. */
static bool on_due(struct world *w, const struct pl_playlist *pl)
{
    const struct plan_slot *s = plan_on_screen(w->p);
    struct plan_slot d;
    bool same;

    REQUIRE(plan_due_at(pl, w->t, &d) == 0);
    same = s && !s->builtin && !d.builtin && strcmp(s->campaign, d.campaign) == 0 &&
           s->item == d.item && s->slot_start == d.slot_start && s->slot_end == d.slot_end;
    plan_slot_clear(&d);
    return same;
}

static int count(const struct world *w, enum poplog_result res)
{
    int n = 0;
    for (size_t i = 0; i < w->nrecs; i++)
        n += w->recs[i].result == res;
    return n;
}

/* PLAN_TEST_DUMP=1: the lines of a failing scenario on stderr. */
static void dump(const struct world *w)
{
    if (!getenv("PLAN_TEST_DUMP"))
        return;
    for (size_t i = 0; i < w->nrecs; i++) {
        const struct rec *r = &w->recs[i];
        fprintf(stderr, "%3zu %-8s %d g%lld %lld..%lld shown %lld planned %lld %s %s\n", i,
                r->campaign, r->item, (long long)r->generation, (long long)r->start % 1000000,
                (long long)r->end % 1000000, (long long)r->shown, (long long)r->planned,
                poplog_result_name(r->result), r->error ? r->error : "");
    }
}

#define WORLD_OK(w, seed)                                                                          \
    do {                                                                                           \
        if ((w)->problem)                                                                          \
            dump(w);                                                                               \
        ck_assert_msg(!(w)->problem, "seed %llu: %s", (unsigned long long)(seed), (w)->problem);   \
    } while (0)

/* ------------------------------------------------------------ hand-made cases */

/* One window 12:00:00-12:00:30 of two images (7 s, 6 s) and the text
 * fallback (4 s). */
static struct pl_playlist *small_playlist(const pl_tz *tz, long long gen, const char *img2)
{
    struct strbuf sb;

    sb_init(&sb);
    put_head(&sb, tz, gen, at(tz, "2023-03-10T00:00"));
    sb_puts(&sb, "fallback = ( ");
    put_slot(&sb, "-", 0, 't', 4, 900);
    sb_puts(&sb, " );\nwindows = ( { start = \"2023-03-10T12:00:00+09:00\"; "
                 "end = \"2023-03-10T12:00:30+09:00\"; priority = 50; loop = ( ");
    put_slot(&sb, "kochi", 0, 'i', 7, 1);
    sb_puts(&sb, ", ");
    put_slot(&sb, img2, 1, 'i', 6, 2);
    sb_puts(&sb, " ); } );\n");
    struct pl_playlist *pl = parse(&sb);
    sb_free(&sb);
    return pl;
}

/* Runs W in steps of STEP ms until T reaches UNTIL. */
static void run_until(struct world *w, pl_ms until, int step)
{
    while (w->t < until) {
        turn(w);
        advance(w, step);
    }
}

START_TEST(test_on_time)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T11:59:58");

    world_init(&w, 1, t0);
    w.lat_lo = w.lat_hi = 100;
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:40"), 10);
    stop(&w);
    WORLD_OK(&w, 1ULL);
    check_lines(&w, true, w.t);
    WORLD_OK(&w, 1ULL);
    /* fallback (from 11:59:58.1), then kochi 0,1,0,1,0 (30 s: 7+6+7+6+4
     * cut), the fallback to the end */
    ck_assert_uint_ge(w.nrecs, 7);
    ck_assert_str_eq(w.recs[1].campaign, "kochi");
    ck_assert_int_eq(w.recs[1].start, at(tz, "2023-03-10T12:00:00"));
    ck_assert_int_eq(w.recs[1].shown, 7000);
    ck_assert_int_eq(w.recs[1].result, POPLOG_PLAYED);
    ck_assert_int_eq(w.recs[2].shown, 6000);
    /* the fifth slot of the window is cut by the window's end */
    ck_assert_int_eq(w.recs[5].item, 0);
    ck_assert_int_eq(w.recs[5].shown, 4000);
    ck_assert_int_eq(w.recs[5].planned, 7000);
    ck_assert_int_eq(w.recs[5].result, POPLOG_CUT);
    ck_assert_ptr_null(w.recs[5].error);
    ck_assert_int_eq(count(&w, POPLOG_SKIPPED) + count(&w, POPLOG_ERROR), 0);
    /* at most the next and the one after are prepared at once */
    ck_assert_int_ge(w.live_max, 1);
    ck_assert_int_le(w.live_max, 2);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_first_item_late)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T12:00:00");

    world_init(&w, 2, t0);
    w.lat_lo = w.lat_hi = 5000; /* every picture takes 5 s */
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:04"), 10);
    /* nothing for 3 s, then the built-in slide */
    const struct plan_slot *s = plan_on_screen(w.p);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->builtin);
    run_until(&w, at(tz, "2023-03-10T12:00:11"), 10);
    /* the preparation under way was not dropped: kochi 0 came at 5 s, cut
     * (shown 5 s late), and stayed until kochi 1, asked for when the
     * built-in slide came on, was ready */
    ck_assert_uint_ge(w.nrecs, 2);
    ck_assert_str_eq(w.recs[0].campaign, "-");
    ck_assert_int_eq(w.recs[0].start, t0 + 3010);
    ck_assert_int_eq(w.recs[0].end, t0 + 5000);
    ck_assert_str_eq(w.recs[1].campaign, "kochi");
    ck_assert_int_eq(w.recs[1].item, 0);
    ck_assert_int_eq(w.recs[1].result, POPLOG_CUT);
    ck_assert_int_eq(w.recs[1].start, t0 + 5000);
    ck_assert_int_eq(w.recs[1].end, t0 + 8020); /* kochi 1, asked for at 3.01 s */
    ck_assert_ptr_nonnull(strstr(w.recs[1].error, "shown 5000 ms after its slot began"));
    ck_assert_uint_eq(w.nrecs, 2);
    s = plan_on_screen(w.p);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->item, 1);
    ck_assert_int_eq(s->slot_start, t0 + 7000);
    WORLD_OK(&w, 2ULL);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_slot_missed_while_preparing)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T11:59:59");

    world_init(&w, 3, t0);
    w.lat_lo = w.lat_hi = 10;
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:01"), 10);
    /* from now on a preparation takes 20 s: kochi 1 (12:00:07-13) and
     * kochi 0 (13-20) are ready already; what comes due later never is,
     * and kochi 0 stays on screen */
    w.lat_lo = w.lat_hi = 20000;
    run_until(&w, at(tz, "2023-03-10T12:00:40"), 10);
    stop(&w);
    check_lines(&w, true, w.t);
    WORLD_OK(&w, 3ULL);
    int skipped = 0;
    for (size_t i = 0; i < w.nrecs; i++)
        if (w.recs[i].result == POPLOG_SKIPPED) {
            skipped++;
            ck_assert_str_eq(w.recs[i].error, "not ready in time");
            ck_assert_int_eq(w.recs[i].shown, 0);
            ck_assert_int_gt(w.recs[i].end - w.recs[i].start, 0);
            ck_assert_int_le(w.recs[i].end - w.recs[i].start, w.recs[i].planned);
        }
    /* 12:00:20-26, 26-30 (cut by the window's end), then the fallback's
     * 30-34 and 34-38 */
    ck_assert_int_eq(skipped, 4);
    const struct rec *r = &w.recs[w.nrecs - 1];
    ck_assert_int_eq(r->item, 0);
    ck_assert_int_eq(r->start, at(tz, "2023-03-10T12:00:13"));
    ck_assert_int_eq(r->shown, 27000);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_broken_medium)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    char sha[65];
    pl_ms t0 = at(tz, "2023-03-10T11:59:59");

    world_init(&w, 4, t0);
    sha_of(2, sha);
    w.broken[w.nbroken++] = sha;
    w.lat_lo = w.lat_hi = 50;
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:40"), 10);
    stop(&w);
    check_lines(&w, true, w.t);
    WORLD_OK(&w, 4ULL);
    /* item 1 is due twice: an error the first time, skipped (known
     * broken) the second; item 0 fills its time both times */
    int err = 0, skip = 0;
    for (size_t i = 0; i < w.nrecs; i++) {
        const struct rec *r = &w.recs[i];
        if (r->media && strcmp(r->media, sha) == 0) {
            ck_assert(!shown_rec(r));
            ck_assert_int_eq(r->planned, 6000);
            err += r->result == POPLOG_ERROR;
            skip += r->result == POPLOG_SKIPPED;
            ck_assert_ptr_nonnull(strstr(r->error, "invalid data"));
        }
    }
    ck_assert_int_eq(err, 1);
    ck_assert_int_eq(skip, 1);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_swap_mid_item)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T11:59:59");

    world_init(&w, 5, t0);
    w.lat_lo = w.lat_hi = 10;
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:03"), 10);
    /* generation 2 arrives 3 s into kochi 0: it stays on screen to its
     * end, then generation 2 plays */
    offer(&w, small_playlist(tz, 2, "tokyo"));
    run_until(&w, at(tz, "2023-03-10T12:00:14"), 10);
    stop(&w);
    check_lines(&w, true, w.t);
    WORLD_OK(&w, 5ULL);
    ck_assert_uint_ge(w.nrecs, 3);
    ck_assert_str_eq(w.recs[1].campaign, "kochi");
    ck_assert_int_eq(w.recs[1].generation, 1);
    ck_assert_int_eq(w.recs[1].shown, 7000);
    ck_assert_int_eq(w.recs[1].result, POPLOG_PLAYED);
    ck_assert_str_eq(w.recs[2].campaign, "tokyo");
    ck_assert_int_eq(w.recs[2].generation, 2);
    ck_assert_int_eq(w.recs[2].start, at(tz, "2023-03-10T12:00:07"));
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_clock_back)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T11:59:59");

    world_init(&w, 6, t0);
    w.lat_lo = w.lat_hi = 200;
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:10"), 10);
    /* kochi 1 since 12:00:07; the clock goes back 9 s (NTP) */
    w.t -= 9000;
    size_t before = w.nrecs;
    run_until(&w, at(tz, "2023-03-10T12:00:05"), 10);
    stop(&w);
    WORLD_OK(&w, 6ULL);
    /* kochi 1 is billed at once for its 3 s up to the step (the last tick
     * was 12:00:09.990, the step came 10 ms later), cut; it stays
     * until kochi 0, due again, is ready (200 ms), and is billed for that
     * too */
    ck_assert_uint_ge(w.nrecs, before + 3);
    const struct rec *r = &w.recs[before];
    ck_assert_int_eq(r->item, 1);
    ck_assert_int_eq(r->result, POPLOG_CUT);
    ck_assert_int_eq(r->start, at(tz, "2023-03-10T12:00:07"));
    ck_assert_int_eq(r->shown, 3000); /* 12:00:07 to the step at 12:00:10 */
    r = &w.recs[before + 1];
    ck_assert_int_eq(r->item, 1);
    ck_assert_int_eq(r->result, POPLOG_CUT);
    ck_assert_int_eq(r->start, at(tz, "2023-03-10T12:00:01"));
    ck_assert_int_ge(r->shown, 200);
    ck_assert_int_le(r->shown, 220);
    r = &w.recs[before + 2];
    ck_assert_int_eq(r->item, 0);
    ck_assert_int_eq(r->start, w.recs[before + 1].end);
    ck_assert_int_eq(r->end, w.t);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_stop_cuts)
{
    pl_tz *tz = tz_tokyo();
    struct world w;
    pl_ms t0 = at(tz, "2023-03-10T11:59:59");

    world_init(&w, 7, t0);
    w.lat_lo = w.lat_hi = 10;
    w.cache_all = true; /* every picture answered by the cache */
    offer(&w, small_playlist(tz, 1, "kochi"));
    plan_adopt(w.p);
    run_until(&w, at(tz, "2023-03-10T12:00:02.5"), 10);
    stop(&w);
    check_lines(&w, true, w.t);
    WORLD_OK(&w, 7ULL);
    const struct rec *r = &w.recs[w.nrecs - 1];
    ck_assert_str_eq(r->campaign, "kochi");
    ck_assert_int_eq(r->result, POPLOG_CUT);
    ck_assert_int_eq(r->shown, 2500);
    ck_assert_int_eq(r->planned, 7000);
    ck_assert_ptr_null(plan_on_screen(w.p));
    /* nothing waited for the preparation thread */
    ck_assert_uint_eq(w.njobs, 0);
    world_free(&w);
    pl_tz_free(tz);
}
END_TEST

/* ------------------------------------------------------------ seeded scenarios */

#define SCENARIOS 1500

static pl_tz *s_tz; /* the scenarios' zone, and their T0: 2023-03-10T12:00 */
static pl_ms s_t0;

static void scenarios_setup(void)
{
    s_tz = tz_tokyo();
    s_t0 = at(s_tz, "2023-03-10T12:00:00");
    log_init("test_plan", LOGLVL_ERROR); /* thousands of warnings: the rules say them */
}

static void scenarios_teardown(void)
{
    pl_tz_free(s_tz);
}

/* Scenario SEED: a world from T0 - 5 s with a random playlist from T0 (its
 * twin, for looking up what is due, in *REF). */
static void scenario_begin(struct world *w, const pl_tz *tz, pl_ms t0, uint64_t seed,
                           struct pl_playlist **ref)
{
    world_init(w, seed, t0 - 5000);
    struct pl_playlist *pl = random_playlist(&w->rng, tz, t0, 1, 240, 0);
    *ref = random_playlist(&(uint64_t){seed}, tz, t0, 1, 240, 0);
    w->lat_lo = 0;
    w->lat_hi = 100;
    offer(w, pl);
    plan_adopt(w->p);
}

/* The rules every scenario keeps, then the world freed. */
static void scenario_end(struct world *w, uint64_t seed, struct pl_playlist *ref)
{
    if (w->live_max > 2)
        problem(w, "%d jobs live at once", w->live_max);
    WORLD_OK(w, seed);
    pl_playlist_free(ref);
    world_free(w);
}

/* Preparation always in time, nothing broken: the screen agrees with
 * pl_due_at() at every tick, and everything is played (or cut by a
 * window's end). */
START_TEST(test_scenarios_on_time)
{
    const pl_tz *tz = s_tz;
    pl_ms t0 = s_t0;
    int mismatched = 0, lines = 0;

    for (uint64_t seed = 1; seed <= SCENARIOS; seed++) {
        struct world w;
        struct pl_playlist *ref;
        scenario_begin(&w, tz, t0, seed * 7919, &ref);
        w.cache_all = seed % 5 == 0;
        pl_ms end = t0 + 250000;
        bool started = false;
        while (w.t < end) {
            turn(&w);
            started = started || plan_on_screen(w.p);
            if (started && !on_due(&w, ref)) {
                mismatched++;
                problem(&w, "at %lld the screen is not on the slot due", (long long)(w.t - t0));
            }
            advance(&w, rnd(&w.rng, 1, 100));
        }
        stop(&w);
        check_lines(&w, true, w.t);
        check_billed(&w, ref, w.first_show, w.t);
        for (size_t i = 0; i < w.nrecs; i++)
            if (w.recs[i].error || !shown_rec(&w.recs[i]))
                problem(&w, "line %zu: %s %s", i, poplog_result_name(w.recs[i].result),
                        w.recs[i].error ? w.recs[i].error : "");
        lines += (int)w.nrecs;
        scenario_end(&w, seed, ref);
    }
    ck_assert_int_eq(mismatched, 0);
    ck_assert_int_gt(lines, SCENARIOS * 10); /* the scenarios did play */
}
END_TEST

/* Late preparation and broken media: the time still adds up, every slot
 * is billed, and a broken medium is never billed as shown. */
START_TEST(test_scenarios_late_and_broken)
{
    const pl_tz *tz = s_tz;
    pl_ms t0 = s_t0;
    int missed = 0, cut_late = 0;

    for (uint64_t seed = 1; seed <= SCENARIOS; seed++) {
        struct world w;
        struct pl_playlist *ref;
        char shas[4][65];
        scenario_begin(&w, tz, t0, seed * 104729, &ref);
        w.lat_hi = rnd(&w.rng, 0, 3) == 0 ? 25000 : 3000;
        for (int i = 0, n = rnd(&w.rng, 0, 3); i < n; i++) {
            sha_of(rnd(&w.rng, 0, 12), shas[i]);
            w.broken[w.nbroken++] = shas[i];
        }
        pl_ms end = t0 + 250000;
        while (w.t < end) {
            turn(&w);
            advance(&w, rnd(&w.rng, 1, 120));
        }
        stop(&w);
        check_lines(&w, true, w.t);
        check_billed(&w, ref, w.first_show, w.t);
        for (size_t i = 0; i < w.nrecs; i++) {
            const struct rec *r = &w.recs[i];
            if (shown_rec(r) && is_broken(&w, r->media))
                problem(&w, "line %zu bills broken %s as shown", i, r->media);
            missed += !shown_rec(r);
            cut_late += r->result == POPLOG_CUT && r->error != NULL;
        }
        scenario_end(&w, seed, ref);
    }
    /* the scenarios did reach the cases they are for */
    ck_assert_int_gt(missed, SCENARIOS / 10);
    ck_assert_int_gt(cut_late, SCENARIOS / 10);
}
END_TEST

/* Playlists swapped mid-item and clocks stepping back and forth: no rule
 * of the actions breaks, no line is malformed, and once the clock runs
 * smoothly again with preparation on time the screen is back on the slot
 * due. */
START_TEST(test_scenarios_swaps_and_steps)
{
    const pl_tz *tz = s_tz;
    pl_ms t0 = s_t0;
    int swaps = 0, steps = 0;

    for (uint64_t seed = 1; seed <= SCENARIOS; seed++) {
        struct world w;
        struct pl_playlist *ref;
        scenario_begin(&w, tz, t0, seed * 15485863, &ref);
        long long gen = 1;
        pl_ms end = t0 + 200000, calm = end - 40000;
        while (w.t < end) {
            turn(&w);
            int dt = rnd(&w.rng, 1, 100);
            if (w.t < calm && rnd(&w.rng, 0, 400) == 0) {
                /* back up to a minute, or on up to 90 s, not past the calm */
                pl_ms step = rnd(&w.rng, 0, 1) ? rnd(&w.rng, -60000, -1500) : rnd(&w.rng, 1, 90000);
                w.t = w.t + step < calm ? w.t + step : calm - 1;
                if (getenv("PLAN_TEST_TRACE"))
                    fprintf(stderr, "step to %lld\n", (long long)w.t % 1000000);
                steps++;
            }
            if (w.t < calm && rnd(&w.rng, 0, 500) == 0) {
                /* a new generation; REF becomes its twin */
                uint64_t s2 = rng_next(&w.rng), s3 = s2;
                gen++;
                offer(&w, random_playlist(&s2, tz, t0, gen, 240, (int)gen * 100));
                pl_playlist_free(ref);
                ref = random_playlist(&s3, tz, t0, gen, 240, (int)gen * 100);
                swaps++;
            }
            advance(&w, dt);
        }
        /* the last 20 s: on the slot due of the last playlist */
        while (w.t < end + 20000) {
            turn(&w);
            if (!on_due(&w, ref))
                problem(&w, "%lld ms after the last step, the screen is not on the slot due",
                        (long long)(w.t - calm));
            advance(&w, rnd(&w.rng, 1, 100));
        }
        stop(&w);
        check_lines(&w, false, w.t);
        scenario_end(&w, seed, ref);
    }
    ck_assert_int_gt(swaps, SCENARIOS / 4);
    ck_assert_int_gt(steps, SCENARIOS / 4);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, test_on_time);
    tcase_add_test(tc, test_first_item_late);
    tcase_add_test(tc, test_slot_missed_while_preparing);
    tcase_add_test(tc, test_broken_medium);
    tcase_add_test(tc, test_swap_mid_item);
    tcase_add_test(tc, test_clock_back);
    tcase_add_test(tc, test_stop_cuts);
    suite_add_tcase(s, tc);
    tc = tcase_create("scenarios");
    tcase_add_checked_fixture(tc, scenarios_setup, scenarios_teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_scenarios_on_time);
    tcase_add_test(tc, test_scenarios_late_and_broken);
    tcase_add_test(tc, test_scenarios_swaps_and_steps);
    suite_add_tcase(s, tc);
    return s;
}
