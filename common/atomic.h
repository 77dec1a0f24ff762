/* atomic.h - publishing a file so that no reader ever sees it torn.
 *
 * The data goes to a temporary file beside the target, is fsync'ed, renamed
 * over the target, and the directory is fsync'ed: after a power cut the
 * target is either the old file or the new one, whole.  Temporary files
 * are named "<target>.tmp.XXXXXX"; one left by a crash is garbage that the
 * scheduler removes when it starts (atomic_is_temp_name()).
 */
#ifndef SIGNAGE_ATOMIC_H
#define SIGNAGE_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Replaces PATH with LEN bytes of DATA, mode MODE (exactly; no umask).
 * Returns 0, or -errno with ERR filled ("PATH: what failed: why"); on failure
 * PATH is untouched and no temporary file is left behind. */
int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen);

/* The first half of atomic_write_file(): writes DATA, mode MODE, to a new
 * temporary file beside PATH and fsyncs it, for the caller to link or
 * rename into place.  *TMP_OUT gets its name (free() it; the caller
 * removes or renames the file).  Returns 0, or -errno with ERR filled and
 * nothing left behind. */
int atomic_write_temp(const char *path, const void *data, size_t len, mode_t mode, char **tmp_out,
                      char *err, size_t errlen);

/* The same, except that PATH is never replaced: returns -EEXIST (with ERR
 * filled) when it exists, and the check and the creation are one step. */
int atomic_create_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                       size_t errlen);

/* Replaces PATH with a hard link to the file EXISTING (same file system), in
 * one rename, and syncs PATH's directory: readers see the old file or the
 * new one.  Returns 0, or -errno with ERR filled; PATH is then untouched. */
int atomic_link_file(const char *existing, const char *path, char *err, size_t errlen);

/* Fills a new temporary file made from TMPL (mkostemp's "...XXXXXX",
 * rewritten in place) with MODE by FILL(FD, CTX) (0 or -errno), then
 * flushes it to disk and closes it: the caller renames or links it into
 * place.  Returns 0, or -errno with *WHAT (may be NULL) saying which step
 * failed; the temporary file is then removed. */
int atomic_fill_temp(char *tmpl, mode_t mode, int (*fill)(int fd, void *ctx), void *ctx,
                     const char **what);

/* Many files replaced with one flush of the file system instead of one
 * per file (a publisher writing 100,000 playlists).  Each file is written
 * to a temporary file beside its target, unflushed; the commit flushes the
 * file system holding DIR once (syncfs), then renames every file into
 * place and fsyncs DIR.  After a power cut each target is the old file or
 * the new one, whole, as with atomic_write_file().  Every target is in
 * DIR. */
struct atomic_batch;
struct atomic_batch *atomic_batch_new(const char *dir); /* NULL: out of memory */
/* Writes DATA to a new temporary file beside PATH; SB (may be NULL) gets
 * its identity, which the rename keeps.  Returns 0, or -errno with ERR
 * filled and nothing left behind. */
int atomic_batch_add(struct atomic_batch *b, const char *path, const void *data, size_t len,
                     mode_t mode, struct stat *sb, char *err, size_t errlen);
/* How many files wait for the commit. */
size_t atomic_batch_size(const struct atomic_batch *b);
/* Flushes, renames and syncs as above; each file that could not be put in
 * place is removed and reported to FAILED(CTX, I, ERR) with I its number in
 * the order added.  Returns how many failed (0: all in place).  The batch
 * is then empty and may be used again. */
int atomic_batch_commit(struct atomic_batch *b,
                        void (*failed)(void *ctx, size_t i, const char *err), void *ctx);
/* Removes the temporary files of a batch not committed, and frees it. */
void atomic_batch_free(struct atomic_batch *b);

/* The directory holding PATH ("." for a bare name, "/" at the root),
 * allocated (the caller frees it), or NULL out of memory. */
char *atomic_dir_of(const char *path);

/* fsyncs the directory DIR so a rename or create inside it is durable.
 * Returns 0 or -errno. */
int atomic_sync_dir(const char *dir);

/* Writes all LEN bytes at DATA to FD, going on after EINTR and short
 * writes.  Returns 0 or -errno. */
int atomic_write_all(int fd, const void *data, size_t len);

/* Copies the open file IN, from where it stands to its end, to OUT (none
 * when OUT < 0), handing each piece read to EACH (when not NULL) first:
 * a copy that hashes as it goes.  Returns 0 or -errno. */
int atomic_copy_fd(int in, int out, void (*each)(void *ctx, const void *buf, size_t n), void *ctx);

/* True when NAME is one of our temporary names: "*.tmp.XXXXXX" (six letters
 * or digits, as mkostemp makes) or the media store's ".incoming.XXXXXX". */
bool atomic_is_temp_name(const char *name);

#endif
