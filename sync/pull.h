/* pull.h - one poll of the central state for each of the box's screens.
 *
 * For each screen: GET playlists/<screen>.playlist, conditional on the
 * ETag / Last-Modified of the one in place (304: nothing to do).  A new one
 * is taken only when pl_playlist_parse() accepts it and it is the screen
 * asked for; then every medium it names that STATE/media lacks is fetched
 * into STATE/.sync/<sha256>.<ext>.part (resumed with a Range request),
 * its SHA-256 checked against its name, and linked into media/ (an
 * existing medium is never replaced).  Only when all of them are there is
 * the playlist published in STATE/playlists/, atomically: a player never
 * sees a playlist before its media.  Anything refused is logged and the
 * playlist in place stays.
 */
#ifndef SIGNAGE_SYNC_PULL_H
#define SIGNAGE_SYNC_PULL_H

#include "sync/env.h"

#define SYNC_PLAYLIST_MAX (64u << 20) /* bytes: a bigger playlist is refused */
#define SYNC_MEDIUM_MAX (16ull << 30) /* bytes: a bigger medium is refused */

/* Polls every screen of ENV->conf.  Returns how it went (env.h); what was
 * refused is logged here, an unreachable server only recorded in ENV. */
enum sync_outcome sync_pull(struct sync_env *env);

#endif
