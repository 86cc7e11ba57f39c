/*
 * test_store.c - the SQLite store on a real file in a temporary
 * directory: creation from nothing, file modes, migrations (again, and
 * from a newer mcpgate), the keys table, secrets, and the writer thread's
 * batches, which must lose nothing on stop.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "auth/key.h"
#include "auth/secret.h"
#include "store/store.h"
#include "store/store_keys.h"
#include "store/store_writer.h"
#include "util/alloc.h"

struct fixture {
    char dir[256];      /* a fresh directory; the store goes in dir/state */
    char state[300];
};

static int
setup(void **state)
{
    struct fixture *f = mg_calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "%s/mcpgate-test-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    /* A level that does not exist yet: the store makes it. */
    snprintf(f->state, sizeof(f->state), "%s/state/mcpgate", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    mg_free(f);
    return 0;
}

static struct mg_store *
open_ok(const char *dir)
{
    char err[512] = "";
    struct mg_store *st = mg_store_open(dir, err, sizeof(err));

    if (st == NULL)
        fail_msg("mg_store_open(%s): %s", dir, err);
    return st;
}

static int64_t
scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static unsigned
mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 0777);
}

/* A key named NAME with a fresh id and secret (into SECRET). */
static void
make_key(struct mg_key *k, const char *name, char *secret)
{
    static char *projects[] = {"web", "api"};

    memset(k, 0, sizeof(*k));
    assert_int_equal(mg_key_id_new(k->id), 0);
    assert_int_equal(mg_secret_new(secret), 0);
    mg_secret_hash(secret, strlen(secret), k->hash);
    k->name = (char *)name;
    k->projects = projects;
    k->nprojects = 2;
    k->default_project = projects[0];
    k->scope = MG_SCOPE_WRITE;
    k->created_at = mg_store_now();
}

/* --- creation, modes, migrations ---------------------------------------------- */

static void
test_first_open_creates_everything_private(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    char path[400];
    struct mg_key k;
    char secret[MG_SECRET_LEN + 1], err[256];

    assert_int_equal(mode_of(f->state), 0700);
    snprintf(path, sizeof(path), "%s/state", f->dir);
    assert_int_equal(mode_of(path), 0700);
    assert_string_equal(strrchr(st->path, '/') + 1, MG_STORE_FILE);
    assert_int_equal(mode_of(st->path), 0600);
    assert_int_equal(scalar(st->db, "SELECT max(version) FROM schema_version"), mg_store_schema_version());
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM keys"), 0);
    assert_int_equal(scalar(st->db, "SELECT value FROM generations WHERE name = 'keys'"), 0);

    /* A write makes the WAL and its index: they get the file's mode. */
    make_key(&k, "alice", secret);
    assert_int_equal(mg_store_key_insert(st->db, &k, err, sizeof(err)), MG_STORE_OK);
    snprintf(path, sizeof(path), "%s-wal", st->path);
    assert_int_equal(mode_of(path), 0600);
    snprintf(path, sizeof(path), "%s-shm", st->path);
    assert_int_equal(mode_of(path), 0600);
    mg_store_close(st);
}

static void
test_reopen_is_idempotent(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    struct mg_key k;
    char secret[MG_SECRET_LEN + 1], err[256];
    int64_t applied;

    make_key(&k, "alice", secret);
    assert_int_equal(mg_store_key_insert(st->db, &k, err, sizeof(err)), MG_STORE_OK);
    applied = scalar(st->db, "SELECT applied_at FROM schema_version WHERE version = 1");
    mg_store_close(st);

    for (int i = 0; i < 3; i++) {
        st = open_ok(f->state);
        assert_int_equal(scalar(st->db, "SELECT count(*) FROM schema_version"), mg_store_schema_version());
        assert_int_equal(scalar(st->db, "SELECT applied_at FROM schema_version WHERE version = 1"), applied);
        assert_int_equal(scalar(st->db, "SELECT count(*) FROM keys"), 1);
        mg_store_close(st);
    }
}

/* 1 if SQL's program opens a temporary b-tree (per row, for an INSERT). */
static int
plan_has_ephemeral(sqlite3 *db, const char *sql)
{
    char explain[600];
    sqlite3_stmt *st;
    int found = 0;

    snprintf(explain, sizeof(explain), "EXPLAIN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0)
            found = 1;
    sqlite3_finalize(st);
    return found;
}

#define INSERT_CALL                                                                                               \
    "INSERT INTO calls (time_us, tool, duration_us, request_bytes, response_bytes, outcome) VALUES (1, 't', 1, 1, 1, " \
    "'ok')"

/* A store written before migration 4 (its calls table checks outcome
 * with IN) keeps its rows and gets the check that costs nothing. */
static void
test_calls_table_rebuilt_with_cheap_check(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);

    /* Back to version 3: the table as migration 2 made it, with rows. */
    assert_int_equal(sqlite3_exec(st->db,
                                  "DROP TABLE calls;"
                                  "CREATE TABLE calls (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, key_id TEXT,"
                                  " project TEXT, session TEXT, server TEXT, tool TEXT NOT NULL, duration_us INTEGER"
                                  " NOT NULL, request_bytes INTEGER NOT NULL, response_bytes INTEGER NOT NULL, outcome"
                                  " TEXT NOT NULL CHECK (outcome IN ('ok', 'tool_error', 'error', 'cancelled')),"
                                  " error TEXT, arguments TEXT) STRICT;"
                                  "CREATE INDEX calls_time ON calls(time_us);"
                                  "CREATE INDEX calls_errors ON calls(time_us) WHERE outcome != 'ok';"
                                  "INSERT INTO calls VALUES (7, 100, 'key_1', 'p', 's', 'srv', 'echo', 5, 10, 20,"
                                  " 'error', 'boom', '{}');"
                                  "INSERT INTO calls VALUES (9, 200, NULL, NULL, NULL, NULL, 'x', 6, 11, 0,"
                                  " 'cancelled', NULL, NULL);"
                                  "DELETE FROM schema_version WHERE version > 3;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(plan_has_ephemeral(st->db, INSERT_CALL));
    mg_store_close(st);

    st = open_ok(f->state);
    assert_int_equal(scalar(st->db, "SELECT max(version) FROM schema_version"), mg_store_schema_version());
    assert_false(plan_has_ephemeral(st->db, INSERT_CALL));
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM calls"), 2);
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM calls WHERE id = 7 AND time_us = 100 AND key_id = 'key_1'"
                                    " AND project = 'p' AND session = 's' AND server = 'srv' AND tool = 'echo'"
                                    " AND duration_us = 5 AND request_bytes = 10 AND response_bytes = 20 AND"
                                    " outcome = 'error' AND error = 'boom' AND arguments = '{}'"),
                     1);
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM calls WHERE id = 9 AND outcome = 'cancelled'"), 1);
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'calls'"
                                    " AND name IN ('calls_time', 'calls_errors')"),
                     2);
    /* The check still refuses what is not an outcome. */
    assert_int_not_equal(sqlite3_exec(st->db,
                                      "INSERT INTO calls (time_us, tool, duration_us, request_bytes, response_bytes,"
                                      " outcome) VALUES (1, 't', 1, 1, 1, 'okay')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(sqlite3_exec(st->db, INSERT_CALL, NULL, NULL, NULL), SQLITE_OK);
    mg_store_close(st);
}

static void
test_loose_file_mode_is_tightened(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    char path[400];

    snprintf(path, sizeof(path), "%s", st->path);
    mg_store_close(st);
    assert_int_equal(chmod(path, 0644), 0);
    st = open_ok(f->state);
    assert_int_equal(mode_of(path), 0600);
    mg_store_close(st);
}

static void
test_newer_schema_is_refused(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    char err[512] = "";

    assert_int_equal(sqlite3_exec(st->db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL), SQLITE_OK);
    mg_store_close(st);
    assert_null(mg_store_open(f->state, err, sizeof(err)));
    assert_non_null(strstr(err, "schema version 99, newer than this mcpgate knows"));
}

static void
test_not_a_database_is_refused(void **state)
{
    struct fixture *f = *state;
    char path[400], err[512] = "";
    int fd;

    snprintf(path, sizeof(path), "mkdir -p '%s'", f->state);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof(path), "%s/%s", f->state, MG_STORE_FILE);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    for (int i = 0; i < 64; i++)
        assert_int_equal(write(fd, "this is not a SQLite database, not at all\n", 42), 42);
    close(fd);
    assert_null(mg_store_open(f->state, err, sizeof(err)));
    assert_non_null(strstr(err, "is not an mcpgate store"));
}

static void
test_unwritable_directory_says_what_to_do(void **state)
{
    char err[512] = "";

    (void)state;
    /* Not even root can make a directory in /proc. */
    assert_null(mg_store_open("/proc/mcpgate-cannot-be-here", err, sizeof(err)));
    assert_non_null(strstr(err, "--state-dir"));
}

static void
test_state_dir_defaults(void **state)
{
    char out[512], err[256];
    char *xdg = getenv("XDG_STATE_HOME") ? mg_strdup(getenv("XDG_STATE_HOME")) : NULL;
    char *home = getenv("HOME") ? mg_strdup(getenv("HOME")) : NULL;

    (void)state;
    assert_int_equal(mg_store_dir("/srv/gw", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "/srv/gw");
    setenv("XDG_STATE_HOME", "/x/state", 1);
    assert_int_equal(mg_store_dir("", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "/x/state/mcpgate");
    /* A relative XDG_STATE_HOME is invalid (XDG spec): ignored. */
    setenv("XDG_STATE_HOME", "rel", 1);
    setenv("HOME", "/home/u", 1);
    assert_int_equal(mg_store_dir(NULL, out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "/home/u/.local/state/mcpgate");
    unsetenv("XDG_STATE_HOME");
    unsetenv("HOME");
    assert_int_equal(mg_store_dir(NULL, out, sizeof(out), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "MCPGATE_STATE_DIR"));
    if (xdg != NULL)
        setenv("XDG_STATE_HOME", xdg, 1);
    if (home != NULL)
        setenv("HOME", home, 1);
    mg_free(xdg);
    mg_free(home);
}

/* --- keys ---------------------------------------------------------------------- */

struct seen {
    size_t n;
    char names[8][32];
    struct mg_key first;
};

static void
collect(void *ctx, const struct mg_key *k)
{
    struct seen *s = ctx;

    if (s->n == 0)
        mg_key_copy(&s->first, k);
    if (s->n < 8)
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", k->name);
    s->n++;
}

static void
test_key_create_list_revoke(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    struct mg_key a, b, dup, out;
    char sa[MG_SECRET_LEN + 1], sb[MG_SECRET_LEN + 1], sd[MG_SECRET_LEN + 1], err[256];
    struct seen seen = {0};

    make_key(&a, "alice", sa);
    make_key(&b, "bob", sb);
    b.scope = MG_SCOPE_READ;
    b.nprojects = 1;
    b.default_project = NULL;
    assert_int_equal(mg_store_key_insert(st->db, &a, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(mg_store_key_insert(st->db, &b, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(scalar(st->db, "SELECT value FROM generations WHERE name = 'keys'"), 2);

    /* Names are unique among active keys; ids and hashes always. */
    make_key(&dup, "alice", sd);
    assert_int_equal(mg_store_key_insert(st->db, &dup, err, sizeof(err)), MG_STORE_NAME_TAKEN);
    make_key(&dup, "carol", sd);
    memcpy(dup.id, a.id, sizeof(dup.id));
    assert_int_equal(mg_store_key_insert(st->db, &dup, err, sizeof(err)), MG_STORE_ID_TAKEN);
    make_key(&dup, "carol", sd);
    memcpy(dup.hash, a.hash, sizeof(dup.hash));
    assert_int_equal(mg_store_key_insert(st->db, &dup, err, sizeof(err)), MG_STORE_ID_TAKEN);

    /* Only hashes are stored: no column holds the secret. */
    assert_int_equal(scalar(st->db, "SELECT count(*) FROM keys WHERE instr(id || name || projects || "
                                    "coalesce(default_project, '') || scope, 'sk-mcpgate-') > 0"),
                     0);
    assert_int_equal(scalar(st->db, "SELECT length(hash) FROM keys LIMIT 1"), MG_SECRET_HASH_LEN);

    assert_int_equal(mg_store_keys_each(st->db, 0, collect, &seen, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.names[0], "alice");
    assert_string_equal(seen.names[1], "bob");
    assert_string_equal(seen.first.id, a.id);
    assert_int_equal(seen.first.nprojects, 2);
    assert_string_equal(seen.first.projects[1], "api");
    assert_string_equal(seen.first.default_project, "web");
    assert_int_equal(seen.first.scope, MG_SCOPE_WRITE);
    assert_memory_equal(seen.first.hash, a.hash, MG_SECRET_HASH_LEN);
    mg_key_clear(&seen.first);

    /* Revoke by name, then again by id: already revoked. */
    assert_int_equal(mg_store_key_revoke(st->db, "alice", 1234, &out, err, sizeof(err)), MG_STORE_OK);
    assert_string_equal(out.id, a.id);
    assert_int_equal(out.revoked_at, 1234);
    mg_key_clear(&out);
    assert_int_equal(mg_store_key_revoke(st->db, a.id, 5678, &out, err, sizeof(err)), MG_STORE_REVOKED);
    assert_int_equal(out.revoked_at, 1234);
    mg_key_clear(&out);
    assert_int_equal(mg_store_key_revoke(st->db, "alice", 5678, &out, err, sizeof(err)), MG_STORE_NOT_FOUND);
    assert_int_equal(mg_store_key_revoke(st->db, "nobody", 5678, &out, err, sizeof(err)), MG_STORE_NOT_FOUND);
    assert_int_equal(scalar(st->db, "SELECT value FROM generations WHERE name = 'keys'"), 3);

    memset(&seen, 0, sizeof(seen));
    assert_int_equal(mg_store_keys_each(st->db, 0, collect, &seen, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.names[0], "bob");
    mg_key_clear(&seen.first);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(mg_store_keys_each(st->db, 1, collect, &seen, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(seen.n, 2);
    mg_key_clear(&seen.first);

    /* The name is free again once its key is revoked. */
    make_key(&dup, "alice", sd);
    assert_int_equal(mg_store_key_insert(st->db, &dup, err, sizeof(err)), MG_STORE_OK);

    /* Last use moves forward only, and does not bump the generation. */
    assert_int_equal(mg_store_key_touch(st->db, b.id, 100), MG_STORE_OK);
    assert_int_equal(mg_store_key_touch(st->db, b.id, 50), MG_STORE_OK);
    assert_int_equal(scalar(st->db, "SELECT last_used_at FROM keys WHERE name = 'bob'"), 100);
    assert_int_equal(scalar(st->db, "SELECT value FROM generations WHERE name = 'keys'"), 4);
    mg_store_close(st);
}

static void
test_malformed_rows_are_skipped(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    struct mg_key a;
    char sa[MG_SECRET_LEN + 1], err[256];
    struct seen seen = {0};

    make_key(&a, "alice", sa);
    assert_int_equal(mg_store_key_insert(st->db, &a, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(sqlite3_exec(st->db,
                                  "INSERT INTO keys VALUES ('key_000000000001', 'x', zeroblob(32), 'not json', NULL, "
                                  "'read', 0, NULL, NULL);"
                                  "INSERT INTO keys VALUES ('short', 'y', randomblob(32), '[]', NULL, 'read', 0, NULL, "
                                  "NULL);"
                                  "INSERT INTO keys VALUES ('key_000000000002', 'z', randomblob(32), '[1]', NULL, "
                                  "'read', 0, NULL, NULL);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(mg_store_keys_each(st->db, 0, collect, &seen, err, sizeof(err)), MG_STORE_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.names[0], "alice");
    mg_key_clear(&seen.first);
    mg_store_close(st);
}

/* --- secrets ------------------------------------------------------------------- */

static void
test_secrets(void **state)
{
    char s[MG_SECRET_LEN + 1], t[MG_SECRET_LEN + 1], id[MG_KEY_ID_LEN + 1];
    unsigned char hs[MG_SECRET_HASH_LEN], ht[MG_SECRET_HASH_LEN], h2[MG_SECRET_HASH_LEN];
    unsigned counts[62] = {0};
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    (void)state;
    /* At least 192 bits: 43 base62 characters carry 256. */
    assert_true(MG_SECRET_BODY_LEN * 5.954 >= 192);
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(mg_secret_new(s), 0);
        assert_int_equal(strlen(s), MG_SECRET_LEN);
        assert_memory_equal(s, "sk-mcpgate-", 11);
        assert_true(mg_secret_well_formed(s, strlen(s)));
        for (size_t j = MG_SECRET_PREFIX_LEN; j < MG_SECRET_LEN; j++)
            counts[strchr(b62, s[j]) - b62]++;
    }
    /* Uniform enough: each of 62 characters about 2000*43/62 = 1387 times. */
    for (int c = 0; c < 62; c++)
        assert_true(counts[c] > 1100 && counts[c] < 1700);

    assert_int_equal(mg_secret_new(t), 0);
    assert_string_not_equal(s, t);
    assert_false(mg_secret_well_formed(s, strlen(s) - 1));
    s[20] = '-';
    assert_false(mg_secret_well_formed(s, strlen(s)));
    assert_false(mg_secret_well_formed("sk-other-abc", 12));

    /* The hash is SHA-256 (FIPS 180-2 test vector "abc"). */
    mg_secret_hash("abc", 3, hs);
    assert_int_equal(hs[0], 0xba);
    assert_int_equal(hs[31], 0xad);

    /* The constant-time comparison: equal, and unequal at either end. */
    mg_secret_hash(t, strlen(t), ht);
    memcpy(h2, ht, sizeof(h2));
    assert_true(mg_secret_hash_equal(ht, h2));
    h2[0] ^= 1;
    assert_false(mg_secret_hash_equal(ht, h2));
    h2[0] ^= 1;
    h2[MG_SECRET_HASH_LEN - 1] ^= 0x80;
    assert_false(mg_secret_hash_equal(ht, h2));

    assert_int_equal(mg_key_id_new(id), 0);
    assert_int_equal(strlen(id), MG_KEY_ID_LEN);
    assert_memory_equal(id, "key_", 4);
}

static void
test_names(void **state)
{
    (void)state;
    assert_true(mg_key_name_valid("alice"));
    assert_true(mg_key_name_valid("alice@example.com"));
    assert_true(mg_key_name_valid("ci.deploy+staging_2-x"));
    assert_false(mg_key_name_valid(""));
    assert_false(mg_key_name_valid("two words"));
    assert_false(mg_key_name_valid("quote\"d"));
    assert_false(mg_key_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
    assert_true(mg_project_name_valid("web-2_x"));
    assert_false(mg_project_name_valid("a.b"));
    assert_int_equal(mg_scope_parse("read"), MG_SCOPE_READ);
    assert_int_equal(mg_scope_parse("write"), MG_SCOPE_WRITE);
    assert_int_equal(mg_scope_parse("admin"), -1);
}

/* --- the writer ---------------------------------------------------------------- */

struct row_op {
    struct mg_store_op op;
    int n;
};

static int
row_apply(sqlite3 *db, struct mg_store_op *op)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%d)", ((struct row_op *)op)->n);
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void
row_free(struct mg_store_op *op)
{
    mg_free(op);
}

static void
push_rows(struct mg_store_writer *w, int from, int to)
{
    for (int i = from; i < to; i++) {
        struct row_op *r = mg_calloc(1, sizeof(*r));
        r->op.apply = row_apply;
        r->op.free = row_free;
        r->op.what = "a test row";
        r->n = i;
        mg_store_writer_push(w, &r->op);
    }
}

static void
test_writer_batches_and_loses_nothing_on_stop(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    struct mg_store_writer *w;
    char err[256];
    sqlite3 *r;

    assert_int_equal(sqlite3_exec(st->db, "CREATE TABLE t (n INTEGER PRIMARY KEY)", NULL, NULL, NULL), SQLITE_OK);
    /* A long window: only the flush and the stop make it commit. */
    w = mg_store_writer_start(st, 60000, err, sizeof(err));
    assert_non_null(w);
    r = mg_store_open_reader(st->path, 1000, err, sizeof(err));
    assert_non_null(r);

    push_rows(w, 0, 1000);
    mg_store_writer_flush(w);
    assert_int_equal(scalar(r, "SELECT count(*) FROM t"), 1000);

    /* An op that fails (a duplicate row) is skipped; the batch around it
     * is kept. */
    push_rows(w, 1000, 1500);
    push_rows(w, 5, 6);
    push_rows(w, 1500, 20000);
    /* The reader is query-only: the loop thread can never write. */
    assert_int_not_equal(sqlite3_exec(r, "INSERT INTO t VALUES (0)", NULL, NULL, NULL), SQLITE_OK);
    mg_store_writer_stop(w); /* closes the store too */
    assert_int_equal(scalar(r, "SELECT count(*) FROM t"), 20000);
    assert_int_equal(scalar(r, "SELECT max(n) FROM t"), 19999);
    sqlite3_close(r);
}

struct pusher {
    struct mg_store_writer *w;
    int from;
};

static void
push_thread(void *arg)
{
    struct pusher *p = arg;

    push_rows(p->w, p->from, p->from + 5000);
}

static void
test_writer_from_many_threads(void **state)
{
    struct fixture *f = *state;
    struct mg_store *st = open_ok(f->state);
    struct mg_store_writer *w;
    char err[256];
    uv_thread_t th[4];
    struct pusher p[4];
    sqlite3 *r;

    assert_int_equal(sqlite3_exec(st->db, "CREATE TABLE t (n INTEGER PRIMARY KEY)", NULL, NULL, NULL), SQLITE_OK);
    w = mg_store_writer_start(st, 5, err, sizeof(err));
    assert_non_null(w);
    r = mg_store_open_reader(st->path, 1000, err, sizeof(err));
    assert_non_null(r);
    for (int i = 0; i < 4; i++) {
        p[i].w = w;
        p[i].from = i * 5000;
        assert_int_equal(uv_thread_create(&th[i], push_thread, &p[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(uv_thread_join(&th[i]), 0);
    mg_store_writer_flush(w);
    assert_int_equal(scalar(r, "SELECT count(*) FROM t"), 20000);
    assert_int_equal(mg_store_writer_dropped(w), 0);
    mg_store_writer_stop(w);
    sqlite3_close(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_open_creates_everything_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls_table_rebuilt_with_cheap_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loose_file_mode_is_tightened, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_is_refused, setup, teardown),
        cmocka_unit_test(test_unwritable_directory_says_what_to_do),
        cmocka_unit_test(test_state_dir_defaults),
        cmocka_unit_test_setup_teardown(test_key_create_list_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_rows_are_skipped, setup, teardown),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_writer_batches_and_loses_nothing_on_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_from_many_threads, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
