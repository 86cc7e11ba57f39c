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

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog.h"
#include "gateway/catalog_upstream.h"
#include "gateway/gateway.h"
#include "mcp/session.h"
#include "util/alloc.h"

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

/* 1 if B's resources are under resource_uri_prefix (a server's are all
 * prefixed or none). */
static int
prefixed(const struct mg_bundle *b)
{
    return b != NULL && b->resource_count > 0 && b->resources[0]->local_key != NULL;
}

struct mg_resource *
mg_view_find_resource(const struct mg_catalog *c, const char *view, const char *uri, json_t **vars)
{
    char *key = NULL;
    struct mg_resource *r;

    if (view != NULL && prefixed(mg_view_bundle(c, view))) {
        /* Such a server is seen here by its own URIs: looked up as the
         * merged catalog has them. */
        size_t n = strlen(MG_UPSTREAM_URI_SCHEME) + strlen(view) + 1 + strlen(uri) + 1;
        key = mg_malloc(n);
        snprintf(key, n, "%s%s/%s", MG_UPSTREAM_URI_SCHEME, view, uri);
    }
    r = mg_catalog_find_resource(c, key != NULL ? key : uri, vars);
    mg_free(key);
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

/* --- per session: project and scope ------------------------------------- */

int
mg_view_allows(const struct mg_session *s, const struct mg_bundle *b)
{
    if (!mg_view_sees(s->view, b))
        return 0;
    /* Inline bundles are not configured servers: in every project. */
    return b == NULL || b->owner == NULL || mg_session_serves(s, b->ns);
}

int
mg_view_may_call(const struct mg_session *s, const struct mg_tool *t)
{
    return s->caller.key.scope == MG_SCOPE_WRITE || t->read_only;
}

int
mg_view_shows_tool(const struct mg_session *s, const struct mg_tool *t)
{
    if (!mg_view_allows(s, t->bundle))
        return 0;
    return mg_view_may_call(s, t) || s->gw->cfg == NULL ||
           s->gw->cfg->write_tools_for_read_keys != MG_CONFIG_WRITE_TOOLS_HIDE;
}

struct mg_tool *
mg_session_find_tool(const struct mg_session *s, const char *name)
{
    struct mg_tool *t = mg_view_find_tool(&s->gw->catalog, s->view, name);

    return t != NULL && mg_view_shows_tool(s, t) ? t : NULL;
}

struct mg_prompt *
mg_session_find_prompt(const struct mg_session *s, const char *name)
{
    struct mg_prompt *p = mg_view_find_prompt(&s->gw->catalog, s->view, name);

    return p != NULL && mg_view_allows(s, p->bundle) ? p : NULL;
}

struct mg_resource *
mg_session_find_resource(const struct mg_session *s, const char *uri, json_t **vars)
{
    struct mg_resource *r = mg_view_find_resource(&s->gw->catalog, s->view, uri, vars);

    if (r != NULL && !mg_view_allows(s, r->bundle)) {
        json_object_clear(*vars);
        return NULL;
    }
    return r;
}

/* Said first in a write tool's description for a read key: the model
 * reads descriptions, and learns before calling that it cannot. */
#define NEEDS_WRITE "[needs a write key: this key is read-only] "

json_t *
mg_session_tool_def(const struct mg_session *s, const struct mg_tool *t)
{
    json_t *d = mg_view_def(s->view, t->def, t->local_name);
    const char *desc;
    char *marked;
    size_t n;

    if (mg_view_may_call(s, t))
        return d;
    if (d == t->def) {
        json_decref(d);
        d = json_copy(t->def);
    }
    desc = json_string_value(json_object_get(d, "description"));
    n = sizeof(NEEDS_WRITE) + (desc ? strlen(desc) : 0);
    marked = mg_malloc(n);
    snprintf(marked, n, "%s%s", NEEDS_WRITE, desc ? desc : "");
    json_object_set_new(d, "description", json_string(marked));
    mg_free(marked);
    return d;
}
