/* bench_pltime.c - the zone table of playlists/pltime.c against ICU asked
 * directly, measured in the same run: opening a zone, the offset at an
 * instant, and the instant of a local wall time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "playlists/pltime.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void report(const char *what, double ours, double icu, long n)
{
    printf("%-34s pltime %9.3f us   ICU %9.3f us   ICU/pltime %8.3gx\n", what, ours / n * 1e6,
           icu / n * 1e6, icu / ours);
}

static int bench_zone(const char *name)
{
    enum { NOPEN = 200, NCALL = 200000 };
    UChar uid[64];
    UErrorCode st = U_ZERO_ERROR;
    char err[256];
    double t0, ours, icu;
    uint64_t seed = 88172645463325252u;
    volatile int64_t sink = 0;
    pl_tz *tz;
    UCalendar *cal;

    u_uastrcpy(uid, name);
    printf("%s\n", name);

    t0 = now_s();
    for (int i = 0; i < NOPEN; i++) {
        tz = pl_tz_new(name, err, sizeof err);
        if (!tz) {
            fprintf(stderr, "bench_pltime: %s\n", err);
            return -1;
        }
        pl_tz_free(tz);
    }
    ours = now_s() - t0;
    t0 = now_s();
    for (int i = 0; i < NOPEN; i++) {
        cal = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
        ucal_close(cal);
    }
    icu = now_s() - t0;
    report("  open zone (table build vs ucal_open)", ours, icu, NOPEN);

    tz = pl_tz_new(name, err, sizeof err);
    cal = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (!tz || U_FAILURE(st)) {
        fprintf(stderr, "bench_pltime: cannot open %s\n", name);
        pl_tz_free(tz);
        ucal_close(cal);
        return -1;
    }

    /* 1970..2100, the span a signage plan lives in. */
    t0 = now_s();
    for (long i = 0; i < NCALL; i++)
        sink += pl_tz_offset_at(tz, (pl_ms)(rng_next(&seed) % UINT64_C(4102444800000)));
    ours = now_s() - t0;
    seed = 88172645463325252u;
    t0 = now_s();
    for (long i = 0; i < NCALL; i++) {
        ucal_setMillis(cal, (UDate)(rng_next(&seed) % UINT64_C(4102444800000)), &st);
        sink += ucal_get(cal, UCAL_ZONE_OFFSET, &st) + ucal_get(cal, UCAL_DST_OFFSET, &st);
    }
    icu = now_s() - t0;
    report("  offset at an instant", ours, icu, NCALL);

    t0 = now_s();
    for (long i = 0; i < NCALL; i++) {
        uint64_t r = rng_next(&seed);

        sink += pl_tz_from_civil(tz, 1970 + (int)(r % 130), 1 + (int)(r >> 8) % 12,
                                 1 + (int)(r >> 16) % 28, (int)(r >> 24) % 24, (int)(r >> 32) % 60,
                                 0, 0);
    }
    ours = now_s() - t0;
    t0 = now_s();
    for (long i = 0; i < NCALL; i++) {
        uint64_t r = rng_next(&seed);

        ucal_setDateTime(cal, 1970 + (int)(r % 130), (int)(r >> 8) % 12, 1 + (int)(r >> 16) % 28,
                         (int)(r >> 24) % 24, (int)(r >> 32) % 60, 0, &st);
        sink += (int64_t)ucal_getMillis(cal, &st);
    }
    icu = now_s() - t0;
    report("  instant of a wall time", ours, icu, NCALL);

    ucal_close(cal);
    pl_tz_free(tz);
    (void)sink;
    return U_FAILURE(st) ? -1 : 0;
}

int main(void)
{
    static const char *const zones[] = {"Asia/Tokyo", "Europe/Berlin", "America/New_York"};
    int rc = 0;

    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (bench_zone(zones[i]) < 0)
            rc = 1;
    return rc;
}
