/*
 * read.c - `mcpgate read SERVER URI`: one resource read from a shell, its
 * contents printed (text as it is, binary contents saved to files).
 *
 * The read goes through an in-process client session that sees only
 * SERVER, like `call`, so URIs are the server's own and a template's
 * URIs are matched as for any client.  Exit codes as `call`'s: 0 read,
 * 2 usage error or no such resource, 3 the server could not be reached
 * or the read failed on the way.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/call.h"
#include "cli/standalone.h"
#include "json/jsonrpc.h"

static const char usage[] =
    "usage: mcpgate read [options] SERVER URI\n"
    "\n"
    "Connect to SERVER of the config, read the resource URI and print its\n"
    "contents: text as it is; binary contents are saved to files and their\n"
    "paths printed.  URI is one the server lists, or matches one of its\n"
    "resource templates.  'mcpgate resources' lists them.\n"
    "\n"
    "Exit status: 0 success; 2 usage error, or no such resource; 3 the server\n"
    "could not be reached or the read failed on the way.\n"
    "\n"
    "options, before SERVER:\n"
    "  --json                 print the result as the server sent it (a\n"
    "                         ReadResourceResult in JSON)\n"
    "  --save-dir DIR         where binary contents are saved (default: a new\n"
    "                         directory under $TMPDIR)\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate read everything demo://resource/static/document/architecture.md\n"
    "  mcpgate read everything demo://resource/dynamic/blob/1 --save-dir /tmp\n"
    "  mcpgate read --json files file:///tmp/notes.txt | jq -r '.contents[0].text'\n";

/* What came back, printed.  The exit code. */
static int
report(const struct mg_cli_line *line, json_t *result, json_t *error)
{
    json_t *blocks, *item;
    size_t i;
    int rc;

    if (error != NULL) {
        const char *message = json_string_value(json_object_get(error, "message"));
        json_int_t code = json_integer_value(json_object_get(error, "code"));
        int missing = code == MG_RPC_RESOURCE_NOT_FOUND || (message != NULL && strstr(message, "not found") != NULL);

        fprintf(stderr, "mcpgate: reading %s from %s failed: %s\n", line->tool, line->server,
                message != NULL ? message : "no reason given");
        if (missing)
            fprintf(stderr, "Run 'mcpgate resources %s' to list its resources and templates.\n", line->server);
        else
            fprintf(stderr, "Run 'mcpgate servers' to see the state of %s.\n", line->server);
        return missing ? 2 : 3;
    }
    if (line->json) {
        mg_cli_print_json(json_incref(result));
        return 0;
    }
    /* Each content is an embedded resource to the printer `call` uses. */
    blocks = json_array();
    json_array_foreach (json_object_get(result, "contents"), i, item)
        json_array_append_new(blocks, json_pack("{s:s, s:O}", "type", "resource", "resource", item));
    item = json_pack("{s:o}", "content", blocks);
    rc = mg_cli_print_result(stdout, item, line->save_dir, "resource") == 0 ? 0 : 1;
    json_decref(item);
    return rc;
}

int
mg_cmd_read(int argc, char **argv)
{
    static const struct mg_cli_cmd cmd = {.name = "read",
                                          .usage = usage,
                                          .usage_tail = usage_tail,
                                          .save_dir = 1,
                                          .second = "URI",
                                          .lister = "resources",
                                          .example = "everything demo://resource/static/document/architecture.md"};
    json_t *params, *result = NULL, *error = NULL;
    struct mg_cli_line line;
    struct mg_standalone st;
    int rc;

    if ((rc = mg_cli_parse(&cmd, argc, argv, &line)) >= 0)
        goto out;
    if ((rc = mg_standalone_start(&st, &line.flags, line.server)) >= 0)
        goto out;
    if ((rc = mg_standalone_check_server(&st, line.server)) == 0) {
        params = json_pack("{s:s}", "uri", line.tool);
        rc = mg_cli_request(&st, line.server, "resources/read", params, MG_CLI_ELICIT_DECLINE, &result, &error);
        json_decref(params);
        if (rc == 130)
            fprintf(stderr, "mcpgate: reading %s from %s was cancelled\n", line.tool, line.server);
        else
            rc = report(&line, result, error);
    }
    mg_standalone_stop(&st);
out:
    json_decref(result);
    json_decref(error);
    mg_cli_line_free(&line);
    return rc;
}
