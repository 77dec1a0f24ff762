/* spool.h - what waits in STATE/spool and what the scheduler refused into
 * STATE/rejected, for `signagectl status` and `list` (SPEC §2, §4).
 *
 * Only read: nothing is created, moved or locked, so it can be asked while
 * the scheduler runs.  A campaign file waits in the spool because it is
 * still being copied (changed within the `settle` interval, or open for
 * writing by another program, which a read lease tells when we own the
 * file or have CAP_LEASE, as the scheduler does), because the scheduler
 * read it and its media are not all there yet (STATE/.pending, with when
 * it was first seen; rejected after `pending_grace`), or because the
 * scheduler has not read it yet.  Only the files the scheduler would read
 * are listed: regular files and links named *.cfg, not starting with '.'.
 */
#ifndef SIGNAGE_TOOLS_SPOOL_H
#define SIGNAGE_TOOLS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "playlists/config.h"
#include "playlists/pltime.h"

enum spool_wait {
    SPOOL_ARRIVING, /* still being copied */
    SPOOL_MEDIA,    /* read; some medium is not in the spool yet */
    SPOOL_UNREAD,   /* whole; the scheduler has not read it yet */
};

/* "being copied", "waiting for media", "not read yet". */
const char *spool_wait_name(enum spool_wait w);

struct spool_file {
    char *name;     /* as on disk */
    char *shown;    /* NAME with bytes that are not UTF-8 as "\xNN" */
    long long size; /* bytes */
    pl_ms changed;  /* wall clock: its ctime (a rename into the spool sets it) */
    enum spool_wait wait;
    bool writer;       /* SPOOL_ARRIVING: a program has it open for writing */
    pl_ms media_since; /* SPOOL_MEDIA: first seen waiting, on the scheduler's clock */
};

struct spool_rejected {
    char *name, *shown;
    pl_ms when;   /* wall clock: when its .error was written; 0 when not known */
    char *reason; /* the first line of NAME.error (printable); NULL when it has none */
};

struct spool_view {
    char *dir;                  /* STATE/spool */
    struct spool_file *pending; /* oldest change first */
    size_t npending;
    struct spool_rejected *rejected; /* newest first */
    size_t nrejected;
};

/* Looks at CFG's spool and rejected/ at wall-clock time WALL.  A directory
 * that does not exist holds nothing.  Fills V (free with spool_view_clear()).
 * Returns 0, or -1 with ERR filled when the spool exists but cannot be read
 * (V then holds what was found). */
int spool_scan(const struct pl_config *cfg, pl_ms wall, struct spool_view *v, char *err,
               size_t errlen);
void spool_view_clear(struct spool_view *v);

/* A campaign file's settings as the operator wrote them, unchecked: every
 * string NULL when absent or not a string. */
struct spool_written {
    char *id, *title, *owner, *start, *end;
    char **screens;
    size_t nscreens;
    long long priority, weight; /* -1 when absent */
    long long items;            /* entries in items, -1 when absent */
};

/* Reads NAME beneath the directory DIRFD (no link leading out of it, a
 * regular file of at most a campaign file's size) into W (free with
 * spool_written_clear()).  Returns 0, or -1 with ERR filled ("NAME:LINE:
 * error: ...") when it cannot be read or is not libconfig text. */
int spool_read_written(int dirfd, const char *name, struct spool_written *w, char *err,
                       size_t errlen);
void spool_written_clear(struct spool_written *w);

#endif
