/*
 * suggest.h - "did you mean ...?": the closest of a set of names to a
 * word someone typed, by edit distance.
 */
#ifndef MG_UTIL_SUGGEST_H
#define MG_UTIL_SUGGEST_H

#include <stddef.h>

/* A search in progress: feed every candidate to mg_suggest_try, then read
 * `best`. */
struct mg_suggest {
    const char *word;       /* what was typed (borrowed) */
    const char *best;       /* the closest candidate so far (borrowed), or NULL */
    size_t best_d;          /* its distance */
};

void mg_suggest_init(struct mg_suggest *s, const char *word);

/*
 * Consider CANDIDATE (borrowed: it must outlive the search).  It becomes
 * the best one when it is closer than any before and close enough to be a
 * typo of the word: at most a third of its letters changed, case, '-' and
 * '_' ignored, or the word is a prefix of it (at least 3 letters).
 */
void mg_suggest_try(struct mg_suggest *s, const char *candidate);

#endif
