/*
 * client_config.h - `mcpgate client-config CLIENT`: the snippet that
 * connects an MCP client to this gateway over Streamable HTTP.
 *
 * client_config.c is the command (its options, the gateway's URL from the
 * config); client_formats.c is the table of clients, one entry each with
 * where its configuration lives and how it spells a remote server, an
 * HTTP header and an environment variable.  A snippet never holds a key:
 * it names the variable the client reads it from.
 */
#ifndef MG_CLI_CLIENT_CONFIG_H
#define MG_CLI_CLIENT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/* What to connect, checked by the command before any client sees it. */
struct mg_client_ask {
    const char *url;        /* the gateway's endpoint, http(s)://... without controls or spaces */
    const char *name;       /* the server's name in the client: [A-Za-z0-9._-]{1,64} */
    const char *key_env;    /* the variable holding the key ([A-Za-z_][A-Za-z0-9_]*), or NULL: no key */
};

struct mg_client {
    const char *name;       /* "claude-code", as typed on the command line */
    const char *title;      /* "Claude Code", in sentences */
    const char *summary;    /* one line for the list of clients */
    const char *where;      /* where the snippet goes, one or more full lines */
    /* Print the snippet to OUT (the file's text, nothing else) and
     * anything more to say about it to ERR. */
    void (*print)(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err);
    /* JSON clients: the object holding the servers, the key of the URL,
     * the server's "type" (NULL: none), and what goes around the
     * variable's name to refer to it ("${env:" and "}"). */
    const char *servers_key, *url_key, *type, *ref_open, *ref_close;
};

extern const struct mg_client mg_clients[];
extern const size_t mg_nclients;

/* The client called NAME, or NULL. */
const struct mg_client *mg_client_find(const char *name);

/* The line saying where the key comes from, to ERR (nothing without a
 * key). */
void mg_client_key_line(const struct mg_client *c, const struct mg_client_ask *a, FILE *err);

#endif
