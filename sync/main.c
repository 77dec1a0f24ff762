/* signage-sync: the box side of a network of boxes (SPEC §10).  Pulls the
 * box's screens' playlists and their media from the central state served
 * over HTTP(S), media first (sync/pull.h), and sends the proof-of-play logs
 * back (sync/upload.h).
 *
 * One loop: a pass (poll, and upload when due), then sleep until the next
 * one on a signalfd (SIGHUP reload, SIGTERM/SIGINT stop), waking for the
 * systemd watchdog.  Polls come every `interval` seconds +-20 %; while the
 * server is unreachable the wait doubles up to `max_backoff`, and the
 * outage is logged once, when it starts, and once when it ends.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "playlists/config.h"
#include "sync/conf.h"
#include "sync/env.h"
#include "sync/http.h"
#include "sync/prune.h"
#include "sync/pull.h"
#include "sync/upload.h"

#define PRUNE_MS (3600 * 1000LL)

struct syncd {
    const char *cfg_path;
    struct pl_config *cfg;
    struct sync_conf *conf;
    struct sync_http *http;
    int sigfd;
    int lockfd; /* STATE/.sync/lock, held while running */
    bool stop, reload, watchdog;
    int64_t watchdog_ms, last_ping; /* monotonic ms */
    uint64_t rng;                   /* the jitter's */
    int failures;                   /* passes in a row that found the server down */
    int64_t offline_since;          /* monotonic ms; 0 while reachable */
    int64_t last_upload;            /* monotonic ms; 0 = never */
    int64_t last_prune;             /* monotonic ms; 0 = never */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: signage-sync [-c CFG] [--once] [-v] [--version]\n"
               "  -c CFG      signage.cfg with a sync group (else $SIGNAGE_CONFIG,\n"
               "              ./signage.cfg, /etc/signage/signage.cfg)\n"
               "  --once      poll and upload once, exit 0 when all went well, 1 if not\n"
               "  -v          log debug lines too\n");
}

/* Reads what the signalfd holds. */
static void drain_signals(struct syncd *d)
{
    struct signalfd_siginfo si;

    while (read(d->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP)
            d->reload = true;
        else
            d->stop = true;
    }
}

static void ping(struct syncd *d)
{
    int64_t now = pclock_mono_ms();

    if (d->watchdog && now - d->last_ping >= d->watchdog_ms / 3) {
        sd_notify(0, "WATCHDOG=1");
        d->last_ping = now;
    }
}

/* http.h's TICK: during a transfer, the watchdog is fed and a SIGTERM ends it. */
static int tick(void *ctx)
{
    struct syncd *d = ctx;

    ping(d);
    drain_signals(d);
    return d->stop;
}

/* Loads the config and its sync group.  Returns 0, 1 when there is no sync
 * group, -1 (logged). */
static int load(struct syncd *d)
{
    struct pl_config *cfg;
    struct sync_conf *conf;
    struct sync_http *http;
    char err[4096], dir[4096];
    int r;

    cfg = pl_config_load(d->cfg_path, err, sizeof err);
    if (!cfg) {
        log_error("%s", err);
        return -1;
    }
    r = sync_conf_load(cfg, &conf, err, sizeof err);
    if (r != 0) {
        if (r < 0)
            log_error("%s", err);
        pl_config_free(cfg);
        return r;
    }
    static const char *const dirs[] = {".sync/up", "media", "playlists"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(dir, sizeof dir, "%s/%s", cfg->state, dirs[i]);
        if (sync_env_mkdirs(dir) < 0) {
            log_error("%s: cannot create: %s", dir, strerror(errno));
            goto out_fail;
        }
    }
    /* two of us on one state would fetch into the same .part files */
    if (d->lockfd < 0) {
        snprintf(dir, sizeof dir, "%s/.sync/lock", cfg->state);
        d->lockfd = open(dir, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (d->lockfd < 0 || flock(d->lockfd, LOCK_EX | LOCK_NB) < 0) {
            log_error("%s: %s", dir,
                      errno == EWOULDBLOCK ? "another signage-sync is running on this state"
                                           : strerror(errno));
            if (d->lockfd >= 0)
                close(d->lockfd);
            d->lockfd = -1;
            goto out_fail;
        }
    }
    http = sync_http_new(conf, tick, d);
    if (!http) {
        log_error("out of memory");
        goto out_fail;
    }
    sync_http_free(d->http);
    sync_conf_free(d->conf);
    pl_config_free(d->cfg);
    d->cfg = cfg, d->conf = conf, d->http = http;
    return 0;
out_fail:
    sync_conf_free(conf);
    pl_config_free(cfg);
    return -1;
}

/* One pass: the poll, and the upload when UPLOAD. */
static enum sync_outcome pass(struct syncd *d, bool upload)
{
    struct sync_env env = {.cfg = d->cfg, .conf = d->conf, .http = d->http};
    enum sync_outcome out;
    int64_t now = pclock_mono_ms();

    env.now_ms = pclock_wall_ms();
    out = sync_pull(&env);
    /* at most hourly, media nothing names; not only when every screen is in
     * sync, or one screen refused for good would stop it forever.  Media
     * fetched for a playlist not yet in place are kept by the grace period.
     * And proof of play past log_keep_days that the server has. */
    if (out != SYNC_OFFLINE && !d->stop && (!d->last_prune || now - d->last_prune >= PRUNE_MS)) {
        sync_prune(&env);
        sync_prune_logs(&env);
        d->last_prune = now;
    }
    if (upload && out != SYNC_OFFLINE && !d->stop) {
        out = sync_worse(out, sync_upload(&env));
        d->last_upload = now;
    }
    if (d->stop) {
        /* a transfer cut short by SIGTERM: no outage, nothing to log */
    } else if (out == SYNC_OFFLINE) {
        d->failures++;
        if (!d->offline_since) {
            d->offline_since = now;
            if (env.offline_tls)
                log_warn("central server not reached over TLS (%s): check the sync group's "
                         "url, ca, cert and key (signage-sync(8)); playing what this box has, "
                         "trying again with back-off up to %d s",
                         env.offline_why, d->conf->max_backoff_s);
            else
                log_warn("central server unreachable (%s): playing what this box has, trying "
                         "again with back-off up to %d s",
                         env.offline_why, d->conf->max_backoff_s);
        }
    } else {
        d->failures = 0;
        if (d->offline_since) {
            log_info("central server reachable again after %lld s",
                     (long long)(now - d->offline_since) / 1000);
            d->offline_since = 0;
        }
    }
    sd_notifyf(0, "STATUS=%s; %zu screen%s", d->offline_since ? "offline" : "in sync",
               d->conf->nscreens, d->conf->nscreens == 1 ? "" : "s");
    return out;
}

/* The wait before the next poll, ms: the interval, doubled per failure up
 * to max_backoff, +-20 %. */
static int64_t next_wait(struct syncd *d)
{
    int64_t base = (int64_t)d->conf->interval_s * 1000;
    int64_t cap = (int64_t)d->conf->max_backoff_s * 1000;

    for (int i = 0; i < d->failures && base < cap; i++)
        base *= 2;
    if (d->failures && base > cap)
        base = cap;
    d->rng ^= d->rng << 13, d->rng ^= d->rng >> 7, d->rng ^= d->rng << 17;
    return base * 8 / 10 + (int64_t)(d->rng % (uint64_t)(base * 4 / 10 + 1));
}

/* Sleeps MS or until a signal; feeds the watchdog meanwhile. */
static void wait_for(struct syncd *d, int64_t ms)
{
    int64_t until = pclock_mono_ms() + ms;

    while (!d->stop && !d->reload) {
        int64_t left = until - pclock_mono_ms();
        struct pollfd p = {.fd = d->sigfd, .events = POLLIN};

        if (left <= 0)
            return;
        if (d->watchdog && left > d->watchdog_ms / 3)
            left = d->watchdog_ms / 3;
        if (poll(&p, 1, (int)left) > 0)
            drain_signals(d);
        ping(d);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"once", no_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    struct syncd d = {.sigfd = -1, .lockfd = -1};
    const char *opt_cfg = NULL;
    bool once = false, verbose = false;
    uint64_t usec = 0;
    sigset_t ss;
    enum sync_outcome out;
    int c, r, status = 0;

    while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            opt_cfg = optarg;
            break;
        case 'o':
            once = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("signage-sync %s\n", SIGNAGE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    log_init("signage-sync", verbose ? LOGLVL_DEBUG : LOGLVL_INFO);
    d.cfg_path = pl_config_locate(opt_cfg);
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGHUP);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    d.sigfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d.sigfd < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("cannot start: %s", strerror(errno));
        return 1;
    }
    r = load(&d);
    if (r != 0) {
        if (r > 0) {
            /* a box fed by its own scheduler: nothing to do, and not a failure */
            log_info("%s has no sync group: nothing to pull, exiting", d.cfg_path);
            sd_notify(0, "READY=1\nSTATUS=no sync group in signage.cfg");
        }
        status = r > 0 ? 0 : 1;
        goto out;
    }
    d.watchdog = !once && sd_watchdog_enabled(0, &usec) > 0;
    d.watchdog_ms = (int64_t)(usec / 1000);
    if (d.watchdog && d.watchdog_ms < 3)
        d.watchdog_ms = 3;
    d.rng = (uint64_t)pclock_wall_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
    if (once) {
        out = pass(&d, true);
        status = out == SYNC_OK ? 0 : 1;
        goto out;
    }
    log_info("polling %s every %d s for %zu screen%s", d.conf->url, d.conf->interval_s,
             d.conf->nscreens, d.conf->nscreens == 1 ? "" : "s");
    /* ready before the first pass: a first download under rate_limit can take
     * far longer than systemd's start timeout; the watchdog covers it */
    sd_notify(0, "READY=1");
    while (!d.stop) {
        int64_t now = pclock_mono_ms(), ms;
        bool upload =
            !d.last_upload || now - d.last_upload >= (int64_t)d.conf->upload_interval_s * 1000;

        pass(&d, upload);
        if (d.stop)
            break;
        ms = next_wait(&d);
        log_debug("next poll in %lld ms", (long long)ms);
        wait_for(&d, ms);
        if (d.reload) {
            d.reload = false;
            sd_notify(0, "RELOADING=1");
            log_info("reloading %s", d.cfg_path);
            if (load(&d) != 0)
                log_warn("%s: kept the configuration in use", d.cfg_path);
            sd_notify(0, "READY=1");
        }
    }
    log_info("stopping");
    sd_notify(0, "STOPPING=1");
out:
    sync_http_free(d.http);
    sync_conf_free(d.conf);
    pl_config_free(d.cfg);
    curl_global_cleanup();
    close(d.sigfd);
    if (d.lockfd >= 0)
        close(d.lockfd);
    return status;
}
