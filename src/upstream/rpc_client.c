/*
 * rpc_client.c - requests to one upstream and their answers.
 */
#include "upstream/rpc_client.h"

#include <stdio.h>
#include <string.h>

#include "json/jsonrpc.h"
#include "util/alloc.h"
#include "util/log.h"

#define SWEEP_MS 100 /* how often deadlines are checked */

struct mg_rpc_pending {
    struct mg_rpc_pending *prev, *next;
    int64_t id;
    uint64_t deadline;  /* uv_now(); 0: none */
    unsigned timeout_ms;
    int cancellable;    /* the upstream is told when it expires */
    char method[32];    /* for the log, cut to fit */
    mg_rpc_reply_fn fn;
    void *data;
};

void
mg_rpc_client_init(struct mg_rpc_client *c, uv_loop_t *loop)
{
    c->loop = loop;
    c->next_id = 1;
    c->pending = NULL;
    c->npending = 0;
    c->closing = 0;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->timer_on = 0;
}

static void
unlink_pending(struct mg_rpc_client *c, struct mg_rpc_pending *p)
{
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        c->pending = p->next;
    if (p->next != NULL)
        p->next->prev = p->prev;
    c->npending--;
}

static struct mg_rpc_pending *
find_pending(struct mg_rpc_client *c, int64_t id)
{
    for (struct mg_rpc_pending *p = c->pending; p != NULL; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

/* End P with an answer or a reason; P is freed first, so FN may call in. */
static void
finish(struct mg_rpc_client *c, struct mg_rpc_pending *p, json_t *result, json_t *error, const char *why)
{
    mg_rpc_reply_fn fn = p->fn;
    void *data = p->data;

    unlink_pending(c, p);
    mg_free(p);
    fn(data, result, error, why);
}

static int
send_msg(struct mg_rpc_client *c, json_t *msg)
{
    size_t len;
    char *text = mg_rpc_encode(msg, &len);
    int rc = c->send_line(c->ctx, text, len);

    mg_free(text);
    return rc;
}

static int tell_cancelled(struct mg_rpc_client *c, int64_t id, const char *reason);

/* P is past its deadline: tell the upstream to stop working on it (MCP
 * cancellation: notifications/cancelled with its requestId), then tell
 * the caller.  The reason names the limit, e.g. "no answer within 2 s";
 * the caller puts the server's name in front. */
static void
expire(struct mg_rpc_client *c, struct mg_rpc_pending *p)
{
    char why[64], secs[24];
    size_t n;

    /* Seconds as configured: "2", "0.5", "1.25" (never "1e+06"). */
    n = (size_t)snprintf(secs, sizeof(secs), "%u.%03u", p->timeout_ms / 1000, p->timeout_ms % 1000);
    while (secs[n - 1] == '0')
        secs[--n] = '\0';
    if (secs[n - 1] == '.')
        secs[--n] = '\0';
    snprintf(why, sizeof(why), "no answer within %s s", secs);
    /* Best effort: a connection that cannot take it is ending anyway. */
    if (p->cancellable && !c->closing && tell_cancelled(c, p->id, why) != 0)
        mg_log_debug("upstream %s: could not send the cancellation of request %lld", c->name, (long long)p->id);
    if (p->cancellable)
        mg_log_warn("upstream %s: %s (request %lld): %s; cancelled", c->name, p->method, (long long)p->id, why);
    else /* the caller says what it means (a failed handshake) */
        mg_log_debug("upstream %s: %s (request %lld): %s", c->name, p->method, (long long)p->id, why);
    finish(c, p, NULL, NULL, why);
}

static void
on_sweep(uv_timer_t *t)
{
    struct mg_rpc_client *c = t->data;
    uint64_t now = uv_now(c->loop);
    struct mg_rpc_pending *p, *next;
    int any = 0;

    for (p = c->pending; p != NULL; p = next) {
        next = p->next;
        if (p->deadline != 0 && now >= p->deadline) {
            expire(c, p);
            next = c->pending; /* FN may have changed the list: rescan */
            continue;
        }
        any |= p->deadline != 0;
    }
    if (!any) {
        uv_timer_stop(&c->timer);
        c->timer_on = 0;
    }
}

int64_t
mg_rpc_client_call(struct mg_rpc_client *c, const char *method, json_t *params, unsigned timeout_ms,
                   mg_rpc_reply_fn fn, void *data)
{
    int64_t id = c->next_id++;
    json_t *idv = json_integer(id), *msg = mg_rpc_make_request(idv, method, params);
    struct mg_rpc_pending *p;
    int rc;

    json_decref(idv);
    rc = c->closing ? -1 : send_msg(c, msg);
    json_decref(msg);
    if (rc != 0) {
        fn(data, NULL, NULL, "the upstream connection is not open");
        return -1;
    }
    p = mg_calloc(1, sizeof(*p));
    p->id = id;
    p->fn = fn;
    p->data = data;
    /* MCP: "The initialize request MUST NOT be cancelled by clients." */
    p->cancellable = strcmp(method, "initialize") != 0;
    snprintf(p->method, sizeof(p->method), "%s", method);
    if (timeout_ms > 0) {
        p->timeout_ms = timeout_ms;
        p->deadline = uv_now(c->loop) + timeout_ms;
        if (!c->timer_on) {
            uv_timer_start(&c->timer, on_sweep, SWEEP_MS, SWEEP_MS);
            c->timer_on = 1;
        }
    }
    p->next = c->pending;
    if (p->next != NULL)
        p->next->prev = p;
    c->pending = p;
    c->npending++;
    return id;
}

void
mg_rpc_client_forget(struct mg_rpc_client *c, int64_t id)
{
    struct mg_rpc_pending *p = find_pending(c, id);

    if (p != NULL) {
        unlink_pending(c, p);
        mg_free(p);
    }
}

/* Tell the upstream to stop working on ID (MCP cancellation); 0 if told. */
static int
tell_cancelled(struct mg_rpc_client *c, int64_t id, const char *reason)
{
    json_t *msg;
    int rc;

    if (c->closing)
        return -1;
    if (c->cancel != NULL && c->cancel(c->ctx, id) == 0)
        return 0;
    msg = mg_rpc_make_notification("notifications/cancelled",
                                   json_pack("{s:I, s:s}", "requestId", (json_int_t)id, "reason", reason));
    rc = send_msg(c, msg);
    json_decref(msg);
    return rc;
}

void
mg_rpc_client_cancel(struct mg_rpc_client *c, int64_t id, const char *reason)
{
    if (find_pending(c, id) != NULL)
        tell_cancelled(c, id, reason);
    mg_rpc_client_forget(c, id);
}

int
mg_rpc_client_notify(struct mg_rpc_client *c, const char *method, json_t *params)
{
    json_t *msg = mg_rpc_make_notification(method, params);
    int rc = c->closing ? -1 : send_msg(c, msg);

    json_decref(msg);
    return rc;
}

int
mg_rpc_client_respond(struct mg_rpc_client *c, json_t *id, json_t *result)
{
    json_t *msg = mg_rpc_make_result(id, result);
    int rc = c->closing ? -1 : send_msg(c, msg);

    json_decref(msg);
    return rc;
}

int
mg_rpc_client_respond_error(struct mg_rpc_client *c, json_t *id, int code, const char *message)
{
    json_t *msg = mg_rpc_make_error(id, code, message, NULL);
    int rc = c->closing ? -1 : send_msg(c, msg);

    json_decref(msg);
    return rc;
}

void
mg_rpc_client_feed(struct mg_rpc_client *c, const char *line, size_t len)
{
    struct mg_rpc_error err;
    struct mg_rpc_msg m;
    struct mg_rpc_pending *p;
    json_t *msg;

    if (len > c->max_message && c->max_message > 0) {
        mg_log_warn("upstream %s: a %zu-byte message is over the limit; dropped", c->name, len);
        return;
    }
    if ((msg = mg_rpc_decode(line, len, &err)) == NULL) {
        mg_log_warn("upstream %s: not JSON-RPC (%s); line dropped", c->name, err.message);
        return;
    }
    if (json_is_array(msg) || mg_rpc_classify(msg, &m, &err) != 0) {
        mg_log_warn("upstream %s: %s; message dropped", c->name,
                    json_is_array(msg) ? "a batch, which mcpgate never asked for" : err.message);
        json_decref(msg);
        return;
    }
    switch (m.kind) {
    case MG_RPC_RESPONSE:
    case MG_RPC_ERROR_RESPONSE:
        if (!json_is_integer(m.id) || (p = find_pending(c, json_integer_value(m.id))) == NULL) {
            /* Late (timed out, forgotten) or not ours. */
            mg_log_debug("upstream %s: a response to no request in progress; dropped", c->name);
            break;
        }
        finish(c, p, m.result, m.error, NULL);
        break;
    case MG_RPC_NOTIFICATION:
        if (c->on_notification != NULL)
            c->on_notification(c->ctx, m.method, m.params);
        break;
    case MG_RPC_REQUEST:
        if (c->on_request != NULL)
            c->on_request(c->ctx, m.id, m.method, m.params);
        else
            mg_rpc_client_respond_error(c, m.id, MG_RPC_METHOD_NOT_FOUND, "Method not found");
        break;
    }
    json_decref(msg);
}

void
mg_rpc_client_fail_all(struct mg_rpc_client *c, const char *why)
{
    while (c->pending != NULL)
        finish(c, c->pending, NULL, NULL, why);
}

static void
on_timer_closed(uv_handle_t *h)
{
    struct mg_rpc_client *c = h->data;

    if (c->close_cb != NULL)
        c->close_cb(c);
}

void
mg_rpc_client_close(struct mg_rpc_client *c, void (*cb)(struct mg_rpc_client *c))
{
    c->closing = 1;
    mg_rpc_client_fail_all(c, "the upstream connection closed");
    c->close_cb = cb;
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}
