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

/*
 * Start CFG's servers (CFG is taken: freed by mg_standalone_stop) and run
 * until none is still connecting, or for at most the config's
 * connection_timeout plus discovery_timeout.  On a terminal a spinner
 * names the servers still connecting.  Returns 0, or -1 after printing
 * why (the caller exits 1 after mg_standalone_stop).
 */
int mg_standalone_start(struct mg_standalone *st, struct mg_config *cfg);
/* Stop the servers and free everything. */
void mg_standalone_stop(struct mg_standalone *st);

/* Output helpers: colour only on a terminal and never with NO_COLOR. */
int mg_cli_colour(FILE *f);
/* "\033[...m" for a state (ready, connecting, failed, disabled), or "". */
const char *mg_cli_state_colour(FILE *f, const char *state);
const char *mg_cli_reset(FILE *f);

#endif
