/*
 * catalog_view.h - the catalog as one session sees it: all of it (VIEW
 * NULL), or one source under its own names (VIEW is the source's name,
 * for /servers/<name>/mcp).
 */
#ifndef MG_GATEWAY_CATALOG_VIEW_H
#define MG_GATEWAY_CATALOG_VIEW_H

#include <jansson.h>

struct mg_catalog;
struct mg_bundle;

/* The source VIEW names, or NULL (not connected yet, or no such source). */
struct mg_bundle *mg_view_bundle(const struct mg_catalog *c, const char *view);
/* Items by the name the view shows them under. */
struct mg_tool *mg_view_find_tool(const struct mg_catalog *c, const char *view, const char *name);
struct mg_prompt *mg_view_find_prompt(const struct mg_catalog *c, const char *view, const char *name);
/* As mg_catalog_find_resource, but only the view's resources. */
struct mg_resource *mg_view_find_resource(const struct mg_catalog *c, const char *view, const char *uri,
                                          json_t **vars);
/* 1 if an item of B is visible in VIEW. */
int mg_view_sees(const char *view, const struct mg_bundle *b);
/* DEF as the view shows it (new reference): named LOCAL_NAME in a
 * one-source view. */
json_t *mg_view_def(const char *view, json_t *def, const char *local_name);

#endif
