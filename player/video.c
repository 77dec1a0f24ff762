/* video.c - one decode thread per video filling a bounded frame queue.
 *
 * The file is opened here (not by libavformat) and read through a custom
 * AVIOContext, and the format context's io_open is a refusal, so a demuxer
 * can open nothing but this one file; a container whitelist keeps playlist
 * demuxers (concat, HLS, DASH...) out.  Only the chosen video stream is
 * decoded; every other stream is discarded at the demuxer.
 *
 * The decode thread pushes frames into a ring of VIDEO_QUEUE slots and sleeps
 * on a condition variable when it is full; video_frame_at() moves due frames
 * out of it into the frame on show, so the render thread only ever takes
 * the lock for a few pointer moves.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "common/log.h"
#include "media/contract.h"
#include "player/video.h"

#define VIDEO_QUEUE 8           /* decoded frames held ahead */
#define VIDEO_IOBUF (64 * 1024) /* AVIOContext buffer */
#define VIDEO_PROBESIZE (5 * 1024 * 1024)
#define VIDEO_ANALYZE_US (5 * AV_TIME_BASE)
#define VIDEO_OPEN_TIMEOUT_MS 8000 /* for the first frame, after the headers */
#define VIDEO_MAX_DIM 8192         /* larger pictures are refused */
#define VIDEO_STORM_FREE 8         /* consecutive errors before backing off */
#define VIDEO_STORM_GIVEUP 1000    /* consecutive errors: the rest is unusable */

/* Real containers only: no concat, hls, dash, image2, lavfi, data URIs. */

struct video {
    char *path;
    int fd;
    AVIOContext *avio;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *st;
    int stream;
    int width, height;
    int rotate; /* clockwise degrees that turn the picture upright */
    pl_ms duration_ms;
    pl_ms origin_ms; /* container start, subtracted from every pts */
    pl_ms frame_ms;  /* nominal frame period, for frames without pts */

    /* decode thread only */
    struct SwsContext *sws;
    AVFilterGraph *deint; /* bwdif, from the first interlaced frame on */
    AVFilterContext *deint_in, *deint_out;
    int deint_w, deint_h, deint_fmt; /* what the graph was made for */
    bool deint_failed;               /* could not be made: frames go on woven */
    AVFrame *deint_frame;
    AVBufferPool *pool; /* for converted frames */
    int pool_size;
    pl_ms last_pts;
    bool have_pts;
    unsigned errors_total;

    pthread_t thread;
    bool thread_started;
    atomic_bool stop;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t space; /* decode thread waits for a free slot, naps */
    pthread_cond_t ready; /* a frame was queued or the thread is done */
    AVFrame *queue[VIDEO_QUEUE];
    pl_ms queue_pts[VIDEO_QUEUE];
    int head, count;
    bool done;      /* decode thread has finished */
    bool any_frame; /* a frame was ever queued */
    bool held;      /* opened ahead: decode only the first frame until video_play() */

    /* render side */
    AVFrame *shown;
    bool have_shown;
    struct video_frame out;
};

static void video_errf(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void video_errf(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!err || !errlen)
        return;
    n = snprintf(err, errlen, "%s: error: ", path);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static const char *video_averr(int code, char *buf, size_t len)
{
    av_strerror(code, buf, len);
    return buf;
}

/* --- I/O: the one file, nothing else ------------------------------------ */

static int video_read(void *opaque, uint8_t *buf, int size)
{
    struct video *v = opaque;

    for (;;) {
        if (atomic_load(&v->stop))
            return AVERROR_EXIT;
        ssize_t n = read(v->fd, buf, (size_t)size);
        if (n > 0)
            return (int)n;
        if (n == 0)
            return AVERROR_EOF;
        if (errno != EINTR)
            return AVERROR(errno);
    }
}

static int64_t video_seek(void *opaque, int64_t offset, int whence)
{
    struct video *v = opaque;
    struct stat sb;
    off_t r;

    if (whence & AVSEEK_SIZE) {
        if (fstat(v->fd, &sb) < 0)
            return AVERROR(errno);
        return sb.st_size;
    }
    r = lseek(v->fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : (int64_t)r;
}

static int video_io_refuse(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                           AVDictionary **options)
{
    (void)s;
    (void)pb;
    (void)url;
    (void)flags;
    (void)options;
    return AVERROR(EPERM);
}

static int video_interrupt(void *opaque)
{
    struct video *v = opaque;

    return atomic_load(&v->stop);
}

/* --- frames --------------------------------------------------------------- */

/* Pixel formats SDL takes as they are. */
static bool video_direct_format(enum AVPixelFormat f)
{
    return f == AV_PIX_FMT_YUV420P || f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_NV12;
}

/* Converts SRC (any format) to 8-bit YUV 4:2:0 in DST, same size, using a
 * pool of buffers.
 * Returns 0 or a negative AVERROR. */
static int video_convert(struct video *v, const AVFrame *src, AVFrame *dst)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(src->format);
    bool rgb = d && (d->flags & AV_PIX_FMT_FLAG_RGB);
    /* swscale reads the deprecated full-range "J" formats as full range and
     * would squeeze them into 16..235 for plain YUV 4:2:0: keep them full. */
    bool jpeg = src->format == AV_PIX_FMT_YUVJ422P || src->format == AV_PIX_FMT_YUVJ444P ||
                src->format == AV_PIX_FMT_YUVJ440P || src->format == AV_PIX_FMT_YUVJ411P;
    enum AVPixelFormat to = jpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
    int size, ret;

    v->sws = sws_getCachedContext(v->sws, src->width, src->height, src->format, src->width,
                                  src->height, to, SWS_BILINEAR, NULL, NULL, NULL);
    if (!v->sws)
        return AVERROR(EINVAL);
    size = av_image_get_buffer_size(to, src->width, src->height, 32);
    if (size < 0)
        return size;
    if (!v->pool || v->pool_size != size) {
        av_buffer_pool_uninit(&v->pool);
        v->pool = av_buffer_pool_init((size_t)size, NULL);
        if (!v->pool)
            return AVERROR(ENOMEM);
        v->pool_size = size;
    }
    dst->buf[0] = av_buffer_pool_get(v->pool);
    if (!dst->buf[0])
        return AVERROR(ENOMEM);
    ret = av_image_fill_arrays(dst->data, dst->linesize, dst->buf[0]->data, to, src->width,
                               src->height, 32);
    if (ret < 0)
        goto out_unref;
    dst->format = to;
    dst->width = src->width;
    dst->height = src->height;
    /* A YUV source keeps its matrix and range (sws leaves them alone between
     * YUV formats); RGB comes out as limited-range BT.601, sws's default. */
    dst->colorspace = rgb ? AVCOL_SPC_BT470BG : src->colorspace;
    dst->color_range = rgb ? AVCOL_RANGE_MPEG : jpeg ? AVCOL_RANGE_JPEG : src->color_range;
    dst->sample_aspect_ratio = src->sample_aspect_ratio;
    ret = sws_scale(v->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                    dst->data, dst->linesize);
    if (ret <= 0) {
        ret = AVERROR(EINVAL);
        goto out_unref;
    }
    return 0;
out_unref:
    av_frame_unref(dst);
    return ret;
}

/* The presentation time of F in ms since the video's start, kept strictly
 * increasing so the queue stays ordered even when the file's is not. */
static pl_ms video_frame_pts(struct video *v, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    pl_ms ms;

    if (ts == AV_NOPTS_VALUE) {
        ms = v->have_pts ? v->last_pts + v->frame_ms : 0;
    } else {
        ms = av_rescale_q(ts, v->st->time_base, (AVRational){1, 1000}) - v->origin_ms;
        /* A timestamp going back, or far past the declared end, is damage:
         * such a frame would be dropped at once or hold up the queue until
         * the item ends.  Play it one frame period after the last instead. */
        if (v->have_pts &&
            (ms <= v->last_pts || (v->duration_ms > 0 && ms > v->duration_ms + 1000)))
            ms = v->last_pts + v->frame_ms;
        else if (!v->have_pts && ms < 0)
            ms = 0;
    }
    v->last_pts = ms;
    v->have_pts = true;
    return ms;
}

/* Sleeps up to MS on the decode thread, waking at once when stopped. */
static void video_nap(struct video *v, int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&v->lock);
    if (!atomic_load(&v->stop))
        pthread_cond_timedwait(&v->space, &v->lock, &ts);
    pthread_mutex_unlock(&v->lock);
}

/* Queues the decoded FRAME (moving its reference), converting it first when
 * SDL cannot take its format.  Waits while the queue is full.  Returns 0,
 * 1 when the frame was unusable and skipped, -1 when stopped. */
static int video_push(struct video *v, AVFrame *frame, AVFrame *conv)
{
    AVFrame *src = frame;
    pl_ms pts;
    int slot;

    if (frame->width <= 0 || frame->height <= 0 || frame->width > VIDEO_MAX_DIM ||
        frame->height > VIDEO_MAX_DIM) {
        av_frame_unref(frame);
        return 1;
    }
    pts = video_frame_pts(v, frame);
    if (!video_direct_format(frame->format)) {
        if (video_convert(v, frame, conv) < 0) {
            av_frame_unref(frame);
            return 1;
        }
        av_frame_unref(frame);
        src = conv;
    }

    pthread_mutex_lock(&v->lock);
    while ((v->count == VIDEO_QUEUE || (v->held && v->count > 0)) && !atomic_load(&v->stop))
        pthread_cond_wait(&v->space, &v->lock);
    if (atomic_load(&v->stop)) {
        pthread_mutex_unlock(&v->lock);
        av_frame_unref(src);
        return -1;
    }
    slot = (v->head + v->count) % VIDEO_QUEUE;
    av_frame_move_ref(v->queue[slot], src);
    v->queue_pts[slot] = pts;
    v->count++;
    v->any_frame = true;
    pthread_cond_broadcast(&v->ready);
    pthread_mutex_unlock(&v->lock);
    return 0;
}

/* Makes the deinterlacer for frames like F: libavfilter's bwdif, one frame
 * out for each frame in (the frame rate is kept), touching only frames
 * flagged interlaced.  Returns 0 or a negative AVERROR. */
static int video_deint_open(struct video *v, const AVFrame *f)
{
    AVRational sar = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : (AVRational){1, 1};
    AVFilterContext *bw = NULL;
    char args[256];
    int ret;

    avfilter_graph_free(&v->deint);
    v->deint = avfilter_graph_alloc();
    if (!v->deint)
        return AVERROR(ENOMEM);
    v->deint->nb_threads = 1; /* the decoder has the other core */
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             f->width, f->height, f->format, v->st->time_base.num, v->st->time_base.den, sar.num,
             sar.den);
    ret = avfilter_graph_create_filter(&v->deint_in, avfilter_get_by_name("buffer"), "in", args,
                                       NULL, v->deint);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&bw, avfilter_get_by_name("bwdif"), "deint",
                                           "mode=send_frame:parity=auto:deint=interlaced", NULL,
                                           v->deint);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&v->deint_out, avfilter_get_by_name("buffersink"), "out",
                                           NULL, NULL, v->deint);
    if (ret >= 0)
        ret = avfilter_link(v->deint_in, 0, bw, 0);
    if (ret >= 0)
        ret = avfilter_link(bw, 0, v->deint_out, 0);
    if (ret >= 0)
        ret = avfilter_graph_config(v->deint, NULL);
    if (ret < 0) {
        avfilter_graph_free(&v->deint);
        return ret;
    }
    v->deint_w = f->width;
    v->deint_h = f->height;
    v->deint_fmt = f->format;
    return 0;
}

/* Queues what the deinterlacer gives back.  Returns as video_push(), 0
 * when it had nothing. */
static int video_deint_drain(struct video *v, AVFrame *conv)
{
    int worst = 0;

    for (;;) {
        int r, ret = av_buffersink_get_frame(v->deint_out, v->deint_frame);
        if (ret < 0)
            return worst;
        r = video_push(v, v->deint_frame, conv);
        if (r < 0)
            return -1;
        if (r > worst)
            worst = r;
    }
}

/* Queues FRAME, through the deinterlacer once a frame flagged interlaced
 * was seen (a 1080i TV spot shown woven combs every moving edge).  Returns
 * as video_push(). */
static int video_take(struct video *v, AVFrame *frame, AVFrame *conv)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    int ret;

    if (v->deint_failed || (!v->deint && !frame->interlaced_frame))
        return video_push(v, frame, conv);
    if (!v->deint_frame && !(v->deint_frame = av_frame_alloc()))
        return video_push(v, frame, conv);
    if (!v->deint || frame->width != v->deint_w || frame->height != v->deint_h ||
        frame->format != v->deint_fmt) {
        if (v->deint && av_buffersrc_add_frame(v->deint_in, NULL) >= 0 &&
            video_deint_drain(v, conv) < 0) /* what it holds, then anew */
            return -1;
        ret = video_deint_open(v, frame);
        if (ret < 0) {
            log_warn("%s: cannot deinterlace (%s); showing the fields woven", v->path,
                     video_averr(ret, eb, sizeof eb));
            v->deint_failed = true;
            return video_push(v, frame, conv);
        }
    }
    ret = av_buffersrc_add_frame(v->deint_in, frame);
    if (ret < 0) {
        av_frame_unref(frame);
        return 1;
    }
    return video_deint_drain(v, conv);
}

/* At the end of the file: the frame the deinterlacer still holds. */
static void video_deint_flush(struct video *v, AVFrame *conv)
{
    if (v->deint && av_buffersrc_add_frame(v->deint_in, NULL) >= 0)
        video_deint_drain(v, conv);
}

/* Notes one more consecutive failure; backs off when they pile up so that a
 * broken file cannot spin the CPU.  Returns true when it is time to give up. */
static bool video_storm(struct video *v, unsigned *consecutive, int code)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];

    if (v->errors_total++ == 0)
        log_warn("%s: corrupt video data (%s), skipping what cannot be decoded", v->path,
                 video_averr(code, eb, sizeof eb));
    (*consecutive)++;
    if (*consecutive >= VIDEO_STORM_GIVEUP)
        return true;
    if (*consecutive > VIDEO_STORM_FREE)
        video_nap(v, *consecutive > 100 ? 20 : 2);
    return false;
}

/* Receives every frame the decoder has ready.  Returns 0 to go on, 1 at the
 * decoder's end, -1 when stopped or the stream is beyond use. */
static int video_drain(struct video *v, AVFrame *frame, AVFrame *conv, unsigned *bad)
{
    for (;;) {
        int ret = avcodec_receive_frame(v->dec, frame);
        if (ret == AVERROR(EAGAIN))
            return 0;
        if (ret == AVERROR_EOF)
            return 1;
        if (ret < 0) {
            if (video_storm(v, bad, ret))
                return -1;
            continue;
        }
        ret = video_take(v, frame, conv);
        if (ret < 0)
            return -1;
        if (ret == 0)
            *bad = 0;
        else if (video_storm(v, bad, AVERROR(EINVAL)))
            return -1; /* frames that cannot be shown, one after another */
    }
}

static void *video_thread(void *arg)
{
    struct video *v = arg;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    AVFrame *conv = av_frame_alloc();
    unsigned bad = 0, read_bad = 0;
    bool draining = false;

    if (!pkt || !frame || !conv)
        goto out;
    while (!atomic_load(&v->stop)) {
        if (!draining) {
            int ret = av_read_frame(v->fmt, pkt);
            if (ret == AVERROR(EAGAIN)) {
                video_nap(v, 5);
                continue;
            }
            if (ret < 0) {
                /* EOF, or a read error the demuxer could not resync past:
                 * either way, show what is left in the decoder. */
                if (ret != AVERROR_EOF && ret != AVERROR_EXIT && !avio_feof(v->fmt->pb) &&
                    ++read_bad < 16 && !atomic_load(&v->stop)) {
                    video_nap(v, 2);
                    continue;
                }
                draining = true;
                avcodec_send_packet(v->dec, NULL);
            } else {
                read_bad = 0;
                if (pkt->stream_index != v->stream) {
                    av_packet_unref(pkt);
                    continue;
                }
                ret = avcodec_send_packet(v->dec, pkt);
                while (ret == AVERROR(EAGAIN)) {
                    /* cannot happen when every frame is drained after each
                     * send, but stay correct if the decoder thinks otherwise */
                    int r = video_drain(v, frame, conv, &bad);
                    if (r != 0)
                        break;
                    ret = avcodec_send_packet(v->dec, pkt);
                }
                av_packet_unref(pkt);
                if (ret < 0 && ret != AVERROR(EAGAIN) && video_storm(v, &bad, ret))
                    break;
            }
        }
        int r = video_drain(v, frame, conv, &bad);
        if (r == 1 || (r == 0 && draining)) {
            /* the end (or the decoder had nothing more but did not say so) */
            video_deint_flush(v, conv);
            break;
        }
        if (r != 0)
            break;
    }
out:
    av_packet_free(&pkt);
    av_frame_free(&frame);
    av_frame_free(&conv);
    pthread_mutex_lock(&v->lock);
    v->done = true;
    pthread_cond_broadcast(&v->ready);
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

/* --- open ----------------------------------------------------------------- */

/* How far a phone's video must be turned, clockwise, to stand upright: the
 * display matrix of stream ST, to the nearest quarter turn (0 when none). */
static int video_stream_rotation(const AVStream *st)
{
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    double ccw;
    long q;

    if (!m || size < 9 * sizeof(int32_t))
        return 0;
    ccw = av_display_rotation_get((const int32_t *)m);
    if (isnan(ccw))
        return 0;
    q = lround(-ccw / 90.0) % 4;
    return (int)(q < 0 ? q + 4 : q) * 90;
}

/* The video stream to play: not cover art, with a size, the default one
 * when marked.  Returns its index or -1. */
static int video_pick_stream(AVFormatContext *fmt)
{
    int best = -1;

    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO ||
            (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        if (best < 0 || ((st->disposition & AV_DISPOSITION_DEFAULT) &&
                         !(fmt->streams[best]->disposition & AV_DISPOSITION_DEFAULT)))
            best = (int)i;
    }
    return best;
}

static int video_open_file(struct video *v, char *err, size_t errlen)
{
    struct stat sb;

    v->fd = open(v->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (v->fd < 0) {
        video_errf(err, errlen, v->path, "cannot open: %s%s", strerror(errno),
                   errno == ELOOP ? " (a symbolic link; give the file itself)" : "");
        return -1;
    }
    if (fstat(v->fd, &sb) < 0) {
        video_errf(err, errlen, v->path, "cannot stat: %s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        video_errf(err, errlen, v->path, "not a regular file; a video must be a plain file");
        return -1;
    }
    if (sb.st_size == 0) {
        video_errf(err, errlen, v->path, "empty file; expected a video (MP4, WebM...)");
        return -1;
    }
    return 0;
}

static int video_open_format(struct video *v, char *err, size_t errlen)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    AVDictionary **opts;
    uint8_t *iobuf;
    int ret;

    iobuf = av_malloc(VIDEO_IOBUF);
    if (!iobuf)
        goto out_nomem;
    v->avio = avio_alloc_context(iobuf, VIDEO_IOBUF, 0, v, video_read, NULL, video_seek);
    if (!v->avio) {
        av_free(iobuf);
        goto out_nomem;
    }
    v->fmt = avformat_alloc_context();
    if (!v->fmt)
        goto out_nomem;
    v->fmt->pb = v->avio;
    v->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    v->fmt->io_open = video_io_refuse;
    v->fmt->interrupt_callback.callback = video_interrupt;
    v->fmt->interrupt_callback.opaque = v;
    v->fmt->probesize = VIDEO_PROBESIZE;
    v->fmt->max_analyze_duration = VIDEO_ANALYZE_US;
    v->fmt->format_whitelist = av_strdup(MEDIA_CONTAINERS);
    v->fmt->protocol_whitelist = av_strdup("none");
    if (!v->fmt->format_whitelist || !v->fmt->protocol_whitelist)
        goto out_nomem;

    ret = avformat_open_input(&v->fmt, v->path, NULL, NULL);
    if (ret < 0) { /* v->fmt is freed and NULL now */
        video_errf(err, errlen, v->path,
                   "not a video file this player accepts (%s); expected MP4, WebM, "
                   "Matroska, AVI, MPEG-TS or similar",
                   video_averr(ret, eb, sizeof eb));
        return -1;
    }
    /* Nothing but the video stream is read past the headers. */
    v->stream = video_pick_stream(v->fmt);
    if (v->stream < 0) {
        video_errf(err, errlen, v->path,
                   "no video stream (audio only or cover art only); give a file with video");
        return -1;
    }
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        if ((int)i != v->stream)
            v->fmt->streams[i]->discard = AVDISCARD_ALL;
    /* Probing decodes a frame or two: one thread does it sooner than a pool
     * that must first be started. */
    opts = calloc(v->fmt->nb_streams, sizeof *opts);
    if (!opts)
        goto out_nomem;
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        av_dict_set(&opts[i], "threads", "1", 0);
    ret = avformat_find_stream_info(v->fmt, opts);
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        av_dict_free(&opts[i]);
    free(opts);
    if (ret < 0) {
        video_errf(err, errlen, v->path,
                   "cannot read the stream headers (%s); the file is "
                   "corrupt or truncated",
                   video_averr(ret, eb, sizeof eb));
        return -1;
    }
    return 0;
out_nomem:
    video_errf(err, errlen, v->path, "out of memory");
    return -1;
}

static int video_open_decoder(struct video *v, char *err, size_t errlen)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    const AVCodecParameters *par;
    const AVCodec *codec;
    AVRational fr;
    int ret;

    v->st = v->fmt->streams[v->stream];
    par = v->st->codecpar;
    if (!media_video_codec_ok(par->codec_id)) {
        video_errf(err, errlen, v->path,
                   "video codec '%s' is not supported; re-encode as H.264, HEVC, VP9 or AV1",
                   avcodec_get_name(par->codec_id));
        return -1;
    }
    if (par->width <= 0 || par->height <= 0 || par->width > VIDEO_MAX_DIM ||
        par->height > VIDEO_MAX_DIM) {
        video_errf(err, errlen, v->path, "picture size %dx%d is out of range (1..%d)", par->width,
                   par->height, VIDEO_MAX_DIM);
        return -1;
    }
    codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        video_errf(err, errlen, v->path, "no decoder for '%s' in this FFmpeg build",
                   avcodec_get_name(par->codec_id));
        return -1;
    }
    v->dec = avcodec_alloc_context3(codec);
    if (!v->dec) {
        video_errf(err, errlen, v->path, "out of memory");
        return -1;
    }
    ret = avcodec_parameters_to_context(v->dec, par);
    if (ret < 0)
        goto out_err;
    v->dec->pkt_timebase = v->st->time_base;
    v->dec->thread_count = 0; /* one per core */
    v->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    ret = avcodec_open2(v->dec, codec, NULL);
    if (ret < 0)
        goto out_err;

    v->width = par->width;
    v->height = par->height;
    v->rotate = video_stream_rotation(v->st);
    if (v->fmt->duration > 0)
        v->duration_ms = av_rescale(v->fmt->duration, 1000, AV_TIME_BASE);
    else if (v->st->duration > 0)
        v->duration_ms = av_rescale_q(v->st->duration, v->st->time_base, (AVRational){1, 1000});
    v->origin_ms = v->fmt->start_time != AV_NOPTS_VALUE
                       ? av_rescale(v->fmt->start_time, 1000, AV_TIME_BASE)
                       : 0;
    fr = v->st->avg_frame_rate.num > 0 ? v->st->avg_frame_rate : v->st->r_frame_rate;
    v->frame_ms = fr.num > 0 && fr.den > 0 ? av_rescale(1000, fr.den, fr.num) : 40;
    if (v->frame_ms <= 0 || v->frame_ms > 1000)
        v->frame_ms = 40;
    return 0;
out_err:
    video_errf(err, errlen, v->path, "cannot open the %s decoder (%s)",
               avcodec_get_name(par->codec_id), video_averr(ret, eb, sizeof eb));
    return -1;
}

static int video_sync_init(struct video *v)
{
    pthread_condattr_t ca;

    if (pthread_mutex_init(&v->lock, NULL))
        return -1;
    if (pthread_condattr_init(&ca))
        goto out_mutex;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&v->space, &ca))
        goto out_attr;
    if (pthread_cond_init(&v->ready, &ca))
        goto out_space;
    pthread_condattr_destroy(&ca);
    return 0;
out_space:
    pthread_cond_destroy(&v->space);
out_attr:
    pthread_condattr_destroy(&ca);
out_mutex:
    pthread_mutex_destroy(&v->lock);
    return -1;
}

/* Waits for the first queued frame.  Returns 0, or -1 with ERR filled. */
static int video_wait_first(struct video *v, char *err, size_t errlen)
{
    struct timespec ts;
    int rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += VIDEO_OPEN_TIMEOUT_MS / 1000;
    pthread_mutex_lock(&v->lock);
    while (!v->any_frame && !v->done && rc == 0)
        rc = pthread_cond_timedwait(&v->ready, &v->lock, &ts);
    if (!v->any_frame) {
        if (v->done)
            video_errf(err, errlen, v->path,
                       "no picture could be decoded; the file is corrupt or truncated");
        else
            video_errf(err, errlen, v->path,
                       "no picture decoded within %d s; the file is corrupt or too heavy",
                       VIDEO_OPEN_TIMEOUT_MS / 1000);
    }
    pthread_mutex_unlock(&v->lock);
    return v->any_frame ? 0 : -1;
}

struct video *video_open(const char *path, char *err, size_t errlen)
{
    return video_open_held(path, false, err, errlen);
}

struct video *video_open_held(const char *path, bool held, char *err, size_t errlen)
{
    struct video *v;

    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        video_errf(err, errlen, "(null)", "no video file named");
        return NULL;
    }
    v = calloc(1, sizeof *v);
    if (!v)
        goto out_nomem;
    v->fd = -1;
    v->held = held;
    atomic_init(&v->stop, false);
    v->path = strdup(path);
    if (!v->path)
        goto out_free;
    for (int i = 0; i < VIDEO_QUEUE; i++)
        if (!(v->queue[i] = av_frame_alloc()))
            goto out_free;
    if (!(v->shown = av_frame_alloc()))
        goto out_free;
    if (video_sync_init(v) < 0)
        goto out_free;

    if (video_open_file(v, err, errlen) < 0 || video_open_format(v, err, errlen) < 0 ||
        video_open_decoder(v, err, errlen) < 0)
        goto out_sync;
    if (pthread_create(&v->thread, NULL, video_thread, v)) {
        video_errf(err, errlen, path, "cannot start the decode thread");
        goto out_sync;
    }
    v->thread_started = true;
    if (video_wait_first(v, err, errlen) < 0)
        goto out_sync;
    return v;

out_sync:
    video_free(v);
    return NULL;
out_free:
    video_errf(err, errlen, path, "out of memory");
    if (v) {
        for (int i = 0; i < VIDEO_QUEUE; i++)
            av_frame_free(&v->queue[i]);
        av_frame_free(&v->shown);
        free(v->path);
        free(v);
    }
    return NULL;
out_nomem:
    video_errf(err, errlen, path, "out of memory");
    return NULL;
}

/* --- render side ---------------------------------------------------------- */

int video_width(const struct video *v)
{
    return v->width;
}

int video_height(const struct video *v)
{
    return v->height;
}

pl_ms video_duration_ms(const struct video *v)
{
    return v->duration_ms;
}

static void video_fill_out(struct video *v, pl_ms pts)
{
    const AVFrame *f = v->shown;
    struct video_frame *o = &v->out;

    o->w = f->width;
    o->h = f->height;
    o->fmt = f->format == AV_PIX_FMT_NV12 ? VIDEO_NV12 : VIDEO_YUV420P;
    o->plane[0] = f->data[0];
    o->plane[1] = f->data[1];
    o->plane[2] = o->fmt == VIDEO_NV12 ? NULL : f->data[2];
    o->pitch[0] = f->linesize[0];
    o->pitch[1] = f->linesize[1];
    o->pitch[2] = o->fmt == VIDEO_NV12 ? 0 : f->linesize[2];
    o->pts_ms = pts;
    o->full_range = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P;
    if (f->colorspace == AVCOL_SPC_BT709)
        o->matrix = VIDEO_BT709;
    else if (f->colorspace == AVCOL_SPC_UNSPECIFIED && !o->full_range && f->height >= 720)
        o->matrix = VIDEO_BT709; /* what HD material without a tag nearly always is */
    else
        o->matrix = VIDEO_BT601;
    o->sar_num = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio.num : 1;
    o->sar_den = f->sample_aspect_ratio.den > 0 ? f->sample_aspect_ratio.den : 1;
    o->rotate = v->rotate;
}

/* Makes the queue's head frame the one on show. */
static void video_take_head(struct video *v)
{
    AVFrame *tmp = v->shown;
    pl_ms pts = v->queue_pts[v->head];

    v->shown = v->queue[v->head];
    v->queue[v->head] = tmp;
    av_frame_unref(tmp);
    v->head = (v->head + 1) % VIDEO_QUEUE;
    v->count--;
    v->have_shown = true;
    video_fill_out(v, pts);
}

/* Takes every queued frame due at T (the first one regardless), under the
 * lock.  Returns whether the frame on show changed. */
static bool video_take_due(struct video *v, pl_ms t)
{
    bool changed = false;

    if (!v->have_shown && v->count > 0) {
        video_take_head(v);
        changed = true;
    }
    while (v->count > 0 && v->queue_pts[v->head] <= t) {
        video_take_head(v);
        changed = true;
    }
    if (changed)
        pthread_cond_signal(&v->space);
    return changed;
}

const struct video_frame *video_frame_at(struct video *v, pl_ms t, bool *is_new)
{
    bool changed;

    if (!v) {
        if (is_new)
            *is_new = false;
        return NULL;
    }
    pthread_mutex_lock(&v->lock);
    changed = video_take_due(v, t);
    pthread_mutex_unlock(&v->lock);
    if (is_new)
        *is_new = changed;
    return v->have_shown ? &v->out : NULL;
}

const struct video_frame *video_frame_wait(struct video *v, pl_ms t, int timeout_ms, bool *is_new)
{
    struct timespec ts;
    bool changed = false;
    int rc = 0;

    if (!v) {
        if (is_new)
            *is_new = false;
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        changed |= video_take_due(v, t);
        if (v->count > 0 || v->done || rc != 0)
            break;
        rc = pthread_cond_timedwait(&v->ready, &v->lock, &ts);
    }
    pthread_mutex_unlock(&v->lock);
    if (is_new)
        *is_new = changed;
    return v->have_shown ? &v->out : NULL;
}

bool video_ended(struct video *v)
{
    bool ended;

    if (!v)
        return true;
    pthread_mutex_lock(&v->lock);
    ended = v->done && v->count == 0;
    pthread_mutex_unlock(&v->lock);
    return ended;
}

void video_play(struct video *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    if (v->held) {
        v->held = false;
        pthread_cond_broadcast(&v->space);
    }
    pthread_mutex_unlock(&v->lock);
}

void video_stop(struct video *v)
{
    if (!v || !v->thread_started)
        return;
    pthread_mutex_lock(&v->lock);
    atomic_store(&v->stop, true);
    pthread_cond_broadcast(&v->space);
    pthread_mutex_unlock(&v->lock);
}

void video_free(struct video *v)
{
    if (!v)
        return;
    if (v->thread_started) {
        video_stop(v);
        pthread_join(v->thread, NULL);
    }
    if (v->errors_total > 1)
        log_debug("%s: %u decode errors skipped", v->path, v->errors_total);
    sws_freeContext(v->sws);
    avfilter_graph_free(&v->deint);
    av_frame_free(&v->deint_frame);
    av_buffer_pool_uninit(&v->pool);
    for (int i = 0; i < VIDEO_QUEUE; i++)
        av_frame_free(&v->queue[i]);
    av_frame_free(&v->shown);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    if (v->avio) {
        av_freep(&v->avio->buffer);
        avio_context_free(&v->avio);
    }
    if (v->fd >= 0)
        close(v->fd);
    pthread_cond_destroy(&v->ready);
    pthread_cond_destroy(&v->space);
    pthread_mutex_destroy(&v->lock);
    free(v->path);
    free(v);
}

/* --- FFmpeg's log ---------------------------------------------------------- */

static void video_av_log(void *avcl, int level, const char *fmt, va_list ap)
{
    char line[512];
    size_t n;

    (void)avcl;
    if (level > AV_LOG_WARNING || log_get_level() < LOGLVL_DEBUG)
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n > 0)
        log_debug("ffmpeg: %s", line);
}

void video_route_ffmpeg_logs(void)
{
    av_log_set_callback(video_av_log);
}
