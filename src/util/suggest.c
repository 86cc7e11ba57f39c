/*
 * suggest.c - closest-name search for "did you mean" hints.
 *
 * Names are short (servers, tools, parameters), so a plain dynamic
 * programming table over at most MAX_LEN letters is cheap enough for the
 * few hundred candidates a command line compares against.
 */
#include "util/suggest.h"

#include <ctype.h>
#include <string.h>

#define MAX_LEN 128

/* A copy of S without '-' and '_', lower-cased, at most MAX_LEN long. */
static size_t
fold(const char *s, char *out)
{
    size_t n = 0;

    for (; *s != '\0' && n < MAX_LEN; s++)
        if (*s != '-' && *s != '_')
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
    return n;
}

/* Optimal string alignment distance of A[0..la) and B[0..lb): insertions,
 * deletions, substitutions and swaps of neighbours ("ehco") cost one. */
static size_t
osa(const char *a, size_t la, const char *b, size_t lb)
{
    size_t d[3][MAX_LEN + 1];
    size_t *two = d[0], *one = d[1], *row = d[2], *spare;

    for (size_t j = 0; j <= lb; j++)
        one[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = one[j - 1] + (a[i - 1] != b[j - 1]);
            if (one[j] + 1 < best)
                best = one[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && two[j - 2] + 1 < best)
                best = two[j - 2] + 1;
            row[j] = best;
        }
        spare = two, two = one, one = row, row = spare;
    }
    return one[lb];
}

void
mg_suggest_init(struct mg_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_d = 0;
}

void
mg_suggest_try(struct mg_suggest *s, const char *candidate)
{
    char w[MAX_LEN + 1], c[MAX_LEN + 1];
    size_t lw = fold(s->word, w), lc = fold(candidate, c), d, limit;

    if (lc == 0)
        return;
    d = osa(w, lw, c, lc);
    limit = lc < 3 ? 0 : (lc + 2) / 3;
    /* A word cut short ("long" for "trigger-long-running-operation" is
     * not, but "trigger" is) still points at the one it starts. */
    if (d > limit && lw >= 3 && lw < lc && strncmp(w, c, lw) == 0)
        d = limit;
    if (d <= limit && (s->best == NULL || d < s->best_d)) {
        s->best = candidate;
        s->best_d = d;
    }
}
