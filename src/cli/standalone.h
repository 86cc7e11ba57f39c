/*
 * standalone.h - commands that read the config and connect to its
 * servers in-process (`servers`, `tools`): the gateway runs without
 * serving anyone until discovery settles, then they report and stop.
 */
#ifndef MG_CLI_STANDALONE_H
#define MG_CLI_STANDALONE_H

#include <stdio.h>
#include <uv.h>

struct mg_config;
struct mg_gateway;

struct mg_standalone {
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_config *cfg;
    /* private */
    uv_timer_t tick;
    uint64_t deadline;
    unsigned frame;
    int spinning;
};

/* A standalone command, for its options. */
struct mg_standalone_cmd {
    const char *name;          /* "tools" */
    const char *usage, *usage_tail; /* --help: before and after the shared options */
    const char *arg;           /* its one optional argument ("SERVER"), or NULL: none */
};

/*
 * Parse CMD's options (the shared ones of run.h, --json, and its argument
 * into *ARG), read the config and start its servers; they run until none
 * is still connecting, or for at most connection_timeout +
 * discovery_timeout, with a spinner naming the rest on a terminal.
 * Returns -1 when the command goes on (then mg_standalone_stop), or the
 * exit code: 0 after --help, 2 for a usage error, 1 when nothing started.
 * Log lines are limited to errors unless --log-level says otherwise.
 */
int mg_standalone_open(struct mg_standalone *st, const struct mg_standalone_cmd *cmd, int argc, char **argv,
                       int *json, const char **arg);

/* Stop the servers and free everything. */
void mg_standalone_stop(struct mg_standalone *st);

/* Output helpers: colour only on a terminal and never with NO_COLOR. */
int mg_cli_colour(FILE *f);
/* "\033[...m" for a state (ready, connecting, failed, disabled), or "". */
const char *mg_cli_state_colour(FILE *f, const char *state);
const char *mg_cli_reset(FILE *f);

#endif
