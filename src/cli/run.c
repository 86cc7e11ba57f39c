/*
 * run.c - shared options and the config file of `serve` and `stdio`.
 */
#include "cli/run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bundles/conformance.h"
#include "bundles/demo.h"
#include "bundles/gateway.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "store/store.h"
#include "store/store_calls.h"
#include "store/store_writer.h"
#include "upstream/upstream.h"
#include "mcpgate.h"
#include "util/alloc.h"
#include "util/log.h"

const char mg_run_options_help[] =
    "  -c, --config FILE      read settings from FILE (default: $MCPGATE_CONFIG,\n"
    "                         else ./mcpgate.yaml or ~/.config/mcpgate/mcpgate.yaml\n"
    "                         when one exists); flags override it.  Every key is\n"
    "                         described in docs/config.md\n"
    "  --demo                 serve the built-in demo bundle (demo__echo,\n"
    "                         demo__add, demo__wait)\n"
    "  --conformance          serve the fixture the MCP conformance suite calls\n"
    "                         (its test_* tools, unprefixed); for testing only\n"
    "  --max-message BYTES    largest accepted message (default 4194304; k and m\n"
    "                         suffixes work)\n"
    "  --log-level LEVEL      debug, info, warn, error or none (default info)\n"
    "  --state-dir DIR        where the call record (and serve's API keys) are\n"
    "                         kept: default $MCPGATE_STATE_DIR, else the config's\n"
    "                         state_dir, else $XDG_STATE_HOME/mcpgate or\n"
    "                         ~/.local/state/mcpgate\n";

const char mg_run_serve_options_help[] =
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8808)\n"
    "  --auth MODE            'required': every MCP request needs an API key\n"
    "                         (Authorization: Bearer, see 'mcpgate keys'); 'auto'\n"
    "                         (default): required unless listening on loopback\n"
    "  --allow-origin ORIGIN  also accept browser requests from ORIGIN, e.g.\n"
    "                         https://app.example.com (repeatable; '*' for any).\n"
    "                         Pages on localhost are always accepted.\n"
    "  --session-idle SECS    end legacy sessions idle this long (default 1800)\n"
    "  --sse-poll SECS        close event streams of 2025-11-25 sessions after\n"
    "                         SECS; clients reconnect with Last-Event-ID and\n"
    "                         lose nothing (SSE polling; default: never)\n"
    "  --watch                read the config file again whenever it changes, as\n"
    "                         on SIGHUP (so 'mcpgate add' takes effect at once)\n";

int
mg_cli_vusage(const char *cmd, const char *fmt, va_list ap)
{
    fputs("mcpgate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'mcpgate %s --help' for usage.\n", cmd);
    return 2;
}

int
mg_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = mg_cli_vusage(cmd, fmt, ap);
    va_end(ap);
    return rc;
}

static int
usage(const char *cmd, const char *fmt, const char *arg)
{
    mg_cli_usage(cmd, fmt, arg);
    return MG_OPT_BAD;
}

static int
parse_seconds(const char *s, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

void
mg_run_flags_init(struct mg_run_flags *f, int argc)
{
    memset(f, 0, sizeof(*f));
    f->log_level = -1;
    f->auth = -1;
    f->origins = mg_calloc((size_t)argc + 1, sizeof(*f->origins));
}

void
mg_run_flags_free(struct mg_run_flags *f)
{
    mg_free(f->origins);
    f->origins = NULL;
}

enum mg_run_opt
mg_run_flag(struct mg_run_flags *f, int argc, char **argv, int *i, const char *cmd, int serve)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    int takes_value = 1;

    if (strcmp(a, "--demo") == 0) {
        f->demo = 1, takes_value = 0;
    } else if (strcmp(a, "--conformance") == 0) {
        f->conformance = 1, takes_value = 0;
    } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
        if (v == NULL)
            return usage(cmd, "%s needs a file name", a);
        f->config_path = v;
    } else if (strcmp(a, "--max-message") == 0) {
        if (v == NULL || mg_config_parse_size(v, &f->max_message) != 0)
            return usage(cmd, "--max-message needs a size between 64 bytes and 1G, e.g. 4m%s", "");
    } else if (strcmp(a, "--log-level") == 0) {
        if (v == NULL || (f->log_level = mg_log_parse_level(v)) < 0)
            return usage(cmd, "--log-level needs one of debug, info, warn, error, none%s", "");
    } else if (strcmp(a, "--state-dir") == 0) {
        if (v == NULL || v[0] == '\0')
            return usage(cmd, "--state-dir needs a directory, e.g. ~/.local/state/mcpgate%s", "");
        f->state_dir = v;
    } else if (!serve && strcmp(cmd, "stdio") != 0 && strcmp(a, "--gateway") == 0) {
        if (v == NULL || (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0))
            return usage(cmd, "--gateway needs the URL of a running mcpgate, e.g. http://127.0.0.1:8808%s", "");
        f->gateway = v;
    } else if (serve && strcmp(a, "--auth") == 0) {
        if (v == NULL || (strcmp(v, "auto") != 0 && strcmp(v, "required") != 0))
            return usage(cmd, "--auth needs 'required' or 'auto'%s", "");
        f->auth = strcmp(v, "required") == 0 ? MG_CONFIG_AUTH_REQUIRED : MG_CONFIG_AUTH_AUTO;
    } else if (serve && strcmp(a, "--listen") == 0) {
        if (v == NULL)
            return usage(cmd, "--listen needs HOST:PORT, e.g. 127.0.0.1:8808%s", "");
        f->listen = v;
    } else if (serve && strcmp(a, "--allow-origin") == 0) {
        if (v == NULL)
            return usage(cmd, "--allow-origin needs an origin, e.g. https://app.example.com%s", "");
        f->origins[f->norigins++] = v;
    } else if (serve && strcmp(a, "--session-idle") == 0) {
        if (v == NULL || parse_seconds(v, 86400UL * 30, &f->session_idle_s) != 0)
            return usage(cmd, "--session-idle needs a number of seconds between 1 and 2592000%s", "");
    } else if (serve && strcmp(a, "--sse-poll") == 0) {
        if (v == NULL || parse_seconds(v, 86400, &f->sse_poll_s) != 0)
            return usage(cmd, "--sse-poll needs a number of seconds between 1 and 86400%s", "");
    } else if ((serve || strcmp(cmd, "stdio") == 0) && strcmp(a, "--watch") == 0) {
        f->watch = 1, takes_value = 0;
    } else {
        return MG_OPT_UNKNOWN;
    }
    if (takes_value)
        (*i)++;
    return MG_OPT_TAKEN;
}

static int
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

void
mg_run_config_path(const struct mg_run_flags *f, char *path, size_t len)
{
    const char *env = getenv("MCPGATE_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    path[0] = '\0';
    if (f->config_path != NULL) {
        snprintf(path, len, "%s", f->config_path);
    } else if (env != NULL && env[0] != '\0') {
        snprintf(path, len, "%s", env);
    } else if (exists("mcpgate.yaml")) {
        snprintf(path, len, "mcpgate.yaml");
    } else {
        if (xdg != NULL && xdg[0] != '\0')
            snprintf(path, len, "%s/mcpgate/mcpgate.yaml", xdg);
        else if (home != NULL && home[0] != '\0')
            snprintf(path, len, "%s/.config/mcpgate/mcpgate.yaml", home);
        if (path[0] != '\0' && !exists(path))
            path[0] = '\0';
    }
}

/* Put the flags F over CFG's settings: flags win over the file. */
static void
apply_flags(struct mg_config *cfg, const struct mg_run_flags *f)
{
    const char *state_dir;

    if (f->listen != NULL) {
        mg_free(cfg->listen);
        cfg->listen = mg_strdup(f->listen);
    }
    if (f->norigins > 0) {
        cfg->allow_origins = mg_realloc(cfg->allow_origins, (cfg->nallow_origins + f->norigins) * sizeof(char *));
        for (size_t i = 0; i < f->norigins; i++)
            cfg->allow_origins[cfg->nallow_origins++] = mg_strdup(f->origins[i]);
    }
    if (f->session_idle_s > 0)
        cfg->session_idle_timeout_ms = f->session_idle_s * 1000u;
    if (f->sse_poll_s > 0)
        cfg->sse_poll_interval_ms = f->sse_poll_s * 1000u;
    if (f->max_message > 0)
        cfg->max_message = f->max_message;
    if (f->log_level >= 0)
        cfg->log_level = (enum mg_log_level)f->log_level;
    if (f->auth >= 0)
        cfg->auth = (enum mg_config_auth)f->auth;
    state_dir = f->state_dir != NULL ? f->state_dir : getenv("MCPGATE_STATE_DIR");
    if (state_dir != NULL && state_dir[0] != '\0') {
        mg_free(cfg->state_dir);
        cfg->state_dir = mg_strdup(state_dir);
    }
    cfg->demo |= f->demo;
    cfg->conformance |= f->conformance;
    mg_log_threshold = cfg->log_level;
}

struct mg_config *
mg_run_config_file(const struct mg_run_flags *f, const char *path, char *err, size_t errlen)
{
    struct mg_config *cfg = mg_config_load(path, err, errlen);

    if (cfg != NULL)
        apply_flags(cfg, f);
    return cfg;
}

struct mg_config *
mg_run_config(const struct mg_run_flags *f)
{
    char path[4096], err[8192];
    struct mg_config *cfg;

    mg_run_config_path(f, path, sizeof(path));
    cfg = path[0] != '\0' ? mg_config_load(path, err, sizeof(err)) : mg_config_parse("", 0, NULL, err, sizeof(err));
    if (cfg == NULL) {
        fprintf(stderr, "mcpgate: the config file has problems; nothing was started:\n%s\n", err);
        return NULL;
    }
    apply_flags(cfg, f);
    if (path[0] != '\0')
        mg_log_info("config: %s", path);
    return cfg;
}

struct mg_config *
mg_run_config_text(const struct mg_run_flags *f, const char *text, const char *what)
{
    char err[8192];
    struct mg_config *cfg;

    if ((cfg = mg_config_parse(text, strlen(text), what, err, sizeof(err))) == NULL) {
        fprintf(stderr, "mcpgate: %s\n", err);
        return NULL;
    }
    apply_flags(cfg, f);
    return cfg;
}

void
mg_run_apply(struct mg_gateway *gw, const struct mg_config *cfg)
{
    gw->cfg = cfg;
    gw->max_message = cfg->max_message;
    gw->list_page_size = cfg->list_page_size;
}

void
mg_run_raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t was;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    was = rl.rlim_cur;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = was;
    }
    if (rl.rlim_cur != was)
        mg_log_debug("open files: the limit raised from %llu to %llu", (unsigned long long)was,
                     (unsigned long long)rl.rlim_cur);
    if (rl.rlim_cur < 4096)
        mg_log_info("at most %llu open files (ulimit -n, hard limit %llu): each client connection takes one and "
                    "each stdio server three or four; raise the hard limit to serve more",
                    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
}

int
mg_run_names_free(const struct mg_gateway *gw, const struct mg_config *cfg, char *why, size_t len)
{
    for (size_t i = 0; i < cfg->nservers; i++) {
        const struct mg_server_config *s = &cfg->servers[i];
        const struct mg_bundle *b = mg_strmap_get(&gw->catalog.by_ns, s->name);
        if (s->enabled && b != NULL && b->owner == NULL) {
            snprintf(why, len, "servers[%zu] (line %u): \"%s\" is the namespace of mcpgate's own %s tools; name the "
                     "server something else", i, s->line, s->name, s->name);
            return -1;
        }
    }
    return 0;
}

int
mg_run_bundles(struct mg_gateway *gw, const struct mg_config *cfg)
{
    char err[512];

    if ((cfg->demo && mg_demo_register(gw, err, sizeof(err)) != 0) ||
        (cfg->conformance && mg_conformance_register(gw, err, sizeof(err)) != 0)) {
        fprintf(stderr, "mcpgate: %s\n", err);
        return -1;
    }
    /* A server under the name of a built-in bundle would never be listed:
     * said before start. */
    if (mg_run_names_free(gw, cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "mcpgate: %s\n", err);
        return -1;
    }
    mg_upstreams_start(gw, cfg);
    return 0;
}

int
mg_run_own_tools(struct mg_gateway *gw)
{
    char err[512];

    if (mg_gateway_bundle_register(gw, err, sizeof(err)) != 0) {
        fprintf(stderr, "mcpgate: %s\n", err);
        return -1;
    }
    return 0;
}

void
mg_run_stop_upstreams(struct mg_gateway *gw)
{
    /* The children get their shutdown sequence (stdin closed, SIGTERM,
     * SIGKILL) on a loop of their own now that serving has ended. */
    mg_upstreams_stop(gw, NULL, NULL);
    uv_run(gw->loop, UV_RUN_DEFAULT);
    mg_upstreams_free(gw);
}

int
mg_run_store_open(struct mg_gateway *gw, const struct mg_config *cfg, int serve)
{
    const struct mg_call_record_config *cr = &cfg->call_record;
    char dir[4096], err[1024];
    struct mg_store *st = NULL;

    if (!cr->enabled && !serve)
        return 0;
    if (mg_store_dir(cfg->state_dir, dir, sizeof(dir), err, sizeof(err)) != 0 ||
        (st = mg_store_open(dir, err, sizeof(err))) == NULL)
        goto fail;
    gw->store_path = mg_strdup(st->path);
    if ((gw->writer = mg_store_writer_start(st, 0, err, sizeof(err))) == NULL) {
        mg_store_close(st);
        mg_free(gw->store_path);
        gw->store_path = NULL;
        goto fail;
    }
    if (cr->enabled) {
        gw->record_calls = 1;
        gw->record_arguments = cr->record_arguments;
        gw->retention = mg_calloc(1, sizeof(*gw->retention));
        gw->retention->max_age_s = cr->max_age_s;
        gw->retention->max_rows = cr->max_rows;
        mg_store_writer_every(gw->writer, MG_CALLS_PRUNE_MS, mg_store_calls_prune_tick, gw->retention);
        mg_log_debug("recording calls in %s%s", gw->store_path, cr->record_arguments ? ", with their arguments" : "");
    }
    return 0;

fail:
    gw->store_error = mg_strdup(err);
    if (cr->enabled)
        mg_log_warn("the call record is off: %s", err);
    return -1;
}

void
mg_run_store_close(struct mg_gateway *gw)
{
    mg_store_writer_stop(gw->writer);
    gw->writer = NULL;
    gw->record_calls = 0;
    mg_free(gw->retention);
    mg_free(gw->store_path);
    mg_free(gw->store_error);
    gw->retention = NULL;
    gw->store_path = gw->store_error = NULL;
}
