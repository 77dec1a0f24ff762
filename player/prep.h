/* prep.h - the preparation thread: the next item made ready off the render
 * thread (text laid out and rendered, image decoded and fitted, video opened
 * with its first frame decoded), so the switch happens on the frame it is
 * due and never shows black.
 *
 * A job is a list of candidates tried in order: the item that is due, then
 * the items that may fill its time if it is broken.  The first that works
 * is the result; every failure is reported with its message.  Only surface
 * APIs are used here, never a renderer or window: the main thread uploads.
 * Jobs are numbered by the caller and run in order (a few may wait; beyond
 * that the oldest waiting one is dropped); results are picked up with
 * prep_poll() without blocking, and the caller drops those it no longer
 * wants, or withdraws them with prep_cancel() while they wait.
 *
 * The same thread also reads changed playlist files (prep_load_playlist())
 * and frees videos that left the screen (prep_dispose_video()), so the
 * render thread never parses or joins.  It runs at a lower priority (nice
 * PREP_NICE) than the render thread, and so do the decode threads of the
 * videos it opens: on a small machine the frame due now comes first.
 */
#ifndef SIGNAGE_PLAYER_PREP_H
#define SIGNAGE_PLAYER_PREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "playlists/model.h"
#include "playlists/plfile.h"

/* One candidate.  PATH: the medium (image, video); TEXT, FG, BG: text. */
struct prep_item {
    enum pl_item_type type;
    char *path;
    char *text;
    uint32_t fg, bg; /* 0xRRGGBB */
};

struct video;

struct prep_result {
    uint64_t id;          /* the job's number */
    size_t n;             /* candidates in the job */
    size_t chosen;        /* index of the one prepared; == n when all failed */
    SDL_Surface *surface; /* image or text: ARGB8888, at most the job's size */
    struct video *video;  /* video: opened, first frame decoded, held (video_play()) */
    char **errors;        /* n entries: why candidate i failed, or NULL */
};

struct prep;

/* A preparer for pictures of W x H with the font at FONT_PATH, and its
 * thread when THREADED (else only prep_run() works).  Returns NULL with ERR
 * filled; free with prep_free(). */
struct prep *prep_new(int w, int h, const char *font_path, bool threaded, char *err, size_t errlen);

/* Stops the thread (after the job it is on), frees everything, including
 * results not picked up.  NULL is a no-op. */
void prep_free(struct prep *p);

/* Queues job ID with the N candidates at ITEMS (copied).  Returns 0 or -1
 * (out of memory). */
int prep_submit(struct prep *p, uint64_t id, const struct prep_item *items, size_t n);

/* A descriptor that polls readable when a result or a playlist answer is
 * waiting (-1 without a thread); prep_poll() clears it, so the main thread
 * calls prep_poll() and prep_poll_playlist() after each wakeup. */
int prep_wakeup_fd(const struct prep *p);

/* A finished result, oldest first, or NULL when none is waiting.  The caller
 * owns it: prep_result_free(). */
struct prep_result *prep_poll(struct prep *p);

/* Stops video V and frees it on the preparation thread (joining its
 * decoder threads takes milliseconds the render thread does not have);
 * without that thread, frees it here.  NULL is a no-op. */
void prep_dispose_video(struct prep *p, struct video *v);

/* Withdraws job ID if it is still waiting (a job being worked on finishes,
 * and its result is dropped by the caller).  Returns whether it was
 * withdrawn. */
bool prep_cancel(struct prep *p, uint64_t id);

/* Asks the thread to read the playlist file PATH, ahead of any waiting job,
 * so a large playlist never stalls a frame.  A request not yet started is
 * replaced by this one.  Returns 0 or -1 (out of memory). */
int prep_load_playlist(struct prep *p, const char *path);

/* The answer to the latest request: 1 with *PL set (the caller owns it), or
 * with *PL NULL and ERR filled when the file could not be read; 0 when there
 * is no answer yet. */
int prep_poll_playlist(struct prep *p, struct pl_playlist **pl, char *err, size_t errlen);

/* Runs a job on the calling thread (screenshots; tests).  Returns the result
 * (the caller frees it), or NULL when out of memory. */
struct prep_result *prep_run(struct prep *p, const struct prep_item *items, size_t n);

/* Frees R, its surface and its video; NULL is a no-op. */
void prep_result_free(struct prep_result *r);

/* Frees the strings of one candidate. */
void prep_item_clear(struct prep_item *it);

/* A W x H ARGB8888 surface in BG_RGB: the last resort when even text cannot
 * be drawn.  NULL when out of memory. */
SDL_Surface *prep_plain(int w, int h, uint32_t bg_rgb);

#endif
