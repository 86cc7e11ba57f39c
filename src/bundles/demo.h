/*
 * demo.h - the demo bundle: small tools that show every kind of result.
 */
#ifndef MG_BUNDLES_DEMO_H
#define MG_BUNDLES_DEMO_H

#include <stddef.h>

struct mg_gateway;

/* Register namespace "demo".  Returns 0 or -1 with a message in err. */
int mg_demo_register(struct mg_gateway *gw, char *err, size_t errlen);

#endif
