/*
 * commands.h - the commands of the mcpgate command line beyond serving,
 * one file each under src/cli/.  Each takes argv from its own name on and
 * returns the exit code: 0 success, 1 failure, 2 usage error, 3 a server
 * that could not be reached.
 */
#ifndef MG_CLI_COMMANDS_H
#define MG_CLI_COMMANDS_H

int mg_cmd_servers(int argc, char **argv);
int mg_cmd_tools(int argc, char **argv);
/* `resources [SERVER]` (resources.c) and `read SERVER URI` (read.c). */
int mg_cmd_resources(int argc, char **argv);
int mg_cmd_read(int argc, char **argv);
/* `prompts [SERVER]` (prompts.c) and `prompt SERVER NAME` (prompt.c). */
int mg_cmd_prompts(int argc, char **argv);
int mg_cmd_prompt(int argc, char **argv);
int mg_cmd_search(int argc, char **argv);
/* `keys create|list|revoke` (keys.c; the subcommands in keys.h). */
int mg_cmd_keys(int argc, char **argv);
/* `describe SERVER TOOL` (describe.c) and `call SERVER TOOL` or `run`
 * (call.c; the pieces they share in call.h). */
int mg_cmd_describe(int argc, char **argv);
int mg_cmd_call(int argc, char **argv);
/* `calls`: the call record (calls.c). */
int mg_cmd_calls(int argc, char **argv);
/* `client-config CLIENT`: the snippet for an MCP client (client_config.c;
 * the clients in client_config.h). */
int mg_cmd_client_config(int argc, char **argv);
/* `completion bash|zsh`, and the hidden `__complete servers|projects`
 * its scripts run (completion.c). */
int mg_cmd_completion(int argc, char **argv);
int mg_cmd_complete(int argc, char **argv);
/* `init`: a starter config (init.c). */
int mg_cmd_init(int argc, char **argv);
/* Changing the config file: `add` (add.c), `remove`, `enable` and
 * `disable` (remove.c). */
int mg_cmd_add(int argc, char **argv);
int mg_cmd_remove(int argc, char **argv);
int mg_cmd_enable(int argc, char **argv);
int mg_cmd_disable(int argc, char **argv);
/* `catalog`: well-known servers (catalog.c); `connect NAME` adds one of
 * them (connect.c). */
int mg_cmd_catalog(int argc, char **argv);
int mg_cmd_connect(int argc, char **argv);

#endif
