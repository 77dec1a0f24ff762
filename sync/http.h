/* http.h - the few HTTP requests signage-sync makes, through libcurl, each
 * bounded: a connect timeout, a floor on the speed, a cap on the bytes
 * taken, few redirects (only to https once on https; none for PUT and
 * DELETE: a 3xx is their answer), http and https only.  TLS with the sync
 * group's CA and client certificate, downloads at its rate limit.
 */
#ifndef SIGNAGE_SYNC_HTTP_H
#define SIGNAGE_SYNC_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sync/conf.h"

struct sync_http;

/* What came back.  STATUS 0: no answer (ERR says why). */
struct http_result {
    long status;
    char etag[256], last_modified[64]; /* "" when not sent */
    long long bytes;                   /* body bytes written */
    bool too_big;                      /* the body passed the cap: cut */
    bool bad_range;                    /* a 206 for other bytes than asked: cut */
    char range[64];                    /* then its Content-Range, for logs */
    char err[256];                     /* transport failure, for logs */
    bool tls;                          /* that failure was TLS's (trust, certificates) */
};

/* TICK(CTX) is called often during every transfer (watchdog pings, a
 * SIGTERM waiting); non-zero aborts the transfer.  NULL when out of memory. */
struct sync_http *sync_http_new(const struct sync_conf *conf, int (*tick)(void *ctx), void *ctx);
void sync_http_free(struct sync_http *h); /* NULL is a no-op */

/* GET URL into the open file FD.  With FROM > 0 the request asks for the
 * bytes from FROM on: a 206 is appended at FD's end, a 200 (the server
 * starts over) replaces FD's content; a 206 whose Content-Range does not
 * start at FROM is cut, FD left as it was (BAD_RANGE).  ETAG / LAST_MODIFIED (NULL or "")
 * make it conditional (304).  A 2xx body over MAX bytes is cut (TOO_BIG).
 * Other statuses' bodies are not written.  Returns 0 when an answer came
 * (R->status), -1 on a transport failure (R->err). */
int sync_http_get(struct sync_http *h, const char *url, int fd, off_t from, const char *etag,
                  const char *last_modified, uint64_t max, struct http_result *r);

/* PUT LEN bytes of FD from offset OFF to URL.  Returns as sync_http_get(). */
int sync_http_put(struct sync_http *h, const char *url, int fd, off_t off, off_t len,
                  struct http_result *r);

/* DELETE URL.  Returns as sync_http_get(). */
int sync_http_delete(struct sync_http *h, const char *url, struct http_result *r);

#endif
