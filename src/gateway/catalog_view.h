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

/*
 * What one session may see and call, beyond its view: the servers of its
 * project, and for a read key the tools that only read.
 */
struct mg_session;
struct mg_tool;

/* 1 if session S sees the items of source B: B is its view's source (if
 * it has a view), and a server of its project (sources that are not
 * configured servers, such as the gateway's own tools, are in every
 * project). */
int mg_view_allows(const struct mg_session *s, const struct mg_bundle *b);
/* 1 if S's key may call T (a write key any tool, a read key read tools). */
int mg_view_may_call(const struct mg_session *s, const struct mg_tool *t);
/* 1 if S lists and finds T: allowed, and not a write tool hidden from a
 * read key (write_tools_for_read_keys: hide). */
int mg_view_shows_tool(const struct mg_session *s, const struct mg_tool *t);
/* The tool called NAME as S sees it, or NULL. */
struct mg_tool *mg_session_find_tool(const struct mg_session *s, const char *name);
/* The prompt, and the resource, as S sees them, or NULL (as
 * mg_view_find_prompt and mg_view_find_resource). */
struct mg_prompt *mg_session_find_prompt(const struct mg_session *s, const char *name);
struct mg_resource *mg_session_find_resource(const struct mg_session *s, const char *uri, json_t **vars);
/* T's definition as S sees it (new reference): its local name in a
 * one-source view, and marked as needing a write key when S's key may not
 * call it. */
json_t *mg_session_tool_def(const struct mg_session *s, const struct mg_tool *t);

#endif
