#include "scheduler/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/safeopen.h"
#include "media/contract.h"
#include "playlists/model.h"

static void to_hex(const uint8_t *d, char hex[PL_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";

    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

/* Reads FD to its end, hashing, and writes a copy to OUT when OUT >= 0. */
static void sha_update(void *ctx, const void *buf, size_t n)
{
    av_sha_update(ctx, buf, n);
}

static int hash_copy(int fd, int out, char hex[PL_SHA256_HEX])
{
    struct AVSHA *sha = av_sha_alloc();
    uint8_t digest[32];
    int r;

    if (!sha)
        return -ENOMEM;
    av_sha_init(sha, 256);
    r = atomic_copy_fd(fd, out, sha_update, sha);
    if (r == 0) {
        av_sha_final(sha, digest);
        to_hex(digest, hex);
    }
    av_free(sha);
    return r;
}

/* atomic_fill_temp()'s FILL: the file IN copied, its SHA-256 into HEX. */
struct hashing {
    int in;
    char *hex;
};

static int hash_into(int fd, void *ctx)
{
    struct hashing *h = ctx;
    return hash_copy(h->in, fd, h->hex);
}

int sched_store_hash_fd(int fd, char hex[PL_SHA256_HEX])
{
    return hash_copy(fd, -1, hex);
}

const char *sched_store_ext(const char *name, char buf[8])
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    size_t n;

    strcpy(buf, "bin");
    if (!dot || strchr(dot, '/'))
        return buf;
    n = strlen(dot + 1);
    if (n < 1 || n > 5)
        return buf;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)dot[1 + i];
        if (ch > 127 || !isalnum(ch))
            return buf;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)dot[1 + i]);
    buf[n] = '\0';
    if (strcmp(buf, "jpeg") == 0)
        strcpy(buf, "jpg");
    return buf;
}

static bool ext_ok(const char *ext)
{
    size_t n = strlen(ext);

    if (n < 1 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((ext[i] >= 'a' && ext[i] <= 'z') || (ext[i] >= '0' && ext[i] <= '9')))
            return false;
    return true;
}

/* Copies the open file IN (from where it stands) into MEDIA_DIR as
 * <sha256>.<EXT>, hashing while copying; NAME says what it is in messages.
 * EXPECT_SHA, when not NULL or "", must be the hash of what was copied. */
static int store_copy(const char *media_dir, int in, const char *name, const char *ext,
                      const char *expect_sha, char sha_out[PL_SHA256_HEX],
                      char media_out[SCHED_MEDIA_PATH_MAX], char *err, size_t errlen)
{
    char hex[PL_SHA256_HEX];
    char *tmp = NULL, *final = NULL;
    int r;

    if (asprintf(&tmp, "%s/.incoming.XXXXXX", media_dir) < 0) {
        snprintf(err, errlen, "'%s': out of memory", name);
        return -ENOMEM;
    }
    struct hashing h = {in, hex};
    const char *what;
    r = atomic_fill_temp(tmp, 0444, hash_into, &h, &what);
    if (r < 0) {
        snprintf(err, errlen, "'%s': cannot copy into %s: %s: %s", name, media_dir, what,
                 strerror(-r));
        free(tmp);
        return r;
    }
    if (expect_sha && expect_sha[0] && strcmp(hex, expect_sha) != 0) {
        snprintf(err, errlen,
                 "'%s' changed while it was being accepted; drop the campaign "
                 "again once the file is complete",
                 name);
        r = -ESTALE;
        goto out_unlink;
    }
    if (asprintf(&final, "%s/%s.%s", media_dir, hex, ext) < 0) {
        final = NULL;
        snprintf(err, errlen, "'%s': out of memory", name);
        r = -ENOMEM;
        goto out_unlink;
    }
    /* link() never replaces: an existing store file stays as it is. */
    if (link(tmp, final) < 0 && errno != EEXIST) {
        r = -errno;
        snprintf(err, errlen, "%s: cannot add to the store: %s", final, strerror(-r));
        goto out_unlink;
    }
    atomic_sync_dir(media_dir);
    memcpy(sha_out, hex, PL_SHA256_HEX);
    snprintf(media_out, SCHED_MEDIA_PATH_MAX, "media/%s.%s", hex, ext);
out_unlink:
    unlink(tmp);
    free(tmp);
    free(final);
    return r;
}

int sched_store_put(const char *media_dir, int dirfd, const char *relpath, const char *ext,
                    const char *expect_sha, uint64_t max_bytes, char sha_out[PL_SHA256_HEX],
                    char media_out[SCHED_MEDIA_PATH_MAX], char *err, size_t errlen)
{
    char extbuf[8], why[256];
    char *final = NULL;
    struct stat sb;
    int in, r;

    if (!ext)
        ext = sched_store_ext(relpath, extbuf);
    if (!ext_ok(ext)) {
        snprintf(err, errlen, "'%s': bad store extension \"%s\"", relpath, ext);
        return -EINVAL;
    }
    if (expect_sha && expect_sha[0]) {
        if (strlen(expect_sha) != 64) {
            snprintf(err, errlen, "'%s': bad expected hash", relpath);
            return -EINVAL;
        }
        if (asprintf(&final, "%s/%s.%s", media_dir, expect_sha, ext) < 0) {
            snprintf(err, errlen, "'%s': out of memory", relpath);
            return -ENOMEM;
        }
        if (lstat(final, &sb) == 0 && S_ISREG(sb.st_mode)) {
            memcpy(sha_out, expect_sha, PL_SHA256_HEX);
            snprintf(media_out, SCHED_MEDIA_PATH_MAX, "media/%s.%s", expect_sha, ext);
            free(final);
            return 0;
        }
        free(final);
    }
    in = safeopen_read(dirfd, relpath, max_bytes, NULL, why, sizeof why);
    if (in < 0) {
        snprintf(err, errlen, "%s", why);
        return in;
    }
    r = store_copy(media_dir, in, relpath, ext, expect_sha, sha_out, media_out, err, errlen);
    close(in);
    return r;
}

int sched_store_put_fd(const char *media_dir, int fd, const char *name, const char *ext,
                       char sha_out[PL_SHA256_HEX], char media_out[SCHED_MEDIA_PATH_MAX], char *err,
                       size_t errlen)
{
    if (!ext_ok(ext)) {
        snprintf(err, errlen, "'%s': bad store extension \"%s\"", name, ext);
        return -EINVAL;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        snprintf(err, errlen, "'%s': %s", name, strerror(errno));
        return -errno;
    }
    return store_copy(media_dir, fd, name, ext, NULL, sha_out, media_out, err, errlen);
}

uint64_t sched_store_max_bytes(enum pl_item_type t)
{
    return t == PL_ITEM_VIDEO ? MEDIA_VIDEO_MAX_BYTES : MEDIA_IMAGE_MAX_BYTES;
}

int sched_store_campaign(const char *media_dir, int dirfd, struct pl_campaign *c, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < c->nitems; i++) {
        struct pl_item *it = &c->items[i];
        char sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX];
        const char *ext;
        int r;

        if (it->type == PL_ITEM_TEXT || !it->file)
            continue;
        ext = it->media ? strrchr(it->media, '.') : NULL;
        r = sched_store_put(media_dir, dirfd, it->file, ext ? ext + 1 : NULL, it->sha256,
                            sched_store_max_bytes(it->type), sha, media, err, errlen);
        if (r < 0)
            return r;
        free(it->media);
        it->media = strdup(media);
        if (!it->media) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    return 0;
}
