/* bench_schedule - the merge at the scale of a city's screens.
 *
 * 2,000 random campaigns (dates over a year, about half with dayparts,
 * targeting screen ids, groups or "*") over 500 screens in 20 groups.  For
 * each screen: filter the campaigns that target it and build its windows
 * and loops for [now - 1 d, now + 35 d), as the scheduler does.  The peer,
 * measured in the same run on the same filtered sets, is computing just the
 * raw intervals of those campaigns (pl_campaign_intervals); the figure to
 * watch is the ratio.  Prints figures on stdout; exits 1 if anything fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playlists/model.h"
#include "playlists/pltime.h"
#include "playlists/schedule.h"

#define NCAMPS 2000
#define NSCREENS 500
#define NGROUPS 20

struct bench_rng {
    uint64_t s;
};

static uint64_t bench_next(struct bench_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(2685821657736338717);
}

static int64_t bench_range(struct bench_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(bench_next(r) % (uint64_t)(hi - lo + 1));
}

static double bench_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *bench_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static struct pl_campaign *bench_campaign(struct bench_rng *r, int i, pl_ms year)
{
    struct pl_campaign *c = calloc(1, sizeof *c);
    char buf[64];
    size_t ntargets;

    if (!c)
        return NULL;
    snprintf(buf, sizeof buf, "campaign-%04d", i);
    c->id = bench_strdup(buf);
    c->start =
        year + bench_range(r, 0, 365) * PL_MS_PER_DAY + bench_range(r, 0, 23) * PL_MS_PER_HOUR;
    c->end = c->start + bench_range(r, 3, 90) * PL_MS_PER_DAY;
    int p = (int)bench_range(r, 0, 19);
    c->priority = p == 0 ? 100 : p < 4 ? 0 : 50;
    c->weight = (int)bench_range(r, 1, 5);
    c->nitems = (size_t)bench_range(r, 1, 6);
    c->items = calloc(c->nitems, sizeof *c->items);
    if (!c->id || !c->items)
        goto out_free;
    for (size_t k = 0; k < c->nitems; k++) {
        c->items[k].type = PL_ITEM_IMAGE;
        c->items[k].duration_ms = bench_range(r, 5, 60) * PL_MS_PER_SEC;
    }
    if (bench_range(r, 0, 1)) {
        c->nhours = (size_t)bench_range(r, 1, 2);
        c->hours = calloc(c->nhours, sizeof *c->hours);
        if (!c->hours)
            goto out_free;
        for (size_t h = 0; h < c->nhours; h++) {
            c->hours[h].days = (unsigned)bench_range(r, 1, 127);
            c->hours[h].from_min = (int)bench_range(r, 0, 23) * 60;
            c->hours[h].to_min = (int)bench_range(r, 1, 24) * 60;
            if (c->hours[h].to_min == c->hours[h].from_min)
                c->hours[h].to_min = 1440;
        }
    }
    int kind = (int)bench_range(r, 0, 9);
    ntargets = kind == 0 ? 1 : (size_t)bench_range(r, 1, 3);
    c->screens = calloc(ntargets, sizeof *c->screens);
    if (!c->screens)
        goto out_free;
    for (size_t t = 0; t < ntargets; t++) {
        if (kind == 0)
            snprintf(buf, sizeof buf, "*");
        else if (kind < 7)
            snprintf(buf, sizeof buf, "group-%02d", (int)bench_range(r, 0, NGROUPS - 1));
        else
            snprintf(buf, sizeof buf, "screen-%03d", (int)bench_range(r, 0, NSCREENS - 1));
        c->screens[t] = bench_strdup(buf);
        c->nscreens++;
        if (!c->screens[t])
            goto out_free;
    }
    return c;
out_free:
    pl_campaign_free(c);
    return NULL;
}

/* Does C target screen number S (in group S % NGROUPS)? */
static int bench_targets(const struct pl_campaign *c, int s)
{
    char id[32], group[32];

    snprintf(id, sizeof id, "screen-%03d", s);
    snprintf(group, sizeof group, "group-%02d", s % NGROUPS);
    for (size_t i = 0; i < c->nscreens; i++)
        if (!strcmp(c->screens[i], "*") || !strcmp(c->screens[i], id) ||
            !strcmp(c->screens[i], group))
            return 1;
    return 0;
}

int main(void)
{
    struct bench_rng r = {UINT64_C(0x5EED5EED5EED5EED)};
    static struct pl_campaign *camps[NCAMPS];
    static const struct pl_campaign *sel[NCAMPS];
    char err[256];
    int ret = 1;
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);

    if (!tz) {
        fprintf(stderr, "bench_schedule: %s\n", err);
        return 1;
    }
    pl_ms year = pl_tz_from_civil(tz, 2023, 1, 1, 0, 0, 0, 0);
    pl_ms now = year + 180 * PL_MS_PER_DAY + 9 * PL_MS_PER_HOUR;
    pl_ms from = now - PL_MS_PER_DAY, to = now + 35 * PL_MS_PER_DAY;
    for (int i = 0; i < NCAMPS; i++) {
        camps[i] = bench_campaign(&r, i, year);
        if (!camps[i]) {
            fprintf(stderr, "bench_schedule: out of memory\n");
            goto out_camps;
        }
    }

    size_t total_windows = 0, total_slots = 0, total_sel = 0, total_iv = 0;
    double t_windows = 0, t_iv = 0, c_windows = 0, c_iv = 0;
    for (int s = 0; s < NSCREENS; s++) {
        size_t n = 0;
        for (int i = 0; i < NCAMPS; i++)
            if (bench_targets(camps[i], s))
                sel[n++] = camps[i];
        total_sel += n;

        /* the peer: raw intervals of the same campaigns */
        double t0 = bench_clock(CLOCK_MONOTONIC), c0 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            struct pl_interval *iv;
            size_t niv;
            if (pl_campaign_intervals(sel[i], tz, from, to, &iv, &niv) < 0)
                goto out_camps;
            total_iv += niv;
            free(iv);
        }
        double t1 = bench_clock(CLOCK_MONOTONIC), c1 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
        struct pl_window *w;
        size_t nw;
        if (pl_build_windows(sel, n, tz, from, to, &w, &nw) < 0)
            goto out_camps;
        double t2 = bench_clock(CLOCK_MONOTONIC), c2 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
        t_iv += t1 - t0;
        t_windows += t2 - t1;
        c_iv += c1 - c0;
        c_windows += c2 - c1;
        total_windows += nw;
        for (size_t i = 0; i < nw; i++)
            total_slots += w[i].nslots;
        pl_windows_free(w, nw);
    }

    printf("campaigns            %d (%.1f per screen after filtering)\n", NCAMPS,
           (double)total_sel / NSCREENS);
    printf("screens              %d in %d groups\n", NSCREENS, NGROUPS);
    printf("range                now - 1 d .. now + 35 d\n");
    printf("windows              %zu (%.1f per screen)\n", total_windows,
           (double)total_windows / NSCREENS);
    printf("slots                %zu (%.1f per window)\n", total_slots,
           total_windows ? (double)total_slots / (double)total_windows : 0.0);
    printf("build windows        %.3f s wall (%.3f s CPU), %.3f ms per screen\n", t_windows,
           c_windows, t_windows * 1000 / NSCREENS);
    printf("peer: raw intervals  %.3f s wall (%.3f s CPU), %.3f ms per screen (%zu intervals)\n",
           t_iv, c_iv, t_iv * 1000 / NSCREENS, total_iv);
    printf("ratio                windows+loops / raw intervals = %.1fx wall, %.1fx CPU\n",
           t_iv > 0 ? t_windows / t_iv : 0.0, c_iv > 0 ? c_windows / c_iv : 0.0);
    ret = 0;
out_camps:
    for (int i = 0; i < NCAMPS; i++)
        pl_campaign_free(camps[i]);
    pl_tz_free(tz);
    return ret;
}
