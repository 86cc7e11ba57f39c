/*
 * describe.c - `mcpgate describe SERVER TOOL`: what a tool does and how
 * to call it from the command line.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/call.h"
#include "cli/standalone.h"
#include "gateway/catalog.h"

static const char usage[] =
    "usage: mcpgate describe [options] SERVER TOOL\n"
    "\n"
    "Connect to SERVER of the config and show its TOOL: the description, a\n"
    "table of its parameters (the flag that sets each, its type, whether it\n"
    "is required, its description) and an example 'mcpgate call' line.\n"
    "'mcpgate tools SERVER' lists the tools of a server.\n"
    "\n"
    "options:\n"
    "  --json                 print the tool's definition as JSON, with \"server\"\n"
    "                         and \"gatewayName\" added\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate describe everything echo\n"
    "  mcpgate describe --config ~/team/mcpgate.yaml files read_text_file\n"
    "  mcpgate describe everything get-sum --json | jq .inputSchema\n";

static void
print_json(const char *server, const struct mg_tool *tool)
{
    json_t *d = json_deep_copy(tool->def);
    char *text;

    json_object_set_new(d, "name", json_string(tool->local_name));
    json_object_set_new(d, "server", json_string(server));
    json_object_set_new(d, "gatewayName", json_string(tool->name));
    text = json_dumps(d, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(d);
}

int
mg_cmd_describe(int argc, char **argv)
{
    static const struct mg_cli_cmd cmd = {.name = "describe", .usage = usage, .usage_tail = usage_tail};
    struct mg_cli_line line;
    struct mg_standalone st;
    struct mg_tool *tool;
    int rc;

    if ((rc = mg_cli_parse(&cmd, argc, argv, &line)) < 0 && (rc = mg_cli_open_tool(&st, &line, &tool)) < 0) {
        if (line.json)
            print_json(line.server, tool);
        else
            mg_cli_describe(stdout, line.server, tool);
        mg_cli_close_tool(&st, tool);
        rc = 0;
    }
    mg_cli_line_free(&line);
    return rc;
}
