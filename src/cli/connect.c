/*
 * connect.c - `mcpgate connect NAME`: a server of the built-in catalog
 * (catalog.h) added to the config through the same code as `mcpgate add`.
 *
 * Secrets are never written: a server that takes a token gets a header
 * (url servers) or an environment variable (stdio servers) holding
 * "${VAR}", and the user is told to set VAR.  mcpgate has no OAuth client
 * yet, so a server that only signs in with OAuth is refused.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/add.h"
#include "cli/catalog.h"
#include "cli/run.h"
#include "config/config.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: mcpgate connect NAME [options] [-- ARGS...]\n"
    "\n"
    "Add server NAME of 'mcpgate catalog' to the config, as 'mcpgate add'\n"
    "would with its command or URL.  A server that needs a token gets it from\n"
    "an environment variable: the config holds ${VAR}, never the secret, and\n"
    "connect says which VAR to set.  Servers that take arguments (filesystem:\n"
    "the directories it may use) get them after --.  'mcpgate connect NAME\n"
    "--help' shows what NAME needs.  Servers that sign in only with OAuth\n"
    "cannot be connected yet: mcpgate has no OAuth client.\n"
    "\n"
    "options:\n"
    "  --name LOCAL           the server's name in the config (default: NAME)\n"
    "  -c, --config FILE      the config file (default: as for serve, else\n"
    "                         ./mcpgate.yaml)\n"
    "  -h, --help             show this help, or NAME's\n"
    "\n"
    "examples:\n"
    "  mcpgate connect deepwiki\n"
    "  mcpgate connect filesystem -- ~/docs ~/projects\n"
    "  mcpgate connect github --name gh      # then: export GITHUB_TOKEN=...\n";

/* A usage error of `connect`: the exit code 2, after saying so. */
#define bad(...) mg_cli_usage("connect", __VA_ARGS__)

/* What E needs and does, for `connect NAME --help`. */
static void
entry_help(json_t *e)
{
    json_t *auth = json_object_get(e, "auth"), *extra = json_object_get(e, "extra_args"), *a;
    const char *kind = mg_known_auth(e), *name = mg_known_str(e, "name");
    size_t i;

    printf("%s - %s\n\n", name, mg_known_str(e, "description"));
    if (json_object_get(e, "url") != NULL) {
        printf("  url:        %s (%s)\n", mg_known_str(e, "url"), mg_known_str(e, "transport"));
    } else {
        printf("  command:    %s", mg_known_str(e, "command"));
        json_array_foreach (json_object_get(e, "args"), i, a)
            printf(" %s", json_string_value(a));
        printf("%s%s\n", extra ? " " : "", extra ? mg_known_str(extra, "usage") : "");
    }
    if (extra != NULL)
        printf("  arguments:  after --, %s: %s%s\n", mg_known_str(extra, "usage"), mg_known_str(extra, "help"),
               json_is_true(json_object_get(extra, "required")) ? " (required)" : "");
    if (strcmp(kind, "token") == 0)
        printf("  sign-in:    a token in $%s: %s\n", mg_known_str(auth, "env"), mg_known_str(auth, "help"));
    else if (strcmp(kind, "oauth") == 0)
        printf("  sign-in:    OAuth only, which mcpgate cannot do yet: it cannot be connected\n");
    else
        printf("  sign-in:    none\n");
    printf("  homepage:   %s\n\nexample:\n  mcpgate connect %s%s%s\n", mg_known_str(e, "homepage"), name,
           extra ? " -- " : "", extra ? mg_known_str(extra, "usage") : "");
}

/* Add entry E as LOCAL with the ARGS after --.  Returns the exit code. */
static int
connect_entry(json_t *e, const char *local, const char *config, char **args, size_t nargs)
{
    json_t *auth = json_object_get(e, "auth"), *extra = json_object_get(e, "extra_args"), *a;
    const char *kind = mg_known_auth(e), *name = mg_known_str(e, "name"), *env = mg_known_str(auth, "env");
    struct mg_cfgedit_server s = {0};
    struct mg_config_kv cred;
    char ref[160], desc[256];
    const char **argv = NULL;
    size_t i, n = 0;
    int rc;

    if (strcmp(kind, "oauth") == 0) {
        fprintf(stderr,
                "mcpgate: %s signs in with OAuth only, and mcpgate has no OAuth client yet, so it cannot connect to "
                "%s.\nSee %s for other ways to use it.\n",
                name, name, mg_known_str(e, "homepage"));
        return 1;
    }
    if (extra == NULL && nargs > 0)
        return bad("%s takes no arguments after --", name);
    if (extra != NULL && nargs == 0 && json_is_true(json_object_get(extra, "required"))) {
        fprintf(stderr, "mcpgate: %s needs %s after --: %s, e.g.\n  mcpgate connect %s -- %s\n", name,
                mg_known_str(extra, "usage"), mg_known_str(extra, "help"), name, mg_known_str(extra, "usage"));
        return 2;
    }
    s.name = local != NULL ? local : name;
    if (!mg_config_name_ok(s.name))
        return bad("'%s' cannot be a server name: 1 to 64 letters, digits, '_' or '-'", s.name);
    snprintf(desc, sizeof(desc), "%.*s", (int)strcspn(mg_known_str(e, "description"), "\n"),
             mg_known_str(e, "description"));
    s.description = desc;
    if (json_object_get(e, "url") != NULL) {
        s.url = mg_known_str(e, "url");
        s.transport = mg_known_str(e, "transport");
    } else {
        json_t *fixed = json_object_get(e, "args");
        argv = mg_calloc(json_array_size(fixed) + nargs + 1, sizeof(*argv));
        json_array_foreach (fixed, i, a)
            argv[n++] = json_string_value(a);
        for (i = 0; i < nargs; i++)
            argv[n++] = args[i];
        s.command = mg_known_str(e, "command");
        s.args = argv;
        s.nargs = n;
    }
    if (strcmp(kind, "token") == 0) {
        /* The reference, never the secret. */
        snprintf(ref, sizeof(ref), "${%s}", env);
        cred.key = (char *)(s.url != NULL ? mg_known_str(auth, "header") : env);
        cred.value = (char *)(s.url != NULL ? mg_known_str(auth, "value") : ref);
        if (s.url != NULL) {
            s.headers = &cred;
            s.nheaders = 1;
        } else {
            s.env = &cred;
            s.nenv = 1;
        }
    }
    rc = mg_cli_add_server(config, &s);
    if (rc == 0 && strcmp(kind, "token") == 0) {
        const char *v = getenv(env);
        printf("%s needs %s in $%s, %s: export %s=...%s\n", name, mg_known_str(auth, "help"), env,
               v != NULL && v[0] != '\0' ? "which is set" : "which is not set yet", env,
               json_is_true(json_object_get(auth, "oauth"))
                   ? "\n(It also offers OAuth sign-in, which mcpgate cannot do yet; the token works instead.)"
                   : "");
    }
    mg_free(argv);
    return rc;
}

int
mg_cmd_connect(int argc, char **argv)
{
    const char *name = NULL, *local = NULL, *config = NULL;
    char **args = NULL;
    size_t nargs = 0;
    int help = 0, rc;
    json_t *servers, *e;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            args = &argv[i + 1];
            nargs = (size_t)(argc - i - 1);
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help = 1;
        } else if (strcmp(a, "--name") == 0 || strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (i + 1 >= argc)
                return bad("%s needs a value", a);
            *(strcmp(a, "--name") == 0 ? &local : &config) = argv[++i];
        } else if (a[0] == '-') {
            return bad("unknown option '%s' (arguments for the server go after --)", a);
        } else if (name != NULL) {
            return bad("one catalog NAME only, got '%s' too (arguments for the server go after --)", a);
        } else {
            name = a;
        }
    }
    if (help && name == NULL) {
        fputs(usage, stdout);
        return 0;
    }
    if (name == NULL)
        return bad("which server? Give a NAME from 'mcpgate catalog'%s", "");
    if ((servers = mg_known_servers()) == NULL)
        return 1;
    if ((e = mg_known_find(servers, name)) == NULL)
        rc = 2;
    else if (help)
        entry_help(e), rc = 0;
    else
        rc = connect_entry(e, local, config, args, nargs);
    json_decref(servers);
    return rc;
}
