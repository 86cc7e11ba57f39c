/*
 * session.h - one client of the gateway, and its requests in flight.
 *
 * A session is what a transport feeds: the stdio transport has one for the
 * life of the process; the HTTP front door has one per legacy session and a
 * short-lived one per modern (stateless) request.  Whatever the transport,
 * the era of each request is decided here, in mg_session_receive(), and
 * everything above works on one model: a request (struct mg_req) that ends
 * with exactly one reply.
 *
 * Messages leave through sinks.  A request's reply and the notifications
 * that belong to it (progress, log messages) go to the sink the request
 * came in on; other server messages go to the session's own sink.
 */
#ifndef MG_MCP_SESSION_H
#define MG_MCP_SESSION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/key.h"
#include "mcp/version.h"

struct mg_gateway;
struct mg_project_config;
struct mg_session;
struct mg_req;
struct mg_listen;
struct mg_call_row;
struct mg_store_writer;

/* Where outgoing messages go.  `send` gets a borrowed message; it must
 * not feed the session from inside (an in-process client answers a
 * request of the session's from a later loop turn). */
struct mg_sink {
    void (*send)(void *ctx, json_t *msg);
    void *ctx;
    /* Optional: a request that came in on this sink ended without a reply
     * (the client cancelled it), so a transport awaiting replies can stop
     * waiting for this one. */
    void (*dropped)(void *ctx);
    /* Optional: end the event stream carrying this sink's messages now and
     * have the client reconnect after `retry_ms` to resume it (SSE polling,
     * 2025-11-25).  Returns 0 when done, -1 when the transport cannot. */
    int (*close_stream)(void *ctx, unsigned retry_ms);
};

/* The replies of one JSON-RPC batch (2025-03-26), sent together. */
struct mg_batch {
    json_t *replies;    /* array of response messages */
    size_t pending;     /* requests of the batch still running */
    int fed;            /* every member has been dispatched */
    int dead;           /* the session went away: send nothing */
    struct mg_sink sink;
};

/* MCP log levels (RFC 5424 order); MG_MCP_LOG_OFF sends nothing. */
enum mg_mcp_log_level {
    MG_MCP_LOG_DEBUG = 0,
    MG_MCP_LOG_INFO,
    MG_MCP_LOG_NOTICE,
    MG_MCP_LOG_WARNING,
    MG_MCP_LOG_ERROR,
    MG_MCP_LOG_CRITICAL,
    MG_MCP_LOG_ALERT,
    MG_MCP_LOG_EMERGENCY,
    MG_MCP_LOG_OFF,
};

/* One request in flight. */
struct mg_req {
    struct mg_session *s;       /* NULL once the session has gone */
    struct mg_req *prev, *next; /* the session's in-flight list */
    json_t *id;                 /* as the client sent it */
    char *method;
    enum mg_era era;
    const char *version;        /* the revision this request is answered under (static) */
    json_t *caps;               /* client capabilities that apply to it */
    json_t *progress_token;     /* params._meta.progressToken, or NULL */
    json_t *meta;               /* params._meta but the protocol's keys (meta.h), or NULL */
    int log_level;              /* enum mg_mcp_log_level threshold */
    struct mg_sink sink;
    struct mg_batch *batch;     /* or NULL */
    int cancelled;
    int has_progress;
    double last_progress;
    void (*on_cancel)(struct mg_req *req, void *data);
    void *cancel_data;
    /* tools/call: its call record while it runs (call_record.c); row
     * is NULL when calls are not recorded. */
    struct mg_req_record {
        struct mg_call_row *row;
        struct mg_store_writer *to;     /* where it is queued */
        uint64_t start_ns;              /* arrival, monotonic clock */
        json_t *name;                   /* params.name, until the tool is found */
    } record;
};

/* The client's answer to a request the gateway sent it: `result` or
 * `error` (both borrowed), or both NULL when the session ended first. */
typedef void (*mg_answer_fn)(void *data, json_t *result, json_t *error);

/* A request the gateway sent to the client, awaiting its response. */
struct mg_outreq {
    struct mg_session *s;
    struct mg_outreq *next;
    json_t *id;
    mg_answer_fn fn;
    void *data;
};

/*
 * Who a session acts for, set by the transport before the first message
 * (mg_session_set_caller).  Without API keys (stdio, loopback without
 * auth: required) key.id is "" and the scope is write: whoever reached
 * the gateway is trusted.
 */
struct mg_caller {
    struct mg_key key;          /* a copy of the request's API key */
    char *project;              /* the project served, or NULL: every server */
    /* The project as configured (gw->cfg's), or NULL: every server (no
     * project, or a config without projects, where a key's projects are
     * labels only). */
    const struct mg_project_config *servers;
    char *session_id;           /* legacy HTTP session id, or NULL */
};

struct mg_session {
    struct mg_gateway *gw;
    struct mg_caller caller;
    struct mg_sink sink;        /* server messages unrelated to a request */
    int initialized;            /* legacy: initialize answered */
    int ready;                  /* legacy: notifications/initialized received */
    const char *version;        /* legacy: negotiated revision (static) */
    json_t *client_caps;        /* legacy: from initialize */
    json_t *client_info;        /* legacy: from initialize */
    int log_level;              /* legacy: logging/setLevel threshold */
    int log_level_set;          /* ... the client sent one (upstreams are told: upstream_level.c) */
    char *view;                 /* one source's name (/servers/<name>/mcp), or NULL: the whole catalog */
    struct mg_req *inflight;    /* requests not yet answered */
    size_t inflight_count;
    struct mg_outreq *outreqs;  /* requests sent to the client, unanswered */
    unsigned long next_out_id;
    int closing;                /* mg_session_close() is running */
    void (*on_idle)(struct mg_session *s, void *data); /* inflight dropped to 0 */
    void *idle_data;
    /* subscriptions.c */
    struct mg_session *gw_prev, *gw_next; /* every session of the gateway */
    json_t *subscribed;         /* legacy: resource URIs subscribed to */
    struct mg_listen *listens;  /* modern: open subscriptions/listen requests */
};

/* Act for KEY (copied; NULL: no API keys) in PROJECT (copied; NULL:
 * every server), in the transport's session SESSION_ID (copied, or NULL). */
void mg_session_set_caller(struct mg_session *s, const struct mg_key *key, const char *project,
                           const char *session_id);

/* 1 when S's project has the configured server NAME (always, without one). */
int mg_session_serves(const struct mg_session *s, const char *name);

/* See only source VIEW, under its own names (copied; NULL: everything). */
void mg_session_set_view(struct mg_session *s, const char *view);

/* A new session whose unrelated messages go to `sink`. */
struct mg_session *mg_session_new(struct mg_gateway *gw, const struct mg_sink *sink);

/*
 * End the session: requests still running are cancelled (their handlers
 * see mg_call_cancelled() and their replies are dropped) and the session is
 * freed at once.
 */
void mg_session_close(struct mg_session *s);

/*
 * Handle one framed message (a stdio line, an HTTP body) of `len` bytes.
 * Replies go to `sink`.  Malformed input is answered with an error; nothing
 * here ever aborts on peer input.
 */
void mg_session_receive_text(struct mg_session *s, const char *buf, size_t len, const struct mg_sink *sink);

/* The same for an already decoded message or batch (borrowed). */
void mg_session_receive(struct mg_session *s, json_t *msg, const struct mg_sink *sink);

/* --- requests (used by request handlers) --------------------------------- */

/* Answer `req` with `result` (steals) and free it. */
void mg_req_reply(struct mg_req *req, json_t *result);
/* Answer `req` with a JSON-RPC error (data stolen, may be NULL) and free it. */
void mg_req_fail(struct mg_req *req, int code, const char *message, json_t *data);
/* The tool `req` (tools/call) runs: SERVER, the source that has it, and
 * TOOL, its own name there (both copied), for the call record. */
void mg_req_set_tool(struct mg_req *req, const char *server, const char *tool);
/* Send a notification to S that belongs to no request (params stolen). */
void mg_session_notify(struct mg_session *s, const char *method, json_t *params);
/* Send a notification that belongs to `req` (params stolen). */
void mg_req_notify(struct mg_req *req, const char *method, json_t *params);
/*
 * Send a request to the client (legacy sessions only), on the sink of
 * `req`, whose work it serves; params are stolen.  `fn` runs once, with the
 * answer.  Returns a handle for mg_outreq_cancel().
 */
struct mg_outreq *mg_req_ask(struct mg_req *req, const char *method, json_t *params, mg_answer_fn fn, void *data);
/* Withdraw a request sent with mg_req_ask(): the client is told with
 * notifications/cancelled, and its `fn` will not run. */
void mg_outreq_cancel(struct mg_outreq *o);
/* Ask the transport to end the stream carrying `req`'s messages, the
 * client resuming it later (see struct mg_sink); -1 if it cannot. */
int mg_req_close_stream(struct mg_req *req, unsigned retry_ms);
/* 1 if the client capability at dotted `path` applies to `req`. */
int mg_req_client_has(const struct mg_req *req, const char *path);
/* 1 if client capabilities `caps` (may be NULL) have dotted `path`. */
int mg_caps_have(const json_t *caps, const char *path);
/* Parse an MCP log level name; -1 if unknown. */
int mg_mcp_log_level_parse(const char *name);
const char *mg_mcp_log_level_name(int level);

#endif
