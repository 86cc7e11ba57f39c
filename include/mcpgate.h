/*
 * mcpgate.h - the embedding API: inline tool bundles.
 *
 * A program (or mcpgate itself) registers a bundle: a namespace and its
 * tools, each with a C handler.  Clients see each tool as
 * "<namespace>__<tool>" in the gateway's merged catalog.
 *
 *   static void
 *   hello(struct mg_call *call, json_t *args, void *udata)
 *   {
 *       mg_call_add_text(call, "hello");
 *       mg_call_finish(call);
 *   }
 *
 *   static const struct mg_tool_def tools[] = {
 *       { .name = "hello", .description = "Say hello", .handler = hello },
 *   };
 *   static const struct mg_bundle_def bundle = {
 *       .ns = "greet", .tools = tools, .tool_count = 1,
 *   };
 *   ...
 *   char err[256];
 *   if (mg_bundle_register(gw, &bundle, err, sizeof(err)) != 0)
 *       fprintf(stderr, "%s\n", err);
 *
 * Handlers run on the gateway's event loop thread and must not block.
 * A handler may finish before returning or later (from a timer, a libuv
 * callback, ...); until it calls mg_call_finish() or mg_call_fail() the
 * call stays open.  Exactly one of those two ends every call, also after
 * cancellation.
 *
 * JSON values are jansson values.  Comments say "borrowed" when the
 * caller keeps its reference and "steals" when the callee takes it.
 */
#ifndef MCPGATE_H
#define MCPGATE_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mg_gateway; /* the gateway: catalog, sessions, transports */
struct mg_call;    /* one tools/call, prompts/get or resources/read in progress */

/*
 * A tool handler.  `args` (borrowed, valid until the call ends) has already
 * been validated against the tool's inputSchema.  `udata` is the tool's.
 */
typedef void (*mg_tool_fn)(struct mg_call *call, json_t *args, void *udata);

/* One tool.  All strings are copied at registration. */
struct mg_tool_def {
    const char *name;          /* ^[a-z][a-z0-9_-]*$, unique in the bundle */
    const char *title;         /* optional display name */
    const char *description;   /* optional, but clients and models rely on it */
    const char *input_schema;  /* JSON Schema text with "type":"object" at the root;
                                  NULL means no arguments.  A property may carry
                                  "x-mcp-header": "Name" so that 2026-07-28 clients
                                  send its value as header Mcp-Param-Name too */
    const char *output_schema; /* optional JSON Schema text for structuredContent */
    const char *annotations;   /* optional JSON object text (readOnlyHint, ...) */
    const char *icons;         /* optional JSON array text of Icon objects */
    mg_tool_fn handler;
    void *udata;
};

/*
 * A resource reader.  `uri` is the URI the client asked for; `vars`
 * (borrowed) holds the values of a template's {variables}, or is empty.
 * The reader answers through the same mg_call API as a tool: each
 * mg_call_add_resource() (or mg_call_add_text(), for the URI itself as
 * text/plain) becomes one entry of the contents; mg_call_fail() is a
 * JSON-RPC error.
 */
typedef void (*mg_resource_fn)(struct mg_call *call, const char *uri, json_t *vars, void *udata);

/* One resource (a fixed `uri`) or resource template (`uri_template`, with
 * RFC 6570 {variables}, each matching one path segment).  URIs are not
 * namespaced; two bundles offering the same URI or template collide. */
struct mg_resource_def {
    const char *uri;
    const char *uri_template;
    const char *name;        /* required */
    const char *title;       /* optional */
    const char *description; /* optional */
    const char *mime_type;   /* optional */
    mg_resource_fn read;
    void *udata;
};

/*
 * A prompt.  `args` (borrowed) holds the string arguments the client gave,
 * required ones already checked.  Each content block added with the
 * mg_call_add_*() functions becomes one message, in the role set by
 * mg_call_set_role() ("user" until then); mg_call_fail() is a JSON-RPC
 * error.
 */
typedef void (*mg_prompt_fn)(struct mg_call *call, json_t *args, void *udata);

struct mg_prompt_def {
    const char *name;        /* ^[a-z][a-z0-9_-]*$; exposed like tools */
    const char *title;       /* optional */
    const char *description; /* optional */
    const char *arguments;   /* optional JSON array text of PromptArgument objects:
                                [{"name":"x","description":"...","required":true}] */
    mg_prompt_fn get;
    void *udata;
};

/* A bundle: one namespace and its tools, resources and prompts. */
struct mg_bundle_def {
    const char *ns; /* ^[a-z][a-z0-9-]*$, unique in the gateway */
    const struct mg_tool_def *tools;
    size_t tool_count;
    const struct mg_resource_def *resources;
    size_t resource_count;
    const struct mg_prompt_def *prompts;
    size_t prompt_count;
    /* Nonzero: clients see the tools under their own names, without the
     * "<ns>__" prefix, for a gateway that serves one bundle such as a test
     * fixture.  Collisions are still refused. */
    int unprefixed;
};

/*
 * Register a bundle.  Returns 0, or -1 with a message in `err` that names
 * what was refused: a bad name, a schema that does not compile, a namespace
 * already registered, or an exposed name that collides with another tool
 * (the message names both).  On failure nothing is registered.
 */
int mg_bundle_register(struct mg_gateway *gw, const struct mg_bundle_def *def, char *err, size_t errlen);

/* --- the gateway ---------------------------------------------------------- */

/* A gateway on `uv_loop` (a uv_loop_t *), with an empty catalog. */
struct mg_gateway *mg_gateway_new(void *uv_loop);

/* A resource of a bundle changed: clients subscribed to URI are told
 * (notifications/resources/updated).  Registering a bundle tells clients
 * of the new tools, prompts and resources by itself. */
void mg_resource_updated(struct mg_gateway *gw, const char *uri);

/* Free the gateway.  Call after its loop has stopped. */
void mg_gateway_free(struct mg_gateway *gw);

/*
 * Serve MCP on stdin/stdout (newline-delimited JSON-RPC) until end of
 * input, running the loop.  Returns 0 on a clean end, -1 on an I/O error.
 */
int mg_gateway_serve_stdio(struct mg_gateway *gw);

/* --- building the result ------------------------------------------------ */

/* Content blocks, appended in order.  Strings are copied. */
void mg_call_add_text(struct mg_call *call, const char *text);
void mg_call_add_image(struct mg_call *call, const char *base64_data, const char *mime_type);
void mg_call_add_audio(struct mg_call *call, const char *base64_data, const char *mime_type);
void mg_call_add_resource_link(struct mg_call *call, const char *uri, const char *name, const char *mime_type,
                               const char *description);
/* An embedded resource with text contents (blob_base64 == NULL) or a blob. */
void mg_call_add_resource(struct mg_call *call, const char *uri, const char *mime_type, const char *text,
                          const char *blob_base64);
/* Any content block given as a JSON object (steals). */
void mg_call_add_content(struct mg_call *call, json_t *block);

/*
 * Structured result (steals).  It is checked against the tool's
 * outputSchema when the call finishes; when no content was added, its JSON
 * text is added as a text block, as the specification recommends.
 */
void mg_call_set_structured(struct mg_call *call, json_t *value);

/* Prompts: the role of the messages added from now on, "user" or
 * "assistant". */
void mg_call_set_role(struct mg_call *call, const char *role);

/* End the call successfully.  `call` is invalid afterwards. */
void mg_call_finish(struct mg_call *call);

/*
 * End the call with an execution error (a result with isError: true whose
 * text is the formatted message).  `call` is invalid afterwards.
 */
void mg_call_fail(struct mg_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- while the call runs ------------------------------------------------ */

/* The loop the gateway runs on, for timers and I/O (a uv_loop_t *). */
void *mg_call_loop(struct mg_call *call);

/* 1 once the client cancelled the call (or went away).  The handler must
 * still end the call; its result is then discarded. */
int mg_call_cancelled(const struct mg_call *call);

/* Called once, on cancellation, so a handler can stop its work early. */
void mg_call_on_cancel(struct mg_call *call, void (*fn)(struct mg_call *call, void *data), void *data);

/*
 * Report progress.  Sent only when the client asked for it (a progressToken)
 * and only when `progress` increased; total <= 0 means unknown; message
 * may be NULL.
 */
void mg_call_progress(struct mg_call *call, double progress, double total, const char *message);

/*
 * Let the client disconnect while the call runs (SSE polling, protocol
 * 2025-11-25 over Streamable HTTP): the event stream carrying the call ends
 * now, the client reconnects after `retry_ms` and resumes it with
 * Last-Event-ID, receiving what was sent meanwhile.  The call itself goes
 * on.  Returns 0, or -1 when the transport or the client's revision has no
 * such thing (stdio, 2026-07-28, older revisions, a JSON reply); nothing
 * changes then.
 */
int mg_call_close_stream(struct mg_call *call, unsigned retry_ms);

/* Log levels of MCP (RFC 5424). */
enum mg_call_log_level {
    MG_CALL_LOG_DEBUG,
    MG_CALL_LOG_INFO,
    MG_CALL_LOG_NOTICE,
    MG_CALL_LOG_WARNING,
    MG_CALL_LOG_ERROR,
    MG_CALL_LOG_CRITICAL,
    MG_CALL_LOG_ALERT,
    MG_CALL_LOG_EMERGENCY,
};

/* Send a log message to the client (notifications/message), if the client's
 * log level lets it through.  The logger is the bundle's namespace. */
void mg_call_log(struct mg_call *call, enum mg_call_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * 1 if the client declared the capability at `path` (e.g. "sampling",
 * "elicitation", "elicitation.url", "roots").
 */
int mg_call_client_has(const struct mg_call *call, const char *path);

/*
 * Require a client capability.  Returns 0 if the client declared it;
 * otherwise ends the call with a protocol error (-32021 with
 * requiredCapabilities in 2026-07-28, -32602 in older revisions) and returns
 * -1, after which `call` is invalid.
 */
int mg_call_require(struct mg_call *call, const char *path);

/* --- asking the client: sampling, elicitation, roots --------------------- */

/*
 * A handler that needs the client's help (an LLM completion, the user's
 * answer, the client's roots) is written to run more than once, in rounds.
 * It looks for each answer with mg_call_input(); when one is missing it
 * asks with mg_call_ask() and ends the round with mg_call_input_required().
 * The gateway gets the answers (as requests on the session's streams in
 * 2025-11-25 and earlier, as an input_required result the client retries in
 * 2026-07-28) and runs the handler again with the same arguments and the
 * new answers.  mg_call_set_state() leaves a string for the next round; in
 * 2026-07-28 it travels through the client, integrity-protected (HMAC)
 * but readable, so it must hold no secret.
 *
 *   json_t *answer = mg_call_input(call, "name");
 *   if (answer == NULL) {
 *       mg_call_ask(call, "name", "elicitation/create", json_pack(...));
 *       mg_call_input_required(call);
 *       return;
 *   }
 */
/* The client's result for `key` in this round (borrowed), or NULL. */
json_t *mg_call_input(const struct mg_call *call, const char *key);
/* The state the previous round left, or NULL. */
const char *mg_call_state(const struct mg_call *call);
/* Leave `state` (copied; NULL clears it) for the next round. */
void mg_call_set_state(struct mg_call *call, const char *state);
/*
 * Ask the client `method` ("sampling/createMessage", "elicitation/create"
 * or "roots/list") with `params` (stolen), its answer to be found under
 * `key` next round.  Returns 0, or -1 (nothing asked) when the client did
 * not declare the capability the method needs.
 */
int mg_call_ask(struct mg_call *call, const char *key, const char *method, json_t *params);
/* End this round; the call goes on with the answers.  A round that asked
 * nothing fails the call. */
void mg_call_input_required(struct mg_call *call);

/* The protocol revision this call arrived under, e.g. "2025-11-25". */
const char *mg_call_protocol_version(const struct mg_call *call);

/* The exposed tool or prompt name ("<namespace>__<tool>"), or the URI read. */
const char *mg_call_tool_name(const struct mg_call *call);

#ifdef __cplusplus
}
#endif

#endif
