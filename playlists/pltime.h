/* pltime.h - instants, civil time in an IANA zone, ISO 8601 and HH:MM.
 *
 * An instant is pl_ms: milliseconds since 1970-01-01T00:00:00Z.  Zones come
 * from ICU's time zone data, so the zone is a value (no TZ environment
 * variable, no process-wide state) and zones with DST are right.
 *
 * Conventions of pltime.c, for every function below:
 * - A NULL zone means UTC.
 * - pl_tz_new() asks ICU once for the zone's offset changes (1800..2500) and
 *   keeps them in a table; later calls use only that table, and past 2500 the
 *   zone's final rules repeat every 400 years.  Zone names are IANA ids as
 *   ICU spells them (case matters: "Asia/Tokyo"); ICU's fallback
 *   "Etc/Unknown" and custom ids such as "GMT+9" are refused.
 * - Text is strict: no spaces around it, 2-digit month, day, hour, minute
 *   and second, 1..3 fractional digits (more are refused, not cut), no leap
 *   seconds (":60"), no hour 24 in a date-time (pl_hhmm_parse() takes
 *   "24:00"), offsets "Z", "+HH:MM", "+HHMM" or "+HH" up to +-14:00, and
 *   the instant within PL_MS_MIN..PL_MS_MAX.  Local dates 1899-12-31 and
 *   10000-01-01 are read when the instant is inside that range, so whatever
 *   pl_time_format() writes for an instant in range reads back exactly.
 * - Offsets with seconds (local mean time before standard time, e.g.
 *   Monrovia until 1972) are formatted cut to whole minutes, with the wall
 *   time that goes with the cut offset, so the text still names exactly the
 *   instant; pl_civil.offset_s keeps the true offset.
 * - Instants are clamped to about +-146 million years before arithmetic,
 *   and pl_tz_from_civil() years to +-10 million, so no input overflows.
 */
#ifndef SIGNAGE_PLTIME_H
#define SIGNAGE_PLTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t pl_ms;

#define PL_MS_PER_SEC INT64_C(1000)
#define PL_MS_PER_MIN INT64_C(60000)
#define PL_MS_PER_HOUR INT64_C(3600000)
#define PL_MS_PER_DAY INT64_C(86400000)
/* Instants outside years 1900..9999 are refused by every parser. */
#define PL_MS_MIN INT64_C(-2208988800000)
#define PL_MS_MAX INT64_C(253402300799999)

/* A broken-down local time. */
struct pl_civil {
    int year, month, day; /* 1-based month and day */
    int hour, min, sec, ms;
    int wday;     /* 0 = Sunday .. 6 = Saturday */
    int offset_s; /* UTC offset in force, seconds east */
};

typedef struct pl_tz pl_tz;

/* Opens the IANA zone NAME ("Asia/Tokyo", "Europe/Berlin", "UTC").
 * Returns NULL with ERR filled when the name is unknown.  Free with
 * pl_tz_free(); a pl_tz is immutable, so threads may share one. */
pl_tz *pl_tz_new(const char *name, char *err, size_t errlen);
void pl_tz_free(pl_tz *tz);
const char *pl_tz_name(const pl_tz *tz);

/* UTC offset in seconds east, in force at T. */
int pl_tz_offset_at(const pl_tz *tz, pl_ms t);

/* Breaks T down into local civil time in TZ. */
void pl_tz_to_civil(const pl_tz *tz, pl_ms t, struct pl_civil *out);

/* The instant of local wall time Y-MO-D H:MI:S.MS in TZ (fields need not be
 * normalised: day 32 or hour 24 roll over).  A wall time skipped by a DST
 * change maps to the instant the clocks jump to ("02:30" on a spring-forward
 * night in Berlin -> 03:00 CEST); a repeated one maps to its first
 * occurrence. */
pl_ms pl_tz_from_civil(const pl_tz *tz, int y, int mo, int d, int h, int mi, int s, int ms);

/* Days from 1970-01-01 to Y-M-D (M 1..12, D 1..31), proleptic Gregorian,
 * and back. */
int64_t pl_days_from_civil(int64_t y, int m, int d);
void pl_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* The instant of local midnight starting the local day that contains T. */
pl_ms pl_tz_day_start(const pl_tz *tz, pl_ms t);

/* How a date-only text is read. */
enum pl_time_role {
    PL_TIME_INSTANT, /* a date alone is an error */
    PL_TIME_START,   /* "2023-03-01" = 00:00 local that day */
    PL_TIME_END,     /* "2023-03-31" = the end of that day, i.e. 00:00 of the next (exclusive) */
};

/* Parses an ISO 8601 date or date-time: "2023-03-31", "2023-03-31T22:00",
 * "2023-03-31 22:00:00", "...:00.250", with "Z" or "+09:00"/"+0900" or no
 * offset (then local in TZ).  Rejects impossible dates and times
 * (2023-02-30, 25:00, 12:60) and trailing junk.  Returns 0, or -1 with ERR
 * saying what is wrong and what would be right. */
int pl_time_parse(const char *s, const pl_tz *tz, enum pl_time_role role, pl_ms *out, char *err,
                  size_t errlen);

/* Formats T in TZ as "2023-03-31T23:59:59.000+09:00" (always milliseconds
 * and offset).  Returns the length, or -1 if BUF is too small (needs 30). */
#define PL_TIME_BUFSZ 32
int pl_time_format(pl_ms t, const pl_tz *tz, char *buf, size_t len);

/* The same without milliseconds: "2023-03-31T23:59:59+09:00". */
int pl_time_format_s(pl_ms t, const pl_tz *tz, char *buf, size_t len);

/* Parses a daypart time "HH:MM", 00:00 .. 24:00, into minutes after
 * midnight (0 .. 1440).  Returns 0, or -1 with ERR filled.
 * A 1-digit hour ("7:00") is taken; minutes are always 2 digits. */
int pl_hhmm_parse(const char *s, int *minutes, char *err, size_t errlen);

/* Parses a weekday name: "mon".."sun" (also "monday".., any case).
 * Returns 0..6 (0 = Sunday), or -1. */
int pl_weekday_parse(const char *s);

#endif
