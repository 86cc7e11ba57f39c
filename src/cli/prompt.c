/*
 * prompt.c - `mcpgate prompt SERVER NAME [--ARGUMENT VALUE]...`: one
 * prompt got from a shell, its messages printed.
 *
 * The arguments are flags, as a tool's parameters are for `call` (the
 * prompt's arguments make a schema of strings, required ones required),
 * checked before anything is sent; the request goes through an
 * in-process session that sees only SERVER.  Exit codes as `call`'s: 0,
 * 2 usage error or no such prompt, 3 the server could not be reached or
 * the request failed on the way.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/call.h"
#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "util/suggest.h"

static const char usage[] =
    "usage: mcpgate prompt [options] SERVER NAME [--ARGUMENT VALUE]...\n"
    "\n"
    "Connect to SERVER of the config, get its prompt NAME with the arguments\n"
    "given after it, and print the messages: each message's role, then its\n"
    "content (text as it is; images, audio and binary resources saved to\n"
    "files).  'mcpgate prompts' lists the prompts and their arguments;\n"
    "'mcpgate prompt SERVER NAME --help' shows one prompt's.\n"
    "\n"
    "Arguments are flags after NAME, in kebab-case or as the prompt spells\n"
    "them: --city Oslo.  A missing required or an unknown argument is\n"
    "reported before anything is sent.\n"
    "\n"
    "Exit status: 0 success; 2 usage error or no such prompt, nothing was\n"
    "sent; 3 the server could not be reached or the request failed on the way.\n"
    "\n"
    "options, before SERVER:\n"
    "  --json                 print the result as the server sent it (a\n"
    "                         GetPromptResult in JSON)\n"
    "  --args-json JSON       the arguments as one JSON object; flags after NAME\n"
    "                         override its members ('-' reads it from stdin)\n"
    "  --save-dir DIR         where images, audio and binary resources are saved\n";

static const char usage_tail[] =
    "  -h, --help             show this help; after NAME: the prompt's arguments\n"
    "\n"
    "examples:\n"
    "  mcpgate prompts everything\n"
    "  mcpgate prompt everything args-prompt --city Oslo\n"
    "  mcpgate prompt --json everything simple-prompt | jq '.messages[0].content.text'\n";

/* The prompt SERVER calls NAME, or NULL after saying so (with the closest
 * name). */
static struct mg_prompt *
find_prompt(struct mg_catalog *c, const char *server, const char *name)
{
    struct mg_suggest sg;

    for (size_t i = 0; i < c->prompt_count; i++) {
        struct mg_prompt *p = c->prompts[i];
        if (p->bundle != NULL && strcmp(p->bundle->ns, server) == 0 && strcmp(p->local_name, name) == 0)
            return p;
    }
    mg_suggest_init(&sg, name);
    for (size_t i = 0; i < c->prompt_count; i++)
        if (c->prompts[i]->bundle != NULL && strcmp(c->prompts[i]->bundle->ns, server) == 0)
            mg_suggest_try(&sg, c->prompts[i]->local_name);
    fprintf(stderr, "mcpgate: server %s has no prompt '%s'", server, name);
    if (sg.best != NULL)
        fprintf(stderr, "; did you mean '%s'?", sg.best);
    fprintf(stderr, "\nRun 'mcpgate prompts %s' to list its prompts.\n", server);
    return NULL;
}

/* The prompt's arguments as the schema `call` reads flags by (new). */
static json_t *
arguments_schema(const struct mg_prompt *p)
{
    json_t *props = json_object(), *required = json_array(), *a;
    size_t i;

    json_array_foreach (json_object_get(p->def, "arguments"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        json_t *prop = json_pack("{s:s}", "type", "string");
        if (name == NULL) {
            json_decref(prop);
            continue;
        }
        if (json_is_string(json_object_get(a, "description")))
            json_object_set(prop, "description", json_object_get(a, "description"));
        json_object_set_new(props, name, prop);
        if (json_is_true(json_object_get(a, "required")))
            json_array_append_new(required, json_string(name));
    }
    return json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props, "required", required);
}

/* Map the flags after NAME onto ARGS.  -1 to go on, or the exit code. */
static int
arguments(const struct mg_cli_line *line, const struct mg_prompt *prompt, json_t *args)
{
    json_t *schema = arguments_schema(prompt);
    struct mg_cli_params p;
    char *problems = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&problems, &len);
    int rc;

    mg_cli_params_init(&p, schema);
    rc = mg_cli_args(&p, prompt->local_name, NULL, args, line->nparams, line->params, err);
    fclose(err);
    if (rc == MG_CLI_ARGS_HELP || rc != 0) {
        FILE *f = rc == MG_CLI_ARGS_HELP ? stdout : stderr;
        if (rc != MG_CLI_ARGS_HELP)
            fprintf(f, "mcpgate: prompt %s of %s was not asked for:\n%s\n", line->tool, line->server, problems);
        fprintf(f, "%s %s: ", line->server, prompt->local_name);
        mg_cli_print_text(f, json_string_value(json_object_get(prompt->def, "description")), 1);
        fputc('\n', f);
        if (p.n > 0)
            mg_cli_params_print(f, &p);
        else
            fputs("It takes no arguments.\n", f);
        rc = rc == MG_CLI_ARGS_HELP ? 0 : 2;
    } else {
        rc = -1;
    }
    free(problems);
    mg_cli_params_free(&p);
    json_decref(schema);
    return rc;
}

/* What came back, printed.  The exit code. */
static int
report(const struct mg_cli_line *line, json_t *result, json_t *error)
{
    json_t *m;
    size_t i;
    int rc = 0;

    if (error != NULL) {
        const char *message = json_string_value(json_object_get(error, "message"));
        fprintf(stderr, "mcpgate: getting prompt %s of %s failed: %s\n", line->tool, line->server,
                message != NULL ? message : "no reason given");
        fprintf(stderr, "Run 'mcpgate servers' to see the state of %s.\n", line->server);
        return 3;
    }
    if (line->json) {
        mg_cli_print_json(json_incref(result));
        return 0;
    }
    json_array_foreach (json_object_get(result, "messages"), i, m) {
        json_t *content = json_object_get(m, "content");
        json_t *one = json_pack("{s:[O]}", "content", content ? content : json_null());
        printf("[%s]\n", json_is_string(json_object_get(m, "role")) ? json_string_value(json_object_get(m, "role"))
                                                                    : "?");
        if (mg_cli_print_result(stdout, one, line->save_dir, line->tool) != 0)
            rc = 1;
        json_decref(one);
    }
    return rc;
}

int
mg_cmd_prompt(int argc, char **argv)
{
    static const struct mg_cli_cmd cmd = {.name = "prompt",
                                          .usage = usage,
                                          .usage_tail = usage_tail,
                                          .call = 1,
                                          .second = "PROMPT",
                                          .lister = "prompts",
                                          .example = "everything args-prompt --city Oslo"};
    json_t *params, *result = NULL, *error = NULL;
    struct mg_cli_line line;
    struct mg_standalone st;
    struct mg_prompt *prompt;
    int rc;

    if ((rc = mg_cli_parse(&cmd, argc, argv, &line)) >= 0 ||
        (rc = mg_standalone_start(&st, &line.flags, line.server)) >= 0)
        goto out;
    if ((rc = mg_standalone_check_server(&st, line.server)) == 0) {
        if ((prompt = find_prompt(&st.gw->catalog, line.server, line.tool)) == NULL) {
            rc = 2;
        } else if ((rc = arguments(&line, prompt, line.args)) < 0) {
            params = json_pack("{s:s, s:O}", "name", prompt->local_name, "arguments", line.args);
            rc = mg_cli_request(&st, line.server, "prompts/get", params, (enum mg_cli_elicit)line.elicit, &result,
                                &error);
            json_decref(params);
            if (rc == 130)
                fprintf(stderr, "mcpgate: getting prompt %s of %s was cancelled\n", line.tool, line.server);
            else
                rc = report(&line, result, error);
        }
    }
    mg_standalone_stop(&st);
out:
    json_decref(result);
    json_decref(error);
    mg_cli_line_free(&line);
    return rc;
}
