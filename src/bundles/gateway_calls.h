/*
 * gateway_calls.h - the gateway's tools over the call record
 * (recent_calls, call_stats), part of the `gateway` bundle (gateway.c).
 */
#ifndef MG_BUNDLES_GATEWAY_CALLS_H
#define MG_BUNDLES_GATEWAY_CALLS_H

#include <stddef.h>

struct mg_gateway;
struct mg_tool_def;

#define MG_GATEWAY_CALLS_TOOLS 2

/* Their definitions, for GW, into OUT (room for MG_GATEWAY_CALLS_TOOLS);
 * returns how many. */
size_t mg_gateway_calls_tools(struct mg_gateway *gw, struct mg_tool_def *out);

#endif
