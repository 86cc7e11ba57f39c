/*
 * search_impl.h - the text side of tool search (search_words.c), shared
 * with the index (search.c): what goes into a row, and what a user's
 * words become as an FTS5 match expression.
 */
#ifndef MG_GATEWAY_SEARCH_IMPL_H
#define MG_GATEWAY_SEARCH_IMPL_H

#include <stddef.h>

/* A growing text, cut at CAP bytes (always at a UTF-8 character
 * boundary, so what is kept stays valid). */
struct mg_search_text {
    char *p;    /* NUL-terminated, or NULL while empty */
    size_t len;
    size_t cap; /* most bytes kept */
    size_t size;
};

void mg_search__text_init(struct mg_search_text *t, size_t cap);
void mg_search__text_reset(struct mg_search_text *t);
void mg_search__text_free(struct mg_search_text *t);
/* Append N bytes of S (put), or them and a space (add). */
void mg_search__text_put(struct mg_search_text *t, const char *s, size_t n);
void mg_search__text_add(struct mg_search_text *t, const char *s, size_t n);

/*
 * Append NAME as words: each run of letters and digits as it is, and
 * when it is camelCase also its parts, so "get_issue" gives "get issue"
 * and "listPullRequests" gives "listPullRequests list Pull Requests".
 */
void mg_search__add_name(struct mg_search_text *t, const char *name);

/*
 * The FTS5 match expression for the user's WORDS into EXPR: each run of
 * letters and digits becomes a quoted phrase, joined by OR, the last one
 * a prefix when it is three bytes or longer.  Nothing of the user's text
 * reaches FTS5 as syntax (no quotes, operators, column filters or
 * parentheses survive), so no input can make the query fail to parse.
 * 0, or -1 with ERR (no word, too long, too many words).
 */
int mg_search__match_expr(const char *words, struct mg_search_text *expr, char *err, size_t errlen);

#endif
