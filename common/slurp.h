/* slurp.h - reading a whole regular file into memory, with a size cap. */
#ifndef SIGNAGE_SLURP_H
#define SIGNAGE_SLURP_H

#include <stddef.h>

/* Reads the regular file PATH (opened without blocking on FIFOs and without
 * acquiring a tty) into a new NUL-terminated buffer *OUT of *LEN bytes;
 * free() it.  Returns 0, or a negative errno with ERR filled as
 * "NAME: error: what went wrong" (NAME defaults to PATH): cannot open, not a
 * regular file (-EINVAL), larger than MAX_BYTES (-EFBIG), grew while it was
 * read (-EAGAIN), out of memory. */
int slurp_path(const char *path, const char *name, size_t max_bytes, char **out, size_t *len,
               char *err, size_t errlen);

/* The same for the file open as FD (read from where it stands; not
 * closed), for callers that open it their own way (O_NOFOLLOW). */
int slurp_fd(int fd, const char *name, size_t max_bytes, char **out, size_t *len, char *err,
             size_t errlen);

#endif
