/* broken.h - media that failed to play, remembered so they are not retried
 * on every loop (SPEC §7).
 *
 * A medium is keyed by its SHA-256 when the playlist gives one, else by its
 * path.  An entry expires RETRY_MS after it was added (clock time), and the
 * whole set is forgotten when the playlist generation changes: a republished
 * playlist may well have fixed the file.
 */
#ifndef SIGNAGE_PLAYER_BROKEN_H
#define SIGNAGE_PLAYER_BROKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playlists/pltime.h"

/* Default time before a broken medium is tried again: 10 minutes. */
#define BROKEN_RETRY_MS (10 * PL_MS_PER_MIN)
/* At most this many entries; the oldest is dropped beyond it. */
#define BROKEN_MAX 256

struct broken_set;

/* An empty set.  NULL when out of memory.  Free with broken_free(). */
struct broken_set *broken_new(pl_ms retry_ms);
void broken_free(struct broken_set *b);

/* Records KEY (copied) as broken at NOW because of WHY (copied; may be NULL).
 * Returns 0 or -1 (out of memory: then the medium is simply retried). */
int broken_add(struct broken_set *b, const char *key, const char *why, pl_ms now);

/* True when KEY is known broken at NOW (NOW before the time it was added,
 * as after the clock was set back, counts as expired).  *WHY (may be NULL)
 * gets the recorded reason, valid until the set changes. */
bool broken_has(struct broken_set *b, const char *key, pl_ms now, const char **why);

/* True the first time it is asked about KEY after KEY was added (the
 * medium failed while it was not yet due: its first turn is logged as an
 * error, later ones as skipped); false otherwise. */
bool broken_first_report(struct broken_set *b, const char *key);

/* Forgets everything when GENERATION differs from the one last seen. */
void broken_set_generation(struct broken_set *b, int64_t generation);

size_t broken_count(const struct broken_set *b);

#endif
