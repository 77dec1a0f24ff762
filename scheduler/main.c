/* signage-scheduler: watches STATE/spool, validates campaign files, and
 * publishes one playlist per screen (SPEC §2-§6, §9).
 *
 * One event loop (epoll) over inotify (spool/ and campaigns/), a signalfd
 * (SIGHUP reload, SIGTERM/SIGINT stop) and a timerfd set to the soonest
 * deadline of one table of timers: the systemd watchdog, the periodic
 * rescan, a file settling or a grace running out, the daily republish, a
 * failed publish to retry.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "playlists/config.h"
#include "scheduler/derive.h"
#include "scheduler/fallback.h"
#include "scheduler/history.h"
#include "scheduler/ingest.h"
#include "scheduler/publish.h"
#include "scheduler/retention.h"
#include "scheduler/state.h"

#define RESCAN_MS (60 * PL_MS_PER_SEC)
#define RETRY_MS (10 * PL_MS_PER_SEC)
#define ONCE_WAIT_MS (30 * PL_MS_PER_SEC)
#define MAX_SUBDIR_WATCHES 256
#define MAX_FRESH 256

struct sched {
    const char *cfg_path;
    struct pl_config *cfg;
    struct sched_state *st;
    struct sched_set *set;
    struct sched_ingest *ig;
    struct sched_publisher *pub;
    struct pclock *clock; /* the real time, or --now advancing with the monotonic clock */
    /* daemon */
    int ino, wd_spool, wd_camp, wd_pl, nsubwatch;
    char *fresh[MAX_FRESH];
    size_t nfresh;
    bool need_pass, need_reload_set, need_publish, need_prune, publish_failed, stop, reload;
    bool watchdog;     /* systemd expects pings */
    pl_ms derive_ping; /* the last ping sent while a conversion ran */
    /* the timers' memory (monotonic ms, but DAY: a local day's start) */
    pl_ms watchdog_ms, last_ping, last_rescan, last_publish, day;
    /* what `systemctl status` shows (STATUS=) */
    size_t pending, accepted_total, rejected_total;
    char published[160];
};

/* STATUS= for `systemctl status`: the campaigns, the spool, the last
 * publish. */
static void notify_status(const struct sched *s)
{
    sd_notifyf(0,
               "STATUS=%zu campaigns; %zu file%s waiting in the spool; %zu accepted, %zu "
               "rejected since start; %s",
               s->set->n, s->pending, s->pending == 1 ? "" : "s", s->accepted_total,
               s->rejected_total, s->published[0] ? s->published : "not published yet");
}

/* While a medium is converted (scheduler/derive.h), which can take up to
 * convert_timeout: the watchdog is fed, and a SIGTERM or SIGINT waiting in
 * the signalfd stops the conversion (the campaign is tried again at the
 * next start). */
static bool derive_wait(void *opaque)
{
    struct sched *s = opaque;
    pl_ms now = pclock_mono_ms();
    sigset_t pend;

    if (s->watchdog && now - s->derive_ping >= 1000) {
        sd_notify(0, "WATCHDOG=1");
        s->derive_ping = now;
    }
    return sigpending(&pend) == 0 && (sigismember(&pend, SIGTERM) || sigismember(&pend, SIGINT));
}

/* The scheduler's "now": the real time, or --now advancing with the
 * monotonic clock. */
static pl_ms sched_now(const struct sched *s)
{
    return pclock_now(s->clock);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: signage-scheduler [-c CFG] [--once] [--now TIME] [-v] [--version]\n"
               "  -c CFG      signage.cfg (else $SIGNAGE_CONFIG, ./signage.cfg,\n"
               "              /etc/signage/signage.cfg)\n"
               "  --once      ingest the spool, publish the playlists, exit\n"
               "  --now TIME  take TIME (ISO 8601) as the current time\n"
               "  -v          log debug lines too\n");
}

static int do_pass(struct sched *s, pl_ms settle)
{
    struct sched_ingest_stats is;
    char err[512];
    int n;

    if (sched_state_lock(s->st, err, sizeof err) < 0) {
        log_error("%s", err);
        return -1;
    }
    n = sched_ingest_pass(s->ig, s->cfg, s->set, sched_now(s), settle,
                          (const char *const *)s->fresh, s->nfresh, &is);
    sched_state_unlock(s->st);
    for (size_t i = 0; i < s->nfresh; i++)
        free(s->fresh[i]);
    s->nfresh = 0;
    if (n > 0)
        s->need_publish = true;
    s->pending = is.pending;
    s->accepted_total += is.accepted;
    s->rejected_total += is.rejected;
    notify_status(s);
    if (is.accepted || is.rejected || is.pending)
        log_debug("spool pass: %zu accepted, %zu rejected, %zu pending, %zu deferred", is.accepted,
                  is.rejected, is.pending, is.deferred);
    return n < 0 ? -1 : 0;
}

static int do_publish(struct sched *s)
{
    struct sched_publish_stats ps;
    char err[512];
    pl_ms t0 = pclock_mono_ms();
    int r;

    if (sched_state_lock(s->st, err, sizeof err) < 0) {
        log_error("%s", err);
        s->publish_failed = true;
        return -1;
    }
    r = sched_publish(s->pub, s->st, s->cfg, s->set, sched_now(s), &ps);
    sched_state_unlock(s->st);
    s->need_publish = false;
    s->publish_failed = r < 0;
    log_info("published: %zu campaigns, %zu screens (%zu written, %zu unchanged, %zu failed), "
             "%zu subsets, %lld ms",
             s->set->n, ps.screens, ps.written, ps.unchanged, ps.failed, ps.subsets,
             (long long)(pclock_mono_ms() - t0));
    char when[PL_TIME_BUFSZ];
    if (pl_time_format_s(sched_now(s), s->cfg->tz, when, sizeof when) < 0)
        snprintf(when, sizeof when, "?");
    snprintf(s->published, sizeof s->published, "published %s: %zu screens, %zu written%s", when,
             ps.screens, ps.written, r < 0 || ps.failed ? ", SOME FAILED (see the log)" : "");
    notify_status(s);
    return r;
}

/* Retention (retention.h): once a day, and on every --once run. */
static void do_prune(struct sched *s)
{
    struct sched_prune_stats ps;
    char err[512];

    s->need_prune = false;
    if (sched_state_lock(s->st, err, sizeof err) < 0) {
        log_error("%s", err);
        return;
    }
    if (sched_prune(s->st, s->cfg, s->set, sched_now(s), &ps) < 0)
        log_warn("retention: some files could not be looked at or removed (see above)");
    sched_state_unlock(s->st);
    if (ps.logs || ps.rejected || ps.spool || ps.media)
        log_info("retention: removed %zu proof-of-play files, %zu rejected files, %zu media "
                 "(%.1f MB in all); moved %zu unused spool files to rejected/",
                 ps.logs, ps.rejected, ps.media, (double)ps.bytes / 1e6, ps.spool);
    if (ps.media_waiting)
        log_debug("retention: %zu media used by nothing, removed after media_grace_days",
                  ps.media_waiting);
}

static int load_set(struct sched *s)
{
    int bad = sched_set_load(s->set, s->st, s->cfg->tz);

    if (bad < 0)
        return -1;
    log_info("%s: %zu accepted campaigns%s", s->st->campaigns, s->set->n,
             bad ? " (some unreadable, see above)" : "");
    return 0;
}

/* Stores the fallback's media, and records for signagectl what was made
 * of each item (fallback.h). */
static int prepare_fallback(struct sched *s)
{
    struct pl_campaign *fb = s->cfg->fallback;
    uint64_t raw = sched_fallback_digest(fb);
    long *from = calloc(fb && fb->nitems ? fb->nitems : 1, sizeof *from);
    char err[1024];
    int r;

    if (sched_state_lock(s->st, err, sizeof err) < 0) {
        log_error("%s", err);
        free(from);
        return -1;
    }
    r = sched_ingest_fallback(s->st, s->cfg, from);
    if (from && s->cfg->fallback && s->cfg->fallback->nitems &&
        sched_fallback_save(s->st, s->cfg->fallback, from, raw, err, sizeof err) < 0)
        log_warn("%s; signagectl withdraw and restore leave the playlists to the scheduler", err);
    sched_state_unlock(s->st);
    free(from);
    return r;
}

/* --once: passes until no file is left settling (each waited for at most
 * ONCE_WAIT_MS in all); a file still open for writing then stays in the
 * spool for the next run. */
static int run_once(struct sched *s)
{
    pl_ms start = pclock_mono_ms();
    bool waited = false;

    for (;;) {
        pl_ms now, due, wait;
        if (do_pass(s, s->cfg->settle_ms) < 0)
            return -1;
        now = sched_now(s);
        due = sched_ingest_settle_deadline(s->ig, now);
        /* signagectl may have changed campaigns/ while we waited. */
        if (due == PL_MS_MAX)
            return waited ? load_set(s) : 0;
        wait = due > now ? due - now : 0;
        if (pclock_mono_ms() + wait > start + ONCE_WAIT_MS) {
            log_info("some files in the spool are still being written; they are left for the "
                     "next run");
            return waited ? load_set(s) : 0;
        }
        waited = true;
        if (wait > 0) {
            struct timespec ts = {.tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
    }
}

/* What a crash left: half-done moves and temporary files first; the
 * histories once the campaigns are loaded (SET NULL: not yet), reading no
 * campaign twice.  Returns how many campaigns' histories were mended. */
static int repair(struct sched *s, const struct sched_set *set)
{
    char err[512];
    int n = 0;

    if (sched_state_lock(s->st, err, sizeof err) < 0) {
        log_error("%s", err);
        return 0;
    }
    if (!set)
        sched_state_repair(s->st);
    else
        n = sched_history_repair(s->st, s->cfg->tz, set);
    sched_state_unlock(s->st);
    return n;
}

/* --- the daemon --------------------------------------------------------- */

static void watch_subdirs(struct sched *s, const char *dir, int depth)
{
    DIR *d;
    struct dirent *de;

    if (depth > 3 || s->nsubwatch >= MAX_SUBDIR_WATCHES || !(d = opendir(dir)))
        return;
    while ((de = readdir(d)) && s->nsubwatch < MAX_SUBDIR_WATCHES) {
        char path[PATH_MAX];
        struct stat sb;
        if (de->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
            continue;
        if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
            continue;
        if (inotify_add_watch(s->ino, path,
                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR |
                                  IN_DONT_FOLLOW) >= 0)
            s->nsubwatch++;
        watch_subdirs(s, path, depth + 1);
    }
    closedir(d);
}

/* A box fed by a central server (a sync group) has no use for a scheduler:
 * its playlists would replace the central ones.  Says so. */
static void say_not_needed(const char *cfg_path)
{
    log_info("%s has a sync group: this box's playlists come from the central server through "
             "signage-sync, so the scheduler does not run here (remove the sync group to "
             "schedule on this box)",
             cfg_path);
    sd_notify(0, "STATUS=not needed: this box pulls from a central server (sync group)");
}

/* Whether signage.cfg now has a sync group (a running scheduler sees a
 * playlist written by someone else: signage-sync, set up after it started). */
static bool now_pulls(const struct sched *s)
{
    char err[4096];
    struct pl_config *cfg = pl_config_load(s->cfg_path, err, sizeof err);
    bool pulls = cfg && cfg->pulls;

    pl_config_free(cfg);
    return pulls;
}

static void add_fresh(struct sched *s, const char *name)
{
    for (size_t i = 0; i < s->nfresh; i++)
        if (strcmp(s->fresh[i], name) == 0)
            return;
    if (s->nfresh < MAX_FRESH && (s->fresh[s->nfresh] = strdup(name)))
        s->nfresh++;
}

static void on_inotify(struct sched *s)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

    for (;;) {
        ssize_t n = read(s->ino, buf, sizeof buf);
        if (n <= 0)
            return;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            const char *name = ev->len ? ev->name : "";
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                log_warn("inotify queue overflow; rescanning");
                s->need_pass = s->need_reload_set = true;
                sched_publisher_verify(s->pub);
                continue;
            }
            if (ev->wd == s->wd_pl) {
                if (sched_publisher_touched(s->pub, s->st, name)) {
                    if (now_pulls(s)) {
                        log_info("playlists/%s: written by signage-sync", name);
                        say_not_needed(s->cfg_path);
                        s->stop = true;
                        return;
                    }
                    log_info("playlists/%s: changed by someone else; republishing", name);
                    s->need_publish = true;
                }
                continue;
            }
            if (ev->wd == s->wd_camp) {
                int r = sched_set_refresh(s->set, s->st, s->cfg->tz, name);
                if (r > 0) {
                    log_info("campaigns/%s: %s", name,
                             ev->mask & (IN_DELETE | IN_MOVED_FROM) ? "removed" : "changed");
                    s->need_publish = true;
                }
                continue;
            }
            if (ev->wd == s->wd_spool && (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) &&
                !(ev->mask & IN_ISDIR))
                add_fresh(s, name);
            if ((ev->mask & IN_CREATE) && (ev->mask & IN_ISDIR)) {
                s->nsubwatch = 0;
                watch_subdirs(s, s->st->spool, 0);
            }
            log_debug("spool event on %s", name);
            s->need_pass = true;
        }
    }
}

/* Where the screens list is in signage.cfg, for `signagectl at`. */
static void save_place(const struct pl_config *cfg)
{
    char err[1024];

    if (pl_config_save_place(cfg, err, sizeof err) < 0)
        log_warn("%s; `signagectl at` will read all of %s", err, cfg->path);
}

static void reload_config(struct sched *s)
{
    char err[4096];
    struct pl_config *cfg = pl_config_load(s->cfg_path, err, sizeof err);

    if (!cfg) {
        log_error("SIGHUP: %s; keeping the previous configuration", err);
        return;
    }
    if (cfg->pulls) {
        say_not_needed(s->cfg_path);
        pl_config_free(cfg);
        s->stop = true;
        return;
    }
    if (strcmp(cfg->state, s->cfg->state) != 0)
        log_warn("%s: state moved to %s; restart the scheduler to use it, keeping %s", s->cfg_path,
                 cfg->state, s->st->root);
    free(cfg->state);
    cfg->state = strdup(s->st->root);
    pl_config_free(s->cfg);
    s->cfg = cfg;
    log_info("%s: reloaded (%zu screens)", s->cfg_path, cfg->nscreens);
    save_place(cfg);
    prepare_fallback(s);
    sched_publisher_forget(s->pub);
    s->need_reload_set = s->need_pass = s->need_publish = true;
}

static void on_signal(struct sched *s, int sfd)
{
    struct signalfd_siginfo si;

    while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            log_info("SIGHUP: reloading %s", s->cfg_path);
            s->reload = true;
        } else {
            log_info("%s: stopping", strsignal((int)si.ssi_signo));
            s->stop = true;
        }
    }
}

/* --- the timers (redis ae.c) ---------------------------------------------
 *
 * Each timer says when it is next due (monotonic ms; PL_MS_MAX: not armed)
 * and what to do then.  The loop's deadline is the minimum over the table;
 * after each wake "now" is read once and every timer that is due fires.
 * Firing only records what is needed (a pass, a publish); the loop then
 * does it once, however many timers asked. */

/* "now", read once per turn of the loop. */
struct now {
    pl_ms mono; /* the monotonic clock */
    pl_ms wall; /* the scheduler's time (real, or --now going on) */
};

static struct now now_of(const struct sched *s)
{
    struct now n = {pclock_mono_ms(), sched_now(s)};
    return n;
}

/* The monotonic time at which the scheduler's time reaches T. */
static pl_ms mono_at(const struct now *n, pl_ms t)
{
    return t == PL_MS_MAX ? PL_MS_MAX : n->mono + (t - n->wall);
}

static pl_ms watchdog_due(const struct sched *s, const struct now *n)
{
    (void)n;
    return s->watchdog_ms ? s->last_ping + s->watchdog_ms : PL_MS_MAX;
}

static void watchdog_fire(struct sched *s, const struct now *n)
{
    sd_notify(0, "WATCHDOG=1");
    s->last_ping = n->mono;
}

/* A full look at the spool now and then: inotify can overflow, and a
 * directory made inside the spool is watched only from its first rescan. */
static pl_ms rescan_due(const struct sched *s, const struct now *n)
{
    (void)n;
    return s->last_rescan + RESCAN_MS;
}

static void rescan_fire(struct sched *s, const struct now *n)
{
    s->need_pass = true;
    s->last_rescan = n->mono;
    s->nsubwatch = 0;
    watch_subdirs(s, s->st->spool, 0);
}

/* A file in the spool settling, or a grace period running out. */
static pl_ms ingest_due(const struct sched *s, const struct now *n)
{
    return mono_at(n, sched_ingest_next_deadline(s->ig, s->cfg, n->wall));
}

static void ingest_fire(struct sched *s, const struct now *n)
{
    (void)n;
    s->need_pass = true;
}

/* Daily: just after the next local midnight, so that the covered range
 * moves (and at once when the clock jumped to another day); at least once
 * a day in any case. */
static pl_ms daily_due(const struct sched *s, const struct now *n)
{
    pl_ms start = pl_tz_day_start(s->cfg->tz, n->wall);
    pl_ms next = mono_at(n, start + PL_MS_PER_DAY + 5 * PL_MS_PER_SEC);

    if (start != s->day)
        return n->mono;
    return next < s->last_publish + PL_MS_PER_DAY ? next : s->last_publish + PL_MS_PER_DAY;
}

static void daily_fire(struct sched *s, const struct now *n)
{
    s->day = pl_tz_day_start(s->cfg->tz, n->wall);
    s->need_publish = true;
    s->need_prune = true;
}

/* A publish that failed (disk full, say) is tried again. */
static pl_ms retry_due(const struct sched *s, const struct now *n)
{
    (void)n;
    return s->publish_failed ? s->last_publish + RETRY_MS : PL_MS_MAX;
}

static void retry_fire(struct sched *s, const struct now *n)
{
    (void)n;
    s->need_publish = true;
}

static const struct timer {
    const char *name;
    pl_ms (*due)(const struct sched *s, const struct now *n);
    void (*fire)(struct sched *s, const struct now *n);
} timers[] = {
    {"watchdog", watchdog_due, watchdog_fire}, {"rescan", rescan_due, rescan_fire},
    {"ingest", ingest_due, ingest_fire},       {"daily", daily_due, daily_fire},
    {"retry", retry_due, retry_fire},
};

/* The soonest deadline of the table, never in the past. */
static pl_ms next_deadline(const struct sched *s, const struct now *n)
{
    pl_ms next = PL_MS_MAX;

    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
        pl_ms t = timers[i].due(s, n);
        if (t < next)
            next = t;
    }
    return next > n->mono ? next : n->mono + 1;
}

static void fire_due(struct sched *s, const struct now *n)
{
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++)
        if (timers[i].due(s, n) <= n->mono) {
            log_debug("timer %s", timers[i].name);
            timers[i].fire(s, n);
        }
}

static int arm(int tfd, pl_ms at_mono)
{
    struct itimerspec its = {0};

    its.it_value.tv_sec = at_mono / 1000;
    its.it_value.tv_nsec = (at_mono % 1000) * 1000000;
    return timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int run_daemon(struct sched *s)
{
    int ep = -1, sfd = -1, tfd = -1, ret = 1;
    uint64_t wd_usec = 0;
    struct epoll_event ev;
    sigset_t mask;

    sigemptyset(&mask);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    s->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || tfd < 0 || s->ino < 0 || ep < 0) {
        log_error("cannot set up the event loop: %s", strerror(errno));
        goto out_close;
    }
    s->wd_spool = inotify_add_watch(s->ino, s->st->spool,
                                    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR);
    s->wd_camp =
        inotify_add_watch(s->ino, s->st->campaigns,
                          IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
    s->wd_pl = inotify_add_watch(s->ino, s->st->playlists,
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                     IN_ATTRIB | IN_ONLYDIR);
    if (s->wd_spool < 0 || s->wd_camp < 0 || s->wd_pl < 0) {
        log_error("%s: cannot watch: %s", s->st->root, strerror(errno));
        goto out_close;
    }
    watch_subdirs(s, s->st->spool, 0);
    s->last_ping = pclock_mono_ms();
    if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
        s->watchdog_ms = (pl_ms)(wd_usec / 2000) > 0 ? (pl_ms)(wd_usec / 2000) : 1;
        s->watchdog = true;
    }
    sched_derive_set_waiter(derive_wait, s);
    ev.events = EPOLLIN;
    ev.data.fd = s->ino;
    epoll_ctl(ep, EPOLL_CTL_ADD, s->ino, &ev);
    ev.data.fd = sfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

    /* Start: whatever was dropped while we were down, then publish. */
    do_pass(s, s->cfg->settle_ms);
    do_publish(s);
    do_prune(s);
    s->last_rescan = s->last_publish = pclock_mono_ms();
    s->day = pl_tz_day_start(s->cfg->tz, sched_now(s));
    sd_notify(0, "READY=1");
    log_info("watching %s", s->st->spool);

    while (!s->stop) {
        struct epoll_event evs[4];
        struct now n = now_of(s);

        if (arm(tfd, next_deadline(s, &n)) < 0) {
            log_error("timerfd: %s", strerror(errno));
            goto out_close;
        }
        int ne = epoll_wait(ep, evs, 4, -1);
        if (ne < 0 && errno != EINTR) {
            log_error("epoll_wait: %s", strerror(errno));
            goto out_close;
        }
        for (int i = 0; i < ne; i++) {
            if (evs[i].data.fd == s->ino) {
                on_inotify(s);
            } else if (evs[i].data.fd == sfd) {
                on_signal(s, sfd);
            } else {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN)
                    log_debug("timerfd read: %s", strerror(errno));
            }
        }
        if (s->stop)
            break;
        if (s->reload) {
            s->reload = false;
            sd_notify(0, "RELOADING=1");
            reload_config(s);
            if (s->stop)
                break;
        }
        n = now_of(s);
        fire_due(s, &n);
        if (s->need_reload_set) {
            s->need_reload_set = false;
            if (load_set(s) == 0)
                s->need_publish = true;
        }
        if (s->need_pass) {
            s->need_pass = false;
            do_pass(s, s->cfg->settle_ms);
        }
        if (s->need_publish) {
            do_publish(s);
            s->last_publish = pclock_mono_ms();
            if (!s->publish_failed)
                sd_notify(0, "READY=1");
        }
        /* also after a failed publish: a full disk is when it helps */
        if (s->need_prune)
            do_prune(s);
    }
    sd_notify(0, "STOPPING=1");
    ret = 0;
out_close:
    sched_derive_set_waiter(NULL, NULL);
    for (size_t i = 0; i < s->nfresh; i++)
        free(s->fresh[i]);
    s->nfresh = 0;
    if (ep >= 0)
        close(ep);
    if (s->ino >= 0)
        close(s->ino);
    if (tfd >= 0)
        close(tfd);
    if (sfd >= 0)
        close(sfd);
    return ret;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"once", no_argument, NULL, 'o'},
        {"now", required_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct sched s = {0};
    const char *opt_cfg = NULL, *opt_now = NULL;
    bool once = false, verbose = false;
    char err[4096];
    int c, ret = 1;

    s.ino = -1;
    while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            opt_cfg = optarg;
            break;
        case 'o':
            once = true;
            break;
        case 'n':
            opt_now = optarg;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("signage-scheduler %s\n", SIGNAGE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "signage-scheduler: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    log_init(argv[0], verbose ? LOGLVL_DEBUG : LOGLVL_INFO);
    s.cfg_path = pl_config_locate(opt_cfg);
    s.cfg = pl_config_load(s.cfg_path, err, sizeof err);
    if (!s.cfg) {
        log_error("%s", err);
        return 1;
    }
    if (s.cfg->pulls) {
        /* Two writers of playlists/ would undo each other every poll. */
        sd_notify(0, "READY=1");
        say_not_needed(s.cfg_path);
        pl_config_free(s.cfg);
        return 0;
    }
    if (opt_now) {
        pl_ms at;
        if (pl_time_parse(opt_now, s.cfg->tz, PL_TIME_START, &at, err, sizeof err) < 0) {
            log_error("--now %s: %s", opt_now, err);
            ret = 2;
            goto out_cfg;
        }
        s.clock = pclock_new_sim(at, 1.0);
    } else {
        s.clock = pclock_new_real();
    }
    if (!s.clock) {
        log_error("out of memory");
        goto out_cfg;
    }
    s.st = sched_state_open(s.cfg->state, err, sizeof err);
    s.set = sched_set_new();
    s.pub = sched_publisher_new();
    if (!s.st || !s.set || !s.pub || !(s.ig = sched_ingest_new(s.st))) {
        log_error("%s", s.st ? "out of memory" : err);
        goto out_free;
    }
    /* A lease probe (ingest.c) may see a writer open a spool file. */
    signal(SIGIO, SIG_IGN);
    repair(&s, NULL);
    save_place(s.cfg);
    prepare_fallback(&s);
    if (load_set(&s) < 0 || (repair(&s, s.set) > 0 && load_set(&s) < 0))
        goto out_free;
    if (once) {
        if (run_once(&s) < 0)
            goto out_free;
        ret = do_publish(&s) < 0 ? 1 : 0;
        if (ret == 0)
            do_prune(&s);
    } else {
        ret = run_daemon(&s);
    }
out_free:
    sched_ingest_free(s.ig);
    sched_publisher_free(s.pub);
    sched_set_free(s.set);
    sched_state_free(s.st);
out_cfg:
    pclock_free(s.clock);
    pl_config_free(s.cfg);
    return ret;
}
