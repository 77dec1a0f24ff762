/* pltime.c - instants, civil time in an IANA zone, ISO 8601 and HH:MM.
 *
 * ICU is asked once, in pl_tz_new(), for every UTC offset change of the zone
 * from 1800 to 2500; the result is an immutable table.  After that every
 * pl_tz_* call is plain C (a binary search and calendar arithmetic): no ICU,
 * no locks, so a pl_tz is cheap to use and safe to share between threads.
 *
 * Past the table (2500 onwards) the zone's final rules repeat: the Gregorian
 * calendar repeats exactly every 400 years (146097 days, a whole number of
 * weeks), so "the last Sunday of March" falls on the same date, and an
 * instant is folded back by whole 400-year periods into 2100..2500.
 *
 * Calendar arithmetic is proleptic Gregorian with floor division, so instants
 * before 1970 (negative pl_ms) work the same as later ones.
 */
#include "playlists/pltime.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

/* The span asked of ICU, and the 400-year period folded into past it. */
#define TZ_TABLE_FROM INT64_C(-5364662400000) /* 1800-01-01T00:00Z */
#define TZ_FOLD_FROM INT64_C(4102444800000)   /* 2100-01-01T00:00Z */
#define TZ_PERIOD (INT64_C(146097) * PL_MS_PER_DAY)
#define TZ_FOLD_TO (TZ_FOLD_FROM + TZ_PERIOD) /* 2500-01-01T00:00Z */
#define TZ_TABLE_TO (TZ_FOLD_TO + 3 * PL_MS_PER_DAY)
#define TZ_MAX_TRANSITIONS 100000
#define TZ_NAME_MAX 128

/* Far beyond any calendar anyone means, yet safe from int64 overflow when
 * offsets and fields are added: about +-146 million years. */
#define TIME_SANE_MS (INT64_C(1) << 62)
#define CIVIL_YEAR_SANE 10000000

struct pl_tz {
    char *name;
    size_t n;     /* transitions */
    pl_ms *at;    /* n instants, ascending: when the offset changes */
    int32_t *off; /* n + 1 offsets in seconds: off[i] is in force before at[i] */
    pl_ms max_abs_off_ms;
};

/* ------------------------------------------------------------------------ */
/* Small arithmetic */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && is_leap(y))
        return 29;
    return dim[m - 1];
}

/* Years are counted from March so the leap day ends a year; a 400-year
 * "era" has 146097 days. */
int64_t pl_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    int mar;

    if (m <= 2)
        y--;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    mar = m > 2 ? m - 3 : m + 9;
    doy = (153 * mar + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void pl_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mar;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mar = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mar + 2) / 5 + 1);
    *m = (int)(mar < 10 ? mar + 3 : mar - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static pl_ms clamp_ms(pl_ms t)
{
    if (t > TIME_SANE_MS)
        return TIME_SANE_MS;
    if (t < -TIME_SANE_MS)
        return -TIME_SANE_MS;
    return t;
}

/* ------------------------------------------------------------------------ */
/* Messages */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at S (1..4), or 0 if it is not one. */
static int utf8_seq_len(const unsigned char *s)
{
    int n, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Writes S in double quotes into BUF, safe to show anywhere: control
 * characters and invalid UTF-8 as \xNN, '"' and '\' escaped, and anything
 * past 48 bytes cut off with "...". */
#define QUOTE_BUFSZ 220
static const char *quote(const char *s, char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, shown = 0;

    if (!s) {
        snprintf(buf, len, "(null)");
        return buf;
    }
    buf[o++] = '"';
    while (*p && o + 8 < len) {
        int n = utf8_seq_len(p);

        if (shown >= 48) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
            p++;
        } else if (n == 1 && (*p == '"' || *p == '\\')) {
            buf[o++] = '\\';
            buf[o++] = (char)*p++;
        } else if (n == 0) {
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
            p++;
        } else {
            memcpy(buf + o, p, (size_t)n);
            o += (size_t)n;
            p += n;
        }
        shown++;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* ------------------------------------------------------------------------ */
/* Zones */

/* The UTC offset ICU gives at T, in milliseconds. */
static int icu_offset_ms(UCalendar *cal, pl_ms t, UErrorCode *st)
{
    int32_t zone, dst;

    ucal_setMillis(cal, (UDate)t, st);
    zone = ucal_get(cal, UCAL_ZONE_OFFSET, st);
    dst = ucal_get(cal, UCAL_DST_OFFSET, st);
    return zone + dst;
}

/* Fills ERR for an unknown zone NAME, suggesting the ICU id spelled the
 * same but for case when there is one. */
static void tz_unknown(const char *name, char *err, size_t errlen)
{
    char q[QUOTE_BUFSZ];
    char hint[TZ_NAME_MAX + 40] = "";
    UErrorCode st = U_ZERO_ERROR;
    UEnumeration *ids;
    const char *id;
    int32_t len;

    ids = ucal_openTimeZones(&st);
    if (U_SUCCESS(st) && ids) {
        while ((id = uenum_next(ids, &len, &st)) && U_SUCCESS(st)) {
            if (strcasecmp(id, name) == 0) {
                snprintf(hint, sizeof hint, "did you mean \"%s\"? ", id);
                break;
            }
        }
    }
    uenum_close(ids);
    set_err(err, errlen,
            "%s is not a known time zone: %swrite an IANA zone name such as "
            "\"Asia/Tokyo\", \"Europe/Berlin\" or \"UTC\"",
            quote(name, q, sizeof q), hint);
}

static int tz_push(pl_tz *tz, size_t *cap, pl_ms at, int32_t off)
{
    if (tz->n + 1 >= *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        pl_ms *nat = realloc(tz->at, ncap * sizeof *nat);

        if (!nat)
            return -1;
        tz->at = nat;
        int32_t *noff = realloc(tz->off, (ncap + 1) * sizeof *noff);
        if (!noff)
            return -1;
        tz->off = noff;
        *cap = ncap;
    }
    tz->at[tz->n] = at;
    tz->off[tz->n + 1] = off;
    tz->n++;
    return 0;
}

/* Builds TZ's table from ICU.  Returns 0, or -1 with ERR filled. */
static int tz_build(pl_tz *tz, const UChar *uid, char *err, size_t errlen)
{
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *cal;
    size_t cap = 0;
    pl_ms t = TZ_TABLE_FROM, maxabs = 0;
    int32_t off;
    int rc = -1;

    cal = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st) || !cal) {
        set_err(err, errlen, "time zone \"%s\": ICU cannot open it (%s)", tz->name,
                u_errorName(st));
        goto out;
    }
    tz->off = malloc(sizeof *tz->off);
    if (!tz->off)
        goto out_nomem;
    off = icu_offset_ms(cal, t, &st) / 1000;
    tz->off[0] = off;
    maxabs = llabs((long long)off) * 1000;
    for (;;) {
        UDate next;
        UBool found;
        pl_ms nt;

        ucal_setMillis(cal, (UDate)t, &st);
        found = ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_NEXT, &next, &st);
        if (U_FAILURE(st) || !found)
            break;
        nt = (pl_ms)next;
        if (nt <= t || nt > TZ_TABLE_TO)
            break;
        t = nt;
        off = icu_offset_ms(cal, t, &st) / 1000;
        if (U_FAILURE(st))
            break;
        /* ICU also reports changes of name or of the DST/standard split
         * that leave the total offset alone; those change nothing here. */
        if (off == tz->off[tz->n])
            continue;
        if (tz->n >= TZ_MAX_TRANSITIONS || tz_push(tz, &cap, t, off) < 0)
            goto out_nomem;
        if (llabs((long long)off) * 1000 > maxabs)
            maxabs = llabs((long long)off) * 1000;
    }
    if (U_FAILURE(st)) {
        set_err(err, errlen, "time zone \"%s\": ICU failed reading its rules (%s)", tz->name,
                u_errorName(st));
        goto out_close;
    }
    tz->max_abs_off_ms = maxabs + PL_MS_PER_HOUR;
    rc = 0;
    goto out_close;
out_nomem:
    set_err(err, errlen, "time zone \"%s\": out of memory", tz->name);
out_close:
    ucal_close(cal);
out:
    return rc;
}

pl_tz *pl_tz_new(const char *name, char *err, size_t errlen)
{
    UChar uid[TZ_NAME_MAX + 1];
    UChar canon[TZ_NAME_MAX + 1];
    UErrorCode st = U_ZERO_ERROR;
    UBool is_system = 0;
    size_t i, len;
    pl_tz *tz;

    if (!name || !*name) {
        set_err(err, errlen,
                "empty time zone name: write an IANA zone name such as \"Asia/Tokyo\"");
        return NULL;
    }
    len = strlen(name);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c <= 0x20 || c >= 0x7f || i >= TZ_NAME_MAX) {
            tz_unknown(name, err, errlen);
            return NULL;
        }
        uid[i] = c;
    }
    uid[len] = 0;
    ucal_getCanonicalTimeZoneID(uid, (int32_t)len, canon, TZ_NAME_MAX + 1, &is_system, &st);
    /* ICU takes unknown ids as "Etc/Unknown" (GMT) and custom ones such as
     * "GMT+9" as fixed offsets; only the zones of its database are zones. */
    if (U_FAILURE(st) || !is_system) {
        tz_unknown(name, err, errlen);
        return NULL;
    }
    tz = calloc(1, sizeof *tz);
    if (!tz)
        goto out_nomem;
    tz->name = strdup(name);
    if (!tz->name)
        goto out_free;
    if (tz_build(tz, uid, err, errlen) < 0)
        goto out_free_quiet;
    return tz;
out_free:
    pl_tz_free(tz);
out_nomem:
    set_err(err, errlen, "time zone \"%s\": out of memory", name);
    return NULL;
out_free_quiet:
    pl_tz_free(tz);
    return NULL;
}

void pl_tz_free(pl_tz *tz)
{
    if (!tz)
        return;
    free(tz->name);
    free(tz->at);
    free(tz->off);
    free(tz);
}

const char *pl_tz_name(const pl_tz *tz)
{
    return tz ? tz->name : "UTC";
}

/* Folds T at or past the table's end back by whole 400-year periods into
 * [TZ_FOLD_FROM, TZ_FOLD_TO); returns the amount subtracted. */
static pl_ms tz_fold(pl_ms *t)
{
    pl_ms shift;

    if (*t < TZ_FOLD_TO)
        return 0;
    shift = ((*t - TZ_FOLD_FROM) / TZ_PERIOD) * TZ_PERIOD;
    *t -= shift;
    return shift;
}

/* The index of the offset in force at T (already folded): how many
 * transitions are at or before T. */
static size_t tz_index(const pl_tz *tz, pl_ms t)
{
    size_t lo = 0, hi = tz->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int pl_tz_offset_at(const pl_tz *tz, pl_ms t)
{
    if (!tz)
        return 0;
    t = clamp_ms(t);
    tz_fold(&t);
    return tz->off[tz_index(tz, t)];
}

/* Splits the local wall time LOCAL (milliseconds since 1970-01-01 00:00
 * on the local clock) into OUT's fields, all but offset_s. */
static void civil_from_local(pl_ms local, struct pl_civil *out)
{
    int64_t days = floor_div(local, PL_MS_PER_DAY);
    int64_t msday = local - days * PL_MS_PER_DAY;
    int64_t y;

    pl_civil_from_days(days, &y, &out->month, &out->day);
    out->year = (int)y;
    out->hour = (int)(msday / PL_MS_PER_HOUR);
    out->min = (int)(msday / PL_MS_PER_MIN % 60);
    out->sec = (int)(msday / PL_MS_PER_SEC % 60);
    out->ms = (int)(msday % PL_MS_PER_SEC);
    out->wday = (int)floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
}

void pl_tz_to_civil(const pl_tz *tz, pl_ms t, struct pl_civil *out)
{
    int off;

    t = clamp_ms(t);
    off = pl_tz_offset_at(tz, t);
    civil_from_local(t + (pl_ms)off * PL_MS_PER_SEC, out);
    out->offset_s = off;
}

/* The instant of local wall time LOCAL: the earliest instant whose wall
 * time it is, or, when the clocks skipped it, the instant they jumped. */
static pl_ms tz_from_local(const pl_tz *tz, pl_ms local)
{
    pl_ms shift, m;
    size_t lo, hi, i;

    if (!tz)
        return local;
    shift = tz_fold(&local);
    m = tz->max_abs_off_ms;
    lo = tz_index(tz, local - m);
    hi = tz_index(tz, local + m);
    /* Offset interval i runs from at[i-1] to at[i]; intervals are in time
     * order, so the first that holds LOCAL gives the earliest instant. */
    for (i = lo; i <= hi; i++) {
        pl_ms t = local - (pl_ms)tz->off[i] * PL_MS_PER_SEC;

        if ((i == 0 || tz->at[i - 1] <= t) && (i == tz->n || t < tz->at[i]))
            return t + shift;
    }
    /* A gap: find the change whose wall clock jumped over LOCAL. */
    for (i = lo; i < hi && i < tz->n; i++) {
        pl_ms before = tz->at[i] + (pl_ms)tz->off[i] * PL_MS_PER_SEC;
        pl_ms after = tz->at[i] + (pl_ms)tz->off[i + 1] * PL_MS_PER_SEC;

        if (before <= local && local < after)
            return tz->at[i] + shift;
    }
    /* Not reached for a table built by tz_build(); stay defined anyway. */
    return local - (pl_ms)tz->off[lo] * PL_MS_PER_SEC + shift;
}

/* The local wall time of the fields, normalised (month 13 is January of
 * the next year, day 0 the last of the previous month, hour 24 the next
 * day's 00), as milliseconds on the local clock since 1970-01-01 00:00. */
static pl_ms local_from_fields(int y, int mo, int d, int h, int mi, int s, int ms)
{
    int64_t yy = (int64_t)y + floor_div((int64_t)mo - 1, 12);
    int m = (int)floor_mod((int64_t)mo - 1, 12) + 1;
    int64_t days;

    if (yy > CIVIL_YEAR_SANE)
        yy = CIVIL_YEAR_SANE;
    if (yy < -CIVIL_YEAR_SANE)
        yy = -CIVIL_YEAR_SANE;
    days = pl_days_from_civil(yy, m, 1) + ((int64_t)d - 1);
    return days * PL_MS_PER_DAY + (int64_t)h * PL_MS_PER_HOUR + (int64_t)mi * PL_MS_PER_MIN +
           (int64_t)s * PL_MS_PER_SEC + ms;
}

pl_ms pl_tz_from_civil(const pl_tz *tz, int y, int mo, int d, int h, int mi, int s, int ms)
{
    return tz_from_local(tz, local_from_fields(y, mo, d, h, mi, s, ms));
}

pl_ms pl_tz_day_start(const pl_tz *tz, pl_ms t)
{
    struct pl_civil c;

    pl_tz_to_civil(tz, t, &c);
    return pl_tz_from_civil(tz, c.year, c.month, c.day, 0, 0, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Formatting */

static int time_format(pl_ms t, const pl_tz *tz, char *buf, size_t len, bool with_ms)
{
    struct pl_civil c;
    int off, n;
    char sign = '+';

    if (!buf)
        return -1;
    t = clamp_ms(t);
    /* Local mean time offsets before standard time (Monrovia -00:44:30
     * until 1937) have seconds, which an ISO offset cannot show: write
     * the offset cut to whole minutes and the wall time that goes with
     * it, so the text still names exactly the instant T. */
    off = pl_tz_offset_at(tz, t);
    off -= off % 60;
    civil_from_local(t + (pl_ms)off * PL_MS_PER_SEC, &c);
    if (off < 0) {
        sign = '-';
        off = -off;
    }
    if (with_ms)
        n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", c.year, c.month,
                     c.day, c.hour, c.min, c.sec, c.ms, sign, off / 3600, off / 60 % 60);
    else
        n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day,
                     c.hour, c.min, c.sec, sign, off / 3600, off / 60 % 60);
    if (n < 0 || (size_t)n >= len) {
        if (len > 0)
            buf[0] = '\0';
        return -1;
    }
    return n;
}

int pl_time_format(pl_ms t, const pl_tz *tz, char *buf, size_t len)
{
    return time_format(t, tz, buf, len, true);
}

int pl_time_format_s(pl_ms t, const pl_tz *tz, char *buf, size_t len)
{
    return time_format(t, tz, buf, len, false);
}

/* ------------------------------------------------------------------------ */
/* Parsing */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly N digits at *P into *V; returns false (P unmoved) if the
 * digits are not there. */
static bool take_digits(const char **p, int n, int *v)
{
    int i, x = 0;

    for (i = 0; i < n; i++) {
        if (!is_digit((*p)[i]))
            return false;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

#define TIME_FORMS                                                                                 \
    "write \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM[:SS[.fff]]\" with an optional "                    \
    "\"Z\" or \"+09:00\" offset, e.g. \"2023-03-31T22:00+09:00\""

struct tparse {
    const char *s;       /* the whole text, for messages */
    char q[QUOTE_BUFSZ]; /* it, quoted */
    char *err;
    size_t errlen;
};

static int shape_error(struct tparse *tp, const char *what)
{
    set_err(tp->err, tp->errlen, "%s is not a date-time: %s; " TIME_FORMS, tp->q, what);
    return -1;
}

static int junk_error(struct tparse *tp, const char *p)
{
    char jq[QUOTE_BUFSZ];

    set_err(tp->err, tp->errlen, "%s has %s after the %s: remove it; " TIME_FORMS, tp->q,
            quote(p, jq, sizeof jq), p > tp->s + 10 ? "time" : "date");
    return -1;
}

/* Parses "YYYY-MM-DD" at *P and checks it is a real date. */
static int parse_date(struct tparse *tp, const char **p, int *y, int *mo, int *d)
{
    const char *s = *p;

    if (!take_digits(&s, 4, y))
        return shape_error(tp, "it does not start with a 4-digit year");
    /* "10000-01-01T08:59:59.999+09:00" is how PL_MS_MAX reads in Tokyo:
     * what pl_time_format() writes, this reads; the range check decides. */
    if (*y == 1000 && *s == '0' && !is_digit(s[1])) {
        *y = 10000;
        s++;
    }
    if (is_digit(*s))
        return shape_error(tp, "the year has more than 4 digits");
    if (*s != '-')
        return shape_error(tp, "the year must be followed by '-'");
    s++;
    if (!take_digits(&s, 2, mo) || *s != '-')
        return shape_error(tp, "the month must be 2 digits followed by '-' (\"03\", not \"3\")");
    s++;
    if (!take_digits(&s, 2, d) || is_digit(*s))
        return shape_error(tp, "the day must be 2 digits (\"01\", not \"1\")");
    /* 1899-12-31 may still be 1900 in UTC, west of Greenwich: the range
     * check on the instant decides. */
    if (*y < 1899) {
        set_err(tp->err, tp->errlen,
                "%s is out of range: years before 1900 are not handled "
                "(write a date from 1900-01-02 on)",
                tp->q);
        return -1;
    }
    if (*mo < 1 || *mo > 12) {
        set_err(tp->err, tp->errlen,
                "%s is not a date: months run 01..12 (write e.g. \"%04d-%02d-01\")", tp->q, *y,
                *mo < 1 ? 1 : 12);
        return -1;
    }
    if (*d < 1 || *d > days_in_month(*y, *mo)) {
        int dim = days_in_month(*y, *mo);

        if (*d < 1)
            set_err(tp->err, tp->errlen,
                    "%s is not a date: days run 01..%d in %s %d (write e.g. \"%04d-%02d-01\")",
                    tp->q, dim, month_names[*mo - 1], *y, *y, *mo);
        else
            set_err(tp->err, tp->errlen,
                    "%s is not a date: %s %d has %d days (write e.g. \"%04d-%02d-%02d\")", tp->q,
                    month_names[*mo - 1], *y, dim, *y, *mo, dim);
        return -1;
    }
    *p = s;
    return 0;
}

/* Parses "HH:MM[:SS[.f{1,3}]]" at *P, on date Y-MO-D, and checks it is a
 * time of day. */
static int parse_clock(struct tparse *tp, int y, int mo, int d, const char **p, int *h, int *mi,
                       int *sec, int *ms)
{
    const char *s = *p;
    int nfrac = 0;

    *sec = 0;
    *ms = 0;
    if (!take_digits(&s, 2, h) || *s != ':')
        return shape_error(tp, "the hour must be 2 digits followed by ':' (\"07:00\", "
                               "not \"7:00\")");
    s++;
    if (!take_digits(&s, 2, mi) || is_digit(*s))
        return shape_error(tp, "the minutes must be 2 digits");
    if (*s == ':') {
        s++;
        if (!take_digits(&s, 2, sec) || is_digit(*s))
            return shape_error(tp, "the seconds must be 2 digits");
        if (*s == '.' || *s == ',') {
            s++;
            while (is_digit(*s)) {
                if (nfrac < 3)
                    *ms = *ms * 10 + (*s - '0');
                nfrac++;
                s++;
            }
            if (nfrac == 0)
                return shape_error(tp, "a '.' after the seconds must be followed by digits");
            if (nfrac > 3) {
                set_err(tp->err, tp->errlen,
                        "%s has %d digits after the seconds' point: at most 3 "
                        "(milliseconds) are taken, e.g. \"12:00:00.250\"",
                        tp->q, nfrac);
                return -1;
            }
            while (nfrac++ < 3)
                *ms *= 10;
        }
    }
    if (*h > 23) {
        if (*h == 24 && *mi == 0 && *sec == 0 && *ms == 0) {
            int64_t ny;
            int nm, nd;

            pl_civil_from_days(pl_days_from_civil(y, mo, d) + 1, &ny, &nm, &nd);
            set_err(tp->err, tp->errlen,
                    "%s has hour 24: a time of day runs 00:00..23:59:59; for the midnight "
                    "that ends the day write the next day's 00:00 (e.g. \"%04d-%02d-%02dT00:00\")",
                    tp->q, (int)ny, nm, nd);
        } else
            set_err(tp->err, tp->errlen,
                    "%s has hour %02d: a time of day runs 00:00..23:59:59 (write e.g. "
                    "\"23:00\")",
                    tp->q, *h);
        return -1;
    }
    if (*mi > 59) {
        set_err(tp->err, tp->errlen,
                "%s has minute %02d: minutes run 00..59 (write e.g. \"%02d:59\")", tp->q, *mi, *h);
        return -1;
    }
    if (*sec > 59) {
        set_err(tp->err, tp->errlen,
                "%s has second %02d: seconds run 00..59, leap seconds are not taken "
                "(write e.g. \"%02d:%02d:59\")",
                tp->q, *sec, *h, *mi);
        return -1;
    }
    *p = s;
    return 0;
}

/* Parses an offset at *P: "Z", "+HH:MM", "+HHMM" or "+HH", up to +-14:00. */
static int parse_offset(struct tparse *tp, const char **p, int *off_s)
{
    const char *s = *p;
    int sign, oh, om = 0;

    if (*s == 'Z' || *s == 'z') {
        *off_s = 0;
        *p = s + 1;
        return 0;
    }
    sign = *s == '-' ? -1 : 1;
    s++;
    if (!take_digits(&s, 2, &oh))
        return shape_error(tp, "an offset is written \"+09:00\", \"+0900\" or \"Z\"");
    if (*s == ':') {
        s++;
        if (!take_digits(&s, 2, &om))
            return shape_error(tp, "an offset is written \"+09:00\", \"+0900\" or \"Z\"");
    } else if (is_digit(*s)) {
        if (!take_digits(&s, 2, &om))
            return shape_error(tp, "an offset is written \"+09:00\", \"+0900\" or \"Z\"");
    }
    if (om > 59 || oh * 60 + om > 14 * 60) {
        set_err(tp->err, tp->errlen,
                "%s has offset %c%02d:%02d: UTC offsets run -14:00..+14:00 (write e.g. "
                "\"+09:00\")",
                tp->q, sign < 0 ? '-' : '+', oh, om);
        return -1;
    }
    *off_s = sign * (oh * 3600 + om * 60);
    *p = s;
    return 0;
}

int pl_time_parse(const char *s, const pl_tz *tz, enum pl_time_role role, pl_ms *out, char *err,
                  size_t errlen)
{
    struct tparse tp = {.s = s, .err = err, .errlen = errlen};
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off_s = 0;
    bool has_time = false, has_off = false;
    pl_ms t;

    if (!s) {
        set_err(err, errlen, "no date-time given: " TIME_FORMS);
        return -1;
    }
    quote(s, tp.q, sizeof tp.q);
    if (!*s) {
        set_err(err, errlen, "empty date-time \"\": " TIME_FORMS);
        return -1;
    }
    if (*s == ' ' || *s == '\t' || s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t' ||
        s[strlen(s) - 1] == '\n' || s[strlen(s) - 1] == '\r') {
        set_err(err, errlen, "%s has spaces around it: remove them; " TIME_FORMS, tp.q);
        return -1;
    }
    if (parse_date(&tp, &p, &y, &mo, &d) < 0)
        return -1;
    if ((*p == 'T' || *p == 't' || *p == ' ') && is_digit(p[1])) {
        p++;
        if (parse_clock(&tp, y, mo, d, &p, &h, &mi, &sec, &ms) < 0)
            return -1;
        has_time = true;
        if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-') {
            if (parse_offset(&tp, &p, &off_s) < 0)
                return -1;
            has_off = true;
        }
    } else if (*p == 'T' || *p == 't' || *p == ' ') {
        return shape_error(&tp, "a time must follow the 'T'");
    }
    if (*p)
        return junk_error(&tp, p);

    if (!has_time) {
        if (role == PL_TIME_INSTANT) {
            set_err(err, errlen,
                    "%s is a date without a time of day, and an instant is needed here "
                    "(write e.g. \"%04d-%02d-%02dT00:00\")",
                    tp.q, y, mo, d);
            return -1;
        }
        t = pl_tz_from_civil(tz, y, mo, role == PL_TIME_END ? d + 1 : d, 0, 0, 0, 0);
    } else if (has_off) {
        t = local_from_fields(y, mo, d, h, mi, sec, ms) - (pl_ms)off_s * PL_MS_PER_SEC;
    } else {
        t = pl_tz_from_civil(tz, y, mo, d, h, mi, sec, ms);
    }
    if (t < PL_MS_MIN) {
        set_err(err, errlen,
                "%s is out of range: it is before 1900-01-01T00:00Z, the earliest instant "
                "handled (write a later one, e.g. \"1900-01-02\")",
                tp.q);
        return -1;
    }
    if (t > PL_MS_MAX) {
        set_err(err, errlen,
                "%s is out of range: it is after 9999-12-31T23:59:59.999Z, the latest "
                "instant handled (write an earlier one, e.g. \"9999-12-30\")",
                tp.q);
        return -1;
    }
    if (out)
        *out = t;
    return 0;
}

int pl_hhmm_parse(const char *s, int *minutes, char *err, size_t errlen)
{
    char q[QUOTE_BUFSZ];
    const char *p = s;
    int h = 0, m = 0, nh = 0;

    if (!s) {
        set_err(err, errlen, "no time of day given: write \"HH:MM\", e.g. \"07:00\"");
        return -1;
    }
    quote(s, q, sizeof q);
    while (is_digit(*p) && nh < 3) {
        h = h * 10 + (*p - '0');
        p++;
        nh++;
    }
    if (nh == 0 || nh > 2 || *p != ':' || !is_digit(p[1]) || !is_digit(p[2]) || p[3]) {
        set_err(err, errlen,
                "%s is not a time of day: write \"HH:MM\" from \"00:00\" to \"24:00\", "
                "e.g. \"07:00\" or \"22:30\"",
                q);
        return -1;
    }
    m = (p[1] - '0') * 10 + (p[2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) {
        set_err(err, errlen,
                "%s is not a time of day: times run \"00:00\" to \"23:59\", and \"24:00\" "
                "for the end of the day (write e.g. \"%s\")",
                q, h >= 24 ? "24:00" : "07:00");
        return -1;
    }
    if (minutes)
        *minutes = h * 60 + m;
    return 0;
}

int pl_weekday_parse(const char *s)
{
    static const char *const names[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday"};
    int i;

    if (!s)
        return -1;
    for (i = 0; i < 7; i++) {
        if (strcasecmp(s, names[i]) == 0 || (strlen(s) == 3 && strncasecmp(s, names[i], 3) == 0))
            return i;
    }
    return -1;
}
