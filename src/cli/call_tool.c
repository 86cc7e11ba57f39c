/*
 * call_tool.c - the command line of `describe` and `call` up to SERVER
 * TOOL, and the tool it names.
 *
 * mcpgate's own options go before SERVER; everything after TOOL belongs
 * to the tool.  A tool may have a parameter called "json" or "config",
 * and this way neither side ever takes the other's flag.
 */
#include "cli/call.h"

#include <string.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "util/suggest.h"

/* mcpgate's options, as mg_cli_own_option recognises them. */
static const char *const own_options[] = {
    "--json", "--args-json", "--save-dir", "-c", "--config", "--demo", "--conformance", "--max-message",
    "--log-level", "--gateway", "--elicit", NULL,
};

int
mg_cli_own_option(const char *arg)
{
    size_t n = strcspn(arg, "=");

    for (size_t i = 0; own_options[i] != NULL; i++)
        if (strlen(own_options[i]) == n && strncmp(arg, own_options[i], n) == 0)
            return 1;
    return 0;
}

static int
usage_error(const struct mg_cli_cmd *cmd, const char *what, const char *arg)
{
    fprintf(stderr, "mcpgate: ");
    fprintf(stderr, what, arg);
    fprintf(stderr, "\nRun 'mcpgate %s --help' for usage.\n", cmd->name);
    return 2;
}

/* Take the value of option argv[*i] into *OUT.  -1 to go on, or 2. */
static int
take_value(const struct mg_cli_cmd *cmd, int argc, char **argv, int *i, const char *needs, const char **out)
{
    if (*i + 1 >= argc)
        return usage_error(cmd, "%s", needs);
    *out = argv[++*i];
    return -1;
}

/* One of mcpgate's options at argv[*i].  -1 to go on, or the exit code. */
static int
own_option(const struct mg_cli_cmd *cmd, struct mg_cli_line *line, int argc, char **argv, int *i)
{
    const char *a = argv[*i];

    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        mg_standalone_help(cmd->usage, cmd->usage_tail);
        return 0;
    }
    if (strcmp(a, "--json") == 0) {
        line->json = 1;
        return -1;
    }
    if (cmd->call && strcmp(a, "--args-json") == 0)
        return take_value(cmd, argc, argv, i,
                          "--args-json needs a JSON object, e.g. '{\"message\":\"hi\"}', or - to read it from stdin",
                          &line->args_json);
    if (cmd->call && strcmp(a, "--elicit") == 0) {
        const char *v = *i + 1 < argc ? argv[*i + 1] : "";
        if (strcmp(v, "ask") == 0)
            line->elicit = MG_CLI_ELICIT_ASK;
        else if (strcmp(v, "defaults") == 0)
            line->elicit = MG_CLI_ELICIT_DEFAULTS;
        else if (strcmp(v, "decline") == 0)
            line->elicit = MG_CLI_ELICIT_DECLINE;
        else
            return usage_error(cmd, "%s", "--elicit needs ask, defaults or decline");
        (*i)++;
        return -1;
    }
    if ((cmd->call || cmd->save_dir) && strcmp(a, "--save-dir") == 0)
        return take_value(cmd, argc, argv, i, "--save-dir needs a directory", &line->save_dir);
    switch (mg_run_flag(&line->flags, argc, argv, i, cmd->name, 0)) {
    case MG_OPT_TAKEN:
        return -1;
    case MG_OPT_BAD:
        return 2;
    case MG_OPT_UNKNOWN:
        break;
    }
    return usage_error(cmd, "unknown option '%s'", a);
}

int
mg_cli_parse(const struct mg_cli_cmd *cmd, int argc, char **argv, struct mg_cli_line *line)
{
    int rc;

    memset(line, 0, sizeof(*line));
    mg_run_flags_init(&line->flags, argc);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if ((rc = own_option(cmd, line, argc, argv, &i)) >= 0)
                return rc;
        } else if (line->server == NULL) {
            line->server = a;
        } else if (line->tool == NULL) {
            line->tool = a;
            if (cmd->call) { /* the rest is the tool's */
                line->params = argv + i + 1;
                line->nparams = argc - i - 1;
                break;
            }
        } else {
            return usage_error(cmd, "too many arguments: '%s' (see the usage line)", a);
        }
    }
    if (cmd->call && line->tool != NULL &&
        (line->args = line->args_json != NULL ? mg_cli_args_json(line->args_json) : json_object()) == NULL)
        return 2; /* a mistake here needs no server */
    if (line->tool == NULL) {
        const char *lister = cmd->lister ? cmd->lister : "tools";
        fprintf(stderr,
                "mcpgate: %s needs a SERVER and a %s, e.g. 'mcpgate %s %s'\n"
                "Run 'mcpgate %s' to list the %s of every server, 'mcpgate %s --help' for usage.\n",
                cmd->name, cmd->second ? cmd->second : "TOOL", cmd->name,
                cmd->example ? cmd->example : "everything echo", lister, lister, cmd->name);
        return 2;
    }
    return -1;
}

void
mg_cli_line_free(struct mg_cli_line *line)
{
    json_decref(line->args);
    mg_run_flags_free(&line->flags);
}

/* The tool SERVER calls NAME, or NULL. */
static struct mg_tool *
find_tool(struct mg_catalog *c, const char *server, const char *name)
{
    for (size_t i = 0; i < c->tool_count; i++) {
        struct mg_tool *t = c->order[i];
        if (strcmp(t->bundle->ns, server) == 0 && strcmp(t->local_name, name) == 0)
            return t;
    }
    return NULL;
}

static void
unknown_tool(struct mg_catalog *c, const char *server, const char *name)
{
    struct mg_suggest sg;

    mg_suggest_init(&sg, name);
    for (size_t i = 0; i < c->tool_count; i++)
        if (strcmp(c->order[i]->bundle->ns, server) == 0)
            mg_suggest_try(&sg, c->order[i]->local_name);
    fprintf(stderr, "mcpgate: server %s has no tool '%s'", server, name);
    if (sg.best != NULL)
        fprintf(stderr, "; did you mean '%s'?", sg.best);
    fprintf(stderr, "\nRun 'mcpgate tools %s' to list its tools.\n", server);
}

int
mg_cli_open_tool(struct mg_standalone *st, struct mg_cli_line *line, struct mg_tool **tool)
{
    int rc;

    if ((rc = mg_standalone_start(st, &line->flags, line->server)) >= 0)
        return rc;
    if ((rc = mg_standalone_check_server(st, line->server)) == 0) {
        if ((*tool = find_tool(&st->gw->catalog, line->server, line->tool)) != NULL) {
            mg_tool_hold(*tool);
            return -1;
        }
        unknown_tool(&st->gw->catalog, line->server, line->tool);
        rc = 2;
    }
    mg_standalone_stop(st);
    return rc;
}

void
mg_cli_close_tool(struct mg_standalone *st, struct mg_tool *tool)
{
    mg_tool_release(tool);
    mg_standalone_stop(st);
}

json_t *
mg_cli_args_json(const char *text)
{
    int from_stdin = strcmp(text, "-") == 0;
    json_error_t e;
    json_t *v;

    v = from_stdin ? json_loadf(stdin, JSON_DECODE_ANY, &e) : json_loads(text, JSON_DECODE_ANY, &e);
    if (v == NULL) {
        fprintf(stderr, "mcpgate: %s is not valid JSON: %s (line %d, column %d)\n",
                from_stdin ? "the standard input" : "--args-json", e.text, e.line, e.column);
    } else if (!json_is_object(v)) {
        fprintf(stderr, "mcpgate: %s must be a JSON object of arguments, e.g. {\"message\": \"hi\"}\n",
                from_stdin ? "the standard input" : "--args-json");
        json_decref(v);
        v = NULL;
    }
    return v;
}
