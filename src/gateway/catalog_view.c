/*
 * catalog_view.c - the catalog as one session sees it.
 *
 * A session at /mcp sees the whole merged catalog.  A session at
 * /servers/<name>/mcp sees one source only, under the source's own names
 * (no prefix), as if it were talking to that server directly: lookups
 * take the local name and find only that source's items, and its lists
 * are that source's part of the catalog's, in the catalog's order
 * (mcp/lists.c), so that both page the same way.  The view is a
 * name, not a pointer, because an upstream's items appear only once it
 * has connected, and are replaced when its lists change.
 */
#include "gateway/catalog_view.h"

#include <string.h>

#include "gateway/catalog.h"

struct mg_bundle *
mg_view_bundle(const struct mg_catalog *c, const char *view)
{
    return view != NULL ? mg_strmap_get(&c->by_ns, view) : NULL;
}

struct mg_tool *
mg_view_find_tool(const struct mg_catalog *c, const char *view, const char *name)
{
    struct mg_bundle *b;

    if (view == NULL)
        return mg_catalog_find(c, name);
    if (name == NULL || (b = mg_view_bundle(c, view)) == NULL)
        return NULL;
    for (size_t i = 0; i < b->tool_count; i++)
        if (strcmp(b->tools[i]->local_name, name) == 0)
            return b->tools[i];
    return NULL;
}

struct mg_prompt *
mg_view_find_prompt(const struct mg_catalog *c, const char *view, const char *name)
{
    struct mg_bundle *b;

    if (view == NULL)
        return mg_catalog_find_prompt(c, name);
    if (name == NULL || (b = mg_view_bundle(c, view)) == NULL)
        return NULL;
    for (size_t i = 0; i < b->prompt_count; i++)
        if (strcmp(b->prompts[i]->local_name, name) == 0)
            return b->prompts[i];
    return NULL;
}

struct mg_resource *
mg_view_find_resource(const struct mg_catalog *c, const char *view, const char *uri, json_t **vars)
{
    struct mg_resource *r = mg_catalog_find_resource(c, uri, vars);

    if (r != NULL && view != NULL && (r->bundle == NULL || strcmp(r->bundle->ns, view) != 0)) {
        json_object_clear(*vars);
        return NULL;
    }
    return r;
}

int
mg_view_sees(const char *view, const struct mg_bundle *b)
{
    return view == NULL || (b != NULL && strcmp(b->ns, view) == 0);
}

json_t *
mg_view_def(const char *view, json_t *def, const char *local_name)
{
    json_t *d;

    if (view == NULL)
        return json_incref(def);
    d = json_copy(def);
    json_object_set_new(d, "name", json_string(local_name));
    return d;
}
