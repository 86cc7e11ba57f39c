/*
 * lists.c - what every list method shares: cursors and caching hints.
 */
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/methods.h"
#include "mcp/session.h"

int
mg_list_begin(struct mg_req *req, json_t *params)
{
    json_t *cursor = json_object_get(params, "cursor");

    /* Every list fits one page, so the gateway never hands out a cursor
     * and none can be valid. */
    if (cursor != NULL && !json_is_null(cursor)) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: unknown or expired cursor", NULL);
        return -1;
    }
    return 0;
}

void
mg_list_reply(struct mg_req *req, const char *key, json_t *items)
{
    json_t *result = json_object();

    json_object_set_new(result, key, items);
    if (req->era == MG_ERA_MODERN) {
        /* Caching hints (2026-07-28).  "private": what a client sees may
         * depend on who it is, so shared caches must not reuse it. */
        json_object_set_new(result, "ttlMs", json_integer(req->s->gw->list_ttl_ms));
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    mg_req_reply(req, result);
}
