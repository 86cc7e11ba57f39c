/*
 * upstream_tasks_ext.c - upstream servers' tasks (2025-11-25) as a client
 * of 2026-07-28 sees them, through the tasks extension
 * (io.modelcontextprotocol/tasks).
 *
 * The CreateTaskResult and the Task are flat, with ttlMs and
 * pollIntervalMs; tasks/get of an ended task also inlines its outcome, the
 * answer of the server's tasks/result (a result means "completed", a
 * JSON-RPC error "failed", as the extension has it); tasks/cancel answers
 * an empty acknowledgement, on an ended task too.  Such a request has no
 * session: its task is bound to its API key, and without one to nothing
 * but its unguessable id (upstream_tasks.c).
 *
 * A 2025-11-25 server sends its requests about a task (elicitation,
 * sampling) only to whoever waits on the task's tasks/result; the
 * extension instead lists them as the Task's inputRequests and takes the
 * answers by tasks/update.  So from its creation a modern task has a
 * tasks/result of the gateway's waiting on it (the watch): the server's
 * requests it draws are kept on the task under keys of the gateway's,
 * shown by tasks/get while the server says input_required, and answered
 * by tasks/update.  A request the creating client did not declare the
 * capability for is answered upstream with an error at once.  Until the
 * first request has arrived, an input_required task is shown as working:
 * nothing is asked of the client yet.  The watch's answer is the task's
 * outcome, kept for tasks/get unless it is large.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "json/json_size.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "mcp/version.h"
#include "upstream/upstream_impl.h"
#include "upstream/upstream_tasks_impl.h"
#include "util/alloc.h"

/* An outcome at most this long (as compact JSON) is kept on its task; a
 * longer one is asked of the server again by each tasks/get, so that the
 * table of tasks stays small. */
#define MAX_KEPT_OUTCOME (64 * 1024)
/* A server's questions about one task kept at most; more are refused. */
#define MAX_PENDING_ASKS 32

/* --- the watch --------------------------------------------------------------- */

/* Keep RESULT or ERROR, what task K's tasks/result answered, unless it is
 * large or K has one already. */
static void
keep_outcome(struct task *k, json_t *result, json_t *error)
{
    if (k == NULL || k->result != NULL || k->error != NULL ||
        mg_json_compact_size(result != NULL ? result : error) > MAX_KEPT_OUTCOME)
        return;
    k->result = json_incref(result);
    k->error = json_incref(error);
}

struct watch {
    struct task_table *t;
    char task_id[MG_TASK_ID_SIZE];
};

/* The watch's tasks/result has answered: the task has ended, and the
 * answer is its outcome.  On a timeout or a lost server nothing is kept,
 * and tasks/get asks the server again. */
static void
watch_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct watch *w = data;
    struct task *k = mg_task_find(w->t, w->task_id);

    (void)why;
    if (k != NULL)
        k->watching = 0;
    if (result != NULL || error != NULL) {
        /* Ended: its ttl runs from now, and nobody answers its requests. */
        mg_task_saw_status(k, result != NULL ? "completed" : "failed");
        if (k != NULL)
            mg_upstream_uris_out(k->u, k->session, result); /* a task is its creator's */
        keep_outcome(k, result, error);
    }
    mg_free(w);
}

void
mg_task_ext_watch(struct task_table *t, struct task *k)
{
    struct watch *w;

    if (k->watching || k->result != NULL || k->error != NULL)
        return;
    w = mg_calloc(1, sizeof(*w));
    w->t = t;
    memcpy(w->task_id, k->id, sizeof(w->task_id));
    k->watching = 1;
    mg_rpc_client_call(&k->u->rpc, "tasks/result", json_pack("{s:s}", "taskId", k->up_id), k->timeout_ms,
                       watch_answered, w);
}

int
mg_task_ext_keep_ask(struct task *k, json_t *id, const char *method, json_t *params, char *why, size_t whylen)
{
    const char *cap = mg_call_capability_for(method);
    json_t *fwd;
    char key[32];

    if (cap == NULL) {
        snprintf(why, whylen, "%s is not a request a server may send", method);
        return 0;
    }
    if (!mg_caps_have(k->caps, cap)) {
        snprintf(why, whylen, "the client that created task %s did not declare the %s capability", k->id, cap);
        return 0;
    }
    if (json_object_size(k->pending) >= MAX_PENDING_ASKS) {
        snprintf(why, whylen, "task %s already has %d questions waiting for its client", k->id, MAX_PENDING_ASKS);
        return 0;
    }
    /* The Task names itself; the related-task _meta is the old wire's. */
    fwd = json_is_object(params) ? json_deep_copy(params) : json_object();
    json_object_del(json_object_get(fwd, "_meta"), MG_META_RELATED_TASK);
    if (json_object_size(json_object_get(fwd, "_meta")) == 0)
        json_object_del(fwd, "_meta");
    if (k->pending == NULL)
        k->pending = json_object();
    snprintf(key, sizeof(key), "mgq-%u", ++k->next_key);
    json_object_set_new(k->pending, key, json_pack("{s:O, s:{s:s, s:o}}", "id", id, "ask", "method", method,
                                                   "params", fwd));
    return 1;
}

void
mg_task_ext_withdraw_asks(struct task *k)
{
    const char *key;
    json_t *v;

    json_object_foreach (k->pending, key, v) {
        json_t *e = json_pack("{s:i, s:s}", "code", MG_RPC_INTERNAL_ERROR, "message", "the task has ended or expired");
        mg_upstream_answer(k->u, json_object_get(v, "id"), NULL, e);
        json_decref(e);
    }
    json_object_clear(k->pending);
}

/* --- tasks/get ----------------------------------------------------------------- */

/* The extension's Task for server Task TASK (borrowed), under our id. */
static json_t *
modern_task(json_t *task, const char *id)
{
    json_t *out = mg_task_modern(task);

    json_object_set_new(out, "taskId", json_string(id));
    return out;
}

/* The Task for ended server Task TASK (borrowed) under our ID, with its
 * outcome inlined: the answer of its tasks/result, RESULT or ERROR. */
static json_t *
ended_task(json_t *task, const char *id, json_t *result, json_t *error)
{
    json_t *out = modern_task(task, id);

    if (result != NULL && !json_is_true(json_object_get(result, "isError")) &&
        strcmp(json_string_value(json_object_get(task, "status")) ?: "", "failed") == 0) {
        /* A server that can keep only results says "failed" with one:
         * the request failed, and its text is what went wrong. */
        json_t *block = json_array_get(json_object_get(result, "content"), 0);
        const char *msg = json_string_value(json_object_get(block, "text"));
        if (msg == NULL)
            msg = json_string_value(json_object_get(task, "statusMessage"));
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", MG_RPC_INTERNAL_ERROR, "message",
                                                    msg != NULL ? msg : "the task failed"));
    } else if (result != NULL) {
        /* A result, isError or not, is "completed": "failed" is for a
         * request that ended in a JSON-RPC error.  The related-task _meta
         * says what the Task's taskId already does. */
        json_t *copy = json_deep_copy(result), *meta = json_object_get(copy, "_meta");
        json_object_del(meta, MG_META_RELATED_TASK);
        if (json_is_object(meta) && json_object_size(meta) == 0)
            json_object_del(copy, "_meta");
        json_object_del(copy, "resultType");
        json_object_set_new(out, "status", json_string("completed"));
        json_object_set_new(out, "result", copy);
    } else {
        json_t *code = json_object_get(error, "code");
        const char *msg = json_string_value(json_object_get(error, "message"));
        json_t *e = json_pack("{s:I, s:s}", "code",
                              (json_int_t)(json_is_integer(code) ? json_integer_value(code) : MG_RPC_INTERNAL_ERROR),
                              "message", msg != NULL ? msg : "the task failed");
        if (json_object_get(error, "data") != NULL)
            json_object_set(e, "data", json_object_get(error, "data"));
        json_object_set_new(out, "status", json_string("failed"));
        json_object_set_new(out, "error", e);
    }
    return out;
}

/* tasks/result of an ended task whose outcome was not kept yet. */
static void
result_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    struct task *k = mg_task_find(a->t, a->task_id);

    a->req->on_cancel = NULL;
    if (result == NULL && error == NULL) {
        mg_task_fail_asked(a, NULL, why);
        mg_task_asked_free(a);
        return;
    }
    mg_upstream_uris_out(a->u, a->req->s, result);
    keep_outcome(k, result, error);
    mg_req_reply(a->req, ended_task(a->task, a->task_id, result, error));
    mg_task_asked_free(a);
}

/* The server's Task: shown as the extension has it, and for one that has
 * ended with its outcome. */
static void
get_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    struct task *k = mg_task_find(a->t, a->task_id);
    const char *status = json_string_value(json_object_get(result, "status"));
    struct mg_req *req = a->req;
    json_t *out;

    req->on_cancel = NULL;
    if (result == NULL) {
        mg_task_fail_asked(a, error, why);
        mg_task_asked_free(a);
        return;
    }
    mg_task_saw_status(k, status);
    if (k != NULL && status != NULL && (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0)) {
        if (k->result != NULL || k->error != NULL) {
            /* The watch has the outcome already. */
            mg_req_reply(req, ended_task(result, a->task_id, k->result, k->error));
            mg_task_asked_free(a);
            return;
        }
        mg_task_asked_free(a);
        mg_task_ask_server(req, k, "tasks/result", NULL, result_answered, json_incref(result));
        return;
    }
    out = modern_task(result, a->task_id);
    if (k != NULL && status != NULL && strcmp(status, "input_required") == 0) {
        json_t *asks = json_object();
        const char *key;
        json_t *v;
        json_object_foreach (k->pending, key, v)
            json_object_set(asks, key, json_object_get(v, "ask"));
        if (json_object_size(asks) > 0) {
            json_object_set_new(out, "inputRequests", asks);
        } else {
            /* Its requests are on their way to us: none for the client yet. */
            json_decref(asks);
            json_object_set_new(out, "status", json_string("working"));
            mg_task_ext_watch(a->t, k);
        }
    }
    mg_req_reply(req, out);
    mg_task_asked_free(a);
}

/* --- tasks/cancel, tasks/update ------------------------------------------------ */

/* tasks/cancel: an empty acknowledgement, on an ended task too. */
static void
cancel_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    json_t *code = json_object_get(error, "code");

    a->req->on_cancel = NULL;
    /* The server refuses to cancel a task that has ended (-32602); the
     * extension acknowledges that as any other cancel. */
    if (result != NULL || json_integer_value(code) == MG_RPC_INVALID_PARAMS)
        mg_req_reply(a->req, json_object());
    else
        mg_task_fail_asked(a, error, why);
    mg_task_asked_free(a);
}

/* tasks/update: the client's answers to the server's requests, each
 * under the key tasks/get showed it by; answered ones are gone from the
 * Task.  A key no longer pending (answered already) is passed over. */
static void
update(struct mg_req *req, struct task *k, json_t *params)
{
    json_t *answers = json_object_get(params, "inputResponses"), *v, *p;
    const char *key;

    if (!json_is_object(answers)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: tasks/update requires params.inputResponses (an "
                    "object of responses, keyed as the Task's inputRequests)", NULL);
        return;
    }
    json_object_foreach (answers, key, v) {
        if (!json_is_object(v)) {
            char msg[200];
            snprintf(msg, sizeof(msg), "Invalid params: inputResponses.%.64s must be an object (the response)", key);
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
            return;
        }
    }
    json_object_foreach (answers, key, v) {
        if ((p = json_object_get(k->pending, key)) == NULL)
            continue;
        mg_upstream_answer(k->u, json_object_get(p, "id"), v, NULL);
        json_object_del(k->pending, key);
    }
    mg_req_reply(req, json_object());
}

void
mg_task_ext_request(struct mg_req *req, struct task *k, json_t *params)
{
    if (strcmp(req->method, "tasks/get") == 0)
        mg_task_ask_server(req, k, "tasks/get", NULL, get_answered, NULL);
    else if (strcmp(req->method, "tasks/cancel") == 0)
        mg_task_ask_server(req, k, "tasks/cancel", NULL, cancel_answered, NULL);
    else
        update(req, k, params);
}
