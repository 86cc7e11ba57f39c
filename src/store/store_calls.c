/*
 * store_calls.c - writing, pruning and reading the call record.
 *
 * Filters become a WHERE clause of fixed, numbered parameters (?1 the
 * tool, ?2 the server, ...), and a value is bound only when its filter is
 * set, so the text of a query depends on which filters are used, never
 * on their values.  The row is trusted no more than any file: a column
 * of an unexpected type reads as NULL or 0.
 */
#include "store/store_calls.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_writer.h"
#include "util/alloc.h"

/* Most projects one query may name (a key has at most 64). */
#define MAX_PROJECTS 64
/* Numbered parameters of the WHERE clause. */
enum { P_TOOL = 1, P_SERVER, P_SINCE, P_UNTIL, P_LIMIT, P_PROJECTS };

static const char *const outcome_names[MG_CALL_OUTCOMES] = {"ok", "tool_error", "error", "cancelled"};

const char *
mg_call_outcome_name(enum mg_call_outcome o)
{
    return (unsigned)o < MG_CALL_OUTCOMES ? outcome_names[o] : "error";
}

int
mg_call_outcome_parse(const char *name)
{
    for (int i = 0; name != NULL && i < MG_CALL_OUTCOMES; i++)
        if (strcmp(name, outcome_names[i]) == 0)
            return i;
    return -1;
}

/* --- writing --------------------------------------------------------------- */

struct call_op {
    struct mg_store_op op;
    struct mg_call_row row;
};

#define OP_OF(r) ((struct call_op *)((char *)(r) - offsetof(struct call_op, row)))

struct mg_call_row *
mg_call_row_new(void)
{
    struct call_op *c = mg_calloc(1, sizeof(*c));

    return &c->row;
}

void
mg_call_row_free(struct mg_call_row *r)
{
    if (r == NULL)
        return;
    mg_free(r->project);
    mg_free(r->session);
    mg_free(r->server);
    mg_free(r->tool);
    mg_free(r->error);
    mg_free(r->arguments);
    mg_free(OP_OF(r));
}

static int
op_apply(sqlite3 *db, struct mg_store_op *op)
{
    return mg_store_call_insert(db, &((struct call_op *)op)->row);
}

static void
op_free(struct mg_store_op *op)
{
    mg_call_row_free(&((struct call_op *)op)->row);
}

void
mg_store_call_push(struct mg_store_writer *w, struct mg_call_row *r)
{
    struct call_op *c = OP_OF(r);

    c->op.apply = op_apply;
    c->op.free = op_free;
    c->op.what = "a call record";
    mg_store_writer_push(w, &c->op);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL && s[0] != '\0')
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int
mg_store_call_insert(sqlite3 *db, const struct mg_call_row *r)
{
    /* Kept prepared: the writer inserts thousands of these a second. */
    sqlite3_stmt *st = mg_store_stmt(db, "INSERT INTO calls (time_us, key_id, project, session, server, tool,"
                                         " duration_us, request_bytes, response_bytes, outcome, error, arguments)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, r->time_us);
    bind_text(st, 2, r->key_id);
    bind_text(st, 3, r->project);
    bind_text(st, 4, r->session);
    bind_text(st, 5, r->server);
    sqlite3_bind_text(st, 6, r->tool != NULL ? r->tool : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, r->duration_us);
    sqlite3_bind_int64(st, 8, r->request_bytes);
    sqlite3_bind_int64(st, 9, r->response_bytes);
    sqlite3_bind_text(st, 10, mg_call_outcome_name(r->outcome), -1, SQLITE_STATIC);
    bind_text(st, 11, r->error);
    bind_text(st, 12, r->arguments);
    rc = sqlite3_step(st);
    /* Reset now, so the statement holds no bound pointers into R. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* --- retention ------------------------------------------------------------- */

/* Run SQL with ?1 bound to V; the rows it changed, or -1. */
static int64_t
delete_where(sqlite3 *db, const char *sql, int64_t v)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, v);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? (int64_t)sqlite3_changes(db) : -1;
}

int64_t
mg_store_calls_prune(sqlite3 *db, int64_t now_us, const struct mg_calls_retention *r)
{
    int64_t gone = 0, n;

    if (r->max_age_s > 0) {
        if ((n = delete_where(db, "DELETE FROM calls WHERE time_us < ?1", now_us - r->max_age_s * 1000000)) < 0)
            return -1;
        gone += n;
    }
    if (r->max_rows > 0) {
        /* Ids are given in order as rows are written, one more than the
         * largest, and rows go only from the old end: the newest max_rows
         * are those above max(id) - max_rows, found through the primary
         * key without stepping over the rows (an OFFSET read the whole
         * table, every minute, into the page cache).  A row an age prune
         * took from the middle leaves a gap, and then a few less are kept. */
        if ((n = delete_where(db, "DELETE FROM calls WHERE id <= (SELECT max(id) FROM calls) - ?1", r->max_rows)) < 0)
            return -1;
        gone += n;
    }
    return gone;
}

int
mg_store_calls_prune_tick(sqlite3 *db, void *ctx)
{
    return mg_store_calls_prune(db, mg_store_now_us(), ctx) < 0 ? -1 : 0;
}

/* --- queries --------------------------------------------------------------- */

#define ROW_COLUMNS                                                                                              \
    "time_us, key_id, project, session, server, tool, duration_us, request_bytes, response_bytes, outcome, error, " \
    "arguments"

static int
fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "cannot read the call record (%s): %s", what, sqlite3_errmsg(db));
    return -1;
}

/* " WHERE ..." for F into BUF (LEN bytes); -1 with ERR when F names too
 * many projects.  With at most MAX_PROJECTS the text stays under 600
 * bytes, so LEN 1024 always holds it. */
static int
where_clause(const struct mg_calls_filter *f, char *buf, size_t len, char *err, size_t errlen)
{
    size_t o = 0;
    int first = 1;

#define ADD(...)                                                                       \
    do {                                                                               \
        o += (size_t)snprintf(buf + o, len - o, "%s", first ? " WHERE " : " AND "); \
        o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__);                          \
        first = 0;                                                                     \
    } while (0)

    buf[0] = '\0';
    if (f->projects != NULL && f->nprojects > MAX_PROJECTS) {
        snprintf(err, errlen, "a query may name at most %d projects, not %zu", MAX_PROJECTS, f->nprojects);
        return -1;
    }
    if (f->tool != NULL)
        ADD("tool = ?%d", P_TOOL);
    if (f->server != NULL)
        ADD("server = ?%d", P_SERVER);
    /* Outcomes are our own names, written in as they are.  "Not ok" is
     * written as the partial index calls_errors is, so the planner may
     * use it. */
    if ((f->outcomes & MG_CALLS_NOT_OK) == MG_CALLS_NOT_OK && !(f->outcomes & MG_CALL_BIT(MG_CALL_OK))) {
        ADD("outcome != 'ok'");
    } else if (f->outcomes != 0) {
        const char *sep = "";
        ADD("outcome IN (");
        for (int i = 0; i < MG_CALL_OUTCOMES; i++)
            if (f->outcomes & MG_CALL_BIT(i)) {
                o += (size_t)snprintf(buf + o, len - o, "%s'%s'", sep, outcome_names[i]);
                sep = ", ";
            }
        o += (size_t)snprintf(buf + o, len - o, ")");
    }
    if (f->since_us > 0)
        ADD("time_us >= ?%d", P_SINCE);
    if (f->until_us > 0)
        ADD("time_us < ?%d", P_UNTIL);
    if (f->projects != NULL && f->nprojects == 0)
        ADD("0");
    if (f->projects != NULL && f->nprojects > 0) {
        ADD("project IN (");
        for (size_t i = 0; i < f->nprojects; i++)
            o += (size_t)snprintf(buf + o, len - o, "%s?%zu", i > 0 ? ", " : "", P_PROJECTS + i);
        o += (size_t)snprintf(buf + o, len - o, ")");
    }
#undef ADD
    return 0;
}

static void
bind_filter(sqlite3_stmt *st, const struct mg_calls_filter *f)
{
    if (f->tool != NULL)
        sqlite3_bind_text(st, P_TOOL, f->tool, -1, SQLITE_STATIC);
    if (f->server != NULL)
        sqlite3_bind_text(st, P_SERVER, f->server, -1, SQLITE_STATIC);
    if (f->since_us > 0)
        sqlite3_bind_int64(st, P_SINCE, f->since_us);
    if (f->until_us > 0)
        sqlite3_bind_int64(st, P_UNTIL, f->until_us);
    for (size_t i = 0; f->projects != NULL && i < f->nprojects; i++)
        sqlite3_bind_text(st, P_PROJECTS + (int)i, f->projects[i], -1, SQLITE_STATIC);
}

/* Prepare SELECT HEAD <where F> TAIL with F's values bound. */
static sqlite3_stmt *
prepare_query(sqlite3 *db, const char *head, const struct mg_calls_filter *f, const char *tail, char *err,
              size_t errlen)
{
    /* Room for every clause and MAX_PROJECTS parameters. */
    char where[1024], sql[2048];
    sqlite3_stmt *st = NULL;

    if (where_clause(f, where, sizeof(where), err, errlen) != 0)
        return NULL;
    snprintf(sql, sizeof(sql), "%s%s%s", head, where, tail);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(db, "prepare", err, errlen);
        return NULL;
    }
    bind_filter(st, f);
    return st;
}

/* S as a new JSON string, or null for NULL (and for invalid UTF-8,
 * which json_string refuses: the store is not trusted). */
static json_t *
string_or_null(const char *s)
{
    json_t *v = s != NULL ? json_string(s) : NULL;

    return v != NULL ? v : json_null();
}

static json_t *
text_or_null(sqlite3_stmt *st, int i)
{
    return string_or_null((const char *)sqlite3_column_text(st, i));
}

/* T microseconds since the epoch as "2026-01-02T15:04:05.123Z". */
static json_t *
iso_time(int64_t t)
{
    time_t secs = (time_t)(t / 1000000);
    struct tm tm;
    char buf[64];
    size_t n;

    if (t < 0 || gmtime_r(&secs, &tm) == NULL)
        return json_string("1970-01-01T00:00:00.000Z");
    n = strftime(buf, sizeof(buf) - 8, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(t / 1000 % 1000));
    return json_string(buf);
}

/* The arguments column: the JSON it holds, else null. */
static json_t *
arguments(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    json_t *v = s != NULL ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

    return v != NULL ? v : json_null();
}

static json_t *
row_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    int64_t t = sqlite3_column_int64(st, 0);

    json_object_set_new(o, "time", iso_time(t));
    json_object_set_new(o, "time_us", json_integer(t));
    json_object_set_new(o, "key_id", text_or_null(st, 1));
    json_object_set_new(o, "project", text_or_null(st, 2));
    json_object_set_new(o, "session", text_or_null(st, 3));
    json_object_set_new(o, "server", text_or_null(st, 4));
    json_object_set_new(o, "tool", text_or_null(st, 5));
    json_object_set_new(o, "duration_us", json_integer(sqlite3_column_int64(st, 6)));
    json_object_set_new(o, "request_bytes", json_integer(sqlite3_column_int64(st, 7)));
    json_object_set_new(o, "response_bytes", json_integer(sqlite3_column_int64(st, 8)));
    json_object_set_new(o, "outcome", text_or_null(st, 9));
    json_object_set_new(o, "error", text_or_null(st, 10));
    json_object_set_new(o, "arguments", arguments(st, 11));
    return o;
}

json_t *
mg_store_calls_recent(sqlite3 *db, const struct mg_calls_filter *f, enum mg_calls_order order, size_t limit,
                      char *err, size_t errlen)
{
    char tail[128];
    sqlite3_stmt *st;
    json_t *rows;
    int rc;

    snprintf(tail, sizeof(tail), " ORDER BY %s LIMIT ?%d",
             order == MG_CALLS_SLOWEST ? "duration_us DESC, time_us DESC" : "time_us DESC, id DESC", P_LIMIT);
    if ((st = prepare_query(db, "SELECT " ROW_COLUMNS " FROM calls", f, tail, err, errlen)) == NULL)
        return NULL;
    sqlite3_bind_int64(st, P_LIMIT, limit > 0 && limit <= INT64_MAX ? (int64_t)limit : -1);
    rows = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(rows, row_json(st));
    if (rc != SQLITE_DONE) {
        fail(db, "calls", err, errlen);
        json_decref(rows);
        rows = NULL;
    }
    sqlite3_finalize(st);
    return rows;
}

/* --- per-tool statistics --------------------------------------------------- */

/* One tool's figures while its rows stream by. */
struct group {
    char *server, *tool;        /* server may be NULL */
    int64_t n;                  /* its rows in the window */
    int64_t rank50, rank95;     /* nearest ranks, 1-based */
    int64_t by_outcome[MG_CALL_OUTCOMES];
    int64_t p50, p95, max;
};

/* The nearest rank of percentile P among N sorted values: ceil(P/100 N),
 * at least 1. */
static int64_t
nearest_rank(int p, int64_t n)
{
    int64_t r = (p * n + 99) / 100;

    return r < 1 ? 1 : r;
}

static int
same_text(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void
group_emit(json_t *out, struct group *g)
{
    json_t *o;
    int64_t errors = g->by_outcome[MG_CALL_TOOL_ERROR] + g->by_outcome[MG_CALL_ERROR];

    if (g->n == 0)
        return;
    o = json_object();
    json_object_set_new(o, "server", string_or_null(g->server));
    json_object_set_new(o, "tool", string_or_null(g->tool));
    json_object_set_new(o, "count", json_integer(g->n));
    for (int i = 0; i < MG_CALL_OUTCOMES; i++)
        json_object_set_new(o, outcome_names[i], json_integer(g->by_outcome[i]));
    json_object_set_new(o, "error_rate", json_real((double)errors / (double)g->n));
    json_object_set_new(o, "p50_us", json_integer(g->p50));
    json_object_set_new(o, "p95_us", json_integer(g->p95));
    json_object_set_new(o, "max_us", json_integer(g->max));
    json_array_append_new(out, o);
    mg_free(g->server);
    mg_free(g->tool);
    memset(g, 0, sizeof(*g));
}

json_t *
mg_store_calls_stats(sqlite3 *db, const struct mg_calls_filter *f, char *err, size_t errlen)
{
    /* Each tool's rows in order of duration, with their rank and the
     * tool's count alongside: the percentiles are then picked out as the
     * rows go by, whatever the number of rows, in constant memory. */
    static const char head[] =
        "SELECT server, tool, outcome, duration_us,"
        " row_number() OVER (PARTITION BY server, tool ORDER BY duration_us),"
        " count(*) OVER (PARTITION BY server, tool)"
        " FROM calls";
    struct group g = {0};
    sqlite3_stmt *st;
    json_t *out;
    int rc;

    if ((st = prepare_query(db, head, f, " ORDER BY server, tool, duration_us", err, errlen)) == NULL)
        return NULL;
    out = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *server = (const char *)sqlite3_column_text(st, 0);
        const char *tool = (const char *)sqlite3_column_text(st, 1);
        int outcome = mg_call_outcome_parse((const char *)sqlite3_column_text(st, 2));
        int64_t d = sqlite3_column_int64(st, 3), rank = sqlite3_column_int64(st, 4);

        if (tool == NULL)
            continue; /* NOT NULL in the schema; the file is not trusted */
        if (g.n == 0 || !same_text(g.server, server) || !same_text(g.tool, tool)) {
            group_emit(out, &g);
            g.server = server != NULL ? mg_strdup(server) : NULL;
            g.tool = mg_strdup(tool);
            g.n = sqlite3_column_int64(st, 5);
            g.rank50 = nearest_rank(50, g.n);
            g.rank95 = nearest_rank(95, g.n);
        }
        g.by_outcome[outcome >= 0 ? outcome : MG_CALL_ERROR]++;
        if (rank == g.rank50)
            g.p50 = d;
        if (rank == g.rank95)
            g.p95 = d;
        g.max = d; /* rows come shortest first */
    }
    group_emit(out, &g);
    mg_free(g.server);
    mg_free(g.tool);
    if (rc != SQLITE_DONE) {
        fail(db, "statistics", err, errlen);
        json_decref(out);
        out = NULL;
    }
    sqlite3_finalize(st);
    return out;
}
