/* libFuzzer target: pl_playlist_parse() on any bytes must not crash, leak
 * or hang; whatever it accepts must format and parse back to the same
 * bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "playlists/plfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct pl_playlist *pl, *again;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    pl_tz *tz;

    pl = pl_playlist_parse((const char *)data, size, "fuzz.playlist", err, sizeof err);
    if (!pl)
        return 0;
    tz = pl_tz_new(pl->timezone, err, sizeof err);
    if (!tz)
        abort(); /* the parser accepted a zone it cannot open */
    if (pl_playlist_format(pl, tz, &a) < 0)
        abort();
    again = pl_playlist_parse(sb_str(&a), a.len, "fuzz.playlist", err, sizeof err);
    if (!again)
        abort(); /* what we write we must read */
    if (pl_playlist_format(again, tz, &b) < 0 || a.len != b.len ||
        memcmp(sb_str(&a), sb_str(&b), a.len) != 0)
        abort(); /* not a fixed point */
    pl_playlist_free(again);
    pl_playlist_free(pl);
    pl_tz_free(tz);
    sb_free(&a);
    sb_free(&b);
    return 0;
}
