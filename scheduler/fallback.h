/* fallback.h - the fallback as the scheduler prepared it, for signagectl.
 *
 * The scheduler stores the fallback's media at start (sched_ingest_fallback()
 * needs FFmpeg and the converters, which signagectl does not load).  So that
 * `signagectl withdraw` and `restore` publish the playlists the scheduler
 * would, with the fallback's media in them, the scheduler records what it
 * made of each item in STATE/.fallback, for the fallback of signage.cfg as it
 * was read (its digest):
 *
 *   signage-fallback 1 <sched_fallback_digest() of the fallback read, 16 hex> <n>
 *   <from> <type> <duration ms> <sha256 or -> <media or ->     (n lines)
 *
 * FROM is the index of the item in signage.cfg, or -1 for the text item the
 * scheduler puts in when none of them could be used.
 */
#ifndef SIGNAGE_SCHED_FALLBACK_H
#define SIGNAGE_SCHED_FALLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "playlists/config.h"
#include "scheduler/state.h"

/* The text item with the fallback's title that stands in when none of
 * FB's items can be used (FB has room for one item).  0, or -1 out of
 * memory. */
int sched_fallback_title_item(struct pl_campaign *fb);

/* The fallback FB as signage.cfg gives it, before its media are stored:
 * what pl_campaign_digest() covers and each item's file and page (which
 * that leaves out: they are what the scheduler stores). */
uint64_t sched_fallback_digest(const struct pl_campaign *fb);

/* Records PREPARED (CFG->fallback after sched_ingest_fallback(), FROM as it
 * filled it), made from the fallback whose sched_fallback_digest() was RAW, in
 * STATE/.fallback.  Returns 0, or -1 with ERR filled. */
int sched_fallback_save(const struct sched_state *st, const struct pl_campaign *prepared,
                        const long *from, uint64_t raw, char *err, size_t errlen);

/* Makes CFG->fallback what the scheduler prepared from it, when STATE/.fallback
 * was made from this very fallback.  Returns 1 when it did, 0 when there is
 * nothing to do (no item needs a medium), -1 when the record is missing, for
 * another fallback, or not one this reads (CFG unchanged). */
int sched_fallback_apply(const struct sched_state *st, struct pl_config *cfg);

#endif
