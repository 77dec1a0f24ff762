#include "scheduler/campaign.h"

#include "common/errbuf.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/safeopen.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "playlists/cfgutil.h"
#include "playlists/pltime.h"

#define MSG_MAX 1024

static const char *const known_settings[] = {
    "id", "title", "owner", "start", "end", "screens", "priority", "weight", "hours", "items",
};
#define NKNOWN (sizeof known_settings / sizeof known_settings[0])

/* The problems found in one file so far. */
struct report {
    const char *name;
    struct strbuf text;
    int count;
    size_t cut; /* length of the text after its next-to-last allowed line */
};

static void report_line(struct report *r, const char *line)
{
    r->count++;
    if (r->count > SCHED_CAMPAIGN_MAX_ERRORS)
        return;
    if (r->text.len)
        sb_putc(&r->text, '\n');
    sb_puts(&r->text, line);
    if (r->count == SCHED_CAMPAIGN_MAX_ERRORS - 1)
        r->cut = r->text.len;
}

static void report_err(struct report *r, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds "NAME:LINE: error: <fmt...>", LINE from S (none when S is NULL). */
static void report_err(struct report *r, const config_setting_t *s, const char *fmt, ...)
{
    char what[MSG_MAX], line[MSG_MAX + 256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pl_cfg_error(line, sizeof line, r->name, s, "%s", what);
    report_line(r, line);
}

/* Copies the report into ERR, cut at a line boundary when it does not fit. */
static void report_finish(struct report *r, char *err, size_t errlen)
{
    if (r->count > SCHED_CAMPAIGN_MAX_ERRORS) {
        /* Keep the report at the cap: the last line says what was left out. */
        r->text.len = r->cut;
        r->text.buf[r->cut] = '\0';
        sb_printf(&r->text, "\n%s: error: %d more problems not shown; fix the ones above first",
                  r->name, r->count - (SCHED_CAMPAIGN_MAX_ERRORS - 1));
    }
    if (!err || !errlen)
        return;
    if (sb_failed(&r->text)) {
        snprintf(err, errlen, "%s: error: out of memory while reporting problems", r->name);
        return;
    }
    err_copy_lines(err, errlen, sb_str(&r->text));
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[32], cur[32];

    if (la >= 31 || lb >= 31)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            cur[j] = del < ins ? del : ins;
            if (sub < cur[j])
                cur[j] = sub;
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[lb];
}

static void check_unknown(struct report *r, const config_setting_t *root)
{
    int n = config_setting_length(root);

    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *nm = config_setting_name(s);
        const char *best = NULL;
        size_t bestd = 3;
        bool known = false;

        if (!nm)
            continue;
        for (size_t k = 0; k < NKNOWN; k++) {
            size_t d;
            if (strcmp(nm, known_settings[k]) == 0) {
                known = true;
                break;
            }
            d = edit_distance(nm, known_settings[k]);
            if (d < bestd) {
                bestd = d;
                best = known_settings[k];
            }
        }
        if (known)
            continue;
        if (best)
            report_err(r, s,
                       "unknown setting '%s'; did you mean '%s'? known settings are id, title, "
                       "owner, start, end, screens, priority, weight, hours, items",
                       nm, best);
        else
            report_err(r, s,
                       "unknown setting '%s'; known settings are id, title, owner, start, end, "
                       "screens, priority, weight, hours, items",
                       nm);
    }
}

/* A required string member: NULL (and a report line) when absent or bad. */
static const char *need_string(struct report *r, const config_setting_t *g, const char *name,
                               const char *example)
{
    char msg[MSG_MAX];
    const char *v = NULL;
    int rc = pl_cfg_string(g, name, r->name, &v, msg, sizeof msg);

    if (rc < 0) {
        report_line(r, msg);
        return NULL;
    }
    if (rc > 0) {
        report_err(r, config_setting_parent(g) ? g : NULL, "missing setting '%s'; add e.g. %s",
                   name, example);
        return NULL;
    }
    return v;
}

/* title, owner: one line of readable text. */
static char *dup_label(struct report *r, const config_setting_t *root, const char *name,
                       const char *example)
{
    const char *v = need_string(r, root, name, example);
    const config_setting_t *s = config_setting_get_member(root, name);
    size_t n;
    char *out;

    if (!v)
        return NULL;
    n = strlen(v);
    if (n > SCHED_CAMPAIGN_MAX_TEXT) {
        report_err(r, s, "%s is %zu bytes long; shorten it to at most %d bytes", name, n,
                   SCHED_CAMPAIGN_MAX_TEXT);
        return NULL;
    }
    if (!pl_utf8_valid(v, n)) {
        report_err(r, s, "%s is not valid UTF-8; save the file as UTF-8", name);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f) {
            report_err(r, s,
                       "%s contains a line break or control character; keep it on one "
                       "line of plain text",
                       name);
            return NULL;
        }
    }
    out = strdup(v);
    if (!out)
        report_err(r, s, "out of memory");
    return out;
}

static int parse_time(struct report *r, const config_setting_t *root, const char *name,
                      const pl_tz *tz, enum pl_time_role role, pl_ms *out)
{
    char msg[MSG_MAX];
    const char *v = need_string(
        r, root, name, role == PL_TIME_START ? "start = \"2023-03-01\";" : "end = \"2023-03-31\";");

    if (!v)
        return -1;
    if (pl_time_parse(v, tz, role, out, msg, sizeof msg) < 0) {
        report_err(r, config_setting_get_member(root, name), "%s: %s", name, msg);
        return -1;
    }
    return 0;
}

/* A list of known screens and groups for messages, shortened if long. */
static void describe_targets(const struct pl_config *cfg, struct strbuf *sb)
{
    size_t start = sb->len;

    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *sc = &cfg->screens[i];
        sb_printf(sb, "%s%s", sb->len > start ? ", " : "", sc->id);
        for (size_t g = 0; g < sc->ngroups; g++) {
            bool seen = false;
            for (size_t j = 0; j <= i && !seen; j++) {
                size_t ng = j == i ? g : cfg->screens[j].ngroups;
                for (size_t k = 0; k < ng && !seen; k++)
                    seen = strcmp(cfg->screens[j].groups[k], sc->groups[g]) == 0;
            }
            if (!seen)
                sb_printf(sb, ", %s", sc->groups[g]);
        }
        if (sb->len - start > 300) {
            sb_puts(sb, ", ...");
            break;
        }
    }
    sb_printf(sb, "%s\"*\"", sb->len > start ? ", or " : "");
}

static bool is_list(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY;
}

static void parse_screens(struct report *r, const config_setting_t *root,
                          const struct pl_config *cfg, struct pl_campaign *c)
{
    const config_setting_t *s = config_setting_get_member(root, "screens");
    int n;

    if (!s) {
        report_err(r, NULL, "missing setting 'screens'; add e.g. screens = [ \"%s\" ];",
                   cfg->nscreens ? cfg->screens[0].id : "*");
        return;
    }
    if (!is_list(s)) {
        report_err(r, s,
                   "screens must be a list of screen ids or group names, e.g. "
                   "screens = [ \"%s\" ];",
                   cfg->nscreens ? cfg->screens[0].id : "*");
        return;
    }
    n = config_setting_length(s);
    if (n == 0) {
        report_err(r, s,
                   "screens is empty; name at least one screen id or group, or \"*\" for "
                   "every screen");
        return;
    }
    if (n > SCHED_CAMPAIGN_MAX_SCREENS) {
        report_err(r, s, "screens has %d entries; at most %d are allowed (use a group or \"*\")", n,
                   SCHED_CAMPAIGN_MAX_SCREENS);
        return;
    }
    c->screens = calloc((size_t)n, sizeof *c->screens);
    if (!c->screens) {
        report_err(r, s, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const config_setting_t *at = config_setting_source_line(e) ? e : s;
        const char *v = config_setting_get_string(e);
        bool dup = false;

        if (!v) {
            report_err(r, at,
                       "screens entry %d is not a string; write screen ids and group "
                       "names in quotes, e.g. \"shinjuku-west\"",
                       i + 1);
            continue;
        }
        if (!pl_config_target_known(cfg, v)) {
            struct strbuf known = STRBUF_INIT;
            describe_targets(cfg, &known);
            report_err(r, at, "unknown screen or group '%s'; known are %s", v, sb_str(&known));
            sb_free(&known);
            continue;
        }
        /* Naming a screen twice is harmless: keep it once. */
        for (size_t k = 0; k < c->nscreens && !dup; k++)
            dup = strcmp(c->screens[k], v) == 0;
        if (dup)
            continue;
        c->screens[c->nscreens] = strdup(v);
        if (!c->screens[c->nscreens]) {
            report_err(r, at, "out of memory");
            return;
        }
        c->nscreens++;
    }
}

static const char *const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int parse_days(struct report *r, const config_setting_t *g, unsigned *days)
{
    const config_setting_t *s = config_setting_get_member(g, "days");
    int n, bad = 0;

    *days = 0;
    if (!s) {
        report_err(r, g, "daypart without 'days'; add e.g. days = [ \"mon\", \"tue\" ];");
        return -1;
    }
    if (!is_list(s) || config_setting_length(s) == 0) {
        report_err(r, s,
                   "days must be a non-empty list of weekday names, e.g. "
                   "days = [ \"mon\", \"tue\", \"wed\", \"thu\", \"fri\" ];");
        return -1;
    }
    n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const config_setting_t *at = config_setting_source_line(e) ? e : s;
        const char *v = config_setting_get_string(e);
        int d = v ? pl_weekday_parse(v) : -1;

        if (d < 0 || d > 6) {
            report_err(r, at, "'%s' is not a weekday; use mon, tue, wed, thu, fri, sat or sun",
                       v ? v : "(not a string)");
            bad = 1;
            continue;
        }
        if (*days & (1u << d)) {
            report_err(r, at, "'%s' is listed twice in days; name each weekday once",
                       weekday_names[d]);
            bad = 1;
            continue;
        }
        *days |= 1u << d;
    }
    return bad ? -1 : 0;
}

static int parse_hhmm(struct report *r, const config_setting_t *g, const char *name, int *out)
{
    char msg[MSG_MAX];
    const char *v = NULL;
    int rc = pl_cfg_string(g, name, r->name, &v, msg, sizeof msg);

    if (rc < 0) {
        report_line(r, msg);
        return -1;
    }
    if (rc > 0) {
        report_err(r, g, "daypart without '%s'; add e.g. %s = \"%s\";", name, name,
                   strcmp(name, "from") == 0 ? "07:00" : "22:00");
        return -1;
    }
    if (pl_hhmm_parse(v, out, msg, sizeof msg) < 0) {
        report_err(r, config_setting_get_member(g, name), "%s: %s", name, msg);
        return -1;
    }
    return 0;
}

static void parse_hours(struct report *r, const config_setting_t *root, struct pl_campaign *c)
{
    const config_setting_t *s = config_setting_get_member(root, "hours");
    int n;

    if (!s)
        return;
    if (config_setting_type(s) != CONFIG_TYPE_LIST) {
        report_err(r, s,
                   "hours must be a list of dayparts: hours = ( { days = [ \"mon\" ]; "
                   "from = \"07:00\"; to = \"22:00\"; } );");
        return;
    }
    n = config_setting_length(s);
    if (n == 0) {
        report_err(r, s,
                   "hours is empty, so the campaign would never run; remove it to run "
                   "all day, or add a daypart");
        return;
    }
    if (n > SCHED_CAMPAIGN_MAX_HOURS) {
        report_err(r, s, "hours has %d dayparts; at most %d are allowed", n,
                   SCHED_CAMPAIGN_MAX_HOURS);
        return;
    }
    c->hours = calloc((size_t)n, sizeof *c->hours);
    if (!c->hours) {
        report_err(r, s, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
        struct pl_daypart dp = {0, 0, 0};
        int bad = 0, m;

        if (!config_setting_is_group(g)) {
            report_err(r, config_setting_source_line(g) ? g : s,
                       "daypart %d is not a group; write { days = [ \"mon\" ]; from = "
                       "\"07:00\"; to = \"22:00\"; }",
                       i + 1);
            continue;
        }
        m = config_setting_length(g);
        for (int k = 0; k < m; k++) {
            const config_setting_t *e = config_setting_get_elem(g, (unsigned)k);
            const char *nm = config_setting_name(e);
            if (nm && strcmp(nm, "days") && strcmp(nm, "from") && strcmp(nm, "to")) {
                report_err(r, e, "unknown setting '%s' in a daypart; known are days, from, to", nm);
                bad = 1;
            }
        }
        bad |= parse_days(r, g, &dp.days) < 0;
        bad |= parse_hhmm(r, g, "from", &dp.from_min) < 0;
        bad |= parse_hhmm(r, g, "to", &dp.to_min) < 0;
        if (bad)
            continue;
        if (dp.from_min >= 1440) {
            report_err(r, config_setting_get_member(g, "from"),
                       "from = \"24:00\" starts at the end of the day; use \"00:00\" (of the "
                       "next day's weekday)");
            continue;
        }
        if (dp.from_min == dp.to_min) {
            report_err(r, config_setting_get_member(g, "to"),
                       "daypart from and to are the same time, so it is empty; for the whole "
                       "day use from = \"00:00\"; to = \"24:00\";");
            continue;
        }
        c->hours[c->nhours++] = dp;
    }
}

static void parse_items(struct report *r, const config_setting_t *root, const struct pl_config *cfg,
                        struct pl_campaign *c)
{
    const config_setting_t *s = config_setting_get_member(root, "items");
    int n;

    if (!s) {
        report_err(r, NULL,
                   "missing setting 'items'; add e.g. items = ( { type = \"image\"; "
                   "file = \"kochi/makino.jpg\"; duration = 15; } );");
        return;
    }
    if (config_setting_type(s) != CONFIG_TYPE_LIST) {
        report_err(r, s,
                   "items must be a list of groups: items = ( { type = \"image\"; "
                   "file = \"kochi/makino.jpg\"; } );");
        return;
    }
    n = config_setting_length(s);
    if (n == 0) {
        report_err(r, s, "items is empty; a campaign needs at least one item to show");
        return;
    }
    if (n > SCHED_CAMPAIGN_MAX_ITEMS) {
        report_err(r, s, "items has %d entries; at most %d are allowed, split the campaign", n,
                   SCHED_CAMPAIGN_MAX_ITEMS);
        return;
    }
    c->items = calloc((size_t)n, sizeof *c->items);
    if (!c->items) {
        report_err(r, s, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
        struct pl_item *it = &c->items[c->nitems];
        char msg[MSG_MAX];

        if (!config_setting_is_group(g)) {
            report_err(r, config_setting_source_line(g) ? g : s,
                       "item %d is not a group; write { type = \"image\"; file = \"...\"; }",
                       i + 1);
            continue;
        }
        if (pl_cfg_item_parse(g, r->name, cfg->default_duration_ms, it, msg, sizeof msg) < 0) {
            report_line(r, msg);
            memset(it, 0, sizeof *it);
            continue;
        }
        if (!it->line)
            it->line = config_setting_source_line(g);
        c->nitems++;
    }
}

static void parse_root(struct report *r, const config_setting_t *root, const struct pl_config *cfg,
                       struct pl_campaign *c)
{
    char msg[MSG_MAX];
    const char *id;
    long long v;
    int rc;
    bool have_start, have_end;

    check_unknown(r, root);

    id = need_string(r, root, "id", "id = \"kochi-makino-expo\";");
    if (id && !pl_id_valid(id))
        report_err(r, config_setting_get_member(root, "id"),
                   "id '%s' is not valid; use 1 to 64 of a-z, 0-9, '-' and '_', starting with "
                   "a letter or digit, e.g. \"kochi-makino-expo\"",
                   id);
    else if (id && !(c->id = strdup(id)))
        report_err(r, NULL, "out of memory");

    c->title = dup_label(r, root, "title", "title = \"...\";");
    c->owner = dup_label(r, root, "owner", "owner = \"高知県\";");

    have_start = parse_time(r, root, "start", cfg->tz, PL_TIME_START, &c->start) == 0;
    have_end = parse_time(r, root, "end", cfg->tz, PL_TIME_END, &c->end) == 0;
    if (have_start && have_end && c->end <= c->start) {
        char sb[PL_TIME_BUFSZ] = "?", eb[PL_TIME_BUFSZ] = "?";
        pl_time_format_s(c->start, cfg->tz, sb, sizeof sb);
        pl_time_format_s(c->end, cfg->tz, eb, sizeof eb);
        report_err(r, config_setting_get_member(root, "end"),
                   "end (%s) is not after start (%s), so the campaign would never run; set end "
                   "later than start",
                   eb, sb);
    }

    parse_screens(r, root, cfg, c);

    c->priority = 50;
    rc = pl_cfg_int(root, "priority", r->name, 0, PL_PRIORITY_MAX, &v, msg, sizeof msg);
    if (rc < 0)
        report_line(r, msg);
    else if (rc == 0)
        c->priority = (int)v;

    c->weight = 1;
    rc = pl_cfg_int(root, "weight", r->name, 1, PL_WEIGHT_MAX, &v, msg, sizeof msg);
    if (rc < 0)
        report_line(r, msg);
    else if (rc == 0)
        c->weight = (int)v;

    parse_hours(r, root, c);
    parse_items(r, root, cfg, c);
}

static bool all_zero(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i])
            return false;
    return true;
}

struct pl_campaign *sched_campaign_parse(const char *text, size_t len, const char *name,
                                         const struct pl_config *cfg, char *err, size_t errlen)
{
    struct report r = {name ? name : "campaign", STRBUF_INIT, 0, 0};
    struct pl_campaign *c = NULL;
    config_t conf;

    if (err && errlen)
        err[0] = '\0';
    config_init(&conf);
    if (text && len && pl_cfg_blank(text, len)) {
        report_err(&r, NULL,
                   "the file is empty (nothing but blank space); save it again with "
                   "the campaign's settings");
        goto out_report;
    }
    if (text && len && all_zero(text, len)) {
        report_err(&r, NULL,
                   "the file holds only zero bytes (%zu): its copy never finished; "
                   "copy it again",
                   len);
        goto out_report;
    }
    if (!text || !len) {
        report_err(&r, NULL,
                   "the file is empty (0 bytes); it was saved empty, or its copy has "
                   "not finished");
        goto out_report;
    }
    if (pl_cfg_read_text(&conf, text, len, r.name, err, errlen) < 0)
        goto out_config;
    c = calloc(1, sizeof *c);
    if (!c) {
        report_err(&r, NULL, "out of memory");
        goto out_report;
    }
    c->source = strdup(r.name);
    if (!c->source)
        report_err(&r, NULL, "out of memory");
    parse_root(&r, config_root_setting(&conf), cfg, c);

out_report:
    if (r.count) {
        report_finish(&r, err, errlen);
        pl_campaign_free(c);
        c = NULL;
    }
    sb_free(&r.text);
out_config:
    config_destroy(&conf);
    return c;
}

struct pl_campaign *sched_campaign_load(int dirfd, const char *relpath, const char *name,
                                        const struct pl_config *cfg, char *err, size_t errlen)
{
    struct pl_campaign *c = NULL;
    char msg[MSG_MAX];
    struct stat st;
    char *buf = NULL;
    size_t have = 0;
    int fd;

    if (!name)
        name = relpath ? relpath : "campaign";
    fd = safeopen_read(dirfd, relpath, SCHED_CAMPAIGN_MAX_BYTES, &st, msg, sizeof msg);
    if (fd < 0) {
        snprintf(err, errlen, "%s: error: %s%s", name, msg,
                 fd == -EFBIG ? " (1 MiB): a campaign file names its media, it does not hold "
                                "them"
                              : "");
        return NULL;
    }
    /* A file that grew past the limit since the fstat is refused too. */
    int r = slurp_fd(fd, name, SCHED_CAMPAIGN_MAX_BYTES, &buf, &have, err, errlen);
    if (r == -EFBIG)
        snprintf(err, errlen,
                 "%s: error: the file is larger than 1 MiB; a campaign file may be at most 1 MiB",
                 name);
    if (r < 0)
        goto out_close;
    c = sched_campaign_parse(buf, have, name, cfg, err, errlen);
    free(buf);
out_close:
    close(fd);
    return c;
}
