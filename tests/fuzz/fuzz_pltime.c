/* libFuzzer target: the text parsers of playlists/pltime.c on any bytes
 * must not crash, leak or hang, and what they accept must hold up:
 * an instant within PL_MS_MIN..PL_MS_MAX that formats and parses back to
 * itself, minutes 0..1440, weekdays 0..6. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "playlists/pltime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zone_names[] = {"Asia/Tokyo", "Europe/Berlin", "America/New_York",
                                         "Australia/Lord_Howe"};
#define NZONES (sizeof zone_names / sizeof zone_names[0])

/* Opening a zone asks ICU for its whole history; do it once per process,
 * as the programs do, not once per input. */
static const pl_tz *zone(size_t i)
{
    static pl_tz *zones[NZONES];
    char err[256];

    if (!zones[i]) {
        zones[i] = pl_tz_new(zone_names[i], err, sizeof err);
        if (!zones[i])
            abort();
    }
    return zones[i];
}

static void check_time(const char *s, const pl_tz *tz, enum pl_time_role role)
{
    char err[256], buf[PL_TIME_BUFSZ];
    pl_ms t, back;

    if (pl_time_parse(s, tz, role, &t, err, sizeof err) < 0) {
        if (!err[0] || !memchr(err, '\0', sizeof err))
            abort(); /* a refusal must say why */
        return;
    }
    if (t < PL_MS_MIN || t > PL_MS_MAX)
        abort();
    if (pl_time_format(t, tz, buf, sizeof buf) < 29)
        abort();
    if (pl_time_parse(buf, NULL, PL_TIME_INSTANT, &back, err, sizeof err) < 0 || back != t)
        abort(); /* what we write we must read */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    int m, wd;
    char err[256];

    if (size == 0)
        return 0;
    s = malloc(size);
    if (!s)
        return 0;
    /* The first byte picks the zone; the rest is the text. */
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    const pl_tz *tz = zone(data[0] % NZONES);

    check_time(s, tz, PL_TIME_INSTANT);
    check_time(s, tz, PL_TIME_START);
    check_time(s, tz, PL_TIME_END);
    check_time(s, NULL, PL_TIME_START);
    if (pl_hhmm_parse(s, &m, err, sizeof err) == 0 && (m < 0 || m > 1440))
        abort();
    wd = pl_weekday_parse(s);
    if (wd < -1 || wd > 6)
        abort();
    if (size < 80 && data[0] >= 0xf0) {
        pl_tz *any = pl_tz_new(s, err, sizeof err);

        if (any) {
            /* A zone ICU knows: its table must be usable at the edges. */
            if (pl_time_format(PL_MS_MIN, any, err, sizeof err) < 0 ||
                pl_time_format(PL_MS_MAX, any, err, sizeof err) < 0)
                abort();
            pl_tz_free(any);
        }
    }
    free(s);
    return 0;
}
