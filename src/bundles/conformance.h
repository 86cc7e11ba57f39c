/*
 * conformance.h - the fixture the official MCP conformance suite calls:
 * its test_* tools, under their own names.  Enabled by `--conformance`;
 * never part of the default catalog.
 */
#ifndef MG_BUNDLES_CONFORMANCE_H
#define MG_BUNDLES_CONFORMANCE_H

#include <stddef.h>

struct mg_gateway;

int mg_conformance_register(struct mg_gateway *gw, char *err, size_t errlen);

#endif
