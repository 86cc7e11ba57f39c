/*
 * test_store_calls.c - the call record on a real SQLite file in a
 * temporary directory: rows written by the writer thread (all of them,
 * after a stop), the queries and their filters, a key's projects, the
 * slowest first, nearest-rank percentiles, and retention by age and by
 * row count, run by the writer itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_calls.h"
#include "store/store_writer.h"
#include "util/alloc.h"

struct fixture {
    char dir[256];
    struct mg_store *st;    /* NULL once handed to a writer */
    sqlite3 *db;            /* the store's connection, or a reader */
};

static int
setup(void **state)
{
    struct fixture *f = mg_calloc(1, sizeof(*f));
    char err[512] = "";

    snprintf(f->dir, sizeof(f->dir), "%s/mcpgate-test-calls-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    f->st = mg_store_open(f->dir, err, sizeof(err));
    if (f->st == NULL)
        fail_msg("mg_store_open: %s", err);
    f->db = f->st->db;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];

    if (f->st != NULL)
        mg_store_close(f->st);
    else
        sqlite3_close(f->db);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    mg_free(f);
    return 0;
}

static int64_t
now_us(void)
{
    return (int64_t)time(NULL) * 1000000;
}

/* A row of TOOL on SERVER at T lasting D us, ending with OUTCOME. */
static struct mg_call_row *
row(const char *server, const char *tool, int64_t t, int64_t d, enum mg_call_outcome outcome)
{
    struct mg_call_row *r = mg_call_row_new();

    r->time_us = t;
    r->server = server != NULL ? mg_strdup(server) : NULL;
    r->tool = mg_strdup(tool);
    r->duration_us = d;
    r->request_bytes = 100;
    r->response_bytes = 200;
    r->outcome = outcome;
    if (outcome != MG_CALL_OK && outcome != MG_CALL_CANCELLED)
        r->error = mg_strdup("it failed");
    return r;
}

/* Insert R at once and free it. */
static void
put(sqlite3 *db, struct mg_call_row *r)
{
    assert_int_equal(mg_store_call_insert(db, r), 0);
    mg_call_row_free(r);
}

static int64_t
count(sqlite3 *db, const char *where)
{
    char sql[256];
    sqlite3_stmt *st;
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM calls %s", where);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static json_t *
recent(sqlite3 *db, const struct mg_calls_filter *f, enum mg_calls_order order, size_t limit)
{
    char err[256] = "";
    json_t *rows = mg_store_calls_recent(db, f, order, limit, err, sizeof(err));

    if (rows == NULL)
        fail_msg("mg_store_calls_recent: %s", err);
    return rows;
}

static const char *
member(json_t *rows, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(rows, i), key));
}

static json_int_t
number(json_t *rows, size_t i, const char *key)
{
    return json_integer_value(json_object_get(json_array_get(rows, i), key));
}

/* Hand the store to a writer; later reads go through a reader. */
static struct mg_store_writer *
start_writer(struct fixture *f)
{
    char err[256] = "", path[512];
    struct mg_store_writer *w;

    snprintf(path, sizeof(path), "%s", f->st->path);
    w = mg_store_writer_start(f->st, 5, err, sizeof(err));
    assert_non_null(w);
    f->st = NULL;
    f->db = mg_store_open_reader(path, 1000, err, sizeof(err));
    assert_non_null(f->db);
    return w;
}

/* --- writing ------------------------------------------------------------------ */

static void
test_every_row_pushed_is_written_by_stop(void **state)
{
    struct fixture *f = *state;
    struct mg_store_writer *w = start_writer(f);
    enum { N = 5000 };
    int64_t t0 = now_us();

    for (int i = 0; i < N; i++) {
        struct mg_call_row *r = row("demo", i % 10 == 0 ? "fail" : "echo", t0 + i, i, i % 10 == 0 ? MG_CALL_ERROR : MG_CALL_OK);
        strcpy(r->key_id, "key_0123456789ab");
        r->project = mg_strdup("web");
        mg_store_call_push(w, r);
    }
    mg_store_writer_stop(w);
    assert_int_equal(count(f->db, ""), N);
    assert_int_equal(count(f->db, "WHERE outcome = 'error'"), N / 10);
    assert_int_equal(count(f->db, "WHERE key_id = 'key_0123456789ab' AND project = 'web' AND session IS NULL"), N);
}

static void
test_row_fields_round_trip(void **state)
{
    struct fixture *f = *state;
    struct mg_call_row *r = row("github", "list_prs", 1767225600123456, 1234, MG_CALL_TOOL_ERROR);
    json_t *rows;

    strcpy(r->key_id, "key_0123456789ab");
    r->project = mg_strdup("web");
    r->session = mg_strdup("abcd");
    r->arguments = mg_strdup("{\"repo\":\"x\"}");
    put(f->db, r);
    put(f->db, row(NULL, "nope", 1767225600000000, 5, MG_CALL_ERROR));

    rows = recent(f->db, &(struct mg_calls_filter){0}, MG_CALLS_NEWEST, 0);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(member(rows, 0, "time"), "2026-01-01T00:00:00.123Z");
    assert_int_equal(number(rows, 0, "time_us"), 1767225600123456);
    assert_string_equal(member(rows, 0, "key_id"), "key_0123456789ab");
    assert_string_equal(member(rows, 0, "project"), "web");
    assert_string_equal(member(rows, 0, "session"), "abcd");
    assert_string_equal(member(rows, 0, "server"), "github");
    assert_string_equal(member(rows, 0, "tool"), "list_prs");
    assert_int_equal(number(rows, 0, "duration_us"), 1234);
    assert_int_equal(number(rows, 0, "request_bytes"), 100);
    assert_int_equal(number(rows, 0, "response_bytes"), 200);
    assert_string_equal(member(rows, 0, "outcome"), "tool_error");
    assert_string_equal(member(rows, 0, "error"), "it failed");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(rows, 0), "arguments"), "repo")),
                        "x");
    /* No key, project, session or server: nulls, not "". */
    assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "key_id")));
    assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "server")));
    assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "arguments")));
    json_decref(rows);
}

/* --- queries ------------------------------------------------------------------ */

static void
fill_mixed(sqlite3 *db, int64_t t0)
{
    struct mg_call_row *r;

    /* t0 .. t0+5: web echo ok (durations 10..15), api echo error, web
     * add tool_error, no project: cancelled. */
    for (int i = 0; i < 6; i++) {
        r = row("demo", "echo", t0 + i, 10 + i, MG_CALL_OK);
        r->project = mg_strdup("web");
        put(db, r);
    }
    r = row("demo", "echo", t0 + 10, 500, MG_CALL_ERROR);
    r->project = mg_strdup("api");
    put(db, r);
    r = row("demo", "add", t0 + 11, 7, MG_CALL_TOOL_ERROR);
    r->project = mg_strdup("web");
    put(db, r);
    put(db, row("other", "echo", t0 + 12, 9000, MG_CALL_CANCELLED));
}

static void
test_filters(void **state)
{
    struct fixture *f = *state;
    const int64_t t0 = 1767225600000000;
    const char *web[] = {"web"}, *both[] = {"web", "api"};
    json_t *rows;

    fill_mixed(f->db, t0);
#define N(...) (rows = recent(f->db, &(struct mg_calls_filter){__VA_ARGS__}, MG_CALLS_NEWEST, 0), \
               json_array_size(rows))
#define DONE json_decref(rows)
    assert_int_equal(N(), 9);
    assert_string_equal(member(rows, 0, "server"), "other"); /* newest first */
    DONE;
    assert_int_equal(N(.tool = "echo"), 8);
    DONE;
    assert_int_equal(N(.tool = "echo", .server = "demo"), 7);
    DONE;
    assert_int_equal(N(.outcomes = MG_CALL_BIT(MG_CALL_ERROR)), 1);
    assert_int_equal(number(rows, 0, "duration_us"), 500);
    DONE;
    assert_int_equal(N(.outcomes = MG_CALLS_NOT_OK), 3);
    DONE;
    assert_int_equal(N(.since_us = t0 + 10), 3);
    DONE;
    assert_int_equal(N(.since_us = t0 + 2, .until_us = t0 + 4), 2);
    DONE;
    /* A key's projects: rows of other projects and of none stay hidden. */
    assert_int_equal(N(.projects = web, .nprojects = 1), 7);
    DONE;
    assert_int_equal(N(.projects = both, .nprojects = 2), 8);
    DONE;
    assert_int_equal(N(.projects = both, .nprojects = 0), 0);
    DONE;
    assert_int_equal(N(.projects = web, .nprojects = 1, .outcomes = MG_CALLS_NOT_OK), 1);
    assert_string_equal(member(rows, 0, "tool"), "add");
    DONE;
    assert_int_equal(N(.tool = "no such tool"), 0);
    DONE;
#undef N
#undef DONE

    /* Limit, and the slowest first. */
    rows = recent(f->db, &(struct mg_calls_filter){0}, MG_CALLS_NEWEST, 2);
    assert_int_equal(json_array_size(rows), 2);
    json_decref(rows);
    rows = recent(f->db, &(struct mg_calls_filter){0}, MG_CALLS_SLOWEST, 3);
    assert_int_equal(json_array_size(rows), 3);
    assert_int_equal(number(rows, 0, "duration_us"), 9000);
    assert_int_equal(number(rows, 1, "duration_us"), 500);
    assert_int_equal(number(rows, 2, "duration_us"), 15);
    json_decref(rows);
}

static void
test_too_many_projects_is_an_error(void **state)
{
    struct fixture *f = *state;
    const char *many[65];
    char err[256] = "";

    for (int i = 0; i < 65; i++)
        many[i] = "p";
    assert_null(mg_store_calls_recent(f->db, &(struct mg_calls_filter){.projects = many,
                                                                        .nprojects = 65},
                                      MG_CALLS_NEWEST, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "at most 64 projects"));
}

/* --- statistics ----------------------------------------------------------------- */

static json_t *
stats(sqlite3 *db, const struct mg_calls_filter *f)
{
    char err[256] = "";
    json_t *rows = mg_store_calls_stats(db, f, err, sizeof(err));

    if (rows == NULL)
        fail_msg("mg_store_calls_stats: %s", err);
    return rows;
}

static void
test_stats_nearest_rank_percentiles(void **state)
{
    struct fixture *f = *state;
    const int64_t t0 = 1767225600000000;
    json_t *s, *g;

    /* a: durations 1..100 shuffled (p50 = 50, p95 = 95); b: 1..10 (p50 5,
     * p95 10); c: one call; every 4th call of a is an error of some kind. */
    for (int i = 0; i < 100; i++) {
        int d = (i * 37) % 100 + 1;
        enum mg_call_outcome o = i % 4 != 0 ? MG_CALL_OK : i % 8 == 0 ? MG_CALL_ERROR : MG_CALL_TOOL_ERROR;
        put(f->db, row("x", "a", t0 + i, d, o));
    }
    for (int d = 10; d >= 1; d--)
        put(f->db, row("x", "b", t0 + 200 + d, d * 1000, d == 3 ? MG_CALL_CANCELLED : MG_CALL_OK));
    put(f->db, row(NULL, "c", t0 + 300, 42, MG_CALL_ERROR));

    s = stats(f->db, &(struct mg_calls_filter){0});
    assert_int_equal(json_array_size(s), 3);
    /* Ordered by server (no server first), then tool. */
    g = json_array_get(s, 0);
    assert_string_equal(json_string_value(json_object_get(g, "tool")), "c");
    assert_true(json_is_null(json_object_get(g, "server")));
    assert_int_equal(json_integer_value(json_object_get(g, "p50_us")), 42);
    assert_int_equal(json_integer_value(json_object_get(g, "p95_us")), 42);
    assert_true(json_real_value(json_object_get(g, "error_rate")) == 1.0);

    g = json_array_get(s, 1);
    assert_string_equal(json_string_value(json_object_get(g, "tool")), "a");
    assert_int_equal(json_integer_value(json_object_get(g, "count")), 100);
    assert_int_equal(json_integer_value(json_object_get(g, "ok")), 75);
    assert_int_equal(json_integer_value(json_object_get(g, "error")), 13);
    assert_int_equal(json_integer_value(json_object_get(g, "tool_error")), 12);
    assert_true(json_real_value(json_object_get(g, "error_rate")) == 0.25);
    assert_int_equal(json_integer_value(json_object_get(g, "p50_us")), 50);
    assert_int_equal(json_integer_value(json_object_get(g, "p95_us")), 95);
    assert_int_equal(json_integer_value(json_object_get(g, "max_us")), 100);

    g = json_array_get(s, 2);
    assert_string_equal(json_string_value(json_object_get(g, "tool")), "b");
    assert_int_equal(json_integer_value(json_object_get(g, "count")), 10);
    assert_int_equal(json_integer_value(json_object_get(g, "cancelled")), 1);
    assert_true(json_real_value(json_object_get(g, "error_rate")) == 0.0);
    assert_int_equal(json_integer_value(json_object_get(g, "p50_us")), 5000);
    assert_int_equal(json_integer_value(json_object_get(g, "p95_us")), 10000);
    json_decref(s);

    /* Over a window: only b's five longest (t0+206 .. t0+210). */
    s = stats(f->db, &(struct mg_calls_filter){.since_us = t0 + 206, .until_us = t0 + 211});
    assert_int_equal(json_array_size(s), 1);
    g = json_array_get(s, 0);
    assert_int_equal(json_integer_value(json_object_get(g, "count")), 5);
    assert_int_equal(json_integer_value(json_object_get(g, "p50_us")), 8000);
    assert_int_equal(json_integer_value(json_object_get(g, "p95_us")), 10000);
    json_decref(s);

    /* Nothing selected: an empty array. */
    s = stats(f->db, &(struct mg_calls_filter){.tool = "none"});
    assert_int_equal(json_array_size(s), 0);
    json_decref(s);
}

/* --- retention ------------------------------------------------------------------ */

static void
test_prune_by_age_and_rows(void **state)
{
    struct fixture *f = *state;
    const int64_t now = now_us(), day = 86400LL * 1000000;
    struct mg_calls_retention r = {.max_age_s = 7 * 86400, .max_rows = 0};

    for (int i = 0; i < 10; i++)
        put(f->db, row("s", "old", now - 30 * day + i, 1, MG_CALL_OK));
    for (int i = 0; i < 20; i++)
        put(f->db, row("s", "new", now - day + i, 1, MG_CALL_OK));
    assert_int_equal(mg_store_calls_prune(f->db, now, &r), 10);
    assert_int_equal(count(f->db, "WHERE tool = 'old'"), 0);
    assert_int_equal(count(f->db, ""), 20);

    /* By rows: the newest stay. */
    r.max_rows = 15;
    assert_int_equal(mg_store_calls_prune(f->db, now, &r), 5);
    assert_int_equal(count(f->db, ""), 15);
    {
        char where[128];
        snprintf(where, sizeof(where), "WHERE time_us >= %lld", (long long)(now - day + 5));
        assert_int_equal(count(f->db, where), 15); /* the 5 oldest of the 20 went */
    }
    /* Already within bounds: nothing more. */
    assert_int_equal(mg_store_calls_prune(f->db, now, &r), 0);

    /* A call that started long ago is written last: the age prune takes
     * it from the middle of the ids, and the gap costs one row, never
     * more than max_rows kept.  Ids 16..30, then 31 (stale) and 32..36. */
    put(f->db, row("s", "stale", now - 30 * day, 1, MG_CALL_OK));
    for (int i = 0; i < 5; i++)
        put(f->db, row("s", "later", now + i, 1, MG_CALL_OK));
    assert_int_equal(mg_store_calls_prune(f->db, now, &r), 1 + 6);
    assert_int_equal(count(f->db, ""), 14);
    assert_int_equal(count(f->db, "WHERE tool = 'later'"), 5);
}

static void
test_writer_prunes_at_start(void **state)
{
    struct fixture *f = *state;
    const int64_t now = now_us(), day = 86400LL * 1000000;
    struct mg_calls_retention r = {.max_age_s = 86400, .max_rows = 3};
    struct mg_store_writer *w;

    for (int i = 0; i < 5; i++)
        put(f->db, row("s", "old", now - 10 * day + i, 1, MG_CALL_OK));
    w = start_writer(f);
    mg_store_writer_every(w, 3600 * 1000, mg_store_calls_prune_tick, &r);
    for (int i = 0; i < 5; i++)
        mg_store_call_push(w, row("s", "new", now + i, 1, MG_CALL_OK));
    mg_store_writer_flush(w);
    /* The job ran before the first batch: the old rows went by age, and
     * the new ones are all there (the next run would trim them to 3). */
    assert_int_equal(count(f->db, "WHERE tool = 'old'"), 0);
    assert_int_equal(count(f->db, "WHERE tool = 'new'"), 5);
    mg_store_writer_stop(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_row_pushed_is_written_by_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_fields_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_projects_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_nearest_rank_percentiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune_by_age_and_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_prunes_at_start, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
