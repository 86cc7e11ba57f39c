/*
 * conformance.h - the fixture the official MCP conformance suite calls:
 * its test_* tools, under their own names.  Enabled by `--conformance`;
 * never part of the default catalog.
 */
#ifndef MG_BUNDLES_CONFORMANCE_H
#define MG_BUNDLES_CONFORMANCE_H

#include <stddef.h>

#include "mcpgate.h"

struct mg_gateway;

int mg_conformance_register(struct mg_gateway *gw, char *err, size_t errlen);

/* conformance_ask.c: the tools and the prompt that ask the client. */
extern const struct mg_tool_def mg_conformance_ask_tools[];
extern const size_t mg_conformance_ask_tool_count;
extern const struct mg_prompt_def mg_conformance_ask_prompt;

#endif
