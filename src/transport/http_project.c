/*
 * http_project.c - which project a request is served in.
 *
 * A project is a named set of servers (the config's `projects`).  A key
 * lists the projects it may use, and one of them may be its default:
 *
 *   /p/<project>/mcp                 that project
 *   /p/<project>/servers/<name>/mcp  one server of it, under its own names
 *   /mcp, /sse                       the key's default project (or its only one)
 *   /servers/<name>/mcp              the key's default project when it has
 *                                    the server, else the first of the key's
 *                                    projects that has it
 *
 * A key with several projects and no default must name one on /mcp:
 * "Project ID is required", with the projects it may use.  A project the
 * key may not use is "Project not found", exactly as one that does not
 * exist, so that a key cannot probe for other teams' projects.
 *
 * Without API keys (loopback, auth: auto) whoever reaches the gateway is
 * trusted: /mcp serves every server and /p/<project>/mcp any configured
 * project.  In a config without `projects`, a key's projects are labels
 * (kept in the call record) and every server is served.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "transport/http_internal.h"

#define PREFIX "/p/"
#define PREFIX_LEN 3

int
http_path_project(h2o_req_t *req, char *project, size_t projlen, const char **rest, size_t *restlen)
{
    const char *p = req->path_normalized.base, *slash;
    size_t len = req->path_normalized.len, n;

    *rest = p;
    *restlen = len;
    if (projlen > 0)
        project[0] = '\0';
    if (len <= PREFIX_LEN || memcmp(p, PREFIX, PREFIX_LEN) != 0)
        return 0;
    if ((slash = memchr(p + PREFIX_LEN, '/', len - PREFIX_LEN)) == NULL)
        return -1;
    n = (size_t)(slash - (p + PREFIX_LEN));
    if (n == 0 || n >= projlen)
        return -1;
    memcpy(project, p + PREFIX_LEN, n);
    project[n] = '\0';
    *rest = slash;
    *restlen = len - (size_t)(slash - p);
    return 1;
}

static int
key_has(const struct mg_key *key, const char *project)
{
    for (size_t i = 0; i < key->nprojects; i++)
        if (strcmp(key->projects[i], project) == 0)
            return 1;
    return 0;
}

/* Answer "Project not found" for NAME (when REQ is not NULL). */
static int
not_found(h2o_req_t *req, const char *name)
{
    if (req != NULL)
        http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                            "Project not found: '%.64s' is not a project this API key may use", name);
    return -1;
}

/* A project that exists for CFG: configured, or any name when the
 * config defines none (keys' projects are labels then). */
static int
exists(const struct mg_config *cfg, const char *name)
{
    return cfg == NULL || cfg->nprojects == 0 || mg_config_find_project(cfg, name) != NULL;
}

/* 1 when project NAME serves server VIEW (a project of a config without
 * projects serves every server). */
static int
serves(const struct mg_config *cfg, const char *name, const char *view)
{
    const struct mg_project_config *pr;

    if (cfg == NULL || cfg->nprojects == 0)
        return 1;
    pr = mg_config_find_project(cfg, name);
    return pr != NULL && (mg_config_project_has(pr, view) || mg_config_find_server(cfg, view) == NULL);
}

int
http_project_for(struct http_server *srv, h2o_req_t *req, const struct mg_key *key, char *out, size_t outlen,
                 int answer)
{
    const struct mg_config *cfg = srv->gw->cfg;
    h2o_req_t *ans = answer ? req : NULL;
    char named[MG_PROJECT_NAME_MAX + 1], view[MG_MAX_VIEW_NAME + 1];
    const char *rest;
    size_t restlen;
    int has_view = http_view_of(req, view, sizeof(view));

    out[0] = '\0';
    switch (http_path_project(req, named, sizeof(named), &rest, &restlen)) {
    case -1:
        return not_found(ans, "(none)");
    case 1:
        if (key != NULL ? !key_has(key, named) || !exists(cfg, named)
                        : cfg == NULL || mg_config_find_project(cfg, named) == NULL)
            return not_found(ans, named);
        if (has_view && !serves(cfg, named, view)) {
            if (ans != NULL)
                http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                                    "Not Found: project '%.64s' has no server named '%.100s'", named, view);
            return -1;
        }
        snprintf(out, outlen, "%s", named);
        return 0;
    default:
        break;
    }
    if (key == NULL)
        return 0; /* trusted: every server */
    if (has_view) {
        /* One server: the default project if it has the server, else the
         * first of the key's projects that does. */
        if (key->default_project != NULL && serves(cfg, key->default_project, view)) {
            snprintf(out, outlen, "%s", key->default_project);
            return 0;
        }
        for (size_t i = 0; i < key->nprojects; i++)
            if (serves(cfg, key->projects[i], view)) {
                snprintf(out, outlen, "%s", key->projects[i]);
                return 0;
            }
        if (ans != NULL)
            http_send_rpc_error(req, 404, NULL, MG_RPC_INVALID_REQUEST,
                                "Not Found: no server named '%.100s' in the projects of this API key", view);
        return -1;
    }
    if (key->default_project != NULL || key->nprojects == 1) {
        const char *p = key->default_project != NULL ? key->default_project : key->projects[0];
        if (!exists(cfg, p))
            return not_found(ans, p);
        snprintf(out, outlen, "%s", p);
        return 0;
    }
    if (ans != NULL) {
        char list[1024];
        size_t o = 0;
        for (size_t i = 0; i < key->nprojects && o < sizeof(list); i++)
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i > 0 ? ", " : "", key->projects[i]);
        http_send_rpc_error(req, 400, NULL, MG_RPC_INVALID_REQUEST,
                            "Project ID is required: this API key may use the projects %s and has no default; "
                            "connect to /p/<project>/mcp (for example /p/%s/mcp)", list, key->projects[0]);
    }
    return -1;
}
