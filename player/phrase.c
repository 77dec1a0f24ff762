#include "player/phrase.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "player/phrase_model.h"

static int entry_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct phrase_entry *)e)->key);
}

/* The score group G gives the LEN code points of CPS from FROM, or 0 when
 * they reach outside 0..N. */
static int score(const struct phrase_group *g, const uint32_t *cps, size_t n, long from, size_t len)
{
    char key[3 * 4 + 1];
    const struct phrase_entry *e;
    size_t o = 0;

    if (from < 0 || (size_t)from + len > n)
        return 0;
    for (size_t k = 0; k < len; k++)
        o += utf8_encode(cps[(size_t)from + k], key + o);
    key[o] = '\0';
    e = bsearch(key, g->v, g->n, sizeof *g->v, entry_cmp);
    return e ? e->score : 0;
}

/* Offset from the gap (the gap before code point i is at 0) and length of
 * each group's feature, in PHRASE_GROUPS order. */
static const struct {
    int from, len;
} feat[PHRASE_GROUPS] = {{-3, 1}, {-2, 1}, {-1, 1}, {0, 1},  {1, 1},  {2, 1}, {-2, 2},
                         {-1, 2}, {0, 2},  {-3, 3}, {-2, 3}, {-1, 3}, {0, 3}};

double phrase_evidence(const uint32_t *cps, size_t n, size_t i)
{
    const struct phrase_model *m = &phrase_model_ja;
    double s = 0;

    for (int g = 0; g < PHRASE_GROUPS; g++)
        s += score(&m->g[g], cps, n, (long)i + feat[g].from, (size_t)feat[g].len);
    return s;
}

void phrase_boundaries(const uint32_t *cps, size_t n, bool *brk)
{
    if (n == 0)
        return;
    brk[0] = false;
    for (size_t i = 1; i < n; i++)
        brk[i] = phrase_model_ja.base + phrase_evidence(cps, n, i) > 0;
}
