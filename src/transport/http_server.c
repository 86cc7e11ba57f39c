/*
 * http_server.c - `mcpgate serve`: h2o on the gateway's libuv loop.
 *
 * One handler routes by path: /mcp (Streamable HTTP, both eras),
 * /healthz and /readyz.  When API keys are required, every other request
 * is authenticated first (http_auth.c), before its path is even looked
 * at, so that a caller without a key learns nothing (not which servers
 * exist).  Every request to an MCP path then has its Origin checked:
 * browsers send Origin on cross-site requests, and a page on some other
 * site must not reach a gateway on the user's loopback (DNS rebinding),
 * so a foreign Origin gets 403.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/subscriptions.h"
#include "upstream/upstream.h"
#include "mcp/version.h"
#include "transport/http_internal.h"
#include "util/alloc.h"
#include "util/log.h"

/* A slow or silent client cannot hold a connection: h2o closes one whose
 * request (headers and body) does not arrive within this time, and an
 * idle keep-alive connection after it. */
#define REQUEST_TIMEOUT_MS 10000
#define SWEEP_INTERVAL_MS 10000
#define DEFAULT_SESSION_IDLE_S 1800

struct root_handler {
    h2o_handler_t super;
    struct http_server *srv;
};

static const char *
reason_for(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Client Error" : "Server Error";
    }
}

void
http_add_header(h2o_req_t *req, const char *name, const char *value)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value, strlen(value));
}

void
http_send_json(h2o_req_t *req, int status, json_t *body)
{
    size_t len = 0;
    char *text = mg_rpc_encode(body, &len);

    req->res.status = status;
    req->res.reason = reason_for(status);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"), 1);
    req->res.content_length = len;
    h2o_send_inline(req, text, len);
    mg_free(text);
}

void
http_send_rpc_error(h2o_req_t *req, int status, json_t *id, int code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    json_t *msg;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    msg = mg_rpc_make_error(id, code, message, NULL);
    http_send_json(req, status, msg);
    json_decref(msg);
}

const char *
http_header(h2o_req_t *req, const char *name, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);

    if (i < 0)
        return NULL;
    if (len != NULL)
        *len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

int
http_header_has(h2o_req_t *req, const char *name, const char *token)
{
    size_t len, tlen = strlen(token);
    const char *v = http_header(req, name, &len);

    if (v == NULL)
        return 0;
    for (size_t i = 0; i + tlen <= len; i++)
        if (strncasecmp(v + i, token, tlen) == 0)
            return 1;
    return 0;
}

/* --- Origin ------------------------------------------------------------- */

/* The host of an origin "scheme://host[:port]", into OUT. */
static int
origin_host(const char *origin, size_t len, char *out, size_t outlen)
{
    const char *p = NULL, *end = origin + len, *h;
    size_t n;

    for (size_t i = 0; i + 3 <= len && p == NULL; i++)
        if (memcmp(origin + i, "://", 3) == 0)
            p = origin + i;
    if (p == NULL)
        return -1;
    h = p + 3;
    if (h < end && *h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (close == NULL)
            return -1;
        n = (size_t)(close - h) + 1;
    } else {
        const char *colon = memchr(h, ':', (size_t)(end - h));
        n = (size_t)((colon ? colon : end) - h);
    }
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, h, n);
    out[n] = '\0';
    return 0;
}

static int
origin_allowed(struct http_server *srv, h2o_req_t *req)
{
    size_t len = 0;
    const char *origin = http_header(req, "origin", &len);
    char host[256];

    if (origin == NULL)
        return 1; /* not a browser, or a same-origin GET */
    for (size_t i = 0; i < srv->opts.norigins; i++) {
        const char *o = srv->opts.origins[i];
        if (strcmp(o, "*") == 0 || (strlen(o) == len && strncasecmp(o, origin, len) == 0))
            return 1;
    }
    /* Pages served from this machine itself. */
    if (origin_host(origin, len, host, sizeof(host)) == 0 &&
        (strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0))
        return 1;
    return 0;
}

/* --- routing ------------------------------------------------------------ */

static int
path_is(h2o_req_t *req, const char *path)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, path, strlen(path));
}

int
http_view_of(h2o_req_t *req, char *out, size_t outlen)
{
    char project[MG_PROJECT_NAME_MAX + 1];
    const char *p, *name;
    size_t len, n;

    if (http_path_project(req, project, sizeof(project), &p, &len) < 0)
        return 0;
    if (len < 13 || memcmp(p, "/servers/", 9) != 0 || memcmp(p + len - 4, "/mcp", 4) != 0)
        return 0;
    name = p + 9;
    n = len - 13;
    if (n == 0 || n >= outlen || memchr(name, '/', n) != NULL)
        return 0;
    memcpy(out, name, n);
    out[n] = '\0';
    return 1;
}

static int
method_is(h2o_req_t *req, const char *method)
{
    return h2o_memis(req->method.base, req->method.len, method, strlen(method));
}

static void
health(struct http_server *srv, h2o_req_t *req, int ready)
{
    json_t *body;

    if (ready && srv->stopping)
        body = json_pack("{s:s}", "status", "stopping");
    else if (ready)
        body = json_pack("{s:s, s:I, s:o}", "status", "ready", "tools", (json_int_t)srv->gw->catalog.tool_count,
                         "servers", mg_upstreams_counts(srv->gw));
    else
        body = json_pack("{s:s, s:s}", "status", "ok", "version", MG_VERSION);
    http_send_json(req, ready && srv->stopping ? 503 : 200, body);
    json_decref(body);
}

static void
mcp_endpoint(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    size_t vlen;
    const char *v = http_header(req, "mcp-protocol-version", &vlen);
    char version[32];
    int modern_header;

    /* Legacy clients send no MCP-Protocol-Version or a dated legacy one;
     * 2026-07-28 is modern (which ignores Mcp-Session-Id), and so is any
     * other value without a session id, so that an unknown version gets
     * -32022 with the supported versions.  Inside a session, a bad
     * version is the session's 400. */
    snprintf(version, sizeof(version), "%.*s", (int)(v != NULL && vlen < 31 ? vlen : 31), v != NULL ? v : "");
    modern_header = v != NULL && (mg_proto_is_modern(version) ||
                                  (!mg_proto_is_legacy(version) && http_header(req, "mcp-session-id", NULL) == NULL));

    if (method_is(req, "POST")) {
        json_t *msg = http_decode_body(srv, req);
        if (msg == NULL)
            return;
        if (modern_header || http_is_modern(msg))
            http_modern_post(srv, req, msg, key);
        else
            http_legacy_post(srv, req, msg, key);
        json_decref(msg);
        return;
    }
    if (modern_header) {
        /* 2026-07-28 is POST only: no session, no GET stream. */
        http_add_header(req, "allow", "POST");
        http_send_rpc_error(req, 405, NULL, MG_RPC_INVALID_REQUEST,
                            "Method Not Allowed: protocol %s uses POST only", MG_PROTO_2026_07_28);
        return;
    }
    if (method_is(req, "GET")) {
        http_legacy_get(srv, req, key);
    } else if (method_is(req, "DELETE")) {
        http_legacy_delete(srv, req, key);
    } else {
        http_add_header(req, "allow", "GET, POST, DELETE");
        http_send_rpc_error(req, 405, NULL, MG_RPC_INVALID_REQUEST, "Method Not Allowed: use POST, GET or DELETE");
    }
}

/* Protocol 2024-11-05's HTTP+SSE transport, for clients that predate
 * Streamable HTTP: GET /sse opens a session, POST /messages feeds it. */
static void
old_sse_endpoint(struct http_server *srv, h2o_req_t *req, const struct mg_key *key)
{
    if (path_is(req, "/sse") && method_is(req, "GET")) {
        http_old_sse_open(srv, req, key);
    } else if (path_is(req, "/messages") && method_is(req, "POST")) {
        json_t *msg = http_decode_body(srv, req);
        if (msg != NULL)
            http_old_sse_post(srv, req, msg, key);
        json_decref(msg);
    } else {
        http_add_header(req, "allow", path_is(req, "/sse") ? "GET" : "POST");
        http_send_rpc_error(req, 405, NULL, MG_RPC_INVALID_REQUEST, "Method Not Allowed: GET /sse, POST /messages");
    }
}

static int
on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct http_server *srv = ((struct root_handler *)self)->srv;
    char view[MG_MAX_VIEW_NAME + 1], project[MG_PROJECT_NAME_MAX + 1];
    const char *rest;
    size_t restlen;
    int in_project = http_path_project(req, project, sizeof(project), &rest, &restlen) != 0;
    int is_mcp = h2o_memis(rest, restlen, "/mcp", 4);
    const struct mg_key *key;

    if (path_is(req, "/healthz")) {
        health(srv, req, 0);
        return 0;
    }
    if (path_is(req, "/readyz")) {
        health(srv, req, 1);
        return 0;
    }
    if (http_auth_check(srv, req, &key) != 0)
        return 0;
    if (http_view_of(req, view, sizeof(view))) {
        /* One server under its own names; it need not be connected yet. */
        if (!mg_upstreams_has(srv->gw, view) && mg_view_bundle(&srv->gw->catalog, view) == NULL) {
            http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                                "Not Found: no server named '%.100s'; /servers/<name>/mcp takes a server name from the "
                                "config", view);
            return 0;
        }
        is_mcp = 1;
    } else if (!is_mcp && (in_project || (!path_is(req, "/sse") && !path_is(req, "/messages")))) {
        http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                            "Not Found: the MCP endpoint is /mcp (and /sse for HTTP+SSE clients; "
                            "/servers/<name>/mcp for one server; /p/<project>/mcp for one project)");
        return 0;
    }
    if (!path_is(req, "/messages") && http_project_for(srv, req, key, project, sizeof(project), 1) != 0)
        return 0;
    if (!origin_allowed(srv, req)) {
        size_t len = 0;
        const char *origin = http_header(req, "origin", &len);
        mg_log_warn("refused a request from Origin %.*s", (int)(len > 200 ? 200 : len), origin);
        http_send_rpc_error(req, 403, NULL, MG_RPC_INVALID_REQUEST,
                            "Forbidden: Origin %.*s is not allowed (allow it with --allow-origin or allow_origins in the config)",
                            (int)(len > 200 ? 200 : len), origin);
        return 0;
    }
    if (is_mcp)
        mcp_endpoint(srv, req, key);
    else
        old_sse_endpoint(srv, req, key);
    return 0;
}

/* --- listening ---------------------------------------------------------- */

/* A connection's handle, with the server it counts against. */
struct conn {
    uv_tcp_t tcp; /* first: h2o closes it as a uv handle */
    struct http_server *srv;
    struct conn *prev, *next;
};

static void
on_conn_close(uv_handle_t *h)
{
    struct conn *c = (struct conn *)h;

    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->srv->connections--;
    free(c);
}

/* At shutdown: every connection reads end of file from now on.  An idle
 * keep-alive one is closed by h2o at once, and one with a request in hand
 * after its response, instead of lingering until the client or the idle
 * timeout ends it. */
static void
conns_end_reading(struct http_server *srv)
{
    for (struct conn *c = srv->conns; c != NULL; c = c->next) {
        uv_os_fd_t fd;
        if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
            shutdown(fd, SHUT_RD);
    }
}

static void
on_accept(uv_stream_t *listener, int status)
{
    struct http_server *srv = listener->data;
    struct conn *c;
    h2o_socket_t *sock;

    if (status != 0) {
        mg_log_warn("accept: %s", uv_strerror(status));
        return;
    }
    c = h2o_mem_alloc(sizeof(*c));
    c->srv = srv;
    uv_tcp_init(srv->loop, &c->tcp);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
        return;
    }
    srv->connections++;
    c->prev = NULL;
    if ((c->next = srv->conns) != NULL)
        c->next->prev = c;
    srv->conns = c;
    uv_tcp_nodelay(&c->tcp, 1);
    sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_conn_close);
    h2o_accept(&srv->accept_ctx, sock);
}

/* "host:port", "[v6]:port" or ":port". */
static int
parse_listen(const char *spec, struct sockaddr_storage *ss, int *loopback)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    char *end;
    long port;
    size_t hlen;

    if (colon == NULL)
        return -1;
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || end == colon + 1)
        return -1;
    hlen = (size_t)(colon - spec);
    if (hlen >= sizeof(host))
        return -1;
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    if (hlen == 0 || strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (host[n - 1] != ']')
            return -1;
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
        if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) != 0)
            return -1;
        *loopback = strcmp(host, "::1") == 0;
        return 0;
    }
    if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) != 0)
        return -1;
    *loopback = strncmp(host, "127.", 4) == 0;
    return 0;
}

/* Shutdown waits for connections to close: they read end of file
 * (conns_end_reading), so each closes once its last response is out;
 * REQUEST_TIMEOUT_MS bounds the wait. */
static void
on_drain(uv_timer_t *t)
{
    struct http_server *srv = t->data;

    if (srv->connections > 0 && uv_now(srv->loop) < srv->drain_deadline)
        return;
    if (srv->connections > 0)
        mg_log_warn("%zu connections still open at shutdown; closing them", srv->connections);
    mg_log_debug("drained: %zu connections open", srv->connections);
    uv_close((uv_handle_t *)&srv->drain, NULL);
    /* The requests have had their time: the upstream children get their
     * shutdown sequence while the server's own handles close. */
    mg_upstreams_stop(srv->gw, NULL, NULL);
    uv_stop(srv->loop);
}

static void
on_signal(uv_signal_t *sig, int signum)
{
    struct http_server *srv = sig->data;

    if (srv->stopping)
        return;
    mg_log_info("%s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    srv->stopping = 1;
    uv_close((uv_handle_t *)&srv->listener, NULL);
    uv_close((uv_handle_t *)&srv->sigint, NULL);
    uv_close((uv_handle_t *)&srv->sigterm, NULL);
    uv_close((uv_handle_t *)&srv->sighup, NULL);
    mg_config_watch_close(&srv->watch);
    uv_close((uv_handle_t *)&srv->sweep, NULL);
    uv_close((uv_handle_t *)&srv->tick, NULL);
    mg_subscriptions_end_all(srv->gw); /* listen streams end with a result */
    http_sessions_sweep(srv, 1);
    http_exchange_abandon_stateless(srv, NULL, 503, "Service Unavailable: mcpgate is shutting down");
    conns_end_reading(srv);
    uv_timer_init(srv->loop, &srv->drain);
    srv->drain.data = srv;
    srv->drain_deadline = uv_now(srv->loop) + REQUEST_TIMEOUT_MS + 1000;
    uv_timer_start(&srv->drain, on_drain, 0, 50);
}

static void
on_hangup(uv_signal_t *sig, int signum)
{
    struct http_server *srv = sig->data;

    (void)signum;
    if (srv->stopping)
        return;
    if (srv->opts.reload != NULL)
        srv->opts.reload(srv->opts.reload_ctx);
    else
        mg_log_info("SIGHUP: ignored (this gateway has no config to read again)");
}

static void
close_handle(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void
on_sweep(uv_timer_t *t)
{
    http_sessions_sweep(t->data, 0);
}

static void
on_tick(uv_timer_t *t)
{
    http_exchange_tick(t->data);
}

int
mg_http_serve(struct mg_gateway *gw, const struct mg_http_opts *opts)
{
    struct http_server srv;
    struct sockaddr_storage ss;
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    struct root_handler *handler;
    unsigned sweep_ms;
    int rc;

    memset(&srv, 0, sizeof(srv));
    srv.gw = gw;
    srv.loop = gw->loop;
    srv.opts = *opts;
    if (srv.opts.listen == NULL)
        srv.opts.listen = MG_HTTP_DEFAULT_LISTEN;
    if (srv.opts.session_idle_s == 0)
        srv.opts.session_idle_s = DEFAULT_SESSION_IDLE_S;
    if (parse_listen(srv.opts.listen, &ss, &srv.loopback) != 0) {
        mg_log_error("listen address '%s' is not host:port (e.g. 127.0.0.1:8808 or [::1]:8808)", srv.opts.listen);
        return -1;
    }
    if (http_auth_open(&srv) != 0)
        return -1;
    mg_strmap_init(&srv.sessions);

    h2o_config_init(&srv.config);
    srv.config.server_name = h2o_iovec_init(H2O_STRLIT("mcpgate"));
    srv.config.max_request_entity_size = gw->max_message; /* larger bodies: 413 */
    srv.config.http1.req_timeout = REQUEST_TIMEOUT_MS;
    srv.config.http2.idle_timeout = REQUEST_TIMEOUT_MS;
    host = h2o_config_register_host(&srv.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/", 0);
    handler = (struct root_handler *)h2o_create_handler(path, sizeof(*handler));
    handler->super.on_req = on_req;
    handler->srv = &srv;
    h2o_context_init(&srv.ctx, srv.loop, &srv.config);
    srv.accept_ctx.ctx = &srv.ctx;
    srv.accept_ctx.hosts = srv.config.hosts;

    uv_tcp_init(srv.loop, &srv.listener);
    srv.listener.data = &srv;
    if ((rc = uv_tcp_bind(&srv.listener, (struct sockaddr *)&ss, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&srv.listener, 511, on_accept)) != 0) {
        mg_log_error("cannot listen on %s: %s", srv.opts.listen, uv_strerror(rc));
        uv_close((uv_handle_t *)&srv.listener, NULL);
        http_auth_close(&srv);
        /* One turn closes the listener.  Not until the loop is empty: the
         * upstreams started already keep it busy until they are stopped,
         * which the caller does next. */
        uv_run(srv.loop, UV_RUN_NOWAIT);
        h2o_context_dispose(&srv.ctx);
        h2o_config_dispose(&srv.config);
        mg_strmap_free(&srv.sessions);
        return -1;
    }
    uv_signal_init(srv.loop, &srv.sigint);
    uv_signal_init(srv.loop, &srv.sigterm);
    srv.sigint.data = srv.sigterm.data = &srv;
    uv_signal_start(&srv.sigint, on_signal, SIGINT);
    uv_signal_start(&srv.sigterm, on_signal, SIGTERM);
    /* SIGHUP reads the config again; without a reload, it is ignored
     * rather than left to end the process. */
    uv_signal_init(srv.loop, &srv.sighup);
    srv.sighup.data = &srv;
    uv_signal_start(&srv.sighup, on_hangup, SIGHUP);
    if (srv.opts.watch != NULL && srv.opts.reload != NULL)
        mg_config_watch_start(&srv.watch, srv.loop, srv.opts.watch, srv.opts.reload, srv.opts.reload_ctx);
    uv_timer_init(srv.loop, &srv.sweep);
    srv.sweep.data = &srv;
    /* Polling streams are checked often enough to close them on time. */
    sweep_ms = SWEEP_INTERVAL_MS;
    if (srv.opts.sse_poll_s > 0 && srv.opts.sse_poll_s * 250u < sweep_ms)
        sweep_ms = srv.opts.sse_poll_s * 250u;
    uv_timer_start(&srv.sweep, on_sweep, sweep_ms, sweep_ms);
    uv_timer_init(srv.loop, &srv.tick);
    srv.tick.data = &srv;
    uv_timer_start(&srv.tick, on_tick, 1000, 1000);
    signal(SIGPIPE, SIG_IGN);

    {
        /* The bound address, so that port 0 tells which port it got. */
        struct sockaddr_storage bound;
        int blen = sizeof(bound);
        char ip[64] = "?";
        int port = 0;
        uv_tcp_getsockname(&srv.listener, (struct sockaddr *)&bound, &blen);
        if (bound.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&bound, ip + 1, sizeof(ip) - 3);
            ip[0] = '[';
            strcat(ip, "]");
            port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&bound, ip, sizeof(ip));
            port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
        }
        /* The pid is what SIGHUP (reload) and SIGTERM go to. */
        mg_log_info("mcpgate %s serving MCP on http://%s:%d/mcp (%zu tools, pid %d)", MG_VERSION, ip, port,
                    gw->catalog.tool_count, (int)uv_os_getpid());
    }
    uv_run(srv.loop, UV_RUN_DEFAULT);

    http_auth_close(&srv);
    h2o_context_dispose(&srv.ctx);
    if (srv.connections > 0)
        uv_walk(srv.loop, close_handle, NULL); /* stuck connections: give up on them */
    uv_run(srv.loop, UV_RUN_DEFAULT);          /* let the closes finish */
    h2o_config_dispose(&srv.config);
    mg_strmap_free(&srv.sessions);
    mg_log_info("stopped");
    return 0;
}
