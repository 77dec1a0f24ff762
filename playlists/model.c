#include "playlists/model.h"

#include "common/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const item_type_names[] = {"image", "video", "text"};

const char *pl_item_type_name(enum pl_item_type t)
{
    return (unsigned)t < 3 ? item_type_names[t] : "?";
}

int pl_item_type_parse(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, item_type_names[i]) == 0)
            return i;
    return -1;
}

void pl_item_clear(struct pl_item *it)
{
    free(it->file);
    free(it->media);
    free(it->text);
    it->file = it->media = it->text = NULL;
}

/* Folds the string S (NULL and "" apart) into H. */
static uint64_t digest_str(uint64_t h, const char *s)
{
    return s ? hash64(s, strlen(s), hash64_mix(h, 1)) : hash64_mix(h, 0);
}

uint64_t pl_campaign_digest(const struct pl_campaign *c)
{
    uint64_t h = 0;

    if (!c)
        return 0;
    h = digest_str(h, c->id);
    h = digest_str(h, c->owner);
    h = digest_str(h, c->title);
    h = hash64_mix(h, (uint64_t)c->start);
    h = hash64_mix(h, (uint64_t)c->end);
    h = hash64_mix(h, (uint64_t)c->priority);
    h = hash64_mix(h, (uint64_t)c->weight);
    h = hash64_mix(h, c->nhours);
    for (size_t i = 0; i < c->nhours; i++) {
        h = hash64_mix(h, c->hours[i].days);
        h = hash64_mix(h, (uint64_t)c->hours[i].from_min << 16 | (uint64_t)c->hours[i].to_min);
    }
    h = hash64_mix(h, c->nscreens);
    for (size_t i = 0; i < c->nscreens; i++)
        h = digest_str(h, c->screens[i]);
    h = hash64_mix(h, c->nitems);
    for (size_t i = 0; c->items && i < c->nitems; i++) {
        const struct pl_item *it = &c->items[i];
        h = hash64_mix(h, (uint64_t)it->type);
        h = hash64_mix(h, (uint64_t)it->duration_ms);
        h = digest_str(h, it->media);
        h = digest_str(h, it->sha256);
        h = digest_str(h, it->text);
        h = hash64_mix(h, (uint64_t)it->background << 32 | it->color);
    }
    return h;
}

void pl_campaign_free(struct pl_campaign *c)
{
    if (!c)
        return;
    free(c->id);
    free(c->title);
    free(c->owner);
    free(c->hours);
    for (size_t i = 0; i < c->nscreens; i++)
        free(c->screens[i]);
    free(c->screens);
    for (size_t i = 0; i < c->nitems; i++)
        pl_item_clear(&c->items[i]);
    free(c->items);
    free(c->source);
    free(c);
}

int pl_hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int pl_color_parse(const char *s, uint32_t *out)
{
    size_t n;
    uint32_t v = 0;

    if (!s || s[0] != '#')
        return -1;
    n = strlen(s + 1);
    if (n != 3 && n != 6)
        return -1;
    for (size_t i = 1; i <= n; i++) {
        int h = pl_hex_digit(s[i]);
        if (h < 0)
            return -1;
        v = n == 3 ? (v << 8) | (uint32_t)(h * 17) : (v << 4) | (uint32_t)h;
    }
    *out = v;
    return 0;
}

void pl_color_format(uint32_t c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
}

bool pl_id_valid(const char *id)
{
    size_t n;

    if (!id || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
        return false;
    for (n = 1; id[n]; n++) {
        char ch = id[n];
        if (n >= PL_ID_MAX)
            return false;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

bool pl_sha256_valid(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

bool pl_media_path_valid(const char *media, const char *sha)
{
    const char *ext = media + 71;
    size_t n = 0;

    if (!pl_sha256_valid(sha) || strncmp(media, "media/", 6) != 0 ||
        strncmp(media + 6, sha, 64) != 0 || media[70] != '.')
        return false;
    for (; ext[n]; n++)
        if (!((ext[n] >= 'a' && ext[n] <= 'z') || (ext[n] >= '0' && ext[n] <= '9')))
            return false;
    return n >= 1 && n <= 8;
}
