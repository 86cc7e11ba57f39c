/*
 * http_link_headers.c - what the headers of an outgoing message say: its
 * request ids and method, and for 2026-07-28 the routing headers that
 * mirror the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name) and the
 * x-mcp-header arguments (Mcp-Param-*).
 */
#include <stdio.h>
#include <string.h>

#include "json/jsonrpc.h"
#include "upstream/http_link_impl.h"
#include "util/alloc.h"
#include "util/base64.h"

/* A header value as MCP 2026-07-28 carries it: plain when it is visible
 * ASCII without edge spaces, else "=?base64?...?=" (also when it would
 * read as that wrapping itself). */
char *
mg_http_link__header_safe(const char *v)
{
    size_t n = strlen(v);
    int plain = n > 0 && v[0] != ' ' && v[n - 1] != ' ' &&
                !(n >= 11 && strncmp(v, "=?base64?", 9) == 0 && strcmp(v + n - 2, "?=") == 0);
    char *b64, *out;

    for (size_t i = 0; plain && i < n; i++)
        plain = v[i] >= 0x20 && v[i] < 0x7f;
    if (plain)
        return mg_strdup(v);
    b64 = mg_base64_encode(v, n);
    out = mg_malloc(strlen(b64) + 12);
    snprintf(out, strlen(b64) + 12, "=?base64?%s?=", b64);
    mg_free(b64);
    return out;
}

/* The request ids, the method and the 2026-07-28 routing headers of MSG. */
static void
read_routing(struct xfer *x, json_t *msg)
{
    json_t *m, *params, *meta, *name = NULL;
    const char *method, *version;
    size_t i;

    if (json_is_array(msg)) {
        json_array_foreach (msg, i, m)
            if (json_object_get(m, "method") != NULL && mg_rpc_id_valid(json_object_get(m, "id")))
                json_array_append(x->ids, json_object_get(m, "id"));
        return;
    }
    method = json_string_value(json_object_get(msg, "method"));
    if (method == NULL)
        return; /* a response to the server */
    x->method = mg_strdup(method);
    if (mg_rpc_id_valid(json_object_get(msg, "id")))
        json_array_append(x->ids, json_object_get(msg, "id"));
    params = json_object_get(msg, "params");
    meta = json_object_get(params, "_meta");
    version = json_string_value(json_object_get(meta, "io.modelcontextprotocol/protocolVersion"));
    if (version == NULL)
        return;
    x->version = mg_http_link__header_safe(version);
    if (strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0)
        name = json_object_get(params, "name");
    else if (strcmp(method, "resources/read") == 0)
        name = json_object_get(params, "uri");
    else if (strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/update") == 0 ||
             strcmp(method, "tasks/cancel") == 0)
        name = json_object_get(params, "taskId"); /* the tasks extension's */
    if (json_is_string(name))
        x->name_header = mg_http_link__header_safe(json_string_value(name));
}

/* An argument as its Mcp-Param-* header carries it, or NULL for a
 * value no header can stand for. */
static char *
param_text(json_t *v)
{
    char num[64];

    switch (json_typeof(v)) {
    case JSON_STRING: return mg_http_link__header_safe(json_string_value(v));
    case JSON_TRUE: return mg_strdup("true");
    case JSON_FALSE: return mg_strdup("false");
    case JSON_INTEGER: snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: snprintf(num, sizeof(num), "%.17g", json_real_value(v)); break;
    default: return NULL;
    }
    return mg_strdup(num);
}

/* PARAMS ({name: argument}) as Mcp-Param-<name> headers. */
static void
read_params(struct xfer *x, json_t *params)
{
    const char *name;
    json_t *v;
    char header[300];

    json_object_foreach (params, name, v) {
        char *text = param_text(v);
        if (text == NULL)
            continue;
        if (x->param_headers == NULL)
            x->param_headers = json_object();
        snprintf(header, sizeof(header), "Mcp-Param-%s", name);
        json_object_set_new(x->param_headers, header, json_string(text));
        mg_free(text);
    }
}

void
mg_http_link__read_message(struct xfer *x, json_t *msg, json_t *params)
{
    read_routing(x, msg);
    if (x->version != NULL) /* only a 2026-07-28 message carries them */
        read_params(x, params);
}
