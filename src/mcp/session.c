/*
 * session.c - message intake, the era decision and dispatch (the methods
 * themselves: lifecycle.c and the files it names).
 *
 * The era of every request is decided in request_era(), and only there:
 *   - `initialize` opens a legacy session (2024-11-05 .. 2025-11-25);
 *   - once initialized, the session is legacy and _meta versions are
 *     ordinary metadata;
 *   - otherwise a request whose params._meta carries
 *     io.modelcontextprotocol/protocolVersion is a modern (2026-07-28)
 *     request, answered on its own terms (no handshake, no state);
 *   - `ping` is answered in either state, as the lifecycle allows.
 */
#include "mcp/session.h"
#include "mcp/subscriptions.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call_record.h"
#include "mcp/meta.h"
#include "mcp/methods.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

static const char *const log_level_names[] = {"debug",    "info",  "notice", "warning",
                                              "error",    "critical", "alert", "emergency"};

int
mg_mcp_log_level_parse(const char *name)
{
    for (int i = 0; name && i < MG_MCP_LOG_OFF; i++)
        if (strcmp(name, log_level_names[i]) == 0)
            return i;
    return -1;
}

const char *
mg_mcp_log_level_name(int level)
{
    return level >= 0 && level < MG_MCP_LOG_OFF ? log_level_names[level] : "off";
}

struct mg_session *
mg_session_new(struct mg_gateway *gw, const struct mg_sink *sink)
{
    struct mg_session *s = mg_calloc(1, sizeof(*s));

    s->gw = gw;
    s->sink = *sink;
    /* Until the client sets a level, log messages of every level are sent;
     * the tools decide what is worth logging. */
    s->log_level = MG_MCP_LOG_DEBUG;
    s->caller.key.scope = MG_SCOPE_WRITE; /* no keys: trusted */
    mg_subscriptions_session_opened(s);
    return s;
}

/* --- output ---------------------------------------------------------------- */

static void
batch_maybe_flush(struct mg_batch *b)
{
    if (b->pending > 0 || !b->fed)
        return;
    if (!b->dead && json_array_size(b->replies) > 0)
        b->sink.send(b->sink.ctx, b->replies);
    else if (!b->dead && b->sink.dropped != NULL)
        b->sink.dropped(b->sink.ctx); /* every member was cancelled */
    json_decref(b->replies);
    mg_free(b);
}

/* Deliver a reply: into its batch, or straight to the sink. */
static void
deliver(const struct mg_sink *sink, struct mg_batch *batch, json_t *msg)
{
    if (batch != NULL)
        json_array_append(batch->replies, msg);
    else
        sink->send(sink->ctx, msg);
}

static void
reply_error(const struct mg_sink *sink, struct mg_batch *batch, json_t *id, int code, const char *message,
            json_t *data)
{
    json_t *msg = mg_rpc_make_error(id, code, message, data);

    deliver(sink, batch, msg);
    json_decref(msg);
}

/* --- requests -------------------------------------------------------------- */

static void
req_unlink(struct mg_req *req)
{
    struct mg_session *s = req->s;

    if (s == NULL)
        return;
    if (req->prev)
        req->prev->next = req->next;
    else
        s->inflight = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->prev = req->next = NULL;
    s->inflight_count--;
}

static void
req_free(struct mg_req *req)
{
    struct mg_session *s = req->s;
    struct mg_batch *b = req->batch;

    req_unlink(req);
    json_decref(req->id);
    json_decref(req->caps);
    json_decref(req->progress_token);
    json_decref(req->meta);
    mg_free(req->method);
    mg_free(req);
    if (b != NULL) {
        b->pending--;
        batch_maybe_flush(b);
    }
    if (s != NULL && s->inflight_count == 0 && s->on_idle != NULL)
        s->on_idle(s, s->idle_data);
}

/* Every request ends here, answered or (cancelled) not: the one place
 * its call record is completed. */
static void
req_send(struct mg_req *req, json_t *msg)
{
    int answered = req->s != NULL && !req->cancelled;

    if (answered)
        deliver(&req->sink, req->batch, msg);
    else if (req->s != NULL && req->batch == NULL && req->sink.dropped != NULL)
        req->sink.dropped(req->sink.ctx);
    if (req->record.row != NULL)
        mg_call_record_end(req, answered ? msg : NULL);
    json_decref(msg);
    req_free(req);
}

void
mg_req_reply(struct mg_req *req, json_t *result)
{
    if (result == NULL)
        result = json_object();
    if (req->era == MG_ERA_MODERN) {
        /* 2026-07-28: every result carries resultType, and SHOULD carry
         * serverInfo in _meta. */
        if (json_object_get(result, "resultType") == NULL)
            json_object_set_new(result, "resultType", json_string("complete"));
        json_t *meta = json_object_get(result, "_meta");
        if (meta == NULL) {
            meta = json_object();
            json_object_set_new(result, "_meta", meta);
        }
        if (json_is_object(meta))
            json_object_set_new(meta, MG_META_SERVER_INFO, mg_server_info());
    }
    req_send(req, mg_rpc_make_result(req->id, result));
}

void
mg_req_fail(struct mg_req *req, int code, const char *message, json_t *data)
{
    req_send(req, mg_rpc_make_error(req->id, code, message, data));
}

void
mg_session_notify(struct mg_session *s, const char *method, json_t *params)
{
    json_t *msg = mg_rpc_make_notification(method, params);

    s->sink.send(s->sink.ctx, msg);
    json_decref(msg);
}

void
mg_req_notify(struct mg_req *req, const char *method, json_t *params)
{
    json_t *msg;

    if (req->s == NULL || req->cancelled) {
        json_decref(params);
        return;
    }
    msg = mg_rpc_make_notification(method, params);
    req->sink.send(req->sink.ctx, msg);
    json_decref(msg);
}

int
mg_req_close_stream(struct mg_req *req, unsigned retry_ms)
{
    if (req->s == NULL || req->cancelled || req->sink.close_stream == NULL)
        return -1;
    return req->sink.close_stream(req->sink.ctx, retry_ms);
}

int
mg_req_client_has(const struct mg_req *req, const char *path)
{
    return mg_caps_have(req->caps, path);
}

int
mg_caps_have(const json_t *caps, const char *path)
{
    const json_t *v = caps;
    char part[64];

    while (v != NULL && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(part))
            return 0;
        memcpy(part, path, n);
        part[n] = '\0';
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
        path += n + (dot ? 1 : 0);
    }
    return v != NULL && json_is_object(v);
}

struct mg_outreq *
mg_req_ask(struct mg_req *req, const char *method, json_t *params, mg_answer_fn fn, void *data)
{
    struct mg_session *s = req->s;
    struct mg_outreq *o;
    char id[32];
    json_t *msg;

    if (s == NULL || req->cancelled) {
        json_decref(params);
        return NULL;
    }
    o = mg_calloc(1, sizeof(*o));
    o->s = s;
    /* Server ids live in their own space; a prefix keeps logs readable. */
    snprintf(id, sizeof(id), "mcpgate-%lu", ++s->next_out_id);
    o->id = json_string(id);
    o->fn = fn;
    o->data = data;
    o->next = s->outreqs;
    s->outreqs = o;
    msg = mg_rpc_make_request(o->id, method, params);
    req->sink.send(req->sink.ctx, msg);
    json_decref(msg);
    return o;
}

static void
outreq_unlink(struct mg_outreq *o)
{
    for (struct mg_outreq **pp = &o->s->outreqs; *pp != NULL; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    json_decref(o->id);
    mg_free(o);
}

void
mg_outreq_cancel(struct mg_outreq *o)
{
    struct mg_session *s;
    json_t *msg;

    if (o == NULL)
        return;
    s = o->s;
    if (s->closing) {
        outreq_unlink(o);
        return;
    }
    msg = mg_rpc_make_notification("notifications/cancelled",
                                   json_pack("{s:O, s:s}", "requestId", o->id, "reason", "the call was cancelled"));
    s->sink.send(s->sink.ctx, msg);
    json_decref(msg);
    outreq_unlink(o);
}

/* A response from the client: the answer to one of our requests. */
static void
handle_answer(struct mg_session *s, struct mg_rpc_msg *m)
{
    struct mg_outreq *o;

    for (o = s->outreqs; o != NULL; o = o->next)
        if (m->id != NULL && json_equal(o->id, m->id))
            break;
    if (o == NULL) {
        /* Never answer a response; one nobody awaits is dropped. */
        mg_log_debug("response from client to no request in progress ignored");
        return;
    }
    mg_answer_fn fn = o->fn;
    void *data = o->data;
    json_t *result = json_incref(m->result), *error = json_incref(m->error);
    outreq_unlink(o);
    fn(data, result, error);
    json_decref(result);
    json_decref(error);
}

static void
req_cancel(struct mg_req *req)
{
    if (req->cancelled)
        return;
    req->cancelled = 1;
    if (req->on_cancel != NULL)
        req->on_cancel(req, req->cancel_data);
}

void
mg_session_close(struct mg_session *s)
{
    struct mg_req *req, *next;

    s->on_idle = NULL;
    s->closing = 1;
    for (req = s->inflight; req != NULL; req = next) {
        next = req->next;
        req->prev = req->next = NULL;
        req->s = NULL;
        if (req->batch != NULL)
            req->batch->dead = 1;
        req_cancel(req);
    }
    /* Whoever still awaits an answer hears that none will come. */
    while (s->outreqs != NULL) {
        struct mg_outreq *o = s->outreqs;
        mg_answer_fn fn = o->fn;
        void *data = o->data;
        outreq_unlink(o);
        fn(data, NULL, NULL);
    }
    mg_subscriptions_session_closed(s);
    if (s->gw->session_closed != NULL)
        s->gw->session_closed(s->gw, s);
    json_decref(s->client_caps);
    json_decref(s->client_info);
    mg_free(s->view);
    mg_key_clear(&s->caller.key);
    mg_free(s->caller.project);
    mg_free(s->caller.session_id);
    mg_free(s);
}

void
mg_session_set_caller(struct mg_session *s, const struct mg_key *key, const char *project, const char *session_id)
{
    mg_key_clear(&s->caller.key);
    mg_free(s->caller.project);
    mg_free(s->caller.session_id);
    if (key != NULL)
        mg_key_copy(&s->caller.key, key);
    else
        s->caller.key.scope = MG_SCOPE_WRITE;
    s->caller.project = project ? mg_strdup(project) : NULL;
    s->caller.servers = project != NULL && s->gw->cfg != NULL ? mg_config_find_project(s->gw->cfg, project) : NULL;
    s->caller.session_id = session_id ? mg_strdup(session_id) : NULL;
}

int
mg_session_serves(const struct mg_session *s, const char *name)
{
    return s->caller.servers == NULL || mg_config_project_has(s->caller.servers, name);
}

void
mg_session_set_view(struct mg_session *s, const char *view)
{
    mg_free(s->view);
    s->view = view ? mg_strdup(view) : NULL;
}

/* --- the era decision ------------------------------------------------------ */

/*
 * Decide the era of request `m` and fill req's version, caps and log
 * level.  Returns 0, or -1 after answering the request with an error.
 */
static int
request_era(struct mg_session *s, struct mg_req *req, const char *method, json_t *params)
{
    json_t *meta = json_object_get(params, "_meta");
    json_t *pv = json_is_object(meta) ? json_object_get(meta, MG_META_PROTOCOL_VERSION) : NULL;

    if (strcmp(method, "initialize") == 0 || s->initialized) {
        req->era = MG_ERA_LEGACY;
        req->version = s->version; /* NULL until initialize answers */
        req->caps = s->client_caps ? json_incref(s->client_caps) : json_object();
        req->log_level = s->log_level;
        return 0;
    }
    if (pv == NULL) {
        if (strcmp(method, "ping") == 0) { /* allowed before initialization */
            req->era = MG_ERA_LEGACY;
            req->caps = json_object();
            req->log_level = MG_MCP_LOG_OFF;
            return 0;
        }
        mg_req_fail(req, MG_RPC_INVALID_REQUEST,
                    "Invalid Request: no session: send initialize first (protocol 2025-11-25 and older), or put "
                    "io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities in "
                    "params._meta (protocol 2026-07-28)",
                    NULL);
        return -1;
    }

    /* A modern request: everything it needs travels with it. */
    req->era = MG_ERA_MODERN;
    req->log_level = MG_MCP_LOG_OFF; /* no level, no notifications/message */
    if (!json_is_string(pv)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: _meta.io.modelcontextprotocol/protocolVersion must be a string", NULL);
        return -1;
    }
    if (!mg_proto_is_modern(json_string_value(pv))) {
        char msg[512];
        json_t *data = json_pack("{s:o, s:O}", "supported", mg_supported_versions(), "requested", pv);
        snprintf(msg, sizeof(msg),
                 "Unsupported protocol version: %s; this server speaks %s per request, and %s through %s after "
                 "initialize",
                 json_string_value(pv), MG_PROTO_LATEST, MG_PROTO_2024_11_05, MG_PROTO_LATEST_LEGACY);
        mg_req_fail(req, MG_RPC_UNSUPPORTED_VERSION, msg, data);
        return -1;
    }
    for (size_t i = 0; i < mg_proto_version_count; i++)
        if (strcmp(json_string_value(pv), mg_proto_versions[i]) == 0)
            req->version = mg_proto_versions[i];

    json_t *caps = json_object_get(meta, MG_META_CLIENT_CAPABILITIES);
    if (!json_is_object(caps)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                    "Invalid params: _meta.io.modelcontextprotocol/clientCapabilities is required (an object; {} "
                    "declares no optional capabilities)",
                    NULL);
        return -1;
    }
    req->caps = json_incref(caps);

    json_t *level = json_object_get(meta, MG_META_LOG_LEVEL);
    if (level != NULL) {
        int l = json_is_string(level) ? mg_mcp_log_level_parse(json_string_value(level)) : -1;
        if (l < 0) {
            mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                        "Invalid params: _meta.io.modelcontextprotocol/logLevel must be one of debug, info, notice, "
                        "warning, error, critical, alert, emergency",
                        NULL);
            return -1;
        }
        req->log_level = l;
    }
    return 0;
}

/* --- intake ---------------------------------------------------------------- */

static struct mg_req *
find_inflight(struct mg_session *s, json_t *id)
{
    for (struct mg_req *r = s->inflight; r != NULL; r = r->next)
        if (json_equal(r->id, id) && json_typeof(r->id) == json_typeof(id))
            return r;
    return NULL;
}

/* Answer request M with an error before it becomes a struct mg_req; a
 * tools/call is recorded all the same. */
static void
refuse_request(struct mg_session *s, struct mg_rpc_msg *m, const struct mg_sink *sink, struct mg_batch *batch,
               int code, const char *message)
{
    json_t *msg = mg_rpc_make_error(m->id, code, message, NULL);

    deliver(sink, batch, msg);
    if (strcmp(m->method, "tools/call") == 0)
        mg_call_record_refused(s, m->json, msg);
    json_decref(msg);
}

static void
handle_request(struct mg_session *s, struct mg_rpc_msg *m, const struct mg_sink *sink, struct mg_batch *batch)
{
    json_t *params = m->params;
    const struct mg_method *meth;
    struct mg_req *req;
    json_t *empty = NULL;

    if (batch != NULL && strcmp(m->method, "initialize") == 0) {
        refuse_request(s, m, sink, batch, MG_RPC_INVALID_REQUEST,
                       "Invalid Request: initialize must not be part of a JSON-RPC batch");
        return;
    }
    if (find_inflight(s, m->id) != NULL) {
        refuse_request(s, m, sink, batch, MG_RPC_INVALID_REQUEST,
                       "Invalid Request: this id is already used by a request in progress");
        return;
    }
    if (s->inflight_count >= MG_MAX_INFLIGHT) {
        char msg[128];
        snprintf(msg, sizeof(msg), "Internal error: too many requests in progress (limit %d)", MG_MAX_INFLIGHT);
        refuse_request(s, m, sink, batch, MG_RPC_INTERNAL_ERROR, msg);
        return;
    }
    if (params != NULL && !json_is_object(params)) {
        refuse_request(s, m, sink, batch, MG_RPC_INVALID_PARAMS,
                       "Invalid params: MCP request params must be an object");
        return;
    }
    if (params == NULL)
        params = empty = json_object();

    req = mg_calloc(1, sizeof(*req));
    req->s = s;
    req->id = json_incref(m->id);
    req->method = mg_strdup(m->method);
    req->sink = *sink;
    req->batch = batch;
    if (batch != NULL)
        batch->pending++;
    req->next = s->inflight;
    if (s->inflight)
        s->inflight->prev = req;
    s->inflight = req;
    s->inflight_count++;
    if (strcmp(m->method, "tools/call") == 0)
        mg_call_record_begin(req, m->json, params);

    if (request_era(s, req, m->method, params) != 0)
        goto out;

    json_t *meta = json_object_get(params, "_meta");
    json_t *token = json_is_object(meta) ? json_object_get(meta, "progressToken") : NULL;
    if (token != NULL) {
        if (!json_is_string(token) && !json_is_integer(token)) {
            mg_req_fail(req, MG_RPC_INVALID_PARAMS,
                        "Invalid params: _meta.progressToken must be a string or an integer", NULL);
            goto out;
        }
        req->progress_token = json_incref(token);
    }
    req->meta = mg_meta_passable(meta);

    meth = mg_method_find(m->method);
    if (meth == NULL) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Method not found: %.200s", m->method);
        mg_req_fail(req, MG_RPC_METHOD_NOT_FOUND, msg, NULL);
        goto out;
    }
    if (!(meth->eras & (1 << req->era))) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Method not found: %s is not part of protocol %s", m->method,
                 req->version ? req->version : "before initialize");
        mg_req_fail(req, MG_RPC_METHOD_NOT_FOUND, msg, NULL);
        goto out;
    }
    meth->fn(s, req, params);
out:
    json_decref(empty);
}

static void
handle_notification(struct mg_session *s, struct mg_rpc_msg *m)
{
    json_t *params = json_is_object(m->params) ? m->params : NULL;

    if (strcmp(m->method, "notifications/initialized") == 0) {
        if (s->initialized)
            s->ready = 1;
        else
            mg_log_debug("notifications/initialized before initialize; ignored");
        return;
    }
    if (strcmp(m->method, "notifications/cancelled") == 0) {
        json_t *id = params ? json_object_get(params, "requestId") : NULL;
        struct mg_req *req = mg_rpc_id_valid(id) ? find_inflight(s, id) : NULL;

        /* Unknown or finished ids are ignored: cancellation races with
         * completion by design.  initialize cannot be cancelled. */
        if (req != NULL && strcmp(req->method, "initialize") != 0)
            req_cancel(req);
        return;
    }
    /* Other notifications (roots/list_changed, progress, ...) need nothing
     * from the gateway yet; a notification is never answered. */
    mg_log_debug("notification %s ignored", m->method);
}

static void
handle_one(struct mg_session *s, json_t *msg, const struct mg_sink *sink, struct mg_batch *batch)
{
    struct mg_rpc_error err;
    struct mg_rpc_msg m;

    if (mg_rpc_classify(msg, &m, &err) != 0) {
        reply_error(sink, batch, err.id, err.code, err.message, NULL);
        return;
    }
    switch (m.kind) {
    case MG_RPC_REQUEST:
        handle_request(s, &m, sink, batch);
        break;
    case MG_RPC_NOTIFICATION:
        handle_notification(s, &m);
        break;
    case MG_RPC_RESPONSE:
    case MG_RPC_ERROR_RESPONSE:
        handle_answer(s, &m);
        break;
    }
}

void
mg_session_receive(struct mg_session *s, json_t *msg, const struct mg_sink *sink)
{
    struct mg_batch *batch;
    size_t i, n;

    if (!json_is_array(msg)) {
        handle_one(s, msg, sink, NULL);
        return;
    }
    /* Batches exist only in 2025-03-26 (added there, removed in 2025-06-18). */
    if (!(s->initialized && strcmp(s->version, MG_PROTO_2025_03_26) == 0)) {
        reply_error(sink, NULL, NULL, MG_RPC_INVALID_REQUEST,
                    "Invalid Request: JSON-RPC batches are accepted only in a session that negotiated protocol "
                    "2025-03-26",
                    NULL);
        return;
    }
    n = json_array_size(msg);
    if (n == 0 || n > MG_MAX_BATCH) {
        char text[160];
        snprintf(text, sizeof(text), "Invalid Request: a batch must hold between 1 and %d messages, got %zu",
                 MG_MAX_BATCH, n);
        reply_error(sink, NULL, NULL, MG_RPC_INVALID_REQUEST, text, NULL);
        return;
    }
    batch = mg_calloc(1, sizeof(*batch));
    batch->replies = json_array();
    batch->sink = *sink;
    batch->pending = 1; /* held until every member is dispatched */
    for (i = 0; i < n; i++)
        handle_one(s, json_array_get(msg, i), sink, batch);
    batch->fed = 1;
    batch->pending--;
    batch_maybe_flush(batch);
}

void
mg_session_receive_text(struct mg_session *s, const char *buf, size_t len, const struct mg_sink *sink)
{
    struct mg_rpc_error err;
    json_t *msg;

    if (len > s->gw->max_message) {
        char text[160];
        snprintf(text, sizeof(text), "Invalid Request: message of %zu bytes exceeds the %zu-byte limit", len,
                 s->gw->max_message);
        reply_error(sink, NULL, NULL, MG_RPC_INVALID_REQUEST, text, NULL);
        return;
    }
    msg = mg_rpc_decode(buf, len, &err);
    if (msg == NULL) {
        reply_error(sink, NULL, NULL, err.code, err.message, NULL);
        return;
    }
    mg_session_receive(s, msg, sink);
    json_decref(msg);
}
