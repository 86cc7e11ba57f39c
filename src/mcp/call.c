/*
 * call.c - the mg_call_* half of the embedding API (include/mcpgate.h).
 *
 * A call wraps the request it answers.  The request may lose its client
 * (cancellation, session closed) while the handler runs; the call stays
 * valid until the handler ends it, and only then is anything freed.
 */
#include "mcp/call.h"
#include "mcp/meta.h"
#include "mcp/call_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "json/schema.h"
#include "mcp/methods.h"
#include "mcp/param_headers.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "util/alloc.h"

static void
call_cancelled(struct mg_req *req, void *data)
{
    struct mg_call *call = data;

    (void)req;
    if (call->waiting > 0) {
        /* Between rounds: no handler runs, so the gateway ends the call. */
        mg_call_withdraw_asks(call);
        mg_call_fail(call, "cancelled");
        return;
    }
    if (call->on_cancel != NULL) {
        void (*fn)(struct mg_call *, void *) = call->on_cancel;
        call->on_cancel = NULL;
        fn(call, call->cancel_data);
    }
}

static struct mg_call *
call_new(struct mg_req *req, json_t *params, enum call_kind kind, json_t *args, const char *name)
{
    struct mg_call *call = mg_calloc(1, sizeof(*call));

    call->kind = kind;
    call->req = req;
    call->gw = req->s->gw;
    call->args = args;
    call->content = json_array();
    call->roles = json_array();
    call->role = "user";
    call->asks = json_object();
    if (mg_call_take_inputs(call, params, name) != 0) {
        mg_call_destroy(call); /* the request has been answered */
        return NULL;
    }
    req->on_cancel = call_cancelled;
    req->cancel_data = call;
    return call;
}

void
mg_call_run_handler(struct mg_call *call)
{
    switch (call->kind) {
    case CALL_TOOL: call->tool->handler(call, call->args, call->tool->udata); break;
    case CALL_PROMPT: call->prompt->get(call, call->args, call->prompt->udata); break;
    case CALL_RESOURCE: call->resource->read(call, call->uri, call->args, call->resource->udata); break;
    case CALL_COMPLETE: {
        struct mg_bundle *b = call->prompt ? call->prompt->bundle : call->resource->bundle;
        b->complete(call, call->args, b->owner);
        break;
    }
    }
}

void
mg_call_start(struct mg_req *req, json_t *params, struct mg_tool *tool, json_t *args, json_t *task)
{
    struct mg_call *call = call_new(req, params, CALL_TOOL, args, tool->name);

    if (call == NULL) {
        json_decref(task);
    } else {
        call->tool = tool;
        call->task = task;
        mg_tool_hold(tool);
        mg_call_run_handler(call);
    }
}

void
mg_call_start_prompt(struct mg_req *req, json_t *params, struct mg_prompt *prompt, json_t *args)
{
    struct mg_call *call = call_new(req, params, CALL_PROMPT, args, prompt->name);

    if (call != NULL) {
        call->prompt = prompt;
        mg_prompt_hold(prompt);
        mg_call_run_handler(call);
    }
}

void
mg_call_start_resource(struct mg_req *req, json_t *params, struct mg_resource *resource, const char *uri,
                       json_t *vars)
{
    struct mg_call *call = call_new(req, params, CALL_RESOURCE, vars, uri);

    if (call != NULL) {
        call->resource = resource;
        mg_resource_hold(resource);
        call->uri = mg_strdup(uri);
        mg_call_run_handler(call);
    }
}

void
mg_call_start_complete(struct mg_req *req, json_t *params, struct mg_prompt *prompt, struct mg_resource *resource,
                       const char *uri, json_t *fwd)
{
    struct mg_call *call = call_new(req, params, CALL_COMPLETE, fwd, prompt ? prompt->name : uri);

    if (call != NULL) {
        call->prompt = prompt;
        call->resource = resource;
        if (prompt != NULL)
            mg_prompt_hold(prompt);
        else
            mg_resource_hold(resource);
        call->uri = uri ? mg_strdup(uri) : NULL;
        mg_call_run_handler(call);
    }
}

void
mg_call_destroy(struct mg_call *call)
{
    json_decref(call->args);
    json_decref(call->task);
    json_decref(call->content);
    json_decref(call->roles);
    json_decref(call->structured);
    json_decref(call->inputs);
    json_decref(call->next_inputs);
    json_decref(call->asks);
    mg_free(call->state);
    mg_free(call->ask_error);
    mg_free(call->pending);
    mg_free(call->uri);
    mg_tool_release(call->tool);
    mg_prompt_release(call->prompt);
    mg_resource_release(call->resource);
    mg_free(call);
}

const char *
mg_call_name(const struct mg_call *call)
{
    switch (call->kind) {
    case CALL_PROMPT: return call->prompt->name;
    case CALL_RESOURCE: return call->uri;
    case CALL_COMPLETE: return call->prompt ? call->prompt->name : call->uri;
    default: return call->tool->name;
    }
}

static const struct mg_bundle *
call_bundle(const struct mg_call *call)
{
    switch (call->kind) {
    case CALL_PROMPT: return call->prompt->bundle;
    case CALL_RESOURCE: return call->resource->bundle;
    case CALL_COMPLETE: return call->prompt ? call->prompt->bundle : call->resource->bundle;
    default: return call->tool->bundle;
    }
}

/* json_string() refuses invalid UTF-8; a handler's bad bytes must not
 * drop the block silently, so they are replaced by a marker text. */
static json_t *
str_or_marker(const char *s)
{
    json_t *v = json_string(s ? s : "");
    return v ? v : json_string("(invalid UTF-8 replaced by mcpgate)");
}

void
mg_call_add_content(struct mg_call *call, json_t *block)
{
    if (block == NULL)
        return;
    json_array_append_new(call->content, block);
    json_array_append_new(call->roles, json_string(call->role));
}

void
mg_call_set_role(struct mg_call *call, const char *role)
{
    call->role = role != NULL && strcmp(role, "assistant") == 0 ? "assistant" : "user";
}

void
mg_call_add_text(struct mg_call *call, const char *text)
{
    json_t *b = json_object();

    json_object_set_new(b, "type", json_string("text"));
    json_object_set_new(b, "text", str_or_marker(text));
    mg_call_add_content(call, b);
}

static void
add_media(struct mg_call *call, const char *type, const char *data, const char *mime)
{
    json_t *b = json_object();

    json_object_set_new(b, "type", json_string(type));
    json_object_set_new(b, "data", str_or_marker(data));
    json_object_set_new(b, "mimeType", str_or_marker(mime));
    mg_call_add_content(call, b);
}

void
mg_call_add_image(struct mg_call *call, const char *base64_data, const char *mime_type)
{
    add_media(call, "image", base64_data, mime_type);
}

void
mg_call_add_audio(struct mg_call *call, const char *base64_data, const char *mime_type)
{
    add_media(call, "audio", base64_data, mime_type);
}

void
mg_call_add_resource_link(struct mg_call *call, const char *uri, const char *name, const char *mime_type,
                          const char *description)
{
    json_t *b = json_object();

    json_object_set_new(b, "type", json_string("resource_link"));
    json_object_set_new(b, "uri", str_or_marker(uri));
    json_object_set_new(b, "name", str_or_marker(name ? name : uri));
    if (mime_type)
        json_object_set_new(b, "mimeType", str_or_marker(mime_type));
    if (description)
        json_object_set_new(b, "description", str_or_marker(description));
    mg_call_add_content(call, b);
}

void
mg_call_add_resource(struct mg_call *call, const char *uri, const char *mime_type, const char *text,
                     const char *blob_base64)
{
    json_t *r = json_object(), *b = json_object();

    json_object_set_new(r, "uri", str_or_marker(uri));
    if (mime_type)
        json_object_set_new(r, "mimeType", str_or_marker(mime_type));
    if (blob_base64 != NULL)
        json_object_set_new(r, "blob", str_or_marker(blob_base64));
    else
        json_object_set_new(r, "text", str_or_marker(text));
    json_object_set_new(b, "type", json_string("resource"));
    json_object_set_new(b, "resource", r);
    mg_call_add_content(call, b);
}

void
mg_call_set_structured(struct mg_call *call, json_t *value)
{
    json_decref(call->structured);
    call->structured = value;
}

/* GetPromptResult: one message per content block. */
static void
finish_prompt(struct mg_call *call)
{
    json_t *result = json_object(), *messages = json_array(), *block;
    const char *description = json_string_value(json_object_get(call->prompt->def, "description"));
    size_t i;

    json_array_foreach (call->content, i, block)
        json_array_append_new(messages, json_pack("{s:O, s:O}", "role", json_array_get(call->roles, i), "content",
                                                  block));
    if (description != NULL)
        json_object_set_new(result, "description", json_string(description));
    json_object_set_new(result, "messages", messages);
    mg_req_reply(call->req, result);
}

/* ReadResourceResult: embedded resources become contents as they are;
 * text, image and audio blocks become contents of the URI read. */
static void
finish_resource(struct mg_call *call)
{
    struct mg_req *req = call->req;
    json_t *result = json_object(), *contents = json_array(), *block;
    const char *mime = json_string_value(json_object_get(call->resource->def, "mimeType"));
    size_t i;

    json_array_foreach (call->content, i, block) {
        const char *type = json_string_value(json_object_get(block, "type"));
        json_t *c;
        if (type != NULL && strcmp(type, "resource") == 0) {
            json_array_append(contents, json_object_get(block, "resource"));
            continue;
        }
        c = json_pack("{s:s}", "uri", call->uri);
        if (type != NULL && strcmp(type, "text") == 0) {
            json_object_set_new(c, "mimeType", json_string(mime ? mime : "text/plain"));
            json_object_set(c, "text", json_object_get(block, "text"));
        } else {
            json_object_set(c, "mimeType", json_object_get(block, "mimeType"));
            json_object_set(c, "blob", json_object_get(block, "data"));
        }
        json_array_append_new(contents, c);
    }
    json_object_set_new(result, "contents", contents);
    if (req->era == MG_ERA_MODERN) {
        json_object_set_new(result, "ttlMs", json_integer(call->gw->list_ttl_ms));
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    mg_req_reply(req, result);
}

void
mg_call_finish(struct mg_call *call)
{
    struct mg_req *req = call->req;
    json_t *result;
    char *why = NULL;

    if (call->kind != CALL_TOOL) {
        if (call->kind == CALL_PROMPT)
            finish_prompt(call);
        else
            finish_resource(call);
        mg_call_destroy(call);
        return;
    }
    result = json_object();

    if (call->tool->output != NULL && call->structured == NULL) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Internal error: tool %s declares an outputSchema but returned no "
                 "structuredContent", call->tool->name);
        mg_req_fail(req, MG_RPC_INTERNAL_ERROR, msg, NULL);
        goto out;
    }
    if (call->structured != NULL) {
        if (call->tool->output != NULL && mg_schema_validate(call->tool->output, call->structured, &why) != 0) {
            json_t *m = json_string("");
            json_string_set(m, why ? why : "invalid");
            mg_req_fail(req, MG_RPC_INTERNAL_ERROR,
                        "Internal error: the tool's structuredContent does not match its outputSchema",
                        json_pack("{s:s, s:o}", "tool", call->tool->name, "errors", m));
            free(why);
            goto out;
        }
        if (json_array_size(call->content) == 0) {
            char *text = json_dumps(call->structured, JSON_COMPACT | JSON_ENCODE_ANY);
            mg_call_add_text(call, text);
            free(text);
        }
        json_object_set(result, "structuredContent", call->structured);
    }
    json_object_set(result, "content", call->content);
    mg_req_reply(req, mg_adapt_call_result(result, req->version));
out:
    json_decref(result);
    mg_call_destroy(call);
}

void
mg_call_fail(struct mg_call *call, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    json_t *result;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (call->kind != CALL_TOOL) {
        /* Prompts and resources have no execution errors: a JSON-RPC error. */
        mg_req_fail(call->req, MG_RPC_INTERNAL_ERROR, buf, NULL);
        mg_call_destroy(call);
        return;
    }
    result = json_object();
    json_object_set_new(result, "content", json_array());
    json_array_append_new(json_object_get(result, "content"),
                          json_pack("{s:s, s:o}", "type", "text", "text", str_or_marker(buf)));
    json_object_set_new(result, "isError", json_true());
    mg_req_reply(call->req, result);
    mg_call_destroy(call);
}

const char *
mg_call_upstream_name(const struct mg_call *call)
{
    switch (call->kind) {
    case CALL_PROMPT: return call->prompt->local_name;
    case CALL_RESOURCE: return call->uri;
    case CALL_COMPLETE: return call->prompt ? call->prompt->local_name : call->uri;
    default: return call->tool->local_name;
    }
}

json_t *
mg_call_progress_token(const struct mg_call *call)
{
    return call->req->progress_token;
}

json_t *
mg_call_meta(const struct mg_call *call)
{
    return call->req->meta;
}

json_t *
mg_call_task(const struct mg_call *call)
{
    return call->task;
}

int
mg_call_task_required(const struct mg_call *call)
{
    return call->kind == CALL_TOOL && strcmp(mg_tool_task_support(call->tool), "required") == 0;
}

void
mg_call_finish_task(struct mg_call *call, json_t *created)
{
    json_t *task = json_object_get(created, "task"), *result;

    if (call->req->era == MG_ERA_MODERN) {
        /* The extension's CreateTaskResult: the Task itself, flat. */
        result = mg_task_modern(task);
        json_object_set_new(result, "resultType", json_string("task"));
    } else {
        result = json_pack("{s:O}", "task", task);
    }
    mg_req_reply(call->req, result);
    mg_call_destroy(call);
}

json_t *
mg_call_client_caps(const struct mg_call *call)
{
    return call->req->caps;
}

const char *
mg_call_log_level_name(const struct mg_call *call)
{
    int level = call->req->log_level;

    return level >= 0 && level < MG_MCP_LOG_OFF ? mg_mcp_log_level_name(level) : NULL;
}

json_t *
mg_call_param_headers(const struct mg_call *call)
{
    json_t *out = NULL, *decl, *v;
    size_t i;

    if (call->kind != CALL_TOOL || call->tool->param_headers == NULL)
        return NULL;
    json_array_foreach (call->tool->param_headers, i, decl) {
        if ((v = mg_param_headers_value(decl, call->args)) == NULL)
            continue;
        if (out == NULL)
            out = json_object();
        json_object_set(out, json_string_value(json_object_get(decl, "name")), v);
    }
    return out;
}

const void *
mg_call_session(const struct mg_call *call)
{
    return call->req->s;
}

void *
mg_call_relay(struct mg_call *call, const char *method, json_t *params, void (*fn)(void *data, json_t *result,
              json_t *error), void *data, char *why, size_t whylen)
{
    struct mg_req *req = call->req;
    const char *cap = mg_call_capability_for(method);
    void *o;

    if (req->era == MG_ERA_MODERN) {
        snprintf(why, whylen, "the client of this call speaks %s, where a server cannot send it %s; mcpgate does not "
                 "turn it into input_required for upstream servers yet", req->version, method);
    } else if (cap == NULL) {
        snprintf(why, whylen, "mcpgate does not pass %s on to clients", method);
    } else if (!mg_req_client_has(req, cap)) {
        snprintf(why, whylen, "the client of this call did not declare the '%s' capability", cap);
    } else if ((o = mg_req_ask(req, method, json_incref(params), fn, data)) != NULL) {
        return o;
    } else {
        snprintf(why, whylen, "the client of this call is gone");
    }
    return NULL;
}

void
mg_call_relay_cancel(void *relayed)
{
    mg_outreq_cancel(relayed);
}

void
mg_call_fail_rpc(struct mg_call *call, int code, const char *message, json_t *data)
{
    mg_req_fail(call->req, code, message, data);
    mg_call_destroy(call);
}

/* An upstream's GetPromptResult, ReadResourceResult or CompleteResult,
 * as it gave it when it has the member that makes it one. */
static void
finish_passed_through(struct mg_call *call, json_t *upstream)
{
    const char *key = call->kind == CALL_PROMPT ? "messages" : call->kind == CALL_COMPLETE ? "completion" : "contents";
    const char *method = call->kind == CALL_PROMPT     ? "prompts/get"
                         : call->kind == CALL_COMPLETE ? "completion/complete"
                                                       : "resources/read";
    json_t *member = json_object_get(upstream, key);
    json_t *result, *meta;

    if (call->kind == CALL_COMPLETE ? !json_is_object(member) : !json_is_array(member)) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Internal error: the upstream's %s result has no %s %s", method, key,
                 call->kind == CALL_COMPLETE ? "object" : "array");
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        return;
    }
    result = json_deep_copy(upstream);
    /* The protocol's part of _meta is the gateway's to set on this hop,
     * and so are resultType and the caching hints of 2026-07-28. */
    if ((meta = mg_meta_passable(json_object_get(upstream, "_meta"))) != NULL)
        json_object_set_new(result, "_meta", meta);
    else
        json_object_del(result, "_meta");
    json_object_del(result, "resultType");
    json_object_del(result, "ttlMs");
    json_object_del(result, "cacheScope");
    if (call->kind == CALL_RESOURCE && call->req->era == MG_ERA_MODERN) {
        json_object_set_new(result, "ttlMs", json_integer(call->gw->list_ttl_ms));
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    mg_req_reply(call->req, result);
    mg_call_destroy(call);
}

void
mg_call_finish_result(struct mg_call *call, json_t *upstream)
{
    json_t *content = json_object_get(upstream, "content"), *structured = json_object_get(upstream, "structuredContent");
    int is_error = json_is_true(json_object_get(upstream, "isError"));
    char *why = NULL;
    json_t *result, *meta;

    if (call->kind != CALL_TOOL) {
        finish_passed_through(call, upstream);
        return;
    }
    if (!json_is_array(content)) {
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, "Internal error: the upstream's tools/call result has no "
                         "content array", NULL);
        return;
    }
    /* The upstream is held to the schema it published, as a bundle is. */
    if (!is_error && call->tool->output != NULL &&
        (structured == NULL || mg_schema_validate(call->tool->output, structured, &why) != 0)) {
        json_t *m = json_string("");
        json_string_set(m, why ? why : "structuredContent is missing");
        free(why);
        mg_call_fail_rpc(call, MG_RPC_INTERNAL_ERROR, "Internal error: the upstream's structuredContent does not "
                         "match the tool's outputSchema", json_pack("{s:s, s:o}", "tool", call->tool->name, "errors", m));
        return;
    }
    result = json_pack("{s:O}", "content", content);
    if (structured != NULL)
        json_object_set(result, "structuredContent", structured);
    if (is_error)
        json_object_set_new(result, "isError", json_true());
    if ((meta = mg_meta_passable(json_object_get(upstream, "_meta"))) != NULL)
        json_object_set_new(result, "_meta", meta);
    mg_req_reply(call->req, mg_adapt_call_result(result, call->req->version));
    json_decref(result);
    mg_call_destroy(call);
}

void *
mg_call_loop(struct mg_call *call)
{
    return call->gw->loop;
}

int
mg_call_cancelled(const struct mg_call *call)
{
    return call->req->cancelled;
}

void
mg_call_on_cancel(struct mg_call *call, void (*fn)(struct mg_call *call, void *data), void *data)
{
    call->on_cancel = fn;
    call->cancel_data = data;
    if (call->req->cancelled)
        call_cancelled(call->req, call);
}

void
mg_call_progress(struct mg_call *call, double progress, double total, const char *message)
{
    struct mg_req *req = call->req;
    json_t *params;

    /* Progress MUST increase, and only a client that asked gets it. */
    if (req->progress_token == NULL || !isfinite(progress) ||
        (req->has_progress && !(progress > req->last_progress)))
        return;
    req->has_progress = 1;
    req->last_progress = progress;
    params = json_object();
    json_object_set(params, "progressToken", req->progress_token);
    json_object_set_new(params, "progress", json_real(progress));
    if (total > 0 && isfinite(total))
        json_object_set_new(params, "total", json_real(total));
    if (message != NULL && (req->era == MG_ERA_MODERN || mg_proto_at_least(req->version, MG_PROTO_2025_03_26)))
        json_object_set_new(params, "message", str_or_marker(message));
    mg_req_notify(req, "notifications/progress", params);
}

int
mg_call_close_stream(struct mg_call *call, unsigned retry_ms)
{
    return mg_req_close_stream(call->req, retry_ms);
}

void
mg_call_log(struct mg_call *call, enum mg_call_log_level level, const char *fmt, ...)
{
    struct mg_req *req = call->req;
    char buf[4096];
    va_list ap;

    if ((int)level < req->log_level || (int)level >= MG_MCP_LOG_OFF)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    mg_req_notify(req, "notifications/message",
                  json_pack("{s:s, s:s, s:o}", "level", mg_mcp_log_level_name((int)level), "logger",
                            call_bundle(call)->ns, "data", str_or_marker(buf)));
}

void
mg_call_relay_log(struct mg_call *call, const char *source, json_t *params)
{
    struct mg_req *req = call->req;
    int level = mg_mcp_log_level_parse(json_string_value(json_object_get(params, "level")));
    const char *logger = json_string_value(json_object_get(params, "logger"));
    char name[300];

    if (level < 0 || level < req->log_level || level >= MG_MCP_LOG_OFF)
        return;
    /* The logger names the server first: clients see many servers here. */
    if (logger != NULL)
        snprintf(name, sizeof(name), "%s/%s", source, logger);
    else
        snprintf(name, sizeof(name), "%s", source);
    mg_req_notify(req, "notifications/message",
                  json_pack("{s:s, s:s, s:O}", "level", mg_mcp_log_level_name(level), "logger", name, "data",
                            json_object_get(params, "data") ? json_object_get(params, "data") : json_null()));
}

int
mg_call_client_has(const struct mg_call *call, const char *path)
{
    return mg_req_client_has(call->req, path);
}

/* Build {"a":{"b":{}}} from "a.b". */
static json_t *
caps_from_path(const char *path)
{
    json_t *root = json_object(), *cur = root;
    char part[64];

    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        json_t *next = json_object();
        if (n >= sizeof(part))
            n = sizeof(part) - 1;
        memcpy(part, path, n);
        part[n] = '\0';
        json_object_set_new(cur, part, next);
        cur = next;
        path += (dot ? (size_t)(dot - path) + 1 : strlen(path));
    }
    return root;
}

int
mg_call_require(struct mg_call *call, const char *path)
{
    struct mg_req *req = call->req;
    char msg[300];

    if (mg_req_client_has(req, path))
        return 0;
    snprintf(msg, sizeof(msg), "%s %s needs the client capability '%s', which this client did not declare",
             call->kind == CALL_TOOL ? "Tool" : call->kind == CALL_PROMPT ? "Prompt" : "Resource", mg_call_name(call),
             path);
    if (req->era == MG_ERA_MODERN)
        mg_req_fail(req, MG_RPC_MISSING_CAPABILITY, msg,
                    json_pack("{s:o}", "requiredCapabilities", caps_from_path(path)));
    else
        mg_req_fail(req, MG_RPC_INVALID_PARAMS, msg, NULL);
    mg_call_destroy(call);
    return -1;
}

const char *
mg_call_protocol_version(const struct mg_call *call)
{
    return call->req->version;
}

const char *
mg_call_tool_name(const struct mg_call *call)
{
    return mg_call_name(call);
}
