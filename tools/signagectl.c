/* signagectl: the operators' command (SPEC §9).
 *
 *   signagectl [-c CFG] [--now TIME] [--json] COMMAND ...
 *
 * check FILE...            validate campaign files (media beside each file)
 * list                     accepted campaigns and their state, ends as the
 *                          operator wrote them, then the files waiting in the
 *                          spool (tools/spool.c)
 * plan SCREEN [--from T] [--to T]   windows, loops and shares, for people
 * at SCREEN TIME           what plays at TIME (one line)
 * withdraw ID              remove a campaign and republish (its history stays)
 * history ID               every version of a campaign ever accepted
 * restore ID VERSION       make an earlier version current again, republish
 * report ...               proof-of-play summary (tools/report.c)
 * preview FILE|ID --out DIR [--screen S]...  each item as its screens will
 *                          show it, drawn by signage-player (tools/preview.c)
 * status [SCREEN...]       each screen's health from its proof-of-play log and
 *                          published playlist; the spool (tools/status.c)
 *
 * check and preview need FFmpeg: they are signagectl-media's
 * (tools/signagectl_media.c), which this program runs for them, so that
 * the other commands link neither FFmpeg nor SDL.
 *
 * plan and at read the screen's published playlist (what the player plays)
 * when it covers the time asked about; otherwise they compute the playlist
 * from campaigns/ exactly as the scheduler would.
 *
 * Exit 0 success, 1 failure, 2 usage error; with --json a failure prints
 * {"error": "...", "exit": N} (ctl.c).  status exits 0 whatever the screens'
 * health: it informs, and its --json says "healthy".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "playlists/config.h"
#include "playlists/merge.h"
#include "playlists/normalised.h"
#include "playlists/plfile.h"
#include "playlists/schedule.h"
#include "scheduler/fallback.h"
#include "scheduler/history.h"
#include "scheduler/publish.h"
#include "scheduler/state.h"
#include "tools/ctl.h"
#include "tools/report.h"
#include "tools/spool.h"
#include "tools/status.h"

#define PLAN_DEFAULT_DAYS 7

/* --- list ----------------------------------------------------------------- */

/* The accepted campaigns, read from STATE/campaigns/ (nothing is created
 * or locked: list, plan and at only read). */
struct camps {
    struct pl_campaign **v;
    size_t n;
};

static int camps_load(const struct ctl *x, struct camps *cs)
{
    char *dir = NULL;
    int r;

    if (asprintf(&dir, "%s/campaigns", x->cfg->state) < 0)
        return -1;
    r = pl_campaigns_load(dir, x->cfg->tz, &cs->v, &cs->n);
    free(dir);
    return r < 0 ? -1 : 0;
}

static void camps_free(struct camps *cs)
{
    pl_campaigns_free(cs->v, cs->n);
    memset(cs, 0, sizeof *cs);
}

static const char *campaign_state(const struct pl_campaign *c, pl_ms now)
{
    return now < c->start ? "upcoming" : now < c->end ? "active" : "ended";
}

/* The end of accepted campaign C as its operator wrote it: the "end" of
 * the file it was accepted from (campaigns/history/<id>/<version>.src),
 * allocated; NULL when that file is not kept or cannot be read. */
static char *end_as_written(const struct ctl *x, const struct pl_campaign *c)
{
    struct spool_written w;
    char *dir = NULL, *end = NULL, name[32], err[512];
    int fd;

    if (!c->version || asprintf(&dir, "%s/campaigns/history/%s", x->cfg->state, c->id) < 0)
        return NULL;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return NULL;
    snprintf(name, sizeof name, "%u.src", c->version);
    if (spool_read_written(fd, name, &w, err, sizeof err) == 0) {
        end = w.end;
        w.end = NULL;
        spool_written_clear(&w);
    }
    close(fd);
    return end;
}

#define LIST_ROW "%-28s %-25s %-25s %-25s %-9s %-20s %s\n"

/* The instant a date or date-time TEXT written in a campaign names, into
 * *T and, as list shows it, BUF ("?" when it names none).  Returns whether
 * it names one. */
static bool written_instant(const struct ctl *x, const char *text, enum pl_time_role role, pl_ms *t,
                            char *buf, size_t len)
{
    char err[256];

    if (!text || pl_time_parse(text, x->cfg->tz, role, t, err, sizeof err) < 0 ||
        pl_time_format_s(*t, x->cfg->tz, buf, len) < 0) {
        snprintf(buf, len, "?");
        return false;
    }
    return true;
}

/* What a campaign file waiting in the spool is waiting for, for people. */
static void pending_note(const struct ctl *x, const struct spool_file *f, pl_ms wall,
                         const char *unreadable, struct strbuf *out)
{
    char a[32], b[PL_TIME_BUFSZ], c[PL_TIME_BUFSZ];

    sb_printf(out, "  spool/%s (%s, %s in the spool): ", f->shown,
              ctl_fmt_size(f->size, a, sizeof a), ctl_fmt_age(wall - f->changed, c, sizeof c));
    switch (f->wait) {
    case SPOOL_ARRIVING:
        sb_printf(out, "being copied%s", f->writer ? " (a program has it open for writing)" : "");
        break;
    case SPOOL_MEDIA:
        pl_time_format_s(f->media_since, x->cfg->tz, b, sizeof b);
        pl_time_format_s(f->media_since + x->cfg->pending_grace_ms, x->cfg->tz, c, sizeof c);
        sb_printf(out,
                  "waiting for its media since %s; put them into spool/ before %s, or it is "
                  "rejected",
                  b, c);
        break;
    case SPOOL_UNREAD:
        sb_printf(out, "not read by the scheduler yet%s",
                  wall - f->changed > PL_MS_PER_MIN ? "; is signage-scheduler running?" : "");
        break;
    }
    if (unreadable && f->wait != SPOOL_ARRIVING)
        sb_printf(out, "; the scheduler cannot read it: %s", unreadable);
    sb_putc(out, '\n');
}

/* The campaign files waiting in the spool, after the accepted ones: rows
 * in state "pending", their settings as written; a note for each in
 * NOTES. */
static void list_pending(const struct ctl *x, const struct spool_view *sv, pl_ms wall, json_t *arr,
                         struct strbuf *notes)
{
    int fd = sv->npending ? open(sv->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

    for (size_t i = 0; i < sv->npending; i++) {
        const struct spool_file *f = &sv->pending[i];
        struct spool_written w = {0};
        char s[PL_TIME_BUFSZ], e[PL_TIME_BUFSZ], err[1024] = "";
        pl_ms ts, te;
        struct strbuf scr = STRBUF_INIT;
        bool ok = fd >= 0 && spool_read_written(fd, f->name, &w, err, sizeof err) == 0;

        if (!ok)
            spool_written_clear(&w);
        bool have_s = written_instant(x, w.start, PL_TIME_START, &ts, s, sizeof s);
        bool have_e = written_instant(x, w.end, PL_TIME_END, &te, e, sizeof e);
        pending_note(x, f, wall, ok ? NULL : err, notes);
        if (arr) {
            json_t *o = json_object(), *sa = json_array();
            json_object_set_new(o, "id", ctl_json_text(w.id));
            json_object_set_new(o, "title", ctl_json_text(w.title));
            json_object_set_new(o, "owner", ctl_json_text(w.owner));
            json_object_set_new(o, "start", have_s ? ctl_time_json(ts, x->cfg->tz) : json_null());
            json_object_set_new(o, "end", have_e ? ctl_time_json(te, x->cfg->tz) : json_null());
            json_object_set_new(o, "end_as_written", ctl_json_text(w.end));
            for (size_t k = 0; k < w.nscreens; k++)
                json_array_append_new(sa, json_string(w.screens[k]));
            json_object_set_new(o, "screens", sa);
            json_object_set_new(o, "priority",
                                w.priority < 0 ? json_null() : json_integer(w.priority));
            json_object_set_new(o, "weight", w.weight < 0 ? json_null() : json_integer(w.weight));
            json_object_set_new(o, "items", w.items < 0 ? json_null() : json_integer(w.items));
            json_object_set_new(o, "state", json_string("pending"));
            json_object_set_new(o, "file", json_string(f->shown));
            json_object_set_new(o, "size", json_integer(f->size));
            json_object_set_new(o, "waiting", json_string(spool_wait_name(f->wait)));
            json_object_set_new(o, "waiting_since",
                                f->wait == SPOOL_MEDIA ? ctl_time_json(f->media_since, x->cfg->tz)
                                                       : json_null());
            json_object_set_new(o, "unreadable",
                                !ok && f->wait != SPOOL_ARRIVING ? ctl_json_text(err)
                                                                 : json_null());
            json_array_append_new(arr, o);
        } else {
            for (size_t k = 0; k < w.nscreens; k++)
                sb_printf(&scr, "%s%s", k ? "," : "", w.screens[k]);
            printf(LIST_ROW, w.id ? w.id : "?", s, e, w.end ? w.end : "?", "pending", sb_str(&scr),
                   w.owner ? w.owner : "");
        }
        sb_free(&scr);
        spool_written_clear(&w);
    }
    if (fd >= 0)
        close(fd);
}

static int cmd_list(struct ctl *x, int argc, char **argv)
{
    struct camps cs = {0};
    struct spool_view sv;
    struct strbuf notes = STRBUF_INIT;
    pl_ms wall = pclock_wall_ms();
    char err[1024];
    json_t *arr = NULL;
    int ret = 1;

    argc--; /* past the command's name */
    argv++;
    (void)argv;
    if (argc)
        return ctl_usage_error("list: unexpected argument '%s'", argv[0]);
    if (camps_load(x, &cs) < 0)
        goto out_free;
    /* Files' times are the real clock's, whatever --now says. */
    if (spool_scan(x->cfg, wall, &sv, err, sizeof err) < 0)
        log_warn("%s; the files waiting there are not listed", err);
    if (x->json)
        arr = json_array();
    else
        printf(LIST_ROW, "ID", "START", "END", "END AS WRITTEN", "STATE", "SCREENS", "OWNER");
    for (size_t i = 0; i < cs.n; i++) {
        const struct pl_campaign *c = cs.v[i];
        char s[PL_TIME_BUFSZ], e[PL_TIME_BUFSZ];
        struct strbuf scr = STRBUF_INIT;
        char *written = end_as_written(x, c);

        pl_time_format_s(c->start, x->cfg->tz, s, sizeof s);
        pl_time_format_s(c->end, x->cfg->tz, e, sizeof e);
        if (x->json) {
            json_t *o = json_object(), *sa = json_array();
            json_object_set_new(o, "id", json_string(c->id));
            json_object_set_new(o, "title", json_string(c->title));
            json_object_set_new(o, "owner", json_string(c->owner));
            json_object_set_new(o, "start", ctl_time_json(c->start, x->cfg->tz));
            json_object_set_new(o, "end", ctl_time_json(c->end, x->cfg->tz));
            json_object_set_new(o, "end_as_written", ctl_json_text(written));
            for (size_t k = 0; k < c->nscreens; k++)
                json_array_append_new(sa, json_string(c->screens[k]));
            json_object_set_new(o, "screens", sa);
            json_object_set_new(o, "priority", json_integer(c->priority));
            json_object_set_new(o, "weight", json_integer(c->weight));
            json_object_set_new(o, "items", json_integer((json_int_t)c->nitems));
            json_object_set_new(o, "state", json_string(campaign_state(c, x->now)));
            json_array_append_new(arr, o);
        } else {
            for (size_t k = 0; k < c->nscreens; k++)
                sb_printf(&scr, "%s%s", k ? "," : "", c->screens[k]);
            printf(LIST_ROW, c->id, s, e, written ? written : "-", campaign_state(c, x->now),
                   sb_str(&scr), c->owner);
        }
        sb_free(&scr);
        free(written);
    }
    list_pending(x, &sv, wall, arr, &notes);
    if (x->json)
        ctl_print_json(arr);
    else if (notes.len)
        printf("\npending: in the spool, not accepted yet\n%s", sb_str(&notes));
    ret = 0;
    spool_view_clear(&sv);
    sb_free(&notes);
out_free:
    camps_free(&cs);
    return ret;
}

/* --- plan and at ------------------------------------------------------------ */

/* The playlist of SCREEN for instants around [FROM, TO): the published one
 * when it covers them, else computed.  CS keeps the campaigns a computed
 * playlist borrows. */
/* The published playlist of screen ID when it covers [FROM, TO); NULL when
 * there is none, it cannot be read (logged) or it covers other times. */
static struct pl_playlist *published_playlist(struct ctl *x, const char *id, pl_ms from, pl_ms to)
{
    char err[1024], *path = NULL;
    struct pl_playlist *pl = NULL;
    pl_ms cf, ct;

    if (!pl_id_valid(id) || asprintf(&path, "%s/playlists/%s.playlist", x->cfg->state, id) < 0)
        return NULL;
    if (access(path, F_OK) == 0) {
        pl = pl_playlist_load(path, err, sizeof err);
        if (!pl)
            log_warn("%s; computing from campaigns/ instead", err);
    }
    free(path);
    if (pl) {
        pl_merge_range(x->cfg, pl->generated_at, &cf, &ct);
        if (from < cf || to > ct || strcmp(pl->screen, id) != 0) {
            pl_playlist_free(pl);
            pl = NULL;
        }
    }
    return pl;
}

static struct pl_playlist *screen_playlist(struct ctl *x, const struct pl_screen *scr, pl_ms from,
                                           pl_ms to, struct camps *cs, bool *published)
{
    char err[1024];
    struct pl_playlist *pl = published_playlist(x, scr->id, from, to);

    *published = pl != NULL;
    if (pl)
        return pl;
    /* Not published for that time: computed from the campaigns, read only now. */
    if (camps_load(x, cs) < 0)
        return NULL;
    pl = pl_merge_screen(x->cfg, (const struct pl_campaign **)cs->v, cs->n, scr,
                         from - PL_MS_PER_DAY, to, err, sizeof err);
    if (!pl)
        log_error("%s", err);
    return pl;
}

static const struct pl_screen *find_screen(struct ctl *x, const char *id)
{
    const struct pl_screen *s = pl_config_screen(x->cfg, id);

    if (!s) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < x->cfg->nscreens && i < 20; i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", x->cfg->screens[i].id);
        log_error("%s: no screen \"%s\"; known screens: %s", x->cfg->path, id, sb_str(&sb));
        sb_free(&sb);
    }
    return s;
}

static int parse_time_arg(struct ctl *x, const char *what, const char *s, enum pl_time_role role,
                          pl_ms *out)
{
    char err[512];

    if (pl_time_parse(s, x->cfg->tz, role, out, err, sizeof err) < 0) {
        log_error("%s '%s': %s", what, s, err);
        return -1;
    }
    return 0;
}

static const char *slot_campaign(const struct pl_slot *sl)
{
    return sl && sl->campaign && sl->campaign->id ? sl->campaign->id : "-";
}

static const struct pl_item *slot_item(const struct pl_slot *sl)
{
    if (!sl || !sl->campaign || sl->item >= sl->campaign->nitems)
        return NULL;
    return &sl->campaign->items[sl->item];
}

static int cmd_at(struct ctl *x, int argc, char **argv)
{
    struct camps cs = {0};
    struct pl_playlist *pl = NULL;
    const struct pl_screen *scr;
    const struct pl_item *it;
    char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ];
    struct pl_due due;
    bool published;
    pl_ms t;
    int ret = 1;

    argc--; /* past the command's name */
    argv++;
    if (argc != 2)
        return ctl_usage_error("at: %s", "give SCREEN and TIME, e.g. at shinjuku-west-plaza "
                                         "2023-03-15T10:00");
    if (parse_time_arg(x, "at", argv[1], PL_TIME_START, &t) < 0)
        return EXIT_USAGE;
    /* Started with the configuration's head: the published playlist answers
     * without reading every screen. */
    if (x->cfg->screens_left_out && !(pl = published_playlist(x, argv[0], t, t + 1)) &&
        ctl_config_full(x) < 0)
        return 1;
    if (!pl) {
        if (!(scr = find_screen(x, argv[0])))
            return 1;
        pl = screen_playlist(x, scr, t, t + 1, &cs, &published);
        if (!pl)
            goto out_free;
    }
    pl_due_at(pl->windows, pl->nwindows, &pl->fallback, t, &due);
    it = slot_item(due.slot);
    pl_time_format(due.slot_start, x->cfg->tz, a, sizeof a);
    pl_time_format(due.slot_end, x->cfg->tz, b, sizeof b);
    if (x->json) {
        json_t *o = json_object();
        json_object_set_new(o, "campaign", json_string(due.window ? slot_campaign(due.slot) : "-"));
        json_object_set_new(o, "item", due.slot ? json_integer(due.slot->item) : json_null());
        json_object_set_new(o, "type", it ? json_string(pl_item_type_name(it->type)) : json_null());
        json_object_set_new(o, "slot_start", json_string(a));
        json_object_set_new(o, "slot_end", json_string(b));
        ctl_print_json(o);
    } else {
        printf("%s %d %s %s %s\n", due.window ? slot_campaign(due.slot) : "-",
               due.slot ? (int)due.slot->item : -1, it ? pl_item_type_name(it->type) : "-", a, b);
    }
    ret = 0;
out_free:
    pl_playlist_free(pl);
    camps_free(&cs);
    return ret;
}

static void fmt_dur(pl_ms ms, char *buf, size_t len)
{
    if (ms % 1000)
        snprintf(buf, len, "%lld.%03llds", (long long)(ms / 1000), (long long)(ms % 1000));
    else
        snprintf(buf, len, "%llds", (long long)(ms / 1000));
}

/* Each campaign's share of the loop's time, as JSON or text. */
static void window_shares(const struct pl_window *w, json_t *jo, struct strbuf *sb)
{
    for (size_t i = 0; i < w->nslots; i++) {
        const char *id = slot_campaign(&w->slots[i]);
        pl_ms sum = 0;
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(slot_campaign(&w->slots[k]), id) == 0)
                seen = true;
        if (seen)
            continue;
        for (size_t k = i; k < w->nslots; k++)
            if (strcmp(slot_campaign(&w->slots[k]), id) == 0)
                sum += w->slots[k].duration_ms;
        double pct = w->loop_ms ? 100.0 * (double)sum / (double)w->loop_ms : 0.0;
        if (jo)
            json_object_set_new(jo, id, json_real(pct));
        else
            sb_printf(sb, "%s%s %.1f%%", sb->len ? ", " : "", id, pct);
    }
}

static void slot_text(const struct pl_slot *sl, struct strbuf *sb)
{
    const struct pl_item *it = slot_item(sl);

    if (!it)
        return;
    if (it->type == PL_ITEM_TEXT && it->text) {
        size_t n = 0;
        /* The first 40 bytes, cut at a character boundary, on one line. */
        while (it->text[n] && n < 40)
            n++;
        while (n && it->text[n] && ((unsigned char)it->text[n] & 0xc0) == 0x80)
            n--;
        sb_putc(sb, '"');
        for (size_t i = 0; i < n; i++)
            sb_putc(sb, it->text[i] == '\n' ? ' ' : it->text[i]);
        sb_puts(sb, it->text[n] ? "...\"" : "\"");
    } else {
        sb_puts(sb, it->file ? it->file : it->media ? it->media : "");
    }
}

static json_t *window_json(const struct pl_window *w, const pl_tz *tz, bool fallback)
{
    json_t *o = json_object(), *slots = json_array(), *shares = json_object();

    if (!fallback) {
        json_object_set_new(o, "start", ctl_time_json(w->start, tz));
        json_object_set_new(o, "end", ctl_time_json(w->end, tz));
        json_object_set_new(o, "priority", json_integer(w->priority));
    }
    json_object_set_new(o, "loop_seconds", json_real((double)w->loop_ms / 1000.0));
    window_shares(w, shares, NULL);
    json_object_set_new(o, "shares", shares);
    for (size_t i = 0; i < w->nslots; i++) {
        const struct pl_slot *sl = &w->slots[i];
        const struct pl_item *it = slot_item(sl);
        json_t *s = json_object();
        json_object_set_new(s, "offset_seconds", json_real((double)sl->offset_ms / 1000.0));
        json_object_set_new(s, "duration_seconds", json_real((double)sl->duration_ms / 1000.0));
        json_object_set_new(s, "campaign", json_string(fallback ? "-" : slot_campaign(sl)));
        json_object_set_new(s, "item", json_integer(sl->item));
        json_object_set_new(s, "type", it ? json_string(pl_item_type_name(it->type)) : json_null());
        if (it && it->type == PL_ITEM_TEXT)
            json_object_set_new(s, "text", json_string(it->text ? it->text : ""));
        else if (it)
            json_object_set_new(s, "media", json_string(it->media ? it->media : ""));
        json_array_append_new(slots, s);
    }
    json_object_set_new(o, "slots", slots);
    return o;
}

static void window_print(const struct pl_window *w, const pl_tz *tz, bool fallback)
{
    char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ], d[32];
    struct strbuf sb = STRBUF_INIT;

    fmt_dur(w->loop_ms, d, sizeof d);
    if (fallback) {
        printf("fallback loop %s\n", d);
    } else {
        pl_time_format_s(w->start, tz, a, sizeof a);
        pl_time_format_s(w->end, tz, b, sizeof b);
        printf("%s .. %s  priority %d, loop %s, %zu slots\n", a, b, w->priority, d, w->nslots);
    }
    window_shares(w, NULL, &sb);
    printf("    share: %s\n", fallback ? "-" : sb_str(&sb));
    for (size_t i = 0; i < w->nslots; i++) {
        const struct pl_slot *sl = &w->slots[i];
        const struct pl_item *it = slot_item(sl);
        char off[32];
        sb_reset(&sb);
        slot_text(sl, &sb);
        fmt_dur(sl->offset_ms, off, sizeof off);
        fmt_dur(sl->duration_ms, d, sizeof d);
        printf("    +%-9s %-8s %s #%u %s %s\n", off, d, fallback ? "-" : slot_campaign(sl),
               sl->item, it ? pl_item_type_name(it->type) : "?", sb_str(&sb));
    }
    sb_free(&sb);
}

static int cmd_plan(struct ctl *x, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct camps cs = {0};
    struct pl_playlist *pl = NULL;
    const struct pl_screen *scr;
    const char *screen = NULL, *from_s = NULL, *to_s = NULL;
    pl_ms from, to;
    bool published;
    json_t *doc = NULL, *wins = NULL;
    int c, ret = 1;

    optind = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1 || optind < argc) {
        if (c == -1) {
            if (screen)
                return ctl_usage_error("plan: unexpected argument '%s'", argv[optind]);
            screen = argv[optind++];
            continue;
        }
        switch (c) {
        case 'f':
            from_s = optarg;
            break;
        case 't':
            to_s = optarg;
            break;
        case 'j':
            x->json = true;
            break;
        default:
            return ctl_usage_error("plan: %s", "usage: plan SCREEN [--from T] [--to T]");
        }
    }
    if (!screen)
        return ctl_usage_error("plan: %s", "name a SCREEN");
    from = x->now;
    if (from_s && parse_time_arg(x, "--from", from_s, PL_TIME_START, &from) < 0)
        return EXIT_USAGE;
    to = from + PLAN_DEFAULT_DAYS * PL_MS_PER_DAY;
    if (to_s && parse_time_arg(x, "--to", to_s, PL_TIME_END, &to) < 0)
        return EXIT_USAGE;
    if (to <= from) {
        log_error("plan: --to must be after --from");
        return EXIT_USAGE;
    }
    if (to - from > 400 * PL_MS_PER_DAY) {
        log_error("plan: at most 400 days at once; narrow --from/--to");
        return EXIT_USAGE;
    }
    if (!(scr = find_screen(x, screen)))
        return 1;
    pl = screen_playlist(x, scr, from, to, &cs, &published);
    if (!pl)
        goto out_free;
    if (x->json) {
        doc = json_object();
        wins = json_array();
        json_object_set_new(doc, "screen", json_string(scr->id));
        json_object_set_new(doc, "from", ctl_time_json(from, x->cfg->tz));
        json_object_set_new(doc, "to", ctl_time_json(to, x->cfg->tz));
        json_object_set_new(doc, "source", json_string(published ? "playlist" : "campaigns"));
        if (published)
            json_object_set_new(doc, "generation", json_integer(pl->generation));
    } else {
        char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ];
        pl_time_format_s(from, x->cfg->tz, a, sizeof a);
        pl_time_format_s(to, x->cfg->tz, b, sizeof b);
        printf("screen %s (%s), %s .. %s, from %s", scr->id, scr->name ? scr->name : "", a, b,
               published ? "the published playlist" : "campaigns/ (computed)");
        if (published)
            printf(", generation %lld", (long long)pl->generation);
        printf("\n\n");
    }
    size_t shown = 0;
    pl_ms prev_end = from;
    for (size_t i = 0; i < pl->nwindows; i++) {
        const struct pl_window *w = &pl->windows[i];
        if (w->end <= from || w->start >= to)
            continue;
        if (!x->json && w->start > prev_end) {
            char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ];
            pl_time_format_s(prev_end, x->cfg->tz, a, sizeof a);
            pl_time_format_s(w->start, x->cfg->tz, b, sizeof b);
            printf("%s .. %s  fallback\n\n", a, b);
        }
        prev_end = w->end;
        shown++;
        if (x->json) {
            json_array_append_new(wins, window_json(w, x->cfg->tz, false));
        } else {
            window_print(w, x->cfg->tz, false);
            printf("\n");
        }
    }
    if (x->json) {
        json_object_set_new(doc, "windows", wins);
        json_object_set_new(doc, "fallback", window_json(&pl->fallback, x->cfg->tz, true));
        ctl_print_json(doc);
    } else {
        if (prev_end < to) {
            char a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ];
            pl_time_format_s(prev_end, x->cfg->tz, a, sizeof a);
            pl_time_format_s(to, x->cfg->tz, b, sizeof b);
            printf("%s .. %s  fallback\n\n", a, b);
        }
        window_print(&pl->fallback, x->cfg->tz, true);
        if (!shown)
            printf("\nno campaign plays on %s in this range\n", scr->id);
    }
    ret = 0;
out_free:
    pl_playlist_free(pl);
    camps_free(&cs);
    return ret;
}

/* --- withdraw, history, restore -------------------------------------------- */

/* Opens and locks the state tree; NULL (logged) when it cannot. */
static struct sched_state *open_locked(const struct ctl *x)
{
    char err[1024];
    struct sched_state *st = sched_state_open(x->cfg->state, err, sizeof err);

    if (!st) {
        log_error("%s", err);
        return NULL;
    }
    if (sched_state_lock(st, err, sizeof err) < 0) {
        log_error("%s", err);
        sched_state_free(st);
        return NULL;
    }
    return st;
}

/* Publishes the playlists after a change to campaigns/, as the scheduler
 * would; PS gets the counts.  Returns 0 or -1 (logged). */
static int republish(const struct ctl *x, const struct sched_state *st,
                     struct sched_publish_stats *ps)
{
    struct sched_set *set = sched_set_new();
    struct sched_publisher *pub = sched_publisher_new();
    int r = -1;

    /* The fallback's media were stored by the scheduler, which recorded
     * what it made of them: with that these are the playlists it would
     * write.  Without (it has not read this signage.cfg yet), the fallback
     * would have no media: the scheduler publishes instead. */
    if (sched_fallback_apply(st, x->cfg) < 0) {
        log_warn("the scheduler has not prepared the fallback of %s yet; it publishes the "
                 "playlists when it does",
                 x->cfg->path);
        r = 0;
    } else if (!set || !pub || sched_set_load(set, st, x->cfg->tz) < 0) {
        log_error("%s: cannot reload the campaigns; the daemon will republish", st->campaigns);
    } else {
        r = sched_publish(pub, st, x->cfg, set, x->now, ps);
    }
    sched_publisher_free(pub);
    sched_set_free(set);
    return r;
}

/* Adds what a republish did to the --json answer O. */
static void json_publish_counts(json_t *o, const struct sched_publish_stats *ps)
{
    json_object_set_new(o, "playlists_written", json_integer((json_int_t)ps->written));
    json_object_set_new(o, "playlists_failed", json_integer((json_int_t)ps->failed));
}

static int cmd_withdraw(struct ctl *x, int argc, char **argv)
{
    struct sched_state *st;
    struct sched_publish_stats ps = {0};
    char err[1024];
    int r, ret = 1;

    argc--; /* past the command's name */
    argv++;
    if (argc != 1)
        return ctl_usage_error("withdraw: %s", "give one campaign ID (see `signagectl list`)");
    if (!(st = open_locked(x)))
        return 1;
    r = sched_state_withdraw(st, argv[0], err, sizeof err);
    if (r < 0) {
        log_error("%s", err);
        goto out_free;
    }
    r = republish(x, st, &ps);
    if (x->json) {
        json_t *o = json_object();
        json_object_set_new(o, "withdrawn", json_string(argv[0]));
        json_publish_counts(o, &ps);
        ctl_print_json(o);
    } else {
        printf("withdrew %s; %zu playlists rewritten%s\n"
               "Its versions are kept: `signagectl history %s` lists them, "
               "`signagectl restore %s VERSION` brings one back.\n",
               argv[0], ps.written, ps.failed ? ", some could not be written (see above)" : "",
               argv[0], argv[0]);
    }
    ret = r < 0 ? 1 : 0;
out_free:
    sched_state_free(st);
    return ret;
}

static int cmd_history(struct ctl *x, int argc, char **argv)
{
    struct sched_state *st;
    struct sched_version *v = NULL;
    size_t n = 0;
    unsigned current = 0;
    char err[1024];
    json_t *arr;

    argc--; /* past the command's name */
    argv++;
    if (argc != 1)
        return ctl_usage_error("history: %s", "give one campaign ID (see `signagectl list`)");
    if (!pl_id_valid(argv[0])) {
        log_error("\"%s\" is not a campaign id; `signagectl list` shows them", argv[0]);
        return 1;
    }
    /* No lock: versions are written whole and never changed, so reading
     * need not wait behind the scheduler copying a large video. */
    if (!(st = sched_state_open(x->cfg->state, err, sizeof err))) {
        log_error("%s", err);
        return 1;
    }
    if (sched_history_list(st, argv[0], x->cfg->tz, &v, &n, err, sizeof err) < 0) {
        log_error("%s", err);
        sched_state_free(st);
        return 1;
    }
    sched_state_free(st);
    if (n == 0) {
        log_error("campaign \"%s\" has no accepted versions; `signagectl list` shows the "
                  "campaigns",
                  argv[0]);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].current)
            current = v[i].n;
    arr = x->json ? json_array() : NULL;
    if (!x->json) {
        const char *s = n == 1 ? "" : "s";
        if (current)
            printf("%s: %zu version%s; version %u plays now\n", argv[0], n, s, current);
        else
            printf("%s: %zu version%s; none plays now (withdrawn)\n", argv[0], n, s);
        printf("  version  complete in the spool      from\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct pl_campaign *c = v[i].c;
        char when[PL_TIME_BUFSZ] = "?", from[512], file[600];

        if (c && c->arrived_ns)
            pl_time_format_s(c->arrived_ns / 1000000, x->cfg->tz, when, sizeof when);
        if (!c)
            snprintf(from, sizeof from, "(unreadable)");
        else if (c->restored_from)
            snprintf(from, sizeof from, "restore of version %u", c->restored_from);
        else
            snprintf(from, sizeof from, "%s", c->source ? c->source : "?");
        snprintf(file, sizeof file, "campaigns/history/%s/%u.src", argv[0], v[i].n);
        if (x->json) {
            json_t *o = json_object();
            json_object_set_new(o, "version", json_integer(v[i].n));
            json_object_set_new(o, "current", json_boolean(v[i].current));
            json_object_set_new(o, "arrived", c && c->arrived_ns ? json_string(when) : json_null());
            json_object_set_new(o, "source", c && c->source ? json_string(c->source) : json_null());
            json_object_set_new(o, "title", c && c->title ? json_string(c->title) : json_null());
            json_object_set_new(o, "restored_from",
                                c && c->restored_from ? json_integer(c->restored_from)
                                                      : json_null());
            json_object_set_new(o, "file", v[i].has_src ? json_string(file) : json_null());
            json_array_append_new(arr, o);
        } else {
            printf("%s %7u  %-25s  %s%s%s\n", v[i].current ? "*" : " ", v[i].n, when, from,
                   c && c->title && c->title[0] ? "  " : "", c && c->title ? c->title : "");
        }
    }
    if (x->json)
        ctl_print_json(arr);
    else
        printf("The operator's files are in campaigns/history/%s/ (VERSION.src).\n"
               "Put a version back with: signagectl restore %s VERSION\n",
               argv[0], argv[0]);
    sched_history_free(v, n);
    return 0;
}

static int cmd_restore(struct ctl *x, int argc, char **argv)
{
    struct sched_state *st;
    struct sched_publish_stats ps = {0};
    char err[1024], *end;
    unsigned long n;
    unsigned newv = 0;
    int r, ret = 1;

    argc--; /* past the command's name */
    argv++;
    if (argc != 2)
        return ctl_usage_error("restore: %s", "give a campaign ID and a VERSION "
                                              "(`signagectl history ID` lists them)");
    errno = 0;
    n = strtoul(argv[1], &end, 10);
    if (errno || *end || end == argv[1] || n == 0 || n > UINT32_MAX || argv[1][0] == '-')
        return ctl_usage_error("restore: VERSION must be a version number such as 2, not '%s'",
                               argv[1]);
    if (!(st = open_locked(x)))
        return 1;
    /* Real time, not --now: it is compared with when spool files arrived. */
    r = sched_history_restore(st, argv[0], (unsigned)n, x->cfg->tz, pclock_wall_ns(),
                              x->cfg->history_keep, &newv, err, sizeof err);
    if (r < 0) {
        log_error("%s", err);
        goto out_free;
    }
    r = republish(x, st, &ps);
    if (x->json) {
        json_t *o = json_object();
        json_object_set_new(o, "restored", json_string(argv[0]));
        json_object_set_new(o, "from_version", json_integer((json_int_t)n));
        json_object_set_new(o, "version", json_integer(newv));
        json_publish_counts(o, &ps);
        ctl_print_json(o);
    } else if (newv == n) {
        printf("%s: version %lu already plays; nothing changed\n", argv[0], n);
    } else {
        printf("restored %s version %lu as version %u; %zu playlists rewritten%s\n", argv[0], n,
               newv, ps.written, ps.failed ? ", some could not be written (see above)" : "");
    }
    ret = r < 0 ? 1 : 0;
out_free:
    sched_state_free(st);
    return ret;
}

/* --- report ----------------------------------------------------------------- */

/* The screens a report covers: every screen of signage.cfg, or with a
 * selection those its accepted campaigns target (a screen that should have
 * shown them and has no log is dark).  0, or -1 out of memory. */
static int report_screens(const struct ctl *x, struct report *r, const char *owner,
                          const char *campaign)
{
    struct camps cs = {0};
    int rc = 0;

    if ((owner || campaign) && camps_load(x, &cs) < 0)
        log_warn("report: the accepted campaigns cannot be read; only screens with proof of "
                 "play are in the report");
    for (size_t i = 0; i < x->cfg->nscreens && rc == 0; i++) {
        const struct pl_screen *sc = &x->cfg->screens[i];
        bool covered = !owner && !campaign;
        for (size_t k = 0; k < cs.n && !covered; k++)
            covered = (!owner || strcmp(cs.v[k]->owner, owner) == 0) &&
                      (!campaign || strcmp(cs.v[k]->id, campaign) == 0) &&
                      pl_screen_targeted(sc, cs.v[k]);
        /* each named for the pages; covered only if the selection was due
         * there (or played there after all) */
        rc = report_add_screen(r, sc->id, sc->name, covered);
    }
    camps_free(&cs);
    return rc;
}

/* The summary cache of closed days' logs: $XDG_CACHE_HOME/signage/report
 * or ~/.cache/signage/report.  Without one, the report reads every line. */
static void report_use_cache(struct report *r)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *dir = NULL;

    if (xdg && xdg[0] == '/')
        dir = strdup(xdg);
    else if (home && home[0] == '/' && asprintf(&dir, "%s/.cache", home) < 0)
        dir = NULL;
    if (!dir)
        return;
    /* each level made if need be, for the user only */
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            (void)mkdir(dir, 0700);
            *p = '/';
        }
    (void)mkdir(dir, 0700);
    char *sig = NULL, *rep = NULL;
    if (asprintf(&sig, "%s/signage", dir) >= 0 && (mkdir(sig, 0700) == 0 || errno == EEXIST) &&
        asprintf(&rep, "%s/report", sig) >= 0 && report_set_cache(r, rep) < 0)
        log_warn("report: %s: cannot keep summaries there (%s); every line is read", rep,
                 strerror(errno));
    free(sig);
    free(rep);
    free(dir);
}

static int cmd_report(struct ctl *x, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"by", required_argument, NULL, 'b'},
        {"csv", no_argument, NULL, 'C'},
        {"html", required_argument, NULL, 'H'},
        {"log", required_argument, NULL, 'L'},
        {"no-bom", no_argument, NULL, 'N'},
        {"owner", required_argument, NULL, 'o'},
        {"campaign", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'O'},
        {"no-cache", no_argument, NULL, 'K'},
        {"boxes", required_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    static const char usage[] =
        "usage: report [--from D] [--to D] [--owner O] [--campaign ID] "
        "[--by KEY[,KEY...]] [--csv [--no-bom]] [--html FILE | --out FILE] [--log DIR]... "
        "[--boxes DIR]... [--no-cache]\n"
        "KEY is owner, campaign, screen or day";
    const char *from = NULL, *to = NULL, *outpath = NULL, *owner = NULL, *campaign = NULL;
    const char *by_text = NULL;
    struct ctl_trees trees = {0};
    bool bom = true, cache = true;
    enum report_format fmt = x->json ? REPORT_JSON : REPORT_TABLE;
    struct report_keys keys;
    struct report *r = NULL;
    struct strbuf logdir = STRBUF_INIT;
    FILE *out = stdout;
    char err[1024];
    int c, ret = 1;

    optind = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'b':
            by_text = optarg;
            break;
        case 'o':
            owner = optarg;
            break;
        case 'c':
            campaign = optarg;
            break;
        case 'C':
            fmt = REPORT_CSV;
            break;
        case 'H':
            fmt = REPORT_HTML;
            outpath = optarg;
            break;
        case 'O':
            outpath = optarg;
            break;
        case 'N':
            bom = false;
            break;
        case 'K':
            cache = false;
            break;
        case 'L':
            if (ctl_trees_add(&trees, optarg) < 0) {
                ctl_trees_free(&trees);
                log_error("report: out of memory");
                return 1;
            }
            break;
        case 'B':
            if (ctl_trees_add_boxes(&trees, optarg, err, sizeof err) < 0) {
                ctl_trees_free(&trees);
                log_error("report: %s", err);
                return 1;
            }
            break;
        default:
            ctl_trees_free(&trees);
            return ctl_usage_error("report: %s", usage);
        }
    }
    if (optind < argc) {
        ctl_trees_free(&trees);
        return ctl_usage_error("report: unexpected argument '%s'", argv[optind]);
    }
    /* Rows: as asked; else a partner's view by campaign, a campaign's by
     * screen, everything by owner. */
    if (by_text ? report_keys_parse(by_text, &keys) < 0
                : report_keys_parse(campaign ? "screen"
                                    : owner  ? "campaign"
                                             : "owner",
                                    &keys) < 0) {
        ctl_trees_free(&trees);
        return ctl_usage_error("report: --by takes owner, campaign, screen or day, or several "
                               "separated by commas (campaign,screen,day), each once; not '%s'",
                               by_text);
    }
    if (fmt == REPORT_CSV && !bom)
        fmt = REPORT_CSV_PLAIN;
    r = report_new(x->cfg->tz);
    sb_printf(&logdir, "%s/log", x->cfg->state);
    if (!r || sb_failed(&logdir) || report_select(r, owner, campaign) < 0 ||
        report_screens(x, r, owner, campaign) < 0) {
        log_error("report: out of memory");
        goto out;
    }
    report_set_now(r, x->now);
    if (cache)
        report_use_cache(r);
    /* Without --log or --boxes, this box's STATE/log; with them, the trees
     * named (logs collected from several boxes), each line counted once. */
    const char *own = sb_str(&logdir);
    if (report_load_trees(r, trees.given ? (const char *const *)trees.v : &own,
                          trees.given ? trees.n : 1, from, to, err, sizeof err) < 0) {
        log_error("report: %s", err);
        ret = strstr(err, "--from") ? EXIT_USAGE : 1;
        goto out;
    }
    if ((owner || campaign) && report_entries(r) && !report_selected(r))
        log_warn("report: no proof of play of %s%s%s%s in these logs (check the spelling: it must "
                 "be written exactly as in the campaign file)",
                 owner ? "owner " : "", owner ? owner : "", owner && campaign ? " and " : "",
                 campaign ? campaign : "");
    if (outpath && !(out = fopen(outpath, "we"))) {
        log_error("report: %s: cannot write the report: %s", outpath, strerror(errno));
        goto out;
    }
    if (report_write(r, &keys, fmt, out) < 0) {
        log_error("report: %s: write failed", outpath ? outpath : "standard output");
        goto out;
    }
    if (outpath && !x->json)
        printf("wrote %s (%ld log entries)\n", outpath, report_entries(r));
    ret = 0;
out:
    if (out && out != stdout && fclose(out) != 0 && ret == 0) {
        log_error("report: %s: write failed: %s", outpath, strerror(errno));
        ret = 1;
    }
    sb_free(&logdir);
    report_free(r);
    ctl_trees_free(&trees);
    return ret;
}

/* --- status ----------------------------------------------------------------- */

static int cmd_status(struct ctl *x, int argc, char **argv)
{
    static const struct option opts[] = {
        {"log", required_argument, NULL, 'L'},
        {"boxes", required_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    static const char usage[] = "usage: status [--log DIR]... [--boxes DIR]... [SCREEN...]";
    struct status_req rq = {.cfg = x->cfg,
                            .now = x->now,
                            .now_given = x->now_text != NULL,
                            .wall = pclock_wall_ms(),
                            .json = x->json};
    struct ctl_trees trees = {0};
    char err[1024];
    int c, ret;

    optind = 0; /* options and screens in any order */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'L':
            if (ctl_trees_add(&trees, optarg) < 0) {
                ctl_trees_free(&trees);
                log_error("status: out of memory");
                return 1;
            }
            break;
        case 'B':
            if (ctl_trees_add_boxes(&trees, optarg, err, sizeof err) < 0) {
                ctl_trees_free(&trees);
                log_error("status: %s", err);
                return 1;
            }
            break;
        default:
            ctl_trees_free(&trees);
            return ctl_usage_error("status: %s", usage);
        }
    }
    for (int i = optind; i < argc; i++)
        if (argv[i][0] == '-') {
            ctl_trees_free(&trees);
            return ctl_usage_error("status: unknown option '%s'; %s", argv[i], usage);
        }
    rq.screens = (const char *const *)argv + optind;
    rq.nscreens = (size_t)(argc - optind);
    rq.trees = (const char *const *)trees.v;
    rq.ntrees = trees.n;
    rq.trees_given = trees.given;
    ret = status_run(&rq);
    ctl_trees_free(&trees);
    return ret;
}

/* The commands; check and preview are signagectl-media's. */
static const struct ctl_command commands[] = {
    {"check", NULL, false},
    {"list", cmd_list, false},
    {"plan", cmd_plan, false},
    {"at", cmd_at, true},
    {"withdraw", cmd_withdraw, false},
    {"history", cmd_history, false},
    {"restore", cmd_restore, false},
    {"report", cmd_report, false},
    {"preview", NULL, false},
    {"status", cmd_status, false},
};

int main(int argc, char **argv)
{
    return ctl_main(argc, argv, commands, sizeof commands / sizeof commands[0]);
}
