/*
 * calls.c - `mcpgate calls`: the call record from the shell.
 *
 * Reads the store of the state directory that serve and stdio write
 * (store/store_calls.h): recent calls as a table or JSON, or per-tool
 * statistics with --stats.  A store that does not exist yet is not made
 * here: there is simply nothing recorded.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/run.h"
#include "config/config.h"
#include "store/store.h"
#include "store/store_calls.h"
#include "util/alloc.h"
#include "util/duration.h"
#include "util/log.h"

static const char calls_usage[] =
    "usage: mcpgate calls [options]\n"
    "\n"
    "Show the call record: every tools/call that mcpgate serve or stdio\n"
    "answered, newest first, with when it came (UTC), the API key, the project,\n"
    "the server and tool, how long it took, and how it ended: ok, tool_error\n"
    "(the tool said isError), error (a JSON-RPC error: unknown tool, invalid\n"
    "arguments, ...) or cancelled, with the error's first line.  A call reaches\n"
    "the record a fraction of a second after it ends, and every one has by the\n"
    "time the gateway stops.\n"
    "\n"
    "options:\n"
    "  --tool NAME            only this tool: its name on its server (echo), or\n"
    "                         SERVER__TOOL as clients see it (demo__echo)\n"
    "  --server NAME          only the tools of this server\n"
    "  --project NAME         only calls made in this project\n"
    "  --status STATUS        only calls that ended so: ok, tool_error, error or\n"
    "                         cancelled (repeatable: any of them)\n"
    "  --errors               only calls that did not end ok\n"
    "  --since DURATION       only calls of the last DURATION: 90s, 15m, 2h, 7d\n"
    "  --limit N              show at most N calls (default 50)\n"
    "  --slowest              the longest calls first, instead of the newest\n"
    "  --stats                per tool instead: calls, errors, error rate, and\n"
    "                         the median (p50), p95 and longest durations\n"
    "  --json                 a JSON array, one object per call (or per tool)\n"
    "  -c, --config FILE      the config file (as for serve), for state_dir\n"
    "  --state-dir DIR        the state directory (default: $MCPGATE_STATE_DIR,\n"
    "                         else the config's state_dir, else\n"
    "                         $XDG_STATE_HOME/mcpgate or ~/.local/state/mcpgate)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate calls\n"
    "  mcpgate calls --errors --since 1h\n"
    "  mcpgate calls --tool github__list_prs --slowest --limit 10\n"
    "  mcpgate calls --stats --since 7d\n"
    "  mcpgate calls --json --limit 1000 > calls.json\n";

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000000000ull
/* --since at most ten years. */
#define MAX_SINCE_S (3650ull * 86400)

struct calls_opts {
    const char *config_path, *state_dir;
    const char *tool, *server, *project;
    unsigned outcomes;          /* MG_CALL_BIT of each; 0: any */
    int slowest, stats, json;
    uint64_t since_s;           /* 0: all */
    size_t limit;
};

static int
usage(const char *fmt, const char *arg)
{
    return mg_cli_usage("calls", fmt, arg);
}

static int
parse_limit(const char *s, size_t *out)
{
    unsigned long long v;
    char *end;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > MAX_LIMIT)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* argv into O; -1 to go on, or the exit code. */
static int
parse(struct calls_opts *o, int argc, char **argv)
{
    o->limit = DEFAULT_LIMIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(calls_usage, stdout);
            return 0;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if ((o->config_path = v) == NULL)
                return usage("%s needs a file name", a);
        } else if (strcmp(a, "--state-dir") == 0) {
            if ((o->state_dir = v) == NULL || v[0] == '\0')
                return usage("--state-dir needs a directory%s", "");
        } else if (strcmp(a, "--tool") == 0 || strcmp(a, "--server") == 0 || strcmp(a, "--project") == 0) {
            if (v == NULL || v[0] == '\0')
                return usage("%s needs a name", a);
            if (strcmp(a, "--tool") == 0)
                o->tool = v;
            else if (strcmp(a, "--server") == 0)
                o->server = v;
            else
                o->project = v;
        } else if (strcmp(a, "--status") == 0) {
            int outcome = mg_call_outcome_parse(v);
            if (outcome < 0)
                return usage("--status needs one of ok, tool_error, error or cancelled%s", "");
            o->outcomes |= MG_CALL_BIT(outcome);
        } else if (strcmp(a, "--since") == 0) {
            if (mg_duration_parse(v, MAX_SINCE_S, &o->since_s) != 0)
                return usage("--since needs a duration such as 90s, 15m, 2h or 7d%s", "");
        } else if (strcmp(a, "--limit") == 0) {
            if (parse_limit(v, &o->limit) != 0)
                return usage("--limit needs a number of calls, 1 or more%s", "");
        } else {
            takes = 0;
            if (strcmp(a, "--errors") == 0)
                o->outcomes |= MG_CALLS_NOT_OK;
            else if (strcmp(a, "--slowest") == 0)
                o->slowest = 1;
            else if (strcmp(a, "--stats") == 0)
                o->stats = 1;
            else if (strcmp(a, "--json") == 0)
                o->json = 1;
            else
                return usage("unknown option '%.80s'", a);
        }
        i += takes;
    }
    return -1;
}

/* The store named by O's flags and config into *ST, or NULL and 1 when
 * there is none yet (PATH then says where it would be). -1 after saying
 * why it cannot be read. */
static int
open_store(const struct calls_opts *o, struct mg_store **st, char *path, size_t pathlen)
{
    struct mg_run_flags rf;
    struct mg_config *cfg;
    char dir[4096], err[1024];
    struct stat sb;
    int rc = -1;

    *st = NULL;
    mg_run_flags_init(&rf, 0);
    rf.config_path = o->config_path;
    rf.state_dir = o->state_dir;
    rf.log_level = MG_LOG_WARN; /* no "config: ..." line on a CLI command */
    cfg = mg_run_config(&rf);
    mg_run_flags_free(&rf);
    if (cfg == NULL)
        return -1;
    if (mg_store_dir(cfg->state_dir, dir, sizeof(dir), err, sizeof(err)) != 0) {
        fprintf(stderr, "mcpgate: %s\n", err);
        goto out;
    }
    snprintf(path, pathlen, "%s/%s", dir, MG_STORE_FILE);
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        rc = 1;
        goto out;
    }
    /* Opening also brings the schema of an older mcpgate's store up to
     * date, so that it has a calls table to read. */
    if ((*st = mg_store_open(dir, err, sizeof(err))) == NULL)
        fprintf(stderr, "mcpgate: %s\n", err);
    else
        rc = 0;
out:
    mg_config_free(cfg);
    return rc;
}

/* D microseconds for people: 850us, 12.3ms, 2.41s. */
static void
duration_text(int64_t d, char *out, size_t len)
{
    if (d < 1000)
        snprintf(out, len, "%lldus", (long long)d);
    else if (d < 1000000)
        snprintf(out, len, "%.1fms", (double)d / 1000);
    else
        snprintf(out, len, "%.2fs", (double)d / 1000000);
}

/* A string member of O, or "-" for null. */
static const char *
text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "-";
}

static void
print_calls(const json_t *rows)
{
    const json_t *r;
    size_t i;

    printf("%-23s  %-16s  %-12s  %-12s  %-24s  %9s  %-10s  %s\n", "TIME (UTC)", "KEY", "PROJECT", "SERVER", "TOOL",
           "DURATION", "OUTCOME", "ERROR");
    json_array_foreach (rows, i, r) {
        char when[40], took[32];

        /* "2026-01-02T15:04:05.123Z" as "2026-01-02 15:04:05.123Z". */
        snprintf(when, sizeof(when), "%s", text(r, "time"));
        if (strlen(when) > 10)
            when[10] = ' ';
        duration_text(json_integer_value(json_object_get(r, "duration_us")), took, sizeof(took));
        printf("%-23s  %-16s  %-12s  %-12s  %-24s  %9s  %-10s  %s\n", when, text(r, "key_id"), text(r, "project"),
               text(r, "server"), text(r, "tool"), took, text(r, "outcome"),
               json_is_string(json_object_get(r, "error")) ? text(r, "error") : "");
    }
}

static void
print_stats(const json_t *rows)
{
    const json_t *r;
    size_t i;

    printf("%-12s  %-24s  %8s  %8s  %6s  %9s  %9s  %9s  %9s\n", "SERVER", "TOOL", "CALLS", "ERRORS", "RATE",
           "CANCELLED", "P50", "P95", "MAX");
    json_array_foreach (rows, i, r) {
        char p50[32], p95[32], max[32], rate[16];
        json_int_t errors = json_integer_value(json_object_get(r, "tool_error")) +
                            json_integer_value(json_object_get(r, "error"));

        duration_text(json_integer_value(json_object_get(r, "p50_us")), p50, sizeof(p50));
        duration_text(json_integer_value(json_object_get(r, "p95_us")), p95, sizeof(p95));
        duration_text(json_integer_value(json_object_get(r, "max_us")), max, sizeof(max));
        snprintf(rate, sizeof(rate), "%.1f%%", 100 * json_real_value(json_object_get(r, "error_rate")));
        printf("%-12s  %-24s  %8lld  %8lld  %6s  %9lld  %9s  %9s  %9s\n", text(r, "server"), text(r, "tool"),
               (long long)json_integer_value(json_object_get(r, "count")), (long long)errors, rate,
               (long long)json_integer_value(json_object_get(r, "cancelled")), p50, p95, max);
    }
}

/* SERVER__TOOL, the default tool_name_format and how clients show the
 * names, as a server and a tool: unless --server names another server. */
static void
split_tool(struct calls_opts *o, char **server, const char **tool)
{
    const char *sep = o->tool != NULL ? strstr(o->tool, "__") : NULL;
    size_t n = sep != NULL ? (size_t)(sep - o->tool) : 0;

    *server = NULL;
    *tool = o->tool;
    if (n == 0 || sep[2] == '\0')
        return;
    if (o->server == NULL) {
        *server = mg_strndup(o->tool, n);
        *tool = sep + 2;
    } else if (strlen(o->server) == n && strncmp(o->server, o->tool, n) == 0) {
        *tool = sep + 2;
    }
}

int
mg_cmd_calls(int argc, char **argv)
{
    struct calls_opts o = {0};
    struct mg_calls_filter f = {0};
    struct mg_store *st;
    char path[4200], err[1024];
    char *server = NULL;
    const char *projects[1];
    json_t *rows;
    int rc;

    if ((rc = parse(&o, argc, argv)) >= 0)
        return rc;
    if ((rc = open_store(&o, &st, path, sizeof(path))) < 0)
        return 1;
    if (rc == 1) {
        if (o.json)
            puts("[]");
        else
            fprintf(stderr, "No calls recorded yet: %s does not exist.  mcpgate serve and stdio record every "
                            "tools/call there.\n",
                    path);
        return 0;
    }
    split_tool(&o, &server, &f.tool);
    f.server = server != NULL ? server : o.server;
    f.outcomes = o.outcomes;
    if (o.project != NULL) {
        projects[0] = o.project;
        f.projects = projects;
        f.nprojects = 1;
    }
    if (o.since_s > 0)
        f.since_us = ((int64_t)time(NULL) - (int64_t)o.since_s) * 1000000;
    rows = o.stats ? mg_store_calls_stats(st->db, &f, err, sizeof(err))
                   : mg_store_calls_recent(st->db, &f, o.slowest ? MG_CALLS_SLOWEST : MG_CALLS_NEWEST, o.limit, err,
                                           sizeof(err));
    rc = 0;
    if (rows == NULL) {
        fprintf(stderr, "mcpgate: %s\n", err);
        rc = 1;
    } else if (o.json) {
        json_dumpf(rows, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (json_array_size(rows) == 0) {
        int filtered = f.tool || f.server || f.projects || f.outcomes || f.since_us;
        fprintf(stderr, "No calls %s in %s.  %s\n", filtered ? "match" : "recorded yet", st->path,
                filtered ? "Try fewer options, or a longer --since."
                         : "mcpgate serve and stdio record every tools/call here.");
    } else if (o.stats) {
        print_stats(rows);
    } else {
        print_calls(rows);
    }
    json_decref(rows);
    mg_free(server);
    mg_store_close(st);
    return rc;
}
