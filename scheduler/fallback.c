/* fallback.c - the prepared fallback recorded for signagectl (see fallback.h). */
#include "scheduler/fallback.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic.h"
#include "common/hash.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "playlists/cfgutil.h"

#define FALLBACK_NAME ".fallback"
#define FALLBACK_MAGIC "signage-fallback"
#define FALLBACK_VERSION 1
#define FALLBACK_MAX_BYTES (1u << 20)
#define FALLBACK_MAX_ITEMS 1000

int sched_fallback_title_item(struct pl_campaign *fb)
{
    struct pl_item *it = &fb->items[0];

    memset(it, 0, sizeof *it);
    it->type = PL_ITEM_TEXT;
    it->duration_ms = 10 * PL_MS_PER_SEC;
    it->text = strdup(fb->title && fb->title[0] ? fb->title : "-");
    it->background = 0x000000;
    it->color = 0xffffff;
    fb->nitems = 1;
    return it->text ? 0 : -1;
}

uint64_t sched_fallback_digest(const struct pl_campaign *fb)
{
    uint64_t h = pl_campaign_digest(fb);

    for (size_t i = 0; fb && i < fb->nitems; i++) {
        const struct pl_item *it = &fb->items[i];
        h = hash64_mix(h, it->file ? hash64(it->file, strlen(it->file), 1) : 0);
        h = hash64_mix(h, (uint64_t)it->page);
    }
    return h;
}

int sched_fallback_save(const struct sched_state *st, const struct pl_campaign *prepared,
                        const long *from, uint64_t raw, char *err, size_t errlen)
{
    struct strbuf sb = STRBUF_INIT;
    char hex[17], *path = NULL;
    int r = -1;

    hash64_hex(raw, hex);
    sb_printf(&sb, "%s %d %s %zu\n", FALLBACK_MAGIC, FALLBACK_VERSION, hex, prepared->nitems);
    for (size_t i = 0; i < prepared->nitems; i++) {
        const struct pl_item *it = &prepared->items[i];
        sb_printf(&sb, "%ld %s %lld %s %s\n", from[i], pl_item_type_name(it->type),
                  (long long)it->duration_ms, it->sha256[0] ? it->sha256 : "-",
                  it->media ? it->media : "-");
    }
    if (sb_failed(&sb) || asprintf(&path, "%s/%s", st->root, FALLBACK_NAME) < 0)
        snprintf(err, errlen, "%s/%s: out of memory", st->root, FALLBACK_NAME);
    else
        r = atomic_write_file(path, sb_str(&sb), sb.len, 0644, err, errlen);
    free(path);
    sb_free(&sb);
    return r;
}

/* True when any item of FB needs a medium. */
static bool needs_media(const struct pl_campaign *fb)
{
    for (size_t i = 0; fb && i < fb->nitems; i++)
        if (fb->items[i].type != PL_ITEM_TEXT)
            return true;
    return false;
}

/* DST becomes a copy of SRC.  0, or -1 out of memory (DST then holds what
 * was copied, for pl_item_clear()). */
static int item_copy(struct pl_item *dst, const struct pl_item *src)
{
    *dst = *src;
    dst->file = src->file ? strdup(src->file) : NULL;
    dst->media = src->media ? strdup(src->media) : NULL;
    dst->text = src->text ? strdup(src->text) : NULL;
    return (src->file && !dst->file) || (src->media && !dst->media) || (src->text && !dst->text)
               ? -1
               : 0;
}

/* One line of the record: what item OUT of the prepared fallback is made
 * of RAW's items.  0, or -1 when the line is not one this writes. */
static int parse_item(char *line, const struct pl_campaign *raw, struct pl_item *out)
{
    char type[16], sha[PL_SHA256_HEX + 1], media[300];
    long from;
    long long ms;
    int used = 0, t;

    if (sscanf(line, "%ld %15s %lld %65s %299s%n", &from, type, &ms, sha, media, &used) != 5 ||
        line[used] != '\0' || from < -1 || from >= (long)raw->nitems ||
        (t = pl_item_type_parse(type)) < 0 || ms < PL_DURATION_MIN_MS || ms > PL_DURATION_MAX_MS)
        return -1;
    memset(out, 0, sizeof *out);
    if (t == PL_ITEM_TEXT) {
        /* text comes from signage.cfg as it is, or is the title */
        if (strcmp(sha, "-") || strcmp(media, "-"))
            return -1;
        if (from < 0) {
            struct pl_campaign one = {.title = raw->title, .items = out, .nitems = 1};
            return sched_fallback_title_item(&one);
        }
        if (raw->items[from].type != PL_ITEM_TEXT)
            return -1;
        return item_copy(out, &raw->items[from]);
    }
    if (from < 0 || strlen(sha) != PL_SHA256_HEX - 1 || !pl_media_path_valid(media, sha) ||
        item_copy(out, &raw->items[from]) < 0)
        return -1;
    out->type = (enum pl_item_type)t;
    out->duration_ms = ms;
    memcpy(out->sha256, sha, PL_SHA256_HEX);
    free(out->media);
    out->media = strdup(media);
    return out->media ? 0 : -1;
}

int sched_fallback_apply(const struct sched_state *st, struct pl_config *cfg)
{
    struct pl_campaign *fb = cfg->fallback;
    struct pl_item *items = NULL;
    char *path = NULL, *text = NULL, *line, *save = NULL, magic[32], hex[17], want[17];
    size_t len, n = 0, got = 0;
    int version, used = 0, r = -1;

    if (!needs_media(fb))
        return 0;
    hash64_hex(sched_fallback_digest(fb), want);
    if (asprintf(&path, "%s/%s", st->root, FALLBACK_NAME) < 0 ||
        slurp_path(path, NULL, FALLBACK_MAX_BYTES, &text, &len, NULL, 0) < 0 ||
        strlen(text) != len || !(line = strtok_r(text, "\n", &save)) ||
        sscanf(line, "%31s %d %16s %zu%n", magic, &version, hex, &n, &used) != 4 ||
        line[used] != '\0' || strcmp(magic, FALLBACK_MAGIC) || version != FALLBACK_VERSION ||
        strcmp(hex, want) || n == 0 || n > FALLBACK_MAX_ITEMS ||
        !(items = calloc(n, sizeof *items)))
        goto out;
    for (; got < n && (line = strtok_r(NULL, "\n", &save)); got++)
        if (parse_item(line, fb, &items[got]) < 0) {
            pl_item_clear(&items[got]);
            goto out;
        }
    if (got != n || strtok_r(NULL, "\n", &save))
        goto out;
    for (size_t i = 0; i < fb->nitems; i++)
        pl_item_clear(&fb->items[i]);
    free(fb->items);
    fb->items = items;
    fb->nitems = n;
    items = NULL;
    r = 1;
out:
    for (size_t i = 0; items && i < got; i++)
        pl_item_clear(&items[i]);
    free(items);
    free(text);
    free(path);
    return r;
}
