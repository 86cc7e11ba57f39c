/*
 * catalog.c - `mcpgate catalog [--json]` and `mcpgate catalog search
 * WORDS...`: the well-known MCP servers that `mcpgate connect` adds.
 */
#include "cli/catalog.h"

#include "cli/commands.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/standalone.h"
#include "util/alloc.h"
#include "util/suggest.h"

static const char usage[] =
    "usage: mcpgate catalog [--json]\n"
    "       mcpgate catalog search WORDS... [--json]\n"
    "\n"
    "List well-known MCP servers that 'mcpgate connect NAME' adds to the\n"
    "config: name, transport (stdio: a program mcpgate runs; streamable-http\n"
    "or sse: a remote server), what it needs to sign in (none; token, held in\n"
    "an environment variable; oauth, which mcpgate cannot do yet) and what it\n"
    "does.  'search' keeps the servers whose name or description holds every\n"
    "word (case does not matter), and exits 1 when none does.\n"
    "\n"
    "options:\n"
    "  --json                 print the entries as JSON, as shipped\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate catalog\n"
    "  mcpgate catalog search files\n"
    "  mcpgate connect --help github\n"
    "  mcpgate connect filesystem -- ~/docs\n";

json_t *
mg_known_servers(void)
{
    json_error_t e;
    json_t *root = json_loadb((const char *)mg_catalog_json, mg_catalog_json_len, 0, &e), *servers;

    servers = json_incref(json_object_get(root, "servers"));
    json_decref(root);
    if (!json_is_array(servers)) {
        fprintf(stderr, "mcpgate: the built-in server catalog does not load (line %d: %s)\n", e.line, e.text);
        json_decref(servers);
        return NULL;
    }
    return servers;
}

const char *
mg_known_str(json_t *entry, const char *key)
{
    const char *s = json_string_value(json_object_get(entry, key));

    return s != NULL ? s : "";
}

const char *
mg_known_auth(json_t *entry)
{
    const char *k = json_string_value(json_object_get(json_object_get(entry, "auth"), "kind"));

    return k != NULL ? k : "none";
}

json_t *
mg_known_find(json_t *servers, const char *name)
{
    struct mg_suggest sg;
    json_t *e;
    size_t i;

    json_array_foreach (servers, i, e)
        if (strcmp(mg_known_str(e, "name"), name) == 0)
            return e;
    mg_suggest_init(&sg, name);
    json_array_foreach (servers, i, e)
        mg_suggest_try(&sg, mg_known_str(e, "name"));
    fprintf(stderr, "mcpgate: no server named '%s' in the catalog", name);
    if (sg.best != NULL)
        fprintf(stderr, "; did you mean '%s'?", sg.best);
    fprintf(stderr, "\nRun 'mcpgate catalog' to list them, or 'mcpgate catalog search WORDS'.\n");
    return NULL;
}

/* Does S hold WORD, without regard to case? */
static int
has_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (; *s != '\0'; s++)
        if (strncasecmp(s, word, n) == 0)
            return 1;
    return 0;
}

/* The table's AUTH column: none, token (VAR), oauth. */
static void
auth_cell(json_t *e, char *buf, size_t len)
{
    const char *kind = mg_known_auth(e);

    if (strcmp(kind, "token") == 0)
        snprintf(buf, len, "token %s", json_string_value(json_object_get(json_object_get(e, "auth"), "env")));
    else
        snprintf(buf, len, "%s", kind);
}

static void
print_table(json_t *rows)
{
    int wname = mg_cli_width(rows, "name", 4), wtrans = mg_cli_width(rows, "transport", 9), wauth = 4;
    struct winsize ws;
    int cols = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 0;
    char auth[128];
    size_t i;
    json_t *e;

    json_array_foreach (rows, i, e) {
        auth_cell(e, auth, sizeof(auth));
        if ((int)strlen(auth) > wauth)
            wauth = (int)strlen(auth);
    }
    printf("%-*s  %-*s  %-*s  %s\n", wname, "NAME", wtrans, "TRANSPORT", wauth, "AUTH", "DESCRIPTION");
    json_array_foreach (rows, i, e) {
        const char *d = mg_known_str(e, "description");
        int dlen = (int)strcspn(d, "\n"), room = cols - (wname + wtrans + wauth + 6);

        auth_cell(e, auth, sizeof(auth));
        /* On a terminal, the description stops at its edge. */
        if (cols > 0 && room > 3 && dlen > room)
            printf("%-*s  %-*s  %-*s  %.*s...\n", wname, mg_known_str(e, "name"), wtrans, mg_known_str(e, "transport"),
                   wauth, auth, room - 3, d);
        else
            printf("%-*s  %-*s  %-*s  %.*s\n", wname, mg_known_str(e, "name"), wtrans, mg_known_str(e, "transport"),
                   wauth, auth, dlen, d);
    }
}

int
mg_cmd_catalog(int argc, char **argv)
{
    const char **words = mg_calloc((size_t)argc + 1, sizeof(*words));
    size_t nwords = 0, i;
    int json = 0, search = 0, rc = 0;
    json_t *servers = NULL, *rows = NULL, *e;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
            fputs(usage, stdout);
            goto out;
        }
        if (strcmp(argv[a], "--json") == 0) {
            json = 1;
        } else if (argv[a][0] == '-') {
            fprintf(stderr, "mcpgate: unknown option '%s'\nRun 'mcpgate catalog --help' for usage.\n", argv[a]);
            rc = 2;
            goto out;
        } else if (!search && nwords == 0 && strcmp(argv[a], "search") == 0) {
            search = 1;
        } else if (search) {
            words[nwords++] = argv[a];
        } else {
            fprintf(stderr, "mcpgate: catalog takes no NAME; 'mcpgate catalog search %s' finds servers by words\n",
                    argv[a]);
            rc = 2;
            goto out;
        }
    }
    if (search && nwords == 0) {
        fprintf(stderr, "mcpgate: catalog search needs WORDS, e.g. 'mcpgate catalog search files'\n");
        rc = 2;
        goto out;
    }
    if ((servers = mg_known_servers()) == NULL) {
        rc = 1;
        goto out;
    }
    rows = json_array();
    json_array_foreach (servers, i, e) {
        size_t w;
        for (w = 0; w < nwords; w++)
            if (!has_word(mg_known_str(e, "name"), words[w]) && !has_word(mg_known_str(e, "description"), words[w]))
                break;
        if (w == nwords)
            json_array_append(rows, e);
    }
    if (json) {
        char *text = json_dumps(rows, JSON_INDENT(2));
        puts(text);
        free(text);
    }
    if (json_array_size(rows) == 0) {
        if (!json)
            fprintf(stderr, "No server in the catalog matches every word; 'mcpgate catalog' lists them all.\n");
        rc = 1;
    } else if (!json) {
        print_table(rows);
        printf("\nAdd one with: mcpgate connect NAME  ('mcpgate connect NAME --help' says what it needs)\n");
    }
out:
    json_decref(rows);
    json_decref(servers);
    mg_free(words);
    return rc;
}
