/* state.h - the STATE tree (SPEC §2) and the set of accepted campaigns.
 *
 * campaigns/<id>.cfg holds the NORMALISED accepted campaign: the operator's
 * file after validation, with every medium resolved to its place in the
 * content store ("media/<sha256>.<ext>", sha256) and every duration known
 * (a video's from its probe), times written as instants with offsets.  The
 * scheduler reloads the set from campaigns/ without probing anything, so
 * `signagectl withdraw` (which deletes campaigns/<id>.cfg) and the daemon
 * never disagree.  Every accepted version, with the operator's original
 * file byte for byte, is kept in campaigns/history/<id>/ (history.h).
 */
#ifndef SIGNAGE_SCHED_STATE_H
#define SIGNAGE_SCHED_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "playlists/model.h"
#include "playlists/normalised.h"
#include "playlists/pltime.h"

/* Normalised campaign files larger than this are refused on reading. */

struct sched_state {
    char *root;  /* STATE */
    char *spool; /* STATE/spool, and so on */
    char *campaigns;
    char *rejected;
    char *media;
    char *playlists;
    char *log;
    int lockfd; /* STATE/.lock while locked, else -1 */
};

/* Opens the state tree at ROOT, creating ROOT and its six directories when
 * missing (mode 0755).  Returns NULL with ERR filled when a directory cannot
 * be made or is not a directory.  Free with sched_state_free(). */
struct sched_state *sched_state_open(const char *root, char *err, size_t errlen);
void sched_state_free(struct sched_state *st);

/* Takes the exclusive lock STATE/.lock (flock) that serialises whoever
 * changes campaigns/ and playlists/: the daemon and signagectl.  Blocks
 * until it is free.  Returns 0, or -errno with ERR filled. */
int sched_state_lock(struct sched_state *st, char *err, size_t errlen);
/* Releases the lock; a no-op when not held. */
void sched_state_unlock(struct sched_state *st);

/* Which file a name led to when it was read (a move checks that it moves
 * that file and not one put in its place since), and whether a file read
 * before has changed. */
struct sched_file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
};

/* The identity of the file SB describes. */
struct sched_file_id sched_file_id_of(const struct stat *sb);

/* True when A and B are the same file, unchanged. */
bool sched_file_id_eq(const struct sched_file_id *a, const struct sched_file_id *b);

/* True when PATH is still (or, after a move on one file system, now) the
 * file ID (NULL: any); a copy across file systems is a new file, and is
 * trusted. */
bool sched_file_is(const char *path, const struct sched_file_id *id);

/* sched_move_file() with REPLACE, then a check that the file moved is ID:
 * when FROM had been replaced by another file just before, that file is
 * put back (beside FROM, numbered, when FROM is taken again) and -ESTALE
 * returned with ERR filled. */
int sched_move_checked(const char *from, const char *dir, const char *name,
                       const struct sched_file_id *id, char *err, size_t errlen);

/* 1 when some process has the file NAME beneath DIRFD open for writing (an
 * operator's copy still under way), 0 when none has, -1 when that cannot
 * be told: a read lease, taken and given back at once, is refused to a
 * process that neither owns the file nor has CAP_LEASE, and on some file
 * systems.  The caller ignores SIGIO, the signal a writer opening the file
 * meanwhile would send. */
int sched_open_for_writing(int dirfd, const char *name);

/* Removes our temporary files (atomic_is_temp_name()) in DIR, each logged;
 * returns how many. */
int sched_remove_temps(const char *dir);

/* Moves FROM, the spool file NAME, to rejected/NAME (or "BASE.1.EXT",
 * "BASE.2.EXT"... when taken), after writing WHY to rejected/<that>.error:
 * the reason is on disk before the file moves, so a crash never leaves a
 * rejected file without it.  The name used goes to FINAL.  Names too long
 * for that are cut, with "~" before the extension.  Returns 0, or -errno
 * with ERR filled (the file then stays where it was): -ESTALE when FROM was
 * no longer the file ID (may be NULL) but one put in its place. */
int sched_reject_file(const struct sched_state *st, const char *from, const char *name,
                      const struct sched_file_id *id, const char *why, char *final, size_t finallen,
                      char *err, size_t errlen);

/* Run at start, under the lock: removes the temporary files a crash left
 * in STATE, campaigns/, playlists/, media/, rejected/; removes an .error
 * whose rejected file never arrived, writes one for a rejected file that
 * has none.  (sched_history_repair() mends the histories.)  Returns how
 * many things it mended (each logged). */
int sched_state_repair(const struct sched_state *st);

/* Moves the file FROM into directory DIR under NAME.  With REPLACE false an
 * existing file is never overwritten: "NAME" becomes "BASE.1.EXT",
 * "BASE.2.EXT"... (the name used is copied to FINAL, FINALLEN bytes, when
 * FINAL is not NULL).  Across file systems the file is copied, synced, then
 * the original removed.  Returns 0, or -errno with ERR filled. */
int sched_move_file(const char *from, const char *dir, const char *name, bool replace, char *final,
                    size_t finallen, char *err, size_t errlen);

/* Removes campaigns/<id>.cfg: the campaign stops playing, and its history
 * stays, so `signagectl restore` can bring it back.  Returns 0, -ENOENT
 * when no campaign ID is accepted, or another -errno with ERR filled. */
int sched_state_withdraw(const struct sched_state *st, const char *id, char *err, size_t errlen);

/* The accepted campaigns, sorted by id. */
struct sched_set_entry {
    struct pl_campaign *c;   /* owned */
    struct sched_file_id id; /* campaigns/<id>.cfg when read */
    uint64_t serial;         /* unique to this version of the campaign in this set */
    uint64_t digest;         /* pl_campaign_digest(c): the same on every run */
};

struct sched_set {
    struct sched_set_entry *v;
    size_t n, cap;
    uint64_t next_serial; /* serials are never reused, so they name versions */
};

/* A new, empty set, or NULL on out of memory. */
struct sched_set *sched_set_new(void);
/* Frees the set and every campaign in it; NULL is a no-op. */
void sched_set_free(struct sched_set *set);

/* Replaces the contents of SET with every readable campaigns/<id>.cfg.  A file
 * that cannot be read is logged (once per call) and left out.  Returns the
 * number of files left out, or -1 when the directory cannot be read. */
int sched_set_load(struct sched_set *set, const struct sched_state *st, const pl_tz *tz);

/* Brings campaigns/NAME ("<id>.cfg") in SET up to date after a change on
 * disk: reads it when it is new or changed, drops the campaign when the
 * file is gone.  Returns 1 when SET changed, 0 when not, -1 on a file that
 * cannot be read (logged; SET keeps its previous version). */
int sched_set_refresh(struct sched_set *set, const struct sched_state *st, const pl_tz *tz,
                      const char *name);

/* Inserts C (taking ownership), replacing a campaign with the same id, with
 * ID (may be NULL) the identity of the file it was read from (the set does
 * no I/O).  Returns 0, or -1 on out of memory (C is freed then). */
int sched_set_put(struct sched_set *set, struct pl_campaign *c, const struct sched_file_id *id);

/* Removes the campaign ID.  Returns 0, or -1 when absent. */
int sched_set_remove(struct sched_set *set, const char *id);

/* The campaigns of SET in its order, as a new array of SET->n pointers
 * (free() it; the campaigns are borrowed), for playlists/merge.h.  NULL on
 * out of memory. */
const struct pl_campaign **sched_set_campaigns(const struct sched_set *set);

/* The campaign with id ID, or NULL (borrowed). */
const struct pl_campaign *sched_set_find(const struct sched_set *set, const char *id);

#endif
