/*
 * upstream.c - configured servers: start, handshake, list tools, forward.
 */
#include "upstream/upstream.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog_upstream.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/subscriptions.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "upstream/child.h"
#include "upstream/rpc_client.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_TOOL_PAGES 100 /* an upstream that pages forever is cut off */

/* One tools/call forwarded and not yet answered. */
struct fwd {
    struct fwd *prev, *next;
    struct mg_upstream *u;
    struct mg_call *call;
    int64_t id;          /* upstream request id */
    char token[32];      /* our progress token upstream, or "" */
};

struct mg_upstream {
    struct mg_gateway *gw;
    const struct mg_server_config *sc;
    const struct mg_config *cfg;
    enum mg_upstream_state state;
    char last_error[300];
    struct mg_child *child;
    struct mg_rpc_client rpc;
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

json_t *
mg_upstreams_counts(const struct mg_gateway *gw)
{
    json_t *counts = json_pack("{s:i, s:i, s:i, s:i}", "ready", 0, "connecting", 0, "failed", 0, "disabled", 0);

    for (size_t i = 0; i < gw->nupstreams; i++) {
        const char *k = mg_upstream_state_name(gw->upstreams[i]->state);
        json_object_set_new(counts, k, json_integer(json_integer_value(json_object_get(counts, k)) + 1));
    }
    return counts;
}

const char *
mg_upstream_state_name(enum mg_upstream_state s)
{
    static const char *const names[] = {"connecting", "ready", "failed", "disabled"};

    return names[s];
}

static void
set_state(struct mg_upstream *u, enum mg_upstream_state st, const char *why)
{
    u->state = st;
    if (why != NULL)
        snprintf(u->last_error, sizeof(u->last_error), "%s", why);
}

static void
fail(struct mg_upstream *u, const char *fmt, const char *detail)
{
    char why[300];

    snprintf(why, sizeof(why), fmt, detail ? detail : "");
    set_state(u, MG_UPSTREAM_FAILED, why);
    mg_log_warn("upstream %s (%s): %s", u->sc->name, u->sc->command ? u->sc->command : u->sc->url, why);
}

/* --- keeping it alive ------------------------------------------------------ */

#define RETRY_MAX_MS 60000u

static void
on_retry(uv_timer_t *t)
{
    struct mg_upstream *u = t->data;

    mg_log_info("upstream %s: trying again", u->sc->name);
    mg_child_restart(u->child);
}

/* The process runs but the handshake failed: start it afresh later, the
 * wait doubling each time (1 s up to a minute). */
static void
retry_later(struct mg_upstream *u)
{
    uint64_t ms = 1000u << (u->retries < 6 ? u->retries : 6);

    if (!u->timers || u->gw->upstreams_stopping)
        return;
    u->retries++;
    uv_timer_stop(&u->probe);
    uv_timer_start(&u->retry, on_retry, ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS, 0);
}

static void
on_pong(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;

    u->pinging = 0;
    if (result != NULL || error != NULL) { /* any answer shows it alive */
        u->latency_ms = uv_now(u->gw->loop) - u->ping_sent;
        return;
    }
    if (u->gw->upstreams_stopping || u->state != MG_UPSTREAM_READY)
        return;
    mg_log_warn("upstream %s: no answer to a liveness ping (%s); restarting it", u->sc->name, why);
    uv_timer_stop(&u->probe);
    set_state(u, MG_UPSTREAM_CONNECTING, "did not answer a liveness ping");
    mg_child_restart(u->child);
}

static void
on_probe(uv_timer_t *t)
{
    struct mg_upstream *u = t->data;
    unsigned wait = u->cfg->liveness_probe_interval_ms;

    if (u->pinging || u->state != MG_UPSTREAM_READY)
        return;
    u->pinging = 1;
    u->ping_sent = uv_now(u->gw->loop);
    mg_rpc_client_call(&u->rpc, "ping", NULL, wait < 10000 ? wait : 10000, on_pong, u);
}

/* --- forwarding ---------------------------------------------------------- */

static void
fwd_unlink(struct fwd *f)
{
    if (f->prev != NULL)
        f->prev->next = f->next;
    else
        f->u->fwds = f->next;
    if (f->next != NULL)
        f->next->prev = f->prev;
}

static void
fwd_reply(void *data, json_t *result, json_t *error, const char *why)
{
    struct fwd *f = data;
    struct mg_call *call = f->call;
    char msg[400];

    fwd_unlink(f);
    if (result != NULL) {
        mg_call_finish_result(call, result);
    } else if (error != NULL) {
        /* The upstream's own error, as it gave it. */
        json_t *code = json_object_get(error, "code"), *data_v = json_object_get(error, "data");
        const char *text = json_string_value(json_object_get(error, "message"));
        mg_call_fail_rpc(call, json_is_integer(code) ? (int)json_integer_value(code) : MG_RPC_INTERNAL_ERROR,
                         text ? text : "the upstream answered with an error", data_v ? json_incref(data_v) : NULL);
    } else {
        snprintf(msg, sizeof(msg), "Upstream %s: %s", f->u->sc->name, why);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
    }
    mg_free(f);
}

/* The client cancelled: tell the upstream, forget its answer. */
static void
fwd_cancel(struct mg_call *call, void *data)
{
    struct fwd *f = data;
    struct mg_upstream *u = f->u;

    mg_rpc_client_notify(&u->rpc, "notifications/cancelled",
                         json_pack("{s:I, s:s}", "requestId", (json_int_t)f->id, "reason", "the client cancelled"));
    mg_rpc_client_forget(&u->rpc, f->id);
    fwd_unlink(f);
    mg_free(f);
    mg_call_fail(call, "cancelled");
}

static void
forward(struct mg_call *call, json_t *args, void *udata)
{
    struct mg_upstream *u = udata;
    struct fwd *f;
    json_t *params;
    int64_t id;

    if (u->state != MG_UPSTREAM_READY) {
        char msg[400];
        snprintf(msg, sizeof(msg), "Upstream %s is not connected (%s%s%s); try again later", u->sc->name,
                 mg_upstream_state_name(u->state), u->last_error[0] ? ": " : "", u->last_error);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return;
    }
    f = mg_calloc(1, sizeof(*f));
    f->u = u;
    f->call = call;
    params = json_pack("{s:s, s:o}", "name", mg_call_upstream_name(call), "arguments",
                       args != NULL ? json_incref(args) : json_object());
    if (mg_call_progress_token(call) != NULL) {
        /* Tokens are unique per sender only: ours replaces the client's. */
        snprintf(f->token, sizeof(f->token), "mg-%lu", ++u->next_token);
        json_object_set_new(params, "_meta", json_pack("{s:s}", "progressToken", f->token));
    }
    f->next = u->fwds;
    if (f->next != NULL)
        f->next->prev = f;
    u->fwds = f;
    id = mg_rpc_client_call(&u->rpc, "tools/call", params, u->sc->timeout_ms, fwd_reply, f);
    if (id < 0)
        return; /* fwd_reply has ended the call */
    f->id = id;
    mg_call_on_cancel(call, fwd_cancel, f);
}

static void
on_progress(struct mg_upstream *u, json_t *params)
{
    const char *token = json_string_value(json_object_get(params, "progressToken"));

    if (token == NULL)
        return;
    for (struct fwd *f = u->fwds; f != NULL; f = f->next) {
        if (strcmp(f->token, token) == 0) {
            mg_call_progress(f->call, json_number_value(json_object_get(params, "progress")),
                             json_number_value(json_object_get(params, "total")),
                             json_string_value(json_object_get(params, "message")));
            return;
        }
    }
}

/* --- discovery ----------------------------------------------------------- */

static void list_page(struct mg_upstream *u, json_t *cursor);

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tool names of the list, sorted and joined: enough to tell whether
 * a list changed in what the catalog holds. */
static char *
signature(json_t *tools)
{
    size_t n = json_array_size(tools), len = 1, i;
    const char **names = mg_calloc(n + 1, sizeof(*names));
    char *out;
    json_t *t;

    json_array_foreach (tools, i, t) {
        names[i] = json_string_value(json_object_get(t, "name"));
        if (names[i] == NULL)
            names[i] = "";
        len += strlen(names[i]) + 1;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    out = mg_malloc(len);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "\n");
    }
    mg_free(names);
    return out;
}

static void
publish(struct mg_upstream *u)
{
    struct mg_naming nm = {.format = u->cfg->tool_name_format, .max = u->cfg->tool_name_max};
    char err[300], *sig = signature(u->tools);
    int n;

    if (u->published) {
        /* Tools already in the catalog keep routing here; a list that
         * changed in its names needs a restart for now. */
        if (strcmp(sig, u->signature) != 0)
            mg_log_warn("upstream %s now lists other tools than when it was first discovered; restart mcpgate to "
                        "serve the new list", u->sc->name);
        mg_free(sig);
    } else if ((n = mg_catalog_add_upstream(&u->gw->catalog, u->sc, u->tools, &nm, forward, u, err, sizeof(err))) <
               0) {
        mg_free(sig);
        fail(u, "%s", err);
        return;
    } else {
        u->published = n > 0 ? n : -1;
        u->signature = sig;
        sig = NULL;
        mg_notify_list_changed(u->gw, MG_LIST_TOOLS);
    }
    set_state(u, MG_UPSTREAM_READY, "");
    u->retries = 0;
    u->latency_ms = uv_now(u->gw->loop) - u->connect_started;
    if (u->timers && u->cfg->liveness_probe_interval_ms > 0 && !uv_is_active((uv_handle_t *)&u->probe))
        uv_timer_start(&u->probe, on_probe, u->cfg->liveness_probe_interval_ms, u->cfg->liveness_probe_interval_ms);
    mg_log_info("upstream %s ready: %zu tools listed, %llu ms", u->sc->name, json_array_size(u->tools),
                (unsigned long long)u->latency_ms);
}

static void
start_listing(struct mg_upstream *u)
{
    json_array_clear(u->tools);
    u->pages = 0;
    u->listing = 1;
    u->relist = 0;
    list_page(u, NULL);
}

static void
on_tools(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;
    json_t *tools = json_object_get(result, "tools"), *next = json_object_get(result, "nextCursor");

    u->listing = 0;
    if (result == NULL || !json_is_array(tools)) {
        fail(u, "tools/list failed: %s",
             why ? why : error ? json_string_value(json_object_get(error, "message")) : "no tools array");
        retry_later(u);
        return;
    }
    json_array_extend(u->tools, tools);
    if (json_is_string(next) && ++u->pages < MAX_TOOL_PAGES) {
        u->listing = 1;
        list_page(u, next);
        return;
    }
    publish(u);
    if (u->relist)
        start_listing(u);
}

static void
list_page(struct mg_upstream *u, json_t *cursor)
{
    json_t *params = cursor ? json_pack("{s:O}", "cursor", cursor) : NULL;

    mg_rpc_client_call(&u->rpc, "tools/list", params, u->cfg->discovery_timeout_ms, on_tools, u);
}

static void
on_initialized(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;
    const char *version = json_string_value(json_object_get(result, "protocolVersion"));

    if (result == NULL) {
        fail(u, "initialize failed: %s",
             why ? why : json_string_value(json_object_get(error, "message")));
        retry_later(u);
        return;
    }
    if (version == NULL || !mg_proto_is_legacy(version)) {
        fail(u, "initialize answered with protocol version '%s', which mcpgate does not speak", version ? version : "");
        retry_later(u);
        return;
    }
    mg_rpc_client_notify(&u->rpc, "notifications/initialized", NULL);
    start_listing(u);
}

static void
handshake(struct mg_upstream *u)
{
    json_t *params = json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion", MG_PROTO_2025_11_25, "capabilities",
                               "clientInfo", "name", "mcpgate", "version", MG_VERSION);

    u->connect_started = uv_now(u->gw->loop);
    mg_rpc_client_call(&u->rpc, "initialize", params, u->cfg->connection_timeout_ms, on_initialized, u);
}

/* --- the connection ------------------------------------------------------ */

static int
send_line(void *ctx, const char *line, size_t len)
{
    struct mg_upstream *u = ctx;

    return mg_child_send(u->child, line, len) == 0 ? 0 : -1;
}

static void
on_line(void *ctx, const char *line, size_t len)
{
    struct mg_upstream *u = ctx;

    mg_rpc_client_feed(&u->rpc, line, len);
}

static void
on_notification(void *ctx, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;

    if (strcmp(method, "notifications/progress") == 0) {
        on_progress(u, params);
    } else if (strcmp(method, "notifications/message") == 0) {
        char *text = json_dumps(json_object_get(params, "data"), JSON_COMPACT | JSON_ENCODE_ANY);
        mg_log_info("upstream %s [%s]: %s", u->sc->name, json_string_value(json_object_get(params, "level")),
                    text ? text : "");
        free(text);
    } else if (strcmp(method, "notifications/tools/list_changed") == 0) {
        /* Look again; publish() says whether anything that matters moved. */
        if (u->listing)
            u->relist = 1;
        else if (u->state == MG_UPSTREAM_READY)
            start_listing(u);
    } else {
        mg_log_debug("upstream %s: %s", u->sc->name, method);
    }
}

static void
on_request(void *ctx, json_t *id, const char *method, json_t *params)
{
    struct mg_upstream *u = ctx;
    char msg[200];

    if (strcmp(method, "ping") == 0) {
        mg_rpc_client_respond(&u->rpc, id, json_object());
        return;
    }
    snprintf(msg, sizeof(msg), "mcpgate does not pass %s on to its clients yet", method);
    mg_rpc_client_respond_error(&u->rpc, id, MG_RPC_METHOD_NOT_FOUND, msg);
}

static void
on_child_state(void *ctx, enum mg_child_state st, const char *why)
{
    struct mg_upstream *u = ctx;

    switch (st) {
    case MG_CHILD_RUNNING:
        set_state(u, MG_UPSTREAM_CONNECTING, NULL);
        handshake(u);
        break;
    case MG_CHILD_BACKOFF:
    case MG_CHILD_FAILED:
    case MG_CHILD_STOPPED:
        if (u->timers)
            uv_timer_stop(&u->probe);
        u->pinging = 0;
        /* The state first: answers failed below must not see READY. */
        if (st != MG_CHILD_STOPPED)
            fail(u, "%s", why);
        /* Whatever was asked of the old process will not be answered. */
        mg_rpc_client_fail_all(&u->rpc, why && why[0] ? why : "the server process ended");
        break;
    case MG_CHILD_STARTING:
        break;
    }
}

static struct mg_upstream *
upstream_new(struct mg_gateway *gw, const struct mg_config *cfg, const struct mg_server_config *sc)
{
    struct mg_upstream *u = mg_calloc(1, sizeof(*u));
    const char **keys, **values;
    struct mg_child_opts o = {0};

    u->gw = gw;
    u->sc = sc;
    u->cfg = cfg;
    u->tools = json_array();
    u->rpc.name = sc->name;
    u->rpc.send_line = send_line;
    u->rpc.on_notification = on_notification;
    u->rpc.on_request = on_request;
    u->rpc.ctx = u;
    u->rpc.max_message = gw->max_message;
    mg_rpc_client_init(&u->rpc, gw->loop);
    if (!sc->enabled) {
        set_state(u, MG_UPSTREAM_DISABLED, "disabled in the config");
        return u;
    }
    if (sc->command == NULL) {
        set_state(u, MG_UPSTREAM_FAILED, "servers reached by url are not connected by this version of mcpgate");
        mg_log_warn("upstream %s (%s): %s", sc->name, sc->url, u->last_error);
        return u;
    }
    keys = mg_calloc(sc->nenv + 1, sizeof(*keys));
    values = mg_calloc(sc->nenv + 1, sizeof(*values));
    for (size_t i = 0; i < sc->nenv; i++)
        keys[i] = sc->env[i].key, values[i] = sc->env[i].value;
    o.name = sc->name;
    o.command = sc->command;
    o.args = (const char *const *)sc->args;
    o.nargs = sc->nargs;
    o.env_keys = keys;
    o.env_values = values;
    o.nenv = sc->nenv;
    o.cwd = sc->cwd;
    o.max_line = gw->max_message;
    o.on_line = on_line;
    o.on_state = on_child_state;
    o.ctx = u;
    set_state(u, MG_UPSTREAM_CONNECTING, NULL);
    uv_timer_init(gw->loop, &u->probe);
    uv_timer_init(gw->loop, &u->retry);
    u->probe.data = u->retry.data = u;
    u->timers = 1;
    u->child = mg_child_start(gw->loop, &o);
    mg_free(keys);
    mg_free(values);
    return u;
}

void
mg_upstreams_start(struct mg_gateway *gw, const struct mg_config *cfg)
{
    gw->upstreams = mg_calloc(cfg->nservers + 1, sizeof(*gw->upstreams));
    /* All at once: a slow or failing server delays no other. */
    for (size_t i = 0; i < cfg->nservers; i++)
        gw->upstreams[gw->nupstreams++] = upstream_new(gw, cfg, &cfg->servers[i]);
}

static void
child_stopped(void *ctx)
{
    struct mg_gateway *gw = ctx;

    if (--gw->upstreams_running == 0 && gw->upstreams_done != NULL)
        gw->upstreams_done(gw->upstreams_done_ctx);
}

void
mg_upstreams_stop(struct mg_gateway *gw, void (*done)(void *ctx), void *ctx)
{
    if (gw->upstreams_stopping)
        return; /* the transport asked already */
    gw->upstreams_stopping = 1;
    gw->upstreams_done = done;
    gw->upstreams_done_ctx = ctx;
    gw->upstreams_running = 1; /* held until every stop is asked for */
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i];
        mg_rpc_client_close(&u->rpc, NULL);
        if (u->timers) {
            uv_close((uv_handle_t *)&u->probe, NULL);
            uv_close((uv_handle_t *)&u->retry, NULL);
        }
        if (u->child != NULL) {
            gw->upstreams_running++;
            mg_child_stop(u->child, child_stopped, gw);
        }
    }
    child_stopped(gw);
}

void
mg_upstreams_free(struct mg_gateway *gw)
{
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i];
        if (u->child != NULL)
            mg_child_free(u->child);
        json_decref(u->tools);
        mg_free(u->signature);
        mg_free(u);
    }
    mg_free(gw->upstreams);
    gw->upstreams = NULL;
    gw->nupstreams = 0;
}
