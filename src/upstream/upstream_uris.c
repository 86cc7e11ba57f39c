/*
 * upstream_uris.c - the resource URIs of a server with resource_uri_prefix
 * (catalog_upstream.h): the prefix taken off what goes to the server, and
 * put on every resource URI in what comes back, so a client only ever
 * sees URIs it can read through the gateway.
 *
 * Out, the URIs are those of the protocol's own shapes: resources/read's
 * contents, and the resource links and embedded resources of tool
 * results and prompt messages.  A tool's structuredContent is its own
 * data and is left as the server wrote it.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog_upstream.h"
#include "mcp/session.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"

/* U's prefix into BUF, or NULL when U keeps its URIs as given. */
static const char *
prefix_of(const struct mg_upstream *u, char *buf, size_t len)
{
    if (!u->sc->resource_uri_prefix)
        return NULL;
    snprintf(buf, len, "%s%s/", MG_UPSTREAM_URI_SCHEME, u->sc->name);
    return buf;
}

const char *
mg_upstream_uri_in(const struct mg_upstream *u, const char *uri)
{
    char buf[128];
    const char *prefix = prefix_of(u, buf, sizeof(buf));
    size_t n = prefix != NULL ? strlen(prefix) : 0;

    return prefix != NULL && strncmp(uri, prefix, n) == 0 ? uri + n : uri;
}

char *
mg_upstream_uri_out(const struct mg_upstream *u, const char *uri)
{
    char buf[128], *out;
    const char *prefix = prefix_of(u, buf, sizeof(buf));
    size_t n;

    if (prefix == NULL)
        return mg_strdup(uri);
    n = strlen(prefix) + strlen(uri) + 1;
    out = mg_malloc(n);
    snprintf(out, n, "%s%s", prefix, uri);
    return out;
}

/* OBJ's string member KEY, prefixed. */
static void
prefix_member(const struct mg_upstream *u, json_t *obj, const char *key)
{
    const char *uri = json_string_value(json_object_get(obj, key));
    char *out;

    if (uri == NULL)
        return;
    out = mg_upstream_uri_out(u, uri);
    json_object_set_new(obj, key, json_string(out));
    mg_free(out);
}

/* One content block: a resource link, or an embedded resource. */
static void
content_out(const struct mg_upstream *u, json_t *block)
{
    const char *type = json_string_value(json_object_get(block, "type"));

    if (type == NULL)
        return;
    if (strcmp(type, "resource_link") == 0)
        prefix_member(u, block, "uri");
    else if (strcmp(type, "resource") == 0)
        prefix_member(u, json_object_get(block, "resource"), "uri");
}

void
mg_upstream_uris_out(const struct mg_upstream *u, const struct mg_session *s, json_t *result)
{
    json_t *item;
    size_t i;

    if (!u->sc->resource_uri_prefix || !json_is_object(result) || (s != NULL && s->view != NULL))
        return;
    json_array_foreach (json_object_get(result, "contents"), i, item) /* resources/read */
        prefix_member(u, item, "uri");
    json_array_foreach (json_object_get(result, "content"), i, item) /* tools/call */
        content_out(u, item);
    json_array_foreach (json_object_get(result, "messages"), i, item) { /* prompts/get */
        json_t *content = json_object_get(item, "content");
        if (json_is_array(content)) {
            json_t *block;
            size_t j;
            json_array_foreach (content, j, block)
                content_out(u, block);
        } else {
            content_out(u, content);
        }
    }
}
