/*
 * upstream.c - configured servers: their state, their link, keeping them
 * alive.  The handshake and lists are in upstream_discover.c, forwarding
 * in upstream_forward.c.
 */
#include "upstream/upstream.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "mcp/session.h"
#include "upstream/child.h"
#include "upstream/curl_loop.h"
#include "upstream/http_link.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

static json_t *
state_counts(void)
{
    return json_pack("{s:i, s:i, s:i, s:i}", "ready", 0, "connecting", 0, "failed", 0, "disabled", 0);
}

static void
count_state(json_t *counts, enum mg_upstream_state st)
{
    const char *k = mg_upstream_state_name(st);

    json_object_set_new(counts, k, json_integer(json_integer_value(json_object_get(counts, k)) + 1));
}

json_t *
mg_upstreams_counts(const struct mg_gateway *gw)
{
    json_t *counts = state_counts(), *instances = state_counts();

    for (size_t i = 0; i < gw->nupstreams; i++) {
        count_state(counts, gw->upstreams[i]->state);
        for (const struct mg_upstream *inst = gw->upstreams[i]->instances; inst != NULL; inst = inst->inst_next)
            count_state(instances, inst->state);
    }
    json_object_set_new(counts, "instances", instances);
    return counts;
}

int
mg_upstreams_has(const struct mg_gateway *gw, const char *name)
{
    for (size_t i = 0; i < gw->nupstreams; i++)
        if (strcmp(gw->upstreams[i]->sc->name, name) == 0)
            return 1;
    return 0;
}

const char *
mg_upstream_state_name(enum mg_upstream_state s)
{
    static const char *const names[] = {"connecting", "ready", "failed", "disabled"};

    return names[s];
}

const char *
mg_upstream_where(const struct mg_upstream *u)
{
    return u->sc->command ? u->sc->command : u->sc->url;
}

void
mg_upstream_set_state(struct mg_upstream *u, enum mg_upstream_state st, const char *why)
{
    u->state = st;
    if (why != NULL)
        snprintf(u->last_error, sizeof(u->last_error), "%s", why);
}

void
mg_upstream_fail(struct mg_upstream *u, const char *fmt, const char *detail)
{
    char why[300];

    snprintf(why, sizeof(why), fmt, detail ? detail : "");
    mg_upstream_set_state(u, MG_UPSTREAM_FAILED, why);
    mg_upstream_isolate_fail_waiting(u, why);
    mg_log_warn("upstream %s (%s): %s", u->sc->name, mg_upstream_where(u), why);
}

/* --- keeping it alive ------------------------------------------------------ */

#define RETRY_MAX_MS 60000u

static void
on_retry(uv_timer_t *t)
{
    struct mg_upstream *u = t->data;

    mg_log_info("upstream %s: trying again", u->sc->name);
    u->ops->restart(u);
}

int
mg_upstream_stopping(const struct mg_upstream *u)
{
    return u->gw->upstreams_stopping || u->retired || (u->parent != NULL && u->parent->retired);
}

void
mg_upstream_retry_later(struct mg_upstream *u)
{
    uint64_t ms = 1000u << (u->retries < 6 ? u->retries : 6);

    if (!u->timers || mg_upstream_stopping(u))
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
    if (mg_upstream_stopping(u) || u->state != MG_UPSTREAM_READY)
        return;
    mg_log_warn("upstream %s: no answer to a liveness ping (%s); restarting it", u->sc->name, why);
    uv_timer_stop(&u->probe);
    mg_upstream_set_state(u, MG_UPSTREAM_CONNECTING, "did not answer a liveness ping");
    u->ops->restart(u);
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
    /* 2026-07-28 has no ping; server/discover is as cheap. */
    mg_upstream_call(u, u->modern ? "server/discover" : "ping", NULL, wait < 10000 ? wait : 10000, on_pong, u);
}

/* Over HTTP, what a server announces before the gateway's GET stream is
 * open is lost: a list_changed sent just after the handshake (servers
 * that offer tools by the client's capabilities do) would never arrive.
 * One more look at the lists, a second after discovery, catches it. */
static void
on_relook(uv_timer_t *t)
{
    mg_upstream_list_changed(t->data);
}

void
mg_upstream_ready(struct mg_upstream *u)
{
    /* A walk of the lists on a ready server (list_changed, the relook)
     * publishes again: the connection's latency and its log line stay. */
    int again = u->state == MG_UPSTREAM_READY;

    mg_upstream_set_state(u, MG_UPSTREAM_READY, "");
    u->retries = 0;
    if (u->timers)
        uv_timer_stop(&u->retry); /* a retry armed before this connection must not end it */
    if (!again)
        u->latency_ms = uv_now(u->gw->loop) - u->connect_started;
    if (u->timers && u->sc->url != NULL && u->parent == NULL && !u->relooked) {
        u->relooked = 1;
        uv_timer_start(&u->relook, on_relook, 1000, 0);
    }
    if (u->timers && u->cfg->liveness_probe_interval_ms > 0 && !uv_is_active((uv_handle_t *)&u->probe))
        uv_timer_start(&u->probe, on_probe, u->cfg->liveness_probe_interval_ms, u->cfg->liveness_probe_interval_ms);
    if (u->parent == NULL && !again)
        mg_log_info("upstream %s ready: %zu tools listed, %llu ms", u->sc->name, u->tool_count,
                    (unsigned long long)u->latency_ms);
    else if (u->parent == NULL)
        mg_log_debug("upstream %s: lists walked again, %zu tools", u->sc->name, u->tool_count);
}

/* --- the link ------------------------------------------------------------- */

void
mg_upstream_link_up(struct mg_upstream *u)
{
    u->link_up = 1;
    u->relooked = 0;
    u->log_ready = 0; /* until initialize is answered on this link */
    mg_upstream_set_state(u, MG_UPSTREAM_CONNECTING, NULL);
    mg_upstream_handshake(u);
}

void
mg_upstream_link_down(struct mg_upstream *u, const char *why, int stopped)
{
    u->link_up = 0;
    u->log_ready = 0;
    if (u->timers)
        uv_timer_stop(&u->probe);
    u->pinging = 0;
    /* The state first: answers failed below must not see READY. */
    if (!stopped)
        mg_upstream_fail(u, "%s", why);
    /* Whatever was asked over the old link will not be answered. */
    mg_rpc_client_fail_all(&u->rpc, why && why[0] ? why : "the connection to the server was lost");
    mg_upstream_tasks_forget(u); /* they were the old connection's */
}

static int
rpc_send(void *ctx, const char *line, size_t len)
{
    struct mg_upstream *u = ctx;

    return u->ops != NULL ? u->ops->send(u, line, len) : -1;
}

/* The config's pairs (env, headers) as the parallel arrays the links
 * take; free both with mg_free. */
static void
kv_split(const struct mg_config_kv *kv, size_t n, const char ***keys, const char ***values)
{
    *keys = mg_calloc(n + 1, sizeof(**keys));
    *values = mg_calloc(n + 1, sizeof(**values));
    for (size_t i = 0; i < n; i++)
        (*keys)[i] = kv[i].key, (*values)[i] = kv[i].value;
}

/* stdio: a supervised child process. */

static void
child_line(void *ctx, const char *line, size_t len)
{
    struct mg_upstream *u = ctx;

    mg_rpc_client_feed(&u->rpc, line, len);
}

static void
child_state(void *ctx, enum mg_child_state st, const char *why)
{
    struct mg_upstream *u = ctx;

    switch (st) {
    case MG_CHILD_RUNNING: mg_upstream_link_up(u); break;
    case MG_CHILD_BACKOFF: mg_upstream_link_down(u, why && why[0] ? why : "the server process ended", 0); break;
    case MG_CHILD_FAILED:
        mg_upstream_link_down(u, why && why[0] ? why : "the server process ended", 0);
        /* Restarted too often: the supervisor gives up, the gateway tries
         * again after the longest backoff, and its status says when. */
        if (u->timers && !mg_upstream_stopping(u)) {
            size_t n = strlen(u->last_error);
            uv_timer_start(&u->retry, on_retry, RETRY_MAX_MS, 0);
            snprintf(u->last_error + n, sizeof(u->last_error) - n, "; tried again in %u s", RETRY_MAX_MS / 1000);
        }
        break;
    case MG_CHILD_STOPPED: mg_upstream_link_down(u, "the server process was stopped", 1); break;
    case MG_CHILD_STARTING: break;
    }
}

static int
child_send(struct mg_upstream *u, const char *line, size_t len)
{
    return mg_child_send(u->link, line, len) == 0 ? 0 : -1;
}

static void
child_restart(struct mg_upstream *u)
{
    mg_child_restart(u->link);
}

static void
child_stop(struct mg_upstream *u, void (*done)(void *ctx), void *ctx)
{
    mg_child_stop(u->link, done, ctx);
}

static void
child_free(struct mg_upstream *u)
{
    mg_child_free(u->link);
}

static const struct link_ops child_ops = {child_send, child_restart, child_stop, child_free, NULL};

static void *
child_open(struct mg_upstream *u)
{
    const struct mg_server_config *sc = u->sc;
    const char **keys, **values;
    struct mg_child_opts o = {0};
    struct mg_child *c;

    kv_split(sc->env, sc->nenv, &keys, &values);
    o.name = sc->name;
    o.command = sc->command;
    o.args = (const char *const *)sc->args;
    o.nargs = sc->nargs;
    o.env_keys = keys;
    o.env_values = values;
    o.nenv = sc->nenv;
    o.cwd = sc->cwd;
    o.max_line = u->gw->max_message;
    o.on_line = child_line;
    o.on_state = child_state;
    o.ctx = u;
    c = mg_child_start(u->gw->loop, &o);
    mg_free(keys);
    mg_free(values);
    return c;
}

/* Streamable HTTP or HTTP+SSE: an http_link on the gateway's curl loop. */

static void
http_message(void *ctx, const char *json, size_t len)
{
    struct mg_upstream *u = ctx;

    mg_rpc_client_feed(&u->rpc, json, len);
}

static void
http_state(void *ctx, enum mg_http_link_event ev, const char *why)
{
    struct mg_upstream *u = ctx;

    if (ev == MG_HTTP_LINK_UP)
        mg_upstream_link_up(u);
    else
        mg_upstream_link_down(u, why && why[0] ? why : "the connection to the server was lost", 0);
}

static int
http_send(struct mg_upstream *u, const char *line, size_t len)
{
    return mg_http_link_send_params(u->link, line, len, u->send_params) == 0 ? 0 : -1;
}

static void
http_restart(struct mg_upstream *u)
{
    mg_http_link_reset(u->link);
}

static void
http_stop(struct mg_upstream *u, void (*done)(void *ctx), void *ctx)
{
    mg_http_link_stop(u->link, done, ctx);
}

static void
http_free(struct mg_upstream *u)
{
    mg_http_link_free(u->link);
}

static void
http_set_version(struct mg_upstream *u, const char *version)
{
    mg_http_link_set_protocol_version(u->link, version);
}

static const struct link_ops http_ops = {http_send, http_restart, http_stop, http_free, http_set_version};

/* 2026-07-28 over HTTP has no notifications/cancelled: closing the
 * request's response stream is the cancellation. */
static int
rpc_cancel(void *ctx, int64_t id)
{
    struct mg_upstream *u = ctx;

    if (!u->modern || u->ops != &http_ops || u->link == NULL)
        return -1;
    return mg_http_link_abort_request(u->link, id);
}

static void *
http_open(struct mg_upstream *u)
{
    const struct mg_server_config *sc = u->sc;
    const char **keys, **values;
    struct mg_http_link_opts o = {0};
    struct mg_http_link *l;

    if (u->gw->curl == NULL)
        u->gw->curl = mg_curl_loop_new(u->gw->loop);
    kv_split(sc->headers, sc->nheaders, &keys, &values);
    o.name = sc->name;
    o.url = sc->url;
    o.transport = (int)sc->transport;
    o.header_keys = keys;
    o.header_values = values;
    o.nheaders = sc->nheaders;
    o.max_message = u->gw->max_message;
    o.connect_timeout_ms = u->cfg->connection_timeout_ms;
    o.on_message = http_message;
    o.on_state = http_state;
    o.ctx = u;
    l = u->gw->curl != NULL ? mg_http_link_start(u->gw->curl, &o) : NULL;
    mg_free(keys);
    mg_free(values);
    return l;
}

/* --- one upstream ----------------------------------------------------------- */

struct mg_upstream *
mg_upstream_open(struct mg_gateway *gw, const struct mg_config *cfg, const struct mg_server_config *sc,
                 struct mg_upstream *parent)
{
    struct mg_upstream *u = mg_calloc(1, sizeof(*u));

    u->gw = gw;
    u->sc = sc;
    u->cfg = cfg;
    u->parent = parent;
    u->rpc.name = sc->name;
    u->rpc.send_line = rpc_send;
    u->rpc.on_notification = mg_upstream_on_notification;
    u->rpc.on_request = mg_upstream_on_request;
    u->rpc.cancel = rpc_cancel;
    u->rpc.ctx = u;
    u->rpc.max_message = gw->max_message;
    mg_rpc_client_init(&u->rpc, gw->loop);
    if (!sc->enabled) {
        mg_upstream_set_state(u, MG_UPSTREAM_DISABLED, "disabled in the config");
        return u;
    }
    mg_upstream_set_state(u, MG_UPSTREAM_CONNECTING, NULL);
    uv_timer_init(gw->loop, &u->probe);
    uv_timer_init(gw->loop, &u->retry);
    uv_timer_init(gw->loop, &u->notify);
    uv_timer_init(gw->loop, &u->gather);
    uv_timer_init(gw->loop, &u->relook);
    uv_timer_init(gw->loop, &u->listen_again);
    uv_timer_init(gw->loop, &u->reap);
    u->probe.data = u->retry.data = u->notify.data = u->gather.data = u->relook.data = u->listen_again.data = u;
    u->reap.data = u;
    u->timers = 1;
    u->ops = sc->command != NULL ? &child_ops : &http_ops;
    u->link = sc->command != NULL ? child_open(u) : http_open(u);
    if (u->link == NULL)
        mg_upstream_fail(u, "%s", sc->command != NULL ? "the process could not be set up" : "HTTP could not be set up");
    return u;
}

static void
closed_one(struct mg_upstream *u)
{
    if (--u->closing == 0 && u->closed != NULL)
        u->closed(u->closed_ctx);
}

static void
timer_closed(uv_handle_t *h)
{
    closed_one(h->data);
}

static void
link_closed(void *ctx)
{
    closed_one(ctx);
}

static void
rpc_closed(struct mg_rpc_client *c)
{
    closed_one(c->ctx);
}

void
mg_upstream_close(struct mg_upstream *u, void (*done)(void *ctx), void *ctx)
{
    uv_timer_t *timers[] = {&u->probe, &u->retry, &u->notify, &u->gather, &u->relook, &u->listen_again, &u->reap};

    u->closed = done;
    u->closed_ctx = ctx;
    u->closing = 2; /* held until every close is asked for; and the rpc timer */
    mg_rpc_client_close(&u->rpc, rpc_closed);
    if (u->timers) {
        for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
            u->closing++;
            uv_close((uv_handle_t *)timers[i], timer_closed);
        }
    }
    if (u->link != NULL) {
        u->closing++;
        u->ops->stop(u, link_closed, u);
    }
    closed_one(u);
}

void
mg_upstream_free(struct mg_upstream *u)
{
    if (u->link != NULL)
        u->ops->free(u);
    mg_upstream_relays_cancel(u);
    mg_upstream_tasks_forget(u);
    json_decref(u->lists);
    json_decref(u->capabilities);
    json_decref(u->subscribed);
    mg_upstream_isolate_fail_waiting(u, "the server was stopped");
    while (u->fwds != NULL) { /* parked for clients that never came back */
        struct fwd *f = u->fwds;
        mg_upstream_fwd_unlink(f);
        mg_upstream_fwd_free(f);
    }
    mg_free(u->version);
    if (u->own_sc != NULL) {
        /* The strings are the config's; only the merged arrays are ours. */
        mg_free(u->own_sc->env);
        mg_free(u->own_sc->headers);
        mg_free(u->own_sc);
    }
    mg_free(u);
}

/* --- the set of them ------------------------------------------------------ */

/* A client session ended: what was kept for it goes, and the servers it
 * had set a level for may now want a less verbose one. */
static void
session_closed(struct mg_gateway *gw, const struct mg_session *s)
{
    mg_upstream_isolate_session_closed(gw, s);
    mg_upstream_tasks_session_closed(gw, s);
    if (s->log_level_set && !gw->upstreams_stopping)
        mg_upstream_level_update(gw, s);
}

void
mg_upstreams_start(struct mg_gateway *gw, const struct mg_config *cfg)
{
    gw->upstreams = mg_calloc(cfg->nservers + 1, sizeof(*gw->upstreams));
    gw->session_closed = session_closed;
    gw->session_log_level = mg_upstream_level_update;
    if (cfg->nservers > 0)
        mg_upstream_tasks_start(gw);
    /* All at once: a slow or failing server delays no other. */
    for (size_t i = 0; i < cfg->nservers; i++)
        gw->upstreams[gw->nupstreams++] = mg_upstream_open(gw, cfg, &cfg->servers[i], NULL);
}

static void link_stopped(void *ctx);

static void
curl_closed(void *ctx)
{
    struct mg_gateway *gw = ctx;

    gw->curl = NULL;
    if (gw->upstreams_done != NULL)
        gw->upstreams_done(gw->upstreams_done_ctx);
}

void
mg_upstreams_stopped_one(struct mg_gateway *gw)
{
    link_stopped(gw);
}

static void
link_stopped(void *ctx)
{
    struct mg_gateway *gw = ctx;

    if (--gw->upstreams_running > 0)
        return;
    /* Every link has stopped: the curl loop they shared can go. */
    if (gw->curl != NULL)
        mg_curl_loop_close(gw->curl, curl_closed, gw);
    else if (gw->upstreams_done != NULL)
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
    gw->upstreams_running++;
    if (!mg_upstream_tasks_close(gw, link_stopped, gw))
        gw->upstreams_running--;
    gw->upstreams_running += mg_upstreams_retiring(gw);
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i];
        gw->upstreams_running += mg_upstream_isolate_stop_all(u, link_stopped, gw);
        gw->upstreams_running++;
        mg_upstream_close(u, link_stopped, gw);
    }
    link_stopped(gw);
}

void
mg_upstreams_free(struct mg_gateway *gw)
{
    for (size_t i = 0; i < gw->nupstreams; i++) {
        mg_upstream_isolate_free_all(gw->upstreams[i]);
        mg_upstream_free(gw->upstreams[i]);
    }
    mg_free(gw->upstreams);
    gw->upstreams = NULL;
    gw->nupstreams = 0;
    mg_upstreams_free_retired(gw);
    mg_upstream_tasks_free(gw);
}
