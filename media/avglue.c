#include "media/avglue.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "common/log.h"
#include "media/contract.h"

#define AVIO_BUF 65536

static void av_to_log(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[1024];
    int prefix = 1;
    size_t n;

    if (level > AV_LOG_WARNING || log_get_level() < LOGLVL_DEBUG)
        return;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n)
        log_debug("ffmpeg: %s", line);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_setup(void)
{
    av_log_set_callback(av_to_log);
}

void media_log_route(void)
{
    pthread_once(&log_once, log_setup);
}

struct fdio {
    int fd;
    int64_t pos, size;
};

static int fdio_read(void *opaque, uint8_t *buf, int len)
{
    struct fdio *f = opaque;
    ssize_t n;

    if (len <= 0)
        return 0;
    if (f->pos >= f->size)
        return AVERROR_EOF;
    if ((int64_t)len > f->size - f->pos)
        len = (int)(f->size - f->pos);
    do
        n = pread(f->fd, buf, (size_t)len, (off_t)f->pos);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return AVERROR(errno);
    if (n == 0)
        return AVERROR_EOF;
    f->pos += n;
    return (int)n;
}

static int64_t fdio_seek(void *opaque, int64_t off, int whence)
{
    struct fdio *f = opaque;
    int64_t to;

    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return f->size;
    case SEEK_SET:
        to = off;
        break;
    case SEEK_CUR:
        if (off > 0 && f->pos > INT64_MAX - off)
            return AVERROR(EINVAL);
        to = f->pos + off;
        break;
    case SEEK_END:
        if (off > 0)
            return AVERROR(EINVAL);
        to = f->size + off;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (to < 0)
        return AVERROR(EINVAL);
    f->pos = to;
    return to;
}

AVIOContext *media_avio_fd(int fd, int64_t size)
{
    struct fdio *f = av_mallocz(sizeof *f);
    uint8_t *buf = av_malloc(AVIO_BUF);
    AVIOContext *pb = NULL;

    if (f && buf)
        pb = avio_alloc_context(buf, AVIO_BUF, 0, f, fdio_read, NULL, fdio_seek);
    if (!pb) {
        av_free(buf);
        av_free(f);
        return NULL;
    }
    f->fd = fd;
    f->size = size < 0 ? 0 : size;
    return pb;
}

void media_avio_free(AVIOContext **pb)
{
    if (!pb || !*pb)
        return;
    av_freep(&(*pb)->opaque);
    av_freep(&(*pb)->buffer);
    avio_context_free(pb);
}

/* A medium may not make us open anything else: playlist entries, external
 * references, "concat:" and the like are all refused. */
static int refuse_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    (void)s;
    (void)pb;
    (void)flags;
    (void)options;
    log_debug("media: refused to open '%s' named inside a medium", url ? url : "?");
    return AVERROR(EPERM);
}

AVFormatContext *media_format_alloc(AVIOContext *pb, int (*interrupt)(void *), void *opaque)
{
    AVFormatContext *fc = avformat_alloc_context();

    if (!fc)
        return NULL;
    fc->pb = pb;
    fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    fc->io_open = refuse_open;
    fc->interrupt_callback.callback = interrupt;
    fc->interrupt_callback.opaque = opaque;
    fc->format_whitelist = av_strdup(MEDIA_CONTAINERS);
    fc->protocol_whitelist = av_strdup("none");
    if (!fc->format_whitelist || !fc->protocol_whitelist) {
        avformat_free_context(fc);
        return NULL;
    }
    return fc;
}
