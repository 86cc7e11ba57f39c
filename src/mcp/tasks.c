/*
 * tasks.c - the task methods of 2025-11-25 (tasks/get, tasks/result,
 * tasks/cancel, tasks/list) as a client session sees them.
 *
 * The gateway runs no tasks of its own: a task is an upstream's, created
 * by a task-augmented tools/call that passed through, and the gateway
 * routes the methods to the upstream that holds it (gw->tasks, kept by
 * upstream_tasks.c), under a task id of its own.  2026-07-28 moved tasks
 * to an extension with another wire format; that is not bridged.
 */
#include <string.h>

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

json_t *
mg_tasks_capability(const struct mg_gateway *gw, const char *version)
{
    if (gw->tasks == NULL || !mg_proto_at_least(version, MG_PROTO_2025_11_25))
        return NULL;
    return json_pack("{s:{}, s:{}, s:{s:{s:{}}}}", "list", "cancel", "requests", "tools", "call");
}

json_t *
mg_req_task(const struct mg_req *req, json_t *params)
{
    json_t *task = json_object_get(params, "task");

    return json_is_object(task) && req->s != NULL && req->s->gw->tasks != NULL && legacy_tasks(req) ? task : NULL;
}

const char *
mg_tool_task_support(const struct mg_tool *tool)
{
    const char *v = json_string_value(json_object_get(json_object_get(tool->def, "execution"), "taskSupport"));

    return v != NULL && (strcmp(v, "optional") == 0 || strcmp(v, "required") == 0) ? v : "forbidden";
}

void
mg_method_tasks(struct mg_req *req, json_t *params)
{
    struct mg_gateway *gw = req->s->gw;

    if (!legacy_tasks(req)) {
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
