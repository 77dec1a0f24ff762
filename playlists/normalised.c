/* normalised.c - the accepted campaign file (see normalised.h). */
#include "playlists/normalised.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/slurp.h"
#include "common/utf8.h"
#include "playlists/cfgutil.h"

#define NORMALISED_FORMAT 1

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static void put_str(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sb_puts(sb, "\\\"");
            break;
        case '\\':
            sb_puts(sb, "\\\\");
            break;
        case '\n':
            sb_puts(sb, "\\n");
            break;
        case '\r':
            sb_puts(sb, "\\r");
            break;
        case '\t':
            sb_puts(sb, "\\t");
            break;
        case '\f':
            sb_puts(sb, "\\f");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(sb, "\\x%02x", *p);
            else
                sb_putc(sb, (char)*p);
        }
    }
    sb_putc(sb, '"');
}

static void put_hhmm(struct strbuf *sb, int min)
{
    sb_printf(sb, "\"%02d:%02d\"", min / 60, min % 60);
}

int pl_campaign_format(const struct pl_campaign *c, const pl_tz *tz, struct strbuf *out)
{
    char t[PL_TIME_BUFSZ];

    sb_puts(out, "# Accepted by signage-scheduler");
    if (c->source && !strpbrk(c->source, "\r\n")) {
        char shown[UTF8_PRINTABLE_NAME];
        sb_printf(out, " from %s", utf8_printable(c->source, shown, sizeof shown));
    }
    sb_puts(out, ".  Do not edit: drop a new version into spool/,\n"
                 "# or remove it with `signagectl withdraw`.\n");
    sb_printf(out, "format = %d;\nid = ", NORMALISED_FORMAT);
    put_str(out, c->id);
    sb_puts(out, ";\n");
    /* Empty strings are left out: the reader takes an absent one as "". */
    if (c->title && c->title[0]) {
        sb_puts(out, "title = ");
        put_str(out, c->title);
        sb_puts(out, ";\n");
    }
    if (c->owner && c->owner[0]) {
        sb_puts(out, "owner = ");
        put_str(out, c->owner);
        sb_puts(out, ";\n");
    }
    if (pl_time_format(c->start, tz, t, sizeof t) < 0)
        return -1;
    sb_printf(out, "start = \"%s\";\n", t);
    if (pl_time_format(c->end, tz, t, sizeof t) < 0)
        return -1;
    sb_printf(out, "end = \"%s\";\nscreens = [ ", t);
    for (size_t i = 0; i < c->nscreens; i++) {
        if (i)
            sb_puts(out, ", ");
        put_str(out, c->screens[i]);
    }
    sb_printf(out, " ];\npriority = %d;\nweight = %d;\n", c->priority, c->weight);
    if (c->nhours) {
        sb_puts(out, "hours = (\n");
        for (size_t i = 0; i < c->nhours; i++) {
            const struct pl_daypart *h = &c->hours[i];
            bool first = true;
            sb_puts(out, "  { days = [ ");
            for (int d = 0; d < 7; d++) {
                if (!(h->days & (1u << d)))
                    continue;
                sb_printf(out, "%s\"%s\"", first ? "" : ", ", day_names[d]);
                first = false;
            }
            sb_puts(out, " ]; from = ");
            put_hhmm(out, h->from_min);
            sb_puts(out, "; to = ");
            put_hhmm(out, h->to_min);
            sb_printf(out, "; }%s\n", i + 1 < c->nhours ? "," : "");
        }
        sb_puts(out, ");\n");
    }
    sb_puts(out, "items = (\n");
    for (size_t i = 0; i < c->nitems; i++) {
        const struct pl_item *it = &c->items[i];
        char col[8];
        sb_printf(out, "  { type = \"%s\"; duration_ms = %lld;", pl_item_type_name(it->type),
                  (long long)it->duration_ms);
        pl_color_format(it->background, col);
        sb_printf(out, " background = \"%s\";", col);
        pl_color_format(it->color, col);
        sb_printf(out, " color = \"%s\";", col);
        if (it->type == PL_ITEM_TEXT) {
            sb_puts(out, " text = ");
            put_str(out, it->text ? it->text : "");
            sb_putc(out, ';');
        } else {
            sb_puts(out, " file = ");
            put_str(out, it->file ? it->file : "");
            sb_puts(out, "; media = ");
            put_str(out, it->media ? it->media : "");
            sb_printf(out, "; sha256 = \"%s\";", it->sha256);
            if (it->page)
                sb_printf(out, " page = %d;", it->page);
            if (it->source_sha256[0])
                sb_printf(out, " source_sha256 = \"%s\";", it->source_sha256);
        }
        sb_printf(out, " line = %d; }%s\n", it->line, i + 1 < c->nitems ? "," : "");
    }
    sb_puts(out, ");\n");
    if (c->source) {
        char shown[UTF8_PRINTABLE_NAME];
        sb_puts(out, "source = ");
        /* Names from the spool come escaped already; anything else is
         * made readable here, so the file always reads back. */
        put_str(out, utf8_valid(c->source, strlen(c->source))
                         ? c->source
                         : utf8_printable(c->source, shown, sizeof shown));
        sb_puts(out, ";\n");
    }
    if (c->version) {
        sb_printf(out, "version = %u;\narrived_ns = %lldL;\nmtime_ns = %lldL;\n", c->version,
                  (long long)c->arrived_ns, (long long)c->mtime_ns);
        if (c->restored_from)
            sb_printf(out, "restored_from = %u;\n", c->restored_from);
    }
    return sb_failed(out) ? -1 : 0;
}

static int get_str(const config_setting_t *g, const char *name, const char *file, bool need,
                   char **out, char *err, size_t errlen)
{
    const char *s = NULL;
    int r = pl_cfg_string(g, name, file, &s, err, errlen);

    if (r < 0)
        return -1;
    if (r == 1) {
        if (!need)
            return 0;
        pl_cfg_error(err, errlen, file, g,
                     "missing \"%s\"; the accepted file is damaged, "
                     "drop the campaign into spool/ again",
                     name);
        return -1;
    }
    *out = strdup(s);
    if (!*out) {
        pl_cfg_error(err, errlen, file, g, "out of memory");
        return -1;
    }
    return 0;
}

static int parse_hours(const config_setting_t *hs, const char *file, struct pl_campaign *c,
                       char *err, size_t errlen)
{
    int n = config_setting_length(hs);

    if (!config_setting_is_list(hs) || n <= 0 || n > 64) {
        pl_cfg_error(err, errlen, file, hs, "\"hours\" must be a list of 1..64 dayparts");
        return -1;
    }
    c->hours = calloc((size_t)n, sizeof *c->hours);
    if (!c->hours) {
        pl_cfg_error(err, errlen, file, hs, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *h = config_setting_get_elem(hs, (unsigned)i);
        const config_setting_t *days = config_setting_get_member(h, "days");
        const char *from, *to;
        struct pl_daypart *d = &c->hours[i];
        int nd = days ? config_setting_length(days) : 0;

        if (!days || !config_setting_is_array(days) || nd <= 0) {
            pl_cfg_error(err, errlen, file, h, "a daypart needs \"days\"");
            return -1;
        }
        for (int k = 0; k < nd; k++) {
            const char *dn = config_setting_get_string_elem(days, (unsigned)k);
            int wd = dn ? pl_weekday_parse(dn) : -1;
            if (wd < 0) {
                pl_cfg_error(err, errlen, file, days, "unknown weekday");
                return -1;
            }
            d->days |= 1u << wd;
        }
        if (pl_cfg_string(h, "from", file, &from, err, errlen) != 0 ||
            pl_cfg_string(h, "to", file, &to, err, errlen) != 0 ||
            pl_hhmm_parse(from, &d->from_min, err, errlen) < 0 ||
            pl_hhmm_parse(to, &d->to_min, err, errlen) < 0) {
            if (!err[0])
                pl_cfg_error(err, errlen, file, h, "a daypart needs \"from\" and \"to\"");
            return -1;
        }
        c->nhours++;
    }
    return 0;
}

static int parse_item(const config_setting_t *s, const char *file, struct pl_item *it, char *err,
                      size_t errlen)
{
    const char *type, *sha = NULL, *col;
    long long dur, line = 0, page = 0;
    int t;

    it->line = config_setting_source_line(s);
    if (pl_cfg_string(s, "type", file, &type, err, errlen) != 0 ||
        (t = pl_item_type_parse(type)) < 0) {
        pl_cfg_error(err, errlen, file, s, "an item needs type \"image\", \"video\" or \"text\"");
        return -1;
    }
    it->type = (enum pl_item_type)t;
    if (pl_cfg_int(s, "duration_ms", file, PL_DURATION_MIN_MS, PL_DURATION_MAX_MS, &dur, err,
                   errlen) != 0) {
        if (!err[0])
            pl_cfg_error(err, errlen, file, s, "an item needs \"duration_ms\"");
        return -1;
    }
    it->duration_ms = dur;
    if (pl_cfg_int(s, "line", file, 0, 10000000, &line, err, errlen) < 0)
        return -1;
    it->line = (int)line;
    if (pl_cfg_string(s, "background", file, &col, err, errlen) != 0 ||
        pl_color_parse(col, &it->background) < 0 ||
        pl_cfg_string(s, "color", file, &col, err, errlen) != 0 ||
        pl_color_parse(col, &it->color) < 0) {
        pl_cfg_error(err, errlen, file, s,
                     "an item needs \"background\" and \"color\" "
                     "as \"#rrggbb\"");
        return -1;
    }
    if (it->type == PL_ITEM_TEXT)
        return get_str(s, "text", file, true, &it->text, err, errlen);
    if (get_str(s, "file", file, true, &it->file, err, errlen) < 0 ||
        get_str(s, "media", file, true, &it->media, err, errlen) < 0)
        return -1;
    if (pl_cfg_string(s, "sha256", file, &sha, err, errlen) != 0 || !pl_sha256_valid(sha) ||
        !pl_media_path_valid(it->media, sha)) {
        pl_cfg_error(err, errlen, file, s,
                     "\"media\" and \"sha256\" must name a stored medium "
                     "(media/<64 lowercase hex digits>.<ext>)");
        return -1;
    }
    memcpy(it->sha256, sha, 65);
    if (pl_cfg_int(s, "page", file, 1, PL_PAGE_MAX, &page, err, errlen) < 0)
        return -1;
    it->page = (int)page;
    sha = NULL;
    if (pl_cfg_string(s, "source_sha256", file, &sha, err, errlen) < 0 ||
        (sha && !pl_sha256_valid(sha))) {
        pl_cfg_error(err, errlen, file, s, "\"source_sha256\" must be 64 lowercase hex digits");
        return -1;
    }
    if (sha)
        memcpy(it->source_sha256, sha, 65);
    return 0;
}

struct pl_campaign *pl_campaign_parse_normalised(const char *text, size_t len, const char *name,
                                                 const pl_tz *tz, char *err, size_t errlen)
{
    config_t cfg;
    config_setting_t *root, *list;
    struct pl_campaign *c = NULL;
    const char *s;
    long long v;
    int n;

    err[0] = '\0';
    config_init(&cfg);
    if (pl_cfg_read_text(&cfg, text, len, name, err, errlen) < 0)
        goto out_destroy;
    root = config_root_setting(&cfg);
    c = calloc(1, sizeof *c);
    if (!c)
        goto out_nomem;
    if (pl_cfg_int(root, "format", name, NORMALISED_FORMAT, NORMALISED_FORMAT, &v, err, errlen) !=
        0) {
        if (!err[0])
            pl_cfg_error(err, errlen, name, root, "not a normalised campaign (no \"format = %d\")",
                         NORMALISED_FORMAT);
        goto out_fail;
    }
    if (get_str(root, "id", name, true, &c->id, err, errlen) < 0)
        goto out_fail;
    if (!pl_id_valid(c->id)) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(root, "id"), "bad id \"%s\"",
                     c->id);
        goto out_fail;
    }
    if (get_str(root, "title", name, false, &c->title, err, errlen) < 0 ||
        get_str(root, "owner", name, false, &c->owner, err, errlen) < 0 ||
        get_str(root, "source", name, false, &c->source, err, errlen) < 0)
        goto out_fail;
    if (!c->title)
        c->title = strdup("");
    if (!c->owner)
        c->owner = strdup("");
    if (!c->title || !c->owner)
        goto out_nomem;
    if (pl_cfg_string(root, "start", name, &s, err, errlen) != 0 ||
        pl_time_parse(s, tz, PL_TIME_INSTANT, &c->start, err, errlen) < 0 ||
        pl_cfg_string(root, "end", name, &s, err, errlen) != 0 ||
        pl_time_parse(s, tz, PL_TIME_INSTANT, &c->end, err, errlen) < 0 || c->end <= c->start) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        pl_cfg_error(err, errlen, name, root, "bad \"start\"/\"end\"%s%s", why[0] ? ": " : "", why);
        goto out_fail;
    }
    if (pl_cfg_int(root, "priority", name, 0, PL_PRIORITY_MAX, &v, err, errlen) != 0)
        goto out_missing;
    c->priority = (int)v;
    if (pl_cfg_int(root, "weight", name, 1, PL_WEIGHT_MAX, &v, err, errlen) != 0)
        goto out_missing;
    c->weight = (int)v;
    list = config_setting_get_member(root, "screens");
    n = list ? config_setting_length(list) : 0;
    if (!list || !config_setting_is_array(list) || n <= 0) {
        pl_cfg_error(err, errlen, name, root, "\"screens\" must be a non-empty list of names");
        goto out_fail;
    }
    c->screens = calloc((size_t)n, sizeof *c->screens);
    if (!c->screens)
        goto out_nomem;
    for (int i = 0; i < n; i++) {
        const char *sc = config_setting_get_string_elem(list, (unsigned)i);
        if (!sc || !sc[0]) {
            pl_cfg_error(err, errlen, name, list, "\"screens\" must hold strings");
            goto out_fail;
        }
        c->screens[i] = strdup(sc);
        if (!c->screens[i])
            goto out_nomem;
        c->nscreens++;
    }
    if (pl_cfg_int(root, "version", name, 1, UINT32_MAX, &v, err, errlen) < 0)
        goto out_fail;
    c->version = config_setting_get_member(root, "version") ? (unsigned)v : 0;
    if (c->version) {
        if (pl_cfg_int(root, "arrived_ns", name, INT64_MIN, INT64_MAX, &v, err, errlen) != 0)
            goto out_missing_version;
        c->arrived_ns = v;
        if (pl_cfg_int(root, "mtime_ns", name, INT64_MIN, INT64_MAX, &v, err, errlen) != 0)
            goto out_missing_version;
        c->mtime_ns = v;
        v = 0;
        if (pl_cfg_int(root, "restored_from", name, 1, UINT32_MAX, &v, err, errlen) < 0)
            goto out_fail;
        c->restored_from = (unsigned)v;
    }
    list = config_setting_get_member(root, "hours");
    if (list && parse_hours(list, name, c, err, errlen) < 0)
        goto out_fail;
    list = config_setting_get_member(root, "items");
    n = list ? config_setting_length(list) : 0;
    if (!list || !config_setting_is_list(list) || n <= 0) {
        pl_cfg_error(err, errlen, name, root, "\"items\" must be a non-empty list");
        goto out_fail;
    }
    c->items = calloc((size_t)n, sizeof *c->items);
    if (!c->items)
        goto out_nomem;
    for (int i = 0; i < n; i++) {
        const config_setting_t *is = config_setting_get_elem(list, (unsigned)i);
        c->nitems++;
        if (!config_setting_is_group(is)) {
            pl_cfg_error(err, errlen, name, is, "an item must be a group { ... }");
            goto out_fail;
        }
        if (parse_item(is, name, &c->items[i], err, errlen) < 0)
            goto out_fail;
    }
    config_destroy(&cfg);
    return c;
out_missing_version:
    if (!err[0])
        pl_cfg_error(err, errlen, name, root,
                     "a \"version\" needs \"arrived_ns\" and \"mtime_ns\"");
    goto out_fail;
out_missing:
    if (!err[0])
        pl_cfg_error(err, errlen, name, root, "missing \"priority\" or \"weight\"");
    goto out_fail;
out_nomem:
    pl_cfg_error(err, errlen, name, NULL, "out of memory");
out_fail:
    pl_campaign_free(c);
    c = NULL;
out_destroy:
    config_destroy(&cfg);
    return c;
}

struct pl_campaign *pl_campaign_read_normalised(const char *path, const pl_tz *tz, char *err,
                                                size_t errlen)
{
    struct pl_campaign *c;
    char *text = NULL;
    size_t len;

    if (slurp_path(path, NULL, PL_NORMALISED_MAX_BYTES, &text, &len, err, errlen) < 0)
        return NULL;
    c = pl_campaign_parse_normalised(text, len, path, tz, err, errlen);
    free(text);
    return c;
}

bool pl_is_campaign_name(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".cfg") == 0 && n - 4 <= PL_ID_MAX;
}

struct pl_campaign *pl_campaign_read_accepted(const char *dir, const char *name, const pl_tz *tz,
                                              struct stat *sb, char *err, size_t errlen)
{
    struct pl_campaign *c;
    char *text = NULL, *path = NULL;
    size_t len = 0;
    int fd, r;

    if (asprintf(&path, "%s/%s", dir, name) < 0) {
        snprintf(err, errlen, "%s/%s: out of memory", dir, name);
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    if (sb && fstat(fd, sb) < 0)
        memset(sb, 0, sizeof *sb);
    r = slurp_fd(fd, path, PL_NORMALISED_MAX_BYTES, &text, &len, err, errlen);
    close(fd);
    free(path);
    if (r < 0)
        return NULL;
    c = pl_campaign_parse_normalised(text, len, name, tz, err, errlen);
    free(text);
    if (!c)
        return NULL;
    /* The file name is the id: a mismatch means someone renamed it by hand. */
    if (strlen(name) != strlen(c->id) + 4 || strncmp(name, c->id, strlen(c->id)) != 0) {
        snprintf(err, errlen, "%s/%s: holds campaign \"%s\"; a file must be named <id>.cfg", dir,
                 name, c->id);
        pl_campaign_free(c);
        return NULL;
    }
    return c;
}

static int by_id(const void *a, const void *b)
{
    const struct pl_campaign *x = *(const struct pl_campaign *const *)a;
    const struct pl_campaign *y = *(const struct pl_campaign *const *)b;

    return strcmp(x->id, y->id);
}

int pl_campaigns_load(const char *dir, const pl_tz *tz, struct pl_campaign ***out, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct pl_campaign **v = NULL;
    size_t cap = 0;
    int bad = 0;

    *out = NULL;
    *n = 0;
    if (!d && errno == ENOENT) {
        log_warn("%s does not exist: no campaign has been accepted yet (has the scheduler run?)",
                 dir);
        return 0;
    }
    if (!d) {
        log_error("%s: cannot read the directory: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        char err[1024] = "";
        if (!pl_is_campaign_name(de->d_name))
            continue;
        struct pl_campaign *c =
            pl_campaign_read_accepted(dir, de->d_name, tz, NULL, err, sizeof err);
        if (!c) {
            log_error("%s; left out", err);
            bad++;
            continue;
        }
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct pl_campaign **nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                log_error("%s: out of memory; %s left out", dir, c->id);
                pl_campaign_free(c);
                bad++;
                continue;
            }
            v = nv;
            cap = ncap;
        }
        v[(*n)++] = c;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, by_id);
    *out = v;
    return bad;
}

void pl_campaigns_free(struct pl_campaign **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pl_campaign_free(v[i]);
    free(v);
}
