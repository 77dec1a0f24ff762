/* plfile.h - playlist files (SPEC §6), read and written with libconfig.
 *
 * A playlist is everything a player needs besides media/: which screen, its
 * geometry, the zone, the generation, the windows with their loops, and the
 * fallback loop.
 */
#ifndef SIGNAGE_PLFILE_H
#define SIGNAGE_PLFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "playlists/model.h"
#include "playlists/schedule.h"

#define PL_FORMAT 1

struct pl_playlist {
    int format;              /* PL_FORMAT */
    char *screen;            /* screen id */
    char *timezone;          /* IANA name */
    int width, height, rotate;
    int64_t generation;      /* increases with every write */
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
};

/* Serialises PL as playlist text, times written in TZ.  Appends to OUT.
 * Returns 0 or -1 (out of memory). */
int pl_playlist_format(const struct pl_playlist *pl, const pl_tz *tz, struct strbuf *out);

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
