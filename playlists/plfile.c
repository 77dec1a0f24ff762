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
#include "common/hash.h"
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

static void put_item(struct strbuf *out, const struct pl_item *it)
{
    char color[8];

    if (it->duration_ms <= 0) {
        sb_puts(out, "{ }"); /* a number this playlist does not play (read from format 1) */
        return;
    }
    sb_printf(out, "{ type = \"%s\"; duration = %" PRId64 ".%03" PRId64 "; ",
              pl_item_type_name(it->type), it->duration_ms / 1000, it->duration_ms % 1000);
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
}

/* What the body writer numbers: the campaigns in order of first use, each
 * with the number of its first item; the distinct loops in order of first
 * use.  Pointers are looked up in open-addressing tables. */
struct numbering {
    const struct pl_campaign **camps;
    size_t *base; /* global number of each campaign's item 0 */
    size_t ncamps, items;
    size_t *ctab, ccap; /* 1 + index into camps; 0 = empty */
    const struct pl_window **loops;
    size_t nloops;
    size_t *ltab, lcap; /* 1 + index into loops */
    uint64_t *lhash;
};

static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h * UINT64_C(0xff51afd7ed558ccd);
}

static size_t *camp_slot(struct numbering *nb, const struct pl_campaign *c)
{
    size_t i = (size_t)mix64(0, (uintptr_t)c) & (nb->ccap - 1);

    while (nb->ctab[i] && nb->camps[nb->ctab[i] - 1] != c)
        i = (i + 1) & (nb->ccap - 1);
    return &nb->ctab[i];
}

static bool same_loop(const struct pl_window *a, const struct pl_window *b)
{
    if (a->nslots != b->nslots)
        return false;
    for (size_t i = 0; i < a->nslots; i++)
        if (a->slots[i].campaign != b->slots[i].campaign || a->slots[i].item != b->slots[i].item ||
            a->slots[i].duration_ms != b->slots[i].duration_ms)
            return false;
    return true;
}

static uint64_t loop_hash(const struct pl_window *w)
{
    uint64_t h = w->nslots;

    for (size_t i = 0; i < w->nslots; i++) {
        h = mix64(h, (uintptr_t)w->slots[i].campaign);
        h = mix64(h, w->slots[i].item);
        h = mix64(h, (uint64_t)w->slots[i].duration_ms);
    }
    return h;
}

/* Numbers the campaigns of W's slots; -1 for a slot without its item. */
static int number_campaigns(struct numbering *nb, const struct pl_window *w)
{
    for (size_t i = 0; i < w->nslots; i++) {
        const struct pl_slot *s = &w->slots[i];
        size_t *pos;
        if (!s->campaign || !s->campaign->items || s->item >= s->campaign->nitems ||
            s->duration_ms <= 0)
            return -1;
        pos = camp_slot(nb, s->campaign);
        if (!*pos) {
            nb->camps[nb->ncamps] = s->campaign;
            nb->base[nb->ncamps] = nb->items;
            nb->items += s->campaign->nitems;
            *pos = ++nb->ncamps;
        }
    }
    return 0;
}

/* The number of W's loop among the distinct loops. */
static size_t number_loop(struct numbering *nb, const struct pl_window *w)
{
    uint64_t h = loop_hash(w);
    size_t i = (size_t)h & (nb->lcap - 1);

    for (; nb->ltab[i]; i = (i + 1) & (nb->lcap - 1))
        if (nb->lhash[nb->ltab[i] - 1] == h && same_loop(nb->loops[nb->ltab[i] - 1], w))
            return nb->ltab[i] - 1;
    nb->loops[nb->nloops] = w;
    nb->lhash[nb->nloops] = h;
    nb->ltab[i] = ++nb->nloops;
    return nb->nloops - 1;
}

static void numbering_free(struct numbering *nb)
{
    free(nb->camps);
    free(nb->base);
    free(nb->ctab);
    free(nb->loops);
    free(nb->ltab);
    free(nb->lhash);
}

static int numbering_init(struct numbering *nb, const struct pl_playlist *pl)
{
    size_t slots = pl->fallback.nslots, loops = pl->nwindows + 1;

    memset(nb, 0, sizeof *nb);
    for (size_t i = 0; i < pl->nwindows; i++)
        slots += pl->windows[i].nslots;
    nb->ccap = hash_table_size(slots);
    nb->lcap = hash_table_size(loops);
    nb->camps = malloc((slots + 1) * sizeof *nb->camps);
    nb->base = malloc((slots + 1) * sizeof *nb->base);
    nb->ctab = calloc(nb->ccap, sizeof *nb->ctab);
    nb->loops = malloc(loops * sizeof *nb->loops);
    nb->lhash = malloc(loops * sizeof *nb->lhash);
    nb->ltab = calloc(nb->lcap, sizeof *nb->ltab);
    if (!nb->camps || !nb->base || !nb->ctab || !nb->loops || !nb->lhash || !nb->ltab)
        return -1;
    if (number_campaigns(nb, &pl->fallback) < 0)
        return -1;
    for (size_t i = 0; i < pl->nwindows; i++)
        if (pl->windows[i].nslots == 0 || number_campaigns(nb, &pl->windows[i]) < 0)
            return -1;
    if (pl->fallback.nslots)
        number_loop(nb, &pl->fallback);
    for (size_t i = 0; i < pl->nwindows; i++)
        number_loop(nb, &pl->windows[i]);
    return 0;
}

static void put_campaigns(struct strbuf *out, const struct numbering *nb,
                          const struct pl_campaign *fallback)
{
    sb_puts(out, "campaigns = (\n");
    for (size_t i = 0; i < nb->ncamps; i++) {
        const struct pl_campaign *c = nb->camps[i];
        sb_puts(out, "  { ");
        put_member_string(out, "id", c == fallback ? PL_FALLBACK_ID : (c->id ? c->id : ""));
        if (c->owner && *c->owner)
            put_member_string(out, "owner", c->owner);
        if (c->title && *c->title)
            put_member_string(out, "title", c->title);
        sb_puts(out, "items = (\n");
        for (size_t k = 0; k < c->nitems; k++) {
            sb_puts(out, "      ");
            put_item(out, &c->items[k]);
            sb_puts(out, k + 1 < c->nitems ? ",\n" : " ); }");
        }
        sb_puts(out, i + 1 < nb->ncamps ? ",\n" : "\n");
    }
    sb_puts(out, ");\n");
}

/* A loop: [ n, n, ... ] with the global item numbers, or, when a slot does
 * not last its item's time, a list with [ n, milliseconds ] for those. */
static void put_loop(struct strbuf *out, struct numbering *nb, const struct pl_window *w)
{
    bool plain = true;

    for (size_t i = 0; i < w->nslots; i++)
        if (w->slots[i].duration_ms != w->slots[i].campaign->items[w->slots[i].item].duration_ms)
            plain = false;
    sb_puts(out, plain ? "  [ " : "  ( ");
    for (size_t i = 0; i < w->nslots; i++) {
        const struct pl_slot *s = &w->slots[i];
        size_t n = nb->base[*camp_slot(nb, s->campaign) - 1] + s->item;
        if (i)
            sb_puts(out, i % 32 ? ", " : ",\n    ");
        if (s->duration_ms == s->campaign->items[s->item].duration_ms)
            sb_printf(out, "%zu", n);
        else
            sb_printf(out, "[ %zu, %" PRId64 " ]", n, s->duration_ms);
    }
    sb_puts(out, plain ? " ]" : " )");
}

int pl_playlist_format_head(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out)
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
    if (pl->inputs) {
        sb_puts(out, "\ninputs = ");
        put_string(out, pl->inputs);
        sb_putc(out, ';');
    }
    sb_putc(out, '\n');
    return sb_failed(out) ? -1 : 0;
}

int pl_playlist_format_body(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out)
{
    struct numbering nb;
    const struct pl_campaign *fallback = NULL;
    int r = -1;

    if (!pl || !tz || !out)
        return -1;
    if (numbering_init(&nb, pl) < 0)
        goto out_free;
    if (pl->fallback.nslots)
        fallback = pl->fallback.slots[0].campaign;
    for (size_t i = 0; i < pl->fallback.nslots; i++)
        if (pl->fallback.slots[i].campaign != fallback)
            goto out_free; /* the fallback is one campaign, "-" */
    for (size_t i = 0; fallback && i < pl->nwindows; i++)
        for (size_t k = 0; k < pl->windows[i].nslots; k++)
            if (pl->windows[i].slots[k].campaign == fallback)
                goto out_free;
    put_campaigns(out, &nb, fallback);
    sb_puts(out, "loops = (\n");
    for (size_t i = 0; i < nb.nloops; i++) {
        put_loop(out, &nb, nb.loops[i]);
        sb_puts(out, i + 1 < nb.nloops ? ",\n" : "\n");
    }
    sb_printf(out, ");\nfallback = %d;\nwindows = (\n", pl->fallback.nslots ? 0 : -1);
    for (size_t i = 0; i < pl->nwindows; i++) {
        const struct pl_window *w = &pl->windows[i];
        sb_puts(out, "  { ");
        if (put_time(out, "start", w->start, tz) < 0)
            goto out_free;
        sb_putc(out, ' ');
        if (put_time(out, "end", w->end, tz) < 0)
            goto out_free;
        sb_printf(out, " priority = %d; loop = %zu; }%s\n", w->priority, number_loop(&nb, w),
                  i + 1 < pl->nwindows ? "," : "");
    }
    sb_puts(out, ");\n");
    r = sb_failed(out) ? -1 : 0;
out_free:
    numbering_free(&nb);
    return r;
}

int pl_playlist_format(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out)
{
    if (pl_playlist_format_head(pl, tz, out) < 0)
        return -1;
    return pl_playlist_format_body(pl, tz, out);
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
static const char *const top_members2[] = {
    "format",       "screen", "timezone",  "width", "height",   "rotate", "generation",
    "generated_at", "inputs", "campaigns", "loops", "fallback", "windows"};
static const char *const campaign_members[] = {"id", "owner", "title", "items"};
static const char *const item_members[] = {"type", "duration",   "media", "sha256",
                                           "text", "background", "color"};
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

/* The members that say what an item shows (type, duration, media or text,
 * colours) into IN; WHAT names the group in messages ("slot", "item"). */
static int parse_item_fields(const config_setting_t *g, const char *what, const char *name,
                             struct slot_in *in, char *err, size_t errlen)
{
    const char *type;
    int r;

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
            pl_cfg_error(err, errlen, name, g, "a text %s has no 'media' or 'sha256'", what);
            return -1;
        }
        if (need_string(g, "text", name, &in->text, "add text = \"...\";", err, errlen) < 0)
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
            pl_cfg_error(err, errlen, name, g, "an %s %s has no 'text' or 'color'", type, what);
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

static int parse_slot(const config_setting_t *g, bool fallback, const char *name,
                      struct slot_in *in, char *err, size_t errlen)
{
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
    return parse_item_fields(g, "slot", name, in, err, errlen);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Fills the empty item IT from IN, read from the group G.  0, or -1 when out
 * of memory. */
static int item_set(struct pl_item *it, const struct slot_in *in, const config_setting_t *g)
{
    it->type = (enum pl_item_type)in->type;
    it->duration_ms = in->duration_ms;
    it->background = in->background;
    it->color = in->color;
    it->line = (int)config_setting_source_line(g);
    if (in->type == PL_ITEM_TEXT) {
        it->text = strdup(in->text);
        return it->text ? 0 : -1;
    }
    memcpy(it->sha256, in->sha256, PL_SHA256_HEX);
    it->media = strdup(in->media);
    return it->media ? 0 : -1;
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
        if (item_set(it, in, g) < 0)
            goto out_nomem;
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

/* The windows; in format 2 (NUMBERED) each names one of the NLOOPS LOOPS by
 * number and its slots point into that loop. */
static int parse_windows(struct stubs *st, const config_setting_t *list, const pl_tz *tz,
                         bool numbered, const struct pl_window *loops, size_t nloops,
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
        if (check_members(g, window_members, sizeof window_members / sizeof window_members[0],
                          "window", name, err, errlen) < 0 ||
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
        if (!numbered) {
            if (parse_loop(st, loop, false, name, w, err, errlen) < 0)
                return -1;
            continue;
        }
        long long k;
        if (nloops == 0) {
            pl_cfg_error(err, errlen, name, loop, "the window names a loop, and 'loops' is empty");
            return -1;
        }
        if (need_int(g, "loop", name, 0, (long long)nloops - 1, &k, err, errlen) < 0)
            return -1;
        if (loops[k].slots[0].campaign->id[0] == '-') {
            pl_cfg_error(err, errlen, name, loop,
                         "loop %lld is the fallback's; a window plays campaigns", k);
            return -1;
        }
        w->slots = loops[k].slots;
        w->nslots = loops[k].nslots;
        w->loop_ms = loops[k].loop_ms;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Format 2: campaigns and their items once, loops once, windows by number */

/* Every item of the file by its number: the campaigns' items one after the
 * other, in the order of 'campaigns'. */
struct numbered {
    struct pl_campaign **camp;
    unsigned *item;
    size_t n, cap;
};

static int numbered_add(struct numbered *nd, struct pl_campaign *c, size_t nitems)
{
    if (nd->n + nitems > nd->cap) {
        size_t cap = nd->cap ? nd->cap : 64;
        while (cap < nd->n + nitems)
            cap *= 2;
        struct pl_campaign **camp = realloc(nd->camp, cap * sizeof *camp);
        if (!camp)
            return -1;
        nd->camp = camp;
        unsigned *item = realloc(nd->item, cap * sizeof *item);
        if (!item)
            return -1;
        nd->item = item;
        nd->cap = cap;
    }
    for (size_t i = 0; i < nitems; i++) {
        nd->camp[nd->n] = c;
        nd->item[nd->n++] = (unsigned)i;
    }
    return 0;
}

/* One item of a campaign: a group like a format 1 slot without the
 * campaign's members, or { } for a number the file does not play. */
static int parse_item2(const config_setting_t *g, const char *name, struct pl_item *it, char *err,
                       size_t errlen)
{
    struct slot_in in;

    memset(&in, 0, sizeof in);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, name, g, "an item must be a group { type = ...; }");
        return -1;
    }
    if (config_setting_length(g) == 0)
        return 0;
    if (check_members(g, item_members, sizeof item_members / sizeof item_members[0], "item", name,
                      err, errlen) < 0 ||
        parse_item_fields(g, "item", name, &in, err, errlen) < 0)
        return -1;
    if (item_set(it, &in, g) < 0) {
        pl_cfg_error(err, errlen, name, g, "out of memory");
        return -1;
    }
    return 0;
}

static int parse_campaign2(struct stubs *st, const config_setting_t *g, const char *name,
                           struct numbered *nd, char *err, size_t errlen)
{
    struct pl_playlist *pl = st->pl;
    const config_setting_t *items;
    const char *id, *owner = "", *title = "";
    struct pl_campaign *c, **arr;
    size_t *pos;
    int n;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        pl_cfg_error(err, errlen, name, g, "a campaign must be a group { id = ...; }");
        return -1;
    }
    if (check_members(g, campaign_members, sizeof campaign_members / sizeof campaign_members[0],
                      "campaign", name, err, errlen) < 0 ||
        need_string(g, "id", name, &id, "every campaign has its id", err, errlen) < 0 ||
        pl_cfg_string(g, "owner", name, &owner, err, errlen) < 0 ||
        pl_cfg_string(g, "title", name, &title, err, errlen) < 0)
        return -1;
    if (strcmp(id, PL_FALLBACK_ID) != 0 && !pl_id_valid(id)) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, "id"),
                     "campaign id \"%.80s\" is not valid (a-z 0-9 _ -, at most 64; \"-\" is "
                     "the fallback)",
                     id);
        return -1;
    }
    items = config_setting_get_member(g, "items");
    if (!items || config_setting_type(items) != CONFIG_TYPE_LIST) {
        pl_cfg_error(err, errlen, name, items ? items : g,
                     "a campaign has items = ( { ... }, ... );");
        return -1;
    }
    n = config_setting_length(items);
    if (n < 1 || n > PL_ITEM_INDEX_MAX + 1 || st->items_total + (size_t)n > PL_STUB_ITEMS_MAX) {
        pl_cfg_error(err, errlen, name, items,
                     n < 1 ? "the campaign has no items"
                           : "too many items (at most %d in a campaign, %d in a playlist)",
                     PL_ITEM_INDEX_MAX + 1, PL_STUB_ITEMS_MAX);
        return -1;
    }
    if ((pl->ncampaigns + 1) * 2 > st->cap && stub_grow(st) < 0)
        goto out_nomem;
    pos = stub_find(st, id);
    if (*pos) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(g, "id"),
                     "campaign \"%s\" is listed twice", id);
        return -1;
    }
    arr = realloc(pl->campaigns, (pl->ncampaigns + 1) * sizeof *arr);
    if (!arr)
        goto out_nomem;
    pl->campaigns = arr;
    c = calloc(1, sizeof *c);
    if (!c)
        goto out_nomem;
    pl->campaigns[pl->ncampaigns++] = c;
    *pos = pl->ncampaigns;
    c->weight = 1;
    c->id = strdup(id);
    c->owner = strdup(owner);
    c->title = strdup(title);
    c->items = calloc((size_t)n, sizeof *c->items);
    if (!c->id || !c->owner || !c->title || !c->items)
        goto out_nomem;
    c->nitems = (size_t)n;
    st->items_total += (size_t)n;
    if (strcmp(id, PL_FALLBACK_ID) == 0) {
        c->start = PL_MS_MIN;
        c->end = PL_MS_MAX;
    }
    for (int i = 0; i < n; i++)
        if (parse_item2(config_setting_get_elem(items, (unsigned)i), name, &c->items[i], err,
                        errlen) < 0)
            return -1;
    if (numbered_add(nd, c, (size_t)n) < 0)
        goto out_nomem;
    return 0;
out_nomem:
    pl_cfg_error(err, errlen, name, g, "out of memory");
    return -1;
}

static bool is_int(const config_setting_t *s)
{
    return s && (config_setting_type(s) == CONFIG_TYPE_INT ||
                 config_setting_type(s) == CONFIG_TYPE_INT64);
}

/* One entry of a loop: an item's number, or [ number, milliseconds ]. */
static int parse_entry(const config_setting_t *e, const config_setting_t *loop,
                       const struct numbered *nd, const char *name, struct pl_slot *slot, char *err,
                       size_t errlen)
{
    const config_setting_t *num = e, *ms = NULL;
    const struct pl_item *it;
    long long k;

    if (!is_int(e)) {
        if ((config_setting_type(e) != CONFIG_TYPE_ARRAY &&
             config_setting_type(e) != CONFIG_TYPE_LIST) ||
            config_setting_length(e) != 2 || !is_int(config_setting_get_elem(e, 0)) ||
            !is_int(config_setting_get_elem(e, 1))) {
            pl_cfg_error(err, errlen, name, loop,
                         "a loop lists item numbers, or [ number, milliseconds ]");
            return -1;
        }
        num = config_setting_get_elem(e, 0);
        ms = config_setting_get_elem(e, 1);
    }
    k = config_setting_get_int64(num);
    if (k < 0 || (unsigned long long)k >= nd->n ||
        nd->camp[k]->items[nd->item[k]].duration_ms <= 0) {
        pl_cfg_error(err, errlen, name, loop, "item number %lld is not one of 'campaigns'", k);
        return -1;
    }
    it = &nd->camp[k]->items[nd->item[k]];
    slot->campaign = nd->camp[k];
    slot->item = nd->item[k];
    slot->duration_ms = it->duration_ms;
    if (ms) {
        long long v = config_setting_get_int64(ms);
        if (v < PL_DURATION_MIN_MS || v > PL_DURATION_MAX_MS) {
            pl_cfg_error(err, errlen, name, loop, "a slot lasts %lld..%lld milliseconds, not %lld",
                         (long long)PL_DURATION_MIN_MS, (long long)PL_DURATION_MAX_MS, v);
            return -1;
        }
        slot->duration_ms = v;
    }
    return 0;
}

static int parse_loop2(const config_setting_t *loop, const struct numbered *nd, const char *name,
                       struct pl_window *w, char *err, size_t errlen)
{
    int n = config_setting_length(loop);
    size_t fallback = 0;

    if ((config_setting_type(loop) != CONFIG_TYPE_ARRAY &&
         config_setting_type(loop) != CONFIG_TYPE_LIST) ||
        n < 1) {
        pl_cfg_error(err, errlen, name, loop, "a loop is [ n, n, ... ] with at least one item");
        return -1;
    }
    w->slots = calloc((size_t)n, sizeof *w->slots);
    if (!w->slots) {
        pl_cfg_error(err, errlen, name, loop, "out of memory");
        return -1;
    }
    w->nslots = (size_t)n;
    for (int i = 0; i < n; i++) {
        struct pl_slot *s = &w->slots[i];
        if (parse_entry(config_setting_get_elem(loop, (unsigned)i), loop, nd, name, s, err,
                        errlen) < 0)
            return -1;
        s->offset_ms = w->loop_ms;
        w->loop_ms += s->duration_ms;
        fallback += strcmp(s->campaign->id, PL_FALLBACK_ID) == 0;
    }
    if (fallback && fallback != w->nslots) {
        pl_cfg_error(err, errlen, name, loop,
                     "the loop mixes the fallback \"-\" with campaigns; it is one or the other");
        return -1;
    }
    return 0;
}

static int parse_body2(struct stubs *st, const config_setting_t *root, const pl_tz *tz,
                       const char *name, char *err, size_t errlen)
{
    struct pl_playlist *pl = st->pl;
    const config_setting_t *camps = config_setting_get_member(root, "campaigns");
    const config_setting_t *loops = config_setting_get_member(root, "loops");
    const config_setting_t *wins = config_setting_get_member(root, "windows");
    struct numbered nd = {0};
    const char *inputs;
    long long fb;
    int r = -1;

    switch (pl_cfg_string(root, "inputs", name, &inputs, err, errlen)) {
    case 0:
        if (!(pl->inputs = strdup(inputs)))
            goto out_nomem;
        break;
    case 1:
        break;
    default:
        return -1;
    }
    if (!camps || !loops || !wins || !config_setting_get_member(root, "fallback")) {
        pl_cfg_error(err, errlen, name, NULL, "'%s' is missing",
                     !camps   ? "campaigns"
                     : !loops ? "loops"
                     : !wins  ? "windows"
                              : "fallback");
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        const config_setting_t *l = i ? loops : camps;
        if (config_setting_type(l) != CONFIG_TYPE_LIST) {
            pl_cfg_error(err, errlen, name, l, "'%s' must be a list ( ... )",
                         config_setting_name(l));
            return -1;
        }
    }
    for (int i = 0; i < config_setting_length(camps); i++)
        if (parse_campaign2(st, config_setting_get_elem(camps, (unsigned)i), name, &nd, err,
                            errlen) < 0)
            goto out_free;
    if (config_setting_length(loops) > 0) {
        pl->loops = calloc((size_t)config_setting_length(loops), sizeof *pl->loops);
        if (!pl->loops)
            goto out_nomem;
    }
    for (int i = 0; i < config_setting_length(loops); i++) {
        pl->nloops++;
        if (parse_loop2(config_setting_get_elem(loops, (unsigned)i), &nd, name, &pl->loops[i], err,
                        errlen) < 0)
            goto out_free;
    }
    if (need_int(root, "fallback", name, -1, (long long)pl->nloops - 1, &fb, err, errlen) < 0)
        goto out_free;
    if (fb >= 0) {
        const struct pl_window *l = &pl->loops[fb];
        if (strcmp(l->slots[0].campaign->id, PL_FALLBACK_ID) != 0) {
            pl_cfg_error(err, errlen, name, config_setting_get_member(root, "fallback"),
                         "loop %lld plays campaigns; the fallback's loop plays campaign \"-\"", fb);
            goto out_free;
        }
        pl->fallback.slots = malloc(l->nslots * sizeof *l->slots);
        if (!pl->fallback.slots)
            goto out_nomem;
        memcpy(pl->fallback.slots, l->slots, l->nslots * sizeof *l->slots);
        pl->fallback.nslots = l->nslots;
        pl->fallback.loop_ms = l->loop_ms;
    }
    if (parse_windows(st, wins, tz, true, pl->loops, pl->nloops, name, err, errlen) < 0)
        goto out_free;
    r = 0;
    goto out_free;
out_nomem:
    pl_cfg_error(err, errlen, name, NULL, "out of memory");
out_free:
    free(nd.camp);
    free(nd.item);
    return r;
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
    if (n != 1 && n != PL_FORMAT) {
        pl_cfg_error(err, errlen, name, config_setting_get_member(root, "format"),
                     "playlist format %lld is not supported, this program reads formats 1 to "
                     "%d; update the player or regenerate the playlist",
                     n, PL_FORMAT);
        goto out_fail;
    }
    pl->format = (int)n;
    if (n == 1 ? check_members(root, top_members, sizeof top_members / sizeof top_members[0],
                               "playlist", name, err, errlen) < 0
               : check_members(root, top_members2, sizeof top_members2 / sizeof top_members2[0],
                               "playlist", name, err, errlen) < 0)
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
    pl->fallback.start = PL_MS_MIN;
    pl->fallback.end = PL_MS_MAX;
    if (pl->format == 2) {
        if (parse_body2(&st, root, tz, name, err, errlen) < 0)
            goto out_fail;
        goto out_done;
    }
    fb = config_setting_get_member(root, "fallback");
    if (!fb) {
        pl_cfg_error(err, errlen, name, NULL, "'fallback' is missing; add fallback = ( ... );");
        goto out_fail;
    }
    if (parse_loop(&st, fb, true, name, &pl->fallback, err, errlen) < 0)
        goto out_fail;
    wins = config_setting_get_member(root, "windows");
    if (!wins) {
        pl_cfg_error(err, errlen, name, NULL, "'windows' is missing; add windows = ( ... );");
        goto out_fail;
    }
    if (parse_windows(&st, wins, tz, false, NULL, 0, name, err, errlen) < 0)
        goto out_fail;
out_done:
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
    free(pl->inputs);
    /* Format 2: the windows' slots are the loops'. */
    for (size_t i = 0; !pl->loops && i < pl->nwindows; i++)
        free(pl->windows[i].slots);
    for (size_t i = 0; i < pl->nloops; i++)
        free(pl->loops[i].slots);
    free(pl->loops);
    free(pl->windows);
    free(pl->fallback.slots);
    for (size_t i = 0; i < pl->ncampaigns; i++)
        pl_campaign_free(pl->campaigns[i]);
    free(pl->campaigns);
    free(pl);
}
