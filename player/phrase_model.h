/* phrase_model.h - the shape of a BudouX model compiled into the player.
 *
 * The table itself is generated at build time (tools/budoux_gen.mjs) from
 * the npm package budoux, fetched by the Makefile; see player/phrase.h.
 */
#ifndef SIGNAGE_PHRASE_MODEL_H
#define SIGNAGE_PHRASE_MODEL_H

#include <stddef.h>

/* The feature groups, in this order: unigrams at offsets -3..+2 from the
 * boundary (UW1..UW6), bigrams at -2, -1, 0 (BW1..BW3), trigrams at -3,
 * -2, -1, 0 (TW1..TW4). */
#define PHRASE_GROUPS 13

struct phrase_entry {
    const char *key; /* UTF-8, 1..3 characters */
    int score;
};

struct phrase_group {
    const struct phrase_entry *v; /* sorted by strcmp() of key */
    size_t n;
};

struct phrase_model {
    double base; /* -1/2 of the sum of every score */
    struct phrase_group g[PHRASE_GROUPS];
};

extern const struct phrase_model phrase_model_ja;

#endif
