/* avglue.h - how both programs let FFmpeg near an operator's file.
 *
 * One way to open a medium for libavformat, shared by the scheduler's probe
 * and the player: the file is read through an AVIOContext on the already
 * open descriptor (pread, so nothing else moves its offset), libavformat may
 * open nothing else (no protocol, no nested file: io_open refuses), only the
 * demuxers of MEDIA_CONTAINERS may read it, and an interrupt callback bounds
 * the time it may take.  FFmpeg's own messages go to log.h at debug level.
 */
#ifndef SIGNAGE_MEDIA_AVGLUE_H
#define SIGNAGE_MEDIA_AVGLUE_H

#include <stdint.h>

#include <libavformat/avformat.h>

/* Routes FFmpeg's process-wide log callback to log.h: warnings and errors
 * as debug lines ("ffmpeg: ..."), shown with -v.  Idempotent. */
void media_log_route(void);

/* A read-only, seekable AVIOContext over the first SIZE bytes of FD, read
 * with pread from its own position.  FD stays the caller's.  NULL when out
 * of memory.  Free with media_avio_free(). */
AVIOContext *media_avio_fd(int fd, int64_t size);
void media_avio_free(AVIOContext **pb);

/* A format context reading PB (custom I/O, never closed by libavformat),
 * limited to MEDIA_CONTAINERS, with no protocol and no nested open, and
 * INTERRUPT(OPAQUE) polled while it works.  NULL when out of memory.  Open
 * it with avformat_open_input(&fc, "", fmt, NULL). */
AVFormatContext *media_format_alloc(AVIOContext *pb, int (*interrupt)(void *), void *opaque);

#endif
