/*
 * gateway.h - the gateway's own tools (namespace "gateway"): whoami,
 * list_servers, search_tools, about the caller's own access.
 */
#ifndef MG_BUNDLES_GATEWAY_H
#define MG_BUNDLES_GATEWAY_H

#include <stddef.h>

struct mg_gateway;

/* Register namespace "gateway" on GW (whose cfg may be NULL).  Returns 0,
 * or -1 with a message in ERR. */
int mg_gateway_bundle_register(struct mg_gateway *gw, char *err, size_t errlen);

#endif
