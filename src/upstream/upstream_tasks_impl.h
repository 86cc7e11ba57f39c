/*
 * upstream_tasks_impl.h - the gateway's table of upstream tasks, shared by
 * upstream_tasks.c (the table, and 2025-11-25 clients) and
 * upstream_tasks_ext.c (2026-07-28 clients, through the tasks extension).
 * Not a public header.
 */
#ifndef MG_UPSTREAM_UPSTREAM_TASKS_IMPL_H
#define MG_UPSTREAM_UPSTREAM_TASKS_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/key.h"
#include "gateway/gateway.h"
#include "upstream/rpc_client.h"

struct mg_gateway;
struct mg_req;
struct mg_session;
struct mg_upstream;
struct task_asked;
struct question;
struct waiter;

/* A task id of the gateway's: "mgt-" and 128 random bits, in hex. */
#define MG_TASK_ID_SIZE 40

struct task {
    struct task *prev, *next;
    char id[MG_TASK_ID_SIZE];    /* the gateway's, as clients know it */
    struct mg_upstream *u;       /* the connection that holds it */
    char *up_id;                 /* the server's taskId */
    const struct mg_session *session; /* its creator, NULL once that ended */
    char key_id[MG_KEY_ID_LEN + 1]; /* its creator's key, or "": bound to the session alone */
    unsigned timeout_ms;         /* tasks/result may wait this long (0: no bound) */
    unsigned ttl_ms;             /* the server keeps it this long (from creation or its end); 0: for ever */
    uint64_t expires;            /* uv_now when it is forgotten: ttl_ms after it was last seen; 0: never */
    char token[32];              /* the progress token the server has for it, or "" */
    json_t *client_token;        /* the creating client's: its progress carries it */
    double last_progress;        /* progress only increases */
    int has_progress;
    int modern;                  /* created by a 2026-07-28 request: seen through the extension */
    int native;                  /* its server speaks the extension itself (upstream_tasks_native.c) */
    json_t *held;                /* native: the Task of one the server answered at once, held here
                                  * (its outcome in result), or NULL */
    char last_status[16];        /* native, 2025-11-25 creator: the status it was last told of */
    /* The fields below are the extension's (upstream_tasks_ext.c). */
    json_t *caps;                /* the creating request's client capabilities (native: as its server has them) */
    int watching;                /* our tasks/result is waiting on the server */
    json_t *result, *error;      /* what that tasks/result answered, once the task ended (unless large) */
    json_t *pending;             /* key -> {id: the server's request id, ask: {method, params}} */
    unsigned next_key;
};

struct task_table {
    struct mg_tasks ops; /* first: gw->tasks points here */
    struct task *head, *tail; /* oldest first */
    size_t count;
    struct task_asked *asked;   /* tasks/get, tasks/result, tasks/cancel awaiting the server */
    struct question *questions; /* the servers' requests about 2025-11-25 tasks, awaiting a client */
    /* upstream_tasks_native.c: 2025-11-25 tasks/result of tasks whose
     * servers speak the extension, and the timer that polls for them. */
    struct waiter *waiters;
    uv_timer_t poll;
    int poll_open, poll_closing;
    void (*poll_closed)(void *ctx);
    void *poll_closed_ctx;
};

/* A client's request about a task, sent to the server and awaiting its
 * answer. */
struct task_asked {
    struct task_asked *prev, *next;
    struct task_table *t;
    struct mg_req *req;
    struct mg_upstream *u;
    int64_t id;
    char task_id[MG_TASK_ID_SIZE];
    json_t *task;        /* 2026-07-28 tasks/get of an ended task: its Task, while its result is asked */
};

/* upstream_tasks.c */
struct task_table *mg_task_table(struct mg_gateway *gw);
struct task *mg_task_find(struct task_table *t, const char *id);
/* Task K (or NULL) was seen in STATUS: once it has ended, its progress
 * token is void and the server's questions about it are withdrawn. */
void mg_task_saw_status(struct task *k, const char *status);
/* Send METHOD about task K to its server for REQ, with PARAMS (stolen, or
 * NULL) and the server's taskId; DONE gets the answer with a struct
 * task_asked, and TASK (stolen, or NULL) rides along. */
void mg_task_ask_server(struct mg_req *req, struct task *k, const char *method, json_t *params, mg_rpc_reply_fn done,
                        json_t *task);
void mg_task_asked_free(struct task_asked *a);
/* Fail REQ with server U's ERROR, as it gave it, or with WHY when there is
 * none (no answer); and the same for A's request. */
void mg_task_fail_req(struct mg_req *req, const struct mg_upstream *u, json_t *error, const char *why);
void mg_task_fail_asked(struct task_asked *a, json_t *error, const char *why);

/* upstream_tasks_ext.c */
/* A new modern task: the server's questions about it are gathered. */
void mg_task_ext_watch(struct task_table *t, struct task *k);
/* The server's request ID (METHOD, PARAMS) about modern task K: kept for
 * tasks/get and returns 1, or 0 with WHY when its client cannot answer. */
int mg_task_ext_keep_ask(struct task *k, json_t *id, const char *method, json_t *params, char *why, size_t whylen);
/* Task K has ended or is forgotten: the questions still kept on it are
 * answered upstream with an error. */
void mg_task_ext_withdraw_asks(struct task *k);
/* tasks/get, tasks/update or tasks/cancel of modern task K. */
void mg_task_ext_request(struct mg_req *req, struct task *k, json_t *params);

/* upstream_tasks_native.c */
/* tasks/get, tasks/update, tasks/cancel, and a 2025-11-25 tasks/result,
 * of task K, whose server speaks the extension. */
void mg_task_native_request(struct mg_req *req, struct task *k, json_t *params);
/* The 2025-11-25 tasks/result waiting on tasks of U (NULL: of every
 * server) fail, saying WHY. */
void mg_task_native_forget(struct task_table *t, const struct mg_upstream *u, const char *why);
/* The gateway stops: as mg_task_native_forget, and the poll timer is
 * closed; 1 when DONE will run once it is, 0 when there was none. */
int mg_task_native_close(struct task_table *t, void (*done)(void *ctx), void *ctx);

#endif
