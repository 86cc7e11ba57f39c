/*
 * tools.c - `mcpgate tools [SERVER]`: the tools of the catalog, one line
 * each, found by connecting to the config's servers in-process.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"

static const char usage[] =
    "usage: mcpgate tools [SERVER] [options]\n"
    "\n"
    "Connect to the servers of the config (or only SERVER's tools are shown)\n"
    "and list their tools: server, tool name as the server calls it, and the\n"
    "first line of its description.  Call one with\n"
    "'mcpgate call SERVER TOOL'; the gateway serves it as SERVER__TOOL by\n"
    "default (tool_name_format).\n"
    "\n"
    "options:\n"
    "  --json                 print the full tool definitions as a JSON array,\n"
    "                         each with \"server\" and \"gatewayName\" added\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate tools\n"
    "  mcpgate tools everything\n"
    "  mcpgate tools --json | jq '.[].gatewayName'\n";

static void
list(struct mg_gateway *gw, const char *server, int json)
{
    struct mg_catalog *c = &gw->catalog;
    json_t *out = json ? json_array() : NULL;
    size_t wserver = 6, wtool = 4;

    for (size_t i = 0; i < c->tool_count; i++) {
        struct mg_tool *t = c->order[i];
        size_t a = strlen(t->bundle->ns), b = strlen(t->local_name);
        if (server != NULL && strcmp(t->bundle->ns, server) != 0)
            continue;
        wserver = a > wserver ? a : wserver;
        wtool = b > wtool ? b : wtool;
    }
    if (!json)
        printf("%-*s  %-*s  %s\n", (int)wserver, "SERVER", (int)wtool, "TOOL", "DESCRIPTION");
    for (size_t i = 0; i < c->tool_count; i++) {
        struct mg_tool *t = c->order[i];
        if (server != NULL && strcmp(t->bundle->ns, server) != 0)
            continue;
        if (json) {
            json_t *d = json_deep_copy(t->def);
            json_object_set_new(d, "name", json_string(t->local_name));
            json_object_set_new(d, "server", json_string(t->bundle->ns));
            json_object_set_new(d, "gatewayName", json_string(t->name));
            json_array_append_new(out, d);
            continue;
        }
        printf("%-*s  %-*s  ", (int)wserver, t->bundle->ns, (int)wtool, t->local_name);
        mg_cli_print_text(stdout, json_string_value(json_object_get(t->def, "description")), 0);
        putchar('\n');
    }
    if (json)
        mg_cli_print_json(out);
}

int
mg_cmd_tools(int argc, char **argv)
{
    static const struct mg_standalone_cmd cmd = {
        .name = "tools", .usage = usage, .usage_tail = usage_tail, .arg = "SERVER"};

    return mg_standalone_list(&cmd, argc, argv, list);
}
