/*
 * search.c - the tool search index: one in-memory FTS5 table, rebuilt
 * from the catalog by the first query after its tools changed.
 *
 * One row per tool; the columns, heaviest first in the ranking:
 *
 *   column       holds                                         bm25 weight
 *   name         the server's and the gateway's name, as words        10
 *   title        title, else annotations.title                         5
 *   params       inputSchema property names, as words                  3
 *   description  the tool's description                                2
 *   pdesc        the properties' descriptions                          1
 *   tool         the gateway name, not indexed: a hit's way back to
 *                its tool (through the catalog, so a hit can never
 *                point at a tool that is gone)
 *
 * A full rebuild, rather than one source at a time, keeps the index
 * simple: 1,000 tools take a few milliseconds (see the report of
 * test_search), and a rebuild happens at most once per change of the
 * catalog, only when someone searches.
 */
#include "gateway/search.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "gateway/search_impl.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

#define SCHEMA                                                                                                        \
    "CREATE VIRTUAL TABLE tools USING fts5(name, title, params, description, pdesc, tool UNINDEXED,"                \
    " tokenize = 'unicode61 remove_diacritics 2')"
#define INSERT_SQL "INSERT INTO tools(name, title, params, description, pdesc, tool) VALUES (?, ?, ?, ?, ?, ?)"
/* bm25 is lower for better matches; ties go by name, so results are stable. */
#define MATCH_SQL                                                                                                     \
    "SELECT tool, bm25(tools, 10.0, 5.0, 3.0, 2.0, 1.0) AS rank FROM tools WHERE tools MATCH ?"                     \
    " ORDER BY rank, tool"

/* A hit's description: its first line, cut to this many bytes. */
#define SUMMARY_MAX 200

enum { COL_NAME, COL_TITLE, COL_PARAMS, COL_DESC, COL_PDESC, NCOLS };

struct mg_search {
    sqlite3 *db;
    sqlite3_stmt *insert;
    sqlite3_stmt *match;
    struct mg_search_text cols[NCOLS]; /* one row's text, reused from row to row */
    struct mg_search_text expr;        /* the match expression of the query running */
    unsigned long version;             /* the catalog's tools_version the rows show */
    int built;                         /* 0 until the first rebuild */
};

static void
failf(char *err, size_t errlen, const char *what, sqlite3 *db)
{
    snprintf(err, errlen, "tool search: %s: %s", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

struct mg_search *
mg_search_new(char *err, size_t errlen)
{
    struct mg_search *s = mg_calloc(1, sizeof(*s));

    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        failf(err, errlen, "cannot open an in-memory database", s->db);
        goto fail;
    }
    if (sqlite3_exec(s->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
        failf(err, errlen, "this SQLite has no FTS5", s->db);
        goto fail;
    }
    if (sqlite3_prepare_v2(s->db, INSERT_SQL, -1, &s->insert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, MATCH_SQL, -1, &s->match, NULL) != SQLITE_OK) {
        failf(err, errlen, "cannot prepare the index", s->db);
        goto fail;
    }
    for (int i = 0; i < NCOLS; i++)
        mg_search__text_init(&s->cols[i], MG_MAX_SEARCH_FIELD);
    /* Room for every word of the longest text, quoted and joined by OR,
     * so the expression is never cut (a cut one would not parse). */
    mg_search__text_init(&s->expr, 2 * MG_MAX_SEARCH_QUERY + 8 * MG_MAX_SEARCH_WORDS);
    return s;
fail:
    mg_search_free(s);
    return NULL;
}

void
mg_search_free(struct mg_search *s)
{
    if (s == NULL)
        return;
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->match);
    sqlite3_close(s->db);
    for (int i = 0; i < NCOLS; i++)
        mg_search__text_free(&s->cols[i]);
    mg_search__text_free(&s->expr);
    mg_free(s);
}

static void
add_string(struct mg_search_text *t, const char *s)
{
    if (s != NULL)
        mg_search__text_add(t, s, strlen(s));
}

/* A tool's display title: title, else the older annotations.title. */
static const char *
tool_title(json_t *def)
{
    const char *title = json_string_value(json_object_get(def, "title"));

    return title ? title : json_string_value(json_object_get(json_object_get(def, "annotations"), "title"));
}

/* T's row into S->cols. */
static void
row_text(struct mg_search *s, const struct mg_tool *t)
{
    json_t *props = json_object_get(json_object_get(t->def, "inputSchema"), "properties"), *p;
    const char *key;

    for (int i = 0; i < NCOLS; i++)
        mg_search__text_reset(&s->cols[i]);
    mg_search__add_name(&s->cols[COL_NAME], t->local_name);
    mg_search__add_name(&s->cols[COL_NAME], t->name);
    add_string(&s->cols[COL_TITLE], tool_title(t->def));
    add_string(&s->cols[COL_DESC], json_string_value(json_object_get(t->def, "description")));
    json_object_foreach (props, key, p) {
        mg_search__add_name(&s->cols[COL_PARAMS], key);
        add_string(&s->cols[COL_PDESC], json_string_value(json_object_get(p, "description")));
    }
}

static int
insert_row(struct mg_search *s, const struct mg_tool *t)
{
    int rc;

    row_text(s, t);
    for (int i = 0; i < NCOLS; i++)
        sqlite3_bind_text(s->insert, i + 1, s->cols[i].p ? s->cols[i].p : "", (int)s->cols[i].len, SQLITE_STATIC);
    sqlite3_bind_text(s->insert, NCOLS + 1, t->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->insert);
    sqlite3_reset(s->insert);
    sqlite3_clear_bindings(s->insert);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Every tool of C into the table, in one transaction. */
static int
rebuild(struct mg_search *s, const struct mg_catalog *c, char *err, size_t errlen)
{
    uint64_t start = uv_hrtime();

    if (sqlite3_exec(s->db, "BEGIN; DELETE FROM tools", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < c->tool_count; i++)
        if (insert_row(s, c->order[i]) != 0)
            goto fail;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    s->version = c->tools_version;
    s->built = 1;
    mg_log_debug("tool search: indexed %zu tools in %.1f ms", c->tool_count, (double)(uv_hrtime() - start) / 1e6);
    return 0;
fail:
    failf(err, errlen, "cannot build the index", s->db);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->built = 0;
    return -1;
}

/* The first line of S with text on it, at most SUMMARY_MAX bytes (cut
 * between characters, and marked), as a new JSON string. */
static json_t *
summary(const char *s)
{
    size_t n;
    int cut;
    char buf[SUMMARY_MAX + 4];

    if (s == NULL)
        return json_string("");
    s += strspn(s, " \t\r\n");
    n = strcspn(s, "\r\n");
    if ((cut = n > SUMMARY_MAX) != 0) {
        n = SUMMARY_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    memcpy(buf, s, n);
    if (cut) {
        memcpy(buf + n, "\xE2\x80\xA6", 3); /* U+2026 HORIZONTAL ELLIPSIS */
        n += 3;
    }
    return json_stringn(buf, n);
}

static json_t *
hit(const struct mg_tool *t, double score)
{
    json_t *h = json_object();
    const char *title = tool_title(t->def);

    json_object_set_new(h, "server", json_string(t->bundle ? t->bundle->ns : ""));
    json_object_set_new(h, "tool", json_string(t->local_name));
    json_object_set_new(h, "name", json_string(t->name));
    if (title != NULL)
        json_object_set_new(h, "title", json_string(title));
    json_object_set_new(h, "description", summary(json_string_value(json_object_get(t->def, "description"))));
    json_object_set_new(h, "score", json_real(score));
    return h;
}

enum mg_search_rc
mg_search_check(const char *words, char *err, size_t errlen)
{
    struct mg_search_text expr;
    int rc;

    mg_search__text_init(&expr, 2 * MG_MAX_SEARCH_QUERY + 8 * MG_MAX_SEARCH_WORDS);
    rc = mg_search__match_expr(words ? words : "", &expr, err, errlen);
    mg_search__text_free(&expr);
    return rc == 0 ? MG_SEARCH_OK : MG_SEARCH_BAD_QUERY;
}

enum mg_search_rc
mg_search_run(struct mg_search *s, const struct mg_catalog *c, const struct mg_search_query *q, json_t **out,
              char *err, size_t errlen)
{
    json_t *res;
    int rc;

    *out = NULL;
    if (q->limit == 0 || q->limit > MG_MAX_SEARCH_RESULTS) {
        snprintf(err, errlen, "the limit must be between 1 and %d", MG_MAX_SEARCH_RESULTS);
        return MG_SEARCH_BAD_QUERY;
    }
    if (mg_search__match_expr(q->words ? q->words : "", &s->expr, err, errlen) != 0)
        return MG_SEARCH_BAD_QUERY;
    if ((!s->built || s->version != c->tools_version) && rebuild(s, c, err, errlen) != 0)
        return MG_SEARCH_FAILED;

    res = json_array();
    sqlite3_bind_text(s->match, 1, s->expr.p, (int)s->expr.len, SQLITE_STATIC);
    while ((rc = sqlite3_step(s->match)) == SQLITE_ROW && json_array_size(res) < q->limit) {
        struct mg_tool *t = mg_catalog_find(c, (const char *)sqlite3_column_text(s->match, 0));
        if (t == NULL || (q->visible != NULL && !q->visible(q->ctx, t)))
            continue;
        json_array_append_new(res, hit(t, -sqlite3_column_double(s->match, 1)));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        failf(err, errlen, "the query failed", s->db);
        json_decref(res);
        res = NULL;
    }
    sqlite3_reset(s->match);
    sqlite3_clear_bindings(s->match);
    *out = res;
    return res != NULL ? MG_SEARCH_OK : MG_SEARCH_FAILED;
}

enum mg_search_rc
mg_search_tools(struct mg_gateway *gw, const struct mg_search_query *q, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (gw->search == NULL && (gw->search = mg_search_new(err, errlen)) == NULL)
        return MG_SEARCH_FAILED;
    return mg_search_run(gw->search, &gw->catalog, q, out, err, errlen);
}
