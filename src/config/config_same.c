/*
 * config_same.c - what changed between two configs, for a reload of a
 * running gateway: which servers must be started again, and which
 * settings take effect only when mcpgate is restarted.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"

static int
str_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
strs_same(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!str_same(a[i], b[i]))
            return 0;
    return 1;
}

static int
kv_same(const struct mg_config_kv *a, size_t na, const struct mg_config_kv *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!str_same(a[i].key, b[i].key) || !str_same(a[i].value, b[i].value))
            return 0;
    return 1;
}

static int
overrides_same(const struct mg_server_config *a, const struct mg_server_config *b)
{
    if (a->noverrides != b->noverrides)
        return 0;
    for (size_t i = 0; i < a->noverrides; i++) {
        const struct mg_tool_override *x = &a->overrides[i], *y = &b->overrides[i];
        if (!str_same(x->tool, y->tool) || !str_same(x->name, y->name) || !str_same(x->description, y->description) ||
            x->access != y->access)
            return 0;
    }
    return 1;
}

/* The credentials projects give server NAME: every project that lists
 * it, with its headers and env, in order. */
static int
project_credentials_same(const struct mg_config *a, const struct mg_config *b, const char *name)
{
    size_t i = 0, j = 0;

    for (;;) {
        while (i < a->nprojects && !mg_config_project_has(&a->projects[i], name))
            i++;
        while (j < b->nprojects && !mg_config_project_has(&b->projects[j], name))
            j++;
        if (i == a->nprojects || j == b->nprojects)
            return i == a->nprojects && j == b->nprojects;
        if (!str_same(a->projects[i].name, b->projects[j].name) ||
            !kv_same(a->projects[i].headers, a->projects[i].nheaders, b->projects[j].headers, b->projects[j].nheaders) ||
            !kv_same(a->projects[i].env, a->projects[i].nenv, b->projects[j].env, b->projects[j].nenv))
            return 0;
        i++, j++;
    }
}

int
mg_config_server_same(const struct mg_config *a, const struct mg_server_config *x, const struct mg_config *b,
                      const struct mg_server_config *y)
{
    /* The settings every server is started with, then its own entry;
     * only its line in the file may move. */
    return a->connection_timeout_ms == b->connection_timeout_ms &&
           a->discovery_timeout_ms == b->discovery_timeout_ms &&
           a->liveness_probe_interval_ms == b->liveness_probe_interval_ms &&
           str_same(a->tool_name_format, b->tool_name_format) && a->tool_name_max == b->tool_name_max &&
           a->write_tools_for_read_keys == b->write_tools_for_read_keys && str_same(x->name, y->name) &&
           str_same(x->description, y->description) && str_same(x->url, y->url) && str_same(x->command, y->command) &&
           strs_same(x->args, x->nargs, y->args, y->nargs) && kv_same(x->env, x->nenv, y->env, y->nenv) &&
           str_same(x->cwd, y->cwd) && kv_same(x->headers, x->nheaders, y->headers, y->nheaders) &&
           x->transport == y->transport && x->enabled == y->enabled && x->timeout_ms == y->timeout_ms &&
           strs_same(x->include_tools, x->ninclude_tools, y->include_tools, y->ninclude_tools) &&
           strs_same(x->exclude_tools, x->nexclude_tools, y->exclude_tools, y->nexclude_tools) &&
           overrides_same(x, y) && x->isolation == y->isolation && x->protocol == y->protocol &&
           x->access == y->access && x->resource_uri_prefix == y->resource_uri_prefix &&
           project_credentials_same(a, b, x->name);
}

int
mg_config_restart_only(const struct mg_config *a, const struct mg_config *b, char *out, size_t len)
{
    struct {
        const char *key;
        int same;
    } settings[] = {
        {"listen", str_same(a->listen, b->listen)},
        {"allow_origins", strs_same(a->allow_origins, a->nallow_origins, b->allow_origins, b->nallow_origins)},
        {"session_idle_timeout", a->session_idle_timeout_ms == b->session_idle_timeout_ms},
        {"sse_poll_interval", a->sse_poll_interval_ms == b->sse_poll_interval_ms},
        {"auth", a->auth == b->auth},
        {"state_dir", str_same(a->state_dir, b->state_dir)},
        {"call_record", a->call_record.enabled == b->call_record.enabled &&
                            a->call_record.max_age_s == b->call_record.max_age_s &&
                            a->call_record.max_rows == b->call_record.max_rows &&
                            a->call_record.record_arguments == b->call_record.record_arguments},
        {"demo", a->demo == b->demo},
        {"conformance", a->conformance == b->conformance},
    };
    int n = 0;
    size_t at = 0;

    if (len > 0)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if (settings[i].same)
            continue;
        if (at < len)
            at += (size_t)snprintf(out + at, len - at, "%s%s", n > 0 ? ", " : "", settings[i].key);
        n++;
    }
    return n;
}
