/*
 * meta.c - the part of a message's _meta that passes through the gateway
 * (see meta.h).
 */
#include "mcp/meta.h"

#include <string.h>

int
mg_meta_key_reserved(const char *key)
{
    const char *slash = strchr(key, '/');

    if (strcmp(key, "progressToken") == 0)
        return 1;
    if (slash == NULL)
        return 0;
    /* The prefix's dot-separated labels (the specification reserves
     * modelcontextprotocol.io/, mcp.dev/, io.modelcontextprotocol/, ...). */
    for (const char *label = key; label < slash;) {
        const char *end = memchr(label, '.', (size_t)(slash - label));
        size_t n = (size_t)((end != NULL ? end : slash) - label);

        if ((n == 20 && memcmp(label, "modelcontextprotocol", 20) == 0) || (n == 3 && memcmp(label, "mcp", 3) == 0))
            return 1;
        label += n + 1;
    }
    return 0;
}

json_t *
mg_meta_passable(json_t *meta)
{
    json_t *out = NULL, *v;
    const char *key;

    json_object_foreach (meta, key, v) {
        if (mg_meta_key_reserved(key))
            continue;
        if (out == NULL)
            out = json_object();
        json_object_set(out, key, v);
    }
    return out;
}
