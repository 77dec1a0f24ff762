/* status.c - `signagectl status` (see status.h). */
#include "tools/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/strbuf.h"
#include "playlists/merge.h"
#include "playlists/plfile.h"
#include "playlists/schedule.h"
#include "tools/ctl.h"
#include "tools/spool.h"

#define TAIL_CHUNK (64 * 1024)
#define TAIL_LINE_MAX (64 * 1024) /* a longer line is no proof-of-play line */
/* Lines are in the order they were written; a clock stepped back can put
 * one a little out of time order, so the look back goes this far past the
 * hour before stopping. */
#define BACK_SLACK_MS (5 * PL_MS_PER_MIN)
#define REJECTED_SHOWN 10 /* in the table; --json lists all */

/* --- a file read from its end --------------------------------------------- */

struct tail {
    int fd;
    off_t pos; /* the file offset of buf[0] */
    char *buf;
    size_t len; /* buf[0..len) is the file's [pos, pos + len), not given out yet */
    size_t cap;
    off_t budget;  /* bytes that may still be read */
    bool skipping; /* dropping the rest of a line longer than TAIL_LINE_MAX */
};

enum tail_r { TAIL_LINE, TAIL_LONG, TAIL_START, TAIL_BUDGET, TAIL_EIO };

/* The line before those given out so far, without its '\n', at *LINE (N
 * bytes, valid until the next call): TAIL_LINE.  TAIL_LONG for a line
 * longer than TAIL_LINE_MAX (not given); TAIL_START at the file's start;
 * TAIL_BUDGET when the bytes allowed are read; TAIL_EIO (errno set). */
static enum tail_r tail_prev(struct tail *t, const char **line, size_t *n)
{
    for (;;) {
        if (t->skipping) {
            char *p = t->len ? memrchr(t->buf, '\n', t->len) : NULL;
            if (p) {
                t->len = (size_t)(p - t->buf) + 1;
                t->skipping = false;
                continue;
            }
            t->len = 0;
            if (t->pos == 0)
                return TAIL_START;
        } else {
            size_t stop = t->len && t->buf[t->len - 1] == '\n' ? t->len - 1 : t->len;
            char *p = stop ? memrchr(t->buf, '\n', stop) : NULL;
            if (t->len == 0 && t->pos == 0)
                return TAIL_START;
            if (p || t->pos == 0) {
                size_t from = p ? (size_t)(p - t->buf) + 1 : 0;
                *line = t->buf + from;
                *n = stop - from;
                t->len = from;
                return TAIL_LINE;
            }
            if (stop >= TAIL_LINE_MAX) {
                t->skipping = true;
                t->len = 0;
                return TAIL_LONG;
            }
        }
        /* the chunk before what is held */
        size_t chunk = TAIL_CHUNK;
        if ((off_t)chunk > t->pos)
            chunk = (size_t)t->pos;
        if ((off_t)chunk > t->budget)
            chunk = (size_t)t->budget;
        if (chunk == 0)
            return TAIL_BUDGET;
        if (t->len + chunk > t->cap) {
            char *nb = realloc(t->buf, t->len + chunk);
            if (!nb) {
                errno = ENOMEM;
                return TAIL_EIO;
            }
            t->buf = nb;
            t->cap = t->len + chunk;
        }
        memmove(t->buf + chunk, t->buf, t->len);
        for (size_t got = 0; got < chunk;) {
            ssize_t r = pread(t->fd, t->buf + got, chunk - got, t->pos - (off_t)chunk + (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                if (r == 0)
                    errno = EIO; /* the file was cut short while read */
                return TAIL_EIO;
            }
            got += (size_t)r;
        }
        t->pos -= (off_t)chunk;
        t->len += chunk;
        t->budget -= (off_t)chunk;
    }
}

/* --- proof-of-play lines ---------------------------------------------------- */

struct pop_line {
    char screen[PL_ID_MAX + 1];
    char campaign[PL_ID_MAX + 1]; /* "-": the fallback */
    char type[8];
    char result[8];
    int item;
    pl_ms start, end;
    bool have_generation;
    long long generation;
    char error[300];
};

static void copy_str(json_t *o, const char *key, char *buf, size_t len)
{
    const char *s = json_string_value(json_object_get(o, key));

    snprintf(buf, len, "%s", s ? s : "");
}

/* Parses one log line (SPEC §8) into L; false when it is not one. */
static bool parse_line(const char *s, size_t n, const pl_tz *tz, struct pop_line *l)
{
    char err[256];
    json_t *o, *v;
    const char *start, *end;
    bool ok = false;

    if (n < 2 || s[0] != '{')
        return false;
    o = json_loadb(s, n, 0, NULL);
    if (!json_is_object(o))
        goto out;
    start = json_string_value(json_object_get(o, "start"));
    end = json_string_value(json_object_get(o, "end"));
    if (!start || !end || !json_is_string(json_object_get(o, "result")) ||
        pl_time_parse(start, tz, PL_TIME_INSTANT, &l->start, err, sizeof err) < 0 ||
        pl_time_parse(end, tz, PL_TIME_INSTANT, &l->end, err, sizeof err) < 0)
        goto out;
    copy_str(o, "screen", l->screen, sizeof l->screen);
    copy_str(o, "campaign", l->campaign, sizeof l->campaign);
    copy_str(o, "type", l->type, sizeof l->type);
    copy_str(o, "result", l->result, sizeof l->result);
    copy_str(o, "error", l->error, sizeof l->error);
    v = json_object_get(o, "item");
    l->item = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    v = json_object_get(o, "generation");
    l->have_generation = json_is_integer(v);
    l->generation = l->have_generation ? (long long)json_integer_value(v) : 0;
    ok = true;
out:
    json_decref(o);
    return ok;
}

/* --- one screen ------------------------------------------------------------- */

enum problem { P_STALE, P_NO_LOG, P_NO_PLAYLIST, P_ERRORS, P_BEHIND, P_COUNT };

/* Worst first: the health word is the first problem found. */
static const char *const problem_names[P_COUNT] = {"stale", "no log", "no playlist", "errors",
                                                   "behind"};

struct log_file {
    char *path;
    int day; /* YYYYMMDD */
    bool flat;
    long long off; /* a part's first byte in its day file (issue 15); -1: the whole file */
    size_t tree;   /* the log tree it is in */
};

struct screen_status {
    const struct pl_screen *scr;
    bool have_last;
    struct pop_line last;
    char *last_file; /* the file LAST was read from */
    bool last_flat;  /* ... a flat file of older players */
    /* Lines "error", and "skipped" (an item that did not air: a broken
     * medium not tried again, or one not ready in time), that ended in the
     * hour before now; the newest of them. */
    long errors, skipped;
    bool errors_whole_hour;
    struct pop_line last_error;
    uint64_t *counted; /* the error and skipped lines counted (hashes): once each */
    size_t ncounted;
    bool have_pl;
    long long published;
    pl_ms published_at;
    struct pl_due due;
    char on_campaign[PL_ID_MAX + 1];
    const char *on_type;
    int on_item;
    pl_ms longest; /* the longest item of the loop on screen now */
    pl_ms stale_after, behind_after;
    unsigned problems; /* 1 << enum problem */
    json_t *notes;     /* strings, for people */
};

static void note(struct screen_status *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(struct screen_status *ss, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    if (!sb_failed(&sb))
        json_array_append_new(ss->notes, ctl_json_text(sb_str(&sb)));
    sb_free(&sb);
}

/* The day of a log file named "play-YYYY-MM-DD.jsonl" as YYYYMMDD, or 0;
 * also of a part of one a box uploaded during the day (issue 15),
 * "play-YYYY-MM-DD.jsonl.NNNNNNNNNNNN.part", with *OFF its offset (-1 for
 * the whole file). */
static int log_day(const char *name, long long *off)
{
    int v[3] = {0, 0, 0}, k = 0;
    size_t n = strlen(name);

    if ((n != 21 && n != 21 + 18) || strncmp(name, "play-", 5) != 0 ||
        strncmp(name + 15, ".jsonl", 6) != 0)
        return 0;
    *off = -1;
    if (n > 21) {
        if (name[21] != '.' || strcmp(name + 34, ".part") != 0)
            return 0;
        for (int i = 22; i < 34; i++)
            if (name[i] < '0' || name[i] > '9')
                return 0;
        *off = strtoll(name + 22, NULL, 10);
    }
    for (int i = 5; i < 15; i++) {
        if (i == 9 || i == 12) {
            if (name[i] != '-')
                return 0;
            k++;
        } else if (name[i] >= '0' && name[i] <= '9') {
            v[k] = v[k] * 10 + (name[i] - '0');
        } else {
            return 0;
        }
    }
    if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return 0;
    return v[0] * 10000 + v[1] * 100 + v[2];
}

struct log_files {
    struct log_file *v;
    size_t n, cap;
};

static void log_files_free(struct log_files *lf)
{
    for (size_t i = 0; i < lf->n; i++)
        free(lf->v[i].path);
    free(lf->v);
    memset(lf, 0, sizeof *lf);
}

/* Adds a copy of PATH, the log of DAY (or its part at OFF), to LF.  0, or
 * -1 (out of memory). */
static int log_files_push(struct log_files *lf, const char *path, int day, bool flat, long long off,
                          size_t tree)
{
    if (lf->n == lf->cap) {
        size_t nc = lf->cap ? 2 * lf->cap : 16;
        struct log_file *v = realloc(lf->v, nc * sizeof *v);
        if (!v)
            return -1;
        lf->v = v;
        lf->cap = nc;
    }
    if (!(lf->v[lf->n].path = strdup(path)))
        return -1;
    lf->v[lf->n].day = day;
    lf->v[lf->n].flat = flat;
    lf->v[lf->n].off = off;
    lf->v[lf->n++].tree = tree;
    return 0;
}

/* Adds DIR's day files (and parts) up to day LAST to LF.  A day there
 * whole is read whole: its parts are a prefix of it, left by a box that
 * crashed before deleting them.  Returns 0 (also when DIR does not
 * exist), or -errno. */
static int log_files_add(struct log_files *lf, const char *dir, bool flat, int last, size_t tree)
{
    struct dirent *de;
    DIR *d = opendir(dir);
    size_t first = lf->n;

    if (!d)
        return errno == ENOENT ? 0 : -errno;
    while ((de = readdir(d))) {
        long long off;
        int day = log_day(de->d_name, &off);
        if (!day || day > last)
            continue;
        char *path = NULL;
        int r = asprintf(&path, "%s/%s", dir, de->d_name) < 0
                    ? -1
                    : log_files_push(lf, path, day, flat, off, tree);
        free(path);
        if (r < 0)
            break;
    }
    closedir(d);
    size_t k = first;
    for (size_t i = first; i < lf->n; i++) {
        bool whole = false;
        for (size_t j = first; j < lf->n && lf->v[i].off >= 0 && !whole; j++)
            whole = lf->v[j].off < 0 && lf->v[j].day == lf->v[i].day;
        if (whole)
            free(lf->v[i].path);
        else
            lf->v[k++] = lf->v[i];
    }
    lf->n = k;
    return 0;
}

/* Newest day first; a screen's own file before the flat one of that day;
 * a day's parts newest (furthest in) first, by tree. */
static int log_file_cmp(const void *a, const void *b)
{
    const struct log_file *x = a, *y = b;

    if (x->day != y->day)
        return x->day > y->day ? -1 : 1;
    if (x->flat != y->flat)
        return (int)x->flat - (int)y->flat;
    if (x->off != y->off)
        return x->off > y->off ? -1 : 1;
    return x->tree < y->tree ? -1 : x->tree > y->tree;
}

/* Whether the error or skipped line L (its bytes S, N) is counted for the
 * first time: a line found in two trees is counted once. */
static bool count_once(struct screen_status *ss, const char *s, size_t n)
{
    uint64_t h = hash64(s, n, 0x57a7) | 1;

    for (size_t i = 0; i < ss->ncounted; i++)
        if (ss->counted[i] == h)
            return false;
    if ((ss->ncounted & (ss->ncounted - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        uint64_t *v = realloc(ss->counted, (ss->ncounted ? 2 * ss->ncounted : 1) * sizeof *v);
        if (!v)
            return true;
        ss->counted = v;
    }
    ss->counted[ss->ncounted++] = h;
    return true;
}

/* Reads the log file F of screen SS from its end, for its last line and
 * the errors of the hour before NOW.  Returns true when it went back past
 * that hour (older files need not be read). */
static bool scan_log(struct screen_status *ss, const struct log_file *f,
                     const struct status_req *rq)
{
    struct tail t = {.fd = -1, .budget = STATUS_READ_MAX};
    struct stat sb;
    const char *line;
    size_t n;
    long bad_tail = 0, future = 0;
    pl_ms hour = rq->now - PL_MS_PER_HOUR;
    bool back = false, found = false;
    enum tail_r r;

    t.fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (t.fd < 0) {
        int e = errno;
        note(ss, "%s: cannot be read: %s%s", f->path,
             e == ELOOP ? "a symbolic link, not followed" : strerror(e),
             e == EACCES ? " (signage-player writes it; read it as root or its user)" : "");
        return false;
    }
    if (fstat(t.fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        note(ss, "%s: not a regular file, left out; move it away", f->path);
        close(t.fd);
        return false;
    }
    t.pos = sb.st_size;
    while ((r = tail_prev(&t, &line, &n)) == TAIL_LINE || r == TAIL_LONG) {
        struct pop_line l;
        if (r == TAIL_LINE && n == 0)
            continue;
        if (r == TAIL_LONG || !parse_line(line, n, rq->cfg->tz, &l)) {
            if (!found)
                bad_tail++;
            continue;
        }
        /* a flat file has every screen's lines; a screen's folder only its
         * own (another screen's there were not written by its player) */
        if (strcmp(l.screen, ss->scr->id) != 0)
            continue;
        if (l.end > rq->now) { /* not over yet at --now, or a clock ahead */
            future++;
            continue;
        }
        found = true;
        /* the newest line of any tree; a screen's own files before the flat
         * ones of older players (read after them) */
        if (!ss->have_last || (l.end > ss->last.end && !(f->flat && !ss->last_flat))) {
            ss->last = l;
            ss->have_last = true;
            ss->last_flat = f->flat;
            free(ss->last_file);
            ss->last_file = strdup(f->path);
            if (bad_tail)
                note(ss,
                     "%s: its last %ld line%s cannot be read (cut short by a crash or a full "
                     "disk, or not a proof-of-play log); the line before is used",
                     f->path, bad_tail, bad_tail == 1 ? "" : "s");
        }
        if (l.end > hour && (strcmp(l.result, "error") == 0 || strcmp(l.result, "skipped") == 0) &&
            count_once(ss, line, n)) {
            if (ss->errors + ss->skipped == 0 || l.end > ss->last_error.end)
                ss->last_error = l;
            if (l.result[0] == 'e')
                ss->errors++;
            else
                ss->skipped++;
        }
        if (l.end <= hour - BACK_SLACK_MS) {
            back = true;
            break;
        }
    }
    /* A flat file holds other screens' lines too: only its errors are told. */
    if (r == TAIL_EIO)
        note(ss, "%s: read error: %s", f->path, strerror(errno));
    else if (r == TAIL_BUDGET && found && !back) {
        ss->errors_whole_hour = false;
        note(ss, "%s: read back %d MB without reaching an hour ago; errors counted in those only",
             f->path, STATUS_READ_MAX >> 20);
    } else if (r == TAIL_BUDGET && !f->flat)
        note(ss, "%s: no proof-of-play line in its last %d MB; is it a log?", f->path,
             STATUS_READ_MAX >> 20);
    else if (!found && !f->flat && sb.st_size == 0)
        note(ss, "%s: empty", f->path);
    else if (!found && !f->flat)
        note(ss, "%s: no proof-of-play line in it (%lld bytes); is it a log?", f->path,
             (long long)sb.st_size);
    if (future && !rq->now_given)
        note(ss,
             "%s: %ld line%s end%s after now, left out: is this computer's clock behind the "
             "player's?",
             f->path, future, future == 1 ? "" : "s", future == 1 ? "s" : "");
    free(t.buf);
    close(t.fd);
    return back || r == TAIL_BUDGET;
}

/* The screen directories found in the log trees: which trees have SCREEN/. */
struct where {
    char *screen;
    size_t tree;
};

struct wheres {
    struct where *v;
    size_t n, cap;
};

static int where_cmp(const void *a, const void *b)
{
    const struct where *x = a, *y = b;
    int c = strcmp(x->screen, y->screen);

    return c ? c : x->tree < y->tree ? -1 : x->tree > y->tree;
}

static void scan_logs(struct screen_status *ss, const struct status_req *rq,
                      const struct log_files *flat, const char *const *trees,
                      const struct wheres *w)
{
    struct log_files lf = {0};
    struct pl_civil c;
    char *dir = NULL;
    size_t looked = 0, own = 0, days = 0;
    int r, last, done_day = 0;
    bool went_back = false; /* the file scanned last went back past the hour */

    pl_tz_to_civil(rq->cfg->tz, rq->now, &c);
    last = c.year * 10000 + c.month * 100 + c.day;
    ss->errors_whole_hour = true;
    /* the trees that have a directory of this screen */
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(w->v[mid].screen, ss->scr->id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < w->n && strcmp(w->v[i].screen, ss->scr->id) == 0; i++) {
        free(dir);
        dir = NULL;
        if (asprintf(&dir, "%s/%s", trees[w->v[i].tree], ss->scr->id) < 0)
            goto out;
        r = log_files_add(&lf, dir, false, last, w->v[i].tree);
        if (r < 0)
            note(ss, "%s: cannot be read: %s", dir, strerror(-r));
    }
    own = lf.n;
    for (size_t i = 0; i < flat->n; i++)
        if (log_files_push(&lf, flat->v[i].path, flat->v[i].day, true, flat->v[i].off,
                           flat->v[i].tree) < 0)
            break;
    if (lf.n > 1)
        qsort(lf.v, lf.n, sizeof *lf.v, log_file_cmp);
    /* Every file of a day (several trees, a day in parts) before the day
     * before; no older day once one went back past the hour. */
    for (size_t i = 0; i < lf.n; i++) {
        const struct log_file *f = &lf.v[i], *p = i ? &lf.v[i - 1] : NULL;
        if (!p || p->day != f->day) {
            if (done_day || days == STATUS_DAYS_MAX)
                break;
            days++;
        }
        /* a part before one (of its file) that went back past the hour: no need */
        if (went_back && p->day == f->day && p->flat == f->flat && p->tree == f->tree &&
            p->off >= 0 && f->off >= 0)
            continue;
        looked++;
        went_back = scan_log(ss, f, rq);
        if (went_back && ss->have_last)
            done_day = f->day;
    }
    if (!ss->have_last) {
        ss->problems |= 1u << P_NO_LOG;
        if (own == 0 && !rq->trees_given)
            note(ss, "no proof-of-play log in %s/log/%s%s: has signage-player@%s played yet?",
                 rq->cfg->state, ss->scr->id,
                 flat->n ? " (nor a line in the flat log of older players)" : "", ss->scr->id);
        else if (own == 0)
            note(ss, "no proof-of-play log of %s in the log trees given%s", ss->scr->id,
                 flat->n ? " (nor a line in their flat logs of older players)" : "");
        else
            note(ss,
                 "no proof-of-play line in the %zu newest day files: is signage-player@%s "
                 "writing its log?",
                 looked, ss->scr->id);
    }
out:
    free(dir);
    log_files_free(&lf);
}

static void scan_playlist(struct screen_status *ss, const struct status_req *rq)
{
    char *path = NULL, err[1024], a[PL_TIME_BUFSZ], b[PL_TIME_BUFSZ];
    const struct pl_window *loop;
    struct pl_playlist *pl;
    pl_ms from, to;

    if (asprintf(&path, "%s/playlists/%s.playlist", rq->cfg->state, ss->scr->id) < 0)
        return;
    if (access(path, F_OK) < 0 && errno == ENOENT) {
        ss->problems |= 1u << P_NO_PLAYLIST;
        note(ss,
             "no playlist published (%s): has signage-scheduler run since the screen was added?",
             path);
        free(path);
        return;
    }
    pl = pl_playlist_load(path, err, sizeof err);
    free(path);
    if (!pl) {
        ss->problems |= 1u << P_NO_PLAYLIST;
        note(ss, "%s; the player keeps playing the last playlist it read", err);
        return;
    }
    ss->have_pl = true;
    ss->published = (long long)pl->generation;
    ss->published_at = pl->generated_at;
    pl_due_at(pl->windows, pl->nwindows, &pl->fallback, rq->now, &ss->due);
    loop = ss->due.window ? ss->due.window : &pl->fallback;
    for (size_t i = 0; i < loop->nslots; i++)
        if (loop->slots[i].duration_ms > ss->longest)
            ss->longest = loop->slots[i].duration_ms;
    if (ss->due.slot && ss->due.window && ss->due.slot->campaign && ss->due.slot->campaign->id)
        snprintf(ss->on_campaign, sizeof ss->on_campaign, "%s", ss->due.slot->campaign->id);
    else
        snprintf(ss->on_campaign, sizeof ss->on_campaign, "-");
    if (ss->due.slot) {
        const struct pl_campaign *c = ss->due.slot->campaign;
        ss->on_item = (int)ss->due.slot->item;
        if (c && ss->due.slot->item < c->nitems)
            ss->on_type = pl_item_type_name(c->items[ss->due.slot->item].type);
    }
    pl_merge_range(rq->cfg, pl->generated_at, &from, &to);
    if (rq->now < from || rq->now >= to) {
        pl_time_format_s(from, rq->cfg->tz, a, sizeof a);
        pl_time_format_s(to, rq->cfg->tz, b, sizeof b);
        note(ss, "the published playlist covers %s .. %s, not now: is signage-scheduler running?",
             a, b);
    }
    /* The due slot's campaign is the playlist's: keep what is shown, not it. */
    ss->due.window = NULL;
    ss->due.slot = NULL;
    pl_playlist_free(pl);
}

static void judge(struct screen_status *ss, const struct status_req *rq)
{
    const char *id = ss->scr->id;
    char a[32], b[32], t[PL_TIME_BUFSZ];

    ss->stale_after = 2 * ss->longest > STATUS_STALE_MIN_MS ? 2 * ss->longest : STATUS_STALE_MIN_MS;
    ss->behind_after =
        2 * ss->longest > STATUS_BEHIND_MIN_MS ? 2 * ss->longest : STATUS_BEHIND_MIN_MS;
    if (ss->have_last && rq->now - ss->last.end > ss->stale_after) {
        ss->problems |= 1u << P_STALE;
        note(ss,
             "no proof of play for %s (stale after %s): is signage-player@%s running? "
             "`journalctl -u signage-player@%s` says why not",
             ctl_fmt_age(rq->now - ss->last.end, a, sizeof a),
             ctl_fmt_age(ss->stale_after, b, sizeof b), id, id);
    }
    if (ss->errors || ss->skipped) {
        ss->problems |= 1u << P_ERRORS;
        struct strbuf what = STRBUF_INIT;
        const char *more = ss->errors_whole_hour ? "" : " or more";
        if (ss->errors)
            sb_printf(&what, "%ld%s error%s", ss->errors, more, ss->errors == 1 ? "" : "s");
        if (ss->skipped)
            sb_printf(&what, "%s%ld%s item%s skipped", ss->errors ? " and " : "", ss->skipped, more,
                      ss->skipped == 1 ? "" : "s");
        pl_time_format_s(ss->last_error.end, rq->cfg->tz, t, sizeof t);
        note(ss, "%s in the last hour; the newest: %s #%d at %s, %s: %s", sb_str(&what),
             ss->last_error.campaign, ss->last_error.item, t, ss->last_error.result,
             ss->last_error.error[0] ? ss->last_error.error : "(no message)");
        sb_free(&what);
    }
    if (ss->have_pl && ss->have_last && ss->last.have_generation &&
        ss->last.generation < ss->published &&
        ss->last.start - ss->published_at > ss->behind_after) {
        ss->problems |= 1u << P_BEHIND;
        pl_time_format_s(ss->published_at, rq->cfg->tz, t, sizeof t);
        note(ss,
             "the player still plays playlist generation %lld; generation %lld was published at "
             "%s: `systemctl reload signage-player@%s` makes it read the playlist again",
             ss->last.generation, ss->published, t, id);
    }
    if (ss->have_pl && ss->have_last && ss->last.have_generation &&
        ss->last.generation > ss->published)
        note(ss,
             "the player logs playlist generation %lld, newer than the published %lld: was "
             "%s/playlists replaced by an older copy?",
             ss->last.generation, ss->published, rq->cfg->state);
}

static const char *health(const struct screen_status *ss)
{
    for (int p = 0; p < P_COUNT; p++)
        if (ss->problems & (1u << p))
            return problem_names[p];
    return "ok";
}

/* --- output ------------------------------------------------------------------ */

static void what_text(struct strbuf *sb, const char *campaign, int item, const char *type)
{
    sb_printf(sb, "%s #%d %s", strcmp(campaign, "-") == 0 ? "(fallback)" : campaign, item,
              type && *type ? type : "?");
}

static json_t *seconds_json(pl_ms ms)
{
    return json_integer((json_int_t)(ms / 1000));
}

static json_t *screen_json(const struct screen_status *ss, const struct status_req *rq)
{
    const pl_tz *tz = rq->cfg->tz;
    json_t *o = json_object(), *probs = json_array(), *gen = json_object();

    json_object_set_new(o, "screen", json_string(ss->scr->id));
    json_object_set_new(o, "name", ctl_json_text(ss->scr->name));
    json_object_set_new(o, "health", json_string(health(ss)));
    for (int p = 0; p < P_COUNT; p++)
        if (ss->problems & (1u << p))
            json_array_append_new(probs, json_string(problem_names[p]));
    json_object_set_new(o, "problems", probs);
    if (ss->have_last) {
        const struct pop_line *l = &ss->last;
        json_t *lo = json_object();
        json_object_set_new(lo, "file", ctl_json_text(ss->last_file));
        json_object_set_new(lo, "campaign", ctl_json_text(l->campaign));
        json_object_set_new(lo, "item", json_integer(l->item));
        json_object_set_new(lo, "type", ctl_json_text(l->type));
        json_object_set_new(lo, "result", ctl_json_text(l->result));
        json_object_set_new(lo, "start", ctl_time_json(l->start, tz));
        json_object_set_new(lo, "end", ctl_time_json(l->end, tz));
        json_object_set_new(lo, "generation",
                            l->have_generation ? json_integer(l->generation) : json_null());
        json_object_set_new(o, "last_log", lo);
        json_object_set_new(o, "last_log_age_seconds", seconds_json(rq->now - l->end));
    } else {
        json_object_set_new(o, "last_log", json_null());
        json_object_set_new(o, "last_log_age_seconds", json_null());
    }
    json_object_set_new(o, "stale_after_seconds", seconds_json(ss->stale_after));
    if (ss->have_pl) {
        json_t *on = json_object();
        json_object_set_new(on, "campaign", json_string(ss->on_campaign));
        json_object_set_new(on, "item", ss->on_type ? json_integer(ss->on_item) : json_null());
        json_object_set_new(on, "type", ss->on_type ? json_string(ss->on_type) : json_null());
        json_object_set_new(on, "slot_start", ctl_time_json(ss->due.slot_start, tz));
        json_object_set_new(on, "slot_end", ctl_time_json(ss->due.slot_end, tz));
        json_object_set_new(o, "on_screen", on);
    } else {
        json_object_set_new(o, "on_screen", json_null());
    }
    json_object_set_new(gen, "loaded",
                        ss->have_last && ss->last.have_generation
                            ? json_integer(ss->last.generation)
                            : json_null());
    json_object_set_new(gen, "published", ss->have_pl ? json_integer(ss->published) : json_null());
    json_object_set_new(gen, "published_at",
                        ss->have_pl ? ctl_time_json(ss->published_at, tz) : json_null());
    json_object_set_new(o, "generation", gen);
    json_object_set_new(o, "errors_last_hour", json_integer(ss->errors));
    json_object_set_new(o, "skipped_last_hour", json_integer(ss->skipped));
    json_object_set_new(o, "errors_whole_hour_read", json_boolean(ss->errors_whole_hour));
    if (ss->errors || ss->skipped) {
        json_t *e = json_object();
        json_object_set_new(e, "campaign", ctl_json_text(ss->last_error.campaign));
        json_object_set_new(e, "item", json_integer(ss->last_error.item));
        json_object_set_new(e, "result", ctl_json_text(ss->last_error.result));
        json_object_set_new(e, "end", ctl_time_json(ss->last_error.end, tz));
        json_object_set_new(e, "error", ctl_json_text(ss->last_error.error));
        json_object_set_new(o, "last_error", e);
    } else {
        json_object_set_new(o, "last_error", json_null());
    }
    json_object_set_new(o, "notes", json_incref(ss->notes));
    return o;
}

static json_t *spool_json(const struct spool_view *sv, const struct status_req *rq)
{
    json_t *o = json_object(), *pend = json_array(), *rej = json_array();
    const struct pl_config *cfg = rq->cfg;

    json_object_set_new(o, "dir", ctl_json_text(sv->dir));
    for (size_t i = 0; i < sv->npending; i++) {
        const struct spool_file *f = &sv->pending[i];
        json_t *p = json_object();
        json_object_set_new(p, "file", json_string(f->shown));
        json_object_set_new(p, "size", json_integer(f->size));
        json_object_set_new(p, "age_seconds", seconds_json(rq->wall - f->changed));
        json_object_set_new(p, "waiting", json_string(spool_wait_name(f->wait)));
        json_object_set_new(p, "open_for_writing", json_boolean(f->writer));
        json_object_set_new(p, "waiting_since",
                            f->wait == SPOOL_MEDIA ? ctl_time_json(f->media_since, cfg->tz)
                                                   : json_null());
        json_object_set_new(p, "rejected_after",
                            f->wait == SPOOL_MEDIA
                                ? ctl_time_json(f->media_since + cfg->pending_grace_ms, cfg->tz)
                                : json_null());
        json_array_append_new(pend, p);
    }
    for (size_t i = 0; i < sv->nrejected; i++) {
        const struct spool_rejected *r = &sv->rejected[i];
        json_t *p = json_object();
        json_object_set_new(p, "file", json_string(r->shown));
        json_object_set_new(p, "rejected_at",
                            r->when ? ctl_time_json(r->when, cfg->tz) : json_null());
        json_object_set_new(p, "age_seconds",
                            r->when ? seconds_json(rq->wall - r->when) : json_null());
        json_object_set_new(p, "reason", ctl_json_text(r->reason));
        json_array_append_new(rej, p);
    }
    json_object_set_new(o, "pending", pend);
    json_object_set_new(o, "rejected", rej);
    return o;
}

/* Prints ROWS (NROWS of NCOLS cells each) as columns as wide as their
 * widest cell, in characters. */
static size_t text_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

static void print_table(char **cells, size_t nrows, size_t ncols)
{
    size_t width[16] = {0};

    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++)
            if (text_width(cells[r * ncols + c]) > width[c])
                width[c] = text_width(cells[r * ncols + c]);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *s = cells[r * ncols + c];
            if (c + 1 == ncols)
                printf("%s\n", s);
            else
                printf("%s%*s", s, (int)(width[c] - text_width(s) + 2), "");
        }
    }
}

#define NCOLS 7

static void print_screens(const struct screen_status *v, size_t n, const struct status_req *rq)
{
    char **cells = calloc((n + 1) * NCOLS, sizeof *cells);
    static const char *const head[NCOLS] = {"SCREEN",        "HEALTH",     "LAST LOG", "LAST SHOWN",
                                            "ON SCREEN NOW", "GENERATION", "ERRORS 1H"};
    struct strbuf sb = STRBUF_INIT;
    char a[32];

    if (!cells)
        return;
    for (size_t c = 0; c < NCOLS; c++)
        cells[c] = strdup(head[c]);
    for (size_t i = 0; i < n; i++) {
        const struct screen_status *ss = &v[i];
        char **row = cells + (i + 1) * NCOLS;
        row[0] = strdup(ss->scr->id);
        sb_reset(&sb);
        for (int p = 0; p < P_COUNT; p++)
            if (ss->problems & (1u << p))
                sb_printf(&sb, "%s%s", sb.len ? "," : "", problem_names[p]);
        row[1] = strdup(sb.len ? sb_str(&sb) : "ok");
        sb_reset(&sb);
        if (ss->have_last)
            sb_printf(&sb, "%s ago", ctl_fmt_age(rq->now - ss->last.end, a, sizeof a));
        row[2] = strdup(ss->have_last ? sb_str(&sb) : "-");
        sb_reset(&sb);
        if (ss->have_last) {
            what_text(&sb, ss->last.campaign, ss->last.item, ss->last.type);
            if (strcmp(ss->last.result, "played") != 0)
                sb_printf(&sb, " (%s)", ss->last.result);
        }
        row[3] = strdup(ss->have_last ? sb_str(&sb) : "-");
        sb_reset(&sb);
        if (ss->have_pl)
            what_text(&sb, ss->on_campaign, ss->on_item, ss->on_type);
        row[4] = strdup(ss->have_pl ? sb_str(&sb) : "-");
        sb_reset(&sb);
        if (ss->have_last && ss->last.have_generation)
            sb_printf(&sb, "%lld", ss->last.generation);
        else
            sb_puts(&sb, "-");
        if (ss->have_pl)
            sb_printf(&sb, " of %lld", ss->published);
        row[5] = strdup(sb_str(&sb));
        sb_reset(&sb);
        sb_printf(&sb, "%ld%s", ss->errors, ss->errors_whole_hour ? "" : "+");
        if (ss->skipped)
            sb_printf(&sb, ", %ld skipped", ss->skipped);
        row[6] = strdup(ss->have_last ? sb_str(&sb) : "-");
    }
    for (size_t i = 0; i < (n + 1) * NCOLS; i++)
        if (!cells[i])
            cells[i] = strdup("");
    print_table(cells, n + 1, NCOLS);
    for (size_t i = 0; i < (n + 1) * NCOLS; i++)
        free(cells[i]);
    free(cells);
    sb_free(&sb);
}

static void print_spool(const struct spool_view *sv, const struct status_req *rq)
{
    char a[32], b[32], t[PL_TIME_BUFSZ], u[PL_TIME_BUFSZ];
    size_t shown = sv->nrejected < REJECTED_SHOWN ? sv->nrejected : REJECTED_SHOWN;

    if (!sv->npending)
        printf("\nspool %s: no campaign file waiting\n", sv->dir);
    else
        printf("\nspool %s: %zu campaign file%s waiting\n", sv->dir, sv->npending,
               sv->npending == 1 ? "" : "s");
    for (size_t i = 0; i < sv->npending; i++) {
        const struct spool_file *f = &sv->pending[i];
        printf("  %s  %s, %s in the spool: %s", f->shown, ctl_fmt_size(f->size, a, sizeof a),
               ctl_fmt_age(rq->wall - f->changed, b, sizeof b), spool_wait_name(f->wait));
        if (f->wait == SPOOL_ARRIVING && f->writer)
            printf(" (a program has it open for writing)");
        if (f->wait == SPOOL_MEDIA) {
            pl_time_format_s(f->media_since, rq->cfg->tz, t, sizeof t);
            pl_time_format_s(f->media_since + rq->cfg->pending_grace_ms, rq->cfg->tz, u, sizeof u);
            printf(" since %s; rejected at %s unless they are in spool/ by then", t, u);
        }
        if (f->wait == SPOOL_UNREAD && rq->wall - f->changed > PL_MS_PER_MIN)
            printf("; is signage-scheduler running?");
        printf("\n");
    }
    if (!sv->nrejected) {
        printf("rejected: none\n");
        return;
    }
    printf("rejected: %zu file%s, newest first; each has NAME.error in %s/rejected/\n",
           sv->nrejected, sv->nrejected == 1 ? "" : "s", rq->cfg->state);
    for (size_t i = 0; i < shown; i++) {
        const struct spool_rejected *r = &sv->rejected[i];
        printf("  %s  %s ago: %s\n", r->shown,
               r->when ? ctl_fmt_age(rq->wall - r->when, a, sizeof a) : "?",
               r->reason ? r->reason : "(no .error file)");
    }
    if (shown < sv->nrejected)
        printf("  ... and %zu older (signagectl status --json lists them all)\n",
               sv->nrejected - shown);
}

/* --- the command ------------------------------------------------------------- */

int status_run(const struct status_req *rq)
{
    const struct pl_config *cfg = rq->cfg;
    struct screen_status *v = NULL;
    struct log_files flat = {0};
    struct spool_view sv = {0};
    struct pl_civil c;
    struct stat sb;
    char err[1024], *logdir = NULL, t[PL_TIME_BUFSZ];
    size_t n = 0, unhealthy = 0, ntrees = 1;
    int ret = 1, r;
    struct wheres w = {0};
    const char *const *trees = (const char *const *)&logdir;

    if (stat(cfg->state, &sb) < 0) {
        log_error("%s: the state directory cannot be read: %s; is state = right in %s?", cfg->state,
                  strerror(errno), cfg->path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        log_error("%s: not a directory; state = in %s must name the state directory", cfg->state,
                  cfg->path);
        return 1;
    }
    for (size_t i = 0; i < rq->nscreens; i++) {
        if (!pl_config_screen(cfg, rq->screens[i])) {
            log_error("%s: no screen \"%s\"; `signagectl status` shows them all", cfg->path,
                      rq->screens[i]);
            return 1;
        }
    }
    v = calloc(cfg->nscreens ? cfg->nscreens : 1, sizeof *v);
    if (!v || asprintf(&logdir, "%s/log", cfg->state) < 0) {
        log_error("status: out of memory");
        goto out;
    }
    pl_tz_to_civil(cfg->tz, rq->now, &c);
    /* The log trees: STATE/log, or those given (--log, --boxes); in each,
     * the flat files of older players, and the screens' directories. */
    if (rq->trees_given) {
        trees = rq->trees;
        ntrees = rq->ntrees;
    }
    for (size_t ti = 0; ti < ntrees; ti++) {
        DIR *d;
        struct dirent *de;
        r = log_files_add(&flat, trees[ti], true, c.year * 10000 + c.month * 100 + c.day, ti);
        if (r < 0 || !(d = opendir(trees[ti]))) {
            char shown[4096];
            log_warn("%s: cannot be read: %s; the screens' logs in it are not found",
                     utf8_printable(trees[ti], shown, sizeof shown), strerror(r < 0 ? -r : errno));
            continue;
        }
        while ((de = readdir(d))) {
            if (!pl_id_valid(de->d_name) || !pl_config_screen(cfg, de->d_name))
                continue;
            if (w.n == w.cap) {
                size_t cap = w.cap ? 2 * w.cap : 64;
                struct where *nv = realloc(w.v, cap * sizeof *nv);
                if (!nv)
                    break;
                w.v = nv;
                w.cap = cap;
            }
            if (!(w.v[w.n].screen = strdup(de->d_name)))
                break;
            w.v[w.n++].tree = ti;
        }
        closedir(d);
    }
    if (w.n > 1)
        qsort(w.v, w.n, sizeof *w.v, where_cmp);
    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *scr = &cfg->screens[i];
        bool asked = rq->nscreens == 0;
        for (size_t k = 0; k < rq->nscreens && !asked; k++)
            asked = strcmp(rq->screens[k], scr->id) == 0;
        if (!asked)
            continue;
        struct screen_status *ss = &v[n++];
        ss->scr = scr;
        ss->notes = json_array();
        scan_playlist(ss, rq);
        scan_logs(ss, rq, &flat, trees, &w);
        judge(ss, rq);
        if (ss->problems)
            unhealthy++;
    }
    if (spool_scan(cfg, rq->wall, &sv, err, sizeof err) < 0)
        log_warn("%s", err);
    pl_time_format_s(rq->now, cfg->tz, t, sizeof t);
    if (rq->json) {
        json_t *doc = json_object(), *scr = json_array();
        json_object_set_new(doc, "now", json_string(t));
        json_object_set_new(doc, "state", ctl_json_text(cfg->state));
        json_object_set_new(doc, "healthy", json_boolean(unhealthy == 0));
        for (size_t i = 0; i < n; i++)
            json_array_append_new(scr, screen_json(&v[i], rq));
        json_object_set_new(doc, "screens", scr);
        json_object_set_new(doc, "spool", spool_json(&sv, rq));
        ctl_print_json(doc);
    } else {
        printf("status at %s, state %s\n\n", t, cfg->state);
        print_screens(v, n, rq);
        bool first = true;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < json_array_size(v[i].notes); k++, first = false)
                printf("%s%s: %s\n", first ? "\n" : "", v[i].scr->id,
                       json_string_value(json_array_get(v[i].notes, k)));
        print_spool(&sv, rq);
        if (unhealthy == 0)
            printf("\nall %zu screen%s ok\n", n, n == 1 ? "" : "s");
        else
            printf("\n%zu of %zu screen%s need%s a look\n", unhealthy, n, n == 1 ? "" : "s",
                   unhealthy == 1 ? "s" : "");
    }
    ret = 0;
out:
    for (size_t i = 0; i < n; i++) {
        json_decref(v[i].notes);
        free(v[i].last_file);
        free(v[i].counted);
    }
    free(v);
    free(logdir);
    log_files_free(&flat);
    for (size_t i = 0; i < w.n; i++)
        free(w.v[i].screen);
    free(w.v);
    spool_view_clear(&sv);
    return ret;
}
