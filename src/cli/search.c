/*
 * search.c - `mcpgate search WORDS...`: the tools of the config's servers
 * that best match WORDS, best first, found by connecting to the servers
 * in-process like `tools` and asking the gateway's search index.
 */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/standalone.h"
#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "gateway/search.h"
#include "util/alloc.h"
#include "util/limits.h"

#define DEFAULT_LIMIT 10

static const char usage[] =
    "usage: mcpgate search WORDS... [options]\n"
    "\n"
    "Connect to the servers of the config and search their tools: names,\n"
    "titles, descriptions and parameter names.  One line per match, best\n"
    "first: server, tool name as the server calls it, and the first line of\n"
    "its description.  Any of the words may match; a tool matching more of\n"
    "them, or matching in its name rather than its description, comes first.\n"
    "The last word also matches as a prefix ('iss' finds 'issue').  Finding\n"
    "nothing is not an error: it is said, and the exit code is 0.\n"
    "\n"
    "options:\n"
    "  --server SERVER        only the tools of SERVER\n"
    "  --limit N              at most N matches (default 10, at most 1000)\n"
    "  --json                 print the matches as a JSON array of {server,\n"
    "                         tool, name, title, description, score}; name is\n"
    "                         what clients of the gateway call the tool\n";

static const char usage_tail[] =
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate search issue\n"
    "  mcpgate search create pull request --server github\n"
    "  mcpgate search echo --limit 1 --json | jq -r '.[0].name'\n";

struct search_opts {
    const char *server; /* --server, or NULL */
    size_t limit;       /* --limit */
    char *words;        /* every word given, joined by spaces; NULL: none */
    int only_words;     /* after "--": every argument is a word */
};

static enum mg_run_opt
usage_error(const char *what)
{
    fprintf(stderr, "mcpgate: %s\nRun 'mcpgate search --help' for usage.\n", what);
    return MG_OPT_BAD;
}

static void
add_word(struct search_opts *o, const char *w)
{
    size_t have = o->words ? strlen(o->words) : 0, n = strlen(w);

    o->words = mg_realloc(o->words, have + n + 2);
    if (have > 0)
        o->words[have++] = ' ';
    memcpy(o->words + have, w, n + 1);
}

static enum mg_run_opt
take_option(void *ctx, int argc, char **argv, int *i)
{
    struct search_opts *o = ctx;
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

    if (o->only_words || a[0] != '-') {
        add_word(o, a);
        return MG_OPT_TAKEN;
    }
    if (strcmp(a, "--") == 0) {
        o->only_words = 1;
        return MG_OPT_TAKEN;
    }
    if (strcmp(a, "--server") == 0) {
        if (v == NULL || v[0] == '\0' || v[0] == '-')
            return usage_error("--server needs a server name, e.g. --server github");
        o->server = v;
        (*i)++;
        return MG_OPT_TAKEN;
    }
    if (strcmp(a, "--limit") == 0) {
        char *end;
        unsigned long n;
        errno = 0;
        n = v != NULL && v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
        if (n == 0 || errno != 0 || *end != '\0' || n > MG_MAX_SEARCH_RESULTS)
            return usage_error("--limit needs a number from 1 to 1000, e.g. --limit 20");
        o->limit = n;
        (*i)++;
        return MG_OPT_TAKEN;
    }
    return MG_OPT_UNKNOWN;
}

/* Words that cannot be searched for are a usage error, said before any
 * server is started. */
static int
check_words(void *ctx)
{
    struct search_opts *o = ctx;
    char err[256];

    if (o->words == NULL) {
        usage_error("search needs words to look for, e.g. 'mcpgate search issue'");
        return 2;
    }
    if (mg_search_check(o->words, err, sizeof(err)) != MG_SEARCH_OK) {
        usage_error(err);
        return 2;
    }
    return -1;
}

static int
only_server(void *ctx, const struct mg_tool *t)
{
    return strcmp(t->bundle->ns, (const char *)ctx) == 0;
}

static void
print_hits(json_t *hits)
{
    int wserver = mg_cli_width(hits, "server", 6), wtool = mg_cli_width(hits, "tool", 4);
    size_t i;
    json_t *h;

    printf("%-*s  %-*s  %s\n", wserver, "SERVER", wtool, "TOOL", "DESCRIPTION");
    json_array_foreach (hits, i, h) {
        const char *tool = json_string_value(json_object_get(h, "tool"));
        printf("%-*s  ", wserver, json_string_value(json_object_get(h, "server")));
        mg_cli_print_text(stdout, tool, 0);
        printf("%*s  ", wtool - (int)strlen(tool), "");
        mg_cli_print_text(stdout, json_string_value(json_object_get(h, "description")), 0);
        putchar('\n');
    }
}

static int
search(struct mg_standalone *st, const struct search_opts *o, int json)
{
    struct mg_search_query q = {.words = o->words, .limit = o->limit};
    json_t *hits;
    char err[512];

    if (o->server != NULL) {
        q.visible = only_server;
        q.ctx = (void *)o->server;
    }
    switch (mg_search_tools(st->gw, &q, &hits, err, sizeof(err))) {
    case MG_SEARCH_OK:
        break;
    case MG_SEARCH_BAD_QUERY:
        usage_error(err);
        return 2;
    default:
        fprintf(stderr, "mcpgate: %s\n", err);
        return 1;
    }
    if (json) {
        char *text = json_dumps(hits, JSON_INDENT(2));
        puts(text);
        free(text);
    } else if (json_array_size(hits) == 0 && o->server != NULL) {
        printf("No tool of %s matches '%s'.\nTry other words, or list its tools with 'mcpgate tools %s'.\n",
               o->server, o->words, o->server);
    } else if (json_array_size(hits) == 0) {
        printf("No tool matches '%s'.\nTry other words, or list every tool with 'mcpgate tools'.\n", o->words);
    } else {
        print_hits(hits);
    }
    json_decref(hits);
    return 0;
}

int
mg_cmd_search(int argc, char **argv)
{
    struct search_opts o = {.limit = DEFAULT_LIMIT};
    const struct mg_standalone_cmd cmd = {.name = "search",
                                          .usage = usage,
                                          .usage_tail = usage_tail,
                                          .option = take_option,
                                          .parsed = check_words,
                                          .ctx = &o};
    struct mg_standalone st;
    const char *no_arg;
    int json, rc;

    if ((rc = mg_standalone_open(&st, &cmd, argc, argv, &json, &no_arg)) < 0) {
        /* A server that failed leaves its tools out: say so, and search the rest. */
        rc = 0;
        if (o.server != NULL)
            rc = mg_standalone_check_server(&st, o.server);
        else if (mg_standalone_warn_not_ready(&st) > 0)
            fprintf(stderr, "The tools of servers that are not ready are not searched.\n");
        if (rc == 0)
            rc = search(&st, &o, json);
        mg_standalone_stop(&st);
    }
    mg_free(o.words);
    return rc;
}
