/*
 * upstream.h - one configured MCP server behind the gateway.
 *
 * An upstream is started from its config entry, connected, discovered and
 * kept alive; its tools go into the catalog under its name, and calls to
 * them are forwarded with gateway-owned request ids and progress tokens,
 * mapped back, and cancelled upstream when the client cancels.
 *
 * This version connects stdio servers (a supervised child process) and
 * speaks the legacy era to them (initialize, 2025-11-25 offered).  Servers
 * given by url are reported as not connected.
 */
#ifndef MG_UPSTREAM_UPSTREAM_H
#define MG_UPSTREAM_UPSTREAM_H

#include <jansson.h>
#include <stddef.h>

struct mg_gateway;
struct mg_config;
struct mg_server_config;
struct mg_upstream;

enum mg_upstream_state {
    MG_UPSTREAM_CONNECTING, /* starting, or handshaking */
    MG_UPSTREAM_READY,      /* tools listed; calls are forwarded */
    MG_UPSTREAM_FAILED,     /* not usable now; last_error says why */
    MG_UPSTREAM_DISABLED,   /* enabled: false in the config */
};

/* Start every server of CFG (borrowed: it must outlive the upstreams). */
void mg_upstreams_start(struct mg_gateway *gw, const struct mg_config *cfg);

/* Stop them all; DONE(CTX) once every child is gone.  Only the first call
 * does anything. */
void mg_upstreams_stop(struct mg_gateway *gw, void (*done)(void *ctx), void *ctx);

/* Free what mg_upstreams_start allocated (after stop's DONE). */
void mg_upstreams_free(struct mg_gateway *gw);

/* What a reload did to the servers. */
struct mg_reload_counts {
    size_t kept, added, removed, restarted;
};
/* Make the running servers those of CFG (borrowed: it must outlive the
 * upstreams), before it replaces gw->cfg: unchanged ones keep running,
 * gone or changed ones are retired (upstream_reload.c), and new or
 * changed ones start.  The config they were started with must outlive
 * the gateway. */
void mg_upstreams_reload(struct mg_gateway *gw, const struct mg_config *cfg, struct mg_reload_counts *n);

const char *mg_upstream_state_name(enum mg_upstream_state s);

/* 1 if NAME is a server of the config (connected or not). */
int mg_upstreams_has(const struct mg_gateway *gw, const char *name);

/* How many servers are in each state: {"ready": n, "connecting": n,
 * "failed": n, "disabled": n, "instances": {the same keys}} (new
 * reference).  "instances" counts the connections started for one client
 * session (isolation: session) or one project's credentials, over every
 * server.  Counts only: /readyz is unauthenticated, so names and errors
 * stay in the logs. */
json_t *mg_upstreams_counts(const struct mg_gateway *gw);

/* Each server's status (new reference): [{name, kind, where, state,
 * protocol, tools, latency_ms, last_error, description}], in config
 * order.  Names and errors: never for unauthenticated callers. */
json_t *mg_upstreams_status(const struct mg_gateway *gw);
/* 1 when no server is still connecting (each is ready, failed or disabled). */
int mg_upstreams_settled(const struct mg_gateway *gw);
/* The names of the servers still connecting, comma-separated, into BUF. */
void mg_upstreams_connecting(const struct mg_gateway *gw, char *buf, size_t len);

#endif
