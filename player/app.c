/* app.c - the player: setup, the loop, signals and the service manager.
 *
 * Each turn of the loop reads the clock once, takes what the preparation
 * thread finished, lets the plan decide (player/plan.c: what is due, what
 * to prepare, when to switch, what is billed), carries its actions out
 * (player/playout.c) and presents a frame when the picture changed
 * (player/render.c).  Pictures of one moment are player/screenshot.c.
 */
#include "player/app.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <systemd/sd-daemon.h>

#include "common/atomic.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "media/avglue.h"
#include "media/fonts.h"
#include "player/broken.h"
#include "player/plan.h"
#include "player/playout.h"
#include "player/poplog.h"
#include "player/prep.h"
#include "player/render.h"
#include "player/screenshot.h"
#include "player/video.h"
#include "playlists/config.h"
#include "playlists/plfile.h"

#define APP_DEFAULT_W 1920
#define APP_DEFAULT_H 1080
#define APP_CHECK_MS 1000           /* playlist file looked at this often (real time) */
#define APP_EVENTS_MS 250           /* window events (expose, Esc) looked at this often */
#define APP_FRAME_NS 16666667       /* the frame cap without vsync */
#define APP_FIRST_WAIT_MS 3000      /* startup: how long the first item may take */
#define APP_STARTUP_POLL_NS 5000000 /* startup: the first item looked for this often */

struct app {
    const struct player_opts *o;
    uint64_t status_key; /* what STATUS= last said was on screen */
    struct pl_config *cfg;
    char *state;
    char *playlist_path;
    char *screen_id;
    int w, h, rotate;
    pl_tz *tz;
    struct pclock *clock;
    struct planner *plan;
    struct poplog *poplog;
    struct prep *prep;
    struct render *render;
    struct playout *po;
    FILE *frame_log;

    struct stat seen; /* the playlist file last looked at */
    bool seen_valid;
    bool load_force; /* the read asked for was a SIGHUP's */
    bool missing_logged;
    int64_t next_check_ms;

    SDL_Window *win;
    bool redraw; /* the window asks to be drawn anew */

    int sfd;
    bool quit, reload;
    bool ready_sent;
    uint64_t watchdog_us;
    int64_t last_watchdog_ms;
};

/* ------------------------------------------------------------ playlists */

static bool stat_same(const struct stat *x, const struct stat *y)
{
    return x->st_dev == y->st_dev && x->st_ino == y->st_ino && x->st_size == y->st_size &&
           x->st_mtim.tv_sec == y->st_mtim.tv_sec && x->st_mtim.tv_nsec == y->st_mtim.tv_nsec;
}

/* Looks at the playlist file; a changed (or FORCEd) one is read: on the
 * preparation thread once it runs (the answer comes through
 * playlist_poll()), else here.  Problems are logged once per version of the
 * file. */
static void playlist_check(struct app *a, bool force, pl_ms t)
{
    struct stat st;
    char err[1024] = "";

    if (stat(a->playlist_path, &st) != 0) {
        if (!a->missing_logged)
            log_warn("%s: %s; %s", a->playlist_path, strerror(errno),
                     plan_playlist(a->plan) ? "keeping the last good playlist"
                                            : "showing the built-in slide");
        a->missing_logged = true;
        a->seen_valid = false;
        return;
    }
    a->missing_logged = false;
    if (!force && a->seen_valid && stat_same(&st, &a->seen))
        return;
    a->seen = st;
    a->seen_valid = true;
    a->load_force = a->load_force || force; /* until an answer takes it */
    if (a->prep) {
        if (prep_load_playlist(a->prep, a->playlist_path) == 0)
            return;
        a->seen_valid = false; /* out of memory: ask again next time */
        return;
    }
    struct pl_playlist *pl = pl_playlist_load(a->playlist_path, err, sizeof(err));
    plan_offer_playlist(a->plan, pl, err, a->load_force, t);
    a->load_force = false;
}

/* Takes the preparation thread's answer, if one came, at playlist time T. */
static void playlist_poll(struct app *a, pl_ms t)
{
    struct pl_playlist *pl;
    char err[1024] = "";

    if (!a->prep || !prep_poll_playlist(a->prep, &pl, err, sizeof(err)))
        return;
    plan_offer_playlist(a->plan, pl, err, a->load_force, t);
    a->load_force = false;
}

/* ------------------------------------------------------------ setup */

/* Config, STATE, playlist path, first playlist, zone and geometry. */
static int setup_model(struct app *a)
{
    const struct player_opts *o = a->o;
    char err[1024];
    const char *cfgpath = pl_config_locate(o->config);
    bool need_cfg = o->screen || o->config;

    if (need_cfg || access(cfgpath, F_OK) == 0) {
        a->cfg = pl_config_load(cfgpath, err, sizeof(err));
        if (!a->cfg) {
            if (need_cfg) {
                log_error("%s", err);
                return -1;
            }
            log_warn("%s (ignored: --playlist does not need it)", err);
        }
    }
    video_set_hwdecode(a->cfg && a->cfg->video_vaapi ? VIDEO_HW_VAAPI : VIDEO_HW_NONE);
    const struct pl_screen *scr = NULL;
    if (o->screen) {
        scr = pl_config_screen(a->cfg, o->screen);
        if (!scr) {
            log_error("%s: error: no screen \"%s\" in the configuration; use one of its "
                      "screens' ids",
                      a->cfg->path, o->screen);
            return -1;
        }
        a->state = strdup(a->cfg->state);
        if (asprintf(&a->playlist_path, "%s/playlists/%s.playlist", a->state, o->screen) < 0)
            return -1;
    } else {
        a->playlist_path = strdup(o->playlist);
        if (a->cfg) {
            a->state = strdup(a->cfg->state);
        } else {
            /* STATE/playlists/ID.playlist: STATE is the parent of its directory */
            char *d = atomic_dir_of(o->playlist);
            if (d && asprintf(&a->state, "%s/..", d) < 0)
                a->state = NULL;
            free(d);
        }
    }
    if (!a->state || !a->playlist_path)
        return -1;
    struct plan_opts po = {
        .name = a->playlist_path,
        .clock_rate = o->clock_rate,
        .broken_retry_ms = BROKEN_RETRY_MS,
    };
    a->plan = plan_new(&po);
    if (!a->plan)
        return -1;
    playlist_check(a, true, 0);
    plan_adopt(a->plan);
    const struct pl_playlist *pl = plan_playlist(a->plan);

    const char *zone = pl && pl->timezone ? pl->timezone : a->cfg ? a->cfg->timezone : "Asia/Tokyo";
    a->tz = pl_tz_new(zone, err, sizeof(err));
    if (!a->tz) {
        log_warn("%s; using Asia/Tokyo", err);
        a->tz = pl_tz_new("Asia/Tokyo", err, sizeof(err));
        if (!a->tz) {
            log_error("%s", err);
            return -1;
        }
    }
    a->w = APP_DEFAULT_W;
    a->h = APP_DEFAULT_H;
    if (scr) {
        a->w = scr->width;
        a->h = scr->height;
        a->rotate = scr->rotate;
    } else if (pl && pl->width > 0 && pl->height > 0) {
        a->w = pl->width;
        a->h = pl->height;
        a->rotate = pl->rotate;
    }
    if (a->w <= 0 || a->h <= 0 || a->w > 16384 || a->h > 16384 || a->rotate % 90 || a->rotate < 0 ||
        a->rotate >= 360) {
        log_error("screen geometry %dx%d rotate %d is not usable", a->w, a->h, a->rotate);
        return -1;
    }
    a->screen_id = strdup(o->screen ? o->screen : pl && pl->screen ? pl->screen : "-");
    if (!a->screen_id)
        return -1;
    return 0;
}

static int setup_clock(struct app *a, const char *at)
{
    char err[512];
    pl_ms start;

    if (!at) {
        a->clock = pclock_new_real();
    } else {
        if (pl_time_parse(at, a->tz, PL_TIME_START, &start, err, sizeof(err))) {
            log_error("--clock %s: %s", at, err);
            return -1;
        }
        a->clock = pclock_new_sim(start, a->o->clock_rate);
    }
    return a->clock ? 0 : -1;
}

static void app_free(struct app *a)
{
    playout_free(a->po);
    render_free(a->render);
    prep_free(a->prep); /* before SDL goes: its results hold surfaces */
    if (a->win)
        SDL_DestroyWindow(a->win);
    if (a->frame_log)
        fclose(a->frame_log);
    poplog_free(a->poplog);
    plan_free(a->plan);
    pclock_free(a->clock);
    pl_tz_free(a->tz);
    pl_config_free(a->cfg);
    free(a->state);
    free(a->playlist_path);
    free(a->screen_id);
    if (a->sfd >= 0)
        close(a->sfd);
}

/* ------------------------------------------------------------ the loop */

static void handle_signals(struct app *a)
{
    struct signalfd_siginfo si;

    while (read(a->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            log_info("SIGHUP: reloading the playlist");
            a->reload = true;
        } else {
            log_info("%s: stopping", strsignal((int)si.ssi_signo));
            a->quit = true;
        }
    }
}

static void handle_events(struct app *a)
{
    SDL_Event ev;

    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_QUIT)
            a->quit = true;
        else if (ev.type == SDL_KEYDOWN &&
                 (ev.key.keysym.sym == SDLK_ESCAPE || ev.key.keysym.sym == SDLK_q))
            a->quit = true;
        else if (ev.type == SDL_RENDER_DEVICE_RESET)
            log_warn("the renderer was reset; textures are rebuilt as items change");
        if (ev.type == SDL_WINDOWEVENT || ev.type == SDL_RENDER_TARGETS_RESET ||
            ev.type == SDL_RENDER_DEVICE_RESET)
            a->redraw = true; /* exposed, resized, shown again: draw it anew */
    }
}

static void frame_log_line(struct app *a, pl_ms t)
{
    char iso[PL_TIME_BUFSZ];

    if (!a->frame_log || pl_time_format(t, a->tz, iso, sizeof(iso)) < 0)
        return;
    const struct content *c = render_on_screen(a->render);
    fprintf(a->frame_log, "%lld %s %s %d\n", (long long)pclock_mono_ms(), iso,
            c->valid ? c->info.campaign : "-", c->valid ? c->info.item : 0);
}

/* READY=1 after the first frame; WATCHDOG=1 from the loop, at least every
 * half watchdog period (the loop wakes for it).  A present that hangs (a
 * stuck GPU) stops the loop, and with it the pings. */
static void notify(struct app *a)
{
    int64_t now = pclock_mono_ms();

    if (!a->ready_sent) {
        sd_notify(0, "READY=1");
        a->ready_sent = true;
    }
    if (a->watchdog_us && now - a->last_watchdog_ms >= (int64_t)(a->watchdog_us / 2000)) {
        sd_notify(0, "WATCHDOG=1");
        a->last_watchdog_ms = now;
    }
    /* STATUS= for `systemctl status`: what is on screen, from which
     * playlist generation; said again only when it changes */
    const struct content *c = render_on_screen(a->render);
    const char *camp = c->valid && !c->info.builtin && c->info.campaign ? c->info.campaign : "-";
    uint64_t key = hash64_mix(hash64(camp, strlen(camp), (uint64_t)c->info.item),
                              (uint64_t)c->info.generation);
    if (key != a->status_key) {
        a->status_key = key;
        if (strcmp(camp, "-") == 0)
            sd_notifyf(0, "STATUS=on screen: the fallback; playlist generation %lld",
                       (long long)c->info.generation);
        else
            sd_notifyf(0, "STATUS=on screen: %s item %d; playlist generation %lld", camp,
                       c->info.item, (long long)c->info.generation);
    }
}

/* The watchdog period systemd asks for, in microseconds (0: none).  In the
 * kiosk unit the service's main process is the compositor (cage) that runs
 * the player, so WATCHDOG_PID names our parent and sd_watchdog_enabled()
 * says no; the pings are still ours to send, since only the render loop
 * knows that frames go out (the unit's NotifyAccess=all takes them). */
static uint64_t watchdog_usec(void)
{
    uint64_t us = 0;
    const char *pid = getenv("WATCHDOG_PID"), *usec = getenv("WATCHDOG_USEC");
    char *end;

    if (sd_watchdog_enabled(0, &us) > 0)
        return us;
    if (!pid || !usec)
        return 0;
    errno = 0;
    long long ppid = strtoll(pid, &end, 10);
    if (errno || *end || ppid != (long long)getppid())
        return 0;
    unsigned long long u = strtoull(usec, &end, 10);
    if (errno || *end || u == 0 || u == ULLONG_MAX)
        return 0;
    log_info("pinging the watchdog of process %lld, the compositor that runs the player", ppid);
    return u;
}

/* When the loop must wake to ping the watchdog (INT64_MAX: no watchdog). */
static int64_t watchdog_due_ms(const struct app *a)
{
    return a->watchdog_us ? a->last_watchdog_ms + (int64_t)(a->watchdog_us / 2000) : INT64_MAX;
}

/* The window, its renderer, the preparation thread and the playout. */
/* The preparation thread and the first item sent to it, before the window
 * exists: opening the window and starting GL take 0.1-0.3 s, in which the
 * first picture is decoded (or the first video opened) meanwhile. */
static int setup_prep(struct app *a)
{
    char err[512];
    char *font = fonts_bundled();

    a->prep = prep_new(a->w, a->h, font, true, err, sizeof(err));
    free(font);
    if (!a->prep) {
        log_error("%s", err);
        return -1;
    }
    struct playout_opts po = {
        .plan = a->plan,
        .prep = a->prep,
        .poplog = a->poplog,
        .state = a->state,
        .screen_id = a->screen_id,
    };
    a->po = playout_new(&po);
    if (!a->po)
        return -1;
    pl_ms t = pclock_now(a->clock);
    int64_t now_ms = pclock_mono_ms();
    plan_tick(a->plan, t, now_ms);
    playout_apply(a->po, t, now_ms);
    return 0;
}

static int setup_window(struct app *a)
{
    char err[512];
    Uint32 flags = SDL_WINDOW_SHOWN;
    const char *drv = SDL_GetCurrentVideoDriver();

    /* Headless drivers: GL there is a slow software emulation; SDL's own
     * software renderer is faster and steadier. */
    if (drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0))
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    int ww = a->rotate % 180 ? a->h : a->w, wh = a->rotate % 180 ? a->w : a->h;
    int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
    SDL_DisplayMode dm;

    if (a->o->windowed) {
        while (ww > 1280 || wh > 1280) {
            ww /= 2;
            wh /= 2;
        }
        flags |= SDL_WINDOW_RESIZABLE;
    } else if (drv && strcmp(drv, "x11") == 0 && SDL_GetDesktopDisplayMode(0, &dm) == 0) {
        /* A kiosk X server has no window manager to grant fullscreen, and
         * SDL waits for one (about 0.3 s before the first frame): a
         * borderless window over the whole display is the same there, and
         * window managers take it as fullscreen. */
        flags |= SDL_WINDOW_BORDERLESS;
        ww = dm.w;
        wh = dm.h;
        x = y = 0;
    } else {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        /* Created at the output's size, not the picture's: a Wayland
         * compositor (cage) tells the window its fullscreen size only
         * after the first frames, and a first buffer of the picture's size
         * showed its top-left corner, cropped, at every start. */
        if (SDL_GetDesktopDisplayMode(0, &dm) == 0 && dm.w > 0 && dm.h > 0) {
            ww = dm.w;
            wh = dm.h;
        }
    }
    a->win = SDL_CreateWindow("signage-player", x, y, ww, wh, flags);
    if (!a->win) {
        log_error("cannot open a window: %s", SDL_GetError());
        return -1;
    }
    if (!a->o->windowed)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    SDL_Renderer *ren = SDL_CreateRenderer(a->win, -1,
                                           SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC |
                                               SDL_RENDERER_TARGETTEXTURE);
    if (!ren) {
        log_info("no accelerated renderer (%s); drawing in software", SDL_GetError());
        ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE | SDL_RENDERER_TARGETTEXTURE);
    }
    if (!ren) {
        log_error("cannot create a renderer: %s", SDL_GetError());
        return -1;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(ren, &info) == 0) {
        bool vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
        log_info("renderer %s%s, picture %dx%d rotated %d", info.name, vsync ? " with vsync" : "",
                 a->w, a->h, a->rotate);
    }
    a->render = render_new(ren, a->w, a->h, a->rotate, a->o->fade_ms, a->prep, err, sizeof(err));
    if (!a->render) {
        log_error("%s", err);
        return -1;
    }
    playout_set_render(a->po, a->render);
    plan_set_cache(a->plan, render_cached, a->render);
    return 0;
}

/* Sleeps until the monotonic time WHEN (ns), or until a signal or an
 * answer of the preparation thread arrives. */
static void wait_until(struct app *a, int64_t when)
{
    int64_t d = when - pclock_mono_ns();
    struct pollfd fds[2] = {{a->sfd, POLLIN, 0}, {prep_wakeup_fd(a->prep), POLLIN, 0}};

    if (d <= 0)
        return;
    struct timespec ts = {(time_t)(d / 1000000000), (long)(d % 1000000000)};
    if (ppoll(fds, fds[1].fd >= 0 ? 2 : 1, &ts, NULL) < 0 && errno != EINTR)
        log_debug("ppoll: %s", strerror(errno));
}

/* The monotonic time (ns) the loop next has something to do with a still
 * picture, from playlist time T and real time NOW_MS / NOW_NS. */
static int64_t next_wake_ns(const struct app *a, pl_ms t, int64_t now_ms, int64_t now_ns)
{
    int64_t wake_ms =
        a->next_check_ms < now_ms + APP_EVENTS_MS ? a->next_check_ms : now_ms + APP_EVENTS_MS;
    int64_t r = render_next_mono(a->render, now_ms);
    int64_t m = plan_next_mono(a->plan);
    int64_t w = watchdog_due_ms(a);
    pl_ms edge = plan_next_edge(a->plan);

    if (a->redraw)
        return now_ns;
    if (r < wake_ms)
        wake_ms = r;
    if (m < wake_ms)
        wake_ms = m;
    if (w < wake_ms)
        wake_ms = w;
    if (edge <= t)
        return now_ns + APP_FRAME_NS; /* overdue: what is due is not ready yet */
    if (edge < PLAN_FAR_FUTURE) {
        /* playlist ms to real ns, rounded up so the tick is not early */
        double real_ms = (double)(edge - t) / a->o->clock_rate;
        int64_t ns = (int64_t)(real_ms * 1e6) + 1;
        if (ns < (wake_ms - now_ms) * 1000000)
            return now_ns + ns;
    }
    return now_ns + (wake_ms - now_ms) * 1000000;
}

static int run_loop(struct app *a)
{
    char err[512];
    char *logdir = NULL;

    /* STATE/log/<screen>/: logs collected from many boxes never collide
     * (SPEC §2); a screen without an id writes the flat STATE/log/. */
    if ((pl_id_valid(a->screen_id) ? asprintf(&logdir, "%s/log/%s", a->state, a->screen_id)
                                   : asprintf(&logdir, "%s/log", a->state)) < 0)
        return 1;
    a->poplog = poplog_new(logdir, a->tz, err, sizeof(err));
    free(logdir);
    if (!a->poplog)
        log_error("%s; playing without proof of play", err);
    if (a->o->frame_log) {
        a->frame_log = fopen(a->o->frame_log, "a");
        if (!a->frame_log) {
            log_error("%s: cannot open the frame log: %s", a->o->frame_log, strerror(errno));
            return 1;
        }
        setvbuf(a->frame_log, NULL, _IOLBF, 0);
    }
    if (setup_prep(a) || setup_window(a))
        return 1;
    a->watchdog_us = watchdog_usec();

    int64_t start_ms = pclock_mono_ms();
    int64_t next_frame = pclock_mono_ns();
    a->next_check_ms = start_ms + APP_CHECK_MS;
    while (!a->quit) {
        handle_signals(a);
        handle_events(a);
        if (a->quit)
            break;
        pl_ms t = pclock_now(a->clock);
        int64_t now_ns = pclock_mono_ns(), now_ms = now_ns / 1000000;
        if (a->reload || now_ms >= a->next_check_ms) {
            playlist_check(a, a->reload, t);
            a->reload = false;
            a->next_check_ms = now_ms + APP_CHECK_MS;
        }
        /* the answers of the preparation thread (this clears its wakeup),
         * then a playlist it read: one that lands in between wakes the
         * next wait again */
        playout_poll(a->po, t);
        playlist_poll(a, t);
        plan_tick(a->plan, t, now_ms);
        playout_apply(a->po, t, now_ms);
        if (!plan_on_screen(a->plan)) {
            /* startup: nothing presented until the first item is ready */
            if (now_ms - start_ms > APP_FIRST_WAIT_MS) {
                log_warn("the first item is not ready after %d ms; showing the built-in slide",
                         APP_FIRST_WAIT_MS);
                plan_show_builtin(a->plan, t);
                playout_apply(a->po, t, now_ms);
            } else {
                wait_until(a, pclock_mono_ns() + APP_STARTUP_POLL_NS);
                continue;
            }
        }
        if (render_frame(a->render, t, now_ms, a->redraw)) {
            a->redraw = false;
            frame_log_line(a, t);
        }
        notify(a); /* something is on screen (see above) */
        /* Sleep until something is due.  A video (or a fade) is paced at
         * ~60 fps (vsync paces it when present blocks); a still picture
         * sleeps until its slot ends, the next-but-one is to be asked for,
         * the watchdog's ping, a look at window events, the playlist check, a signal or an answer
         * of the preparation thread. */
        int64_t t1 = pclock_mono_ns();
        next_frame += APP_FRAME_NS;
        if (next_frame < t1 - APP_FRAME_NS)
            next_frame = t1; /* fell behind: do not race to catch up */
        const struct content *c = render_on_screen(a->render);
        /* measured from when T was read, so the work of this turn does not
         * make the next switch late */
        int64_t wake = c->valid && c->video ? next_frame : next_wake_ns(a, t, now_ms, now_ns);
        wait_until(a, wake > next_frame ? wake : next_frame);
    }
    pl_ms t = pclock_now(a->clock);
    plan_stop(a->plan, t);
    playout_apply(a->po, t, pclock_mono_ms());
    sd_notify(0, "STOPPING=1");
    return 0;
}

int app_main(const struct player_opts *o)
{
    struct app a;
    sigset_t sigs;
    int rc = 1;

    memset(&a, 0, sizeof(a));
    a.o = o;
    a.sfd = -1;

    /* before any thread exists, so every thread inherits the mask */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    a.sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (a.sfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        return 1;
    }
    media_log_route(); /* FFmpeg's own lines at debug level: a broken medium is reported once */
    if (setup_model(&a))
        goto out;

    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (o->screenshot_at || o->preview) {
        if (setup_clock(&a, NULL))
            goto out;
        struct shot_ctx sc = {
            .o = o,
            .plan = a.plan,
            .tz = a.tz,
            .state = a.state,
            .screen_id = a.screen_id,
            .w = a.w,
            .h = a.h,
        };
        rc = o->preview ? preview_run(&sc) : screenshot_run(&sc);
        goto out;
    }
    if (setup_clock(&a, o->clock))
        goto out;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        log_error("cannot start SDL video: %s (no display? try SDL_VIDEODRIVER=offscreen, or "
                  "--screenshot-at)",
                  SDL_GetError());
        goto out;
    }
    rc = run_loop(&a);
    app_free(&a);
    SDL_Quit();
    return rc;
out:
    app_free(&a);
    SDL_Quit();
    return rc;
}
