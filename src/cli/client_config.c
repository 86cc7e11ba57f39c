/*
 * client_config.c - `mcpgate client-config CLIENT`: the snippet that
 * connects an MCP client to this gateway (the clients and their formats
 * are in client_formats.c).
 *
 * The snippet alone goes to standard output, so that it can be written
 * to a file; where it goes, how the key reaches the client and anything
 * to watch for go to standard error, as comments.  The URL is the
 * config's listen address (read as serve reads it), or --url.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/client_config.h"
#include "cli/run.h"
#include "config/config.h"
#include "util/suggest.h"

#define DEFAULT_NAME "mcpgate"
#define DEFAULT_KEY_ENV "MCPGATE_API_KEY"
#define MAX_URL 2048
#define CMD "client-config"

static const char usage_head[] =
    "usage: mcpgate client-config [options] CLIENT\n"
    "\n"
    "Print what connects CLIENT to this gateway over Streamable HTTP, ready to\n"
    "paste into its configuration.  The snippet alone goes to standard output;\n"
    "where it goes and how the client gets the API key go to standard error.\n"
    "The key is never written out: the snippet names the environment variable\n"
    "the client reads it from.\n"
    "\n"
    "clients:\n";

static const char usage_tail[] =
    "\n"
    "options:\n"
    "  --url URL              the gateway's endpoint (default: from the config's\n"
    "                         listen, http://127.0.0.1:8808/mcp)\n"
    "  --project P            the endpoint of the config's project P:\n"
    "                         http://HOST:PORT/p/P/mcp\n"
    "  --name NAME            the gateway's name in the client: letters, digits,\n"
    "                         '.', '_' and '-' (default mcpgate)\n"
    "  --key-env VAR          the environment variable holding the API key\n"
    "                         (default MCPGATE_API_KEY)\n"
    "  --no-key               no Authorization header, for a gateway that needs\n"
    "                         no key: on loopback, without auth: required\n"
    "  -c, --config FILE      the config file (as for serve), for listen, auth\n"
    "                         and the projects\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate client-config cursor\n"
    "  mcpgate client-config claude-code --project web > .mcp.json\n"
    "  mcpgate client-config codex --url https://mcp.example.com/mcp --key-env TEAM_MCP_KEY\n"
    "  mcpgate client-config gemini --no-key\n";

struct opts {
    const char *client, *url, *project, *name, *key_env, *config_path;
    int no_key;
};

static void
list_clients(FILE *f)
{
    for (size_t i = 0; i < mg_nclients; i++)
        fprintf(f, "  %-12s %s\n", mg_clients[i].name, mg_clients[i].summary);
}

/* 1..MAX characters, each a letter, a digit or one of EXTRA; FIRST_DIGIT:
 * whether it may start with a digit. */
static int
word_ok(const char *s, size_t max, const char *extra, int first_digit)
{
    size_t n = strlen(s);

    if (n == 0 || n > max || (!first_digit && s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(extra, *p) != NULL))
            return 0;
    return 1;
}

/* An http(s) URL without spaces or control characters. */
static int
url_ok(const char *s)
{
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        return 0;
    if (strlen(s) > MAX_URL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* argv into O; -1 to go on, or the exit code. */
static int
parse(struct opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL, **dst = NULL;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_head, stdout);
            list_clients(stdout);
            fputs(usage_tail, stdout);
            return 0;
        } else if (strcmp(a, "--no-key") == 0) {
            o->no_key = 1;
            continue;
        } else if (strcmp(a, "--url") == 0) {
            dst = &o->url;
        } else if (strcmp(a, "--project") == 0) {
            dst = &o->project;
        } else if (strcmp(a, "--name") == 0) {
            dst = &o->name;
        } else if (strcmp(a, "--key-env") == 0) {
            dst = &o->key_env;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            dst = &o->config_path;
        } else if (a[0] == '-') {
            return mg_cli_usage(CMD, "unknown option '%s'", a);
        } else if (o->client != NULL) {
            return mg_cli_usage(CMD, "one client at a time ('%s' is one too many)", a);
        } else {
            o->client = a;
            continue;
        }
        if (v == NULL)
            return mg_cli_usage(CMD, "%s needs a value", a);
        *dst = v;
        i++;
    }
    return -1;
}

/* The options that need no config; -1 to go on, or the exit code. */
static int
check(const struct opts *o)
{
    if (!word_ok(o->name, 64, "._-", 1))
        return mg_cli_usage(CMD, "--name needs 1 to 64 letters, digits, '.', '_' or '-', not '%s'", o->name);
    if (o->key_env != NULL && o->no_key)
        return mg_cli_usage(CMD, "--key-env and --no-key do not go together");
    if (o->key_env != NULL && !word_ok(o->key_env, 128, "_", 0))
        return mg_cli_usage(CMD, "--key-env needs an environment variable's name, e.g. MCPGATE_API_KEY, not '%s'",
                            o->key_env);
    if (o->url != NULL && !url_ok(o->url))
        return mg_cli_usage(CMD, "--url needs an http:// or https:// URL without spaces, not '%s'", o->url);
    if (o->url != NULL && o->project != NULL)
        return mg_cli_usage(CMD, "--url is the whole endpoint, with the project in it if any: e.g. "
                     "https://mcp.example.com/p/web/mcp, without --project");
    if (o->project != NULL && !word_ok(o->project, 64, "_-", 1))
        return mg_cli_usage(CMD, "--project needs a project's name: letters, digits, '_' or '-', not '%s'", o->project);
    return -1;
}

/* The client O names, or NULL after saying which ones there are. */
static const struct mg_client *
client(const struct opts *o)
{
    const struct mg_client *c = mg_client_find(o->client);
    struct mg_suggest s;

    if (c != NULL)
        return c;
    mg_suggest_init(&s, o->client);
    for (size_t i = 0; i < mg_nclients; i++)
        mg_suggest_try(&s, mg_clients[i].name);
    fprintf(stderr, "mcpgate: unknown client '%s'", o->client);
    if (s.best != NULL)
        fprintf(stderr, " (did you mean '%s'?)", s.best);
    fputs("; the clients are:\n", stderr);
    list_clients(stderr);
    return NULL;
}

/* 0 when CFG has the project O names (or defines none: then projects are
 * only the keys' labels); else 2 after saying so. */
static int
check_project(const struct mg_config *cfg, const char *project)
{
    struct mg_suggest s;

    if (project == NULL || cfg->nprojects == 0)
        return 0;
    mg_suggest_init(&s, project);
    for (size_t i = 0; i < cfg->nprojects; i++) {
        if (strcmp(cfg->projects[i].name, project) == 0)
            return 0;
        mg_suggest_try(&s, cfg->projects[i].name);
    }
    fprintf(stderr, "mcpgate: the config has no project '%s'", project);
    if (s.best != NULL)
        fprintf(stderr, " (did you mean '%s'?)", s.best);
    fputs(".\n", stderr);
    return 2;
}

/* Loopback as serve decides it (transport/http_server.c). */
static int
loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/*
 * The endpoint of CFG's listen address (with PROJECT's path) into URL,
 * with a word on ERR when clients elsewhere need another one.  An address
 * that is every address becomes this machine's loopback.
 */
static void
endpoint(const struct mg_config *cfg, const char *project, char *url, size_t len, FILE *err)
{
    const char *host = cfg->listen_host;
    int v6 = strchr(host, ':') != NULL;

    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0) {
        host = v6 ? "::1" : "127.0.0.1";
        fprintf(err, "# The gateway listens on every address (listen: %s): this URL works on its own machine;\n"
                     "# from elsewhere, give the one clients reach with --url.\n", cfg->listen);
    }
    if (cfg->listen_port == 0)
        fprintf(err, "# listen: %s picks a free port when the gateway starts: give the URL with --url.\n",
                cfg->listen);
    snprintf(url, len, "http://%s%s%s:%u%s%s/mcp", v6 ? "[" : "", host, v6 ? "]" : "", cfg->listen_port,
             project != NULL ? "/p/" : "", project != NULL ? project : "");
}

/* Say whether the gateway of CFG needs the key the snippet sends (or
 * does not send). */
static void
key_note(const struct mg_config *cfg, const struct opts *o, FILE *err)
{
    int needed = cfg->auth == MG_CONFIG_AUTH_REQUIRED || !loopback(cfg->listen_host);

    if (!needed && !o->no_key)
        fprintf(err, "# This gateway (listen: %s, auth: auto) takes calls without a key;\n"
                     "# 'mcpgate client-config %s --no-key' prints the snippet without one.\n",
                cfg->listen, o->client);
    else if (needed && o->no_key)
        fprintf(err, "# This gateway needs an API key (%s): without one it refuses every call (401).\n",
                cfg->auth == MG_CONFIG_AUTH_REQUIRED ? "auth: required" : "it does not listen on loopback");
}

/* The config of O (NULL after saying why, exit 1). */
static struct mg_config *
config(const struct opts *o)
{
    struct mg_run_flags rf;
    struct mg_config *cfg;

    mg_run_flags_init(&rf, 0);
    rf.config_path = o->config_path;
    rf.log_level = MG_LOG_WARN; /* no "config: ..." line */
    cfg = mg_run_config(&rf);
    mg_run_flags_free(&rf);
    return cfg;
}

int
mg_cmd_client_config(int argc, char **argv)
{
    struct opts o = {.name = DEFAULT_NAME};
    struct mg_client_ask ask;
    const struct mg_client *c;
    struct mg_config *cfg = NULL;
    char url[MAX_URL + 256];
    int rc;

    if ((rc = parse(&o, argc, argv)) >= 0 || (rc = check(&o)) >= 0)
        return rc;
    rc = 0;
    if (o.client == NULL) {
        fputs("The clients 'mcpgate client-config CLIENT' knows:\n", stdout);
        list_clients(stdout);
        return 0;
    }
    if ((c = client(&o)) == NULL)
        return 2;
    /* With --url the config has nothing to say. */
    if (o.url == NULL && (cfg = config(&o)) == NULL)
        return 1;
    if (cfg != NULL && (rc = check_project(cfg, o.project)) != 0)
        goto out;
    ask.name = o.name;
    ask.key_env = o.no_key ? NULL : o.key_env != NULL ? o.key_env : DEFAULT_KEY_ENV;
    ask.url = o.url;
    fputs(c->where, stderr);
    if (cfg != NULL) {
        endpoint(cfg, o.project, url, sizeof(url), stderr);
        ask.url = url;
    }
    c->print(c, &ask, stdout, stderr);
    fflush(stdout);
    mg_client_key_line(c, &ask, stderr);
    if (cfg != NULL)
        key_note(cfg, &o, stderr);
out:
    mg_config_free(cfg);
    return rc;
}
