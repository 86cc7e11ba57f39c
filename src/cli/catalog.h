/*
 * catalog.h - the well-known MCP servers shipped with mcpgate, for
 * `mcpgate catalog` (catalog.c) and `mcpgate connect` (connect.c).
 *
 * The list is data/catalog.json, compiled in by CMakeLists.txt.  Its
 * entries, under "servers":
 *
 *     name         what `connect` takes, and the server's name in the config
 *     description  its first line is the summary shown in tables
 *     transport    stdio, streamable-http or sse
 *     url          for streamable-http and sse
 *     command      for stdio, with args
 *     extra_args   {usage, help, required}: what the user gives after --
 *     auth         {kind: none | token | oauth}; a token has env (the
 *                  variable that holds it) and, for a url server, header
 *                  and value (e.g. "Bearer ${GITHUB_TOKEN}"); oauth: true
 *                  when the server also signs in with OAuth; help
 *     homepage
 */
#ifndef MG_CLI_CATALOG_H
#define MG_CLI_CATALOG_H

#include <jansson.h>
#include <stddef.h>

/* data/catalog.json as bytes, NUL terminated (catalog_data.c, generated). */
extern const unsigned char mg_catalog_json[];
extern const size_t mg_catalog_json_len;

/* The entries (new JSON array), or NULL after printing why. */
json_t *mg_known_servers(void);

/* The entry called NAME in SERVERS (borrowed), or NULL after saying so on
 * stderr with the closest name. */
json_t *mg_known_find(json_t *servers, const char *name);

/* An entry's string member KEY, or "" (borrowed). */
const char *mg_known_str(json_t *entry, const char *key);

/* An entry's auth kind: "none", "token" or "oauth". */
const char *mg_known_auth(json_t *entry);

#endif
