/*
 * run.h - what `mcpgate serve` and `mcpgate stdio` share: their common
 * options, the config file, and the bundles it enables.
 *
 * Settings come from the config file and are overridden by flags.  The
 * file is the one named by --config, else by $MCPGATE_CONFIG, else
 * ./mcpgate.yaml or $XDG_CONFIG_HOME/mcpgate/mcpgate.yaml when one exists;
 * with none, every setting has its default.
 */
#ifndef MG_CLI_RUN_H
#define MG_CLI_RUN_H

#include <stdarg.h>
#include <stddef.h>

struct mg_config;
struct mg_gateway;

/* Flags given on the command line; zero or NULL: not given. */
struct mg_run_flags {
    const char *config_path;
    const char *listen;
    const char *state_dir;
    const char **origins;   /* argc entries allocated */
    size_t norigins;
    unsigned session_idle_s;
    unsigned sse_poll_s;
    size_t max_message;
    int log_level;          /* -1: not given */
    int auth;               /* enum mg_config_auth; -1: not given */
    int demo, conformance;
    int watch;              /* serve: read the config file again when it changes */
    const char *gateway;    /* --gateway URL: ask a running gateway (cli/remote.h) */
};

/* Result of looking at argv[*i]. */
enum mg_run_opt { MG_OPT_TAKEN, MG_OPT_UNKNOWN, MG_OPT_BAD };

void mg_run_flags_init(struct mg_run_flags *f, int argc);
void mg_run_flags_free(struct mg_run_flags *f);

/*
 * Take the option at argv[*i] (and its value, advancing *i) if it is one
 * of the shared ones; SERVE admits the HTTP-only ones.  MG_OPT_BAD means a
 * usage message was printed (exit 2).
 */
enum mg_run_opt mg_run_flag(struct mg_run_flags *f, int argc, char **argv, int *i, const char *cmd, int serve);

/* The config file FLAGS point to (see above) into PATH, or "" for none:
 * then every setting has its default. */
void mg_run_config_path(const struct mg_run_flags *f, char *path, size_t len);

/* The config file's settings with the flags applied over them, or NULL
 * after printing why (exit 1).  The state directory is --state-dir, else
 * $MCPGATE_STATE_DIR, else the file's state_dir (else, later, the
 * default: see mg_store_dir). */
struct mg_config *mg_run_config(const struct mg_run_flags *f);

/* The file at PATH with the flags applied over it, or NULL with the
 * problems in ERR; nothing is printed. */
struct mg_config *mg_run_config_file(const struct mg_run_flags *f, const char *path, char *err, size_t errlen);

/* A running `serve` reads its config file again on SIGHUP (reload.c). */
struct mg_run_reloader {
    struct mg_gateway *gw;
    const struct mg_run_flags *flags;
    struct mg_config **configs; /* every config served, the running one last; they outlive the gateway */
    size_t nconfigs;
};
/* Start serving CFG (owned from now on) with R. */
void mg_run_reloader_init(struct mg_run_reloader *r, struct mg_gateway *gw, const struct mg_run_flags *flags,
                          struct mg_config *cfg);
/* Read the config file again and apply what a running gateway can: its
 * servers (added, removed, changed ones started again), projects, the
 * log level; the rest is logged as needing a restart.  A file with
 * problems changes nothing.  CTX is the struct mg_run_reloader. */
void mg_run_reload(void *ctx);
/* After the gateway is freed: every config it served. */
void mg_run_reloader_free(struct mg_run_reloader *r);

/* The same from the config TEXT that mcpgate wrote itself (WHAT names
 * it in errors), for commands asking a running gateway (cli/remote.h). */
struct mg_config *mg_run_config_text(const struct mg_run_flags *f, const char *text, const char *what);

/* Give GW the settings of CFG that apply to every client: the largest
 * message, the size of a list's pages. */
void mg_run_apply(struct mg_gateway *gw, const struct mg_config *cfg);

/* Raise the soft limit on open files to the hard one: every client
 * connection is a descriptor and every stdio server three or four, and
 * the usual soft limit of 1024 runs out long before the machine does
 * (past it, new connections would be accepted and closed unanswered). */
void mg_run_raise_fd_limit(void);

/* 0, or -1 with WHY when CFG names a server after one of mcpgate's own
 * bundles (gateway, demo, conformance), whose names are taken. */
int mg_run_names_free(const struct mg_gateway *gw, const struct mg_config *cfg, char *why, size_t len);
/* Register the bundles CFG enables and start its servers; -1 after
 * printing why.  CFG must outlive the gateway. */
int mg_run_bundles(struct mg_gateway *gw, const struct mg_config *cfg);
/* Register the gateway's own tools (gateway__whoami, ...), served by
 * serve and stdio; 0, or -1 after printing why. */
int mg_run_own_tools(struct mg_gateway *gw);

/*
 * Open the store in CFG's state directory for GW and start its writer
 * thread: for the call record when CFG enables it, and always for SERVE,
 * whose API keys live there.  When the store cannot be used, returns -1
 * with the reason in gw->store_error (after a warning that the call
 * record is off, when it was on): serving goes on without it unless API
 * keys need it (transport/http_auth.c).
 */
int mg_run_store_open(struct mg_gateway *gw, const struct mg_config *cfg, int serve);

/* Stop the writer, committing every record queued, once no request can
 * end any more (after mg_run_stop_upstreams). */
void mg_run_store_close(struct mg_gateway *gw);

/* Stop the servers started by mg_run_bundles and wait for them. */
void mg_run_stop_upstreams(struct mg_gateway *gw);

/* Say "mcpgate: " and FMT's message on stderr, then "Run 'mcpgate CMD
 * --help' for usage."; returns 2, the exit code of a usage error. */
int mg_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mg_cli_vusage(const char *cmd, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The shared options, for usage texts. */
extern const char mg_run_options_help[];
extern const char mg_run_serve_options_help[];

#endif
