/*
 * call.h - running one tools/call, prompts/get or resources/read through an
 * inline handler.
 */
#ifndef MG_MCP_CALL_H
#define MG_MCP_CALL_H

#include <jansson.h>

struct mg_req;
struct mg_tool;
struct mg_prompt;
struct mg_resource;

/*
 * `params` (borrowed) are the request's: in 2026-07-28 they may carry the
 * inputResponses and requestState of an earlier input_required round,
 * checked here (a bad one ends `req` with -32602 and nothing runs).
 */
/* Start the tool's handler for `req` with validated `args` (stolen) and,
 * when the call runs as a task, the params.task to send (stolen; NULL for
 * a plain call). */
void mg_call_start(struct mg_req *req, json_t *params, struct mg_tool *tool, json_t *args, json_t *task);
/* Start a prompt's get function with checked `args` (stolen). */
void mg_call_start_prompt(struct mg_req *req, json_t *params, struct mg_prompt *prompt, json_t *args);
/* Start a resource's read function for `uri`, with template `vars` (stolen). */
void mg_call_start_resource(struct mg_req *req, json_t *params, struct mg_resource *resource, const char *uri,
                            json_t *vars);

/* completion/complete for a PROMPT or a RESOURCE (URI), to be answered by
 * the bundle's complete function with FWD (stolen): the request's params
 * with the reference as the bundle names it. */
void mg_call_start_complete(struct mg_req *req, json_t *params, struct mg_prompt *prompt, struct mg_resource *resource,
                            const char *uri, json_t *fwd);

/* Handlers that forward to an upstream (upstream/upstream.c). */
struct mg_call;
/* What the upstream calls the call's item: its tool or prompt name, or
 * the URI read. */
const char *mg_call_upstream_name(const struct mg_call *call);
/* The progress token the client gave, or NULL (borrowed). */
json_t *mg_call_progress_token(const struct mg_call *call);
/* The client's _meta but the protocol's keys, for the source (mcp/meta.h);
 * NULL when there is none (borrowed). */
json_t *mg_call_meta(const struct mg_call *call);
/* End a call with the upstream's result (borrowed): a CallToolResult is
 * adapted to the client's revision and checked against the tool's
 * outputSchema; a GetPromptResult or ReadResourceResult passes as it is. */
void mg_call_finish_result(struct mg_call *call, json_t *result);
/* The client capability a server-to-client request needs: "sampling",
 * "elicitation" or "roots"; NULL for any other method. */
const char *mg_call_capability_for(const char *method);
/* params.task of a task-augmented tools/call (2025-11-25 tasks), or NULL
 * (borrowed): the upstream is asked for a task instead of a result. */
json_t *mg_call_task(const struct mg_call *call);
/* 1 if the call's tool runs only as a task (execution.taskSupport
 * "required"). */
int mg_call_task_required(const struct mg_call *call);
/* End a task-augmented call with CREATED (borrowed), the upstream's
 * CreateTaskResult whose task.taskId the gateway has made its own. */
void mg_call_finish_task(struct mg_call *call, json_t *created);
/* The capabilities of the call's client (borrowed). */
json_t *mg_call_client_caps(const struct mg_call *call);
/* The log level the client asked for, or NULL: no log messages. */
const char *mg_call_log_level_name(const struct mg_call *call);
/* The answers of the last round of input (borrowed), or NULL. */
json_t *mg_call_inputs(const struct mg_call *call);
/* Run the handler again with STATE and no answers: a server that wants
 * its request repeated with only requestState.  Bounded like rounds. */
void mg_call_retry_with_state(struct mg_call *call, const char *state);
/* {header name: argument} for the x-mcp-header properties of a tool
 * call's arguments (new reference), or NULL. */
json_t *mg_call_param_headers(const struct mg_call *call);
/* The client session of the call (for comparing calls only). */
const void *mg_call_session(const struct mg_call *call);
/*
 * Pass a request of an upstream server (sampling, elicitation, roots) to
 * the client of CALL; FN(DATA) runs once with its answer, or with both
 * NULL if the session ends first.  PARAMS are borrowed.  Returns NULL with
 * WHY when this client cannot be asked: a 2026-07-28 client, a capability
 * it did not declare, a session gone.
 */
void *mg_call_relay(struct mg_call *call, const char *method, json_t *params,
                    void (*fn)(void *data, json_t *result, json_t *error), void *data, char *why, size_t whylen);
/* Withdraw a request passed on with mg_call_relay() (its FN will not
 * run): the client is sent notifications/cancelled for it. */
void mg_call_relay_cancel(void *relayed);
/* An upstream's notifications/message (PARAMS borrowed), to the client of
 * CALL at or above its log level, the logger prefixed with SOURCE. */
void mg_call_relay_log(struct mg_call *call, const char *source, json_t *params);
/* End a call with a JSON-RPC error (the upstream's, or why none came). */
void mg_call_fail_rpc(struct mg_call *call, int code, const char *message, json_t *data);

#endif
