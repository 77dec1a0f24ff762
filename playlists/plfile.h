/* plfile.h - playlist files (SPEC §6), read and written with libconfig.
 *
 * A playlist is everything a player needs besides media/: which screen, its
 * geometry, the zone, the generation, the windows with their loops, and the
 * fallback loop.
 *
 * Format 2 is written (libconfig syntax, UTF-8, by pl_playlist_format()
 * exactly in this order and layout, so the same playlist always gives the
 * same bytes).  Each campaign, each item and each distinct loop is written
 * once; windows name their loop by number:
 *
 *   # signage playlist: written by signage-scheduler, do not edit
 *   format = 2;                        # 1 and 2 are read, anything else refused
 *   screen = "shinjuku-west-plaza";    # a screen id
 *   timezone = "Asia/Tokyo";           # IANA zone the times are written in
 *   width = 1920; height = 1080;       # 16..16384 each
 *   rotate = 0;                        # 0, 90, 180, 270
 *   generation = 12L;                  # int64 >= 0
 *   generated_at = "2023-03-01T00:00:00.000+09:00";
 *   inputs = "9c1e...";                # optional: the signature of what the
 *                                      # scheduler computed it from (publish.h)
 *   campaigns = (                      # in order of first use; ids unique
 *     { id = "-"; items = ( <item> ); },          # the fallback, when there is one
 *     { id = "kochi-makino-expo";                  # a campaign id
 *       owner = "高知県"; title = "...";            # optional (left out when empty)
 *       items = ( <item>, <item>, ... ); }         # 1..10000, by index from 0
 *   );
 *   loops = (                          # each distinct loop once
 *     [ 0 ],                           # item numbers, in play order
 *     [ 1, 3, 2, 1 ]
 *   );
 *   fallback = 0;                      # the fallback's loop, -1 when none
 *   windows = (                        # sorted by start, disjoint, may be empty
 *     { start = "2023-03-01T00:00:00.000+09:00";   # ISO 8601, ms and offset
 *       end = "2023-04-01T00:00:00.000+09:00";     # exclusive, after start
 *       priority = 50;                             # 0..100
 *       loop = 1; }                                # a loop of campaigns, not "-"
 *   );
 *
 * Items are numbered through the file: the first campaign's items are 0..,
 * the next campaign's follow on.  A loop lists those numbers; a slot lasts
 * its item's duration, or, written [ n, ms ] in a loop that is then a list
 * ( ... ), the milliseconds given (1000..86400000).  A loop plays either
 * the fallback "-" or campaigns, never both.  An item is
 *   { type = "image";                  # "image", "video" or "text"
 *     duration = 15.000;               # seconds, exactly 3 decimals, 1..86400
 *     media = "media/<sha256>.jpg";    # image/video: path under STATE, "media/..."
 *     sha256 = "<64 lowercase hex>";   # image/video
 *     text = "牧野博士の新休日\nらんまん";  # text: UTF-8, at most PL_TEXT_MAX bytes
 *     background = "#1b5e20";          # optional, default #0b2545 (letterbox for media)
 *     color = "#ffffff"; }             # text only, optional, default #ffffff
 * or { } for an item number no loop plays (a format 1 file names only the
 * items it plays).
 *
 * Format 1, still read, wrote every slot in full inside its window:
 *   fallback = ( <slot>, ... );        # may be empty; every slot has campaign = "-"
 *   windows = ( { start = ...; end = ...; priority = 50; loop = ( <slot>, ... ); } );
 * with a slot being an item with its campaign's members:
 *   { campaign = "kochi-makino-expo"; owner = "高知県"; title = "..."; item = 0;
 *     type = "image"; duration = 15.000; media = ...; sha256 = ...; background = ...; }
 * The reader checks that a (campaign, item) pair always has the same content
 * and a campaign the same owner and title everywhere.
 *
 * Strings escape '"' '\\' and control bytes (\n \t \r \f, others \xNN);
 * every other byte, UTF-8 included, is written as is.  Slots' offsets and
 * each loop's length are not stored: the reader recomputes them from the
 * durations.  The reader trusts nothing: every number, index and string is
 * checked, and a failure names the file and line.
 */
#ifndef SIGNAGE_PLFILE_H
#define SIGNAGE_PLFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "playlists/model.h"
#include "playlists/schedule.h"

#define PL_FORMAT 2 /* what is written; 1 and 2 are read */

struct pl_playlist {
    int format;     /* PL_FORMAT */
    char *screen;   /* screen id */
    char *timezone; /* IANA name */
    int width, height, rotate;
    int64_t generation; /* increases with every write */
    pl_ms generated_at;
    struct pl_window *windows; /* sorted by start, disjoint; owned */
    size_t nwindows;
    /* The fallback loop; its start/end are unused.  Its slots' campaign is
     * the pseudo-campaign "-". */
    struct pl_window fallback;
    /* Campaign stubs the slots point at when this playlist was read from a
     * file (id, owner, title, and the items the slots use); owned.  A
     * playlist built by the scheduler leaves these empty and borrows. */
    struct pl_campaign **campaigns;
    size_t ncampaigns;
    /* What the playlist was computed from, as the scheduler signs it (hex);
     * NULL when not known.  A playlist built by the scheduler borrows it. */
    char *inputs;
    /* Format 2, read from a file: the distinct loops; the windows' slots
     * point into them.  NULL for format 1 and for built playlists. */
    struct pl_window *loops;
    size_t nloops;
};

/* Serialises PL as playlist text, times written in TZ.  Appends to OUT.
 * Returns 0 or -1 (out of memory). */
int pl_playlist_format(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out);

/* The same in two parts, so that many screens sharing their windows format
 * the body once: the head (format, screen, geometry, generation,
 * generated_at, inputs) and the body (campaigns, loops, fallback,
 * windows).  pl_playlist_format() is the head followed by the body. */
int pl_playlist_format_head(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out);
int pl_playlist_format_body(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out);

/* Parses playlist text (NAME is used in messages).  Returns a new playlist
 * owning everything, or NULL with ERR filled ("NAME:LINE: error: ...") for a
 * truncated, corrupt or foreign file.  Never crashes on any input. */
struct pl_playlist *pl_playlist_parse(const char *text, size_t len, const char *name, char *err,
                                      size_t errlen);

/* Reads PATH (refusing files over 256 MiB) and parses it. */
struct pl_playlist *pl_playlist_load(const char *path, char *err, size_t errlen);

/* Formats and publishes PL at PATH through atomic_write_file(). */
int pl_playlist_save(const struct pl_playlist *pl, const pl_tz *tz, const char *path, char *err,
                     size_t errlen);

/* Frees the playlist, its windows and the campaigns it owns; NULL is a no-op. */
void pl_playlist_free(struct pl_playlist *pl);

#endif
