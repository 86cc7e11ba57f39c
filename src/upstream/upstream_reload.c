/*
 * upstream_reload.c - a new config for the servers of a running gateway.
 *
 * A server whose entry (and the settings servers start with) is the same
 * in the new config keeps running, its sessions and tasks untouched.  One
 * that is gone or changed is retired: its lists leave the catalog (the
 * clients that saw them are told), its calls fail, its process or
 * connection is stopped; a changed one then starts again under the new
 * entry, as does every new server.
 *
 * A retired upstream is not freed until the gateway is: calls, tasks and
 * sessions may still hold it, and its config, which the caller keeps
 * alive for the same reason.  Reloads are rare, and each costs a few
 * hundred bytes per retired server.
 */
#include <string.h>

#include "config/config.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "mcp/subscriptions.h"
#include "upstream/upstream.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

/* A part of retired U (its link, timers, client, an instance) has
 * stopped. */
static void
retire_step(void *ctx)
{
    struct mg_upstream *u = ctx;

    if (--u->retire_pending > 0)
        return;
    mg_log_debug("upstream %s: stopped (retired by a config reload)", u->sc->name);
    if (u->retire_counted)
        mg_upstreams_stopped_one(u->gw); /* the gateway's shutdown waits on it */
}

static void
retire(struct mg_gateway *gw, struct mg_upstream *u, const char *why)
{
    u->retired = 1;
    u->retire_next = gw->upstreams_retired;
    gw->upstreams_retired = u;
    if (mg_catalog_retire_bundle(&gw->catalog, u->sc->name, u)) {
        mg_notify_list_changed(gw, MG_LIST_TOOLS, u->sc->name, 1);
        mg_notify_list_changed(gw, MG_LIST_PROMPTS, u->sc->name, 1);
        mg_notify_list_changed(gw, MG_LIST_RESOURCES, u->sc->name, 1);
    }
    mg_upstream_tasks_forget(u);
    mg_rpc_client_fail_all(&u->rpc, why); /* its calls end now, saying why */
    u->retire_pending = 1; /* held while the stops are asked for */
    u->retire_pending += mg_upstream_isolate_stop_all(u, retire_step, u);
    u->retire_pending++;
    mg_upstream_close(u, retire_step, u);
    retire_step(u);
}

size_t
mg_upstreams_retiring(struct mg_gateway *gw)
{
    size_t n = 0;

    for (struct mg_upstream *u = gw->upstreams_retired; u != NULL; u = u->retire_next)
        if (u->retire_pending > 0 && !u->retire_counted) {
            u->retire_counted = 1;
            n++;
        }
    return n;
}

void
mg_upstreams_free_retired(struct mg_gateway *gw)
{
    while (gw->upstreams_retired != NULL) {
        struct mg_upstream *u = gw->upstreams_retired;
        gw->upstreams_retired = u->retire_next;
        mg_upstream_isolate_free_all(u);
        mg_upstream_free(u);
    }
}

void
mg_upstreams_reload(struct mg_gateway *gw, const struct mg_config *cfg, struct mg_reload_counts *n)
{
    struct mg_upstream **next = mg_calloc(cfg->nservers + 1, sizeof(*next));
    size_t kept = 0;

    memset(n, 0, sizeof(*n));
    if (gw->tasks == NULL && cfg->nservers > 0)
        mg_upstream_tasks_start(gw);
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i];
        const struct mg_server_config *sc = mg_config_find_server(cfg, u->sc->name);
        if (sc != NULL && mg_config_server_same(u->cfg, u->sc, cfg, sc)) {
            next[kept++] = u;
            n->kept++;
            continue;
        }
        mg_log_info("upstream %s: %s by the new config", u->sc->name, sc != NULL ? "changed" : "removed");
        if (sc == NULL)
            n->removed++;
        retire(gw, u, sc != NULL ? "its config changed (the gateway read its config file again); it is starting again"
                                 : "it was removed from the config (the gateway read its config file again)");
    }
    for (size_t i = 0; i < cfg->nservers; i++) {
        const struct mg_server_config *sc = &cfg->servers[i];
        int running = 0;
        for (size_t j = 0; j < kept && !running; j++)
            running = strcmp(next[j]->sc->name, sc->name) == 0;
        if (running)
            continue;
        if (mg_config_find_server(gw->cfg, sc->name) != NULL)
            n->restarted++;
        else
            n->added++;
        next[kept++] = mg_upstream_open(gw, cfg, sc, NULL);
    }
    mg_free(gw->upstreams);
    gw->upstreams = next;
    gw->nupstreams = kept;
}
