/*
 * config_servers.c - the `servers` and `projects` lists.
 *
 * A server is either an HTTP server (url, with headers) or a child process
 * (command, with args, env and cwd); keys of the other kind are refused
 * rather than ignored, since a header written under a command server would
 * otherwise silently never be sent.  Names are unique, and every server a
 * project lists must exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_impl.h"
#include "util/alloc.h"

enum {
    S_NAME,
    S_DESCRIPTION,
    S_URL,
    S_COMMAND,
    S_ARGS,
    S_ENV,
    S_CWD,
    S_HEADERS,
    S_TRANSPORT,
    S_ENABLED,
    S_TIMEOUT,
    S_INCLUDE_TOOLS,
    S_EXCLUDE_TOOLS,
    S_OVERRIDES,
    S_ISOLATION,
    S_PROTOCOL,
    S_ACCESS,
    S_RESOURCE_URI_PREFIX,
    S_COUNT,
};

static const char *const server_keys[S_COUNT] = {
    "name",      "description", "url",     "command",       "args",          "env",       "cwd",       "headers",
    "transport", "enabled",     "timeout", "include_tools", "exclude_tools", "overrides", "isolation",
    "protocol",  "access",      "resource_uri_prefix",
};

/* In enum mg_config_transport order. */
static const char *const transports[] = {"stdio", "auto", "streamable-http", "sse", NULL};
static const char *const isolations[] = {"shared", "session", NULL};
/* In enum mg_config_protocol order. */
static const char *const protocols[] = {"auto", "legacy", "modern", NULL};
/* In enum mg_config_access order; "auto" is the default, not written. */
static const char *const accesses[] = {"auto", "read", "write", NULL};

/* Path of key K of the mapping at PATH, into the caller's `kp`. */
#define KEY(k) (mg_config__path_key(kp, sizeof(kp), path, server_keys[k]), kp)

/* overrides: upstream tool name -> {name, description, access}. */
static void
overrides(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_server_config *s)
{
    static const char *const keys[] = {"name", "description", "access"};
    char kpath[MG_CONFIG_PATH_MAX], found[96];
    struct mg_cfg_name *names;
    size_t total;

    if (n == NULL || mg_config__is_null(n))
        return;
    if (n->type != YAML_MAPPING_NODE) {
        mg_config__found(n, found, sizeof(found));
        mg_config__error(p, mg_config__line(n), path,
                         "expected a mapping of tool names to {name, description, access}, got %s", found);
        return;
    }
    total = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    s->overrides = mg_calloc(total, sizeof(*s->overrides));
    names = mg_calloc(total, sizeof(*names));
    for (size_t i = 0; i < total; i++) {
        yaml_node_pair_t *pair = &n->data.mapping.pairs.start[i];
        yaml_node_t *key = mg_config__node(p, pair->key), *value = mg_config__node(p, pair->value);
        struct mg_tool_override *o;
        yaml_node_t *v[3];

        if (key == NULL || value == NULL)
            continue;
        if (key->type != YAML_SCALAR_NODE || mg_config__is_null(key) ||
            strlen((const char *)key->data.scalar.value) != key->data.scalar.length) {
            mg_config__found(key, found, sizeof(found));
            mg_config__error(p, mg_config__line(key), path, "expected a tool name as the key, got %s", found);
            continue;
        }
        o = &s->overrides[s->noverrides];
        o->tool = mg_strdup((const char *)key->data.scalar.value);
        names[s->noverrides].name = o->tool;
        names[s->noverrides].index = i;
        names[s->noverrides].line = mg_config__line(key);
        s->noverrides++;
        mg_config__path_key(kpath, sizeof(kpath), path, o->tool);
        if (mg_config__fields(p, value, kpath, keys, 3, v) != 0)
            continue;
        /* Unknown keys alone have had their error already. */
        if (v[0] == NULL && v[1] == NULL && v[2] == NULL &&
            (value->type != YAML_MAPPING_NODE || value->data.mapping.pairs.top == value->data.mapping.pairs.start)) {
            mg_config__error(p, mg_config__line(value), kpath, "give a new name, a description or an access (read or write)");
            continue;
        }
        char npath[MG_CONFIG_PATH_MAX];
        mg_config__path_key(npath, sizeof(npath), kpath, keys[0]);
        mg_config__tool_name(p, v[0], npath, &o->name);
        mg_config__path_key(npath, sizeof(npath), kpath, keys[1]);
        mg_config__string(p, v[1], npath, &o->description);
        mg_config__path_key(npath, sizeof(npath), kpath, keys[2]);
        int a = MG_CONFIG_ACCESS_AUTO;
        mg_config__enum(p, v[2], npath, accesses, &a);
        o->access = (enum mg_config_access)a;
    }
    mg_config__find_dups(p, names, s->noverrides, 0, mg_config__dup_key, (void *)path);
    mg_free(names);
}

/* One entry of `servers`; NAME_LINE gets the line of its name. */
static void
server(struct mg_cfg_parser *p, yaml_node_t *map, const char *path, struct mg_server_config *s, unsigned *name_line)
{
    yaml_node_t *v[S_COUNT];
    char kp[MG_CONFIG_PATH_MAX];
    int is_url, is_command, t;

    s->line = mg_config__line(map);
    s->enabled = 1;
    s->timeout_ms = 60 * 1000;
    if (mg_config__fields(p, map, path, server_keys, S_COUNT, v) != 0)
        return;
    if (v[S_NAME] == NULL)
        mg_config__error(p, s->line, path, "missing required key \"name\"");
    else if (mg_config__name(p, v[S_NAME], KEY(S_NAME), &s->name) == 0)
        *name_line = mg_config__line(v[S_NAME]);
    mg_config__string(p, v[S_DESCRIPTION], KEY(S_DESCRIPTION), &s->description);

    is_url = v[S_URL] != NULL;
    is_command = v[S_COMMAND] != NULL;
    if (is_url && is_command) {
        yaml_node_t *later = mg_config__line(v[S_URL]) > mg_config__line(v[S_COMMAND]) ? v[S_URL] : v[S_COMMAND];
        mg_config__error(p, mg_config__line(later), path,
                         "has both url and command; a server is either an HTTP server or a command");
    } else if (!is_url && !is_command) {
        mg_config__error(p, s->line, path, "needs a url (an HTTP server) or a command (a stdio server)");
    }
    mg_config__url(p, v[S_URL], KEY(S_URL), &s->url);
    if (mg_config__string(p, v[S_COMMAND], KEY(S_COMMAND), &s->command) == 0 && s->command != NULL &&
        s->command[0] == '\0')
        mg_config__error(p, mg_config__line(v[S_COMMAND]), KEY(S_COMMAND), "expected a command, got \"\"");

    /* Keys of the other kind of server.  With both or neither url and
     * command the error above says enough. */
    static const int command_only[] = {S_ARGS, S_ENV, S_CWD};
    for (size_t i = 0; i < sizeof(command_only) / sizeof(command_only[0]); i++)
        if (is_url && !is_command && v[command_only[i]] != NULL)
            mg_config__error(p, mg_config__line(v[command_only[i]]), KEY(command_only[i]),
                             "only for a command server (this one has a url)");
    if (is_command && !is_url && v[S_HEADERS] != NULL)
        mg_config__error(p, mg_config__line(v[S_HEADERS]), KEY(S_HEADERS),
                         "only for a url server (this one has a command)");
    if (!is_url || is_command) {
        mg_config__string_list(p, v[S_ARGS], KEY(S_ARGS), 1, &s->args, &s->nargs);
        mg_config__string_map(p, v[S_ENV], KEY(S_ENV), 0, &s->env, &s->nenv);
        if (mg_config__string(p, v[S_CWD], KEY(S_CWD), &s->cwd) == 0 && s->cwd != NULL && s->cwd[0] == '\0')
            mg_config__error(p, mg_config__line(v[S_CWD]), KEY(S_CWD), "expected a directory, got \"\"");
    }
    if (!is_command || is_url)
        mg_config__string_map(p, v[S_HEADERS], KEY(S_HEADERS), 1, &s->headers, &s->nheaders);

    s->transport = is_url ? MG_CONFIG_TRANSPORT_AUTO : MG_CONFIG_TRANSPORT_STDIO;
    if (mg_config__enum(p, v[S_TRANSPORT], KEY(S_TRANSPORT), transports, &t) == 0 && v[S_TRANSPORT] != NULL) {
        if (is_command && !is_url && t != MG_CONFIG_TRANSPORT_STDIO)
            mg_config__error(p, mg_config__line(v[S_TRANSPORT]), KEY(S_TRANSPORT),
                             "a command server speaks stdio, got \"%s\"", transports[t]);
        else if (is_url && !is_command && t == MG_CONFIG_TRANSPORT_STDIO)
            mg_config__error(p, mg_config__line(v[S_TRANSPORT]), KEY(S_TRANSPORT),
                             "stdio is for command servers; a url server takes auto, streamable-http or sse");
        else
            s->transport = (enum mg_config_transport)t;
    }
    mg_config__bool(p, v[S_ENABLED], KEY(S_ENABLED), &s->enabled);
    mg_config__seconds(p, v[S_TIMEOUT], KEY(S_TIMEOUT), 0, &s->timeout_ms);
    mg_config__string_list(p, v[S_INCLUDE_TOOLS], KEY(S_INCLUDE_TOOLS), 0, &s->include_tools, &s->ninclude_tools);
    mg_config__string_list(p, v[S_EXCLUDE_TOOLS], KEY(S_EXCLUDE_TOOLS), 0, &s->exclude_tools, &s->nexclude_tools);
    overrides(p, v[S_OVERRIDES], KEY(S_OVERRIDES), s);
    t = MG_CONFIG_ISOLATION_SHARED;
    mg_config__enum(p, v[S_ISOLATION], KEY(S_ISOLATION), isolations, &t);
    s->isolation = (enum mg_config_isolation)t;
    t = MG_CONFIG_PROTOCOL_AUTO;
    mg_config__enum(p, v[S_PROTOCOL], KEY(S_PROTOCOL), protocols, &t);
    s->protocol = (enum mg_config_protocol)t;
    t = MG_CONFIG_ACCESS_AUTO;
    mg_config__enum(p, v[S_ACCESS], KEY(S_ACCESS), accesses, &t);
    s->access = (enum mg_config_access)t;
    mg_config__bool(p, v[S_RESOURCE_URI_PREFIX], KEY(S_RESOURCE_URI_PREFIX), &s->resource_uri_prefix);
}

/* A second server or project called the same. */
static void
dup_name(struct mg_cfg_parser *p, const struct mg_cfg_name *later, const struct mg_cfg_name *first, void *ctx)
{
    char path[MG_CONFIG_PATH_MAX], q[96];

    snprintf(path, sizeof(path), "%s[%zu].name", (const char *)ctx, later->index);
    mg_config__quote(q, sizeof(q), later->name);
    mg_config__error(p, later->line, path, "duplicate name %s (first at line %u)", q, first->line);
}

/* How many items the list N has; 0 after an error if it is not a list. */
static size_t
list_count(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, const char *what)
{
    char found[96];

    if (n == NULL || mg_config__is_null(n))
        return 0;
    if (n->type != YAML_SEQUENCE_NODE) {
        mg_config__found(n, found, sizeof(found));
        mg_config__error(p, mg_config__line(n), path, "expected a list of %s, got %s", what, found);
        return 0;
    }
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

void
mg_config__servers(struct mg_cfg_parser *p, yaml_node_t *n, const char *path)
{
    struct mg_config *cfg = p->cfg;
    size_t total = list_count(p, n, path, "servers"), nnames = 0;
    struct mg_cfg_name *names;
    char ipath[MG_CONFIG_PATH_MAX];

    if (total == 0)
        return;
    cfg->servers = mg_calloc(total, sizeof(*cfg->servers));
    names = mg_calloc(total, sizeof(*names));
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *item = mg_config__node(p, n->data.sequence.items.start[i]);
        struct mg_server_config *s = &cfg->servers[cfg->nservers++];
        unsigned name_line = 0;

        if (item == NULL)
            continue;
        mg_config__path_index(ipath, sizeof(ipath), path, i);
        server(p, item, ipath, s, &name_line);
        if (s->name != NULL) {
            names[nnames].name = s->name;
            names[nnames].index = i;
            names[nnames].line = name_line;
            nnames++;
        }
    }
    mg_config__find_dups(p, names, nnames, 0, dup_name, (void *)path);
    mg_free(names);
}

enum { P_NAME, P_DESCRIPTION, P_SERVERS, P_HEADERS, P_ENV, P_COUNT };
static const char *const project_keys[P_COUNT] = {"name", "description", "servers", "headers", "env"};

static int
cmp_server_name(const void *a, const void *b)
{
    return strcmp(((const struct mg_cfg_name *)a)->name, ((const struct mg_cfg_name *)b)->name);
}

static void
dup_member(struct mg_cfg_parser *p, const struct mg_cfg_name *later, const struct mg_cfg_name *first, void *ctx)
{
    char path[MG_CONFIG_PATH_MAX], q[96];

    mg_config__path_index(path, sizeof(path), ctx, later->index);
    mg_config__quote(q, sizeof(q), later->name);
    mg_config__error(p, later->line, path, "lists server %s again (first at line %u)", q, first->line);
}

/* A project's servers: each must be one of the SORTED server names. */
static void
members(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_project_config *pr,
        const struct mg_cfg_name *sorted, size_t nsorted)
{
    struct mg_cfg_name *names;
    char ipath[MG_CONFIG_PATH_MAX], q[96], hint[128];

    if (mg_config__string_list(p, n, path, 0, &pr->servers, &pr->nservers) != 0 || pr->nservers == 0)
        return;
    names = mg_calloc(pr->nservers, sizeof(*names));
    for (size_t i = 0; i < pr->nservers; i++) {
        /* string_list kept every item, so item i is node i. */
        yaml_node_t *item = mg_config__node(p, n->data.sequence.items.start[i]);
        struct mg_cfg_name key = {pr->servers[i], 0, 0};

        names[i].name = pr->servers[i];
        names[i].index = i;
        names[i].line = mg_config__line(item);
        if (nsorted > 0 && bsearch(&key, sorted, nsorted, sizeof(*sorted), cmp_server_name) != NULL)
            continue;
        struct mg_cfg_suggest sg;
        mg_config__suggest_init(&sg, pr->servers[i]);
        for (size_t j = 0; j < nsorted; j++)
            mg_config__suggest_try(p, &sg, sorted[j].name);
        mg_config__suggest_hint(&sg, hint, sizeof(hint));
        mg_config__path_index(ipath, sizeof(ipath), path, i);
        mg_config__quote(q, sizeof(q), pr->servers[i]);
        mg_config__error(p, names[i].line, ipath, "unknown server %s%s", q, hint);
    }
    mg_config__find_dups(p, names, pr->nservers, 0, dup_member, (void *)path);
    mg_free(names);
}

void
mg_config__projects(struct mg_cfg_parser *p, yaml_node_t *n, const char *path)
{
    struct mg_config *cfg = p->cfg;
    size_t total = list_count(p, n, path, "projects"), nnames = 0, nsorted = 0;
    struct mg_cfg_name *names, *sorted;
    char ipath[MG_CONFIG_PATH_MAX], kp[MG_CONFIG_PATH_MAX];

    if (total == 0)
        return;
    sorted = mg_calloc(cfg->nservers, sizeof(*sorted));
    for (size_t i = 0; i < cfg->nservers; i++)
        if (cfg->servers[i].name != NULL)
            sorted[nsorted++].name = cfg->servers[i].name;
    qsort(sorted, nsorted, sizeof(*sorted), cmp_server_name);

    cfg->projects = mg_calloc(total, sizeof(*cfg->projects));
    names = mg_calloc(total, sizeof(*names));
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *item = mg_config__node(p, n->data.sequence.items.start[i]), *v[P_COUNT];
        struct mg_project_config *pr = &cfg->projects[cfg->nprojects++];

        if (item == NULL)
            continue;
        mg_config__path_index(ipath, sizeof(ipath), path, i);
        pr->line = mg_config__line(item);
        if (mg_config__fields(p, item, ipath, project_keys, P_COUNT, v) != 0)
            continue;
        mg_config__path_key(kp, sizeof(kp), ipath, project_keys[P_NAME]);
        if (v[P_NAME] == NULL) {
            mg_config__error(p, pr->line, ipath, "missing required key \"name\"");
        } else if (mg_config__name(p, v[P_NAME], kp, &pr->name) == 0) {
            names[nnames].name = pr->name;
            names[nnames].index = i;
            names[nnames].line = mg_config__line(v[P_NAME]);
            nnames++;
        }
        mg_config__path_key(kp, sizeof(kp), ipath, project_keys[P_DESCRIPTION]);
        mg_config__string(p, v[P_DESCRIPTION], kp, &pr->description);
        mg_config__path_key(kp, sizeof(kp), ipath, project_keys[P_SERVERS]);
        members(p, v[P_SERVERS], kp, pr, sorted, nsorted);
        mg_config__path_key(kp, sizeof(kp), ipath, project_keys[P_HEADERS]);
        mg_config__string_map(p, v[P_HEADERS], kp, 1, &pr->headers, &pr->nheaders);
        mg_config__path_key(kp, sizeof(kp), ipath, project_keys[P_ENV]);
        mg_config__string_map(p, v[P_ENV], kp, 0, &pr->env, &pr->nenv);
    }
    mg_config__find_dups(p, names, nnames, 0, dup_name, (void *)path);
    mg_free(names);
    mg_free(sorted);
}
