/* grow.h - room for one more element in a growable array.
 *
 * Arrays that grow as a file or a directory is read keep their elements,
 * how many are used and how many there is room for.  This is the one
 * place that doubles the room, checks the multiplication, and leaves the
 * array whole when memory runs out.
 */
#ifndef SIGNAGE_GROW_H
#define SIGNAGE_GROW_H

#include <stddef.h>

/* The array V (room for *CAP elements of SIZE bytes, N of them used), with
 * room for at least one more: V itself when there is, else V moved to
 * twice the room (FIRST when *CAP is 0) and *CAP updated.  Returns NULL on
 * overflow or out of memory; V is then unchanged and still the caller's. */
void *grow_array(void *v, size_t *cap, size_t n, size_t size, size_t first);

#endif
