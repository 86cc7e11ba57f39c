/*
 * add.c - `mcpgate add NAME --url URL` and `mcpgate add NAME -- COMMAND
 * ARGS...`: a server appended to the config file, the rest of the file
 * kept as it was (config_edit.c).
 */
#include "cli/add.h"

#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_write.h"
#include "cli/run.h"
#include "config/config.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: mcpgate add NAME --url URL [options]\n"
    "       mcpgate add NAME [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Add a server to the config's servers list: an HTTP server (--url) or a\n"
    "program speaking MCP on stdin/stdout (the command after --).  The rest of\n"
    "the file, comments included, is kept as it is; the new entry is checked\n"
    "with the config loader before the file is replaced.  With no config file\n"
    "yet, ./mcpgate.yaml is created with only the servers list.\n"
    "\n"
    "Values are written as given: write secrets as ${VAR} (quoted in the\n"
    "shell) so that the config keeps the reference and the secret stays in\n"
    "the environment.\n"
    "\n"
    "options:\n"
    "  --url URL              the server's MCP endpoint (http:// or https://)\n"
    "  --header NAME=VALUE    an HTTP header for a url server (repeatable)\n"
    "  --transport T          auto (default), streamable-http or sse\n"
    "  --env NAME=VALUE       an environment variable for a command server\n"
    "                         (repeatable)\n"
    "  --cwd DIR              the directory a command server runs in\n"
    "  --include TOOL         offer only these tools (repeatable or\n"
    "                         comma-separated; '*' matches any text)\n"
    "  --exclude TOOL         hide these tools (repeatable or comma-separated)\n"
    "  --timeout SECONDS      longest a tool call may take (default 60)\n"
    "  --description TEXT     for people reading the list of servers\n"
    "  --disabled             add it with enabled: false\n"
    "  -c, --config FILE      the config file (default: as for serve, else\n"
    "                         ./mcpgate.yaml)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate add everything -- npx -y @modelcontextprotocol/server-everything\n"
    "  mcpgate add files --exclude write_file,move_file -- npx -y @modelcontextprotocol/server-filesystem ~/docs\n"
    "  mcpgate add github --url https://api.githubcopilot.com/mcp/ --header 'Authorization=Bearer ${GITHUB_TOKEN}'\n"
    "  mcpgate add deepwiki --url https://mcp.deepwiki.com/mcp --description 'Docs of public GitHub repos'\n";

/* "stdio: npx -y ..." or "streamable-http: https://..." into BUF. */
static void
summary(const struct mg_cfgedit_server *s, char *buf, size_t len)
{
    size_t used;

    if (s->url != NULL) {
        snprintf(buf, len, "%s: %s", s->transport != NULL ? s->transport : "http", s->url);
        return;
    }
    used = (size_t)snprintf(buf, len, "stdio: %s", s->command);
    for (size_t i = 0; i < s->nargs && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, " %s", s->args[i]);
    if (used >= len && len > 4)
        memcpy(buf + len - 4, "...", 4);
}

int
mg_cli_add_server(const char *flag, const struct mg_cfgedit_server *s)
{
    char path[4096], shown[4200], err[256], what[512], done[4900];
    struct mg_cfgedit_out out;
    enum mg_cfgedit_rc rc;
    size_t len = 0;
    char *text;
    int exists, code;

    mg_cfgfile_path(flag, path, sizeof(path), &exists);
    mg_cfgfile_shown(path, shown, sizeof(shown));
    text = exists ? mg_cfgfile_read(path, &len) : mg_strdup("");
    if (text == NULL)
        return 1;
    rc = mg_cfgedit_add(text, len, s, &out, err, sizeof(err));
    mg_free(text);
    if (rc == MG_CFGEDIT_DUPLICATE) {
        fprintf(stderr, "mcpgate: %s already has a server named '%s'; pick another name, or 'mcpgate remove %s' first\n",
                mg_cfgfile_shown(path, shown, sizeof(shown)), s->name, s->name);
        return 2;
    }
    if (rc != MG_CFGEDIT_OK) {
        fprintf(stderr, "mcpgate: cannot add to %s safely: %s.\nEdit the file by hand (docs/config.md).\n",
                mg_cfgfile_shown(path, shown, sizeof(shown)), err);
        return 1;
    }
    if (!exists)
        printf("created %s with a servers list\n", mg_cfgfile_shown(path, shown, sizeof(shown)));
    summary(s, what, sizeof(what));
    snprintf(done, sizeof(done), "added server \"%s\" (%s) to %s%s", s->name, what,
             mg_cfgfile_shown(path, shown, sizeof(shown)), s->disabled ? ", disabled" : "");
    code = mg_cfgfile_commit(path, out.text, out.len, done);
    mg_cfgedit_out_free(&out);
    if (code == 0) {
        if (s->disabled)
            printf("Enable it with: mcpgate enable %s\n", s->name);
        else
            printf("Check it with: mcpgate tools %s%s%s\n", s->name, flag ? " --config " : "", flag ? flag : "");
    }
    return code;
}

/* The command line of `add`, its lists sized for argc entries. */
struct add_args {
    struct mg_cfgedit_server s;
    const char *config;
    struct mg_config_kv *headers, *env;
    const char **include, **exclude;
};

/* A usage error of `add`: the exit code 2, after saying so. */
#define bad(...) mg_cli_usage("add", __VA_ARGS__)

/* NAME=VALUE into KV (pointing into ARG, which is split in place). */
static int
pair(char *arg, struct mg_config_kv *kv, const char *opt)
{
    char *eq = strchr(arg, '=');

    if (eq == NULL || eq == arg)
        return bad(opt[2] == 'h' ? "--header needs NAME=VALUE, e.g. 'Authorization=Bearer ${TOKEN}', got '%s'"
                                 : "--env needs NAME=VALUE, e.g. LOG_LEVEL=debug, got '%s'",
                   arg);
    *eq = '\0';
    kv->key = arg;
    kv->value = eq + 1;
    return 0;
}

/* Each comma-separated name of ARG (split in place) into V[*N]. */
static void
names(char *arg, const char **v, size_t *n)
{
    char *p = arg;

    for (;;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p != '\0')
            v[(*n)++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
}

/* Seconds as the config takes them: digits with at most one '.', more
 * than 0 and at most a day. */
static int
seconds_ok(const char *v)
{
    char *end;
    double d;

    if (v[0] < '0' || v[0] > '9' || strspn(v, "0123456789.") != strlen(v))
        return 0;
    d = strtod(v, &end);
    return *end == '\0' && d > 0 && d <= 86400;
}

/* Parse argv into A.  -1 to go on, or the exit code. */
static int
parse(struct add_args *a, int argc, char **argv)
{
    struct mg_cfgedit_server *s = &a->s;
    int i;

    for (i = 1; i < argc; i++) {
        char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(o, "--") == 0) {
            if (i + 1 >= argc)
                return bad("a command is needed after --%s", "");
            s->command = argv[i + 1];
            s->args = (const char *const *)&argv[i + 2];
            s->nargs = (size_t)(argc - i - 2);
            break;
        }
        if (strcmp(o, "--disabled") == 0) {
            s->disabled = 1;
            continue;
        }
        if (o[0] != '-') {
            if (s->name != NULL)
                return bad("add takes one NAME, got '%s' too (put the command after --)", o);
            s->name = o;
            continue;
        }
        if (strcmp(o, "-c") != 0 && strcmp(o, "--config") != 0 && strcmp(o, "--url") != 0 &&
            strcmp(o, "--header") != 0 && strcmp(o, "--transport") != 0 && strcmp(o, "--env") != 0 &&
            strcmp(o, "--cwd") != 0 && strcmp(o, "--include") != 0 && strcmp(o, "--exclude") != 0 &&
            strcmp(o, "--timeout") != 0 && strcmp(o, "--description") != 0)
            return bad("unknown option '%s'", o);
        if (v == NULL)
            return bad("%s needs a value", o);
        i++;
        if (strcmp(o, "-c") == 0 || strcmp(o, "--config") == 0) {
            a->config = v;
        } else if (strcmp(o, "--url") == 0) {
            s->url = v;
        } else if (strcmp(o, "--header") == 0) {
            if (pair(v, &a->headers[s->nheaders++], o) != 0)
                return 2;
        } else if (strcmp(o, "--env") == 0) {
            if (pair(v, &a->env[s->nenv++], o) != 0)
                return 2;
        } else if (strcmp(o, "--transport") == 0) {
            if (strcmp(v, "auto") != 0 && strcmp(v, "streamable-http") != 0 && strcmp(v, "sse") != 0)
                return bad("--transport takes auto, streamable-http or sse, got '%s'", v);
            s->transport = v;
        } else if (strcmp(o, "--cwd") == 0) {
            s->cwd = v;
        } else if (strcmp(o, "--include") == 0) {
            names(v, a->include, &s->ninclude_tools);
        } else if (strcmp(o, "--exclude") == 0) {
            names(v, a->exclude, &s->nexclude_tools);
        } else if (strcmp(o, "--timeout") == 0) {
            if (!seconds_ok(v))
                return bad("--timeout takes a number of seconds, more than 0 and at most 86400, got '%s'", v);
            s->timeout = v;
        } else {
            s->description = v;
        }
    }
    if (s->name == NULL)
        return bad("add needs a NAME for the server%s", "");
    if (!mg_config_name_ok(s->name))
        return bad("'%s' cannot be a server name: 1 to 64 letters, digits, '_' or '-'", s->name);
    if (s->url != NULL && s->command != NULL)
        return bad("give either --url or a command after --, not both (server '%s')", s->name);
    if (s->url == NULL && s->command == NULL)
        return bad("server '%s' needs --url URL or a command after --", s->name);
    if (s->command != NULL && (s->nheaders > 0 || s->transport != NULL))
        return bad("--header and --transport are for url servers; '%s' is a command server", s->name);
    if (s->url != NULL && (s->nenv > 0 || s->cwd != NULL))
        return bad("--env and --cwd are for command servers; '%s' is a url server", s->name);
    return -1;
}

int
mg_cmd_add(int argc, char **argv)
{
    struct add_args a;
    size_t n = (size_t)argc + 1;
    int rc;

    memset(&a, 0, sizeof(a));
    a.headers = mg_calloc(n, sizeof(*a.headers));
    a.env = mg_calloc(n, sizeof(*a.env));
    /* Comma-separated names: at most one per byte of the arguments. */
    size_t total = 0;
    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    a.include = mg_calloc(total + 1, sizeof(*a.include));
    a.exclude = mg_calloc(total + 1, sizeof(*a.exclude));
    a.s.headers = a.headers;
    a.s.env = a.env;
    a.s.include_tools = a.include;
    a.s.exclude_tools = a.exclude;
    rc = parse(&a, argc, argv);
    if (rc < 0)
        rc = mg_cli_add_server(a.config, &a.s);
    mg_free(a.headers);
    mg_free(a.env);
    mg_free(a.include);
    mg_free(a.exclude);
    return rc;
}
