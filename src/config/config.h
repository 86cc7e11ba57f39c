/*
 * config.h - the YAML configuration file: data model and loader.
 *
 * The whole file is read, validated and converted before anything uses it
 * (STYLE.md 8.10): mg_config_load() either returns a complete config in
 * which every value is in range and every cross reference resolves, or
 * NULL with every problem found, one per line:
 *
 *     mcpgate.yaml:12: servers[1].timeout: expected a number of seconds, got "abc"
 *
 * Key paths use dots and [index]; servers and projects are named by index.
 * Every key is described in docs/config.md.
 *
 * All times are unsigned milliseconds.  Strings are owned by the config;
 * optional strings are NULL when the key is absent.
 */
#ifndef MG_CONFIG_CONFIG_H
#define MG_CONFIG_CONFIG_H

#include <stddef.h>

#include "util/log.h"

/* Largest config file accepted, and deepest YAML nesting. */
#define MG_CONFIG_MAX_SIZE (1024u * 1024)
#define MG_CONFIG_MAX_DEPTH 16
/* Errors reported at most; the rest are counted ("… and N more"). */
#define MG_CONFIG_MAX_ERRORS 20
/* Largest list_page_size: more than any list is long, so "one page". */
#define MG_CONFIG_MAX_PAGE_SIZE 1000000u

/* A string-to-string map entry (env, headers), in file order. */
struct mg_config_kv {
    char *key;
    char *value;
};

/* What a tool does, for API key scopes: a read key may call only tools
 * that read.  AUTO: as the tool's annotations say (readOnlyHint: true is
 * read, anything else write). */
enum mg_config_access {
    MG_CONFIG_ACCESS_AUTO = 0,
    MG_CONFIG_ACCESS_READ,
    MG_CONFIG_ACCESS_WRITE,
};

/* overrides: one upstream tool renamed, redescribed or classified. */
struct mg_tool_override {
    char *tool;        /* the upstream tool name */
    char *name;        /* replaces {tool} in tool_name_format, or NULL */
    char *description; /* or NULL */
    enum mg_config_access access;
};

/* The era spoken to a server: found by a server/discover probe, or fixed. */
enum mg_config_protocol {
    MG_CONFIG_PROTOCOL_AUTO = 0,
    MG_CONFIG_PROTOCOL_LEGACY,      /* initialize, 2025-11-25 offered */
    MG_CONFIG_PROTOCOL_MODERN,      /* 2026-07-28 only */
};

enum mg_config_transport {
    MG_CONFIG_TRANSPORT_STDIO = 0,  /* command servers */
    MG_CONFIG_TRANSPORT_AUTO,       /* url: Streamable HTTP, else HTTP+SSE */
    MG_CONFIG_TRANSPORT_STREAMABLE_HTTP,
    MG_CONFIG_TRANSPORT_SSE,        /* the 2024-11-05 HTTP+SSE transport */
};

enum mg_config_isolation {
    MG_CONFIG_ISOLATION_SHARED = 0, /* one upstream connection for all clients */
    MG_CONFIG_ISOLATION_SESSION,    /* one per client session */
};

/* auth: when the HTTP front door asks for an API key. */
enum mg_config_auth {
    MG_CONFIG_AUTH_AUTO = 0,        /* required unless listening on loopback */
    MG_CONFIG_AUTH_REQUIRED,        /* always */
};

/* One entry of `servers`.  Exactly one of url and command is set. */
struct mg_server_config {
    char *name;                     /* [A-Za-z0-9_-]{1,64}, unique */
    char *description;              /* or NULL */
    char *url;                      /* http:// or https://, or NULL */
    char *command;                  /* or NULL */
    char **args;                    /* command only */
    size_t nargs;
    struct mg_config_kv *env;       /* command only: added to the child's environment */
    size_t nenv;
    char *cwd;                      /* command only, or NULL */
    struct mg_config_kv *headers;   /* url only: sent with every request */
    size_t nheaders;
    enum mg_config_transport transport;
    int enabled;                    /* default 1 */
    unsigned timeout_ms;            /* per call, default 60 s */
    char **include_tools;           /* names or `*` globs; none: all tools */
    size_t ninclude_tools;
    char **exclude_tools;
    size_t nexclude_tools;
    struct mg_tool_override *overrides;
    size_t noverrides;
    enum mg_config_isolation isolation;
    enum mg_config_protocol protocol;
    enum mg_config_access access;   /* every tool's, unless an override says */
    int resource_uri_prefix;        /* its resources as mcpgate://<name>/<uri> (default 0: as given) */
    unsigned line;                  /* 1-based line of the entry in the file */
};

/* One entry of `projects`: a named subset of the servers. */
struct mg_project_config {
    char *name;                     /* same rules as a server name, unique */
    char *description;              /* or NULL */
    char **servers;                 /* names, each one of cfg->servers */
    size_t nservers;
    struct mg_config_kv *headers;   /* added to (or replacing) its url servers' headers */
    size_t nheaders;
    struct mg_config_kv *env;       /* added to (or replacing) its command servers' env */
    size_t nenv;
    unsigned line;
};

/* What a read key sees of the tools it may not call. */
enum mg_config_write_tools {
    MG_CONFIG_WRITE_TOOLS_MARK = 0, /* listed, marked as needing a write key */
    MG_CONFIG_WRITE_TOOLS_HIDE,     /* not listed */
};

/* call_record: what is kept of every tools/call (store/store_calls.h). */
struct mg_call_record_config {
    int enabled;                    /* default 1 */
    unsigned max_age_s;             /* rows older go; default 30 days */
    unsigned max_rows;              /* the newest this many stay; default 1,000,000 */
    int record_arguments;           /* keep each call's arguments; default 0 */
};

struct mg_config {
    char *listen;                   /* "HOST:PORT" as written, default "127.0.0.1:8808" */
    char *listen_host;              /* HOST without IPv6 brackets */
    unsigned listen_port;           /* 1..65535 */
    char **allow_origins;           /* "*" or scheme://host[:port] */
    size_t nallow_origins;
    unsigned session_idle_timeout_ms;   /* default 30 min */
    size_t max_message;             /* bytes, 64..1G, default 4 MiB */
    enum mg_log_level log_level;    /* default MG_LOG_INFO */
    int demo;                       /* serve the demo bundle */
    int conformance;                /* serve the conformance fixture */
    unsigned sse_poll_interval_ms;  /* 2025-11-25 event streams closed for polling after this; 0: never */
    char *state_dir;                /* "" (the default): the caller picks */
    enum mg_config_auth auth;       /* default auto */
    unsigned connection_timeout_ms;     /* default 30 s */
    unsigned discovery_timeout_ms;      /* default 30 s */
    unsigned liveness_probe_interval_ms; /* default 10 s; 0: no probes */
    char *tool_name_format;         /* one {server} and one {tool}, default "{server}__{tool}" */
    unsigned tool_name_max;         /* 32..128, default 128 */
    unsigned list_page_size;        /* items per page of a list, 1..MG_CONFIG_MAX_PAGE_SIZE, default 500 */
    char *team;                     /* who runs this gateway (gateway__whoami), or NULL */
    enum mg_config_write_tools write_tools_for_read_keys;
    struct mg_call_record_config call_record;
    struct mg_server_config *servers;
    size_t nservers;
    struct mg_project_config *projects;
    size_t nprojects;
};

/*
 * Read and parse the file at PATH.  Returns a new config (free it with
 * mg_config_free), or NULL with the problems in ERR (one per line, NUL
 * terminated, cut to ERRLEN).  Errors name the file as PATH is written.
 */
struct mg_config *mg_config_load(const char *path, char *err, size_t errlen);

/*
 * Parse LEN bytes of YAML (TEXT need not be NUL terminated); FILENAME only
 * names the text in messages (NULL: "config").  An empty text gives the
 * defaults.  Returns as mg_config_load.
 */
struct mg_config *mg_config_parse(const char *text, size_t len, const char *filename, char *err,
                                  size_t errlen);

/* A size as max_message takes it: bytes, or a number with a k or m
 * suffix, from 64 bytes to 1G.  0, or -1 when S is not one.  The command
 * line's --max-message uses the same rule. */
int mg_config_parse_size(const char *s, size_t *out);

/* Free CFG and everything it owns; NULL is fine. */
void mg_config_free(struct mg_config *cfg);

/* 1 when S is a valid server or project name: 1 to 64 letters, digits,
 * "_" or "-" (what the loader accepts; safe in a URL path). */
int mg_config_name_ok(const char *s);

/* The server called NAME (borrowed from CFG), or NULL. */
const struct mg_server_config *mg_config_find_server(const struct mg_config *cfg, const char *name);
/* The project called NAME (borrowed from CFG), or NULL. */
const struct mg_project_config *mg_config_find_project(const struct mg_config *cfg, const char *name);
/* 1 when project PR lists server NAME. */
int mg_config_project_has(const struct mg_project_config *pr, const char *name);

/* config_same.c, for a reload.  1 when server X of config A would run
 * exactly as server Y of config B: its entry, the settings servers start
 * with, and the credentials projects give it. */
int mg_config_server_same(const struct mg_config *a, const struct mg_server_config *x, const struct mg_config *b,
                          const struct mg_server_config *y);
/* How many of the settings that a running gateway cannot change differ
 * from A to B; their keys, comma separated, in OUT. */
int mg_config_restart_only(const struct mg_config *a, const struct mg_config *b, char *out, size_t len);

#endif
