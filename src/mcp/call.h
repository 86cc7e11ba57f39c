/*
 * call.h - running one tools/call through an inline handler.
 */
#ifndef MG_MCP_CALL_H
#define MG_MCP_CALL_H

#include <jansson.h>

struct mg_req;
struct mg_tool;

/* Start the tool's handler for `req` with validated `args` (stolen). */
void mg_call_start(struct mg_req *req, struct mg_tool *tool, json_t *args);

#endif
