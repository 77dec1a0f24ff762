/* derive.h - media the screens cannot show as sent, made at accept time
 * into media they can.
 *
 * Partners send PDF flyers, iPhone photos (HEIC), AVIF, animated GIF and
 * WebP.  The players show PNG, JPEG, WebP and the videos of media/contract.h
 * and nothing else, so these are converted once, when the campaign is
 * accepted, by well-kept libraries: poppler renders a PDF page (PNG),
 * libheif decodes HEIC and AVIF (JPEG, or PNG when the picture has alpha),
 * libavcodec and libwebpdemux decode the frames of an animation, which is
 * composited over the item's background, repeated to fill the item's time
 * and encoded as H.264 in MP4.  The result is probed like any medium and
 * stored content-addressed; the campaign records the hash of what was sent.
 *
 * Every conversion runs in a child process with CPU, memory and time limits:
 * a file that crashes or hangs a decoder costs a clear error, never the
 * scheduler.
 */
#ifndef SIGNAGE_SCHED_DERIVE_H
#define SIGNAGE_SCHED_DERIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playlists/model.h"

enum sched_derive_kind {
    SCHED_DERIVE_NONE,
    SCHED_DERIVE_PDF,
    SCHED_DERIVE_HEIF, /* HEIC, HEIF, AVIF: an ISO base media "ftyp" with an image brand */
    SCHED_DERIVE_GIF,  /* still or animated */
    SCHED_DERIVE_WEBP_ANIM,
    SCHED_DERIVE_HEIF_SEQUENCE, /* an animated HEIF/AVIF: recognised only to be refused */
};

#define SCHED_DERIVE_MAX_SIDE 3840      /* a PDF page is rendered to fit this square */
#define SCHED_DERIVE_ANIM_MAX_MS 600000 /* an animation fills at most 10 minutes */

/* What the LEN bytes at HEAD are, of the kinds above, by their content
 * alone; SCHED_DERIVE_NONE for anything else (an animated WebP is told by
 * imghdr, not here). */
enum sched_derive_kind sched_derive_sniff(const uint8_t *head, size_t len);

/* "PDF", "HEIF/AVIF", "GIF", "animated WebP". */
const char *sched_derive_kind_name(enum sched_derive_kind k);

struct sched_derive_req {
    enum sched_derive_kind kind;
    const uint8_t *data; /* the whole file as sent */
    size_t len;
    int page;            /* PDF: 1-based page; 0 = the first */
    pl_ms duration_ms;   /* animations: fill at least this long; 0 = one pass, at least 1 s */
    uint32_t background; /* 0xRRGGBB shown through transparent pixels of an animation */
    pl_ms timeout_ms;    /* the child is killed after this long */
};

struct sched_derived {
    int fd;                 /* a memfd holding the result, from offset 0 */
    enum pl_item_type type; /* PL_ITEM_IMAGE or PL_ITEM_VIDEO */
    int pages;              /* PDF: how many pages it has */
};

/* Converts REQ->data in a child process.  Returns 0 with OUT filled (close
 * OUT->fd when done), or a negative errno with ERR saying what is wrong and
 * what to do, without a file name: -EINVAL the file is damaged or not what
 * it looks like, -ERANGE page out of range, -EFBIG too large, -ETIMEDOUT,
 * -ECHILD the converter died on the file; and, when the file is not to
 * blame and it is worth trying again later, -EAGAIN (no process, memory
 * or descriptor to start with, or the child was SIGKILLed, perhaps by the
 * OOM killer) or -EINTR (the waiter gave up). */
int sched_derive(const struct sched_derive_req *req, struct sched_derived *out, char *err,
                 size_t errlen);

/* While a conversion runs, FN(OPAQUE) is called about twice a second (a
 * daemon pings its watchdog there); when it returns true the child is
 * killed and sched_derive() returns -EINTR (a daemon asked to stop).  NULL:
 * wait for the child or the timeout only. */
void sched_derive_set_waiter(bool (*fn)(void *), void *opaque);

#endif
