/*
 * upstream_forward.c - calls forwarded to an upstream, and what the
 * upstream sends of its own accord (notifications, requests).
 *
 * Request ids and progress tokens are the gateway's own upstream: many
 * client sessions share one connection, and their ids and tokens are
 * unique only per client.  Answers and progress are mapped back to the
 * call that caused them.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/subscriptions.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

void
mg_upstream_fwd_unlink(struct fwd *f)
{
    if (f->prev != NULL)
        f->prev->next = f->next;
    else
        f->u->fwds = f->next;
    if (f->next != NULL)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
}

void
mg_upstream_fwd_free(struct fwd *f)
{
    json_decref(f->asked);
    json_decref(f->result);
    json_decref(f->error);
    mg_free(f->why);
    mg_free(f);
}

void
mg_upstream_fwd_finish(struct fwd *f, struct mg_call *call, json_t *result, json_t *error, const char *why)
{
    char msg[400];

    if (result != NULL) {
        mg_upstream_uris_out(f->u, mg_call_session(call), result);
        mg_call_finish_result(call, result);
    } else if (error != NULL) {
        /* The upstream's own error, as it gave it. */
        json_t *code = json_object_get(error, "code"), *data_v = json_object_get(error, "data");
        const char *text = json_string_value(json_object_get(error, "message"));
        mg_call_fail_rpc(call, json_is_integer(code) ? (int)json_integer_value(code) : MG_RPC_INTERNAL_ERROR,
                         text ? text : "the upstream answered with an error", data_v ? json_incref(data_v) : NULL);
    } else {
        snprintf(msg, sizeof(msg), "Upstream %s: %s", f->u->sc->name, why ? why : "no answer");
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
    }
}

static void
fwd_reply(void *data, json_t *result, json_t *error, const char *why)
{
    struct fwd *f = data;

    if (f->call == NULL) {
        /* Parked: kept for the client's retry. */
        f->result = json_incref(result);
        f->error = json_incref(error);
        f->why = why ? mg_strdup(why) : NULL;
        f->id = -1;
        return;
    }
    mg_upstream_fwd_unlink(f);
    /* A task (upstream_tasks.c) or a round of input_required answers the
     * call on its own; anything else is the call's answer. */
    if (result == NULL ||
        !((mg_call_task(f->call) != NULL && mg_upstream_task_created(f->u, f->call, result, f->token)) ||
          mg_upstream_input_required(f->u, f->call, result)))
        mg_upstream_fwd_finish(f, f->call, result, error, why);
    mg_upstream_fwd_free(f);
}

/* The client cancelled: tell the upstream, forget its answer. */
void
mg_upstream_fwd_cancel(struct mg_call *call, void *data)
{
    struct fwd *f = data;
    struct mg_upstream *u = f->u;

    mg_rpc_client_cancel(&u->rpc, f->id, "the client cancelled");
    mg_upstream_fwd_unlink(f);
    mg_upstream_fwd_free(f);
    mg_call_fail(call, "cancelled");
}

void
mg_upstream_send(struct mg_upstream *u, struct mg_call *call, const char *method, json_t *params)
{
    struct fwd *f;
    json_t *meta;
    int64_t id;

    if (u->state != MG_UPSTREAM_READY) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Upstream %s is not connected (%s%s%s); try again later", u->sc->name,
                 mg_upstream_state_name(u->state), u->last_error[0] ? ": " : "", u->last_error);
        json_decref(params);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return;
    }
    mg_upstream_bridge_sweep(u);
    if (!u->modern && mg_upstream_bridge_resume(u, call)) {
        json_decref(params);
        return;
    }
    f = mg_calloc(1, sizeof(*f));
    f->u = u;
    f->call = call;
    f->serial = ++u->next_serial;
    /* The client's own _meta goes on (mcp/meta.h); the protocol's keys
     * are set for this hop. */
    meta = mg_call_meta(call) != NULL ? json_copy(mg_call_meta(call)) : NULL;
    if (mg_call_progress_token(call) != NULL) {
        /* Tokens are unique per sender only: ours replaces the client's. */
        snprintf(f->token, sizeof(f->token), "mg-%lu", ++u->next_token);
        if (meta == NULL)
            meta = json_object();
        json_object_set_new(meta, "progressToken", json_string(f->token));
    }
    if (meta != NULL)
        json_object_set_new(params, "_meta", meta);
    if (u->modern) {
        /* The server decides by this client's capabilities, and a round
         * of input_required goes on with the answers and its state. */
        json_t *inputs = mg_call_inputs(call);
        const char *state = mg_call_state(call);
        if (inputs != NULL)
            json_object_set(params, "inputResponses", inputs);
        json_t *caps = mg_upstream_task_caps(mg_call_client_caps(call), mg_call_task(call) != NULL);
        if (state != NULL)
            json_object_set_new(params, "requestState", json_string(state));
        /* The old wire's hint: the extension lets the server decide. */
        json_object_del(params, "task");
        params = mg_upstream_with_meta(u, params, caps, mg_call_log_level_name(call));
        json_decref(caps);
    }
    f->next = u->fwds;
    if (f->next != NULL)
        f->next->prev = f;
    u->fwds = f;
    /* The link mirrors x-mcp-header arguments as it sends (HTTP). */
    u->send_params = u->modern && u->sc->url != NULL ? mg_call_param_headers(call) : NULL;
    id = mg_rpc_client_call(&u->rpc, method, params, u->sc->timeout_ms, fwd_reply, f);
    json_decref(u->send_params);
    u->send_params = NULL;
    if (id < 0)
        return; /* fwd_reply has ended the call */
    f->id = id;
    mg_call_on_cancel(call, mg_upstream_fwd_cancel, f);
}

/* To U, or to the instance of the call's session (upstream_isolate.c). */
static void
send_forward(struct mg_upstream *u, struct mg_call *call, const char *method, json_t *params)
{
    if ((u = mg_upstream_isolate_route(u, call, method, params)) != NULL)
        mg_upstream_send(u, call, method, params);
}

/* 1 if a task of CALL to U would end with the request: U gives each
 * client session an instance, and a 2026-07-28 request without an API
 * key is a session of its own, whose instance stops when it is answered. */
static int
task_would_not_outlive(const struct mg_upstream *u, struct mg_call *call)
{
    return !mg_upstream_isolate_outlives(u, call);
}

void
mg_upstream_forward(struct mg_call *call, json_t *args, void *udata)
{
    struct mg_upstream *u = udata;
    json_t *task = mg_call_task(call), *params;

    if (task != NULL && task_would_not_outlive(u, call)) {
        /* The call runs as a plain one, which the tasks extension lets a
         * server answer; a tool that runs only as a task cannot. */
        if (mg_call_task_required(call)) {
            char msg[500];
            snprintf(msg, sizeof(msg), "Upstream %s: tool %s runs only as a task, and on a server with "
                     "isolation: session a 2026-07-28 request without an API key has an instance that ends with "
                     "the request, task and all; call it with an API key, from a 2025-11-25 session, or give the "
                     "server isolation: shared", u->sc->name, mg_call_upstream_name(call));
            mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
            return;
        }
        task = NULL;
    }
    params = json_pack("{s:s, s:O}", "name", mg_call_upstream_name(call), "arguments", args ? args : json_object());
    /* Task-augmented: the server makes the task (upstream_tasks.c). */
    if (task != NULL)
        json_object_set(params, "task", task);
    send_forward(u, call, "tools/call", params);
}

void
mg_upstream_forward_prompt(struct mg_call *call, json_t *args, void *udata)
{
    json_t *params = json_pack("{s:s}", "name", mg_call_upstream_name(call));

    if (json_object_size(args) > 0)
        json_object_set(params, "arguments", args);
    send_forward(udata, call, "prompts/get", params);
}

void
mg_upstream_forward_read(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    send_forward(udata, call, "resources/read", json_pack("{s:s}", "uri", mg_upstream_uri_in(udata, uri)));
}

void
mg_upstream_forward_complete(struct mg_call *call, json_t *params, void *udata)
{
    struct mg_upstream *u = udata;

    if (json_object_get(u->capabilities, "completions") == NULL) {
        /* The server offers none: no suggestions, as it would say. */
        json_t *none = json_pack("{s:{s:[], s:i, s:b}}", "completion", "values", "total", 0, "hasMore", 0);
        mg_call_finish_result(call, none);
        json_decref(none);
        return;
    }
    params = json_deep_copy(params);
    {
        /* A template is completed under the URI the server gave it. */
        json_t *ref = json_object_get(params, "ref");
        const char *uri = json_string_value(json_object_get(ref, "uri"));
        if (uri != NULL)
            json_object_set_new(ref, "uri", json_string(mg_upstream_uri_in(u, uri)));
    }
    send_forward(u, call, "completion/complete", params);
}

static void
on_subscribed(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;

    if (result == NULL)
        mg_log_warn("upstream %s: resources/subscribe failed: %s", u->sc->name,
                    why ? why : json_string_value(json_object_get(error, "message")));
}

/* A client subscribed: the server is asked once per URI, and again on
 * each new connection; its resources/updated reach every session
 * subscribed to the URI.  Nothing is unsubscribed upstream: another
 * session may still want it, and an update nobody wants is dropped. */
void
mg_upstream_subscribe(struct mg_bundle *b, const char *uri)
{
    struct mg_upstream *u = b->owner;
    json_t *sub = json_object_get(u->capabilities, "resources");

    if (u->state != MG_UPSTREAM_READY || !json_is_true(json_object_get(sub, "subscribe")))
        return;
    uri = mg_upstream_uri_in(u, uri); /* kept, and asked for, as the server knows it */
    if (u->subscribed == NULL)
        u->subscribed = json_object();
    if (json_object_get(u->subscribed, uri) != NULL)
        return;
    json_object_set_new(u->subscribed, uri, json_true());
    if (u->modern)
        mg_upstream_listen(u); /* 2026-07-28 subscribes on the listen stream */
    else
        mg_upstream_resubscribe(u, uri);
}

void
mg_upstream_resubscribe(struct mg_upstream *u, const char *uri)
{
    mg_rpc_client_call(&u->rpc, "resources/subscribe", json_pack("{s:s}", "uri", uri), u->sc->timeout_ms,
                       on_subscribed, u);
}

static struct fwd *asking_fwd(struct mg_upstream *u, char *why, size_t whylen);
static void on_cancelled(struct mg_upstream *u, json_t *params);

static void
on_progress(struct mg_upstream *u, json_t *params)
{
    const char *token = json_string_value(json_object_get(params, "progressToken"));

    if (token == NULL)
        return;
    for (struct fwd *f = u->fwds; f != NULL; f = f->next) {
        if (f->call != NULL && strcmp(f->token, token) == 0) {
            mg_call_progress(f->call, json_number_value(json_object_get(params, "progress")),
                             json_number_value(json_object_get(params, "total")),
                             json_string_value(json_object_get(params, "message")));
            return;
        }
    }
    mg_upstream_task_progress(u, token, params);
}

void
mg_upstream_on_notification(void *ctx, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;

    if (strcmp(method, "notifications/progress") == 0) {
        on_progress(u, params);
    } else if (strcmp(method, "notifications/cancelled") == 0) {
        on_cancelled(u, params);
    } else if (strcmp(method, "notifications/message") == 0) {
        char why[300];
        struct fwd *f = asking_fwd(u, why, sizeof(why));
        if (MG_LOG_DEBUG >= mg_log_threshold) { /* not encoded for nothing */
            char *text = json_dumps(json_object_get(params, "data"), JSON_COMPACT | JSON_ENCODE_ANY);
            mg_log_debug("upstream %s [%s]: %s", u->sc->name, json_string_value(json_object_get(params, "level")),
                         text ? text : "");
            free(text);
        }
        if (f != NULL)
            mg_call_relay_log(f->call, u->sc->name, params);
    } else if (strcmp(method, "notifications/tools/list_changed") == 0 ||
               strcmp(method, "notifications/prompts/list_changed") == 0 ||
               strcmp(method, "notifications/resources/list_changed") == 0) {
        mg_upstream_list_changed(u);
    } else if (strcmp(method, "notifications/tasks/status") == 0) {
        mg_upstream_task_status(u, params);
    } else if (strcmp(method, "notifications/resources/updated") == 0) {
        const char *uri = json_string_value(json_object_get(params, "uri"));
        if (uri != NULL) {
            char *seen = mg_upstream_uri_out(u, uri);
            mg_resource_updated_as(u->gw, seen, u->sc->name, uri);
            mg_free(seen);
        }
    } else {
        mg_log_debug("upstream %s: %s", u->sc->name, method);
    }
}

/* A request of the upstream, relayed to a client and awaiting its answer. */
struct relay {
    struct relay *prev, *next;
    struct mg_upstream *u;
    json_t *id;   /* the upstream's id for it */
    void *out;    /* the request to the client (mg_call_relay) */
};

static void
relay_free(struct relay *r)
{
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        r->u->relays = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    json_decref(r->id);
    mg_free(r);
}

/* The upstream cancelled a request of its own: the client it went to is
 * told, and nothing is answered. */
static void
on_cancelled(struct mg_upstream *u, json_t *params)
{
    json_t *id = json_object_get(params, "requestId");

    for (struct relay *r = u->relays; r != NULL; r = r->next) {
        if (json_equal(r->id, id)) {
            mg_call_relay_cancel(r->out);
            relay_free(r);
            return;
        }
    }
}

void
mg_upstream_relays_cancel(struct mg_upstream *u)
{
    while (u->relays != NULL) {
        mg_call_relay_cancel(u->relays->out);
        relay_free(u->relays);
    }
}

void
mg_upstream_answer(struct mg_upstream *u, json_t *id, json_t *result, json_t *error)
{
    if (result != NULL) {
        mg_rpc_client_respond(&u->rpc, id, json_incref(result));
    } else {
        const char *msg = json_string_value(json_object_get(error, "message"));
        json_t *code = json_object_get(error, "code");
        mg_rpc_client_respond_error(&u->rpc, id, json_is_integer(code) ? (int)json_integer_value(code)
                                                                        : MG_RPC_INTERNAL_ERROR,
                                    msg ? msg : "the client session ended before it answered");
    }
}

static void
relay_answered(void *data, json_t *result, json_t *error)
{
    struct relay *r = data;

    mg_upstream_answer(r->u, r->id, result, error);
    relay_free(r);
}

/*
 * The forward a request of the upstream belongs to.  A connection shared by
 * many client sessions does not say which caused it; when every call in
 * flight is from one session the newest is taken, otherwise none is
 * (`isolation: session` gives each client its own connection).
 */
static struct fwd *
asking_fwd(struct mg_upstream *u, char *why, size_t whylen)
{
    struct fwd *newest = NULL;

    for (struct fwd *f = u->fwds; f != NULL; f = f->next) {
        if (f->call == NULL)
            continue; /* parked */
        if (newest == NULL) {
            newest = f;
        } else if (mg_call_session(f->call) != mg_call_session(newest->call)) {
            snprintf(why, whylen, "calls from several clients are in progress on this shared connection, and "
                     "mcpgate cannot tell which one this request is for (isolation: session avoids this)");
            return NULL;
        }
    }
    if (newest == NULL)
        snprintf(why, whylen, "no call to this server is in progress, so no client can be asked");
    return newest;
}

void
mg_upstream_on_request(void *ctx, json_t *id, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;
    struct fwd *f;
    struct relay *r;
    char why[300], msg[400];

    if (strcmp(method, "ping") == 0) {
        mg_rpc_client_respond(&u->rpc, id, json_object());
        return;
    }
    why[0] = '\0';
    if (mg_upstream_task_ask(u, id, method, params, why, sizeof(why)))
        return;
    if (why[0] == '\0' && (f = asking_fwd(u, why, sizeof(why))) != NULL) {
        if (mg_proto_is_modern(mg_call_protocol_version(f->call))) {
            mg_upstream_bridge_ask(f, id, method, params);
            return;
        }
        r = mg_calloc(1, sizeof(*r));
        r->u = u;
        r->id = json_incref(id);
        if ((r->next = u->relays) != NULL)
            r->next->prev = r;
        u->relays = r;
        if ((r->out = mg_call_relay(f->call, method, params, relay_answered, r, why, sizeof(why))) != NULL)
            return;
        relay_free(r);
    }
    if (strcmp(method, "roots/list") == 0) {
        /* Roots belong to a client; with none to ask there are none. */
        mg_rpc_client_respond(&u->rpc, id, json_pack("{s:[]}", "roots"));
        return;
    }
    snprintf(msg, sizeof(msg), "mcpgate could not pass %s to a client: %s", method, why);
    mg_log_info("upstream %s: %s", u->sc->name, msg);
    mg_rpc_client_respond_error(&u->rpc, id, MG_RPC_INTERNAL_ERROR, msg);
}
