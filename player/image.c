/* image.c - still pictures: checked header, SDL_image decode, EXIF
 * orientation, good-quality fit. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL_image.h>

#include "common/imghdr.h"
#include "common/slurp.h"
#include "media/contract.h"
#include "player/image.h"

/* Reads the regular file PATH whole.  Returns 0 with *BUF (caller frees)
 * and *LEN, or -1 with ERR filled. */
static int image_read(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    char *data = NULL;
    size_t got = 0;
    int fd;

    /* O_NONBLOCK: a FIFO put in place of a picture must not hang us. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file; an image file is expected", path);
        goto out_close;
    }
    if (st.st_size == 0) {
        snprintf(err, errlen, "%s: empty file; a PNG, JPEG or WebP image is expected", path);
        goto out_close;
    }
    if ((uint64_t)st.st_size > MEDIA_IMAGE_MAX_BYTES) {
        snprintf(err, errlen, "%s: %lld bytes; images may be at most %llu bytes", path,
                 (long long)st.st_size, (unsigned long long)MEDIA_IMAGE_MAX_BYTES);
        goto out_close;
    }
    /* the fstat above gave the messages; the read is the common one (a
     * file that grew past the limit meanwhile is refused) */
    if (slurp_fd(fd, path, MEDIA_IMAGE_MAX_BYTES, &data, &got, err, errlen) < 0)
        goto out_close;
    close(fd);
    *buf = (unsigned char *)data;
    *len = got;
    return 0;
out_close:
    close(fd);
    return -1;
}

/* A JPEG cut short decodes to a grey lower part with only a libjpeg warning:
 * require an EOI marker after the last start-of-scan (markers cannot occur
 * inside entropy-coded data, where 0xFF is always stuffed). */
static bool image_jpeg_complete(const unsigned char *p, size_t len)
{
    size_t sos = 0;
    bool eoi = false;

    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] != 0xff)
            continue;
        if (p[i + 1] == 0xda) {
            sos = i;
            eoi = false;
        } else if (p[i + 1] == 0xd9 && sos) {
            eoi = true;
        }
    }
    return sos && eoi;
}

/* Halves S in both directions, averaging 2x2 blocks (an odd last row or
 * column is folded into its neighbour).  Returns the new surface or NULL. */
static SDL_Surface *image_halve(SDL_Surface *s)
{
    int w = s->w / 2, h = s->h / 2;
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);

    if (!d)
        return NULL;
    for (int y = 0; y < h; y++) {
        const Uint8 *r0 = (const Uint8 *)s->pixels + (size_t)(2 * y) * (size_t)s->pitch;
        const Uint8 *r1 = r0 + s->pitch;
        Uint32 *out = (Uint32 *)((Uint8 *)d->pixels + (size_t)y * (size_t)d->pitch);

        for (int x = 0; x < w; x++) {
            Uint32 a = ((const Uint32 *)r0)[2 * x], b = ((const Uint32 *)r0)[2 * x + 1];
            Uint32 c = ((const Uint32 *)r1)[2 * x], e = ((const Uint32 *)r1)[2 * x + 1];
            Uint32 v = 0;

            for (int sh = 0; sh < 32; sh += 8) {
                Uint32 sum = ((a >> sh) & 0xff) + ((b >> sh) & 0xff) + ((c >> sh) & 0xff) +
                             ((e >> sh) & 0xff);

                v |= ((sum + 2) / 4) << sh;
            }
            out[x] = v;
        }
    }
    return d;
}

/* Returns S turned upright for EXIF orientation O (2..8), or NULL. */
static SDL_Surface *image_orient(SDL_Surface *s, int o)
{
    bool swap = o >= 5;
    int sw = s->w, sh = s->h;
    int w = swap ? sh : sw, h = swap ? sw : sh;
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);

    if (!d)
        return NULL;
    for (int y = 0; y < h; y++) {
        Uint32 *out = (Uint32 *)((Uint8 *)d->pixels + (size_t)y * (size_t)d->pitch);

        for (int x = 0; x < w; x++) {
            int sx, sy;

            switch (o) {
            case 2:
                sx = sw - 1 - x;
                sy = y;
                break;
            case 3:
                sx = sw - 1 - x;
                sy = sh - 1 - y;
                break;
            case 4:
                sx = x;
                sy = sh - 1 - y;
                break;
            case 5: /* transpose */
                sx = y;
                sy = x;
                break;
            case 6: /* 90 clockwise */
                sx = y;
                sy = sh - 1 - x;
                break;
            case 7: /* transverse */
                sx = sw - 1 - y;
                sy = sh - 1 - x;
                break;
            case 8: /* 90 anticlockwise */
                sx = sw - 1 - y;
                sy = x;
                break;
            default:
                sx = x;
                sy = y;
                break;
            }
            out[x] = *(const Uint32 *)((const Uint8 *)s->pixels + (size_t)sy * (size_t)s->pitch +
                                       (size_t)sx * 4);
        }
    }
    return d;
}

/* Replaces *S by NEXT (freeing the old one); false when NEXT is NULL. */
static bool image_replace(SDL_Surface **s, SDL_Surface *next)
{
    if (!next)
        return false;
    SDL_FreeSurface(*s);
    *s = next;
    return true;
}

/* Decodes the LEN bytes at P in format F with SDL_image. */
static SDL_Surface *image_decode(const unsigned char *p, size_t len, enum imghdr_format f)
{
    SDL_RWops *rw = SDL_RWFromConstMem(p, (int)len);
    SDL_Surface *s = NULL;

    if (!rw)
        return NULL;
    switch (f) {
    case IMGHDR_PNG:
        s = IMG_LoadPNG_RW(rw);
        break;
    case IMGHDR_JPEG:
        s = IMG_LoadJPG_RW(rw);
        break;
    case IMGHDR_WEBP:
        s = IMG_LoadWEBP_RW(rw);
        break;
    default:
        SDL_SetError("unsupported format");
        break;
    }
    SDL_RWclose(rw);
    return s;
}

/* SDL_image hands a CMYK JPEG over as its four inks in the bytes of an
 * ARGB8888 surface (C, M, Y, K in memory order), which would show red as
 * blue and black as transparent.  Turns them into RGB in place: Adobe's
 * files (an APP14 marker, as Photoshop and ImageMagick write) store the inks
 * inverted, others plainly. */
static void image_cmyk_to_rgb(SDL_Surface *s, bool inverted)
{
    for (int y = 0; y < s->h; y++) {
        unsigned char *row = (unsigned char *)s->pixels + (size_t)y * (size_t)s->pitch;
        for (int x = 0; x < s->w; x++) {
            unsigned char *q = row + 4 * (size_t)x;
            unsigned c = q[0], m = q[1], ye = q[2], k = q[3];
            if (!inverted) {
                c = 255 - c;
                m = 255 - m;
                ye = 255 - ye;
                k = 255 - k;
            }
            ((uint32_t *)row)[x] = 0xff000000u | ((c * k + 127) / 255) << 16 |
                                   ((m * k + 127) / 255) << 8 | ((ye * k + 127) / 255);
        }
    }
}

SDL_Surface *image_fit_mem(const void *buf, size_t len, const char *name, int w, int h,
                           uint32_t bar_rgb, char *err, size_t errlen)
{
    struct imghdr hdr;
    char herr[256] = "";
    SDL_Surface *img, *canvas = NULL, *scaled;
    int rc, ow, oh, dw, dh, tw, th;
    SDL_Rect at;

    if (!name)
        name = "image";
    if (!buf || w < 1 || h < 1 || w > MEDIA_IMAGE_MAX_SIDE || h > MEDIA_IMAGE_MAX_SIDE) {
        snprintf(err, errlen, "%s: cannot fit into %dx%d; each side must be 1..%d", name, w, h,
                 MEDIA_IMAGE_MAX_SIDE);
        return NULL;
    }
    if (len > (size_t)MEDIA_IMAGE_MAX_BYTES) {
        snprintf(err, errlen, "%s: %zu bytes; images may be at most %llu bytes", name, len,
                 (unsigned long long)MEDIA_IMAGE_MAX_BYTES);
        return NULL;
    }
    rc = imghdr_parse(buf, len, &hdr, herr, sizeof herr);
    if (rc == -ENOTSUP) {
        snprintf(err, errlen, "%s: %s images are not supported; convert it to PNG, JPEG or WebP",
                 name, imghdr_format_name(hdr.format));
        return NULL;
    } else if (rc == -EILSEQ) {
        snprintf(err, errlen, "%s: not an image; a PNG, JPEG or WebP file is expected", name);
        return NULL;
    } else if (rc < 0) {
        snprintf(err, errlen, "%s: corrupt or truncated %s header: %s", name,
                 imghdr_format_name(hdr.format), herr);
        return NULL;
    }
    if (hdr.width < 1 || hdr.height < 1 || hdr.width > MEDIA_IMAGE_MAX_SIDE ||
        hdr.height > MEDIA_IMAGE_MAX_SIDE ||
        (long long)hdr.width * hdr.height > (long long)MEDIA_IMAGE_MAX_PIXELS) {
        snprintf(err, errlen,
                 "%s: %s of %dx%d pixels; at most %d a side and %lld pixels in "
                 "all, scale it down",
                 name, imghdr_format_name(hdr.format), hdr.width, hdr.height, MEDIA_IMAGE_MAX_SIDE,
                 (long long)MEDIA_IMAGE_MAX_PIXELS);
        return NULL;
    }
    if (hdr.format == IMGHDR_JPEG && !image_jpeg_complete(buf, len)) {
        snprintf(err, errlen, "%s: truncated JPEG (no end of image after the last scan)", name);
        return NULL;
    }

    img = image_decode(buf, len, hdr.format);
    if (!img) {
        snprintf(err, errlen, "%s: cannot decode the %s image: %s", name,
                 imghdr_format_name(hdr.format), IMG_GetError());
        return NULL;
    }
    if (img->w != hdr.width || img->h != hdr.height) {
        snprintf(err, errlen, "%s: header says %dx%d but the image decodes to %dx%d", name,
                 hdr.width, hdr.height, img->w, img->h);
        goto out_free_img;
    }
    if (hdr.format == IMGHDR_JPEG && hdr.components == 4 &&
        img->format->format == SDL_PIXELFORMAT_ARGB8888)
        image_cmyk_to_rgb(img, hdr.adobe);
    if (img->format->format != SDL_PIXELFORMAT_ARGB8888 &&
        !image_replace(&img, SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0)))
        goto out_sdl;

    /* The fitted size, in upright (display) terms. */
    ow = hdr.orientation >= 5 && hdr.orientation <= 8 ? img->h : img->w;
    oh = hdr.orientation >= 5 && hdr.orientation <= 8 ? img->w : img->h;
    if ((long long)ow * h > (long long)w * oh) {
        dw = w;
        dh = (int)(((long long)oh * w + ow / 2) / ow);
    } else {
        dh = h;
        dw = (int)(((long long)ow * h + oh / 2) / oh);
    }
    dw = dw < 1 ? 1 : dw;
    dh = dh < 1 ? 1 : dh;

    /* Box-filter by halves while at least twice too big (cheaper before
     * turning, and it keeps the bilinear step from aliasing). */
    tw = hdr.orientation >= 5 && hdr.orientation <= 8 ? dh : dw;
    th = hdr.orientation >= 5 && hdr.orientation <= 8 ? dw : dh;
    while (img->w >= 2 * tw && img->h >= 2 * th) {
        if (!image_replace(&img, image_halve(img)))
            goto out_sdl;
    }
    if (hdr.orientation >= 2 && hdr.orientation <= 8 &&
        !image_replace(&img, image_orient(img, hdr.orientation)))
        goto out_sdl;

    if (img->w == dw && img->h == dh) {
        scaled = img;
        img = NULL;
    } else {
        scaled = SDL_CreateRGBSurfaceWithFormat(0, dw, dh, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!scaled)
            goto out_sdl;
        if (SDL_SoftStretchLinear(img, NULL, scaled, NULL) < 0) {
            SDL_FreeSurface(scaled);
            goto out_sdl;
        }
    }
    canvas = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!canvas) {
        SDL_FreeSurface(scaled);
        goto out_sdl;
    }
    SDL_FillRect(canvas, NULL,
                 SDL_MapRGBA(canvas->format, (Uint8)(bar_rgb >> 16), (Uint8)(bar_rgb >> 8),
                             (Uint8)bar_rgb, 255));
    at.x = (w - dw) / 2;
    at.y = (h - dh) / 2;
    at.w = dw;
    at.h = dh;
    SDL_SetSurfaceBlendMode(scaled, SDL_BLENDMODE_BLEND);
    rc = SDL_BlitSurface(scaled, NULL, canvas, &at);
    SDL_FreeSurface(scaled);
    if (rc < 0) {
        SDL_FreeSurface(canvas);
        canvas = NULL;
        goto out_sdl;
    }
    /* SDL's blend leaves the alpha of an opaque destination a little under
     * 255: the picture is meant opaque. */
    for (int y = at.y; y < at.y + dh; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)canvas->pixels + (size_t)y * (size_t)canvas->pitch);

        for (int x = at.x; x < at.x + dw; x++)
            row[x] |= 0xff000000u;
    }
    SDL_FreeSurface(img);
    return canvas;
out_sdl:
    snprintf(err, errlen, "%s: processing the image failed: %s", name, SDL_GetError());
out_free_img:
    SDL_FreeSurface(img);
    return NULL;
}

SDL_Surface *image_load_fit(const char *path, int w, int h, uint32_t bar_rgb, char *err,
                            size_t errlen)
{
    unsigned char *buf;
    size_t len;
    SDL_Surface *s;

    if (!path) {
        snprintf(err, errlen, "no image file given");
        return NULL;
    }
    if (image_read(path, &buf, &len, err, errlen) < 0)
        return NULL;
    s = image_fit_mem(buf, len, path, w, h, bar_rgb, err, errlen);
    free(buf);
    return s;
}
