/*
 * subscriptions.c - list_changed and resources/updated, to legacy sessions
 * and to 2026-07-28 subscriptions/listen requests.
 */
#include "mcp/subscriptions.h"

#include <string.h>

#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/session.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "util/alloc.h"
#include "util/log.h"

#define META_SUBSCRIPTION_ID "io.modelcontextprotocol/subscriptionId"
#define MAX_LISTEN_URIS 1024 /* resourceSubscriptions kept per listen request */

/* One open subscriptions/listen request. */
struct mg_listen {
    struct mg_session *s;
    struct mg_req *req;
    struct mg_listen *prev, *next;
    int lists[3];  /* by enum mg_list_kind: the client asked for it */
    json_t *uris;  /* resourceSubscriptions: uri -> true */
};

static const char *const list_flag[] = {"toolsListChanged", "promptsListChanged", "resourcesListChanged"};
static const char *const list_method[] = {"notifications/tools/list_changed", "notifications/prompts/list_changed",
                                          "notifications/resources/list_changed"};

void
mg_subscriptions_session_opened(struct mg_session *s)
{
    struct mg_gateway *gw = s->gw;

    if (gw == NULL)
        return;
    s->gw_next = gw->sessions;
    if (gw->sessions != NULL)
        gw->sessions->gw_prev = s;
    gw->sessions = s;
}

void
mg_subscriptions_session_closed(struct mg_session *s)
{
    struct mg_gateway *gw = s->gw;

    /* Its listen requests were cancelled with its other requests. */
    if (gw != NULL) {
        if (s->gw_prev != NULL)
            s->gw_prev->gw_next = s->gw_next;
        else if (gw->sessions == s)
            gw->sessions = s->gw_next;
        if (s->gw_next != NULL)
            s->gw_next->gw_prev = s->gw_prev;
    }
    s->gw_prev = s->gw_next = NULL;
    json_decref(s->subscribed);
    s->subscribed = NULL;
}

void
mg_subscriptions_track(struct mg_session *s, const char *uri, int on)
{
    if (on) {
        if (s->subscribed == NULL)
            s->subscribed = json_object();
        if (json_object_size(s->subscribed) < MAX_LISTEN_URIS)
            json_object_set_new(s->subscribed, uri, json_true());
    } else if (s->subscribed != NULL) {
        json_object_del(s->subscribed, uri);
    }
}

static void
listen_free(struct mg_listen *l)
{
    if (l->prev != NULL)
        l->prev->next = l->next;
    else if (l->s->listens == l)
        l->s->listens = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    json_decref(l->uris);
    mg_free(l);
}

/* The client closed the stream (or the session went): end the request,
 * whose reply nobody receives. */
static void
listen_cancelled(struct mg_req *req, void *data)
{
    struct mg_listen *l = data;

    listen_free(l);
    mg_req_fail(req, MG_RPC_INTERNAL_ERROR, "subscription closed", NULL);
}

/* A notification on listen request L, tagged with its subscription id. */
static void
listen_send(struct mg_listen *l, const char *method, json_t *params)
{
    json_t *meta = json_object_get(params, "_meta");

    if (meta == NULL) {
        meta = json_object();
        json_object_set_new(params, "_meta", meta);
    }
    json_object_set(meta, META_SUBSCRIPTION_ID, l->req->id);
    mg_req_notify(l->req, method, params);
}

void
mg_method_subscriptions_listen(struct mg_req *req, json_t *params)
{
    json_t *filter = json_object_get(params, "notifications"), *uris, *honoured, *u;
    const struct mg_catalog *c = &req->s->gw->catalog;
    struct mg_listen *l;
    size_t i;

    if (!json_is_object(filter)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: params.notifications (an object saying which notifications to send) is required",
                    NULL);
        return;
    }
    uris = json_object_get(filter, "resourceSubscriptions");
    if (uris != NULL && !json_is_array(uris)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: notifications.resourceSubscriptions must be an "
                    "array of resource URIs", NULL);
        return;
    }
    l = mg_calloc(1, sizeof(*l));
    l->s = req->s;
    l->req = req;
    honoured = json_object();
    for (int k = 0; k < 3; k++) {
        /* Only what exists can change: no prompts, no prompt list changes. */
        int have = k == MG_LIST_TOOLS || req->s->gw->nupstreams > 0 ||
                   (k == MG_LIST_PROMPTS ? c->prompt_count > 0 : c->resource_count + c->template_count > 0);
        l->lists[k] = have && json_is_true(json_object_get(filter, list_flag[k]));
        if (l->lists[k])
            json_object_set_new(honoured, list_flag[k], json_true());
    }
    if (uris != NULL) {
        json_t *kept = json_array();
        l->uris = json_object();
        json_array_foreach (uris, i, u) {
            json_t *vars = NULL;
            const char *uri = json_string_value(u);
            struct mg_resource *r = NULL;
            if (uri == NULL || json_object_size(l->uris) >= MAX_LISTEN_URIS ||
                (r = mg_session_find_resource(req->s, uri, &vars)) == NULL) {
                json_decref(vars);
                continue; /* not ours: left out of the acknowledgement */
            }
            json_decref(vars);
            if (r->bundle->on_subscribe != NULL)
                r->bundle->on_subscribe(r->bundle, uri);
            if (json_object_get(l->uris, uri) == NULL)
                json_array_append(kept, u);
            json_object_set_new(l->uris, uri, json_true());
        }
        json_object_set_new(honoured, "resourceSubscriptions", kept);
    }
    l->next = req->s->listens;
    if (l->next != NULL)
        l->next->prev = l;
    req->s->listens = l;
    req->on_cancel = listen_cancelled;
    req->cancel_data = l;
    listen_send(l, "notifications/subscriptions/acknowledged", json_pack("{s:o}", "notifications", honoured));
}

void
mg_notify_list_changed(struct mg_gateway *gw, enum mg_list_kind kind, const char *source, int server)
{
    for (struct mg_session *s = gw->sessions; s != NULL; s = s->gw_next) {
        if ((s->view != NULL && strcmp(s->view, source) != 0) || (server && !mg_session_serves(s, source)))
            continue; /* a change it cannot see */
        if (s->initialized && s->ready) {
            json_t *msg = mg_rpc_make_notification(list_method[kind], NULL);
            s->sink.send(s->sink.ctx, msg);
            json_decref(msg);
        }
        for (struct mg_listen *l = s->listens; l != NULL; l = l->next)
            if (l->lists[kind])
                listen_send(l, list_method[kind], json_object());
    }
}

void
mg_resource_updated(struct mg_gateway *gw, const char *uri)
{
    mg_resource_updated_as(gw, uri, NULL, NULL);
}

void
mg_resource_updated_as(struct mg_gateway *gw, const char *merged, const char *view, const char *own)
{
    for (struct mg_session *s = gw->sessions; s != NULL; s = s->gw_next) {
        const char *uri = view != NULL && s->view != NULL && strcmp(s->view, view) == 0 ? own : merged;
        if (s->initialized && json_object_get(s->subscribed, uri) != NULL) {
            json_t *msg = mg_rpc_make_notification("notifications/resources/updated", json_pack("{s:s}", "uri", uri));
            s->sink.send(s->sink.ctx, msg);
            json_decref(msg);
        }
        for (struct mg_listen *l = s->listens; l != NULL; l = l->next)
            if (json_object_get(l->uris, uri) != NULL)
                listen_send(l, "notifications/resources/updated", json_pack("{s:s}", "uri", uri));
    }
}

void
mg_subscriptions_end_session(struct mg_session *s)
{
    while (s->listens != NULL) {
        struct mg_listen *l = s->listens;
        struct mg_req *req = l->req;
        json_t *id = json_incref(req->id);
        req->on_cancel = NULL;
        listen_free(l);
        mg_req_reply(req, json_pack("{s:{s:o}}", "_meta", META_SUBSCRIPTION_ID, id));
    }
}

void
mg_subscriptions_end_all(struct mg_gateway *gw)
{
    for (struct mg_session *s = gw->sessions; s != NULL; s = s->gw_next)
        mg_subscriptions_end_session(s);
}
