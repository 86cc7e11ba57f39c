/*
 * main.c - the mcpgate command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bundles/conformance.h"
#include "bundles/demo.h"
#include "gateway/gateway.h"
#include "mcpgate.h"
#include "transport/http.h"
#include "util/alloc.h"
#include "util/log.h"

static const char usage_text[] =
    "usage: mcpgate [--version] [--help] <command> [options]\n"
    "\n"
    "mcpgate is one MCP endpoint for many MCP servers: it merges their tools\n"
    "into one namespaced catalog (<server>__<tool>) and serves it to MCP clients.\n"
    "\n"
    "commands:\n"
    "  serve      serve MCP over HTTP (Streamable HTTP, both protocol eras)\n"
    "  stdio      serve MCP on stdin/stdout (newline-delimited JSON-RPC)\n"
    "\n"
    "Run 'mcpgate <command> --help' for a command's options.\n";

static const char stdio_usage[] =
    "usage: mcpgate stdio [options]\n"
    "\n"
    "Serve the catalog to one MCP client over stdin/stdout, for clients that\n"
    "start their servers as child processes.  Protocol messages go to stdout\n"
    "only; logs go to stderr.  Exits 0 at end of input.\n"
    "\n"
    "options:\n"
    "  --demo                 serve the built-in demo bundle (demo__echo,\n"
    "                         demo__add, demo__wait)\n"
    "  --conformance          serve the fixture the MCP conformance suite calls\n"
    "                         (its test_* tools, unprefixed); for testing only\n"
    "  --max-message BYTES    largest accepted message (default 4194304)\n"
    "  --log-level LEVEL      debug, info, warn, error or none (default info)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate stdio --demo\n"
    "  echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}' | mcpgate stdio\n";

static const char serve_usage[] =
    "usage: mcpgate serve [options]\n"
    "\n"
    "Serve the catalog over HTTP at http://LISTEN/mcp: MCP Streamable HTTP for\n"
    "protocol 2025-03-26 to 2025-11-25 (sessions) and 2026-07-28 (stateless),\n"
    "plus /healthz and /readyz.  Stops on SIGINT or SIGTERM.\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8808)\n"
    "  --demo                 serve the built-in demo bundle\n"
    "  --conformance          serve the fixture the MCP conformance suite calls\n"
    "                         (its test_* tools, unprefixed); for testing only\n"
    "  --session-idle SECS    end legacy sessions idle this long (default 1800)\n"
    "  --sse-poll SECS        close event streams of 2025-11-25 sessions after\n"
    "                         SECS; clients reconnect with Last-Event-ID and\n"
    "                         lose nothing (SSE polling; default: never)\n"
    "  --allow-origin ORIGIN  also accept browser requests from ORIGIN, e.g.\n"
    "                         https://app.example.com (repeatable; '*' for any).\n"
    "                         Pages on localhost are always accepted.\n"
    "  --max-message BYTES    largest accepted request body (default 4194304)\n"
    "  --log-level LEVEL      debug, info, warn, error or none (default info)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate serve --demo\n"
    "  mcpgate serve --listen 127.0.0.1:9000 --allow-origin https://app.example.com\n";

static int
usage_error(const char *fmt, const char *arg, const char *cmd)
{
    fprintf(stderr, "mcpgate: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'mcpgate %s--help' for usage.\n", cmd);
    return 2;
}

/* Parse a positive size with an optional k/m suffix, without atoi. */
static int
parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || s[0] == '-')
        return -1;
    if (*end == 'k' || *end == 'K')
        v *= 1024, end++;
    else if (*end == 'm' || *end == 'M')
        v *= 1024 * 1024, end++;
    if (*end != '\0' || v < 64 || v > (1ULL << 30))
        return -1;
    *out = (size_t)v;
    return 0;
}

static int
cmd_stdio(int argc, char **argv)
{
    uv_loop_t loop;
    struct mg_gateway *gw;
    int demo = 0, conformance = 0, rc;
    size_t max_message = 0;
    char err[512];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(stdio_usage, stdout);
            return 0;
        } else if (strcmp(a, "--demo") == 0) {
            demo = 1;
        } else if (strcmp(a, "--conformance") == 0) {
            conformance = 1;
        } else if (strcmp(a, "--max-message") == 0) {
            if (++i >= argc || parse_size(argv[i], &max_message) != 0)
                return usage_error("--max-message needs a size between 64 bytes and 1G, e.g. 4m%s", "",
                                   "stdio ");
        } else if (strcmp(a, "--log-level") == 0) {
            int l = ++i < argc ? mg_log_parse_level(argv[i]) : -1;
            if (l < 0)
                return usage_error("--log-level needs one of debug, info, warn, error, none%s", "", "stdio ");
            mg_log_threshold = (enum mg_log_level)l;
        } else {
            return usage_error("unknown option '%s'", a, "stdio ");
        }
    }

    uv_loop_init(&loop);
    gw = mg_gateway_new(&loop);
    if (max_message)
        gw->max_message = max_message;
    if ((demo && mg_demo_register(gw, err, sizeof(err)) != 0) ||
        (conformance && mg_conformance_register(gw, err, sizeof(err)) != 0)) {
        fprintf(stderr, "mcpgate: %s\n", err);
        mg_gateway_free(gw);
        uv_loop_close(&loop);
        return 1;
    }
    rc = mg_gateway_serve_stdio(gw);
    mg_gateway_free(gw);
    if (uv_loop_close(&loop) != 0)
        mg_log_warn("event loop closed with handles still open");
    return rc == 0 ? 0 : 1;
}

static int
cmd_serve(int argc, char **argv)
{
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_http_opts opts = {0};
    const char **origins = mg_calloc((size_t)argc, sizeof(*origins));
    int demo = 0, conformance = 0, rc;
    size_t max_message = 0;
    char err[512], *end;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(serve_usage, stdout);
            mg_free(origins);
            return 0;
        } else if (strcmp(a, "--demo") == 0) {
            demo = 1;
        } else if (strcmp(a, "--conformance") == 0) {
            conformance = 1;
        } else if (strcmp(a, "--listen") == 0 && i + 1 < argc) {
            opts.listen = argv[++i];
        } else if (strcmp(a, "--allow-origin") == 0 && i + 1 < argc) {
            origins[opts.norigins++] = argv[++i];
        } else if (strcmp(a, "--session-idle") == 0 && i + 1 < argc) {
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || v == 0 || v > 86400 * 30) {
                mg_free(origins);
                return usage_error("--session-idle needs a number of seconds between 1 and 2592000%s", "", "serve ");
            }
            opts.session_idle_s = (unsigned)v;
        } else if (strcmp(a, "--sse-poll") == 0 && i + 1 < argc) {
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || v == 0 || v > 86400) {
                mg_free(origins);
                return usage_error("--sse-poll needs a number of seconds between 1 and 86400%s", "", "serve ");
            }
            opts.sse_poll_s = (unsigned)v;
        } else if (strcmp(a, "--max-message") == 0) {
            if (++i >= argc || parse_size(argv[i], &max_message) != 0) {
                mg_free(origins);
                return usage_error("--max-message needs a size between 64 bytes and 1G, e.g. 4m%s", "", "serve ");
            }
        } else if (strcmp(a, "--log-level") == 0) {
            int l = ++i < argc ? mg_log_parse_level(argv[i]) : -1;
            if (l < 0) {
                mg_free(origins);
                return usage_error("--log-level needs one of debug, info, warn, error, none%s", "", "serve ");
            }
            mg_log_threshold = (enum mg_log_level)l;
        } else {
            mg_free(origins);
            return usage_error(i + 1 >= argc && a[0] == '-' ? "option '%s' needs a value" : "unknown option '%s'", a,
                               "serve ");
        }
    }
    opts.origins = origins;

    uv_loop_init(&loop);
    gw = mg_gateway_new(&loop);
    if (max_message)
        gw->max_message = max_message;
    rc = 0;
    if ((demo && mg_demo_register(gw, err, sizeof(err)) != 0) ||
        (conformance && mg_conformance_register(gw, err, sizeof(err)) != 0)) {
        fprintf(stderr, "mcpgate: %s\n", err);
        rc = -1;
    }
    if (rc == 0)
        rc = mg_http_serve(gw, &opts);
    mg_gateway_free(gw);
    mg_free(origins);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        mg_log_warn("event loop closed with handles still open");
    return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mcpgate %s\n", MG_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "stdio") == 0)
        return cmd_stdio(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    fprintf(stderr, "mcpgate: unknown command '%s'\nRun 'mcpgate --help' for the list of commands.\n", argv[1]);
    return 2;
}
