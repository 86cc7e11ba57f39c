/*
 * store.h - mcpgate's state: one SQLite file in the state directory.
 *
 * The file is `mcpgate.db` in the state directory (see mg_store_dir).
 * The directory is created 0700 and the file 0600: the store holds key
 * hashes and, later, who called what.  SQLite gives the -wal and -shm
 * files the database file's mode.
 *
 * Every connection runs in WAL mode with a busy timeout, so that the CLI
 * (`mcpgate keys revoke`) can write while `mcpgate serve` reads and
 * writes.  The schema is versioned (store_migrate.c): opening a store
 * applies the migrations it lacks, in order, each in its own transaction,
 * so the first start on an empty directory just works and a store of a
 * newer mcpgate is refused rather than misread.
 *
 * Threads (DESIGN.md): the serve loop thread never writes.  At start the
 * main thread opens the store (and migrates it) before the loop runs; the
 * connection is then handed to the writer thread (store_writer.h), and the
 * loop gets a query-only connection of its own (auth/keyring.c).
 */
#ifndef MG_STORE_STORE_H
#define MG_STORE_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The file's name inside the state directory. */
#define MG_STORE_FILE "mcpgate.db"
/* How long a connection waits for another one's write lock, in ms. */
#define MG_STORE_BUSY_TIMEOUT_MS 5000

struct mg_store {
    sqlite3 *db;
    char *path;            /* the database file */
};

/*
 * The state directory into OUT (OUTLEN bytes): CONFIGURED when it is not
 * NULL or "", else $XDG_STATE_HOME/mcpgate, else $HOME/.local/state/mcpgate.
 * Returns 0, or -1 with the reason in ERR when none can be found.
 */
int mg_store_dir(const char *configured, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Open (creating when missing) the store in directory DIR and bring its
 * schema up to date.  Returns a new store, or NULL with the reason in ERR
 * (one sentence that says what to do).
 */
struct mg_store *mg_store_open(const char *dir, char *err, size_t errlen);

/* Close and free; NULL is fine. */
void mg_store_close(struct mg_store *st);

/*
 * Open another connection to the store at PATH for reading only
 * (`PRAGMA query_only`), with a busy timeout of BUSY_MS.  NULL with the
 * reason in ERR.  The store must have been opened (and migrated) first.
 */
sqlite3 *mg_store_open_reader(const char *path, int busy_ms, char *err, size_t errlen);

/*
 * The prepared statement for SQL on DB, kept for reuse: prepared the
 * first time, found again after (SQLite's own list of the connection's
 * statements, compared by text).  Reset it after use, never finalize it;
 * closing the store finalizes it.  NULL when SQL does not prepare (the
 * message is DB's).  For the writer's frequent inserts.
 */
sqlite3_stmt *mg_store_stmt(sqlite3 *db, const char *sql);

/* The current time in whole seconds since the epoch, as stored. */
int64_t mg_store_now(void);
/* The same in microseconds (the call record's times). */
int64_t mg_store_now_us(void);

/* --- store_migrate.c --- */

/* The schema version this mcpgate writes (the number of migrations). */
int mg_store_schema_version(void);

/*
 * Apply the migrations DB lacks.  Returns 0, or -1 with the reason in ERR
 * (nothing of a failed migration is left behind).
 */
int mg_store_migrate(sqlite3 *db, char *err, size_t errlen);

#endif
