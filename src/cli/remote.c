/*
 * remote.c - the config of a command that asks a running gateway.
 */
#include "cli/remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/call.h"
#include "cli/run.h"
#include "cli/standalone.h"
#include "config/config.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/suggest.h"

/* What the in-process gateway calls the running one while asking it for
 * its servers. */
#define GATEWAY_NS "gateway"

const char mg_remote_options_help[] =
    "  --gateway URL          ask the mcpgate serving at URL (e.g.\n"
    "                         http://127.0.0.1:8808, or .../p/PROJECT/mcp) for its\n"
    "                         servers instead of starting the config's; the API\n"
    "                         key comes from $MCPGATE_API_KEY.  Default:\n"
    "                         $MCPGATE_URL, unless --config names a file\n";

const char *
mg_remote_url(const struct mg_run_flags *f)
{
    const char *env = getenv("MCPGATE_URL");

    if (f->gateway != NULL)
        return f->gateway;
    if (f->config_path == NULL && env != NULL && env[0] != '\0')
        return env;
    return NULL;
}

/* URL without a trailing "/" or "/mcp": what the endpoints hang from, so
 * that http://h:8808, http://h:8808/mcp and http://h:8808/p/web/mcp all
 * work.  Allocated. */
static char *
base_of(const char *url)
{
    size_t n = strlen(url);
    char *base;

    while (n > 0 && url[n - 1] == '/')
        n--;
    if (n >= 4 && memcmp(url + n - 4, "/mcp", 4) == 0)
        n -= 4;
    base = mg_malloc(n + 1);
    memcpy(base, url, n);
    base[n] = '\0';
    return base;
}

/* S inside a YAML double-quoted scalar: its characters escaped as JSON
 * escapes them, "$" doubled. */
static void
put_quoted_raw(FILE *out, const char *s)
{
    json_t *j = json_string(s);
    char *text = json_dumps(j, JSON_ENCODE_ANY);
    size_t n = strlen(text);

    for (size_t i = 1; i + 1 < n; i++) { /* without the quotes */
        if (text[i] == '$')
            fputc('$', out);
        fputc(text[i], out);
    }
    free(text);
    json_decref(j);
}

/* One server of the config: NAME reached at BASE + PATH. */
static void
put_server(FILE *out, const char *base, const char *name, const char *path)
{
    const char *key = getenv("MCPGATE_API_KEY");

    fputs("  - name: \"", out);
    put_quoted_raw(out, name);
    fputs("\"", out);
    fputs("\n    url: \"", out);
    put_quoted_raw(out, base);
    put_quoted_raw(out, path);
    fputs("\"\n    transport: streamable-http\n", out);
    /* The key stays in the environment: the config only names it. */
    if (key != NULL && key[0] != '\0')
        fputs("    headers:\n      Authorization: \"Bearer ${MCPGATE_API_KEY}\"\n", out);
}

/* Build the config text with FILL(out, base, ctx) writing its servers. */
static struct mg_config *
config_of(struct mg_run_flags *f, const char *url, void (*fill)(FILE *, const char *, void *), void *ctx)
{
    char *text = NULL, *base = base_of(url);
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct mg_config *cfg;

    fputs("servers:\n", out);
    fill(out, base, ctx);
    fclose(out);
    cfg = mg_run_config_text(f, text, "the --gateway servers");
    free(text);
    mg_free(base);
    return cfg;
}

static void
fill_gateway(FILE *out, const char *base, void *ctx)
{
    (void)ctx;
    put_server(out, base, GATEWAY_NS, "/mcp");
}

static void
fill_one(FILE *out, const char *base, void *ctx)
{
    const char *name = ctx;
    char path[256];

    snprintf(path, sizeof(path), "/servers/%s/mcp", name);
    put_server(out, base, name, path);
}

static void
fill_none(FILE *out, const char *base, void *ctx)
{
    (void)out, (void)base, (void)ctx;
}

static void
fill_ready(FILE *out, const char *base, void *ctx)
{
    json_t *servers = ctx, *s;
    size_t i;

    json_array_foreach (servers, i, s) {
        const char *name = json_string_value(json_object_get(s, "name"));
        const char *state = json_string_value(json_object_get(s, "state"));
        if (name != NULL && mg_config_name_ok(name) && state != NULL && strcmp(state, "ready") == 0)
            fill_one(out, base, (void *)name);
    }
}

/* Why the running gateway at URL could not be asked, from what the
 * in-process one saw, with what to do about it. */
static void
explain_unreachable(struct mg_standalone *st, const char *url)
{
    json_t *status = mg_upstreams_status(st->gw);
    const char *err = json_string_value(json_object_get(json_array_get(status, 0), "last_error"));

    fprintf(stderr, "mcpgate: cannot use the gateway at %s: %s\n", url, err ? err : "it did not answer in time");
    if (err != NULL && strstr(err, "401") != NULL)
        fprintf(stderr, "Set MCPGATE_API_KEY to one of its API keys ('mcpgate keys create' on the gateway's host).\n");
    else
        fprintf(stderr, "Check that 'mcpgate serve' runs there, or drop --gateway (and MCPGATE_URL) to use the config.\n");
    json_decref(status);
}

static int
gateway_ready(struct mg_gateway *gw)
{
    json_t *status = mg_upstreams_status(gw);
    const char *state = json_string_value(json_object_get(json_array_get(status, 0), "state"));
    int ready = state != NULL && strcmp(state, "ready") == 0;

    json_decref(status);
    return ready;
}

/* The running gateway's list_servers tool.  Its name follows that
 * gateway's tool_name_format, so it is found by its local name. */
static struct mg_tool *
list_servers_tool(struct mg_catalog *c)
{
    for (size_t i = 0; i < c->tool_count; i++) {
        struct mg_tool *t = c->order[i];
        const char *n = t->local_name;
        size_t len = strlen(n);
        if (strcmp(t->bundle->ns, GATEWAY_NS) == 0 && strstr(n, "gateway") != NULL && len >= 12 &&
            strcmp(n + len - 12, "list_servers") == 0)
            return t;
    }
    return NULL;
}

json_t *
mg_remote_servers(struct mg_run_flags *f, const char *url)
{
    struct mg_standalone st;
    struct mg_config *cfg;
    struct mg_tool *tool;
    json_t *args, *result = NULL, *error = NULL, *servers = NULL;

    if ((cfg = config_of(f, url, fill_gateway, NULL)) == NULL)
        return NULL;
    if (mg_standalone_run(&st, cfg) != 0) {
        mg_standalone_stop(&st);
        return NULL;
    }
    if (!gateway_ready(st.gw)) {
        explain_unreachable(&st, url);
    } else if ((tool = list_servers_tool(&st.gw->catalog)) == NULL) {
        fprintf(stderr, "mcpgate: %s answers MCP but is not an mcpgate gateway (it has no list_servers tool)\n", url);
    } else {
        mg_tool_hold(tool);
        args = json_object();
        if (mg_cli_run(&st, tool, args, MG_CLI_ELICIT_DECLINE, &result, &error) == 0 && error == NULL) {
            servers = json_object_get(json_object_get(result, "structuredContent"), "servers");
            if (json_is_array(servers))
                json_incref(servers);
            else
                servers = NULL;
        }
        if (servers == NULL)
            fprintf(stderr, "mcpgate: the gateway at %s did not list its servers: %s\n", url,
                    error != NULL ? json_string_value(json_object_get(error, "message")) : "unexpected answer");
        json_decref(args);
        json_decref(result);
        json_decref(error);
        mg_tool_release(tool);
    }
    mg_standalone_stop(&st);
    return servers;
}

/* Warn about the servers of SERVERS that the gateway does not have ready. */
static void
warn_not_ready(json_t *servers)
{
    json_t *s;
    size_t i;

    json_array_foreach (servers, i, s) {
        const char *state = json_string_value(json_object_get(s, "state"));
        const char *err = json_string_value(json_object_get(s, "last_error"));
        if (state == NULL || strcmp(state, "ready") == 0 || strcmp(state, "disabled") == 0)
            continue;
        fprintf(stderr, "mcpgate: the gateway's server %s is %s%s%s\n",
                json_string_value(json_object_get(s, "name")), state, err ? ": " : "", err ? err : "");
    }
}

struct mg_config *
mg_remote_config(struct mg_run_flags *f, const char *url, const char *only)
{
    struct mg_config *cfg;
    json_t *servers;

    if (only != NULL)
        return config_of(f, url, mg_config_name_ok(only) ? fill_one : fill_none, (void *)only);
    if ((servers = mg_remote_servers(f, url)) == NULL)
        return NULL;
    warn_not_ready(servers);
    cfg = config_of(f, url, fill_ready, servers);
    json_decref(servers);
    return cfg;
}

int
mg_remote_explain(const char *url, const char *name)
{
    struct mg_run_flags f;
    struct mg_suggest sg;
    json_t *servers, *s;
    size_t i;
    int rc = 2;

    mg_run_flags_init(&f, 0);
    f.log_level = MG_LOG_ERROR;
    servers = mg_remote_servers(&f, url);
    mg_run_flags_free(&f);
    if (servers == NULL)
        return 3;
    mg_suggest_init(&sg, name);
    json_array_foreach (servers, i, s) {
        const char *server = json_string_value(json_object_get(s, "name"));
        const char *state = json_string_value(json_object_get(s, "state"));
        const char *err = json_string_value(json_object_get(s, "last_error"));
        if (server == NULL || state == NULL)
            continue;
        mg_suggest_try(&sg, server);
        if (strcmp(server, name) != 0)
            continue;
        rc = strcmp(state, "ready") == 0 ? 0 : 3;
        if (rc != 0)
            fprintf(stderr, "mcpgate: the gateway's server %s is %s%s%s\n", name, state, err ? ": " : "",
                    err ? err : "");
        break;
    }
    if (rc == 2) {
        fprintf(stderr, "mcpgate: the gateway at %s has no server named '%s'", url, name);
        if (sg.best != NULL)
            fprintf(stderr, "; did you mean '%s'?", sg.best);
        fprintf(stderr, "\n");
    }
    if (rc != 0)
        fprintf(stderr, "Run 'mcpgate servers --gateway %s' to see its servers.\n", url);
    json_decref(servers);
    return rc;
}
