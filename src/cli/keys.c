/*
 * keys.c - `mcpgate keys`: the subcommand dispatch and what the keys
 * commands share.
 */
#include "cli/keys.h"

#include "cli/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/run.h"
#include "config/config.h"
#include "store/store.h"
#include "util/log.h"

static const char keys_usage[] =
    "usage: mcpgate keys <command> [options]\n"
    "\n"
    "API keys for the HTTP front door.  A key names who calls (its name), the\n"
    "projects it may use, and its scope: 'read' keys call tools that only read,\n"
    "'write' keys any tool.  Clients send it as 'Authorization: Bearer <secret>'.\n"
    "Keys are required when mcpgate serve listens on anything but loopback, or\n"
    "with auth: required.  Only a hash of each secret is kept, in the state\n"
    "directory's mcpgate.db.\n"
    "\n"
    "commands:\n"
    "  create     make a key and print its secret (shown this once only)\n"
    "  list       show the keys (never their secrets)\n"
    "  revoke     stop a key from working, at once, open sessions too\n"
    "\n"
    "examples:\n"
    "  mcpgate keys create --name alice --project web --scope write\n"
    "  mcpgate keys list\n"
    "  mcpgate keys revoke key_3f9a1c0b2e4d\n"
    "\n"
    "Run 'mcpgate keys <command> --help' for a command's options.\n";

const char mg_keys_common_help[] =
    "  -c, --config FILE      the config file (as for serve), for state_dir and\n"
    "                         the project names\n"
    "  --state-dir DIR        the state directory (default: $MCPGATE_STATE_DIR,\n"
    "                         else the config's state_dir, else\n"
    "                         $XDG_STATE_HOME/mcpgate or ~/.local/state/mcpgate)\n"
    "  -h, --help             show this help\n";

int
mg_keys_usage(const char *cmd, const char *fmt, ...)
{
    char full[64];
    va_list ap;
    int rc;

    snprintf(full, sizeof(full), "keys %s", cmd);
    va_start(ap, fmt);
    rc = mg_cli_vusage(full, fmt, ap);
    va_end(ap);
    return rc;
}

int
mg_keys_flag(struct mg_keys_flags *f, int argc, char **argv, int *i, const char *cmd)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

    if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
        if (v == NULL)
            return mg_keys_usage(cmd, "%s needs a file name", a), -1;
        f->config_path = v;
    } else if (strcmp(a, "--state-dir") == 0) {
        if (v == NULL || v[0] == '\0')
            return mg_keys_usage(cmd, "--state-dir needs a directory"), -1;
        f->state_dir = v;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

struct mg_store *
mg_keys_open(const struct mg_keys_flags *f, struct mg_config **cfg)
{
    struct mg_run_flags rf;
    char dir[4096], err[1024];
    struct mg_store *st;

    mg_run_flags_init(&rf, 0);
    rf.config_path = f->config_path;
    rf.state_dir = f->state_dir;
    rf.log_level = MG_LOG_WARN; /* no "config: ..." line on a CLI command */
    *cfg = mg_run_config(&rf);
    mg_run_flags_free(&rf);
    if (*cfg == NULL)
        return NULL;
    if (mg_store_dir((*cfg)->state_dir, dir, sizeof(dir), err, sizeof(err)) != 0 ||
        (st = mg_store_open(dir, err, sizeof(err))) == NULL) {
        fprintf(stderr, "mcpgate: %s\n", err);
        mg_config_free(*cfg);
        *cfg = NULL;
        return NULL;
    }
    return st;
}

void
mg_keys_time(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == 0 || gmtime_r(&tt, &tm) == NULL)
        snprintf(out, len, "never");
    else
        strftime(out, len, "%Y-%m-%d %H:%MZ", &tm);
}

void
mg_keys_time_iso(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL)
        snprintf(out, len, "1970-01-01T00:00:00Z");
    else
        strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
mg_cmd_keys(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL) {
        fputs(keys_usage, stderr);
        return 2;
    }
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(keys_usage, stdout);
        return 0;
    }
    if (strcmp(sub, "create") == 0)
        return mg_cmd_keys_create(argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
        return mg_cmd_keys_list(argc - 1, argv + 1);
    if (strcmp(sub, "revoke") == 0)
        return mg_cmd_keys_revoke(argc - 1, argv + 1);
    fprintf(stderr, "mcpgate: unknown keys command '%s' (create, list or revoke)\nRun 'mcpgate keys --help' for usage.\n",
            sub);
    return 2;
}
