/*
 * prompts.c - prompts/list, prompts/get and completion/complete.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/catalog.h"
#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/methods.h"
#include "mcp/session.h"

void
mg_method_prompts_list(struct mg_req *req, json_t *params)
{
    struct mg_prompt **items = req->s->gw->catalog.prompts;
    const char *view = req->s->view;
    struct mg_list_page pg;
    json_t *out;
    size_t i;

    if (mg_list_begin(req, params, MG_CURSOR_PROMPTS, &pg) != 0)
        return;
    out = json_array();
    while (mg_list_next(&pg, &i)) {
        json_t *d = mg_view_def(view, items[i]->def, items[i]->local_name);
        if (req->era != MG_ERA_MODERN && !mg_proto_at_least(req->version, MG_PROTO_2025_06_18)) {
            json_t *copy = json_copy(d);
            json_decref(d);
            d = copy;
            json_object_del(d, "title");
        }
        json_array_append_new(out, d);
    }
    mg_list_reply(req, &pg, "prompts", out);
}

void
mg_method_prompts_get(struct mg_req *req, json_t *params)
{
    json_t *name = json_object_get(params, "name"), *args = json_object_get(params, "arguments"), *a, *v;
    struct mg_prompt *p;
    const char *key;
    char msg[300];
    size_t i;

    if (!json_is_string(name)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: prompts/get requires params.name (a string)", NULL);
        return;
    }
    if ((p = mg_session_find_prompt(req->s, json_string_value(name))) == NULL) {
        snprintf(msg, sizeof(msg), "Unknown prompt: %.200s", json_string_value(name));
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
        return;
    }
    if (args != NULL && !json_is_null(args) && !json_is_object(args)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: prompts/get arguments must be an object", NULL);
        return;
    }
    json_object_foreach (args, key, v) {
        if (!json_is_string(v)) {
            snprintf(msg, sizeof(msg), "Invalid params: argument '%.100s' of prompt %.100s must be a string", key,
                     p->name);
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
            return;
        }
    }
    json_array_foreach (json_object_get(p->def, "arguments"), i, a) {
        const char *an = json_string_value(json_object_get(a, "name"));
        if (json_is_true(json_object_get(a, "required")) && json_object_get(args, an) == NULL) {
            snprintf(msg, sizeof(msg), "Invalid params: prompt %.100s needs the argument '%.100s'", p->name, an);
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
            return;
        }
    }
    mg_call_start_prompt(req, params, p, json_is_object(args) ? json_incref(args) : json_object());
}

/* Argument completion.  The reference must exist; an upstream's prompt or
 * resource is completed by its server, an inline bundle's gets an empty
 * list (bundles offer no suggestions yet). */
void
mg_method_completion_complete(struct mg_req *req, json_t *params)
{
    const struct mg_catalog *c = &req->s->gw->catalog;
    json_t *ref = json_object_get(params, "ref"), *arg = json_object_get(params, "argument");
    const char *type = json_string_value(json_object_get(ref, "type"));
    struct mg_prompt *p = NULL;
    struct mg_resource *r = NULL;
    const char *uri = NULL;
    struct mg_bundle *b;
    json_t *fwd;

    if (type == NULL || !json_is_string(json_object_get(arg, "name"))) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: completion/complete needs ref {type, name|uri} and argument {name, value}", NULL);
        return;
    }
    if (strcmp(type, "ref/prompt") == 0) {
        const char *name = json_string_value(json_object_get(ref, "name"));
        p = name != NULL ? mg_session_find_prompt(req->s, name) : NULL;
    } else if (strcmp(type, "ref/resource") == 0) {
        json_t *vars = NULL;
        uri = json_string_value(json_object_get(ref, "uri"));
        if (uri != NULL && ((r = mg_strmap_get(&c->by_uri, uri)) == NULL || !mg_view_allows(req->s, r->bundle)))
            r = mg_session_find_resource(req->s, uri, &vars);
        json_decref(vars);
    }
    if (p == NULL && r == NULL) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: completion/complete refers to no known prompt or "
                    "resource", NULL);
        return;
    }
    b = p != NULL ? p->bundle : r->bundle;
    if (b->complete != NULL) {
        /* The source completes: ask it, under its own name for the prompt. */
        fwd = json_deep_copy(params);
        json_object_del(fwd, "_meta");
        if (p != NULL)
            json_object_set_new(json_object_get(fwd, "ref"), "name", json_string(p->local_name));
        mg_call_start_complete(req, params, p, r, uri, fwd);
        return;
    }
    mg_req_reply(req, json_pack("{s:{s:[], s:i, s:b}}", "completion", "values", "total", 0, "hasMore", 0));
}
