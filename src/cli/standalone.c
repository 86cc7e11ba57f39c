/*
 * standalone.c - a gateway that serves no one: the config's servers are
 * started in-process, discovery runs, and the command reports.
 */
#include "cli/standalone.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/remote.h"
#include "cli/run.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "upstream/upstream.h"
#include "util/log.h"
#include "util/suggest.h"

#define TICK_MS 100

int
mg_cli_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR");

    return isatty(fileno(f)) && (no == NULL || no[0] == '\0');
}

const char *
mg_cli_state_colour(FILE *f, const char *state)
{
    if (!mg_cli_colour(f))
        return "";
    if (strcmp(state, "ready") == 0)
        return "\033[32m";
    if (strcmp(state, "failed") == 0)
        return "\033[31m";
    if (strcmp(state, "connecting") == 0)
        return "\033[33m";
    return "\033[2m";
}

const char *
mg_cli_reset(FILE *f)
{
    return mg_cli_colour(f) ? "\033[0m" : "";
}

int
mg_cli_width(json_t *rows, const char *key, size_t least)
{
    size_t i, w = least;
    json_t *row;

    json_array_foreach (rows, i, row) {
        const char *s = json_string_value(json_object_get(row, key));
        if (s != NULL && strlen(s) > w)
            w = strlen(s);
    }
    return (int)w;
}

void
mg_cli_print_text(FILE *f, const char *s, int lines)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; p != NULL && *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r') {
            if (!lines)
                return;
            if (*p == '\n')
                putc('\n', f);
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            p++; /* a C1 control: two bytes, one space */
            putc(' ', f);
        } else {
            putc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
        }
    }
}

static void
clear_spinner(struct mg_standalone *st)
{
    if (st->spinning) {
        fputs("\r\033[K", stderr);
        st->spinning = 0;
    }
}

static void
on_tick(uv_timer_t *t)
{
    static const char *const frames[] = {"|", "/", "-", "\\"};
    struct mg_standalone *st = t->data;
    char names[200];

    if (mg_upstreams_settled(st->gw) || uv_now(&st->loop) >= st->deadline) {
        clear_spinner(st);
        uv_timer_stop(t);
        uv_stop(&st->loop);
        return;
    }
    if (!isatty(STDERR_FILENO))
        return;
    mg_upstreams_connecting(st->gw, names, sizeof(names));
    fprintf(stderr, "\r\033[K%s connecting: %s", frames[st->frame++ % 4], names);
    fflush(stderr);
    st->spinning = 1;
}

void
mg_standalone_help(const char *usage, const char *usage_tail)
{
    fputs(usage, stdout);
    fputs(mg_run_options_help, stdout);
    fputs(mg_remote_options_help, stdout);
    fputs(usage_tail, stdout);
}

/* Parse argv into F, *JSON and *ARG.  -1 to go on, or the exit code. */
static int
parse(const struct mg_standalone_cmd *cmd, struct mg_run_flags *f, int argc, char **argv, int *json,
      const char **arg)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            mg_standalone_help(cmd->usage, cmd->usage_tail);
            return 0;
        }
        if (cmd->option != NULL) {
            enum mg_run_opt r = cmd->option(cmd->ctx, argc, argv, &i);
            if (r == MG_OPT_BAD)
                return 2;
            if (r == MG_OPT_TAKEN)
                continue;
        }
        if (strcmp(a, "--json") == 0) {
            *json = 1;
        } else if (a[0] != '-') {
            if (cmd->arg != NULL && *arg == NULL) {
                *arg = a;
                continue;
            }
            if (cmd->arg != NULL)
                fprintf(stderr, "mcpgate: %s takes one %s, got '%s' too\n", cmd->name, cmd->arg, a);
            else
                fprintf(stderr, "mcpgate: %s takes no arguments, got '%s'\n", cmd->name, a);
            fprintf(stderr, "Run 'mcpgate %s --help' for usage.\n", cmd->name);
            return 2;
        } else {
            switch (mg_run_flag(f, argc, argv, &i, cmd->name, 0)) {
            case MG_OPT_TAKEN: break;
            case MG_OPT_BAD: return 2;
            case MG_OPT_UNKNOWN:
                fprintf(stderr, "mcpgate: unknown option '%s'\nRun 'mcpgate %s --help' for usage.\n", a, cmd->name);
                return 2;
            }
        }
    }
    return cmd->parsed != NULL ? cmd->parsed(cmd->ctx) : -1;
}

int
mg_standalone_run(struct mg_standalone *st, struct mg_config *cfg)
{
    memset(st, 0, sizeof(*st));
    st->cfg = cfg;
    uv_loop_init(&st->loop);
    st->gw = mg_gateway_new(&st->loop);
    mg_run_apply(st->gw, cfg);
    if (mg_run_bundles(st->gw, cfg) != 0)
        return -1;
    uv_timer_init(&st->loop, &st->tick);
    st->tick.data = st;
    st->deadline = uv_now(&st->loop) + cfg->connection_timeout_ms + cfg->discovery_timeout_ms;
    uv_timer_start(&st->tick, on_tick, 0, TICK_MS);
    uv_run(&st->loop, UV_RUN_DEFAULT);
    return 0;
}

/* The number of tools of server NAME in ST's catalog. */
static size_t
tool_count(struct mg_standalone *st, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < st->gw->catalog.tool_count; i++)
        n += strcmp(st->gw->catalog.order[i]->bundle->ns, name) == 0;
    return n;
}

int
mg_standalone_start(struct mg_standalone *st, struct mg_run_flags *flags, const char *only)
{
    const char *remote = mg_remote_url(flags);
    struct mg_config *cfg;

    memset(st, 0, sizeof(*st));
    if (flags->log_level < 0)
        flags->log_level = MG_LOG_ERROR; /* the report says what went wrong */
    cfg = remote != NULL ? mg_remote_config(flags, remote, only) : mg_run_config(flags);
    if (cfg == NULL)
        return remote != NULL ? 3 : 1; /* the gateway could not be asked */
    /* Connecting every server to use one would make a command as slow as
     * the slowest of them. */
    for (size_t i = 0; only != NULL && i < cfg->nservers; i++)
        if (strcmp(cfg->servers[i].name, only) != 0)
            cfg->servers[i].enabled = 0;
    if (mg_standalone_run(st, cfg) != 0) {
        mg_standalone_stop(st);
        return 1;
    }
    st->remote = remote;
    return -1;
}

int
mg_standalone_open(struct mg_standalone *st, const struct mg_standalone_cmd *cmd, int argc, char **argv, int *json,
                   const char **arg)
{
    struct mg_run_flags flags;
    const char *url;
    int rc;

    memset(st, 0, sizeof(*st));
    *json = 0;
    *arg = NULL;
    mg_run_flags_init(&flags, argc);
    rc = parse(cmd, &flags, argc, argv, json, arg);
    if (rc < 0 && cmd->remote != NULL && (url = mg_remote_url(&flags)) != NULL) {
        if (flags.log_level < 0)
            flags.log_level = MG_LOG_ERROR;
        rc = cmd->remote(cmd->ctx, &flags, url, *json);
    }
    if (rc < 0)
        rc = mg_standalone_start(st, &flags, *arg);
    mg_run_flags_free(&flags);
    return rc;
}

/* Name on stderr the servers that are not ready: NAME only, or every one
 * but the disabled (NAME NULL).  Returns how many it named. */
static int
explain_not_ready(struct mg_gateway *gw, const char *name)
{
    json_t *status = mg_upstreams_status(gw), *s;
    size_t i;
    int said = 0;

    json_array_foreach (status, i, s) {
        const char *server = json_string_value(json_object_get(s, "name"));
        const char *state = json_string_value(json_object_get(s, "state"));
        const char *err = json_string_value(json_object_get(s, "last_error"));
        if (name != NULL ? strcmp(server, name) != 0 : strcmp(state, "disabled") == 0)
            continue;
        if (strcmp(state, "ready") == 0)
            continue;
        fprintf(stderr, "mcpgate: server %s is %s%s%s\n", server, state, err ? ": " : "", err ? err : "");
        said++;
    }
    if (said > 0)
        fprintf(stderr, "Run 'mcpgate servers' to see every server's state.\n");
    json_decref(status);
    return said;
}

/* No server or bundle is called NAME: say so, with the closest name. */
static void
unknown_server(struct mg_standalone *st, const char *name)
{
    struct mg_catalog *c = &st->gw->catalog;
    struct mg_suggest sg;

    mg_suggest_init(&sg, name);
    for (size_t i = 0; i < st->cfg->nservers; i++)
        mg_suggest_try(&sg, st->cfg->servers[i].name);
    for (size_t i = 0; i < c->bundle_count; i++)
        mg_suggest_try(&sg, c->bundles[i]->ns);
    fprintf(stderr, "mcpgate: no server named '%s' in the config", name);
    if (sg.best != NULL)
        fprintf(stderr, "; did you mean '%s'?", sg.best);
    fprintf(stderr, "\nRun 'mcpgate servers' to list them.\n");
}

int
mg_standalone_check_server(struct mg_standalone *st, const char *name)
{
    int rc;

    /* A server the running gateway lacks, or has failed, shows here as a
     * failed or empty one: ask the gateway what it knows. */
    if (st->remote != NULL && (!mg_upstreams_has(st->gw, name) || tool_count(st, name) == 0) &&
        (rc = mg_remote_explain(st->remote, name)) != 0)
        return rc;
    if (!mg_upstreams_has(st->gw, name) && mg_strmap_get(&st->gw->catalog.by_ns, name) == NULL) {
        unknown_server(st, name);
        return 2;
    }
    return explain_not_ready(st->gw, name) > 0 ? 3 : 0;
}

int
mg_standalone_warn_not_ready(struct mg_standalone *st)
{
    return explain_not_ready(st->gw, NULL);
}

void
mg_standalone_stop(struct mg_standalone *st)
{
    if (st->gw == NULL)
        return;
    if (uv_is_active((uv_handle_t *)&st->tick) || st->tick.data != NULL) {
        uv_timer_stop(&st->tick);
        uv_close((uv_handle_t *)&st->tick, NULL);
    }
    mg_run_stop_upstreams(st->gw);
    mg_gateway_free(st->gw);
    uv_run(&st->loop, UV_RUN_DEFAULT);
    mg_config_free(st->cfg);
    uv_loop_close(&st->loop);
    st->gw = NULL;
}

int
mg_standalone_list(const struct mg_standalone_cmd *cmd, int argc, char **argv,
                   void (*list)(struct mg_gateway *gw, const char *server, int json))
{
    struct mg_standalone st;
    const char *server;
    int json, rc;

    if ((rc = mg_standalone_open(&st, cmd, argc, argv, &json, &server)) >= 0)
        return rc;
    rc = server != NULL ? mg_standalone_check_server(&st, server) : 0;
    if (rc == 0)
        list(st.gw, server, json);
    mg_standalone_stop(&st);
    return rc;
}

void
mg_cli_print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2));

    if (text != NULL)
        puts(text);
    free(text);
    json_decref(v);
}
