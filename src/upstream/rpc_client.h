/*
 * rpc_client.h - the client side of JSON-RPC toward one upstream server.
 *
 * The gateway is a client to every upstream.  This layer owns the request
 * ids of one upstream connection (fresh integers, never a client's id, so
 * requests from many client sessions can share the connection), matches
 * responses to their callers, bounds how long each may take, and hands
 * notifications and server-to-client requests to its owner.  It knows
 * nothing of the transport: lines go out through send_line and come in
 * through mg_rpc_client_feed().
 */
#ifndef MG_UPSTREAM_RPC_CLIENT_H
#define MG_UPSTREAM_RPC_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* The answer to a request: RESULT or ERROR (both borrowed); both NULL
 * when no answer will come (WHY says why: timeout, connection lost). */
typedef void (*mg_rpc_reply_fn)(void *data, json_t *result, json_t *error, const char *why);

struct mg_rpc_pending;

struct mg_rpc_client {
    uv_loop_t *loop;
    const char *name;   /* the upstream's name, for logs (borrowed) */
    /* Write one message as a line; -1 when it cannot be sent now. */
    int (*send_line)(void *ctx, const char *line, size_t len);
    /* A notification from the upstream (params borrowed, may be NULL). */
    void (*on_notification)(void *ctx, const char *method, json_t *params);
    /* A request from the upstream (sampling, elicitation, roots, ping);
     * the owner answers with mg_rpc_client_respond(). */
    void (*on_request)(void *ctx, json_t *id, const char *method, json_t *params);
    /* Cancel request ID the transport's way, or -1 to have
     * notifications/cancelled sent (NULL: always sent). */
    int (*cancel)(void *ctx, int64_t id);
    void *ctx;
    size_t max_message;
    /* private */
    int64_t next_id;
    struct mg_rpc_pending *pending;
    size_t npending;
    uv_timer_t timer;   /* expires pending requests */
    int timer_on;
    int closing;
    void (*close_cb)(struct mg_rpc_client *c);
};

/* Set up C (its callbacks and ctx set by the caller first). */
void mg_rpc_client_init(struct mg_rpc_client *c, uv_loop_t *loop);

/*
 * Send a request (params stolen, may be NULL).  FN runs exactly once, with
 * the answer, or with WHY after TIMEOUT_MS (0: none) or when the
 * connection is lost.  Returns the request id, or -1 when it could not be
 * sent (FN has then already run).
 *
 * At the deadline WHY is "no answer within N s" (N as configured: "2",
 * "0.5"), and the upstream is sent notifications/cancelled for the id
 * with that reason, except for initialize, which MCP forbids cancelling.
 * A late answer is dropped.
 */
int64_t mg_rpc_client_call(struct mg_rpc_client *c, const char *method, json_t *params, unsigned timeout_ms,
                           mg_rpc_reply_fn fn, void *data);

/* Forget request ID: its FN will not run (e.g. the caller was cancelled). */
void mg_rpc_client_forget(struct mg_rpc_client *c, int64_t id);
/* The caller gave up on request ID for REASON: the upstream is told to
 * stop (the transport's cancel, else notifications/cancelled) and the
 * request forgotten. */
void mg_rpc_client_cancel(struct mg_rpc_client *c, int64_t id, const char *reason);

/* Send a notification (params stolen, may be NULL). */
int mg_rpc_client_notify(struct mg_rpc_client *c, const char *method, json_t *params);

/* Answer a request from the upstream: RESULT (stolen) or an error. */
int mg_rpc_client_respond(struct mg_rpc_client *c, json_t *id, json_t *result);
int mg_rpc_client_respond_error(struct mg_rpc_client *c, json_t *id, int code, const char *message);

/* One line from the upstream.  Junk is logged and dropped: an upstream
 * that misbehaves never takes the gateway down. */
void mg_rpc_client_feed(struct mg_rpc_client *c, const char *line, size_t len);

/* The connection is gone: every pending FN runs with WHY. */
void mg_rpc_client_fail_all(struct mg_rpc_client *c, const char *why);

/* Fail everything pending and close the timer; CB (may be NULL) runs once
 * the client can be freed. */
void mg_rpc_client_close(struct mg_rpc_client *c, void (*cb)(struct mg_rpc_client *c));

#endif
