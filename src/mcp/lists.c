/*
 * lists.c - what every list method shares: pages, cursors and caching
 * hints.
 *
 * Each list is the catalog's array for it, sorted by key (tools and
 * prompts by exposed name, resources by URI, templates by URI template);
 * a view of one source shows that source's items of the same array, in
 * the same order.  A page starts after the key its cursor names, found by
 * binary search, and holds up to list_page_size items, so a page of the
 * whole catalog costs O(log n + page size) whichever page it is (a view
 * also steps over the other sources' items).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "gateway/catalog.h"
#include "gateway/catalog_view.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/methods.h"
#include "mcp/session.h"
#include "util/alloc.h"

#define NO_ITEM SIZE_MAX

static size_t
list_len(const struct mg_catalog *c, enum mg_cursor_list list)
{
    switch (list) {
    case MG_CURSOR_TOOLS:
        return c->tool_count;
    case MG_CURSOR_PROMPTS:
        return c->prompt_count;
    case MG_CURSOR_RESOURCES:
        return c->resource_count;
    case MG_CURSOR_TEMPLATES:
        return c->template_count;
    }
    return 0;
}

/* Item I of LIST: its key (what the array is sorted by), and its source. */
static const char *
item_key(const struct mg_catalog *c, enum mg_cursor_list list, size_t i, const struct mg_bundle **b)
{
    switch (list) {
    case MG_CURSOR_TOOLS:
        *b = c->order[i]->bundle;
        return c->order[i]->name;
    case MG_CURSOR_PROMPTS:
        *b = c->prompts[i]->bundle;
        return c->prompts[i]->name;
    case MG_CURSOR_RESOURCES:
        *b = c->resources[i]->bundle;
        return c->resources[i]->uri;
    case MG_CURSOR_TEMPLATES:
        *b = c->templates[i]->bundle;
        return c->templates[i]->uri_template;
    }
    *b = NULL;
    return "";
}

/* The index of the first item of LIST whose key sorts after AFTER. */
static size_t
first_after(const struct mg_catalog *c, enum mg_cursor_list list, const char *after)
{
    size_t lo = 0, hi = list_len(c, list);
    const struct mg_bundle *b;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(item_key(c, list, mid, &b), after) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The index of the first item from AT on that the page's view shows, or
 * the list's length. */
static size_t
next_shown(const struct mg_list_page *pg, size_t at)
{
    size_t n = list_len(pg->c, pg->list);
    const struct mg_bundle *b;

    if (pg->none)
        return n;
    for (; at < n; at++) {
        item_key(pg->c, pg->list, at, &b);
        if (pg->only != NULL && b != pg->only)
            continue;
        if (pg->list == MG_CURSOR_TOOLS ? mg_view_shows_tool(pg->s, pg->c->order[at]) : mg_view_allows(pg->s, b))
            return at;
    }
    return n;
}

int
mg_list_begin(struct mg_req *req, json_t *params, enum mg_cursor_list list, struct mg_list_page *pg)
{
    const struct mg_gateway *gw = req->s->gw;
    const char *view = req->s->view;
    json_t *cursor = json_object_get(params, "cursor");
    char *after;

    memset(pg, 0, sizeof(*pg));
    pg->c = &gw->catalog;
    pg->s = req->s;
    pg->list = list;
    pg->room = gw->list_page_size;
    pg->last = NO_ITEM;
    /* A view shows one source's items, found by the source itself rather
     * than by name per item.  A source not (yet) in the catalog shows
     * nothing. */
    if (view != NULL) {
        pg->only = mg_view_bundle(pg->c, view);
        pg->none = pg->only == NULL;
    }
    if (cursor == NULL || json_is_null(cursor))
        return 0;
    after = json_is_string(cursor) ? mg_cursor_open(gw->states.key, json_string_value(cursor),
                                                     json_string_length(cursor), list, view, time(NULL))
                                   : NULL;
    if (after == NULL) {
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, "Invalid params: unknown or expired cursor", NULL);
        return -1;
    }
    pg->at = first_after(pg->c, list, after);
    mg_free(after);
    return 0;
}

int
mg_list_next(struct mg_list_page *pg, size_t *index)
{
    if (pg->room == 0 || (pg->at = next_shown(pg, pg->at)) >= list_len(pg->c, pg->list))
        return 0;
    *index = pg->last = pg->at++;
    pg->room--;
    return 1;
}

void
mg_list_reply(struct mg_req *req, const struct mg_list_page *pg, const char *key, json_t *items)
{
    json_t *result = json_object();

    json_object_set_new(result, key, items);
    /* More to come: the next page starts after this one's last item. */
    if (pg->last != NO_ITEM && next_shown(pg, pg->at) < list_len(pg->c, pg->list)) {
        const struct mg_bundle *b;
        char *cursor = mg_cursor_seal(req->s->gw->states.key, pg->list, req->s->view,
                                      item_key(pg->c, pg->list, pg->last, &b), time(NULL));
        json_object_set_new(result, "nextCursor", json_string(cursor));
        mg_free(cursor);
    }
    if (req->era == MG_ERA_MODERN) {
        /* Caching hints (2026-07-28), the same on every page.  "private":
         * what a client sees may depend on who it is, so shared caches
         * must not reuse it. */
        json_object_set_new(result, "ttlMs", json_integer(req->s->gw->list_ttl_ms));
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    mg_req_reply(req, result);
}
