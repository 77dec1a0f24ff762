/* store.h - the content-addressed media store, STATE/media (SPEC §2).
 *
 * A medium is stored as media/<sha256>.<ext>, named by the SHA-256 of its
 * bytes.  A store file is never modified once written: the copy goes to a
 * temporary file, is synced, and is then linked into place only when no
 * file of that name exists yet.
 */
#ifndef SIGNAGE_SCHED_STORE_H
#define SIGNAGE_SCHED_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "playlists/model.h"

/* Room for "media/" + 64 hex + "." + ext + NUL. */
#define SCHED_MEDIA_PATH_MAX 96

/* Copies the file RELPATH beneath the directory DIRFD (opened with
 * safeopen_read(), at most MAX_BYTES) into MEDIA_DIR as <sha256>.<EXT>,
 * hashing while copying.  EXT is a lowercase extension ("jpg"); NULL takes
 * it from RELPATH (or "bin").  EXPECT_SHA, when not NULL or "", is the hash
 * the probe saw: if the store already holds that file nothing is read, and
 * a copy whose hash differs (the file changed underneath) is refused with
 * -ESTALE.  On success SHA_OUT gets the hex hash and MEDIA_OUT the path
 * relative to STATE ("media/<sha>.<ext>").  Returns 0 or -errno with ERR
 * filled (naming RELPATH); nothing is left behind on failure. */
int sched_store_put(const char *media_dir, int dirfd, const char *relpath, const char *ext,
                    const char *expect_sha, uint64_t max_bytes, char sha_out[PL_SHA256_HEX],
                    char media_out[SCHED_MEDIA_PATH_MAX], char *err, size_t errlen);

/* Copies the whole open file FD (a medium made at accept time, e.g. a
 * memfd) into MEDIA_DIR as <sha256>.<EXT>, like sched_store_put; NAME
 * names it in messages.  Returns 0 or -errno with ERR filled. */
int sched_store_put_fd(const char *media_dir, int fd, const char *name, const char *ext,
                       char sha_out[PL_SHA256_HEX], char media_out[SCHED_MEDIA_PATH_MAX], char *err,
                       size_t errlen);

/* The largest medium of type T the store takes. */
uint64_t sched_store_max_bytes(enum pl_item_type t);

/* Copies the medium of every image and video item of C (probed by
 * sched_probe_campaign(), files beneath DIRFD) into MEDIA_DIR and sets each
 * item's media to its store path.  Returns 0, -ESTALE when a medium changed
 * since the probe, or another -errno with ERR filled. */
int sched_store_campaign(const char *media_dir, int dirfd, struct pl_campaign *c, char *err,
                         size_t errlen);

/* Hashes the rest of the open file FD with SHA-256 into HEX.  Returns 0 or
 * -errno. */
int sched_store_hash_fd(int fd, char hex[PL_SHA256_HEX]);

/* The store extension for a file name: its extension lowercased when it is
 * 1..5 letters or digits ("JPG" -> "jpg", "jpeg" -> "jpg"), else "bin".
 * Returns a pointer into BUF (8 bytes). */
const char *sched_store_ext(const char *name, char buf[8]);

#endif
