/*
 * http_exchange.c - one POST of JSON-RPC and its reply.
 *
 * The body is fed to a session with the exchange as the sink, so replies
 * and the notifications that belong to its requests come back here.  The
 * reply is plain JSON when the responses arrive first; when a notification
 * (progress, a log message) comes before them and the client accepts
 * text/event-stream, the reply turns into an event stream that carries the
 * notifications and ends after the last response.  A client that accepts
 * only JSON gets those notifications on the session's GET stream instead.
 *
 * The exchange lives until both h2o has freed the request and every awaited
 * response has arrived (or will never arrive: the session ended).
 */
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/version.h"
#include "transport/http_internal.h"
#include "util/alloc.h"
#include "util/log.h"

json_t *
http_decode_body(struct http_server *srv, h2o_req_t *req)
{
    struct mg_rpc_error err;
    json_t *msg;

    if (!http_header_has(req, "content-type", "application/json")) {
        http_send_rpc_error(req, 415, NULL, MG_RPC_INVALID_REQUEST,
                            "Unsupported Media Type: POST a JSON-RPC message with Content-Type: application/json");
        return NULL;
    }
    if (req->entity.base == NULL || req->entity.len == 0) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_PARSE_ERROR, "Parse error: the request body is empty");
        return NULL;
    }
    msg = mg_rpc_decode(req->entity.base, req->entity.len, &err);
    if (msg == NULL) {
        http_send_rpc_error(req, 400, NULL, err.code, "%s", err.message);
        return NULL;
    }
    return msg;
}

static int
is_request(json_t *m)
{
    return json_is_object(m) && json_is_string(json_object_get(m, "method")) && json_object_get(m, "id") != NULL;
}

size_t
http_count_requests(json_t *msg)
{
    size_t i, n = 0;
    json_t *m;

    if (!json_is_array(msg))
        return is_request(msg);
    json_array_foreach (msg, i, m)
        n += is_request(m);
    return n;
}

static void release(struct http_exchange *ex);
static void start_stream(struct http_exchange *ex);

static void
unlink_stateless(struct http_exchange *ex)
{
    if (ex->prev != NULL)
        ex->prev->next = ex->next;
    else if (ex->srv->stateless == ex)
        ex->srv->stateless = ex->next;
    if (ex->next != NULL)
        ex->next->prev = ex->prev;
    ex->prev = ex->next = NULL;
}

void
http_exchange_link_stateless(struct http_exchange *ex)
{
    ex->modern = 1;
    ex->next = ex->srv->stateless;
    if (ex->next != NULL)
        ex->next->prev = ex;
    ex->srv->stateless = ex;
}

void
http_exchange_abandon_stateless(struct http_server *srv, const char *key_id, int status, const char *why)
{
    struct http_exchange *ex, *next;

    for (ex = srv->stateless; ex != NULL; ex = next) {
        next = ex->next;
        if (ex->awaiting && (key_id == NULL || strcmp(ex->key_id, key_id) == 0)) {
            mg_session_close(ex->own);
            ex->own = NULL;
            ex->refs++; /* abandon may release the last awaiting ref */
            http_exchange_abandon(ex, status, why);
            next = ex->next;
            release(ex);
        }
    }
}

/* HTTP/1.1 does not read a connection while its request runs, so a
 * client that went away is only seen when a write fails: write. */
void
http_exchange_tick(struct http_server *srv)
{
    uint64_t now = uv_now(srv->loop);

    for (struct http_exchange *ex = srv->stateless; ex != NULL; ex = ex->next) {
        if (!ex->awaiting || ex->req == NULL || now - ex->last_write < 1000)
            continue;
        if (ex->sse == NULL) {
            if (ex->responded || !ex->accept_sse)
                continue;
            start_stream(ex);
        }
        mg_http_stream_write(ex->sse, ":\n\n", 3);
        ex->last_write = now;
    }
}

static void
release(struct http_exchange *ex)
{
    if (--ex->refs > 0)
        return;
    if (ex->hs != NULL)
        http_session_unlink_exchange(ex->hs, ex);
    if (ex->modern)
        unlink_stateless(ex);
    if (ex->own != NULL)
        mg_session_close(ex->own);
    mg_http_stream_free(ex->sse);
    json_decref(ex->replies);
    mg_free(ex);
}

static void
stop_awaiting(struct http_exchange *ex)
{
    if (ex->awaiting) {
        ex->awaiting = 0;
        release(ex);
    }
}

/* h2o freed the request: the response is over, or the client left. */
static void
on_req_free(void *ctx)
{
    struct http_exchange *ex = ctx;

    ex->req = NULL;
    ex->link = NULL;
    mg_http_stream_free(ex->sse);
    ex->sse = NULL;
    if (ex->modern && ex->awaiting) {
        /* 2026-07-28: closing the response stream is cancellation. */
        mg_session_close(ex->own);
        ex->own = NULL;
        stop_awaiting(ex);
    }
    release(ex);
}

/* The event stream broke before its end. */
static void
on_stream_gone(void *ctx)
{
    struct http_exchange *ex = ctx;

    mg_log_debug("a POST event stream closed before its last response");
    (void)ex; /* on_req_free follows at once and does the work */
}

/* Send MSG on the exchange's event stream.  A legacy stream keeps each
 * event for resumption, also while no connection carries it. */
static void
write_event(struct http_exchange *ex, json_t *msg)
{
    size_t len;
    char *text = mg_rpc_encode(msg, &len), id[48];
    unsigned long seq = ++ex->event_seq;

    snprintf(id, sizeof(id), "%lu-%lu", ex->stream, seq);
    if (ex->resumable && ex->hs != NULL)
        http_session_record(ex->hs, ex->stream, seq, text, len);
    if (ex->sse != NULL && mg_http_stream_event(ex->sse, ex->modern ? NULL : id, text, len) != 0)
        mg_log_warn("a client does not read its event stream; dropping a message");
    ex->last_write = uv_now(ex->srv->loop);
    mg_free(text);
}

static void
add_session_header(struct http_exchange *ex)
{
    const char *id = ex->hs != NULL ? http_session_id(ex->hs) : NULL;

    if (id != NULL && ex->req != NULL)
        http_add_header(ex->req, "mcp-session-id", id);
}

static void
start_stream(struct http_exchange *ex)
{
    add_session_header(ex);
    ex->responded = 1;
    ex->sse = mg_http_stream_start(ex->req, on_stream_gone, ex);
    ex->stream_opened = uv_now(ex->srv->loop);
    if (ex->hs != NULL && !ex->modern) {
        ex->resumable = 1;
        if (http_session_polls(ex->hs)) {
            /* SEP-1699 priming event: an id and no data, so that the
             * client can resume even before the first message. */
            char prime[64];
            int n = snprintf(prime, sizeof(prime), "id: %lu-0\ndata: \n\n", ex->stream);
            mg_http_stream_write(ex->sse, prime, (size_t)n);
        }
    }
}

/* Let go of the connection carrying the event stream; events from now on
 * are kept for the client to resume. */
static void
detach_stream(struct http_exchange *ex, const char *last)
{
    mg_http_stream_abandon(ex->sse, ex->link, last);
    ex->sse = NULL;
    ex->req = NULL;
    ex->link = NULL;
    release(ex); /* the request's reference */
}

int
http_exchange_poll(struct http_exchange *ex, unsigned retry_ms)
{
    char retry[48];

    if (ex->modern || ex->hs == NULL || !http_session_polls(ex->hs) || ex->req == NULL || !ex->awaiting)
        return -1;
    if (ex->sse == NULL) {
        if (ex->responded || !ex->accept_sse)
            return -1;
        start_stream(ex);
    }
    snprintf(retry, sizeof(retry), "retry: %u\n\n", retry_ms);
    mg_log_debug("session %.8s: stream %lu closed for the client to poll", http_session_id(ex->hs), ex->stream);
    detach_stream(ex, retry);
    return 0;
}

void
http_exchange_resume(struct http_exchange *ex, h2o_req_t *req, unsigned long after)
{
    if (ex->sse != NULL)
        detach_stream(ex, NULL); /* the client left that connection for this one */
    ex->req = req;
    ex->refs++; /* held by the new request until h2o frees it */
    ex->link = mg_http_on_req_free(req, on_req_free, ex);
    ex->responded = 1;
    ex->sse = mg_http_stream_start(req, on_stream_gone, ex);
    ex->stream_opened = ex->last_write = uv_now(ex->srv->loop);
    if (http_session_replay(ex->hs, ex->stream, after, ex->sse) == 0)
        mg_http_stream_write(ex->sse, ":\n\n", 3); /* sends the headers now */
}

/* Every awaited response is in (or was cancelled): send them. */
/* A legacy reply's HTTP status: 403 for one request refused for its API
 * key's scope (the status RFC 6750 gives insufficient_scope), else 200. */
static int
legacy_status(const struct http_exchange *ex, json_t *body)
{
    json_t *err = json_object_get(body, "error");

    if (!ex->batch && json_integer_value(json_object_get(err, "code")) == MG_RPC_FORBIDDEN) {
        http_add_header(ex->req, "www-authenticate", MG_HTTP_INSUFFICIENT_SCOPE);
        return 403;
    }
    return 200;
}

static void
complete(struct http_exchange *ex)
{
    json_t *body = ex->batch ? ex->replies : json_array_get(ex->replies, 0);
    int empty = ex->batch ? json_array_size(body) == 0 : body == NULL;

    if (ex->req == NULL) {
        /* The client left a resumable stream: keep the reply for it. */
        if (ex->resumable && !empty)
            write_event(ex, body);
    } else {
        if (ex->sse != NULL) {
            if (!empty)
                write_event(ex, body);
            mg_http_stream_end(ex->sse);
        } else if (!ex->responded && empty) {
            /* Cancelled by the client: no JSON-RPC reply exists. */
            add_session_header(ex);
            ex->responded = 1;
            ex->req->res.status = 204;
            ex->req->res.reason = "No Content";
            h2o_send_inline(ex->req, "", 0);
        } else if (!ex->responded) {
            int status = ex->modern ? http_modern_status(ex, body) : ex->status ? ex->status : legacy_status(ex, body);
            add_session_header(ex);
            ex->responded = 1;
            http_send_json(ex->req, status, body);
        }
    }
    stop_awaiting(ex);
}

static void
exchange_dropped(void *ctx)
{
    struct http_exchange *ex = ctx;

    if (ex->awaiting && ex->expected > 0 && ++ex->got >= ex->expected)
        complete(ex);
}

static int
is_response(json_t *m)
{
    return json_is_object(m) && json_object_get(m, "method") == NULL &&
           (json_object_get(m, "result") != NULL || json_object_get(m, "error") != NULL);
}

static void
exchange_send(void *ctx, json_t *msg)
{
    struct http_exchange *ex = ctx;

    if (!ex->awaiting)
        return; /* answered already, or the session has gone */
    if (ex->batch && is_response(msg)) {
        /* The batch as a whole was refused: one error object, HTTP 400. */
        ex->batch = 0;
        ex->status = 400;
    }
    if (json_is_array(msg) || is_response(msg)) {
        if (json_is_array(msg))
            json_array_extend(ex->replies, msg);
        else
            json_array_append(ex->replies, msg);
        /* With nothing awaited, these are errors about the body; the
         * caller answers 400 with them. */
        if (ex->expected > 0 && ++ex->got >= ex->expected)
            complete(ex);
        return;
    }
    /* A notification or request that belongs to one of our requests. */
    if (ex->sse == NULL && ex->req != NULL && !ex->responded && ex->accept_sse)
        start_stream(ex);
    if (ex->sse != NULL || ex->resumable)
        write_event(ex, msg);
    else if (ex->hs != NULL)
        http_session_push(ex->hs, msg);
}

unsigned long
http_new_stream(void)
{
    static unsigned long next = 1;

    return next++;
}

static int
exchange_close_stream(void *ctx, unsigned retry_ms)
{
    return http_exchange_poll(ctx, retry_ms);
}

struct http_exchange *
http_exchange_new(struct http_server *srv, h2o_req_t *req, json_t *msg)
{
    struct http_exchange *ex = mg_calloc(1, sizeof(*ex));

    ex->srv = srv;
    ex->req = req;
    ex->replies = json_array();
    ex->batch = json_is_array(msg);
    ex->accept_sse = http_header_has(req, "accept", "text/event-stream");
    ex->accept_json = http_header_has(req, "accept", "application/json") || http_header_has(req, "accept", "*/*");
    ex->sink.send = exchange_send;
    ex->sink.dropped = exchange_dropped;
    ex->sink.close_stream = exchange_close_stream;
    ex->sink.ctx = ex;
    ex->refs = 1; /* held by the request until h2o frees it */
    ex->link = mg_http_on_req_free(req, on_req_free, ex);
    ex->stream = http_new_stream();
    ex->started = ex->last_write = uv_now(srv->loop);
    return ex;
}

void
http_exchange_run(struct http_exchange *ex, struct mg_session *session, json_t *msg)
{
    size_t n = http_count_requests(msg);

    /* A batch answers with one array; a lone request with one object. */
    ex->expected = n > 0 ? (ex->batch ? 1 : n) : 0;
    ex->awaiting = 1;
    ex->refs += 2; /* one while awaiting replies, one for this function */
    mg_session_receive(session, msg, &ex->sink);
    if (ex->awaiting && !ex->responded && ex->expected == 0 && ex->req != NULL) {
        /* Notifications and responses only.  Anything the session said is
         * an error about them (an invalid message). */
        ex->responded = 1;
        if (json_array_size(ex->replies) > 0) {
            http_send_json(ex->req, 400, ex->batch ? ex->replies : json_array_get(ex->replies, 0));
        } else {
            add_session_header(ex);
            ex->req->res.status = 202;
            ex->req->res.reason = "Accepted";
            ex->req->res.content_length = 0;
            h2o_send_inline(ex->req, "", 0);
        }
        stop_awaiting(ex);
    }
    release(ex);
}

void
http_exchange_abandon(struct http_exchange *ex, int status, const char *why)
{
    ex->hs = NULL;
    if (ex->req != NULL && !ex->responded) {
        ex->responded = 1;
        http_send_rpc_error(ex->req, status, NULL, MG_RPC_INVALID_REQUEST, "%s", why);
    } else if (ex->sse != NULL) {
        mg_http_stream_end(ex->sse);
    }
    stop_awaiting(ex);
}
