/*
 * upstream_discover.c - the handshake with an upstream and its lists.
 *
 * initialize (2025-11-25 offered), notifications/initialized, then every
 * page of tools/list; the tools go into the catalog under the server's
 * name.  list_changed walks the list again.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog_upstream.h"
#include "gateway/gateway.h"
#include "mcp/subscriptions.h"
#include "mcp/version.h"
#include "mcpgate.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_TOOL_PAGES 100 /* an upstream that pages forever is cut off */

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
    } else if ((n = mg_catalog_add_upstream(&u->gw->catalog, u->sc, u->tools, &nm, mg_upstream_forward, u, err,
                                            sizeof(err))) < 0) {
        mg_free(sig);
        mg_upstream_fail(u, "%s", err);
        return;
    } else {
        u->published = n > 0 ? n : -1;
        u->signature = sig;
        mg_notify_list_changed(u->gw, MG_LIST_TOOLS);
    }
    mg_upstream_ready(u);
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
        mg_upstream_fail(u, "tools/list failed: %s",
                         why ? why : error ? json_string_value(json_object_get(error, "message")) : "no tools array");
        mg_upstream_retry_later(u);
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

void
mg_upstream_list_changed(struct mg_upstream *u)
{
    /* Look again; publish() says whether anything that matters moved. */
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
    mg_rpc_client_notify(&u->rpc, "notifications/initialized", NULL);
    start_listing(u);
}

void
mg_upstream_handshake(struct mg_upstream *u)
{
    json_t *params = json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion", MG_PROTO_2025_11_25, "capabilities",
                               "clientInfo", "name", "mcpgate", "version", MG_VERSION);

    u->connect_started = uv_now(u->gw->loop);
    mg_rpc_client_call(&u->rpc, "initialize", params, u->cfg->connection_timeout_ms, on_initialized, u);
}
