/* schedule.c - the pure core: campaigns -> windows -> loops, and what is due
 * at an instant (SPEC §5).  No I/O, no clock: every answer is a function of
 * the arguments, so the player and signagectl agree with the scheduler.
 *
 * Windows are cut where the set of campaigns TAKING PART changes (the active
 * campaigns of the highest active priority).  A lower-priority campaign that
 * starts or ends under a takeover changes nothing on screen, so it does not
 * restart the takeover's loop or cut the item that is playing.
 */
#include "playlists/schedule.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"

/* Dayparts are weekly in local time; a week plus the largest DST jump fits
 * in 8 days, so any 8 days of a campaign's life show every edge it has. */
#define SCHED_LOOKAROUND (8 * PL_MS_PER_DAY)
/* The loop length aimed at (SPEC §5: about an hour at most). */
#define SCHED_LOOP_BOUND PL_MS_PER_HOUR
/* Relative share error accepted before trying a longer loop. */
#define SCHED_SHARE_TOL 0.05
/* Longer loops tried: at most this many multiples of the shortest one. */
#define SCHED_MAX_MULT 64
/* A loop never has more slots than this (1 ms items would make millions). */
#define SCHED_MAX_SLOTS 65536

/* ---- small arithmetic ---------------------------------------------------- */

static pl_ms sat_add(pl_ms a, pl_ms b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static pl_ms sat_sub(pl_ms a, pl_ms b)
{
    if (b == INT64_MIN)
        return a >= 0 ? INT64_MAX : a - b;
    return sat_add(a, -b);
}

/* a mod m in [0, m) for m > 0, also for negative a. */
static pl_ms floor_mod(pl_ms a, pl_ms m)
{
    pl_ms r = a % m;
    return r < 0 ? r + m : r;
}

static pl_ms clamp_ms(pl_ms t)
{
    return t < PL_MS_MIN ? PL_MS_MIN : t > PL_MS_MAX ? PL_MS_MAX : t;
}

static pl_ms min_ms(pl_ms a, pl_ms b)
{
    return a < b ? a : b;
}

static pl_ms max_ms(pl_ms a, pl_ms b)
{
    return a > b ? a : b;
}

/* ---- intervals ------------------------------------------------------------- */

struct ivec {
    struct pl_interval *v;
    size_t n, cap;
};

static int ivec_push(struct ivec *iv, pl_ms s, pl_ms e)
{
    struct pl_interval *v = grow_array(iv->v, &iv->cap, iv->n, sizeof *v, 16);

    if (!v)
        return -1;
    iv->v = v;
    iv->v[iv->n].start = s;
    iv->v[iv->n].end = e;
    iv->n++;
    return 0;
}

static int interval_cmp(const void *a, const void *b)
{
    const struct pl_interval *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* Sorts and merges overlapping or touching intervals, dropping empty ones. */
static void ivec_normalise(struct ivec *iv)
{
    size_t k = 0;

    if (iv->n > 1)
        qsort(iv->v, iv->n, sizeof *iv->v, interval_cmp);
    for (size_t i = 0; i < iv->n; i++) {
        if (iv->v[i].end <= iv->v[i].start)
            continue;
        if (k > 0 && iv->v[i].start <= iv->v[k - 1].end) {
            if (iv->v[i].end > iv->v[k - 1].end)
                iv->v[k - 1].end = iv->v[i].end;
        } else {
            iv->v[k++] = iv->v[i];
        }
    }
    iv->n = k;
}

static bool camp_all_day(const struct pl_campaign *c)
{
    return c->nhours == 0 || !c->hours;
}

/* The local wall time MIN minutes after midnight of day DAY (days since the
 * epoch), as an instant; MIN may be 1440 (the next midnight). */
static pl_ms local_at(const pl_tz *tz, int64_t day, int min)
{
    int64_t y;
    int m, d;

    day += min / 1440;
    min %= 1440;
    pl_civil_from_days(day, &y, &m, &d);
    return pl_tz_from_civil(tz, (int)y, m, d, min / 60, min % 60, 0, 0);
}

/* C's activity around [A, B]: every merged stretch of C's life that meets
 * or touches [A, B], NOT clipped to it.  Starts before A may be truncated
 * (earlier days were not looked at) and ends after B likewise; everything
 * else is a true edge.  Returns 0 or -1. */
static int camp_raw(const struct pl_campaign *c, const pl_tz *tz, pl_ms a, pl_ms b, struct ivec *iv)
{
    struct pl_civil civ;
    int64_t d0, d1;

    iv->n = 0;
    a = max_ms(a, c->start);
    b = min_ms(b, c->end);
    if (a > b || c->start >= c->end)
        return 0;
    if (camp_all_day(c))
        return ivec_push(iv, c->start, c->end);
    pl_tz_to_civil(tz, clamp_ms(a), &civ);
    d0 = pl_days_from_civil(civ.year, civ.month, civ.day) - 1;
    pl_tz_to_civil(tz, clamp_ms(b), &civ);
    d1 = pl_days_from_civil(civ.year, civ.month, civ.day);
    for (int64_t day = d0; day <= d1; day++) {
        int wday = (int)floor_mod(day + 4, 7); /* 1970-01-01 was a Thursday */
        for (size_t h = 0; h < c->nhours; h++) {
            const struct pl_daypart *dp = &c->hours[h];
            int from = dp->from_min, to = dp->to_min;
            pl_ms s, e;

            if (!(dp->days & (1u << wday)) || from < 0 || from > 1440 || to < 0 || to > 1440 ||
                from == to)
                continue;
            s = local_at(tz, day, from);
            e = local_at(tz, day, to > from ? to : to + 1440);
            s = max_ms(s, c->start);
            e = min_ms(e, c->end);
            if (s < e && ivec_push(iv, s, e) < 0)
                return -1;
        }
    }
    ivec_normalise(iv);
    return 0;
}

int pl_campaign_intervals(const struct pl_campaign *c, const pl_tz *tz, pl_ms from, pl_ms to,
                          struct pl_interval **out, size_t *nout)
{
    struct ivec iv = {NULL, 0, 0};
    size_t k = 0;

    *out = NULL;
    *nout = 0;
    if (!c || from >= to)
        return 0;
    if (camp_raw(c, tz, from, to, &iv) < 0) {
        free(iv.v);
        return -1;
    }
    for (size_t i = 0; i < iv.n; i++) {
        pl_ms s = max_ms(iv.v[i].start, from), e = min_ms(iv.v[i].end, to);
        if (s < e) {
            iv.v[k].start = s;
            iv.v[k].end = e;
            k++;
        }
    }
    if (k == 0) {
        free(iv.v);
        return 0;
    }
    *out = iv.v;
    *nout = k;
    return 0;
}

/* The latest instant <= T at which C starts or stops being active.
 * Returns 1 with *AT set, 0 when there is none, -1 on out of memory. */
static int camp_last_change(const struct pl_campaign *c, const pl_tz *tz, pl_ms t, pl_ms *at,
                            struct ivec *iv)
{
    pl_ms b, a, best = 0;
    int found = 0;

    if (c->start > t || c->start >= c->end)
        return 0;
    b = min_ms(t, c->end);
    a = max_ms(c->start, b - SCHED_LOOKAROUND);
    if (camp_raw(c, tz, a, b, iv) < 0)
        return -1;
    for (size_t i = 0; i < iv->n; i++) {
        pl_ms s = iv->v[i].start, e = iv->v[i].end;
        if ((s >= a || s == c->start) && s <= t && (!found || s > best)) {
            best = s;
            found = 1;
        }
        if (e <= t && (!found || e > best)) {
            best = e;
            found = 1;
        }
    }
    for (size_t i = 0; i < iv->n && !found; i++) {
        /* Active through 8 whole days: the dayparts cover the week, so it
         * has been on since its start. */
        if (iv->v[i].start < a && iv->v[i].end > t) {
            best = c->start;
            found = 1;
        }
    }
    *at = best;
    return found;
}

/* The earliest instant >= T at which C starts or stops being active.
 * Returns 1 with *AT set, 0 when there is none, -1 on out of memory. */
static int camp_next_change(const struct pl_campaign *c, const pl_tz *tz, pl_ms t, pl_ms *at,
                            struct ivec *iv)
{
    pl_ms b, a, best = 0;
    int found = 0;

    if (c->end < t || c->start >= c->end)
        return 0;
    a = max_ms(t, c->start);
    b = min_ms(c->end, sat_add(a, SCHED_LOOKAROUND));
    if (camp_raw(c, tz, a, b, iv) < 0)
        return -1;
    for (size_t i = 0; i < iv->n; i++) {
        pl_ms s = iv->v[i].start, e = iv->v[i].end;
        if (s >= t && (!found || s < best)) {
            best = s;
            found = 1;
        }
        if ((e <= b || e == c->end) && e >= t && (!found || e < best)) {
            best = e;
            found = 1;
        }
    }
    for (size_t i = 0; i < iv->n && !found; i++) {
        if (iv->v[i].start < t && iv->v[i].end > b) {
            best = c->end;
            found = 1;
        }
    }
    *at = best;
    return found;
}

/* ---- loops ----------------------------------------------------------------- */

static int camp_id_cmp(const void *a, const void *b)
{
    const struct pl_campaign *x = *(const struct pl_campaign *const *)a;
    const struct pl_campaign *y = *(const struct pl_campaign *const *)b;
    int r = strcmp(x->id ? x->id : "", y->id ? y->id : "");

    if (r)
        return r;
    /* Equal ids are not supposed to meet; still keep the order stable. */
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    if (x->nitems != y->nitems)
        return x->nitems < y->nitems ? -1 : 1;
    return 0;
}

static pl_ms item_ms(const struct pl_item *it)
{
    return it->duration_ms > 0 ? it->duration_ms : 1;
}

/* One taking-part campaign while its loop share is planned. */
struct part {
    const struct pl_campaign *c;
    double share;  /* weight / total weight */
    pl_ms pass_ms; /* one pass over its items */
    pl_ms *prefix; /* prefix[j] = duration of items 0..j-1; nitems+1 entries */
    size_t count;  /* slots planned */
    pl_ms time_ms; /* their total duration */
};

/* Time taken by the first N slots of P (round robin over its items). */
static pl_ms part_time(const struct part *p, size_t n)
{
    size_t k = p->c->nitems;
    return (pl_ms)(n / k) * p->pass_ms + p->prefix[n % k];
}

/* How many slots P needs to fill TARGET ms: at least one pass; the count
 * whose time is nearest TARGET, or (NEAREST false) the most not above it. */
static size_t part_fill(const struct part *p, double target, bool nearest)
{
    size_t k = p->c->nitems, lo, hi, n;
    double passes;

    /* lstar * share may come out a hair under a whole pass */
    target += target * 1e-9;
    passes = floor(target / (double)p->pass_ms);
    pl_ms rem;

    if (passes < 1)
        return k;
    if (passes > (double)(SIZE_MAX / 2 / k))
        passes = (double)(SIZE_MAX / 2 / k);
    rem = (pl_ms)(target - passes * (double)p->pass_ms);
    /* largest j with prefix[j] <= rem */
    lo = 0;
    hi = k;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (p->prefix[mid] <= rem)
            lo = mid;
        else
            hi = mid - 1;
    }
    n = (size_t)passes * k + lo;
    if (nearest) {
        double below = target - (double)part_time(p, n);
        double above = (double)part_time(p, n + 1) - target;
        if (below > 0 && above < below)
            n++;
    }
    return n;
}

/* Worst relative share error of the plan in PARTS. */
static double plan_error(const struct part *parts, size_t np)
{
    double total = 0, worst = 0;

    for (size_t i = 0; i < np; i++)
        total += (double)parts[i].time_ms;
    for (size_t i = 0; i < np; i++) {
        double e = fabs((double)parts[i].time_ms / total - parts[i].share) / parts[i].share;
        if (e > worst)
            worst = e;
    }
    return worst;
}

static void plan_targets(struct part *parts, size_t np, double loop, bool nearest)
{
    for (size_t i = 0; i < np; i++) {
        struct part *p = &parts[i];
        p->count = part_fill(p, loop * p->share, nearest);
        p->time_ms = part_time(p, p->count);
    }
}

static pl_ms plan_total(const struct part *parts, size_t np)
{
    pl_ms t = 0;
    for (size_t i = 0; i < np; i++)
        t = sat_add(t, parts[i].time_ms);
    return t;
}

/* The best loop length seen so far while planning. */
struct plan_pick {
    double loop, err;
    bool found, ok; /* ok: err within SCHED_SHARE_TOL */
};

/* Plans for a loop of about LOOP ms and keeps it in PICK if it fits the
 * bound and beats what is there: the shortest loop within the tolerance,
 * else the smallest error. */
static void plan_try(struct part *parts, size_t np, double loop, struct plan_pick *pick)
{
    size_t nslots = 0;
    double err;

    plan_targets(parts, np, loop, true);
    for (size_t i = 0; i < np; i++)
        nslots += parts[i].count;
    if (nslots > SCHED_MAX_SLOTS || plan_total(parts, np) > SCHED_LOOP_BOUND)
        return;
    err = plan_error(parts, np);
    if (err <= SCHED_SHARE_TOL) {
        if (!pick->ok || loop < pick->loop)
            *pick = (struct plan_pick){loop, err, true, true};
    } else if (!pick->ok && (!pick->found || err < pick->err)) {
        *pick = (struct plan_pick){loop, err, true, false};
    }
}

/* Decides how many slots each campaign gets (SPEC §5.2-5.3).  The shortest
 * loop in which every campaign completes its item list at its share is
 * LSTAR = max(pass / share).  Shares come in whole items, so longer loops
 * within the bound are tried too: multiples of LSTAR, and the lengths at
 * which the campaign with the coarsest items (largest item per share) gets
 * exactly its share; the shortest within 5% wins, else the closest.
 *
 * When even LSTAR exceeds the bound, shares cannot be met in an hour:
 * every campaign keeps one whole pass, and what is left of the hour is
 * shared by weight among those whose pass is shorter than their share
 * (best effort); past an hour of items it is every item once. */
static void plan(struct part *parts, size_t np)
{
    double lstar = 0, bound = (double)SCHED_LOOP_BOUND, coarse = 0;
    size_t cj = 0;

    for (size_t i = 0; i < np; i++) {
        double l = (double)parts[i].pass_ms / parts[i].share, big = 0;
        if (l > lstar)
            lstar = l;
        for (size_t k = 0; k < parts[i].c->nitems; k++)
            big = fmax(big, (double)(parts[i].prefix[k + 1] - parts[i].prefix[k]));
        if (big / parts[i].share > coarse) {
            coarse = big / parts[i].share;
            cj = i;
        }
    }
    if (lstar <= bound) {
        struct plan_pick pick = {0, 0, false, false};
        const struct part *c = &parts[cj];
        for (int m = 1; m <= SCHED_MAX_MULT && lstar * m <= bound && !pick.ok; m++)
            plan_try(parts, np, lstar * m, &pick);
        for (size_t n = c->c->nitems; n < c->c->nitems + SCHED_MAX_MULT * 4; n++) {
            double loop = (double)part_time(c, n) / c->share;
            if (loop > bound || (pick.ok && loop >= pick.loop))
                break;
            if (loop >= lstar)
                plan_try(parts, np, loop, &pick);
        }
        if (pick.found)
            plan_targets(parts, np, pick.loop, true);
        else
            plan_targets(parts, np, lstar, false); /* never above the bound */
        return;
    }
    /* Compromise: find L with sum(max(pass_i, share_i * L)) = bound. */
    double sum_pass = 0;
    for (size_t i = 0; i < np; i++)
        sum_pass += (double)parts[i].pass_ms;
    if (sum_pass >= bound) {
        for (size_t i = 0; i < np; i++) {
            parts[i].count = parts[i].c->nitems;
            parts[i].time_ms = parts[i].pass_ms;
        }
        return;
    }
    double lo = 0, hi = lstar;
    for (int it = 0; it < 64; it++) {
        double mid = (lo + hi) / 2, f = 0;
        for (size_t i = 0; i < np; i++)
            f += fmax((double)parts[i].pass_ms, parts[i].share * mid);
        if (f > bound)
            hi = mid;
        else
            lo = mid;
    }
    plan_targets(parts, np, lo, false);
}

/* A slot being placed: its campaign's virtual finish time orders it. */
struct tslot {
    double finish; /* fraction of its campaign's loop time done after it */
    size_t part, seq;
    unsigned item;
    pl_ms duration;
};

static int tslot_cmp(const void *a, const void *b)
{
    const struct tslot *x = a, *y = b;
    if (x->finish != y->finish)
        return x->finish < y->finish ? -1 : 1;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return 0;
}

/* When the plan would make too many slots, scale every campaign down,
 * never below one pass. */
static void cap_slots(struct part *parts, size_t np)
{
    size_t total = 0;

    for (size_t i = 0; i < np; i++)
        total += parts[i].count;
    if (total <= SCHED_MAX_SLOTS)
        return;
    for (size_t i = 0; i < np; i++) {
        struct part *p = &parts[i];
        size_t n = (size_t)((double)p->count * SCHED_MAX_SLOTS / (double)total);
        p->count = n > p->c->nitems ? n : p->c->nitems;
        p->time_ms = part_time(p, p->count);
    }
}

int pl_build_loop(const struct pl_campaign *const *camps, size_t ncamps, struct pl_window *w)
{
    const struct pl_campaign **sel = NULL;
    struct part *parts = NULL;
    struct tslot *ts = NULL;
    struct pl_slot *slots = NULL;
    size_t np = 0, nslots = 0;
    int prio = -1, ret = -1;
    double wsum = 0;

    w->slots = NULL;
    w->nslots = 0;
    w->loop_ms = 0;
    w->priority = 0;
    for (size_t i = 0; i < ncamps; i++)
        if (camps[i] && camps[i]->nitems > 0 && camps[i]->items && camps[i]->priority > prio)
            prio = camps[i]->priority;
    if (prio < 0)
        return 0; /* nothing playable: an empty loop, the fallback's turn */
    sel = malloc(ncamps * sizeof *sel);
    if (!sel)
        goto out;
    for (size_t i = 0; i < ncamps; i++)
        if (camps[i] && camps[i]->nitems > 0 && camps[i]->items && camps[i]->priority == prio)
            sel[np++] = camps[i];
    qsort(sel, np, sizeof *sel, camp_id_cmp);

    parts = calloc(np, sizeof *parts);
    if (!parts)
        goto out_sel;
    for (size_t i = 0; i < np; i++)
        wsum += sel[i]->weight > 0 ? sel[i]->weight : 1;
    for (size_t i = 0; i < np; i++) {
        struct part *p = &parts[i];
        p->c = sel[i];
        p->share = (sel[i]->weight > 0 ? sel[i]->weight : 1) / wsum;
        p->prefix = malloc((sel[i]->nitems + 1) * sizeof *p->prefix);
        if (!p->prefix)
            goto out_parts;
        p->prefix[0] = 0;
        for (size_t j = 0; j < sel[i]->nitems; j++)
            p->prefix[j + 1] = sat_add(p->prefix[j], item_ms(&sel[i]->items[j]));
        p->pass_ms = p->prefix[sel[i]->nitems];
    }
    plan(parts, np);
    cap_slots(parts, np);

    for (size_t i = 0; i < np; i++)
        nslots += parts[i].count;
    ts = malloc(nslots * sizeof *ts);
    slots = malloc(nslots * sizeof *slots);
    if (!ts || !slots)
        goto out_slots;
    size_t k = 0;
    for (size_t i = 0; i < np; i++) {
        const struct part *p = &parts[i];
        pl_ms done = 0;
        for (size_t s = 0; s < p->count; s++) {
            unsigned item = (unsigned)(s % p->c->nitems);
            pl_ms d = item_ms(&p->c->items[item]);
            done = sat_add(done, d);
            ts[k].finish = (double)done / (double)p->time_ms;
            ts[k].part = i;
            ts[k].seq = s;
            ts[k].item = item;
            ts[k].duration = d;
            k++;
        }
    }
    qsort(ts, nslots, sizeof *ts, tslot_cmp);
    pl_ms off = 0;
    for (size_t i = 0; i < nslots; i++) {
        slots[i].campaign = parts[ts[i].part].c;
        slots[i].item = ts[i].item;
        slots[i].offset_ms = off;
        slots[i].duration_ms = ts[i].duration;
        off = sat_add(off, ts[i].duration);
    }
    w->slots = slots;
    w->nslots = nslots;
    w->loop_ms = off;
    w->priority = prio;
    slots = NULL;
    ret = 0;
out_slots:
    free(slots);
    free(ts);
out_parts:
    for (size_t i = 0; i < np; i++)
        free(parts[i].prefix);
    free(parts);
out_sel:
    free(sel);
out:
    return ret;
}

/* ---- windows --------------------------------------------------------------- */

struct event {
    pl_ms at;
    size_t camp;
    int delta; /* +1 starts, -1 stops */
};

static int event_cmp(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->camp != y->camp)
        return x->camp < y->camp ? -1 : 1;
    return x->delta - y->delta;
}

/* A window before its loop is built: SET[first .. first+n) in the pool. */
struct seg {
    pl_ms start, end;
    int priority;
    size_t first, n;
};

struct sweep {
    struct event *ev;
    size_t nev, evcap;
    struct seg *segs;
    size_t nsegs, segcap;
    const struct pl_campaign **pool;
    size_t npool, poolcap;
};

static int sweep_event(struct sweep *sw, pl_ms at, size_t camp, int delta)
{
    if (sw->nev == sw->evcap) {
        size_t cap = sw->evcap ? sw->evcap * 2 : 64;
        struct event *v = realloc(sw->ev, cap * sizeof *v);
        if (!v)
            return -1;
        sw->ev = v;
        sw->evcap = cap;
    }
    sw->ev[sw->nev++] = (struct event){at, camp, delta};
    return 0;
}

/* Opens a segment at AT whose set is the active campaigns of priority PRIO. */
static int sweep_open(struct sweep *sw, const struct pl_campaign *const *camps, size_t ncamps,
                      const bool *active, pl_ms at, int prio)
{
    if (sw->nsegs == sw->segcap) {
        size_t cap = sw->segcap ? sw->segcap * 2 : 16;
        struct seg *v = realloc(sw->segs, cap * sizeof *v);
        if (!v)
            return -1;
        sw->segs = v;
        sw->segcap = cap;
    }
    struct seg *s = &sw->segs[sw->nsegs++];
    s->start = s->end = at;
    s->priority = prio;
    s->first = sw->npool;
    s->n = 0;
    for (size_t i = 0; i < ncamps; i++) {
        if (!active[i] || camps[i]->priority != prio)
            continue;
        if (sw->npool == sw->poolcap) {
            size_t cap = sw->poolcap ? sw->poolcap * 2 : 64;
            const struct pl_campaign **v = realloc(sw->pool, cap * sizeof *v);
            if (!v)
                return -1;
            sw->pool = v;
            sw->poolcap = cap;
        }
        sw->pool[sw->npool++] = camps[i];
        s->n++;
    }
    return 0;
}

static int top_priority(const size_t *count)
{
    for (int p = PL_PRIORITY_MAX; p >= 0; p--)
        if (count[p])
            return p;
    return -1;
}

/* The true start of a window holding FROM whose taking-part priority is
 * PRIO: the last change at or before FROM of any campaign that could be
 * taking part or take over (priority >= PRIO). */
static int true_start(const struct pl_campaign *const *camps, size_t ncamps, const pl_tz *tz,
                      pl_ms from, int prio, pl_ms *start, struct ivec *iv)
{
    pl_ms best = PL_MS_MIN;
    for (size_t i = 0; i < ncamps; i++) {
        pl_ms at;
        int r;
        if (camps[i]->priority < prio || min_ms(from, camps[i]->end) <= best)
            continue;
        r = camp_last_change(camps[i], tz, from, &at, iv);
        if (r < 0)
            return -1;
        if (r > 0 && at > best)
            best = at;
    }
    *start = best;
    return 0;
}

static int true_end(const struct pl_campaign *const *camps, size_t ncamps, const pl_tz *tz,
                    pl_ms to, int prio, pl_ms *end, struct ivec *iv)
{
    pl_ms best = PL_MS_MAX;
    for (size_t i = 0; i < ncamps; i++) {
        pl_ms at;
        int r;
        if (camps[i]->priority < prio || max_ms(to, camps[i]->start) >= best)
            continue;
        r = camp_next_change(camps[i], tz, to, &at, iv);
        if (r < 0)
            return -1;
        if (r > 0 && at < best)
            best = at;
    }
    *end = best;
    return 0;
}

static int prio_index(int p)
{
    return p < 0 ? 0 : p > PL_PRIORITY_MAX ? PL_PRIORITY_MAX : p;
}

int pl_build_windows(const struct pl_campaign *const *camps, size_t ncamps, const pl_tz *tz,
                     pl_ms from, pl_ms to, struct pl_window **out, size_t *nout)
{
    struct sweep sw = {0};
    struct ivec iv = {NULL, 0, 0};
    const struct pl_campaign **cs = NULL;
    struct pl_window *ws = NULL;
    bool *active = NULL;
    size_t count[PL_PRIORITY_MAX + 1] = {0};
    size_t nc = 0, nw = 0;
    int ret = -1;

    *out = NULL;
    *nout = 0;
    from = clamp_ms(from);
    to = clamp_ms(to);
    if (from >= to || ncamps == 0)
        return 0;
    /* Campaigns without items have nothing to show, and priorities outside
     * 0..100 index nothing: the validator refuses both; here they are left
     * out as if not passed. */
    cs = malloc(ncamps * sizeof *cs);
    active = calloc(ncamps, sizeof *active);
    if (!cs || !active)
        goto out_free;
    for (size_t i = 0; i < ncamps; i++)
        if (camps[i] && camps[i]->nitems > 0 && camps[i]->items &&
            camps[i]->priority == prio_index(camps[i]->priority))
            cs[nc++] = camps[i];

    for (size_t i = 0; i < nc; i++) {
        if (camp_raw(cs[i], tz, from, to, &iv) < 0)
            goto out_free;
        for (size_t j = 0; j < iv.n; j++) {
            pl_ms s = max_ms(iv.v[j].start, from), e = min_ms(iv.v[j].end, to);
            if (s >= e)
                continue;
            if (sweep_event(&sw, s, i, +1) < 0 || sweep_event(&sw, e, i, -1) < 0)
                goto out_free;
        }
    }
    if (sw.nev > 1)
        qsort(sw.ev, sw.nev, sizeof *sw.ev, event_cmp);

    int cur = -1; /* taking-part priority of the open segment, -1: none */
    for (size_t i = 0; i < sw.nev;) {
        pl_ms at = sw.ev[i].at;
        bool touched[PL_PRIORITY_MAX + 1] = {false};
        for (; i < sw.nev && sw.ev[i].at == at; i++) {
            size_t c = sw.ev[i].camp;
            active[c] = sw.ev[i].delta > 0;
            if (sw.ev[i].delta > 0)
                count[cs[c]->priority]++;
            else
                count[cs[c]->priority]--;
            touched[cs[c]->priority] = true;
        }
        int top = top_priority(count);
        if (top == cur && (top < 0 || !touched[top]))
            continue; /* what takes part is unchanged */
        if (cur >= 0)
            sw.segs[sw.nsegs - 1].end = at;
        if (top >= 0 && sweep_open(&sw, cs, nc, active, at, top) < 0)
            goto out_free;
        cur = top;
    }
    /* Every interval ends by TO, so no segment is left open. */

    if (sw.nsegs > 0) {
        struct seg *first = &sw.segs[0], *last = &sw.segs[sw.nsegs - 1];
        if (first->start == from &&
            true_start(cs, nc, tz, from, first->priority, &first->start, &iv) < 0)
            goto out_free;
        if (last->end == to && true_end(cs, nc, tz, to, last->priority, &last->end, &iv) < 0)
            goto out_free;
    }

    ws = calloc(sw.nsegs ? sw.nsegs : 1, sizeof *ws);
    if (!ws)
        goto out_free;
    for (size_t i = 0; i < sw.nsegs; i++) {
        const struct seg *s = &sw.segs[i];
        struct pl_window *w = &ws[nw];
        if (pl_build_loop(sw.pool + s->first, s->n, w) < 0)
            goto out_free;
        if (w->nslots == 0)
            continue;
        w->start = s->start;
        w->end = s->end;
        nw++;
    }
    *out = ws;
    *nout = nw;
    ws = NULL;
    nw = 0;
    ret = 0;
out_free:
    pl_windows_free(ws, nw);
    free(sw.ev);
    free(sw.segs);
    free(sw.pool);
    free(iv.v);
    free(active);
    free(cs);
    return ret;
}

void pl_windows_free(struct pl_window *w, size_t n)
{
    if (!w)
        return;
    for (size_t i = 0; i < n; i++)
        free(w[i].slots);
    free(w);
}

/* ---- what is due ----------------------------------------------------------- */

/* The slot of loop W anchored at ANCHOR that holds T; its end is cut at CUT. */
static void loop_due(const struct pl_window *w, pl_ms anchor, pl_ms t, pl_ms cut,
                     struct pl_due *out)
{
    pl_ms off = floor_mod(floor_mod(t, w->loop_ms) - floor_mod(anchor, w->loop_ms), w->loop_ms);
    size_t lo = 0, hi = w->nslots - 1;

    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (w->slots[mid].offset_ms <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    const struct pl_slot *s = &w->slots[lo];
    pl_ms into = off - s->offset_ms;
    if (into < 0)
        into = 0; /* slots not starting at offset 0: a foreign loop */
    out->slot = s;
    out->slot_start = sat_sub(t, into);
    out->slot_end = min_ms(sat_add(out->slot_start, s->duration_ms), cut);
    out->offset_ms = into;
}

static bool loop_usable(const struct pl_window *w)
{
    return w && w->slots && w->nslots > 0 && w->loop_ms > 0;
}

void pl_due_at(const struct pl_window *windows, size_t nwindows, const struct pl_window *fallback,
               pl_ms t, struct pl_due *out)
{
    size_t lo = 0, hi = nwindows; /* first window starting after t */
    const struct pl_window *prev, *next;

    memset(out, 0, sizeof *out);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (windows[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    prev = lo > 0 ? &windows[lo - 1] : NULL;
    next = lo < nwindows ? &windows[lo] : NULL;
    if (prev && t < prev->end) {
        out->window = prev;
        if (loop_usable(prev)) {
            loop_due(prev, prev->start, t, prev->end, out);
        } else {
            out->slot_start = prev->start;
            out->slot_end = prev->end;
            out->offset_ms = sat_sub(t, prev->start);
        }
        return;
    }
    if (loop_usable(fallback)) {
        loop_due(fallback, prev ? prev->end : 0, t, next ? next->start : INT64_MAX, out);
        return;
    }
    out->slot = NULL;
    out->slot_start = prev ? prev->end : PL_MS_MIN;
    out->slot_end = next ? next->start : PL_MS_MAX;
    out->offset_ms = sat_sub(t, out->slot_start);
}
