/* probe.h - checking a campaign's media before it is accepted.
 *
 * Every medium is opened beneath a base directory with safeopen (the spool
 * for the daemon, the campaign file's directory for `signagectl check`),
 * its kind is sniffed from its bytes (never from the name or the declared
 * type), images are sized from their header before any decode (bombs are
 * refused) and then fully decoded; videos are opened by libavformat on the
 * already-open fd only (no protocol, no other file), with a whitelist of
 * media containers and a deadline, and their first frame is decoded.
 * FFmpeg's own messages go to log.h at debug level.
 */
#ifndef SIGNAGE_PROBE_H
#define SIGNAGE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "media/contract.h"
#include "playlists/model.h"

#define SCHED_VIDEO_MAX_MS PL_MS_PER_DAY
#define SCHED_PROBE_DEADLINE_MS 20000 /* per medium, for libavformat/libavcodec */

enum sched_probe_result { SCHED_PROBE_OK, SCHED_PROBE_PENDING, SCHED_PROBE_BAD, SCHED_PROBE_RETRY };

/* What is asked of a medium: the item's declared type and the settings a
 * conversion at accept time needs (scheduler/derive.h). */
struct sched_probe_req {
    enum pl_item_type declared;
    int page;                 /* page = N of a PDF; 0 = not given */
    pl_ms duration_ms;        /* the item's duration (animations fill it); 0 = none given */
    uint32_t background;      /* the item's background, under an animation's transparency */
    pl_ms convert_timeout_ms; /* for a conversion; 0 = the default, 60 s */
    bool no_convert;          /* a file that needs converting is only found, not converted */
};

/* What a medium turned out to be.  For a file the screens cannot show as
 * sent (PDF, HEIC, AVIF, GIF, animated WebP) everything below but
 * SOURCE_SHA256 describes the medium made from it at accept time. */
struct sched_media_info {
    enum pl_item_type type;            /* PL_ITEM_IMAGE or PL_ITEM_VIDEO, by content */
    char sha256[PL_SHA256_HEX];        /* of all its bytes */
    const char *ext;                   /* extension to store it under: "png", "mp4", ... (static) */
    uint64_t size;                     /* bytes */
    int width, height;                 /* as stored (images: before EXIF orientation) */
    int orientation;                   /* images: EXIF 1..8; videos: 1 */
    pl_ms duration_ms;                 /* videos: from the container or stream; images: 0 */
    char source_sha256[PL_SHA256_HEX]; /* made at accept time: hash of the file as sent, else "" */
    const char *source_kind;           /* made at accept time: "PDF", "HEIF/AVIF", ... */
    int pages;                         /* a PDF's page count */
    int derived_fd;                    /* made at accept time: the result, from offset 0; else -1 */
    double fps;                        /* videos: frames a second (0 when unknown) */
    int rotate; /* videos: clockwise degrees the display matrix turns the picture */
};

/* Closes what a probe left open in INFO (the made medium, when
 * INFO->derived_fd >= 0; every probe sets it, to -1 when there is none). */
void sched_media_info_release(struct sched_media_info *info);

/* Checks the medium open as FD (a regular file, read from offset 0 with
 * pread; the file position is left alone) that the campaign declares as
 * DECLARED, and fills INFO.  Returns 0, or a negative errno with ERR filled
 * with what is wrong and what would be right (no file name or line prefix):
 * -ENODATA empty, -EFBIG too large, -EMEDIUMTYPE the bytes are not the
 * declared kind or no supported format, -EINVAL corrupt or out of range,
 * -ETIMEDOUT the deadline passed, -ENOMEM.  For the content store: probe,
 * then copy exactly INFO->size bytes of the same fd, so what is stored is
 * what was checked and hashed (even if the file grows meanwhile); for a
 * file that was converted (INFO->derived_fd >= 0), copy that instead.
 * Always call sched_media_info_release(INFO) afterwards. */
int sched_probe_fd(int fd, enum pl_item_type declared, struct sched_media_info *info, char *err,
                   size_t errlen);

/* The same with the item's settings in REQ: a PDF, HEIC, AVIF, GIF or
 * animated WebP is converted (scheduler/derive.h) and INFO describes the
 * result, whose bytes are in INFO->derived_fd; release INFO after use.
 * An animation becomes a video even when declared an image. */
int sched_probe_fd_req(int fd, const struct sched_probe_req *req, struct sched_media_info *info,
                       char *err, size_t errlen);

/* Opens RELPATH beneath BASEFD with safeopen and probes it as above
 * (release INFO afterwards).  Returns 0, -ENOENT when the file (or a
 * directory on its path) does not exist yet, or another negative errno
 * with ERR filled. */
int sched_probe_file(int basefd, const char *relpath, enum pl_item_type declared,
                     struct sched_media_info *info, char *err, size_t errlen);

/* Probes the medium of item IT (IT->file beneath BASEFD) with the item's
 * settings, as sched_probe_fd_req(), converting within CONVERT_TIMEOUT_MS
 * (0 = 60 s); release INFO after use. */
int sched_probe_item(int basefd, const struct pl_item *it, pl_ms convert_timeout_ms,
                     struct sched_media_info *info, char *err, size_t errlen);

/* Probes every image and video item of C beneath BASEFD.  On OK fills each
 * such item's sha256, its media ("media/<sha256>.<ext>", the path it will
 * have once stored; the old value is freed), and a video's duration_ms when
 * the campaign gave none.  Media made at accept time are stored in
 * CTX->media_dir at once when it is set (`signagectl check` leaves it NULL);
 * their items get source_sha256, and an animation's item becomes a video.
 * On OK, CTX->warnings gets what an operator can act on, for the screens
 * the campaign targets: an image enlarged more than 2x, a picture that
 * leaves most of a screen to bars, a video heavier than a box plays
 * smoothly.  PENDING: some file is
 * missing and nothing else is wrong; ERR names the missing files.  BAD: ERR lists every problem,
 * one "NAME:LINE: error: FILE: ..." per line (NAME is C->source), missing files included; items are
 * left untouched. */
struct pl_config;
struct strbuf;

/* What sched_probe_campaign() does besides checking. */
struct sched_probe_ctx {
    const char *media_dir;       /* store converted media here; NULL: do not */
    const struct pl_config *cfg; /* for the screens the campaign targets; may be NULL */
    struct strbuf *warnings;     /* NULL, or gets "NAME:LINE: warning: ..." lines */
};

/* Adds to CTX->warnings, one line each, what an operator can act on about
 * item IT's medium INFO on the screens of CTX->cfg that C targets, naming
 * the worst screen for each kind: an image enlarged more than 2x, a
 * picture that leaves most of a screen to bars, a video heavier than a box
 * plays smoothly.  Each line starts "WHERE: warning: ", or with nothing
 * when WHERE is NULL. */
void sched_probe_media_warnings(const struct sched_probe_ctx *ctx, const struct pl_campaign *c,
                                const struct pl_item *it, const struct sched_media_info *info,
                                const char *where);

enum sched_probe_result sched_probe_campaign(int basefd, struct pl_campaign *c,
                                             const struct sched_probe_ctx *ctx, char *err,
                                             size_t errlen);

#endif
