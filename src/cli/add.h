/*
 * add.h - adding a server to the config file, shared by `mcpgate add`
 * (add.c) and `mcpgate connect` (connect.c).
 */
#ifndef MG_CLI_ADD_H
#define MG_CLI_ADD_H

#include "cli/config_edit.h"

/*
 * Append S to the config file (--config FLAG, or NULL for the default,
 * created with only a servers key when there is none), after checking
 * the result with the loader, and say what was done and how to check it.
 * Returns the exit code: 0; 1 when the file cannot be read, edited safely
 * or written, or the result would not load; 2 when a server is called
 * S->name already.
 */
int mg_cli_add_server(const char *flag, const struct mg_cfgedit_server *s);

#endif
