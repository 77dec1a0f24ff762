/* safeopen.h - open a file that must lie beneath a directory.
 *
 * A campaign file names its media by paths relative to the spool; nothing it
 * names may make us read outside it.  Absolute paths and ".." components are
 * refused outright, and symbolic links are followed only while they stay
 * beneath the directory (openat2 RESOLVE_BENEATH; on kernels without
 * openat2, a component-by-component walk that follows no symlink at all).
 * The open never blocks (a FIFO cannot hang us) and only regular files are
 * accepted.
 */
#ifndef SIGNAGE_SAFEOPEN_H
#define SIGNAGE_SAFEOPEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Opens RELPATH beneath the directory DIRFD for reading (O_CLOEXEC) and
 * checks it is a regular file of at most MAX_BYTES bytes.  ST, if not NULL,
 * receives its fstat().  Returns the fd (the caller closes it) or a negative
 * errno with ERR filled ("'PATH' ...: what to do", without file/line
 * prefix):
 *   -EINVAL  absolute, empty, or ".." in the path; or not a regular file
 *   -EXDEV   a symbolic link leads outside the directory
 *   -ENOENT  no such file (yet)
 *   -EISDIR  a directory
 *   -EFBIG   larger than MAX_BYTES
 *   -ELOOP, -EACCES, -ENOTDIR, ... as from the kernel. */
int safeopen_read(int dirfd, const char *relpath, uint64_t max_bytes, struct stat *st, char *err,
                  size_t errlen);

/* The fallback used when openat2() is missing, exposed for tests: the same
 * contract, except that every symbolic link is refused (-ELOOP), even one
 * that stays inside. */
int safeopen_read_walk(int dirfd, const char *relpath, uint64_t max_bytes, struct stat *st,
                       char *err, size_t errlen);

#endif
