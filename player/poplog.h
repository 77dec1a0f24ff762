/* poplog.h - the proof-of-play log (SPEC §8).
 *
 * One JSON object per line in DIR/play-YYYY-MM-DD.jsonl, the date being the
 * local date (in the playlist's zone) of the item's start; the player's DIR
 * is STATE/log/<screen>, so the logs of many boxes can be collected into one
 * tree without two files of the same name.  Each line is
 * written with one write(2) on a file opened with O_APPEND, so a crash loses
 * at most the item on screen and concurrent writers never interleave.  The
 * file is opened per line: a log rotated or copied away is simply recreated.
 */
#ifndef SIGNAGE_PLAYER_POPLOG_H
#define SIGNAGE_PLAYER_POPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "playlists/pltime.h"

enum poplog_result { POPLOG_PLAYED, POPLOG_CUT, POPLOG_SKIPPED, POPLOG_ERROR };

/* "played", "cut", "skipped", "error". */
const char *poplog_result_name(enum poplog_result r);

/* One item that left the screen.  Strings are borrowed; MEDIA and SHA256
 * may be NULL or "" (text items): they are written as null.  ERROR may be
 * NULL (no "error" key). */
struct poplog_entry {
    const char *screen;
    const char *campaign; /* "-" for the fallback */
    const char *owner;
    const char *title;
    int item;
    const char *type; /* "image", "video", "text" */
    const char *media;
    const char *sha256;
    pl_ms start, end;
    pl_ms planned_ms, shown_ms;
    enum poplog_result result;
    const char *error;
    int64_t generation;
};

struct poplog;

/* A log writing into directory DIR (created, with its parent, when missing)
 * with dates and times in TZ (borrowed; must outlive the log).  Returns NULL
 * with ERR filled when DIR cannot be created.  Free with poplog_free(). */
struct poplog *poplog_new(const char *dir, const pl_tz *tz, char *err, size_t errlen);

/* NULL is a no-op. */
void poplog_free(struct poplog *log);

/* Formats E as one JSON line (with the trailing newline).  Returns a
 * malloc'ed string (free() it), or NULL when out of memory. */
char *poplog_format(const struct poplog_entry *e, const pl_tz *tz);

/* The file E goes to: DIR/play-YYYY-MM-DD.jsonl into BUF.  Returns 0, or -1
 * when BUF is too small. */
int poplog_path(const struct poplog *log, pl_ms start, char *buf, size_t len);

/* Appends E.  Returns 0, or -errno with ERR filled ("PATH: why"); the
 * caller logs it (once) and plays on. */
int poplog_write(struct poplog *log, const struct poplog_entry *e, char *err, size_t errlen);

#endif
