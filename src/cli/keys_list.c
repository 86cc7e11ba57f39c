/*
 * keys_list.c - `mcpgate keys list`: the keys, never their secrets.
 *
 * Nothing secret is stored to show; the hash is left out too, since it
 * helps nobody reading the list.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/key.h"
#include "cli/keys.h"
#include "config/config.h"
#include "store/store.h"
#include "store/store_keys.h"
#include "util/alloc.h"

static const char list_usage[] =
    "usage: mcpgate keys list [--all] [--json] [options]\n"
    "\n"
    "Show the active API keys: id, name, projects (the default one marked *),\n"
    "scope, when each was made and last used (to the minute or so, UTC).\n"
    "\n"
    "options:\n"
    "  --all                  revoked keys too, with when they were revoked\n"
    "  --json                 a JSON array, one object per key\n";

static const char list_examples[] =
    "\n"
    "examples:\n"
    "  mcpgate keys list\n"
    "  mcpgate keys list --all --json\n";

struct listing {
    int json, all;
    json_t *array;      /* --json */
    size_t count;
};

static void
projects_text(const struct mg_key *k, char *out, size_t len)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < k->nprojects && o < len; i++) {
        int star = k->default_project != NULL && strcmp(k->default_project, k->projects[i]) == 0;
        int n = snprintf(out + o, len - o, "%s%s%s", i > 0 ? "," : "", k->projects[i], star ? "*" : "");
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

static void
row(void *ctx, const struct mg_key *k)
{
    struct listing *l = ctx;
    char created[32], used[32], revoked[32], projects[512];

    l->count++;
    if (l->json) {
        json_t *p = json_array(), *o;
        for (size_t i = 0; i < k->nprojects; i++)
            json_array_append_new(p, json_string(k->projects[i]));
        mg_keys_time_iso(k->created_at, created, sizeof(created));
        mg_keys_time_iso(k->last_used_at, used, sizeof(used));
        mg_keys_time_iso(k->revoked_at, revoked, sizeof(revoked));
        o = json_pack("{s:s, s:s, s:o, s:s?, s:s, s:s, s:s?, s:s?}", "id", k->id, "name", k->name, "projects", p,
                      "default_project", k->default_project, "scope", mg_scope_name(k->scope), "created_at",
                      created, "last_used_at", k->last_used_at != 0 ? used : NULL, "revoked_at",
                      k->revoked_at != 0 ? revoked : NULL);
        json_array_append_new(l->array, o);
        return;
    }
    if (l->count == 1)
        printf("%-16s  %-20s  %-24s  %-5s  %-17s  %s\n", "ID", "NAME", "PROJECTS", "SCOPE", "CREATED",
               l->all ? "LAST USED          REVOKED" : "LAST USED");
    projects_text(k, projects, sizeof(projects));
    mg_keys_time(k->created_at, created, sizeof(created));
    mg_keys_time(k->last_used_at, used, sizeof(used));
    mg_keys_time(k->revoked_at, revoked, sizeof(revoked));
    printf("%-16s  %-20s  %-24s  %-5s  %-17s  ", k->id, k->name, projects, mg_scope_name(k->scope), created);
    if (l->all)
        printf("%-17s  %s", used, k->revoked_at != 0 ? revoked : "-");
    else
        fputs(used, stdout);
    putchar('\n');
}

int
mg_cmd_keys_list(int argc, char **argv)
{
    struct mg_keys_flags f = {0};
    struct listing l = {0};
    struct mg_config *cfg = NULL;
    struct mg_store *st;
    char err[512];
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int r;

        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(list_usage, stdout);
            fputs(mg_keys_common_help, stdout);
            fputs(list_examples, stdout);
            return 0;
        }
        if ((r = mg_keys_flag(&f, argc, argv, &i, "list")) != 0) {
            if (r < 0)
                return 2;
        } else if (strcmp(o, "--json") == 0) {
            l.json = 1;
        } else if (strcmp(o, "--all") == 0) {
            l.all = 1;
        } else {
            return mg_keys_usage("list", "unknown option '%.80s'", o);
        }
    }
    if ((st = mg_keys_open(&f, &cfg)) == NULL)
        return 1;
    if (l.json)
        l.array = json_array();
    if (mg_store_keys_each(st->db, l.all, row, &l, err, sizeof(err)) != MG_STORE_OK) {
        fprintf(stderr, "mcpgate: %s\n", err);
        rc = 1;
    } else if (l.json) {
        json_dumpf(l.array, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (l.count == 0) {
        fprintf(stderr, "No %skeys in %s.  Make one with 'mcpgate keys create --name NAME --project P --scope "
                        "read|write'.\n",
                l.all ? "" : "active ", st->path);
    }
    json_decref(l.array);
    mg_store_close(st);
    mg_config_free(cfg);
    return rc;
}
