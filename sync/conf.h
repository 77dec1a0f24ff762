/* conf.h - the `sync` group of a box's signage.cfg (SPEC §10): where the
 * central state is served, which screens to pull, where proof of play goes.
 *
 *   sync = {
 *     url = "https://central.example/state/";   # serves playlists/ and media/
 *     screens = [ "plaza" ];                     # default: every screen of the file
 *     upload = "https://central.example/upload/box-01/";  # optional (WebDAV PUT/DELETE)
 *     interval = 60;          # seconds between polls, +-20 % jitter (1..86400)
 *     max_backoff = 900;      # seconds, while the server is unreachable
 *     upload_interval = 300;  # seconds between proof-of-play uploads
 *     rate_limit = 0;         # download bytes per second, 0 = none
 *     ca = ""; cert = ""; key = "";   # TLS files, relative to signage.cfg's directory
 *   };
 */
#ifndef SIGNAGE_SYNC_CONF_H
#define SIGNAGE_SYNC_CONF_H

#include <stddef.h>

#include "playlists/config.h"

struct sync_conf {
    char *url;    /* ends with '/' */
    char *upload; /* ends with '/'; NULL: no upload */
    char **screens;
    size_t nscreens;
    int interval_s, max_backoff_s, upload_interval_s;
    long long rate_limit;  /* bytes per second, 0 = none */
    char *ca, *cert, *key; /* absolute or relative to the cwd; NULL = not set */
};

/* Reads the sync group of CFG's file into *OUT (free with sync_conf_free()).
 * Returns 0; 1 when the file has no sync group (*OUT NULL); -1 with ERR
 * filled ("FILE:LINE: error: ...") on a bad value, an unknown member or a
 * screen CFG does not have. */
int sync_conf_load(const struct pl_config *cfg, struct sync_conf **out, char *err, size_t errlen);

/* NULL is a no-op. */
void sync_conf_free(struct sync_conf *c);

#endif
