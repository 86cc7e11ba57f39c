/*
 * subscriptions.h - telling clients that something changed.
 *
 * Two eras, one source of events.  A legacy client learns of list changes
 * on its session's own stream (notifications/{tools,prompts,resources}/
 * list_changed) and of a resource's changes after resources/subscribe.  A
 * 2026-07-28 client opens subscriptions/listen with a filter; the request
 * stays open, its first message is notifications/subscriptions/acknowledged
 * and every notification on it carries _meta["io.modelcontextprotocol/
 * subscriptionId"], the listen request's id.  It ends when the client
 * closes it (cancellation) or when the server shuts down (an empty result).
 */
#ifndef MG_MCP_SUBSCRIPTIONS_H
#define MG_MCP_SUBSCRIPTIONS_H

#include <jansson.h>

struct mg_gateway;
struct mg_session;
struct mg_req;

enum mg_list_kind { MG_LIST_TOOLS, MG_LIST_PROMPTS, MG_LIST_RESOURCES };

/* The subscriptions/listen handler (see methods.h). */
void mg_method_subscriptions_listen(struct mg_req *req, json_t *params);

/* Legacy resources/subscribe (ON) and unsubscribe of URI on session S. */
void mg_subscriptions_track(struct mg_session *s, const char *uri, int on);

/* A list of source SOURCE (a configured server when SERVER is 1, else one
 * of the gateway's own bundles) changed: tell every client that sees the
 * source and asked to know.  A session of /servers/<name>/mcp sees only
 * <name>, and a key's session only its project's servers. */
void mg_notify_list_changed(struct mg_gateway *gw, enum mg_list_kind kind, const char *source, int server);

/* Resource MERGED changed (mg_resource_updated); sessions of
 * /servers/VIEW/mcp know it as OWN (resource_uri_prefix), the others as
 * MERGED.  VIEW NULL: MERGED for every session. */
void mg_resource_updated_as(struct mg_gateway *gw, const char *merged, const char *view, const char *own);

/* End open subscriptions/listen requests gracefully, with their result:
 * all of them (shutdown), or those of one session (its input ended). */
void mg_subscriptions_end_all(struct mg_gateway *gw);
void mg_subscriptions_end_session(struct mg_session *s);

/* Session bookkeeping (session.c). */
void mg_subscriptions_session_opened(struct mg_session *s);
void mg_subscriptions_session_closed(struct mg_session *s);

#endif
