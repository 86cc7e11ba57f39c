/*
 * gateway_calls.c - the gateway's own tools over the call record:
 *
 *   gateway__recent_calls  calls filtered by tool, server, status and time;
 *                          newest first, or the slowest first
 *   gateway__call_stats    per tool: count, error rate, p50/p95 durations
 *
 * The queries read SQLite, which may wait on the disk, so they run on a
 * libuv worker thread with a read-only connection of their own (opened
 * per query: cheap next to a query, and no connection is shared between
 * threads).  A read key sees only its own projects' calls; a write key,
 * or a caller without keys, sees every call.
 */
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "bundles/gateway_calls.h"
#include "gateway/gateway.h"
#include "mcp/call.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "store/store.h"
#include "store/store_calls.h"
#include "util/alloc.h"
#include "util/duration.h"

/* Longest window asked for: a year. */
#define MAX_WINDOW_S (366ull * 86400)

struct calls_job {
    uv_work_t work;
    struct mg_call *call;    /* NULL once cancelled */
    char *path;
    int stats;
    char *tool, *server;
    char **projects;         /* a read key's projects, or NULL: every call */
    size_t nprojects;
    struct mg_calls_filter filter;
    enum mg_calls_order order;
    size_t limit;
    json_t *out;             /* the worker's answer, or NULL with err */
    char err[256];
};

static char *
dup_or_null(const char *s)
{
    return s != NULL ? mg_strdup(s) : NULL;
}

static void
job_free(struct calls_job *j)
{
    for (size_t i = 0; i < j->nprojects; i++)
        mg_free(j->projects[i]);
    mg_free(j->projects);
    mg_free(j->tool);
    mg_free(j->server);
    mg_free(j->path);
    json_decref(j->out);
    mg_free(j);
}

/* Worker thread: touches only the job. */
static void
run_query(uv_work_t *w)
{
    struct calls_job *j = w->data;
    sqlite3 *db = mg_store_open_reader(j->path, MG_STORE_BUSY_TIMEOUT_MS, j->err, sizeof(j->err));

    if (db == NULL)
        return;
    j->out = j->stats ? mg_store_calls_stats(db, &j->filter, j->err, sizeof(j->err))
                      : mg_store_calls_recent(db, &j->filter, j->order, j->limit, j->err, sizeof(j->err));
    sqlite3_close(db);
}

static void
query_done(uv_work_t *w, int status)
{
    struct calls_job *j = w->data;

    if (j->call != NULL) {
        mg_call_on_cancel(j->call, NULL, NULL);
        if (status != 0 || j->out == NULL) {
            mg_call_fail(j->call, "the call record cannot be read just now: %s",
                         status != 0 ? uv_strerror(status) : j->err);
        } else {
            mg_call_set_structured(j->call, json_pack("{s:O}", j->stats ? "tools" : "calls", j->out));
            mg_call_finish(j->call);
        }
    }
    job_free(j);
}

/* The client gave up: end the call now; the query finishes unwatched. */
static void
query_cancelled(struct mg_call *call, void *data)
{
    struct calls_job *j = data;

    j->call = NULL;
    mg_call_fail(call, "cancelled");
}

/* Start the query of J for CALL, or fail the call with why not. */
static void
start(struct mg_call *call, struct mg_gateway *gw, struct calls_job *j, json_t *args, const char *default_since)
{
    const struct mg_session *s = mg_call_session(call);
    const char *since = json_string_value(json_object_get(args, "since"));
    uint64_t window = 0;
    int rc;

    if (s == NULL || gw->store_path == NULL || !gw->record_calls) {
        mg_call_fail(call, "%s", s == NULL ? "the client session has ended"
                                 : "the call record is off on this gateway (call_record.enabled, or no state "
                                   "directory)");
        job_free(j);
        return;
    }
    if (since == NULL)
        since = default_since;
    if (since != NULL && mg_duration_parse(since, MAX_WINDOW_S, &window) != 0) {
        mg_call_fail(call, "since: expected a span of time such as 15m, 2h or 7d (at most a year), got '%.40s'",
                     since);
        job_free(j);
        return;
    }
    j->path = mg_strdup(gw->store_path);
    j->tool = dup_or_null(json_string_value(json_object_get(args, "tool")));
    j->server = dup_or_null(json_string_value(json_object_get(args, "server")));
    j->filter.tool = j->tool;
    j->filter.server = j->server;
    j->filter.since_us = window > 0 ? mg_store_now_us() - (int64_t)window * 1000000 : 0;
    if (s->caller.key.id[0] != '\0' && s->caller.key.scope == MG_SCOPE_READ) {
        j->projects = mg_calloc(s->caller.key.nprojects + 1, sizeof(char *));
        for (size_t i = 0; i < s->caller.key.nprojects; i++)
            j->projects[j->nprojects++] = mg_strdup(s->caller.key.projects[i]);
        j->filter.projects = (const char *const *)j->projects;
        j->filter.nprojects = j->nprojects;
    }
    j->call = call;
    j->work.data = j;
    if ((rc = uv_queue_work(mg_call_loop(call), &j->work, run_query, query_done)) != 0) {
        mg_call_fail(call, "the call record cannot be read just now: %s", uv_strerror(rc));
        job_free(j);
        return;
    }
    mg_call_on_cancel(call, query_cancelled, j);
}

static void
recent_calls(struct mg_call *call, json_t *args, void *udata)
{
    struct calls_job *j = mg_calloc(1, sizeof(*j));
    const char *status = json_string_value(json_object_get(args, "status"));
    json_t *limit = json_object_get(args, "limit");

    j->order = json_is_true(json_object_get(args, "slowest")) ? MG_CALLS_SLOWEST : MG_CALLS_NEWEST;
    j->limit = limit != NULL ? (size_t)json_integer_value(limit) : 20;
    if (status != NULL)
        j->filter.outcomes = strcmp(status, "errors") == 0 ? MG_CALLS_NOT_OK
                                                           : MG_CALL_BIT(mg_call_outcome_parse(status));
    start(call, udata, j, args, NULL);
}

static void
call_stats(struct mg_call *call, json_t *args, void *udata)
{
    struct calls_job *j = mg_calloc(1, sizeof(*j));

    j->stats = 1;
    start(call, udata, j, args, "24h");
}

#define READS "{\"readOnlyHint\":true,\"openWorldHint\":false}"
#define SINCE "\"since\":{\"type\":\"string\",\"pattern\":\"^[0-9]+[smhdw]?$\",\"description\":\"Only calls of this " \
              "last span of time, e.g. 15m, 2h, 7d\"}"
#define BY "\"tool\":{\"type\":\"string\",\"description\":\"Only this tool (its own name, e.g. get_issue)\"}," \
           "\"server\":{\"type\":\"string\",\"description\":\"Only this server\"}"

size_t
mg_gateway_calls_tools(struct mg_gateway *gw, struct mg_tool_def *out)
{
    const struct mg_tool_def tools[MG_GATEWAY_CALLS_TOOLS] = {
        {
            .name = "recent_calls",
            .title = "Recent calls",
            .description = "Tool calls made through this gateway, newest first (or the slowest first): time, key, "
                           "project, server, tool, duration, bytes, outcome and error. Filter by tool, server, "
                           "status (ok, tool_error, error, cancelled, or errors for all failures) and time. A "
                           "read key sees its own projects' calls only.",
            .input_schema = "{\"type\":\"object\",\"properties\":{" BY "," SINCE ",\"status\":{\"enum\":[\"ok\","
                            "\"tool_error\",\"error\",\"cancelled\",\"errors\"],\"description\":\"Only calls that "
                            "ended so; errors: every failure\"},\"slowest\":{\"type\":\"boolean\",\"description\":"
                            "\"The slowest first instead of the newest\"},\"limit\":{\"type\":\"integer\","
                            "\"minimum\":1,\"maximum\":1000,\"default\":20}},\"additionalProperties\":false}",
            .annotations = READS,
            .handler = recent_calls,
            .udata = gw,
        },
        {
            .name = "call_stats",
            .title = "Call statistics",
            .description = "Per tool over a window of time (default the last 24h): number of calls, outcomes, "
                           "error rate, and p50, p95 and longest durations in microseconds. A read key sees its "
                           "own projects' calls only.",
            .input_schema = "{\"type\":\"object\",\"properties\":{" BY "," SINCE "},\"additionalProperties\":false}",
            .annotations = READS,
            .handler = call_stats,
            .udata = gw,
        },
    };
    memcpy(out, tools, sizeof(tools));
    return MG_GATEWAY_CALLS_TOOLS;
}
