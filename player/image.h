/* image.h - still pictures (PNG, JPEG, WebP) fitted to the screen.
 *
 * Meant for the player's preparation thread: only surface APIs (SDL_image,
 * SDL_SoftStretchLinear, blits), never a renderer, texture or window.  The
 * file is read whole (at most MEDIA_IMAGE_MAX_BYTES), its format and
 * dimensions are checked from the header (common/imghdr.h) before anything
 * is decoded, the EXIF orientation is applied, and the picture is scaled
 * with its aspect kept (box-filtered halving, then bilinear) and centred on
 * bars of one colour.
 */
#ifndef SIGNAGE_IMAGE_H
#define SIGNAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

/* Loads the image at PATH and returns a W x H SDL_PIXELFORMAT_ARGB8888
 * surface: the picture upright (EXIF orientation 1..8 applied), scaled to
 * fit with its aspect kept, centred, the rest filled with BAR_RGB
 * (0xRRGGBB; transparent parts of the picture show it too).  Returns NULL
 * with ERR filled ("PATH: what is wrong") for a missing, oversized, unknown,
 * mislabelled, corrupt or truncated file or absurd dimensions.  The caller
 * frees the surface with SDL_FreeSurface(). */
SDL_Surface *image_load_fit(const char *path, int w, int h, uint32_t bar_rgb, char *err,
                            size_t errlen);

/* The same for an image already in memory (LEN bytes at BUF); NAME is used
 * in messages only. */
SDL_Surface *image_fit_mem(const void *buf, size_t len, const char *name, int w, int h,
                           uint32_t bar_rgb, char *err, size_t errlen);

#endif
