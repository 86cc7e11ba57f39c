/*
 * prompts.c - `mcpgate prompts [SERVER]`: the prompts of the catalog, one
 * line each with their arguments, found by connecting to the config's
 * servers in-process.  Names are each server's own, as `mcpgate prompt
 * SERVER NAME` takes them.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"

static const char usage[] =
    "usage: mcpgate prompts [SERVER] [options]\n"
    "\n"
    "Connect to the servers of the config (or only SERVER) and list their\n"
    "prompts: server, name as the server gives it, its arguments (required\n"
    "ones marked *) and the first line of its description.  Get one with\n"
    "'mcpgate prompt SERVER NAME --argument value'.\n"
    "\n"
    "options:\n"
    "  --json                 print the full definitions as a JSON array, each\n"
    "                         with \"server\" and \"gatewayName\" added\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate prompts\n"
    "  mcpgate prompts everything --json | jq '.[].arguments'\n";

static int
shown(const struct mg_prompt *p, const char *server)
{
    return p->bundle != NULL && (server == NULL || strcmp(p->bundle->ns, server) == 0);
}

/* "city*, state" into BUF. */
static const char *
arguments_text(const struct mg_prompt *p, char *buf, size_t len)
{
    json_t *a;
    size_t i, o = 0;

    buf[0] = '\0';
    json_array_foreach (json_object_get(p->def, "arguments"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        int n;
        if (name == NULL)
            continue;
        n = snprintf(buf + o, len - o, "%s%s%s", o > 0 ? ", " : "", name,
                     json_is_true(json_object_get(a, "required")) ? "*" : "");
        if (n < 0 || (size_t)n >= len - o)
            break;
        o += (size_t)n;
    }
    return o > 0 ? buf : "-";
}

static void
list(struct mg_gateway *gw, const char *server, int json)
{
    struct mg_catalog *c = &gw->catalog;
    size_t wserver = 6, wname = 6, wargs = 9, n = 0;
    json_t *out = json ? json_array() : NULL;
    char args[256];

    for (size_t i = 0; i < c->prompt_count; i++) {
        const struct mg_prompt *p = c->prompts[i];
        size_t a, b, d;
        if (!shown(p, server))
            continue;
        a = strlen(p->bundle->ns), b = strlen(p->local_name), d = strlen(arguments_text(p, args, sizeof(args)));
        wserver = a > wserver ? a : wserver;
        wname = b > wname ? b : wname;
        wargs = d > wargs ? d : wargs;
        n++;
    }
    if (!json && n == 0) {
        printf("no prompts%s%s\n", server ? " on " : "", server ? server : "");
        return;
    }
    if (!json)
        printf("%-*s  %-*s  %-*s  %s\n", (int)wserver, "SERVER", (int)wname, "PROMPT", (int)wargs, "ARGUMENTS",
               "DESCRIPTION");
    for (size_t i = 0; i < c->prompt_count; i++) {
        const struct mg_prompt *p = c->prompts[i];
        if (!shown(p, server))
            continue;
        if (json) {
            json_t *d = json_deep_copy(p->def);
            json_object_set_new(d, "name", json_string(p->local_name));
            json_object_set_new(d, "server", json_string(p->bundle->ns));
            json_object_set_new(d, "gatewayName", json_string(p->name));
            json_array_append_new(out, d);
            continue;
        }
        printf("%-*s  %-*s  %-*s  ", (int)wserver, p->bundle->ns, (int)wname, p->local_name, (int)wargs,
               arguments_text(p, args, sizeof(args)));
        mg_cli_print_text(stdout, json_string_value(json_object_get(p->def, "description")), 0);
        putchar('\n');
    }
    if (json)
        mg_cli_print_json(out);
}

int
mg_cmd_prompts(int argc, char **argv)
{
    static const struct mg_standalone_cmd cmd = {
        .name = "prompts", .usage = usage, .usage_tail = usage_tail, .arg = "SERVER"};

    return mg_standalone_list(&cmd, argc, argv, list);
}
