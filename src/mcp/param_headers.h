/*
 * param_headers.h - x-mcp-header: tool arguments mirrored into HTTP
 * headers (protocol 2026-07-28, SEP-2243).
 *
 * A tool may mark properties of its inputSchema with "x-mcp-header":
 * "Region"; a client then sends the argument's value as the header
 * Mcp-Param-Region as well, so that intermediaries can route on it without
 * reading the body.  A declaration is valid only when its name is an HTTP
 * token, unique (case-insensitively) within the tool, on a property of
 * type string, integer or boolean, and reachable from the root
 * through "properties" alone (not under items, anyOf, $defs, ...).
 * Clients drop tools whose declarations are invalid, so mcpgate refuses
 * them when a bundle registers.
 */
#ifndef MG_MCP_PARAM_HEADERS_H
#define MG_MCP_PARAM_HEADERS_H

#include <jansson.h>
#include <stddef.h>

/*
 * The declarations of SCHEMA: *OUT gets a new array of objects {"name":
 * header name after "Mcp-Param-", "path": [property names from the root],
 * "type": the property's type}, or NULL when there is none.  Returns 0, or
 * -1 with the reason in ERR when a declaration is invalid.
 */
int mg_param_headers_scan(json_t *schema, json_t **out, char *err, size_t errlen);

/* The argument a declaration (an element of the scan's array) names, or
 * NULL when ARGS lacks it or it is null (borrowed). */
json_t *mg_param_headers_value(json_t *decl, json_t *args);

/*
 * Whether header text GOT (LEN bytes, already base64-decoded) stands for
 * VALUE of the declared TYPE: strings byte for byte, booleans as
 * true/false, integers in decimal, numbers by value.
 */
int mg_param_headers_equal(const char *type, json_t *value, const char *got, size_t len);

#endif
