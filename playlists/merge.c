/* merge.c - the merge of campaigns into one screen's playlist. */
#include "playlists/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pl_merge_range(const struct pl_config *cfg, pl_ms now, pl_ms *from, pl_ms *to)
{
    pl_ms day = pl_tz_day_start(cfg->tz, now);

    *from = day - PL_MS_PER_DAY;
    *to = day + ((pl_ms)cfg->horizon_days + 1) * PL_MS_PER_DAY;
}

int pl_merge_targeting(const struct pl_campaign *const *camps, size_t n, const struct pl_screen *s,
                       size_t **out, size_t *nout)
{
    size_t *v = malloc((n ? n : 1) * sizeof *v), k = 0;

    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (pl_screen_targeted(s, camps[i]))
            v[k++] = i;
    *out = v;
    *nout = k;
    return 0;
}

int pl_merge_windows(const struct pl_config *cfg, const struct pl_campaign *const *camps,
                     const size_t *idx, size_t n, pl_ms from, pl_ms to, struct pl_window **w,
                     size_t *nw)
{
    const struct pl_campaign **sel = malloc((n ? n : 1) * sizeof *sel);
    int r;

    if (!sel)
        return -1;
    for (size_t i = 0; i < n; i++)
        sel[i] = camps[idx[i]];
    r = pl_build_windows(sel, n, cfg->tz, from, to, w, nw);
    free(sel);
    return r;
}

int pl_merge_fallback(const struct pl_config *cfg, struct pl_window *fb)
{
    const struct pl_campaign *c = cfg->fallback;

    memset(fb, 0, sizeof *fb);
    if (!c || !c->nitems)
        return 0;
    return pl_build_loop(&c, 1, fb);
}

struct pl_playlist *pl_merge_screen(const struct pl_config *cfg,
                                    const struct pl_campaign *const *camps, size_t n,
                                    const struct pl_screen *s, pl_ms from, pl_ms to, char *err,
                                    size_t errlen)
{
    struct pl_playlist *pl = calloc(1, sizeof *pl);
    size_t *idx = NULL, k = 0;

    if (!pl || pl_merge_targeting(camps, n, s, &idx, &k) < 0)
        goto out_nomem;
    pl->format = PL_FORMAT;
    pl->screen = strdup(s->id);
    pl->timezone = strdup(cfg->timezone);
    pl->width = s->width;
    pl->height = s->height;
    pl->rotate = s->rotate;
    pl->generated_at = from;
    if (!pl->screen || !pl->timezone)
        goto out_nomem;
    if (pl_merge_windows(cfg, camps, idx, k, from, to, &pl->windows, &pl->nwindows) < 0 ||
        pl_merge_fallback(cfg, &pl->fallback) < 0)
        goto out_nomem;
    free(idx);
    return pl;
out_nomem:
    snprintf(err, errlen, "%s: out of memory computing the playlist", s->id);
    free(idx);
    pl_playlist_free(pl);
    return NULL;
}
