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
void mg_method_resources_list(struct mg_req *req, json_t *params);
void mg_method_resources_templates_list(struct mg_req *req, json_t *params);
void mg_method_resources_read(struct mg_req *req, json_t *params);
void mg_method_resources_subscribe(struct mg_req *req, json_t *params);
void mg_method_prompts_list(struct mg_req *req, json_t *params);
void mg_method_prompts_get(struct mg_req *req, json_t *params);
void mg_method_completion_complete(struct mg_req *req, json_t *params);

/* lists.c: refuse a cursor (every list is one page; -1 after answering);
 * answer with ITEMS (stolen) under KEY, plus caching hints when modern. */
int mg_list_begin(struct mg_req *req, json_t *params);
void mg_list_reply(struct mg_req *req, const char *key, json_t *items);

/* The server capabilities the gateway can honour for an era (new reference). */
json_t *mg_server_capabilities(struct mg_gateway *gw, int modern);
/* serverInfo (new reference). */
json_t *mg_server_info(void);

/* Version adaptation (adapt.c): copies of a Tool definition and of a
 * CallToolResult without what `version` cannot express (new references). */
json_t *mg_adapt_tool(json_t *tool, const char *version);
json_t *mg_adapt_call_result(json_t *result, const char *version);

#endif
