/*
 * http.h - the HTTP front door (`mcpgate serve`): MCP Streamable HTTP for
 * both protocol eras on h2o, running on the gateway's libuv loop.
 */
#ifndef MG_TRANSPORT_HTTP_H
#define MG_TRANSPORT_HTTP_H

#include <stddef.h>

struct mg_gateway;

struct mg_http_opts {
    const char *listen;            /* "host:port"; NULL: 127.0.0.1:8808 */
    unsigned session_idle_s;       /* legacy session expiry; 0: 1800 */
    unsigned sse_poll_s;           /* 2025-11-25 event streams open this long are
                                    * closed for the client to poll; 0: never */
    const char *const *origins;    /* further allowed Origin values */
    size_t norigins;
    int auth_required;             /* API keys even on loopback (auth: required) */
    void (*reload)(void *ctx);     /* run on SIGHUP, or NULL: SIGHUP is ignored */
    void *reload_ctx;
    const char *watch;             /* a file whose changes run reload too, or NULL */
};

#define MG_HTTP_DEFAULT_LISTEN "127.0.0.1:8808"

/* Serve until SIGINT or SIGTERM; returns 0, or -1 when it cannot listen
 * (the reason is logged). */
int mg_http_serve(struct mg_gateway *gw, const struct mg_http_opts *opts);

#endif
