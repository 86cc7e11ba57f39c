/*
 * keyring.c - the active keys in memory, kept in step with the store.
 *
 * Seeing another process's change at once.  `mcpgate keys revoke` commits
 * in its own process; the next request with that key must be refused.
 * The choices were:
 *   - inotify (uv_fs_event) on the WAL file: the event and the next
 *     request can arrive in the same loop iteration, the request first,
 *     so "the next request" is not guaranteed;
 *   - stat() of the db and WAL files: a WAL reset can leave size and
 *     (coarse) mtime as they were, so a change can be missed;
 *   - re-reading on a timer: late by up to the period, and costly if
 *     short;
 *   - `PRAGMA data_version` before every lookup (chosen): SQLite's own
 *     answer to "did another connection commit since I last looked", read
 *     from the WAL index in shared memory.  Measured at about 1.6 us per
 *     request (SQLite 3.40, x86-64, -O2), a few syscalls and no file
 *     data; a whole mg_keyring_check, SHA-256 and lookup included, at
 *     about 2.2 us with 200 keys.
 * data_version also moves for our own writer's commits (last uses, call
 * records), so it only says "look closer": the `keys` generation, a
 * counter the schema's triggers bump on any change to keys other than
 * last_used_at (store_migrate.c), says whether the keys themselves
 * changed (another ~2 us, only after a commit).  Only then are the keys
 * read again (about 150 us for a few keys; the debug log times each), a
 * small table whose pages were just written and are in the OS cache; a
 * read, never a write, on the loop thread.
 *
 * If the store cannot be read at that moment (SQLITE_BUSY during another
 * process's recovery, I/O errors), the check fails closed: the caller
 * answers 503 rather than trust keys that may have been revoked.  The
 * reader's busy timeout is 0 so the loop never sleeps in SQLite.
 *
 * A timer looks too, every MG_KEYRING_POLL_MS, so that the sessions of a
 * revoked key are ended even while it sends nothing.
 *
 * Lookup and comparison.  The table is keyed by the hex SHA-256 of the
 * secret.  Hashing first makes the table's own string comparisons
 * harmless: their timing can only tell an attacker about the hash of
 * what they sent, and learning hash prefixes does not help find a
 * secret.  The entry found is then compared in full with CRYPTO_memcmp,
 * in constant time.
 */
#include "auth/keyring.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_keys.h"
#include "store/store_writer.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/strmap.h"

struct entry {
    struct mg_key key;
    int64_t touched;            /* last use written (or queued), seconds */
};

struct mg_keyring {
    uv_loop_t *loop;
    sqlite3 *db;                /* query-only, busy timeout 0 */
    sqlite3_stmt *data_version; /* PRAGMA data_version, prepared once */
    int64_t seen_version;       /* data_version at the last look */
    int64_t seen_gen;           /* the keys generation at the last load */
    struct mg_strmap by_hash;   /* hex hash -> struct entry */
    struct mg_strmap by_id;     /* id -> the same entries */
    struct mg_store_writer *writer;
    uv_timer_t poll;            /* looks every MG_KEYRING_POLL_MS */
    uv_timer_t notify;          /* runs on_revoke for what was found */
    char (*revoked)[MG_KEY_ID_LEN + 1]; /* ids awaiting on_revoke */
    size_t nrevoked;
    void (*on_revoke)(void *ctx, const char *key_id);
    void *on_revoke_ctx;
    int closing_handles;        /* close callbacks still to come */
    int failing;                /* the last look failed (logged once) */
};

/* The op that records a key's last use. */
struct touch_op {
    struct mg_store_op op;
    char id[MG_KEY_ID_LEN + 1];
    int64_t when;
};

static int
touch_apply(sqlite3 *db, struct mg_store_op *op)
{
    struct touch_op *t = (struct touch_op *)op;

    return mg_store_key_touch(db, t->id, t->when) == MG_STORE_OK ? 0 : -1;
}

static void
touch_free(struct mg_store_op *op)
{
    mg_free(op);
}

static void
hex(const unsigned char *h, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < MG_SECRET_HASH_LEN; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * MG_SECRET_HASH_LEN] = '\0';
}

static void
free_entries(struct mg_strmap *by_hash, struct mg_strmap *by_id)
{
    for (size_t i = 0; i < by_id->cap; i++) {
        struct entry *e = by_id->slots[i].value;
        if (by_id->slots[i].key == NULL || e == NULL)
            continue;
        mg_key_clear(&e->key);
        mg_free(e);
    }
    mg_strmap_free(by_hash);
    mg_strmap_free(by_id);
}

static void on_notify(uv_timer_t *t);

struct load {
    struct mg_keyring *kr;
    struct mg_strmap by_hash, by_id;
};

static void
load_one(void *ctx, const struct mg_key *k)
{
    struct load *l = ctx;
    struct entry *e = mg_calloc(1, sizeof(*e)), *old = mg_strmap_get(&l->kr->by_id, k->id);
    char h[2 * MG_SECRET_HASH_LEN + 1];

    mg_key_copy(&e->key, k);
    /* Keep what was queued already, so a reload does not write again. */
    e->touched = old != NULL && old->touched > k->last_used_at ? old->touched : k->last_used_at;
    hex(k->hash, h);
    mg_strmap_put(&l->by_hash, h, e);
    mg_strmap_put(&l->by_id, k->id, e);
}

/* Read every active key again; ids no longer active are queued for
 * on_revoke.  0 or -1 (the old keys stay). */
static int
reload(struct mg_keyring *kr)
{
    struct load l = {.kr = kr};
    char err[256];
    uint64_t t0 = uv_hrtime();

    mg_strmap_init(&l.by_hash);
    mg_strmap_init(&l.by_id);
    if (mg_store_keys_each(kr->db, 0, load_one, &l, err, sizeof(err)) != MG_STORE_OK) {
        mg_log_warn("keys: %s", err);
        free_entries(&l.by_hash, &l.by_id);
        return -1;
    }
    for (size_t i = 0; i < kr->by_id.cap; i++) {
        const char *id = kr->by_id.slots[i].key;
        if (id == NULL || kr->by_id.slots[i].value == NULL || mg_strmap_get(&l.by_id, id) != NULL)
            continue;
        kr->revoked = mg_realloc(kr->revoked, (kr->nrevoked + 1) * sizeof(*kr->revoked));
        memcpy(kr->revoked[kr->nrevoked++], id, MG_KEY_ID_LEN + 1);
    }
    free_entries(&kr->by_hash, &kr->by_id);
    kr->by_hash = l.by_hash;
    kr->by_id = l.by_id;
    mg_log_debug("keys: %zu active (read in %llu us)", kr->by_id.len, (unsigned long long)(uv_hrtime() - t0) / 1000);
    if (kr->nrevoked > 0 && !uv_is_active((uv_handle_t *)&kr->notify))
        uv_timer_start(&kr->notify, on_notify, 0, 0);
    return 0;
}

/* The store could not be read: say so once, not on every request. */
static int
failed(struct mg_keyring *kr)
{
    if (!kr->failing)
        mg_log_warn("keys: cannot read the store: %s; refusing requests until it can be read",
                    sqlite3_errmsg(kr->db));
    kr->failing = 1;
    return -1;
}

int
mg_keyring_refresh(struct mg_keyring *kr)
{
    int64_t version, gen;
    int rc = sqlite3_step(kr->data_version);

    version = rc == SQLITE_ROW ? sqlite3_column_int64(kr->data_version, 0) : -1;
    sqlite3_reset(kr->data_version);
    if (rc != SQLITE_ROW)
        return failed(kr);
    if (version != kr->seen_version) {
        if (mg_store_generation(kr->db, "keys", &gen) != MG_STORE_OK)
            return failed(kr);
        if (gen != kr->seen_gen && reload(kr) != 0)
            return failed(kr);
        kr->seen_gen = gen;
        kr->seen_version = version;
    }
    if (kr->failing)
        mg_log_info("keys: the store can be read again");
    kr->failing = 0;
    return 0;
}

static void
on_notify(uv_timer_t *t)
{
    struct mg_keyring *kr = t->data;
    size_t n = kr->nrevoked;
    char (*ids)[MG_KEY_ID_LEN + 1] = kr->revoked;

    /* The callback may call back into the keyring: detach the list. */
    kr->revoked = NULL;
    kr->nrevoked = 0;
    for (size_t i = 0; i < n; i++) {
        mg_log_info("key %s is no longer active", ids[i]);
        if (kr->on_revoke != NULL)
            kr->on_revoke(kr->on_revoke_ctx, ids[i]);
    }
    mg_free(ids);
}

static void
on_poll(uv_timer_t *t)
{
    mg_keyring_refresh(t->data);
}

struct mg_keyring *
mg_keyring_open(uv_loop_t *loop, const char *db_path, struct mg_store_writer *w, char *err, size_t errlen)
{
    struct mg_keyring *kr = mg_calloc(1, sizeof(*kr));

    kr->loop = loop;
    kr->writer = w;
    kr->seen_version = kr->seen_gen = -1;
    mg_strmap_init(&kr->by_hash);
    mg_strmap_init(&kr->by_id);
    if ((kr->db = mg_store_open_reader(db_path, 0, err, errlen)) == NULL)
        goto fail;
    if (sqlite3_prepare_v3(kr->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &kr->data_version, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot read %s: %s", db_path, sqlite3_errmsg(kr->db));
        goto fail;
    }
    uv_timer_init(loop, &kr->poll);
    uv_timer_init(loop, &kr->notify);
    kr->poll.data = kr->notify.data = kr;
    if (mg_keyring_refresh(kr) != 0) {
        snprintf(err, errlen, "cannot read the keys from %s: %s", db_path, sqlite3_errmsg(kr->db));
        kr->nrevoked = 0;
        mg_keyring_close(kr);
        return NULL;
    }
    uv_timer_start(&kr->poll, on_poll, MG_KEYRING_POLL_MS, MG_KEYRING_POLL_MS);
    return kr;

fail:
    sqlite3_finalize(kr->data_version);
    sqlite3_close(kr->db);
    mg_strmap_free(&kr->by_hash);
    mg_strmap_free(&kr->by_id);
    mg_free(kr);
    return NULL;
}

static void
on_closed(uv_handle_t *h)
{
    struct mg_keyring *kr = h->data;

    if (--kr->closing_handles > 0)
        return;
    mg_free(kr->revoked);
    mg_free(kr);
}

void
mg_keyring_close(struct mg_keyring *kr)
{
    if (kr == NULL)
        return;
    sqlite3_finalize(kr->data_version);
    kr->data_version = NULL;
    if (sqlite3_close(kr->db) != SQLITE_OK)
        mg_log_warn("keys: closing the store: %s", sqlite3_errmsg(kr->db));
    kr->db = NULL;
    free_entries(&kr->by_hash, &kr->by_id);
    kr->closing_handles = 2;
    uv_close((uv_handle_t *)&kr->poll, on_closed);
    uv_close((uv_handle_t *)&kr->notify, on_closed);
}

enum mg_keyring_rc
mg_keyring_check(struct mg_keyring *kr, const char *token, size_t len, const struct mg_key **out)
{
    unsigned char h[MG_SECRET_HASH_LEN];
    char hx[2 * MG_SECRET_HASH_LEN + 1];
    struct entry *e;
    int64_t now;

    *out = NULL;
    if (mg_keyring_refresh(kr) != 0)
        return MG_KEYRING_UNAVAILABLE;
    if (len == 0 || len > MG_KEYRING_MAX_TOKEN)
        return MG_KEYRING_UNKNOWN;
    mg_secret_hash(token, len, h);
    hex(h, hx);
    e = mg_strmap_get(&kr->by_hash, hx);
    if (e == NULL || !mg_secret_hash_equal(e->key.hash, h))
        return MG_KEYRING_UNKNOWN;
    now = mg_store_now();
    if (kr->writer != NULL && now - e->touched >= MG_KEYRING_TOUCH_S) {
        struct touch_op *t = mg_calloc(1, sizeof(*t));
        t->op.apply = touch_apply;
        t->op.free = touch_free;
        t->op.what = "a key's last use";
        memcpy(t->id, e->key.id, sizeof(t->id));
        t->when = now;
        mg_store_writer_push(kr->writer, &t->op);
        e->touched = now;
    }
    e->key.last_used_at = now;
    *out = &e->key;
    return MG_KEYRING_OK;
}

const struct mg_key *
mg_keyring_by_id(struct mg_keyring *kr, const char *id)
{
    struct entry *e = mg_strmap_get(&kr->by_id, id);

    return e != NULL ? &e->key : NULL;
}

size_t
mg_keyring_count(const struct mg_keyring *kr)
{
    return kr->by_id.len;
}

void
mg_keyring_on_revoke(struct mg_keyring *kr, void (*fn)(void *ctx, const char *key_id), void *ctx)
{
    kr->on_revoke = fn;
    kr->on_revoke_ctx = ctx;
}
