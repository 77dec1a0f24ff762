/* video.c - one decode thread per video filling a bounded frame queue.
 *
 * The file is opened here (not by libavformat) and read through a custom
 * AVIOContext, and the format context's io_open is a refusal, so a demuxer
 * can open nothing but this one file; a container whitelist keeps playlist
 * demuxers (concat, HLS, DASH...) out.  Only the chosen video stream is
 * decoded; every other stream is discarded at the demuxer.
 *
 * The decode thread pushes frames into a ring and sleeps on a condition
 * variable when it holds VIDEO_AHEAD_MS of the video (5 frames at 25 fps,
 * 10 at 60; the queue is sized by time, not frames, so a 1080p video holds
 * no more memory than it needs to ride out a slow frame); video_frame_at() moves due frames
 * out of it into the frame on show, so the render thread only ever takes
 * the lock for a few pointer moves.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <libavformat/avformat.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "common/clock.h"
#include "common/log.h"
#include "media/avglue.h"
#include "media/contract.h"
#include "media/lavfi.h"
#include "player/video.h"

#define VIDEO_QUEUE 16     /* at most this many decoded frames held ahead... */
#define VIDEO_AHEAD_MS 150 /* ...and no more than this much of the video (2 at least) */
#define VIDEO_PROBESIZE (5 * 1024 * 1024)
#define VIDEO_ANALYZE_US (5 * AV_TIME_BASE)
#define VIDEO_OPEN_TIMEOUT_MS 8000 /* for the first frame, after the headers */
#define VIDEO_STORM_FREE 8         /* consecutive errors before backing off */
#define VIDEO_STORM_GIVEUP 1000    /* consecutive errors: the rest is unusable */
#define VIDEO_CHAIN 512            /* a filter chain's description */
#define VIDEO_HDR_WHITE 203        /* cd/m2 of SDR white in PQ (ITU-R BT.2408) */

static const char *video_averr(int code, char *buf, size_t len);

/* Hardware decoding, for the whole process: asked for once by the player
 * (video_set_hwdecode), the device opened by the first video that wants it;
 * when there is none, every video decodes in software and that is said
 * once. */
static struct {
    pthread_mutex_t lock;
    enum video_hwdecode want;
    bool tried;
    AVBufferRef *device; /* NULL: software */
    char status[256];
} hw = {.lock = PTHREAD_MUTEX_INITIALIZER, .status = "software"};

void video_set_hwdecode(enum video_hwdecode want)
{
    pthread_mutex_lock(&hw.lock);
    hw.want = want;
    pthread_mutex_unlock(&hw.lock);
}

const char *video_hwdecode_status(void)
{
    const char *s;

    pthread_mutex_lock(&hw.lock); /* written once, under the lock, then never again */
    s = hw.status;
    pthread_mutex_unlock(&hw.lock);
    return s;
}

/* The VAAPI device, opened on first use; NULL for software. */
static AVBufferRef *hw_device(void)
{
    AVBufferRef *d = NULL;
    char eb[AV_ERROR_MAX_STRING_SIZE];

    pthread_mutex_lock(&hw.lock);
    if (hw.want == VIDEO_HW_VAAPI && !hw.tried) {
        int r = av_hwdevice_ctx_create(&hw.device, AV_HWDEVICE_TYPE_VAAPI, NULL, NULL, 0);
        hw.tried = true;
        if (r < 0) {
            hw.device = NULL;
            snprintf(hw.status, sizeof hw.status,
                     "software (no VAAPI device: %s; is /dev/dri/renderD128 there and "
                     "readable, with the GPU's VA driver installed?)",
                     video_averr(r, eb, sizeof eb));
            log_warn("video_decode = \"vaapi\": %s", hw.status);
        } else {
            snprintf(hw.status, sizeof hw.status, "VAAPI");
            log_info("video_decode = \"vaapi\": decoding on the GPU where it can");
        }
    }
    if (hw.want == VIDEO_HW_VAAPI && hw.device)
        d = av_buffer_ref(hw.device);
    pthread_mutex_unlock(&hw.lock);
    return d;
}

/* The decoder's choice of output format: VAAPI surfaces when offered, else
 * the first software format (this codec or profile has no VAAPI support). */
static enum AVPixelFormat hw_get_format(AVCodecContext *ctx, const enum AVPixelFormat *fmts)
{
    const enum AVPixelFormat *p;

    for (p = fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == AV_PIX_FMT_VAAPI)
            return *p;
    for (p = fmts; *p != AV_PIX_FMT_NONE; p++)
        if (!(av_pix_fmt_desc_get(*p)->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    (void)ctx;
    return AV_PIX_FMT_NONE;
}

/* Real containers only: no concat, hls, dash, image2, lavfi, data URIs. */

struct video {
    char *path;
    int fd;
    int64_t size; /* of the file, as opened */
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
    AVFilterGraph *graph; /* bwdif and/or a colour conversion, when needed */
    AVFilterContext *graph_in, *graph_out;
    int graph_w, graph_h, graph_fmt; /* what the graph was made for */
    char graph_chain[VIDEO_CHAIN];   /* its filters, as for avfilter_graph_parse_ptr() */
    bool graph_colour;               /* it converts to limited-range BT.709 */
    bool interlaced;                 /* a frame flagged interlaced was seen */
    bool deint_failed;               /* bwdif could not be made: fields go on woven */
    bool colour_failed;              /* colours could not be converted: shown as read */
    AVFrame *graph_frame;
    AVBufferPool *pool; /* for converted frames */
    int pool_size;
    pl_ms last_pts;
    bool have_pts;
    unsigned errors_total;
    int dec_play;      /* the play being decoded (0: the first) */
    pl_ms play_offset; /* queue time of dec_play's start: the plays before it end to end */

    pthread_t thread;
    bool thread_started;
    atomic_bool stop;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t space; /* decode thread waits for a free slot, naps */
    pthread_cond_t ready; /* a frame was queued or the thread is done */
    AVFrame *queue[VIDEO_QUEUE];
    pl_ms queue_pts[VIDEO_QUEUE]; /* in its play */
    pl_ms queue_t[VIDEO_QUEUE];   /* on the queue's clock: plays end to end */
    int queue_play[VIDEO_QUEUE];
    int head, count;
    int plays;      /* plays asked for (video_again()) */
    int play;       /* the play on show (video_show_play()) */
    int ended_play; /* plays decoded to their end */
    bool last_play; /* the decoder reached the end of the last play asked for */
    bool done;      /* decode thread has finished */
    bool any_frame; /* a frame was ever queued */
    bool held;      /* opened ahead: decode only the first frame until video_play() */

    /* render side */
    int refs; /* video_ref() */
    AVFrame *shown;
    bool have_shown;
    int shown_play;
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
    enum AVPixelFormat to = AV_PIX_FMT_YUV420P;
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
     * YUV formats: the full-range "J" ones were relabelled plain, see
     * video_relabel()); RGB comes out as limited-range BT.601, sws's default. */
    dst->colorspace = rgb ? AVCOL_SPC_BT470BG : src->colorspace;
    dst->color_primaries = rgb ? AVCOL_PRI_UNSPECIFIED : src->color_primaries;
    dst->color_trc = rgb ? AVCOL_TRC_UNSPECIFIED : src->color_trc;
    dst->color_range = rgb ? AVCOL_RANGE_MPEG : src->color_range;
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
    struct timespec ts = pclock_mono_after(ms);

    pthread_mutex_lock(&v->lock);
    if (!atomic_load(&v->stop))
        pthread_cond_timedwait(&v->space, &v->lock, &ts);
    pthread_mutex_unlock(&v->lock);
}

/* True when the queue holds enough: VIDEO_AHEAD_MS of the video from the
 * frame due next (and two frames at least), or every slot.  Under the lock. */
static bool video_queue_full(const struct video *v)
{
    if (v->count >= VIDEO_QUEUE)
        return true;
    if (v->count < 2)
        return false;
    pl_ms last = v->queue_t[(v->head + v->count - 1) % VIDEO_QUEUE];
    return last - v->queue_t[v->head] >= VIDEO_AHEAD_MS;
}

/* Queues the decoded FRAME (moving its reference), converting it first when
 * SDL cannot take its format.  Waits while the queue is full.  Returns 0,
 * 1 when the frame was unusable and skipped, -1 when stopped. */
static int video_push(struct video *v, AVFrame *frame, AVFrame *conv)
{
    AVFrame *src = frame;
    pl_ms pts;
    int slot;

    if (frame->width <= 0 || frame->height <= 0 || frame->width > MEDIA_VIDEO_MAX_SIDE ||
        frame->height > MEDIA_VIDEO_MAX_SIDE) {
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
    while ((video_queue_full(v) || (v->held && v->count > 0)) && !atomic_load(&v->stop))
        pthread_cond_wait(&v->space, &v->lock);
    if (atomic_load(&v->stop)) {
        pthread_mutex_unlock(&v->lock);
        av_frame_unref(src);
        return -1;
    }
    slot = (v->head + v->count) % VIDEO_QUEUE;
    av_frame_move_ref(v->queue[slot], src);
    v->queue_pts[slot] = pts;
    v->queue_t[slot] = v->play_offset + pts;
    v->queue_play[slot] = v->dec_play;
    v->count++;
    v->any_frame = true;
    pthread_cond_broadcast(&v->ready);
    pthread_mutex_unlock(&v->lock);
    return 0;
}

/* --- one filter graph: deinterlacing and colours -------------------------- */

#define VIDEO_BWDIF "bwdif=mode=send_frame:parity=auto:deint=interlaced"

/* Relabels the deprecated full-range "J" formats as the plain ones they are
 * laid out like, with a full-range tag: filters and swscale then read the
 * range from the tag instead of squeezing the picture into 16..235 on the
 * way to a plain format. */
static void video_relabel(AVFrame *f)
{
    static const enum AVPixelFormat j[][2] = {
        {AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P}, {AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUV422P},
        {AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUV444P}, {AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUV440P},
        {AV_PIX_FMT_YUVJ411P, AV_PIX_FMT_YUV411P},
    };

    for (size_t i = 0; i < sizeof j / sizeof j[0]; i++) {
        if (f->format == j[i][0]) {
            f->format = j[i][1];
            f->color_range = AVCOL_RANGE_JPEG;
        }
    }
}

/* The matrix a picture's YUV was made with, from its tag TAG, whether it is
 * FULL range, has BT.2020 primaries (WIDE), and its HEIGHT: AVCOL_SPC_BT709,
 * AVCOL_SPC_BT2020_NCL or AVCOL_SPC_BT470BG (BT.601).  Untagged HD in
 * limited range is BT.709 and untagged wide-gamut video BT.2020, as such
 * material nearly always is; BT.2020 constant luminance is read as its
 * nearest, non-constant; anything else (FCC, SMPTE 240M, YCgCo, untagged SD
 * or full range) as BT.601. */
static enum AVColorSpace video_matrix_of(enum AVColorSpace tag, bool full, bool wide, int height)
{
    switch (tag) {
    case AVCOL_SPC_BT709:
        return AVCOL_SPC_BT709;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL:
        return AVCOL_SPC_BT2020_NCL;
    case AVCOL_SPC_UNSPECIFIED:
        if (wide)
            return AVCOL_SPC_BT2020_NCL;
        return !full && height >= 720 ? AVCOL_SPC_BT709 : AVCOL_SPC_BT470BG;
    default:
        return AVCOL_SPC_BT470BG;
    }
}

/* Pixel formats libavfilter's colorspace filter reads. */
static bool video_colorspace_format(enum AVPixelFormat f)
{
    switch (f) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUV420P10:
    case AV_PIX_FMT_YUV422P10:
    case AV_PIX_FMT_YUV444P10:
    case AV_PIX_FMT_YUV420P12:
    case AV_PIX_FMT_YUV422P12:
    case AV_PIX_FMT_YUV444P12:
        return true;
    default:
        return false;
    }
}

/* The filters that turn F's colours into what SDL shows exactly, limited-
 * range BT.709 8-bit 4:2:0, written into BUF (LEN bytes).  SDL has three YUV
 * modes, limited BT.601, limited BT.709 and full-range BT.601 (JPEG), and
 * knows nothing of primaries or transfer: full-range BT.709 shown in JPEG
 * mode has wrong hues, BT.2020 and HDR shown as BT.601 or 709 worse.
 *
 * HDR (PQ, and HLG as phones record it) goes through zscale with SDR white
 * at 203 cd/m2 (ITU-R BT.2408), brighter highlights clipped.  Reading HLG
 * as BT.2020 SDR (its "compatible" way) leaves an iPhone clip grey and pale,
 * its white at 75 % signal (13.5 dB against the SDR original, 20.6 this
 * way).  Tone-mapping the highlights instead (zscale to linear light,
 * tonemap, zscale back) costs about 33 ms a 1080p frame on one core of the
 * box this was measured on, too much for 30 fps on the one filter thread,
 * while this costs about 12-15 ms, as the colorspace filter does.
 *
 * The colorspace filter refuses odd picture sizes (only 4:4:4 formats have
 * them): such a graph cannot be made and the picture is shown as read.
 *
 * Returns false, with BUF empty, when SDL shows F as it is (limited BT.601
 * or 709, full-range BT.601), and for RGB and grey pictures, which go
 * through video_convert() as before.  Depends only on F's fields. */
static bool video_colour_chain(const AVFrame *f, char *buf, size_t len)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    bool full = f->color_range == AVCOL_RANGE_JPEG;
    bool wide = f->color_primaries == AVCOL_PRI_BT2020;
    bool pq = f->color_trc == AVCOL_TRC_SMPTE2084;
    bool hlg = f->color_trc == AVCOL_TRC_ARIB_STD_B67;
    enum AVColorSpace m;
    const char *range, *to;
    char pre[96] = "";
    int n;

    buf[0] = '\0';
    if (!d || d->nb_components < 3 ||
        (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BAYER |
                     AV_PIX_FMT_FLAG_HWACCEL)))
        return false;
    m = video_matrix_of(f->colorspace, full, wide, f->height);
    if (m == AVCOL_SPC_BT2020_NCL && f->color_primaries == AVCOL_PRI_UNSPECIFIED)
        wide = true;
    if (!(m == AVCOL_SPC_BT2020_NCL || (full && m == AVCOL_SPC_BT709) || wide || pq || hlg))
        return false;
    /* The filters' other formats (NV12, P010, 4:4:0...) are converted first,
     * keeping the range, since a scaler libavfilter inserts would not. */
    if (!video_colorspace_format(f->format)) {
        range = full ? "pc" : "tv";
        to = d->comp[0].depth > 8 ? "yuv420p10le" : "yuv420p";
        n = snprintf(pre, sizeof pre, "scale=in_range=%s:out_range=%s,format=%s,", range, range,
                     to);
        if (n < 0 || (size_t)n >= sizeof pre)
            return false;
    }
    if (pq || hlg) {
        const char *zm = m == AVCOL_SPC_BT709     ? "709"
                         : m == AVCOL_SPC_BT470BG ? "470bg"
                                                  : "2020_ncl";
        /* odd sizes have no 4:2:0: 4:4:4 then, and video_convert() after */
        to = (f->width | f->height) & 1 ? "yuv444p" : "yuv420p";
        n = snprintf(buf, len,
                     "%szscale=tin=%s:min=%s:pin=%s:rin=%s:t=709:m=709:p=709:r=limited:"
                     "npl=%d,format=%s",
                     pre, pq ? "smpte2084" : "arib-std-b67", zm, wide ? "2020" : "709",
                     full ? "full" : "limited", VIDEO_HDR_WHITE, to);
    } else {
        const char *cm = m == AVCOL_SPC_BT709     ? "bt709"
                         : m == AVCOL_SPC_BT470BG ? "bt470bg"
                                                  : "bt2020ncl";
        n = snprintf(buf, len,
                     "%scolorspace=ispace=%s:iprimaries=%s:itrc=%s:irange=%s:"
                     "space=bt709:primaries=bt709:trc=bt709:range=tv:format=yuv420p",
                     pre, cm, wide ? "bt2020" : "bt709", wide ? "bt2020-10" : "bt709",
                     full ? "pc" : "tv");
    }
    if (n < 0 || (size_t)n >= len) {
        buf[0] = '\0';
        return false;
    }
    return true;
}

/* Frees V's filter graph, if it has one (none without libavfilter). */
static void graph_free(struct video *v)
{
    if (v->graph)
        media_lavfi()->graph_free(&v->graph);
}

/* Makes the graph taking frames like F through CHAIN (filters in
 * avfilter_graph_parse_ptr()'s syntax), on one thread: the decoder has the
 * other cores.  COLOUR says CHAIN ends in a colour conversion.  Returns 0
 * or a negative AVERROR, with no graph then. */
static int video_graph_open(struct video *v, const AVFrame *f, const char *chain, bool colour)
{
    AVRational sar = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : (AVRational){1, 1};
    const struct lavfi *L = media_lavfi();
    AVFilterInOut *outs = NULL, *ins = NULL;
    char args[256];
    int ret;

    graph_free(v);
    if (!L)
        return AVERROR(ENOSYS); /* libavfilter cannot be loaded (logged) */
    v->graph = L->graph_alloc();
    if (!v->graph)
        return AVERROR(ENOMEM);
    v->graph->nb_threads = 1;
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             f->width, f->height, f->format, v->st->time_base.num, v->st->time_base.den, sar.num,
             sar.den);
    ret =
        L->graph_create_filter(&v->graph_in, L->get_by_name("buffer"), "in", args, NULL, v->graph);
    if (ret >= 0)
        ret = L->graph_create_filter(&v->graph_out, L->get_by_name("buffersink"), "out", NULL, NULL,
                                     v->graph);
    if (ret >= 0 && (!(outs = L->inout_alloc()) || !(ins = L->inout_alloc())))
        ret = AVERROR(ENOMEM);
    if (ret >= 0) {
        outs->name = av_strdup("in");
        outs->filter_ctx = v->graph_in;
        ins->name = av_strdup("out");
        ins->filter_ctx = v->graph_out;
        if (!outs->name || !ins->name)
            ret = AVERROR(ENOMEM);
    }
    if (ret >= 0)
        ret = L->graph_parse_ptr(v->graph, chain, &ins, &outs, NULL);
    if (ret >= 0)
        ret = L->graph_config(v->graph, NULL);
    L->inout_free(&ins);
    L->inout_free(&outs);
    if (ret < 0) {
        graph_free(v);
        return ret;
    }
    v->graph_w = f->width;
    v->graph_h = f->height;
    v->graph_fmt = f->format;
    snprintf(v->graph_chain, sizeof v->graph_chain, "%s", chain);
    v->graph_colour = colour;
    log_debug("%s: filters %s", v->path, chain);
    return 0;
}

/* Queues what the graph gives back.  Returns as video_push(), 0 when it
 * had nothing. */
static int video_graph_drain(struct video *v, AVFrame *conv)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    int worst = 0;

    for (;;) {
        int r, ret = media_lavfi()->buffersink_get_frame(v->graph_out, v->graph_frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return worst;
        if (ret < 0) { /* a filter refused a frame: it would refuse them all */
            log_warn("%s: cannot %s (%s); going on without", v->path,
                     v->graph_colour ? "convert the colours" : "deinterlace",
                     video_averr(ret, eb, sizeof eb));
            if (v->graph_colour)
                v->colour_failed = true;
            else
                v->deint_failed = true;
            graph_free(v);
            return worst; /* the frame it had is lost, said once above */
        }
        video_relabel(v->graph_frame);
        if (v->graph_colour) { /* what it made, whatever the filter wrote */
            v->graph_frame->colorspace = AVCOL_SPC_BT709;
            v->graph_frame->color_primaries = AVCOL_PRI_BT709;
            v->graph_frame->color_trc = AVCOL_TRC_BT709;
            v->graph_frame->color_range = AVCOL_RANGE_MPEG;
        }
        r = video_push(v, v->graph_frame, conv);
        if (r < 0)
            return -1;
        if (r > worst)
            worst = r;
    }
}

/* Queues what the graph still holds (a deinterlacer keeps a frame) and
 * frees it.  Returns 0, or -1 when stopped. */
static int video_graph_close(struct video *v, AVFrame *conv)
{
    int r = 0;

    if (v->graph && media_lavfi()->buffersrc_add_frame(v->graph_in, NULL) >= 0)
        r = video_graph_drain(v, conv); /* may free the graph */
    graph_free(v);
    return r < 0 ? -1 : 0;
}

/* Makes the graph fit frames like F: bwdif once interlaced frames were
 * seen, then COLOUR (NULL for none).  A part that cannot be made is given
 * up, with one warning, and frames go on without it: a medium is never
 * refused for this.  Returns 0 (with v->graph NULL when nothing is left
 * to do), -1 when stopped. */
static int video_graph_fit(struct video *v, const AVFrame *f, AVFrame *conv, const char *colour)
{
    char eb[AV_ERROR_MAX_STRING_SIZE], chain[VIDEO_CHAIN];

    for (;;) {
        bool deint = v->interlaced && !v->deint_failed;
        int ret = snprintf(chain, sizeof chain, "%s%s%s", deint ? VIDEO_BWDIF : "",
                           deint && colour ? "," : "", colour ? colour : "");

        if (ret < 0 || (size_t)ret >= sizeof chain)
            ret = AVERROR(EINVAL);
        else if (v->graph && f->width == v->graph_w && f->height == v->graph_h &&
                 f->format == v->graph_fmt && !strcmp(chain, v->graph_chain))
            return 0;
        else if (v->graph && video_graph_close(v, conv) < 0)
            return -1;
        else if (!*chain)
            return 0;
        else if ((ret = video_graph_open(v, f, chain, colour != NULL)) >= 0)
            return 0;
        /* Which part failed: the colours alone tell. */
        if (colour && (!deint || (ret = video_graph_open(v, f, colour, true)) < 0)) {
            log_warn("%s: cannot convert the colours (%s); showing them as they are read", v->path,
                     video_averr(ret, eb, sizeof eb));
            v->colour_failed = true;
            colour = NULL;
        } else {
            log_warn("%s: cannot deinterlace (%s); showing the fields woven", v->path,
                     video_averr(ret, eb, sizeof eb));
            v->deint_failed = true;
        }
    }
}

/* Queues FRAME, through the filter graph when it needs one: bwdif once a
 * frame flagged interlaced was seen (a 1080i TV spot shown woven combs
 * every moving edge), a colour conversion when SDL cannot show its colours
 * as they are (video_colour_chain()).  Frames SDL shows exactly take no
 * detour.  Returns as video_push(). */
/* A frame decoded on the GPU, copied into memory (NV12 for 8-bit video)
 * for SDL, in place.  0 or -1. */
static int video_download(struct video *v, AVFrame *frame)
{
    AVFrame *sw = av_frame_alloc();
    int r = sw ? av_hwframe_transfer_data(sw, frame, 0) : AVERROR(ENOMEM);

    if (r >= 0)
        r = av_frame_copy_props(sw, frame);
    if (r < 0) {
        av_frame_free(&sw);
        (void)v;
        return -1;
    }
    av_frame_unref(frame);
    av_frame_move_ref(frame, sw);
    av_frame_free(&sw);
    return 0;
}

static int video_take(struct video *v, AVFrame *frame, AVFrame *conv)
{
    char colour[VIDEO_CHAIN];
    bool want_colour;

    if (frame->format == AV_PIX_FMT_VAAPI && video_download(v, frame) < 0) {
        av_frame_unref(frame);
        return 1;
    }
    video_relabel(frame);
    if (frame->interlaced_frame)
        v->interlaced = true;
    want_colour = !v->colour_failed && video_colour_chain(frame, colour, sizeof colour);
    if ((v->interlaced && !v->deint_failed) || want_colour) {
        if (!v->graph_frame && !(v->graph_frame = av_frame_alloc()))
            return video_push(v, frame, conv);
        if (video_graph_fit(v, frame, conv, want_colour ? colour : NULL) < 0) {
            av_frame_unref(frame);
            return -1;
        }
    } else if (v->graph && video_graph_close(v, conv) < 0) {
        av_frame_unref(frame);
        return -1;
    }
    if (!v->graph)
        return video_push(v, frame, conv);
    if (media_lavfi()->buffersrc_add_frame(v->graph_in, frame) < 0) {
        av_frame_unref(frame);
        return 1;
    }
    return video_graph_drain(v, conv);
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

/* The play the render side moved on to while this thread still decodes an
 * earlier one (its slot was cut short), or -1. */
static int video_skip_to(struct video *v)
{
    int to;

    pthread_mutex_lock(&v->lock);
    to = v->play > v->dec_play ? v->play : -1;
    pthread_mutex_unlock(&v->lock);
    return to;
}

/* The decoder is at the end of its play: whether another was asked for
 * (video_again()).  When not, this was the last, and none may be asked for
 * any more. */
static bool video_more_plays(struct video *v)
{
    bool more;

    pthread_mutex_lock(&v->lock);
    v->ended_play = v->dec_play + 1;
    more = v->plays > v->dec_play + 1 && !atomic_load(&v->stop);
    v->last_play = !more;
    pthread_cond_broadcast(&v->ready);
    pthread_mutex_unlock(&v->lock);
    return more;
}

/* Goes back to the file's start to decode play TO.  Returns 0, or -1 when
 * the demuxer cannot seek there (then the decoding ends). */
static int video_rewind(struct video *v, int to)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    int64_t start = v->fmt->start_time != AV_NOPTS_VALUE ? v->fmt->start_time : 0;
    int flags = v->fmt->iformat->flags;
    /* Streams whose timestamps may jump (MPEG-TS, PS) go back by bytes, as
     * ffplay does: a search by time can land past the first keyframe. */
    bool by_bytes = !(flags & AVFMT_NO_BYTE_SEEK) && (flags & AVFMT_TS_DISCONT);
    int ret = by_bytes ? av_seek_frame(v->fmt, -1, 0, AVSEEK_FLAG_BYTE)
                       : avformat_seek_file(v->fmt, -1, INT64_MIN, start, start, 0);

    if (ret < 0)
        ret = av_seek_frame(v->fmt, -1, start, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        log_warn("%s: cannot go back to its start to play it again (%s); its last picture stays "
                 "until the next item",
                 v->path, video_averr(ret, eb, sizeof eb));
        return -1;
    }
    avcodec_flush_buffers(v->dec);
    graph_free(v); /* what it held belongs to the play left */
    v->play_offset += v->have_pts ? v->last_pts + v->frame_ms : 0;
    v->have_pts = false;
    v->last_pts = 0;
    v->dec_play = to;
    return 0;
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
        int skip = video_skip_to(v);
        if (skip >= 0) {
            if (video_rewind(v, skip) < 0)
                break;
            draining = false;
            continue;
        }
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
            if (video_graph_close(v, conv) < 0) /* what it still holds */
                break;
            if (video_more_plays(v) && video_rewind(v, v->dec_play + 1) == 0) {
                draining = false;
                read_bad = 0;
                continue;
            }
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
    v->last_play = true;
    pthread_cond_broadcast(&v->ready);
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

/* --- open ----------------------------------------------------------------- */

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
    v->size = sb.st_size;
    return 0;
}

static int video_open_format(struct video *v, char *err, size_t errlen)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    AVDictionary **opts;
    int ret;

    v->avio = media_avio_fd(v->fd, v->size);
    if (!v->avio)
        goto out_nomem;
    v->fmt = media_format_alloc(v->avio, video_interrupt, v);
    if (!v->fmt)
        goto out_nomem;
    v->fmt->probesize = VIDEO_PROBESIZE;
    v->fmt->max_analyze_duration = VIDEO_ANALYZE_US;

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
    if (par->width <= 0 || par->height <= 0 || par->width > MEDIA_VIDEO_MAX_SIDE ||
        par->height > MEDIA_VIDEO_MAX_SIDE) {
        video_errf(err, errlen, v->path, "picture size %dx%d is out of range (1..%d)", par->width,
                   par->height, MEDIA_VIDEO_MAX_SIDE);
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
    /* Frame threads stay: a codec the GPU cannot take decodes in software. */
    if ((v->dec->hw_device_ctx = hw_device()))
        v->dec->get_format = hw_get_format;
    ret = avcodec_open2(v->dec, codec, NULL);
    if (ret < 0)
        goto out_err;

    v->width = par->width;
    v->height = par->height;
    v->rotate = media_stream_rotation(v->st);
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

    ts = pclock_mono_after(VIDEO_OPEN_TIMEOUT_MS);
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
    v->refs = 1;
    v->plays = 1;
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
    /* BT.2020 only when its conversion could not be made: 709 is nearer */
    o->matrix =
        video_matrix_of(f->colorspace, o->full_range, f->color_primaries == AVCOL_PRI_BT2020,
                        f->height) == AVCOL_SPC_BT470BG
            ? VIDEO_BT601
            : VIDEO_BT709;
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
    v->shown_play = v->queue_play[v->head];
    v->queue[v->head] = tmp;
    av_frame_unref(tmp);
    v->head = (v->head + 1) % VIDEO_QUEUE;
    v->count--;
    v->have_shown = true;
    video_fill_out(v, pts);
}

/* Drops the queued frames of plays before the one on show, under the lock.
 * Returns whether any was. */
static bool video_drop_past(struct video *v)
{
    bool dropped = false;

    while (v->count > 0 && v->queue_play[v->head] < v->play) {
        av_frame_unref(v->queue[v->head]);
        v->head = (v->head + 1) % VIDEO_QUEUE;
        v->count--;
        dropped = true;
    }
    return dropped;
}

/* Takes every queued frame of the play on show due at T (its first one
 * regardless), under the lock.  Returns whether the frame on show changed. */
static bool video_take_due(struct video *v, pl_ms t)
{
    bool dropped = video_drop_past(v), changed = false;

    if ((!v->have_shown || v->shown_play != v->play) && v->count > 0 &&
        v->queue_play[v->head] == v->play) {
        video_take_head(v);
        changed = true;
    }
    while (v->count > 0 && v->queue_play[v->head] == v->play && v->queue_pts[v->head] <= t) {
        video_take_head(v);
        changed = true;
    }
    if (changed || dropped)
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
    ts = pclock_mono_after(timeout_ms);
    pthread_mutex_lock(&v->lock);
    for (;;) {
        changed |= video_take_due(v, t);
        if (v->count > 0 || v->done || v->ended_play > v->play || rc != 0)
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
    if (video_drop_past(v))
        pthread_cond_signal(&v->space);
    ended = (v->done || v->ended_play > v->play) &&
            (v->count == 0 || v->queue_play[v->head] != v->play);
    pthread_mutex_unlock(&v->lock);
    return ended;
}

int video_again(struct video *v)
{
    int n = -1;

    if (!v)
        return -1;
    pthread_mutex_lock(&v->lock);
    if (!v->last_play) {
        n = v->plays++;
        pthread_cond_broadcast(&v->space);
    }
    pthread_mutex_unlock(&v->lock);
    return n;
}

void video_unask(struct video *v, int n)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    if (n > v->play && n == v->plays - 1)
        v->plays--;
    pthread_mutex_unlock(&v->lock);
}

void video_show_play(struct video *v, int n)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    if (n > v->play) {
        v->play = n;
        if (v->plays < n + 1)
            v->plays = n + 1;
        video_drop_past(v);
        pthread_cond_broadcast(&v->space);
    }
    pthread_mutex_unlock(&v->lock);
}

struct video *video_ref(struct video *v)
{
    if (v)
        v->refs++;
    return v;
}

bool video_unref(struct video *v)
{
    return v && --v->refs == 0;
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
    graph_free(v);
    av_frame_free(&v->graph_frame);
    av_buffer_pool_uninit(&v->pool);
    for (int i = 0; i < VIDEO_QUEUE; i++)
        av_frame_free(&v->queue[i]);
    av_frame_free(&v->shown);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    media_avio_free(&v->avio);
    if (v->fd >= 0)
        close(v->fd);
    pthread_cond_destroy(&v->ready);
    pthread_cond_destroy(&v->space);
    pthread_mutex_destroy(&v->lock);
    free(v->path);
    free(v);
}
