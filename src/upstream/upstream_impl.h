/*
 * upstream_impl.h - struct mg_upstream, shared by the files of an
 * upstream: upstream.c (lifecycle and link), upstream_discover.c
 * (handshake and lists) and upstream_forward.c (calls and what the
 * upstream sends on its own).  Not a public header.
 */
#ifndef MG_UPSTREAM_UPSTREAM_IMPL_H
#define MG_UPSTREAM_UPSTREAM_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "upstream/rpc_client.h"
#include "upstream/upstream.h"

struct mg_bundle;
struct mg_call;
struct mg_session;
struct waiting;
struct relay;

/*
 * One request forwarded and not yet answered.  A 2026-07-28 client cannot
 * be sent the upstream's requests (sampling, elicitation, roots): its call
 * ends with input_required and the forward is parked (call NULL) until the
 * client retries with the answers, which go upstream, and the retry's call
 * takes the forward over (upstream_bridge.c).
 */
struct fwd {
    struct fwd *prev, *next;
    struct mg_upstream *u;
    struct mg_call *call;  /* NULL while parked */
    int64_t id;            /* upstream request id */
    char token[32];        /* our progress token upstream, or "" */
    unsigned long serial;  /* names a parked forward in requestState */
    json_t *asked;         /* {key: upstream request id} awaiting the client's answers */
    uint64_t parked_at;    /* loop time it was parked */
    json_t *result, *error; /* the upstream answered while parked */
    char *why;
};

/*
 * How an upstream's messages travel: a child's pipes, or HTTP.  The link
 * calls mg_upstream_link_up() when messages can flow (a new connection:
 * handshake again) and mg_upstream_link_down() when it lost them.
 */
struct link_ops {
    int (*send)(struct mg_upstream *u, const char *line, size_t len);
    /* Start afresh; link_up comes again. */
    void (*restart)(struct mg_upstream *u);
    /* For good; DONE(CTX) once every handle is closed. */
    void (*stop)(struct mg_upstream *u, void (*done)(void *ctx), void *ctx);
    void (*free)(struct mg_upstream *u);
    /* The protocol version the handshake agreed (may be NULL). */
    void (*set_version)(struct mg_upstream *u, const char *version);
};

struct mg_upstream {
    struct mg_gateway *gw;
    const struct mg_server_config *sc;
    const struct mg_config *cfg;
    /* isolation: session (upstream_isolate.c).  The configured upstream
     * discovers the server's lists for the catalog; each client session
     * that calls gets an instance of its own, reaped with the session. */
    struct mg_upstream *parent;       /* an instance: the configured upstream */
    const void *session;              /* an instance: the client session it serves, or NULL: */
    char key_id[24];                  /* an instance for 2026-07-28 requests of this API key, or "" */
    uint64_t last_used;               /* ... uv_now of its last call: reaped once idle */
    uv_timer_t reap;                  /* the configured upstream: reaps idle key instances */
    const struct mg_project_config *project; /* an instance: the project whose credentials it runs with */
    struct mg_server_config *own_sc;  /* an instance with a project's credentials: sc, owned */
    struct mg_upstream *instances;    /* the configured upstream: its instances */
    struct mg_upstream *stopped;      /* ... and those stopped at shutdown, until freed */
    /* Retired by a config reload (upstream_reload.c): stopped, and kept
     * on gw->upstreams_retired until the gateway is freed. */
    int retired;
    size_t retire_pending;            /* parts still stopping */
    int retire_counted;               /* the gateway's shutdown waits for it */
    struct mg_upstream *retire_next;
    struct mg_upstream *inst_prev, *inst_next;
    struct waiting *waiting;          /* an instance: calls until its handshake is done */
    int closing;                      /* mg_upstream_close(): closes not yet done */
    void (*closed)(void *ctx);
    void *closed_ctx;
    enum mg_upstream_state state;
    char last_error[300];
    const struct link_ops *ops; /* NULL: nothing to connect (disabled) */
    void *link;                 /* struct mg_child *, ... */
    int link_up;                /* between link_up and link_down */
    struct mg_rpc_client rpc;
    char *version;        /* protocol version the upstream agreed to */
    int modern;           /* it speaks 2026-07-28 (upstream_era.c) */
    int probe_retried;    /* this handshake's server/discover was sent again */
    int era_known;        /* the configured upstream: MG_ERA_KNOWN_*, or 0 to probe */
    int64_t listen_id;    /* modern: the open subscriptions/listen, or 0 */
    json_t *send_params;  /* modern HTTP: x-mcp-header arguments of the message being sent */
    uv_timer_t listen_again; /* ... opened again after it ended */
    json_t *capabilities; /* the server's, from initialize */
    json_t *lists;        /* [tools, prompts, resources, templates] being gathered */
    unsigned walk;        /* the walk over them under way (upstream_discover.c) */
    int lists_pending;    /* lists of this walk not yet in */
    int published;        /* the lists are in the catalog */
    size_t tool_count;    /* tools the server listed */
    int listing;          /* a walk over the lists is under way */
    int relist;           /* list_changed came during it: walk again */
    uv_timer_t notify;    /* running: a notification went out, later changes wait for it */
    unsigned notify_bits; /* 1 << enum mg_list_kind of each list that changed */
    json_t *subscribed;   /* URIs clients subscribed to: {uri: true} */
    int replay;           /* a new connection: subscribe to them again */
    int log_ready;        /* legacy, initialized on this link: logging/setLevel may be sent */
    int log_level;        /* ... the level last sent on it (enum mg_mcp_log_level), or -1: the server's own */
    uint64_t connect_started;
    struct fwd *fwds;
    struct relay *relays; /* its requests passed to clients, unanswered */
    unsigned long next_token;
    unsigned long next_serial;
    size_t nparked;       /* forwards parked for a 2026-07-28 client's retry */
    uv_timer_t gather;    /* requests of one round arrive together: ended after a moment */
    uv_timer_t relook;    /* HTTP: the lists once more, after the GET stream is up */
    int relooked;
    uv_timer_t probe;     /* liveness pings while READY */
    uv_timer_t retry;     /* a failed handshake is tried again later */
    int timers;           /* probe, retry and notify were initialised */
    unsigned retries;     /* failed handshakes in a row */
    int pinging;
    uint64_t ping_sent;
    uint64_t latency_ms;  /* of the last ping answered */
};

/* What a probe found; kept so that reconnects need not probe again. */
#define MG_ERA_KNOWN_LEGACY 1
#define MG_ERA_KNOWN_MODERN 2

/* upstream.c */
/* A new upstream for SC, connecting (PARENT: an instance of that one). */
struct mg_upstream *mg_upstream_open(struct mg_gateway *gw, const struct mg_config *cfg,
                                     const struct mg_server_config *sc, struct mg_upstream *parent);
/* 1 when U is stopping (with the gateway, or retired): nothing of it is
 * started again. */
int mg_upstream_stopping(const struct mg_upstream *u);
/* One of the parts the gateway's shutdown waits for has stopped. */
void mg_upstreams_stopped_one(struct mg_gateway *gw);
/* upstream_reload.c: the retired upstreams still stopping, now counted
 * by the shutdown; and freeing them all. */
size_t mg_upstreams_retiring(struct mg_gateway *gw);
void mg_upstreams_free_retired(struct mg_gateway *gw);
/* Close its link, timers and client; DONE(CTX) once all are closed. */
void mg_upstream_close(struct mg_upstream *u, void (*done)(void *ctx), void *ctx);
void mg_upstream_free(struct mg_upstream *u);
void mg_upstream_set_state(struct mg_upstream *u, enum mg_upstream_state st, const char *why);
/* FAILED, with FMT (one %s: DETAIL) as last error, logged with the server's
 * URL or command. */
void mg_upstream_fail(struct mg_upstream *u, const char *fmt, const char *detail);
/* The handshake or a list failed: start the link afresh later, the wait
 * doubling each time. */
void mg_upstream_retry_later(struct mg_upstream *u);
/* Listed and published: READY, pings start. */
void mg_upstream_ready(struct mg_upstream *u);
void mg_upstream_link_up(struct mg_upstream *u);
void mg_upstream_link_down(struct mg_upstream *u, const char *why, int stopped);
/* Where the server is, for messages: its URL or command. */
const char *mg_upstream_where(const struct mg_upstream *u);

/* upstream_era.c */
/* Find the server's era (server/discover), then initialize if legacy. */
void mg_upstream_handshake(struct mg_upstream *u);
/* The capabilities the gateway declares to upstreams (new reference). */
json_t *mg_upstream_gateway_caps(void);
/* PARAMS (stolen, may be NULL) as U needs them: a modern upstream gets
 * the protocol version, CAPS (the client's, borrowed; NULL: the
 * gateway's), clientInfo and LOG_LEVEL (may be NULL) in _meta. */
json_t *mg_upstream_with_meta(struct mg_upstream *u, json_t *params, json_t *caps, const char *log_level);
/* Client capabilities CAPS (borrowed; NULL: the gateway's) as a modern
 * upstream is given them for a call: with the tasks extension when
 * TASK, the call may run as a task, and without it otherwise, so that
 * the server makes no task nobody asked for (new reference). */
json_t *mg_upstream_task_caps(json_t *caps, int task);
/* mg_rpc_client_call() with the gateway's _meta for a modern upstream. */
int64_t mg_upstream_call(struct mg_upstream *u, const char *method, json_t *params, unsigned timeout_ms,
                         mg_rpc_reply_fn fn, void *data);
/* Modern: open (or open again, with the current resource subscriptions)
 * the subscriptions/listen stream for what the server can announce. */
void mg_upstream_listen(struct mg_upstream *u);
/* A modern upstream answered CALL with RESULT (borrowed): when it is
 * input_required, the client is asked and 1 returned (CALL goes on, or
 * has been failed); else 0. */
int mg_upstream_input_required(struct mg_upstream *u, struct mg_call *call, json_t *result);

/* upstream_discover.c */
/* The legacy handshake: initialize, notifications/initialized. */
void mg_upstream_initialize(struct mg_upstream *u);
/* Either handshake is done: list (or, an instance, serve at once). */
void mg_upstream_handshake_done(struct mg_upstream *u);
void mg_upstream_list_changed(struct mg_upstream *u);

/* upstream_forward.c */
void mg_upstream_forward(struct mg_call *call, json_t *args, void *udata);
void mg_upstream_forward_prompt(struct mg_call *call, json_t *args, void *udata);
void mg_upstream_forward_read(struct mg_call *call, const char *uri, json_t *vars, void *udata);
void mg_upstream_forward_complete(struct mg_call *call, json_t *params, void *udata);
void mg_upstream_subscribe(struct mg_bundle *b, const char *uri);
/* Send METHOD with PARAMS (stolen) to U for CALL; the answer ends it. */
void mg_upstream_send(struct mg_upstream *u, struct mg_call *call, const char *method, json_t *params);
void mg_upstream_fwd_unlink(struct fwd *f);
void mg_upstream_fwd_free(struct fwd *f);
/* Answer CALL with what the upstream said (or why it said nothing). */
void mg_upstream_fwd_finish(struct fwd *f, struct mg_call *call, json_t *result, json_t *error, const char *why);
void mg_upstream_fwd_cancel(struct mg_call *call, void *data);
/* Answer U's request ID with a client's RESULT or ERROR (both borrowed;
 * both NULL: the client session ended first). */
void mg_upstream_answer(struct mg_upstream *u, json_t *id, json_t *result, json_t *error);
/* Withdraw the requests of U still waiting for a client's answer. */
void mg_upstream_relays_cancel(struct mg_upstream *u);

/* upstream_isolate.c */
/* The upstream CALL goes to: U itself, or with isolation: session the
 * instance of the call's session (started now if it has none).  NULL when
 * the call must wait for the instance's handshake: it has been queued
 * with METHOD and PARAMS (stolen) and is sent once the instance is ready. */
struct mg_upstream *mg_upstream_isolate_route(struct mg_upstream *u, struct mg_call *call, const char *method,
                                              json_t *params);
/* An instance finished its handshake: send what waited for it. */
void mg_upstream_isolate_ready(struct mg_upstream *inst);
void mg_upstream_isolate_fail_waiting(struct mg_upstream *u, const char *why);
void mg_upstream_isolate_session_closed(struct mg_gateway *gw, const struct mg_session *s);
/* 1 if the calls of client session S go to U (the configured upstream or
 * one of its instances). */
int mg_upstream_isolate_serves(const struct mg_upstream *u, const struct mg_session *s);
/* Stop every instance of U; each calls DONE(CTX) when closed.  Returns how many. */
/* 0 when an instance made for CALL to U would stop with its request (a
 * 2026-07-28 request without an API key, under isolation: session), so
 * that no task of its could outlive it. */
int mg_upstream_isolate_outlives(const struct mg_upstream *u, struct mg_call *call);
size_t mg_upstream_isolate_stop_all(struct mg_upstream *u, void (*done)(void *ctx), void *ctx);
void mg_upstream_isolate_free_all(struct mg_upstream *u);
/* Instances alive over the whole gateway (tests and status). */
size_t mg_upstream_isolate_count(void);

/* upstream_tasks.c */
void mg_upstream_tasks_start(struct mg_gateway *gw);
/* The gateway stops: 1 when DONE will run once the tasks' timer has
 * closed, 0 when there is none to close. */
int mg_upstream_tasks_close(struct mg_gateway *gw, void (*done)(void *ctx), void *ctx);
void mg_upstream_tasks_free(struct mg_gateway *gw);
/* A task-augmented tools/call got RESULT (borrowed) from U: when it is a
 * CreateTaskResult, the task is the gateway's now, CALL is answered and 1
 * returned; else 0 (the server ran the call as a plain one).  TOKEN is the
 * progress token the server was given for the call, or "". */
int mg_upstream_task_created(struct mg_upstream *u, struct mg_call *call, json_t *result, const char *token);
/* notifications/progress from U on TOKEN, when TOKEN is a task's: sent to
 * the task's creator under its own token and 1 returned; else 0. */
int mg_upstream_task_progress(struct mg_upstream *u, const char *token, json_t *params);
/* notifications/tasks/status from U: to the session that created the task. */
void mg_upstream_task_status(struct mg_upstream *u, json_t *params);
/* A request of U (elicitation, sampling) about one of its tasks
 * (related-task _meta): passed to the client waiting on that task and 1
 * returned; else 0, with WHY when it is about a task of the gateway's. */
int mg_upstream_task_ask(struct mg_upstream *u, json_t *id, const char *method, json_t *params, char *why,
                         size_t whylen);
/* 1 when U holds a task of a client. */
int mg_upstream_tasks_on(const struct mg_upstream *u);
/* U's tasks are gone with its connection. */
void mg_upstream_tasks_forget(struct mg_upstream *u);
void mg_upstream_tasks_session_closed(struct mg_gateway *gw, const void *session);

/* upstream_level.c */
/* A new legacy connection (initialize answered): the level its clients
 * set is sent again, then mg_upstream_handshake_done(). */
void mg_upstream_level_replay(struct mg_upstream *u);
/* Client session S set its level, or ended having set one: each legacy
 * upstream serving S whose level that changes is sent the new one. */
void mg_upstream_level_update(struct mg_gateway *gw, const struct mg_session *s);

/* upstream_bridge.c */
/* A request of the upstream for a 2026-07-28 client, on forward F:
 * asked in the input_required result that ends F's call. */
void mg_upstream_bridge_ask(struct fwd *f, json_t *id, const char *method, json_t *params);
/* CALL retries a parked forward (its requestState says which): the
 * answers go upstream and CALL takes over.  0 if CALL was no retry. */
int mg_upstream_bridge_resume(struct mg_upstream *u, struct mg_call *call);
/* Forget parked forwards the client never came back for. */
void mg_upstream_bridge_sweep(struct mg_upstream *u);
void mg_upstream_resubscribe(struct mg_upstream *u, const char *uri);
void mg_upstream_on_notification(void *ctx, const char *method, json_t *params);
void mg_upstream_on_request(void *ctx, json_t *id, const char *method, json_t *params);

/* Resource URIs of a server with resource_uri_prefix (upstream_uris.c):
 * URI as the server knows it (a suffix of URI, or URI itself); URI as
 * clients see it (new string); and every resource URI in an answer
 * RESULT (resources/read, tools/call, prompts/get) for session S made the
 * latter, in place, unless S sees only this server (/servers/<name>/mcp,
 * where URIs are the server's own; S NULL: the whole catalog).  For a
 * server without the prefix, URIs stay as they are. */
const char *mg_upstream_uri_in(const struct mg_upstream *u, const char *uri);
char *mg_upstream_uri_out(const struct mg_upstream *u, const char *uri);
void mg_upstream_uris_out(const struct mg_upstream *u, const struct mg_session *s, json_t *result);

#endif
