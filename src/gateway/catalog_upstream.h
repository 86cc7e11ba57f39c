/*
 * catalog_upstream.h - an upstream server's tools in the merged catalog.
 *
 * The upstream's tools/list is turned into catalog tools: filtered by
 * include_tools and exclude_tools, renamed and redescribed by overrides,
 * named by tool_name_format within tool_name_max characters, their
 * schemas compiled so arguments are checked before any upstream traffic.
 * A tool that cannot be served as listed (a schema that does not compile,
 * an invalid x-mcp-header, a name taken by another source) is left out,
 * and the reason logged with both names.  Each catalog tool remembers the
 * upstream's own name for it (local_name): routing never parses names.
 * Its prompts, resources and resource templates go in beside the tools.
 */
#ifndef MG_GATEWAY_CATALOG_UPSTREAM_H
#define MG_GATEWAY_CATALOG_UPSTREAM_H

#include <jansson.h>
#include <stddef.h>

#include "mcpgate.h"

struct mg_bundle;
struct mg_catalog;
struct mg_server_config;

struct mg_naming {
    const char *format; /* "{server}__{tool}" */
    unsigned max;       /* longest exposed name, <= 128 */
};

/*
 * The exposed name of upstream tool TOOL of SERVER into OUT (at least
 * max + 1 bytes): FORMAT with its placeholders filled, characters outside
 * [A-Za-z0-9_.-] replaced by '_', and a name over MAX cut and ended with
 * '-' and 8 hex digits of a hash of the full name, so it stays unique and
 * the same on every run.
 */
void mg_upstream_tool_name(const struct mg_naming *nm, const char *server, const char *tool, char *out);

/*
 * A server with resource_uri_prefix has its resources and templates
 * exposed as MG_UPSTREAM_URI_SCHEME "<server>/" followed by the URI it
 * gave (mcpgate://docs/file:///a.md), so two servers may offer the same
 * URIs; the upstream side (upstream_uris.c) takes the prefix off on the
 * way in and puts it on every URI of its answers on the way out.
 */
#define MG_UPSTREAM_URI_SCHEME "mcpgate://"

/* An upstream's lists as it gave them (borrowed; NULL: none). */
struct mg_upstream_lists {
    json_t *tools, *prompts, *resources, *templates;
};

/* Where calls to an upstream's items go. */
struct mg_upstream_handlers {
    mg_tool_fn tool;
    mg_prompt_fn prompt;
    mg_resource_fn resource;
    void (*subscribe)(struct mg_bundle *b, const char *uri);
    void (*complete)(struct mg_call *call, json_t *params, void *udata);
    void *udata; /* the upstream; also marks its bundle as its own */
};

/*
 * Put upstream SC's lists into the catalog as the bundle named after it,
 * replacing what it published before (calls running keep their items).
 * Prompts are named like tools; resources keep their URIs.  Returns which
 * lists changed for clients (bit 1 << MG_LIST_TOOLS, _PROMPTS,
 * _RESOURCES), or -1 with ERR when the server's name is another source's.
 */
int mg_catalog_set_upstream(struct mg_catalog *c, const struct mg_server_config *sc, const struct mg_upstream_lists *l,
                            const struct mg_naming *nm, const struct mg_upstream_handlers *h, char *err,
                            size_t errlen);

#endif
