/*
 * servers.c - `mcpgate servers`: a status table of the configured
 * servers, found by connecting to each as the gateway would.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/remote.h"
#include "cli/standalone.h"
#include "gateway/gateway.h"
#include "upstream/upstream.h"

static const char usage[] =
    "usage: mcpgate servers [options]\n"
    "\n"
    "Connect to every server of the config, as the gateway does at start,\n"
    "and print one line per server: name, kind (stdio, http, streamable-http,\n"
    "sse), state (ready, failed, disabled, or connecting when it did not\n"
    "finish within connection_timeout + discovery_timeout), tool count,\n"
    "handshake latency, protocol revision and last error.  Exits 0 once\n"
    "the table is printed, whatever the servers' states.\n"
    "\n"
    "options:\n"
    "  --json                 print the table as a JSON array\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate servers\n"
    "  mcpgate servers --config ~/team/mcpgate.yaml --json | jq '.[] | select(.state != \"ready\")'\n";

static void
print_table(json_t *status)
{
    size_t i;
    int wname = mg_cli_width(status, "name", 4), wkind = mg_cli_width(status, "kind", 4);
    json_t *s;

    printf("%-*s  %-*s  %-10s  %5s  %8s  %-10s  %s\n", wname, "NAME", wkind, "KIND", "STATE", "TOOLS",
           "LATENCY", "PROTOCOL", "LAST ERROR");
    json_array_foreach (status, i, s) {
        const char *state = json_string_value(json_object_get(s, "state"));
        const char *proto = json_string_value(json_object_get(s, "protocol"));
        const char *err = json_string_value(json_object_get(s, "last_error"));
        json_t *lat = json_object_get(s, "latency_ms");
        char latency[32];

        if (json_is_integer(lat))
            snprintf(latency, sizeof(latency), "%lld ms", (long long)json_integer_value(lat));
        else
            snprintf(latency, sizeof(latency), "-");
        printf("%-*s  %-*s  %s%-10s%s  %5lld  %8s  %-10s  ", wname, json_string_value(json_object_get(s, "name")),
               wkind, json_string_value(json_object_get(s, "kind")), mg_cli_state_colour(stdout, state), state,
               mg_cli_reset(stdout), (long long)json_integer_value(json_object_get(s, "tools")), latency,
               proto ? proto : "-");
        /* The error may quote what the server said. */
        mg_cli_print_text(stdout, err && strcmp(state, "ready") != 0 ? err : NULL, 0);
        putchar('\n');
    }
}

/* Print STATUS (an array as mg_upstreams_status gives) as asked. */
static void
print_status(json_t *status, int json)
{
    if (json) {
        char *text = json_dumps(status, JSON_INDENT(2));
        puts(text);
        free(text);
    } else if (json_array_size(status) == 0) {
        printf("No servers are configured.  Add one with 'mcpgate add NAME -- COMMAND ARGS...' or\n"
               "'mcpgate add NAME --url URL', or pick one from 'mcpgate catalog' and 'mcpgate connect NAME'.\n");
    } else {
        print_table(status);
    }
}

/* With --gateway: the running gateway's own view of its servers. */
static int
remote(void *ctx, struct mg_run_flags *f, const char *url, int json)
{
    json_t *status = mg_remote_servers(f, url);

    (void)ctx;
    if (status == NULL)
        return 3;
    print_status(status, json);
    json_decref(status);
    return 0;
}

int
mg_cmd_servers(int argc, char **argv)
{
    static const struct mg_standalone_cmd cmd = {
        .name = "servers", .usage = usage, .usage_tail = usage_tail, .remote = remote};
    struct mg_standalone st;
    const char *none;
    int json, rc;
    json_t *status;

    if ((rc = mg_standalone_open(&st, &cmd, argc, argv, &json, &none)) >= 0)
        return rc;
    status = mg_upstreams_status(st.gw);
    print_status(status, json);
    json_decref(status);
    mg_standalone_stop(&st);
    return 0;
}
