/*
 * store_keys.h - the keys table (schema in store_migrate.c).
 *
 * Plain synchronous SQL on a connection of the caller's: the `keys`
 * commands use it directly; serve reads through the keyring and writes
 * only from the writer thread (store_writer.h).
 */
#ifndef MG_STORE_STORE_KEYS_H
#define MG_STORE_STORE_KEYS_H

#include <sqlite3.h>
#include <stdint.h>

#include "auth/key.h"

enum mg_store_rc {
    MG_STORE_OK = 0,
    MG_STORE_ERROR = -1,        /* the message is in ERR */
    MG_STORE_NAME_TAKEN = 1,    /* an active key has that name */
    MG_STORE_ID_TAKEN = 2,      /* a key has that id or hash: make new ones */
    MG_STORE_NOT_FOUND = 3,
    MG_STORE_REVOKED = 4,       /* already revoked */
};

/* Insert K as a new active key. */
enum mg_store_rc mg_store_key_insert(sqlite3 *db, const struct mg_key *k, char *err, size_t errlen);

/*
 * Call FN with each key (borrowed for the call), oldest first; revoked
 * ones too when ALL.  Returns MG_STORE_OK or MG_STORE_ERROR.
 */
enum mg_store_rc mg_store_keys_each(sqlite3 *db, int all, void (*fn)(void *ctx, const struct mg_key *k), void *ctx,
                                    char *err, size_t errlen);

/*
 * Revoke the key whose id, or else whose name among active keys, is
 * WHICH, at time NOW.  The key as it is now (revoked or not) goes to OUT
 * (clear it after) unless the result is NOT_FOUND or ERROR.
 */
enum mg_store_rc mg_store_key_revoke(sqlite3 *db, const char *which, int64_t now, struct mg_key *out, char *err,
                                     size_t errlen);

/* Record that key ID was used at WHEN (only ever moves forward). */
enum mg_store_rc mg_store_key_touch(sqlite3 *db, const char *id, int64_t when);

/* The value of generation NAME (store_migrate.c) into *OUT. */
enum mg_store_rc mg_store_generation(sqlite3 *db, const char *name, int64_t *out);

#endif
