/*
 * search.h - ranked full-text search over the catalog's tools, for
 * `mcpgate search` and the gateway's own search tool.
 *
 * Each tool is one row of an in-memory SQLite FTS5 table: its names (the
 * gateway's and the server's, '_', '-' and camelCase split into words),
 * title, parameter names, description and parameter descriptions.  Hits
 * are ranked by bm25 with the columns weighted in that order, so a word
 * in a tool's name counts for more than the same word in its description.
 * The table lives in memory (no disk I/O), so queries run on the loop
 * thread.  It follows the catalog: the first query after a source's tools
 * were added, replaced or withdrawn rebuilds it.
 */
#ifndef MG_GATEWAY_SEARCH_H
#define MG_GATEWAY_SEARCH_H

#include <jansson.h>
#include <stddef.h>

struct mg_catalog;
struct mg_gateway;
struct mg_search;
struct mg_tool;

/* 1 if the caller may see tool T (its project, its view, --server). */
typedef int (*mg_search_visible_fn)(void *ctx, const struct mg_tool *t);

struct mg_search_query {
    const char *words;            /* the user's text as typed: never parsed as FTS5 syntax */
    size_t limit;                 /* most results, 1..MG_MAX_SEARCH_RESULTS */
    mg_search_visible_fn visible; /* NULL: every tool */
    void *ctx;                    /* for visible */
};

/* Results of the functions below. */
enum mg_search_rc {
    MG_SEARCH_OK = 0,
    MG_SEARCH_BAD_QUERY = -1, /* the caller's words or limit; ERR says what to change */
    MG_SEARCH_FAILED = -2,    /* the index could not be built or queried; ERR says why */
};

/*
 * Search GW's tools (the index is made on the first call and freed with
 * the gateway).  On MG_SEARCH_OK *OUT is a new JSON array, best match
 * first, of {server, tool (the server's name for it), name (the gateway's
 * name), title (when it has one), description (its first line), score
 * (higher is better)}; an empty array when nothing matches.  Words are
 * matched whole, the last one also as a prefix; any word matching is
 * enough, and a tool matching more of them ranks higher.
 */
enum mg_search_rc mg_search_tools(struct mg_gateway *gw, const struct mg_search_query *q, json_t **out, char *err,
                                  size_t errlen);

/* MG_SEARCH_OK if WORDS can be searched for, else MG_SEARCH_BAD_QUERY
 * with the reason (no letters or digits, too long, too many words). */
enum mg_search_rc mg_search_check(const char *words, char *err, size_t errlen);

/* The index itself, for one catalog: NULL with ERR when SQLite has no
 * FTS5.  mg_search_run is mg_search_tools on catalog C. */
struct mg_search *mg_search_new(char *err, size_t errlen);
enum mg_search_rc mg_search_run(struct mg_search *s, const struct mg_catalog *c, const struct mg_search_query *q,
                                json_t **out, char *err, size_t errlen);
void mg_search_free(struct mg_search *s);

#endif
