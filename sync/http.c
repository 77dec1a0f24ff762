/* http.c - libcurl easy handles, one reused for every request (its
 * connection too). */
#include "sync/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 15L
#define LOW_SPEED_BYTES 64L /* slower than this ... */
#define LOW_SPEED_S 60L     /* ... for this long: given up */
#define MAX_REDIRS 3L

struct sync_http {
    CURL *curl;
    const struct sync_conf *conf;
    int (*tick)(void *ctx);
    void *ctx;
    bool https; /* the request under way began on https */
};

/* One transfer's state for the callbacks. */
struct xfer {
    struct sync_http *h;
    int fd;
    off_t from;      /* GET: the range asked for */
    off_t off, left; /* PUT: what is still to send */
    uint64_t max;
    bool started;
    bool discard; /* not a 2xx: the body is not ours */
    bool failed;  /* a write failed */
    struct http_result *r;
};

static void header(CURL *c, const char *name, char *out, size_t len);

/* Whether the answer's Content-Range ("bytes FROM-LAST/TOTAL") starts at
 * FROM; its value goes to OUT. */
static bool range_starts_at(CURL *c, off_t from, char *out, size_t len)
{
    long long first, last;
    int end = 0;

    header(c, "Content-Range", out, len);
    return sscanf(out, "bytes %lld-%lld/%*[0-9*]%n", &first, &last, &end) == 2 && end > 0 &&
           out[end] == '\0' && first == (long long)from && last >= first;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t len = size * n;

    if (!x->started) {
        long st = 0;

        x->started = true;
        curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &st);
        x->discard = st < 200 || st > 299;
        if (st == 206 && !range_starts_at(x->h->curl, x->from, x->r->range, sizeof x->r->range)) {
            x->r->bad_range = true;
            return 0; /* appending it would only make a medium whose hash fails */
        }
        /* a 200 to a range request is the whole file: start over */
        if (!x->discard && x->from > 0 && st == 200) {
            if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0) {
                x->failed = true;
                return 0;
            }
        }
    }
    if (x->discard)
        return len;
    if ((uint64_t)x->r->bytes + len > x->max) {
        x->r->too_big = true;
        return 0;
    }
    for (size_t done = 0; done < len;) {
        ssize_t w = write(x->fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            x->failed = true;
            return 0;
        }
        done += (size_t)w;
    }
    x->r->bytes += (long long)len;
    return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t want = size * n;
    ssize_t got;

    if ((off_t)want > x->left)
        want = (size_t)x->left;
    if (want == 0)
        return 0;
    do
        got = pread(x->fd, p, want, x->off);
    while (got < 0 && errno == EINTR);
    if (got <= 0)
        return CURL_READFUNC_ABORT; /* the file shrank: never send less than announced */
    x->off += got;
    x->left -= got;
    return (size_t)got;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct xfer *x = arg;

    (void)dt, (void)dn, (void)ut, (void)un;
    return x->h->tick ? x->h->tick(x->h->ctx) : 0;
}

/* The value of header NAME of the last answer into OUT ("" when none). */
static void header(CURL *c, const char *name, char *out, size_t len)
{
    struct curl_header *hd;

    out[0] = '\0';
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd->value &&
        strlen(hd->value) < len && !strpbrk(hd->value, "\r\n"))
        snprintf(out, len, "%s", hd->value);
}

struct sync_http *sync_http_new(const struct sync_conf *conf, int (*tick)(void *ctx), void *ctx)
{
    struct sync_http *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return NULL;
    }
    h->conf = conf;
    h->tick = tick;
    h->ctx = ctx;
    return h;
}

void sync_http_free(struct sync_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

static bool is_https(const char *url)
{
    return strncasecmp(url, "https://", 8) == 0;
}

/* Everything every request has. */
static void common_opts(struct sync_http *h, const char *url, struct xfer *x, char *errbuf)
{
    CURL *c = h->curl;
    const struct sync_conf *cf = h->conf;

    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "signage-sync/" SIGNAGE_VERSION);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /* once on TLS, never redirected off it */
    h->https = is_https(url);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, h->https ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    if (cf->ca)
        curl_easy_setopt(c, CURLOPT_CAINFO, cf->ca);
    if (cf->cert)
        curl_easy_setopt(c, CURLOPT_SSLCERT, cf->cert);
    if (cf->key)
        curl_easy_setopt(c, CURLOPT_SSLKEY, cf->key);
}

static int perform(struct sync_http *h, struct xfer *x, char *errbuf)
{
    struct http_result *r = x->r;
    CURLcode rc = curl_easy_perform(h->curl);

    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
    if (rc == CURLE_FILESIZE_EXCEEDED)
        r->too_big = true; /* a Content-Length over the cap */
    if (rc == CURLE_OK || r->too_big || r->bad_range) {
        header(h->curl, "ETag", r->etag, sizeof r->etag);
        header(h->curl, "Last-Modified", r->last_modified, sizeof r->last_modified);
        return 0;
    }
    if (x->failed)
        snprintf(r->err, sizeof r->err, "writing the download: %s", strerror(errno));
    else if (rc == CURLE_UNSUPPORTED_PROTOCOL && h->https)
        snprintf(r->err, sizeof r->err, "redirected off https, refused (%s)",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
    else
        snprintf(r->err, sizeof r->err, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    r->tls = (rc == CURLE_UNSUPPORTED_PROTOCOL && h->https) || rc == CURLE_SSL_CONNECT_ERROR ||
             rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
             rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR ||
             rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ENGINE_NOTFOUND ||
             rc == CURLE_SSL_CRL_BADFILE;
    r->status = 0;
    return -1;
}

static void result_init(struct http_result *r)
{
    memset(r, 0, sizeof *r);
}

int sync_http_get(struct sync_http *h, const char *url, int fd, off_t from, const char *etag,
                  const char *last_modified, uint64_t max, struct http_result *r)
{
    struct xfer x = {.h = h, .fd = fd, .from = from, .max = max, .r = r};
    char errbuf[CURL_ERROR_SIZE] = "", range[32], *hv = NULL;
    struct curl_slist *hdrs = NULL;
    int ret;

    result_init(r);
    common_opts(h, url, &x, errbuf);
    if (h->conf->rate_limit > 0)
        curl_easy_setopt(h->curl, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)h->conf->rate_limit);
    /* a Content-Length over the cap is refused before a byte is taken */
    curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    if (from > 0) {
        snprintf(range, sizeof range, "%lld-", (long long)from);
        curl_easy_setopt(h->curl, CURLOPT_RANGE, range);
    }
    if (etag && *etag && asprintf(&hv, "If-None-Match: %s", etag) >= 0) {
        hdrs = curl_slist_append(hdrs, hv);
        free(hv);
    }
    if (last_modified && *last_modified &&
        asprintf(&hv, "If-Modified-Since: %s", last_modified) >= 0) {
        hdrs = curl_slist_append(hdrs, hv);
        free(hv);
    }
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
    ret = perform(h, &x, errbuf);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    return ret;
}

int sync_http_put(struct sync_http *h, const char *url, int fd, off_t off, off_t len,
                  struct http_result *r)
{
    struct xfer x = {.h = h, .fd = fd, .off = off, .left = len, .max = 1 << 20, .r = r};
    char errbuf[CURL_ERROR_SIZE] = "";
    /* no "Expect: 100-continue" on larger bodies: a wait per upload */
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
    int ret;

    result_init(r);
    x.discard = true;
    x.started = true;
    common_opts(h, url, &x, errbuf);
    curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L); /* a 3xx is an answer: not stored */
    curl_easy_setopt(h->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h->curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h->curl, CURLOPT_READDATA, &x);
    curl_easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
    ret = perform(h, &x, errbuf);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    return ret;
}

int sync_http_delete(struct sync_http *h, const char *url, struct http_result *r)
{
    struct xfer x = {.h = h, .fd = -1, .max = 1 << 20, .r = r};
    char errbuf[CURL_ERROR_SIZE] = "";

    result_init(r);
    x.discard = true;
    x.started = true;
    common_opts(h, url, &x, errbuf);
    curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    return perform(h, &x, errbuf);
}
