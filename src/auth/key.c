/*
 * key.c - key records: copying, freeing, and the rules for names.
 */
#include "auth/key.h"

#include <string.h>

#include "util/alloc.h"

void
mg_key_clear(struct mg_key *k)
{
    for (size_t i = 0; i < k->nprojects; i++)
        mg_free(k->projects[i]);
    mg_free(k->projects);
    mg_free(k->name);
    mg_free(k->default_project);
    memset(k, 0, sizeof(*k));
}

void
mg_key_copy(struct mg_key *dst, const struct mg_key *src)
{
    *dst = *src;
    dst->name = src->name != NULL ? mg_strdup(src->name) : NULL;
    dst->default_project = src->default_project != NULL ? mg_strdup(src->default_project) : NULL;
    dst->projects = mg_calloc(src->nprojects + 1, sizeof(char *));
    for (size_t i = 0; i < src->nprojects; i++)
        dst->projects[i] = mg_strdup(src->projects[i]);
}

const char *
mg_scope_name(enum mg_scope scope)
{
    return scope == MG_SCOPE_WRITE ? "write" : "read";
}

int
mg_scope_parse(const char *name)
{
    if (strcmp(name, "read") == 0)
        return MG_SCOPE_READ;
    if (strcmp(name, "write") == 0)
        return MG_SCOPE_WRITE;
    return -1;
}

static int
name_ok(const char *name, const char *extra)
{
    size_t n = strlen(name);

    if (n == 0 || n > MG_KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-' ||
              strchr(extra, c) != NULL))
            return 0;
    }
    return 1;
}

int
mg_key_name_valid(const char *name)
{
    /* Room for "alice@example.com" or "ci.deploy+staging"; no spaces or
     * quotes, so a name is one word in a log line. */
    return name_ok(name, ".@+");
}

int
mg_project_name_valid(const char *name)
{
    return name_ok(name, "");
}
