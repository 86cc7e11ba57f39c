/*
 * store_calls.h - the call record: one row per tools/call (the calls
 * table, schema in store_migrate.c).
 *
 * Writing: serve and stdio fill a struct mg_call_row as a call ends
 * (mcp/call_record.c) and queue it to the writer thread; nothing is
 * written on the loop thread.  The writer also enforces retention, by age
 * and by row count, every MG_CALLS_PRUNE_MS and once at start.
 *
 * Reading: plain synchronous SQL on a connection of the caller's, for
 * `mcpgate calls` and for the gateway's own tools (run on a reader
 * connection from a worker thread).  Results are jansson arrays.  A query
 * can be restricted to a set of projects, so that a key sees only its
 * own projects' calls.
 */
#ifndef MG_STORE_STORE_CALLS_H
#define MG_STORE_STORE_CALLS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/secret.h"

struct mg_store_writer;

/* Longest error message kept (its first line, cut at a character). */
#define MG_CALLS_ERROR_MAX 240
/* How often the writer applies retention, ms. */
#define MG_CALLS_PRUNE_MS 60000u
/* Defaults of the call_record settings. */
#define MG_CALLS_MAX_AGE_DEFAULT_S (30u * 86400u)
#define MG_CALLS_MAX_ROWS_DEFAULT 1000000u

/* How a call ended. */
enum mg_call_outcome {
    MG_CALL_OK = 0,
    MG_CALL_TOOL_ERROR,         /* a result with isError: true */
    MG_CALL_ERROR,              /* a JSON-RPC error (unknown tool, bad arguments, ...) */
    MG_CALL_CANCELLED,          /* ended without a reply */
    MG_CALL_OUTCOMES
};

/* Sets of outcomes, for filters. */
#define MG_CALL_BIT(o) (1u << (o))
#define MG_CALLS_NOT_OK (MG_CALL_BIT(MG_CALL_TOOL_ERROR) | MG_CALL_BIT(MG_CALL_ERROR) | MG_CALL_BIT(MG_CALL_CANCELLED))

/* "ok", "tool_error", "error", "cancelled". */
const char *mg_call_outcome_name(enum mg_call_outcome o);
/* The outcome called NAME, or -1. */
int mg_call_outcome_parse(const char *name);

/* One call, as written.  Strings are owned by the row; NULL is SQL NULL. */
struct mg_call_row {
    int64_t time_us;            /* arrival, microseconds since the epoch */
    char key_id[MG_KEY_ID_LEN + 1]; /* "": no key */
    char *project;
    char *session;
    char *server;               /* NULL: the tool was not found */
    char *tool;
    int64_t duration_us;
    int64_t request_bytes;
    int64_t response_bytes;
    enum mg_call_outcome outcome;
    char *error;
    char *arguments;            /* JSON text, only when recording arguments */
};

/* A new, zeroed row, ready for mg_store_call_push. */
struct mg_call_row *mg_call_row_new(void);
/* Free R and its strings; NULL is fine. */
void mg_call_row_free(struct mg_call_row *r);

/* Queue R (stolen) to be written by W.  Any thread; never blocks. */
void mg_store_call_push(struct mg_store_writer *w, struct mg_call_row *r);

/* Write R now on DB (the writer's connection, or a test's).  0 or -1. */
int mg_store_call_insert(sqlite3 *db, const struct mg_call_row *r);

/* --- retention --- */

struct mg_calls_retention {
    int64_t max_age_s;          /* rows older than this go; 0: no limit */
    int64_t max_rows;           /* the newest this many stay; 0: no limit */
};

/*
 * Delete the rows older than NOW_US - max_age, then all but the newest
 * max_rows.  Returns how many rows went, or -1 (the message is DB's).
 */
int64_t mg_store_calls_prune(sqlite3 *db, int64_t now_us, const struct mg_calls_retention *r);

/* The writer's periodic job (store_writer.h, mg_store_writer_every):
 * mg_store_calls_prune with CTX a struct mg_calls_retention. */
int mg_store_calls_prune_tick(sqlite3 *db, void *ctx);

/* --- queries --- */

/* Which rows a query looks at.  Zero (and NULLs) mean "any". */
struct mg_calls_filter {
    const char *tool;           /* the tool's own name */
    const char *server;
    unsigned outcomes;          /* MG_CALL_BIT of each outcome wanted; 0: any */
    int64_t since_us;           /* time_us >= since_us */
    int64_t until_us;           /* time_us < until_us */
    /* Only rows of these projects (a key's view); NULL: every row.  With
     * projects set and nprojects 0, nothing matches. */
    const char *const *projects;
    size_t nprojects;
};

enum mg_calls_order {
    MG_CALLS_NEWEST = 0,        /* by time, newest first */
    MG_CALLS_SLOWEST,           /* by duration, longest first */
};

/*
 * The calls F selects, in ORDER, at most LIMIT (0: no limit), as a new
 * JSON array of objects: time (ISO 8601 UTC, ms), time_us, key_id,
 * project, session, server, tool, duration_us, request_bytes,
 * response_bytes, outcome, error, arguments (the JSON value, or null).
 * NULL with the reason in ERR.
 */
json_t *mg_store_calls_recent(sqlite3 *db, const struct mg_calls_filter *f, enum mg_calls_order order, size_t limit,
                              char *err, size_t errlen);

/*
 * Per tool (server and tool) over the calls F selects, a new JSON array
 * of objects ordered by server and tool: server, tool, count, ok,
 * tool_error, error, cancelled, error_rate ((tool_error + error) /
 * count), p50_us, p95_us, max_us.  Percentiles are nearest-rank: the
 * smallest duration at or above which the given share of calls lie, one
 * of the durations recorded, never an average.  NULL with ERR.
 */
json_t *mg_store_calls_stats(sqlite3 *db, const struct mg_calls_filter *f, char *err, size_t errlen);

#endif
