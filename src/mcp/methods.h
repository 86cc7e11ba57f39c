/*
 * methods.h - request handlers behind the session's dispatch table.
 *
 * Each handler ends `req` exactly once (mg_req_reply or mg_req_fail), now or
 * later.  `params` is borrowed and is always an object (possibly empty).
 */
#ifndef MG_MCP_METHODS_H
#define MG_MCP_METHODS_H

#include <jansson.h>
#include <stddef.h>

#include "mcp/cursor.h"

struct mg_req;
struct mg_gateway;
struct mg_catalog;
struct mg_bundle;

void mg_method_tools_list(struct mg_req *req, json_t *params);
void mg_method_tools_call(struct mg_req *req, json_t *params);
void mg_method_resources_list(struct mg_req *req, json_t *params);
void mg_method_resources_templates_list(struct mg_req *req, json_t *params);
void mg_method_resources_read(struct mg_req *req, json_t *params);
void mg_method_resources_subscribe(struct mg_req *req, json_t *params);
void mg_method_prompts_list(struct mg_req *req, json_t *params);
void mg_method_prompts_get(struct mg_req *req, json_t *params);
void mg_method_completion_complete(struct mg_req *req, json_t *params);
/* tasks/get, tasks/result, tasks/cancel, tasks/list (tasks.c). */
void mg_method_tasks(struct mg_req *req, json_t *params);

/* tasks.c.  The tasks capability for a session of VERSION (new reference),
 * or NULL when it has none; whether a 2026-07-28 request declares the
 * tasks extension; and a tool's execution.taskSupport: "forbidden",
 * "optional" or "required". */
json_t *mg_tasks_capability(const struct mg_gateway *gw, const char *version);
int mg_req_tasks_extension(const struct mg_req *req);
struct mg_tool;
const char *mg_tool_task_support(const struct mg_tool *tool);
/* Whether tools/call of TOOL runs as a task: 0 with *TASK the params.task
 * to send the server (new reference) or NULL for a plain call; -1 when
 * REQ has been failed (a task the tool cannot be, or a task-only tool
 * for a client without the tasks extension). */
int mg_tool_call_task(struct mg_req *req, json_t *params, const struct mg_tool *tool, json_t **task);
/* A 2025-11-25 Task (borrowed) in the fields of the 2026-07-28 tasks
 * extension (ttl and pollInterval become ttlMs and pollIntervalMs): a new
 * object. */
json_t *mg_task_modern(json_t *task);
/* The reverse: a Task of the extension (borrowed) as 2025-11-25 has one,
 * without the extension's outcome and inputRequests: a new object. */
json_t *mg_task_legacy(json_t *task);

/* One page of a list being answered (lists.c). */
struct mg_list_page {
    const struct mg_catalog *c;
    enum mg_cursor_list list;
    const struct mg_session *s;   /* whose project and key decide what is shown */
    const struct mg_bundle *only; /* the view's source, or NULL: every source */
    int none;                     /* the view's source is not in the catalog: nothing to show */
    size_t at;                    /* index in the list to look at next */
    size_t room;                  /* items the page can still take */
    size_t last;                  /* index of the page's last item, or SIZE_MAX */
};

/*
 * lists.c.  Begin the page of LIST that params.cursor asks for (the first
 * without one): 0, or -1 after answering -32602 for a cursor that does
 * not open.  Then mg_list_next() gives the index (in the catalog's array
 * for LIST) of each item of the page, returning 0 at its end; and
 * mg_list_reply() answers with ITEMS (stolen) under KEY, plus nextCursor
 * when more follow and caching hints when modern.
 */
int mg_list_begin(struct mg_req *req, json_t *params, enum mg_cursor_list list, struct mg_list_page *pg);
int mg_list_next(struct mg_list_page *pg, size_t *index);
void mg_list_reply(struct mg_req *req, const struct mg_list_page *pg, const char *key, json_t *items);

/* A method a session answers, and the eras (bits 1 << enum mg_era) it
 * exists in (lifecycle.c). */
struct mg_method {
    const char *name;
    int eras;
    void (*fn)(struct mg_session *s, struct mg_req *req, json_t *params);
};
/* The method called NAME, or NULL. */
const struct mg_method *mg_method_find(const char *name);

/* The server capabilities the gateway can honour for an era (new reference). */
json_t *mg_server_capabilities(struct mg_gateway *gw, int modern);
/* The protocol revisions the gateway speaks, newest first (new reference). */
json_t *mg_supported_versions(void);
/* serverInfo (new reference). */
json_t *mg_server_info(void);

/* Version adaptation (adapt.c): copies of a Tool definition and of a
 * CallToolResult without what `version` cannot express (new references). */
json_t *mg_adapt_tool(json_t *tool, const char *version);
json_t *mg_adapt_call_result(json_t *result, const char *version);

#endif
