/* prune.h - a box's media/ does not grow for ever: a medium no playlist in
 * STATE/playlists/ names any more is removed media_grace_days (signage.cfg,
 * default 7; 0 = never) after it was first found unused, as the scheduler
 * does on a central state (scheduler/retention.h).  When it was found
 * unused is the modification time of STATE/.sync/unused/<name>, removed
 * again should a playlist name it before then.  A .part no playlist wants
 * goes after the same time without being written to.
 */
#ifndef SIGNAGE_SYNC_PRUNE_H
#define SIGNAGE_SYNC_PRUNE_H

#include "sync/env.h"

/* Marks, unmarks and removes as above.  Nothing is removed unless every
 * playlist in place could be read (one that cannot might name anything).
 * Returns how many files were removed, or -1 (logged). */
int sync_prune(struct sync_env *env);

/* A box runs no scheduler, so its proof of play is kept here as the
 * scheduler keeps it (log_keep_days, playlists/logkeep.h), with one more
 * rule: with an upload url, a day is removed only once the central server
 * has all of it (sent whole, nothing written since); a day it lacks is
 * kept, with a warning.  Returns how many files were removed, or -1. */
int sync_prune_logs(struct sync_env *env);

#endif
