/* lavfi.c - libavfilter loaded on first use (see lavfi.h). */
#include "media/lavfi.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/log.h"

#define LAVFI_STR2(x) #x
#define LAVFI_STR(x) LAVFI_STR2(x)
#define LAVFI_SONAME "libavfilter.so." LAVFI_STR(LIBAVFILTER_VERSION_MAJOR)

static struct lavfi fns;
static const struct lavfi *loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* *SLOT = the function NAME of H; false when it is missing. */
static bool resolve(void *h, const char *name, void *slot)
{
    void *f = dlsym(h, name);

    if (!f) {
        log_warn("%s has no %s", LAVFI_SONAME, name);
        return false;
    }
    *(void **)slot = f;
    return true;
}

static void load(void)
{
    void *h = dlopen(LAVFI_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        log_warn("cannot load %s (%s): interlaced videos play with their fields woven and "
                 "colours SDL cannot show as they are read",
                 LAVFI_SONAME, dlerror());
        return;
    }
    if (resolve(h, "avfilter_graph_alloc", &fns.graph_alloc) &&
        resolve(h, "avfilter_graph_free", &fns.graph_free) &&
        resolve(h, "avfilter_get_by_name", &fns.get_by_name) &&
        resolve(h, "avfilter_graph_create_filter", &fns.graph_create_filter) &&
        resolve(h, "avfilter_inout_alloc", &fns.inout_alloc) &&
        resolve(h, "avfilter_inout_free", &fns.inout_free) &&
        resolve(h, "avfilter_graph_parse_ptr", &fns.graph_parse_ptr) &&
        resolve(h, "avfilter_graph_config", &fns.graph_config) &&
        resolve(h, "av_buffersrc_add_frame", &fns.buffersrc_add_frame) &&
        resolve(h, "av_buffersink_get_frame", &fns.buffersink_get_frame))
        loaded = &fns;
    /* never dlclose()d: the functions stay in use until the process ends */
}

const struct lavfi *media_lavfi(void)
{
    pthread_once(&once, load);
    return loaded;
}
