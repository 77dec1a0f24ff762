/* sha256.h - SHA-256 (FIPS 180-4) in plain C, for programs that must not
 * link FFmpeg to check a medium's name (signage-sync; the scheduler hashes
 * with libavutil's av_sha, scheduler/store.c).  Both give the same digest.
 */
#ifndef SIGNAGE_SHA256_H
#define SIGNAGE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    uint8_t buf[64];
    size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* The digest of everything given, as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/* The SHA-256 of the open file FD from where it stands to its end, as hex.
 * Returns 0 or -errno. */
int sha256_fd_hex(int fd, char hex[65]);

#endif
