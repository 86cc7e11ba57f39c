/*
 * tools.c - tools/list and tools/call against the catalog.
 *
 * Arguments are validated against the tool's inputSchema before the
 * handler sees them.  How an invalid call is reported depends on the
 * revision: 2025-11-25 made input validation failures execution errors
 * (a result with isError, so the model can correct itself, SEP-1303);
 * earlier revisions list "invalid arguments" as protocol error -32602.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/catalog.h"
#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "json/schema.h"
#include "mcp/call.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "util/alloc.h"

void
mg_method_tools_list(struct mg_req *req, json_t *params)
{
    struct mg_tool **items = req->s->gw->catalog.order;
    struct mg_list_page pg;
    json_t *tools;
    size_t i;

    if (mg_list_begin(req, params, MG_CURSOR_TOOLS, &pg) != 0)
        return;
    tools = json_array();
    while (mg_list_next(&pg, &i)) {
        json_t *d = mg_session_tool_def(req->s, items[i]);
        json_array_append_new(tools, mg_adapt_tool(d, req->version));
        json_decref(d);
    }
    mg_list_reply(req, &pg, "tools", tools);
}

/* Report invalid arguments as this revision wants them. */
static void
fail_arguments(struct mg_req *req, const char *tool, const char *why)
{
    char *msg;
    size_t n = strlen(tool) + strlen(why) + 64;

    msg = mg_malloc(n);
    snprintf(msg, n, "Invalid arguments for tool %s: %s", tool, why);
    if (req->era == MG_ERA_MODERN || mg_proto_at_least(req->version, MG_PROTO_2025_11_25)) {
        json_t *result = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", msg, "isError", 1);
        mg_req_reply(req, result);
    } else {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
    }
    mg_free(msg);
}

void
mg_method_tools_call(struct mg_req *req, json_t *params)
{
    json_t *name = json_object_get(params, "name");
    json_t *args = json_object_get(params, "arguments");
    json_t *task;
    struct mg_tool *tool;
    char *why = NULL;

    if (!json_is_string(name)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: tools/call requires params.name (a string)", NULL);
        return;
    }
    tool = mg_session_find_tool(req->s, json_string_value(name));
    if (tool == NULL) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Unknown tool: %.200s", json_string_value(name));
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
        return;
    }
    mg_req_set_tool(req, tool->bundle->ns, tool->local_name); /* for the call record */
    if (!mg_view_may_call(req->s, tool)) {
        /* Refused before anything reaches the upstream; the message says
         * which scope would do, and the front door answers HTTP 403. */
        char msg[400];
        snprintf(msg, sizeof(msg), "Forbidden: tool %.200s may change data and needs an API key with scope "
                 "'write'; key '%.64s' has scope 'read'", json_string_value(name), req->s->caller.key.name ?
                 req->s->caller.key.name : req->s->caller.key.id);
        mg_req_fail(req, MG_RPC_FORBIDDEN, msg, json_pack("{s:s, s:s}", "requiredScope", "write", "keyScope", "read"));
        return;
    }
    if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
        fail_arguments(req, tool->name, "(root): arguments must be an object");
        return;
    }
    if (mg_tool_call_task(req, params, tool, &task) != 0)
        return;
    args = json_is_object(args) ? json_incref(args) : json_object();
    if (mg_schema_validate(tool->input, args, &why) != 0) {
        fail_arguments(req, tool->name, why ? why : "invalid");
        free(why);
        json_decref(args);
        json_decref(task);
        return;
    }
    mg_call_start(req, params, tool, args, task);
}
