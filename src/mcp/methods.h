/*
 * methods.h - request handlers behind the session's dispatch table.
 *
 * Each handler ends `req` exactly once (mg_req_reply or mg_req_fail), now or
 * later.  `params` is borrowed and is always an object (possibly empty).
 */
#ifndef MG_MCP_METHODS_H
#define MG_MCP_METHODS_H

#include <jansson.h>

struct mg_req;
struct mg_gateway;

void mg_method_tools_list(struct mg_req *req, json_t *params);
void mg_method_tools_call(struct mg_req *req, json_t *params);

/* The server capabilities the gateway can honour (new reference). */
json_t *mg_server_capabilities(struct mg_gateway *gw);
/* serverInfo (new reference). */
json_t *mg_server_info(void);

/* Version adaptation (adapt.c): copies of a Tool definition and of a
 * CallToolResult without what `version` cannot express (new references). */
json_t *mg_adapt_tool(json_t *tool, const char *version);
json_t *mg_adapt_call_result(json_t *result, const char *version);

#endif
