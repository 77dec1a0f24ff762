/* parallel.h - one loop spread over the cores.
 *
 * For start-up work that is many independent system calls or parses (the
 * lstat of 100,000 playlists, the parse of 5,000 campaigns): FN(CTX, I) is
 * called once for each I in 0..N-1, on the calling thread and up to
 * PARALLEL_THREADS - 1 more, each taking the next I as it is free.  FN must
 * only touch what belongs to its I (and read what nobody writes meanwhile).
 * With fewer than MIN items, one core, or threads that cannot start, the
 * calling thread does the rest: the result is the same, only slower.
 */
#ifndef SIGNAGE_PARALLEL_H
#define SIGNAGE_PARALLEL_H

#include <stddef.h>

#define PARALLEL_THREADS 4

void parallel_for(size_t n, size_t min, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
