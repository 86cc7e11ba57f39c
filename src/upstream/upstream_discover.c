/*
 * upstream_discover.c - the handshake with an upstream and its lists.
 *
 * initialize (2025-11-25 offered), notifications/initialized (a modern
 * server skips these: upstream_era.c), then every
 * page of each list the server offers (tools, prompts, resources and
 * resource templates); they go into the catalog under the server's name,
 * replacing what it had there.  A list_changed walks the lists again,
 * and clients hear of what changed.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog_upstream.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/subscriptions.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_PAGES 100 /* an upstream that pages forever is cut off */
#define NOTIFY_DELAY_MS 50 /* list changes within this long of the last notification reach clients as one */

/* The lists walked after the handshake, in order; each only when the
 * server declared the capability. */
static const struct {
    const char *method, *key, *capability;
} lists[] = {
    {"tools/list", "tools", "tools"},
    {"prompts/list", "prompts", "prompts"},
    {"resources/list", "resources", "resources"},
    {"resources/templates/list", "resourceTemplates", "resources"},
};
#define NLISTS (sizeof(lists) / sizeof(lists[0]))

/* One list of one walk, gathered page by page.  The lists are asked for
 * at once, not one after another: a server is ready after the slowest
 * list, not after the sum of them. */
struct list_walk {
    struct mg_upstream *u;
    unsigned walk; /* u->walk when it began: a later walk makes it stale */
    int index;     /* into lists[] */
    int pages;
};

static void list_page(struct list_walk *w, json_t *cursor);
static void start_listing(struct mg_upstream *u);

static void
send_notifications(struct mg_upstream *u, unsigned bits)
{
    for (int k = 0; k < 3; k++)
        if (bits & (1u << k))
            mg_notify_list_changed(u->gw, (enum mg_list_kind)k, u->sc->name, 1);
}

/* The end of a quiet window: what changed during it goes out as one
 * notification a list, and a new window begins; a window with nothing
 * in it ends the throttling. */
static void
on_notify_timer(uv_timer_t *t)
{
    struct mg_upstream *u = t->data;
    unsigned bits = u->notify_bits;

    u->notify_bits = 0;
    if (bits == 0)
        return;
    send_notifications(u, bits);
    uv_timer_start(&u->notify, on_notify_timer, NOTIFY_DELAY_MS, 0);
}

/* Clients hear of a change at once when none was sent in the last
 * NOTIFY_DELAY_MS (a server that just became ready is seen as soon as it
 * is), and of any number of changes within that window as one, at its
 * end: a burst of list_changed costs each client one re-list. */
static void
notify_changed(struct mg_upstream *u, unsigned bits)
{
    if (uv_is_active((uv_handle_t *)&u->notify)) {
        u->notify_bits |= bits;
        return;
    }
    send_notifications(u, bits);
    uv_timer_start(&u->notify, on_notify_timer, NOTIFY_DELAY_MS, 0);
}

static void
publish(struct mg_upstream *u)
{
    struct mg_naming nm = {.format = u->cfg->tool_name_format, .max = u->cfg->tool_name_max};
    struct mg_upstream_lists l = {json_array_get(u->lists, 0), json_array_get(u->lists, 1), json_array_get(u->lists, 2),
                                  json_array_get(u->lists, 3)};
    struct mg_upstream_handlers h = {mg_upstream_forward, mg_upstream_forward_prompt, mg_upstream_forward_read,
                                     mg_upstream_subscribe, mg_upstream_forward_complete, u};
    char err[300];
    int changed = mg_catalog_set_upstream(&u->gw->catalog, u->sc, &l, &nm, &h, err, sizeof(err));

    if (changed < 0) {
        mg_upstream_fail(u, "%s", err);
        return;
    }
    u->published = 1;
    u->tool_count = json_array_size(l.tools);
    if (changed != 0 && u->timers)
        notify_changed(u, (unsigned)changed);
    mg_upstream_ready(u);
    if (u->replay) {
        const char *uri;
        json_t *v;
        u->replay = 0;
        if (u->modern)
            mg_upstream_listen(u);
        else
            json_object_foreach (u->subscribed, uri, v)
                mg_upstream_resubscribe(u, uri);
    }
}

/* Every list is in: publish, and walk again if a list changed meanwhile. */
static void
finish_listing(struct mg_upstream *u)
{
    u->listing = 0;
    publish(u);
    if (u->relist)
        start_listing(u);
}

static void
start_listing(struct mg_upstream *u)
{
    json_decref(u->lists);
    u->lists = json_pack("[[], [], [], []]");
    u->walk++;
    u->listing = 1;
    u->relist = 0;
    /* The lists the server offers, all counted before any is asked for:
     * an answer can come back at once. */
    int offered[NLISTS];
    size_t n = 0;
    for (size_t i = 0; i < NLISTS; i++)
        if (json_object_get(u->capabilities, lists[i].capability) != NULL)
            offered[n++] = (int)i;
    u->lists_pending = (int)n;
    if (n == 0) {
        finish_listing(u);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        struct list_walk *w = mg_calloc(1, sizeof(*w));
        unsigned walk = u->walk;

        w->u = u;
        w->walk = walk;
        w->index = offered[k];
        list_page(w, NULL);
        if (u->walk != walk)
            return; /* failed, or finished and walked again, at once */
    }
}

static void
on_list(void *data, json_t *result, json_t *error, const char *why)
{
    struct list_walk *w = data;
    struct mg_upstream *u = w->u;
    const char *method = lists[w->index].method;
    json_t *items = json_object_get(result, lists[w->index].key), *next = json_object_get(result, "nextCursor");
    char msg[300];

    if ((result == NULL && error == NULL && !u->link_up) || w->walk != u->walk) {
        /* The link went down (reported there, and reconnected), or this
         * walk was given up for a newer one. */
        mg_free(w);
        return;
    }
    if (json_integer_value(json_object_get(error, "code")) == MG_RPC_METHOD_NOT_FOUND) {
        /* Declared and not served, as servers with resources and no
         * templates often do: an empty list, not a broken server. */
        mg_log_info("upstream %s: declares %s but has no %s; none listed", u->sc->name, lists[w->index].capability,
                    method);
    } else if (result == NULL || !json_is_array(items)) {
        mg_free(w);
        u->listing = 0;
        u->walk++; /* the other lists' answers are not waited for */
        snprintf(msg, sizeof(msg), "%s failed: %%s", method);
        mg_upstream_fail(u, msg,
                         why ? why : error ? json_string_value(json_object_get(error, "message")) : "no list in the result");
        mg_upstream_retry_later(u);
        return;
    } else {
        json_array_extend(json_array_get(u->lists, (size_t)w->index), items);
        if (json_is_string(next) && ++w->pages < MAX_PAGES) {
            list_page(w, next);
            return;
        }
    }
    mg_free(w);
    if (--u->lists_pending == 0)
        finish_listing(u);
}

static void
list_page(struct list_walk *w, json_t *cursor)
{
    json_t *params = cursor ? json_pack("{s:O}", "cursor", cursor) : NULL;

    mg_upstream_call(w->u, lists[w->index].method, params, w->u->cfg->discovery_timeout_ms, on_list, w);
}

void
mg_upstream_list_changed(struct mg_upstream *u)
{
    /* Walk every list again; the catalog tells which changed for clients. */
    if (u->listing)
        u->relist = 1;
    else if (u->state == MG_UPSTREAM_READY)
        start_listing(u);
}

static void
on_initialized(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;
    const char *version = json_string_value(json_object_get(result, "protocolVersion"));

    if (result == NULL && error == NULL && !u->link_up)
        return; /* the link went down: reported there, and reconnected */
    if (result == NULL) {
        mg_upstream_fail(u, "initialize failed: %s", why ? why : json_string_value(json_object_get(error, "message")));
        mg_upstream_retry_later(u);
        return;
    }
    if (version == NULL || !mg_proto_is_legacy(version)) {
        mg_upstream_fail(u, "initialize answered with protocol version '%s', which mcpgate does not speak",
                         version ? version : "");
        mg_upstream_retry_later(u);
        return;
    }
    mg_free(u->version);
    u->version = mg_strdup(version);
    if (u->ops->set_version != NULL)
        u->ops->set_version(u, version);
    u->replay = 1; /* a new connection: subscriptions are asked for again */
    json_decref(u->capabilities);
    u->capabilities = json_object_get(result, "capabilities");
    u->capabilities = json_is_object(u->capabilities) ? json_incref(u->capabilities) : json_object();
    mg_rpc_client_notify(&u->rpc, "notifications/initialized", NULL);
    mg_upstream_level_replay(u); /* then handshake_done */
}

void
mg_upstream_handshake_done(struct mg_upstream *u)
{
    if (u->parent != NULL) {
        /* An instance for one session: the catalog has the lists already. */
        mg_upstream_ready(u);
        mg_upstream_isolate_ready(u);
        return;
    }
    start_listing(u);
}

void
mg_upstream_initialize(struct mg_upstream *u)
{
    json_t *params = json_pack("{s:s, s:o, s:{s:s, s:s}}", "protocolVersion", MG_PROTO_2025_11_25, "capabilities",
                               mg_upstream_gateway_caps(), "clientInfo", "name", "mcpgate", "version", MG_VERSION);

    mg_rpc_client_call(&u->rpc, "initialize", params, u->cfg->connection_timeout_ms, on_initialized, u);
}
