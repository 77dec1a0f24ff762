#include "scheduler/probe.h"

#include "common/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>

#include "common/imghdr.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/safeopen.h"
#include "common/strbuf.h"
#include "media/avglue.h"
#include "media/contract.h"
#include "scheduler/derive.h"
#include "scheduler/store.h"
#include "playlists/cfgutil.h"
#include "playlists/config.h"

#define MSG_MAX 1024
#define HEAD_BYTES 65536
#define HASH_CHUNK (1 << 20)
#define MAX_PACKETS 5000
#define MAX_REPORT_LINES 50

static const char *av_errtext(int e, char *buf, size_t len)
{
    if (av_strerror(e, buf, len) < 0)
        snprintf(buf, len, "error %d", e);
    return buf;
}

/* Reads LEN bytes at OFF, all of them unless the file ends. */
static ssize_t pread_full(int fd, void *buf, size_t len, off_t off)
{
    size_t have = 0;

    while (have < len) {
        ssize_t n = pread(fd, (char *)buf + have, len - have, off + (off_t)have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        have += (size_t)n;
    }
    return (ssize_t)have;
}

static void sha_hex(struct AVSHA *sha, char out[PL_SHA256_HEX])
{
    uint8_t d[32];

    av_sha_final(sha, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int hash_buffer(const uint8_t *p, size_t len, char out[PL_SHA256_HEX], char *err,
                       size_t errlen)
{
    struct AVSHA *sha = av_sha_alloc();

    if (!sha)
        return err_fail(err, errlen, -ENOMEM, "out of memory");
    av_sha_init(sha, 256);
    av_sha_update(sha, p, len);
    sha_hex(sha, out);
    av_free(sha);
    return 0;
}

static int hash_fd(int fd, uint64_t size, char out[PL_SHA256_HEX], char *err, size_t errlen)
{
    struct AVSHA *sha = av_sha_alloc();
    uint8_t *buf = malloc(HASH_CHUNK);
    uint64_t off = 0;
    int r = 0;

    if (!sha || !buf) {
        r = err_fail(err, errlen, -ENOMEM, "out of memory");
        goto out_free;
    }
    av_sha_init(sha, 256);
    while (off < size) {
        size_t want = size - off < HASH_CHUNK ? (size_t)(size - off) : HASH_CHUNK;
        ssize_t n = pread_full(fd, buf, want, (off_t)off);
        if (n < 0) {
            r = err_fail(err, errlen, (int)n, "cannot read it: %s", strerror((int)-n));
            goto out_free;
        }
        if ((size_t)n < want) {
            r = err_fail(err, errlen, -EINVAL,
                         "the file shrank while being read; copy it in "
                         "whole (write to a .part name, then rename)");
            goto out_free;
        }
        av_sha_update(sha, buf, (size_t)n);
        off += (uint64_t)n;
    }
    sha_hex(sha, out);
out_free:
    free(buf);
    av_free(sha);
    return r;
}

/* --- images -------------------------------------------------------------- */

/* A JPEG cut short has no end-of-image marker after its first scan (an
 * EXIF thumbnail's marker before it does not count). */
static bool jpeg_has_eoi(const uint8_t *p, size_t len, size_t from)
{
    for (size_t i = len; i >= 2 && i - 2 >= from; i--)
        if (p[i - 2] == 0xff && p[i - 1] == 0xd9)
            return true;
    return false;
}

static int decode_image(const uint8_t *data, size_t len, enum imghdr_format f, int w, int h,
                        char *err, size_t errlen)
{
    enum AVCodecID id = f == IMGHDR_PNG    ? AV_CODEC_ID_PNG
                        : f == IMGHDR_JPEG ? AV_CODEC_ID_MJPEG
                                           : AV_CODEC_ID_WEBP;
    const AVCodec *codec = avcodec_find_decoder(id);
    AVCodecContext *ctx = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    char eb[128];
    int r, ret = 0;

    if (!codec)
        return err_fail(err, errlen, -EMEDIUMTYPE, "this FFmpeg has no %s decoder",
                        imghdr_format_name(f));
    ctx = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!ctx || !pkt || !frame || len > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE ||
        av_new_packet(pkt, (int)len) < 0) {
        ret = err_fail(err, errlen, -ENOMEM, "out of memory");
        goto out_free;
    }
    memcpy(pkt->data, data, len);
    pkt->flags |= AV_PKT_FLAG_KEY;
    ctx->thread_count = 1;
    ctx->max_pixels = MEDIA_IMAGE_MAX_PIXELS;
    ctx->err_recognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_EXPLODE;
    r = avcodec_open2(ctx, codec, NULL);
    if (r < 0) {
        ret = err_fail(err, errlen, -EINVAL, "cannot start the %s decoder: %s",
                       imghdr_format_name(f), av_errtext(r, eb, sizeof eb));
        goto out_free;
    }
    r = avcodec_send_packet(ctx, pkt);
    if (r >= 0)
        r = avcodec_send_packet(ctx, NULL);
    if (r >= 0)
        r = avcodec_receive_frame(ctx, frame);
    if (r < 0) {
        ret = err_fail(err, errlen, -EINVAL,
                       "corrupt %s: the picture cannot be decoded (%s); export it again",
                       imghdr_format_name(f), av_errtext(r, eb, sizeof eb));
        goto out_free;
    }
    if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
        ret = err_fail(err, errlen, -EINVAL,
                       "corrupt %s: the picture decodes with errors; export "
                       "it again",
                       imghdr_format_name(f));
        goto out_free;
    }
    if (frame->width != w || frame->height != h) {
        ret = err_fail(err, errlen, -EINVAL,
                       "corrupt %s: the header says %dx%d but the picture is %dx%d",
                       imghdr_format_name(f), w, h, frame->width, frame->height);
        goto out_free;
    }
out_free:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    return ret;
}

/* Reads all SIZE bytes of FD into a new buffer *OUT.  Returns 0 or -errno
 * with ERR filled. */
static int read_whole(int fd, uint64_t size, uint8_t **out, char *err, size_t errlen)
{
    uint8_t *data = malloc(size ? (size_t)size : 1);
    ssize_t n;

    *out = NULL;
    if (!data)
        return err_fail(err, errlen, -ENOMEM, "out of memory");
    n = pread_full(fd, data, (size_t)size, 0);
    if (n < 0) {
        free(data);
        return err_fail(err, errlen, (int)n, "cannot read it: %s", strerror((int)-n));
    }
    if ((size_t)n < size) {
        free(data);
        return err_fail(err, errlen, -EINVAL,
                        "the file shrank while being read; copy it in whole "
                        "(write to a .part name, then rename)");
    }
    *out = data;
    return 0;
}

static int probe_fd(int fd, const struct sched_probe_req *req, struct sched_media_info *info,
                    char *err, size_t errlen);

/* A file the screens cannot show as sent: the LEN bytes at DATA (already
 * read and hashed into INFO->source_sha256) converted in a child process,
 * and the result probed like any medium. */
static int probe_derived(const uint8_t *data, size_t len, enum sched_derive_kind kind,
                         const struct sched_probe_req *req, struct sched_media_info *info,
                         char *err, size_t errlen)
{
    struct sched_derive_req dr = {kind,
                                  data,
                                  len,
                                  req->page,
                                  req->duration_ms,
                                  req->background,
                                  req->convert_timeout_ms > 0 ? req->convert_timeout_ms
                                                              : 60 * PL_MS_PER_SEC};
    struct sched_probe_req again = {.declared = PL_ITEM_IMAGE};
    struct sched_derived d;
    char src[PL_SHA256_HEX], msg[MSG_MAX];
    int r;

    if (req->declared == PL_ITEM_VIDEO && (kind == SCHED_DERIVE_PDF || kind == SCHED_DERIVE_HEIF))
        return err_fail(err, errlen, -EMEDIUMTYPE,
                        "this is a %s, not a video; use type = \"image\" (with a duration)",
                        kind == SCHED_DERIVE_PDF ? "PDF document" : "HEIF/AVIF image");
    if (req->page && kind != SCHED_DERIVE_PDF)
        return err_fail(err, errlen, -EINVAL,
                        "page = %d picks a page of a PDF, but this is a %s; remove page", req->page,
                        sched_derive_kind_name(kind));
    memcpy(src, info->source_sha256, sizeof src);
    r = sched_derive(&dr, &d, msg, sizeof msg);
    if (r < 0)
        return err_fail(err, errlen, r, "%s", msg);
    again.declared = d.type;
    r = probe_fd(d.fd, &again, info, msg, sizeof msg);
    if (r < 0) {
        close(d.fd);
        return err_fail(err, errlen, -EINVAL,
                        "the %s could not be converted into something "
                        "the screens show (%s); export it as PNG, JPEG or MP4",
                        sched_derive_kind_name(kind), msg);
    }
    memcpy(info->source_sha256, src, sizeof src);
    info->source_kind = sched_derive_kind_name(kind);
    info->pages = d.pages;
    info->derived_fd = d.fd;
    return 0;
}

/* Reads the file, hashes it as sent, and converts it as probe_derived(). */
static int probe_convert(int fd, uint64_t size, enum sched_derive_kind kind,
                         const struct sched_probe_req *req, struct sched_media_info *info,
                         char *err, size_t errlen)
{
    uint8_t *data;
    int r;

    if (size > MEDIA_IMAGE_MAX_BYTES)
        return err_fail(err, errlen, -EFBIG,
                        "the %s is %" PRIu64 " bytes; at most 64 MiB are allowed, export it "
                        "smaller",
                        sched_derive_kind_name(kind), size);
    if (req->no_convert) {
        /* Only that it is there: the campaign waits for another file. */
        info->type =
            kind == SCHED_DERIVE_PDF || kind == SCHED_DERIVE_HEIF ? PL_ITEM_IMAGE : req->declared;
        info->source_kind = sched_derive_kind_name(kind);
        return 0;
    }
    r = read_whole(fd, size, &data, err, errlen);
    if (r < 0)
        return r;
    r = hash_buffer(data, (size_t)size, info->source_sha256, err, errlen);
    if (r == 0)
        r = probe_derived(data, (size_t)size, kind, req, info, err, errlen);
    free(data);
    return r;
}

static int probe_image(int fd, uint64_t size, const struct sched_probe_req *req,
                       struct sched_media_info *info, char *err, size_t errlen)
{
    struct imghdr hdr;
    uint8_t *data;
    char msg[MSG_MAX];
    int r;

    if (size > MEDIA_IMAGE_MAX_BYTES)
        return err_fail(err, errlen, -EFBIG,
                        "the image is %" PRIu64 " bytes; images may be at most 64 MiB, export it "
                        "smaller",
                        size);
    r = read_whole(fd, size, &data, err, errlen);
    if (r < 0)
        return r;
    r = imghdr_parse(data, (size_t)size, &hdr, msg, sizeof msg);
    if (r == -ENOTSUP) {
        r = err_fail(err, errlen, -EMEDIUMTYPE, "%s", msg);
        goto out_free;
    }
    if (r < 0) {
        r = err_fail(err, errlen, -EINVAL, "%s; export the image again", msg);
        goto out_free;
    }
    if (hdr.format == IMGHDR_WEBP && hdr.animated) {
        r = hash_buffer(data, (size_t)size, info->source_sha256, err, errlen);
        if (r == 0)
            r = probe_derived(data, (size_t)size, SCHED_DERIVE_WEBP_ANIM, req, info, err, errlen);
        goto out_free;
    }
    if (req->declared == PL_ITEM_VIDEO) {
        r = err_fail(err, errlen, -EMEDIUMTYPE,
                     "this is a %s image, not a video; use type = \"image\" (with a duration)",
                     imghdr_format_name(hdr.format));
        goto out_free;
    }
    if (req->page) {
        r = err_fail(err, errlen, -EINVAL,
                     "page = %d picks a page of a PDF, but this is a %s image; remove page",
                     req->page, imghdr_format_name(hdr.format));
        goto out_free;
    }
    /* Decompression bombs are refused on their header, before any decode. */
    if (hdr.width > MEDIA_IMAGE_MAX_SIDE || hdr.height > MEDIA_IMAGE_MAX_SIDE ||
        (int64_t)hdr.width * hdr.height > MEDIA_IMAGE_MAX_PIXELS) {
        r = err_fail(err, errlen, -EINVAL,
                     "the %s image is %dx%d pixels; at most %dx%d and 100 megapixels are allowed, "
                     "scale it down",
                     imghdr_format_name(hdr.format), hdr.width, hdr.height, MEDIA_IMAGE_MAX_SIDE,
                     MEDIA_IMAGE_MAX_SIDE);
        goto out_free;
    }
    if (hdr.format == IMGHDR_JPEG && !jpeg_has_eoi(data, (size_t)size, hdr.header_bytes)) {
        r = err_fail(err, errlen, -EINVAL,
                     "truncated JPEG: it has no end-of-image marker; copy the whole file again");
        goto out_free;
    }
    r = decode_image(data, (size_t)size, hdr.format, hdr.width, hdr.height, err, errlen);
    if (r < 0)
        goto out_free;
    r = hash_buffer(data, (size_t)size, info->sha256, err, errlen);
    if (r < 0)
        goto out_free;
    info->type = PL_ITEM_IMAGE;
    info->ext = imghdr_format_ext(hdr.format);
    info->width = hdr.width;
    info->height = hdr.height;
    info->orientation = hdr.orientation;
    info->duration_ms = 0;
out_free:
    free(data);
    return r;
}

/* --- videos -------------------------------------------------------------- */

/* How long libavformat and libavcodec may work on one medium. */
struct deadline {
    int64_t at_ms;
};

static int deadline_passed(void *opaque)
{
    const struct deadline *d = opaque;

    return pclock_mono_ms() > d->at_ms;
}

/* The demuxer libavformat would pick for the LEN bytes at HEAD, or NULL. */
static const AVInputFormat *guess_format(const uint8_t *head, size_t len)
{
    AVProbeData pd;
    uint8_t *buf = calloc(1, len + AVPROBE_PADDING_SIZE);
    const AVInputFormat *f;
    int score = 0;

    if (!buf)
        return NULL;
    memcpy(buf, head, len);
    pd.filename = "";
    pd.buf = buf;
    pd.buf_size = (int)len;
    pd.mime_type = NULL;
    f = av_probe_input_format2(&pd, 1, &score);
    free(buf);
    return f;
}

static int video_fail_av(char *err, size_t errlen, const struct deadline *v, int r,
                         const char *what)
{
    char eb[128];

    if (r == AVERROR_EXIT || pclock_mono_ms() > v->at_ms)
        return err_fail(err, errlen, -ETIMEDOUT,
                        "checking the video took longer than %d s; the file is damaged or hostile, "
                        "re-encode it",
                        SCHED_PROBE_DEADLINE_MS / 1000);
    return err_fail(err, errlen, -EINVAL, "%s (%s); re-encode it, e.g. as H.264 in MP4", what,
                    av_errtext(r, eb, sizeof eb));
}

static int decode_first_frame(AVFormatContext *fc, int idx, const AVCodec *codec,
                              const struct deadline *v, char *err, size_t errlen)
{
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int r, ret = 0, packets = 0;
    bool got = false, flushed = false;

    if (!ctx || !pkt || !frame) {
        ret = err_fail(err, errlen, -ENOMEM, "out of memory");
        goto out_free;
    }
    r = avcodec_parameters_to_context(ctx, fc->streams[idx]->codecpar);
    if (r >= 0) {
        ctx->thread_count = 1;
        ctx->max_pixels = (int64_t)MEDIA_VIDEO_MAX_SIDE * MEDIA_VIDEO_MAX_SIDE;
        r = avcodec_open2(ctx, codec, NULL);
    }
    if (r < 0) {
        ret = video_fail_av(err, errlen, v, r, "cannot start the video decoder");
        goto out_free;
    }
    while (!got && !flushed) {
        r = av_read_frame(fc, pkt);
        if (r == AVERROR_EOF) {
            avcodec_send_packet(ctx, NULL);
            flushed = true;
        } else if (r < 0) {
            ret = video_fail_av(err, errlen, v, r, "cannot read the video");
            goto out_free;
        } else {
            if (pkt->stream_index == idx) {
                r = avcodec_send_packet(ctx, pkt);
                if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA) {
                    av_packet_unref(pkt);
                    ret = video_fail_av(err, errlen, v, r, "the video cannot be decoded");
                    goto out_free;
                }
            }
            av_packet_unref(pkt);
        }
        r = avcodec_receive_frame(ctx, frame);
        if (r == 0)
            got = true;
        else if (r != AVERROR(EAGAIN) && r != AVERROR_EOF) {
            ret = video_fail_av(err, errlen, v, r, "the video cannot be decoded");
            goto out_free;
        }
        if (++packets > MAX_PACKETS || pclock_mono_ms() > v->at_ms) {
            ret = video_fail_av(err, errlen, v, AVERROR_EXIT, "");
            if (packets > MAX_PACKETS)
                ret = err_fail(err, errlen, -EINVAL,
                               "no picture could be decoded from the first %d "
                               "packets; re-encode the video",
                               MAX_PACKETS);
            goto out_free;
        }
    }
    if (!got)
        ret = err_fail(err, errlen, -EINVAL,
                       "the video stream holds no picture that can be decoded; re-encode it");
out_free:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    return ret;
}

static pl_ms video_duration(const AVFormatContext *fc, const AVStream *st)
{
    if (fc->duration != AV_NOPTS_VALUE && fc->duration > 0)
        return av_rescale(fc->duration, 1000, AV_TIME_BASE);
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0 && st->time_base.den > 0)
        return av_rescale_q(st->duration, st->time_base, (AVRational){1, 1000});
    return 0;
}

static int probe_video(int fd, uint64_t size, struct sched_media_info *info, char *err,
                       size_t errlen)
{
    struct deadline v = {pclock_mono_ms() + SCHED_PROBE_DEADLINE_MS};
    AVFormatContext *fc = NULL;
    AVIOContext *avio = NULL;
    const AVInputFormat *ifmt = NULL;
    const AVCodec *codec = NULL;
    const char *refused = NULL; /* a codec outside the contract */
    const char *ext;
    int r, ret = 0, idx = -1, nvideo = 0;

    if (size > MEDIA_VIDEO_MAX_BYTES)
        return err_fail(err, errlen, -EFBIG,
                        "the video is %" PRIu64 " bytes; videos may be at most 4 GiB, encode it "
                        "smaller",
                        size);
    avio = media_avio_fd(fd, (int64_t)size);
    if (!avio)
        return err_fail(err, errlen, -ENOMEM, "out of memory");
    r = av_probe_input_buffer2(avio, &ifmt, "", NULL, 0, 1 << 20);
    if (r < 0 || !ifmt) {
        ret = err_fail(err, errlen, -EMEDIUMTYPE,
                       "not a video in a known container; use MP4/MOV, Matroska/WebM, AVI, MXF, "
                       "MPEG-TS/PS or FLV");
        goto out_avio;
    }
    ext = media_container_ext(ifmt->name);
    if (!ext) {
        ret = err_fail(err, errlen, -EMEDIUMTYPE,
                       "this is '%s' data, not in a video container the screens play (MP4/MOV, "
                       "Matroska/WebM, AVI, MXF, MPEG-TS/PS, FLV); " MEDIA_CONVERT_HINT,
                       ifmt->name);
        goto out_avio;
    }
    fc = media_format_alloc(avio, deadline_passed, &v);
    if (!fc) {
        ret = err_fail(err, errlen, -ENOMEM, "out of memory");
        goto out_avio;
    }
    fc->probesize = 8 << 20;
    fc->max_analyze_duration = 10 * AV_TIME_BASE;
    r = avformat_open_input(&fc, "", ifmt, NULL);
    if (r < 0) {
        /* avformat_open_input() freed FC on failure. */
        ret = video_fail_av(err, errlen, &v, r, "the video cannot be read (damaged or cut short)");
        goto out_avio;
    }
    r = avformat_find_stream_info(fc, NULL);
    if (r < 0) {
        ret = video_fail_av(err, errlen, &v, r, "the video's streams cannot be read");
        goto out_close;
    }
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        const AVStream *st = fc->streams[i];
        const AVCodec *c;
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO ||
            (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        nvideo++;
        c = avcodec_find_decoder(st->codecpar->codec_id);
        if (!media_video_codec_ok(st->codecpar->codec_id)) {
            if (!refused)
                refused = c ? c->long_name : avcodec_get_name(st->codecpar->codec_id);
            continue;
        }
        if (c && idx < 0) {
            idx = (int)i;
            codec = c;
        }
    }
    if (idx < 0 && refused) {
        ret =
            err_fail(err, errlen, -EMEDIUMTYPE,
                     "the video is coded as %s, which the screens do not play; " MEDIA_CONVERT_HINT,
                     refused);
        goto out_close;
    }
    if (nvideo == 0) {
        ret = err_fail(err, errlen, -EINVAL,
                       "the file has no video stream (only audio?); a video item needs pictures");
        goto out_close;
    }
    if (idx < 0) {
        ret = err_fail(err, errlen, -EMEDIUMTYPE,
                       "the video codec cannot be decoded here; re-encode it as H.264 in MP4");
        goto out_close;
    }
    info->width = fc->streams[idx]->codecpar->width;
    info->height = fc->streams[idx]->codecpar->height;
    if (info->width < 1 || info->height < 1 || info->width > MEDIA_VIDEO_MAX_SIDE ||
        info->height > MEDIA_VIDEO_MAX_SIDE) {
        ret = err_fail(err, errlen, -EINVAL,
                       "the video is %dx%d pixels; each side must be 1..%d, scale it down",
                       info->width, info->height, MEDIA_VIDEO_MAX_SIDE);
        goto out_close;
    }
    info->duration_ms = video_duration(fc, fc->streams[idx]);
    if (info->duration_ms > SCHED_VIDEO_MAX_MS) {
        ret = err_fail(err, errlen, -EINVAL,
                       "the video is %" PRId64 " s long; at most 24 hours are allowed, cut it",
                       info->duration_ms / 1000);
        goto out_close;
    }
    {
        const AVStream *vs = fc->streams[idx];
        AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
        info->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
        info->rotate = media_stream_rotation(vs);
    }
    ret = decode_first_frame(fc, idx, codec, &v, err, errlen);
    if (ret < 0)
        goto out_close;
    ret = hash_fd(fd, size, info->sha256, err, errlen);
    if (ret < 0)
        goto out_close;
    info->type = PL_ITEM_VIDEO;
    info->ext = ext;
    info->orientation = 1;
out_close:
    avformat_close_input(&fc);
out_avio:
    avformat_free_context(fc);
    media_avio_free(&avio);
    return ret;
}

/* Says what bytes that are no image look like, for the message. */
static const char *describe_bytes(const uint8_t *p, size_t len)
{
    size_t printable = 0;

    if (len >= 4 && (memcmp(p, "II*\0", 4) == 0 || memcmp(p, "MM\0*", 4) == 0))
        return " (it is a TIFF image)";
    if (len >= 2 && memcmp(p, "BM", 2) == 0)
        return " (it looks like a BMP image)";
    if (memmem(p, len < 4096 ? len : 4096, "<svg", 4))
        return " (it is an SVG drawing)";

    for (size_t i = 0; i < len; i++)
        if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t' || (p[i] >= 0x20 && p[i] != 0x7f))
            printable++;
    if (len && printable == len)
        return " (it looks like text)";
    return "";
}

void sched_media_info_release(struct sched_media_info *info)
{
    if (info->derived_fd >= 0)
        close(info->derived_fd);
    info->derived_fd = -1;
}

static int probe_fd(int fd, const struct sched_probe_req *req, struct sched_media_info *info,
                    char *err, size_t errlen)
{
    uint8_t head[HEAD_BYTES];
    const AVInputFormat *guess;
    enum pl_item_type declared = req->declared;
    enum sched_derive_kind kind;
    struct stat st;
    uint64_t size;
    ssize_t n;
    enum imghdr_format f;

    media_log_route();
    memset(info, 0, sizeof *info);
    info->derived_fd = -1;
    if (err && errlen)
        err[0] = '\0';
    if (declared != PL_ITEM_IMAGE && declared != PL_ITEM_VIDEO)
        return err_fail(err, errlen, -EINVAL, "only image and video items have a medium");
    if (fstat(fd, &st) < 0)
        return err_fail(err, errlen, -errno, "cannot stat it: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_fail(err, errlen, -EINVAL, "not a regular file");
    size = (uint64_t)st.st_size;
    info->size = size;
    if (size == 0)
        return err_fail(err, errlen, -ENODATA, "the file is empty; copy the whole file again");
    if (size > MEDIA_VIDEO_MAX_BYTES)
        return err_fail(err, errlen, -EFBIG,
                        "the file is %" PRIu64 " bytes; images may be at most 64 MiB and videos "
                        "4 GiB",
                        size);
    n = pread_full(fd, head, sizeof head, 0);
    if (n < 0)
        return err_fail(err, errlen, (int)n, "cannot read it: %s", strerror((int)-n));
    /* The image formats first: "%PDF-" in a PNG's comment is no PDF. */
    f = imghdr_sniff(head, (size_t)n);
    kind = sched_derive_sniff(head, (size_t)n);
    if (f == IMGHDR_GIF)
        return probe_convert(fd, size, SCHED_DERIVE_GIF, req, info, err, errlen);
    if (f != IMGHDR_UNKNOWN)
        return probe_image(fd, size, req, info, err, errlen);
    if (kind == SCHED_DERIVE_HEIF_SEQUENCE)
        return err_fail(err, errlen, -EMEDIUMTYPE,
                        "this is an animated HEIF/AVIF sequence, which the screens do not play; "
                        "export it as MP4 (or a GIF) instead");
    if (kind != SCHED_DERIVE_NONE)
        return probe_convert(fd, size, kind, req, info, err, errlen);
    if (declared == PL_ITEM_VIDEO)
        return probe_video(fd, size, info, err, errlen);
    guess = guess_format(head, (size_t)n);
    if (guess && media_container_ext(guess->name))
        return err_fail(err, errlen, -EMEDIUMTYPE,
                        "this is a video, not an image; use type = \"video\"");
    return err_fail(err, errlen, -EMEDIUMTYPE,
                    "not an image the screens show%s; use PNG, JPEG, WebP, GIF, HEIC/AVIF or "
                    "PDF (a TIFF or SVG: export it as PNG)",
                    describe_bytes(head, (size_t)n));
}

int sched_probe_fd_req(int fd, const struct sched_probe_req *req, struct sched_media_info *info,
                       char *err, size_t errlen)
{
    return probe_fd(fd, req, info, err, errlen);
}

int sched_probe_fd(int fd, enum pl_item_type declared, struct sched_media_info *info, char *err,
                   size_t errlen)
{
    struct sched_probe_req req = {.declared = declared};

    return probe_fd(fd, &req, info, err, errlen);
}

static int probe_file(int basefd, const char *relpath, const struct sched_probe_req *req,
                      struct sched_media_info *info, char *err, size_t errlen)
{
    char msg[MSG_MAX];
    int fd, r;

    memset(info, 0, sizeof *info);
    info->derived_fd = -1;
    if (err && errlen)
        err[0] = '\0';
    fd = safeopen_read(basefd, relpath, MEDIA_VIDEO_MAX_BYTES, NULL, msg, sizeof msg);
    if (fd < 0) {
        if (fd == -EFBIG)
            return err_fail(err, errlen, fd, "%s: images may be at most 64 MiB and videos 4 GiB",
                            msg);
        return err_fail(err, errlen, fd, "%s", msg);
    }
    r = probe_fd(fd, req, info, msg, sizeof msg);
    close(fd);
    if (r < 0)
        return err_fail(err, errlen, r, "'%s': %s", relpath, msg);
    return 0;
}

int sched_probe_file(int basefd, const char *relpath, enum pl_item_type declared,
                     struct sched_media_info *info, char *err, size_t errlen)
{
    struct sched_probe_req req = {.declared = declared};

    return probe_file(basefd, relpath, &req, info, err, errlen);
}

int sched_probe_item(int basefd, const struct pl_item *it, pl_ms convert_timeout_ms,
                     struct sched_media_info *info, char *err, size_t errlen)
{
    struct sched_probe_req req = {.declared = it->type,
                                  .page = it->page,
                                  .duration_ms = it->duration_ms,
                                  .background = it->background,
                                  .convert_timeout_ms = convert_timeout_ms};

    return probe_file(basefd, it->file, &req, info, err, errlen);
}

/* Lines of a campaign report, capped. */
struct lines {
    struct strbuf sb;
    int count;
};

static void lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lines_add(struct lines *l, const char *fmt, ...)
{
    va_list ap;

    l->count++;
    if (l->count > MAX_REPORT_LINES)
        return;
    if (l->sb.len)
        sb_putc(&l->sb, '\n');
    va_start(ap, fmt);
    sb_vprintf(&l->sb, fmt, ap);
    va_end(ap);
}

static void lines_copy(const struct lines *l, const char *name, char *err, size_t errlen)
{
    if (!err || !errlen)
        return;
    err_copy_lines(err, errlen, sb_str(&l->sb));
    if (l->count > MAX_REPORT_LINES) {
        size_t m = strlen(err);
        snprintf(err + m, errlen - m, "\n%s: error: %d more problems not shown", name,
                 l->count - MAX_REPORT_LINES);
    }
}

/* The picture of INFO as people see it: turned by EXIF or the display
 * matrix. */
static void shown_size(const struct sched_media_info *info, int *w, int *h)
{
    bool turned = info->type == PL_ITEM_IMAGE ? info->orientation >= 5 && info->orientation <= 8
                                              : info->rotate == 90 || info->rotate == 270;

    *w = turned ? info->height : info->width;
    *h = turned ? info->width : info->height;
}

/* The share (0..1] of a SW x SH screen the picture of INFO covers once
 * turned upright and fitted with its aspect kept; the rest is bars.
 * *SCALE gets the factor it is enlarged by. */
static double media_fill(const struct sched_media_info *info, int sw, int sh, double *scale)
{
    int w, h;

    shown_size(info, &w, &h);
    if (w < 1 || h < 1 || sw < 1 || sh < 1) {
        if (scale)
            *scale = 1;
        return 1;
    }
    double sx = (double)sw / w, sy = (double)sh / h, k = sx < sy ? sx : sy;
    if (scale)
        *scale = k;
    return (w * k) * (h * k) / sw / sh;
}

void sched_probe_media_warnings(const struct sched_probe_ctx *ctx, const struct pl_campaign *c,
                                const struct pl_item *it, const struct sched_media_info *info,
                                const char *where)
{
    const struct pl_screen *up = NULL, *bars = NULL;
    const char *pre = where ? where : "", *sep = where ? ": warning: " : "";
    const char *file = it->file ? it->file : it->media ? it->media : "?";
    double up_by = 2.0, fill = 0.5;
    int w, h;

    shown_size(info, &w, &h);
    if (w < 1 || h < 1)
        return;
    for (size_t i = 0; ctx->cfg && i < ctx->cfg->nscreens; i++) {
        const struct pl_screen *s = &ctx->cfg->screens[i];
        double scale, f = media_fill(info, s->width, s->height, &scale);
        if (!pl_screen_targeted(s, c))
            continue;
        if (scale > up_by) {
            up_by = scale;
            up = s;
        }
        if (f < fill) {
            fill = f;
            bars = s;
        }
    }
    if (up && it->type == PL_ITEM_IMAGE)
        sb_printf(ctx->warnings,
                  "%s%s'%s' is %dx%d pixels and is shown %.1fx enlarged on %s "
                  "(%dx%d), so it looks blurred; send it at least %dx%d\n",
                  pre, sep, file, w, h, up_by, up->id, up->width, up->height,
                  (int)ceil(w * up_by / 2), (int)ceil(h * up_by / 2));
    if (bars)
        sb_printf(ctx->warnings,
                  "%s%s'%s' (%dx%d) fills only %d%% of %s (%dx%d); the rest is "
                  "bars in the background colour; make a %dx%d version for it\n",
                  pre, sep, file, w, h, (int)(fill * 100 + 0.5), bars->id, bars->width,
                  bars->height, bars->width, bars->height);
    if (info->type == PL_ITEM_VIDEO &&
        (info->fps > MEDIA_SMOOTH_FPS || (int64_t)w * h > MEDIA_SMOOTH_PIXELS ||
         (double)w * h * info->fps > MEDIA_SMOOTH_RATE))
        sb_printf(ctx->warnings,
                  "%s%s'%s' is %dx%d at %.3g frames a second, more than a signage "
                  "PC plays smoothly (up to 1920x1080 at 60 or 3840x2160 at 30); encode it "
                  "at 1920x1080, 30 fps\n",
                  pre, sep, file, w, h, info->fps);
}

/* True when every medium of C's image and video items is there (a
 * campaign waiting for one is not converted, over and over, meanwhile). */
static bool media_all_there(int basefd, const struct pl_campaign *c)
{
    for (size_t i = 0; i < c->nitems; i++) {
        const struct pl_item *it = &c->items[i];
        if ((it->type == PL_ITEM_IMAGE || it->type == PL_ITEM_VIDEO) && it->file &&
            faccessat(basefd, it->file, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            return false;
    }
    return true;
}

enum sched_probe_result sched_probe_campaign(int basefd, struct pl_campaign *c,
                                             const struct sched_probe_ctx *ctx, char *err,
                                             size_t errlen)
{
    const char *media_dir = ctx ? ctx->media_dir : NULL;
    const char *name = c->source ? c->source : (c->id ? c->id : "campaign");
    struct sched_media_info *infos;
    struct lines all = {STRBUF_INIT, 0}, pending = {STRBUF_INIT, 0};
    enum sched_probe_result res = SCHED_PROBE_OK;
    struct sched_probe_req req = {0};
    int nbad = 0, nretry = 0;
    char msg[MSG_MAX], line[16];

    if (err && errlen)
        err[0] = '\0';
    infos = calloc(c->nitems ? c->nitems : 1, sizeof *infos);
    if (!infos) {
        snprintf(err, errlen, "%s: error: out of memory", name);
        return SCHED_PROBE_BAD;
    }
    for (size_t i = 0; i < c->nitems; i++)
        infos[i].derived_fd = -1;
    req.convert_timeout_ms = ctx && ctx->cfg ? ctx->cfg->convert_timeout_ms : 0;
    req.no_convert = !media_all_there(basefd, c);
    for (size_t i = 0; i < c->nitems; i++) {
        struct pl_item *it = &c->items[i];
        int r;

        if (it->type != PL_ITEM_IMAGE && it->type != PL_ITEM_VIDEO)
            continue;
        if (it->line > 0)
            snprintf(line, sizeof line, ":%d", it->line);
        else
            line[0] = '\0';
        if (!it->file) {
            nbad++;
            lines_add(&all, "%s%s: error: item %zu has no file; add file = \"...\";", name, line,
                      i + 1);
            continue;
        }
        req.declared = it->type;
        req.page = it->page;
        req.duration_ms = it->duration_ms;
        req.background = it->background;
        r = probe_file(basefd, it->file, &req, &infos[i], msg, sizeof msg);
        if (r == -ENOENT) {
            /* Kept in both: a pending report, or part of a bad one. */
            lines_add(&pending,
                      "%s%s: error: %s yet; copy it into the spool (the campaign "
                      "waits for it)",
                      name, line, msg);
            lines_add(&all, "%s%s: error: %s", name, line, msg);
        } else if (r == -EAGAIN || r == -EINTR) {
            nretry++;
            lines_add(&all, "%s%s: error: %s", name, line, msg);
        } else if (r < 0) {
            nbad++;
            lines_add(&all, "%s%s: error: %s", name, line, msg);
        } else if (infos[i].type == PL_ITEM_VIDEO && it->duration_ms == 0 &&
                   infos[i].duration_ms < PL_DURATION_MIN_MS) {
            nbad++;
            if (infos[i].duration_ms > 0)
                lines_add(&all,
                          "%s%s: error: '%s' lasts only %.2f s, and an item shows for at least "
                          "1 s; add duration = 1; (or more) to the item: its last frame stays",
                          name, line, it->file, (double)infos[i].duration_ms / 1000);
            else
                lines_add(&all,
                          "%s%s: error: '%s': the video does not say how long it is; add "
                          "duration = <seconds>; to the item, at least 1",
                          name, line, it->file);
        } else if (infos[i].type == PL_ITEM_IMAGE && it->duration_ms == 0 && !(ctx && ctx->cfg)) {
            /* A still GIF declared a video, with no length of its own. */
            nbad++;
            lines_add(&all,
                      "%s%s: error: '%s' is a still picture; make the item type = \"image\" "
                      "with a duration",
                      name, line, it->file);
        }
    }
    if (nbad) {
        lines_copy(&all, name, err, errlen);
        res = SCHED_PROBE_BAD;
        goto out_free;
    }
    if (nretry) {
        lines_copy(&all, name, err, errlen);
        res = SCHED_PROBE_RETRY;
        goto out_free;
    }
    if (pending.count) {
        lines_copy(&pending, name, err, errlen);
        res = SCHED_PROBE_PENDING;
        goto out_free;
    }
    /* Only a campaign that will be taken stores what its media became. */
    for (size_t i = 0; media_dir && i < c->nitems; i++) {
        char sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX], why[MSG_MAX / 2] = "";
        int r;
        if (infos[i].derived_fd < 0)
            continue;
        r = sched_store_put_fd(media_dir, infos[i].derived_fd, c->items[i].file, infos[i].ext, sha,
                               media, why, sizeof why);
        if (r < 0) {
            snprintf(err, errlen, "%s: error: cannot store what '%.200s' was converted into: %s",
                     name, c->items[i].file, why[0] ? why : strerror(-r));
            res = SCHED_PROBE_RETRY;
            goto out_free;
        }
    }
    for (size_t i = 0; i < c->nitems; i++) {
        struct pl_item *it = &c->items[i];
        struct strbuf m = STRBUF_INIT;

        if (it->type != PL_ITEM_IMAGE && it->type != PL_ITEM_VIDEO)
            continue;
        if (ctx && ctx->warnings) {
            char where[1024];
            if (it->line > 0)
                snprintf(where, sizeof where, "%s:%d", name, it->line);
            else
                snprintf(where, sizeof where, "%s", name);
            sched_probe_media_warnings(ctx, c, it, &infos[i], where);
        }
        memcpy(it->sha256, infos[i].sha256, PL_SHA256_HEX);
        memcpy(it->source_sha256, infos[i].source_sha256, PL_SHA256_HEX);
        it->type = infos[i].type; /* an animation is played as a video */
        if (it->type == PL_ITEM_VIDEO && it->duration_ms == 0)
            it->duration_ms = infos[i].duration_ms;
        if (it->type == PL_ITEM_IMAGE && it->duration_ms == 0)
            it->duration_ms = ctx->cfg->default_duration_ms; /* a still GIF declared a video */
        sb_printf(&m, "media/%s.%s", infos[i].sha256, infos[i].ext);
        free(it->media);
        it->media = sb_steal(&m);
    }
out_free:
    for (size_t i = 0; i < c->nitems; i++)
        sched_media_info_release(&infos[i]);
    sb_free(&all.sb);
    sb_free(&pending.sb);
    free(infos);
    return res;
}
