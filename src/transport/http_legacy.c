/*
 * http_legacy.c - Streamable HTTP sessions (protocol 2025-03-26 to
 * 2025-11-25): POST, the GET stream and DELETE on /mcp.
 *
 * initialize opens a session and its reply carries Mcp-Session-Id (32
 * random bytes, hex).  Every later request must carry it: 400 without it,
 * 404 for one that is unknown, deleted or expired.  Messages unrelated to
 * a request go to the session's GET stream, or wait for one (bounded).
 *
 * With API keys, a session belongs to the key that opened it: the session
 * table is in effect keyed by (key, session id), as the MCP security best
 * practices advise against session hijacking.  A request with another key
 * gets the same 404 as an unknown session id, not 403: a 403 would tell
 * the holder of a stolen or guessed id that it is live, and the session's
 * owner loses nothing.  A revoked key's sessions are ended.
 */
#include <stdio.h>
#include <string.h>


#include "auth/key.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/version.h"
#include "transport/http_internal.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/random.h"

#define OUTBOX_MAX 256 /* messages kept for a session with no GET stream */
#define KEEPALIVE_MS 15000
#define GET_HISTORY 8  /* GET streams remembered as such, for resumption */
#define POLL_RETRY_MS 1000 /* reconnection delay asked of polling clients */

struct http_session {
    struct http_server *srv;
    char id[65];
    char key_id[MG_KEY_ID_LEN + 1]; /* the API key that opened it; "": no auth */
    struct mg_session *s;
    uint64_t last_used;             /* uv_now() of the last request */
    struct http_exchange *exchanges; /* POSTs in progress */
    struct mg_http_stream *get;     /* the GET stream, or NULL */
    struct mg_http_req_link *get_link;
    unsigned long get_stream;       /* the GET stream's number */
    unsigned long get_seq;
    unsigned long get_history[GET_HISTORY]; /* recent GET stream numbers */
    uint64_t get_last_write;
    uint64_t get_opened;
    struct http_replay replay;      /* recent events, for Last-Event-ID */
    json_t *outbox;                 /* waiting for a GET stream */
    int old_sse;                    /* 2024-11-05 HTTP+SSE: the stream is the session */
};

int
http_session_polls(const struct http_session *hs)
{
    return !hs->old_sse && hs->s->version != NULL && mg_proto_at_least(hs->s->version, MG_PROTO_2025_11_25);
}

void
http_session_record(struct http_session *hs, unsigned long stream, unsigned long seq, const char *data, size_t len)
{
    http_replay_add(&hs->replay, stream, seq, data, len);
}

static void
replay_one(void *ctx, const struct http_replay_event *ev)
{
    char id[48];

    snprintf(id, sizeof(id), "%lu-%lu", ev->stream, ev->seq);
    mg_http_stream_event(ctx, id, ev->data, ev->len);
}

size_t
http_session_replay(struct http_session *hs, unsigned long stream, unsigned long seq, struct mg_http_stream *st)
{
    int gap = 0;
    size_t n = http_replay_each(&hs->replay, stream, seq, replay_one, st, &gap);

    if (gap)
        mg_log_warn("session %.8s: the client resumed stream %lu after event %lu, but some later events were "
                    "already dropped from the replay buffer (%d events kept)",
                    hs->id, stream, seq, HTTP_REPLAY_MAX_EVENTS);
    return n;
}

const char *
http_session_id(const struct http_session *hs)
{
    /* Only an initialized session has an id worth telling the client. */
    return hs->s->initialized ? hs->id : NULL;
}

static void
get_write(struct http_session *hs, json_t *msg)
{
    size_t len = 0;
    char *text = mg_rpc_encode(msg, &len), id[64];
    int rc;

    if (hs->old_sse) {
        /* 2024-11-05: every server message is an "event: message". */
        char *ev = mg_malloc(len + 32);
        memcpy(ev, "event: message\ndata: ", 21);
        memcpy(ev + 21, text, len);
        memcpy(ev + 21 + len, "\n\n", 2);
        rc = mg_http_stream_write(hs->get, ev, len + 23);
        mg_free(ev);
    } else {
        snprintf(id, sizeof(id), "%lu-%lu", hs->get_stream, ++hs->get_seq);
        http_replay_add(&hs->replay, hs->get_stream, hs->get_seq, text, len);
        rc = mg_http_stream_event(hs->get, id, text, len);
    }
    if (rc != 0)
        mg_log_warn("session %.8s: the client does not read its GET stream; dropping a message", hs->id);
    hs->get_last_write = uv_now(hs->srv->loop);
    mg_free(text);
}

void
http_session_push(struct http_session *hs, json_t *msg)
{
    if (hs->get != NULL) {
        get_write(hs, msg);
        return;
    }
    if (json_array_size(hs->outbox) >= OUTBOX_MAX) {
        mg_log_warn("session %.8s: no GET stream and %d messages waiting; dropping the oldest", hs->id, OUTBOX_MAX);
        json_array_remove(hs->outbox, 0);
    }
    json_array_append(hs->outbox, msg);
}

static void
session_sink(void *ctx, json_t *msg)
{
    http_session_push(ctx, msg);
}

static struct http_session *
session_new(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    char view[MG_MAX_VIEW_NAME + 1], project[MG_PROJECT_NAME_MAX + 1];
    struct http_session *hs = mg_calloc(1, sizeof(*hs));
    struct mg_sink sink = {.send = session_sink, .ctx = hs};

    if (mg_random_hex(hs->id, 32) != 0) {
        mg_free(hs);
        return NULL;
    }
    hs->srv = srv;
    if (key != NULL)
        memcpy(hs->key_id, key->id, sizeof(hs->key_id));
    hs->s = mg_session_new(srv->gw, &sink);
    /* on_req has answered a request without a project already. */
    http_project_for(srv, req, key, project, sizeof(project), 0);
    mg_session_set_caller(hs->s, key, project[0] != '\0' ? project : NULL, hs->id);
    if (http_view_of(req, view, sizeof(view)))
        mg_session_set_view(hs->s, view); /* the session lives at /servers/<name>/mcp */
    hs->outbox = json_array();
    hs->last_used = uv_now(srv->loop);
    mg_strmap_put(&srv->sessions, hs->id, hs);
    return hs;
}

static void
link_exchange(struct http_session *hs, struct http_exchange *ex)
{
    ex->hs = hs;
    ex->next = hs->exchanges;
    if (hs->exchanges != NULL)
        hs->exchanges->prev = ex;
    hs->exchanges = ex;
}

void
http_session_unlink_exchange(struct http_session *hs, struct http_exchange *ex)
{
    if (ex->prev != NULL)
        ex->prev->next = ex->next;
    else if (hs->exchanges == ex)
        hs->exchanges = ex->next;
    if (ex->next != NULL)
        ex->next->prev = ex->prev;
    ex->prev = ex->next = NULL;
    ex->hs = NULL;
}

void
http_session_close(struct http_session *hs)
{
    mg_strmap_del(&hs->srv->sessions, hs->id);
    /* First the session: its requests are cancelled and their replies
     * dropped, so nothing is sent to an exchange after this. */
    mg_session_close(hs->s);
    while (hs->exchanges != NULL) {
        struct http_exchange *ex = hs->exchanges;
        http_session_unlink_exchange(hs, ex);
        http_exchange_abandon(ex, 404, "Session not found: the session ended while this request was running");
    }
    if (hs->get != NULL)
        mg_http_stream_abandon(hs->get, hs->get_link, NULL);
    json_decref(hs->outbox);
    http_replay_free(&hs->replay);
    mg_free(hs);
}

static void end_get_stream(struct http_session *hs, const char *last);

/* SSE polling: streams open longer than the limit are closed with a retry
 * hint; the client reconnects with Last-Event-ID and loses nothing. */
static void
poll_streams(struct http_session *hs, uint64_t now, uint64_t limit)
{
    struct http_exchange *ex, *next;
    char retry[32];

    snprintf(retry, sizeof(retry), "retry: %d\n\n", POLL_RETRY_MS);
    if (hs->get != NULL && now - hs->get_opened >= limit)
        end_get_stream(hs, retry);
    for (ex = hs->exchanges; ex != NULL; ex = next) {
        next = ex->next;
        if (ex->sse != NULL && now - ex->stream_opened >= limit)
            http_exchange_poll(ex, POLL_RETRY_MS);
    }
}

void
http_sessions_sweep(struct http_server *srv, int all)
{
    uint64_t now = uv_now(srv->loop), idle = (uint64_t)srv->opts.session_idle_s * 1000;
    struct http_session **expired = mg_malloc((srv->sessions.len + 1) * sizeof(*expired));
    size_t n = 0;

    for (size_t i = 0; i < srv->sessions.cap; i++) {
        struct mg_strmap_slot *slot = &srv->sessions.slots[i];
        struct http_session *hs;
        if (slot->key == NULL || slot->value == NULL)
            continue;
        hs = slot->value;
        if (all || (hs->get == NULL && hs->exchanges == NULL && now - hs->last_used >= idle)) {
            expired[n++] = hs;
            continue;
        }
        if (srv->opts.sse_poll_s > 0 && http_session_polls(hs))
            poll_streams(hs, now, (uint64_t)srv->opts.sse_poll_s * 1000);
        if (hs->get != NULL && now - hs->get_last_write >= KEEPALIVE_MS) {
            /* An SSE comment: finds dead connections, keeps proxies open. */
            mg_http_stream_write(hs->get, ":\n\n", 3);
            hs->get_last_write = now;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!all)
            mg_log_info("session %.8s expired after %us idle", expired[i]->id, srv->opts.session_idle_s);
        http_session_close(expired[i]);
    }
    mg_free(expired);
}

/* 1 when the session may be used with KEY (NULL: no auth). */
static int
owned_by(const struct http_session *hs, const struct mg_key *key)
{
    return strcmp(hs->key_id, key != NULL ? key->id : "") == 0;
}

/* The session for REQ, or NULL after answering 400 or 404. */
static struct http_session *
find_session(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    size_t len = 0;
    const char *sid = http_header(req, "mcp-session-id", &len);
    char id[65];
    struct http_session *hs;

    if (sid == NULL) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Bad Request: Mcp-Session-Id header is required; send initialize first to get one");
        return NULL;
    }
    if (len != 64) {
        hs = NULL;
    } else {
        memcpy(id, sid, 64);
        id[64] = '\0';
        hs = mg_strmap_get(&srv->sessions, id);
    }
    if (hs != NULL) {
        /* A session belongs to the endpoint that opened it. */
        char view[MG_MAX_VIEW_NAME + 1], project[MG_PROJECT_NAME_MAX + 1];
        int has_view = http_view_of(req, view, sizeof(view));
        if (has_view != (hs->s->view != NULL) || (has_view && strcmp(view, hs->s->view) != 0))
            hs = NULL;
        else if (http_project_for(srv, req, key, project, sizeof(project), 0) != 0 ||
                 strcmp(project, hs->s->caller.project != NULL ? hs->s->caller.project : "") != 0)
            hs = NULL;
    }
    if (hs != NULL && !owned_by(hs, key)) {
        mg_log_info("session %.8s: a request with key %s, not the session's own key %s; answered as not found",
                    hs->id, key != NULL ? key->id : "(none)", hs->key_id);
        hs = NULL;
    }
    if (hs == NULL) {
        http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                            "Session not found: it expired or was deleted; send initialize without Mcp-Session-Id "
                            "to start a new one");
        return NULL;
    }
    hs->last_used = uv_now(srv->loop);
    return hs;
}

/* MCP-Protocol-Version on a request inside a session: absent means
 * 2025-03-26; otherwise it must be the negotiated revision. */
static int
version_ok(struct http_session *hs, h2o_req_t *req)
{
    size_t len = 0;
    const char *v = http_header(req, "mcp-protocol-version", &len);
    char got[32];

    if (v == NULL || hs->s->version == NULL)
        return 1;
    snprintf(got, sizeof(got), "%.*s", (int)(len < 31 ? len : 31), v);
    if (!mg_proto_is_legacy(got)) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Bad Request: unsupported MCP-Protocol-Version '%s'", got);
        return 0;
    }
    if (strcmp(got, hs->s->version) != 0) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Bad Request: MCP-Protocol-Version '%s' differs from the session's negotiated version %s",
                            got, hs->s->version);
        return 0;
    }
    return 1;
}

static int
is_initialize(json_t *msg)
{
    const char *m = json_string_value(json_object_get(msg, "method"));

    return json_is_object(msg) && m != NULL && strcmp(m, "initialize") == 0;
}

void
http_legacy_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key)
{
    struct http_session *hs;
    struct http_exchange *ex;

    if (http_count_requests(msg) > 0 && !http_header_has(req, "accept", "application/json") &&
        !http_header_has(req, "accept", "text/event-stream") && !http_header_has(req, "accept", "*/*")) {
        http_send_rpc_error(req, 406, NULL, MG_RPC_INVALID_REQUEST,
                            "Not Acceptable: Accept must include application/json and text/event-stream");
        return;
    }
    if (is_initialize(msg)) {
        if ((hs = session_new(srv, req, key)) == NULL) {
            http_send_rpc_error(req, 503, NULL, MG_RPC_INTERNAL_ERROR, "no randomness for a session id");
            return;
        }
        ex = http_exchange_new(srv, req, msg);
        link_exchange(hs, ex);
        http_exchange_run(ex, hs->s, msg);
        if (!hs->s->initialized)
            http_session_close(hs); /* initialize was refused: no session */
        else if (key != NULL)
            mg_log_debug("session %.8s opened (%s) by key %s (%s)", hs->id, hs->s->version, key->id, key->name);
        else
            mg_log_debug("session %.8s opened (%s)", hs->id, hs->s->version);
        return;
    }
    if ((hs = find_session(srv, req, key)) == NULL || !version_ok(hs, req))
        return;
    ex = http_exchange_new(srv, req, msg);
    link_exchange(hs, ex);
    http_exchange_run(ex, hs->s, msg);
}

static void
on_get_free(void *ctx)
{
    struct http_session *hs = ctx;

    mg_http_stream_free(hs->get);
    hs->get = NULL;
    hs->get_link = NULL;
    hs->last_used = uv_now(hs->srv->loop);
    if (hs->old_sse) {
        mg_log_debug("session %.8s: the SSE stream closed, ending the session", hs->id);
        http_session_close(hs);
    }
}

static void
on_get_gone(void *ctx)
{
    (void)ctx; /* on_get_free follows */
}

/* Let go of the GET stream's connection; LAST (may be NULL) is written
 * before it ends.  Messages wait in the outbox until the next GET. */
static void
end_get_stream(struct http_session *hs, const char *last)
{
    mg_http_stream_abandon(hs->get, hs->get_link, last);
    hs->get = NULL;
    hs->get_link = NULL;
}

static int
was_get_stream(const struct http_session *hs, unsigned long stream)
{
    for (size_t i = 0; i < GET_HISTORY; i++)
        if (hs->get_history[i] == stream)
            return 1;
    return 0;
}

static struct http_exchange *
find_exchange(struct http_session *hs, unsigned long stream)
{
    for (struct http_exchange *ex = hs->exchanges; ex != NULL; ex = ex->next)
        if (ex->stream == stream && ex->resumable && ex->awaiting)
            return ex;
    return NULL;
}

/* Open the session's GET stream on REQ, replaying the events of stream
 * RESUME after SEQ first (RESUME 0: a fresh stream). */
static void
open_get_stream(struct http_session *hs, h2o_req_t *req, unsigned long resume, unsigned long seq)
{
    size_t i;
    json_t *msg;

    if (hs->get != NULL) {
        /* A client reconnecting: its old connection may look alive to us
         * (HTTP/1.1 is not read while a response streams).  The new stream
         * replaces it, so each message still goes to exactly one stream. */
        mg_log_debug("session %.8s: a new GET stream replaces the open one", hs->id);
        end_get_stream(hs, NULL);
    }
    http_add_header(req, "mcp-session-id", hs->id);
    hs->get = mg_http_stream_start(req, on_get_gone, hs);
    hs->get_link = mg_http_on_req_free(req, on_get_free, hs);
    hs->get_stream = http_new_stream();
    hs->get_seq = 0;
    memmove(hs->get_history + 1, hs->get_history, (GET_HISTORY - 1) * sizeof(hs->get_history[0]));
    hs->get_history[0] = hs->get_stream;
    hs->get_last_write = hs->get_opened = uv_now(hs->srv->loop);
    if (http_session_polls(hs)) {
        /* SEP-1699 priming event: an id, no data, so the client has
         * something to resume from. */
        char prime[64];
        int n = snprintf(prime, sizeof(prime), "id: %lu-0\ndata: \n\n", hs->get_stream);
        mg_http_stream_write(hs->get, prime, (size_t)n);
    } else {
        mg_http_stream_write(hs->get, ":\n\n", 3); /* an SSE comment: sends the headers now */
    }
    /* Missed events keep their old ids; new ones continue on this stream. */
    if (resume != 0)
        http_session_replay(hs, resume, seq, hs->get);
    json_array_foreach (hs->outbox, i, msg)
        get_write(hs, msg);
    json_array_clear(hs->outbox);
}

/* A completed POST stream: what the client missed of it, then the end. */
static void
replay_finished_stream(struct http_session *hs, h2o_req_t *req, unsigned long stream, unsigned long seq)
{
    struct mg_http_stream *st;
    struct mg_http_req_link *link;

    http_add_header(req, "mcp-session-id", hs->id);
    st = mg_http_stream_start(req, NULL, NULL);
    link = mg_http_on_req_free(req, NULL, NULL);
    if (http_session_replay(hs, stream, seq, st) == 0) {
        mg_log_info("session %.8s: nothing left to resume on stream %lu after event %lu", hs->id, stream, seq);
        mg_http_stream_write(st, ":\n\n", 3);
    }
    mg_http_stream_abandon(st, link, NULL);
}

void
http_legacy_get(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    struct http_session *hs;
    struct http_exchange *ex;
    unsigned long stream = 0, seq = 0;
    size_t len = 0;
    const char *last;

    if (!http_header_has(req, "accept", "text/event-stream")) {
        http_send_rpc_error(req, 406, NULL, MG_RPC_INVALID_REQUEST,
                            "Not Acceptable: the GET stream is text/event-stream; send Accept: text/event-stream");
        return;
    }
    if ((hs = find_session(srv, req, key)) == NULL || !version_ok(hs, req))
        return;
    last = http_header(req, "last-event-id", &len);
    if (last == NULL) {
        open_get_stream(hs, req, 0, 0);
        return;
    }
    if (http_event_id_parse(last, len, &stream, &seq) != 0) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Bad Request: Last-Event-ID '%.*s' is not an event id of this server "
                            "(they look like 12-3); reconnect without it",
                            (int)(len > 64 ? 64 : len), last);
        return;
    }
    if ((ex = find_exchange(hs, stream)) != NULL) {
        mg_log_debug("session %.8s: resuming stream %lu after event %lu", hs->id, stream, seq);
        http_add_header(req, "mcp-session-id", hs->id);
        http_exchange_resume(ex, req, seq);
    } else if (was_get_stream(hs, stream)) {
        open_get_stream(hs, req, stream, seq);
    } else {
        replay_finished_stream(hs, req, stream, seq);
    }
}

void
http_legacy_delete(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    struct http_session *hs = find_session(srv, req, key);

    if (hs == NULL)
        return;
    mg_log_debug("session %.8s deleted by the client", hs->id);
    http_session_close(hs);
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = 0;
    h2o_send_inline(req, "", 0);
}

/* --- 2024-11-05 HTTP+SSE: GET /sse, POST /messages?sessionId= ------------ */

void
http_old_sse_open(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    struct http_session *hs;
    char endpoint[160];
    int n;

    if ((hs = session_new(srv, req, key)) == NULL) {
        http_send_rpc_error(req, 503, NULL, MG_RPC_INTERNAL_ERROR, "no randomness for a session id");
        return;
    }
    hs->old_sse = 1;
    hs->get = mg_http_stream_start(req, on_get_gone, hs);
    hs->get_link = mg_http_on_req_free(req, on_get_free, hs);
    hs->get_last_write = uv_now(srv->loop);
    /* A relative URI: clients resolve it against the stream's URL, and
     * refuse one on another origin. */
    n = snprintf(endpoint, sizeof(endpoint), "event: endpoint\ndata: /messages?sessionId=%s\n\n", hs->id);
    mg_http_stream_write(hs->get, endpoint, (size_t)n);
    mg_log_debug("session %.8s opened (HTTP+SSE)", hs->id);
}

/* The sessionId query parameter of REQ into KEY (65 bytes), or -1. */
static int
query_session_id(h2o_req_t *req, char *key)
{
    const char *q, *end, *p;

    if (req->query_at == SIZE_MAX)
        return -1;
    q = req->path.base + req->query_at + 1;
    end = req->path.base + req->path.len;
    for (p = q; p < end; p++) {
        if ((p == q || p[-1] == '&') && (size_t)(end - p) >= 10 + 64 && memcmp(p, "sessionId=", 10) == 0 &&
            (p + 74 == end || p[74] == '&')) {
            memcpy(key, p + 10, 64);
            key[64] = '\0';
            return 0;
        }
    }
    return -1;
}

void
http_old_sse_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key)
{
    char sid[65];
    struct http_session *hs = NULL;

    if (query_session_id(req, sid) == 0)
        hs = mg_strmap_get(&srv->sessions, sid);
    if (hs == NULL || !hs->old_sse || hs->get == NULL || !owned_by(hs, key)) {
        http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                            "Session not found: open GET /sse first and POST to the endpoint it names");
        return;
    }
    hs->last_used = uv_now(srv->loop);
    /* Every reply travels on the stream; the POST only says "accepted". */
    mg_session_receive(hs->s, msg, &hs->s->sink);
    req->res.status = 202;
    req->res.reason = "Accepted";
    req->res.content_length = 8;
    h2o_send_inline(req, "Accepted", 8);
}

void
http_sessions_close_key(struct http_server *srv, const char *key_id)
{
    struct http_session **mine = mg_malloc((srv->sessions.len + 1) * sizeof(*mine));
    size_t n = 0;

    /* Collect first: closing removes from the table being walked. */
    for (size_t i = 0; i < srv->sessions.cap; i++) {
        struct http_session *hs = srv->sessions.slots[i].value;
        if (srv->sessions.slots[i].key != NULL && hs != NULL && strcmp(hs->key_id, key_id) == 0)
            mine[n++] = hs;
    }
    for (size_t i = 0; i < n; i++) {
        mg_log_info("session %.8s ended: its key %s was revoked", mine[i]->id, key_id);
        http_session_close(mine[i]);
    }
    mg_free(mine);
}
