/*
 * upstream_era.c - which era an upstream speaks, and what a modern one
 * (2026-07-28) needs of its client.
 *
 * The era is found as the specification says: a server/discover probe,
 * and initialize (upstream_discover.c) on any answer that is not a
 * modern one, or on no answer at all.  A definite answer is remembered
 * for the server, so a restart or a session's instance does not probe
 * again.  A modern upstream then gets, on every request, the protocol
 * version and the capabilities of the client the gateway acts for; its
 * list changes and resource updates come over subscriptions/listen; and
 * its input_required results become the calling client's rounds
 * (call_input.c): real requests to a legacy client, input_required again
 * for a modern one.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

/* A server that ignores the probe is not waited for longer than this. */
#define PROBE_MAX_MS 5000
/* A listen stream that ended is opened again after this long. */
#define LISTEN_AGAIN_MS 1000

json_t *
mg_upstream_gateway_caps(void)
{
    /* What the gateway can pass on to the client that caused a request;
     * a client that cannot answer gets the upstream an error. */
    return json_pack("{s:{}, s:{s:{}, s:{}}, s:{}}", "sampling", "elicitation", "form", "url", "roots");
}

json_t *
mg_upstream_task_caps(json_t *caps, int task)
{
    json_t *out, *ext;

    /* As they are, most often: no copy on every call. */
    if (caps != NULL && (json_object_get(json_object_get(caps, "extensions"), MG_EXT_TASKS) != NULL) == (task != 0))
        return json_incref(caps);
    out = caps != NULL ? json_copy(caps) : mg_upstream_gateway_caps();
    ext = json_object_get(out, "extensions");

    ext = json_is_object(ext) ? json_copy(ext) : json_object();
    if (task)
        json_object_set_new(ext, MG_EXT_TASKS, json_object());
    else
        json_object_del(ext, MG_EXT_TASKS);
    if (json_object_size(ext) > 0)
        json_object_set_new(out, "extensions", ext);
    else {
        json_object_del(out, "extensions");
        json_decref(ext);
    }
    return out;
}

/* PARAMS (stolen, may be NULL) with the _meta of a modern request. */
static json_t *
modern_params(json_t *params, json_t *caps, const char *log_level)
{
    json_t *meta;

    if (params == NULL)
        params = json_object();
    meta = json_object_get(params, "_meta");
    if (!json_is_object(meta)) {
        meta = json_object();
        json_object_set_new(params, "_meta", meta);
    }
    json_object_set_new(meta, MG_META_PROTOCOL_VERSION, json_string(MG_PROTO_2026_07_28));
    json_object_set_new(meta, MG_META_CLIENT_CAPABILITIES, caps ? json_incref(caps) : mg_upstream_gateway_caps());
    json_object_set_new(meta, MG_META_CLIENT_INFO, json_pack("{s:s, s:s}", "name", "mcpgate", "version", MG_VERSION));
    if (log_level != NULL)
        json_object_set_new(meta, MG_META_LOG_LEVEL, json_string(log_level));
    return params;
}

json_t *
mg_upstream_with_meta(struct mg_upstream *u, json_t *params, json_t *caps, const char *log_level)
{
    return u->modern ? modern_params(params, caps, log_level) : params;
}

int64_t
mg_upstream_call(struct mg_upstream *u, const char *method, json_t *params, unsigned timeout_ms, mg_rpc_reply_fn fn,
                 void *data)
{
    return mg_rpc_client_call(&u->rpc, method, mg_upstream_with_meta(u, params, NULL, NULL), timeout_ms, fn, data);
}

/* --- the probe ------------------------------------------------------------- */

static void
remember_era(struct mg_upstream *u, int modern)
{
    struct mg_upstream *top = u->parent != NULL ? u->parent : u;

    top->era_known = modern ? MG_ERA_KNOWN_MODERN : MG_ERA_KNOWN_LEGACY;
}

/* 1 if a server/discover result says the server speaks 2026-07-28. */
static int
discover_says_modern(json_t *result)
{
    json_t *versions = json_object_get(result, "supportedVersions"), *v;
    size_t i;

    json_array_foreach (versions, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), MG_PROTO_2026_07_28) == 0)
            return json_is_object(json_object_get(result, "capabilities"));
    return 0;
}

static void
use_modern(struct mg_upstream *u, json_t *capabilities)
{
    u->modern = 1;
    mg_free(u->version);
    u->version = mg_strdup(MG_PROTO_2026_07_28);
    if (u->ops->set_version != NULL)
        u->ops->set_version(u, MG_PROTO_2026_07_28);
    json_decref(u->capabilities);
    u->capabilities = json_is_object(capabilities) ? json_incref(capabilities) : json_object();
    u->replay = 1;
    mg_upstream_handshake_done(u);
}

/* 1 if ERROR is "unsupported protocol version" listing 2026-07-28 among
 * the versions to retry with. */
static int
retry_offered(json_t *error)
{
    json_t *supported = json_object_get(json_object_get(error, "data"), "supported"), *v;
    size_t i;

    if (json_integer_value(json_object_get(error, "code")) != MG_RPC_UNSUPPORTED_VERSION)
        return 0;
    json_array_foreach (supported, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), MG_PROTO_2026_07_28) == 0)
            return 1;
    return 0;
}

static void probe(struct mg_upstream *u, unsigned wait);

static void
on_discovered(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;

    if (result == NULL && error == NULL && !u->link_up)
        return; /* the link went down: reported there, and reconnected */
    if (error != NULL && !u->probe_retried && retry_offered(error)) {
        /* 2026-07-28: a client rejected with a list of supported versions
         * retries with one it speaks, once. */
        u->probe_retried = 1;
        mg_log_debug("upstream %s: server/discover rejected the version; retrying with %s", u->sc->name,
                     MG_PROTO_2026_07_28);
        probe(u, u->cfg->connection_timeout_ms);
        return;
    }
    if (result != NULL && discover_says_modern(result)) {
        remember_era(u, 1);
        mg_log_debug("upstream %s speaks %s", u->sc->name, MG_PROTO_2026_07_28);
        use_modern(u, json_object_get(result, "capabilities"));
        return;
    }
    if (u->sc->protocol == MG_CONFIG_PROTOCOL_MODERN) {
        mg_upstream_fail(u, "server/discover: %s (the config says protocol: modern)",
                         result != NULL ? "the server does not list 2026-07-28"
                         : error != NULL ? (json_string_value(json_object_get(error, "message")) ?: "an error")
                                         : why);
        mg_upstream_retry_later(u);
        return;
    }
    /* Any other answer, or none: an earlier revision, which initialize
     * settles.  Only an answer is remembered; silence may be slowness. */
    if (result != NULL || error != NULL)
        remember_era(u, 0);
    mg_log_debug("upstream %s: server/discover %s; trying initialize", u->sc->name,
                 result != NULL ? "does not list 2026-07-28" : error != NULL ? "answered with an error" : why);
    mg_upstream_initialize(u);
}

void
mg_upstream_handshake(struct mg_upstream *u)
{
    const struct mg_upstream *top = u->parent != NULL ? u->parent : u;
    unsigned wait = u->cfg->connection_timeout_ms;

    u->connect_started = uv_now(u->gw->loop);
    u->modern = 0;
    u->listen_id = 0;
    if (u->ops->set_version != NULL)
        u->ops->set_version(u, NULL);
    if (u->sc->protocol == MG_CONFIG_PROTOCOL_LEGACY || top->era_known == MG_ERA_KNOWN_LEGACY) {
        mg_upstream_initialize(u);
        return;
    }
    if (u->sc->protocol == MG_CONFIG_PROTOCOL_MODERN || top->era_known == MG_ERA_KNOWN_MODERN) {
        /* Known modern: the probe still brings the capabilities. */
        wait = u->cfg->connection_timeout_ms;
    } else if (wait == 0 || wait > PROBE_MAX_MS) {
        wait = PROBE_MAX_MS;
    }
    u->probe_retried = 0;
    probe(u, wait);
}

static void
probe(struct mg_upstream *u, unsigned wait)
{
    mg_rpc_client_call(&u->rpc, "server/discover", modern_params(NULL, NULL, NULL), wait, on_discovered, u);
}

/* --- subscriptions/listen ---------------------------------------------------- */

static void
on_listen_again(uv_timer_t *t)
{
    mg_upstream_listen(t->data);
}

static void
on_listen_end(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;

    u->listen_id = 0;
    if (error != NULL)
        mg_log_warn("upstream %s: subscriptions/listen failed: %s", u->sc->name,
                    json_string_value(json_object_get(error, "message")));
    if (u->link_up && u->state == MG_UPSTREAM_READY && u->timers && !mg_upstream_stopping(u) && error == NULL)
        uv_timer_start(&u->listen_again, on_listen_again, LISTEN_AGAIN_MS, 0);
}

void
mg_upstream_listen(struct mg_upstream *u)
{
    json_t *caps = u->capabilities, *want = json_object();
    static const struct {
        const char *capability, *filter;
    } changes[] = {
        {"tools", "toolsListChanged"},
        {"prompts", "promptsListChanged"},
        {"resources", "resourcesListChanged"},
    };
    const char *uri;
    json_t *v;

    if (!u->modern || u->parent != NULL || !u->link_up) {
        json_decref(want);
        return;
    }
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
        if (json_is_true(json_object_get(json_object_get(caps, changes[i].capability), "listChanged")))
            json_object_set_new(want, changes[i].filter, json_true());
    if (json_is_true(json_object_get(json_object_get(caps, "resources"), "subscribe")) &&
        json_object_size(u->subscribed) > 0) {
        json_t *uris = json_array();
        json_object_foreach (u->subscribed, uri, v)
            json_array_append_new(uris, json_string(uri));
        json_object_set_new(want, "resourceSubscriptions", uris);
    }
    if (u->listen_id > 0) {
        /* The set changed: the old stream ends, the new one replaces it. */
        mg_rpc_client_notify(&u->rpc, "notifications/cancelled",
                             json_pack("{s:I, s:s}", "requestId", (json_int_t)u->listen_id, "reason",
                                       "replaced by a listen with other subscriptions"));
        mg_rpc_client_forget(&u->rpc, u->listen_id);
        u->listen_id = 0;
    }
    if (json_object_size(want) == 0) {
        json_decref(want);
        return;
    }
    u->listen_id = mg_upstream_call(u, "subscriptions/listen", json_pack("{s:o}", "notifications", want), 0,
                                    on_listen_end, u);
    if (u->listen_id < 0)
        u->listen_id = 0;
}

/* --- input_required ---------------------------------------------------------- */

/*
 * What is wrong with an input_required result's REQUESTS and STATE, into
 * WHY (to follow "answered input_required "), or 0 when the result can be
 * acted on.  The schema requires at least one of the two, the requests an
 * object of ElicitRequest, CreateMessageRequest or ListRootsRequest, whose
 * params are an object (optional for roots/list only).  All are checked
 * before the client is asked anything: a client must never be sent a
 * request it cannot parse, and half a round cannot be taken back.
 */
static int
input_required_fault(json_t *requests, json_t *state, char *why, size_t len)
{
    const char *key;
    json_t *ask;

    if (requests != NULL && !json_is_object(requests))
        snprintf(why, len, "with inputRequests that is not an object");
    else if (state != NULL && !json_is_string(state))
        snprintf(why, len, "with a requestState that is not a string");
    else if (json_object_size(requests) == 0 && state == NULL)
        snprintf(why, len, "with neither inputRequests nor requestState");
    else
        why[0] = '\0';
    if (why[0] != '\0')
        return 1;
    json_object_foreach (requests, key, ask) {
        const char *method = json_string_value(json_object_get(ask, "method"));
        json_t *params = json_object_get(ask, "params");
        if (!json_is_object(ask))
            snprintf(why, len, "with input request '%.100s' that is not an object", key);
        else if (mg_call_capability_for(method) == NULL)
            snprintf(why, len, "asking the client for '%.64s' (input request '%.64s'), which is not "
                     "elicitation/create, sampling/createMessage or roots/list", method ? method : "(no method)", key);
        else if (params != NULL && !json_is_object(params))
            snprintf(why, len, "with input request '%.100s' (%s) whose params are not an object", key, method);
        else if (params == NULL && strcmp(method, "roots/list") != 0)
            snprintf(why, len, "with input request '%.100s' (%s) without params", key, method);
        else
            continue;
        return 1;
    }
    return 0;
}

int
mg_upstream_input_required(struct mg_upstream *u, struct mg_call *call, json_t *result)
{
    json_t *requests = json_object_get(result, "inputRequests"), *state = json_object_get(result, "requestState");
    const char *key;
    json_t *ask;
    char why[300], msg[400];

    if (!u->modern || !json_is_object(result) ||
        strcmp(json_string_value(json_object_get(result, "resultType")) ?: "", "input_required") != 0)
        return 0;
    if (input_required_fault(requests, state, why, sizeof(why))) {
        snprintf(msg, sizeof(msg), "Upstream %s answered input_required %s", u->sc->name, why);
        mg_log_warn("upstream %s: answered input_required %s", u->sc->name, why);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return 1;
    }
    if (json_object_size(requests) == 0) {
        /* Only state: the server wants the same request again with it. */
        mg_call_retry_with_state(call, json_string_value(state));
        return 1;
    }
    json_object_foreach (requests, key, ask) {
        const char *method = json_string_value(json_object_get(ask, "method"));
        json_t *params = json_object_get(ask, "params");
        if (mg_call_ask(call, key, method, params ? json_incref(params) : NULL) != 0) {
            /* Well formed (checked above): the client lacks the capability. */
            snprintf(msg, sizeof(msg), "Upstream %s needs '%s' from the client (%s), which this client did "
                     "not declare", u->sc->name, mg_call_capability_for(method), method);
            mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
            return 1;
        }
    }
    mg_call_set_state(call, json_string_value(state));
    mg_call_input_required(call);
    return 1;
}
