/* atomic.h - publishing a file so that no reader ever sees it torn.
 *
 * The data goes to a temporary file beside the target, is fsync'ed, renamed
 * over the target, and the directory is fsync'ed: after a power cut the
 * target is either the old file or the new one, whole.
 */
#ifndef SIGNAGE_ATOMIC_H
#define SIGNAGE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces PATH with LEN bytes of DATA, mode MODE (exactly; no umask).
 * Returns 0, or -errno with ERR filled ("PATH: what failed: why"); on failure
 * PATH is untouched and no temporary file is left behind. */
int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen);

/* fsyncs the directory DIR so a rename or create inside it is durable.
 * Returns 0 or -errno. */
int atomic_sync_dir(const char *dir);

#endif
