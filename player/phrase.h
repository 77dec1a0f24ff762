/* phrase.h - where a Japanese phrase (bunsetsu) may end.
 *
 * BudouX's Japanese model (Google, Apache-2.0), fetched from the npm
 * package budoux by the Makefile and compiled in as a table
 * (player/phrase_model.h): each gap between two characters is scored by
 * the characters around it (one, two and three at a time, up to three
 * before and three after), and a phrase ends where the score is positive.
 * This is the inference of the package's own parser.ts, on code points
 * rather than UTF-16 units (they differ only next to characters outside
 * the BMP, such as 𠮷).  Pure: no allocation, no I/O.
 */
#ifndef SIGNAGE_PHRASE_H
#define SIGNAGE_PHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* For the N code points at CPS, sets BRK[i] for 0 < i < N to whether a
 * phrase ends before code point i (BRK[0] is false). */
void phrase_boundaries(const uint32_t *cps, size_t n, bool *brk);

/* The model's evidence for a phrase ending before code point I (0 < I <
 * N): the sum of the scores of the features around it, before the base
 * score that a boundary must overcome.  Positive: the characters around
 * lean towards a boundary, though perhaps not enough to make one (国|高 of
 * 全国高等学校); zero or below: nothing, or something against it
 * (等|学, 校|総). */
double phrase_evidence(const uint32_t *cps, size_t n, size_t i);

#endif
