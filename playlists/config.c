/* config.c - signage.cfg (SPEC §3).
 *
 * Decisions where the SPEC is silent:
 * - A relative `state` resolves against the directory of the config file,
 *   not the working directory, so a program started from anywhere finds the
 *   same tree ("./var" next to the config by default).
 * - `fallback` items' files are relative to that directory as well and are
 *   kept as written; a fallback video needs an explicit `duration` (nothing
 *   probes it).  Without a `fallback` the screen shows one text item
 *   "東京都" in white on dark navy (#0b2545), so it is never black.
 * - A group name may not equal a screen id (a target would be ambiguous),
 *   and "*" is reserved for "every screen".
 */
#include "playlists/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/slurp.h"
#include "playlists/cfgfast.h"
#include "playlists/cfgutil.h"

#define CONFIG_MAX_BYTES (64 * 1024 * 1024) /* 500,000 screens of ~130 bytes */
#define CONFIG_PLACE ".config-place"        /* in STATE: where the screens list is */
#define CONFIG_HEAD_BYTES (64 * 1024)       /* read to find `state` before the list */
#define CONFIG_MAX_SCREENS 500000
#define CONFIG_MAX_GROUPS 256
#define CONFIG_MAX_FALLBACK_ITEMS 1000
#define CONFIG_SIZE_MIN 16
#define CONFIG_SIZE_MAX 16384
/* `state` when the file names none, relative to the file's directory
 * unless absolute: ./var in a build tree, /var/lib/signage as installed
 * (make DEFAULT_STATE=..., debian/rules). */
#ifdef SIGNAGE_DEFAULT_STATE
#define CONFIG_DEFAULT_STATE SIGNAGE_DEFAULT_STATE
#else
#define CONFIG_DEFAULT_STATE "./var"
#endif
#define CONFIG_DEFAULT_TZ "Asia/Tokyo"
#define CONFIG_DEFAULT_HORIZON 35
#define CONFIG_DEFAULT_DURATION_MS INT64_C(10000)
#define CONFIG_DEFAULT_GRACE_MS INT64_C(600000)
#define CONFIG_GRACE_MAX_MS (7 * PL_MS_PER_DAY)
#define CONFIG_DEFAULT_SETTLE_MS INT64_C(1000)
#define CONFIG_SETTLE_MAX_MS (60 * PL_MS_PER_SEC)
#define CONFIG_DEFAULT_CONVERT_MS (60 * PL_MS_PER_SEC)
#define CONFIG_CONVERT_MAX_MS (3600 * PL_MS_PER_SEC)
#define CONFIG_DEFAULT_HISTORY 100
#define CONFIG_DEFAULT_LOG_KEEP 366 /* a year back from any day, leap or not */
#define CONFIG_DEFAULT_REJECTED_KEEP 90
#define CONFIG_DEFAULT_SPOOL_KEEP 30
#define CONFIG_DEFAULT_MEDIA_GRACE 7
#define CONFIG_KEEP_MAX 36600 /* a hundred years */
#define CONFIG_FALLBACK_TEXT "東京都"
#define CONFIG_FALLBACK_BACKGROUND 0x0b2545u
#define CONFIG_FALLBACK_COLOR 0xffffffu

/* sync is signage-sync's group (sync/conf.h); the other programs ignore it. */
static const char *const top_members[] = {
    "state",   "timezone",      "horizon_days",       "default_duration", "pending_grace",
    "settle",  "history_keep",  "convert_timeout",    "video_decode",     "fallback",
    "screens", "log_keep_days", "rejected_keep_days", "spool_keep_days",  "media_grace_days",
    "sync"};
#define TOP_LIST                                                                                   \
    "state, timezone, horizon_days, default_duration, pending_grace, settle, history_keep, "       \
    "convert_timeout, video_decode, fallback, screens, log_keep_days, rejected_keep_days, "        \
    "spool_keep_days, media_grace_days, sync"
static const char *const fallback_members[] = {"items", "title", "owner"};
#define FALLBACK_LIST "items, title, owner"
static const char *const screen_members[] = {"id", "name", "groups", "width", "height", "rotate"};
#define SCREEN_LIST "id, name, groups, width, height, rotate"

const char *pl_config_locate(const char *opt)
{
    const char *env;

    if (opt)
        return opt;
    env = getenv("SIGNAGE_CONFIG");
    if (env && *env)
        return env;
    if (access("./signage.cfg", F_OK) == 0)
        return "./signage.cfg";
    return "/etc/signage/signage.cfg";
}

/* Refuses members of G not named in KNOWN. */
static int check_members(const config_setting_t *g, const char *const *known, size_t nknown,
                         const char *what, const char *list, const char *file, char *err,
                         size_t errlen)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        bool ok = false;
        for (size_t k = 0; k < nknown && name; k++)
            if (strcmp(name, known[k]) == 0)
                ok = true;
        if (!ok) {
            pl_cfg_error(err, errlen, file, m, "unknown %s setting '%s'; known are %s", what,
                         name ? name : "?", list);
            return -1;
        }
    }
    return 0;
}

static char *join_path(const char *dir, const char *rel)
{
    size_t n;
    char *p;

    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    if (strcmp(dir, ".") == 0 || rel[0] == '\0')
        return strdup(rel[0] ? rel : dir);
    n = strlen(dir) + strlen(rel) + 2;
    p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;

    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    d = strndup(path, (size_t)(slash - path));
    return d;
}

/* STATE as written in the file at DIR: absolute, or relative to DIR. */
static char *state_path(const char *dir, const char *v)
{
    return v[0] == '/' ? strdup(v) : join_path(dir, v);
}

static long long ts_ns(const struct timespec *ts)
{
    return (long long)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static struct pl_campaign *fallback_new(const char *title, const char *owner)
{
    struct pl_campaign *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->id = strdup("-");
    c->title = strdup(title);
    c->owner = strdup(owner);
    c->start = PL_MS_MIN;
    c->end = PL_MS_MAX;
    c->priority = 0;
    c->weight = 1;
    if (!c->id || !c->title || !c->owner) {
        pl_campaign_free(c);
        return NULL;
    }
    return c;
}

static struct pl_campaign *fallback_default(pl_ms duration_ms)
{
    struct pl_campaign *c = fallback_new("fallback", "-");

    if (!c)
        return NULL;
    c->items = calloc(1, sizeof *c->items);
    if (!c->items)
        goto out_free;
    c->nitems = 1;
    c->items[0].type = PL_ITEM_TEXT;
    c->items[0].duration_ms = duration_ms;
    c->items[0].background = CONFIG_FALLBACK_BACKGROUND;
    c->items[0].color = CONFIG_FALLBACK_COLOR;
    c->items[0].text = strdup(CONFIG_FALLBACK_TEXT);
    if (!c->items[0].text)
        goto out_free;
    return c;
out_free:
    pl_campaign_free(c);
    return NULL;
}

static int parse_fallback(const config_setting_t *g, struct pl_config *cfg, const char *file,
                          char *err, size_t errlen)
{
    const config_setting_t *items;
    const char *title = "fallback", *owner = "-";
    struct pl_campaign *c;
    int n;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, file, g,
                     "'fallback' must be a group: fallback = { items = ( ... ); };");
        return -1;
    }
    if (check_members(g, fallback_members, 3, "fallback", FALLBACK_LIST, file, err, errlen) < 0)
        return -1;
    if (pl_cfg_string(g, "title", file, &title, err, errlen) < 0 ||
        pl_cfg_string(g, "owner", file, &owner, err, errlen) < 0)
        return -1;
    items = config_setting_get_member(g, "items");
    if (!items) {
        pl_cfg_error(err, errlen, file, g,
                     "'fallback' has no 'items'; add items = ( { type = \"text\"; text = "
                     "\"...\"; } );");
        return -1;
    }
    if (config_setting_type(items) != CONFIG_TYPE_LIST || config_setting_length(items) == 0) {
        pl_cfg_error(err, errlen, file, items,
                     "fallback 'items' must be a non-empty list ( { ... }, { ... } )");
        return -1;
    }
    n = config_setting_length(items);
    if (n > CONFIG_MAX_FALLBACK_ITEMS) {
        pl_cfg_error(err, errlen, file, items, "fallback has %d items; at most %d are allowed", n,
                     CONFIG_MAX_FALLBACK_ITEMS);
        return -1;
    }
    c = fallback_new(title, owner);
    if (!c)
        goto out_nomem;
    c->items = calloc((size_t)n, sizeof *c->items);
    if (!c->items)
        goto out_nomem;
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(items, (unsigned)i);
        if (pl_cfg_item_parse(s, file, cfg->default_duration_ms, &c->items[i], err, errlen) < 0)
            goto out_free;
        c->nitems++;
        if (c->items[i].duration_ms <= 0) {
            pl_cfg_error(err, errlen, file, s,
                         "a fallback video needs a 'duration' in seconds (nothing probes it); "
                         "add duration = 30; or the like");
            goto out_free;
        }
    }
    cfg->fallback = c;
    return 0;
out_nomem:
    pl_cfg_error(err, errlen, file, g, "out of memory");
out_free:
    pl_campaign_free(c);
    return -1;
}

static bool screen_has_group(const struct pl_screen *s, const char *g)
{
    for (size_t i = 0; i < s->ngroups; i++)
        if (strcmp(s->groups[i], g) == 0)
            return true;
    return false;
}

/* A screen as written: from libconfig's tree or from cfgfast.h. */
struct screen_in {
    const char *id, *name;
    const char **groups; /* NGROUPS strings, or NULL */
    size_t ngroups;
    bool has_groups;
    long long width, height, rotate;
    bool has_width, has_height;
};

/* G's member NAME, or NULL (G is NULL for a screen read by cfgfast.h: its
 * errors are not shown, the file is read again with libconfig). */
static const config_setting_t *member(const config_setting_t *g, const char *name)
{
    return g ? config_setting_get_member(g, name) : NULL;
}

static const config_setting_t *group_elem(const config_setting_t *g, size_t i)
{
    const config_setting_t *groups = member(g, "groups");

    return groups ? config_setting_get_elem(groups, (unsigned)i) : NULL;
}

/* Checks IN and fills S: the rules for a screen, whoever read it. */
static int screen_check(const struct screen_in *in, struct pl_screen *s, const config_setting_t *g,
                        const char *file, char *err, size_t errlen)
{
    if (!in->id) {
        pl_cfg_error(err, errlen, file, g, "the screen has no 'id'; add id = \"station-exit\";");
        return -1;
    }
    if (!pl_id_valid(in->id)) {
        pl_cfg_error(err, errlen, file, member(g, "id"),
                     "screen id \"%.80s\" is not valid; use 1-64 of a-z 0-9 _ - starting with a "
                     "letter or digit, such as \"shinjuku-west-plaza\"",
                     in->id);
        return -1;
    }
    if (!(s->id = strdup(in->id)) || (in->name && !(s->name = strdup(in->name))))
        goto out_nomem;
    if (in->ngroups > CONFIG_MAX_GROUPS) {
        pl_cfg_error(err, errlen, file, member(g, "groups"), "%zu groups; at most %d are allowed",
                     in->ngroups, CONFIG_MAX_GROUPS);
        return -1;
    }
    if (in->has_groups && !(s->groups = calloc(in->ngroups + 1, sizeof *s->groups)))
        goto out_nomem;
    for (size_t i = 0; i < in->ngroups; i++) {
        const char *gv = in->groups[i];
        if (strcmp(gv, "*") == 0) {
            pl_cfg_error(err, errlen, file, group_elem(g, i),
                         "\"*\" means every screen and cannot be a group name; remove it");
            return -1;
        }
        if (!pl_id_valid(gv)) {
            pl_cfg_error(err, errlen, file, group_elem(g, i),
                         "group name \"%.80s\" is not valid; use 1-64 of a-z 0-9 _ - "
                         "starting with a letter or digit, such as \"shinjuku-west\"",
                         gv);
            return -1;
        }
        if (screen_has_group(s, gv))
            continue;
        if (!(s->groups[s->ngroups] = strdup(gv)))
            goto out_nomem;
        s->ngroups++;
    }
    if (!in->has_width || !in->has_height) {
        pl_cfg_error(err, errlen, file, g,
                     !in->has_width ? "screen \"%s\" has no 'width'; add the picture's width in "
                                      "pixels, such as width = 1920;"
                                    : "screen \"%s\" has no 'height'; add the picture's height "
                                      "in pixels, such as height = 1080;",
                     s->id);
        return -1;
    }
    if (in->width < CONFIG_SIZE_MIN || in->width > CONFIG_SIZE_MAX ||
        in->height < CONFIG_SIZE_MIN || in->height > CONFIG_SIZE_MAX) {
        bool w = in->width < CONFIG_SIZE_MIN || in->width > CONFIG_SIZE_MAX;
        pl_cfg_error(err, errlen, file, member(g, w ? "width" : "height"),
                     "'%s' must be between %d and %d", w ? "width" : "height", CONFIG_SIZE_MIN,
                     CONFIG_SIZE_MAX);
        return -1;
    }
    s->width = (int)in->width;
    s->height = (int)in->height;
    if (in->rotate < 0 || in->rotate > 270 || in->rotate % 90 != 0) {
        pl_cfg_error(err, errlen, file, member(g, "rotate"),
                     "'rotate' is %lld; it must be 0, 90, 180 or 270", in->rotate);
        return -1;
    }
    s->rotate = (int)in->rotate;
    return 0;
out_nomem:
    pl_cfg_error(err, errlen, file, g, "out of memory");
    return -1;
}

/* A screen from libconfig's tree: the types checked here, the rest by
 * screen_check(). */
static int parse_screen(const config_setting_t *g, struct pl_screen *s, const char *file, char *err,
                        size_t errlen)
{
    const config_setting_t *groups;
    struct screen_in in = {0};
    const char *gv[CONFIG_MAX_GROUPS];
    int r;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, file, g,
                     "a screen must be a group { id = \"...\"; width = ...; height = ...; }");
        return -1;
    }
    if (check_members(g, screen_members, 6, "screen", SCREEN_LIST, file, err, errlen) < 0 ||
        pl_cfg_string(g, "id", file, &in.id, err, errlen) < 0 ||
        pl_cfg_string(g, "name", file, &in.name, err, errlen) < 0)
        return -1;
    groups = config_setting_get_member(g, "groups");
    if (groups) {
        int ng = config_setting_length(groups);
        if ((config_setting_type(groups) != CONFIG_TYPE_ARRAY &&
             config_setting_type(groups) != CONFIG_TYPE_LIST)) {
            pl_cfg_error(err, errlen, file, groups,
                         "'groups' must be an array of names such as [ \"tokyo\" ]");
            return -1;
        }
        if (ng > CONFIG_MAX_GROUPS) {
            pl_cfg_error(err, errlen, file, groups, "%d groups; at most %d are allowed", ng,
                         CONFIG_MAX_GROUPS);
            return -1;
        }
        for (int i = 0; i < ng; i++) {
            const config_setting_t *e = config_setting_get_elem(groups, (unsigned)i);
            if (!(gv[i] = config_setting_get_string(e))) {
                pl_cfg_error(err, errlen, file, e, "'groups' must hold strings in quotes");
                return -1;
            }
        }
        in.groups = gv;
        in.ngroups = (size_t)ng;
        in.has_groups = true;
    }
    r = pl_cfg_int(g, "width", file, CONFIG_SIZE_MIN, CONFIG_SIZE_MAX, &in.width, err, errlen);
    if (r < 0)
        return -1;
    in.has_width = r == 0;
    r = pl_cfg_int(g, "height", file, CONFIG_SIZE_MIN, CONFIG_SIZE_MAX, &in.height, err, errlen);
    if (r < 0)
        return -1;
    in.has_height = r == 0;
    if (pl_cfg_int(g, "rotate", file, 0, 270, &in.rotate, err, errlen) < 0)
        return -1;
    return screen_check(&in, s, g, file, err, errlen);
}

static int screen_ptr_cmp(const void *a, const void *b)
{
    const struct pl_screen *x = *(const struct pl_screen *const *)a;
    const struct pl_screen *y = *(const struct pl_screen *const *)b;
    int c = strcmp(x->id, y->id);

    return c ? c : (x > y) - (x < y); /* equal ids: in file order */
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the screens by id and the group names, so that lookups take
 * O(log n) and loading n screens O(n log n); refuses an id used twice and a
 * group named like a screen. */
static int index_screens(struct pl_config *cfg, const config_setting_t *list, const char *file,
                         char *err, size_t errlen)
{
    size_t ng = 0, k = 0;

    cfg->by_id = malloc((cfg->nscreens ? cfg->nscreens : 1) * sizeof *cfg->by_id);
    for (size_t i = 0; i < cfg->nscreens; i++)
        ng += cfg->screens[i].ngroups;
    cfg->groups = malloc((ng ? ng : 1) * sizeof *cfg->groups);
    if (!cfg->by_id || !cfg->groups) {
        pl_cfg_error(err, errlen, file, list, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < cfg->nscreens; i++) {
        cfg->by_id[i] = &cfg->screens[i];
        for (size_t g = 0; g < cfg->screens[i].ngroups; g++)
            cfg->groups[k++] = cfg->screens[i].groups[g];
    }
    qsort(cfg->by_id, cfg->nscreens, sizeof *cfg->by_id, screen_ptr_cmp);
    for (size_t i = 1; i < cfg->nscreens; i++) {
        if (strcmp(cfg->by_id[i - 1]->id, cfg->by_id[i]->id) == 0) {
            if (!list)
                return -1; /* read again with libconfig for the message */
            const config_setting_t *g =
                config_setting_get_elem(list, (unsigned)(cfg->by_id[i] - cfg->screens));
            pl_cfg_error(err, errlen, file, config_setting_get_member(g, "id"),
                         "screen id \"%s\" is used twice; every screen needs its own id",
                         cfg->by_id[i]->id);
            return -1;
        }
    }
    /* Each name once (a table, as a network has few groups and many
     * screens in each), then sorted. */
    {
        size_t cap = 64, *tab;
        while (cap < 2 * ng + 2)
            cap *= 2;
        tab = calloc(cap, sizeof *tab);
        if (!tab) {
            pl_cfg_error(err, errlen, file, list, "out of memory");
            return -1;
        }
        cfg->ngroups = 0;
        for (size_t i = 0; i < ng; i++) {
            const char *g = cfg->groups[i];
            size_t h = 5381;
            for (const char *q = g; *q; q++)
                h = h * 33 + (unsigned char)*q;
            for (h &= cap - 1; tab[h] && strcmp(cfg->groups[tab[h] - 1], g) != 0;
                 h = (h + 1) & (cap - 1))
                ;
            if (!tab[h]) {
                cfg->groups[cfg->ngroups++] = g;
                tab[h] = cfg->ngroups;
            }
        }
        free(tab);
    }
    qsort(cfg->groups, cfg->ngroups, sizeof *cfg->groups, str_ptr_cmp);
    /* A group named like a screen would make targets ambiguous. */
    for (size_t i = 0; i < cfg->nscreens; i++) {
        for (size_t g = 0; g < cfg->screens[i].ngroups; g++) {
            const char *gname = cfg->screens[i].groups[g];
            if (pl_config_screen(cfg, gname)) {
                if (!list)
                    return -1;
                const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
                pl_cfg_error(err, errlen, file, config_setting_get_member(e, "groups"),
                             "group \"%s\" has the name of a screen; give the group another "
                             "name",
                             gname);
                return -1;
            }
        }
    }
    return 0;
}

static int parse_screens(const config_setting_t *root, struct pl_config *cfg, const char *file,
                         char *err, size_t errlen)
{
    const config_setting_t *list = config_setting_get_member(root, "screens");
    int n;

    if (!list) {
        pl_cfg_error(err, errlen, file, NULL,
                     "no 'screens'; add screens = ( { id = \"...\"; width = 1920; height = "
                     "1080; } );");
        return -1;
    }
    n = config_setting_length(list);
    if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0) {
        pl_cfg_error(err, errlen, file, list,
                     "'screens' must be a non-empty list ( { id = ...; }, { ... } )");
        return -1;
    }
    if (n > CONFIG_MAX_SCREENS) {
        pl_cfg_error(err, errlen, file, list, "%d screens; at most %d are allowed", n,
                     CONFIG_MAX_SCREENS);
        return -1;
    }
    cfg->screens = calloc((size_t)n, sizeof *cfg->screens);
    if (!cfg->screens) {
        pl_cfg_error(err, errlen, file, list, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        struct pl_screen *s = &cfg->screens[i];
        cfg->nscreens++;
        if (parse_screen(g, s, file, err, errlen) < 0)
            return -1;
    }
    return index_screens(cfg, list, file, err, errlen);
}

/* The screens list TEXT[OPEN..CLOSE] (its brackets) read by cfgfast.h and
 * checked by the same rules.  0, or -1 when it must be read with
 * libconfig: something cfgfast.h does not follow, or an error to report
 * with its line. */
static int screens_fast(struct pl_config *cfg, const char *text, size_t open, size_t close,
                        const char *file)
{
    struct pl_cfgfast_screen *v;
    size_t n;
    char err[8];
    int r = -1;

    if (!pl_utf8_valid(text + open, close - open) || memchr(text + open, '\0', close - open) ||
        pl_cfgfast_screens(text + open + 1, close - open - 1, &v, &n) < 0)
        return -1;
    if (n == 0 || n > CONFIG_MAX_SCREENS || !(cfg->screens = calloc(n, sizeof *cfg->screens)))
        goto out_free;
    for (size_t i = 0; i < n; i++) {
        struct screen_in in = {v[i].id,        v[i].name,       (const char **)v[i].groups,
                               v[i].ngroups,   v[i].has_groups, v[i].width,
                               v[i].height,    v[i].rotate,     v[i].has_width,
                               v[i].has_height};
        cfg->nscreens++;
        /* What pl_cfg_string() refuses in a name (an id is checked whole). */
        if ((in.name && (!*in.name || !pl_utf8_valid(in.name, strlen(in.name)))) ||
            screen_check(&in, &cfg->screens[i], NULL, file, err, sizeof err) < 0)
            goto out_free;
    }
    r = index_screens(cfg, NULL, file, err, sizeof err);
out_free:
    pl_cfgfast_free(v, n);
    return r;
}

/* Reads the configuration in TEXT (LEN bytes, from PATH).  Unless MODE is
 * READ_LIBCONFIG the screens list is cut out of what libconfig reads, and
 * read by cfgfast.h (READ_FAST) or left out (READ_HEAD).  The caller reads a
 * file refused this way again with libconfig, for its message. */
enum read_mode {
    READ_LIBCONFIG, /* everything with libconfig */
    READ_FAST,      /* the screens list by cfgfast.h */
    READ_HEAD,      /* the screens list left out */
};

static struct pl_config *config_from_text(const char *path, const char *text, size_t len,
                                          enum read_mode mode, char *err, size_t errlen)
{
    struct pl_config *cfg;
    config_t lc;
    const config_setting_t *root, *fb;
    const char *v;
    long long n;
    size_t open = 0, close = 0;
    char *rest = NULL;
    bool fast = mode != READ_LIBCONFIG;
    int r;

    cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        snprintf(err, errlen, "%s: error: out of memory", path);
        return NULL;
    }
    config_init(&lc);
    if (fast) {
        if (!pl_cfgfast_find_list(text, len, "screens", &open, &close))
            goto out_destroy;
        /* libconfig reads the rest, "screens = ()".  Its lines after the
         * list are off, but a file refused here is read again whole for
         * the message (config_load()). */
        rest = malloc(len - (close - open) + 2);
        if (!rest)
            goto out_nomem;
        memcpy(rest, text, open + 1);
        memcpy(rest + open + 1, text + close, len - close);
        r = pl_cfg_read_text(&lc, rest, open + 1 + (len - close), path, err, errlen);
    } else {
        r = pl_cfg_read_text(&lc, text, len, path, err, errlen);
    }
    if (r < 0)
        goto out_destroy;
    root = config_root_setting(&lc);
    if (check_members(root, top_members, sizeof top_members / sizeof *top_members, "top-level",
                      TOP_LIST, path, err, errlen) < 0)
        goto out_destroy;
    cfg->pulls = config_setting_get_member(root, "sync") != NULL;
    cfg->path = strdup(path);
    cfg->dir = dir_of(path);
    if (!cfg->path || !cfg->dir)
        goto out_nomem;

    v = CONFIG_DEFAULT_STATE;
    if (pl_cfg_string(root, "state", path, &v, err, errlen) < 0)
        goto out_destroy;
    cfg->state = state_path(cfg->dir, v);
    if (!cfg->state)
        goto out_nomem;

    v = CONFIG_DEFAULT_TZ;
    if (pl_cfg_string(root, "timezone", path, &v, err, errlen) < 0)
        goto out_destroy;
    {
        char tzerr[256];
        cfg->tz = pl_tz_new(v, tzerr, sizeof tzerr);
        if (!cfg->tz) {
            pl_cfg_error(err, errlen, path, config_setting_get_member(root, "timezone"),
                         "'timezone': %s", tzerr);
            goto out_destroy;
        }
    }
    cfg->timezone = strdup(v);
    if (!cfg->timezone)
        goto out_nomem;

    n = CONFIG_DEFAULT_HORIZON;
    if (pl_cfg_int(root, "horizon_days", path, 1, 366, &n, err, errlen) < 0)
        goto out_destroy;
    cfg->horizon_days = (int)n;
    cfg->default_duration_ms = CONFIG_DEFAULT_DURATION_MS;
    if (pl_cfg_seconds(root, "default_duration", path, PL_DURATION_MIN_MS, PL_DURATION_MAX_MS,
                       &cfg->default_duration_ms, err, errlen) < 0)
        goto out_destroy;
    cfg->pending_grace_ms = CONFIG_DEFAULT_GRACE_MS;
    if (pl_cfg_seconds(root, "pending_grace", path, 0, CONFIG_GRACE_MAX_MS, &cfg->pending_grace_ms,
                       err, errlen) < 0)
        goto out_destroy;
    cfg->settle_ms = CONFIG_DEFAULT_SETTLE_MS;
    if (pl_cfg_seconds(root, "settle", path, 0, CONFIG_SETTLE_MAX_MS, &cfg->settle_ms, err,
                       errlen) < 0)
        goto out_destroy;
    cfg->convert_timeout_ms = CONFIG_DEFAULT_CONVERT_MS;
    if (pl_cfg_seconds(root, "convert_timeout", path, 100, CONFIG_CONVERT_MAX_MS,
                       &cfg->convert_timeout_ms, err, errlen) < 0)
        goto out_destroy;
    n = CONFIG_DEFAULT_HISTORY;
    if (pl_cfg_int(root, "history_keep", path, 0, 1000000, &n, err, errlen) < 0)
        goto out_destroy;
    cfg->history_keep = (int)n;
    {
        const struct {
            const char *name;
            int def;
            int *out;
        } keep[] = {
            {"log_keep_days", CONFIG_DEFAULT_LOG_KEEP, &cfg->log_keep_days},
            {"rejected_keep_days", CONFIG_DEFAULT_REJECTED_KEEP, &cfg->rejected_keep_days},
            {"spool_keep_days", CONFIG_DEFAULT_SPOOL_KEEP, &cfg->spool_keep_days},
            {"media_grace_days", CONFIG_DEFAULT_MEDIA_GRACE, &cfg->media_grace_days},
        };
        for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
            n = keep[i].def;
            if (pl_cfg_int(root, keep[i].name, path, 0, CONFIG_KEEP_MAX, &n, err, errlen) < 0)
                goto out_destroy;
            *keep[i].out = (int)n;
        }
    }
    v = "software";
    if (pl_cfg_string(root, "video_decode", path, &v, err, errlen) < 0)
        goto out_destroy;
    if (strcmp(v, "software") != 0 && strcmp(v, "vaapi") != 0) {
        pl_cfg_error(err, errlen, path, config_setting_get_member(root, "video_decode"),
                     "'video_decode' is \"%.40s\"; write \"software\" or \"vaapi\" (the GPU, "
                     "where it can; software where it cannot)",
                     v);
        goto out_destroy;
    }
    cfg->video_vaapi = strcmp(v, "vaapi") == 0;

    if (mode == READ_FAST) {
        cfg->place_known = true;
        cfg->list_open = open;
        cfg->list_close = close;
    }
    if (mode == READ_HEAD) {
        cfg->screens_left_out = true;
    } else if (fast ? screens_fast(cfg, text, open, close, path) < 0
                    : parse_screens(root, cfg, path, err, errlen) < 0)
        goto out_destroy;

    fb = config_setting_get_member(root, "fallback");
    if (fb) {
        if (parse_fallback(fb, cfg, path, err, errlen) < 0)
            goto out_destroy;
    } else {
        cfg->fallback = fallback_default(cfg->default_duration_ms);
        if (!cfg->fallback)
            goto out_nomem;
    }
    config_destroy(&lc);
    free(rest);
    return cfg;

out_nomem:
    snprintf(err, errlen, "%s: error: out of memory", path);
out_destroy:
    config_destroy(&lc);
    free(rest);
    pl_config_free(cfg);
    return NULL;
}

static struct pl_config *config_load(const char *path, enum read_mode mode, char *err,
                                     size_t errlen)
{
    struct pl_config *cfg;
    struct stat sb;
    char *text;
    size_t len;
    int fd, r;

    if (!path) {
        snprintf(err, errlen, "(config): error: no config file given");
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) < 0)
        memset(&sb, 0, sizeof sb);
    r = slurp_fd(fd, path, CONFIG_MAX_BYTES, &text, &len, err, errlen);
    close(fd);
    if (r < 0)
        return NULL;
    /* Whatever the quick reading finds wrong, libconfig reads the whole file
     * and says what: its messages come in file order. */
    cfg = config_from_text(path, text, len, mode, err, errlen);
    if (!cfg && mode != READ_LIBCONFIG)
        cfg = config_from_text(path, text, len, READ_LIBCONFIG, err, errlen);
    free(text);
    if (cfg) {
        cfg->file_dev = sb.st_dev;
        cfg->file_ino = sb.st_ino;
        cfg->file_mtime_ns = ts_ns(&sb.st_mtim);
        cfg->file_ctime_ns = ts_ns(&sb.st_ctim);
        cfg->file_size = (long long)len;
        cfg->place_known = cfg->place_known && sb.st_size == (off_t)len && sb.st_ino != 0;
    }
    return cfg;
}

struct pl_config *pl_config_load(const char *path, char *err, size_t errlen)
{
    return config_load(path, READ_FAST, err, errlen);
}

/* The record pl_config_save_place() writes: the file's identity and where
 * its screens list is. */
static int place_format(const struct pl_config *cfg, char *buf, size_t len)
{
    return snprintf(buf, len, "%llu %llu %lld %lld %lld %zu %zu\n", cfg->file_dev, cfg->file_ino,
                    cfg->file_mtime_ns, cfg->file_ctime_ns, cfg->file_size, cfg->list_open,
                    cfg->list_close);
}

int pl_config_save_place(const struct pl_config *cfg, char *err, size_t errlen)
{
    char line[160], *path = NULL, *old = NULL;
    size_t oldlen = 0;
    int n, r = 0;

    if (!cfg->place_known)
        return 0;
    n = place_format(cfg, line, sizeof line);
    if (n < 0 || (size_t)n >= sizeof line || !(path = join_path(cfg->state, CONFIG_PLACE))) {
        snprintf(err, errlen, "%s/%s: out of memory", cfg->state, CONFIG_PLACE);
        free(path);
        return -1;
    }
    if (slurp_path(path, NULL, sizeof line, &old, &oldlen, NULL, 0) < 0 || oldlen != (size_t)n ||
        memcmp(old, line, (size_t)n) != 0)
        r = atomic_write_file(path, line, (size_t)n, 0644, err, errlen);
    free(old);
    free(path);
    return r < 0 ? -1 : 0;
}

/* The head of PATH read around its screens list, where STATE/.config-place
 * says it is for this very file (the same device, inode, times and size);
 * NULL (quietly) when that cannot be
 * trusted or used: the caller scans the file. */
static struct pl_config *config_load_placed(const char *path)
{
    char *head = NULL, *state = NULL, *dir = NULL, *root = NULL, *place = NULL, *rec = NULL;
    char *text = NULL, err[512];
    unsigned long long dev, ino;
    long long mtime_ns, ctime_ns, size;
    size_t open_at, close_at, reclen, len;
    struct pl_config *cfg = NULL;
    struct stat sb;
    ssize_t n;
    int used = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > CONFIG_MAX_BYTES ||
        !(head = malloc(CONFIG_HEAD_BYTES + 1)) || (n = pread(fd, head, CONFIG_HEAD_BYTES, 0)) <= 0)
        goto out;
    head[n] = '\0';
    /* No `state` before the list: most likely none at all, so the default,
     * as config_from_text() takes it; checked below against the file. */
    state = pl_cfgfast_top_string(head, (size_t)n, "state", "screens");
    if (!state && !(state = strdup(CONFIG_DEFAULT_STATE)))
        goto out;
    if (!*state || !(dir = dir_of(path)))
        goto out;
    if (!(root = state_path(dir, state)) || !(place = join_path(root, CONFIG_PLACE)) ||
        slurp_path(place, NULL, 160, &rec, &reclen, NULL, 0) < 0 ||
        sscanf(rec, "%llu %llu %lld %lld %lld %zu %zu%n", &dev, &ino, &mtime_ns, &ctime_ns, &size,
               &open_at, &close_at, &used) != 7 ||
        (size_t)used + 1 != reclen || rec[used] != '\n')
        goto out;
    /* The record holds for this file only: the same inode, unchanged. */
    if (dev != (unsigned long long)sb.st_dev || ino != (unsigned long long)sb.st_ino ||
        mtime_ns != ts_ns(&sb.st_mtim) || ctime_ns != ts_ns(&sb.st_ctim) ||
        size != (long long)sb.st_size || open_at >= close_at || close_at >= (size_t)size)
        goto out;
    /* The part before the list is usually in the head read already. */
    len = open_at + 1 + ((size_t)size - close_at);
    if (!(text = malloc(len + 1)))
        goto out;
    if ((size_t)n > open_at)
        memcpy(text, head, open_at + 1);
    else if (pread(fd, text, open_at + 1, 0) != (ssize_t)(open_at + 1))
        goto out;
    if (pread(fd, text + open_at + 1, (size_t)size - close_at, (off_t)close_at) !=
            (ssize_t)((size_t)size - close_at) ||
        text[open_at] != '(' || text[open_at + 1] != ')')
        goto out;
    text[len] = '\0';
    cfg = config_from_text(path, text, len, READ_HEAD, err, sizeof err);
    /* The state read whole must be the one the record was found in (a
     * `state` after the list, where the guess above did not look). */
    if (cfg && strcmp(cfg->state, root) != 0) {
        pl_config_free(cfg);
        cfg = NULL;
    }
    if (cfg)
        cfg->head_from_place = true;
out:
    close(fd);
    free(head);
    free(state);
    free(dir);
    free(root);
    free(place);
    free(rec);
    free(text);
    return cfg;
}

struct pl_config *pl_config_load_head(const char *path, char *err, size_t errlen)
{
    struct pl_config *cfg = path ? config_load_placed(path) : NULL;

    return cfg ? cfg : config_load(path, READ_HEAD, err, errlen);
}

struct pl_config *pl_config_load_libconfig(const char *path, char *err, size_t errlen)
{
    return config_load(path, READ_LIBCONFIG, err, errlen);
}

void pl_config_free(struct pl_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->dir);
    free(cfg->state);
    free(cfg->timezone);
    pl_tz_free(cfg->tz);
    pl_campaign_free(cfg->fallback);
    for (size_t i = 0; i < cfg->nscreens; i++) {
        struct pl_screen *s = &cfg->screens[i];
        free(s->id);
        free(s->name);
        for (size_t k = 0; k < s->ngroups; k++)
            free(s->groups[k]);
        free(s->groups);
    }
    free(cfg->screens);
    free(cfg->by_id);
    free(cfg->groups);
    free(cfg);
}

static int id_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, (*(const struct pl_screen *const *)elem)->id);
}

static int str_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

const struct pl_screen *pl_config_screen(const struct pl_config *cfg, const char *id)
{
    struct pl_screen **s;

    if (!cfg || !id || !cfg->by_id)
        return NULL;
    s = bsearch(id, cfg->by_id, cfg->nscreens, sizeof *cfg->by_id, id_key_cmp);
    return s ? *s : NULL;
}

bool pl_config_target_known(const struct pl_config *cfg, const char *target)
{
    if (!cfg || !target)
        return false;
    if (strcmp(target, "*") == 0)
        return cfg->nscreens > 0;
    return pl_config_screen(cfg, target) ||
           (cfg->groups &&
            bsearch(target, cfg->groups, cfg->ngroups, sizeof *cfg->groups, str_key_cmp));
}

bool pl_screen_targeted(const struct pl_screen *s, const struct pl_campaign *c)
{
    if (!s || !c)
        return false;
    for (size_t i = 0; i < c->nscreens; i++) {
        const char *t = c->screens[i];
        if (!t)
            continue;
        if (strcmp(t, "*") == 0 || (s->id && strcmp(t, s->id) == 0) || screen_has_group(s, t))
            return true;
    }
    return false;
}
