/*
 * test_keyring.c - the in-memory keys of serve against a real store: a
 * lookup by secret, a change made through another connection (as `mcpgate
 * keys revoke` makes it) seen by the very next lookup, the revoke
 * callback, last uses written through the writer without a reload, and a
 * store that cannot be read failing closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "auth/keyring.h"
#include "store/store.h"
#include "store/store_keys.h"
#include "store/store_writer.h"
#include "util/alloc.h"

struct fixture {
    char dir[256];
    uv_loop_t loop;
    struct mg_store *cli;           /* "another process": the CLI's connection */
    struct mg_store_writer *writer; /* serve's writer */
    struct mg_keyring *kr;
    char path[400];
    char revoked[4][MG_KEY_ID_LEN + 1];
    int nrevoked;
};

static int
setup(void **state)
{
    struct fixture *f = mg_calloc(1, sizeof(*f));
    char err[512];
    struct mg_store *st;

    snprintf(f->dir, sizeof(f->dir), "%s/mcpgate-test-keyring-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->cli = mg_store_open(f->dir, err, sizeof(err));
    assert_non_null(f->cli);
    st = mg_store_open(f->dir, err, sizeof(err));
    assert_non_null(st);
    snprintf(f->path, sizeof(f->path), "%s", st->path);
    f->writer = mg_store_writer_start(st, 10, err, sizeof(err));
    assert_non_null(f->writer);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];

    mg_keyring_close(f->kr);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    mg_store_writer_stop(f->writer);
    mg_store_close(f->cli);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    mg_free(f);
    return 0;
}

static void
on_revoke(void *ctx, const char *id)
{
    struct fixture *f = ctx;

    if (f->nrevoked < 4)
        snprintf(f->revoked[f->nrevoked], sizeof(f->revoked[0]), "%s", id);
    f->nrevoked++;
}

/* Add key NAME through the CLI's connection; its secret into SECRET and
 * its id into ID. */
static void
add_key(struct fixture *f, const char *name, char *secret, char *id)
{
    static char *projects[] = {"web"};
    struct mg_key k;
    char err[256];

    memset(&k, 0, sizeof(k));
    assert_int_equal(mg_key_id_new(k.id), 0);
    assert_int_equal(mg_secret_new(secret), 0);
    mg_secret_hash(secret, strlen(secret), k.hash);
    k.name = (char *)name;
    k.projects = projects;
    k.nprojects = 1;
    k.scope = MG_SCOPE_READ;
    k.created_at = mg_store_now();
    assert_int_equal(mg_store_key_insert(f->cli->db, &k, err, sizeof(err)), MG_STORE_OK);
    memcpy(id, k.id, MG_KEY_ID_LEN + 1);
}

static void
open_keyring(struct fixture *f)
{
    char err[512] = "";

    f->kr = mg_keyring_open(&f->loop, f->path, f->writer, err, sizeof(err));
    if (f->kr == NULL)
        fail_msg("mg_keyring_open: %s", err);
    mg_keyring_on_revoke(f->kr, on_revoke, f);
}

static enum mg_keyring_rc
check(struct fixture *f, const char *secret, const struct mg_key **k)
{
    return mg_keyring_check(f->kr, secret, strlen(secret), k);
}

static void
test_lookup_by_secret(void **state)
{
    struct fixture *f = *state;
    char sa[MG_SECRET_LEN + 1], sb[MG_SECRET_LEN + 1], ia[MG_KEY_ID_LEN + 1], ib[MG_KEY_ID_LEN + 1];
    char wrong[MG_SECRET_LEN + 1];
    const struct mg_key *k;

    add_key(f, "alice", sa, ia);
    add_key(f, "bob", sb, ib);
    open_keyring(f);
    assert_int_equal(mg_keyring_count(f->kr), 2);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_OK);
    assert_string_equal(k->id, ia);
    assert_string_equal(k->name, "alice");
    assert_int_equal(check(f, sb, &k), MG_KEYRING_OK);
    assert_string_equal(k->name, "bob");
    assert_ptr_equal(mg_keyring_by_id(f->kr, ib), k);

    /* One character off, either end; a prefix; empty; huge. */
    memcpy(wrong, sa, sizeof(wrong));
    wrong[MG_SECRET_LEN - 1] = wrong[MG_SECRET_LEN - 1] == 'a' ? 'b' : 'a';
    assert_int_equal(check(f, wrong, &k), MG_KEYRING_UNKNOWN);
    assert_null(k);
    memcpy(wrong, sa, sizeof(wrong));
    wrong[MG_SECRET_PREFIX_LEN] = wrong[MG_SECRET_PREFIX_LEN] == 'a' ? 'b' : 'a';
    assert_int_equal(check(f, wrong, &k), MG_KEYRING_UNKNOWN);
    assert_int_equal(mg_keyring_check(f->kr, sa, MG_SECRET_LEN - 1, &k), MG_KEYRING_UNKNOWN);
    assert_int_equal(mg_keyring_check(f->kr, sa, 0, &k), MG_KEYRING_UNKNOWN);
    {
        char *big = mg_malloc(100000);
        memset(big, 'a', 100000);
        assert_int_equal(mg_keyring_check(f->kr, big, 100000, &k), MG_KEYRING_UNKNOWN);
        mg_free(big);
    }
}

static void
test_revoke_elsewhere_is_seen_by_the_next_lookup(void **state)
{
    struct fixture *f = *state;
    char sa[MG_SECRET_LEN + 1], sb[MG_SECRET_LEN + 1], ia[MG_KEY_ID_LEN + 1], ib[MG_KEY_ID_LEN + 1];
    struct mg_key out;
    char err[256];
    const struct mg_key *k;

    add_key(f, "alice", sa, ia);
    open_keyring(f);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_OK);

    /* Another connection adds a key: usable at once, no loop turn. */
    add_key(f, "bob", sb, ib);
    assert_int_equal(check(f, sb, &k), MG_KEYRING_OK);

    /* ... and revokes one: refused by the very next lookup. */
    assert_int_equal(mg_store_key_revoke(f->cli->db, ia, mg_store_now(), &out, err, sizeof(err)), MG_STORE_OK);
    mg_key_clear(&out);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_UNKNOWN);
    assert_null(mg_keyring_by_id(f->kr, ia));
    assert_int_equal(check(f, sb, &k), MG_KEYRING_OK);

    /* The callback comes from the loop, not from inside the lookup. */
    assert_int_equal(f->nrevoked, 0);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(f->nrevoked, 1);
    assert_string_equal(f->revoked[0], ia);
}

static void
test_poll_finds_a_revoke_without_requests(void **state)
{
    struct fixture *f = *state;
    char sa[MG_SECRET_LEN + 1], ia[MG_KEY_ID_LEN + 1];
    struct mg_key out;
    char err[256];
    uint64_t t0;

    add_key(f, "alice", sa, ia);
    open_keyring(f);
    assert_int_equal(mg_store_key_revoke(f->cli->db, "alice", mg_store_now(), &out, err, sizeof(err)), MG_STORE_OK);
    mg_key_clear(&out);
    t0 = uv_hrtime();
    while (f->nrevoked == 0 && uv_hrtime() - t0 < 3000000000ull)
        uv_run(&f->loop, UV_RUN_ONCE);
    assert_int_equal(f->nrevoked, 1);
    assert_true(uv_hrtime() - t0 < (MG_KEYRING_POLL_MS + 500) * 1000000ull);
}

static void
test_last_use_is_written_by_the_writer(void **state)
{
    struct fixture *f = *state;
    char sa[MG_SECRET_LEN + 1], ia[MG_KEY_ID_LEN + 1];
    const struct mg_key *k, *before;
    sqlite3_stmt *st;
    int64_t gen_before, gen_after, used;

    add_key(f, "alice", sa, ia);
    open_keyring(f);
    assert_int_equal(check(f, sa, &before), MG_KEYRING_OK);
    mg_store_writer_flush(f->writer);
    assert_int_equal(mg_store_generation(f->cli->db, "keys", &gen_before), MG_STORE_OK);
    /* The use is in the store, written by the writer's connection. */
    assert_int_equal(sqlite3_prepare_v2(f->cli->db, "SELECT last_used_at FROM keys WHERE id = ?", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, ia, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    used = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_true(used > 0 && used <= mg_store_now());
    /* Our own writer's commit moved data_version, but not the keys
     * generation: the same record, not a reload. */
    assert_int_equal(check(f, sa, &k), MG_KEYRING_OK);
    assert_ptr_equal(k, before);
    assert_int_equal(mg_store_generation(f->cli->db, "keys", &gen_after), MG_STORE_OK);
    assert_int_equal(gen_after, gen_before);
}

static void
test_unreadable_store_fails_closed(void **state)
{
    struct fixture *f = *state;
    char sa[MG_SECRET_LEN + 1], ia[MG_KEY_ID_LEN + 1];
    const struct mg_key *k;

    add_key(f, "alice", sa, ia);
    open_keyring(f);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_OK);
    /* Something changed and the keys cannot be read to find out what
     * (here the generation table is gone): refuse, do not guess. */
    assert_int_equal(sqlite3_exec(f->cli->db, "DROP TABLE generations", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_UNAVAILABLE);
    assert_null(k);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_UNAVAILABLE);
    /* Readable again: the keys are read afresh. */
    assert_int_equal(sqlite3_exec(f->cli->db,
                                  "CREATE TABLE generations (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                                  "INSERT INTO generations VALUES ('keys', 42); UPDATE keys SET scope = 'write';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(check(f, sa, &k), MG_KEYRING_OK);
    assert_int_equal(k->scope, MG_SCOPE_WRITE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup_by_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_elsewhere_is_seen_by_the_next_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_finds_a_revoke_without_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_use_is_written_by_the_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_store_fails_closed, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
