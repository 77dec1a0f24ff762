#include "scheduler/derive.h"

#include "common/atomic.h"
#include "common/clock.h"
#include "common/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libheif/heif.h>
#include <libswscale/swscale.h>
#include <poppler.h>
#include <webp/demux.h>

#define MSG_MAX 768
#define STILL_MAX_PIXELS INT64_C(100000000)
#define STILL_MAX_SIDE 16384
#define ANIM_MAX_BYTES (INT64_C(768) << 20) /* decoded frames held, 4:2:0 */
#define ANIM_MAX_FRAMES 100000
#define ANIM_MIN_FRAME_MS 20    /* shorter delays are shown as ... */
#define ANIM_SHORT_FRAME_MS 100 /* ... this, as every browser does */
#define CHILD_AS_BYTES (UINT64_C(3) << 30)
#define CHILD_FSIZE_BYTES (UINT64_C(1) << 30)

#if defined(__SANITIZE_ADDRESS__)
#define DERIVE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DERIVE_UNDER_ASAN 1
#endif
#endif

/* --- what a file is --------------------------------------------------------- */

/* An ISO base media brand of HEIF or AVIF: IMAGE for a still (or an image
 * collection with a primary picture), SEQUENCE for an animation. */
enum brand { BRAND_OTHER, BRAND_IMAGE, BRAND_SEQUENCE };

static enum brand brand_of(const uint8_t *b)
{
    static const char images[][5] = {"heic", "heix", "heim", "heis", "mif1", "mif2", "avif"};
    static const char sequences[][5] = {"msf1", "hevc", "hevx", "hevm", "hevs", "avis"};

    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++)
        if (memcmp(b, images[i], 4) == 0)
            return BRAND_IMAGE;
    for (size_t i = 0; i < sizeof sequences / sizeof sequences[0]; i++)
        if (memcmp(b, sequences[i], 4) == 0)
            return BRAND_SEQUENCE;
    return BRAND_OTHER;
}

/* PDF readers take "%PDF-" anywhere in the first kilobyte, after a print
 * job's text header; after binary bytes it is some other file's text (a
 * PNG comment, a video's title). */
static bool pdf_at(const uint8_t *head, size_t len)
{
    for (size_t i = 0; i + 5 <= len && i < 1024; i++) {
        if (memcmp(head + i, "%PDF-", 5) == 0)
            return true;
        if (head[i] != '\n' && head[i] != '\r' && head[i] != '\t' && head[i] != 0x1b &&
            (head[i] < 0x20 || head[i] > 0x7e))
            return false;
    }
    return false;
}

enum sched_derive_kind sched_derive_sniff(const uint8_t *head, size_t len)
{
    if (len >= 12 && memcmp(head + 4, "ftyp", 4) == 0) {
        /* The ftyp box: size, "ftyp", major brand, minor version, then
         * compatible brands.  A plain MP4 names none of the image brands. */
        uint32_t box =
            (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
        enum brand major = brand_of(head + 8);
        if (major == BRAND_IMAGE)
            return SCHED_DERIVE_HEIF;
        if (major == BRAND_SEQUENCE)
            return SCHED_DERIVE_HEIF_SEQUENCE;
        for (size_t off = 16; off + 4 <= box && off + 4 <= len; off += 4)
            if (memcmp(head + off, "heic", 4) == 0 || memcmp(head + off, "avif", 4) == 0)
                return SCHED_DERIVE_HEIF;
        return SCHED_DERIVE_NONE;
    }
    if (len >= 6 && (memcmp(head, "GIF87a", 6) == 0 || memcmp(head, "GIF89a", 6) == 0))
        return SCHED_DERIVE_GIF;
    if (pdf_at(head, len))
        return SCHED_DERIVE_PDF;
    return SCHED_DERIVE_NONE;
}

const char *sched_derive_kind_name(enum sched_derive_kind k)
{
    switch (k) {
    case SCHED_DERIVE_PDF:
        return "PDF";
    case SCHED_DERIVE_HEIF:
        return "HEIF/AVIF";
    case SCHED_DERIVE_GIF:
        return "GIF";
    case SCHED_DERIVE_WEBP_ANIM:
        return "animated WebP";
    case SCHED_DERIVE_HEIF_SEQUENCE:
        return "HEIF/AVIF sequence";
    case SCHED_DERIVE_NONE:
        break;
    }
    return "unknown";
}

/* --- writing the result (child side) --------------------------------------- */

struct result {
    int ret;
    int type; /* enum pl_item_type */
    int pages;
    char err[MSG_MAX];
};

/* Encodes one picture, RGB24 or RGBA at PIX, as PNG (lossless, keeps alpha)
 * or JPEG (4:4:4, quality near the top) into FD. */
static int encode_still(int fd, const uint8_t *pix, int stride, int w, int h, bool alpha, bool jpeg,
                        struct result *res)
{
    enum AVPixelFormat in = alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    const AVCodec *codec = avcodec_find_encoder(jpeg ? AV_CODEC_ID_MJPEG : AV_CODEC_ID_PNG);
    AVCodecContext *ctx = NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    struct SwsContext *sws = NULL;
    int r;

    if (!codec || !f || !pkt || !(ctx = avcodec_alloc_context3(codec))) {
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "cannot start the %s encoder",
                     jpeg ? "JPEG" : "PNG");
        goto out;
    }
    ctx->width = w;
    ctx->height = h;
    ctx->time_base = (AVRational){1, 25};
    ctx->pix_fmt = jpeg ? AV_PIX_FMT_YUVJ444P : in;
    if (jpeg) {
        ctx->flags |= AV_CODEC_FLAG_QSCALE;
        ctx->global_quality = 2 * FF_QP2LAMBDA;
        ctx->color_range = AVCOL_RANGE_JPEG;
    }
    f->format = ctx->pix_fmt;
    f->width = w;
    f->height = h;
    f->quality = ctx->global_quality;
    r = avcodec_open2(ctx, codec, NULL);
    if (r >= 0)
        r = av_frame_get_buffer(f, 0);
    if (r < 0) {
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "cannot start the %s encoder",
                     jpeg ? "JPEG" : "PNG");
        goto out;
    }
    if (jpeg) {
        const uint8_t *src[4] = {pix};
        int srcs[4] = {stride};
        sws = sws_getContext(w, h, in, w, h, ctx->pix_fmt,
                             SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
        if (!sws) {
            r = err_fail(res->err, sizeof res->err, -ENOMEM, "cannot convert the picture");
            goto out;
        }
        sws_scale(sws, src, srcs, 0, h, f->data, f->linesize);
    } else {
        av_image_copy_plane(f->data[0], f->linesize[0], pix, stride, w * (alpha ? 4 : 3), h);
    }
    r = avcodec_send_frame(ctx, f);
    if (r >= 0)
        r = avcodec_send_frame(ctx, NULL);
    while (r >= 0 && (r = avcodec_receive_packet(ctx, pkt)) >= 0) {
        r = atomic_write_all(fd, pkt->data, (size_t)pkt->size);
        av_packet_unref(pkt);
    }
    if (r == AVERROR_EOF)
        r = 0;
    if (r < 0)
        r = err_fail(res->err, sizeof res->err, -EIO, "cannot write the converted picture");
out:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&ctx);
    return r;
}

/* --- PDF ------------------------------------------------------------------- */

static int derive_pdf(const struct sched_derive_req *req, int fd, struct result *res)
{
    GBytes *bytes = g_bytes_new_static(req->data, req->len);
    GError *ge = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &ge);
    PopplerPage *page = NULL;
    cairo_surface_t *s = NULL;
    uint8_t *rgb = NULL;
    int want = req->page ? req->page : 1, r;
    double pw = 0, ph = 0, scale;
    int w, h;

    if (!doc) {
        if (ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED)
            r = err_fail(res->err, sizeof res->err, -EINVAL,
                         "the PDF is locked with a password; export it again without one");
        else
            r = err_fail(res->err, sizeof res->err, -EINVAL,
                         "damaged PDF: %s; export it again (PDF/X or \"print to PDF\")",
                         ge && ge->message ? ge->message : "it cannot be read");
        goto out;
    }
    res->pages = poppler_document_get_n_pages(doc);
    if (res->pages < 1) {
        r = err_fail(res->err, sizeof res->err, -EINVAL, "the PDF has no pages");
        goto out;
    }
    if (want > res->pages) {
        r = err_fail(res->err, sizeof res->err, -ERANGE,
                     "page = %d, but the PDF has %d page%s; pick one of 1..%d", want, res->pages,
                     res->pages == 1 ? "" : "s", res->pages);
        goto out;
    }
    page = poppler_document_get_page(doc, want - 1);
    if (page)
        poppler_page_get_size(page, &pw, &ph);
    if (!page || !isfinite(pw) || !isfinite(ph) || pw < 1 || ph < 1 || pw > 1e6 || ph > 1e6) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "page %d of the PDF has no usable size; export it again", want);
        goto out;
    }
    /* The page fills a 4K screen either way up: its longer side gets
     * SCHED_DERIVE_MAX_SIDE pixels, on white paper. */
    scale = SCHED_DERIVE_MAX_SIDE / (pw > ph ? pw : ph);
    w = (int)lround(pw * scale);
    h = (int)lround(ph * scale);
    w = w < 1 ? 1 : w;
    h = h < 1 ? 1 : h;
    s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory rendering the PDF");
        goto out;
    }
    {
        cairo_t *cr = cairo_create(s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        poppler_page_render(page, cr);
        cairo_destroy(cr);
    }
    cairo_surface_flush(s);
    /* CAIRO_FORMAT_RGB24 is a native-endian 0x00RRGGBB word per pixel. */
    rgb = malloc((size_t)w * (size_t)h * 3);
    if (!rgb) {
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory rendering the PDF");
        goto out;
    }
    {
        const uint8_t *px = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        for (int y = 0; y < h; y++) {
            const uint32_t *row = (const uint32_t *)(const void *)(px + (size_t)y * stride);
            uint8_t *o = rgb + (size_t)y * w * 3;
            for (int x = 0; x < w; x++) {
                o[3 * x] = (uint8_t)(row[x] >> 16);
                o[3 * x + 1] = (uint8_t)(row[x] >> 8);
                o[3 * x + 2] = (uint8_t)row[x];
            }
        }
    }
    res->type = PL_ITEM_IMAGE;
    r = encode_still(fd, rgb, w * 3, w, h, false, false, res);
out:
    free(rgb);
    if (s)
        cairo_surface_destroy(s);
    if (page)
        g_object_unref(page);
    if (doc)
        g_object_unref(doc);
    if (ge)
        g_error_free(ge);
    g_bytes_unref(bytes);
    return r;
}

/* --- HEIC / AVIF ----------------------------------------------------------- */

static int derive_heif(const struct sched_derive_req *req, int fd, struct result *res)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *hd = NULL;
    struct heif_image *img = NULL;
    struct heif_error e;
    const uint8_t *px;
    int stride = 0, w, h, r;
    bool alpha;

    if (!ctx)
        return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
    heif_context_set_maximum_image_size_limit(ctx, STILL_MAX_SIDE);
    e = heif_context_read_from_memory_without_copy(ctx, req->data, req->len, NULL);
    if (e.code == heif_error_Ok)
        e = heif_context_get_primary_image_handle(ctx, &hd);
    if (e.code != heif_error_Ok) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "damaged HEIF/AVIF image (%s); export it again, or as JPEG", e.message);
        goto out;
    }
    w = heif_image_handle_get_width(hd);
    h = heif_image_handle_get_height(hd);
    if (w < 1 || h < 1 || (int64_t)w * h > STILL_MAX_PIXELS) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "the HEIF/AVIF image is %dx%d pixels; at most 100 megapixels are allowed, "
                     "scale it down",
                     w, h);
        goto out;
    }
    alpha = heif_image_handle_has_alpha_channel(hd);
    /* Decoded upright (the file's rotation and mirroring applied), 8 bits
     * a channel, YCbCr turned into RGB by the file's own matrix. */
    e = heif_decode_image(hd, &img, heif_colorspace_RGB,
                          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, NULL);
    if (e.code != heif_error_Ok) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "the HEIF/AVIF picture cannot be decoded (%s); export it again, or as JPEG",
                     e.message);
        goto out;
    }
    px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    w = heif_image_get_width(img, heif_channel_interleaved);
    h = heif_image_get_height(img, heif_channel_interleaved);
    if (!px || w < 1 || h < 1) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "the HEIF/AVIF picture decodes to nothing; export it again, or as JPEG");
        goto out;
    }
    res->type = PL_ITEM_IMAGE;
    /* A photo becomes a JPEG; a picture with transparency a PNG, so the
     * item's background shows through as it would for a PNG sent as is. */
    r = encode_still(fd, px, stride, w, h, alpha, !alpha, res);
out:
    if (img)
        heif_image_release(img);
    if (hd)
        heif_image_handle_release(hd);
    heif_context_free(ctx);
    return r;
}

/* --- animations ------------------------------------------------------------ */

/* Frames composited over the background, 4:2:0, each with how long it shows. */
struct anim {
    int w, h;   /* the canvas; even, for 4:2:0 */
    int cw, ch; /* the animation's own size */
    uint8_t bg[3];
    AVFrame **frames;
    pl_ms *dur;
    size_t n, cap;
    int64_t bytes;
    struct SwsContext *sws;
    uint8_t *rgb; /* w x h RGB24 scratch */
};

static int anim_init(struct anim *a, int w, int h, uint32_t bg, struct result *res)
{
    memset(a, 0, sizeof *a);
    if (w < 1 || h < 1 || w > 8192 || h > 8192)
        return err_fail(res->err, sizeof res->err, -EINVAL,
                        "the animation is %dx%d pixels; each side must be 1..8192", w, h);
    a->cw = w;
    a->ch = h;
    a->w = w + (w & 1);
    a->h = h + (h & 1);
    a->bg[0] = (uint8_t)(bg >> 16);
    a->bg[1] = (uint8_t)(bg >> 8);
    a->bg[2] = (uint8_t)bg;
    a->rgb = malloc((size_t)a->w * (size_t)a->h * 3);
    a->sws = sws_getContext(a->w, a->h, AV_PIX_FMT_RGB24, a->w, a->h, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!a->rgb || !a->sws)
        return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
    return 0;
}

static void anim_free(struct anim *a)
{
    for (size_t i = 0; i < a->n; i++)
        av_frame_free(&a->frames[i]);
    free(a->frames);
    free(a->dur);
    free(a->rgb);
    sws_freeContext(a->sws);
}

/* Adds a canvas-sized RGBA picture shown for DUR_MS. */
static int anim_add(struct anim *a, const uint8_t *rgba, int stride, pl_ms dur_ms,
                    struct result *res)
{
    const uint8_t *src[4];
    int srcs[4] = {a->w * 3};
    AVFrame *f;

    if (a->n >= ANIM_MAX_FRAMES || a->bytes > ANIM_MAX_BYTES)
        return err_fail(res->err, sizeof res->err, -EFBIG,
                        "the animation is too long or too large to convert here; convert it "
                        "into a video yourself: ffmpeg -i IN -pix_fmt yuv420p OUT.mp4");
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        AVFrame **fr = realloc(a->frames, cap * sizeof *fr);
        pl_ms *du;
        if (!fr)
            return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
        a->frames = fr;
        du = realloc(a->dur, cap * sizeof *du);
        if (!du)
            return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
        a->dur = du;
        a->cap = cap;
    }
    for (int y = 0; y < a->h; y++) {
        uint8_t *o = a->rgb + (size_t)y * a->w * 3;
        for (int x = 0; x < a->w; x++, o += 3) {
            const uint8_t *p = rgba + (size_t)y * stride + 4 * (size_t)x;
            unsigned al = x < a->cw && y < a->ch ? p[3] : 0;
            for (int c = 0; c < 3; c++)
                o[c] = al ? (uint8_t)((p[c] * al + a->bg[c] * (255 - al) + 127) / 255) : a->bg[c];
        }
    }
    f = av_frame_alloc();
    if (!f)
        return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
    f->format = AV_PIX_FMT_YUV420P;
    f->width = a->w;
    f->height = a->h;
    if (av_frame_get_buffer(f, 0) < 0) {
        av_frame_free(&f);
        return err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
    }
    src[0] = a->rgb;
    sws_scale(a->sws, src, srcs, 0, a->h, f->data, f->linesize);
    a->frames[a->n] = f;
    a->dur[a->n] = dur_ms < ANIM_MIN_FRAME_MS ? ANIM_SHORT_FRAME_MS : dur_ms;
    a->n++;
    a->bytes += (int64_t)a->w * a->h * 3 / 2;
    return 0;
}

struct membuf {
    const uint8_t *p;
    size_t len, pos;
};

static int mem_read(void *opaque, uint8_t *buf, int size)
{
    struct membuf *m = opaque;
    size_t n = m->len - m->pos;

    if (n == 0)
        return AVERROR_EOF;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    struct membuf *m = opaque;
    int64_t to;

    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE)
        return (int64_t)m->len;
    to = whence == SEEK_SET   ? off
         : whence == SEEK_CUR ? (int64_t)m->pos + off
         : whence == SEEK_END ? (int64_t)m->len + off
                              : -1;
    if (to < 0 || to > (int64_t)m->len)
        return AVERROR(EINVAL);
    m->pos = (size_t)to;
    return to;
}

/* A canvas-sized RGBA copy of F: the GIF decoder gives whole canvases,
 * palette or RGB, which swscale turns into RGBA. */
static int gif_frame_rgba(struct SwsContext **sws, const AVFrame *f, uint8_t *rgba, int w, int h)
{
    uint8_t *dst[4] = {rgba};
    int dsts[4] = {4 * w};

    if (f->width != w || f->height != h)
        return -1;
    *sws = sws_getCachedContext(*sws, w, h, f->format, w, h, AV_PIX_FMT_RGBA, SWS_POINT, NULL, NULL,
                                NULL);
    if (!*sws)
        return -1;
    sws_scale(*sws, (const uint8_t *const *)f->data, f->linesize, 0, h, dst, dsts);
    return 0;
}

static int gif_read(const struct sched_derive_req *req, struct anim *a, struct result *res)
{
    struct membuf m = {req->data, req->len, 0};
    AVFormatContext *fc = avformat_alloc_context();
    AVIOContext *io = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    struct SwsContext *sws = NULL;
    uint8_t *buf = av_malloc(65536), *rgba = NULL;
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_GIF);
    AVRational tb;
    int r, w, h;
    bool inited = false;

    if (!fc || !pkt || !f || !buf || !codec ||
        !(io = avio_alloc_context(buf, 65536, 0, &m, mem_read, NULL, mem_seek))) {
        av_free(buf);
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "out of memory");
        goto out;
    }
    fc->pb = io;
    fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    r = avformat_open_input(&fc, "", av_find_input_format("gif"), NULL);
    if (r >= 0)
        r = avformat_find_stream_info(fc, NULL);
    if (r < 0 || fc->nb_streams < 1) {
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "damaged GIF: it cannot be read; export it again");
        goto out;
    }
    w = fc->streams[0]->codecpar->width;
    h = fc->streams[0]->codecpar->height;
    tb = fc->streams[0]->time_base;
    r = anim_init(a, w, h, req->background, res);
    inited = true;
    if (r < 0)
        goto out;
    rgba = malloc((size_t)w * (size_t)h * 4);
    dec = avcodec_alloc_context3(codec);
    if (!rgba || !dec || avcodec_parameters_to_context(dec, fc->streams[0]->codecpar) < 0 ||
        avcodec_open2(dec, codec, NULL) < 0) {
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "cannot start the GIF decoder");
        goto out;
    }
    for (bool eof = false; !eof;) {
        r = av_read_frame(fc, pkt);
        if (r < 0) {
            eof = true;
            avcodec_send_packet(dec, NULL);
        } else {
            avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
        }
        while (avcodec_receive_frame(dec, f) >= 0) {
            pl_ms d = f->pkt_duration > 0 ? av_rescale_q(f->pkt_duration, tb, (AVRational){1, 1000})
                                          : ANIM_SHORT_FRAME_MS;
            if (gif_frame_rgba(&sws, f, rgba, w, h) == 0)
                r = anim_add(a, rgba, 4 * w, d, res);
            else
                r = 0;
            av_frame_unref(f);
            if (r < 0)
                goto out;
        }
    }
    r = 0;
    if (a->n == 0)
        r = err_fail(res->err, sizeof res->err, -EINVAL,
                     "damaged GIF: no picture in it can be decoded; export it again");
out:
    if (!inited)
        memset(a, 0, sizeof *a);
    free(rgba);
    sws_freeContext(sws);
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fc);
    if (io)
        av_freep(&io->buffer);
    avio_context_free(&io);
    return r;
}

static int webp_read(const struct sched_derive_req *req, struct anim *a, struct result *res)
{
    WebPData wd = {req->data, req->len};
    WebPAnimDecoderOptions o;
    WebPAnimDecoder *dec;
    WebPAnimInfo info;
    int r, prev = 0;

    memset(a, 0, sizeof *a);
    if (!WebPAnimDecoderOptionsInit(&o))
        return err_fail(res->err, sizeof res->err, -ENOMEM, "cannot start the WebP decoder");
    o.color_mode = MODE_RGBA;
    o.use_threads = 0;
    dec = WebPAnimDecoderNew(&wd, &o);
    if (!dec || !WebPAnimDecoderGetInfo(dec, &info)) {
        if (dec)
            WebPAnimDecoderDelete(dec);
        return err_fail(res->err, sizeof res->err, -EINVAL,
                        "damaged animated WebP: it cannot be read; export it again");
    }
    r = anim_init(a, (int)info.canvas_width, (int)info.canvas_height, req->background, res);
    while (r == 0 && WebPAnimDecoderHasMoreFrames(dec)) {
        uint8_t *buf;
        int ts;
        if (!WebPAnimDecoderGetNext(dec, &buf, &ts)) {
            r = err_fail(res->err, sizeof res->err, -EINVAL,
                         "damaged animated WebP: frame %zu cannot be decoded; export it again",
                         a->n + 1);
            break;
        }
        r = anim_add(a, buf, 4 * a->cw, ts > prev ? ts - prev : 0, res);
        prev = ts;
    }
    WebPAnimDecoderDelete(dec);
    if (r == 0 && a->n == 0)
        r = err_fail(res->err, sizeof res->err, -EINVAL, "the animated WebP has no frames");
    return r;
}

static int fd_write(void *opaque, uint8_t *buf, int size)
{
    int r = atomic_write_all(*(int *)opaque, buf, (size_t)size);
    return r < 0 ? AVERROR(-r) : size;
}

static int64_t fd_seek(void *opaque, int64_t off, int whence)
{
    struct stat sb;
    off_t r;

    if (whence & AVSEEK_SIZE)
        return fstat(*(int *)opaque, &sb) < 0 ? AVERROR(errno) : sb.st_size;
    r = lseek(*(int *)opaque, (off_t)off, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : (int64_t)r;
}

/* One pass of the animation, encoded: packets in display order (no
 * B-frames), the first an IDR frame, each with its pts and length in ms. */
struct cycle {
    AVPacket **pkt;
    size_t n, cap;
};

static void cycle_free(struct cycle *c)
{
    for (size_t i = 0; i < c->n; i++)
        av_packet_free(&c->pkt[i]);
    free(c->pkt);
}

static int cycle_add(struct cycle *c, AVPacket *pkt)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        AVPacket **v = realloc(c->pkt, cap * sizeof *v);
        if (!v)
            return AVERROR(ENOMEM);
        c->pkt = v;
        c->cap = cap;
    }
    c->pkt[c->n] = av_packet_clone(pkt);
    return c->pkt[c->n++] ? 0 : AVERROR(ENOMEM);
}

/* Encodes the frames of A once into C (H.264, or MPEG-4 part 2 when this
 * FFmpeg has no libx264), and makes CTX's parameters the stream's. */
static int cycle_encode(const struct anim *a, AVCodecContext *ctx, struct cycle *c)
{
    AVPacket *pkt = av_packet_alloc();
    pl_ms t = 0;
    int r = pkt ? 0 : AVERROR(ENOMEM);

    for (size_t i = 0; r >= 0 && i <= a->n; i++) {
        AVFrame *f = i < a->n ? a->frames[i] : NULL;
        if (f) {
            f->pts = t;
            t += a->dur[i];
        }
        r = avcodec_send_frame(ctx, f);
        while (r >= 0 && (r = avcodec_receive_packet(ctx, pkt)) >= 0) {
            r = cycle_add(c, pkt);
            av_packet_unref(pkt);
        }
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            r = 0;
    }
    av_packet_free(&pkt);
    /* Each packet lasts until the next; the last until the pass ends. */
    for (size_t i = 0; r >= 0 && i < c->n; i++)
        c->pkt[i]->duration = (i + 1 < c->n ? c->pkt[i + 1]->pts : t) - c->pkt[i]->pts;
    return r;
}

/* The encoder for A: H.264 in display order, tagged BT.601 limited range
 * (what swscale made the frames), at a nominal rate that keeps the H.264
 * level low (the time base is 1 ms, which x264 would read as 1000 fps). */
static AVCodecContext *anim_encoder(const struct anim *a, bool global_header)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVCodecContext *ctx;
    pl_ms shortest = SCHED_DERIVE_ANIM_MAX_MS;

    if (!codec)
        codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec || !(ctx = avcodec_alloc_context3(codec)))
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        if (a->dur[i] < shortest)
            shortest = a->dur[i];
    ctx->width = a->w;
    ctx->height = a->h;
    ctx->pix_fmt = AV_PIX_FMT_YUV420P;
    ctx->time_base = (AVRational){1, 1000};
    ctx->framerate = (AVRational){shortest < 17 ? 60 : (int)(1000 / shortest), 1};
    ctx->max_b_frames = 0; /* packets in display order: each one's length is known */
    ctx->gop_size = 250;
    ctx->colorspace = AVCOL_SPC_SMPTE170M;
    ctx->color_range = AVCOL_RANGE_MPEG;
    ctx->color_primaries = AVCOL_PRI_BT709; /* sRGB's */
    ctx->color_trc = AVCOL_TRC_IEC61966_2_1;
    ctx->thread_count = 1; /* the child's CPU limit counts every thread */
    if (global_header)
        ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (codec->id == AV_CODEC_ID_H264) {
        av_opt_set(ctx->priv_data, "preset", "veryfast", 0);
        av_opt_set(ctx->priv_data, "crf", "18", 0);
    } else {
        ctx->flags |= AV_CODEC_FLAG_QSCALE;
        ctx->global_quality = 3 * FF_QP2LAMBDA;
    }
    if (avcodec_open2(ctx, codec, NULL) < 0)
        avcodec_free_context(&ctx);
    return ctx;
}

/* Encodes one pass of A and writes it again and again, shifted in time,
 * until TARGET_MS is filled (the last packet cut to end there), as MP4
 * into FD.  Each pass starts on its IDR frame, so a repeat is the same
 * bytes and costs no encoding. */
static int anim_encode(const struct anim *a, pl_ms target_ms, int fd, struct result *res)
{
    AVFormatContext *oc = NULL;
    AVCodecContext *ctx = NULL;
    AVPacket *out = av_packet_alloc();
    struct cycle c = {NULL, 0, 0};
    AVStream *st;
    uint8_t *buf = av_malloc(65536);
    int r, ofd = fd;
    pl_ms pass = 0;

    if (!out || !buf || avformat_alloc_output_context2(&oc, NULL, "mp4", NULL) < 0 ||
        !(oc->pb = avio_alloc_context(buf, 65536, 1, &ofd, NULL, fd_write, fd_seek))) {
        if (!oc || !oc->pb)
            av_free(buf);
        r = err_fail(res->err, sizeof res->err, -ENOMEM, "cannot start the video encoder");
        goto out;
    }
    ctx = anim_encoder(a, oc->oformat->flags & AVFMT_GLOBALHEADER);
    st = avformat_new_stream(oc, NULL);
    r = ctx && st ? cycle_encode(a, ctx, &c) : AVERROR(ENOMEM);
    if (r >= 0)
        r = avcodec_parameters_from_context(st->codecpar, ctx);
    if (r >= 0) {
        st->time_base = (AVRational){1, 1000};
        r = avformat_write_header(oc, NULL);
    }
    if (r < 0 || c.n == 0) {
        r = err_fail(res->err, sizeof res->err, -EIO, "cannot encode the animation as a video");
        goto out;
    }
    for (size_t i = 0; r >= 0;) {
        pl_ms pts = pass + c.pkt[i]->pts;
        if (pts >= target_ms)
            break;
        r = av_packet_ref(out, c.pkt[i]);
        if (r < 0)
            break;
        out->pts = out->dts = pts;
        out->duration = pts + out->duration > target_ms ? target_ms - pts : out->duration;
        av_packet_rescale_ts(out, (AVRational){1, 1000}, st->time_base);
        out->stream_index = 0;
        r = av_write_frame(oc, out);
        av_packet_unref(out);
        if (++i == c.n) {
            pl_ms len = c.pkt[c.n - 1]->pts + c.pkt[c.n - 1]->duration;
            if (len <= 0)
                break; /* cannot happen: every frame lasts 20 ms or more */
            i = 0;
            pass += len;
        }
    }
    if (r >= 0)
        r = av_write_trailer(oc);
    if (r < 0)
        r = err_fail(res->err, sizeof res->err, -EIO, "cannot write the animation as a video");
out:
    cycle_free(&c);
    av_packet_free(&out);
    avcodec_free_context(&ctx);
    if (oc) {
        if (oc->pb)
            av_freep(&oc->pb->buffer);
        avio_context_free(&oc->pb);
        avformat_free_context(oc);
    }
    return r;
}

static int derive_anim(const struct sched_derive_req *req, int fd, struct result *res)
{
    struct anim a;
    pl_ms cycle = 0, target;
    int r;

    r = req->kind == SCHED_DERIVE_GIF ? gif_read(req, &a, res) : webp_read(req, &a, res);
    if (r < 0)
        goto out;
    if (a.n == 1) {
        /* A still GIF: a PNG of the picture over the item's background
         * (what the player would show for a transparent PNG). */
        res->type = PL_ITEM_IMAGE;
        r = encode_still(fd, a.rgb, a.w * 3, a.cw, a.ch, false, false, res);
        goto out;
    }
    for (size_t i = 0; i < a.n; i++)
        cycle += a.dur[i];
    target = req->duration_ms > 0 ? req->duration_ms : cycle < 1000 ? 1000 : cycle;
    if (target > SCHED_DERIVE_ANIM_MAX_MS) {
        r = err_fail(res->err, sizeof res->err, -EFBIG,
                     "an animation is repeated to fill its item, for at most %d minutes; give a "
                     "shorter duration, or convert it into a video yourself",
                     SCHED_DERIVE_ANIM_MAX_MS / 60000);
        goto out;
    }
    res->type = PL_ITEM_VIDEO;
    r = anim_encode(&a, target, fd, res);
out:
    anim_free(&a);
    return r;
}

/* --- the child -------------------------------------------------------------- */

/* The child: no signal the daemon blocks or catches is kept (a SIGTERM
 * to the process group ends it), CPU time bounded a little above the wall
 * clock timeout (the work is single-threaded), file size, no core dump,
 * and address space unless under ASan. */
static void child_limits(pl_ms timeout_ms)
{
    static const int sigs[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGIO, SIGCHLD};
    rlim_t secs = (rlim_t)(timeout_ms / 1000) + 5;
    struct rlimit cpu = {secs, secs + 5};
    struct rlimit fsz = {CHILD_FSIZE_BYTES, CHILD_FSIZE_BYTES};
    struct rlimit core = {0, 0};

    sigset_t none;

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setrlimit(RLIMIT_CPU, &cpu);
    setrlimit(RLIMIT_FSIZE, &fsz);
    setrlimit(RLIMIT_CORE, &core);
#ifndef DERIVE_UNDER_ASAN /* ASan reserves terabytes of address space */
    {
        struct rlimit as = {CHILD_AS_BYTES, CHILD_AS_BYTES};
        setrlimit(RLIMIT_AS, &as);
    }
#endif
}

static int derive_here(const struct sched_derive_req *req, int fd, struct result *res)
{
    switch (req->kind) {
    case SCHED_DERIVE_PDF:
        return derive_pdf(req, fd, res);
    case SCHED_DERIVE_HEIF: {
        int r;
        heif_init(NULL);
        r = derive_heif(req, fd, res);
        heif_deinit();
        return r;
    }
    case SCHED_DERIVE_GIF:
    case SCHED_DERIVE_WEBP_ANIM:
        return derive_anim(req, fd, res);
    case SCHED_DERIVE_HEIF_SEQUENCE:
    case SCHED_DERIVE_NONE:
        break;
    }
    return err_fail(res->err, sizeof res->err, -EINVAL, "nothing to convert");
}

static bool (*waiter)(void *);
static void *waiter_opaque;

void sched_derive_set_waiter(bool (*fn)(void *), void *opaque)
{
    waiter = fn;
    waiter_opaque = opaque;
}

/* Reads the child's result from FD until DEADLINE, asking the waiter about
 * twice a second.  Returns 0, -ETIMEDOUT, -EINTR when the waiter gave up,
 * or -EPIPE when the child went away without one. */
static int read_result(int fd, struct result *res, int64_t deadline)
{
    size_t have = 0;

    while (have < sizeof *res) {
        struct pollfd p = {fd, POLLIN, 0};
        int64_t left = deadline - pclock_mono_ms();
        ssize_t n;
        if (left <= 0)
            return -ETIMEDOUT;
        if (waiter && waiter(waiter_opaque))
            return -EINTR;
        if (poll(&p, 1, left > 500 ? 500 : (int)left) < 0 && errno != EINTR)
            return -errno;
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = read(fd, (char *)res + have, sizeof *res - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -EPIPE;
        have += (size_t)n;
    }
    return 0;
}

int sched_derive(const struct sched_derive_req *req, struct sched_derived *out, char *err,
                 size_t errlen)
{
    struct result res;
    int mfd, pfd[2], r, status = 0;
    pid_t pid;

    memset(out, 0, sizeof *out);
    out->fd = -1;
    /* Failing to start is this machine's trouble, not the file's: -EAGAIN,
     * so the campaign is tried again rather than rejected. */
    mfd = memfd_create("signage-derived", MFD_CLOEXEC);
    if (mfd < 0)
        return err_fail(err, errlen, -EAGAIN, "cannot convert it now: %s", strerror(errno));
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        r = err_fail(err, errlen, -EAGAIN, "cannot convert it now: %s", strerror(errno));
        close(mfd);
        return r;
    }
    pid = fork();
    if (pid < 0) {
        r = err_fail(err, errlen, -EAGAIN, "cannot convert it now: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        close(mfd);
        return r;
    }
    if (pid == 0) {
        close(pfd[0]);
        child_limits(req->timeout_ms);
        memset(&res, 0, sizeof res);
        res.ret = derive_here(req, mfd, &res);
        atomic_write_all(pfd[1], &res, sizeof res);
        _exit(0);
    }
    close(pfd[1]);
    r = read_result(pfd[0], &res, pclock_mono_ms() + req->timeout_ms);
    close(pfd[0]);
    if (r == -ETIMEDOUT || r == -EINTR)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (r == -EINTR) {
        close(mfd);
        return err_fail(err, errlen, -EINTR, "converting the %s was stopped",
                        sched_derive_kind_name(req->kind));
    }
    if (r == -ETIMEDOUT) {
        close(mfd);
        return err_fail(err, errlen, -ETIMEDOUT,
                        "converting the %s took longer than %.3g s; the file is damaged, hostile "
                        "or far too large, export it again (or raise convert_timeout)",
                        sched_derive_kind_name(req->kind), (double)req->timeout_ms / 1000);
    }
    if (r < 0) {
        close(mfd);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
            return err_fail(err, errlen, -ECHILD,
                            "converting the %s used more CPU time than convert_timeout allows; "
                            "the file is damaged, hostile or far too large, export it again",
                            sched_derive_kind_name(req->kind));
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            return err_fail(err, errlen, -EAGAIN,
                            "the %s converter was killed (out of memory?); it will be tried again",
                            sched_derive_kind_name(req->kind));
        if (WIFSIGNALED(status))
            return err_fail(err, errlen, -ECHILD,
                            "the %s converter failed on this file (signal %d: %s); the file is "
                            "damaged or hostile, export it again",
                            sched_derive_kind_name(req->kind), WTERMSIG(status),
                            strsignal(WTERMSIG(status)));
        return err_fail(err, errlen, -ECHILD, "the %s converter stopped without an answer",
                        sched_derive_kind_name(req->kind));
    }
    res.err[sizeof res.err - 1] = '\0';
    out->pages = res.pages;
    if (res.ret < 0) {
        close(mfd);
        return err_fail(err, errlen, res.ret, "%s", res.err);
    }
    out->fd = mfd;
    out->type = res.type == PL_ITEM_VIDEO ? PL_ITEM_VIDEO : PL_ITEM_IMAGE;
    return 0;
}
