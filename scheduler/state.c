#include "scheduler/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/slurp.h"
#include "common/utf8.h"
#include "scheduler/history.h"
#include "common/log.h"
#include "playlists/cfgutil.h"

#define NORMALISED_FORMAT 1

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* --- the tree --------------------------------------------------------- */

static int ensure_dir(const char *path, char *err, size_t errlen)
{
    struct stat sb;

    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot create the directory: %s", path, strerror(e));
        return -e;
    }
    if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: exists but is not a directory; move it away", path);
        return -ENOTDIR;
    }
    return 0;
}

static char *join(const char *a, const char *b)
{
    char *s;

    if (asprintf(&s, "%s/%s", a, b) < 0)
        return NULL;
    return s;
}

struct sched_state *sched_state_open(const char *root, char *err, size_t errlen)
{
    struct sched_state *st = calloc(1, sizeof *st);
    char **dirs[6];
    static const char *const names[6] = {"spool", "campaigns", "rejected",
                                         "media", "playlists", "log"};

    if (!st)
        goto out_nomem;
    st->lockfd = -1;
    st->root = strdup(root);
    if (!st->root)
        goto out_nomem;
    if (ensure_dir(root, err, errlen) < 0)
        goto out_free;
    dirs[0] = &st->spool;
    dirs[1] = &st->campaigns;
    dirs[2] = &st->rejected;
    dirs[3] = &st->media;
    dirs[4] = &st->playlists;
    dirs[5] = &st->log;
    for (int i = 0; i < 6; i++) {
        *dirs[i] = join(root, names[i]);
        if (!*dirs[i])
            goto out_nomem;
        if (ensure_dir(*dirs[i], err, errlen) < 0)
            goto out_free;
    }
    return st;
out_nomem:
    snprintf(err, errlen, "%s: out of memory", root);
out_free:
    sched_state_free(st);
    return NULL;
}

void sched_state_free(struct sched_state *st)
{
    if (!st)
        return;
    sched_state_unlock(st);
    free(st->root);
    free(st->spool);
    free(st->campaigns);
    free(st->rejected);
    free(st->media);
    free(st->playlists);
    free(st->log);
    free(st);
}

int sched_state_lock(struct sched_state *st, char *err, size_t errlen)
{
    char *path;
    int fd, e;

    if (st->lockfd >= 0)
        return 0;
    path = join(st->root, ".lock");
    if (!path) {
        snprintf(err, errlen, "%s/.lock: out of memory", st->root);
        return -ENOMEM;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        e = errno;
        snprintf(err, errlen, "%s: cannot open the lock file: %s", path, strerror(e));
        free(path);
        return -e;
    }
    while (flock(fd, LOCK_EX) < 0) {
        if (errno == EINTR)
            continue;
        e = errno;
        snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(e));
        close(fd);
        free(path);
        return -e;
    }
    free(path);
    st->lockfd = fd;
    return 0;
}

void sched_state_unlock(struct sched_state *st)
{
    if (!st || st->lockfd < 0)
        return;
    flock(st->lockfd, LOCK_UN);
    close(st->lockfd);
    st->lockfd = -1;
}

/* --- moving files ----------------------------------------------------- */

static int copy_fd(int in, int out)
{
    char buf[65536];

    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -errno;
            off += w;
        }
    }
}

/* Copies FROM to TO (created exclusively unless REPLACE) through a synced
 * temporary file, then removes FROM. */
static int move_by_copy(const char *from, const char *to, bool replace)
{
    char *tmp = NULL;
    int in = -1, out = -1, r;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", to) < 0)
        return -ENOMEM;
    in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) {
        r = -errno;
        goto out_free;
    }
    out = mkostemp(tmp, O_CLOEXEC);
    if (out < 0) {
        r = -errno;
        goto out_close;
    }
    r = copy_fd(in, out);
    if (r == 0 && fchmod(out, 0644) < 0)
        r = -errno;
    if (r == 0 && fsync(out) < 0)
        r = -errno;
    if (close(out) < 0 && r == 0)
        r = -errno;
    out = -1;
    if (r == 0) {
        if (replace)
            r = rename(tmp, to) < 0 ? -errno : 0;
        else
            r = link(tmp, to) < 0 ? -errno : 0;
    }
    unlink(tmp);
    if (r == 0 && unlink(from) < 0)
        r = -errno;
out_close:
    close(in);
out_free:
    free(tmp);
    return r;
}

static int move_one(const char *from, const char *to, bool replace)
{
    int r;

    if (replace)
        r = rename(from, to) < 0 ? -errno : 0;
    else
        r = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0 ? -errno : 0;
    if (r == -EINVAL && !replace) {
        /* A file system without RENAME_NOREPLACE: link never overwrites. */
        r = link(from, to) < 0 ? -errno : 0;
        if (r == 0)
            unlink(from);
    }
    if (r == -EXDEV)
        r = move_by_copy(from, to, replace);
    return r;
}

/* True when PATH is still (or, after a move on one file system, now) the
 * file ID; a copy across file systems is a new file, and is trusted. */
static bool is_file(const char *path, const struct sched_file_id *id)
{
    struct stat sb;

    if (!id)
        return true;
    if (lstat(path, &sb) < 0)
        return false;
    if (sb.st_dev != id->dev)
        return true;
    return sb.st_ino == id->ino && sb.st_size == id->size &&
           (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec == id->mtime_ns;
}

/* TO was moved from FROM but is another file than the one read, put there
 * by its owner just before: it goes back to FROM (or beside it, numbered,
 * when FROM is taken again) to be judged on its own. */
static void put_back(const char *to, const char *from)
{
    const char *slash = strrchr(from, '/');
    char *dcopy = strdup(from), err[256];

    if (move_one(to, from, false) == 0 || !dcopy || !slash) {
        free(dcopy);
        return;
    }
    sched_move_file(to, dirname(dcopy), slash + 1, false, NULL, 0, err, sizeof err);
    free(dcopy);
}

/* DIR/NAME when N is 0, else DIR/BASE.N.EXT.  Returns 0, or -ENAMETOOLONG
 * when it does not fit in LEN bytes. */
static int numbered_path(char *buf, size_t len, const char *dir, const char *name, int n)
{
    const char *dot = strrchr(name, '.');
    size_t baselen = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    const char *ext = dot && dot != name ? dot : "";
    int w = n == 0 ? snprintf(buf, len, "%s/%s", dir, name)
                   : snprintf(buf, len, "%s/%.*s.%d%s", dir, (int)baselen, name, n, ext);

    return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

int sched_move_file(const char *from, const char *dir, const char *name, bool replace, char *final,
                    size_t finallen, char *err, size_t errlen)
{
    char to[PATH_MAX];
    int r = -EEXIST;

    for (int n = 0; n < 1000 && r == -EEXIST; n++) {
        r = numbered_path(to, sizeof to, dir, name, n);
        if (r == 0)
            r = move_one(from, to, replace);
    }
    if (r < 0) {
        snprintf(err, errlen, "%s: cannot move into %s/: %s", from, dir, strerror(-r));
    } else {
        atomic_sync_dir(dir);
        if (final && finallen)
            snprintf(final, finallen, "%s", to + strlen(dir) + 1);
    }
    return r;
}

/* --- the normalised text ---------------------------------------------- */

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

int sched_campaign_format(const struct pl_campaign *c, const pl_tz *tz, struct strbuf *out)
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

static bool sha_valid(const char *s)
{
    size_t n = strlen(s);

    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* A media path the store could have written: media/<64 hex>.<ext>. */
static bool media_path_valid(const char *m, const char *sha)
{
    if (strncmp(m, "media/", 6) != 0 || strncmp(m + 6, sha, 64) != 0 || m[70] != '.')
        return false;
    for (const char *p = m + 71; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return false;
    return m[71] != '\0' && strlen(m + 71) <= 8;
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
    long long dur, line = 0;
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
    if (pl_cfg_string(s, "sha256", file, &sha, err, errlen) != 0 || !sha_valid(sha) ||
        !media_path_valid(it->media, sha)) {
        pl_cfg_error(err, errlen, file, s,
                     "\"media\" and \"sha256\" must name a stored medium "
                     "(media/<64 lowercase hex digits>.<ext>)");
        return -1;
    }
    memcpy(it->sha256, sha, 65);
    return 0;
}

struct pl_campaign *sched_campaign_parse_normalised(const char *text, size_t len, const char *name,
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

/* --- accepting, withdrawing, restoring ---------------------------------- */

static bool same_arrival(const struct pl_campaign *a, const struct pl_campaign *b)
{
    return a && b && a->version && a->arrived_ns == b->arrived_ns && a->mtime_ns == b->mtime_ns &&
           a->source && b->source && strcmp(a->source, b->source) == 0;
}

/* Reads version N of ID from its history, or the current version when N is
 * 0; NULL (ERR filled) when it cannot be read. */
static struct pl_campaign *read_normalised(const struct sched_state *st, const char *id, unsigned n,
                                           const pl_tz *tz, char *err, size_t errlen)
{
    struct pl_campaign *c = NULL;
    char path[4096], *text = NULL;
    size_t len;

    if (n == 0 ? snprintf(path, sizeof path, "%s/%s.cfg", st->campaigns, id) >= (int)sizeof path
               : sched_history_path(st, id, n, "cfg", path, sizeof path) < 0) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, id);
        return NULL;
    }
    if (slurp_path(path, NULL, SCHED_NORMALISED_MAX_BYTES, &text, &len, err, errlen) < 0)
        return NULL;
    c = sched_campaign_parse_normalised(text, len, path, tz, err, errlen);
    free(text);
    return c;
}

/* Writes C as version C->version of its history and makes it current. */
static int write_version(const struct sched_state *st, const struct pl_campaign *c, const pl_tz *tz,
                         char *err, size_t errlen)
{
    struct strbuf sb = STRBUF_INIT;
    char hist[4096], cur[4096], *tmp = NULL;
    int r;

    if (sched_history_path(st, c->id, c->version, "cfg", hist, sizeof hist) < 0 ||
        snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, c->id) >= (int)sizeof cur) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, c->id);
        return -ENAMETOOLONG;
    }
    if (sched_campaign_format(c, tz, &sb) < 0) {
        snprintf(err, errlen, "%s: out of memory", hist);
        r = -ENOMEM;
        goto out_free;
    }
    /* Current first, then the history's name for it: a version in the
     * history has always been current, and a crash in between leaves a
     * temporary file, which the next start removes. */
    r = atomic_write_temp(hist, sb_str(&sb), sb.len, 0644, &tmp, err, errlen);
    if (r < 0)
        goto out_free;
    r = atomic_link_file(tmp, cur, err, errlen);
    if (r == 0 && rename(tmp, hist) < 0) {
        r = -errno;
        snprintf(err, errlen, "%s: cannot rename into place: %s", hist, strerror(-r));
    }
    if (r < 0)
        unlink(tmp);
    else
        atomic_sync_dir(dirname(strcpy(cur, hist)));
    free(tmp);
out_free:
    sb_free(&sb);
    return r;
}

/* Gives the current version of ID its name in the history when a crash
 * came between making it current and naming it. */
static int name_current(const struct sched_state *st, const char *id, unsigned n, char *err,
                        size_t errlen)
{
    char hist[4096], cur[4096];

    if (sched_history_path(st, id, n, "cfg", hist, sizeof hist) < 0 ||
        snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, id) >= (int)sizeof cur) {
        snprintf(err, errlen, "%s/%s: path too long", st->campaigns, id);
        return -ENAMETOOLONG;
    }
    return atomic_link_file(cur, hist, err, errlen);
}

/* The last version number used in ID's history: the current one's, or a
 * later one made before a crash or a withdrawal. */
static unsigned next_free(const struct sched_state *st, const char *id,
                          const struct pl_campaign *current)
{
    char path[4096];
    unsigned last;

    if (!current || !current->version)
        return sched_history_last(st, id);
    last = current->version;
    while (sched_history_path(st, id, last + 1, "cfg", path, sizeof path) == 0 &&
           access(path, F_OK) == 0)
        last++;
    return last;
}

int sched_state_accept(const struct sched_state *st, struct pl_campaign *c, const pl_tz *tz,
                       const struct pl_campaign *current, const char *src_path,
                       const struct sched_file_id *src_id, int keep, char *err, size_t errlen)
{
    char name[32], dir[4096];
    bool gone = false;
    int r;

    if (!pl_id_valid(c->id)) {
        snprintf(err, errlen, "campaign id \"%s\" is not valid", c->id ? c->id : "");
        return -EINVAL;
    }
    if (src_path && !is_file(src_path, src_id)) {
        snprintf(err, errlen, "%s: replaced or removed since it was read", src_path);
        return -ESTALE;
    }
    if (same_arrival(current, c)) {
        /* This very file was accepted, and a crash came before it left the
         * spool: only what followed is left to do. */
        c->version = current->version;
    } else {
        r = sched_history_mkdir(st, c->id, err, errlen);
        if (r < 0)
            return r;
        c->version = (r == 0 ? next_free(st, c->id, current) : 0) + 1;
        r = write_version(st, c, tz, err, errlen);
        if (r < 0)
            return r;
    }
    if (src_path) {
        snprintf(name, sizeof name, "%u.src", c->version);
        if (sched_history_path(st, c->id, 0, NULL, dir, sizeof dir) < 0) {
            snprintf(err, errlen, "%s/%s: path too long", st->campaigns, c->id);
            return -ENAMETOOLONG;
        }
        r = sched_move_file(src_path, dir, name, true, NULL, 0, err, errlen);
        if (r == -ENOENT && access(src_path, F_OK) < 0) {
            gone = true; /* deleted while it was being accepted: it was read whole */
        } else if (r < 0) {
            return r;
        } else if (sched_history_path(st, c->id, c->version, "src", dir, sizeof dir) == 0 &&
                   !is_file(dir, src_id)) {
            put_back(dir, src_path);
            gone = true;
        }
    }
    sched_history_prune(st, c->id, keep, c->version);
    return gone ? 1 : 0;
}

int sched_state_restore(const struct sched_state *st, const char *id, unsigned n, const pl_tz *tz,
                        int64_t now_ns, int keep, unsigned *newv, char *err, size_t errlen)
{
    struct pl_campaign *c, *cur;
    char from[4096], to[4096], msg[256];
    int r;

    if (!pl_id_valid(id)) {
        snprintf(err, errlen, "\"%s\" is not a campaign id; `signagectl list` shows them", id);
        return -ENOENT;
    }
    c = n ? read_normalised(st, id, n, tz, err, errlen) : NULL;
    if (!c) {
        if (n == 0 || (sched_history_path(st, id, n, "cfg", from, sizeof from) == 0 &&
                       access(from, F_OK) < 0))
            snprintf(err, errlen,
                     "campaign \"%s\" has no version %u; `signagectl history %s` lists them", id, n,
                     id);
        return -ENOENT;
    }
    cur = read_normalised(st, id, 0, tz, msg, sizeof msg);
    if (cur && cur->version == n) {
        pl_campaign_free(cur);
        pl_campaign_free(c);
        *newv = n;
        return 0;
    }
    pl_campaign_free(cur);
    c->restored_from = n;
    c->version = sched_history_last(st, id) + 1;
    c->arrived_ns = c->mtime_ns = now_ns;
    r = write_version(st, c, tz, err, errlen);
    if (r == 0) {
        /* The operator's file of version N stands for the new one too. */
        if (sched_history_path(st, id, n, "src", from, sizeof from) == 0 &&
            sched_history_path(st, id, c->version, "src", to, sizeof to) == 0 &&
            link(from, to) == 0)
            atomic_sync_dir(dirname(to));
        *newv = c->version;
        sched_history_prune(st, id, keep, c->version);
    }
    pl_campaign_free(c);
    return r;
}

int sched_state_withdraw(const struct sched_state *st, const char *id, char *err, size_t errlen)
{
    char *cfg = NULL;
    int r = 0;

    if (!pl_id_valid(id)) {
        snprintf(err, errlen, "\"%s\" is not a campaign id; `signagectl list` shows them", id);
        return -ENOENT;
    }
    if (asprintf(&cfg, "%s/%s.cfg", st->campaigns, id) < 0) {
        snprintf(err, errlen, "%s: out of memory", st->campaigns);
        return -ENOMEM;
    }
    /* Only the link to the current version goes: history keeps it. */
    if (unlink(cfg) < 0)
        r = -errno;
    else
        atomic_sync_dir(st->campaigns);
    if (r == -ENOENT)
        snprintf(err, errlen, "no accepted campaign \"%s\"; `signagectl list` shows them", id);
    else if (r < 0)
        snprintf(err, errlen, "%s: cannot remove: %s", cfg, strerror(-r));
    free(cfg);
    return r;
}

/* --- rejecting ---------------------------------------------------------- */

/* The longest rejected name kept whole: room for ".NNN" and
 * ".error.tmp.XXXXXX" within a 255-byte directory entry. */
#define REJECT_NAME_MAX 200

/* NAME, or when it is longer than REJECT_NAME_MAX its first bytes (cut at a
 * character boundary when it is UTF-8) with "~" before its extension. */
static void reject_name(const char *name, char *out, size_t outlen)
{
    const char *dot = strrchr(name, '.');
    size_t len = strlen(name), ext = dot ? strlen(dot) : 0, keep;

    if (len <= REJECT_NAME_MAX || ext > 16) {
        snprintf(out, outlen, "%.*s", REJECT_NAME_MAX, name);
        return;
    }
    keep = REJECT_NAME_MAX - ext - 1;
    while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
        keep--;
    snprintf(out, outlen, "%.*s~%s", (int)keep, name, dot);
}

int sched_reject_file(const struct sched_state *st, const char *from, const char *name,
                      const struct sched_file_id *id, const char *why, char *final, size_t finallen,
                      char *err, size_t errlen)
{
    char to[PATH_MAX], epath[PATH_MAX + 8], base[REJECT_NAME_MAX + 1];
    int r = -EEXIST;

    reject_name(name, base, sizeof base);
    for (int n = 0; n < 1000 && r == -EEXIST; n++) {
        struct stat sb;
        r = numbered_path(to, sizeof to, st->rejected, base, n);
        if (r < 0)
            break;
        r = -EEXIST;
        if (lstat(to, &sb) == 0)
            continue;
        snprintf(epath, sizeof epath, "%s.error", to);
        /* The reason first: a crash now leaves an .error with no file,
         * which the next start removes, and the file still in the spool. */
        r = atomic_create_file(epath, why, strlen(why), 0644, err, errlen);
        if (r == -EEXIST)
            continue;
        if (r < 0)
            return r;
        r = is_file(from, id) ? move_one(from, to, false) : -ESTALE;
        if (r == 0 && !is_file(to, id)) {
            put_back(to, from);
            r = -ESTALE;
        }
        if (r < 0) {
            unlink(epath);
            atomic_sync_dir(st->rejected);
        }
    }
    if (r < 0) {
        char shown[UTF8_PRINTABLE_NAME];
        snprintf(err, errlen, "spool/%s: cannot move into %s/: %s",
                 utf8_printable(name, shown, sizeof shown), st->rejected, strerror(-r));
        return r;
    }
    atomic_sync_dir(st->rejected);
    if (final && finallen)
        snprintf(final, finallen, "%s", to + strlen(st->rejected) + 1);
    return 0;
}

/* --- the set ---------------------------------------------------------- */

struct sched_set *sched_set_new(void)
{
    return calloc(1, sizeof(struct sched_set));
}

static void set_clear(struct sched_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        pl_campaign_free(set->v[i].c);
    set->n = 0;
}

void sched_set_free(struct sched_set *set)
{
    if (!set)
        return;
    set_clear(set);
    free(set->v);
    free(set);
}

/* Index of ID, or -(insertion point) - 1. */
static long set_index(const struct sched_set *set, const char *id)
{
    size_t lo = 0, hi = set->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->v[mid].c->id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

const struct pl_campaign *sched_set_find(const struct sched_set *set, const char *id)
{
    long i = set_index(set, id);

    return i >= 0 ? set->v[i].c : NULL;
}

static void identity(struct sched_set_entry *e, const struct stat *sb)
{
    e->dev = sb->st_dev;
    e->ino = sb->st_ino;
    e->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    e->size = sb->st_size;
}

static bool same_identity(const struct sched_set_entry *e, const struct stat *sb)
{
    struct sched_set_entry t;

    identity(&t, sb);
    return t.dev == e->dev && t.ino == e->ino && t.mtime_ns == e->mtime_ns && t.size == e->size;
}

int sched_set_put(struct sched_set *set, struct pl_campaign *c, const char *path)
{
    long i = set_index(set, c->id);
    struct sched_set_entry *e;
    struct stat sb;

    if (i >= 0) {
        e = &set->v[i];
        pl_campaign_free(e->c);
    } else {
        size_t at = (size_t)(-i - 1);
        if (set->n == set->cap) {
            size_t cap = set->cap ? set->cap * 2 : 16;
            struct sched_set_entry *v = realloc(set->v, cap * sizeof *v);
            if (!v) {
                pl_campaign_free(c);
                return -1;
            }
            set->v = v;
            set->cap = cap;
        }
        memmove(&set->v[at + 1], &set->v[at], (set->n - at) * sizeof *set->v);
        set->n++;
        e = &set->v[at];
    }
    memset(e, 0, sizeof *e);
    e->c = c;
    e->serial = ++set->next_serial;
    if (path && stat(path, &sb) == 0)
        identity(e, &sb);
    return 0;
}

int sched_set_remove(struct sched_set *set, const char *id)
{
    long i = set_index(set, id);

    if (i < 0)
        return -1;
    pl_campaign_free(set->v[i].c);
    memmove(&set->v[i], &set->v[i + 1], (set->n - (size_t)i - 1) * sizeof *set->v);
    set->n--;
    return 0;
}

/* Reads campaigns/NAME; NULL (logged) when it cannot be read. */
static struct pl_campaign *read_one(const struct sched_state *st, const char *name, const pl_tz *tz,
                                    const char *path)
{
    char err[1024] = "";
    struct pl_campaign *c;
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    int fd;
    struct stat sb;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        log_error("%s/%s: cannot open: %s", st->campaigns, name, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > SCHED_NORMALISED_MAX_BYTES) {
        log_error("%s/%s: not a regular file of at most %u bytes; left out", st->campaigns, name,
                  SCHED_NORMALISED_MAX_BYTES);
        close(fd);
        return NULL;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return NULL;
    }
    text = malloc((size_t)sb.st_size + 1);
    if (text)
        len = fread(text, 1, (size_t)sb.st_size, f);
    fclose(f);
    if (!text) {
        log_error("%s/%s: out of memory", st->campaigns, name);
        return NULL;
    }
    c = sched_campaign_parse_normalised(text, len, name, tz, err, sizeof err);
    free(text);
    if (!c) {
        log_error("%s/%s: cannot read the accepted campaign, left out: %s", st->campaigns, name,
                  err);
        return NULL;
    }
    /* The file name is the id: a mismatch means someone renamed it by hand. */
    if (strlen(name) != strlen(c->id) + 4 || strncmp(name, c->id, strlen(c->id)) != 0) {
        log_error("%s/%s: holds campaign \"%s\"; a file must be named <id>.cfg, left out",
                  st->campaigns, name, c->id);
        pl_campaign_free(c);
        return NULL;
    }
    return c;
}

static bool is_campaign_name(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".cfg") == 0 && n - 4 <= PL_ID_MAX;
}

int sched_set_load(struct sched_set *set, const struct sched_state *st, const pl_tz *tz)
{
    DIR *d = opendir(st->campaigns);
    struct dirent *de;
    int bad = 0;

    if (!d) {
        log_error("%s: cannot read the directory: %s", st->campaigns, strerror(errno));
        return -1;
    }
    set_clear(set);
    while ((de = readdir(d))) {
        char *path;
        struct pl_campaign *c;
        if (!is_campaign_name(de->d_name))
            continue;
        path = join(st->campaigns, de->d_name);
        if (!path) {
            bad++;
            continue;
        }
        c = read_one(st, de->d_name, tz, path);
        if (!c || sched_set_put(set, c, path) < 0)
            bad++;
        free(path);
    }
    closedir(d);
    return bad;
}

int sched_set_refresh(struct sched_set *set, const struct sched_state *st, const pl_tz *tz,
                      const char *name)
{
    char id[PL_ID_MAX + 1];
    struct pl_campaign *c;
    struct stat sb;
    char *path;
    long i;
    int r;

    if (!is_campaign_name(name))
        return 0;
    snprintf(id, sizeof id, "%.*s", (int)(strlen(name) - 4), name);
    i = set_index(set, id);
    path = join(st->campaigns, name);
    if (!path)
        return -1;
    if (lstat(path, &sb) < 0) {
        free(path);
        return i >= 0 && sched_set_remove(set, id) == 0 ? 1 : 0;
    }
    if (i >= 0 && same_identity(&set->v[i], &sb)) {
        free(path);
        return 0;
    }
    c = read_one(st, name, tz, path);
    r = c ? (sched_set_put(set, c, path) == 0 ? 1 : -1) : -1;
    free(path);
    return r;
}

/* --- repair after a crash ----------------------------------------------- */

/* Removes our temporary files in DIR; returns how many. */
static int remove_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d))) {
        if (!atomic_is_temp_name(de->d_name))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
            log_info("%s/%s: removed a temporary file left by a crash", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    if (n)
        atomic_sync_dir(dir);
    return n;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* rejected/: every file with its .error, no .error without its file. */
static int repair_rejected(const struct sched_state *st)
{
    DIR *d = opendir(st->rejected);
    struct dirent *de;
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d))) {
        char other[NAME_MAX + 8], shown[UTF8_PRINTABLE_NAME];
        struct stat sb;
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.' || atomic_is_temp_name(de->d_name))
            continue;
        if (ends_with(de->d_name, ".cfg.error")) {
            snprintf(other, sizeof other, "%.*s", (int)(len - 6), de->d_name);
            if (fstatat(dirfd(d), other, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
                unlinkat(dirfd(d), de->d_name, 0) == 0) {
                log_info("rejected/%s: removed; its file never moved here (a crash came first) "
                         "and is judged again from the spool",
                         utf8_printable(de->d_name, shown, sizeof shown));
                n++;
            }
        } else if (ends_with(de->d_name, ".cfg")) {
            char path[PATH_MAX + 8], *why = NULL;
            snprintf(other, sizeof other, "%s.error", de->d_name);
            if (fstatat(dirfd(d), other, &sb, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                continue;
            utf8_printable(de->d_name, shown, sizeof shown);
            if (asprintf(&why,
                         "%s: error: the scheduler stopped before it wrote why this file was "
                         "rejected; `signagectl check rejected/%s` tells what is wrong with it\n",
                         shown, shown) < 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", st->rejected, other);
            if (atomic_create_file(path, why, strlen(why), 0644, NULL, 0) == 0) {
                log_info("rejected/%s: wrote the missing .error", shown);
                n++;
            }
            free(why);
        }
    }
    closedir(d);
    return n;
}

/* A campaign accepted before versions were kept: its current file becomes
 * version 1 of its history, and campaigns/<id>.src that version's source.
 * A current version missing from the history is named there. */
static int repair_current(const struct sched_state *st, const char *id, const pl_tz *tz)
{
    struct pl_campaign *c;
    char err[1024], src[4096], cur[4096], hist[4096], dir[4096], name[32];
    struct stat sb = {0};
    bool legacy;
    int r = 0;

    c = read_normalised(st, id, 0, tz, err, sizeof err);
    if (!c)
        return 0;
    legacy = c->version == 0;
    snprintf(src, sizeof src, "%s/%s.src", st->campaigns, id);
    snprintf(cur, sizeof cur, "%s/%s.cfg", st->campaigns, id);
    if (legacy) {
        /* When it was accepted: its normalised file was written then. */
        stat(cur, &sb);
        c->arrived_ns = c->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        r = sched_history_mkdir(st, id, err, sizeof err);
        if (r >= 0) {
            c->version = sched_history_last(st, id) + 1;
            r = write_version(st, c, tz, err, sizeof err);
        }
    } else if (sched_history_path(st, id, c->version, "cfg", hist, sizeof hist) == 0 &&
               access(hist, F_OK) < 0 && errno == ENOENT) {
        /* A crash came between making this version current and naming it
         * in the history. */
        r = name_current(st, id, c->version, err, sizeof err);
        if (r == 0)
            log_info("campaigns/%s.cfg: named version %u in its history", id, c->version);
    } else if (access(src, F_OK) < 0) {
        pl_campaign_free(c);
        return 0;
    }
    /* The operator's file of an old-layout campaign, also when a crash cut
     * its move short. */
    snprintf(name, sizeof name, "%u.src", c->version);
    if (r >= 0 && access(src, F_OK) == 0 &&
        sched_history_path(st, id, 0, NULL, dir, sizeof dir) == 0 &&
        sched_history_path(st, id, c->version, "src", hist, sizeof hist) == 0 &&
        access(hist, F_OK) < 0)
        r = sched_move_file(src, dir, name, false, NULL, 0, err, sizeof err);
    if (r < 0)
        log_error("campaigns/%s.cfg: cannot move into its history: %s", id, err);
    else if (legacy)
        log_info("campaigns/%s.cfg: kept as version %u of its history", id, c->version);
    pl_campaign_free(c);
    return r < 0 ? 0 : 1;
}

int sched_state_repair(const struct sched_state *st, const pl_tz *tz)
{
    const char *dirs[] = {st->root, st->campaigns, st->playlists, st->media, st->rejected};
    char *hist;
    DIR *d;
    struct dirent *de;
    int n = 0;

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        n += remove_temps(dirs[i]);
    n += repair_rejected(st);
    /* Each campaign's history. */
    if ((hist = join(st->campaigns, "history")) && (d = opendir(hist))) {
        while ((de = readdir(d))) {
            char path[4096];
            if (pl_id_valid(de->d_name) &&
                sched_history_path(st, de->d_name, 0, NULL, path, sizeof path) == 0)
                n += remove_temps(path);
        }
        closedir(d);
    }
    free(hist);
    d = opendir(st->campaigns);
    if (!d)
        return n;
    while ((de = readdir(d))) {
        char id[PL_ID_MAX + 1];
        if (is_campaign_name(de->d_name)) {
            snprintf(id, sizeof id, "%.*s", (int)(strlen(de->d_name) - 4), de->d_name);
            n += repair_current(st, id, tz);
        }
    }
    closedir(d);
    return n;
}
