/*
 * meta.h - the part of a message's _meta that passes through the gateway.
 *
 * _meta carries two kinds of keys: the protocol's own (progressToken, and
 * every key whose prefix has a label "modelcontextprotocol" or "mcp", as
 * io.modelcontextprotocol/protocolVersion), which the gateway answers or
 * sets itself on each hop, and everybody else's (com.example/trace, a
 * client's or a server's own), which it passes on unchanged: from the
 * client's request to the server, and from the server's result back.
 */
#ifndef MG_MCP_META_H
#define MG_MCP_META_H

#include <jansson.h>

/* Whether KEY is the protocol's own. */
int mg_meta_key_reserved(const char *key);
/* The members of META (an object, borrowed) that are not the protocol's,
 * as a new object; NULL when there are none (or META is not an object). */
json_t *mg_meta_passable(json_t *meta);

#endif
