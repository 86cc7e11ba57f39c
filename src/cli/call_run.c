/*
 * call_run.c - one tools/call (or resources/read) through an in-process
 * client session.
 *
 * The command line is one more client of the gateway: it opens a session
 * that sees only the tool's server (as /servers/<name>/mcp does),
 * initializes it and sends tools/call.  So the call is validated, routed,
 * timed out and cancelled exactly as any client's, and the progress
 * notifications and cancellation of MCP come with it.
 */
#include "cli/call.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "mcp/session.h"
#include "mcpgate.h"

/* JSON-RPC ids of our two requests. */
#define INIT_ID 0
#define CALL_ID 1
/* How long a cancelled call may take to end before we stop waiting. */
#define CANCEL_GRACE_MS 3000

struct run {
    struct mg_standalone *st;
    struct mg_session *s;
    struct mg_sink sink;
    const char *server;         /* the session sees only this source */
    enum mg_cli_elicit elicit;
    json_t *asked;              /* the server's requests not answered yet */
    uv_timer_t later;           /* answers them, off the session's stack */
    json_t *result, *error;     /* the call's answer (new references) */
    int done;                   /* answered, or dropped after a cancel */
    int running;                /* inside uv_run: uv_stop ends it */
    int interrupted;            /* Ctrl-C was pressed */
    int progress_shown;         /* a progress line is on stderr */
    uv_signal_t sigint;
    uv_timer_t grace;
};

static void
finish(struct run *r)
{
    r->done = 1;
    if (r->running)
        uv_stop(&r->st->loop);
}

static void
clear_progress(struct run *r)
{
    if (r->progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        r->progress_shown = 0;
    }
}

/* notifications/progress: one line, redrawn in place, on a terminal only. */
static void
show_progress(struct run *r, json_t *params)
{
    json_t *progress = json_object_get(params, "progress"), *total = json_object_get(params, "total");
    const char *message = json_string_value(json_object_get(params, "message"));

    if (!isatty(STDERR_FILENO) || !json_is_number(progress))
        return;
    fputs("\r\033[K", stderr);
    if (json_is_number(total) && json_number_value(total) > 0)
        fprintf(stderr, "progress: %g/%g (%.0f%%)", json_number_value(progress),
                json_number_value(total), 100.0 * json_number_value(progress) / json_number_value(total));
    else
        fprintf(stderr, "progress: %g", json_number_value(progress));
    if (message != NULL)
        fprintf(stderr, " %.*s", 100, message);
    fflush(stderr);
    r->progress_shown = 1;
}

/* A request of the server's during the call: elicitation is answered
 * (the session declared it); nothing else was declared. */
static json_t *
answer(struct run *r, json_t *msg)
{
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *id = json_object_get(msg, "id");

    if (strcmp(method, "elicitation/create") == 0) {
        clear_progress(r);
        return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result",
                         mg_cli_elicit(json_object_get(msg, "params"), r->elicit, r->server));
    }
    return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id, "error", "code", -32601, "message",
                     "the mcpgate command line does not answer this request");
}

/* The session's sink may not feed the session from inside send (its
 * contract): the server's requests are answered from the next loop turn. */
static void
on_later(uv_timer_t *t)
{
    struct run *r = t->data;
    json_t *asked = r->asked, *msg;
    size_t i;

    r->asked = json_array();
    json_array_foreach (asked, i, msg) {
        json_t *reply = answer(r, msg);
        mg_session_receive(r->s, reply, &r->sink);
        json_decref(reply);
    }
    json_decref(asked);
}

/* Everything the session sends us: replies, progress, log messages. */
static void
on_message(void *ctx, json_t *msg)
{
    struct run *r = ctx;
    json_t *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));

    if (json_is_integer(id) && json_integer_value(id) == CALL_ID && method == NULL) {
        r->result = json_incref(json_object_get(msg, "result"));
        r->error = json_incref(json_object_get(msg, "error"));
        finish(r);
    } else if (method != NULL && strcmp(method, "notifications/progress") == 0) {
        show_progress(r, json_object_get(msg, "params"));
    } else if (method != NULL && id != NULL) {
        json_array_append(r->asked, msg);
        uv_timer_start(&r->later, on_later, 0, 0);
    }
}

/* The call ended without an answer: it was cancelled. */
static void
on_dropped(void *ctx)
{
    finish(ctx);
}

static void
on_grace(uv_timer_t *t)
{
    finish(t->data);
}

/* Ctrl-C: cancel the call as a client would, and wait a little for the
 * server to let go of it; a second Ctrl-C stops waiting. */
static void
on_sigint(uv_signal_t *sig, int signum)
{
    struct run *r = sig->data;
    json_t *cancel;

    (void)signum;
    if (r->interrupted) {
        finish(r);
        return;
    }
    r->interrupted = 1;
    clear_progress(r);
    fputs("mcpgate: cancelling the call (Ctrl-C again to stop waiting)\n", stderr);
    cancel = json_pack("{s:s, s:s, s:{s:i, s:s}}", "jsonrpc", "2.0", "method", "notifications/cancelled", "params",
                       "requestId", CALL_ID, "reason", "interrupted at the terminal (Ctrl-C)");
    mg_session_receive(r->s, cancel, &r->sink);
    json_decref(cancel);
    uv_timer_start(&r->grace, on_grace, CANCEL_GRACE_MS, 0);
}

/* Send MSG (stolen) into the session. */
static void
send_msg(struct run *r, json_t *msg)
{
    mg_session_receive(r->s, msg, &r->sink);
    json_decref(msg);
}

static void
start_request(struct run *r, const char *method, json_t *params)
{
    send_msg(r, json_pack("{s:s, s:i, s:s, s:{s:s, s:{s:{s:{}}}, s:{s:s, s:s}}}", "jsonrpc", "2.0", "id", INIT_ID, "method",
                          "initialize", "params", "protocolVersion", "2025-11-25", "capabilities", "elicitation", "form", "clientInfo",
                          "name", "mcpgate", "version", MG_VERSION));
    send_msg(r, json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", "notifications/initialized"));
    send_msg(r, json_pack("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id", CALL_ID, "method", method, "params", params));
}

int
mg_cli_run(struct mg_standalone *st, const struct mg_tool *tool, json_t *args, enum mg_cli_elicit elicit,
           json_t **result, json_t **error)
{
    json_t *params = json_pack("{s:s, s:O, s:{s:s}}", "name", tool->local_name, "arguments", args, "_meta",
                               "progressToken", "mcpgate-call");
    int rc = mg_cli_request(st, tool->bundle->ns, "tools/call", params, elicit, result, error);

    json_decref(params);
    return rc;
}

int
mg_cli_request(struct mg_standalone *st, const char *server, const char *method, json_t *params,
               enum mg_cli_elicit elicit, json_t **result, json_t **error)
{
    struct run r;

    memset(&r, 0, sizeof(r));
    r.st = st;
    r.server = server;
    r.elicit = elicit;
    r.asked = json_array();
    r.sink.send = on_message;
    r.sink.dropped = on_dropped;
    r.sink.ctx = &r;
    r.s = mg_session_new(st->gw, &r.sink);
    mg_session_set_view(r.s, server);
    uv_signal_init(&st->loop, &r.sigint);
    uv_timer_init(&st->loop, &r.grace);
    uv_timer_init(&st->loop, &r.later);
    r.sigint.data = r.grace.data = r.later.data = &r;
    uv_signal_start(&r.sigint, on_sigint, SIGINT);

    start_request(&r, method, params);
    if (!r.done) { /* an inline tool may have answered already */
        r.running = 1;
        uv_run(&st->loop, UV_RUN_DEFAULT);
        r.running = 0;
    }
    clear_progress(&r);
    mg_session_close(r.s);
    /* Back to the default: a Ctrl-C while the servers stop ends us. */
    uv_close((uv_handle_t *)&r.sigint, NULL);
    uv_close((uv_handle_t *)&r.grace, NULL);
    uv_close((uv_handle_t *)&r.later, NULL);
    uv_run(&st->loop, UV_RUN_NOWAIT); /* runs the close callbacks: R is on our stack */
    json_decref(r.asked);
    if (r.interrupted && r.result == NULL && r.error == NULL)
        return 130;
    if (r.result == NULL && r.error == NULL) /* never happens: the session always answers */
        r.error = json_pack("{s:i, s:s}", "code", -32603, "message", "the call ended without an answer");
    *result = r.result;
    *error = r.error;
    return 0;
}
