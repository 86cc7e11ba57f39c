/*
 * main.c - the mcpgate command line.
 */
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "cli/commands.h"
#include "cli/run.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "mcpgate.h"
#include "transport/http.h"
#include "transport/stdio.h"
#include "util/log.h"

static const char usage_text[] =
    "usage: mcpgate [--version] [--help] <command> [options]\n"
    "\n"
    "mcpgate is one MCP endpoint for many MCP servers: it merges their tools\n"
    "into one namespaced catalog (<server>__<tool>) and serves it to MCP clients.\n"
    "\n"
    "getting started:\n"
    "  init           write a commented starter config (./mcpgate.yaml)\n"
    "  catalog        list well-known MCP servers (catalog search WORDS)\n"
    "  connect        add a server of the catalog: mcpgate connect NAME\n"
    "  add            add a server: mcpgate add NAME -- COMMAND ARGS... or --url URL\n"
    "  remove         remove a server from the config\n"
    "  enable         turn a disabled server of the config back on\n"
    "  disable        keep a server in the config but stop connecting to it\n"
    "  client-config  the snippet that connects an MCP client (Claude Code, ...)\n"
    "\n"
    "looking and running:\n"
    "  servers        connect to the config's servers and print their status\n"
    "  tools          list the tools of the config's servers\n"
    "  search         find tools by words in their names, titles and descriptions\n"
    "  describe       show a tool's parameters and an example call\n"
    "  call           call a tool: mcpgate call SERVER TOOL --param value (alias: run)\n"
    "  resources      list the resources and resource templates of the config's servers\n"
    "  read           read a resource: mcpgate read SERVER URI\n"
    "  prompts        list the prompts of the config's servers\n"
    "  prompt         get a prompt: mcpgate prompt SERVER NAME --argument value\n"
    "\n"
    "serving and control:\n"
    "  serve          serve MCP over HTTP (Streamable HTTP, both protocol eras)\n"
    "  stdio          serve MCP on stdin/stdout (newline-delimited JSON-RPC)\n"
    "  keys           create, list and revoke API keys for the HTTP endpoint\n"
    "  calls          show the call record: recent tools/call, errors, per-tool stats\n"
    "  completion     print the shell completion script: mcpgate completion bash|zsh\n"
    "\n"
    "servers, tools, search, describe, call, resources, read, prompts and prompt\n"
    "start the config's servers in-process, or ask a running gateway with\n"
    "--gateway URL (or $MCPGATE_URL,\n"
    "with the API key in $MCPGATE_API_KEY).\n"
    "\n"
    "Run 'mcpgate <command> --help' for a command's options.\n";

static const char stdio_usage_head[] =
    "usage: mcpgate stdio [options]\n"
    "\n"
    "Serve the catalog to one MCP client over stdin/stdout, for clients that\n"
    "start their servers as child processes.  Protocol messages go to stdout\n"
    "only; logs go to stderr.  Exits 0 at end of input.  On SIGHUP (and with\n"
    "--watch, whenever it changes) reads the config file again, and the client\n"
    "is told of the new lists.\n"
    "\n"
    "options:\n";

static const char stdio_usage_tail[] =
    "  --watch                read the config file again whenever it changes, as\n"
    "                         on SIGHUP (so 'mcpgate add' takes effect at once)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate stdio --demo\n"
    "  mcpgate stdio --config ~/team/mcpgate.yaml\n"
    "  echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}' | mcpgate stdio\n";

static const char serve_usage_head[] =
    "usage: mcpgate serve [options]\n"
    "\n"
    "Serve the catalog over HTTP at http://LISTEN/mcp: MCP Streamable HTTP for\n"
    "protocol 2025-03-26 to 2025-11-25 (sessions) and 2026-07-28 (stateless),\n"
    "plus /healthz and /readyz.  Stops on SIGINT or SIGTERM; on SIGHUP (and\n"
    "with --watch, whenever it changes) reads the config file again: servers\n"
    "added, removed or changed start and stop (see docs/config.md).\n"
    "\n"
    "Every MCP request needs an API key (Authorization: Bearer, see 'mcpgate\n"
    "keys') when listening on anything but loopback, or with --auth required.\n"
    "\n"
    "options:\n";

static const char serve_usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate serve --demo\n"
    "  mcpgate serve --config examples/mcpgate.yaml\n"
    "  mcpgate serve --listen 127.0.0.1:9000 --allow-origin https://app.example.com\n"
    "  mcpgate serve --listen 0.0.0.0:8808 --config team.yaml   # keys required\n";

/* Parse the options of `stdio` (SERVE 0) or `serve` (1) into F.  Returns
 * -1 to go on, or the exit code. */
static int
parse_flags(struct mg_run_flags *f, int argc, char **argv, int serve)
{
    const char *cmd = serve ? "serve" : "stdio";

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(serve ? serve_usage_head : stdio_usage_head, stdout);
            fputs(mg_run_options_help, stdout);
            if (serve)
                fputs(mg_run_serve_options_help, stdout);
            fputs(serve ? serve_usage_tail : stdio_usage_tail, stdout);
            return 0;
        }
        switch (mg_run_flag(f, argc, argv, &i, cmd, serve)) {
        case MG_OPT_TAKEN:
            break;
        case MG_OPT_BAD:
            return 2;
        case MG_OPT_UNKNOWN:
            fprintf(stderr, "mcpgate: unknown option '%s'\nRun 'mcpgate %s --help' for usage.\n", a, cmd);
            return 2;
        }
    }
    return -1;
}

/* The settings of `stdio` or `serve`: FLAGS (the caller's to free with
 * mg_run_flags_free) over the config file.  NULL with *RC the exit code
 * when the command ends here. */
static struct mg_config *
settings(int argc, char **argv, int serve, int *rc, struct mg_run_flags *flags)
{
    struct mg_config *cfg = NULL;

    mg_run_flags_init(flags, argc);
    *rc = parse_flags(flags, argc, argv, serve);
    if (*rc < 0 && (cfg = mg_run_config(flags)) == NULL)
        *rc = 1;
    return cfg;
}

/* The config file FLAGS name into PATH for --watch, or NULL (with a
 * warning when --watch was given and there is none). */
static const char *
watch_path(const struct mg_run_flags *flags, char *path, size_t len)
{
    if (!flags->watch)
        return NULL;
    mg_run_config_path(flags, path, len);
    if (path[0] != '\0')
        return path;
    mg_log_warn("--watch: there is no config file to watch; serving the defaults");
    return NULL;
}

static int
cmd_stdio(int argc, char **argv)
{
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_run_flags flags;
    struct mg_run_reloader reloader;
    struct mg_stdio_opts opts = {0};
    struct mg_config *cfg;
    char watched[4096];
    int rc;

    if ((cfg = settings(argc, argv, 0, &rc, &flags)) == NULL) {
        mg_run_flags_free(&flags);
        return rc;
    }
    mg_run_raise_fd_limit();
    uv_loop_init(&loop);
    gw = mg_gateway_new(&loop);
    mg_run_apply(gw, cfg);
    /* SIGHUP (and --watch) read the file again; every config served
     * outlives the gateway. */
    mg_run_reloader_init(&reloader, gw, &flags, cfg);
    opts.reload = mg_run_reload;
    opts.reload_ctx = &reloader;
    opts.watch = watch_path(&flags, watched, sizeof(watched));
    mg_run_store_open(gw, cfg, 0); /* without it, no call record */
    rc = mg_run_own_tools(gw) == 0 && mg_run_bundles(gw, cfg) == 0 ? mg_stdio_serve(gw, &opts) : -1;
    mg_run_stop_upstreams(gw);
    mg_run_store_close(gw);
    mg_gateway_free(gw);
    mg_run_reloader_free(&reloader);
    mg_run_flags_free(&flags);
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
    struct mg_run_flags flags;
    struct mg_run_reloader reloader;
    struct mg_config *cfg;
    char watched[4096];
    int rc;

    if ((cfg = settings(argc, argv, 1, &rc, &flags)) == NULL) {
        mg_run_flags_free(&flags);
        return rc;
    }
    opts.listen = cfg->listen;
    opts.origins = (const char *const *)cfg->allow_origins;
    opts.norigins = cfg->nallow_origins;
    /* The HTTP layer counts in whole seconds. */
    opts.session_idle_s = (cfg->session_idle_timeout_ms + 999) / 1000;
    opts.sse_poll_s = (cfg->sse_poll_interval_ms + 999) / 1000;
    opts.auth_required = cfg->auth == MG_CONFIG_AUTH_REQUIRED;

    mg_run_raise_fd_limit();
    uv_loop_init(&loop);
    gw = mg_gateway_new(&loop);
    mg_run_apply(gw, cfg);
    /* SIGHUP reads the file again; every config served outlives the gateway. */
    mg_run_reloader_init(&reloader, gw, &flags, cfg);
    opts.reload = mg_run_reload;
    opts.reload_ctx = &reloader;
    opts.watch = watch_path(&flags, watched, sizeof(watched));
    mg_run_store_open(gw, cfg, 1); /* keys need it: http_auth.c says so */
    rc = mg_run_own_tools(gw) == 0 && mg_run_bundles(gw, cfg) == 0 ? mg_http_serve(gw, &opts) : -1;
    mg_run_stop_upstreams(gw);
    mg_run_store_close(gw);
    mg_gateway_free(gw);
    uv_run(&loop, UV_RUN_DEFAULT);
    mg_run_reloader_free(&reloader);
    mg_run_flags_free(&flags);
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
    if (strcmp(argv[1], "servers") == 0)
        return mg_cmd_servers(argc - 1, argv + 1);
    if (strcmp(argv[1], "resources") == 0)
        return mg_cmd_resources(argc - 1, argv + 1);
    if (strcmp(argv[1], "read") == 0)
        return mg_cmd_read(argc - 1, argv + 1);
    if (strcmp(argv[1], "prompts") == 0)
        return mg_cmd_prompts(argc - 1, argv + 1);
    if (strcmp(argv[1], "prompt") == 0)
        return mg_cmd_prompt(argc - 1, argv + 1);
    if (strcmp(argv[1], "tools") == 0)
        return mg_cmd_tools(argc - 1, argv + 1);
    if (strcmp(argv[1], "search") == 0)
        return mg_cmd_search(argc - 1, argv + 1);
    if (strcmp(argv[1], "describe") == 0)
        return mg_cmd_describe(argc - 1, argv + 1);
    if (strcmp(argv[1], "call") == 0 || strcmp(argv[1], "run") == 0)
        return mg_cmd_call(argc - 1, argv + 1);
    if (strcmp(argv[1], "keys") == 0)
        return mg_cmd_keys(argc - 1, argv + 1);
    if (strcmp(argv[1], "calls") == 0)
        return mg_cmd_calls(argc - 1, argv + 1);
    if (strcmp(argv[1], "client-config") == 0)
        return mg_cmd_client_config(argc - 1, argv + 1);
    if (strcmp(argv[1], "completion") == 0)
        return mg_cmd_completion(argc - 1, argv + 1);
    if (strcmp(argv[1], "__complete") == 0) /* for the completion scripts */
        return mg_cmd_complete(argc - 1, argv + 1);
    if (strcmp(argv[1], "init") == 0)
        return mg_cmd_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "add") == 0)
        return mg_cmd_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "remove") == 0)
        return mg_cmd_remove(argc - 1, argv + 1);
    if (strcmp(argv[1], "enable") == 0)
        return mg_cmd_enable(argc - 1, argv + 1);
    if (strcmp(argv[1], "disable") == 0)
        return mg_cmd_disable(argc - 1, argv + 1);
    if (strcmp(argv[1], "catalog") == 0)
        return mg_cmd_catalog(argc - 1, argv + 1);
    if (strcmp(argv[1], "connect") == 0)
        return mg_cmd_connect(argc - 1, argv + 1);
    fprintf(stderr, "mcpgate: unknown command '%s'\nRun 'mcpgate --help' for the list of commands.\n", argv[1]);
    return 2;
}
