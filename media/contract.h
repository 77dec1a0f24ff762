/* contract.h - which media the product plays: one list for the scheduler,
 * which accepts by it, and the player, which opens by it, so that nothing
 * is accepted that a screen then refuses.
 *
 * A room of its own between common/ and the programs: it may use FFmpeg
 * (never SDL), and scheduler/ and player/ call down into it.
 */
#ifndef SIGNAGE_MEDIA_CONTRACT_H
#define SIGNAGE_MEDIA_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/codec_id.h>

/* How large a medium may be.  The scheduler refuses anything larger before
 * decoding a byte (an image is sized from its header: a decompression bomb
 * never reaches a decoder); the player refuses it again. */
#define MEDIA_IMAGE_MAX_BYTES (UINT64_C(64) << 20)
#define MEDIA_IMAGE_MAX_SIDE 16384
#define MEDIA_IMAGE_MAX_PIXELS INT64_C(100000000)
#define MEDIA_VIDEO_MAX_BYTES (UINT64_C(4) << 30)
#define MEDIA_VIDEO_MAX_SIDE 8192

/* The libavformat demuxers a video may come in (a format_whitelist): MP4
 * and QuickTime, Matroska and WebM, AVI, MPEG-TS and -PS, MXF (XDCAM), FLV, ASF/WMV,
 * Ogg.  Nothing that names other files (HLS, concat) is among them. */
#define MEDIA_CONTAINERS "mov,matroska,avi,mpegts,mpeg,mxf,flv,asf,ogg"

/* The extension a video is stored under when libavformat's demuxer named
 * DEMUXER (its full name, "mov,mp4,m4a,3gp,3g2,mj2") read it: "mp4",
 * "mkv", "avi", "ts", "mpg", "mxf", "flv", "wmv", "ogv"; NULL for a
 * demuxer outside MEDIA_CONTAINERS. */
const char *media_container_ext(const char *demuxer);

/* True when the players decode video coded with ID. */
bool media_video_codec_ok(enum AVCodecID id);

/* What a signage PC (a small x86 box decoding in software) plays without
 * dropping frames: up to 1920x1080 at 60 or 3840x2160 at 30 frames a
 * second.  Heavier videos are accepted with a warning. */
#define MEDIA_SMOOTH_FPS 60.5
#define MEDIA_SMOOTH_PIXELS (3840 * 2160)
#define MEDIA_SMOOTH_RATE (3840.0 * 2160 * 30.5)

struct AVStream;

/* How far a phone's video must be turned, clockwise, to stand upright: the
 * display matrix of ST, to the nearest quarter turn (0, 90, 180, 270). */
int media_stream_rotation(const struct AVStream *st);

/* What to tell an operator whose video is in a codec outside the list:
 * "re-encode it as H.264 in MP4, e.g. ffmpeg -i IN -c:v libx264 ...". */
#define MEDIA_CONVERT_HINT                                                                         \
    "re-encode it as H.264 in MP4, e.g. ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p -an OUT.mp4"

#endif
