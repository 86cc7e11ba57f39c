/*
 * keyring.h - the active API keys, in memory, for `mcpgate serve`.
 *
 * Every HTTP request is authenticated, so the lookup must not wait on the
 * disk: the active keys live in a hash table (SHA-256 of the secret ->
 * key).  The table follows the store, which another process may change
 * (`mcpgate keys revoke`), and the next request after that change must
 * see it.  How, and what it costs, is in keyring.c.
 *
 * Loop thread only.  Key pointers handed out are valid until the next
 * call into the keyring (a refresh may replace them): copy what must
 * live longer (a session keeps its key's id).
 */
#ifndef MG_AUTH_KEYRING_H
#define MG_AUTH_KEYRING_H

#include <stddef.h>
#include <uv.h>

#include "auth/key.h"

struct mg_keyring;
struct mg_store_writer;

/* How often the keyring looks at the store without being asked, so that
 * a revoked key's open sessions end even when no request comes, ms. */
#define MG_KEYRING_POLL_MS 1000
/* last_used_at is written at most this often per key, seconds: it says
 * "used today", not a call log (that is the call record). */
#define MG_KEYRING_TOUCH_S 60
/* Longest bearer token looked at; a secret is MG_SECRET_LEN. */
#define MG_KEYRING_MAX_TOKEN 512

enum mg_keyring_rc {
    MG_KEYRING_OK = 0,
    MG_KEYRING_UNKNOWN,         /* no active key has this secret */
    MG_KEYRING_UNAVAILABLE,     /* the store cannot be read just now */
};

/*
 * Read the active keys of the store at DB_PATH (opened and migrated
 * already) on a query-only connection of its own.  Last uses are written
 * through W (borrowed; may be NULL: not recorded).  NULL with ERR.
 */
struct mg_keyring *mg_keyring_open(uv_loop_t *loop, const char *db_path, struct mg_store_writer *w, char *err,
                                   size_t errlen);

/* Close the connection and the timers; freed once the loop has run the
 * handles' close callbacks.  NULL is fine. */
void mg_keyring_close(struct mg_keyring *kr);

/*
 * The active key whose secret is TOKEN (LEN bytes) into *OUT.  Looks at
 * the store first, so a key revoked by another process a moment ago is
 * already unknown.  A use is recorded (see MG_KEYRING_TOUCH_S).
 */
enum mg_keyring_rc mg_keyring_check(struct mg_keyring *kr, const char *token, size_t len, const struct mg_key **out);

/* The active key with id ID, or NULL (no refresh). */
const struct mg_key *mg_keyring_by_id(struct mg_keyring *kr, const char *id);

/* Active keys. */
size_t mg_keyring_count(const struct mg_keyring *kr);

/*
 * FN(CTX, id) runs for each key that stops being active (revoked or
 * deleted), from a callback of its own on the loop, soon after the change
 * is seen.
 */
void mg_keyring_on_revoke(struct mg_keyring *kr, void (*fn)(void *ctx, const char *key_id), void *ctx);

/* Look at the store now; 0, or -1 when it cannot be read. */
int mg_keyring_refresh(struct mg_keyring *kr);

#endif
