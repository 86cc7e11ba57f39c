/*
 * store_migrate.c - the store's schema, as an ordered list of migrations.
 *
 * Migration N takes the schema from version N-1 to N; version 0 is an
 * empty file.  The versions applied are rows of schema_version, so the
 * current version is the largest one there.  Each migration runs in a
 * BEGIN IMMEDIATE transaction that first reads the version again: two
 * processes starting on a new directory at once (serve and a `keys`
 * command) serialise on SQLite's write lock and the second finds the work
 * done.  A store whose version is newer than this binary knows is refused:
 * an older mcpgate must not misread a newer schema.
 *
 * Never edit a migration that has shipped; add one.
 *
 * Tables:
 *
 *   schema_version  version INTEGER PK, applied_at INTEGER
 *   keys            one API key; the secret itself is never stored
 *     id              "key_" + 12 hex digits: how people and logs name it
 *     name            what the key is for ("alice", "ci"); unique among
 *                     keys not revoked
 *     hash            SHA-256 of the secret, 32 bytes, unique
 *     projects        JSON array of project names the key may use
 *     default_project the project of /mcp without one, or NULL
 *     scope           'read' or 'write'
 *     created_at, last_used_at, revoked_at   seconds since the epoch
 *                     (last_used_at is coarse: see auth/keyring.c)
 *   generations     name TEXT PK, value INTEGER: bumped by triggers when
 *                   a table that serve caches changes ('keys': any change
 *                   but last_used_at), so serve can tell cheaply whether
 *                   its cache is stale (auth/keyring.c)
 *   calls           the call record: one row per tools/call, written in
 *                   batches by the writer thread (store_calls.h)
 *     id              INTEGER PK, in the order rows were written
 *     time_us         when the call came in, microseconds since the epoch
 *     key_id          the caller's API key, or NULL without keys
 *     project         the project the call was made in, or NULL: all servers
 *     session         the legacy HTTP session id, or NULL
 *     server          the source that has the tool, or NULL (unknown tool)
 *     tool            the tool's own name there (as requested when unknown)
 *     duration_us     from the request's arrival to its reply
 *     request_bytes   the tools/call message, as compact JSON
 *     response_bytes  the reply, as compact JSON (0 when none was sent)
 *     outcome         'ok', 'tool_error' (a result with isError), 'error'
 *                     (a JSON-RPC error) or 'cancelled' (no reply)
 *     error           first line of the error's message, bounded, or NULL
 *     arguments       the call's arguments as JSON, only when the config
 *                     has call_record.record_arguments; else NULL
 *   Indexes serve the queries of store_calls.c: newest first and any
 *   window (time_us), the errors alone (a partial index: outcome !=
 *   'ok'); retention deletes by time_us and id.  Filters by tool, server
 *   or project have no index of their own (migration 3): each would be
 *   written on every call.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"

struct migration {
    const char *name;
    const char *sql;
};

static const struct migration migrations[] = {
    {"keys",
     "CREATE TABLE keys ("
     " id TEXT PRIMARY KEY,"
     " name TEXT NOT NULL,"
     " hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
     " projects TEXT NOT NULL,"
     " default_project TEXT,"
     " scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),"
     " created_at INTEGER NOT NULL,"
     " last_used_at INTEGER,"
     " revoked_at INTEGER"
     ") STRICT;"
     "CREATE UNIQUE INDEX keys_active_name ON keys(name) WHERE revoked_at IS NULL;"
     "CREATE TABLE generations (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;"
     "INSERT INTO generations VALUES ('keys', 0);"
     "CREATE TRIGGER keys_gen_insert AFTER INSERT ON keys BEGIN"
     " UPDATE generations SET value = value + 1 WHERE name = 'keys'; END;"
     "CREATE TRIGGER keys_gen_update"
     " AFTER UPDATE OF id, name, hash, projects, default_project, scope, revoked_at ON keys BEGIN"
     " UPDATE generations SET value = value + 1 WHERE name = 'keys'; END;"
     "CREATE TRIGGER keys_gen_delete AFTER DELETE ON keys BEGIN"
     " UPDATE generations SET value = value + 1 WHERE name = 'keys'; END;"},
    {"calls",
     "CREATE TABLE calls ("
     " id INTEGER PRIMARY KEY,"
     " time_us INTEGER NOT NULL,"
     " key_id TEXT,"
     " project TEXT,"
     " session TEXT,"
     " server TEXT,"
     " tool TEXT NOT NULL,"
     " duration_us INTEGER NOT NULL,"
     " request_bytes INTEGER NOT NULL,"
     " response_bytes INTEGER NOT NULL,"
     " outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'tool_error', 'error', 'cancelled')),"
     " error TEXT,"
     " arguments TEXT"
     ") STRICT;"
     "CREATE INDEX calls_time ON calls(time_us);"
     "CREATE INDEX calls_tool ON calls(tool, time_us);"
     "CREATE INDEX calls_server ON calls(server, time_us);"
     "CREATE INDEX calls_project ON calls(project, time_us);"
     "CREATE INDEX calls_errors ON calls(time_us) WHERE outcome != 'ok';"},
    /* Every index is written on every call, and the three below cost the
     * writer thread more than the row itself: a third of the record's
     * cost per call.  A filter by tool, server or project now walks the
     * time index newest first, which stays quick for any value that
     * recurs and scans the window for one that never does (about 50 ms
     * per 250,000 rows). */
    {"calls_lean_indexes",
     "DROP INDEX calls_tool;"
     "DROP INDEX calls_server;"
     "DROP INDEX calls_project;"},
    /* SQLite checks "outcome IN (...)" by filling a temporary b-tree with
     * the list on every insert: about a third of the writer's cost per
     * row.  The same check as a chain of comparisons costs nothing.  A
     * CHECK cannot be altered in place, so the table is rebuilt (SQLite's
     * documented way: new table, copy, drop, rename, indexes again). */
    {"calls_cheap_check",
     "CREATE TABLE calls_new ("
     " id INTEGER PRIMARY KEY,"
     " time_us INTEGER NOT NULL,"
     " key_id TEXT,"
     " project TEXT,"
     " session TEXT,"
     " server TEXT,"
     " tool TEXT NOT NULL,"
     " duration_us INTEGER NOT NULL,"
     " request_bytes INTEGER NOT NULL,"
     " response_bytes INTEGER NOT NULL,"
     " outcome TEXT NOT NULL CHECK (outcome = 'ok' OR outcome = 'tool_error' OR outcome = 'error'"
     " OR outcome = 'cancelled'),"
     " error TEXT,"
     " arguments TEXT"
     ") STRICT;"
     "INSERT INTO calls_new SELECT id, time_us, key_id, project, session, server, tool, duration_us, request_bytes,"
     " response_bytes, outcome, error, arguments FROM calls;"
     "DROP TABLE calls;"
     "ALTER TABLE calls_new RENAME TO calls;"
     "CREATE INDEX calls_time ON calls(time_us);"
     "CREATE INDEX calls_errors ON calls(time_us) WHERE outcome != 'ok';"},
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
mg_store_schema_version(void)
{
    return NMIGRATIONS;
}

/* The schema version of DB: 0 for a new file, -1 on error. */
static int
current_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1, rc;

    rc = sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        /* No such table: nothing has been applied yet. */
        if (strstr(sqlite3_errmsg(db), "no such table") != NULL)
            v = 0;
        sqlite3_finalize(st);
        return v;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int
too_new(int v, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "the store has schema version %d, newer than this mcpgate knows (%d): it was written by a newer "
             "mcpgate; run that one, or point --state-dir at another directory",
             v, NMIGRATIONS);
    return -1;
}

/* Apply migration V (1-based) inside an immediate transaction, unless
 * another process did it first. */
static int
apply(sqlite3 *db, int v, char *err, size_t errlen)
{
    char sql[128];
    int have;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at "
                         "INTEGER NOT NULL) STRICT",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if ((have = current_version(db)) < 0)
        goto fail;
    if (have >= v) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return 0;
    }
    if (sqlite3_exec(db, migrations[v - 1].sql, NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, %lld)", v, (long long)mg_store_now());
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;

fail:
    snprintf(err, errlen, "cannot bring the store's schema to version %d (%s): %s", v, migrations[v - 1].name,
             sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int
mg_store_migrate(sqlite3 *db, char *err, size_t errlen)
{
    int v = current_version(db);

    if (v < 0) {
        snprintf(err, errlen, "cannot read the store's schema version: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (v > NMIGRATIONS)
        return too_new(v, err, errlen);
    for (int next = v + 1; next <= NMIGRATIONS; next++)
        if (apply(db, next, err, errlen) != 0)
            return -1;
    /* Another process may have gone further meanwhile. */
    if ((v = current_version(db)) > NMIGRATIONS)
        return too_new(v, err, errlen);
    return 0;
}
