/*
 * lifecycle.c - the methods a session answers itself (initialize,
 * server/discover, ping, logging/setLevel), and the table of every
 * method with the eras it exists in, for dispatch in session.c.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "mcp/subscriptions.h"
#include "util/log.h"

static const char server_instructions[] =
    "mcpgate serves one merged catalog of tools; each tool is named <server>__<tool> after the source that "
    "provides it.";

json_t *
mg_server_info(void)
{
    return json_pack("{s:s, s:s, s:s}", "name", "mcpgate", "title", "mcpgate MCP gateway", "version", MG_VERSION);
}

json_t *
mg_server_capabilities(struct mg_gateway *gw, int modern)
{
    const struct mg_catalog *c = &gw->catalog;
    json_t *caps = json_pack("{s:{}, s:{}}", "tools", "logging");
    /* Upstream servers bring their prompts and resources as they connect,
     * possibly after this session began: the lists exist from the start. */
    int upstreams = gw->nupstreams > 0;

    /* Changes reach legacy sessions on their stream and 2026-07-28
     * clients through subscriptions/listen (subscriptions.c). */
    json_object_set_new(json_object_get(caps, "tools"), "listChanged", json_true());
    if (upstreams || c->resource_count > 0 || c->template_count > 0)
        json_object_set_new(caps, "resources", json_pack("{s:b, s:b}", "subscribe", 1, "listChanged", 1));
    if (upstreams || c->prompt_count > 0)
        json_object_set_new(caps, "prompts", json_pack("{s:b}", "listChanged", 1));
    if (upstreams || c->prompt_count > 0 || c->resource_count > 0 || c->template_count > 0)
        json_object_set_new(caps, "completions", json_object());
    return caps;
}

static void
method_initialize(struct mg_session *s, struct mg_req *req, json_t *params)
{
    json_t *requested = json_object_get(params, "protocolVersion");
    json_t *caps = json_object_get(params, "capabilities");
    json_t *info = json_object_get(params, "clientInfo");
    json_t *result, *tasks;

    if (s->initialized) {
        mg_req_fail(req, MG_RPC_INVALID_REQUEST, "Invalid Request: the session is already initialized", NULL);
        return;
    }
    if (!json_is_string(requested)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: initialize requires params.protocolVersion (a string such as \"2025-11-25\")",
                    NULL);
        return;
    }
    if (caps != NULL && !json_is_object(caps)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: params.capabilities must be an object", NULL);
        return;
    }
    s->version = mg_proto_negotiate_legacy(json_string_value(requested));
    s->initialized = 1;
    s->client_caps = caps ? json_incref(caps) : json_object();
    s->client_info = json_is_object(info) ? json_incref(info) : NULL;
    req->version = s->version;
    mg_log_debug("initialize: client asked for %s, answering %s", json_string_value(requested), s->version);

    result = json_object();
    json_object_set_new(result, "protocolVersion", json_string(s->version));
    json_object_set_new(result, "capabilities", mg_server_capabilities(s->gw, 0));
    if ((tasks = mg_tasks_capability(s->gw, s->version)) != NULL)
        json_object_set_new(json_object_get(result, "capabilities"), "tasks", tasks);
    json_object_set_new(result, "serverInfo", mg_server_info());
    if (!mg_proto_at_least(s->version, MG_PROTO_2025_06_18)) /* Implementation.title came in 2025-06-18 */
        json_object_del(json_object_get(result, "serverInfo"), "title");
    json_object_set_new(result, "instructions",
                            json_string(server_instructions));
    mg_req_reply(req, result);
}

json_t *
mg_supported_versions(void)
{
    json_t *a = json_array();

    for (size_t i = 0; i < mg_proto_version_count; i++)
        json_array_append_new(a, json_string(mg_proto_versions[i]));
    return a;
}

static void
method_discover(struct mg_session *s, struct mg_req *req, json_t *params)
{
    json_t *result = json_object();

    json_object_set_new(result, "supportedVersions", mg_supported_versions());
    json_object_set_new(result, "capabilities", mg_server_capabilities(s->gw, 1));
    if (s->gw->tasks != NULL) /* the upstreams' tasks, bridged (tasks.c) */
        json_object_set_new(json_object_get(result, "capabilities"), "extensions",
                            json_pack("{s:{}}", MG_EXT_TASKS));
    json_object_set_new(result, "ttlMs", json_integer(s->gw->list_ttl_ms));
    json_object_set_new(result, "cacheScope", json_string("public"));
    json_object_set_new(result, "instructions",
                        json_string(server_instructions));
    mg_req_reply(req, result);
}

static void
method_ping(struct mg_session *s, struct mg_req *req, json_t *params)
{
    mg_req_reply(req, json_object());
}

static void
method_set_level(struct mg_session *s, struct mg_req *req, json_t *params)
{
    json_t *level = json_object_get(params, "level");
    int l = json_is_string(level) ? mg_mcp_log_level_parse(json_string_value(level)) : -1;

    if (l < 0) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: logging/setLevel requires params.level, one of debug, info, notice, warning, "
                    "error, critical, alert, emergency",
                    NULL);
        return;
    }
    s->log_level = l;
    s->log_level_set = 1;
    if (s->gw->session_log_level != NULL)
        s->gw->session_log_level(s->gw, s);
    mg_req_reply(req, json_object());
}

static void
method_tools_list(struct mg_session *s, struct mg_req *req, json_t *params)
{
    mg_method_tools_list(req, params);
}

static void
method_tools_call(struct mg_session *s, struct mg_req *req, json_t *params)
{
    mg_method_tools_call(req, params);
}

/* The remaining methods need nothing from the session itself. */
#define FORWARD(fn, target)                                                   \
    static void fn(struct mg_session *s, struct mg_req *req, json_t *params) \
    {                                                                         \
        target(req, params);                                                  \
    }
FORWARD(method_resources_list, mg_method_resources_list)
FORWARD(method_resources_templates_list, mg_method_resources_templates_list)
FORWARD(method_resources_read, mg_method_resources_read)
FORWARD(method_resources_subscribe, mg_method_resources_subscribe)
FORWARD(method_prompts_list, mg_method_prompts_list)
FORWARD(method_prompts_get, mg_method_prompts_get)
FORWARD(method_completion_complete, mg_method_completion_complete)
FORWARD(method_subscriptions_listen, mg_method_subscriptions_listen)
FORWARD(method_tasks, mg_method_tasks)

#define ERA_LEGACY (1 << MG_ERA_LEGACY)
#define ERA_MODERN (1 << MG_ERA_MODERN)

static const struct mg_method methods[] = {
    {"initialize", ERA_LEGACY, method_initialize},
    {"ping", ERA_LEGACY, method_ping},
    {"server/discover", ERA_MODERN, method_discover},
    {"logging/setLevel", ERA_LEGACY, method_set_level},
    {"tools/list", ERA_LEGACY | ERA_MODERN, method_tools_list},
    {"tools/call", ERA_LEGACY | ERA_MODERN, method_tools_call},
    {"resources/list", ERA_LEGACY | ERA_MODERN, method_resources_list},
    {"resources/templates/list", ERA_LEGACY | ERA_MODERN, method_resources_templates_list},
    {"resources/read", ERA_LEGACY | ERA_MODERN, method_resources_read},
    {"resources/subscribe", ERA_LEGACY, method_resources_subscribe},
    {"resources/unsubscribe", ERA_LEGACY, method_resources_subscribe},
    {"prompts/list", ERA_LEGACY | ERA_MODERN, method_prompts_list},
    {"prompts/get", ERA_LEGACY | ERA_MODERN, method_prompts_get},
    {"completion/complete", ERA_LEGACY | ERA_MODERN, method_completion_complete},
    {"subscriptions/listen", ERA_MODERN, method_subscriptions_listen},
    {"tasks/get", ERA_LEGACY | ERA_MODERN, method_tasks},
    {"tasks/update", ERA_MODERN, method_tasks},
    {"tasks/result", ERA_LEGACY, method_tasks},
    {"tasks/cancel", ERA_LEGACY | ERA_MODERN, method_tasks},
    {"tasks/list", ERA_LEGACY, method_tasks},
};

const struct mg_method *
mg_method_find(const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, name) == 0)
            return &methods[i];
    return NULL;
}
