/*
 * upstream_forward.c - calls forwarded to an upstream, and what the
 * upstream sends of its own accord (notifications, requests).
 *
 * Request ids and progress tokens are the gateway's own upstream: many
 * client sessions share one connection, and their ids and tokens are
 * unique only per client.  Answers and progress are mapped back to the
 * call that caused them.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

static void
fwd_unlink(struct fwd *f)
{
    if (f->prev != NULL)
        f->prev->next = f->next;
    else
        f->u->fwds = f->next;
    if (f->next != NULL)
        f->next->prev = f->prev;
}

static void
fwd_reply(void *data, json_t *result, json_t *error, const char *why)
{
    struct fwd *f = data;
    struct mg_call *call = f->call;
    char msg[400];

    fwd_unlink(f);
    if (result != NULL) {
        mg_call_finish_result(call, result);
    } else if (error != NULL) {
        /* The upstream's own error, as it gave it. */
        json_t *code = json_object_get(error, "code"), *data_v = json_object_get(error, "data");
        const char *text = json_string_value(json_object_get(error, "message"));
        mg_call_fail_rpc(call, json_is_integer(code) ? (int)json_integer_value(code) : MG_RPC_INTERNAL_ERROR,
                         text ? text : "the upstream answered with an error", data_v ? json_incref(data_v) : NULL);
    } else {
        snprintf(msg, sizeof(msg), "Upstream %s: %s", f->u->sc->name, why);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
    }
    mg_free(f);
}

/* The client cancelled: tell the upstream, forget its answer. */
static void
fwd_cancel(struct mg_call *call, void *data)
{
    struct fwd *f = data;
    struct mg_upstream *u = f->u;

    mg_rpc_client_notify(&u->rpc, "notifications/cancelled",
                         json_pack("{s:I, s:s}", "requestId", (json_int_t)f->id, "reason", "the client cancelled"));
    mg_rpc_client_forget(&u->rpc, f->id);
    fwd_unlink(f);
    mg_free(f);
    mg_call_fail(call, "cancelled");
}

void
mg_upstream_forward(struct mg_call *call, json_t *args, void *udata)
{
    struct mg_upstream *u = udata;
    struct fwd *f;
    json_t *params;
    int64_t id;

    if (u->state != MG_UPSTREAM_READY) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Upstream %s is not connected (%s%s%s); try again later", u->sc->name,
                 mg_upstream_state_name(u->state), u->last_error[0] ? ": " : "", u->last_error);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return;
    }
    f = mg_calloc(1, sizeof(*f));
    f->u = u;
    f->call = call;
    params = json_pack("{s:s, s:o}", "name", mg_call_upstream_name(call), "arguments",
                       args != NULL ? json_incref(args) : json_object());
    if (mg_call_progress_token(call) != NULL) {
        /* Tokens are unique per sender only: ours replaces the client's. */
        snprintf(f->token, sizeof(f->token), "mg-%lu", ++u->next_token);
        json_object_set_new(params, "_meta", json_pack("{s:s}", "progressToken", f->token));
    }
    f->next = u->fwds;
    if (f->next != NULL)
        f->next->prev = f;
    u->fwds = f;
    id = mg_rpc_client_call(&u->rpc, "tools/call", params, u->sc->timeout_ms, fwd_reply, f);
    if (id < 0)
        return; /* fwd_reply has ended the call */
    f->id = id;
    mg_call_on_cancel(call, fwd_cancel, f);
}

static void
on_progress(struct mg_upstream *u, json_t *params)
{
    const char *token = json_string_value(json_object_get(params, "progressToken"));

    if (token == NULL)
        return;
    for (struct fwd *f = u->fwds; f != NULL; f = f->next) {
        if (strcmp(f->token, token) == 0) {
            mg_call_progress(f->call, json_number_value(json_object_get(params, "progress")),
                             json_number_value(json_object_get(params, "total")),
                             json_string_value(json_object_get(params, "message")));
            return;
        }
    }
}

void
mg_upstream_on_notification(void *ctx, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;

    if (strcmp(method, "notifications/progress") == 0) {
        on_progress(u, params);
    } else if (strcmp(method, "notifications/message") == 0) {
        char *text = json_dumps(json_object_get(params, "data"), JSON_COMPACT | JSON_ENCODE_ANY);
        mg_log_info("upstream %s [%s]: %s", u->sc->name, json_string_value(json_object_get(params, "level")),
                    text ? text : "");
        free(text);
    } else if (strcmp(method, "notifications/tools/list_changed") == 0) {
        mg_upstream_list_changed(u);
    } else {
        mg_log_debug("upstream %s: %s", u->sc->name, method);
    }
}

void
mg_upstream_on_request(void *ctx, json_t *id, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;
    char msg[200];

    if (strcmp(method, "ping") == 0) {
        mg_rpc_client_respond(&u->rpc, id, json_object());
        return;
    }
    snprintf(msg, sizeof(msg), "mcpgate does not pass %s on to its clients yet", method);
    mg_rpc_client_respond_error(&u->rpc, id, MG_RPC_METHOD_NOT_FOUND, msg);
}
