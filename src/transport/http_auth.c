/*
 * http_auth.c - API keys at the HTTP front door.
 *
 * When keys are required (auth: required, or any listen address that is
 * not loopback), every request to an MCP path carries
 * `Authorization: Bearer <secret>`, and every request is checked, not
 * only the one that opens a session: a session is never a credential
 * (MCP security best practices, session hijacking).  /healthz and
 * /readyz stay open for probes.
 *
 * Answers, after RFC 6750 section 3:
 *   no credentials, or another scheme   401  WWW-Authenticate: Bearer realm="mcpgate"
 *   a key that is unknown or revoked    401  ... error="invalid_token"
 *   two Authorization headers           400  ... error="invalid_request"
 *   the store cannot be read just now   503  Retry-After: 1 (fail closed)
 * each with a JSON-RPC error body.  The secret is never logged, echoed or
 * passed on: upstream requests carry only the headers configured for
 * that server (upstream/http_link_xfer.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/keyring.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "transport/http_internal.h"
#include "util/log.h"

#define REALM "Bearer realm=\"mcpgate\""

/* A key stopped being active: what is still open with it ends, legacy
 * sessions (their streams too) and modern requests still running (such
 * as a subscriptions/listen stream), as if the server shut down for it. */
static void
revoked(void *ctx, const char *key_id)
{
    http_sessions_close_key(ctx, key_id);
    http_exchange_abandon_stateless(ctx, key_id, 401, "Unauthorized: the API key was revoked");
}

int
http_auth_open(struct http_server *srv)
{
    struct mg_gateway *gw = srv->gw;
    char err[1024];

    if (!srv->opts.auth_required && srv->loopback)
        return 0;
    /* The gateway opened the store at start (cli/run.c); keys cannot do
     * without it, the call record can. */
    if (gw->writer == NULL) {
        mg_log_error("API keys are required (%s) but the key store cannot be opened: %s",
                     srv->loopback ? "auth: required" : "not listening on loopback",
                     gw->store_error != NULL ? gw->store_error : "it was not opened");
        return -1;
    }
    if ((srv->keys = mg_keyring_open(srv->loop, gw->store_path, gw->writer, err, sizeof(err))) == NULL) {
        mg_log_error("API keys are required but the key store cannot be used: %s", err);
        return -1;
    }
    mg_keyring_on_revoke(srv->keys, revoked, srv);
    if (mg_keyring_count(srv->keys) == 0)
        mg_log_warn("API keys are required and %s has none yet: every MCP request will be refused until one is "
                    "made with 'mcpgate keys create'", gw->store_path);
    else
        mg_log_info("API keys required: %zu active in %s", mg_keyring_count(srv->keys), gw->store_path);
    return 0;
}

void
http_auth_close(struct http_server *srv)
{
    mg_keyring_close(srv->keys);
    srv->keys = NULL;
}

static void
refuse(h2o_req_t *req, int status, const char *challenge, const char *message)
{
    http_add_header(req, "www-authenticate", challenge);
    http_send_rpc_error(req, status, NULL, MG_RPC_INVALID_REQUEST, "%s", message);
}

/* The bearer token of REQ into *TOKEN and *LEN: 1 found, 0 none (no header
 * or another scheme), -1 more than one Authorization header. */
static int
bearer(h2o_req_t *req, const char **token, size_t *len)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    const char *v;
    size_t n;

    if (i < 0)
        return 0;
    if (h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, i) >= 0)
        return -1;
    v = req->headers.entries[i].value.base;
    n = req->headers.entries[i].value.len;
    /* The scheme is case-insensitive (RFC 9110 section 11.1). */
    if (n < 7 || strncasecmp(v, "bearer ", 7) != 0)
        return 0;
    v += 7, n -= 7;
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    *token = v;
    *len = n;
    return 1;
}

int
http_auth_check(struct http_server *srv, h2o_req_t *req, const struct mg_key **key)
{
    const char *token = NULL;
    size_t len = 0;
    int found;

    *key = NULL;
    if (srv->keys == NULL)
        return 0;
    found = bearer(req, &token, &len);
    if (found < 0) {
        refuse(req, 400, REALM ", error=\"invalid_request\", error_description=\"more than one Authorization header\"",
               "Bad Request: send one Authorization header");
        return -1;
    }
    if (found == 0 || len == 0) {
        refuse(req, 401, REALM,
               "Unauthorized: this gateway needs an API key; send it as 'Authorization: Bearer sk-mcpgate-...' "
               "(an admin makes one with 'mcpgate keys create')");
        return -1;
    }
    switch (mg_keyring_check(srv->keys, token, len, key)) {
    case MG_KEYRING_OK:
        return 0;
    case MG_KEYRING_UNKNOWN:
        /* Never the token itself, not even a prefix, in the log. */
        mg_log_debug("refused a request: the API key is unknown or revoked");
        refuse(req, 401, REALM ", error=\"invalid_token\", error_description=\"the API key is unknown or revoked\"",
               "Unauthorized: the API key is unknown or revoked; ask for a new one (an admin makes one with "
               "'mcpgate keys create')");
        return -1;
    case MG_KEYRING_UNAVAILABLE:
        break;
    }
    http_add_header(req, "retry-after", "1");
    http_send_rpc_error(req, 503, NULL, MG_RPC_INTERNAL_ERROR,
                        "Service Unavailable: the key store cannot be read just now; try again");
    return -1;
}
