#include "media/contract.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/display.h>

int media_stream_rotation(const AVStream *st)
{
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    double ccw;
    long q;

    if (!m || size < 9 * sizeof(int32_t))
        return 0;
    ccw = av_display_rotation_get((const int32_t *)(const void *)m);
    if (isnan(ccw))
        return 0;
    q = lround(-ccw / 90.0) % 4;
    return (int)(q < 0 ? q + 4 : q) * 90;
}

bool media_video_codec_ok(enum AVCodecID id)
{
    /* Decoders FFmpeg has that keep up on a signage PC and that partners
     * send; not WMV1/2, MS-MPEG4 (DivX 3), DV, QuickTime Animation or PNG
     * in MOV, which decode but are not worth a screen's time. */
    static const enum AVCodecID ok[] = {
        AV_CODEC_ID_H264,  AV_CODEC_ID_HEVC,   AV_CODEC_ID_VP8,        AV_CODEC_ID_VP9,
        AV_CODEC_ID_AV1,   AV_CODEC_ID_MPEG4,  AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_MPEG1VIDEO,
        AV_CODEC_ID_MJPEG, AV_CODEC_ID_THEORA, AV_CODEC_ID_PRORES,     AV_CODEC_ID_VC1,
        AV_CODEC_ID_WMV3,  AV_CODEC_ID_H263,   AV_CODEC_ID_DNXHD,      AV_CODEC_ID_FFV1,
    };

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == id)
            return true;
    return false;
}

const char *media_container_ext(const char *demuxer)
{
    /* Every demuxer of MEDIA_CONTAINERS, none able to name another file. */
    static const struct {
        const char *demuxer, *ext;
    } containers[] = {
        {"mov,mp4,m4a,3gp,3g2,mj2", "mp4"},
        {"matroska,webm", "mkv"},
        {"avi", "avi"},
        {"mpegts", "ts"},
        {"mpeg", "mpg"},
        {"mxf", "mxf"},
        {"flv", "flv"},
        {"asf", "wmv"},
        {"ogg", "ogv"},
    };

    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (strcmp(containers[i].demuxer, demuxer) == 0)
            return containers[i].ext;
    return NULL;
}
