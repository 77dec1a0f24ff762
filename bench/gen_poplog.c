/* gen_poplog.c - proof-of-play logs for bench_report.sh: what SCREENS
 * players write over DAYS days, in the player's format (player/poplog.c),
 * one file per screen and local day (Asia/Tokyo, +09:00).
 *
 *   gen_poplog OUT SCREENS FIRST-DAY DAYS [PART PARTS]
 *       writes OUT/<screen>/play-YYYY-MM-DD.jsonl for the screens i with
 *       i % PARTS == PART (so PARTS processes can share the work), and
 *       prints "LINES BYTES" on standard output.
 *   gen_poplog --ids SCREENS
 *       prints the screen ids, one a line (for signage.cfg).
 *
 * Each screen plays all day a loop of the items of 4 to 9 of 20 campaigns
 * (14 owners), 5 to 30 s each (10.6 s on average: about 8,000 lines a
 * screen a day); from 03:00 to 05:00 the fallback.  Each day 0 to 3 dark
 * periods of 1 to 20 minutes (the item on screen when one begins is cut).
 * About 0.3 % of the items come on late (cut), 0.15 % are skipped, 0.05 %
 * fail to decode (error).  The same arguments always give the same bytes:
 * each screen has its own random stream, seeded from its number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS_PER_DAY 86400000LL
#define MAX_ITEMS 4
#define MAX_GAPS 3
#define OUTBUF (1 << 20)

struct campaign {
    const char *id, *owner, *title;
};

static const struct campaign campaigns[] = {
    {"kochi-makino-expo", "高知県", "牧野博士の新休日～らんまんの舞台・高知～"},
    {"kochi-yosakoi-2023", "高知県", "よさこい祭り2023"},
    {"kochi-katsuo", "高知県", "高知 かつおのたたき"},
    {"tokyo-tabi-spring", "東京都", "東京の旅 春"},
    {"tokyo-bousai-week", "東京都", "防災週間 備えよう"},
    {"tokyo-marathon-2023", "東京都", "東京マラソン2023 交通規制"},
    {"tokyo-kosodate", "東京都", "子育て応援とうきょう"},
    {"hokkaido-food-fair", "北海道", "北海道物産展"},
    {"hokkaido-iju", "北海道", "北海道移住フェア"},
    {"osaka-expo-2025", "大阪府", "大阪・関西万博まであと2年"},
    {"okinawa-summer", "沖縄県", "沖縄の夏 青い海へ"},
    {"kyoto-aki-tokubetsu", "京都府", "京都 秋の特別公開"},
    {"fukuoka-yatai", "福岡県", "福岡 屋台めぐり"},
    {"nagano-snow", "長野県", "長野 スノーリゾート"},
    {"miyagi-kizuna", "宮城県", "東北絆まつり"},
    {"hiroshima-oyster", "広島県", "広島かき 旬の味"},
    {"ehime-mikan", "愛媛県", "愛媛みかんフェア"},
    {"kagoshima-sakurajima", "鹿児島県", "桜島 火山と暮らす"},
    {"niigata-sake", "新潟県", "新潟 酒の陣"},
    {"shizuoka-shincha", "静岡県", "静岡 新茶の季節"},
};
#define NCAMPAIGNS ((int)(sizeof campaigns / sizeof campaigns[0]))

static const char *const areas[] = {
    "shinjuku", "shibuya", "ikebukuro", "ueno",    "akihabara", "shinagawa", "tokyo-eki",
    "yokohama", "omiya",   "chiba",     "sapporo", "sendai",    "niigata",   "nagoya",
    "kyoto",    "umeda",   "namba",     "kobe",    "okayama",   "hiroshima", "matsuyama",
    "kochi",    "hakata",  "kagoshima", "naha",
};
#define NAREAS ((int)(sizeof areas / sizeof areas[0]))

/* Item lengths in seconds, as often as operators choose them. */
static const int durations_s[] = {5, 5, 5, 5, 6, 8, 8, 10, 10, 10, 12, 15, 15, 20, 30};
#define NDURATIONS ((int)(sizeof durations_s / sizeof durations_s[0]))

/* One item a screen can play: the part of its lines before "start". */
struct slot {
    char *head;
    size_t headlen;
    int64_t planned_ms;
    const char *media; /* borrowed from its item, for error messages; NULL for text */
};

struct item {
    const char *type;
    int64_t duration_ms;
    char media[96]; /* "" for text */
    char sha[65];
};

/* The network every screen draws from. */
struct net {
    struct item items[NCAMPAIGNS][MAX_ITEMS];
    int nitems[NCAMPAIGNS];
    int64_t first_days; /* FIRST-DAY as days since 1970-01-01 */
    char (*dates)[11];  /* YYYY-MM-DD of each day from FIRST-DAY on, and the day after */
};

/* The output file of one screen-day, buffered. */
struct out {
    int fd;
    char *buf;
    size_t len;
    int64_t bytes;
    const char *path;
};

/* splitmix64: small, fast and good enough for made-up logs. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number in [LO, HI]. */
static int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, char out[11])
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);

    int yy = (int)(y % 10000);

    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static void screen_id(int i, char *buf, size_t len)
{
    snprintf(buf, len, "%s-%03d", areas[i % NAREAS], i / NAREAS);
}

static void net_init(struct net *n)
{
    static const char hex[] = "0123456789abcdef";

    for (int c = 0; c < NCAMPAIGNS; c++) {
        uint64_t s = 0x51a6e000u + (uint64_t)c;
        n->nitems[c] = (int)rng_range(&s, 1, MAX_ITEMS);
        for (int k = 0; k < n->nitems[c]; k++) {
            struct item *it = &n->items[c][k];
            int64_t r = rng_range(&s, 0, 99);
            it->duration_ms = 1000LL * durations_s[rng_range(&s, 0, NDURATIONS - 1)];
            for (int j = 0; j < 64; j++)
                it->sha[j] = hex[rng_next(&s) & 15];
            it->sha[64] = '\0';
            it->type = r < 40 ? "text" : r < 80 ? "image" : "video";
            if (r < 40)
                it->media[0] = '\0';
            else
                snprintf(it->media, sizeof it->media, "media/%s.%s", it->sha,
                         r < 80 ? (r & 1 ? "png" : "jpg") : "mp4");
        }
    }
}

/* The constant part of a line, from '{' to the opening quote of start's value. */
static int slot_make(struct slot *sl, const char *screen, const char *campaign, const char *owner,
                     const char *title, int item, const struct item *it)
{
    char media[128], sha[80], *head = NULL;
    int n;

    if (it->media[0]) {
        snprintf(media, sizeof media, "\"%s\"", it->media);
        snprintf(sha, sizeof sha, "\"%s\"", it->sha);
    } else {
        strcpy(media, "null");
        strcpy(sha, "null");
    }
    n = asprintf(&head,
                 "{\"screen\":\"%s\",\"campaign\":\"%s\",\"owner\":%s%s%s,\"title\":\"%s\","
                 "\"item\":%d,\"type\":\"%s\",\"media\":%s,\"sha256\":%s,\"start\":\"",
                 screen, campaign, owner ? "\"" : "", owner ? owner : "null", owner ? "\"" : "",
                 title, item, it->type, media, sha);
    if (n < 0)
        return -1;
    sl->head = head;
    sl->headlen = (size_t)n;
    sl->planned_ms = it->duration_ms;
    sl->media = it->media[0] ? it->media : NULL;
    return 0;
}

static int out_flush(struct out *o)
{
    size_t off = 0;

    while (off < o->len) {
        ssize_t w = write(o->fd, o->buf + off, o->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            fprintf(stderr, "gen_poplog: %s: %s\n", o->path, strerror(errno));
            return -1;
        }
        off += (size_t)w;
    }
    o->bytes += (int64_t)o->len;
    o->len = 0;
    return 0;
}

static int out_close(struct out *o)
{
    int rc = 0;

    if (o->fd < 0)
        return 0;
    if (out_flush(o) < 0)
        rc = -1;
    if (close(o->fd) < 0 && rc == 0) {
        fprintf(stderr, "gen_poplog: %s: %s\n", o->path, strerror(errno));
        rc = -1;
    }
    o->fd = -1;
    return rc;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_int(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;

    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put2(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* T (ms since the first day's local midnight) as 2023-03-15T10:00:14.481+09:00. */
static char *put_time(char *p, const struct net *n, int64_t t)
{
    int64_t ms = t % MS_PER_DAY;

    p = put(p, n->dates[t / MS_PER_DAY], 10);
    *p++ = 'T';
    p = put2(p, (int)(ms / 3600000));
    *p++ = ':';
    p = put2(p, (int)(ms / 60000 % 60));
    *p++ = ':';
    p = put2(p, (int)(ms / 1000 % 60));
    *p++ = '.';
    *p++ = (char)('0' + ms / 100 % 10);
    p = put2(p, (int)(ms % 100));
    return put(p, "+09:00", 6);
}

static const char *const result_names[] = {"played", "cut", "skipped", "error"};
enum { RES_PLAYED, RES_CUT, RES_SKIPPED, RES_ERROR };

/* One line into O. */
static int line_put(struct out *o, const struct net *n, const struct slot *sl, int64_t start,
                    int64_t end, int64_t shown, int res, const char *error, int64_t generation)
{
    if (o->len + sl->headlen + 512 > OUTBUF && out_flush(o) < 0)
        return -1;
    char *p = o->buf + o->len;
    const char *r = result_names[res];

    p = put(p, sl->head, sl->headlen);
    p = put_time(p, n, start);
    p = put(p, "\",\"end\":\"", 9);
    p = put_time(p, n, end);
    p = put(p, "\",\"planned_ms\":", 15);
    p = put_int(p, sl->planned_ms);
    p = put(p, ",\"shown_ms\":", 12);
    p = put_int(p, shown);
    p = put(p, ",\"result\":\"", 11);
    p = put(p, r, strlen(r));
    *p++ = '"';
    if (error) {
        p = put(p, ",\"error\":\"", 10);
        p = put(p, error, strlen(error));
        *p++ = '"';
    }
    p = put(p, ",\"generation\":", 14);
    p = put_int(p, generation);
    *p++ = '}';
    *p++ = '\n';
    o->len = (size_t)(p - o->buf);
    return 0;
}

/* The dark periods of day D, in ms since the first midnight, sorted. */
static int gaps_make(uint64_t *s, int64_t d, int64_t gs[MAX_GAPS], int64_t ge[MAX_GAPS])
{
    int k = (int)rng_range(s, 0, MAX_GAPS);

    for (int i = 0; i < k; i++) {
        gs[i] = d * MS_PER_DAY + rng_range(s, 0, MS_PER_DAY - 1);
        ge[i] = gs[i] + rng_range(s, 60000, 1200000);
    }
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && gs[j] < gs[j - 1]; j--) {
            int64_t a = gs[j], b = ge[j];
            gs[j] = gs[j - 1];
            ge[j] = ge[j - 1];
            gs[j - 1] = a;
            ge[j - 1] = b;
        }
    return k;
}

/* Counts of what was written. */
struct totals {
    int64_t lines, bytes;
};

/* Writes screen I's DAYS days of lines below OUT. */
static int screen_write(const struct net *n, const char *outdir, int i, int days, char *buf,
                        struct totals *tot)
{
    char id[64], dir[4096], path[4200], why[160];
    struct slot loop[NCAMPAIGNS * MAX_ITEMS], fallback = {0};
    struct item fb_item = {.type = "image", .duration_ms = 10000};
    struct out o = {.fd = -1, .buf = buf, .path = path};
    int nloop = 0, ngaps = 0, chosen[NCAMPAIGNS] = {0}, rc = -1;
    int64_t gs[MAX_GAPS], ge[MAX_GAPS], day = -1, t = 0, end_t = days * MS_PER_DAY;
    uint64_t s = 0x9e3779b9ULL * (uint64_t)(i + 1);

    screen_id(i, id, sizeof id);
    snprintf(dir, sizeof dir, "%s/%s", outdir, id);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "gen_poplog: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int k = (int)rng_range(&s, 4, 9); k > 0;) {
        int c = (int)rng_range(&s, 0, NCAMPAIGNS - 1);
        if (chosen[c])
            continue;
        chosen[c] = 1;
        k--;
    }
    for (int c = 0; c < NCAMPAIGNS; c++)
        for (int k = 0; chosen[c] && k < n->nitems[c]; k++)
            if (slot_make(&loop[nloop++], id, campaigns[c].id, campaigns[c].owner,
                          campaigns[c].title, k, &n->items[c][k]) < 0)
                goto out;
    memcpy(fb_item.sha, "5f0c4a4e", 8);
    memset(fb_item.sha + 8, 'a', 56);
    snprintf(fb_item.media, sizeof fb_item.media, "media/%s.png", fb_item.sha);
    if (slot_make(&fallback, id, "-", NULL, "ご案内", 0, &fb_item) < 0)
        goto out;
    int pos = (int)rng_range(&s, 0, nloop - 1);
    int64_t generation = rng_range(&s, 1, 60);

    while (t < end_t) {
        if (t / MS_PER_DAY != day) {
            if (out_close(&o) < 0)
                goto out;
            day = t / MS_PER_DAY;
            snprintf(path, sizeof path, "%s/play-%s.jsonl", dir, n->dates[day]);
            o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (o.fd < 0) {
                fprintf(stderr, "gen_poplog: %s: %s\n", path, strerror(errno));
                goto out;
            }
            ngaps = gaps_make(&s, day, gs, ge);
            generation++; /* the scheduler publishes each day */
        }
        int in_gap = 0;
        for (int g = 0; g < ngaps; g++)
            if (t >= gs[g] && t < ge[g]) {
                t = ge[g];
                in_gap = 1;
            }
        if (in_gap)
            continue;
        int64_t tod = t % MS_PER_DAY;
        const struct slot *sl =
            tod >= 3 * 3600000LL && tod < 5 * 3600000LL ? &fallback : &loop[pos];
        if (sl != &fallback)
            pos = (pos + 1) % nloop;
        int64_t slot_end = t + sl->planned_ms, start = t, end = slot_end, shown;
        int64_t cut_at = end_t, roll = rng_range(&s, 0, 9999);
        const char *error = NULL;
        int res = RES_PLAYED;

        for (int g = 0; g < ngaps; g++)
            if (gs[g] > t && gs[g] < slot_end && gs[g] < cut_at)
                cut_at = gs[g];
        if (roll < 5 && sl->media) {
            res = RES_ERROR;
            snprintf(why, sizeof why, "%s: cannot decode: Invalid data found", sl->media);
            error = why;
        } else if (roll < 20) {
            res = RES_SKIPPED;
            error = "not ready in time";
        } else if (roll < 50) {
            int64_t late = rng_range(&s, 300, sl->planned_ms * 6 / 10);
            res = RES_CUT;
            start = t + late;
            snprintf(why, sizeof why,
                     "shown %" PRId64 " ms after its slot began: not ready in time", late);
            error = why;
        } else {
            start = t + rng_range(&s, 0, 40);
            end = slot_end + rng_range(&s, 0, 3);
        }
        if (start / MS_PER_DAY != day) /* the file is the day of start */
            start = (day + 1) * MS_PER_DAY - 1;
        if (res == RES_SKIPPED || res == RES_ERROR) {
            shown = 0;
        } else {
            if (cut_at < end) { /* the screen goes dark */
                end = cut_at > start ? cut_at : start;
                res = RES_CUT;
                error = NULL;
            }
            shown = end - start;
        }
        if (line_put(&o, n, sl, start, end, shown, res, error, generation) < 0)
            goto out;
        tot->lines++;
        t = cut_at < slot_end ? cut_at : slot_end;
    }
    rc = 0;
out:
    if (out_close(&o) < 0)
        rc = -1;
    tot->bytes += o.bytes;
    for (int k = 0; k < nloop; k++)
        free(loop[k].head);
    free(fallback.head);
    return rc;
}

static int parse_int(const char *s, long lo, long hi, long *v)
{
    char *end;

    errno = 0;
    *v = strtol(s, &end, 10);
    return errno || *end || end == s || *v < lo || *v > hi ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct net n;
    struct totals tot = {0};
    long screens, days, part = 0, parts = 1, y, m, d;
    char *buf;

    if (argc == 3 && strcmp(argv[1], "--ids") == 0 &&
        parse_int(argv[2], 1, 1000000, &screens) == 0) {
        char id[64];
        for (int i = 0; i < screens; i++) {
            screen_id(i, id, sizeof id);
            puts(id);
        }
        return 0;
    }
    if ((argc != 5 && argc != 7) || parse_int(argv[2], 1, 1000000, &screens) < 0 ||
        sscanf(argv[3], "%4ld-%2ld-%2ld", &y, &m, &d) != 3 || strlen(argv[3]) != 10 ||
        parse_int(argv[4], 1, 3660, &days) < 0 ||
        (argc == 7 && (parse_int(argv[6], 1, 1024, &parts) < 0 ||
                       parse_int(argv[5], 0, parts - 1, &part) < 0))) {
        fprintf(stderr, "usage: gen_poplog OUT SCREENS YYYY-MM-DD DAYS [PART PARTS]\n"
                        "       gen_poplog --ids SCREENS\n");
        return 2;
    }
    net_init(&n);
    n.first_days = days_from_civil(y, (int)m, (int)d);
    n.dates = calloc((size_t)days + 2, sizeof *n.dates);
    buf = malloc(OUTBUF);
    if (!buf || !n.dates) {
        fprintf(stderr, "gen_poplog: out of memory\n");
        return 1;
    }
    for (long k = 0; k < days + 2; k++)
        civil_from_days(n.first_days + k, n.dates[k]);
    for (long i = part; i < screens; i += parts)
        if (screen_write(&n, argv[1], (int)i, (int)days, buf, &tot) < 0) {
            free(buf);
            free(n.dates);
            return 1;
        }
    free(buf);
    free(n.dates);
    printf("%" PRId64 " %" PRId64 "\n", tot.lines, tot.bytes);
    return 0;
}
