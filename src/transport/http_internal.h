/*
 * http_internal.h - what the files of the HTTP front door share.
 *
 *   http_server.c    listening, h2o setup, routing, Origin, health
 *   http_exchange.c  one POST: feeding the session, JSON or SSE reply
 *   http_legacy.c    legacy sessions: POST, GET stream, DELETE, expiry
 *   http_modern.c    modern (2026-07-28) stateless POST and its headers
 *   http_auth.c      API keys: Authorization: Bearer on every request
 */
#ifndef MG_TRANSPORT_HTTP_INTERNAL_H
#define MG_TRANSPORT_HTTP_INTERNAL_H

#include <h2o.h>
#include <jansson.h>
#include <uv.h>

#include "auth/key.h"
#include "mcp/session.h"
#include "transport/config_watch.h"
#include "transport/http.h"
#include "transport/http_replay.h"
#include "transport/http_stream.h"
#include "util/strmap.h"

struct http_session;
struct mg_key;
struct mg_keyring;

struct conn;

struct http_server {
    struct mg_gateway *gw;
    uv_loop_t *loop;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    uv_signal_t sigint, sigterm, sighup;
    struct mg_config_watch watch; /* opts.watch, when given */
    uv_timer_t sweep;              /* expires idle legacy sessions */
    struct mg_strmap sessions;     /* Mcp-Session-Id -> struct http_session */
    struct mg_http_opts opts;
    int loopback;                  /* listening on a loopback address */
    int stopping;
    size_t connections;            /* accepted and not yet closed */
    struct conn *conns;            /* those connections (http_server.c) */
    uv_timer_t drain;              /* shutdown: waits for connections to close */
    uint64_t drain_deadline;
    struct http_exchange *stateless; /* modern exchanges in progress */
    uv_timer_t tick;               /* probes modern requests for closed connections */
    struct mg_keyring *keys;       /* active API keys; NULL: no auth */
};

/* One POST carrying JSON-RPC: its replies go to the HTTP response. */
struct http_exchange {
    struct http_server *srv;
    h2o_req_t *req;                /* NULL once h2o freed it */
    struct mg_http_req_link *link;
    struct mg_http_stream *sse;    /* the reply became an event stream */
    struct http_session *hs;       /* legacy session, or NULL */
    struct mg_session *own;        /* modern: this request's own session */
    struct http_exchange *prev, *next; /* hs->exchanges, or srv->stateless */
    struct mg_sink sink;
    size_t expected;               /* response messages awaited */
    size_t got;
    json_t *replies;               /* responses so far, in order */
    int batch;                     /* the body was an array */
    int accept_json, accept_sse;
    int responded;                 /* the HTTP response has begun */
    int awaiting;                  /* holds a reference until replies end */
    int refs;
    int modern;
    char key_id[MG_KEY_ID_LEN + 1]; /* modern: the request's API key; "": no auth */
    int status;                    /* legacy: HTTP status when not 200 */
    int bad_meta;                  /* modern: _meta lacks client capabilities */
    int resumable;                 /* legacy event stream: ids logged for replay */
    unsigned long stream;          /* SSE stream number: event ids "<stream>-<seq>" */
    unsigned long event_seq;
    uint64_t started, last_write;  /* uv_now() */
    uint64_t stream_opened;        /* uv_now() when the current connection began streaming */
};

/* --- http_server.c --- */
/* Reply with a JSON body (borrowed) and STATUS. */
void http_send_json(h2o_req_t *req, int status, json_t *body);
/* Reply with a JSON-RPC error (id may be NULL) and STATUS. */
void http_send_rpc_error(h2o_req_t *req, int status, json_t *id, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The value of request header NAME (lower case), or NULL; *LEN its length. */
const char *http_header(h2o_req_t *req, const char *name, size_t *len);
/* The longest server name /servers/<name>/mcp takes. */
#define MG_MAX_VIEW_NAME 128
/* For /servers/<name>/mcp: NAME into OUT (OUTLEN bytes) and 1; else 0. */
int http_view_of(h2o_req_t *req, char *out, size_t outlen);
/* Nonzero when the header value contains TOKEN (case-insensitive). */
int http_header_has(h2o_req_t *req, const char *name, const char *token);
void http_add_header(h2o_req_t *req, const char *name, const char *value);

/* --- http_exchange.c --- */
/* Decode REQ's body; on failure the HTTP reply is sent and NULL returned. */
json_t *http_decode_body(struct http_server *srv, h2o_req_t *req);
/* Requests (messages with a method and an id) in MSG. */
size_t http_count_requests(json_t *msg);
struct http_exchange *http_exchange_new(struct http_server *srv, h2o_req_t *req, json_t *msg);
/* Feed MSG to SESSION with the exchange as the reply sink, then answer
 * 202 if nothing is awaited. */
void http_exchange_run(struct http_exchange *ex, struct mg_session *session, json_t *msg);
/* A new SSE stream number, unique in this process: event ids are
 * "<stream>-<seq>", so they are unique per session and say their stream. */
unsigned long http_new_stream(void);
/* End the exchange's event stream now, telling the client to come back
 * after RETRY_MS (SSE polling); the exchange goes on.  -1 if it cannot. */
int http_exchange_poll(struct http_exchange *ex, unsigned retry_ms);
/* A GET with Last-Event-ID AFTER of the exchange's stream: REQ carries the
 * stream from now on, starting with the events the client missed. */
void http_exchange_resume(struct http_exchange *ex, h2o_req_t *req, unsigned long after);
/* The session of a legacy exchange ended: stop awaiting replies. */
void http_exchange_abandon(struct http_exchange *ex, int status, const char *why);
/* A modern exchange: tracked by the server so shutdown can end it. */
void http_exchange_link_stateless(struct http_exchange *ex);
/* Every second: modern requests still running get their reply turned
 * into an event stream with keep-alive comments, so that a client that
 * closed the connection is noticed (and its request cancelled). */
void http_exchange_tick(struct http_server *srv);
/* End every modern exchange still running (KEY_ID NULL: shutdown), or
 * those of API key KEY_ID (revoked), answering STATUS and WHY to those
 * whose reply has not begun. */
void http_exchange_abandon_stateless(struct http_server *srv, const char *key_id, int status, const char *why);
/* The HTTP status for a modern error reply (hook in http_modern.c). */
int http_modern_status(const struct http_exchange *ex, const json_t *reply);

/* --- http_legacy.c --- */
/* KEY is the request's API key, or NULL without auth: a session belongs
 * to the key that opened it, and with any other key it does not exist. */
void http_legacy_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key);
void http_legacy_get(struct http_server *srv, h2o_req_t *req, const struct mg_key *key);
void http_legacy_delete(struct http_server *srv, h2o_req_t *req, const struct mg_key *key);
void http_old_sse_open(struct http_server *srv, h2o_req_t *req, const struct mg_key *key);
void http_old_sse_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key);
/* End every session opened with key KEY_ID. */
void http_sessions_close_key(struct http_server *srv, const char *key_id);
/* Route a message unrelated to a request to the session's GET stream. */
void http_session_push(struct http_session *hs, json_t *msg);
/* Keep an event of the session for resumption. */
void http_session_record(struct http_session *hs, unsigned long stream, unsigned long seq, const char *data,
                         size_t len);
/* Write the kept events of STREAM after SEQ to ST; returns how many. */
size_t http_session_replay(struct http_session *hs, unsigned long stream, unsigned long seq, struct mg_http_stream *st);
/* The session's negotiated revision supports SSE polling (2025-11-25). */
int http_session_polls(const struct http_session *hs);
void http_session_close(struct http_session *hs);
void http_sessions_sweep(struct http_server *srv, int all);
const char *http_session_id(const struct http_session *hs);
void http_session_unlink_exchange(struct http_session *hs, struct http_exchange *ex);

/* --- http_auth.c --- */
/* The challenge sent with 403 when a key's scope does not allow a call. */
#define MG_HTTP_INSUFFICIENT_SCOPE "Bearer realm=\"mcpgate\", error=\"insufficient_scope\", scope=\"write\""
/* Read the keys of the gateway's store when the listen address or
 * opts.auth_required ask for keys; 0, or -1 after logging why (serving
 * must not start). */
int http_auth_open(struct http_server *srv);
/* Close the keyring (the gateway owns the store and its writer). */
void http_auth_close(struct http_server *srv);
/* Authenticate REQ: 0 with its key in *KEY (NULL when keys are not
 * required), or -1 after answering 400, 401 or 503.  *KEY is valid until
 * the next check. */
int http_auth_check(struct http_server *srv, h2o_req_t *req, const struct mg_key **key);

/* --- http_project.c --- */
/* A path /p/<project>/REST: the project into PROJECT and 1, else 0 (-1
 * for /p/ without a usable name); *REST and *RESTLEN get the rest of the
 * path (the whole path without the prefix). */
int http_path_project(h2o_req_t *req, char *project, size_t projlen, const char **rest, size_t *restlen);
/* The project REQ is served in, for KEY (NULL: no API keys), into OUT
 * ("" for every server): 0, or -1 when there is none, after answering
 * 400 (the key must name one) or 404 when ANSWER is set. */
int http_project_for(struct http_server *srv, h2o_req_t *req, const struct mg_key *key, char *out, size_t outlen,
                     int answer);

/* --- http_modern.c --- */
/* Nonzero when MSG is a modern request (a _meta protocol version). */
int http_is_modern(json_t *msg);
void http_modern_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key);

#endif
