/*
 * call_input.c - handlers that ask the client: sampling, elicitation and
 * roots, in both eras.
 *
 * A handler runs in rounds.  When it ends a round with
 * mg_call_input_required(), the questions it asked go to the client:
 *   - 2026-07-28: as an input_required result whose requestState (sealed
 *     by request_state.c) carries the handler's state; the client retries
 *     the request with inputResponses, and a new call runs the next round;
 *   - legacy revisions: as requests on the call's stream (mg_req_ask); once
 *     every answer is in, the same call runs the handler again.
 * Either way the handler sees the same thing: its arguments, the answers
 * of the last round, and the state it left.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/call_impl.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_ROUNDS 16 /* legacy: a handler that never stops asking is failed */

static const struct {
    const char *method;
    const char *capability;
} askable[] = {
    {"sampling/createMessage", "sampling"},
    {"elicitation/create", "elicitation"},
    {"roots/list", "roots"},
};

const char *
mg_call_capability_for(const char *method)
{
    for (size_t i = 0; i < sizeof(askable) / sizeof(askable[0]); i++)
        if (method != NULL && strcmp(method, askable[i].method) == 0)
            return askable[i].capability;
    return NULL;
}

/* Answer the request with -32602 and MSG; returns -1. */
static int __attribute__((format(printf, 2, 3)))
refuse(struct mg_call *call, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mg_req_fail(call->req, MG_RPC_INVALID_PARAMS, msg, NULL);
    return -1;
}

int
mg_call_take_inputs(struct mg_call *call, json_t *params, const char *name)
{
    json_t *responses = json_object_get(params, "inputResponses");
    json_t *token = json_object_get(params, "requestState");
    json_t *keys = NULL, *v;
    const char *k, *why;

    /* Earlier revisions have no such fields: they are ordinary unknown
     * params there, and legacy rounds never leave the gateway. */
    if (call->req->era != MG_ERA_MODERN)
        return 0;
    if (responses != NULL) {
        if (!json_is_object(responses))
            return refuse(call, "Invalid params: inputResponses must be an object that maps each input key to the "
                                "client's result");
        json_object_foreach (responses, k, v)
            if (!json_is_object(v))
                return refuse(call, "Invalid params: inputResponses/%.100s must be an object, the client's result "
                                    "for that input request", k);
    }
    if (token != NULL && !json_is_string(token))
        return refuse(call, "Invalid params: requestState must be the string an input_required result gave");
    if (token != NULL) {
        if (mg_state_open(&call->gw->states, json_string_value(token), name, call->args, &call->state, &keys,
                          &why) != 0)
            return refuse(call, "Invalid params: %s", why);
        /* Only the answers to what was asked count; the rest is ignored. */
        call->inputs = json_object();
        for (size_t i = 0; i < json_array_size(keys); i++) {
            const char *key = json_string_value(json_array_get(keys, i));
            if (key != NULL && (v = json_object_get(responses, key)) != NULL)
                json_object_set(call->inputs, key, v);
        }
        json_decref(keys);
    } else if (responses != NULL) {
        /* Without state there is nothing to protect: the answers are the
         * client's word, as they always are. */
        call->inputs = json_incref(responses);
    }
    return 0;
}

json_t *
mg_call_input(const struct mg_call *call, const char *key)
{
    return call->inputs != NULL && key != NULL ? json_object_get(call->inputs, key) : NULL;
}

json_t *
mg_call_inputs(const struct mg_call *call)
{
    return call->inputs;
}

void
mg_call_retry_with_state(struct mg_call *call, const char *state)
{
    call->on_cancel = NULL; /* the round's handler is over */
    if (mg_call_cancelled(call)) {
        mg_call_fail(call, "cancelled");
        return;
    }
    if (++call->rounds > MAX_ROUNDS) {
        mg_call_fail(call, "Internal error: %s asked to be retried more than %d times", mg_call_name(call),
                     MAX_ROUNDS);
        return;
    }
    mg_call_set_state(call, state);
    json_decref(call->inputs);
    call->inputs = NULL;
    mg_call_run_handler(call);
}

const char *
mg_call_state(const struct mg_call *call)
{
    return call->state;
}

void
mg_call_set_state(struct mg_call *call, const char *state)
{
    mg_free(call->state);
    call->state = state != NULL ? mg_strdup(state) : NULL;
}

int
mg_call_ask(struct mg_call *call, const char *key, const char *method, json_t *params)
{
    const char *cap = mg_call_capability_for(method);

    if (key == NULL || cap == NULL || !mg_req_client_has(call->req, cap)) {
        if (key != NULL && cap == NULL)
            mg_log_warn("%s asked the client for %s, which is not a request a server may send",
                        mg_call_name(call), method ? method : "(null)");
        json_decref(params);
        return -1;
    }
    json_object_set_new(call->asks, key,
                        json_pack("{s:s, s:o}", "method", method, "params", params ? params : json_object()));
    return 0;
}

/* 2026-07-28: the questions and the sealed state go back as the result. */
static void
reply_input_required(struct mg_call *call)
{
    json_t *keys = json_array(), *result;
    const char *k;
    json_t *v;
    char *token;

    json_object_foreach (call->asks, k, v)
        json_array_append_new(keys, json_string(k));
    token = mg_state_seal(&call->gw->states, mg_call_name(call), call->args, keys, call->state);
    json_decref(keys);
    if (token == NULL) {
        mg_req_fail(call->req, MG_RPC_INTERNAL_ERROR, "Internal error: no randomness to seal requestState", NULL);
        mg_call_destroy(call);
        return;
    }
    result = json_pack("{s:s, s:O, s:s}", "resultType", "input_required", "inputRequests", call->asks,
                       "requestState", token);
    mg_free(token);
    mg_req_reply(call->req, result);
    mg_call_destroy(call);
}

/* Legacy: every answer of the round is in (or none will come). */
static void
round_done(struct mg_call *call)
{
    mg_free(call->pending);
    call->pending = NULL;
    call->npending = 0;
    if (call->ask_lost || mg_call_cancelled(call)) {
        mg_call_fail(call, "cancelled");
        return;
    }
    if (call->ask_error != NULL) {
        mg_call_fail(call, "%s", call->ask_error);
        return;
    }
    json_decref(call->inputs);
    call->inputs = call->next_inputs;
    call->next_inputs = NULL;
    json_object_clear(call->asks);
    json_array_clear(call->content);
    json_array_clear(call->roles);
    json_decref(call->structured);
    call->structured = NULL;
    mg_call_run_handler(call);
}

static void
on_answer(void *data, json_t *result, json_t *error)
{
    struct call_ask *a = data;
    struct mg_call *call = a->call;
    const char *method = json_string_value(json_object_get(json_object_get(call->asks, a->key), "method"));

    a->out = NULL;
    if (result == NULL && error == NULL) {
        call->ask_lost = 1;
    } else if (error != NULL) {
        if (call->ask_error == NULL) {
            const char *why = json_string_value(json_object_get(error, "message"));
            char msg[400];
            snprintf(msg, sizeof(msg), "The client did not answer %s: %.300s", method ? method : "a request",
                     why ? why : "error");
            call->ask_error = mg_strdup(msg);
        }
    } else {
        json_object_set(call->next_inputs, a->key, result);
    }
    if (--call->waiting == 0)
        round_done(call);
}

void
mg_call_withdraw_asks(struct mg_call *call)
{
    for (size_t i = 0; i < call->npending; i++) {
        if (call->pending[i].out != NULL) {
            mg_outreq_cancel(call->pending[i].out);
            call->pending[i].out = NULL;
        }
    }
    call->waiting = 0;
}

void
mg_call_input_required(struct mg_call *call)
{
    struct mg_req *req = call->req;
    size_t i = 0, n = json_object_size(call->asks);
    const char *k;
    json_t *v;

    call->on_cancel = NULL; /* the round's handler is over */
    if (n == 0) {
        mg_log_warn("%s ended a round without asking the client anything", mg_call_name(call));
        mg_call_fail(call, "Internal error: %s needs input from the client but asked for none, or only for what "
                           "this client cannot answer", mg_call_name(call));
        return;
    }
    if (req->era == MG_ERA_MODERN) {
        reply_input_required(call);
        return;
    }
    if (mg_call_cancelled(call)) {
        mg_call_fail(call, "cancelled");
        return;
    }
    if (++call->rounds > MAX_ROUNDS) {
        mg_call_fail(call, "Internal error: %s asked the client for input more than %d times", mg_call_name(call),
                     MAX_ROUNDS);
        return;
    }
    call->pending = mg_calloc(n, sizeof(*call->pending));
    call->npending = n;
    call->waiting = n;
    call->next_inputs = json_object();
    json_object_foreach (call->asks, k, v) {
        struct call_ask *a = &call->pending[i++];
        a->call = call;
        a->key = k;
    }
    /* Send after the table is complete: an answer may not arrive before,
     * but a session that is already gone answers at once. */
    for (i = 0; i < n; i++) {
        struct call_ask *a = &call->pending[i];
        json_t *ask = json_object_get(call->asks, a->key);
        a->out = mg_req_ask(req, json_string_value(json_object_get(ask, "method")),
                            json_incref(json_object_get(ask, "params")), on_answer, a);
        if (a->out == NULL) {
            call->ask_lost = 1;
            if (--call->waiting == 0) {
                round_done(call);
                return;
            }
        }
    }
}
