/*
 * resources.c - `mcpgate resources [SERVER]`: the resources and resource
 * templates of the catalog, one line each, found by connecting to the
 * config's servers in-process.  URIs are each server's own, as `mcpgate
 * read SERVER URI` takes them.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"

static const char usage[] =
    "usage: mcpgate resources [SERVER] [options]\n"
    "\n"
    "Connect to the servers of the config (or only SERVER) and list their\n"
    "resources and resource templates: server, URI (or URI template) as the\n"
    "server gives it, and name.  Read one with 'mcpgate read SERVER URI'.\n"
    "\n"
    "options:\n"
    "  --json                 print the full definitions as a JSON array, each\n"
    "                         with \"server\" added, and \"gatewayUri\" where the\n"
    "                         gateway serves it under another URI\n"
    "                         (resource_uri_prefix)\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate resources\n"
    "  mcpgate resources everything\n"
    "  mcpgate resources --json | jq -r '.[].uri'\n";

/* The URI or template of R as its server gives it. */
static const char *
own_key(const struct mg_resource *r)
{
    return r->local_key != NULL ? r->local_key : r->uri != NULL ? r->uri : r->uri_template;
}

static int
shown(const struct mg_resource *r, const char *server)
{
    return r->bundle != NULL && (server == NULL || strcmp(r->bundle->ns, server) == 0);
}

static void
list(struct mg_gateway *gw, const char *server, int json)
{
    struct mg_catalog *c = &gw->catalog;
    struct mg_resource **sets[2] = {c->resources, c->templates};
    size_t counts[2] = {c->resource_count, c->template_count}, wserver = 6, wuri = 3, n = 0;
    json_t *out = json ? json_array() : NULL;

    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < counts[k]; i++) {
            const struct mg_resource *r = sets[k][i];
            size_t a, b;
            if (!shown(r, server))
                continue;
            a = strlen(r->bundle->ns), b = strlen(own_key(r));
            wserver = a > wserver ? a : wserver;
            wuri = b > wuri ? b : wuri;
            n++;
        }
    if (!json && n == 0) {
        printf("no resources%s%s\n", server ? " on " : "", server ? server : "");
        return;
    }
    if (!json)
        printf("%-*s  %-*s  %s\n", (int)wserver, "SERVER", (int)wuri, "URI", "NAME");
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < counts[k]; i++) {
            const struct mg_resource *r = sets[k][i];
            if (!shown(r, server))
                continue;
            if (json) {
                json_t *d = json_deep_copy(r->def);
                json_object_set_new(d, r->uri != NULL ? "uri" : "uriTemplate", json_string(own_key(r)));
                json_object_set_new(d, "server", json_string(r->bundle->ns));
                if (r->local_key != NULL)
                    json_object_set_new(d, "gatewayUri", json_string(r->uri != NULL ? r->uri : r->uri_template));
                json_array_append_new(out, d);
                continue;
            }
            printf("%-*s  %-*s  ", (int)wserver, r->bundle->ns, (int)wuri, own_key(r));
            mg_cli_print_text(stdout, json_string_value(json_object_get(r->def, "name")), 0);
            if (r->uri == NULL)
                fputs(" (template)", stdout);
            putchar('\n');
        }
    if (json)
        mg_cli_print_json(out);
}

int
mg_cmd_resources(int argc, char **argv)
{
    static const struct mg_standalone_cmd cmd = {
        .name = "resources", .usage = usage, .usage_tail = usage_tail, .arg = "SERVER"};

    return mg_standalone_list(&cmd, argc, argv, list);
}
