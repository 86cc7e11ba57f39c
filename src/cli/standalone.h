/*
 * standalone.h - commands that read the config and connect to its
 * servers in-process (`servers`, `tools`): the gateway runs without
 * serving anyone until discovery settles, then they report and stop.
 */
#ifndef MG_CLI_STANDALONE_H
#define MG_CLI_STANDALONE_H

#include <jansson.h>
#include <stdio.h>
#include <uv.h>

#include "cli/run.h"

struct mg_config;
struct mg_gateway;

struct mg_standalone {
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_config *cfg;
    const char *remote;        /* the gateway asked (--gateway), or NULL */
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
    const char *arg;           /* its one optional argument, a server ("SERVER"): when
                                * given, only that server is started; NULL: none */
    /* Its own options and arguments, offered argv[*i] before the shared
     * ones (NULL: none): MG_OPT_TAKEN (with *i moved past a value),
     * MG_OPT_UNKNOWN, or MG_OPT_BAD after printing why (exit 2). */
    enum mg_run_opt (*option)(void *ctx, int argc, char **argv, int *i);
    /* Once every option is taken and before any server starts (NULL:
     * nothing to check): -1 to go on, or the exit code after printing
     * why, so a usage error never waits for servers to connect. */
    int (*parsed)(void *ctx);
    void *ctx;                 /* for option and parsed */
    /* With --gateway (cli/remote.h), what the command does instead of
     * starting servers (NULL: start the gateway's as the config's): the
     * exit code. */
    int (*remote)(void *ctx, struct mg_run_flags *f, const char *url, int json);
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

/*
 * The second half of mg_standalone_open, for commands that parse their
 * own command line (describe, call): read the config FLAGS point to and
 * start its servers, or only the one named ONLY when it is not NULL (the
 * others are left disabled).  With --gateway (or $MCPGATE_URL) the servers
 * are those of the running gateway instead (cli/remote.h).  Returns -1 when the command goes on, or 1
 * when nothing started (after printing why).
 */
int mg_standalone_start(struct mg_standalone *st, struct mg_run_flags *flags, const char *only);

/* Start CFG's servers (CFG is taken: freed by mg_standalone_stop) and run
 * until discovery settles.  0, or -1 after printing why (then
 * mg_standalone_stop all the same). */
int mg_standalone_run(struct mg_standalone *st, struct mg_config *cfg);

/*
 * For a command given a server's name: 0 when NAME is a source of the
 * catalog that is ready; else, after saying so on stderr, 2 when the
 * config has no such server (with the closest name suggested) and 3 when
 * it is not ready (with its error).
 */
int mg_standalone_check_server(struct mg_standalone *st, const char *name);

/* Say on stderr which servers are not ready, and why (failed, still
 * connecting; disabled ones are not named).  Returns how many. */
int mg_standalone_warn_not_ready(struct mg_standalone *st);

/*
 * A listing command (tools, resources): open as CMD (whose arg is an
 * optional SERVER), check SERVER when given, LIST(gateway, SERVER or
 * NULL, --json given), stop.  The exit code.
 */
int mg_standalone_list(const struct mg_standalone_cmd *cmd, int argc, char **argv,
                       void (*list)(struct mg_gateway *gw, const char *server, int json));

/* Print V (taken) to stdout as indented JSON, and a newline. */
void mg_cli_print_json(json_t *v);

/* Print a command's --help: USAGE, the shared options, USAGE_TAIL. */
void mg_standalone_help(const char *usage, const char *usage_tail);

/* Stop the servers and free everything. */
void mg_standalone_stop(struct mg_standalone *st);

/* Output helpers: colour only on a terminal and never with NO_COLOR. */
int mg_cli_colour(FILE *f);
/* "\033[...m" for a state (ready, connecting, failed, disabled), or "". */
const char *mg_cli_state_colour(FILE *f, const char *state);
const char *mg_cli_reset(FILE *f);
/* The width of a table's column: the longest string KEY of the objects
 * in ROWS, and at least LEAST (the heading's). */
int mg_cli_width(json_t *rows, const char *key, size_t least);
/* Print S (a server's text, NULL printing nothing) to F, with control
 * characters, which could move the cursor or recolour the terminal (C0,
 * DEL and C1, the UTF-8 of U+0080..U+009F), shown as spaces.  Its line
 * breaks are kept when LINES, else it ends at the first one. */
void mg_cli_print_text(FILE *f, const char *s, int lines);

#endif
