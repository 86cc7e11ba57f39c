/*
 * standalone.c - a gateway that serves no one: the config's servers are
 * started in-process, discovery runs, and the command reports.
 */
#include "cli/standalone.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "upstream/upstream.h"

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

int
mg_standalone_start(struct mg_standalone *st, struct mg_config *cfg)
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
