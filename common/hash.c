#include "common/hash.h"

#include <stdio.h>
#include <string.h>

#define K1 UINT64_C(0x9e3779b97f4a7c15)
#define K2 UINT64_C(0xbf58476d1ce4e5b9)
#define K3 UINT64_C(0x94d049bb133111eb)

/* The finaliser of splitmix64: every input bit reaches every output bit. */
static uint64_t avalanche(uint64_t x)
{
    x ^= x >> 30;
    x *= K2;
    x ^= x >> 27;
    x *= K3;
    return x ^ (x >> 31);
}

uint64_t hash64_mix(uint64_t h, uint64_t v)
{
    return avalanche(h ^ avalanche(v + K1));
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * K1), k;

    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&k, p, 8);
        h = (h ^ avalanche(k)) * K3 + K1;
    }
    k = 0;
    for (size_t i = 0; i < len; i++)
        k |= (uint64_t)p[i] << (8 * i);
    return avalanche(h ^ avalanche(k ^ K2));
}

size_t hash_table_size(size_t n)
{
    size_t c = 16;

    while (c < 2 * n + 2)
        c *= 2;
    return c;
}

void hash64_hex(uint64_t h, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
