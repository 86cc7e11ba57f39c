/*
 * jsonrpc.h - JSON-RPC 2.0 framing: decode, classify, build, encode.
 *
 * Every message is one jansson value.  Ids are kept as the peer sent them
 * (a string or an integer, never null) and echoed by reference, so a reply
 * carries exactly the id of its request.
 */
#ifndef MG_JSON_JSONRPC_H
#define MG_JSON_JSONRPC_H

#include <jansson.h>
#include <stddef.h>

/* Error codes: JSON-RPC 2.0 plus those MCP defines. */
enum mg_rpc_code {
    MG_RPC_PARSE_ERROR = -32700,
    MG_RPC_INVALID_REQUEST = -32600,
    MG_RPC_METHOD_NOT_FOUND = -32601,
    MG_RPC_INVALID_PARAMS = -32602,
    MG_RPC_INTERNAL_ERROR = -32603,
    MG_RPC_RESOURCE_NOT_FOUND = -32002,    /* 2024-11-05 .. 2025-11-25 */
    MG_RPC_FORBIDDEN = -32003,             /* mcpgate: the API key's scope does not allow it (HTTP 403) */
    MG_RPC_HEADER_MISMATCH = -32020,       /* 2026-07-28 */
    MG_RPC_MISSING_CAPABILITY = -32021,    /* 2026-07-28 */
    MG_RPC_UNSUPPORTED_VERSION = -32022,   /* 2026-07-28 */
};

enum mg_rpc_kind {
    MG_RPC_REQUEST = 1,
    MG_RPC_NOTIFICATION,
    MG_RPC_RESPONSE,       /* a success response: carries result */
    MG_RPC_ERROR_RESPONSE, /* carries error */
};

/* A decoding or classification failure, ready to become an error reply. */
struct mg_rpc_error {
    int code;
    char message[512];
    json_t *id; /* borrowed: the id to answer with when it was readable, else NULL (left out) */
};

/* One classified message.  Every pointer is borrowed from `json`. */
struct mg_rpc_msg {
    enum mg_rpc_kind kind;
    json_t *json;       /* the whole message */
    json_t *id;         /* requests and responses; NULL for notifications */
    const char *method; /* requests and notifications */
    json_t *params;     /* may be NULL */
    json_t *result;     /* MG_RPC_RESPONSE */
    json_t *error;      /* MG_RPC_ERROR_RESPONSE */
};

/*
 * Decode `len` bytes of JSON text.  Returns a new reference, or NULL with
 * `err` filled in (-32700 for malformed JSON, -32600 when it nests deeper
 * than MG_MAX_JSON_DEPTH).  The text must hold exactly one JSON value.
 */
json_t *mg_rpc_decode(const char *buf, size_t len, struct mg_rpc_error *err);

/*
 * Check that `msg` is one well-formed JSON-RPC 2.0 message (not a batch) and
 * fill `out`.  Returns 0, or -1 with `err` set to an -32600 error that says
 * what is wrong.
 */
int mg_rpc_classify(json_t *msg, struct mg_rpc_msg *out, struct mg_rpc_error *err);

/* 1 when `id` may be used as a request id: a string or an integer. */
int mg_rpc_id_valid(const json_t *id);

/* Builders.  `id` is borrowed (a reference is taken); result/params/data are
 * stolen (may be NULL where optional).  Each returns a new reference. */
json_t *mg_rpc_make_result(json_t *id, json_t *result);
json_t *mg_rpc_make_error(json_t *id, int code, const char *message, json_t *data);
json_t *mg_rpc_make_errorf(json_t *id, int code, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
json_t *mg_rpc_make_request(json_t *id, const char *method, json_t *params);
json_t *mg_rpc_make_notification(const char *method, json_t *params);

/*
 * Encode as compact single-line JSON (newlines inside strings are escaped,
 * so the text is safe for newline-delimited framing).  Returns a malloc'd
 * NUL-terminated string and its length in *len (may be NULL).
 */
char *mg_rpc_encode(const json_t *msg, size_t *len);

#endif
