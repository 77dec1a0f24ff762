#include "tools/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/atomic.h"
#include "common/log.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "playlists/model.h"
#include "tools/report_impl.h"

/* --- small containers --------------------------------------------------------- */

/* Makes room for NEED records of SIZE bytes in *V (zeroed), doubling.  0,
 * or -1 out of memory. */
static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    char *p = realloc(*v, cap2 * size);
    if (!p)
        return -1;
    memset(p + *cap * size, 0, (cap2 - *cap) * size);
    *v = p;
    *cap = cap2;
    return 0;
}

/* Interned strings: each distinct one once, named by its index. */
struct strtab {
    char **s;
    uint32_t n, cap;
    uint32_t *slot; /* index + 1; 0 free */
    size_t nslot;
};

static uint64_t str_hash(const char *s, size_t len)
{
    return hash64(s, len, 0x51ab);
}

/* The id of the LEN bytes at S, added when new.  0, or -1 out of memory. */
static int strtab_id(struct strtab *t, const char *s, size_t len, uint32_t *id)
{
    if ((t->n + 1) * 2 > t->nslot) {
        size_t nslot = hash_table_size(t->n + 64);
        uint32_t *slot = calloc(nslot, sizeof *slot);
        if (!slot)
            return -1;
        for (uint32_t i = 0; i < t->n; i++) {
            size_t k = str_hash(t->s[i], strlen(t->s[i])) & (nslot - 1);
            while (slot[k])
                k = (k + 1) & (nslot - 1);
            slot[k] = i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->nslot = nslot;
    }
    size_t k = str_hash(s, len) & (t->nslot - 1);
    for (; t->slot[k]; k = (k + 1) & (t->nslot - 1)) {
        const char *o = t->s[t->slot[k] - 1];
        if (strncmp(o, s, len) == 0 && o[len] == '\0') {
            *id = t->slot[k] - 1;
            return 0;
        }
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        char **v = realloc(t->s, cap * sizeof *v);
        if (!v)
            return -1;
        t->s = v;
        t->cap = cap;
    }
    if (!(t->s[t->n] = strndup(s, len)))
        return -1;
    t->slot[k] = t->n + 1;
    *id = t->n++;
    return 0;
}

static void strtab_free(struct strtab *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    free(t->slot);
}

/* Records of SIZE bytes found by the four 32-bit words they start with. */
struct table {
    char *v;
    size_t n, cap, size;
    uint32_t *slot; /* index + 1; 0 free */
    size_t nslot;
};

static uint64_t key_hash(const uint32_t k[4])
{
    return hash64_mix(hash64_mix(hash64_mix(k[0], k[1]), k[2]), k[3]);
}

static void *table_at(const struct table *t, size_t i)
{
    return t->v + i * t->size;
}

/* The record of KEY, made (zeroed, keyed) when new.  NULL out of memory. */
static void *table_get(struct table *t, const uint32_t key[4])
{
    if ((t->n + 1) * 2 > t->nslot) {
        size_t nslot = hash_table_size(t->n + 256);
        uint32_t *slot = calloc(nslot, sizeof *slot);
        if (!slot)
            return NULL;
        for (size_t i = 0; i < t->n; i++) {
            size_t k = key_hash(table_at(t, i)) & (nslot - 1);
            while (slot[k])
                k = (k + 1) & (nslot - 1);
            slot[k] = (uint32_t)i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->nslot = nslot;
    }
    size_t k = key_hash(key) & (t->nslot - 1);
    for (; t->slot[k]; k = (k + 1) & (t->nslot - 1)) {
        void *rec = table_at(t, t->slot[k] - 1);
        if (memcmp(rec, key, 4 * sizeof *key) == 0)
            return rec;
    }
    if (grow((void **)&t->v, &t->cap, t->n + 1, t->size) < 0)
        return NULL;
    void *rec = table_at(t, t->n);
    memset(rec, 0, t->size);
    memcpy(rec, key, 4 * sizeof *key);
    t->slot[k] = (uint32_t)++t->n;
    return rec;
}

static const void *table_find(const struct table *t, const uint32_t key[4])
{
    if (!t->nslot)
        return NULL;
    for (size_t k = key_hash(key) & (t->nslot - 1); t->slot[k]; k = (k + 1) & (t->nslot - 1)) {
        const void *rec = table_at(t, t->slot[k] - 1);
        if (memcmp(rec, key, 4 * sizeof *key) == 0)
            return rec;
    }
    return NULL;
}

static void table_free(struct table *t)
{
    free(t->v);
    free(t->slot);
}

/* Disjoint, sorted intervals [a, b): the time a screen's log accounts for.
 * A gap under IVS_JOIN_MS between two is the switch from one item to the
 * next (the last frame stays up meanwhile), not dark: they are joined. */
struct ivs {
    pl_ms (*v)[2];
    size_t n, cap;
};
#define IVS_JOIN_MS PL_MS_PER_SEC

/* Adds [A, B), merging what it touches.  Logs are written in order, so it
 * nearly always extends or follows the last one.  0, or -1 out of memory. */
static int ivs_add(struct ivs *s, pl_ms a, pl_ms b)
{
    if (s->n && a <= s->v[s->n - 1][1] + IVS_JOIN_MS && a >= s->v[s->n - 1][0]) {
        if (b > s->v[s->n - 1][1])
            s->v[s->n - 1][1] = b;
        return 0;
    }
    if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) < 0)
        return -1;
    /* i: the first interval ending near or after A; j: past the last one
     * starting near or before B */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid][1] + IVS_JOIN_MS < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = lo, j = i;
    while (j < s->n && s->v[j][0] <= b + IVS_JOIN_MS)
        j++;
    if (i == j) {
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->v[i][0] = a;
        s->v[i][1] = b;
        s->n++;
        return 0;
    }
    if (s->v[i][0] < a)
        a = s->v[i][0];
    if (s->v[j - 1][1] > b)
        b = s->v[j - 1][1];
    s->v[i][0] = a;
    s->v[i][1] = b;
    memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof *s->v);
    s->n -= j - i - 1;
    return 0;
}

/* Milliseconds of [A, B) the intervals cover. */
static int64_t ivs_covered(const struct ivs *s, pl_ms a, pl_ms b)
{
    size_t lo = 0, hi = s->n;
    int64_t sum = 0;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid][1] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < s->n && s->v[i][0] < b; i++) {
        pl_ms x = s->v[i][0] > a ? s->v[i][0] : a, y = s->v[i][1] < b ? s->v[i][1] : b;
        if (y > x)
            sum += y - x;
    }
    return sum;
}

/* --- the report ----------------------------------------------------------------- */

/* A (screen, campaign, owner, day) of the selection. */
struct cell {
    uint32_t key[4]; /* screen, campaign, owner, day */
    struct report_agg a;
};

/* A screen's day: everything it showed (the share's denominator). */
struct sday {
    uint32_t key[4]; /* screen, day, 0, 0 */
    int64_t shown_ms;
    long lines;
};

struct screen {
    char *name;   /* for people; NULL: none */
    bool covered; /* named by report_add_screen() */
    long selected;
    struct ivs logged, failing;
    uint32_t *tl; /* timeline buckets, REPORT_TL_NCAT each */
};

/* Lines already counted, by a 128-bit hash of their bytes: a log file
 * collected twice (or from two trees) is counted once.  One day at a time. */
struct seen {
    uint64_t (*v)[2]; /* {0, 0}: a free slot */
    size_t n, cap;
};

struct report {
    const pl_tz *tz;
    pl_ms now;
    struct strtab screens, campaigns, owners, titles;
    struct screen *scr; /* by screen id */
    uint32_t *title_of; /* by campaign id: the last title seen */
    size_t scr_cap, camp_cap;
    struct table cells, sdays;
    long lines, bad, repeated, selected;
    struct seen seen;
    bool dedupe; /* hash lines into seen */
    /* the selection; REPORT_NONE = any, and sel_* set but unseen = nothing yet */
    char *sel_owner, *sel_campaign;
    uint32_t sel_owner_id, sel_campaign_id;
    /* the period: days d0..d1 (d0 > d1: not set), instants [p0, p1) */
    int32_t d0, d1;
    pl_ms p0, p1;
    int32_t min_day, max_day; /* of the lines, for a report without a period */
    pl_ms tl_ms;              /* timeline bucket; 0: no timeline */
    size_t tl_n;
    uint32_t tl_cat[REPORT_TL_OWN];
    /* the local day last computed: [day_a, day_b) is day_n */
    pl_ms day_a, day_b;
    int32_t day_n;
    /* the ids of the last line, to skip lookups */
    const char *last_s[4];
    uint32_t last_id[4];
    /* the summary cache: its directory (NULL: none); a file's summary is
     * a report of its own that keeps, instead of a timeline, the time of
     * each (screen, campaign, owner) per slot of REPORT_SLOT_MS */
    char *cache_dir;
    bool slot_mode;
    struct table slots;
    long cache_hits, cache_writes;
    /* the screen folder of the file being read ("plaza" of
     * "plaza/play-DAY.jsonl"; NULL for a flat file): a line there naming
     * another screen is not counted (a box writes only its own screens'
     * folders, so the folder is what its certificate vouches for) */
    const char *folder;
    size_t folder_len;
    long misfiled;
};

/* A slot's time: the summary's stand-in for the timeline. */
struct slot {
    uint32_t key[4]; /* screen, campaign, owner, slot number (from the epoch) */
    int64_t ms;
};
#define REPORT_SLOT_MS (15 * 60000LL)
#define REPORT_MAX_DAYS 3660
/* An item's time on screen, at most: a line longer is a clock that jumped */
#define REPORT_MAX_ITEM_MS (24 * 3600000LL)
/* Days a summary may hold (years 1900 to 9999), and its lines at most */
#define REPORT_DAY_MIN (-25567)
#define REPORT_DAY_MAX 2932896
#define CACHE_MAX_LINES 100000000L
/* Instants a summary may hold: years 0 to 9999, as pl_time_parse() reads */
#define REPORT_MS_MIN (-62167219200000LL)
#define REPORT_MS_MAX (253402300800000LL)

static void seen_clear(struct seen *s);

struct report *report_new(const pl_tz *tz)
{
    struct report *r = calloc(1, sizeof *r);

    if (!r)
        return NULL;
    r->tz = tz;
    r->now = INT64_MAX;
    r->cells.size = sizeof(struct cell);
    r->sdays.size = sizeof(struct sday);
    r->slots.size = sizeof(struct slot);
    r->sel_owner_id = r->sel_campaign_id = REPORT_NONE;
    r->d0 = 1;
    r->d1 = 0;
    r->min_day = INT32_MAX;
    r->max_day = INT32_MIN;
    r->day_a = r->day_b = 0;
    for (int i = 0; i < REPORT_TL_OWN; i++)
        r->tl_cat[i] = REPORT_NONE;
    return r;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->screens.n; i++) {
        free(r->scr[i].name);
        free(r->scr[i].logged.v);
        free(r->scr[i].failing.v);
        free(r->scr[i].tl);
    }
    free(r->scr);
    free(r->title_of);
    strtab_free(&r->screens);
    strtab_free(&r->campaigns);
    strtab_free(&r->owners);
    strtab_free(&r->titles);
    table_free(&r->cells);
    table_free(&r->sdays);
    table_free(&r->slots);
    free(r->cache_dir);
    seen_clear(&r->seen);
    free(r->sel_owner);
    free(r->sel_campaign);
    free(r);
}

void report_set_now(struct report *r, pl_ms now)
{
    r->now = now;
}

long report_entries(const struct report *r)
{
    return r->lines;
}

long report_bad_lines(const struct report *r)
{
    return r->bad;
}

long report_repeated_lines(const struct report *r)
{
    return r->repeated;
}

long report_selected(const struct report *r)
{
    return r->selected;
}

static const char *const by_names[] = {"owner", "campaign", "screen", "day"};

int report_by_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, by_names[i]) == 0)
            return i;
    return -1;
}

int report_keys_parse(const char *s, struct report_keys *keys)
{
    keys->n = 0;
    if (!s || !*s)
        return -1;
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        char word[16];
        int k;
        if (len == 0 || len >= sizeof word || keys->n == 4)
            return -1;
        memcpy(word, p, len);
        word[len] = '\0';
        if ((k = report_by_parse(word)) < 0)
            return -1;
        for (size_t i = 0; i < keys->n; i++)
            if (keys->k[i] == (enum report_by)k)
                return -1;
        keys->k[keys->n++] = (enum report_by)k;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

void report_hms(long long ms, char *buf, size_t len)
{
    long long s = (ms + 500) / 1000;

    snprintf(buf, len, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

void report_day_text(int32_t day, char buf[16])
{
    int64_t y;
    int m, d;

    pl_civil_from_days(day, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02d-%02d", (int)(y % 10000), m, d);
}

/* "YYYY-MM-DD" -> day number; false when it is not a real date. */
static bool day_parse(const char *s, int32_t *day)
{
    int y, m, d;
    char tail;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1)
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int64_t n = pl_days_from_civil(y, m, d);
    int64_t ny;
    int nm, nd;
    pl_civil_from_days(n, &ny, &nm, &nd);
    if (nm != m || nd != d)
        return false; /* 2023-02-30 */
    *day = (int32_t)n;
    return true;
}

/* The instant local DAY starts. */
static pl_ms day_start(const struct report *r, int32_t day)
{
    int64_t y;
    int m, d;

    pl_civil_from_days(day, &y, &m, &d);
    return pl_tz_from_civil(r->tz, (int)y, m, d, 0, 0, 0, 0);
}

int report_select(struct report *r, const char *owner, const char *campaign)
{
    free(r->sel_owner);
    free(r->sel_campaign);
    r->sel_owner = owner ? strdup(owner) : NULL;
    r->sel_campaign = campaign ? strdup(campaign) : NULL;
    if ((owner && !r->sel_owner) || (campaign && !r->sel_campaign))
        return -1;
    /* interned now, so a line matches by id */
    if (owner && strtab_id(&r->owners, owner, strlen(owner), &r->sel_owner_id) < 0)
        return -1;
    if (campaign && strtab_id(&r->campaigns, campaign, strlen(campaign), &r->sel_campaign_id) < 0)
        return -1;
    return 0;
}

/* The screen's id, with its record made.  0, or -1 out of memory. */
static int screen_id(struct report *r, const char *s, size_t len, uint32_t *id)
{
    if (strtab_id(&r->screens, s, len, id) < 0)
        return -1;
    return grow((void **)&r->scr, &r->scr_cap, r->screens.n, sizeof *r->scr);
}

int report_add_screen(struct report *r, const char *id, const char *name, bool covered)
{
    uint32_t i;

    if (screen_id(r, id, strlen(id), &i) < 0)
        return -1;
    r->scr[i].covered |= covered;
    if (name && *name && !r->scr[i].name && !(r->scr[i].name = strdup(name)))
        return -1;
    return 0;
}

/* Picks the timeline's bucket: the period in at most 240 of them, each a
 * whole number of minutes that divides an hour or a day, and from 15
 * minutes on a whole number of the cache's slots. */
static void timeline_setup(struct report *r)
{
    /* from 15 minutes on, whole slots of the summary cache */
    static const int minutes[] = {1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440};
    pl_ms span = r->p1 - r->p0;

    r->tl_ms = 0;
    for (size_t i = 0; i < sizeof minutes / sizeof *minutes; i++) {
        pl_ms b = (pl_ms)minutes[i] * 60000;
        if (span / b <= 240) {
            r->tl_ms = b;
            break;
        }
    }
    if (!r->tl_ms)
        r->tl_ms = (span / 240 / 86400000 + 1) * 86400000;
    r->tl_n = (size_t)((span + r->tl_ms - 1) / r->tl_ms);
}

static int period_set_days(struct report *r, int32_t d0, int32_t d1)
{
    r->d0 = d0;
    r->d1 = d1;
    r->p0 = day_start(r, d0);
    r->p1 = day_start(r, d1 + 1);
    timeline_setup(r);
    return 0;
}

int report_set_period(struct report *r, const char *from, const char *to, char *err, size_t errlen)
{
    int32_t d0, d1;

    if (!day_parse(from, &d0) || !day_parse(to, &d1)) {
        snprintf(err, errlen, "--from/--to take a date like 2023-03-01, not '%s'",
                 day_parse(from, &d0) ? to : from);
        return -1;
    }
    if (d0 > d1) {
        snprintf(err, errlen, "--from %s is after --to %s", from, to);
        return -1;
    }
    if (d1 - d0 >= REPORT_MAX_DAYS) {
        snprintf(err, errlen,
                 "--from %s --to %s is %d days; a report covers at most %d (ten years): "
                 "give a shorter --from/--to",
                 from, to, d1 - d0 + 1, REPORT_MAX_DAYS);
        return -1;
    }
    return period_set_days(r, d0, d1);
}

/* --- reading a line ---------------------------------------------------------------- */

enum field { F_SCREEN, F_CAMPAIGN, F_OWNER, F_TITLE, F_START, F_END, F_RESULT, F_N };
static const char *const field_names[F_N] = {"screen", "campaign", "owner", "title",
                                             "start",  "end",      "result"};
static const size_t field_lens[F_N] = {6, 8, 5, 5, 5, 3, 6};

/* The parts of a line the report reads: strings (not NUL-terminated),
 * NULL when absent or not a string. */
struct fields {
    const char *s[F_N];
    size_t len[F_N];
    bool have_shown;
    long long shown;
};

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* A string without escapes or control characters: its end (past the
 * closing quote), or NULL when it needs the full parser. */
static const char *simple_string(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

    for (p++; end - p >= 8;) {
        /* eight plain bytes at a time: no quote, backslash or control */
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs)
            break;
        p += 8;
    }
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c == '\\' || c < 0x20)
            return NULL;
    }
    return NULL;
}

/* A JSON integer that fits a long long: its end, its value in *V.  NULL
 * for anything else (a fraction, an exponent, too many digits, not a
 * number): jansson then decides, as it would refuse a real that overflows. */
static const char *integer(const char *p, const char *end, long long *v)
{
    const char *q = p;
    bool neg = false;
    unsigned long long n = 0;

    if (q < end && *q == '-') {
        neg = true;
        q++;
    }
    if (q >= end || *q < '0' || *q > '9' ||
        (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9'))
        return NULL;
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        if (n > (ULLONG_MAX - 9) / 10)
            return NULL;
        n = n * 10 + (unsigned)(*q - '0');
    }
    if ((q < end && (*q == '.' || *q == 'e' || *q == 'E')) || n > (unsigned long long)LLONG_MAX)
        return NULL;
    *v = neg ? -(long long)n : (long long)n;
    return q;
}

/* Reads a flat object (string, integer, true, false and null values; no
 * escapes) as the players write it, without building it.  Returns true
 * with F filled; false when the line needs jansson (anything else, which
 * may still be valid, or the error jansson will name). */
static bool scan_flat(const char *line, size_t len, struct fields *f)
{
    const char *p = line, *end = line + len;
    unsigned seen = 0;

    memset(f, 0, sizeof *f);
    if (!utf8_valid(line, len))
        return false;
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{')
        return false;
    p = skip_ws(p, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end;
    for (;;) {
        const char *k = p, *ke;
        if (p >= end || *p != '"' || !(ke = simple_string(p, end)))
            return false;
        p = skip_ws(ke, end);
        if (p >= end || *p++ != ':')
            return false;
        p = skip_ws(p, end);
        if (p >= end)
            return false;
        size_t klen = (size_t)(ke - k - 2);
        int which = -1;
        for (int i = 0; i < F_N; i++)
            if (field_lens[i] == klen && memcmp(field_names[i], k + 1, klen) == 0)
                which = i;
        bool is_shown = klen == 8 && memcmp(k + 1, "shown_ms", 8) == 0;
        if (which >= 0 || is_shown) {
            unsigned bit = which >= 0 ? 1u << which : 1u << F_N;
            if (seen & bit)
                return false; /* a duplicate: jansson refuses it */
            seen |= bit;
        }
        if (*p == '"') {
            const char *ve = simple_string(p, end);
            if (!ve)
                return false;
            if (which >= 0) {
                f->s[which] = p + 1;
                f->len[which] = (size_t)(ve - p - 2);
            }
            p = ve;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            long long v;
            const char *ne = integer(p, end, &v);
            if (!ne)
                return false;
            if (is_shown) {
                f->have_shown = true;
                f->shown = v;
            }
            p = ne;
        } else if ((size_t)(end - p) >= 4 &&
                   (memcmp(p, "null", 4) == 0 || memcmp(p, "true", 4) == 0)) {
            p += 4;
        } else if ((size_t)(end - p) >= 5 && memcmp(p, "false", 5) == 0) {
            p += 5;
        } else {
            return false; /* an object, an array, or not JSON */
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            return skip_ws(p + 1, end) == end;
        return false;
    }
}

/* The same through jansson, for anything else.  O gets the document (to
 * free after F is used).  -1 with ERR filled when it is not an object. */
static int scan_json(const char *line, size_t len, struct fields *f, json_t **o, const char *name,
                     long lineno, char *err, size_t errlen)
{
    json_error_t jerr;

    memset(f, 0, sizeof *f);
    *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*o || !json_is_object(*o)) {
        snprintf(err, errlen, "%s:%ld: error: not a JSON object (%s)", name, lineno,
                 *o ? "another JSON value" : jerr.text);
        return -1;
    }
    for (int i = 0; i < F_N; i++) {
        json_t *v = json_object_get(*o, field_names[i]);
        if (json_is_string(v)) {
            f->s[i] = json_string_value(v);
            f->len[i] = json_string_length(v);
            if (memchr(f->s[i], '\0', f->len[i]))
                f->s[i] = NULL; /* "\u0000" */
        }
    }
    json_t *shown = json_object_get(*o, "shown_ms");
    if (json_is_integer(shown)) {
        f->have_shown = true;
        f->shown = json_integer_value(shown);
    }
    return 0;
}

static int two(const char *p)
{
    return (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9')
               ? (p[0] - '0') * 10 + p[1] - '0'
               : -1;
}

/* "2023-03-15T10:00:14.481+09:00" (or "...Z"), as the players write it,
 * years 1901 to 9998.  False for anything else (pl_time_parse() then reads
 * it, and says what is wrong). */
bool report_time_fast(const char *s, size_t n, pl_ms *out)
{
    if ((n != 29 && n != 24) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != '.')
        return false;
    int c = two(s), y = two(s + 2), mo = two(s + 5), d = two(s + 8), h = two(s + 11),
        mi = two(s + 14), sec = two(s + 17), ms1 = two(s + 20), ms2 = s[22] - '0';
    if (c < 19 || y < 0 || (c == 19 && y == 0) || (c == 99 && y == 99) || mo < 1 || mo > 12 ||
        d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms1 < 0 ||
        ms2 < 0 || ms2 > 9)
        return false;
    int off = 0;
    if (n == 24) {
        if (s[23] != 'Z')
            return false;
    } else {
        int oh = two(s + 24), om = two(s + 27);
        if ((s[23] != '+' && s[23] != '-') || s[26] != ':' || oh < 0 || om < 0 || om > 59 ||
            oh * 60 + om > 14 * 60)
            return false;
        off = (oh * 60 + om) * (s[23] == '-' ? -1 : 1);
    }
    int64_t days = pl_days_from_civil(c * 100 + y, mo, d);
    *out = ((days * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)off * 60) * 1000 + ms1 * 10 + ms2;
    return true;
}

static int time_of(const struct report *r, const char *s, size_t n, pl_ms *out, char *err,
                   size_t errlen)
{
    char buf[64];

    if (report_time_fast(s, n, out))
        return 0;
    if (n >= sizeof buf) {
        snprintf(err, errlen,
                 "a time is %zu bytes long; expected one like "
                 "2023-03-15T10:00:00.000+09:00",
                 n);
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return pl_time_parse(buf, r->tz, PL_TIME_INSTANT, out, err, errlen);
}

/* The local day T falls in. */
static int32_t local_day(struct report *r, pl_ms t)
{
    if (t >= r->day_a && t < r->day_b)
        return r->day_n;
    struct pl_civil civ;
    pl_tz_to_civil(r->tz, t, &civ);
    r->day_n = (int32_t)pl_days_from_civil(civ.year, civ.month, civ.day);
    r->day_a = pl_tz_day_start(r->tz, t);
    r->day_b = day_start(r, r->day_n + 1);
    return r->day_n;
}

/* The id of field W of F in TAB (cached for lines like the last). */
static int field_id(struct report *r, struct strtab *tab, int slot, const char *s, size_t len,
                    uint32_t *id)
{
    const char *last = r->last_s[slot];

    if (last && strncmp(last, s, len) == 0 && last[len] == '\0') {
        *id = r->last_id[slot];
        return 0;
    }
    if (strtab_id(tab, s, len, id) < 0)
        return -1;
    r->last_s[slot] = tab->s[*id];
    r->last_id[slot] = *id;
    return 0;
}

static int result_parse(const char *s, size_t len)
{
    static const char *const names[] = {"played", "cut", "skipped", "error"};

    for (int i = 0; i < 4; i++)
        if (strlen(names[i]) == len && memcmp(s, names[i], len) == 0)
            return i;
    return -1;
}

/* The timeline category of a line: by campaign when a selection was made,
 * else by owner. */
static int timeline_cat(struct report *r, bool selected, uint32_t campaign, uint32_t owner)
{
    bool by_owner = !r->sel_owner && !r->sel_campaign;
    uint32_t id = by_owner ? owner : campaign;

    if (!selected)
        return REPORT_TL_OTHER;
    for (int i = 0; i < REPORT_TL_OWN; i++) {
        if (r->tl_cat[i] == id)
            return i;
        if (r->tl_cat[i] == REPORT_NONE) {
            r->tl_cat[i] = id;
            return i;
        }
    }
    return REPORT_TL_REST;
}

/* Spreads [A, B) of a line (SELECTED or not, of CAMPAIGN and OWNER) over
 * the screen's timeline buckets.  Its category is taken only when it adds
 * time, so lines and summaries give the colours in the same order. */
static int timeline_add(struct report *r, struct screen *sc, pl_ms a, pl_ms b, bool selected,
                        uint32_t campaign, uint32_t owner)
{
    if (!r->tl_ms)
        return 0;
    if (a < r->p0)
        a = r->p0;
    if (b > r->p1)
        b = r->p1;
    if (b <= a)
        return 0;
    int cat = timeline_cat(r, selected, campaign, owner);
    if (!sc->tl && !(sc->tl = calloc(r->tl_n * REPORT_TL_NCAT, sizeof *sc->tl)))
        return -1;
    for (size_t i = (size_t)((a - r->p0) / r->tl_ms); i < r->tl_n && a < b; i++) {
        pl_ms e = r->p0 + (pl_ms)(i + 1) * r->tl_ms;
        if (e > b)
            e = b;
        sc->tl[i * REPORT_TL_NCAT + (size_t)cat] += (uint32_t)(e - a);
        a = e;
    }
    return 0;
}

/* Spreads [A, B) over the slots of (SCREEN, CAMPAIGN, OWNER). */
static int slots_add(struct report *r, uint32_t screen, uint32_t campaign, uint32_t owner, pl_ms a,
                     pl_ms b)
{
    while (a < b) {
        int64_t n = a / REPORT_SLOT_MS - (a % REPORT_SLOT_MS < 0);
        pl_ms e = (n + 1) * REPORT_SLOT_MS;
        if (n < 0 || n > UINT32_MAX)
            return 0; /* before 1970 or after 2092: not on a timeline */
        struct slot *sl =
            table_get(&r->slots, (const uint32_t[4]){screen, campaign, owner, (uint32_t)n});
        if (!sl)
            return -1;
        sl->ms += (e < b ? e : b) - a; /* overlapping lines add up, as in the timeline */
        a = e;
    }
    return 0;
}

static int add_fields(struct report *r, const struct fields *f, const char *name, long lineno,
                      char *err, size_t errlen)
{
    char terr[256];
    pl_ms start, end;
    uint32_t screen, campaign, owner, title = REPORT_NONE;

    if (!f->s[F_SCREEN] || !f->s[F_CAMPAIGN] || !f->s[F_START] || !f->s[F_END] || !f->s[F_RESULT] ||
        !f->have_shown) {
        snprintf(err, errlen,
                 "%s:%ld: error: not a proof-of-play entry: screen, campaign, start, end, "
                 "result and shown_ms are required",
                 name, lineno);
        return -1;
    }
    if (r->folder &&
        (f->len[F_SCREEN] != r->folder_len || memcmp(f->s[F_SCREEN], r->folder, r->folder_len))) {
        r->misfiled++;
        return 0;
    }
    int res = result_parse(f->s[F_RESULT], f->len[F_RESULT]);
    if (res < 0) {
        snprintf(err, errlen,
                 "%s:%ld: error: result \"%.*s\" is unknown; expected played, cut, skipped or "
                 "error",
                 name, lineno, (int)(f->len[F_RESULT] > 40 ? 40 : f->len[F_RESULT]),
                 f->s[F_RESULT]);
        return -1;
    }
    if (time_of(r, f->s[F_START], f->len[F_START], &start, terr, sizeof terr) < 0 ||
        time_of(r, f->s[F_END], f->len[F_END], &end, terr, sizeof terr) < 0) {
        snprintf(err, errlen, "%s:%ld: error: %s", name, lineno, terr);
        return -1;
    }
    if (end - start > REPORT_MAX_ITEM_MS) {
        snprintf(err, errlen,
                 "%s:%ld: error: from start to end is over a day: not one item on screen "
                 "(did the player's clock jump?)",
                 name, lineno);
        return -1;
    }
    if (end < start || f->shown < 0 || f->shown > end - start + PL_MS_PER_SEC) {
        snprintf(err, errlen,
                 "%s:%ld: error: end is before start or shown_ms does not fit between them", name,
                 lineno);
        return -1;
    }
    if (field_id(r, &r->campaigns, 1, f->s[F_CAMPAIGN], f->len[F_CAMPAIGN], &campaign) < 0 ||
        field_id(r, &r->owners, 2, f->s[F_OWNER] ? f->s[F_OWNER] : "",
                 f->s[F_OWNER] ? f->len[F_OWNER] : 0, &owner) < 0 ||
        (f->s[F_TITLE] && field_id(r, &r->titles, 3, f->s[F_TITLE], f->len[F_TITLE], &title) < 0) ||
        grow((void **)&r->title_of, &r->camp_cap, r->campaigns.n, sizeof *r->title_of) < 0)
        goto oom;
    /* screen last: its record may move when the table grows */
    const char *ls = r->last_s[0];
    if (ls && strncmp(ls, f->s[F_SCREEN], f->len[F_SCREEN]) == 0 && ls[f->len[F_SCREEN]] == '\0') {
        screen = r->last_id[0];
    } else {
        if (screen_id(r, f->s[F_SCREEN], f->len[F_SCREEN], &screen) < 0)
            goto oom;
        r->last_s[0] = r->screens.s[screen];
        r->last_id[0] = screen;
    }
    if (title != REPORT_NONE)
        r->title_of[campaign] = title + 1;

    int32_t day = local_day(r, start);
    bool selected = (r->sel_owner_id == REPORT_NONE || owner == r->sel_owner_id) &&
                    (r->sel_campaign_id == REPORT_NONE || campaign == r->sel_campaign_id);
    struct screen *sc = &r->scr[screen];
    struct sday *sd = table_get(&r->sdays, (const uint32_t[4]){screen, (uint32_t)day, 0, 0});
    if (!sd)
        goto oom;
    sd->shown_ms += f->shown;
    sd->lines++;
    if (selected) {
        struct cell *c =
            table_get(&r->cells, (const uint32_t[4]){screen, campaign, owner, (uint32_t)day});
        if (!c)
            goto oom;
        switch (res) {
        case 0:
            c->a.played++;
            break;
        case 1:
            c->a.cut++;
            break;
        case 2:
            c->a.skipped++;
            break;
        default:
            c->a.errors++;
        }
        c->a.shown_ms += f->shown;
        sc->selected++;
        r->selected++;
    }
    if (ivs_add(&sc->logged, start, end) < 0 || (res >= 2 && ivs_add(&sc->failing, start, end) < 0))
        goto oom;
    if (res < 2 && r->slot_mode && slots_add(r, screen, campaign, owner, start, end) < 0)
        goto oom;
    if (res < 2 && timeline_add(r, sc, start, end, selected, campaign, owner) < 0)
        goto oom;
    if (day < r->min_day)
        r->min_day = day;
    if (day > r->max_day)
        r->max_day = day;
    r->lines++;
    return 0;
oom:
    snprintf(err, errlen, "%s:%ld: error: out of memory", name, lineno);
    return -1;
}

int report_add_line(struct report *r, const char *line, size_t len, const char *name, long lineno,
                    char *err, size_t errlen)
{
    struct fields f;
    json_t *o = NULL;
    int rc;

    if (scan_flat(line, len, &f))
        return add_fields(r, &f, name, lineno, err, errlen);
    rc = scan_json(line, len, &f, &o, name, lineno, err, errlen);
    if (rc == 0)
        rc = add_fields(r, &f, name, lineno, err, errlen);
    json_decref(o);
    return rc;
}

/* --- reading the trees ------------------------------------------------------------- */

/* True when NAME is play-YYYY-MM-DD.jsonl, or a part of it uploaded by a
 * box during the day, play-YYYY-MM-DD.jsonl.NNNNNNNNNNNN.part (its first
 * byte's offset in the day file, 12 digits); copies the date into DAY and
 * the part's offset into *OFF (-1 for the whole file). */
static bool log_name_date(const char *name, char day[11], long long *off)
{
    static const char pat[] = "play-NNNN-NN-NN.jsonl", part[] = ".NNNNNNNNNNNN.part";
    size_t n = strlen(name), w = sizeof pat - 1;

    if (n != w && n != w + sizeof part - 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = i < w ? pat[i] : part[i - w];
        if (c == 'N' ? (name[i] < '0' || name[i] > '9') : name[i] != c)
            return false;
    }
    memcpy(day, name + 5, 10);
    day[10] = '\0';
    *off = n == w ? -1 : strtoll(name + w + 1, NULL, 10);
    return true;
}

/* Adds the line hashed H to the day's set.  Returns 1 when it was there
 * already, 0 when added, -1 out of memory (the line is counted). */
static int seen_add(struct seen *s, const uint64_t h[2])
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = hash_table_size(2 * (s->n + 512)); /* a quarter full: room to grow */
        uint64_t(*v)[2] = calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i][0] && !s->v[i][1])
                continue;
            size_t k = s->v[i][0] & (cap - 1);
            while (v[k][0] || v[k][1])
                k = (k + 1) & (cap - 1);
            v[k][0] = s->v[i][0];
            v[k][1] = s->v[i][1];
        }
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    size_t k = h[0] & (s->cap - 1);
    for (; s->v[k][0] || s->v[k][1]; k = (k + 1) & (s->cap - 1))
        if (s->v[k][0] == h[0] && s->v[k][1] == h[1])
            return 1;
    s->v[k][0] = h[0];
    s->v[k][1] = h[1];
    s->n++;
    return 0;
}

static void seen_clear(struct seen *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* One line of a file: counted once, or refused with a warning for the
 * first few. */
static void take_line(struct report *r, const char *line, size_t len, const char *name, long lineno)
{
    char err[512];

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0)
        return;
    if (r->dedupe) {
        uint64_t h[2] = {hash64(line, len, 0x5eed), hash64(line, len, 0xfeed) | 1};
        if (seen_add(&r->seen, h) == 1) {
            r->repeated++;
            return;
        }
    }
    if (report_add_line(r, line, len, name, lineno, err, sizeof err) < 0 && r->bad++ < 5) {
        char shown[sizeof err * 4];
        log_warn("%s (line ignored)", utf8_printable(err, shown, sizeof shown)); /* no raw ESC */
    }
}

#define LINE_MAX_BYTES (64 * 1024) /* a proof-of-play line is ~400 bytes */

/* Streams the file at PATH line by line, in blocks. */
static void load_file(struct report *r, const char *path, const char *name)
{
    size_t cap = 1 << 20, have = 0;
    char *buf;
    long lineno = 0, misfiled = r->misfiled;
    bool skipping = false; /* inside a line too long to read */
    const char *slash = strchr(name, '/');
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        log_warn("%s: cannot read: %s; skipped", path, strerror(errno));
        return;
    }
    if (!(buf = malloc(cap))) {
        log_warn("%s: out of memory; skipped", path);
        close(fd);
        return;
    }
    r->folder = slash ? name : NULL;
    r->folder_len = slash ? (size_t)(slash - name) : 0;
    for (;;) {
        ssize_t got = read(fd, buf + have, cap - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            log_warn("%s: read failed: %s; the rest of it is skipped", path, strerror(errno));
        if (got <= 0)
            break;
        have += (size_t)got;
        char *p = buf, *end = buf + have, *nl;
        while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
            lineno++;
            if (!skipping)
                take_line(r, p, (size_t)(nl - p), name, lineno);
            skipping = false;
            p = nl + 1;
        }
        have = (size_t)(end - p);
        memmove(buf, p, have);
        if (have >= LINE_MAX_BYTES) {
            if (!skipping && r->bad++ < 5)
                log_warn("%s:%ld: error: a line longer than %d bytes (line ignored)", name,
                         lineno + 1, LINE_MAX_BYTES);
            skipping = true;
            have = 0;
        }
    }
    if (have && !skipping)
        take_line(r, buf, have, name, lineno + 1); /* the last line, without its newline */
    free(buf);
    close(fd);
    r->folder = NULL;
    if (r->misfiled > misfiled)
        log_warn("%s: %ld line%s naming another screen than its folder's: not counted", name,
                 r->misfiled - misfiled, r->misfiled - misfiled == 1 ? "" : "s");
}

/* A log file found in a tree: its local date and path; or a part of one
 * (a run of its complete lines, uploaded while the day was going on). */
struct logfile {
    char day[11];
    char *path;
    size_t rel;     /* where the part below the tree starts: "<screen>/play-DAY.jsonl" */
    size_t baselen; /* the length of that part up to ".jsonl": the day file it is of */
    long long off;  /* a part's first byte in its day file; -1: the whole file */
    long long size; /* its bytes (a part's: its byte range); -1: not known */
};

struct logfiles {
    struct logfile *v;
    size_t n, cap;
};

/* By day, then by the day file they are of (below their tree), its whole
 * copies before its parts and the parts by offset, then by tree. */
static int logfile_cmp(const void *a, const void *b)
{
    const struct logfile *x = a, *y = b;
    int c = strcmp(x->day, y->day);

    if (!c) {
        size_t n = x->baselen < y->baselen ? x->baselen : y->baselen;
        c = memcmp(x->path + x->rel, y->path + y->rel, n);
        if (!c && x->baselen != y->baselen)
            c = x->baselen < y->baselen ? -1 : 1;
    }
    if (!c && x->off != y->off)
        c = x->off < y->off ? -1 : 1;
    return c ? c : strcmp(x->path, y->path);
}

/* Adds DIR/NAME when NAME is a log (or a part of one) of a day within
 * [FROM, TO].  0, or -1 out of memory. */
static int logfile_add(struct logfiles *lf, const char *dir, const char *name, size_t rel,
                       const char *from, const char *to)
{
    char day[11];
    int32_t d;
    long long off;
    struct stat st;

    if (!log_name_date(name, day, &off) || (from && strcmp(day, from) < 0) ||
        (to && strcmp(day, to) > 0))
        return 0;
    if (!day_parse(day, &d)) {
        log_warn("%s/%s: not a real date; skipped", dir, name);
        return 0;
    }
    if (grow((void **)&lf->v, &lf->cap, lf->n + 1, sizeof *lf->v) < 0)
        return -1;
    struct logfile *f = &lf->v[lf->n];
    memcpy(f->day, day, sizeof day);
    if (asprintf(&f->path, "%s/%s", dir, name) < 0)
        return -1;
    f->rel = rel;
    f->baselen = strlen(f->path + rel) - (off < 0 ? 0 : sizeof ".NNNNNNNNNNNN.part" - 1);
    f->off = off;
    f->size = stat(f->path, &st) == 0 ? (long long)st.st_size : -1;
    lf->n++;
    return 0;
}

/* The logs in TREE: TREE/play-DAY.jsonl (one box's players writing side by
 * side, before logs went per screen) and TREE/<screen>/play-DAY.jsonl.
 * 0, or -1 with ERR filled when TREE cannot be read. */
static int logfiles_scan(struct logfiles *lf, const char *tree, const char *from, const char *to,
                         char *err, size_t errlen)
{
    struct dirent *de;
    DIR *d = opendir(tree);

    if (!d) {
        snprintf(err, errlen, "%s: cannot read the log directory: %s", tree, strerror(errno));
        return -1;
    }
    size_t rel = strlen(tree) + 1;

    while ((de = readdir(d))) {
        char *sub = NULL;
        DIR *sd;
        if (logfile_add(lf, tree, de->d_name, rel, from, to) < 0)
            goto oom;
        if (!pl_id_valid(de->d_name) || asprintf(&sub, "%s/%s", tree, de->d_name) < 0)
            continue;
        if ((sd = opendir(sub))) {
            struct dirent *se;
            while ((se = readdir(sd)))
                if (logfile_add(lf, sub, se->d_name, rel, from, to) < 0) {
                    closedir(sd);
                    free(sub);
                    goto oom;
                }
            closedir(sd);
        }
        free(sub);
    }
    closedir(d);
    return 0;
oom:
    closedir(d);
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Whether the day of files [I, J) (sorted) must be read through the seen
 * set: a line can be found twice only when a day file (below its tree) is
 * there twice, whole or in parts whose byte ranges may overlap (a whole
 * file and its parts, left by a box that crashed between uploading the one
 * and deleting the others; a part collected in two trees), or when a flat
 * file (any screen's lines) is there beside another file.  The parts of
 * one file are disjoint byte ranges: read as they are. */
static bool day_needs_dedupe(const struct logfiles *lf, size_t i, size_t j)
{
    size_t bases = 0;
    bool flat = false;

    for (size_t k = i; k < j; k++) {
        const struct logfile *f = &lf->v[k], *p = k > i ? &lf->v[k - 1] : NULL;
        const char *rel = f->path + f->rel;
        if (!memchr(rel, '/', f->baselen))
            flat = true;
        if (!p || p->baselen != f->baselen || memcmp(p->path + p->rel, rel, f->baselen) != 0) {
            bases++;
            continue;
        }
        /* the same day file again: whole twice, whole and parts, or parts
         * that may overlap (sorted by offset; a size not known may) */
        if (p->off < 0 || f->off < 0 || p->size < 0 || f->size < 0 || p->off + p->size > f->off)
            return true;
    }
    return flat && bases > 1;
}

/* --- the summary cache ---------------------------------------------------------------- */

/* A log file's summary is kept in the cache directory under a name made
 * from the file's identity (device, inode, size, modification and change
 * times) and the time zone days are counted in; a file that changes gets a
 * new one.  The summary is checked whole (its identity, every count
 * against its length, every id, a checksum at the end): a torn, stale or
 * hostile one is read as absent and rebuilt. */

#define CACHE_MAGIC "SGRC"
#define CACHE_VERSION 2u /* 2: lines in another screen's folder are not counted */

struct ident {
    uint64_t v[6]; /* dev, ino, size, mtime_ns, ctime_ns, zone */
};

static void ident_of(const struct report *r, const struct stat *st, struct ident *id)
{
    const char *zone = pl_tz_name(r->tz);

    id->v[0] = (uint64_t)st->st_dev;
    id->v[1] = (uint64_t)st->st_ino;
    id->v[2] = (uint64_t)st->st_size;
    id->v[3] = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
    id->v[4] = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
    id->v[5] = hash64(zone, strlen(zone), CACHE_VERSION);
}

static char *cache_path(const struct report *r, const struct ident *id)
{
    char hex[17], *path = NULL;

    hash64_hex(hash64(id->v, sizeof id->v, 0xcace), hex);
    if (asprintf(&path, "%s/%s.sum", r->cache_dir, hex) < 0)
        return NULL;
    return path;
}

static void put(struct strbuf *b, const void *p, size_t n)
{
    sb_append(b, p, n);
}

static void put32(struct strbuf *b, uint32_t v)
{
    put(b, &v, sizeof v);
}

static void put64(struct strbuf *b, uint64_t v)
{
    put(b, &v, sizeof v);
}

static void put_strtab(struct strbuf *b, const struct strtab *t)
{
    put32(b, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t len = (uint32_t)strlen(t->s[i]);
        put32(b, len);
        put(b, t->s[i], len);
    }
}

static void put_ivs(struct strbuf *b, const struct report *s, bool failing)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < s->screens.n; i++)
        n += (uint32_t)(failing ? s->scr[i].failing.n : s->scr[i].logged.n);
    put32(b, n);
    for (uint32_t i = 0; i < s->screens.n; i++) {
        const struct ivs *v = failing ? &s->scr[i].failing : &s->scr[i].logged;
        for (size_t k = 0; k < v->n; k++) {
            put32(b, i);
            put64(b, (uint64_t)v->v[k][0]);
            put64(b, (uint64_t)v->v[k][1]);
        }
    }
}

/* Writes the summary S of the file ID; a failure only costs the next run
 * the reading again. */
static void cache_save(struct report *r, const struct report *s, const struct ident *id)
{
    struct strbuf b = STRBUF_INIT;
    char *path = cache_path(r, id), *tmp = NULL;
    int fd = -1;

    put(&b, CACHE_MAGIC, 4);
    put32(&b, CACHE_VERSION);
    put(&b, id->v, sizeof id->v);
    put64(&b, (uint64_t)s->lines);
    put64(&b, (uint64_t)s->bad);
    put_strtab(&b, &s->screens);
    put_strtab(&b, &s->campaigns);
    put_strtab(&b, &s->owners);
    put_strtab(&b, &s->titles);
    put32(&b, (uint32_t)s->cells.n);
    for (size_t i = 0; i < s->cells.n; i++) {
        const struct cell *c = table_at(&s->cells, i);
        uint32_t t = c->key[1] < s->camp_cap ? s->title_of[c->key[1]] : 0;
        put(&b, c->key, sizeof c->key);
        put32(&b, t);
        put64(&b, (uint64_t)c->a.played);
        put64(&b, (uint64_t)c->a.cut);
        put64(&b, (uint64_t)c->a.skipped);
        put64(&b, (uint64_t)c->a.errors);
        put64(&b, (uint64_t)c->a.shown_ms);
    }
    put32(&b, (uint32_t)s->sdays.n);
    for (size_t i = 0; i < s->sdays.n; i++) {
        const struct sday *d = table_at(&s->sdays, i);
        put32(&b, d->key[0]);
        put32(&b, d->key[1]);
        put64(&b, (uint64_t)d->shown_ms);
        put64(&b, (uint64_t)d->lines);
    }
    put_ivs(&b, s, false);
    put_ivs(&b, s, true);
    put32(&b, (uint32_t)s->slots.n);
    for (size_t i = 0; i < s->slots.n; i++) {
        const struct slot *sl = table_at(&s->slots, i);
        put(&b, sl->key, sizeof sl->key);
        put64(&b, (uint64_t)sl->ms);
    }
    if (!sb_failed(&b))
        put64(&b, hash64(b.buf, b.len, 0x5a11));
    if (!path || sb_failed(&b) || asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
        goto out;
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
        free(tmp);
        tmp = NULL;
        goto out;
    }
    if (atomic_write_all(fd, b.buf, b.len) == 0 && close(fd) == 0) {
        fd = -1;
        if (rename(tmp, path) == 0) {
            r->cache_writes++;
            free(tmp);
            tmp = NULL;
        }
    }
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(path);
    sb_free(&b);
}

/* A reader over a summary's bytes: every take checks what is left. */
struct cursor {
    const char *p, *end;
    bool bad;
};

static void take(struct cursor *c, void *out, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, c->p, n);
    c->p += n;
}

static uint32_t take32(struct cursor *c)
{
    uint32_t v;

    take(c, &v, sizeof v);
    return v;
}

static uint64_t take64(struct cursor *c)
{
    uint64_t v;

    take(c, &v, sizeof v);
    return v;
}

/* A count of records of SIZE bytes each, no more than what is left. */
static uint32_t take_count(struct cursor *c, size_t size)
{
    uint32_t n = take32(c);

    if (!c->bad && (uint64_t)n * size > (uint64_t)(c->end - c->p))
        c->bad = true;
    return c->bad ? 0 : n;
}

/* Reads a table of strings; each must be new, so the ids are the file's. */
static void take_strtab(struct cursor *c, struct strtab *t, bool screens, struct report *s)
{
    uint32_t n = take_count(c, 4);

    for (uint32_t i = 0; i < n && !c->bad; i++) {
        uint32_t len = take32(c), id;
        if (c->bad || len > (size_t)(c->end - c->p) || memchr(c->p, '\0', len) ||
            !utf8_valid(c->p, len)) {
            c->bad = true;
            return;
        }
        if ((screens ? screen_id(s, c->p, len, &id) : strtab_id(t, c->p, len, &id)) < 0 || id != i)
            c->bad = true;
        c->p += len;
    }
}

/* The summary of the file ID, read from the cache into the empty report
 * S.  0, or -1 when there is none that holds (S is then to be freed). */
static int cache_load(struct report *r, struct report *s, const struct ident *id)
{
    char *path = cache_path(r, id), *buf = NULL, err[256];
    size_t len = 0;
    int rc = -1;

    if (!path || slurp_path(path, NULL, 256u << 20, &buf, &len, err, sizeof err) < 0)
        goto out;
    struct cursor c = {buf, buf + len, false};
    char magic[4];
    struct ident got;
    uint64_t sum;
    if (len < 12 + sizeof got + 8)
        goto out;
    memcpy(&sum, buf + len - 8, 8);
    c.end -= 8;
    if (sum != hash64(buf, len - 8, 0x5a11))
        goto out;
    take(&c, magic, 4);
    if (memcmp(magic, CACHE_MAGIC, 4) != 0 || take32(&c) != CACHE_VERSION)
        goto out;
    take(&c, got.v, sizeof got.v);
    if (memcmp(got.v, id->v, sizeof got.v) != 0)
        goto out;
    s->lines = (long)take64(&c);
    s->bad = (long)take64(&c);
    take_strtab(&c, &s->screens, true, s);
    take_strtab(&c, &s->campaigns, false, s);
    take_strtab(&c, &s->owners, false, s);
    take_strtab(&c, &s->titles, false, s);
    /* every count and sum within what its lines can make */
    if (c.bad || s->lines < 0 || s->lines > CACHE_MAX_LINES || s->bad < 0 ||
        s->bad > CACHE_MAX_LINES ||
        grow((void **)&s->title_of, &s->camp_cap, s->campaigns.n, sizeof *s->title_of) < 0)
        goto out;
    long counted = 0;
    const int64_t max_ms = (int64_t)s->lines * (REPORT_MAX_ITEM_MS + PL_MS_PER_SEC);
    for (uint32_t i = 0, n = take_count(&c, 60); i < n && !c.bad; i++) {
        uint32_t key[4];
        take(&c, key, sizeof key);
        uint32_t title = take32(&c);
        if (c.bad || key[0] >= s->screens.n || key[1] >= s->campaigns.n || key[2] >= s->owners.n ||
            title > s->titles.n)
            goto out;
        struct cell *cl = table_get(&s->cells, key);
        if (!cl)
            goto out;
        long *counts[4] = {&cl->a.played, &cl->a.cut, &cl->a.skipped, &cl->a.errors};
        for (int k = 0; k < 4; k++) {
            uint64_t v = take64(&c);
            if (v > (uint64_t)(s->lines - counted))
                goto out;
            *counts[k] += (long)v;
            counted += (long)v;
        }
        uint64_t shown = take64(&c);
        if ((int32_t)key[3] < REPORT_DAY_MIN || (int32_t)key[3] > REPORT_DAY_MAX ||
            shown > (uint64_t)max_ms)
            goto out;
        cl->a.shown_ms += (int64_t)shown;
        if (title)
            s->title_of[key[1]] = title;
    }
    for (uint32_t i = 0, n = take_count(&c, 24); i < n && !c.bad; i++) {
        uint32_t screen = take32(&c), day = take32(&c);
        if (c.bad || screen >= s->screens.n)
            goto out;
        struct sday *d = table_get(&s->sdays, (const uint32_t[4]){screen, day, 0, 0});
        if (!d)
            goto out;
        uint64_t shown = take64(&c), lines = take64(&c);
        if ((int32_t)day < REPORT_DAY_MIN || (int32_t)day > REPORT_DAY_MAX ||
            shown > (uint64_t)max_ms || lines > (uint64_t)s->lines)
            goto out;
        d->shown_ms += (int64_t)shown;
        d->lines += (long)lines;
    }
    for (int failing = 0; failing < 2; failing++) {
        for (uint32_t i = 0, n = take_count(&c, 20); i < n && !c.bad; i++) {
            uint32_t screen = take32(&c);
            pl_ms a = (pl_ms)take64(&c), b = (pl_ms)take64(&c);
            if (c.bad || screen >= s->screens.n || b < a || a < REPORT_MS_MIN || b > REPORT_MS_MAX)
                goto out;
            if (ivs_add(failing ? &s->scr[screen].failing : &s->scr[screen].logged, a, b) < 0)
                goto out;
        }
    }
    for (uint32_t i = 0, n = take_count(&c, 24); i < n && !c.bad; i++) {
        uint32_t key[4];
        take(&c, key, sizeof key);
        int64_t ms = (int64_t)take64(&c);
        if (c.bad || key[0] >= s->screens.n || key[1] >= s->campaigns.n || key[2] >= s->owners.n ||
            ms < 0 || ms > (int64_t)s->lines * REPORT_SLOT_MS)
            goto out;
        struct slot *sl = table_get(&s->slots, key);
        if (!sl)
            goto out;
        sl->ms = ms;
    }
    rc = c.bad || c.p != c.end ? -1 : 0;
out:
    free(buf);
    free(path);
    return rc;
}

/* Adds the summary S (of one file, by slots) to R. */
static int merge_summary(struct report *r, const struct report *s)
{
    uint32_t *scr = calloc(s->screens.n + 1, sizeof *scr);
    uint32_t *camp = calloc(s->campaigns.n + 1, sizeof *camp);
    uint32_t *own = calloc(s->owners.n + 1, sizeof *own);
    int rc = -1;

    if (!scr || !camp || !own)
        goto out;
    for (uint32_t i = 0; i < s->screens.n; i++)
        if (screen_id(r, s->screens.s[i], strlen(s->screens.s[i]), &scr[i]) < 0)
            goto out;
    for (uint32_t i = 0; i < s->campaigns.n; i++)
        if (strtab_id(&r->campaigns, s->campaigns.s[i], strlen(s->campaigns.s[i]), &camp[i]) < 0)
            goto out;
    for (uint32_t i = 0; i < s->owners.n; i++)
        if (strtab_id(&r->owners, s->owners.s[i], strlen(s->owners.s[i]), &own[i]) < 0)
            goto out;
    if (grow((void **)&r->title_of, &r->camp_cap, r->campaigns.n, sizeof *r->title_of) < 0)
        goto out;
    r->last_s[0] = r->last_s[1] = r->last_s[2] = r->last_s[3] = NULL;
    for (uint32_t i = 0; i < s->campaigns.n; i++) {
        uint32_t t = i < s->camp_cap ? s->title_of[i] : 0, id;
        if (t) {
            if (strtab_id(&r->titles, s->titles.s[t - 1], strlen(s->titles.s[t - 1]), &id) < 0)
                goto out;
            r->title_of[camp[i]] = id + 1;
        }
    }
    for (size_t i = 0; i < s->cells.n; i++) {
        const struct cell *c = table_at(&s->cells, i);
        uint32_t campaign = camp[c->key[1]], owner = own[c->key[2]];
        if ((r->sel_owner_id != REPORT_NONE && owner != r->sel_owner_id) ||
            (r->sel_campaign_id != REPORT_NONE && campaign != r->sel_campaign_id))
            continue;
        struct cell *m =
            table_get(&r->cells, (const uint32_t[4]){scr[c->key[0]], campaign, owner, c->key[3]});
        if (!m)
            goto out;
        long n = c->a.played + c->a.cut + c->a.skipped + c->a.errors;
        m->a.played += c->a.played;
        m->a.cut += c->a.cut;
        m->a.skipped += c->a.skipped;
        m->a.errors += c->a.errors;
        m->a.shown_ms += c->a.shown_ms;
        r->scr[scr[c->key[0]]].selected += n;
        r->selected += n;
    }
    for (size_t i = 0; i < s->sdays.n; i++) {
        const struct sday *d = table_at(&s->sdays, i);
        struct sday *m = table_get(&r->sdays, (const uint32_t[4]){scr[d->key[0]], d->key[1], 0, 0});
        if (!m)
            goto out;
        m->shown_ms += d->shown_ms;
        m->lines += d->lines;
        if ((int32_t)d->key[1] < r->min_day)
            r->min_day = (int32_t)d->key[1];
        if ((int32_t)d->key[1] > r->max_day)
            r->max_day = (int32_t)d->key[1];
    }
    for (uint32_t i = 0; i < s->screens.n; i++) {
        struct screen *sc = &r->scr[scr[i]];
        for (size_t k = 0; k < s->scr[i].logged.n; k++)
            if (ivs_add(&sc->logged, s->scr[i].logged.v[k][0], s->scr[i].logged.v[k][1]) < 0)
                goto out;
        for (size_t k = 0; k < s->scr[i].failing.n; k++)
            if (ivs_add(&sc->failing, s->scr[i].failing.v[k][0], s->scr[i].failing.v[k][1]) < 0)
                goto out;
    }
    for (size_t i = 0; i < s->slots.n; i++) {
        const struct slot *sl = table_at(&s->slots, i);
        uint32_t campaign = camp[sl->key[1]], owner = own[sl->key[2]];
        bool selected = (r->sel_owner_id == REPORT_NONE || owner == r->sel_owner_id) &&
                        (r->sel_campaign_id == REPORT_NONE || campaign == r->sel_campaign_id);
        pl_ms a = (pl_ms)sl->key[3] * REPORT_SLOT_MS;
        /* the slot's time, put at its start: a bucket holds whole slots */
        if (timeline_add(r, &r->scr[scr[sl->key[0]]], a, a + sl->ms, selected, campaign, owner) < 0)
            goto out;
    }
    r->lines += s->lines;
    r->bad += s->bad;
    rc = 0;
out:
    free(scr);
    free(camp);
    free(own);
    return rc;
}

/* Reads the closed log file PATH through its summary: from the cache, or
 * from its lines (then saved).  Returns 0, or -1 when the cache cannot be
 * used for it (then read it as usual). */
static int load_summarised(struct report *r, const char *path, const char *name)
{
    struct stat st;
    struct ident id;
    struct report *s;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return -1;
    ident_of(r, &st, &id);
    if (!(s = report_new(r->tz)))
        return -1;
    s->slot_mode = true;
    if (cache_load(r, s, &id) == 0) {
        r->cache_hits++;
        if (s->bad && r->bad < 5)
            log_warn("%s: %ld unreadable lines ignored (counted from its summary; --no-cache "
                     "names them)",
                     name, s->bad);
    } else {
        report_free(s);
        if (!(s = report_new(r->tz)))
            return -1;
        s->slot_mode = true;
        s->bad = r->bad; /* the first few bad lines of the whole report are named */
        load_file(s, path, name);
        s->bad -= r->bad;
        cache_save(r, s, &id);
    }
    if (merge_summary(r, s) < 0)
        log_warn("%s: out of memory; its lines are not all counted", path);
    report_free(s);
    return 0;
}

int report_set_cache(struct report *r, const char *dir)
{
    free(r->cache_dir);
    r->cache_dir = NULL;
    if (!dir)
        return 0;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -1;
    return (r->cache_dir = strdup(dir)) ? 0 : -1;
}

long report_cache_hits(const struct report *r)
{
    return r->cache_hits;
}

int report_load_trees(struct report *r, const char *const *trees, size_t ntrees, const char *from,
                      const char *to, char *err, size_t errlen)
{
    struct logfiles lf = {0};
    int32_t d;
    int rc = -1;

    if ((from && !day_parse(from, &d)) || (to && !day_parse(to, &d))) {
        snprintf(err, errlen, "--from/--to take a date like 2023-03-01, not '%s'",
                 from && !day_parse(from, &d) ? from : to);
        return -1;
    }
    for (size_t i = 0; i < ntrees; i++)
        if (logfiles_scan(&lf, trees[i], from, to, err, errlen) < 0)
            goto out;
    /* Days in order, and in a day the copies of one file side by side, so
     * the report does not depend on readdir order. */
    if (lf.n > 1)
        qsort(lf.v, lf.n, sizeof *lf.v, logfile_cmp);
    /* The period: as asked, its open ends from the files found, ten years
     * at most (a stray file of 1970, from a clock not yet set, does not
     * make the report fail); files outside it are left out. */
    if (from || to || lf.n) {
        char a[16], b[16];
        int32_t da, db;
        const char *a0 = from ? from : lf.n ? lf.v[0].day : to;
        const char *b0 = to ? to : lf.n ? lf.v[lf.n - 1].day : from;
        snprintf(a, sizeof a, "%s", a0 ? a0 : "");
        snprintf(b, sizeof b, "%s", b0 ? b0 : "");
        if (day_parse(a, &da) && day_parse(b, &db) && db - da >= REPORT_MAX_DAYS &&
            (!from || !to)) {
            if (!from)
                report_day_text(db - REPORT_MAX_DAYS + 1, a);
            else
                report_day_text(da + REPORT_MAX_DAYS - 1, b);
            log_warn("report: the logs span more than ten years; the report covers %s to %s "
                     "(give --from and --to for another period)",
                     a, b);
            size_t k = 0;
            for (size_t i = 0; i < lf.n; i++) {
                if (strcmp(lf.v[i].day, a) < 0 || strcmp(lf.v[i].day, b) > 0)
                    free(lf.v[i].path);
                else
                    lf.v[k++] = lf.v[i];
            }
            lf.n = k;
        }
        if (report_set_period(r, a, b, err, errlen) < 0)
            goto out;
    }
    for (size_t i = 0, j; i < lf.n; i = j) {
        for (j = i + 1; j < lf.n && strcmp(lf.v[j].day, lf.v[i].day) == 0;)
            j++;
        r->dedupe = day_needs_dedupe(&lf, i, j);
        /* a closed day's files through their summaries, when the timeline
         * is made of whole slots and no line is to be looked for twice */
        int32_t day = 0;
        bool summaries =
            r->cache_dir && !r->dedupe && day_parse(lf.v[i].day, &day) &&
            day_start(r, day + 1) <= r->now &&
            (!r->tl_ms || (r->tl_ms % REPORT_SLOT_MS == 0 && r->p0 % REPORT_SLOT_MS == 0));
        for (size_t k = i; k < j; k++)
            if (!summaries || load_summarised(r, lf.v[k].path, lf.v[k].path + lf.v[k].rel) < 0)
                load_file(r, lf.v[k].path, lf.v[k].path + lf.v[k].rel);
        seen_clear(&r->seen);
    }
    r->dedupe = false;
    rc = 0;
out:
    for (size_t i = 0; i < lf.n; i++)
        free(lf.v[i].path);
    free(lf.v);
    return rc;
}

int report_load_dir(struct report *r, const char *logdir, const char *from, const char *to,
                    char *err, size_t errlen)
{
    return report_load_trees(r, &logdir, 1, from, to, err, errlen);
}

/* --- for the writers ----------------------------------------------------------------- */

const char *report_screen_id(const struct report *r, uint32_t screen)
{
    return r->screens.s[screen];
}

const char *report_screen_name(const struct report *r, uint32_t screen)
{
    return r->scr[screen].name;
}

const char *report_campaign_id(const struct report *r, uint32_t campaign)
{
    return r->campaigns.s[campaign];
}

const char *report_campaign_title(const struct report *r, uint32_t campaign)
{
    uint32_t t = campaign < r->camp_cap ? r->title_of[campaign] : 0;

    return t ? r->titles.s[t - 1] : NULL;
}

const char *report_owner_name(const struct report *r, uint32_t owner)
{
    return r->owners.s[owner];
}

const char *report_selected_owner(const struct report *r)
{
    return r->sel_owner;
}

const char *report_selected_campaign(const struct report *r)
{
    return r->sel_campaign;
}

const pl_tz *report_tz(const struct report *r)
{
    return r->tz;
}

pl_ms report_now(const struct report *r)
{
    return r->now;
}

long report_unreadable(const struct report *r)
{
    return r->bad;
}

static bool is_fallback(const struct report *r, uint32_t campaign)
{
    return campaign != REPORT_NONE && strcmp(r->campaigns.s[campaign], "-") == 0;
}

const char *report_key_text(const struct report *r, const struct report_row *row, enum report_by k,
                            char day[16])
{
    switch (k) {
    case REPORT_BY_OWNER:
        return is_fallback(r, row->campaign) ? "(fallback)"
               : row->owner == REPORT_NONE   ? ""
                                             : r->owners.s[row->owner];
    case REPORT_BY_CAMPAIGN:
        return is_fallback(r, row->campaign)  ? "(fallback)"
               : row->campaign == REPORT_NONE ? ""
                                              : r->campaigns.s[row->campaign];
    case REPORT_BY_SCREEN:
        return r->screens.s[row->screen];
    case REPORT_BY_DAY:
        report_day_text(row->day, day);
        return day;
    }
    return "";
}

int64_t report_dark_between(const struct report *r, uint32_t screen, pl_ms a, pl_ms b)
{
    if (b > r->now)
        b = r->now;
    if (b <= a)
        return 0;
    return (b - a) - ivs_covered(&r->scr[screen].logged, a, b);
}

const uint32_t *report_timeline(const struct report *r, uint32_t screen, size_t *nb,
                                pl_ms *bucket_ms)
{
    *nb = r->tl_n;
    *bucket_ms = r->tl_ms;
    return r->scr[screen].tl;
}

void report_timeline_cats(const struct report *r, uint32_t cats[REPORT_TL_OWN], bool *by_owner)
{
    memcpy(cats, r->tl_cat, sizeof r->tl_cat);
    *by_owner = !r->sel_owner && !r->sel_campaign;
}

size_t report_failing(const struct report *r, uint32_t screen, const pl_ms (**iv)[2])
{
    *iv = (const pl_ms(*)[2])r->scr[screen].failing.v;
    return r->scr[screen].failing.n;
}

/* --- rows ------------------------------------------------------------------------ */

/* A contribution to a row: a cell of the selection, or an empty one that
 * puts a screen's day in the rows when it showed nothing. */
struct contrib {
    uint32_t screen, campaign, owner;
    int32_t day;
    const struct report_agg *a;
};

struct sort_ctx {
    const struct report *r;
    const struct report_keys *keys;
};

static int contrib_cmp(const void *a, const void *b, void *arg)
{
    const struct contrib *x = a, *y = b;
    const struct sort_ctx *c = arg;
    struct report_row
        rx = {.screen = x->screen, .campaign = x->campaign, .owner = x->owner, .day = x->day},
        ry = {.screen = y->screen, .campaign = y->campaign, .owner = y->owner, .day = y->day};
    char dx[16], dy[16];

    for (size_t i = 0; i < c->keys->n; i++) {
        int d = strcmp(report_key_text(c->r, &rx, c->keys->k[i], dx),
                       report_key_text(c->r, &ry, c->keys->k[i], dy));
        if (d)
            return d;
    }
    if (x->screen != y->screen)
        return strcmp(c->r->screens.s[x->screen], c->r->screens.s[y->screen]);
    return (x->day > y->day) - (x->day < y->day);
}

static bool same_row(const struct report *r, const struct report_keys *keys,
                     const struct contrib *x, const struct report_row *row)
{
    struct report_row rx = {
        .screen = x->screen, .campaign = x->campaign, .owner = x->owner, .day = x->day};
    char dx[16], dy[16];

    for (size_t i = 0; i < keys->n; i++)
        if (strcmp(report_key_text(r, &rx, keys->k[i], dx),
                   report_key_text(r, row, keys->k[i], dy)) != 0)
            return false;
    return true;
}

static int64_t screen_day_dark(const struct report_sum *s, uint32_t screen, int32_t day)
{
    pl_ms a = day_start(s->r, day), b = day_start(s->r, day + 1);

    if (a < s->p0)
        a = s->p0;
    if (b > s->counted_end)
        b = s->counted_end;
    return b > a ? report_dark_between(s->r, screen, a, b) : 0;
}

static long screen_day_lines(const struct report *r, uint32_t screen, int32_t day)
{
    const struct sday *sd = table_find(&r->sdays, (const uint32_t[4]){screen, (uint32_t)day, 0, 0});

    return sd ? sd->lines : 0;
}

/* The last day with time that has happened. */
static int32_t counted_last_day(const struct report_sum *s)
{
    int32_t d1 = s->d1;

    while (d1 >= s->d0 && day_start(s->r, d1) >= s->counted_end)
        d1--;
    return d1;
}

/* Fills S: the period, the screens covered, the rows by KEYS. */
int report_rollup(const struct report *r, const struct report_keys *keys, struct report_sum *s)
{
    struct contrib *cv = NULL;
    size_t n = 0, cap;
    bool dark_rows = keys->n > 0;

    memset(s, 0, sizeof *s);
    s->r = r;
    s->keys = keys;
    for (size_t i = 0; i < keys->n; i++)
        if (keys->k[i] != REPORT_BY_SCREEN && keys->k[i] != REPORT_BY_DAY)
            dark_rows = false;
    s->dark_rows = dark_rows;
    s->d0 = r->d0 <= r->d1 ? r->d0 : r->min_day;
    s->d1 = r->d0 <= r->d1 ? r->d1 : r->max_day;
    if (s->d0 <= s->d1) {
        s->p0 = day_start(r, s->d0);
        s->p1 = day_start(r, s->d1 + 1);
    }
    s->counted_end = s->p1 < r->now ? s->p1 : r->now;
    int32_t last = counted_last_day(s);
    /* the screens covered: those named, and those the selection played on */
    s->grid = malloc((r->screens.n ? r->screens.n : 1) * sizeof *s->grid);
    if (!s->grid)
        return -1;
    for (uint32_t i = 0; i < r->screens.n; i++)
        if (r->scr[i].covered || r->scr[i].selected)
            s->grid[s->ngrid++] = i;
    size_t ndays = s->d0 <= s->d1 ? (size_t)(s->d1 - s->d0 + 1) : 0;
    cap = r->cells.n + (dark_rows ? s->ngrid * ndays : 0) + 1;
    if (!(cv = malloc(cap * sizeof *cv)))
        return -1;
    for (size_t i = 0; i < r->cells.n; i++) {
        const struct cell *c = table_at(&r->cells, i);
        cv[n++] = (struct contrib){c->key[0], c->key[1], c->key[2], (int32_t)c->key[3], &c->a};
    }
    static const struct report_agg zero;
    if (dark_rows)
        for (size_t g = 0; g < s->ngrid; g++)
            for (int32_t d = s->d0; d <= last; d++)
                cv[n++] = (struct contrib){s->grid[g], REPORT_NONE, REPORT_NONE, d, &zero};
    struct sort_ctx ctx = {r, keys};
    if (n > 1)
        qsort_r(cv, n, sizeof *cv, contrib_cmp, &ctx);
    if (!(s->rows = calloc(n ? n : 1, sizeof *s->rows))) {
        free(cv);
        return -1;
    }
    if (!(s->plays_per_day = calloc(ndays ? ndays : 1, sizeof *s->plays_per_day))) {
        free(cv);
        return -1;
    }
    bool dark_done = false, share_done = false;
    for (size_t i = 0; i < n; i++) {
        const struct contrib *c = &cv[i];
        struct report_row *row = s->n ? &s->rows[s->n - 1] : NULL;
        if (!row || !same_row(r, keys, c, row)) {
            row = &s->rows[s->n++];
            *row = (struct report_row){c->screen, c->campaign, c->owner,           c->day,
                                       {0},       0,           dark_rows ? 0 : -1, 0};
        }
        row->a.played += c->a->played;
        row->a.cut += c->a->cut;
        row->a.skipped += c->a->skipped;
        row->a.errors += c->a->errors;
        row->a.shown_ms += c->a->shown_ms;
        if (c->day >= s->d0 && c->day <= s->d1)
            s->plays_per_day[c->day - s->d0] += c->a->played + c->a->cut;
        /* a screen's day counts once in a row: its dark time for any
         * entry, its time shown (the share's denominator) only for one of
         * the selection, not for the empty entry that put the day there */
        if (!(i > 0 && cv[i - 1].screen == c->screen && cv[i - 1].day == c->day &&
              same_row(r, keys, &cv[i - 1], row)))
            dark_done = share_done = false;
        const struct sday *sd =
            table_find(&r->sdays, (const uint32_t[4]){c->screen, (uint32_t)c->day, 0, 0});
        if (!share_done && c->a != &zero) {
            row->screens_ms += sd ? sd->shown_ms : 0;
            share_done = true;
        }
        if (dark_rows && !dark_done) {
            row->dark_ms += screen_day_dark(s, c->screen, c->day);
            row->days_without_log += !sd || !sd->lines;
            dark_done = true;
        }
    }
    free(cv);
    /* totals: the selection, the time of the screens' days it touched */
    for (size_t i = 0; i < r->cells.n; i++) {
        const struct cell *c = table_at(&r->cells, i);
        s->total.played += c->a.played;
        s->total.cut += c->a.cut;
        s->total.skipped += c->a.skipped;
        s->total.errors += c->a.errors;
        s->total.shown_ms += c->a.shown_ms;
    }
    /* the share's denominator: each screen's day the selection played on, once */
    struct table touched = {.size = sizeof(uint32_t[4])};
    for (size_t i = 0; i < r->cells.n; i++) {
        const struct cell *c = table_at(&r->cells, i);
        size_t before = touched.n;
        if (!table_get(&touched, (const uint32_t[4]){c->key[0], c->key[3], 0, 0})) {
            table_free(&touched);
            return -1;
        }
        if (touched.n == before)
            continue;
        const struct sday *sd =
            table_find(&r->sdays, (const uint32_t[4]){c->key[0], c->key[3], 0, 0});
        s->total_screens_ms += sd ? sd->shown_ms : 0;
    }
    table_free(&touched);
    /* dark time and days without a log, over the screens covered */
    for (size_t g = 0; g < s->ngrid; g++) {
        uint32_t sc = s->grid[g];
        if (s->d0 <= s->d1)
            s->total_dark_ms += report_dark_between(r, sc, s->p0, s->counted_end);
        for (int32_t d = s->d0; d <= last; d++) {
            if (screen_day_lines(r, sc, d))
                continue;
            struct report_gap *gp = s->ngaps ? &s->gaps[s->ngaps - 1] : NULL;
            if (gp && gp->screen == sc && gp->last == d - 1) {
                gp->last = d;
                continue;
            }
            struct report_gap *v = realloc(s->gaps, (s->ngaps + 1) * sizeof *v);
            if (!v)
                return -1;
            s->gaps = v;
            s->gaps[s->ngaps++] = (struct report_gap){sc, d, d};
        }
    }
    return 0;
}

void report_sum_free(struct report_sum *s)
{
    free(s->rows);
    free(s->grid);
    free(s->gaps);
    free(s->plays_per_day);
}

/* --- writers ----------------------------------------------------------------------- */

/* Display width of UTF-8 text in a terminal: East Asian wide characters
 * take two columns. */
static int text_width(const char *s)
{
    int w = 0;
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        uint32_t cp = '?';
        size_t n = utf8_decode(s + i, len - i, &cp);
        i += n ? n : 1;
        bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
        w += wide ? 2 : 1;
    }
    return w;
}

/* S on a terminal, padded to WIDTH columns: control characters (an ESC
 * in a log line) written as \xNN, never sent raw. */
static void put_padded(FILE *out, const char *s, int width)
{
    char shown[1024];
    int w;

    s = utf8_printable(s, shown, sizeof shown);
    w = text_width(s);
    fputs(s, out);
    for (; w < width; w++)
        fputc(' ', out);
}

static double share_of(int64_t part, int64_t whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

/* "2023-03-03..2023-03-05" or one day. */
static void gap_text(const struct report_gap *g, char *buf, size_t len)
{
    char a[16], b[16];

    report_day_text(g->first, a);
    report_day_text(g->last, b);
    if (g->first == g->last)
        snprintf(buf, len, "%s", a);
    else
        snprintf(buf, len, "%s..%s", a, b);
}

static int gapline_cmp(const void *a, const void *b)
{
    const struct report_gapline *x = a, *y = b;

    return strcmp(x->days, y->days);
}

struct report_gapline *report_gap_lines(const struct report_sum *s, size_t *n)
{
    struct report_gapline *v = calloc(s->ngaps + 1, sizeof *v);
    size_t nv = 0;

    *n = 0;
    if (!v)
        return NULL;
    /* one text a screen, its runs in order */
    for (size_t i = 0; i < s->ngaps;) {
        struct strbuf days = STRBUF_INIT;
        size_t j = i;
        for (; j < s->ngaps && s->gaps[j].screen == s->gaps[i].screen; j++) {
            char g[64];
            gap_text(&s->gaps[j], g, sizeof g);
            sb_printf(&days, "%s%s", j > i ? ", " : "", g);
        }
        v[nv].days = sb_steal(&days);
        v[nv].screens = malloc(sizeof *v[nv].screens);
        if (!v[nv].days || !v[nv].screens) {
            report_gap_lines_free(v, nv + 1);
            return NULL;
        }
        v[nv].screens[0] = s->gaps[i].screen;
        v[nv++].n = 1;
        i = j;
    }
    if (nv > 1)
        qsort(v, nv, sizeof *v, gapline_cmp);
    /* screens with the same days in one line */
    size_t out = 0;
    for (size_t i = 0; i < nv; i++) {
        if (out && strcmp(v[out - 1].days, v[i].days) == 0) {
            uint32_t *sc = realloc(v[out - 1].screens, (v[out - 1].n + 1) * sizeof *sc);
            if (!sc) {
                report_gap_lines_free(v, nv);
                return NULL;
            }
            sc[v[out - 1].n++] = v[i].screens[0];
            v[out - 1].screens = sc;
            free(v[i].days);
            free(v[i].screens);
            v[i].days = NULL;
            v[i].screens = NULL;
            continue;
        }
        v[out++] = v[i];
        if (out - 1 != i) {
            v[i].days = NULL;
            v[i].screens = NULL;
        }
    }
    *n = out;
    return v;
}

void report_gap_lines_free(struct report_gapline *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++) {
        free(g[i].days);
        free(g[i].screens);
    }
    free(g);
}

/* What the total line adds about the log lines not counted. */
static void counts_text(FILE *out, const struct report *r)
{
    if (r->bad)
        fprintf(out, ", %ld unreadable log lines ignored", r->bad);
    if (r->repeated)
        fprintf(out, ", %ld log lines found twice counted once", r->repeated);
}

static void write_table(FILE *out, const struct report_sum *s)
{
    const struct report *r = s->r;
    int kw[4];
    char day[16], hms[32];

    for (size_t k = 0; k < s->keys->n; k++) {
        kw[k] = (int)strlen(by_names[s->keys->k[k]]);
        for (size_t i = 0; i < s->n; i++) {
            char shown[1024];
            int w = text_width(utf8_printable(report_key_text(r, &s->rows[i], s->keys->k[k], day),
                                              shown, sizeof shown));
            if (w > kw[k])
                kw[k] = w;
        }
        put_padded(out, by_names[s->keys->k[k]], kw[k]);
        fputs("  ", out);
    }
    fprintf(out, "%7s %7s %7s %7s %11s %6s", "plays", "cut", "skipped", "errors", "shown", "share");
    if (s->dark_rows)
        fprintf(out, " %11s", "dark");
    fputc('\n', out);
    for (size_t i = 0; i < s->n; i++) {
        const struct report_row *w = &s->rows[i];
        for (size_t k = 0; k < s->keys->n; k++) {
            put_padded(out, report_key_text(r, w, s->keys->k[k], day), kw[k]);
            fputs("  ", out);
        }
        report_hms(w->a.shown_ms, hms, sizeof hms);
        fprintf(out, "%7ld %7ld %7ld %7ld %11s %5.1f%%", w->a.played + w->a.cut, w->a.cut,
                w->a.skipped, w->a.errors, hms, 100.0 * share_of(w->a.shown_ms, w->screens_ms));
        if (s->dark_rows) {
            report_hms(w->dark_ms, hms, sizeof hms);
            fprintf(out, " %11s", hms);
        }
        fputc('\n', out);
    }
    report_hms(s->total.shown_ms, hms, sizeof hms);
    fprintf(out, "total: %s shown (%.1f s", hms, s->total.shown_ms / 1000.0);
    if (s->total_screens_ms)
        fprintf(out, ", %.1f%% of its screens' time",
                100.0 * share_of(s->total.shown_ms, s->total_screens_ms));
    report_hms(s->total_dark_ms, hms, sizeof hms);
    fprintf(out, "), %s dark (%.1f s) on %zu screens", hms, s->total_dark_ms / 1000.0, s->ngrid);
    counts_text(out, r);
    fputc('\n', out);
    size_t ng;
    struct report_gapline *gl = report_gap_lines(s, &ng);
    for (size_t i = 0; i < ng; i++) {
        fprintf(out, "no log: %s: ", gl[i].days);
        for (size_t k = 0; k < gl[i].n && k < 5; k++)
            fprintf(out, "%s%s", k ? ", " : "", r->screens.s[gl[i].screens[k]]);
        if (gl[i].n > 5)
            fprintf(out, " and %zu more screens", gl[i].n - 5);
        fputc('\n', out);
    }
    report_gap_lines_free(gl, ng);
}

/* One quoted CSV cell.  A cell a spreadsheet would take for a formula
 * (= + - @, or a tab or CR first) gets a ' in front: an owner or title
 * written "=HYPERLINK(...)" stays text in Excel. */
static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    if (*s && strchr("=+-@\t\r", *s))
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* The name shown beside key K's value, or NULL for a key without one. */
static const char *key_name(const struct report *r, const struct report_row *w, enum report_by k)
{
    if (k == REPORT_BY_SCREEN)
        return r->scr[w->screen].name ? r->scr[w->screen].name : "";
    if (k == REPORT_BY_CAMPAIGN) {
        const char *t = w->campaign != REPORT_NONE && !is_fallback(r, w->campaign)
                            ? report_campaign_title(r, w->campaign)
                            : NULL;
        return t ? t : "";
    }
    return NULL;
}

static void write_csv(FILE *out, const struct report_sum *s, bool plain)
{
    const struct report *r = s->r;
    char day[16], hms[32];

    /* UTF-8 with its byte-order mark, or Excel on a Japanese Windows reads
     * it as Shift_JIS (東京都 becomes 譚ｱ莠ｬ驛ｽ); CRLF line ends. */
    if (!plain)
        fputs("\xEF\xBB\xBF", out);
    for (size_t k = 0; k < s->keys->n; k++) {
        enum report_by key = s->keys->k[k];
        fprintf(out, "%s,", by_names[key]);
        if (key == REPORT_BY_SCREEN)
            fputs("screen_name,", out);
        if (key == REPORT_BY_CAMPAIGN)
            fputs("campaign_title,", out);
    }
    fputs("plays,played,cut,skipped,errors,shown,shown_seconds,share", out);
    if (s->dark_rows)
        fputs(",dark,dark_seconds,days_without_log", out);
    fputs("\r\n", out);
    for (size_t i = 0; i < s->n; i++) {
        const struct report_row *w = &s->rows[i];
        for (size_t k = 0; k < s->keys->n; k++) {
            const char *nm = key_name(r, w, s->keys->k[k]);
            csv_field(out, report_key_text(r, w, s->keys->k[k], day));
            fputc(',', out);
            if (nm) {
                csv_field(out, nm);
                fputc(',', out);
            }
        }
        report_hms(w->a.shown_ms, hms, sizeof hms);
        fprintf(out, "%ld,%ld,%ld,%ld,%ld,%s,%.3f,%.4f", w->a.played + w->a.cut, w->a.played,
                w->a.cut, w->a.skipped, w->a.errors, hms, w->a.shown_ms / 1000.0,
                share_of(w->a.shown_ms, w->screens_ms));
        if (s->dark_rows) {
            report_hms(w->dark_ms, hms, sizeof hms);
            fprintf(out, ",%s,%.3f,%ld", hms, w->dark_ms / 1000.0, w->days_without_log);
        }
        fputs("\r\n", out);
    }
}

static json_t *json_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int write_json(FILE *out, const struct report_sum *s)
{
    const struct report *r = s->r;
    json_t *doc = json_object(), *arr = json_array(), *keys = json_array(), *gaps = json_array();
    char day[16], a[16], b[16];
    int rc = -1;

    if (!doc || !arr || !keys || !gaps)
        goto out;
    for (size_t k = 0; k < s->keys->n; k++)
        json_array_append_new(keys, json_string(by_names[s->keys->k[k]]));
    for (size_t i = 0; i < s->n; i++) {
        const struct report_row *w = &s->rows[i];
        json_t *o = json_object();
        if (!o)
            goto out;
        for (size_t k = 0; k < s->keys->n; k++) {
            enum report_by key = s->keys->k[k];
            const char *nm = key_name(r, w, key);
            json_object_set_new(o, by_names[key], json_string(report_key_text(r, w, key, day)));
            if (nm && key == REPORT_BY_SCREEN)
                json_object_set_new(o, "screen_name", json_string(nm));
            if (nm && key == REPORT_BY_CAMPAIGN)
                json_object_set_new(o, "campaign_title", json_string(nm));
        }
        json_object_set_new(o, "plays", json_integer(w->a.played + w->a.cut));
        json_object_set_new(o, "played", json_integer(w->a.played));
        json_object_set_new(o, "cut", json_integer(w->a.cut));
        json_object_set_new(o, "skipped", json_integer(w->a.skipped));
        json_object_set_new(o, "errors", json_integer(w->a.errors));
        json_object_set_new(o, "seconds", json_real(w->a.shown_ms / 1000.0));
        json_object_set_new(o, "share", json_real(share_of(w->a.shown_ms, w->screens_ms)));
        if (s->dark_rows) {
            json_object_set_new(o, "dark_seconds", json_real(w->dark_ms / 1000.0));
            json_object_set_new(o, "days_without_log", json_integer(w->days_without_log));
        }
        json_array_append_new(arr, o);
    }
    for (size_t i = 0; i < s->ngaps; i++) {
        report_day_text(s->gaps[i].first, a);
        report_day_text(s->gaps[i].last, b);
        json_array_append_new(gaps, json_pack("{s:s, s:s, s:s}", "screen",
                                              r->screens.s[s->gaps[i].screen], "from", a, "to", b));
    }
    json_object_set_new(doc, "by", keys);
    keys = NULL;
    if (s->d0 <= s->d1) {
        report_day_text(s->d0, a);
        report_day_text(s->d1, b);
        json_object_set_new(doc, "from", json_string(a));
        json_object_set_new(doc, "to", json_string(b));
    }
    json_object_set_new(doc, "owner", json_text(r->sel_owner));
    json_object_set_new(doc, "campaign", json_text(r->sel_campaign));
    json_object_set(doc, "rows", arr);
    json_object_set_new(doc, "plays", json_integer(s->total.played + s->total.cut));
    json_object_set_new(doc, "total_seconds", json_real(s->total.shown_ms / 1000.0));
    json_object_set_new(doc, "share", json_real(share_of(s->total.shown_ms, s->total_screens_ms)));
    json_object_set_new(doc, "dark_seconds", json_real(s->total_dark_ms / 1000.0));
    json_object_set_new(doc, "screens", json_integer((json_int_t)s->ngrid));
    json_object_set(doc, "days_without_log", gaps);
    json_object_set_new(doc, "unreadable_lines", json_integer(r->bad));
    json_object_set_new(doc, "repeated_lines", json_integer(r->repeated));
    rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ? -1 : 0;
    fputc('\n', out);
out:
    json_decref(keys);
    json_decref(gaps);
    json_decref(arr);
    json_decref(doc);
    return rc;
}

int report_write(const struct report *r, const struct report_keys *keys, enum report_format format,
                 FILE *out)
{
    struct report_sum s;
    int rc = -1;

    if (report_rollup(r, keys, &s) < 0)
        goto out;
    switch (format) {
    case REPORT_TABLE:
        write_table(out, &s);
        break;
    case REPORT_CSV:
    case REPORT_CSV_PLAIN:
        write_csv(out, &s, format == REPORT_CSV_PLAIN);
        break;
    case REPORT_JSON:
        if (write_json(out, &s) < 0)
            goto out;
        break;
    case REPORT_HTML:
        if (report_write_html(&s, out) < 0)
            goto out;
        break;
    }
    rc = ferror(out) ? -1 : 0;
out:
    report_sum_free(&s);
    return rc;
}
