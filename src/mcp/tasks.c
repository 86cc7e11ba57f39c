/*
 * tasks.c - tasks as a client session sees them: the task methods of
 * 2025-11-25 (tasks/get, tasks/result, tasks/cancel, tasks/list), and
 * the tasks extension of 2026-07-28 (io.modelcontextprotocol/tasks:
 * tasks/get, tasks/update, tasks/cancel).
 *
 * The gateway runs no tasks of its own: a task is an upstream's, created
 * by a tools/call that passed through as a task-augmented call (or, to a
 * server of 2026-07-28, one that declared the extension), and the
 * gateway routes the methods to the upstream that holds it (gw->tasks,
 * kept by upstream_tasks.c), under a task id of its own.
 *
 * In 2026-07-28 the server decides which calls become tasks: a client
 * that declares the extension (in the request's clientCapabilities)
 * gets a task for every call of a tool whose execution.taskSupport is
 * optional or required, and one that does not gets the plain result,
 * or -32021 for a tool that runs only as a task.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "mcp/version.h"

static int
legacy_tasks(const struct mg_req *req)
{
    return req->era == MG_ERA_LEGACY && mg_proto_at_least(req->version, MG_PROTO_2025_11_25);
}

int
mg_req_tasks_extension(const struct mg_req *req)
{
    return req->era == MG_ERA_MODERN &&
           json_is_object(json_object_get(json_object_get(req->caps, "extensions"), MG_EXT_TASKS));
}

/* -32021 for REQ, which needs the tasks extension; WHAT says why. */
static void
fail_no_extension(struct mg_req *req, const char *what)
{
    char msg[400];

    snprintf(msg, sizeof(msg), "%s needs the client extension %s, which this request did not declare (in "
             "_meta.%s.extensions)", what, MG_EXT_TASKS, MG_META_CLIENT_CAPABILITIES);
    mg_req_fail(req, MG_RPC_MISSING_CAPABILITY, msg,
                json_pack("{s:{s:{s:{}}}}", "requiredCapabilities", "extensions", MG_EXT_TASKS));
}

json_t *
mg_tasks_capability(const struct mg_gateway *gw, const char *version)
{
    if (gw->tasks == NULL || !mg_proto_at_least(version, MG_PROTO_2025_11_25))
        return NULL;
    return json_pack("{s:{}, s:{}, s:{s:{s:{}}}}", "list", "cancel", "requests", "tools", "call");
}

/* A duration in milliseconds as the extension writes one: a positive
 * integer, or NULL when V is none. */
static json_t *
whole_ms(json_t *v)
{
    double d = json_number_value(v);

    if (!json_is_number(v) || !isfinite(d) || d < 0.5 || d > 9.0e15)
        return NULL;
    return json_integer((json_int_t)llround(d));
}

json_t *
mg_task_modern(json_t *task)
{
    static const char *const same[] = {"taskId", "status", "statusMessage", "createdAt", "lastUpdatedAt"};
    json_t *out = json_object(), *v;

    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if ((v = json_object_get(task, same[i])) != NULL)
            json_object_set(out, same[i], v);
    /* ttl and pollInterval were milliseconds already; only the names
     * changed.  ttlMs is null for a task kept without a bound. */
    v = whole_ms(json_object_get(task, "ttl"));
    json_object_set_new(out, "ttlMs", v != NULL ? v : json_null());
    if ((v = whole_ms(json_object_get(task, "pollInterval"))) != NULL)
        json_object_set_new(out, "pollIntervalMs", v);
    return out;
}

json_t *
mg_task_legacy(json_t *task)
{
    static const char *const same[] = {"taskId", "status", "statusMessage", "createdAt", "lastUpdatedAt"};
    json_t *out = json_object(), *v;

    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if ((v = json_object_get(task, same[i])) != NULL)
            json_object_set(out, same[i], v);
    v = whole_ms(json_object_get(task, "ttlMs"));
    json_object_set_new(out, "ttl", v != NULL ? v : json_null());
    if ((v = whole_ms(json_object_get(task, "pollIntervalMs"))) != NULL)
        json_object_set_new(out, "pollInterval", v);
    /* 2025-11-25 requires both times, which the extension may leave out:
     * a Task without them is one seen now. */
    if (!json_is_string(json_object_get(out, "createdAt")) || !json_is_string(json_object_get(out, "lastUpdatedAt"))) {
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (!json_is_string(json_object_get(out, "createdAt")))
            json_object_set_new(out, "createdAt", json_string(now));
        if (!json_is_string(json_object_get(out, "lastUpdatedAt")))
            json_object_set(out, "lastUpdatedAt", json_object_get(out, "createdAt"));
    }
    return out;
}

const char *
mg_tool_task_support(const struct mg_tool *tool)
{
    const char *v = json_string_value(json_object_get(json_object_get(tool->def, "execution"), "taskSupport"));

    return v != NULL && (strcmp(v, "optional") == 0 || strcmp(v, "required") == 0) ? v : "forbidden";
}

int
mg_tool_call_task(struct mg_req *req, json_t *params, const struct mg_tool *tool, json_t **task)
{
    const char *support = mg_tool_task_support(tool);
    json_t *asked = json_object_get(params, "task");

    *task = NULL;
    if (req->s == NULL || req->s->gw->tasks == NULL)
        return 0;
    if (legacy_tasks(req)) {
        if (!json_is_object(asked))
            return 0;
        if (strcmp(support, "forbidden") == 0) {
            /* What the tool's execution.taskSupport (absent: forbidden)
             * says; 2025-11-25 asks for -32601. */
            char msg[400];
            snprintf(msg, sizeof(msg), "Method not found: tool %.200s does not run as a task (its "
                     "execution.taskSupport is forbidden); call it without params.task", tool->name);
            mg_req_fail(req, MG_RPC_METHOD_NOT_FOUND, msg, NULL);
            return -1;
        }
        *task = json_incref(asked);
        return 0;
    }
    /* 2026-07-28: a params.task of an older client is tolerated and
     * changes nothing; the tool and the extension decide. */
    if (req->era != MG_ERA_MODERN || strcmp(support, "forbidden") == 0)
        return 0;
    if (!mg_req_tasks_extension(req)) {
        if (strcmp(support, "required") != 0)
            return 0; /* the server runs it to the end and answers */
        char what[300];
        snprintf(what, sizeof(what), "Tool %.200s runs only as a task and", tool->name);
        fail_no_extension(req, what);
        return -1;
    }
    *task = json_object(); /* the server picks the ttl */
    return 0;
}

void
mg_method_tasks(struct mg_req *req, json_t *params)
{
    struct mg_gateway *gw = req->s->gw;

    if (req->era == MG_ERA_MODERN) {
        /* tasks/get, tasks/update, tasks/cancel: the extension's. */
        if (!mg_req_tasks_extension(req)) {
            fail_no_extension(req, req->method);
            return;
        }
    } else if (!legacy_tasks(req) || strcmp(req->method, "tasks/update") == 0) {
        mg_req_fail(req, MG_RPC_METHOD_NOT_FOUND, "Method not found: tasks came in protocol revision 2025-11-25",
                    NULL);
        return;
    }
    if (gw->tasks == NULL) {
        if (strcmp(req->method, "tasks/list") == 0)
            mg_req_reply(req, json_pack("{s:[]}", "tasks"));
        else
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: no task has that taskId", NULL);
        return;
    }
    gw->tasks->request(gw, req, params);
}
