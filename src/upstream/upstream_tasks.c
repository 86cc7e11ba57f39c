/*
 * upstream_tasks.c - upstream servers' tasks (2025-11-25), as clients of
 * the gateway see them.
 *
 * A task-augmented tools/call passes through to the server, which answers
 * with a CreateTaskResult.  The server's taskId is unique only among its
 * own tasks, and one connection may serve many client sessions, so the
 * client is given a task id of the gateway's (random, never the
 * server's), bound to whoever created it: its API key when it has one,
 * else its session.  tasks/get, tasks/result and tasks/cancel are routed
 * to the server under the server's id, and every taskId in the answers
 * (the Task, the related-task _meta of a result) is the gateway's again.
 * tasks/list is the caller's own tasks, each asked of its server.
 *
 * While a task needs input, the server sends its request (elicitation,
 * sampling) with related-task _meta, on a connection that may serve many
 * sessions: it goes to the session waiting on that task's tasks/result
 * (or tasks/get), and the answer back to the server.
 *
 * The progress token of the creating tools/call stays valid while the
 * task runs: the server's progress on it goes to the session that created
 * the task, under the client's token, until the task is seen to end
 * (completed, failed or cancelled, by a status notification or an
 * answer).
 *
 * A client of 2026-07-28 sees the same tasks through the tasks extension
 * (upstream_tasks_ext.c); a server that speaks the extension itself
 * holds tasks that clients of either era see (upstream_tasks_native.c).  Its request has no session: its task is bound
 * to its API key, and without one to nothing but its unguessable id.
 * Neither era sees the other's tasks.
 *
 * A task lives as long as the connection that holds it and its ttl: when
 * the server is lost (restart, expired session) its tasks are forgotten,
 * and so is a task whose ttl has run out; asking for one says so.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "auth/key.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "mcp/version.h"
#include "upstream/upstream_impl.h"
#include "upstream/upstream_tasks_impl.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/random.h"

/* Tasks remembered at most; beyond, the oldest is forgotten. */
#define MAX_TASKS 4096
/* A task is forgotten this long after its ttl has run out: by then its
 * server has forgotten it too. */
#define TTL_GRACE_MS 1000

/* A request of a server about a 2025-11-25 task, passed to a client. */
struct question {
    struct question *prev, *next;
    struct task_table *t;
    struct mg_upstream *u;
    json_t *id;              /* the server's id for it */
    struct mg_outreq *out;   /* the request to the client */
};

struct task_table *
mg_task_table(struct mg_gateway *gw)
{
    return (struct task_table *)gw->tasks;
}

static void
task_drop(struct task_table *t, struct task *k)
{
    if (k->prev != NULL)
        k->prev->next = k->next;
    else
        t->head = k->next;
    if (k->next != NULL)
        k->next->prev = k->prev;
    else
        t->tail = k->prev;
    t->count--;
    json_decref(k->pending);
    json_decref(k->caps);
    json_decref(k->result);
    json_decref(k->held);
    json_decref(k->error);
    json_decref(k->client_token);
    mg_free(k->up_id);
    mg_free(k);
}

static void question_free(struct question *q);

/* Forget task K while its server is still there: the server's questions
 * about it are answered first, none of them left waiting. */
static void
task_forget(struct task_table *t, struct task *k)
{
    mg_task_ext_withdraw_asks(k);
    task_drop(t, k);
}

/* Forget the tasks whose ttl has run out. */
static void
forget_expired(struct task_table *t, uint64_t now)
{
    for (struct task *k = t->head, *next; k != NULL; k = next) {
        next = k->next;
        if (k->expires != 0 && k->expires <= now)
            task_forget(t, k);
    }
}

struct task *
mg_task_find(struct task_table *t, const char *id)
{
    for (struct task *k = t->head; id != NULL && k != NULL; k = k->next)
        if (strcmp(k->id, id) == 0)
            return k;
    return NULL;
}

static struct task *
task_of_upstream(struct task_table *t, const struct mg_upstream *u, const char *up_id)
{
    for (struct task *k = t->head; up_id != NULL && k != NULL; k = k->next)
        if (k->u == u && strcmp(k->up_id, up_id) == 0)
            return k;
    return NULL;
}

/* Whether request REQ may see task K: one of the era that created it,
 * with the same key, or without keys the same session (2025-11-25) or
 * anyone who has its id (2026-07-28, which has no sessions). */
static int
task_owned_by(const struct task *k, const struct mg_req *req)
{
    const struct mg_session *s = req->s;

    if (k->modern != (req->era == MG_ERA_MODERN))
        return 0;
    if (k->key_id[0])
        return strcmp(k->key_id, s->caller.key.id) == 0;
    return k->modern || k->session == s;
}

/* A copy of RESULT (borrowed) with the server's task id replaced by ID,
 * the gateway's, where it names the task: the Task's taskId, and the
 * related-task _meta. */
static json_t *
with_gateway_id(json_t *result, const char *id)
{
    json_t *out = json_deep_copy(result);
    json_t *related = json_object_get(json_object_get(out, "_meta"), MG_META_RELATED_TASK);

    if (json_object_get(out, "taskId") != NULL)
        json_object_set_new(out, "taskId", json_string(id));
    if (json_is_object(json_object_get(out, "task")))
        json_object_set_new(json_object_get(out, "task"), "taskId", json_string(id));
    if (json_is_object(related))
        json_object_set_new(related, "taskId", json_string(id));
    return out;
}

/* --- created by a tools/call ---------------------------------------------- */

/* Task K was seen alive: it is forgotten its ttl (and TTL_GRACE_MS) from
 * now, as a server may count the ttl from a task's end. */
static void
task_seen(struct task *k)
{
    if (k->ttl_ms != 0)
        k->expires = uv_now(k->u->gw->loop) + k->ttl_ms + TTL_GRACE_MS;
}

/* How long tasks/result may wait on a task whose Task.ttl is TTL (ms): as
 * long as the task may live, and no less than any other request to its
 * server; 0 (no bound) for a task without a ttl. */
static unsigned
result_wait_ms(json_t *ttl, unsigned timeout_ms)
{
    json_int_t v = json_integer_value(ttl);

    if (json_is_null(ttl) || v > (json_int_t)UINT32_MAX)
        return 0;
    return v > (json_int_t)timeout_ms ? (unsigned)v : timeout_ms;
}

/* A server's CreateTaskResult RESULT (borrowed) as 2025-11-25 has it (new
 * reference), or NULL when it is none: the call ran as a plain one.  One
 * of the tasks extension is flat (the Task itself, resultType "task"). */
static json_t *
created_task(const struct mg_upstream *u, json_t *result)
{
    json_t *task = json_object_get(result, "task");

    if (json_is_object(task))
        return json_string_value(json_object_get(task, "taskId")) != NULL ? json_pack("{s:O}", "task", task) : NULL;
    if (!u->modern || !json_is_string(json_object_get(result, "taskId")) ||
        strcmp(json_string_value(json_object_get(result, "resultType")) ?: "", "task") != 0)
        return NULL;
    return json_pack("{s:o}", "task", mg_task_legacy(result));
}

/* How long a held task is kept when its creator asked for no ttl. */
#define HELD_TTL_MS 60000

/* A 2025-11-25 client asked CALL of modern server U for a task, and the
 * server answered at once with RESULT (borrowed), as the extension lets
 * it: the client is owed a CreateTaskResult all the same, so the task is
 * one the gateway holds, completed, with RESULT as its outcome (new
 * reference: the CreateTaskResult under a placeholder id), or NULL when
 * nothing is owed. */
static json_t *
held_task(const struct mg_upstream *u, struct mg_call *call, json_t *result)
{
    json_t *ttl = json_object_get(mg_call_task(call), "ttl"), *task, *none;
    const char *type = json_string_value(json_object_get(result, "resultType"));

    if (!u->modern || mg_proto_is_modern(mg_call_protocol_version(call)) || (type && strcmp(type, "complete") != 0))
        return NULL;
    task = mg_task_legacy(none = json_object()); /* its times: now */
    json_decref(none);
    json_object_set_new(task, "taskId", json_string("held"));
    json_object_set_new(task, "status", json_string("completed"));
    json_object_set_new(task, "ttl", json_integer(json_is_integer(ttl) && json_integer_value(ttl) > 0
                                                      ? json_integer_value(ttl) : HELD_TTL_MS));
    return json_pack("{s:o}", "task", task);
}

int
mg_upstream_task_created(struct mg_upstream *u, struct mg_call *call, json_t *result, const char *token)
{
    struct task_table *t = mg_task_table(u->gw);
    json_t *created = t != NULL ? created_task(u, result) : NULL, *held = NULL;
    json_t *task, *ttl;
    const char *up_id;
    const struct mg_session *s = mg_call_session(call);
    char id[MG_TASK_ID_SIZE] = "mgt-";
    struct task *k;
    json_t *out;

    if (created == NULL && t != NULL && (created = held_task(u, call, result)) != NULL)
        held = result;
    if (created == NULL)
        return 0; /* the server ran the call as a plain one */
    task = json_object_get(created, "task");
    ttl = json_object_get(task, "ttl");
    up_id = json_string_value(json_object_get(task, "taskId"));
    if (mg_random_hex(id + 4, 16) != 0) {
        json_decref(created);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, "Internal error: no random bytes for a task id", NULL);
        return 1;
    }
    forget_expired(t, uv_now(u->gw->loop));
    if (t->count >= MAX_TASKS)
        task_forget(t, t->head);
    k = mg_calloc(1, sizeof(*k));
    memcpy(k->id, id, sizeof(id));
    k->u = u;
    k->up_id = mg_strdup(up_id);
    k->modern = mg_proto_is_modern(mg_call_protocol_version(call));
    k->native = u->modern;
    snprintf(k->last_status, sizeof(k->last_status), "%s",
             json_string_value(json_object_get(task, "status")) ?: "");
    if (held != NULL) {
        /* Its outcome, its Task: nothing to ask the server. */
        k->result = json_deep_copy(held);
        json_object_del(k->result, "resultType");
        mg_upstream_uris_out(u, s, k->result);
        k->held = json_incref(task);
    }
    k->session = k->modern ? NULL : s; /* a modern request's session ends with it */
    snprintf(k->key_id, sizeof(k->key_id), "%s", s->caller.key.id);
    k->timeout_ms = result_wait_ms(ttl, u->sc->timeout_ms);
    if (json_integer_value(ttl) > 0 && json_integer_value(ttl) <= (json_int_t)UINT32_MAX)
        k->ttl_ms = (unsigned)json_integer_value(ttl);
    task_seen(k);
    if (k->native) /* what its server is told on each request about it */
        k->caps = mg_upstream_task_caps(mg_call_client_caps(call), 1);
    else if (k->modern)
        k->caps = json_incref(mg_call_client_caps(call));
    if (!k->modern && token[0] != '\0' && mg_call_progress_token(call) != NULL) {
        snprintf(k->token, sizeof(k->token), "%s", token);
        k->client_token = json_incref(mg_call_progress_token(call));
    }
    k->prev = t->tail;
    if (t->tail != NULL)
        t->tail->next = k;
    else
        t->head = k;
    t->tail = k;
    t->count++;
    mg_log_debug("upstream %s: task %s is %s", u->sc->name, up_id, k->id);
    if (k->modern && !k->native)
        mg_task_ext_watch(t, k);
    out = with_gateway_id(created, k->id);
    if (k->modern && !k->native &&
        strcmp(json_string_value(json_object_get(task, "status")) ?: "", "input_required") == 0)
        /* No question has reached us yet: as tasks/get would show it. */
        json_object_set_new(json_object_get(out, "task"), "status", json_string("working"));
    mg_call_finish_task(call, out);
    json_decref(out);
    json_decref(created);
    return 1;
}

/* --- what the server says of its tasks ------------------------------------ */

void
mg_task_saw_status(struct task *k, const char *status)
{
    if (k != NULL)
        task_seen(k);
    if (k == NULL || status == NULL ||
        (strcmp(status, "completed") != 0 && strcmp(status, "failed") != 0 && strcmp(status, "cancelled") != 0))
        return;
    k->token[0] = '\0';
    json_decref(k->client_token);
    k->client_token = NULL;
    mg_task_ext_withdraw_asks(k);
}

void
mg_upstream_task_status(struct mg_upstream *u, json_t *params)
{
    struct task_table *t = mg_task_table(u->gw);
    struct task *k = t ? task_of_upstream(t, u, json_string_value(json_object_get(params, "taskId"))) : NULL;

    if (k == NULL)
        return; /* not a task of ours */
    mg_task_saw_status(k, json_string_value(json_object_get(params, "status")));
    if (k->session != NULL)
        mg_session_notify((struct mg_session *)k->session, "notifications/tasks/status",
                          with_gateway_id(params, k->id));
}

int
mg_upstream_task_progress(struct mg_upstream *u, const char *token, json_t *params)
{
    struct task_table *t = mg_task_table(u->gw);
    double progress = json_number_value(json_object_get(params, "progress"));
    double total = json_number_value(json_object_get(params, "total"));
    const char *message = json_string_value(json_object_get(params, "message"));
    struct task *k;
    json_t *out;

    for (k = t ? t->head : NULL; k != NULL; k = k->next)
        if (k->u == u && k->token[0] != '\0' && strcmp(k->token, token) == 0)
            break;
    if (k == NULL)
        return 0;
    /* Progress MUST increase; nobody to tell once the creator is gone. */
    if (k->session == NULL || !isfinite(progress) || (k->has_progress && !(progress > k->last_progress)))
        return 1;
    k->has_progress = 1;
    k->last_progress = progress;
    out = json_pack("{s:O, s:f}", "progressToken", k->client_token, "progress", progress);
    if (total > 0 && isfinite(total))
        json_object_set_new(out, "total", json_real(total));
    if (message != NULL)
        json_object_set_new(out, "message", json_string(message));
    mg_session_notify((struct mg_session *)k->session, "notifications/progress", out);
    return 1;
}

int
mg_upstream_tasks_on(const struct mg_upstream *u)
{
    struct task_table *t = mg_task_table(u->gw);

    for (struct task *k = t ? t->head : NULL; k != NULL; k = k->next)
        if (k->u == u)
            return 1;
    return 0;
}

void
mg_upstream_tasks_forget(struct mg_upstream *u)
{
    struct task_table *t = mg_task_table(u->gw);

    if (t != NULL)
        mg_task_native_forget(t, u, "its server was lost (restarted, or its session expired), and its tasks with it");

    /* Questions of the lost connection: withdrawn from the clients. */
    for (struct question *q = t ? t->questions : NULL, *next; q != NULL; q = next) {
        next = q->next;
        if (q->u == u) {
            mg_outreq_cancel(q->out);
            question_free(q);
        }
    }
    for (struct task *k = t ? t->head : NULL, *next; k != NULL; k = next) {
        next = k->next;
        if (k->u == u)
            task_drop(t, k);
    }
}

void
mg_upstream_tasks_session_closed(struct mg_gateway *gw, const void *session)
{
    struct task_table *t = mg_task_table(gw);

    for (struct task *k = t ? t->head : NULL, *next; k != NULL; k = next) {
        next = k->next;
        if (k->session != session)
            continue;
        if (k->key_id[0])
            k->session = NULL; /* the key may come back for it */
        else
            task_drop(t, k);
    }
}

/* --- tasks/get, tasks/result, tasks/cancel -------------------------------- */

void
mg_task_asked_free(struct task_asked *a)
{
    json_decref(a->task);
    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        a->t->asked = a->next;
    if (a->next != NULL)
        a->next->prev = a->prev;
    mg_free(a);
}

static void
asked_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct task_asked *a = data;

    if (result != NULL) {
        /* A result of tasks/result is the task's end. */
        const char *status = strcmp(a->req->method, "tasks/result") == 0
                                 ? "completed"
                                 : json_string_value(json_object_get(result, "status"));

        mg_task_saw_status(mg_task_find(a->t, a->task_id), status);
        if (strcmp(a->req->method, "tasks/result") == 0)
            mg_upstream_uris_out(a->u, a->req->s, result); /* the tool's result */
        mg_req_reply(a->req, with_gateway_id(result, a->task_id));
    } else {
        mg_task_fail_asked(a, error, why);
    }
    mg_task_asked_free(a);
}

void
mg_task_fail_req(struct mg_req *req, const struct mg_upstream *u, json_t *error, const char *why)
{
    json_t *code = json_object_get(error, "code"), *d = json_object_get(error, "data");
    const char *msg = json_string_value(json_object_get(error, "message"));
    char text[400];

    if (error == NULL) {
        snprintf(text, sizeof(text), "Upstream %s: %s", u->sc->name, why ? why : "no answer");
        mg_req_fail(req, MG_RPC_INTERNAL_ERROR, text, NULL);
        return;
    }
    mg_req_fail(req, json_is_integer(code) ? (int)json_integer_value(code) : MG_RPC_INTERNAL_ERROR,
                msg ? msg : "the upstream answered with an error", d ? json_incref(d) : NULL);
}

void
mg_task_fail_asked(struct task_asked *a, json_t *error, const char *why)
{
    mg_task_fail_req(a->req, a->u, error, why);
}

/* The client gave up on the request (not on the task): so does the server. */
static void
asked_cancelled(struct mg_req *req, void *data)
{
    struct task_asked *a = data;

    mg_rpc_client_cancel(&a->u->rpc, a->id, "the client cancelled");
    mg_req_fail(req, MG_RPC_INTERNAL_ERROR, "cancelled", NULL);
    mg_task_asked_free(a);
}

void
mg_task_ask_server(struct mg_req *req, struct task *k, const char *method, json_t *params, mg_rpc_reply_fn done,
                   json_t *task)
{
    struct task_table *t = mg_task_table(k->u->gw);
    struct task_asked *a = mg_calloc(1, sizeof(*a));
    /* Only a 2025-11-25 tasks/result waits for the task to end. */
    unsigned timeout = strcmp(req->method, "tasks/result") == 0 ? k->timeout_ms : k->u->sc->timeout_ms;
    int64_t id;

    a->t = t;
    if ((a->next = t->asked) != NULL)
        a->next->prev = a;
    t->asked = a;
    a->req = req;
    a->u = k->u;
    snprintf(a->task_id, sizeof(a->task_id), "%s", k->id);
    a->task = task;
    if (params == NULL)
        params = json_object();
    json_object_set_new(params, "taskId", json_string(k->up_id));
    if (k->native)
        params = mg_upstream_with_meta(k->u, params, k->caps, NULL);
    /* A failed send has answered, and freed A, before this returns. */
    if ((id = mg_rpc_client_call(&k->u->rpc, method, params, timeout, done, a)) < 0)
        return;
    a->id = id;
    req->on_cancel = asked_cancelled;
    req->cancel_data = a;
}

static void
ask_server(struct mg_req *req, struct task *k)
{
    mg_task_ask_server(req, k, req->method, NULL, asked_answered, NULL);
}

/* --- the server's requests about a task ----------------------------------- */

static void
question_free(struct question *q)
{
    if (q->prev != NULL)
        q->prev->next = q->next;
    else
        q->t->questions = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
    json_decref(q->id);
    mg_free(q);
}

static void
question_answered(void *data, json_t *result, json_t *error)
{
    struct question *q = data;

    mg_upstream_answer(q->u, q->id, result, error);
    question_free(q);
}

int
mg_upstream_task_ask(struct mg_upstream *u, json_t *id, const char *method, json_t *params, char *why, size_t whylen)
{
    struct task_table *t = mg_task_table(u->gw);
    json_t *related = json_object_get(json_object_get(params, "_meta"), MG_META_RELATED_TASK);
    struct task *k = t ? task_of_upstream(t, u, json_string_value(json_object_get(related, "taskId"))) : NULL;
    const char *cap = mg_call_capability_for(method);
    struct task_asked *waiting = NULL;
    struct question *q;
    json_t *fwd;

    if (k == NULL)
        return 0; /* not about a task of ours */
    if (k->native) {
        snprintf(why, whylen, "a server of the tasks extension asks about task %s through its inputRequests", k->id);
        return 0;
    }
    if (k->modern)
        return mg_task_ext_keep_ask(k, id, method, params, why, whylen);
    /* The client that waits on the task, tasks/result first. */
    for (struct task_asked *a = t->asked; a != NULL; a = a->next)
        if (strcmp(a->task_id, k->id) == 0 && a->req->s != NULL &&
            (waiting == NULL || strcmp(a->req->method, "tasks/result") == 0))
            waiting = a;
    if (waiting == NULL) {
        snprintf(why, whylen, "no client is waiting on task %s (tasks/result asks it)", k->id);
        return 0;
    }
    if (cap == NULL || !mg_req_client_has(waiting->req, cap)) {
        snprintf(why, whylen, "the client waiting on task %s did not declare the %s capability", k->id,
                 cap ? cap : method);
        return 0;
    }
    q = mg_calloc(1, sizeof(*q));
    q->t = t;
    q->u = u;
    q->id = json_incref(id);
    if ((q->next = t->questions) != NULL)
        q->next->prev = q;
    t->questions = q;
    fwd = json_deep_copy(params);
    json_object_set_new(json_object_get(json_object_get(fwd, "_meta"), MG_META_RELATED_TASK), "taskId",
                        json_string(k->id));
    q->out = mg_req_ask(waiting->req, method, fwd, question_answered, q);
    return 1;
}

/* --- tasks/list ------------------------------------------------------------ */

/* The caller's tasks, each asked of its server with tasks/get. */
struct listing {
    struct mg_req *req;
    json_t *tasks;
    size_t waiting;
};

struct listed {
    struct listing *l;
    char task_id[MG_TASK_ID_SIZE];
    int native; /* its server answers in the tasks extension's fields */
};

static void
listing_end(struct listing *l)
{
    mg_req_reply(l->req, json_pack("{s:o}", "tasks", l->tasks));
    mg_free(l);
}

static void
listed_answered(void *data, json_t *result, json_t *error, const char *why)
{
    struct listed *one = data;
    struct listing *l = one->l;

    (void)why;
    if (result != NULL) {
        json_t *task = one->native ? mg_task_legacy(result) : json_deep_copy(result);
        json_object_set_new(task, "taskId", json_string(one->task_id));
        json_object_del(task, "_meta");
        json_array_append_new(l->tasks, task);
    } else if (error != NULL && l->req->s != NULL) {
        /* The server no longer has it (expired): neither do we. */
        struct task_table *t = mg_task_table(l->req->s->gw);
        struct task *k = mg_task_find(t, one->task_id);
        if (k != NULL)
            task_drop(t, k);
    }
    mg_free(one);
    if (--l->waiting == 0)
        listing_end(l);
}

static void
list_tasks(struct task_table *t, struct mg_req *req)
{
    struct listing *l = mg_calloc(1, sizeof(*l));

    l->req = req;
    l->tasks = json_array();
    l->waiting = 1; /* held while the requests go out */
    for (struct task *k = t->head; k != NULL; k = k->next) {
        struct listed *one;
        json_t *params;
        if (!task_owned_by(k, req) || k->u->state != MG_UPSTREAM_READY)
            continue;
        if (k->held != NULL) {
            json_t *task = json_deep_copy(k->held);
            json_object_set_new(task, "taskId", json_string(k->id));
            json_array_append_new(l->tasks, task);
            continue;
        }
        one = mg_calloc(1, sizeof(*one));
        one->l = l;
        snprintf(one->task_id, sizeof(one->task_id), "%s", k->id);
        one->native = k->native;
        l->waiting++;
        params = json_pack("{s:s}", "taskId", k->up_id);
        if (k->native)
            params = mg_upstream_with_meta(k->u, params, k->caps, NULL);
        mg_rpc_client_call(&k->u->rpc, "tasks/get", params, k->u->sc->timeout_ms, listed_answered, one);
    }
    if (--l->waiting == 0)
        listing_end(l);
}

static void
tasks_request(struct mg_gateway *gw, struct mg_req *req, json_t *params)
{
    struct task_table *t = mg_task_table(gw);
    const char *id = json_string_value(json_object_get(params, "taskId"));
    struct task *k;

    forget_expired(t, uv_now(gw->loop));
    if (strcmp(req->method, "tasks/list") == 0) {
        list_tasks(t, req);
        return;
    }
    if (id == NULL) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: params.taskId (a string) is required", NULL);
        return;
    }
    k = mg_task_find(t, id);
    if (k == NULL || !task_owned_by(k, req)) {
        /* Someone else's task is no more visible than one that never was. */
        char msg[200];
        snprintf(msg, sizeof(msg), "Invalid params: no task %.64s (unknown, expired, or its server restarted)", id);
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
        return;
    }
    if (k->native)
        mg_task_native_request(req, k, params);
    else if (k->modern)
        mg_task_ext_request(req, k, params);
    else
        ask_server(req, k);
}

void
mg_upstream_tasks_start(struct mg_gateway *gw)
{
    struct task_table *t = mg_calloc(1, sizeof(*t));

    t->ops.request = tasks_request;
    gw->tasks = &t->ops;
}

int
mg_upstream_tasks_close(struct mg_gateway *gw, void (*done)(void *ctx), void *ctx)
{
    struct task_table *t = mg_task_table(gw);

    return t != NULL ? mg_task_native_close(t, done, ctx) : 0;
}

void
mg_upstream_tasks_free(struct mg_gateway *gw)
{
    struct task_table *t = mg_task_table(gw);

    if (t == NULL)
        return;
    while (t->head != NULL)
        task_drop(t, t->head);
    mg_free(t);
    gw->tasks = NULL;
}
