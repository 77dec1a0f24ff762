/* model.h - campaigns and their items, as the schedule sees them.
 *
 * Plain data with public fields: the scheduler fills them from campaign
 * files, the playlist reader fills stubs from playlist files, and the merge
 * reads them.  Strings are owned by the struct that holds them and freed by
 * pl_campaign_free().
 */
#ifndef SIGNAGE_MODEL_H
#define SIGNAGE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playlists/pltime.h"

#define PL_ID_MAX 64 /* campaign id: [a-z0-9][a-z0-9_-]{0,63} */
#define PL_PRIORITY_MAX 100
#define PL_WEIGHT_MAX 100
#define PL_SHA256_HEX 65 /* 64 hex digits and a NUL */

enum pl_item_type { PL_ITEM_IMAGE, PL_ITEM_VIDEO, PL_ITEM_TEXT };

/* "image", "video", "text"; and back (-1 for an unknown name). */
const char *pl_item_type_name(enum pl_item_type t);
int pl_item_type_parse(const char *s);

struct pl_item {
    enum pl_item_type type;
    pl_ms duration_ms;          /* > 0 */
    char *file;                 /* as written in the campaign, relative to spool/; NULL for text */
    char *media;                /* once stored: path relative to STATE, "media/<sha256>.<ext>" */
    char sha256[PL_SHA256_HEX]; /* hex of the medium, "" for text */
    char *text;                 /* text items: UTF-8, '\n' = explicit line break */
    uint32_t background;        /* 0xRRGGBB */
    uint32_t color;             /* 0xRRGGBB */
    int page;                   /* images from a PDF: the page, 1..; 0 = not given (the first) */
    /* When the screens could not show the file as sent (a PDF, HEIC, an
     * animated GIF) MEDIA was made from it at accept time: the hex of the
     * file the operator sent; "" when MEDIA is that file. */
    char source_sha256[PL_SHA256_HEX];
    int line; /* line in the source file, 0 if unknown (messages only) */
};

/* A daypart: on each weekday in DAYS, active from FROM_MIN to TO_MIN minutes
 * after local midnight.  TO_MIN < FROM_MIN runs past midnight into the next
 * day (the weekday named is the day it starts); 0..1440 = the whole day. */
struct pl_daypart {
    unsigned days;        /* bit d set = weekday d, 0 = Sunday */
    int from_min, to_min; /* 0..1440 */
};

struct pl_campaign {
    char *id, *title, *owner;
    pl_ms start, end;         /* active in [start, end) */
    int priority;             /* 0..100, default 50 */
    int weight;               /* 1..100, default 1 */
    struct pl_daypart *hours; /* NULL/0: all day */
    size_t nhours;
    char **screens; /* screen ids, group names, "*" */
    size_t nscreens;
    struct pl_item *items;
    size_t nitems;
    char *source; /* file it came from, for messages; may be NULL */
    /* The scheduler's record of an accepted version (0 when not known):
     * its number in the campaign's history, when its file became complete
     * in the spool (ctime, then mtime; the order "newer" is decided by),
     * and the version it was restored from. */
    unsigned version;
    int64_t arrived_ns, mtime_ns;
    unsigned restored_from;
};

/* A signature of everything in C that a playlist is computed from: id,
 * owner, title, dates, priority, weight, hours, targets and items (not its
 * history fields).  Equal campaigns give equal values on every run. */
uint64_t pl_campaign_digest(const struct pl_campaign *c);

/* Frees the campaign and everything it owns; NULL is a no-op. */
void pl_campaign_free(struct pl_campaign *c);
/* Frees the strings an item owns (not the item itself). */
void pl_item_clear(struct pl_item *it);

/* The value of the hex digit CH (0-9, a-f, A-F), or -1. */
int pl_hex_digit(char ch);

/* Parses "#rrggbb" (or "#rgb") into 0xRRGGBB.  Returns 0 or -1. */
int pl_color_parse(const char *s, uint32_t *out);
/* Writes "#rrggbb" into BUF (8 bytes). */
void pl_color_format(uint32_t c, char buf[8]);

/* True when S is 64 lowercase hex digits: a SHA-256 as the store names
 * media. */
bool pl_sha256_valid(const char *s);

/* True when MEDIA is a path the store writes for the medium of hash SHA:
 * "media/<SHA>.<ext>", ext 1..8 lowercase letters or digits.  Nothing else
 * (no "..", no other directory) is ever opened by a player. */
bool pl_media_path_valid(const char *media, const char *sha);

/* True when ID matches [a-z0-9][a-z0-9_-]{0,63}. */
bool pl_id_valid(const char *id);

#endif
