/* screenshot.c - pictures of one moment (see screenshot.h). */
#include "player/screenshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <jansson.h>

#include "common/atomic.h"
#include "common/log.h"
#include "media/fonts.h"
#include "player/playout.h"
#include "player/prep.h"
#include "player/render.h"
#include "player/text.h"

/* What draws the pictures: a software renderer onto OUT. */
struct shot {
    SDL_Surface *out;
    struct prep *prep;
    struct render *render;
    struct playout *po;
};

static void shot_end(struct shot *s)
{
    playout_free(s->po);
    render_free(s->render);
    prep_free(s->prep);
    SDL_FreeSurface(s->out);
    memset(s, 0, sizeof(*s));
}

/* The software renderer, preparation and playout for pictures of OW x OH.
 * Returns 0, or -1 (logged). */
static int shot_begin(struct shot *s, const struct shot_ctx *c, int ow, int oh)
{
    char err[512] = "";

    memset(s, 0, sizeof(*s));
    s->out = SDL_CreateRGBSurfaceWithFormat(0, ow, oh, 32, SDL_PIXELFORMAT_ARGB8888);
    char *font = fonts_bundled();
    if (s->out)
        s->prep = prep_new(c->w, c->h, font, false, err, sizeof(err));
    free(font);
    SDL_Renderer *ren = s->prep ? SDL_CreateSoftwareRenderer(s->out) : NULL;
    if (ren)
        s->render = render_new(ren, c->w, c->h, 0, 0, s->prep, err, sizeof(err));
    struct playout_opts po = {
        .plan = c->plan,
        .render = s->render,
        .prep = s->prep,
        .sync = true,
        .state = c->state,
        .screen_id = c->screen_id,
    };
    if (s->render)
        s->po = playout_new(&po);
    if (!s->po) {
        log_error("cannot draw a %dx%d picture: %s", ow, oh, err[0] ? err : SDL_GetError());
        shot_end(s);
        return -1;
    }
    return 0;
}

/* Writes S as the PNG file PATH: into a new temporary file beside it, then
 * renamed over it, so a symbolic link or a file already at PATH is
 * replaced, never written through.  0, or -1 (logged). */
/* atomic_fill_temp()'s FILL: the surface *CTX as PNG into FD. */
static int png_into(int fd, void *ctx)
{
    int dupfd = dup(fd);
    FILE *f = dupfd >= 0 ? fdopen(dupfd, "wb") : NULL;

    if (!f) {
        if (dupfd >= 0)
            close(dupfd);
        return -errno;
    }
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_TRUE); /* closes F, flushing it */
    if (!rw) {
        fclose(f);
        return -ENOMEM;
    }
    return IMG_SavePNG_RW(ctx, rw, 1) == 0 ? 0 : -EIO;
}

static int save_png(SDL_Surface *s, const char *path)
{
    char *tmp = NULL, *d = atomic_dir_of(path);
    const char *what = "out of memory";
    int r = -ENOMEM;

    /* a picture for people to open: the umask's mode, not 0600 */
    mode_t mask = umask(0);
    umask(mask);
    if (d && asprintf(&tmp, "%s/.signage-png.XXXXXX", d) >= 0) {
        r = atomic_fill_temp(tmp, 0666 & ~mask, png_into, s, &what);
        if (r == 0 && rename(tmp, path) != 0) {
            r = -errno;
            what = "cannot rename it into place";
            unlink(tmp);
        }
    } else {
        tmp = NULL;
    }
    if (r < 0)
        log_error("%s: cannot write the picture: %s: %s", path, what,
                  r == -EIO ? SDL_GetError() : strerror(-r));
    free(d);
    free(tmp);
    return r < 0 ? -1 : 0;
}

/* Draws what plays at T and saves it as the PNG PATH.  *ERR gets why the
 * item due could not be shown (the picture then shows what fills its
 * time), or NULL; the caller frees it.  Returns 0 or -1 (logged). */
static int shot_take(struct shot *s, const struct shot_ctx *c, pl_ms t, const char *path,
                     char **err)
{
    *err = NULL;
    if (playout_moment(s->po, t))
        return -1;
    const char *why = plan_next_error(c->plan);
    if (why)
        *err = strdup(why);
    render_still(s->render, t, s->out->w, s->out->h);
    return save_png(s->out, path);
}

int screenshot_run(const struct shot_ctx *c)
{
    char err[512], *why = NULL;
    const struct player_opts *o = c->o;
    struct shot s;
    pl_ms t;
    int ow = o->size_w ? o->size_w : c->w, oh = o->size_h ? o->size_h : c->h;
    int rc = 1;

    if (pl_time_parse(o->screenshot_at, c->tz, PL_TIME_START, &t, err, sizeof(err))) {
        log_error("--screenshot-at %s: %s", o->screenshot_at, err);
        return 1;
    }
    if (shot_begin(&s, c, ow, oh) == 0) {
        if (shot_take(&s, c, t, o->out, &why) == 0) {
            const struct plan_slot *due = plan_next_due(c->plan);
            const struct content *on = render_on_screen(s.render);
            if (why && due)
                log_warn("%s item %d at this time: %s; the screenshot shows what fills its time",
                         due->campaign, due->item, why);
            log_info("%s: %s item %d (%s) at %s", o->out, on->info.campaign, on->info.item,
                     pl_item_type_name(on->info.type), o->screenshot_at);
            rc = 0;
        }
        free(why);
        shot_end(&s);
    }
    if (rc)
        log_error("screenshot at %s failed%s%s", o->screenshot_at, SDL_GetError()[0] ? ": " : "",
                  SDL_GetError());
    return rc;
}

/* The --preview description of text item S on this screen. */
static void preview_text(struct text_renderer *tr, const struct shot_ctx *a,
                         const struct plan_slot *s, json_t *o)
{
    struct text_report rep;
    char err[256];

    if (text_describe(tr, s->text, a->w, a->h, &rep, err, sizeof err) < 0) {
        json_object_set_new(o, "error", json_string(err));
        return;
    }
    json_t *lines = json_array();
    for (size_t i = 0; i < rep.nlines; i++)
        json_array_append_new(lines, json_string(rep.lines[i]));
    json_object_set_new(o, "text", json_string(s->text));
    json_object_set_new(o, "size", json_integer(rep.pt));
    json_object_set_new(o, "box", json_pack("[ii]", rep.box_w, rep.box_h));
    json_object_set_new(o, "max_lines", json_integer((json_int_t)rep.max_lines));
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "phrase_splits", json_integer((json_int_t)rep.phrase_splits));
    json_object_set_new(o, "phrase_size", json_integer(rep.phrase_pt));
    json_object_set_new(o, "overflow", json_boolean(rep.overflow));
    json_object_set_new(o, "missing", json_string(rep.missing));
    text_report_clear(&rep);
}

int preview_run(const struct shot_ctx *a)
{
    const struct pl_playlist *pl = plan_playlist(a->plan);
    struct shot sh;
    char err[512];
    int rc = 1;

    if (!pl) {
        log_error("no playlist to preview");
        return 1;
    }
    const struct pl_window *w = pl->nwindows ? &pl->windows[0] : &pl->fallback;
    pl_ms t = pl->nwindows ? w->start : pl->generated_at;
    pl_ms end = pl->nwindows ? w->end : t + 86400000;
    if (end - t > w->loop_ms)
        end = t + w->loop_ms; /* one turn of the loop shows every item */
    char *font = fonts_bundled();
    struct text_renderer *tr = font ? text_renderer_new(font, err, sizeof err) : NULL;
    free(font);
    json_t *arr = json_array();
    bool drawing = tr && shot_begin(&sh, a, a->w, a->h) == 0;
    if (!tr)
        log_error("%s", err);
    if (!drawing || !arr)
        goto out;
    rc = 0;
    for (size_t n = 0; t < end && n < w->nslots;) {
        struct plan_slot due;
        if (plan_due_at(pl, t, &due)) {
            rc = 1;
            break;
        }
        if (due.slot_end <= t) {
            plan_slot_clear(&due);
            rc = 1;
            break;
        }
        bool seen = false;
        for (size_t i = 0; i < json_array_size(arr) && !seen; i++) {
            json_t *e = json_array_get(arr, i);
            seen = strcmp(json_string_value(json_object_get(e, "campaign")), due.campaign) == 0 &&
                   json_integer_value(json_object_get(e, "item")) == due.item;
        }
        if (!seen) {
            pl_ms at = due.slot_start > t ? due.slot_start : t, len = due.slot_end - at;
            char *png = NULL, *why = NULL;
            at += len / 2 < 1000 ? len / 2 : 1000; /* a video a second in */
            json_t *o = json_pack("{sssssiss}", "screen", a->screen_id, "campaign", due.campaign,
                                  "item", due.item, "type", pl_item_type_name(due.type));
            if (asprintf(&png, "%s/%s-%s-%d.png", a->o->preview, a->screen_id, due.campaign,
                         due.item + 1) < 0 ||
                !o || shot_take(&sh, a, at, png, &why) < 0) {
                rc = 1;
                json_decref(o);
            } else {
                json_object_set_new(o, "png", json_string(png));
                if (why)
                    json_object_set_new(o, "error", json_string(why));
                else if (due.type == PL_ITEM_TEXT && due.text)
                    preview_text(tr, a, &due, o);
                json_array_append_new(arr, o);
            }
            free(png);
            free(why);
            n++;
        }
        t = due.slot_end;
        plan_slot_clear(&due);
    }
    char *doc = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (doc)
        puts(doc);
    free(doc);
out:
    json_decref(arr);
    if (drawing)
        shot_end(&sh);
    text_renderer_free(tr);
    return rc;
}
