/*
 * store_keys.c - reading and writing the keys table.
 *
 * The store is trusted no more than any file: a row that does not parse
 * (projects not a JSON array of names, a hash of the wrong size, an
 * unknown scope) is skipped with a warning naming its id, never half
 * used.
 */
#include "store/store_keys.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

#define KEY_COLUMNS "id, name, hash, projects, default_project, scope, created_at, last_used_at, revoked_at"

static enum mg_store_rc
fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
    return MG_STORE_ERROR;
}

static char *
projects_json(const struct mg_key *k)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i < k->nprojects; i++)
        json_array_append_new(a, json_string(k->projects[i]));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

enum mg_store_rc
mg_store_key_insert(sqlite3 *db, const struct mg_key *k, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char *projects = projects_json(k);
    enum mg_store_rc rc = MG_STORE_OK;
    int r;

    if (sqlite3_prepare_v2(db, "INSERT INTO keys (" KEY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = fail(db, "cannot add the key", err, errlen);
        goto out;
    }
    sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, k->hash, MG_SECRET_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, projects, -1, SQLITE_STATIC);
    if (k->default_project != NULL)
        sqlite3_bind_text(st, 5, k->default_project, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, mg_scope_name(k->scope), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, k->created_at);
    r = sqlite3_step(st);
    if (r == SQLITE_CONSTRAINT_UNIQUE || r == SQLITE_CONSTRAINT_PRIMARYKEY) {
        /* Which one: the name index, or the id or hash (random, so a new
         * draw fixes it). */
        rc = strstr(sqlite3_errmsg(db), "keys.name") != NULL ? MG_STORE_NAME_TAKEN : MG_STORE_ID_TAKEN;
    } else if (r != SQLITE_DONE) {
        rc = fail(db, "cannot add the key", err, errlen);
    }
out:
    sqlite3_finalize(st);
    mg_free(projects);
    return rc;
}

/* The text of column I, or NULL. */
static const char *
text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Read the row at ST into K; -1 (K cleared) when it does not parse. */
static int
read_row(sqlite3_stmt *st, struct mg_key *k)
{
    const char *id = text(st, 0), *name = text(st, 1), *projects = text(st, 3), *def = text(st, 4),
               *scope = text(st, 5);
    json_t *a = NULL, *v;
    size_t i;
    int sc;

    memset(k, 0, sizeof(*k));
    if (id == NULL || strlen(id) != MG_KEY_ID_LEN || name == NULL || projects == NULL || scope == NULL ||
        sqlite3_column_bytes(st, 2) != MG_SECRET_HASH_LEN || (sc = mg_scope_parse(scope)) < 0)
        goto bad;
    memcpy(k->id, id, MG_KEY_ID_LEN + 1);
    memcpy(k->hash, sqlite3_column_blob(st, 2), MG_SECRET_HASH_LEN);
    k->name = mg_strdup(name);
    k->scope = (enum mg_scope)sc;
    k->default_project = def != NULL ? mg_strdup(def) : NULL;
    k->created_at = sqlite3_column_int64(st, 6);
    k->last_used_at = sqlite3_column_int64(st, 7);
    k->revoked_at = sqlite3_column_int64(st, 8);
    a = json_loads(projects, 0, NULL);
    if (!json_is_array(a) || json_array_size(a) > MG_KEY_MAX_PROJECTS)
        goto bad;
    k->projects = mg_calloc(json_array_size(a) + 1, sizeof(char *));
    json_array_foreach (a, i, v) {
        if (!json_is_string(v))
            goto bad;
        k->projects[k->nprojects++] = mg_strdup(json_string_value(v));
    }
    json_decref(a);
    return 0;

bad:
    mg_log_warn("the store has a malformed key row (id %.*s); ignoring it", 32, id != NULL ? id : "?");
    json_decref(a);
    mg_key_clear(k);
    return -1;
}

enum mg_store_rc
mg_store_keys_each(sqlite3 *db, int all, void (*fn)(void *ctx, const struct mg_key *k), void *ctx, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct mg_key k;
    int r;

    if (sqlite3_prepare_v2(db,
                           all ? "SELECT " KEY_COLUMNS " FROM keys ORDER BY created_at, rowid"
                               : "SELECT " KEY_COLUMNS " FROM keys WHERE revoked_at IS NULL ORDER BY created_at, rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, "cannot read the keys", err, errlen);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (read_row(st, &k) != 0)
            continue;
        fn(ctx, &k);
        mg_key_clear(&k);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return fail(db, "cannot read the keys", err, errlen);
    return MG_STORE_OK;
}

/* The key whose id, else active name, is WHICH into OUT. */
static enum mg_store_rc
find(sqlite3 *db, const char *which, struct mg_key *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    enum mg_store_rc rc = MG_STORE_NOT_FOUND;
    int r;

    if (sqlite3_prepare_v2(db,
                           "SELECT " KEY_COLUMNS " FROM keys WHERE id = ?1"
                           " UNION ALL SELECT " KEY_COLUMNS " FROM keys WHERE name = ?1 AND revoked_at IS NULL"
                           " LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, "cannot read the keys", err, errlen);
    sqlite3_bind_text(st, 1, which, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rc = read_row(st, out) == 0 ? MG_STORE_OK : fail(db, "the key's row is malformed", err, errlen);
    else if (r != SQLITE_DONE)
        rc = fail(db, "cannot read the keys", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

enum mg_store_rc
mg_store_key_revoke(sqlite3 *db, const char *which, int64_t now, struct mg_key *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    enum mg_store_rc rc;

    memset(out, 0, sizeof(*out));
    /* One transaction, so that the key reported is the key revoked. */
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "cannot revoke the key", err, errlen);
    if ((rc = find(db, which, out, err, errlen)) != MG_STORE_OK)
        goto out;
    if (out->revoked_at != 0) {
        rc = MG_STORE_REVOKED;
        goto out;
    }
    if (sqlite3_prepare_v2(db, "UPDATE keys SET revoked_at = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
        rc = fail(db, "cannot revoke the key", err, errlen);
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, out->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = fail(db, "cannot revoke the key", err, errlen);
        goto out;
    }
    out->revoked_at = now;
out:
    sqlite3_finalize(st);
    if (rc == MG_STORE_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, "cannot revoke the key", err, errlen);
    if (rc != MG_STORE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        if (rc == MG_STORE_ERROR)
            mg_key_clear(out);
    }
    return rc;
}

enum mg_store_rc
mg_store_key_touch(sqlite3 *db, const char *id, int64_t when)
{
    sqlite3_stmt *st = NULL;
    int r;

    if (sqlite3_prepare_v2(db,
                           "UPDATE keys SET last_used_at = ?1 WHERE id = ?2 AND"
                           " (last_used_at IS NULL OR last_used_at < ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        return MG_STORE_ERROR;
    sqlite3_bind_int64(st, 1, when);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? MG_STORE_OK : MG_STORE_ERROR;
}

enum mg_store_rc
mg_store_generation(sqlite3 *db, const char *name, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int r;

    if (sqlite3_prepare_v2(db, "SELECT value FROM generations WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return MG_STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? MG_STORE_OK : MG_STORE_ERROR;
}
