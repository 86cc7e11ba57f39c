/*
 * stdio.h - `mcpgate stdio`'s use of the stdio transport, beyond the
 * embedding API's mg_gateway_serve_stdio().
 */
#ifndef MG_TRANSPORT_STDIO_H
#define MG_TRANSPORT_STDIO_H

struct mg_gateway;

struct mg_stdio_opts {
    void (*reload)(void *ctx); /* run on SIGHUP, or NULL: SIGHUP keeps its default */
    void *reload_ctx;
    const char *watch;         /* a file whose changes run reload too, or NULL */
};

/* mg_gateway_serve_stdio() with OPTS (may be NULL). */
int mg_stdio_serve(struct mg_gateway *gw, const struct mg_stdio_opts *opts);

#endif
