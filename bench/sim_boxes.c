/* sim_boxes: many signage boxes polling one HTTP server (bench/bench_sync.sh).
 *
 * One process, libcurl's multi interface, one event loop.  Each box owns
 * SCREENS screens (screen-%04d, box b has screens b*SCREENS ...) and does
 * what signage-sync is to do (issue 15): a conditional GET of each screen's
 * playlist (If-None-Match / If-Modified-Since), and for a 200 a GET of every
 * media/<sha256>.<ext> it names that the box lacks; proof of play goes back
 * as PUTs.  The poll interval is compressed (INTERVAL seconds, +-20 % jitter)
 * so the server sees the load of many more boxes.
 *
 * Phases, in order, each printed as it ends (human lines, then "@" lines
 * for the script):
 *   cold     every box from nothing: playlists and media, until all have them
 *   idle     IDLE seconds of polling with nothing new (304s)
 *   publish  prints "publish-now", keeps polling; from SIGUSR1 (sent when
 *            the scheduler has published) until every screen has a playlist
 *            containing MARKER and every box has every medium it names
 *   upload   each box PUTs one PART_BYTES part per screen, spread over 4 INTERVALs
 *            (one INTERVAL saturates a single nginx worker: ~0.8 ms CPU a PUT)
 *   naive    IDLE seconds of unconditional GETs (a box that re-downloads)
 * The server's CPU is read from /proc/<pid>/stat of the PIDS given.
 *
 * sim_boxes URL BOXES SCREENS INTERVAL IDLE MARKER PART_BYTES PIDS
 */
#include <curl/curl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_MEDIA 32
#define NAME_MAX_ 80

enum kind { K_PL304, K_PL200, K_MEDIA, K_PUT, K_OTHER, K_N };
static const char *const kind_name[K_N] = {"pl304", "pl200", "media", "put", "other"};

struct screen {
    char etag[128];
    char lastmod[64];
    bool marked;
};

struct box {
    double next;
    int inflight;
    bool polled; /* a poll cycle completed since the phase began */
    bool done;   /* upload phase: its parts are answered */
    double put_at;
    int put_left;
    double converged;
    int nhave;
    char have[MAX_MEDIA][NAME_MAX_];
    int nwant;
    char want[MAX_MEDIA][NAME_MAX_];
};

struct xfer {
    CURL *h;
    enum kind kind;
    int box, screen;
    struct curl_slist *hdrs;
    char *body;
    size_t len, cap;
    char etag[128], lastmod[64];
    char media[NAME_MAX_];
    size_t put_off;
};

struct stats {
    long n[K_N];
    double up[K_N], down[K_N];
    long errors, status_other;
    double *lat;
    size_t nlat, caplat;
};

static const char *base;
static int nboxes, nscreens, width;
static double interval, idle_secs;
static const char *marker;
static size_t part_bytes;
static char *part;
static int npids;
static int pids[64];
static struct box *boxes;
static struct screen *screens;
static CURLM *multi;
static struct stats st;
static bool conditional = true;
static volatile sig_atomic_t published;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double jitter(void)
{
    return interval * (0.8 + 0.4 * (double)rand() / RAND_MAX);
}

static double server_cpu(void)
{
    double ticks = 0;
    for (int i = 0; i < npids; i++) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", pids[i]);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        unsigned long ut = 0, stime = 0;
        /* after "comm)": state ppid pgrp session tty tpgid flags minflt
         * cminflt majflt cmajflt utime stime */
        if (p &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stime) == 2)
            ticks += (double)ut + (double)stime;
    }
    return ticks / (double)sysconf(_SC_CLK_TCK);
}

static double client_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    struct xfer *x = ud;
    size_t n = sz * nm;
    if (x->kind != K_MEDIA) {
        if (x->len + n + 1 > x->cap) {
            x->cap = (x->len + n + 1) * 2;
            x->body = realloc(x->body, x->cap);
            if (!x->body)
                abort();
        }
        memcpy(x->body + x->len, p, n);
        x->len += n;
        x->body[x->len] = 0;
    }
    return n;
}

static void header_value(const char *p, size_t n, const char *name, char *out, size_t outsz)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(p, name, k) != 0)
        return;
    p += k;
    n -= k;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    struct xfer *x = ud;
    size_t n = sz * nm;
    header_value(p, n, "ETag:", x->etag, sizeof x->etag);
    header_value(p, n, "Last-Modified:", x->lastmod, sizeof x->lastmod);
    return n;
}

static size_t on_read(char *p, size_t sz, size_t nm, void *ud)
{
    struct xfer *x = ud;
    size_t n = sz * nm;
    if (n > part_bytes - x->put_off)
        n = part_bytes - x->put_off;
    memcpy(p, part + x->put_off, n);
    x->put_off += n;
    return n;
}

static struct xfer *start(enum kind kind, int b, int s, const char *media)
{
    struct xfer *x = calloc(1, sizeof *x);
    char url[512];
    if (!x || !(x->h = curl_easy_init()))
        abort();
    x->kind = kind;
    x->box = b;
    x->screen = s;
    if (kind == K_MEDIA) {
        snprintf(x->media, sizeof x->media, "%s", media);
        snprintf(url, sizeof url, "%s/state/%s", base, media);
    } else if (kind == K_PUT) {
        snprintf(url, sizeof url, "%s/upload/box-%04d/screen-%0*d/play-2023-06-15.jsonl.0.part",
                 base, b, width, s);
        curl_easy_setopt(x->h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(x->h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(x->h, CURLOPT_READDATA, x);
        curl_easy_setopt(x->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)part_bytes);
        /* No "Expect: 100-continue" round trip for a few KB. */
        x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    } else {
        snprintf(url, sizeof url, "%s/state/playlists/screen-%0*d.playlist", base, width, s);
        struct screen *sc = &screens[s];
        if (conditional && sc->etag[0]) {
            char h[200];
            snprintf(h, sizeof h, "If-None-Match: %s", sc->etag);
            x->hdrs = curl_slist_append(x->hdrs, h);
        }
        if (conditional && sc->lastmod[0]) {
            char h[100];
            snprintf(h, sizeof h, "If-Modified-Since: %s", sc->lastmod);
            x->hdrs = curl_slist_append(x->hdrs, h);
        }
        curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
    }
    curl_easy_setopt(x->h, CURLOPT_URL, url);
    curl_easy_setopt(x->h, CURLOPT_USERAGENT, "signage-sync/0 (sim)");
    curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
    if (x->hdrs)
        curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
    curl_multi_add_handle(multi, x->h);
    boxes[b].inflight++;
    return x;
}

static bool has(const struct box *bx, const char *m)
{
    for (int i = 0; i < bx->nhave; i++)
        if (!strcmp(bx->have[i], m))
            return true;
    return false;
}

static bool wanted(const struct box *bx, const char *m)
{
    for (int i = 0; i < bx->nwant; i++)
        if (!strcmp(bx->want[i], m))
            return true;
    return false;
}

/* Every media/<64 hex>.<ext> the playlist names that the box lacks. */
static void fetch_media(int b, const char *body)
{
    struct box *bx = &boxes[b];
    for (const char *p = body; (p = strstr(p, "media/")); p += 6) {
        const char *q = p + 6;
        size_t n = strspn(q, "0123456789abcdef");
        if (n != 64 || q[n] != '.')
            continue;
        n += 1 + strspn(q + n + 1, "abcdefghijklmnopqrstuvwxyz0123456789");
        char m[NAME_MAX_];
        snprintf(m, sizeof m, "media/%.*s", (int)n, q);
        if (has(bx, m) || wanted(bx, m) || bx->nwant >= MAX_MEDIA)
            continue;
        snprintf(bx->want[bx->nwant++], NAME_MAX_, "%s", m);
        start(K_MEDIA, b, -1, m);
    }
}

static void poll_box(int b)
{
    for (int k = 0; k < nscreens; k++)
        start(K_PL304, b, b * nscreens + k, NULL);
}

static void record(struct xfer *x, CURLcode rc, double t)
{
    struct box *bx = &boxes[x->box];
    long code = 0;
    long reqsz = 0, hdrsz = 0;
    curl_off_t dl = 0, ul = 0, total = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &reqsz);
    curl_easy_getinfo(x->h, CURLINFO_HEADER_SIZE, &hdrsz);
    curl_easy_getinfo(x->h, CURLINFO_SIZE_DOWNLOAD_T, &dl);
    curl_easy_getinfo(x->h, CURLINFO_SIZE_UPLOAD_T, &ul);
    curl_easy_getinfo(x->h, CURLINFO_TOTAL_TIME_T, &total);
    enum kind k = x->kind;
    if (rc != CURLE_OK) {
        st.errors++;
    } else {
        if (k == K_PL304 && code == 200)
            k = K_PL200;
        else if (k == K_PL304 && code != 304)
            k = K_OTHER;
        else if (k == K_MEDIA && code != 200)
            k = K_OTHER;
        else if (k == K_PUT && code != 201 && code != 204)
            k = K_OTHER;
        if (k == K_OTHER)
            st.status_other++;
        st.n[k]++;
        st.up[k] += (double)(reqsz + ul);
        st.down[k] += (double)(hdrsz + dl);
        if (st.nlat == st.caplat) {
            st.caplat = st.caplat ? st.caplat * 2 : 65536;
            st.lat = realloc(st.lat, st.caplat * sizeof *st.lat);
            if (!st.lat)
                abort();
        }
        st.lat[st.nlat++] = (double)total / 1000.0;
    }
    if (rc == CURLE_OK && k == K_PL200) {
        struct screen *sc = &screens[x->screen];
        snprintf(sc->etag, sizeof sc->etag, "%s", x->etag);
        snprintf(sc->lastmod, sizeof sc->lastmod, "%s", x->lastmod);
        if (x->body && marker[0] && strstr(x->body, marker))
            sc->marked = true;
        if (x->body)
            fetch_media(x->box, x->body);
    }
    if (x->kind == K_MEDIA) {
        for (int i = 0; i < bx->nwant; i++)
            if (!strcmp(bx->want[i], x->media)) {
                bx->want[i][0] = 0;
                memmove(bx->want[i], bx->want[i + 1], (size_t)(bx->nwant - i - 1) * NAME_MAX_);
                bx->nwant--;
                break;
            }
        if (rc == CURLE_OK && k == K_MEDIA && bx->nhave < MAX_MEDIA)
            snprintf(bx->have[bx->nhave++], NAME_MAX_, "%s", x->media);
    }
    if (x->kind == K_PUT && --bx->put_left <= 0)
        bx->done = true;
    bx->inflight--;
    if (bx->inflight == 0 && x->kind != K_PUT) {
        bx->polled = true;
        bx->next = t + jitter();
    }
}

static void drain(void)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct xfer *x;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        record(x, msg->data.result, now());
        curl_multi_remove_handle(multi, x->h);
        curl_easy_cleanup(x->h);
        curl_slist_free_all(x->hdrs);
        free(x->body);
        free(x);
    }
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)ceil(p / 100.0 * (double)n);
    return v[i ? i - 1 : 0];
}

static void report(const char *phase, double secs, double cpu0, double ccpu0)
{
    double cpu = server_cpu() - cpu0, ccpu = client_cpu() - ccpu0;
    long req = 0;
    double up = 0, down = 0;
    for (int k = 0; k < K_N; k++) {
        req += st.n[k];
        up += st.up[k];
        down += st.down[k];
    }
    qsort(st.lat, st.nlat, sizeof *st.lat, cmpd);
    long polls = st.n[K_PL304] + st.n[K_PL200];
    printf("[%s] %.1f s: %ld requests = %.0f req/s (304: %ld = %.2f %% of %ld polls; playlist 200: "
           "%ld; media: %ld; "
           "PUT: %ld; other status: %ld; errors: %ld)\n",
           phase, secs, req, req / secs, st.n[K_PL304], polls ? 100.0 * st.n[K_PL304] / polls : 0.0,
           polls, st.n[K_PL200], st.n[K_MEDIA], st.n[K_PUT], st.status_other, st.errors);
    printf("[%s] client latency ms: p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.1f\n", phase,
           pct(st.lat, st.nlat, 50), pct(st.lat, st.nlat, 90), pct(st.lat, st.nlat, 99),
           pct(st.lat, st.nlat, 99.9), st.nlat ? st.lat[st.nlat - 1] : 0.0);
    printf("[%s] HTTP bytes (headers + bodies): %.1f MB up, %.1f MB down; per request %.0f up, "
           "%.0f down\n",
           phase, up / 1e6, down / 1e6, req ? up / req : 0.0, req ? down / req : 0.0);
    printf("[%s] server (nginx) CPU %.2f s = %.1f %% of one core, %.3f s per 1,000 requests; "
           "client CPU %.2f s\n",
           phase, cpu, 100.0 * cpu / secs, req ? 1000.0 * cpu / req : 0.0, ccpu);
    printf("@%s secs=%.3f req=%ld cpu=%.3f ccpu=%.3f up=%.0f down=%.0f errors=%ld other=%ld "
           "p50=%.3f p99=%.3f\n",
           phase, secs, req, cpu, ccpu, up, down, st.errors, st.status_other,
           pct(st.lat, st.nlat, 50), pct(st.lat, st.nlat, 99));
    for (int k = 0; k < K_N; k++)
        if (st.n[k])
            printf("@%s.%s n=%ld up=%.1f down=%.1f\n", phase, kind_name[k], st.n[k],
                   st.up[k] / st.n[k], st.down[k] / st.n[k]);
    fflush(stdout);
    free(st.lat);
    memset(&st, 0, sizeof st);
}

static void on_usr1(int sig)
{
    (void)sig;
    published = 1;
}

/* Runs until done() says so or `limit` seconds pass; polls when `polling`. */
static double loop(bool polling, double limit, bool (*done)(double))
{
    double t0 = now();
    for (;;) {
        double t = now(), wait = 0.005;
        if (t - t0 >= limit || (done && done(t)))
            break;
        for (int b = 0; b < nboxes; b++) {
            struct box *bx = &boxes[b];
            if (polling && bx->inflight == 0 && bx->next <= t)
                poll_box(b);
        }
        int running;
        curl_multi_perform(multi, &running);
        drain();
        curl_multi_poll(multi, NULL, 0, (int)(wait * 1000), NULL);
    }
    /* Let what is in flight finish, so every request is counted. */
    for (int running = 1; running;) {
        curl_multi_perform(multi, &running);
        drain();
        if (running)
            curl_multi_poll(multi, NULL, 0, 5, NULL);
    }
    return now() - t0;
}

static bool cold_done(double t)
{
    (void)t;
    for (int b = 0; b < nboxes; b++)
        if (!boxes[b].polled || boxes[b].nwant)
            return false;
    return true;
}

static double t_pub;

static bool converged(double t)
{
    if (!published)
        return false;
    if (!t_pub)
        t_pub = t;
    bool all = true;
    for (int b = 0; b < nboxes; b++) {
        struct box *bx = &boxes[b];
        if (bx->converged)
            continue;
        bool ok = !bx->nwant;
        for (int k = 0; ok && k < nscreens; k++)
            ok = screens[b * nscreens + k].marked;
        if (ok)
            bx->converged = t;
        else
            all = false;
    }
    return all;
}

static bool uploads_done(double t)
{
    for (int b = 0; b < nboxes; b++) {
        struct box *bx = &boxes[b];
        if (bx->done || bx->inflight)
            continue;
        if (bx->put_at <= t) {
            bx->put_left = nscreens;
            for (int k = 0; k < nscreens; k++)
                start(K_PUT, b, b * nscreens + k, NULL);
        }
    }
    for (int b = 0; b < nboxes; b++)
        if (!boxes[b].done)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr,
                "usage: sim_boxes URL BOXES SCREENS INTERVAL IDLE MARKER PART_BYTES PIDS\n");
        return 2;
    }
    base = argv[1];
    nboxes = atoi(argv[2]);
    nscreens = atoi(argv[3]);
    interval = atof(argv[4]);
    idle_secs = atof(argv[5]);
    marker = argv[6];
    part_bytes = (size_t)atol(argv[7]);
    for (char *p = argv[8]; *p && npids < 64;) {
        pids[npids++] = (int)strtol(p, &p, 10);
        while (*p == ',')
            p++;
    }
    if (nboxes <= 0 || nscreens <= 0 || interval <= 0)
        return 2;
    /* Screen ids as bench/gen_network.py makes them. */
    width = 3;
    if (nboxes * nscreens > 1000)
        for (width = 1; nboxes * nscreens - 1 >= (int)pow(10, width); width++)
            ;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGUSR1, on_usr1);
    srand(7);
    boxes = calloc((size_t)nboxes, sizeof *boxes);
    screens = calloc((size_t)nboxes * (size_t)nscreens, sizeof *screens);
    part = malloc(part_bytes + 1);
    if (!boxes || !screens || !part)
        return 1;
    for (size_t i = 0; i < part_bytes; i++)
        part[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)nboxes);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)nboxes);

    /* cold: boxes start at random times within one interval */
    for (int b = 0; b < nboxes; b++)
        boxes[b].next = now() + interval * (double)rand() / RAND_MAX;
    double c0 = server_cpu(), cc0 = client_cpu();
    double secs = loop(true, 600, cold_done);
    bool failed = st.errors || st.status_other;
    report("cold", secs, c0, cc0);
    if (failed) {
        fprintf(stderr, "sim_boxes: the cold start had errors or unexpected statuses\n");
        return 1;
    }

    c0 = server_cpu(), cc0 = client_cpu();
    secs = loop(true, idle_secs, NULL);
    report("idle", secs, c0, cc0);

    printf("publish-now\n");
    fflush(stdout);
    for (int b = 0; b < nboxes; b++)
        boxes[b].converged = 0;
    c0 = server_cpu(), cc0 = client_cpu();
    double p0 = now();
    secs = loop(true, 180, converged);
    if (published && t_pub) {
        double *v = malloc((size_t)nboxes * sizeof *v);
        int n = 0;
        for (int b = 0; b < nboxes; b++)
            if (boxes[b].converged)
                v[n++] = boxes[b].converged - t_pub;
        qsort(v, (size_t)n, sizeof *v, cmpd);
        printf("[publish] %d of %d boxes converged (both playlists with \"%s\" and every medium); "
               "from the "
               "end of publishing: p50 %.2f s, p90 %.2f s, all %.2f s\n",
               n, nboxes, marker, pct(v, (size_t)n, 50), pct(v, (size_t)n, 90), n ? v[n - 1] : 0.0);
        printf("@converge n=%d p50=%.3f p90=%.3f all=%.3f wait=%.3f\n", n, pct(v, (size_t)n, 50),
               pct(v, (size_t)n, 90), n ? v[n - 1] : 0.0, t_pub - p0);
        free(v);
    }
    report("publish", secs, c0, cc0);

    double u0 = now();
    for (int b = 0; b < nboxes; b++) {
        boxes[b].done = false;
        boxes[b].put_at = u0 + 4 * interval * (double)rand() / RAND_MAX;
    }
    c0 = server_cpu(), cc0 = client_cpu();
    secs = loop(false, 600, uploads_done);
    report("upload", secs, c0, cc0);

    conditional = false;
    for (int b = 0; b < nboxes; b++)
        boxes[b].next = now() + interval * (double)rand() / RAND_MAX;
    c0 = server_cpu(), cc0 = client_cpu();
    secs = loop(true, idle_secs, NULL);
    report("naive", secs, c0, cc0);

    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
