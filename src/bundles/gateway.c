/*
 * gateway.c - the gateway's own tools, the inline bundle `gateway`:
 *
 *   gateway__whoami        who the caller is: team, key, projects, scope
 *   gateway__list_servers  the status of each server the caller can reach
 *   gateway__search_tools  ranked search over the tools the caller can see
 *   gateway__recent_calls, gateway__call_stats  (gateway_calls.c)
 *
 * They answer about the caller's own access only: a key sees its own
 * projects' servers, and nothing here ever shows a secret, a command
 * line or a URL (which may hold credentials).  All of them only read, so
 * a read key may call them.
 */
#include "bundles/gateway.h"
#include "bundles/gateway_calls.h"

#include <string.h>

#include "auth/key.h"
#include "config/config.h"
#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "gateway/search.h"
#include "mcp/call.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "upstream/upstream.h"

static const struct mg_session *
session_of(struct mg_call *call)
{
    return mg_call_session(call);
}

static json_t *
string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static void
whoami(struct mg_call *call, json_t *args, void *udata)
{
    const struct mg_session *s = session_of(call);
    const struct mg_config *cfg = ((struct mg_gateway *)udata)->cfg;
    json_t *out = json_object(), *projects = json_array();

    (void)args;
    if (s == NULL) {
        mg_call_fail(call, "the client session has ended");
        return;
    }
    json_object_set_new(out, "team", string_or_null(cfg != NULL ? cfg->team : NULL));
    if (s->caller.key.id[0] == '\0') {
        /* No API keys: stdio, or loopback without auth: required. */
        json_object_set_new(out, "key", json_null());
        json_object_set_new(out, "authenticated", json_false());
    } else {
        json_object_set_new(out, "key", json_pack("{s:s, s:s}", "id", s->caller.key.id, "name", s->caller.key.name));
        json_object_set_new(out, "authenticated", json_true());
        for (size_t i = 0; i < s->caller.key.nprojects; i++)
            json_array_append_new(projects, json_string(s->caller.key.projects[i]));
    }
    json_object_set_new(out, "projects", projects);
    json_object_set_new(out, "default_project", string_or_null(s->caller.key.default_project));
    json_object_set_new(out, "project", string_or_null(s->caller.project));
    json_object_set_new(out, "scope", json_string(mg_scope_name(s->caller.key.scope)));
    mg_call_set_structured(call, out);
    mg_call_finish(call);
}

static void
list_servers(struct mg_call *call, json_t *args, void *udata)
{
    struct mg_gateway *gw = udata;
    const struct mg_session *s = session_of(call);
    json_t *all, *servers = json_array(), *item;
    size_t i;

    (void)args;
    if (s == NULL) {
        json_decref(servers);
        mg_call_fail(call, "the client session has ended");
        return;
    }
    all = mg_upstreams_status(gw);
    json_array_foreach (all, i, item) {
        if (!mg_session_serves(s, json_string_value(json_object_get(item, "name"))))
            continue;
        /* A command line or URL may hold a credential: not for clients. */
        json_object_del(item, "where");
        json_array_append(servers, item);
    }
    json_decref(all);
    mg_call_set_structured(call, json_pack("{s:o}", "servers", servers));
    mg_call_finish(call);
}

/* Only what the session lists: its project, its view, and for a read key
 * not the write tools it is not shown. */
static int
session_shows(void *ctx, const struct mg_tool *t)
{
    return mg_view_shows_tool(ctx, t);
}

static void
search_tools(struct mg_call *call, json_t *args, void *udata)
{
    const struct mg_session *s = session_of(call);
    json_t *limit = json_object_get(args, "limit"), *hits = NULL;
    struct mg_search_query q = {
        .words = json_string_value(json_object_get(args, "query")),
        .limit = limit != NULL ? (size_t)json_integer_value(limit) : 10,
        .visible = session_shows,
        .ctx = (void *)s,
    };
    char err[256];

    if (s == NULL) {
        mg_call_fail(call, "the client session has ended");
        return;
    }
    if (mg_search_tools(udata, &q, &hits, err, sizeof(err)) != MG_SEARCH_OK) {
        mg_call_fail(call, "%s", err);
        return;
    }
    mg_call_set_structured(call, json_pack("{s:o}", "results", hits));
    mg_call_finish(call);
}

#define NO_ARGS "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"
#define READS "{\"readOnlyHint\":true,\"openWorldHint\":false}"

int
mg_gateway_bundle_register(struct mg_gateway *gw, char *err, size_t errlen)
{
    struct mg_tool_def tools[3 + MG_GATEWAY_CALLS_TOOLS] = {
        {
            .name = "whoami",
            .title = "Who am I",
            .description = "Who this connection acts for: the team running the gateway, the API key's id and "
                           "name, its projects and default project, the project served, and its scope (read: "
                           "only tools that read; write: any tool).",
            .input_schema = NO_ARGS,
            .annotations = READS,
            .handler = whoami,
            .udata = gw,
        },
        {
            .name = "list_servers",
            .title = "List servers",
            .description = "The status of each MCP server this connection can reach: name, kind (stdio, http, "
                           "sse), state (connecting, ready, failed, disabled), protocol revision, tool count, "
                           "handshake latency and last error.",
            .input_schema = NO_ARGS,
            .annotations = READS,
            .handler = list_servers,
            .udata = gw,
        },
        {
            .name = "search_tools",
            .title = "Search tools",
            .description = "Find tools by what they do: ranked full-text search over the names, titles, "
                           "descriptions and parameter names of every tool this connection can see, best match "
                           "first. Each result gives the server, the tool's name to call, and the first line of "
                           "its description.",
            .input_schema = "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,"
                            "\"maxLength\":1024,\"description\":\"Words describing the tool wanted, e.g. "
                            "'create issue'\"},\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,"
                            "\"default\":10,\"description\":\"Most results\"}},\"required\":[\"query\"],"
                            "\"additionalProperties\":false}",
            .annotations = READS,
            .handler = search_tools,
            .udata = gw,
        },
    };
    const struct mg_bundle_def def = {
        .ns = "gateway",
        .tools = tools,
        .tool_count = 3 + mg_gateway_calls_tools(gw, tools + 3),
    };

    return mg_bundle_register(gw, &def, err, errlen);
}
