/*
 * upstream_tasks_native.c - tasks of upstream servers that speak the
 * tasks extension of 2026-07-28 themselves (io.modelcontextprotocol/tasks),
 * as clients of either era see them.
 *
 * A modern server is told of the extension only on a call that may run
 * as a task (mg_upstream_task_caps), and its flat CreateTaskResult
 * becomes a task of the gateway's like any other (upstream_tasks.c):
 * our id, bound to its creator.  Every request about it goes to its
 * server under the server's taskId, with the capabilities it was
 * created with.
 *
 * A 2026-07-28 client sees the server's Task as it is, but for the
 * taskId: tasks/get (with its inlined outcome, and inputRequests whose
 * keys are the server's, unique within the task), tasks/update and
 * tasks/cancel pass through.
 *
 * A 2025-11-25 client sees 2025-11-25 tasks.  tasks/get and tasks/list
 * give the Task in the old fields; tasks/cancel answers the cancelled
 * Task, or -32602 for a task that had ended.  tasks/result, which the
 * extension dropped, is the gateway's: it polls tasks/get at the Task's
 * pollIntervalMs until the task ends, then answers its result or error.
 * Meanwhile each of the Task's inputRequests is sent to that client as a
 * real request (elicitation, sampling) with related-task _meta, and the
 * answer goes back by tasks/update.  A server may also answer a call at
 * once instead of making a task; a 2025-11-25 client that asked for a
 * task still gets one, completed, which the gateway holds.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/meta.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "mcp/version.h"
#include "upstream/upstream_impl.h"
#include "upstream/upstream_tasks_impl.h"
#include "util/alloc.h"
#include "util/log.h"

/* Polls of a task for a 2025-11-25 tasks/result, whatever pollIntervalMs
 * the server asks for, are this far apart at least and at most. */
#define POLL_MIN_MS 50
#define POLL_MAX_MS 5000
#define POLL_DEFAULT_MS 500

static int
ended(const char *status)
{
    return status != NULL &&
           (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0);
}

/* The server's TASK (its Task) of K, or of a task forgotten (K NULL), was
 * seen.  A 2025-11-25 creator still there is told of a new status by
 * notifications/tasks/status, which 2025-11-25 makes optional: the
 * extension sends the gateway nothing of its own accord, so a status is
 * seen only when asked for (the client's tasks/get, the polling behind its
 * tasks/result), and one the task passes through between two asks is
 * never told. */
static void
saw_task(struct task *k, json_t *task)
{
    const char *status = json_string_value(json_object_get(task, "status"));
    json_t *out;

    mg_task_saw_status(k, status);
    if (k == NULL || k->modern || k->session == NULL || status == NULL || strcmp(k->last_status, status) == 0)
        return;
    snprintf(k->last_status, sizeof(k->last_status), "%s", status);
    out = mg_task_legacy(task);
    json_object_set_new(out, "taskId", json_string(k->id));
    mg_session_notify((struct mg_session *)k->session, "notifications/tasks/status", out);
}

/* --- 2026-07-28 clients ----------------------------------------------------- */

/* The server's Task, under our id; an inlined result is the creator's
 * (its resource URIs), and names its task by the Task alone. */
static void
got_modern(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    json_t *out, *inlined, *meta;

    if (result == NULL) {
        mg_task_fail_asked(a, error, why);
        mg_task_asked_free(a);
        return;
    }
    mg_task_saw_status(mg_task_find(a->t, a->task_id), json_string_value(json_object_get(result, "status")));
    out = json_deep_copy(result);
    json_object_set_new(out, "taskId", json_string(a->task_id));
    if ((meta = mg_meta_passable(json_object_get(result, "_meta"))) != NULL)
        json_object_set_new(out, "_meta", meta);
    else
        json_object_del(out, "_meta");
    if (json_is_object(inlined = json_object_get(out, "result"))) {
        mg_upstream_uris_out(a->u, a->req->s, inlined);
        json_object_del(json_object_get(inlined, "_meta"), MG_META_RELATED_TASK);
    }
    mg_req_reply(a->req, out);
    mg_task_asked_free(a);
}

/* tasks/update and tasks/cancel: an empty acknowledgement. */
static void
acked(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;

    if (result != NULL)
        mg_req_reply(a->req, json_object());
    else
        mg_task_fail_asked(a, error, why);
    mg_task_asked_free(a);
}

/* --- 2025-11-25 clients: tasks/get, tasks/cancel --------------------------- */

static void
got_legacy(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    json_t *out;

    if (result == NULL) {
        mg_task_fail_asked(a, error, why);
        mg_task_asked_free(a);
        return;
    }
    saw_task(mg_task_find(a->t, a->task_id), result);
    out = mg_task_legacy(result);
    json_object_set_new(out, "taskId", json_string(a->task_id));
    mg_req_reply(a->req, out);
    mg_task_asked_free(a);
}

/* After the cancel: 2025-11-25 answers the Task, now cancelled; the
 * extension acknowledges a cancel of an ended task too, which 2025-11-25
 * refuses. */
static void
cancelled_legacy(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    const char *status = json_string_value(json_object_get(result, "status"));

    if (result != NULL && status != NULL && strcmp(status, "cancelled") != 0 && ended(status)) {
        char msg[200];
        mg_task_saw_status(mg_task_find(a->t, a->task_id), status);
        snprintf(msg, sizeof(msg), "Invalid params: task %s has ended (%s) and cannot be cancelled", a->task_id,
                 status);
        mg_req_fail(a->req, MG_RPC_INVALID_PARAMS, msg, NULL);
        mg_task_asked_free(a);
        return;
    }
    got_legacy(data, result, error, why);
}

static void
cancel_sent(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;
    struct mg_req *req = a->req;
    struct task *k = mg_task_find(a->t, a->task_id);

    if (result == NULL || k == NULL) {
        if (result != NULL)
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: the task is no more", NULL);
        else
            mg_task_fail_asked(a, error, why);
        mg_task_asked_free(a);
        return;
    }
    mg_task_asked_free(a);
    mg_task_ask_server(req, k, "tasks/get", NULL, cancelled_legacy, NULL);
}

/* --- 2025-11-25 clients: tasks/result --------------------------------------- */

/* A 2025-11-25 tasks/result waiting for its task to end. */
struct waiter {
    struct waiter *prev, *next;
    struct task_table *t;
    struct mg_req *req;
    struct mg_upstream *u;
    char task_id[MG_TASK_ID_SIZE];
    int64_t rpc;         /* its tasks/get awaiting the server, or 0 */
    uint64_t due;        /* uv_now when it asks again */
    unsigned every_ms;   /* how often */
    json_t *asked;       /* keys of the inputRequests sent to the client -> 1 */
    struct input_ask *asks;
};

/* One of the Task's inputRequests, sent to the waiting client. */
struct input_ask {
    struct input_ask *next;
    struct waiter *w;
    struct mg_outreq *out;
    char *key;
};

static void poll_now(struct waiter *w);
static void tick(uv_timer_t *timer);

static void
waiter_free(struct waiter *w)
{
    if (w->rpc > 0)
        mg_rpc_client_forget(&w->u->rpc, w->rpc);
    while (w->asks != NULL) {
        struct input_ask *q = w->asks;
        w->asks = q->next;
        mg_outreq_cancel(q->out);
        mg_free(q->key);
        mg_free(q);
    }
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        w->t->waiters = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    json_decref(w->asked);
    mg_free(w);
}

/* W's request, to be answered now that W is gone. */
static struct mg_req *
waiter_end(struct waiter *w)
{
    struct mg_req *req = w->req;

    req->on_cancel = NULL;
    waiter_free(w);
    return req;
}

/* End W with a JSON-RPC error. */
static void
waiter_fail(struct waiter *w, int code, const char *msg, json_t *data)
{
    mg_req_fail(waiter_end(w), code, msg, data);
}

/* The soonest any waiter not asking now asks again. */
static void
schedule(struct task_table *t)
{
    uint64_t now, soonest = UINT64_MAX;

    for (struct waiter *w = t->waiters; w != NULL; w = w->next)
        if (w->rpc == 0 && w->due < soonest)
            soonest = w->due;
    if (!t->poll_open || t->poll_closing)
        return;
    if (soonest == UINT64_MAX) {
        uv_timer_stop(&t->poll);
        return;
    }
    now = uv_now(t->poll.loop);
    uv_timer_start(&t->poll, tick, soonest > now ? soonest - now : 0, 0);
}

static void
tick(uv_timer_t *timer)
{
    struct task_table *t = timer->data;
    uint64_t now = uv_now(timer->loop);

    for (struct waiter *w = t->waiters, *next; w != NULL; w = next) {
        next = w->next;
        if (w->rpc == 0 && w->due <= now)
            poll_now(w); /* may free W, never another waiter */
    }
    schedule(t);
}

/* The server's answer to a tasks/update; its client outlives the call. */
static void
update_sent(void *data, json_t *result, json_t *error, const char *why)
{
    const struct mg_upstream *u = data;

    if (result == NULL)
        mg_log_warn("upstream %s: tasks/update failed: %s", u->sc->name,
                    error != NULL ? json_string_value(json_object_get(error, "message")) ?: "an error" : why);
}

/* The client answered the server's question Q: the answer goes back. */
static void
question_answered(void *data, json_t *result, json_t *error)
{
    struct input_ask *q = data, **p;
    struct waiter *w = q->w;
    struct task *k = mg_task_find(w->t, w->task_id);

    for (p = &w->asks; *p != q; p = &(*p)->next)
        ;
    *p = q->next;
    if (result != NULL && k != NULL) {
        json_t *params = json_pack("{s:s, s:{s:O}}", "taskId", k->up_id, "inputResponses", q->key, result);
        mg_rpc_client_call(&k->u->rpc, "tasks/update", mg_upstream_with_meta(k->u, params, k->caps, NULL),
                           k->u->sc->timeout_ms, update_sent, k->u);
        w->due = 0; /* the task goes on: see where it is now */
    } else if (error != NULL) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Task %s: your answer to its %s was an error (%s); the task still waits for "
                 "one, and tasks/result asks again", w->task_id, q->key,
                 json_string_value(json_object_get(error, "message")) ?: "no message");
        mg_free(q->key);
        mg_free(q);
        waiter_fail(w, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return;
    }
    mg_free(q->key);
    mg_free(q);
    schedule(w->t);
}

/* Send the client each of TASK's inputRequests it has not had yet;
 * 0, or -1 when W has been failed. */
static int
ask_client(struct waiter *w, json_t *task)
{
    json_t *asks = json_object_get(task, "inputRequests"), *ask;
    const char *key;

    json_object_foreach (asks, key, ask) {
        const char *method = json_string_value(json_object_get(ask, "method"));
        const char *cap = method != NULL ? mg_call_capability_for(method) : NULL;
        json_t *params;
        struct input_ask *q;

        if (json_object_get(w->asked, key) != NULL)
            continue;
        if (cap == NULL || !mg_req_client_has(w->req, cap)) {
            char msg[400];
            snprintf(msg, sizeof(msg), "Task %s needs an answer to a %s request, and this session did not declare "
                     "the %s capability; cancel the task (tasks/cancel)", w->task_id, method ?: "(no method)",
                     cap ?: method ?: "needed");
            waiter_fail(w, MG_RPC_INTERNAL_ERROR, msg, NULL);
            return -1;
        }
        json_object_set_new(w->asked, key, json_true());
        params = json_is_object(json_object_get(ask, "params")) ? json_deep_copy(json_object_get(ask, "params"))
                                                                 : json_object();
        if (!json_is_object(json_object_get(params, "_meta")))
            json_object_set_new(params, "_meta", json_object());
        json_object_set_new(json_object_get(params, "_meta"), MG_META_RELATED_TASK,
                            json_pack("{s:s}", "taskId", w->task_id));
        q = mg_calloc(1, sizeof(*q));
        q->w = w;
        q->key = mg_strdup(key);
        q->next = w->asks;
        w->asks = q;
        q->out = mg_req_ask(w->req, method, params, question_answered, q);
    }
    return 0;
}

/* The task has ended: its outcome is W's answer. */
static void
answer_outcome(struct waiter *w, json_t *task, const char *status)
{
    struct mg_req *req = w->req;
    json_t *result = json_object_get(task, "result"), *error = json_object_get(task, "error");
    char msg[300];

    if (strcmp(status, "completed") == 0 && json_is_object(result)) {
        json_t *out = json_deep_copy(result), *meta;
        json_object_del(out, "resultType");
        if (!json_is_object(meta = json_object_get(out, "_meta"))) {
            meta = json_object();
            json_object_set_new(out, "_meta", meta);
        }
        json_object_set_new(meta, MG_META_RELATED_TASK, json_pack("{s:s}", "taskId", w->task_id));
        mg_upstream_uris_out(w->u, req->s, out);
        mg_req_reply(waiter_end(w), out);
        return;
    }
    if (json_is_object(error)) {
        json_t *code = json_object_get(error, "code"), *d = json_object_get(error, "data");
        const char *text = json_string_value(json_object_get(error, "message"));
        waiter_fail(w, json_is_integer(code) ? (int)json_integer_value(code) : MG_RPC_INTERNAL_ERROR,
                    text ? text : "the task failed", d ? json_incref(d) : NULL);
        return;
    }
    snprintf(msg, sizeof(msg), "Task %s %s%s%s", w->task_id, strcmp(status, "cancelled") == 0 ? "was cancelled"
             : strcmp(status, "failed") == 0 ? "failed" : "ended without a result",
             json_is_string(json_object_get(task, "statusMessage")) ? ": " : "",
             json_string_value(json_object_get(task, "statusMessage")) ?: "");
    waiter_fail(w, MG_RPC_INTERNAL_ERROR, msg, NULL);
}

static void
polled(void *data, json_t *result, json_t *error, const char *why)
{
    struct waiter *w = data;
    const char *status = json_string_value(json_object_get(result, "status"));
    json_t *every = json_object_get(result, "pollIntervalMs");
    struct task_table *t = w->t;
    const struct mg_upstream *u = w->u;

    w->rpc = 0;
    if (result == NULL) {
        mg_task_fail_req(waiter_end(w), u, error, why);
        schedule(t);
        return;
    }
    saw_task(mg_task_find(t, w->task_id), result);
    if (ended(status)) {
        answer_outcome(w, result, status);
        schedule(t);
        return;
    }
    if (status != NULL && strcmp(status, "input_required") == 0 && ask_client(w, result) != 0) {
        schedule(t);
        return;
    }
    if (json_is_integer(every))
        w->every_ms = json_integer_value(every) < POLL_MIN_MS   ? POLL_MIN_MS
                      : json_integer_value(every) > POLL_MAX_MS ? POLL_MAX_MS
                                                                : (unsigned)json_integer_value(every);
    w->due = uv_now(w->t->poll.loop) + w->every_ms;
    schedule(w->t);
}

/* Ask W's task's server where it is now; may fail and free W. */
static void
poll_now(struct waiter *w)
{
    struct task *k = mg_task_find(w->t, w->task_id);
    int64_t id;

    if (k == NULL) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Task %s is no more (expired, or its server restarted)", w->task_id);
        waiter_fail(w, MG_RPC_INVALID_PARAMS, msg, NULL);
        return;
    }
    w->rpc = -1; /* asking: not scheduled meanwhile */
    id = mg_rpc_client_call(&k->u->rpc, "tasks/get",
                            mg_upstream_with_meta(k->u, json_pack("{s:s}", "taskId", k->up_id), k->caps, NULL),
                            k->u->sc->timeout_ms, polled, w);
    if (id > 0)
        w->rpc = id; /* else polled has run, and W may be gone */
}

static void
waiter_cancelled(struct mg_req *req, void *data)
{
    struct waiter *w = data;
    struct task_table *t = w->t;

    waiter_fail(w, MG_RPC_INTERNAL_ERROR, "cancelled", NULL);
    schedule(t);
    (void)req;
}

static void
wait_result(struct mg_req *req, struct task *k)
{
    struct task_table *t = mg_task_table(k->u->gw);
    struct waiter *w;

    if (t->poll_closing) {
        mg_req_fail(req, MG_RPC_INTERNAL_ERROR, "the gateway is stopping", NULL);
        return;
    }
    if (!t->poll_open) {
        uv_timer_init(k->u->gw->loop, &t->poll);
        t->poll.data = t;
        t->poll_open = 1;
    }
    w = mg_calloc(1, sizeof(*w));
    w->t = t;
    w->req = req;
    w->u = k->u;
    w->every_ms = POLL_DEFAULT_MS;
    w->asked = json_object();
    memcpy(w->task_id, k->id, sizeof(w->task_id));
    if ((w->next = t->waiters) != NULL)
        w->next->prev = w;
    t->waiters = w;
    req->on_cancel = waiter_cancelled;
    req->cancel_data = w;
    poll_now(w);
    schedule(t);
}

static void
poll_closed(uv_handle_t *h)
{
    struct task_table *t = h->data;

    t->poll_closed(t->poll_closed_ctx);
}

int
mg_task_native_close(struct task_table *t, void (*done)(void *ctx), void *ctx)
{
    mg_task_native_forget(t, NULL, "the gateway is stopping");
    t->poll_closing = 1;
    if (!t->poll_open)
        return 0;
    t->poll_closed = done;
    t->poll_closed_ctx = ctx;
    uv_close((uv_handle_t *)&t->poll, poll_closed);
    return 1;
}

void
mg_task_native_forget(struct task_table *t, const struct mg_upstream *u, const char *why)
{
    for (struct waiter *w = t->waiters, *next; w != NULL; w = next) {
        next = w->next;
        if (u == NULL || w->u == u) {
            char msg[300];
            snprintf(msg, sizeof(msg), "Task %s: %s", w->task_id, why);
            waiter_fail(w, MG_RPC_INTERNAL_ERROR, msg, NULL);
        }
    }
    schedule(t);
}

/* --- held tasks ------------------------------------------------------------------ */

/* A task the gateway holds for a 2025-11-25 client, whose server answered
 * at once: completed, with that answer as its outcome. */
static void
held_request(struct mg_req *req, struct task *k)
{
    json_t *out;

    if (strcmp(req->method, "tasks/result") == 0) {
        json_t *meta;
        out = json_deep_copy(k->result);
        if (!json_is_object(meta = json_object_get(out, "_meta"))) {
            meta = json_object();
            json_object_set_new(out, "_meta", meta);
        }
        json_object_set_new(meta, MG_META_RELATED_TASK, json_pack("{s:s}", "taskId", k->id));
        mg_req_reply(req, out);
    } else if (strcmp(req->method, "tasks/cancel") == 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Invalid params: task %s has ended (completed) and cannot be cancelled", k->id);
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
    } else {
        out = json_deep_copy(k->held);
        json_object_set_new(out, "taskId", json_string(k->id));
        mg_req_reply(req, out);
    }
}

/* --- the requests ------------------------------------------------------------- */

void
mg_task_native_request(struct mg_req *req, struct task *k, json_t *params)
{
    int modern = req->era == MG_ERA_MODERN;

    if (k->held != NULL) {
        held_request(req, k);
        return;
    }

    if (strcmp(req->method, "tasks/get") == 0) {
        mg_task_ask_server(req, k, "tasks/get", NULL, modern ? got_modern : got_legacy, NULL);
    } else if (strcmp(req->method, "tasks/cancel") == 0) {
        mg_task_ask_server(req, k, "tasks/cancel", NULL, modern ? acked : cancel_sent, NULL);
    } else if (strcmp(req->method, "tasks/update") == 0) {
        json_t *answers = json_object_get(params, "inputResponses");
        if (!json_is_object(answers)) {
            mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: tasks/update requires params.inputResponses "
                        "(an object of responses, keyed as the Task's inputRequests)", NULL);
            return;
        }
        mg_task_ask_server(req, k, "tasks/update", json_pack("{s:O}", "inputResponses", answers), acked, NULL);
    } else {
        wait_result(req, k); /* tasks/result, of a 2025-11-25 client */
    }
}
