/*
 * keys_create.c - `mcpgate keys create`: make a key, print its secret.
 *
 * The secret goes to stdout alone on its line (or in --json), so that
 * `SECRET=$(mcpgate keys create ...)` works; what it is and what to do
 * with it goes to stderr.  It is printed once: only its hash is stored.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "auth/key.h"
#include "auth/secret.h"
#include "cli/keys.h"
#include "config/config.h"
#include "store/store.h"
#include "store/store_keys.h"
#include "util/alloc.h"

static const char create_usage[] =
    "usage: mcpgate keys create --name NAME --project P[,P2...] --scope read|write\n"
    "                           [--default P] [options]\n"
    "\n"
    "Make an API key and print its secret (sk-mcpgate-...) on stdout.  The\n"
    "secret is shown this once: mcpgate keeps only its hash.  Hand it to the\n"
    "person or program named, who sends it as 'Authorization: Bearer <secret>'.\n"
    "\n"
    "options:\n"
    "  --name NAME            who or what the key is for: letters, digits and\n"
    "                         . _ @ + - (up to 64); unique among active keys\n"
    "  --project P[,P2...]    the projects the key may use (repeatable); when\n"
    "                         the config defines projects, each must be one\n"
    "  --default P            the project of /mcp when none is named; one of\n"
    "                         --project (default: the only one, if just one)\n"
    "  --scope read|write     read: tools that only read; write: any tool\n"
    "  --json                 print the key and its secret as JSON\n";

static const char create_examples[] =
    "\n"
    "examples:\n"
    "  mcpgate keys create --name alice --project web --scope write\n"
    "  mcpgate keys create --name ci --project web,api --default web --scope read\n"
    "  SECRET=$(mcpgate keys create --name bot --project web --scope read)\n";

struct create_args {
    struct mg_keys_flags common;
    const char *name, *default_project;
    char **projects;
    size_t nprojects;
    int scope;
    int json;
};

/* Add the comma-separated names in LIST; 0, or 2 after a usage message. */
static int
add_projects(struct create_args *a, const char *list)
{
    const char *p = list;

    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char *name = mg_strndup(p, n);
        int dup = 0;

        if (!mg_project_name_valid(name)) {
            int rc = mg_keys_usage("create", "--project: '%.80s' is not a project name (letters, digits, _ and -, "
                                             "up to 64)", name);
            mg_free(name);
            return rc;
        }
        for (size_t i = 0; i < a->nprojects; i++)
            dup |= strcmp(a->projects[i], name) == 0;
        if (dup || a->nprojects >= MG_KEY_MAX_PROJECTS) {
            mg_free(name);
            if (!dup)
                return mg_keys_usage("create", "a key has at most %d projects", MG_KEY_MAX_PROJECTS);
        } else {
            a->projects[a->nprojects++] = name;
        }
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

static int
parse(struct create_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;

        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(create_usage, stdout);
            fputs(mg_keys_common_help, stdout);
            fputs(create_examples, stdout);
            return 0;
        }
        if ((rc = mg_keys_flag(&a->common, argc, argv, &i, "create")) != 0) {
            if (rc < 0)
                return 2;
            continue;
        }
        if (strcmp(o, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (strcmp(o, "--name") != 0 && strcmp(o, "--project") != 0 && strcmp(o, "--default") != 0 &&
            strcmp(o, "--scope") != 0)
            return mg_keys_usage("create", "unknown option '%.80s'", o);
        if (v == NULL)
            return mg_keys_usage("create", "%s needs a value", o);
        i++;
        if (strcmp(o, "--name") == 0) {
            if (!mg_key_name_valid(v))
                return mg_keys_usage("create", "--name: '%.80s' is not a key name (letters, digits and . _ @ + -, up "
                                               "to 64)", v);
            a->name = v;
        } else if (strcmp(o, "--project") == 0) {
            if ((rc = add_projects(a, v)) != 0)
                return rc;
        } else if (strcmp(o, "--default") == 0) {
            a->default_project = v;
        } else if ((a->scope = mg_scope_parse(v)) < 0) {
            return mg_keys_usage("create", "--scope is 'read' or 'write', not '%.80s'", v);
        }
    }
    if (a->name == NULL)
        return mg_keys_usage("create", "--name is required: who or what is the key for? e.g. --name alice");
    if (a->nprojects == 0)
        return mg_keys_usage("create", "--project is required: which projects may the key use? e.g. --project web");
    if (a->scope < 0)
        return mg_keys_usage("create", "--scope is required: 'read' (tools that only read) or 'write' (any tool)");
    if (a->default_project != NULL) {
        int found = 0;
        for (size_t i = 0; i < a->nprojects; i++)
            found |= strcmp(a->projects[i], a->default_project) == 0;
        if (!found)
            return mg_keys_usage("create", "--default %.80s is not one of the key's projects (--project)",
                                 a->default_project);
    }
    return -1;
}

/* Each project must be one the config defines, when it defines any. */
static int
check_projects(const struct create_args *a, const struct mg_config *cfg)
{
    if (cfg->nprojects == 0)
        return 0;
    for (size_t i = 0; i < a->nprojects; i++) {
        int found = 0;
        for (size_t j = 0; j < cfg->nprojects; j++)
            found |= strcmp(cfg->projects[j].name, a->projects[i]) == 0;
        if (!found) {
            fprintf(stderr, "mcpgate: the config has no project '%s'; its projects are:", a->projects[i]);
            for (size_t j = 0; j < cfg->nprojects; j++)
                fprintf(stderr, "%s %s", j > 0 ? "," : "", cfg->projects[j].name);
            fprintf(stderr, "\nAdd it under projects: in the config first, or pick one of those.\n");
            return 2;
        }
    }
    return 0;
}

static void
print_json(const struct mg_key *k, const char *secret)
{
    json_t *o, *p = json_array();
    char created[32];

    for (size_t i = 0; i < k->nprojects; i++)
        json_array_append_new(p, json_string(k->projects[i]));
    mg_keys_time_iso(k->created_at, created, sizeof(created));
    o = json_pack("{s:s, s:s, s:o, s:s?, s:s, s:s, s:s}", "id", k->id, "name", k->name, "projects", p,
                  "default_project", k->default_project, "scope", mg_scope_name(k->scope), "created_at", created,
                  "secret", secret);
    json_dumpf(o, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(o);
}

/* Insert a key with a fresh id and secret; 0, or the exit code after
 * printing why. */
static int
insert(struct mg_store *st, struct mg_key *k, char *secret)
{
    char err[512];

    /* A clash of random ids or hashes is astronomically unlikely, but a
     * new draw is the right answer to one. */
    for (int tries = 0; tries < 3; tries++) {
        if (mg_key_id_new(k->id) != 0 || mg_secret_new(secret) != 0) {
            fprintf(stderr, "mcpgate: the kernel has no random bytes to give; try again\n");
            return 1;
        }
        mg_secret_hash(secret, strlen(secret), k->hash);
        switch (mg_store_key_insert(st->db, k, err, sizeof(err))) {
        case MG_STORE_OK:
            return 0;
        case MG_STORE_NAME_TAKEN:
            fprintf(stderr,
                    "mcpgate: an active key is already named '%s'; pick another name, or revoke that one first "
                    "('mcpgate keys list' shows it)\n",
                    k->name);
            return 1;
        case MG_STORE_ID_TAKEN:
            continue;
        default:
            fprintf(stderr, "mcpgate: %s\n", err);
            return 1;
        }
    }
    fprintf(stderr, "mcpgate: cannot find a free key id; try again\n");
    return 1;
}

int
mg_cmd_keys_create(int argc, char **argv)
{
    struct create_args a = {.scope = -1};
    struct mg_config *cfg = NULL;
    struct mg_store *st = NULL;
    struct mg_key k;
    char secret[MG_SECRET_LEN + 1];
    int rc;

    memset(&k, 0, sizeof(k));
    a.projects = mg_calloc(MG_KEY_MAX_PROJECTS, sizeof(char *));
    if ((rc = parse(&a, argc, argv)) >= 0)
        goto out;
    if ((st = mg_keys_open(&a.common, &cfg)) == NULL) {
        rc = 1;
        goto out;
    }
    if ((rc = check_projects(&a, cfg)) != 0)
        goto out;
    k.name = (char *)a.name;
    k.projects = a.projects;
    k.nprojects = a.nprojects;
    k.default_project = (char *)(a.default_project != NULL ? a.default_project
                                 : a.nprojects == 1   ? a.projects[0]
                                                      : NULL);
    k.scope = (enum mg_scope)a.scope;
    k.created_at = mg_store_now();
    if ((rc = insert(st, &k, secret)) != 0)
        goto out;
    if (a.json) {
        print_json(&k, secret);
    } else {
        fprintf(stderr, "Created key %s for '%s' (projects: ", k.id, k.name);
        for (size_t i = 0; i < k.nprojects; i++)
            fprintf(stderr, "%s%s", i > 0 ? ", " : "", k.projects[i]);
        fprintf(stderr, "; scope: %s).  Its secret, shown this once only:\n", mg_scope_name(k.scope));
        fflush(stderr);
        printf("%s\n", secret);
        fflush(stdout);
        fprintf(stderr, "Hand it over privately; clients send it as 'Authorization: Bearer <secret>'.\n"
                        "Revoke it with 'mcpgate keys revoke %s'.\n",
                k.id);
    }
    rc = 0;
out:
    OPENSSL_cleanse(secret, sizeof(secret));
    for (size_t i = 0; i < a.nprojects; i++)
        mg_free(a.projects[i]);
    mg_free(a.projects);
    mg_store_close(st);
    mg_config_free(cfg);
    return rc;
}
