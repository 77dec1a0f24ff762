/* grow.c - see grow.h. */
#include "common/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    size_t room;
    void *nv;

    if (n < *cap)
        return v;
    if (*cap == 0)
        room = first;
    else if (*cap > SIZE_MAX / 2)
        return NULL;
    else
        room = *cap * 2;
    if (room == 0 || size == 0 || room > SIZE_MAX / size)
        return NULL;
    if (!(nv = realloc(v, room * size)))
        return NULL;
    *cap = room;
    return nv;
}
