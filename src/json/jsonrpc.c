/*
 * jsonrpc.c - JSON-RPC 2.0 framing.
 *
 * Rules implemented here (JSON-RPC 2.0 §4-5, MCP "Base Protocol"):
 * - "jsonrpc" must be exactly "2.0";
 * - a request id is a string or an integer and MUST NOT be null (MCP);
 * - a response carries exactly one of "result" and "error";
 * - an error object has an integer "code" and a string "message".
 */
#include "json/jsonrpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/json_parse.h"
#include "json/json_text.h"
#include "util/alloc.h"
#include "util/limits.h"

static void
set_err(struct mg_rpc_error *err, int code, json_t *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
set_err(struct mg_rpc_error *err, int code, json_t *id, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    err->id = id;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* Depth of the deepest container, stopping early past `limit`.  Iterative
 * callers are not needed: we stop descending at limit + 1. */
static int
json_depth_exceeds(const json_t *v, int depth, int limit)
{
    const char *key;
    json_t *child;
    size_t i;

    if (depth > limit)
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, child) {
            if (json_depth_exceeds(child, depth + 1, limit))
                return 1;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) {
            if (json_depth_exceeds(child, depth + 1, limit))
                return 1;
        }
    }
    return 0;
}

json_t *
mg_rpc_decode(const char *buf, size_t len, struct mg_rpc_error *err)
{
    json_error_t jerr;
    json_t *v;

    /* Well-formed messages take the fast path (json_parse.h), which
     * refuses nesting past MG_MAX_JSON_DEPTH itself. */
    if ((v = mg_json_parse(buf, len, MG_MAX_JSON_DEPTH)) != NULL)
        return v;
    /* jansson decodes or explains the rest, refusing nesting past its own
     * limit (2048) before recursing further, so decoding hostile input
     * cannot exhaust the stack. */
    v = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        set_err(err, MG_RPC_PARSE_ERROR, NULL, "Parse error: %s (line %d, column %d)", jerr.text, jerr.line,
                jerr.column);
        return NULL;
    }
    if (json_depth_exceeds(v, 1, MG_MAX_JSON_DEPTH)) {
        json_decref(v);
        set_err(err, MG_RPC_INVALID_REQUEST, NULL, "Invalid Request: JSON nests deeper than %d levels",
                MG_MAX_JSON_DEPTH);
        return NULL;
    }
    return v;
}

int
mg_rpc_id_valid(const json_t *id)
{
    return id != NULL && (json_is_string(id) || json_is_integer(id));
}

static const char *
type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

int
mg_rpc_classify(json_t *msg, struct mg_rpc_msg *out, struct mg_rpc_error *err)
{
    json_t *version, *id, *method, *params, *result, *error;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(msg)) {
        set_err(err, MG_RPC_INVALID_REQUEST, NULL, "Invalid Request: a message must be a JSON object, got %s",
                type_name(msg));
        return -1;
    }
    id = json_object_get(msg, "id");
    /* Answer with the id only when it is one we could legally echo. */
    json_t *reply_id = mg_rpc_id_valid(id) ? id : NULL;

    version = json_object_get(msg, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0) {
        set_err(err, MG_RPC_INVALID_REQUEST, reply_id, "Invalid Request: \"jsonrpc\" must be the string \"2.0\"");
        return -1;
    }
    method = json_object_get(msg, "method");
    params = json_object_get(msg, "params");
    result = json_object_get(msg, "result");
    error = json_object_get(msg, "error");
    out->json = msg;

    if (method != NULL) {
        if (!json_is_string(method) || json_string_length(method) == 0) {
            set_err(err, MG_RPC_INVALID_REQUEST, reply_id, "Invalid Request: \"method\" must be a non-empty string");
            return -1;
        }
        if (result != NULL || error != NULL) {
            set_err(err, MG_RPC_INVALID_REQUEST, reply_id,
                    "Invalid Request: a message with \"method\" must not carry \"result\" or \"error\"");
            return -1;
        }
        if (params != NULL && !json_is_object(params) && !json_is_array(params)) {
            set_err(err, MG_RPC_INVALID_REQUEST, reply_id,
                    "Invalid Request: \"params\" must be an object or an array, got %s", type_name(params));
            return -1;
        }
        out->method = json_string_value(method);
        out->params = params;
        if (id == NULL) {
            out->kind = MG_RPC_NOTIFICATION;
            return 0;
        }
        if (!mg_rpc_id_valid(id)) {
            set_err(err, MG_RPC_INVALID_REQUEST, NULL,
                    "Invalid Request: \"id\" must be a string or an integer, got %s", type_name(id));
            return -1;
        }
        out->kind = MG_RPC_REQUEST;
        out->id = id;
        return 0;
    }

    if (result == NULL && error == NULL) {
        set_err(err, MG_RPC_INVALID_REQUEST, reply_id,
                "Invalid Request: a message needs \"method\" (request or notification) or \"result\"/\"error\" "
                "(response)");
        return -1;
    }
    if (result != NULL && error != NULL) {
        set_err(err, MG_RPC_INVALID_REQUEST, reply_id,
                "Invalid Request: a response must carry exactly one of \"result\" and \"error\"");
        return -1;
    }
    if (id == NULL) {
        set_err(err, MG_RPC_INVALID_REQUEST, NULL, "Invalid Request: a response must carry \"id\"");
        return -1;
    }
    if (result != NULL) {
        if (!mg_rpc_id_valid(id)) {
            set_err(err, MG_RPC_INVALID_REQUEST, NULL,
                    "Invalid Request: a response \"id\" must be a string or an integer, got %s", type_name(id));
            return -1;
        }
        out->kind = MG_RPC_RESPONSE;
        out->id = id;
        out->result = result;
        return 0;
    }
    /* An error response may carry a null id when the request was unreadable. */
    if (!mg_rpc_id_valid(id) && !json_is_null(id)) {
        set_err(err, MG_RPC_INVALID_REQUEST, NULL,
                "Invalid Request: an error response \"id\" must be a string, an integer or null");
        return -1;
    }
    if (!json_is_object(error) || !json_is_integer(json_object_get(error, "code")) ||
        !json_is_string(json_object_get(error, "message"))) {
        set_err(err, MG_RPC_INVALID_REQUEST, reply_id,
                "Invalid Request: \"error\" must be an object with an integer \"code\" and a string \"message\"");
        return -1;
    }
    out->kind = MG_RPC_ERROR_RESPONSE;
    out->id = id;
    out->error = error;
    return 0;
}

json_t *
mg_rpc_make_result(json_t *id, json_t *result)
{
    json_t *m = json_object();

    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set(m, "id", id);
    json_object_set_new(m, "result", result ? result : json_object());
    return m;
}

json_t *
mg_rpc_make_error(json_t *id, int code, const char *message, json_t *data)
{
    json_t *m = json_object(), *e = json_object();

    json_object_set_new(e, "code", json_integer(code));
    /* json_string refuses invalid UTF-8; fall back so an error is never lost. */
    json_t *text = json_string(message);
    json_object_set_new(e, "message", text ? text : json_string("(message was not valid UTF-8)"));
    if (data != NULL)
        json_object_set_new(e, "data", data);
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    /* An id that could not be read is left out: JSON-RPC 2.0 writes null,
     * but MCP ids are never null, and the 2025-11-25 and 2026-07-28
     * schemas make the member optional on errors for this case. */
    if (id != NULL)
        json_object_set(m, "id", id);
    json_object_set_new(m, "error", e);
    return m;
}

json_t *
mg_rpc_make_errorf(json_t *id, int code, json_t *data, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return mg_rpc_make_error(id, code, buf, data);
}

json_t *
mg_rpc_make_request(json_t *id, const char *method, json_t *params)
{
    json_t *m = json_object();

    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set(m, "id", id);
    json_object_set_new(m, "method", json_string(method));
    if (params != NULL)
        json_object_set_new(m, "params", params);
    return m;
}

json_t *
mg_rpc_make_notification(const char *method, json_t *params)
{
    json_t *m = json_object();

    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "method", json_string(method));
    if (params != NULL)
        json_object_set_new(m, "params", params);
    return m;
}

char *
mg_rpc_encode(const json_t *msg, size_t *len)
{
    /* Compact text has no newlines, and control characters inside
     * strings are escaped, so the output is always one line. */
    char *s = mg_json_text(msg, len);

    if (s == NULL) {
        s = mg_strdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"Internal error: "
                      "message could not be encoded\"}}");
        if (len != NULL)
            *len = strlen(s);
    }
    return s;
}
