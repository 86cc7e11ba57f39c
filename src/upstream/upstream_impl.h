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

struct mg_call;

/* One request forwarded and not yet answered. */
struct fwd {
    struct fwd *prev, *next;
    struct mg_upstream *u;
    struct mg_call *call;
    int64_t id;          /* upstream request id */
    char token[32];      /* our progress token upstream, or "" */
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
};

struct mg_upstream {
    struct mg_gateway *gw;
    const struct mg_server_config *sc;
    const struct mg_config *cfg;
    enum mg_upstream_state state;
    char last_error[300];
    const struct link_ops *ops; /* NULL: nothing to connect (disabled) */
    void *link;                 /* struct mg_child *, ... */
    struct mg_rpc_client rpc;
    char *version;        /* protocol version the upstream agreed to */
    json_t *tools;        /* gathered over tools/list pages */
    int pages;
    int published;        /* tools in the catalog (-1: none), 0: not yet */
    char *signature;      /* the published list's tool names, sorted */
    int listing;          /* a tools/list walk is under way */
    int relist;           /* list_changed came during it: walk again */
    uint64_t connect_started;
    struct fwd *fwds;
    unsigned long next_token;
    uv_timer_t probe;     /* liveness pings while READY */
    uv_timer_t retry;     /* a failed handshake is tried again later */
    int timers;           /* probe and retry were initialised */
    unsigned retries;     /* failed handshakes in a row */
    int pinging;
    uint64_t ping_sent;
    uint64_t latency_ms;  /* of the last ping answered */
};

/* upstream.c */
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

/* upstream_discover.c */
void mg_upstream_handshake(struct mg_upstream *u);
void mg_upstream_list_changed(struct mg_upstream *u);

/* upstream_forward.c */
void mg_upstream_forward(struct mg_call *call, json_t *args, void *udata);
void mg_upstream_on_notification(void *ctx, const char *method, json_t *params);
void mg_upstream_on_request(void *ctx, json_t *id, const char *method, json_t *params);

#endif
