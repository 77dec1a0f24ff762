/* imghdr.h - what an image is, from its first bytes, without decoding it.
 *
 * Pure parsing of a memory buffer: the format (by content, never by file
 * name), the stored width and height, and the EXIF orientation.  Used to
 * refuse decompression bombs before any decoder runs, and by the player to
 * know dimensions and orientation up front.  Never reads past LEN.
 */
#ifndef SIGNAGE_IMGHDR_H
#define SIGNAGE_IMGHDR_H

#include <stddef.h>

enum imghdr_format {
    IMGHDR_UNKNOWN, /* not an image format we know */
    IMGHDR_PNG,
    IMGHDR_JPEG,
    IMGHDR_WEBP,
    IMGHDR_GIF, /* recognised only to say it is not supported */
    IMGHDR_BMP, /* likewise */
};

struct imghdr {
    enum imghdr_format format;
    int width, height;   /* as stored, before EXIF orientation is applied */
    int orientation;     /* EXIF 1..8; 1 (upright) when absent */
    int animated;        /* 1 for APNG (acTL) and animated WebP */
    size_t header_bytes; /* JPEG: offset of the first scan's data (anything
                          * before it, like an EXIF thumbnail, is header) */
    int components;      /* JPEG: colour components, 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK */
    int adobe;           /* JPEG: an Adobe (APP14) marker, whose CMYK is stored inverted */
};

/* "PNG", "JPEG", "WebP", "GIF", "BMP", "unknown". */
const char *imghdr_format_name(enum imghdr_format f);

/* The file extension media of format F are stored under: "png", "jpg",
 * "webp"; NULL for formats that are not supported. */
const char *imghdr_format_ext(enum imghdr_format f);

/* Recognises the format from the magic bytes alone (no validation beyond
 * them).  Returns IMGHDR_UNKNOWN when nothing matches. */
enum imghdr_format imghdr_sniff(const void *buf, size_t len);

/* Parses the header of the image in the LEN bytes at BUF into OUT.
 * Returns 0 for a supported image (PNG, JPEG, WebP) with a plausible header;
 * -ENOTSUP for GIF and BMP (OUT->format says which); -EILSEQ when the bytes
 * are no image format we know; -EINVAL when the header is truncated or
 * corrupt.  ERR gets a message on failure (no file name: the caller adds
 * it).  OUT is filled as far as known even on failure. */
int imghdr_parse(const void *buf, size_t len, struct imghdr *out, char *err, size_t errlen);

/* Reads the orientation tag (0x0112) from a TIFF structure as found in an
 * EXIF block (after its "Exif\0\0" prefix).  Returns 1..8, or 0 when the
 * block is malformed or has no valid orientation. */
int imghdr_tiff_orientation(const unsigned char *p, size_t len);

#endif
