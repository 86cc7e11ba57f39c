/*
 * http_modern.c - protocol 2026-07-28 over HTTP: one stateless POST per
 * request, answered on its own response; no session, no GET stream.
 *
 * The routing headers must agree with the body, because intermediaries
 * route and authorise on them without reading it: MCP-Protocol-Version
 * equals params._meta's protocol version, Mcp-Method the method, Mcp-Name
 * the tool or prompt name or resource URI.  A mismatch is 400 with -32020.
 * Closing the response cancels the request (see http_exchange.c).
 */
#include <stdio.h>
#include <string.h>


#include "gateway/gateway.h"
#include "gateway/catalog.h"
#include "gateway/catalog_view.h"
#include "json/jsonrpc.h"
#include "mcp/param_headers.h"
#include "mcp/version.h"
#include "transport/http_internal.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/log.h"

static json_t *
meta_of(json_t *msg)
{
    return json_object_get(json_object_get(msg, "params"), "_meta");
}

int
http_is_modern(json_t *msg)
{
    return json_is_object(msg) && json_object_get(meta_of(msg), MG_META_PROTOCOL_VERSION) != NULL;
}

/* A header value, decoding the "=?base64?...?=" form used for values
 * that are not header-safe.  Returns a malloc'd string (its length in
 * *LEN, as a decoded value may hold any byte) or NULL when absent; *BAD
 * is set when the value has the base64 form but is not base64. */
static char *
header_decoded(h2o_req_t *req, const char *name, size_t *outlen, int *bad)
{
    size_t len = 0;
    const char *v = http_header(req, name, &len);
    char *out;

    *bad = 0;
    if (v == NULL)
        return NULL;
    /* Optional whitespace around a field value is not part of it (RFC 9110). */
    while (len > 0 && (v[0] == ' ' || v[0] == '\t'))
        v++, len--;
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len >= 11 && strncmp(v, "=?base64?", 9) == 0 && strncmp(v + len - 2, "?=", 2) == 0) {
        if ((out = mg_base64_decode(v + 9, len - 11, outlen)) != NULL)
            return out;
        *bad = 1;
    }
    *outlen = len;
    return mg_strndup(v, len);
}

/* The same where the value must be text: invalid base64 is compared as
 * is (and so mismatches), a NUL byte cuts it short (and mismatches). */
static char *
header_value(h2o_req_t *req, const char *name)
{
    size_t len;
    int bad;

    return header_decoded(req, name, &len, &bad);
}

/* Compare header NAME with the body's value WANT; answer 400 -32020 and
 * return -1 when they differ. */
static int
check_header(h2o_req_t *req, json_t *id, const char *name, const char *shown, const char *want, const char *field)
{
    char *got = header_value(req, name);
    int ok = got != NULL && want != NULL && strcmp(got, want) == 0;

    if (!ok) {
        if (got == NULL)
            http_send_rpc_error(req, 400, id, MG_RPC_HEADER_MISMATCH,
                                "Header mismatch: the %s header is required and must equal %s ('%.200s')", shown,
                                field, want ? want : "");
        else
            http_send_rpc_error(req, 400, id, MG_RPC_HEADER_MISMATCH,
                                "Header mismatch: %s is '%.200s' but %s is '%.200s'", shown, got, field,
                                want ? want : "(missing)");
    }
    mg_free(got);
    return ok ? 0 : -1;
}

int
http_modern_status(const struct http_exchange *ex, const json_t *reply)
{
    json_t *err = json_object_get(reply, "error");

    if (err == NULL)
        return 200;
    switch (json_integer_value(json_object_get(err, "code"))) {
    case MG_RPC_PARSE_ERROR:
    case MG_RPC_INVALID_REQUEST:
    case MG_RPC_HEADER_MISMATCH:
    case MG_RPC_UNSUPPORTED_VERSION:
    case MG_RPC_MISSING_CAPABILITY:
        return 400;
    case MG_RPC_METHOD_NOT_FOUND:
        return 404;
    case MG_RPC_FORBIDDEN:
        http_add_header(ex->req, "www-authenticate", MG_HTTP_INSUFFICIENT_SCOPE);
        return 403;
    case MG_RPC_INVALID_PARAMS:
        /* Missing protocol _meta is a bad request; bad tool arguments are
         * an answer like any other. */
        return ex->bad_meta ? 400 : 200;
    default:
        return 200;
    }
}

/* Every x-mcp-header argument of the tool called must be mirrored in its
 * Mcp-Param-{Name} header, and no such header may stand for an argument
 * that is absent.  Answers 400 -32020 and returns -1 otherwise. */
static int
check_param_headers(struct http_server *srv, h2o_req_t *req, json_t *id, const char *tool_name, json_t *args)
{
    char view[MG_MAX_VIEW_NAME + 1];
    struct mg_tool *tool = tool_name == NULL ? NULL
                           : mg_view_find_tool(&srv->gw->catalog, http_view_of(req, view, sizeof(view)) ? view : NULL,
                                               tool_name);
    size_t i, j, len;
    json_t *decl, *key;

    if (tool == NULL || tool->param_headers == NULL)
        return 0; /* an unknown tool is answered as such */
    json_array_foreach (tool->param_headers, i, decl) {
        const char *hname = json_string_value(json_object_get(decl, "name"));
        const char *type = json_string_value(json_object_get(decl, "type"));
        json_t *value = mg_param_headers_value(decl, args);
        const char *why = NULL;
        char lower[160], path[256] = "arguments", *got;
        int bad;

        snprintf(lower, sizeof(lower), "mcp-param-%s", hname);
        for (char *p = lower; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        got = header_decoded(req, lower, &len, &bad);
        if (bad)
            why = "has the =?base64?...?= form but is not valid base64";
        else if (value == NULL && got != NULL)
            why = "is sent but the argument it mirrors is absent";
        else if (value != NULL && got == NULL)
            why = "is required: the argument it mirrors is given";
        else if (value != NULL && !mg_param_headers_equal(type, value, got, len))
            why = "does not equal the argument it mirrors";
        mg_free(got);
        if (why != NULL) {
            json_array_foreach (json_object_get(decl, "path"), j, key) {
                size_t at = strlen(path);
                snprintf(path + at, sizeof(path) - at, ".%s", json_string_value(key));
            }
            http_send_rpc_error(req, 400, id, MG_RPC_HEADER_MISMATCH, "Header mismatch: Mcp-Param-%s %s (%s)", hname,
                                why, path);
            return -1;
        }
    }
    return 0;
}

static void
drop(void *ctx, json_t *msg)
{
    (void)ctx;
    (void)msg; /* a stateless request has nowhere else to send */
}

void
http_modern_post(struct http_server *srv, h2o_req_t *req, json_t *msg, const struct mg_key *key)
{
    json_t *meta = meta_of(msg), *params = json_object_get(msg, "params"), *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));
    const char *version = json_string_value(json_object_get(meta, MG_META_PROTOCOL_VERSION));
    const char *name = NULL, *field = NULL;
    char *hv;
    struct mg_sink none = {.send = drop};
    struct http_exchange *ex;
    char view[MG_MAX_VIEW_NAME + 1], project[MG_PROJECT_NAME_MAX + 1];

    if (!json_is_object(msg)) {
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Invalid Request: protocol %s has no JSON-RPC batches; send one message per POST",
                            MG_PROTO_2026_07_28);
        return;
    }
    if (!mg_rpc_id_valid(id))
        id = NULL;
    /* The order of checks is the one the conformance suite expects: the
     * header, then the _meta keys, then their agreement. */
    hv = header_value(req, "mcp-protocol-version");
    if (hv == NULL) {
        http_send_rpc_error(req, 400, id, MG_RPC_HEADER_MISMATCH,
                            "Header mismatch: the MCP-Protocol-Version header is required and must equal "
                            "params._meta[\"%s\"]", MG_META_PROTOCOL_VERSION);
        return;
    }
    if (version == NULL || !json_is_object(json_object_get(meta, MG_META_CLIENT_CAPABILITIES))) {
        http_send_rpc_error(req, 400, id, MG_RPC_INVALID_PARAMS,
                            "Invalid params: params._meta must carry \"%s\" and \"%s\"", MG_META_PROTOCOL_VERSION,
                            MG_META_CLIENT_CAPABILITIES);
        mg_free(hv);
        return;
    }
    if (strcmp(hv, version) != 0) {
        http_send_rpc_error(req, 400, id, MG_RPC_HEADER_MISMATCH,
                            "Header mismatch: MCP-Protocol-Version is '%.40s' but params._meta[\"%s\"] is '%.40s'",
                            hv, MG_META_PROTOCOL_VERSION, version);
        mg_free(hv);
        return;
    }
    mg_free(hv);
    if (method != NULL && check_header(req, id, "mcp-method", "Mcp-Method", method, "the body's method") != 0)
        return;
    if (method != NULL && (strcmp(method, "initialize") == 0 || strcmp(method, "ping") == 0 ||
                           strcmp(method, "logging/setLevel") == 0 || strcmp(method, "resources/subscribe") == 0 ||
                           strcmp(method, "resources/unsubscribe") == 0)) {
        /* Legacy lifecycle methods do not exist in 2026-07-28. */
        http_send_rpc_error(req, 404, id, MG_RPC_METHOD_NOT_FOUND,
                            "Method not found: %s is not part of protocol %s%s", method, MG_PROTO_2026_07_28,
                            strcmp(method, "initialize") == 0 ? "; use server/discover" : "");
        return;
    }
    if (method != NULL && (strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0))
        name = json_string_value(json_object_get(params, "name")), field = "params.name";
    else if (method != NULL && strcmp(method, "resources/read") == 0)
        name = json_string_value(json_object_get(params, "uri")), field = "params.uri";
    else if (method != NULL && (strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/update") == 0 ||
                                strcmp(method, "tasks/cancel") == 0))
        name = json_string_value(json_object_get(params, "taskId")), field = "params.taskId"; /* tasks extension */
    if (field != NULL && check_header(req, id, "mcp-name", "Mcp-Name", name, field) != 0)
        return;
    if (strcmp(method != NULL ? method : "", "tools/call") == 0 &&
        check_param_headers(srv, req, id, name, json_object_get(params, "arguments")) != 0)
        return;
    if (http_count_requests(msg) > 0 && !http_header_has(req, "accept", "application/json") &&
        !http_header_has(req, "accept", "text/event-stream") && !http_header_has(req, "accept", "*/*")) {
        http_send_rpc_error(req, 406, id, MG_RPC_INVALID_REQUEST,
                            "Not Acceptable: Accept must include application/json and text/event-stream");
        return;
    }
    ex = http_exchange_new(srv, req, msg);
    if (key != NULL)
        memcpy(ex->key_id, key->id, sizeof(ex->key_id));
    http_exchange_link_stateless(ex);
    ex->bad_meta = !json_is_object(json_object_get(meta, MG_META_CLIENT_CAPABILITIES));
    ex->own = mg_session_new(srv->gw, &none);
    http_project_for(srv, req, key, project, sizeof(project), 0); /* on_req answered when there is none */
    mg_session_set_caller(ex->own, key, project[0] != '\0' ? project : NULL, NULL);
    if (http_view_of(req, view, sizeof(view)))
        mg_session_set_view(ex->own, view);
    http_exchange_run(ex, ex->own, msg);
}
