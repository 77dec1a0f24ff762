/* libFuzzer target: the reader of normalised campaigns (campaigns/<id>.cfg,
 * scheduler/state.c).  Whatever it accepts must format and read back to the
 * same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "scheduler/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pl_tz *tz;
    char err[1024];
    struct pl_campaign *c, *d;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

    if (!tz) {
        log_init("fuzz_normalised", LOGLVL_ERROR);
        tz = pl_tz_new("Asia/Tokyo", err, sizeof err);
        if (!tz)
            abort();
    }
    c = pl_campaign_parse_normalised((const char *)data, size, "fuzz.cfg", tz, err, sizeof err);
    if (!c)
        return 0;
    if (pl_campaign_format(c, tz, &a) < 0)
        abort();
    d = pl_campaign_parse_normalised(a.buf, a.len, "again.cfg", tz, err, sizeof err);
    if (!d)
        abort(); /* what we write, we must read */
    if (pl_campaign_format(d, tz, &b) < 0 || a.len != b.len || memcmp(a.buf, b.buf, a.len))
        abort();
    sb_free(&a);
    sb_free(&b);
    pl_campaign_free(c);
    pl_campaign_free(d);
    return 0;
}
