/* lavfi.h - libavfilter, loaded the first time a video needs it.
 *
 * The player filters only the videos it cannot show as decoded: interlaced
 * ones (bwdif) and colours SDL cannot show (player/video.c).  Linking
 * libavfilter loads 30 more shared libraries (speech synthesis, LAPACK,
 * Vulkan...) at every start, 20-50 ms of the first frame, for what most
 * boxes never play.  So it is opened with dlopen() when a filter is first
 * wanted, by the soname of the headers it was built against.
 */
#ifndef SIGNAGE_MEDIA_LAVFI_H
#define SIGNAGE_MEDIA_LAVFI_H

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

/* The libavfilter functions the player calls, by their FFmpeg names. */
struct lavfi {
    AVFilterGraph *(*graph_alloc)(void);
    void (*graph_free)(AVFilterGraph **graph);
    const AVFilter *(*get_by_name)(const char *name);
    int (*graph_create_filter)(AVFilterContext **filt_ctx, const AVFilter *filt, const char *name,
                               const char *args, void *opaque, AVFilterGraph *graph_ctx);
    AVFilterInOut *(*inout_alloc)(void);
    void (*inout_free)(AVFilterInOut **inout);
    int (*graph_parse_ptr)(AVFilterGraph *graph, const char *filters, AVFilterInOut **inputs,
                           AVFilterInOut **outputs, void *log_ctx);
    int (*graph_config)(AVFilterGraph *graph, void *log_ctx);
    int (*buffersrc_add_frame)(AVFilterContext *ctx, AVFrame *frame);
    int (*buffersink_get_frame)(AVFilterContext *ctx, AVFrame *frame);
};

/* The functions, loaded on the first call (from any thread, once); NULL
 * when libavfilter cannot be loaded, which is logged once: videos then play
 * unfiltered (woven fields, colours as read). */
const struct lavfi *media_lavfi(void);

#endif
