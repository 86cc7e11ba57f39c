/*
 * resources.c - resources/list, resources/templates/list, resources/read,
 * resources/(un)subscribe, against the catalog.
 *
 * A subscription is kept with the session (subscriptions.c); a bundle
 * reports a change with mg_resource_updated().
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
#include "mcp/subscriptions.h"

/* title came in 2025-06-18, icons in 2025-11-25. */
static json_t *
adapt(json_t *def, const struct mg_req *req)
{
    json_t *d;

    if (req->era == MG_ERA_MODERN || mg_proto_at_least(req->version, MG_PROTO_2025_06_18))
        return json_incref(def);
    d = json_copy(def);
    json_object_del(d, "title");
    return d;
}

static void
list(struct mg_req *req, json_t *params, enum mg_cursor_list which, struct mg_resource **items, const char *key)
{
    struct mg_list_page pg;
    json_t *out;
    size_t i;

    if (mg_list_begin(req, params, which, &pg) != 0)
        return;
    out = json_array();
    while (mg_list_next(&pg, &i)) {
        json_t *d = adapt(items[i]->def, req);
        if (req->s->view != NULL && items[i]->local_key != NULL) {
            /* One server's view: its URIs as it gave them. */
            json_t *own = json_copy(d);
            json_object_set_new(own, items[i]->uri != NULL ? "uri" : "uriTemplate", json_string(items[i]->local_key));
            json_decref(d);
            d = own;
        }
        json_array_append_new(out, d);
    }
    mg_list_reply(req, &pg, key, out);
}

void
mg_method_resources_list(struct mg_req *req, json_t *params)
{
    list(req, params, MG_CURSOR_RESOURCES, req->s->gw->catalog.resources, "resources");
}

void
mg_method_resources_templates_list(struct mg_req *req, json_t *params)
{
    list(req, params, MG_CURSOR_TEMPLATES, req->s->gw->catalog.templates, "resourceTemplates");
}

/* The resource PARAMS names, or NULL after answering with an error:
 * -32602 with data.uri in 2026-07-28 (SEP-2164), -32002 before. */
static struct mg_resource *
find(struct mg_req *req, json_t *params, json_t **vars)
{
    json_t *uri = json_object_get(params, "uri");
    struct mg_resource *r;
    char msg[300];

    *vars = NULL;
    if (!json_is_string(uri)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: params.uri (a string) is required", NULL);
        return NULL;
    }
    r = mg_session_find_resource(req->s, json_string_value(uri), vars);
    if (r == NULL) {
        json_decref(*vars);
        *vars = NULL;
        snprintf(msg, sizeof(msg), "Resource not found: %.200s", json_string_value(uri));
        mg_req_fail(req, req->era == MG_ERA_MODERN ? MG_RPC_INVALID_PARAMS : MG_RPC_RESOURCE_NOT_FOUND, msg,
                    json_pack("{s:O}", "uri", uri));
    }
    return r;
}

void
mg_method_resources_read(struct mg_req *req, json_t *params)
{
    json_t *vars;
    struct mg_resource *r = find(req, params, &vars);

    if (r != NULL)
        mg_call_start_resource(req, params, r, json_string_value(json_object_get(params, "uri")), vars);
}

void
mg_method_resources_subscribe(struct mg_req *req, json_t *params)
{
    json_t *vars;
    struct mg_resource *r = find(req, params, &vars);
    const char *uri = json_string_value(json_object_get(params, "uri"));
    int on = strcmp(req->method, "resources/subscribe") == 0;

    if (r == NULL)
        return;
    json_decref(vars);
    if (on && r->bundle->on_subscribe != NULL)
        r->bundle->on_subscribe(r->bundle, uri);
    mg_subscriptions_track(req->s, uri, on);
    mg_req_reply(req, json_object());
}
