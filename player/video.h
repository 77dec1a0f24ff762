/* video.h - decoding one local video file on its own thread, for the player.
 *
 * video_open() opens a local regular file (no protocols, no playlists, only
 * real media containers), starts a decode thread and returns once the first
 * frame is decoded, so the next item can be prepared ahead of time off the
 * render thread.  The decode thread fills a small bounded queue; the render
 * thread asks video_frame_at() for the frame due at a media time.  Audio is
 * never decoded (the player is muted).
 *
 * This module never calls SDL.  Frames come out as planar YUV 4:2:0 or NV12,
 * which SDL_UpdateYUVTexture() / SDL_UpdateNVTexture() take as they are;
 * other pixel formats (10-bit, 4:2:2, 4:4:4, RGB) are converted to YUV 4:2:0
 * on the decode thread, and only those.  So are colours SDL's three YUV modes
 * cannot show (full-range BT.709, BT.2020, HLG and PQ HDR): those frames come
 * out as limited-range BT.709, and the frames SDL shows exactly (limited
 * BT.601 or 709, full-range BT.601) as they were decoded, at no cost.
 * Interlaced video is deinterlaced on the same thread.
 *
 * Threads: one struct video is used by one caller thread at a time (open it
 * anywhere, then hand it to the render thread); the decode thread is
 * internal.
 */
#ifndef SIGNAGE_PLAYER_VIDEO_H
#define SIGNAGE_PLAYER_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playlists/pltime.h"

enum video_pixfmt {
    VIDEO_YUV420P, /* plane[0] Y, plane[1] U, plane[2] V (chroma at half size) */
    VIDEO_NV12,    /* plane[0] Y, plane[1] interleaved UV; plane[2] NULL */
};

/* The YUV matrix a frame was encoded with (SDL_SetYUVConversionMode). */
enum video_matrix {
    VIDEO_BT601,
    VIDEO_BT709,
};

struct video_frame {
    int w, h; /* picture size in pixels */
    enum video_pixfmt fmt;
    const uint8_t *plane[3];
    int pitch[3];    /* bytes per row of each plane */
    pl_ms pts_ms;    /* presentation time, ms since the video's start */
    bool full_range; /* true: 0..255 (JPEG range); false: 16..235 */
    enum video_matrix matrix;
    int sar_num, sar_den; /* pixel aspect ratio (1:1 when the file says nothing) */
    int rotate;           /* clockwise 0, 90, 180, 270 to stand upright (phone video) */
};

struct video;

/* Hardware decoding, for every video opened after this call. */
enum video_hwdecode {
    VIDEO_HW_NONE,  /* software (the default) */
    VIDEO_HW_VAAPI, /* VAAPI where the device and the codec allow; else software */
};
void video_set_hwdecode(enum video_hwdecode want);

/* How videos are decoded, for people: "software", "VAAPI", or "software
 * (no VAAPI device: ...)" once a video found none. */
const char *video_hwdecode_status(void);

/* Opens PATH, starts its decode thread and waits until the first frame is
 * decoded.  Only a regular local file is opened (no symlink as the last
 * component, no FIFO or device), through a whitelist of real container
 * formats (no concat, HLS or other playlist demuxers; nothing else is ever
 * opened on its behalf).  Missing, unreadable, corrupt files and files with
 * no video stream fail within a bounded time (a few seconds at worst).
 * Returns NULL with ERR filled ("PATH: error: what is wrong"), else a video
 * the caller frees with video_free(). */
struct video *video_open(const char *path, char *err, size_t errlen);

/* Like video_open(), but when HELD the decode thread keeps at most one
 * frame queued (beyond what FFmpeg's own frame threads hold) until
 * video_play(): a video prepared ahead, whose first frame is taken for its
 * texture, decodes one more and waits, taking no CPU from the item on
 * screen nor memory for a queue of frames nobody shows yet. */
struct video *video_open_held(const char *path, bool held, char *err, size_t errlen);

/* Lets a held video decode on (at once, so its queue fills while its first
 * frame is shown).  No-op when not held. */
void video_play(struct video *v);

/* Asks the decode thread to stop, without waiting for it: cheap enough for
 * the render thread, which then hands V to another thread for
 * video_free().  NULL is a no-op. */
void video_stop(struct video *v);

/* The coded picture size of the video stream, as the file declares it. */
int video_width(const struct video *v);
int video_height(const struct video *v);

/* The file's duration in milliseconds as the container declares it, or 0 when
 * it does not say. */
pl_ms video_duration_ms(const struct video *v);

/* The frame to show at media time T (ms since the item started): the latest
 * decoded frame with pts <= T (older queued frames are dropped); before the
 * first frame's pts the first frame; after the end the last frame is held.
 * Never waits for decoding, only for a short lock.  IS_NEW (may be NULL) is
 * set to whether the frame differs from the one the previous call returned,
 * so an unchanged frame need not be uploaded again.  The frame stays valid
 * until the next video_frame_at() or video_free() on V.  Returns NULL only if
 * no frame was ever decoded (cannot happen after a successful video_open()). */
const struct video_frame *video_frame_at(struct video *v, pl_ms t, bool *is_new);

/* Like video_frame_at(), but first waits, at most TIMEOUT_MS, until the
 * frame due at T is known: a later frame is decoded or the file has ended.
 * For headless screenshots and tests, which render one instant exactly;
 * never call it from a loop that must keep presenting frames.  Returns
 * NULL only as video_frame_at() does; on timeout, the best frame so far. */
const struct video_frame *video_frame_wait(struct video *v, pl_ms t, int timeout_ms, bool *is_new);

/* True when the decoder has reached the end of the file (or given up on it)
 * and every decoded frame has been handed out: from now on video_frame_at()
 * holds the last frame. */
bool video_ended(struct video *v);

/* Plays: a video that follows itself (a one-item loop) is decoded once.
 * video_again() asks for one more play after those asked for so far: when
 * the decoder reaches the end of the file it goes back to the start and
 * queues the next play's first frames behind the last play's last, so they
 * are ready when due, without a second decoder.  Returns the new play's
 * number (the play opened is 0), or -1 when the decoder has finished
 * already (open the file again). */
int video_again(struct video *v);

/* Takes back play N, asked for by video_again() and never shown (the item
 * that was to show it was dropped), when no later one was asked for: the
 * decoder does not decode it for nobody.  Otherwise a no-op. */
void video_unask(struct video *v, int n);

/* The render side moves on to play N (later than the one on show): from
 * now on the times given to video_frame_at() are that play's, and
 * video_ended() says whether it has ended.  The last frame shown stays
 * until the play's first frame is decoded; a decoder still in an earlier
 * play (a slot cut short) goes to the start at once.  NULL, or an N not
 * later, is a no-op. */
void video_show_play(struct video *v, int n);

/* A video shared by several owners (the item on screen and the next plays
 * of it): video_ref() adds an owner and returns V; video_unref() drops one
 * and returns true when it was the last, and the caller then frees V.
 * video_open() returns a video with one owner.  Render thread only. */
struct video *video_ref(struct video *v);
bool video_unref(struct video *v);

/* Stops the decode thread (promptly, even mid-read or mid-decode), joins it
 * and frees everything.  NULL is a no-op. */
void video_free(struct video *v);

#endif
