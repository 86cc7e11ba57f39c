/*
 * http_link.h - one upstream MCP server over HTTP, both ways.
 *
 * The HTTP transports of MCP from the client side.  The link carries
 * JSON-RPC messages and knows just enough MCP to move them: it does not
 * hold requests or time them out (the rpc layer above does), but it reads
 * each outgoing message for its id and method, so that an HTTP failure
 * always turns into a JSON-RPC error for the request it carried.
 *
 * Streamable HTTP (2025-03-26 .. 2025-11-25, and the 2026-07-28 headers):
 *   - every message is one POST; a 202 accepts it; a 200 answers with one
 *     JSON message (or a batch), or with an event stream whose events are
 *     handed on as they arrive;
 *   - Mcp-Session-Id is taken from the initialize response and sent from
 *     then on; MCP-Protocol-Version once the owner sets it;
 *   - a request stream that ends before its response is resumed with GET
 *     and Last-Event-ID after the server's retry delay (SEP-1699), a few
 *     times at most;
 *   - once notifications/initialized is accepted, the standalone GET
 *     stream is opened (405: the server has none) and reopened while up;
 *   - a 404 to a request that carried the session id means the session
 *     expired: DOWN, then UP again, and the owner initializes anew.
 * HTTP+SSE (2024-11-05), transport `sse`, or `auto` when the initialize
 * POST gets 400, 404 or 405: a GET stream announces the endpoint (which
 * must be on the URL's origin, else the link stays DOWN), messages are
 * POSTed there, and every message from the server comes on the stream.
 * In `auto` the initialize is re-sent over it: the owner never notices.
 * When that stream ends the session is gone: DOWN, and UP once a new
 * stream has announced its endpoint.
 *
 * Failures become messages: a request whose POST fails (connection,
 * HTTP 4xx/5xx, a body that is neither JSON nor an event stream, a
 * message over max_message, a stream that ends unanswered) gets a
 * JSON-RPC error through on_message naming the server, e.g.
 *   upstream docs: HTTP 500 from http://127.0.0.1:1234/mcp: Internal Server Error
 *
 * Every callback runs on the loop thread, never from inside a call to this
 * module; a callback may call any function here except mg_http_link_free().
 */
#ifndef MG_UPSTREAM_HTTP_LINK_H
#define MG_UPSTREAM_HTTP_LINK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream/curl_loop.h"

/* A request stream is resumed this many times at most. */
#define MG_HTTP_LINK_MAX_RESUMES 5
/* Waits before reconnecting a GET stream: the server's retry, else this,
 * doubling up to the max. */
#define MG_HTTP_LINK_RETRY_MS 1000u
#define MG_HTTP_LINK_RETRY_MIN_MS 100u /* a server's "retry: 0" does not make us spin */
#define MG_HTTP_LINK_RETRY_MAX_MS 30000u
/* How long DELETE may take when a session is ended. */
#define MG_HTTP_LINK_DELETE_TIMEOUT_MS 2000u
/* Messages queued while the legacy endpoint is awaited. */
#define MG_HTTP_LINK_MAX_QUEUED 64

enum mg_http_link_event {
    MG_HTTP_LINK_UP,   /* mg_http_link_send() is accepted; (re)initialize */
    MG_HTTP_LINK_DOWN, /* the session is gone; nothing pending will be answered */
};

struct mg_http_link_opts {
    const char *name;                  /* server name, for logs and errors */
    const char *url;                   /* http:// or https:// */
    int transport;                     /* enum mg_config_transport, not STDIO */
    const char *const *header_keys;    /* sent with every request (from config) */
    const char *const *header_values;
    size_t nheaders;
    size_t max_message;                /* largest body or event; 0: MG_MAX_MESSAGE_DEFAULT */
    unsigned connect_timeout_ms;       /* 0: curl's default */
    /* One JSON-RPC message from the server (JSON borrowed). */
    void (*on_message)(void *ctx, const char *json, size_t len);
    /* UP or DOWN; WHY for logs and status (borrowed). */
    void (*on_state)(void *ctx, enum mg_http_link_event ev, const char *why);
    void *ctx;
};

struct mg_http_link;

/*
 * A link to the server of OPTS (strings copied), sending through CL.  UP
 * comes on a later loop turn (for `sse`, once the endpoint is known).
 * Returns NULL if OPTS lacks a name, url or callback, or its transport is
 * not an HTTP one.
 */
struct mg_http_link *mg_http_link_start(struct mg_curl_loop *cl, const struct mg_http_link_opts *o);

/*
 * Send one JSON-RPC message (or batch), LEN bytes of JSON (copied).
 * Returns 0, or -1 when the link is not UP or JSON is not a JSON object
 * or array.  After 0, a request gets an answer (the server's, or a
 * synthesised error) unless DOWN is reported first: like a stdio child's
 * exit, DOWN ends whatever is pending.
 */
int mg_http_link_send(struct mg_http_link *l, const char *json, size_t len);
/* The same, with PARAMS (borrowed, may be NULL): {name: argument value}
 * sent as Mcp-Param-<name> headers (2026-07-28 x-mcp-header). */
int mg_http_link_send_params(struct mg_http_link *l, const char *json, size_t len, json_t *params);

/* Give up on request ID: the exchange that carries it alone is closed
 * (with 2026-07-28, closing the response stream is how a client
 * cancels) and nothing is answered for it.  Returns 0, or -1 when no
 * exchange carries ID alone (its answer came, or it shares a batch). */
int mg_http_link_abort_request(struct mg_http_link *l, int64_t id);

/* The protocol version the initialize settled on, sent from now on as
 * MCP-Protocol-Version (Streamable HTTP; copied). */
void mg_http_link_set_protocol_version(struct mg_http_link *l, const char *v);

/* Forget the session (DELETE it), abort every exchange, report DOWN, then
 * UP again once a new session can begin. */
void mg_http_link_reset(struct mg_http_link *l);

/*
 * Stop for good: DELETE the session (briefly, result ignored), abort
 * everything; DONE(CTX) once every transfer and handle is gone.  No
 * callback but DONE runs after this.  Call once; DONE may be NULL.
 */
void mg_http_link_stop(struct mg_http_link *l, void (*done)(void *), void *ctx);

/* Free a link whose stop has finished. */
void mg_http_link_free(struct mg_http_link *l);

#endif
