/* hash.h - a fast 64-bit hash of bytes, for signatures the scheduler
 * compares between runs (what a playlist was computed from).  Not for
 * security: whoever controls the input can make two collide; these inputs
 * are the scheduler's own.
 */
#ifndef SIGNAGE_HASH_H
#define SIGNAGE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash of LEN bytes at DATA, seeded with SEED (hash the next part of
 * something with the previous part's hash as the seed).  Reads 8 bytes at
 * a time; the same bytes give the same value on every run and machine of
 * the same byte order. */
uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* Folds the value V into H. */
uint64_t hash64_mix(uint64_t h, uint64_t v);

/* The size of an open-addressing table for N entries: a power of two, at
 * least 2N + 2 (at most half full) and at least 16. */
size_t hash_table_size(size_t n);

/* H as 16 lowercase hex digits and a NUL. */
void hash64_hex(uint64_t h, char out[17]);

#endif
