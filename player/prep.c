#include "player/prep.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "player/image.h"
#include "player/text.h"
#include "player/video.h"

struct job {
    uint64_t id;
    struct prep_item *items;
    size_t n;
};

#define PREP_DONE_MAX 8
#define PREP_QUEUE_MAX 4
#define PREP_DISPOSE_MAX 8
#define PREP_NICE 5 /* the preparation and decode threads' nice value */

struct prep {
    int w, h;
    struct text_renderer *text;
    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    struct job queue[PREP_QUEUE_MAX]; /* first in, first out */
    size_t nqueue;
    struct prep_result *done[PREP_DONE_MAX];
    size_t ndone;
    struct video *dispose[PREP_DISPOSE_MAX]; /* stopped, to be freed here */
    size_t ndispose;
    char *load_path;             /* a playlist to read, before any job */
    bool loaded;                 /* an answer is waiting: */
    struct pl_playlist *load_pl; /* the playlist, or NULL and */
    char *load_err;              /* why not */
    int wake_fd;                 /* eventfd: readable when an answer is waiting */
};

void prep_item_clear(struct prep_item *it)
{
    free(it->path);
    free(it->text);
    it->path = it->text = NULL;
}

static void job_clear(struct job *j)
{
    for (size_t i = 0; i < j->n; i++)
        prep_item_clear(&j->items[i]);
    free(j->items);
    j->items = NULL;
    j->n = 0;
}

void prep_result_free(struct prep_result *r)
{
    if (!r)
        return;
    if (r->errors)
        for (size_t i = 0; i < r->n; i++)
            free(r->errors[i]);
    free(r->errors);
    SDL_FreeSurface(r->surface);
    video_free(r->video);
    free(r);
}

SDL_Surface *prep_plain(int w, int h, uint32_t bg_rgb)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);

    if (s)
        SDL_FillRect(s, NULL, 0xff000000u | bg_rgb);
    return s;
}

static int run_one(struct prep *p, const struct prep_item *it, struct prep_result *r, char *err,
                   size_t errlen)
{
    switch (it->type) {
    case PL_ITEM_TEXT:
        if (!p->text) {
            snprintf(err, errlen, "no font: text cannot be drawn");
            return -1;
        }
        r->surface =
            text_render(p->text, it->text ? it->text : "", it->fg, it->bg, p->w, p->h, err, errlen);
        return r->surface ? 0 : -1;
    case PL_ITEM_IMAGE:
        r->surface = image_load_fit(it->path, p->w, p->h, it->bg, err, errlen);
        return r->surface ? 0 : -1;
    case PL_ITEM_VIDEO:
        r->video = video_open_held(it->path, true, err, errlen);
        return r->video ? 0 : -1;
    }
    snprintf(err, errlen, "unknown item type %d", (int)it->type);
    return -1;
}

static struct prep_result *run_job(struct prep *p, uint64_t id, const struct prep_item *items,
                                   size_t n)
{
    struct prep_result *r = calloc(1, sizeof(*r));
    char err[1024];

    if (!r)
        return NULL;
    r->id = id;
    r->n = n;
    r->chosen = n;
    r->errors = calloc(n ? n : 1, sizeof(char *));
    if (!r->errors) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        err[0] = '\0';
        if (run_one(p, &items[i], r, err, sizeof(err)) == 0) {
            r->chosen = i;
            break;
        }
        r->errors[i] = strdup(err[0] ? err : "cannot be prepared");
    }
    return r;
}

struct prep_result *prep_run(struct prep *p, const struct prep_item *items, size_t n)
{
    return run_job(p, 0, items, n);
}

/* Reads the playlist at PATH (freed here) and leaves the answer for
 * prep_poll_playlist(), replacing one nobody took.  Called without the
 * lock. */
/* Wakes the main thread's wait (prep_wakeup_fd()). */
static void wake_main(struct prep *p)
{
    uint64_t one = 1;

    if (p->wake_fd >= 0 && write(p->wake_fd, &one, sizeof one) < 0)
        log_debug("preparation thread: cannot wake the main thread");
}

static void load_answer(struct prep *p, char *path)
{
    char err[1024] = "";
    struct pl_playlist *pl = pl_playlist_load(path, err, sizeof(err));
    char *why = pl ? NULL : strdup(err[0] ? err : "cannot be read");

    free(path);
    pthread_mutex_lock(&p->lock);
    pl_playlist_free(p->load_pl);
    free(p->load_err);
    p->load_pl = pl;
    p->load_err = why;
    p->loaded = true;
    pthread_mutex_unlock(&p->lock);
    wake_main(p);
}

static void *worker(void *arg)
{
    struct prep *p = arg;

    /* Background work: below the render thread, which has a frame due every
     * 16 ms.  Linux keeps a nice value per thread and new threads inherit
     * it, so the decode threads of videos opened here are niced too. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), PREP_NICE) != 0)
        log_debug("preparation thread: cannot lower its priority");
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && !p->nqueue && !p->load_path && !p->ndispose)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stop)
            break;
        if (p->ndispose) {
            struct video *v = p->dispose[--p->ndispose];
            pthread_mutex_unlock(&p->lock);
            video_free(v);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        if (p->load_path) {
            char *path = p->load_path;
            p->load_path = NULL;
            pthread_mutex_unlock(&p->lock);
            load_answer(p, path);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        struct job j = p->queue[0];
        memmove(&p->queue[0], &p->queue[1], (p->nqueue - 1) * sizeof(p->queue[0]));
        p->nqueue--;
        pthread_mutex_unlock(&p->lock);

        struct prep_result *r = run_job(p, j.id, j.items, j.n);
        job_clear(&j);

        pthread_mutex_lock(&p->lock);
        if (!r)
            continue; /* out of memory: the main thread asks again */
        if (p->ndone == PREP_DONE_MAX) {
            /* nobody picked these up: the oldest is surely stale */
            prep_result_free(p->done[0]);
            memmove(&p->done[0], &p->done[1], (PREP_DONE_MAX - 1) * sizeof(p->done[0]));
            p->ndone--;
        }
        p->done[p->ndone++] = r;
        wake_main(p);
    }
    pthread_mutex_unlock(&p->lock);
    /* SDL keeps per-thread data (its error message) that only its own
     * threads free on exit; this one is a plain pthread. */
    SDL_TLSCleanup();
    return NULL;
}

struct prep *prep_new(int w, int h, const char *font_path, bool threaded, char *err, size_t errlen)
{
    struct prep *p = calloc(1, sizeof(*p));
    char terr[512];

    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->w = w;
    p->h = h;
    p->wake_fd = -1;
    p->text = text_renderer_new(font_path, terr, sizeof(terr));
    if (!p->text) /* not fatal: the player shows images, video and a plain slide */
        log_error("%s (text items will be skipped)", terr);
    if (pthread_mutex_init(&p->lock, NULL))
        goto out_text;
    if (pthread_cond_init(&p->wake, NULL))
        goto out_lock;
    if (threaded) {
        p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (p->wake_fd < 0 || pthread_create(&p->thread, NULL, worker, p))
            goto out_cond;
        p->threaded = true;
    }
    return p;

out_cond:
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    pthread_cond_destroy(&p->wake);
out_lock:
    pthread_mutex_destroy(&p->lock);
out_text:
    text_renderer_free(p->text);
    free(p);
    snprintf(err, errlen, "cannot start the preparation thread");
    return NULL;
}

void prep_free(struct prep *p)
{
    if (!p)
        return;
    if (p->threaded) {
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    for (size_t i = 0; i < p->nqueue; i++)
        job_clear(&p->queue[i]);
    for (size_t i = 0; i < p->ndone; i++)
        prep_result_free(p->done[i]);
    for (size_t i = 0; i < p->ndispose; i++)
        video_free(p->dispose[i]);
    free(p->load_path);
    pl_playlist_free(p->load_pl);
    free(p->load_err);
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    text_renderer_free(p->text);
    free(p);
}

int prep_wakeup_fd(const struct prep *p)
{
    return p->wake_fd;
}

int prep_submit(struct prep *p, uint64_t id, const struct prep_item *items, size_t n)
{
    struct job j = {id, calloc(n ? n : 1, sizeof(struct prep_item)), n};
    bool oom = false;

    if (!j.items)
        return -1;
    for (size_t i = 0; i < n; i++) {
        j.items[i].type = items[i].type;
        j.items[i].fg = items[i].fg;
        j.items[i].bg = items[i].bg;
        j.items[i].path = sb_strdup(items[i].path, &oom);
        j.items[i].text = sb_strdup(items[i].text, &oom);
    }
    if (oom) {
        job_clear(&j);
        return -1;
    }
    pthread_mutex_lock(&p->lock);
    if (p->nqueue == PREP_QUEUE_MAX) {
        /* the oldest waiting job is surely stale by now */
        job_clear(&p->queue[0]);
        memmove(&p->queue[0], &p->queue[1], (p->nqueue - 1) * sizeof(p->queue[0]));
        p->nqueue--;
    }
    p->queue[p->nqueue++] = j;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

struct prep_result *prep_poll(struct prep *p)
{
    struct prep_result *r = NULL;
    uint64_t n;

    if (p->wake_fd >= 0 && read(p->wake_fd, &n, sizeof n) < 0)
        n = 0; /* nothing was waiting (EAGAIN) */

    pthread_mutex_lock(&p->lock);
    if (p->ndone) {
        r = p->done[0];
        memmove(&p->done[0], &p->done[1], (p->ndone - 1) * sizeof(p->done[0]));
        p->ndone--;
    }
    pthread_mutex_unlock(&p->lock);
    return r;
}

bool prep_cancel(struct prep *p, uint64_t id)
{
    bool found = false;

    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->nqueue && !found; i++) {
        if (p->queue[i].id != id)
            continue;
        job_clear(&p->queue[i]);
        memmove(&p->queue[i], &p->queue[i + 1], (p->nqueue - i - 1) * sizeof(p->queue[0]));
        p->nqueue--;
        found = true;
    }
    pthread_mutex_unlock(&p->lock);
    return found;
}

int prep_load_playlist(struct prep *p, const char *path)
{
    char *d = strdup(path);

    if (!d)
        return -1;
    if (!p->threaded) {
        load_answer(p, d);
        return 0;
    }
    pthread_mutex_lock(&p->lock);
    free(p->load_path);
    p->load_path = d;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int prep_poll_playlist(struct prep *p, struct pl_playlist **pl, char *err, size_t errlen)
{
    int rc = 0;

    *pl = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->loaded) {
        *pl = p->load_pl;
        if (!*pl)
            snprintf(err, errlen, "%s", p->load_err ? p->load_err : "out of memory");
        free(p->load_err);
        p->load_pl = NULL;
        p->load_err = NULL;
        p->loaded = false;
        rc = 1;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void prep_dispose_video(struct prep *p, struct video *v)
{
    if (!v)
        return;
    video_stop(v);
    if (p && p->threaded) {
        pthread_mutex_lock(&p->lock);
        if (p->ndispose < PREP_DISPOSE_MAX) {
            p->dispose[p->ndispose++] = v;
            v = NULL;
            pthread_cond_signal(&p->wake);
        }
        pthread_mutex_unlock(&p->lock);
    }
    video_free(v); /* no thread, or too many waiting: here */
}
