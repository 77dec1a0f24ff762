/* conf.c - the sync group, read with libconfig beside playlists/config.c
 * (which only allows the member). */
#include "sync/conf.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playlists/cfgutil.h"

#define CONF_MAX_BYTES (256u << 20)

static const char *const members[] = {
    "url",        "screens", "upload", "interval", "max_backoff", "upload_interval",
    "rate_limit", "ca",      "cert",   "key"};
#define MEMBER_LIST                                                                                \
    "url, screens, upload, interval, max_backoff, upload_interval, rate_limit, ca, cert, key"

void sync_conf_free(struct sync_conf *c)
{
    if (!c)
        return;
    free(c->url);
    free(c->upload);
    for (size_t i = 0; i < c->nscreens; i++)
        free(c->screens[i]);
    free(c->screens);
    free(c->ca);
    free(c->cert);
    free(c->key);
    free(c);
}

/* An http(s) URL, with a '/' added when it lacks one; NULL with ERR filled. */
static char *base_url(const config_setting_t *g, const char *name, const char *v, const char *file,
                      char *err, size_t errlen)
{
    size_t n = strlen(v);
    char *u;

    if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
        strpbrk(v, " \t\r\n")) {
        pl_cfg_error(err, errlen, file, config_setting_get_member(g, name),
                     "sync %s \"%s\" is not an http:// or https:// URL", name, v);
        return NULL;
    }
    u = malloc(n + 2);
    if (!u) {
        snprintf(err, errlen, "%s: error: out of memory", file);
        return NULL;
    }
    memcpy(u, v, n + 1);
    if (n && v[n - 1] != '/')
        memcpy(u + n, "/", 2);
    return u;
}

/* A TLS file: "" or absent is none; relative to DIR. */
static int tls_path(const config_setting_t *g, const char *name, const char *dir, const char *file,
                    char **out, char *err, size_t errlen)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    const char *v;

    if (!s)
        return 0;
    v = config_setting_get_string(s);
    if (!v) {
        pl_cfg_error(err, errlen, file, s, "sync %s must be a string (a file's path)", name);
        return -1;
    }
    if (!*v)
        return 0;
    if (v[0] == '/' ? asprintf(out, "%s", v) < 0 : asprintf(out, "%s/%s", dir, v) < 0) {
        *out = NULL;
        snprintf(err, errlen, "%s: error: out of memory", file);
        return -1;
    }
    return 0;
}

static int seconds(const config_setting_t *g, const char *name, const char *file, long long lo,
                   long long hi, int *out, char *err, size_t errlen)
{
    long long v;
    int r = pl_cfg_int(g, name, file, lo, hi, &v, err, errlen);

    if (r == 0)
        *out = (int)v;
    return r < 0 ? -1 : 0;
}

int sync_conf_load(const struct pl_config *cfg, struct sync_conf **out, char *err, size_t errlen)
{
    const char *file = cfg->path, *v;
    const config_setting_t *g, *list;
    struct sync_conf *c;
    config_t lc;
    int r = -1;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    config_init(&lc);
    if (pl_cfg_read_file(&lc, cfg->path, CONF_MAX_BYTES, file, err, errlen) < 0)
        goto out_destroy;
    g = config_setting_get_member(config_root_setting(&lc), "sync");
    if (!g) {
        r = 1;
        goto out_destroy;
    }
    if (!config_setting_is_group(g)) {
        pl_cfg_error(err, errlen, file, g, "sync must be a group: sync = { url = \"...\"; }");
        goto out_destroy;
    }
    for (int i = 0; i < config_setting_length(g); i++) {
        const char *m = config_setting_name(config_setting_get_elem(g, (unsigned)i));
        bool known = false;

        for (size_t k = 0; k < sizeof members / sizeof *members; k++)
            known = known || strcmp(m, members[k]) == 0;
        if (!known) {
            pl_cfg_error(err, errlen, file, config_setting_get_elem(g, (unsigned)i),
                         "unknown sync setting \"%s\" (known: " MEMBER_LIST ")", m);
            goto out_destroy;
        }
    }
    c = calloc(1, sizeof *c);
    if (!c)
        goto out_nomem;
    *out = c;
    c->interval_s = 60;
    c->max_backoff_s = 900;
    c->upload_interval_s = 300;
    if (pl_cfg_string(g, "url", file, &v, err, errlen) != 0) {
        if (!err[0])
            pl_cfg_error(err, errlen, file, g,
                         "sync needs url = \"https://central/state/\" (where playlists/ and "
                         "media/ are served)");
        goto out_free;
    }
    if (!(c->url = base_url(g, "url", v, file, err, errlen)))
        goto out_free;
    v = NULL;
    if (pl_cfg_string(g, "upload", file, &v, err, errlen) < 0)
        goto out_free;
    if (v && !(c->upload = base_url(g, "upload", v, file, err, errlen)))
        goto out_free;
    if (seconds(g, "interval", file, 1, 86400, &c->interval_s, err, errlen) < 0 ||
        seconds(g, "max_backoff", file, 1, 7 * 86400, &c->max_backoff_s, err, errlen) < 0 ||
        seconds(g, "upload_interval", file, 0, 86400, &c->upload_interval_s, err, errlen) < 0 ||
        pl_cfg_int(g, "rate_limit", file, 0, 1LL << 40, &c->rate_limit, err, errlen) < 0 ||
        tls_path(g, "ca", cfg->dir, file, &c->ca, err, errlen) < 0 ||
        tls_path(g, "cert", cfg->dir, file, &c->cert, err, errlen) < 0 ||
        tls_path(g, "key", cfg->dir, file, &c->key, err, errlen) < 0)
        goto out_free;
    list = config_setting_get_member(g, "screens");
    if (list) {
        int n = config_setting_length(list);

        if (!config_setting_is_array(list) || n == 0) {
            pl_cfg_error(err, errlen, file, list,
                         "sync screens must be a list of screen ids: [ \"plaza\" ]");
            goto out_free;
        }
        if (!(c->screens = calloc((size_t)n, sizeof *c->screens)))
            goto out_nomem;
        for (int i = 0; i < n; i++) {
            v = config_setting_get_string_elem(list, i);
            if (!v || !pl_config_screen(cfg, v)) {
                pl_cfg_error(err, errlen, file, list,
                             "sync screens: \"%s\" is not a screen of this file (its screens "
                             "list names the ones this box shows)",
                             v ? v : "(not a string)");
                goto out_free;
            }
            if (!(c->screens[c->nscreens++] = strdup(v)))
                goto out_nomem;
        }
    } else {
        if (!(c->screens = calloc(cfg->nscreens + 1, sizeof *c->screens)))
            goto out_nomem;
        for (size_t i = 0; i < cfg->nscreens; i++)
            if (!(c->screens[c->nscreens++] = strdup(cfg->screens[i].id)))
                goto out_nomem;
    }
    r = 0;
    goto out_destroy;
out_nomem:
    snprintf(err, errlen, "%s: error: out of memory", file);
out_free:
    sync_conf_free(*out);
    *out = NULL;
out_destroy:
    config_destroy(&lc);
    return r;
}
