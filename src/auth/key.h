/*
 * key.h - an API key as mcpgate keeps it (never the secret: its hash).
 *
 * A key says who is calling (its id and name), which projects it may use,
 * and its scope: `read` keys may call tools that only read, `write` keys
 * any tool.  The store (store/store_keys.c) persists keys; the keyring
 * (auth/keyring.c) holds the active ones in memory for serve.
 */
#ifndef MG_AUTH_KEY_H
#define MG_AUTH_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "auth/secret.h"

enum mg_scope {
    MG_SCOPE_READ = 0,
    MG_SCOPE_WRITE = 1,
};

/* The longest key name, and project name (as a config name). */
#define MG_KEY_NAME_MAX 64
#define MG_PROJECT_NAME_MAX 64
/* Most projects one key may have. */
#define MG_KEY_MAX_PROJECTS 64

struct mg_key {
    char id[MG_KEY_ID_LEN + 1];   /* "key_" + 12 hex digits */
    char *name;                   /* [A-Za-z0-9._@+-]{1,64} */
    char **projects;              /* names, at least one */
    size_t nprojects;
    char *default_project;        /* one of projects, or NULL */
    enum mg_scope scope;
    int64_t created_at;           /* seconds since the epoch */
    int64_t last_used_at;         /* 0: never */
    int64_t revoked_at;           /* 0: active */
    unsigned char hash[MG_SECRET_HASH_LEN]; /* SHA-256 of the secret */
};

/* Free what K owns (not K itself) and zero it. */
void mg_key_clear(struct mg_key *k);

/* Copy SRC into DST (which owns nothing yet). */
void mg_key_copy(struct mg_key *dst, const struct mg_key *src);

/* "read" or "write". */
const char *mg_scope_name(enum mg_scope scope);
/* The scope called NAME, or -1. */
int mg_scope_parse(const char *name);

/* 1 when NAME is a valid key name. */
int mg_key_name_valid(const char *name);
/* 1 when NAME is a valid project name ([A-Za-z0-9_-]{1,64}, as the
 * config's names). */
int mg_project_name_valid(const char *name);

#endif
