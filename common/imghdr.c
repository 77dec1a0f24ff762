#include "common/imghdr.h"

#include "common/errbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

const char *imghdr_format_name(enum imghdr_format f)
{
    switch (f) {
    case IMGHDR_PNG:
        return "PNG";
    case IMGHDR_JPEG:
        return "JPEG";
    case IMGHDR_WEBP:
        return "WebP";
    case IMGHDR_GIF:
        return "GIF";
    case IMGHDR_BMP:
        return "BMP";
    case IMGHDR_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *imghdr_format_ext(enum imghdr_format f)
{
    switch (f) {
    case IMGHDR_PNG:
        return "png";
    case IMGHDR_JPEG:
        return "jpg";
    case IMGHDR_WEBP:
        return "webp";
    default:
        return NULL;
    }
}

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
    return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

enum imghdr_format imghdr_sniff(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    if (len >= 8 && memcmp(p, png_sig, 8) == 0)
        return IMGHDR_PNG;
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return IMGHDR_JPEG;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return IMGHDR_WEBP;
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return IMGHDR_GIF;
    if (len >= 18 && p[0] == 'B' && p[1] == 'M') {
        uint32_t hs = le32(p + 14);
        if (hs == 12 || hs == 40 || hs == 52 || hs == 56 || hs == 108 || hs == 124)
            return IMGHDR_BMP;
    }
    return IMGHDR_UNKNOWN;
}

int imghdr_tiff_orientation(const unsigned char *p, size_t len)
{
    uint32_t (*rd16)(const unsigned char *);
    uint32_t (*rd32)(const unsigned char *);
    uint32_t ifd, n;

    if (len < 8)
        return 0;
    if (p[0] == 'I' && p[1] == 'I') {
        rd16 = le16;
        rd32 = le32;
    } else if (p[0] == 'M' && p[1] == 'M') {
        rd16 = be16;
        rd32 = be32;
    } else {
        return 0;
    }
    if (rd16(p + 2) != 42)
        return 0;
    ifd = rd32(p + 4);
    if (ifd < 8 || ifd > len || len - ifd < 2)
        return 0;
    n = rd16(p + ifd);
    if (n > (len - ifd - 2) / 12)
        n = (uint32_t)((len - ifd - 2) / 12);
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = p + ifd + 2 + (size_t)i * 12;
        uint32_t v;
        if (rd16(e) != 0x0112)
            continue;
        /* SHORT, count 1: the value sits in the first two bytes of the field. */
        if (rd16(e + 2) != 3 || rd32(e + 4) < 1)
            return 0;
        v = rd16(e + 8);
        return v >= 1 && v <= 8 ? (int)v : 0;
    }
    return 0;
}

static int png_parse(const unsigned char *p, size_t len, struct imghdr *out, char *err,
                     size_t errlen)
{
    uint32_t w, h, depth, ct;
    size_t pos;

    if (len < 33)
        return err_fail(err, errlen, -EINVAL, "truncated PNG: %zu bytes, too short for its header",
                        len);
    if (be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
        return err_fail(err, errlen, -EINVAL, "corrupt PNG: the first chunk is not a valid IHDR");
    w = be32(p + 16);
    h = be32(p + 20);
    depth = p[24];
    ct = p[25];
    if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX)
        return err_fail(err, errlen, -EINVAL, "corrupt PNG: impossible size %ux%u", (unsigned)w,
                        (unsigned)h);
    out->width = (int)w;
    out->height = (int)h;
    switch (ct) {
    case 0:
        if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)
            goto bad_depth;
        break;
    case 3:
        if (depth != 1 && depth != 2 && depth != 4 && depth != 8)
            goto bad_depth;
        break;
    case 2:
    case 4:
    case 6:
        if (depth != 8 && depth != 16)
            goto bad_depth;
        break;
    default:
        return err_fail(err, errlen, -EINVAL, "corrupt PNG: unknown colour type %u", (unsigned)ct);
    }
    /* Walk the chunks before the image data for eXIf and acTL. */
    pos = 33;
    while (len - pos >= 12) {
        uint32_t clen = be32(p + pos);
        const unsigned char *type = p + pos + 4;
        if (clen > len - pos - 12)
            break;
        if (memcmp(type, "IDAT", 4) == 0)
            break;
        if (memcmp(type, "acTL", 4) == 0)
            out->animated = 1;
        if (memcmp(type, "eXIf", 4) == 0) {
            int o = imghdr_tiff_orientation(p + pos + 8, clen);
            if (o)
                out->orientation = o;
        }
        pos += 12 + (size_t)clen;
    }
    return 0;

bad_depth:
    return err_fail(err, errlen, -EINVAL, "corrupt PNG: bit depth %u is invalid for colour type %u",
                    (unsigned)depth, (unsigned)ct);
}

static int is_sof(unsigned m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static int jpeg_parse(const unsigned char *p, size_t len, struct imghdr *out, char *err,
                      size_t errlen)
{
    size_t pos = 2;
    int got_sof = 0, got_exif = 0;

    for (;;) {
        unsigned m;
        size_t seglen;

        if (pos >= len)
            break;
        if (p[pos] != 0xff)
            return err_fail(err, errlen, -EINVAL, "corrupt JPEG: no marker at byte %zu", pos);
        while (pos < len && p[pos] == 0xff)
            pos++;
        if (pos >= len)
            break;
        m = p[pos++];
        if (m == 0x00 || m == 0xd8)
            return err_fail(err, errlen, -EINVAL, "corrupt JPEG: unexpected marker 0x%02x", m);
        if ((m >= 0xd0 && m <= 0xd7) || m == 0x01)
            continue;
        if (m == 0xd9)
            return err_fail(err, errlen, -EINVAL, "corrupt JPEG: the image ends before its data");
        if (len - pos < 2)
            break;
        seglen = be16(p + pos);
        if (seglen < 2)
            return err_fail(err, errlen, -EINVAL, "corrupt JPEG: segment length %zu at byte %zu",
                            seglen, pos);
        if (seglen > len - pos)
            break;
        if (is_sof(m)) {
            uint32_t h, w;
            if (seglen < 8)
                return err_fail(err, errlen, -EINVAL, "corrupt JPEG: frame header too short");
            h = be16(p + pos + 3);
            w = be16(p + pos + 5);
            if (h == 0 || w == 0)
                return err_fail(err, errlen, -EINVAL,
                                "unsupported JPEG: size %ux%u (height given later by DNL)",
                                (unsigned)w, (unsigned)h);
            if (got_sof)
                return err_fail(err, errlen, -EINVAL, "corrupt JPEG: two frame headers");
            out->width = (int)w;
            out->height = (int)h;
            out->components = p[pos + 7];
            got_sof = 1;
        } else if (m == 0xee && seglen >= 14 && memcmp(p + pos + 2, "Adobe", 5) == 0) {
            out->adobe = 1;
        } else if (m == 0xe1 && !got_exif && seglen >= 8 &&
                   memcmp(p + pos + 2, "Exif\0\0", 6) == 0) {
            int o = imghdr_tiff_orientation(p + pos + 8, seglen - 8);
            got_exif = 1;
            if (o)
                out->orientation = o;
        } else if (m == 0xda) {
            if (!got_sof)
                return err_fail(err, errlen, -EINVAL,
                                "corrupt JPEG: image data before any frame header");
            out->header_bytes = pos + seglen;
            return 0;
        }
        pos += seglen;
    }
    return err_fail(err, errlen, -EINVAL,
                    "truncated JPEG: the file ends inside its header (%zu bytes)", len);
}

static int webp_parse(const unsigned char *p, size_t len, struct imghdr *out, char *err,
                      size_t errlen)
{
    const unsigned char *d = p + 20;
    uint32_t csize;
    size_t pos;

    if (len < 20)
        return err_fail(err, errlen, -EINVAL, "truncated WebP: %zu bytes, too short for its header",
                        len);
    csize = le32(p + 16);
    if (memcmp(p + 12, "VP8 ", 4) == 0) {
        if (len < 30 || csize < 10)
            return err_fail(err, errlen, -EINVAL, "truncated WebP: the VP8 header is cut short");
        if (d[0] & 1)
            return err_fail(err, errlen, -EINVAL, "corrupt WebP: the VP8 frame is not a key frame");
        if (d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a)
            return err_fail(err, errlen, -EINVAL, "corrupt WebP: bad VP8 start code");
        out->width = (int)(le16(d + 6) & 0x3fff);
        out->height = (int)(le16(d + 8) & 0x3fff);
    } else if (memcmp(p + 12, "VP8L", 4) == 0) {
        uint32_t bits;
        if (len < 25 || csize < 5)
            return err_fail(err, errlen, -EINVAL, "truncated WebP: the VP8L header is cut short");
        if (d[0] != 0x2f)
            return err_fail(err, errlen, -EINVAL, "corrupt WebP: bad VP8L signature");
        bits = le32(d + 1);
        if (bits >> 29)
            return err_fail(err, errlen, -EINVAL, "corrupt WebP: unknown VP8L version %u",
                            (unsigned)(bits >> 29));
        out->width = (int)(bits & 0x3fff) + 1;
        out->height = (int)((bits >> 14) & 0x3fff) + 1;
    } else if (memcmp(p + 12, "VP8X", 4) == 0) {
        unsigned flags;
        if (len < 30 || csize < 10)
            return err_fail(err, errlen, -EINVAL, "truncated WebP: the VP8X header is cut short");
        flags = d[0];
        out->width = (int)le24(d + 4) + 1;
        out->height = (int)le24(d + 7) + 1;
        out->animated = (flags & 0x02) != 0;
        pos = 20 + (size_t)csize + (csize & 1);
        while ((flags & 0x08) && pos <= len && len - pos >= 8) {
            uint32_t n = le32(p + pos + 4);
            if (n > len - pos - 8)
                break;
            if (memcmp(p + pos, "EXIF", 4) == 0) {
                const unsigned char *e = p + pos + 8;
                int o;
                /* Some writers keep JPEG's "Exif\0\0" prefix. */
                if (n >= 6 && memcmp(e, "Exif\0\0", 6) == 0)
                    o = imghdr_tiff_orientation(e + 6, n - 6);
                else
                    o = imghdr_tiff_orientation(e, n);
                if (o)
                    out->orientation = o;
                break;
            }
            pos += 8 + (size_t)n + (n & 1);
        }
    } else {
        return err_fail(err, errlen, -EINVAL, "corrupt WebP: unknown first chunk '%.4s'",
                        (const char *)(p + 12));
    }
    if (out->width <= 0 || out->height <= 0)
        return err_fail(err, errlen, -EINVAL, "corrupt WebP: impossible size %dx%d", out->width,
                        out->height);
    return 0;
}

int imghdr_parse(const void *buf, size_t len, struct imghdr *out, char *err, size_t errlen)
{
    const unsigned char *p = buf;

    memset(out, 0, sizeof *out);
    out->orientation = 1;
    if (err && errlen)
        err[0] = '\0';
    if (!buf)
        len = 0;
    out->format = imghdr_sniff(buf, len);
    switch (out->format) {
    case IMGHDR_PNG:
        return png_parse(p, len, out, err, errlen);
    case IMGHDR_JPEG:
        return jpeg_parse(p, len, out, err, errlen);
    case IMGHDR_WEBP:
        return webp_parse(p, len, out, err, errlen);
    case IMGHDR_GIF:
        if (len >= 10) {
            out->width = (int)le16(p + 6);
            out->height = (int)le16(p + 8);
        }
        return err_fail(err, errlen, -ENOTSUP,
                        "GIF images are not supported; convert it to PNG (or to a video if it is "
                        "animated)");
    case IMGHDR_BMP:
        if (len >= 26 && le32(p + 14) == 12) {
            out->width = (int)le16(p + 18);
            out->height = (int)le16(p + 20);
        } else if (len >= 26) {
            int32_t h = (int32_t)le32(p + 22);
            out->width = (int)(int32_t)le32(p + 18);
            out->height = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
        }
        return err_fail(err, errlen, -ENOTSUP, "BMP images are not supported; convert it to PNG");
    case IMGHDR_UNKNOWN:
        break;
    }
    return err_fail(err, errlen, -EILSEQ, "not a PNG, JPEG or WebP image");
}
