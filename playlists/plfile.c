/* plfile.c - playlist files (SPEC §6): the format is described in plfile.h.
 *
 * The writer builds the text itself (no libconfig write-out: its float
 * formatting and escaping are not ours to fix, and 500 screens are written
 * in one run).  The reader trusts nothing: a playlist can be truncated,
 * hand-edited or from another version, and the player must survive it.
 */
#include "playlists/plfile.h"

#include "common/slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "playlists/cfgutil.h"

#define PL_FILE_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define PL_ITEM_INDEX_MAX 9999
/* All campaign stubs together hold at most this many items (each item
 * index costs an array entry, so a hostile file could ask for a lot). */
#define PL_STUB_ITEMS_MAX 100000
#define PL_SIZE_MIN 16
#define PL_SIZE_MAX 16384
#define PL_DEFAULT_BACKGROUND 0x0b2545u
#define PL_DEFAULT_COLOR 0xffffffu
#define PL_FALLBACK_ID "-"

/* ------------------------------------------------------------------------ */
/* Writing */

/* Appends S as a libconfig string literal, quotes included.  libconfig
 * 1.5 reads \" \\ \n \t \r \f and \xNN; every other byte is taken as is. */
static void put_string(struct strbuf *out, const char *s)
{
    const char *run = s;

    sb_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = NULL;
        char hex[5];

        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(hex, sizeof hex, "\\x%02x", c);
                esc = hex;
            }
        }
        if (esc) {
            sb_append(out, run, (size_t)(s - run));
            sb_puts(out, esc);
            run = s + 1;
        }
    }
    sb_append(out, run, (size_t)(s - run));
    sb_putc(out, '"');
}

static void put_member_string(struct strbuf *out, const char *name, const char *value)
{
    sb_puts(out, name);
    sb_puts(out, " = ");
    put_string(out, value);
    sb_puts(out, "; ");
}

static int put_time(struct strbuf *out, const char *name, pl_ms t, const pl_tz *tz)
{
    char buf[PL_TIME_BUFSZ];

    if (pl_time_format(t, tz, buf, sizeof buf) < 0)
        return -1;
    sb_printf(out, "%s = \"%s\";", name, buf);
    return 0;
}

static int put_slot(struct strbuf *out, const struct pl_slot *slot, bool fallback)
{
    const struct pl_campaign *c = slot->campaign;
    const struct pl_item *it;
    char color[8];

    if (!c || slot->item >= c->nitems || !c->items || slot->duration_ms < 0)
        return -1;
    it = &c->items[slot->item];
    sb_puts(out, "{ ");
    put_member_string(out, "campaign", fallback ? PL_FALLBACK_ID : (c->id ? c->id : ""));
    if (c->owner && *c->owner)
        put_member_string(out, "owner", c->owner);
    if (c->title && *c->title)
        put_member_string(out, "title", c->title);
    sb_printf(out, "item = %u; type = \"%s\"; duration = %" PRId64 ".%03" PRId64 "; ", slot->item,
              pl_item_type_name(it->type), slot->duration_ms / 1000, slot->duration_ms % 1000);
    if (it->type == PL_ITEM_TEXT) {
        put_member_string(out, "text", it->text ? it->text : "");
    } else {
        put_member_string(out, "media", it->media ? it->media : "");
        put_member_string(out, "sha256", it->sha256);
    }
    pl_color_format(it->background, color);
    put_member_string(out, "background", color);
    if (it->type == PL_ITEM_TEXT) {
        pl_color_format(it->color, color);
        put_member_string(out, "color", color);
    }
    sb_putc(out, '}');
    return 0;
}

static int put_loop(struct strbuf *out, const struct pl_window *w, bool fallback,
                    const char *indent)
{
    for (size_t i = 0; i < w->nslots; i++) {
        sb_puts(out, indent);
        if (put_slot(out, &w->slots[i], fallback) < 0)
            return -1;
        sb_puts(out, i + 1 < w->nslots ? ",\n" : "\n");
    }
    return 0;
}

int pl_playlist_format(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out)
{
    if (!pl || !tz || !out)
        return -1;
    sb_puts(out, "# signage playlist: written by signage-scheduler, do not edit\n");
    sb_printf(out, "format = %d;\n", PL_FORMAT);
    sb_puts(out, "screen = ");
    put_string(out, pl->screen ? pl->screen : "");
    sb_puts(out, ";\ntimezone = ");
    put_string(out, pl->timezone ? pl->timezone : pl_tz_name(tz));
    sb_printf(out, ";\nwidth = %d;\nheight = %d;\nrotate = %d;\ngeneration = %" PRId64 "L;\n",
              pl->width, pl->height, pl->rotate, pl->generation);
    if (put_time(out, "generated_at", pl->generated_at, tz) < 0)
        return -1;
    sb_puts(out, "\nfallback = (\n");
    if (put_loop(out, &pl->fallback, true, "  ") < 0)
        return -1;
    sb_puts(out, ");\nwindows = (\n");
    for (size_t i = 0; i < pl->nwindows; i++) {
        const struct pl_window *w = &pl->windows[i];
        sb_puts(out, "  { ");
        if (put_time(out, "start", w->start, tz) < 0)
            return -1;
        sb_putc(out, ' ');
        if (put_time(out, "end", w->end, tz) < 0)
            return -1;
        sb_printf(out, " priority = %d;\n    loop = (\n", w->priority);
        if (put_loop(out, w, false, "      ") < 0)
            return -1;
        sb_puts(out, i + 1 < pl->nwindows ? "    ); },\n" : "    ); }\n");
    }
    sb_puts(out, ");\n");
    return sb_failed(out) ? -1 : 0;
}

int pl_playlist_save(const struct pl_playlist *pl, const pl_tz *tz, const char *path, char *err,
                     size_t errlen)
{
    struct strbuf sb = STRBUF_INIT;
    int r;

    if (pl_playlist_format(pl, tz, &sb) < 0) {
        snprintf(err, errlen,
                 "%s: error: cannot format the playlist (out of memory or a "
                 "slot without its campaign item)",
                 path);
        sb_free(&sb);
        return -1;
    }
    r = atomic_write_file(path, sb_str(&sb), sb.len, 0644, err, errlen);
    sb_free(&sb);
    return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Reading */

/* Campaign stubs by id: an open-addressing table, so a file with many
 * campaigns is read in linear time. */
struct stubs {
    struct pl_playlist *pl;
    size_t *table; /* 1 + index into pl->campaigns; 0 = empty */
    size_t cap;
    size_t *item_caps;  /* allocated items of each campaign */
    size_t items_total; /* sum of the campaigns' nitems */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t *stub_find(struct stubs *st, const char *id)
{
    size_t i = (size_t)hash_str(id) & (st->cap - 1);

    while (st->table[i] && strcmp(st->pl->campaigns[st->table[i] - 1]->id, id) != 0)
        i = (i + 1) & (st->cap - 1);
    return &st->table[i];
}

static int stub_grow(struct stubs *st)
{
    size_t ncap = st->cap ? st->cap * 2 : 64;
    size_t *old = st->table;
    size_t ocap = st->cap;

    st->table = calloc(ncap, sizeof *st->table);
    if (!st->table) {
        st->table = old;
        return -1;
    }
    st->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i])
            *stub_find(st, st->pl->campaigns[old[i] - 1]->id) = old[i];
    free(old);
    return 0;
}

/* The parsed content of one slot, before it is attached. */
struct slot_in {
    const char *campaign, *owner, *title, *media, *sha256, *text;
    long long item;
    int type;
    pl_ms duration_ms;
    uint32_t background, color;
};

static const char *const top_members[] = {"format",   "screen", "timezone",   "width",
                                          "height",   "rotate", "generation", "generated_at",
                                          "fallback", "windows"};
static const char *const window_members[] = {"start", "end", "priority", "loop"};
static const char *const slot_members[] = {"campaign", "owner",      "title", "item",
                                           "type",     "duration",   "media", "sha256",
                                           "text",     "background", "color"};

static int check_members(const config_setting_t *g, const char *const *known, size_t nknown,
                         const char *what, const char *name, char *err, size_t errlen)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *mname = config_setting_name(m);
        bool ok = false;
        for (size_t k = 0; k < nknown && mname; k++)
            if (strcmp(mname, known[k]) == 0)
                ok = true;
        if (!ok) {
            char list[256] = "";
            size_t n = 0;
            for (size_t k = 0; k < nknown; k++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "", known[k]);
            pl_cfg_error(err, errlen, name, m, "unknown %s setting '%s'; known are %s", what,
                         mname ? mname : "?", list);
            return -1;
        }
    }
    return 0;
}

/* A required string member. */
static int need_string(const config_setting_t *g, const char *member, const char *name,
                       const char **out, const char *hint, char *err, size_t errlen)
{
    int r = pl_cfg_string(g, member, name, out, err, errlen);

    if (r > 0)
        pl_cfg_error(err, errlen, name, g, "'%s' is missing; %s", member, hint);
    return r == 0 ? 0 : -1;
}

static int need_int(const config_setting_t *g, const char *member, const char *name, long long min,
                    long long max, long long *out, char *err, size_t errlen)
{
    int r = pl_cfg_int(g, member, name, min, max, out, err, errlen);

    if (r > 0)
        pl_cfg_error(err, errlen, name, g, "'%s' is missing; add %s = <%lld..%lld>;", member,
                     member, min, max);
    return r == 0 ? 0 : -1;
}

static int opt_color(const config_setting_t *g, const char *member, const char *name, uint32_t *out,
                     char *err, size_t errlen)
{
    const char *v;
    int r = pl_cfg_string(g, member, name, &v, err, errlen);

    if (r < 0)
        return -1;
    if (r == 0 && pl_color_parse(v, out) < 0) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, member),
                     "'%s' is not a colour; write \"#rrggbb\"", member);
        return -1;
    }
    return 0;
}

static int parse_slot(const config_setting_t *g, bool fallback, const char *name,
                      struct slot_in *in, char *err, size_t errlen)
{
    const char *type;
    int r;

    memset(in, 0, sizeof *in);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, name, g, "a slot must be a group { campaign = ...; }");
        return -1;
    }
    if (check_members(g, slot_members, sizeof slot_members / sizeof slot_members[0], "slot", name,
                      err, errlen) < 0)
        return -1;
    if (need_string(g, "campaign", name, &in->campaign, "every slot names its campaign", err,
                    errlen) < 0)
        return -1;
    if (fallback ? strcmp(in->campaign, PL_FALLBACK_ID) != 0 : !pl_id_valid(in->campaign)) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, "campaign"),
                     fallback ? "a fallback slot has campaign \"-\", not \"%.80s\""
                              : "campaign id \"%.80s\" is not valid (a-z 0-9 _ -, at most 64)",
                     in->campaign);
        return -1;
    }
    in->owner = in->title = "";
    if (pl_cfg_string(g, "owner", name, &in->owner, err, errlen) < 0 ||
        pl_cfg_string(g, "title", name, &in->title, err, errlen) < 0)
        return -1;
    if (need_int(g, "item", name, 0, PL_ITEM_INDEX_MAX, &in->item, err, errlen) < 0)
        return -1;
    if (need_string(g, "type", name, &type, "add type = \"image\", \"video\" or \"text\"", err,
                    errlen) < 0)
        return -1;
    in->type = pl_item_type_parse(type);
    if (in->type < 0) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, "type"),
                     "unknown item type \"%.40s\"; expected \"image\", \"video\" or \"text\"",
                     type);
        return -1;
    }
    r = pl_cfg_seconds(g, "duration", name, PL_DURATION_MIN_MS, PL_DURATION_MAX_MS,
                       &in->duration_ms, err, errlen);
    if (r > 0)
        pl_cfg_error(err, errlen, name, g, "'duration' is missing; add duration = <seconds>;");
    if (r != 0)
        return -1;
    in->background = PL_DEFAULT_BACKGROUND;
    in->color = PL_DEFAULT_COLOR;
    if (opt_color(g, "background", name, &in->background, err, errlen) < 0)
        return -1;
    if (in->type == PL_ITEM_TEXT) {
        const config_setting_t *t;
        if (config_setting_get_member(g, "media") || config_setting_get_member(g, "sha256")) {
            pl_cfg_error(err, errlen, name, g, "a text slot has no 'media' or 'sha256'");
            return -1;
        }
        if (need_string(g, "text", name, &in->text, "a text slot needs text = \"...\";", err,
                        errlen) < 0)
            return -1;
        t = config_setting_get_member(g, "text");
        if (strlen(in->text) > PL_TEXT_MAX) {
            pl_cfg_error(err, errlen, name, t, "'text' is longer than %d bytes", PL_TEXT_MAX);
            return -1;
        }
        if (opt_color(g, "color", name, &in->color, err, errlen) < 0)
            return -1;
    } else {
        if (config_setting_get_member(g, "text") || config_setting_get_member(g, "color")) {
            pl_cfg_error(err, errlen, name, g, "an %s slot has no 'text' or 'color'", type);
            return -1;
        }
        if (need_string(g, "media", name, &in->media, "add media = \"media/<sha256>.<ext>\";", err,
                        errlen) < 0 ||
            need_string(g, "sha256", name, &in->sha256, "add sha256 = \"<64 hex digits>\";", err,
                        errlen) < 0)
            return -1;
        if (!pl_sha256_valid(in->sha256)) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(g, "sha256"),
                         "'sha256' must be 64 lowercase hex digits");
            return -1;
        }
        if (!pl_media_path_valid(in->media, in->sha256)) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(g, "media"),
                         "'media' \"%.80s\" must be the store's path for its sha256, "
                         "\"media/<sha256>.<ext>\"",
                         in->media);
            return -1;
        }
    }
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Finds or creates the stub for IN's campaign and its item; points SLOT at
 * it. */
static int attach_slot(struct stubs *st, const config_setting_t *g, const struct slot_in *in,
                       const char *name, struct pl_slot *slot, char *err, size_t errlen)
{
    struct pl_playlist *pl = st->pl;
    struct pl_campaign *c;
    struct pl_item *it;
    size_t idx = (size_t)in->item, *pos, *cap;

    if ((pl->ncampaigns + 1) * 2 > st->cap && stub_grow(st) < 0)
        goto out_nomem;
    pos = stub_find(st, in->campaign);
    if (!*pos) {
        struct pl_campaign **arr = realloc(pl->campaigns, (pl->ncampaigns + 1) * sizeof *arr);
        size_t *caps;
        if (!arr)
            goto out_nomem;
        pl->campaigns = arr;
        caps = realloc(st->item_caps, (pl->ncampaigns + 1) * sizeof *caps);
        if (!caps)
            goto out_nomem;
        st->item_caps = caps;
        caps[pl->ncampaigns] = 0;
        c = calloc(1, sizeof *c);
        if (!c)
            goto out_nomem;
        c->id = strdup(in->campaign);
        c->owner = strdup(in->owner);
        c->title = strdup(in->title);
        c->weight = 1;
        if (!c->id || !c->owner || !c->title) {
            pl_campaign_free(c);
            goto out_nomem;
        }
        if (strcmp(c->id, PL_FALLBACK_ID) == 0) {
            c->start = PL_MS_MIN;
            c->end = PL_MS_MAX;
        }
        pl->campaigns[pl->ncampaigns++] = c;
        *pos = pl->ncampaigns;
    }
    c = pl->campaigns[*pos - 1];
    cap = &st->item_caps[*pos - 1];
    if (!str_eq(c->owner, in->owner) || !str_eq(c->title, in->title)) {
        pl_cfg_error(err, errlen, name, g,
                     "campaign \"%s\" has another owner or title here than before; a campaign "
                     "has one owner and one title",
                     c->id);
        return -1;
    }
    if (idx >= c->nitems) {
        if (st->items_total + (idx + 1 - c->nitems) > PL_STUB_ITEMS_MAX) {
            pl_cfg_error(err, errlen, name, g,
                         "the campaigns use more than %d item numbers together; this is not a "
                         "playlist the scheduler writes",
                         PL_STUB_ITEMS_MAX);
            return -1;
        }
        if (idx >= *cap) {
            /* Grow at least 1.5x so rising item numbers stay linear. */
            size_t n = *cap + *cap / 2;
            struct pl_item *items;
            if (n > PL_ITEM_INDEX_MAX + 1)
                n = PL_ITEM_INDEX_MAX + 1;
            if (n < idx + 1)
                n = idx + 1;
            items = realloc(c->items, n * sizeof *items);
            if (!items)
                goto out_nomem;
            memset(items + *cap, 0, (n - *cap) * sizeof *items);
            c->items = items;
            *cap = n;
        }
        st->items_total += idx + 1 - c->nitems;
        c->nitems = idx + 1;
    }
    it = &c->items[idx];
    if (it->duration_ms == 0) {
        it->type = (enum pl_item_type)in->type;
        it->duration_ms = in->duration_ms;
        it->background = in->background;
        it->color = in->color;
        it->line = (int)config_setting_source_line(g);
        if (in->type == PL_ITEM_TEXT) {
            it->text = strdup(in->text);
            if (!it->text)
                goto out_nomem;
        } else {
            it->media = strdup(in->media);
            if (!it->media)
                goto out_nomem;
            memcpy(it->sha256, in->sha256, 65);
        }
    } else if ((int)it->type != in->type || it->background != in->background ||
               (in->type == PL_ITEM_TEXT &&
                (it->color != in->color || !str_eq(it->text, in->text))) ||
               (in->type != PL_ITEM_TEXT &&
                (!str_eq(it->media, in->media) || strcmp(it->sha256, in->sha256) != 0))) {
        pl_cfg_error(err, errlen, name, g,
                     "item %zu of campaign \"%s\" differs from the same item on line %d; one "
                     "item has one content",
                     idx, c->id, it->line);
        return -1;
    }
    slot->campaign = c;
    slot->item = (unsigned)idx;
    slot->duration_ms = in->duration_ms;
    return 0;
out_nomem:
    pl_cfg_error(err, errlen, name, g, "out of memory");
    return -1;
}

/* Reads the list LIST into W's slots, recomputing offsets and length. */
static int parse_loop(struct stubs *st, const config_setting_t *list, bool fallback,
                      const char *name, struct pl_window *w, char *err, size_t errlen)
{
    int n = config_setting_length(list);

    if (config_setting_type(list) != CONFIG_TYPE_LIST) {
        pl_cfg_error(err, errlen, name, list, "'%s' must be a list ( { ... }, ... )",
                     config_setting_name(list));
        return -1;
    }
    if (n == 0 && !fallback) {
        pl_cfg_error(err, errlen, name, list, "the window's loop is empty; a window has slots");
        return -1;
    }
    if (n == 0)
        return 0;
    w->slots = calloc((size_t)n, sizeof *w->slots);
    if (!w->slots) {
        pl_cfg_error(err, errlen, name, list, "out of memory");
        return -1;
    }
    w->nslots = (size_t)n;
    w->loop_ms = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        struct slot_in in;
        if (parse_slot(g, fallback, name, &in, err, errlen) < 0 ||
            attach_slot(st, g, &in, name, &w->slots[i], err, errlen) < 0)
            return -1;
        w->slots[i].offset_ms = w->loop_ms;
        w->loop_ms += w->slots[i].duration_ms;
    }
    return 0;
}

static int parse_time(const config_setting_t *g, const char *member, const pl_tz *tz,
                      const char *name, pl_ms *out, char *err, size_t errlen)
{
    const char *v;
    char terr[256];

    if (need_string(g, member, name, &v, "add an ISO 8601 time with offset", err, errlen) < 0)
        return -1;
    if (pl_time_parse(v, tz, PL_TIME_INSTANT, out, terr, sizeof terr) < 0) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, member), "'%s': %s", member,
                     terr);
        return -1;
    }
    return 0;
}

static int parse_windows(struct stubs *st, const config_setting_t *list, const pl_tz *tz,
                         const char *name, char *err, size_t errlen)
{
    struct pl_playlist *pl = st->pl;
    int n = config_setting_length(list);

    if (config_setting_type(list) != CONFIG_TYPE_LIST) {
        pl_cfg_error(err, errlen, name, list, "'windows' must be a list ( { ... }, ... )");
        return -1;
    }
    if (n == 0)
        return 0;
    pl->windows = calloc((size_t)n, sizeof *pl->windows);
    if (!pl->windows) {
        pl_cfg_error(err, errlen, name, list, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        const config_setting_t *loop;
        struct pl_window *w = &pl->windows[i];
        long long prio;

        pl->nwindows++;
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            pl_cfg_error(err, errlen, name, g, "a window must be a group { start = ...; }");
            return -1;
        }
        if (check_members(g, window_members, 4, "window", name, err, errlen) < 0 ||
            parse_time(g, "start", tz, name, &w->start, err, errlen) < 0 ||
            parse_time(g, "end", tz, name, &w->end, err, errlen) < 0 ||
            need_int(g, "priority", name, 0, PL_PRIORITY_MAX, &prio, err, errlen) < 0)
            return -1;
        w->priority = (int)prio;
        if (w->end <= w->start) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(g, "end"),
                         "the window ends before it starts; 'end' must be after 'start'");
            return -1;
        }
        if (i > 0 && w->start < pl->windows[i - 1].end) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(g, "start"),
                         "the window starts before the previous one ends; windows are sorted "
                         "and do not overlap");
            return -1;
        }
        loop = config_setting_get_member(g, "loop");
        if (!loop) {
            pl_cfg_error(err, errlen, name, g, "the window has no 'loop'");
            return -1;
        }
        if (parse_loop(st, loop, false, name, w, err, errlen) < 0)
            return -1;
    }
    return 0;
}

struct pl_playlist *pl_playlist_parse(const char *text, size_t len, const char *name, char *err,
                                      size_t errlen)
{
    struct pl_playlist *pl;
    struct stubs st = {0};
    config_t cfg;
    const config_setting_t *root, *fb, *wins;
    const char *v;
    pl_tz *tz = NULL;
    long long n;

    if (!name)
        name = "(playlist)";
    pl = calloc(1, sizeof *pl);
    if (!pl) {
        snprintf(err, errlen, "%s: error: out of memory", name);
        return NULL;
    }
    st.pl = pl;
    config_init(&cfg);
    if (pl_cfg_read_text(&cfg, text, len, name, err, errlen) < 0)
        goto out_fail;
    root = config_root_setting(&cfg);
    /* The format first: a newer file may have members we do not know. */
    switch (pl_cfg_int(root, "format", name, INT32_MIN, INT32_MAX, &n, err, errlen)) {
    case 0:
        break;
    case 1:
        pl_cfg_error(err, errlen, name, NULL,
                     "not a playlist file (no 'format'); playlists are written by "
                     "signage-scheduler");
        goto out_fail;
    default:
        goto out_fail;
    }
    if (n != PL_FORMAT) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(root, "format"),
                     "playlist format %lld is not supported, this program reads format %d; "
                     "update the player or regenerate the playlist",
                     n, PL_FORMAT);
        goto out_fail;
    }
    pl->format = PL_FORMAT;
    if (check_members(root, top_members, sizeof top_members / sizeof top_members[0], "playlist",
                      name, err, errlen) < 0)
        goto out_fail;
    if (need_string(root, "screen", name, &v, "add screen = \"<screen id>\";", err, errlen) < 0)
        goto out_fail;
    if (!pl_id_valid(v)) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(root, "screen"),
                     "screen id \"%.80s\" is not valid", v);
        goto out_fail;
    }
    if (!(pl->screen = strdup(v)))
        goto out_nomem;
    if (need_string(root, "timezone", name, &v, "add timezone = \"Asia/Tokyo\";", err, errlen) < 0)
        goto out_fail;
    {
        char tzerr[256];
        tz = pl_tz_new(v, tzerr, sizeof tzerr);
        if (!tz) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(root, "timezone"),
                         "'timezone': %s", tzerr);
            goto out_fail;
        }
    }
    if (!(pl->timezone = strdup(v)))
        goto out_nomem;
    if (need_int(root, "width", name, PL_SIZE_MIN, PL_SIZE_MAX, &n, err, errlen) < 0)
        goto out_fail;
    pl->width = (int)n;
    if (need_int(root, "height", name, PL_SIZE_MIN, PL_SIZE_MAX, &n, err, errlen) < 0)
        goto out_fail;
    pl->height = (int)n;
    if (need_int(root, "rotate", name, 0, 270, &n, err, errlen) < 0)
        goto out_fail;
    if (n % 90 != 0) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(root, "rotate"),
                     "'rotate' must be 0, 90, 180 or 270");
        goto out_fail;
    }
    pl->rotate = (int)n;
    if (need_int(root, "generation", name, 0, INT64_MAX, &n, err, errlen) < 0)
        goto out_fail;
    pl->generation = n;
    if (parse_time(root, "generated_at", tz, name, &pl->generated_at, err, errlen) < 0)
        goto out_fail;
    fb = config_setting_get_member(root, "fallback");
    if (!fb) {
        pl_cfg_error(err, errlen, name, NULL, "'fallback' is missing; add fallback = ( ... );");
        goto out_fail;
    }
    if (parse_loop(&st, fb, true, name, &pl->fallback, err, errlen) < 0)
        goto out_fail;
    pl->fallback.start = PL_MS_MIN;
    pl->fallback.end = PL_MS_MAX;
    wins = config_setting_get_member(root, "windows");
    if (!wins) {
        pl_cfg_error(err, errlen, name, NULL, "'windows' is missing; add windows = ( ... );");
        goto out_fail;
    }
    if (parse_windows(&st, wins, tz, name, err, errlen) < 0)
        goto out_fail;
    free(st.table);
    free(st.item_caps);
    pl_tz_free(tz);
    config_destroy(&cfg);
    return pl;

out_nomem:
    snprintf(err, errlen, "%s: error: out of memory", name);
out_fail:
    free(st.table);
    free(st.item_caps);
    pl_tz_free(tz);
    config_destroy(&cfg);
    pl_playlist_free(pl);
    return NULL;
}

struct pl_playlist *pl_playlist_load(const char *path, char *err, size_t errlen)
{
    struct pl_playlist *pl;
    char *buf;
    size_t len;

    if (slurp_path(path, NULL, PL_FILE_MAX_BYTES, &buf, &len, err, errlen) < 0)
        return NULL;
    pl = pl_playlist_parse(buf, len, path, err, errlen);
    free(buf);
    return pl;
}

void pl_playlist_free(struct pl_playlist *pl)
{
    if (!pl)
        return;
    free(pl->screen);
    free(pl->timezone);
    for (size_t i = 0; i < pl->nwindows; i++)
        free(pl->windows[i].slots);
    free(pl->windows);
    free(pl->fallback.slots);
    for (size_t i = 0; i < pl->ncampaigns; i++)
        pl_campaign_free(pl->campaigns[i]);
    free(pl->campaigns);
    free(pl);
}
