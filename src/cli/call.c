/*
 * call.c - `mcpgate call SERVER TOOL [--param value]...` (and its alias
 * `run`): one tool called from a shell, its result printed.
 *
 * Exit codes say who to look at: 0 it worked, 1 the tool said it failed
 * (isError), 2 the command line is wrong and nothing was sent, 3 the
 * server could not be reached or the call broke on the way.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/call.h"
#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "json/jsonrpc.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: mcpgate call [options] SERVER TOOL [--PARAMETER VALUE]...\n"
    "       mcpgate run  [options] SERVER TOOL [--PARAMETER VALUE]...\n"
    "\n"
    "Connect to SERVER of the config, call its TOOL with the parameters given\n"
    "after it, and print the result.  'mcpgate tools' lists the tools of every\n"
    "server; 'mcpgate describe SERVER TOOL' shows a tool's parameters.\n"
    "\n"
    "SERVER is the name of one of the config's servers, e.g. in ./mcpgate.yaml:\n"
    "  servers:\n"
    "    - name: files\n"
    "      command: npx\n"
    "      args: [-y, \"@modelcontextprotocol/server-filesystem\", /tmp]\n"
    "('mcpgate servers' shows whether each one starts; docs/config.md has\n"
    "every key.)\n"
    "\n"
    "Parameters, after TOOL:\n"
    "  --name VALUE or --name=VALUE   in kebab-case, however the tool spells it:\n"
    "                                 --max-results sets maxResults or max_results\n"
    "  --flag, --no-flag              a boolean true or false (or --flag=false)\n"
    "  --path a --path b              a list: repeat the flag, one item each\n"
    "  --options '{\"depth\":2}'        an object: JSON text\n"
    "Numbers and choices are checked against the tool's schema: a missing,\n"
    "unknown or wrong parameter is reported, with its description, before\n"
    "anything is sent.  Everything after TOOL belongs to the tool, so\n"
    "mcpgate's own options go before SERVER.\n"
    "\n"
    "Output: text as it is; images, audio and binary resources are saved to\n"
    "files and their paths printed; structured content as indented JSON.\n"
    "Progress shows on a terminal.  Ctrl-C cancels the call at the server.\n"
    "\n"
    "Exit status: 0 success; 1 the tool reported an error; 2 usage error,\n"
    "nothing was sent; 3 the server could not be reached or the call failed\n"
    "on the way (timeout, server gone); 130 cancelled with Ctrl-C.\n"
    "\n"
    "options, before SERVER:\n"
    "  --json                 print the result as the server sent it (a\n"
    "                         CallToolResult in JSON); exit status as above\n"
    "  --args-json JSON       the arguments as one JSON object; flags after TOOL\n"
    "                         override its members.  '--args-json -' reads the\n"
    "                         object from stdin\n"
    "  --save-dir DIR         where images, audio and binary resources are saved\n"
    "                         (default: a new directory $TMPDIR/mcpgate-XXXXXX)\n"
    "  --elicit MODE          when the server asks the user for input: 'ask' at\n"
    "                         the terminal, 'defaults' to accept the defaults it\n"
    "                         offers, 'decline' (default: ask on a terminal, else\n"
    "                         decline)\n";

static const char usage_tail[] =
    "  -h, --help             show this help; after TOOL: the tool's parameters\n"
    "\n"
    "examples:\n"
    "  mcpgate tools everything\n"
    "  mcpgate call everything echo --message 'hello world'\n"
    "  mcpgate run files list_directory --path /tmp\n"
    "  mcpgate call files read_multiple_files --paths /tmp/a.txt --paths /tmp/b.txt\n"
    "  mcpgate call --json everything get-sum --a 2 --b 3 | jq .content\n"
    "  echo '{\"message\": \"hi\"}' | mcpgate call --args-json - everything echo\n";


/* The arguments are wrong: PROBLEMS, then the tool's parameters. */
static void
refuse(const struct mg_cli_line *line, const struct mg_cli_params *p, const char *problems)
{
    fprintf(stderr, "mcpgate: %s %s was not called:\n%s\n", line->server, line->tool, problems);
    if (p->n > 0)
        mg_cli_params_print(stderr, p);
    else
        fputs("It takes no parameters.\n", stderr);
    fputs("\nexample:\n  ", stderr);
    mg_cli_example(stderr, line->server, line->tool, p);
}

/* Map the flags after TOOL onto ARGS.  -1 to go on, or the exit code. */
static int
arguments(const struct mg_cli_line *line, const struct mg_tool *tool, json_t *args)
{
    struct mg_cli_params p;
    char *problems = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&problems, &len);
    int rc;

    mg_cli_params_init(&p, json_object_get(tool->def, "inputSchema"));
    rc = mg_cli_args(&p, tool->local_name, tool->input, args, line->nparams, line->params, err);
    fclose(err);
    if (rc == MG_CLI_ARGS_HELP) {
        mg_cli_describe(stdout, line->server, tool);
        rc = 0;
    } else if (rc != 0) {
        refuse(line, &p, problems);
    } else {
        rc = -1;
    }
    free(problems);
    mg_cli_params_free(&p);
    return rc;
}

/* Print what came back.  The exit code. */
static int
report(const struct mg_cli_line *line, const struct mg_tool *tool, json_t *result, json_t *error)
{
    int failed = json_is_true(json_object_get(result, "isError"));

    if (error != NULL) {
        const char *message = json_string_value(json_object_get(error, "message"));
        /* A running gateway's refusal (--gateway) comes back as its HTTP
         * 403 or as the JSON-RPC error: either way no server is at fault. */
        int forbidden = json_integer_value(json_object_get(error, "code")) == MG_RPC_FORBIDDEN ||
                        (message != NULL && strncmp(message, "Forbidden", 9) == 0);
        fprintf(stderr, "mcpgate: the call of %s %s failed: %s\n", line->server, line->tool,
                message != NULL ? message : "no reason given");
        if (forbidden)
            fprintf(stderr, "The API key in MCPGATE_API_KEY may not call it: ask for a key with scope 'write'.\n");
        else
            fprintf(stderr, "Run 'mcpgate servers' to see the state of %s.\n", line->server);
        return 3;
    }
    if (line->json) {
        char *text = json_dumps(result, JSON_INDENT(2));
        puts(text);
        free(text);
        return failed ? 1 : 0;
    }
    if (failed) {
        fprintf(stderr, "mcpgate: %s %s reported an error:\n", line->server, line->tool);
        mg_cli_print_result(stderr, result, line->save_dir, tool->local_name);
        return 1;
    }
    return mg_cli_print_result(stdout, result, line->save_dir, tool->local_name) == 0 ? 0 : 1;
}

int
mg_cmd_call(int argc, char **argv)
{
    static const struct mg_cli_cmd cmd = {.name = "call", .usage = usage, .usage_tail = usage_tail, .call = 1};
    json_t *result = NULL, *error = NULL, *args;
    struct mg_cli_line line;
    struct mg_standalone st;
    struct mg_tool *tool;
    int rc;

    if ((rc = mg_cli_parse(&cmd, argc, argv, &line)) >= 0 || (rc = mg_cli_open_tool(&st, &line, &tool)) >= 0)
        goto out;
    args = line.args;
    if ((rc = arguments(&line, tool, args)) < 0) {
        rc = mg_cli_run(&st, tool, args, (enum mg_cli_elicit)line.elicit, &result, &error);
        if (rc == 130)
            fprintf(stderr, "mcpgate: the call of %s %s was cancelled\n", line.server, line.tool);
        else
            rc = report(&line, tool, result, error);
    }
    mg_cli_close_tool(&st, tool);
out:
    json_decref(result);
    json_decref(error);
    mg_cli_line_free(&line);
    return rc;
}
