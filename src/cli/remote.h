/*
 * remote.h - commands that ask a running gateway (`--gateway URL`, or
 * $MCPGATE_URL with $MCPGATE_API_KEY) instead of starting the config's
 * servers themselves.
 *
 * The command line stays what it is: an in-process gateway with servers.
 * Only its config changes: each server is the running gateway's
 * /servers/<name>/mcp endpoint, reached over Streamable HTTP with the API
 * key, so every command (tools, search, describe, call, resources, read,
 * prompts, prompt) works the same way in both modes and sees exactly what
 * the key may see.
 */
#ifndef MG_CLI_REMOTE_H
#define MG_CLI_REMOTE_H

#include <jansson.h>

struct mg_config;
struct mg_run_flags;

/* The gateway to ask: --gateway, else $MCPGATE_URL unless --config names
 * a file to read; NULL: read the config and start its servers. */
const char *mg_remote_url(const struct mg_run_flags *f);

/*
 * A config whose servers are the gateway's at URL: the one named ONLY, or
 * (ONLY NULL) every server the gateway reports ready, after warning about
 * the others.  NULL after printing why.
 */
struct mg_config *mg_remote_config(struct mg_run_flags *f, const char *url, const char *only);

/* The gateway's own status of the servers the key may reach (its tool
 * gateway__list_servers): an array as `mcpgate servers --json` prints,
 * or NULL after printing why. */
json_t *mg_remote_servers(struct mg_run_flags *f, const char *url);

/*
 * For a server NAME of the gateway at URL that did not turn out ready or
 * has no tools: say on stderr what the gateway knows of it and return 2
 * (it has no such server, the closest name suggested) or 3 (not ready,
 * with its error); 0 when the gateway has it ready (nothing said).
 */
int mg_remote_explain(const char *url, const char *name);

/* --gateway in usage texts. */
extern const char mg_remote_options_help[];

#endif
