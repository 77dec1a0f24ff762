/* env.h - what one pass of signage-sync works with (the box's config, the
 * sync group, the HTTP client), how a pass ends, and the small files it
 * keeps under STATE/.sync/.
 *
 * STATE/.sync/ holds, beside STATE/media and STATE/playlists (one file
 * system, so a verified download is linked into media/ in one step):
 *   <screen>.meta             the ETag and Last-Modified of the playlist in place
 *   <screen>.playlist.new     a playlist being received
 *   <sha256>.<ext>.part       a medium being received (resumed with Range)
 *   up/<screen>/play-DAY.jsonl   how much of that log file the server has
 */
#ifndef SIGNAGE_SYNC_ENV_H
#define SIGNAGE_SYNC_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/config.h"
#include "sync/conf.h"
#include "sync/http.h"

/* How a pass ended; a worse one wins (sync_worse()). */
enum sync_outcome {
    SYNC_OK,      /* everything up to date */
    SYNC_FAILED,  /* something was refused (logged): tried again next poll */
    SYNC_OFFLINE, /* the server could not be reached or failed (5xx): back off */
};

struct sync_env {
    const struct pl_config *cfg; /* state, timezone */
    const struct sync_conf *conf;
    struct sync_http *http;
    long long now_ms; /* wall clock, read once per pass */
    /* Why the server was found unreachable in this pass (the first
     * reason): main logs it once per outage, not per request. */
    char offline_why[512];
    bool offline_tls; /* that reason was TLS: trust, certificates, https */
};

static inline enum sync_outcome sync_worse(enum sync_outcome a, enum sync_outcome b)
{
    return a > b ? a : b;
}

/* Records that URL could not be fetched (R's error or status), for the
 * once-per-outage log line.  Returns SYNC_OFFLINE. */
enum sync_outcome sync_env_offline(struct sync_env *env, const char *url,
                                   const struct http_result *r);

/* What an admin should look at for a refusal with STATUS ("" when
 * nothing useful can be said), to be put after it in a log line. */
const char *sync_env_hint(long status, bool upload);

/* True for an answer that means the server is down or overloaded, not that
 * it refused us: none, 5xx, 429, 408. */
bool sync_env_server_down(const struct http_result *r);

/* Reads the small file PATH (at most LEN - 1 bytes) into BUF, NUL
 * terminated.  Returns its length, or -errno (-ENOENT: none). */
long sync_env_read_small(const char *path, char *buf, size_t len);

/* Creates DIR and its parents (mode 0755) when missing.  Returns 0 or -errno. */
int sync_env_mkdirs(const char *dir);

#endif
