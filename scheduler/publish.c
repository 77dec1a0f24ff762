/* publish.c - one playlist per screen, costing what changed.
 *
 * A pass, for N screens and M campaigns:
 * 1. Targets are indexed: each name a campaign targets (a screen id, a
 *    group, "*") -> the campaigns naming it.  A screen's campaigns are the
 *    union of the lists of its id, its groups and "*", so screens are sorted
 *    into subsets by which of those names are targeted at all, without
 *    looking at every campaign for every screen.
 * 2. Each screen's inputs are signed (the subset's campaign digests, the
 *    screen, the configuration, the day) and compared with what the file on
 *    disk was made from; an unchanged screen is skipped, not rebuilt or read.
 * 3. Each subset with a changed screen computes its windows once and formats
 *    their text once; each of its screens writes its own head and that body.
 * 4. The files are written unflushed and put in place by one batch: one
 *    syncfs, the renames, one directory fsync (common/atomic.h).
 * What the files on disk were made from is kept in STATE/playlists/.index
 * (screen, inputs, generation and the file's identity), so a new process
 * skips unchanged screens after one lstat each.
 */
#include "scheduler/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "playlists/merge.h"
#include "playlists/schedule.h"

#define INDEX_NAME ".index"
#define INDEX_MAX_BYTES (256u << 20)
#define HEAD_BYTES 2048    /* the head of a playlist: format .. inputs */
#define LOG_EACH_MAX 20    /* written playlists logged one by one per pass */
#define STAT_THREADS 4     /* lstat's of a verifying pass, spread over the cores */
#define STAT_PARALLEL 4096 /* screens below which one thread does them */

struct targets;
static void seen_free(struct sched_publisher *p);
static void index_write(struct sched_publisher *p, const struct sched_state *st);

/* What the publisher knows of one screen's playlist file. */
struct screen_memo {
    char *id;
    bool known; /* the fields below describe the file on disk */
    dev_t dev;
    ino_t ino;
    int64_t mtime_ns;
    off_t size;
    int64_t generation;
    uint64_t inputs; /* the signature the file was made from; 0 = unknown */
    bool failing;    /* the last write failed (logged once) */
    bool check;      /* the file was touched by someone: lstat it next pass */
};

struct sched_publisher {
    struct screen_memo *v;
    size_t n, cap;
    size_t *tab, tcap;                  /* id -> 1 + index into v */
    bool index_read;                    /* STATE/playlists/.index was looked at */
    bool index_dirty;                   /* a memo changed since the index was written */
    const struct sched_state *index_st; /* where the last pass published */
    pl_ms verified_day;                 /* the day the files were last lstat'ed */
    /* What the last complete pass saw, so the next one looks only at the
     * screens a changed campaign targets (or targeted). */
    const struct pl_config *seen_cfg;
    uint64_t seen_config; /* config_inputs() of that pass, 0 = none */
    struct seen_campaign *seen;
    size_t nseen;
    struct targets *by_name; /* group or screen id -> screens of seen_cfg */
};

/* A campaign as the last pass saw it: its digest and the names it targeted. */
struct seen_campaign {
    char *id;
    uint64_t digest;
    char **names;
    size_t nnames;
};

struct sched_publisher *sched_publisher_new(void)
{
    struct sched_publisher *p = calloc(1, sizeof *p);

    if (p)
        p->verified_day = INT64_MIN;
    return p;
}

void sched_publisher_free(struct sched_publisher *p)
{
    if (!p)
        return;
    /* What passes after one drop did not write to the index yet. */
    if (p->index_dirty && p->index_st)
        index_write(p, p->index_st);
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].id);
    free(p->v);
    free(p->tab);
    seen_free(p);
    free(p);
}

void sched_publisher_forget(struct sched_publisher *p)
{
    for (size_t i = 0; p && i < p->n; i++) {
        p->v[i].known = false;
        p->v[i].inputs = 0;
    }
    if (p) {
        p->verified_day = INT64_MIN;
        seen_free(p);
    }
}

void sched_publisher_verify(struct sched_publisher *p)
{
    if (p)
        p->verified_day = INT64_MIN;
}

static uint64_t str_hash(const char *s)
{
    return hash64(s, strlen(s), 0);
}

/* The slot of ID in P's table. */
static size_t *memo_slot(struct sched_publisher *p, const char *id)
{
    size_t i = (size_t)str_hash(id) & (p->tcap - 1);

    while (p->tab[i] && strcmp(p->v[p->tab[i] - 1].id, id) != 0)
        i = (i + 1) & (p->tcap - 1);
    return &p->tab[i];
}

static int memo_grow(struct sched_publisher *p)
{
    size_t ncap = p->tcap ? 2 * p->tcap : 1024;
    size_t *old = p->tab, ocap = p->tcap;

    p->tab = calloc(ncap, sizeof *p->tab);
    if (!p->tab) {
        p->tab = old;
        return -1;
    }
    p->tcap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i])
            *memo_slot(p, p->v[old[i] - 1].id) = old[i];
    free(old);
    return 0;
}

/* The memo of screen ID, made when new; NULL out of memory. */
static struct screen_memo *memo_get(struct sched_publisher *p, const char *id)
{
    size_t *pos;

    if ((p->n + 1) * 2 > p->tcap && memo_grow(p) < 0)
        return NULL;
    pos = memo_slot(p, id);
    if (*pos)
        return &p->v[*pos - 1];
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        struct screen_memo *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    memset(&p->v[p->n], 0, sizeof p->v[p->n]);
    if (!(p->v[p->n].id = strdup(id)))
        return NULL;
    *pos = ++p->n;
    return &p->v[p->n - 1];
}

static int64_t mtime_ns(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

static bool memo_matches(const struct screen_memo *m, const struct stat *sb)
{
    return m->known && m->dev == sb->st_dev && m->ino == sb->st_ino &&
           m->mtime_ns == mtime_ns(sb) && m->size == sb->st_size;
}

static void memo_set_file(struct screen_memo *m, const struct stat *sb)
{
    m->known = true;
    m->dev = sb->st_dev;
    m->ino = sb->st_ino;
    m->mtime_ns = mtime_ns(sb);
    m->size = sb->st_size;
}

bool sched_publisher_touched(struct sched_publisher *p, const struct sched_state *st,
                             const char *name)
{
    size_t len = strlen(name);
    char id[PL_ID_MAX + 1], path[4096];
    struct screen_memo *m;
    struct stat sb;

    if (len <= 9 || len - 9 > PL_ID_MAX || strcmp(name + len - 9, ".playlist") != 0)
        return false;
    snprintf(id, sizeof id, "%.*s", (int)(len - 9), name);
    if (!p->tcap || !*memo_slot(p, id))
        return false;
    m = &p->v[*memo_slot(p, id) - 1];
    snprintf(path, sizeof path, "%s/%s", st->playlists, name);
    if (lstat(path, &sb) == 0 && memo_matches(m, &sb))
        return false; /* what we wrote */
    m->check = true;
    return true;
}

/* --- the index of what is on disk ------------------------------------- */

static char *index_path(const struct sched_state *st)
{
    char *path;

    return asprintf(&path, "%s/%s", st->playlists, INDEX_NAME) < 0 ? NULL : path;
}

/* The number after *P (past the one space before it) into U (unsigned) or
 * S (signed); *P then points after it.  False when it is not a whole
 * number in range. */
static bool index_field(char **p, int base, unsigned long long *u, long long *s)
{
    char *start = *p + 1, *end;

    if (**p != ' ')
        return false;
    if (!((*start >= '0' && *start <= '9') || (*start >= 'a' && *start <= 'f') ||
          (s && *start == '-')))
        return false;
    errno = 0;
    if (u)
        *u = strtoull(start, &end, base);
    else
        *s = strtoll(start, &end, base);
    if (errno || end == start || (*end != ' ' && *end != '\0'))
        return false;
    *p = end;
    return true;
}

/* Reads STATE/playlists/.index into the memos: one line per screen,
 * "ID INPUTS GENERATION DEV INO MTIME_NS SIZE".  Lines that do not parse
 * are left out: the index is a cache, the files are the truth. */
static void index_read(struct sched_publisher *p, const struct sched_state *st)
{
    char *path = index_path(st), *buf = NULL, *line, *save = NULL, err[512];
    size_t len;

    p->index_read = true;
    if (!path || slurp_path(path, NULL, INDEX_MAX_BYTES, &buf, &len, err, sizeof err) < 0) {
        free(path);
        return;
    }
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char id[PL_ID_MAX + 1], *q = strchr(line, ' ');
        unsigned long long inputs, dev, ino, size;
        long long gen, mt;
        struct screen_memo *m;
        if (!q || q - line > PL_ID_MAX)
            continue;
        memcpy(id, line, (size_t)(q - line));
        id[q - line] = '\0';
        if (!pl_id_valid(id) || !index_field(&q, 16, &inputs, NULL) ||
            !index_field(&q, 10, NULL, &gen) || !index_field(&q, 10, &dev, NULL) ||
            !index_field(&q, 10, &ino, NULL) || !index_field(&q, 10, NULL, &mt) ||
            !index_field(&q, 10, &size, NULL) || *q || gen < 0 || gen >= INT64_MAX)
            continue;
        m = memo_get(p, id);
        if (!m)
            break;
        m->known = true;
        m->inputs = inputs;
        m->generation = gen;
        m->dev = (dev_t)dev;
        m->ino = (ino_t)ino;
        m->mtime_ns = mt;
        m->size = (off_t)size;
    }
    free(buf);
    free(path);
}

static void index_write(struct sched_publisher *p, const struct sched_state *st)
{
    struct strbuf sb = STRBUF_INIT;
    char *path = index_path(st), err[512];

    for (size_t i = 0; i < p->n; i++) {
        const struct screen_memo *m = &p->v[i];
        if (m->known && m->inputs)
            sb_printf(&sb, "%s %016" PRIx64 " %" PRId64 " %llu %llu %" PRId64 " %llu\n", m->id,
                      m->inputs, m->generation, (unsigned long long)m->dev,
                      (unsigned long long)m->ino, m->mtime_ns, (unsigned long long)m->size);
    }
    if (!path || sb_failed(&sb))
        log_warn("%s/%s: out of memory writing the index; the next run reads the playlists",
                 st->playlists, INDEX_NAME);
    else if (atomic_write_file(path, sb_str(&sb), sb.len, 0644, err, sizeof err) < 0)
        log_warn("%s; the next run reads the playlists", err);
    else
        p->index_dirty = false;
    free(path);
    sb_free(&sb);
}

/* The generation and inputs of the playlist at PATH, from its head, when
 * the memo does not know them (no index, or the file was replaced). */
static void memo_from_file(struct screen_memo *m, const char *path, const struct stat *sb)
{
    char buf[HEAD_BYTES + 1], *g, *in;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    ssize_t n;

    m->known = false;
    m->inputs = 0;
    if (fd < 0)
        return;
    n = read(fd, buf, HEAD_BYTES);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    g = strstr(buf, "\ngeneration = ");
    if (!g)
        return;
    long long gen = strtoll(g + 14, NULL, 10);
    if (gen > INT64_MAX - 1)
        gen = INT64_MAX - 1; /* a hand-made number: the next is the last */
    if (gen > m->generation)
        m->generation = gen;
    in = strstr(buf, "\ninputs = \"");
    if (in)
        m->inputs = strtoull(in + 11, NULL, 16);
    memo_set_file(m, sb);
}

/* --- targeting --------------------------------------------------------- */

/* A name campaigns target, with the campaigns (indices into the set, in
 * the set's order) that name it; or a name screens have, with the screens
 * (indices into the configuration). */
struct target {
    const char *name;
    size_t *camps;
    size_t n, cap;
};

struct targets {
    struct target *v;
    size_t n, cap;
    size_t *tab, tcap; /* name -> 1 + index into v */
};

static size_t *target_slot(struct targets *t, const char *name)
{
    size_t i = (size_t)str_hash(name) & (t->tcap - 1);

    while (t->tab[i] && strcmp(t->v[t->tab[i] - 1].name, name) != 0)
        i = (i + 1) & (t->tcap - 1);
    return &t->tab[i];
}

static const struct target *target_find(struct targets *t, const char *name)
{
    size_t *pos = target_slot(t, name);

    return *pos ? &t->v[*pos - 1] : NULL;
}

static void targets_free(struct targets *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].camps);
    free(t->v);
    free(t->tab);
}

/* Appends X to the growing array *V of *N entries (room for *CAP).  0 or
 * -1 (out of memory; *V unchanged). */
static int push_index(size_t **v, size_t *n, size_t *cap, size_t x)
{
    if (*n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        size_t *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = x;
    return 0;
}

/* Adds I to the list of NAME (borrowed), once.  T has room for the name. */
static int target_add(struct targets *t, const char *name, size_t i)
{
    size_t *pos = target_slot(t, name);
    struct target *e;

    if (!*pos) {
        t->v[t->n] = (struct target){name, NULL, 0, 0};
        *pos = ++t->n;
    }
    e = &t->v[*pos - 1];
    if (e->n && e->camps[e->n - 1] == i)
        return 0; /* named twice by one campaign */
    return push_index(&e->camps, &e->n, &e->cap, i);
}

/* Indexes the targets of the N campaigns CAMPS.  0 or -1 (out of memory). */
static int targets_build(struct targets *t, const struct pl_campaign *const *camps, size_t n)
{
    size_t names = 0;

    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++)
        names += camps[i]->nscreens;
    t->tcap = hash_table_size(names);
    t->tab = calloc(t->tcap, sizeof *t->tab);
    t->v = malloc((names ? names : 1) * sizeof *t->v);
    if (!t->tab || !t->v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < camps[i]->nscreens; k++) {
            const char *name = camps[i]->screens[k];
            if (!name)
                continue;
            if (target_add(t, name, i) < 0)
                return -1;
        }
    }
    return 0;
}

/* --- what changed since the last pass ------------------------------------ */

static void seen_campaigns_free(struct seen_campaign *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].id);
        for (size_t k = 0; k < v[i].nnames; k++)
            free(v[i].names[k]);
        free(v[i].names);
    }
    free(v);
}

static void seen_free(struct sched_publisher *p)
{
    seen_campaigns_free(p->seen, p->nseen);
    p->seen = NULL;
    p->nseen = 0;
    if (p->by_name) {
        targets_free(p->by_name);
        free(p->by_name);
        p->by_name = NULL;
    }
    p->seen_cfg = NULL;
    p->seen_config = 0;
}

/* Remembers SET (sorted by id) as seen.  0 or -1 (then nothing is). */
static int seen_set(struct sched_publisher *p, const struct sched_set *set)
{
    struct seen_campaign *v = calloc(set->n ? set->n : 1, sizeof *v);

    if (!v)
        return -1;
    for (size_t n = 0; n < set->n; n++) {
        const struct pl_campaign *c = set->v[n].c;
        v[n].id = strdup(c->id);
        v[n].digest = set->v[n].digest;
        v[n].names = calloc(c->nscreens ? c->nscreens : 1, sizeof *v[n].names);
        if (!v[n].id || !v[n].names)
            goto fail;
        for (size_t k = 0; k < c->nscreens; k++, v[n].nnames++)
            if (!(v[n].names[k] = strdup(c->screens[k] ? c->screens[k] : "")))
                goto fail;
    }
    seen_campaigns_free(p->seen, p->nseen);
    p->seen = v;
    p->nseen = set->n;
    return 0;
fail:
    seen_campaigns_free(v, set->n);
    return -1;
}

/* The screens of CFG by each of their names (id and groups), made once per
 * configuration.  0 or -1. */
static int by_name_build(struct sched_publisher *p, const struct pl_config *cfg)
{
    struct targets *t = calloc(1, sizeof *t);
    size_t names = cfg->nscreens;

    if (!t)
        return -1;
    for (size_t i = 0; i < cfg->nscreens; i++)
        names += cfg->screens[i].ngroups;
    t->tcap = hash_table_size(names);
    t->tab = calloc(t->tcap, sizeof *t->tab);
    t->v = malloc((names ? names : 1) * sizeof *t->v);
    if (!t->tab || !t->v)
        goto fail;
    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *s = &cfg->screens[i];
        for (size_t k = 0; k <= s->ngroups; k++)
            if (target_add(t, k ? s->groups[k - 1] : s->id, i) < 0)
                goto fail;
    }
    p->by_name = t;
    return 0;
fail:
    targets_free(t);
    free(t);
    return -1;
}

/* Marks in AFFECTED the screens named by NAME; false for "*" (all). */
static bool mark_name(struct sched_publisher *p, const char *name, unsigned char *affected)
{
    const struct target *e;

    if (strcmp(name, "*") == 0)
        return false;
    if ((e = target_find(p->by_name, name)))
        for (size_t i = 0; i < e->n; i++)
            affected[e->camps[i]] = 1;
    return true;
}

static bool mark_names(struct sched_publisher *p, char *const *names, size_t n,
                       unsigned char *affected)
{
    for (size_t k = 0; k < n; k++)
        if (names[k] && !mark_name(p, names[k], affected))
            return false;
    return true;
}

/* The screens a pass must look at when only campaigns changed since the
 * last one: those every added, removed or changed campaign targets or
 * targeted, and those that failed or were touched.  NULL: look at every
 * screen (a change for "*", a first pass, another configuration or day,
 * out of memory). */
static unsigned char *affected_screens(struct sched_publisher *p, const struct pl_config *cfg,
                                       const struct sched_set *set, uint64_t config)
{
    unsigned char *affected;
    size_t i = 0, k = 0;

    if (p->seen_cfg != cfg || p->seen_config != config || !p->by_name ||
        !(affected = calloc(cfg->nscreens ? cfg->nscreens : 1, 1)))
        return NULL;
    while (i < set->n || k < p->nseen) {
        int c = i == set->n ? 1 : k == p->nseen ? -1 : strcmp(set->v[i].c->id, p->seen[k].id);
        const struct pl_campaign *now = c <= 0 ? set->v[i].c : NULL;
        const struct seen_campaign *was = c >= 0 ? &p->seen[k] : NULL;
        bool changed = !now || !was || set->v[i].digest != was->digest;
        i += c <= 0;
        k += c >= 0;
        if (!changed)
            continue;
        if ((now && !mark_names(p, now->screens, now->nscreens, affected)) ||
            (was && !mark_names(p, was->names, was->nnames, affected))) {
            free(affected);
            return NULL;
        }
    }
    for (size_t s = 0; s < cfg->nscreens; s++) {
        size_t *pos = memo_slot(p, cfg->screens[s].id);
        if (!*pos || p->v[*pos - 1].failing || p->v[*pos - 1].check)
            affected[s] = 1;
    }
    return affected;
}

/* Screens whose targeted names are the same: they have the same campaigns. */
struct subset {
    const struct target *keys[2 + 16]; /* "*", the id, groups; sorted */
    size_t nkeys;
    bool overflow; /* more names than keys: a subset of its own */
    uint64_t hash;
    size_t *idx; /* the campaigns: indices into the set, ascending */
    size_t n;
    uint64_t inputs; /* the campaigns' digests, folded */
    size_t *screens; /* screens to write, indices into cfg->screens */
    size_t nscreens, cap;
};

static int ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (const struct target *const *)a;
    uintptr_t y = (uintptr_t) * (const struct target *const *)b;

    return x < y ? -1 : x > y;
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* Fills K with the targeted names of screen S; false when it has more than
 * fit (then its subset is its own). */
static bool screen_keys(struct targets *t, const struct pl_screen *s, struct subset *k)
{
    const struct target *e;

    k->nkeys = 0;
    if ((e = target_find(t, "*")))
        k->keys[k->nkeys++] = e;
    if ((e = target_find(t, s->id)))
        k->keys[k->nkeys++] = e;
    for (size_t g = 0; g < s->ngroups; g++) {
        if (!(e = target_find(t, s->groups[g])))
            continue;
        if (k->nkeys == sizeof k->keys / sizeof k->keys[0])
            return false;
        k->keys[k->nkeys++] = e;
    }
    qsort(k->keys, k->nkeys, sizeof k->keys[0], ptr_cmp);
    k->hash = k->nkeys;
    for (size_t i = 0; i < k->nkeys; i++)
        k->hash = hash64_mix(k->hash, (uintptr_t)k->keys[i]);
    return true;
}

/* The campaigns of K: the union of its names' lists. */
static int subset_campaigns(struct subset *k, const struct sched_set *set)
{
    size_t total = 0, n = 0;

    for (size_t i = 0; i < k->nkeys; i++)
        total += k->keys[i]->n;
    k->idx = malloc((total ? total : 1) * sizeof *k->idx);
    if (!k->idx)
        return -1;
    for (size_t i = 0; i < k->nkeys; i++) {
        memcpy(k->idx + n, k->keys[i]->camps, k->keys[i]->n * sizeof *k->idx);
        n += k->keys[i]->n;
    }
    if (k->nkeys > 1)
        qsort(k->idx, n, sizeof *k->idx, size_cmp);
    k->n = 0;
    for (size_t i = 0; i < n; i++)
        if (k->n == 0 || k->idx[k->n - 1] != k->idx[i])
            k->idx[k->n++] = k->idx[i];
    k->inputs = k->n;
    for (size_t i = 0; i < k->n; i++)
        k->inputs = hash64_mix(k->inputs, set->v[k->idx[i]].digest);
    return 0;
}

struct subsets {
    struct subset **v;
    size_t n, cap;
    size_t *tab, tcap;
};

/* Grows SS's table to hold one more subset.  0 or -1. */
static int subsets_reserve(struct subsets *ss)
{
    size_t ncap, *tab;

    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? 2 * ss->cap : 64;
        struct subset **v = realloc(ss->v, cap * sizeof *v);
        if (!v)
            return -1;
        ss->v = v;
        ss->cap = cap;
    }
    if ((ss->n + 1) * 2 <= ss->tcap)
        return 0;
    ncap = ss->tcap ? 2 * ss->tcap : 256;
    tab = calloc(ncap, sizeof *tab);
    if (!tab)
        return -1;
    for (size_t j = 0; j < ss->n; j++) {
        size_t h = (size_t)ss->v[j]->hash & (ncap - 1);
        if (ss->v[j]->overflow)
            continue;
        while (tab[h])
            h = (h + 1) & (ncap - 1);
        tab[h] = j + 1;
    }
    free(ss->tab);
    ss->tab = tab;
    ss->tcap = ncap;
    return 0;
}

/* The subset of the names in K, made when new (for a K that overflowed,
 * always new, without its campaigns: subset_slow() finds them).  NULL out
 * of memory. */
static struct subset *subset_get(struct subsets *ss, const struct subset *k,
                                 const struct sched_set *set)
{
    struct subset *e;
    size_t i;

    if (subsets_reserve(ss) < 0)
        return NULL;
    for (i = (size_t)k->hash & (ss->tcap - 1); ss->tab[i]; i = (i + 1) & (ss->tcap - 1)) {
        e = ss->v[ss->tab[i] - 1];
        if (!k->overflow && e->hash == k->hash && e->nkeys == k->nkeys &&
            memcmp(e->keys, k->keys, k->nkeys * sizeof k->keys[0]) == 0)
            return e;
    }
    e = malloc(sizeof *e);
    if (!e)
        return NULL;
    *e = *k;
    e->idx = NULL;
    e->screens = NULL;
    e->nscreens = e->cap = 0;
    if (!k->overflow && subset_campaigns(e, set) < 0) {
        free(e);
        return NULL;
    }
    ss->v[ss->n++] = e;
    if (!k->overflow)
        ss->tab[i] = ss->n;
    return e;
}

static int subset_add_screen(struct subset *e, size_t screen)
{
    return push_index(&e->screens, &e->nscreens, &e->cap, screen);
}

static void subsets_free(struct subsets *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i]->idx);
        free(ss->v[i]->screens);
        free(ss->v[i]);
    }
    free(ss->v);
    free(ss->tab);
}

/* The campaigns S would get when checked one by one against every
 * campaign: for a screen with more targeted names than a key holds. */
static int subset_slow(struct subset *e, const struct pl_campaign *const *camps,
                       const struct sched_set *set, const struct pl_screen *s)
{
    if (pl_merge_targeting(camps, set->n, s, &e->idx, &e->n) < 0)
        return -1;
    e->inputs = e->n;
    for (size_t i = 0; i < e->n; i++)
        e->inputs = hash64_mix(e->inputs, set->v[e->idx[i]].digest);
    return 0;
}

/* --- one pass ------------------------------------------------------------ */

/* Everything but the campaigns that a playlist is computed from. */
static uint64_t config_inputs(const struct pl_config *cfg, pl_ms day)
{
    uint64_t h = hash64_mix(PL_FORMAT, (uint64_t)day);

    h = hash64(cfg->timezone, strlen(cfg->timezone), h);
    h = hash64_mix(h, (uint64_t)cfg->horizon_days);
    return hash64_mix(h, pl_campaign_digest(cfg->fallback));
}

static uint64_t screen_inputs(uint64_t config, const struct subset *e, const struct pl_screen *s)
{
    uint64_t h = hash64(s->id, strlen(s->id), config);

    h = hash64_mix(h, (uint64_t)s->width << 32 | (uint64_t)s->height);
    h = hash64_mix(h, (uint64_t)s->rotate);
    h = hash64_mix(h, e->inputs);
    return h ? h : 1; /* 0 means unknown */
}

/* What one pass carries from writing to committing. */
struct pass {
    struct sched_publisher *p;
    const struct sched_state *st;
    const struct pl_config *cfg;
    struct atomic_batch *batch;
    size_t *pending; /* screen of each file in the batch */
    int64_t *pending_gen;
    uint64_t *pending_inputs;
    struct stat *pending_sb;
    size_t npending, cap;
    size_t logged, failed;
};

static void screen_failed(struct pass *ps, struct screen_memo *m, const char *err)
{
    if (!m->failing)
        log_error("%s; the previous playlist stays in place, will retry", err);
    m->failing = true;
    m->known = false;
    ps->failed++;
}

static void commit_failed(void *ctx, size_t i, const char *err)
{
    struct pass *ps = ctx;
    const struct pl_screen *s = &ps->cfg->screens[ps->pending[i]];

    screen_failed(ps, memo_get(ps->p, s->id), err);
    ps->pending_gen[i] = -1;
}

/* Writes screen S's file of subset E: HEAD then BODY, into the batch. */
static int write_screen(struct pass *ps, size_t si, struct screen_memo *m, uint64_t inputs,
                        pl_ms now, const struct strbuf *body, struct strbuf *text)
{
    const struct pl_screen *s = &ps->cfg->screens[si];
    struct pl_playlist pl;
    char *path = NULL, err[512], hex[17];
    struct stat sb;
    int r;

    if (ps->npending == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 256;
        size_t *a = realloc(ps->pending, cap * sizeof *a);
        int64_t *g = a ? realloc(ps->pending_gen, cap * sizeof *g) : NULL;
        uint64_t *in = g ? realloc(ps->pending_inputs, cap * sizeof *in) : NULL;
        struct stat *st = in ? realloc(ps->pending_sb, cap * sizeof *st) : NULL;
        if (a)
            ps->pending = a;
        if (g)
            ps->pending_gen = g;
        if (in)
            ps->pending_inputs = in;
        if (!st) {
            screen_failed(ps, m, "out of memory");
            return -1;
        }
        ps->pending_sb = st;
        ps->cap = cap;
    }
    memset(&pl, 0, sizeof pl);
    pl.screen = s->id;
    pl.timezone = ps->cfg->timezone;
    pl.width = s->width;
    pl.height = s->height;
    pl.rotate = s->rotate;
    pl.generation = m->generation + 1;
    pl.generated_at = now;
    hash64_hex(inputs, hex);
    pl.inputs = hex;
    sb_reset(text);
    r = pl_playlist_format_head(&pl, ps->cfg->tz, text);
    sb_append(text, sb_str(body), body->len);
    if (r < 0 || sb_failed(text) ||
        asprintf(&path, "%s/%s.playlist", ps->st->playlists, s->id) < 0) {
        snprintf(err, sizeof err, "%s: out of memory formatting the playlist", s->id);
        screen_failed(ps, m, err);
        return -1;
    }
    r = atomic_batch_add(ps->batch, path, sb_str(text), text->len, 0644, &sb, err, sizeof err);
    free(path);
    if (r < 0) {
        screen_failed(ps, m, err);
        return -1;
    }
    ps->pending[ps->npending] = si;
    ps->pending_gen[ps->npending] = pl.generation;
    ps->pending_inputs[ps->npending] = inputs;
    ps->pending_sb[ps->npending++] = sb;
    return 0;
}

/* Computes subset E's windows once and writes each of its screens. */
static void write_subset(struct pass *ps, const struct subset *e,
                         const struct pl_campaign *const *camps, const struct pl_window *fb,
                         uint64_t config, pl_ms from, pl_ms to, pl_ms now)
{
    struct strbuf body = STRBUF_INIT, text = STRBUF_INIT;
    struct pl_playlist pl;
    struct pl_window *w = NULL;
    size_t nw = 0;
    char err[512];

    memset(&pl, 0, sizeof pl);
    if (pl_merge_windows(ps->cfg, camps, e->idx, e->n, from, to, &w, &nw) < 0) {
        snprintf(err, sizeof err, "%s: out of memory computing the windows",
                 ps->cfg->screens[e->screens[0]].id);
        goto out_fail;
    }
    pl.windows = w;
    pl.nwindows = nw;
    pl.fallback = *fb;
    if (pl_playlist_format_body(&pl, ps->cfg->tz, &body) < 0) {
        snprintf(err, sizeof err, "%s: out of memory formatting the playlist",
                 ps->cfg->screens[e->screens[0]].id);
        goto out_fail;
    }
    for (size_t i = 0; i < e->nscreens; i++) {
        const struct pl_screen *s = &ps->cfg->screens[e->screens[i]];
        struct screen_memo *m = memo_get(ps->p, s->id);
        if (m)
            write_screen(ps, e->screens[i], m, screen_inputs(config, e, s), now, &body, &text);
    }
    goto out_free;
out_fail:
    for (size_t i = 0; i < e->nscreens; i++) {
        struct screen_memo *m = memo_get(ps->p, ps->cfg->screens[e->screens[i]].id);
        if (m)
            screen_failed(ps, m, err);
    }
out_free:
    pl_windows_free(w, nw);
    sb_free(&body);
    sb_free(&text);
}

/* Flushes and renames the batch; the memos learn what is on disk. */
static void commit(struct pass *ps, struct sched_publish_stats *stats)
{
    atomic_batch_commit(ps->batch, commit_failed, ps);
    for (size_t i = 0; i < ps->npending; i++) {
        const struct pl_screen *s = &ps->cfg->screens[ps->pending[i]];
        struct screen_memo *m = memo_get(ps->p, s->id);
        if (!m || ps->pending_gen[i] < 0)
            continue;
        memo_set_file(m, &ps->pending_sb[i]);
        m->generation = ps->pending_gen[i];
        m->inputs = ps->pending_inputs[i];
        stats->written++;
        if (m->failing)
            log_info("%s/%s.playlist: written again (generation %" PRId64 ")", ps->st->playlists,
                     s->id, m->generation);
        else if (ps->logged++ < LOG_EACH_MAX)
            log_info("%s/%s.playlist: generation %" PRId64, ps->st->playlists, s->id,
                     m->generation);
        m->failing = false;
    }
    if (ps->logged > LOG_EACH_MAX)
        log_info("%s: %zu more playlists written", ps->st->playlists, ps->logged - LOG_EACH_MAX);
    ps->p->index_dirty = ps->p->index_dirty || ps->npending > 0;
}

/* One screen's playlist as lstat'ed ahead (stat_all()). */
struct seen_file {
    bool regular; /* there, and a regular file */
    dev_t dev;
    ino_t ino;
    struct timespec mtim;
    off_t size;
};

struct stat_job {
    int dirfd;
    const struct pl_config *cfg;
    const unsigned char *affected;
    struct seen_file *out;
};

static void stat_one(void *ctx, size_t i)
{
    const struct stat_job *j = ctx;
    char name[PL_ID_MAX + sizeof ".playlist"];
    struct seen_file *f = &j->out[i];
    struct stat sb;

    if (j->affected && !j->affected[i])
        return;
    snprintf(name, sizeof name, "%s.playlist", j->cfg->screens[i].id);
    f->regular = fstatat(j->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
    if (!f->regular)
        return;
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->mtim = sb.st_mtim;
    f->size = sb.st_size;
}

/* lstat's the playlist of every screen (those AFFECTED when not NULL) over
 * the cores: a pass that verifies the files (at start and each day) makes
 * one system call per screen, 0.3 s on one core at 100,000 screens.
 * Returns what each found, indexed like CFG's screens (free()), or NULL
 * when there are few screens or no memory: each is then lstat'ed as it
 * comes. */
static struct seen_file *stat_all(const struct sched_state *st, const struct pl_config *cfg,
                                  const unsigned char *affected)
{
    struct stat_job j = {.cfg = cfg, .affected = affected};

    if (cfg->nscreens < STAT_PARALLEL || !(j.out = calloc(cfg->nscreens, sizeof *j.out)))
        return NULL;
    j.dirfd = open(st->playlists, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j.dirfd < 0) {
        free(j.out);
        return NULL;
    }
    parallel_for(cfg->nscreens, STAT_PARALLEL, stat_one, &j);
    close(j.dirfd);
    return j.out;
}

/* True when screen S's file is what memo M says (after one lstat when
 * VERIFY, or what stat_all() found: SEEN), and was made from INPUTS. */
static bool screen_current(struct screen_memo *m, const struct sched_state *st, const char *id,
                           uint64_t inputs, bool verify, const struct seen_file *seen, bool *dirty)
{
    char path[4096];
    struct stat sb;

    if (m->known && !m->failing && m->inputs == inputs && !verify && !m->check)
        return true;
    m->check = false;
    if (snprintf(path, sizeof path, "%s/%s.playlist", st->playlists, id) >= (int)sizeof path)
        return false;
    if (seen) {
        memset(&sb, 0, sizeof sb);
        sb.st_mode = seen->regular ? S_IFREG : 0;
        sb.st_dev = seen->dev;
        sb.st_ino = seen->ino;
        sb.st_mtim = seen->mtim;
        sb.st_size = seen->size;
    }
    if ((!seen && lstat(path, &sb) < 0) || !S_ISREG(sb.st_mode)) {
        m->known = false;
        return false;
    }
    if (!memo_matches(m, &sb)) {
        memo_from_file(m, path, &sb);
        *dirty = true;
    }
    return m->known && !m->failing && m->inputs == inputs;
}

int sched_publish(struct sched_publisher *p, const struct sched_state *st,
                  const struct pl_config *cfg, const struct sched_set *set, pl_ms now,
                  struct sched_publish_stats *stats)
{
    struct sched_publish_stats dummy;
    struct targets tg = {0};
    struct subsets ss = {0};
    struct pass ps = {.p = p, .st = st, .cfg = cfg};
    struct pl_window fb;
    const struct pl_campaign **camps = sched_set_campaigns(set);
    pl_ms day = pl_tz_day_start(cfg->tz, now), from, to;
    uint64_t config = config_inputs(cfg, day);
    bool verify = p->verified_day != day;
    unsigned char *affected = NULL;
    struct seen_file *seen = NULL;
    int ret = 0;

    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    memset(&fb, 0, sizeof fb);
    ps.batch = atomic_batch_new(st->playlists);
    if (!camps || !ps.batch || targets_build(&tg, camps, set->n) < 0 ||
        pl_merge_fallback(cfg, &fb) < 0) {
        log_error("%s: out of memory publishing", st->playlists);
        ret = -1;
        goto out_free;
    }
    if (!p->index_read)
        index_read(p, st);
    pl_merge_range(cfg, now, &from, &to);
    affected = verify ? NULL : affected_screens(p, cfg, set, config);
    seen = verify ? stat_all(st, cfg, affected) : NULL;
    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *s = &cfg->screens[i];
        struct screen_memo *m;
        struct subset key, *e;

        stats->screens++;
        if (affected && !affected[i]) {
            stats->unchanged++;
            continue;
        }
        m = memo_get(p, s->id);
        memset(&key, 0, sizeof key);
        key.overflow = !screen_keys(&tg, s, &key);
        e = m ? subset_get(&ss, &key, set) : NULL;
        if (e && key.overflow && subset_slow(e, camps, set, s) < 0)
            e = NULL;
        if (!e) {
            log_error("%s: out of memory publishing", s->id);
            stats->failed++;
            ret = -1;
            continue;
        }
        if (screen_current(m, st, s->id, screen_inputs(config, e, s), verify,
                           seen ? &seen[i] : NULL, &p->index_dirty)) {
            stats->unchanged++;
            continue;
        }
        if (subset_add_screen(e, i) < 0) {
            screen_failed(&ps, m, "out of memory");
            continue;
        }
    }
    for (size_t i = 0; i < ss.n; i++) {
        if (!ss.v[i]->nscreens)
            continue;
        stats->subsets++;
        write_subset(&ps, ss.v[i], camps, &fb, config, from, to, now);
    }
    commit(&ps, stats);
    stats->failed += ps.failed;
    if (ps.failed)
        ret = -1;
    p->verified_day = day;
    /* The index is a cache: rewritten (10 MB at 100,000 screens) after a
     * pass that looked at every screen, and when the publisher is freed;
     * a pass after one drop does not pay for it. */
    if (p->index_dirty && !affected)
        index_write(p, st);
    p->index_st = st;
    /* What the next pass compares with: this set, under this configuration. */
    if (p->seen_cfg != cfg) {
        seen_free(p);
        if (by_name_build(p, cfg) == 0)
            p->seen_cfg = cfg;
    }
    p->seen_config = p->seen_cfg && seen_set(p, set) == 0 ? config : 0;
out_free:
    targets_free(&tg);
    subsets_free(&ss);
    atomic_batch_free(ps.batch);
    free(ps.pending);
    free(ps.pending_gen);
    free(ps.pending_inputs);
    free(ps.pending_sb);
    free(fb.slots);
    free(camps);
    free(affected);
    free(seen);
    return ret;
}
