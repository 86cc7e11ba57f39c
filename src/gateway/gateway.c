/*
 * gateway.c - creating the gateway and registering bundles.
 */
#include "gateway/gateway.h"
#include "gateway/search.h"
#include "mcp/subscriptions.h"

#include "mcpgate.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

struct mg_gateway *
mg_gateway_new(void *uv_loop)
{
    struct mg_gateway *gw = mg_calloc(1, sizeof(*gw));

    gw->loop = uv_loop;
    gw->max_message = MG_MAX_MESSAGE_DEFAULT;
    gw->list_ttl_ms = 30000;
    gw->list_page_size = MG_LIST_PAGE_SIZE_DEFAULT;
    gw->drain_ms = 5000;
    mg_catalog_init(&gw->catalog);
    /* A call waiting for its user may take a while; ten minutes. */
    if (mg_state_keeper_init(&gw->states, 600) != 0)
        mg_log_warn("no randomness for the requestState key; input_required calls will be refused");
    return gw;
}

void
mg_gateway_free(struct mg_gateway *gw)
{
    if (gw == NULL)
        return;
    mg_search_free(gw->search);
    mg_catalog_free(&gw->catalog);
    mg_state_keeper_free(&gw->states);
    mg_free(gw);
}

int
mg_bundle_register(struct mg_gateway *gw, const struct mg_bundle_def *def, char *err, size_t errlen)
{
    if (mg_catalog_add_bundle(&gw->catalog, def, err, errlen) != 0)
        return -1;
    mg_log_debug("bundle %s registered with %zu tools", def->ns, def->tool_count);
    /* Clients already connected learn of the new entries. */
    if (def->tool_count > 0)
        mg_notify_list_changed(gw, MG_LIST_TOOLS, def->ns, 0);
    if (def->prompt_count > 0)
        mg_notify_list_changed(gw, MG_LIST_PROMPTS, def->ns, 0);
    if (def->resource_count > 0)
        mg_notify_list_changed(gw, MG_LIST_RESOURCES, def->ns, 0);
    return 0;
}
