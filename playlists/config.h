/* config.h - signage.cfg: state directory, zone, horizon, fallback, screens.
 *
 * Read with libconfig.  Every problem is reported as "FILE:LINE: error: what
 * is wrong, and what would be right".
 */
#ifndef SIGNAGE_CONFIG_H
#define SIGNAGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/model.h"
#include "playlists/pltime.h"

struct pl_screen {
    char *id;   /* [a-z0-9][a-z0-9_-]{0,63} */
    char *name; /* for people; may be NULL */
    char **groups;
    size_t ngroups;
    int width, height; /* the picture as people see it */
    int rotate;        /* 0, 90, 180, 270: how the panel is mounted */
};

struct pl_config {
    char *path;     /* the file read */
    char *dir;      /* its directory: relative paths in it resolve here */
    char *state;    /* STATE; relative values are resolved against dir */
    char *timezone; /* default "Asia/Tokyo" */
    pl_tz *tz;
    int horizon_days;          /* default 35 */
    pl_ms default_duration_ms; /* image/text items without duration; default 10 s */
    pl_ms pending_grace_ms;    /* missing media: reject after this; default 10 min */
    pl_ms settle_ms;           /* a spool file unchanged this long is complete; default 1 s */
    int history_keep;          /* accepted versions kept per campaign; 0 = all; default 100 */
    pl_ms convert_timeout_ms;  /* converting one PDF, HEIC, GIF... at accept time; default 60 s */
    /* Retention (scheduler/retention.h); 0 = keep for ever. */
    int log_keep_days;      /* proof-of-play days kept per screen; default 366 */
    int rejected_keep_days; /* rejected/ files removed this long after; default 90 */
    int spool_keep_days;    /* spool files no campaign uses go to rejected/; default 30 */
    int media_grace_days;   /* media/ files nothing references removed after; default 7 */
    /* video_decode = "vaapi": players decode video on the GPU through VAAPI
     * where the device and the codec allow, else in software; default
     * "software". */
    bool video_vaapi;
    /* The file has a sync group: this box's playlists and media come from a
     * central server through signage-sync, and no scheduler may publish
     * here (its playlists would replace the central ones). */
    bool pulls;
    /* What plays when no campaign does: a pseudo-campaign with id "-",
     * whose items' files are relative to dir.  Never NULL after a load:
     * without a "fallback" setting it is one text item. */
    struct pl_campaign *fallback;
    struct pl_screen *screens;
    size_t nscreens;
    struct pl_screen **by_id; /* the screens sorted by id (lookups in O(log n)) */
    const char **groups;      /* every group name once, sorted (borrowed from screens) */
    size_t ngroups;
    bool screens_left_out; /* read by pl_config_load_head() */
    /* Where the screens list is in the file, and which file that was (its
     * identity when read), for pl_config_save_place(); known when the list
     * was found by the quick reading. */
    bool place_known;
    size_t list_open, list_close; /* offsets of its '(' and ')' */
    unsigned long long file_dev, file_ino;
    long long file_mtime_ns, file_ctime_ns, file_size;
    bool head_from_place; /* pl_config_load_head() read only around the list */
};

/* Finds the config file: OPT (from -c) if given, else $SIGNAGE_CONFIG, else
 * ./signage.cfg if it exists, else /etc/signage/signage.cfg.  Returns a
 * pointer to one of those strings (static or OPT; never NULL). */
const char *pl_config_locate(const char *opt);

/* Reads and validates PATH.  Returns NULL with ERR filled on any problem.
 * The screens list, nearly all of a big network's file, is read by
 * cfgfast.h when it is written plainly, else with the rest by libconfig. */
struct pl_config *pl_config_load(const char *path, char *err, size_t errlen);

/* The same, everything read by libconfig (tests compare the two). */
struct pl_config *pl_config_load_libconfig(const char *path, char *err, size_t errlen);

/* Everything but the screens (nscreens 0, screens_left_out true; the
 * screens list is found, not read or checked), for a command that answers
 * from what was published.  A file of 100,000 screens costs a scan of its
 * 10 MB, unless the scheduler recorded where the list is in this very file
 * (STATE/.config-place, written by pl_config_save_place() and trusted only
 * for the file's device, inode, modification and change times and size,
 * the change time being one no program can set back): then only
 * the bytes around the list are read. */
struct pl_config *pl_config_load_head(const char *path, char *err, size_t errlen);

/* Records where CFG's screens list is in its file, in STATE/.config-place,
 * when that is known and not recorded yet.  Returns 0, or -1 with ERR
 * filled (nothing is lost: head-only reads then scan the file). */
int pl_config_save_place(const struct pl_config *cfg, char *err, size_t errlen);
void pl_config_free(struct pl_config *cfg);

/* The screen with id ID, or NULL. */
const struct pl_screen *pl_config_screen(const struct pl_config *cfg, const char *id);

/* True when TARGET (a screen id, a group name, or "*") names at least one
 * screen of CFG. */
bool pl_config_target_known(const struct pl_config *cfg, const char *target);

/* True when campaign C targets screen S (by id, group, or "*"). */
bool pl_screen_targeted(const struct pl_screen *s, const struct pl_campaign *c);

#endif
