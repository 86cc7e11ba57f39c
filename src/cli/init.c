/*
 * init.c - `mcpgate init`: a commented starter config, where `serve`
 * looks for one.
 *
 * The file serves the built-in demo tools, so that `mcpgate serve` and
 * `mcpgate call demo echo` work at once on a machine with nothing else
 * installed; the server examples are commented out because they fetch
 * packages or need an account.  Every top-level key is there, commented
 * out at its default, with one line on what it does (docs/config.md has
 * the details).
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/config_write.h"
#include "config/config.h"

static const char usage[] =
    "usage: mcpgate init [options]\n"
    "\n"
    "Write a starter config: the built-in demo tools switched on, every\n"
    "setting commented out at its default with a line on what it does, and\n"
    "commented examples of a stdio and an HTTP server.  The file is written\n"
    "where 'mcpgate serve' looks first: $MCPGATE_CONFIG when set, else\n"
    "./mcpgate.yaml.  An existing file is not overwritten unless --force.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE      write FILE instead\n"
    "  --force                overwrite the file if it exists\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate init\n"
    "  mcpgate init --config ~/.config/mcpgate/mcpgate.yaml\n";

static const char starter[] =
    "# mcpgate.yaml - written by 'mcpgate init'.\n"
    "#\n"
    "# mcpgate serves the tools of many MCP servers as one MCP endpoint.\n"
    "# Settings that are commented out show their default; docs/config.md\n"
    "# describes every key.  Values may use environment variables: ${NAME}\n"
    "# (an error if NAME is not set), ${NAME:-default}, and $$ for a \"$\".\n"
    "# A running gateway reads this file again on SIGHUP, or on every change\n"
    "# when started with --watch.\n"
    "\n"
    "# Where 'mcpgate serve' listens: HOST:PORT (IPv6: \"[::1]:8808\").\n"
    "listen: 127.0.0.1:8808\n"
    "\n"
    "# API keys ('mcpgate keys create'): auto requires them unless listening\n"
    "# on loopback; required always does.\n"
    "# auth: auto\n"
    "\n"
    "# Browser origins allowed besides pages on this machine.\n"
    "# allow_origins:\n"
    "#   - https://app.example.com\n"
    "\n"
    "# debug, info, warn, error or none.\n"
    "log_level: info\n"
    "\n"
    "# The built-in demo tools (demo__echo, demo__add, demo__wait): something\n"
    "# to call right away.  Set it to false once real servers are added.\n"
    "demo: true\n"
    "\n"
    "# Where API keys and the call record are kept (\"\": $XDG_STATE_HOME/mcpgate\n"
    "# or ~/.local/state/mcpgate).\n"
    "# state_dir: \"\"\n"
    "\n"
    "# Seconds to wait for a server to answer initialize, and for each page\n"
    "# of its lists; idle connections are pinged this often (0: never).\n"
    "# connection_timeout: 30\n"
    "# discovery_timeout: 30\n"
    "# liveness_probe_interval: 10\n"
    "\n"
    "# Seconds before an idle legacy session is closed, and before a\n"
    "# 2025-11-25 event stream is closed for polling (0: never).\n"
    "# session_idle_timeout: 1800\n"
    "# sse_poll_interval: 0\n"
    "\n"
    "# Largest JSON-RPC message: bytes, or a number with a k or m suffix.\n"
    "# max_message: 4m\n"
    "\n"
    "# Clients see a server's tool as \"<server>__<tool>\"; 64 is the most some\n"
    "# clients take.  Lists come in pages of at most list_page_size items.\n"
    "# tool_name_format: \"{server}__{tool}\"\n"
    "# tool_name_max: 128\n"
    "# list_page_size: 500\n"
    "\n"
    "# Who runs this gateway (gateway__whoami), and what a read-only API key\n"
    "# sees of tools that write: mark or hide.\n"
    "# team: platform\n"
    "# write_tools_for_read_keys: mark\n"
    "\n"
    "# The record of every tools/call, for 'mcpgate calls'.\n"
    "# call_record:\n"
    "#   enabled: true\n"
    "#   max_age: 30d\n"
    "#   max_rows: 1000000\n"
    "#   record_arguments: false     # arguments can hold secrets\n"
    "\n"
    "# The MCP conformance suite's fixture tools; for testing mcpgate only.\n"
    "# conformance: false\n"
    "\n"
    "# The MCP servers behind the gateway.  'mcpgate add' appends to this list,\n"
    "# 'mcpgate catalog' shows well-known servers and 'mcpgate connect NAME'\n"
    "# adds one of them.\n"
    "servers:\n"
    "  # A program speaking MCP on stdin/stdout, run as a child process\n"
    "  # (npx fetches the package from npm the first time).\n"
    "  # - name: everything\n"
    "  #   description: The MCP reference test server\n"
    "  #   command: npx\n"
    "  #   args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n"
    "  #   env:                      # added to its environment\n"
    "  #     NODE_ENV: production\n"
    "  #   cwd: /tmp                 # the directory it runs in\n"
    "  #   timeout: 60               # seconds a tool call may take\n"
    "  #   include_tools: [echo, \"get-*\"]  # only these ('*': any text)\n"
    "  #   exclude_tools: [get-env]  # hide these\n"
    "  #   enabled: true             # false: keep it here, do not connect\n"
    "\n"
    "  # A remote server over HTTP: Streamable HTTP, falling back to HTTP+SSE.\n"
    "  # - name: github\n"
    "  #   url: https://api.githubcopilot.com/mcp/\n"
    "  #   transport: auto           # or streamable-http, sse\n"
    "  #   headers:                  # sent with every request\n"
    "  #     Authorization: \"Bearer ${GITHUB_TOKEN}\"\n"
    "  #   overrides:                # rename, redescribe or classify a tool\n"
    "  #     search_code:\n"
    "  #       description: Search code in our repositories\n"
    "  #   access: auto              # read or write, for API key scopes\n"
    "  #   isolation: shared         # session: one connection per client\n"
    "  #   protocol: auto            # legacy or modern: skip the probe\n"
    "\n"
    "# Named subsets of the servers, served at /p/<name>/mcp.\n"
    "# projects:\n"
    "#   - name: code\n"
    "#     servers: [github]\n";

int
mg_cmd_init(int argc, char **argv)
{
    const char *config = NULL, *env = getenv("MCPGATE_CONFIG");
    char path[4096], shown[4200], err[4096], opt[4200] = "";
    struct mg_config *cfg;
    struct stat st;
    int force = 0, exists;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "mcpgate: %s needs a file name\nRun 'mcpgate init --help' for usage.\n", a);
                return 2;
            }
            config = argv[++i];
        } else {
            fprintf(stderr, "mcpgate: %s '%s'\nRun 'mcpgate init --help' for usage.\n",
                    a[0] == '-' ? "unknown option" : "init takes no arguments, got", a);
            return 2;
        }
    }
    /* Not mg_cfgfile_path: init writes here, not in ~/.config, even when
     * a file exists there. */
    snprintf(path, sizeof(path), "%s",
             config != NULL ? config : env != NULL && env[0] != '\0' ? env : "mcpgate.yaml");
    mg_cfgfile_shown(path, shown, sizeof(shown));
    exists = stat(path, &st) == 0;
    if (exists && !force) {
        fprintf(stderr, "mcpgate: %s exists; use --force to overwrite it, or --config FILE to write another file\n",
                shown);
        return 1;
    }
    /* The template must load, or init would hand out a broken file. */
    if ((cfg = mg_config_parse(starter, sizeof(starter) - 1, path, err, sizeof(err))) == NULL) {
        fprintf(stderr, "mcpgate: the starter config does not load (a bug):\n%s\n", err);
        return 1;
    }
    mg_config_free(cfg);
    if (mg_cfgfile_write(path, starter, sizeof(starter) - 1) != 0)
        return 1;
    if (config != NULL)
        snprintf(opt, sizeof(opt), " --config %s", config);
    printf("%s %s: the demo tools, and every setting commented out at its default.\n\n"
           "Next:\n"
           "  call a demo tool:        mcpgate call%s demo echo --text hi\n"
           "  add a server:            mcpgate add%s everything -- npx -y @modelcontextprotocol/server-everything\n"
           "  or a well-known one:     mcpgate catalog, then mcpgate connect%s NAME\n"
           "  see the servers' state:  mcpgate servers%s\n"
           "  serve them over MCP:     mcpgate serve%s   (http://127.0.0.1:8808/mcp)\n",
           exists ? "overwrote" : "wrote", shown, opt, opt, opt, opt, opt);
    return 0;
}
