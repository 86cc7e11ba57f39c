/*
 * test_lists.c - pages of the lists a client sees (src/mcp/lists.c),
 * through a session as a transport would drive it: every item once and
 * in order, a cursor that holds its place by key when the catalog changes
 * between pages, and cursors refused in another list or view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "gateway/gateway.h"
#include "mcp/session.h"
#include "mcpgate.h"

struct fixture {
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_session *s;
    struct mg_sink sink;
    json_t *last; /* the last message sent */
    int next_id;
};

static void
collect(void *ctx, json_t *msg)
{
    struct fixture *f = ctx;

    json_decref(f->last);
    f->last = json_incref(msg);
}

static void
noop_tool(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_finish(call);
}

static void
noop_prompt(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_finish(call);
}

static void
noop_read(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    mg_call_finish(call);
}

static const struct mg_tool_def a_tools[] = {
    {.name = "t3", .handler = noop_tool}, {.name = "t1", .handler = noop_tool}, {.name = "t5", .handler = noop_tool},
    {.name = "t2", .handler = noop_tool}, {.name = "t4", .handler = noop_tool},
};
static const struct mg_prompt_def a_prompts[] = {
    {.name = "p2", .get = noop_prompt}, {.name = "p1", .get = noop_prompt}, {.name = "p3", .get = noop_prompt},
};
static const struct mg_resource_def a_resources[] = {
    {.uri = "mem://a/2", .name = "two", .read = noop_read},
    {.uri = "mem://a/1", .name = "one", .read = noop_read},
    {.uri = "mem://a/3", .name = "three", .read = noop_read},
    {.uri_template = "mem://a/{id}/x", .name = "x", .read = noop_read},
    {.uri_template = "mem://a/{id}/y", .name = "y", .read = noop_read},
};
static const struct mg_tool_def b_tools[] = {{.name = "y", .handler = noop_tool}, {.name = "x", .handler = noop_tool}};
static const struct mg_prompt_def b_prompts[] = {{.name = "q", .get = noop_prompt}};
/* Registered mid-walk, unprefixed: "a-x" sorts before every "a__" name,
 * "zz" after every other. */
static const struct mg_tool_def late_tools[] = {{.name = "zz", .handler = noop_tool},
                                                {.name = "a-x", .handler = noop_tool}};

static void
add(struct fixture *f, const struct mg_bundle_def *def)
{
    char err[256];

    if (mg_bundle_register(f->gw, def, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct mg_bundle_def a = {.ns = "a", .tools = a_tools, .tool_count = 5, .prompts = a_prompts, .prompt_count = 3,
                              .resources = a_resources, .resource_count = 5};
    struct mg_bundle_def b = {.ns = "b", .tools = b_tools, .tool_count = 2, .prompts = b_prompts, .prompt_count = 1};

    uv_loop_init(&f->loop);
    f->gw = mg_gateway_new(&f->loop);
    f->gw->list_page_size = 2;
    add(f, &a);
    add(f, &b);
    f->sink.send = collect;
    f->sink.ctx = f;
    f->s = mg_session_new(f->gw, &f->sink);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    mg_session_close(f->s);
    json_decref(f->last);
    mg_gateway_free(f->gw);
    uv_loop_close(&f->loop);
    free(f);
    return 0;
}

/* Send a modern METHOD with CURSOR (or none) and return the message sent
 * back (borrowed until the next request). */
static json_t *
ask(struct fixture *f, const char *method, const char *cursor)
{
    json_t *params = json_pack("{s:{s:s, s:{}}}", "_meta", "io.modelcontextprotocol/protocolVersion", "2026-07-28",
                               "io.modelcontextprotocol/clientCapabilities");
    json_t *msg;

    if (cursor != NULL)
        json_object_set_new(params, "cursor", json_string(cursor));
    msg = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", ++f->next_id, "method", method, "params", params);
    mg_session_receive(f->s, msg, &f->sink);
    json_decref(msg);
    assert_non_null(f->last);
    return f->last;
}

static json_t *
result_of(json_t *msg)
{
    json_t *r = json_object_get(msg, "result");

    if (r == NULL) {
        char *t = json_dumps(msg, 0);
        fail_msg("expected a result, got %s", t);
    }
    return r;
}

static void
assert_invalid_cursor(json_t *msg)
{
    json_t *e = json_object_get(msg, "error");

    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "code")), -32602);
    assert_string_equal(json_string_value(json_object_get(e, "message")), "Invalid params: unknown or expired cursor");
}

/*
 * Walk METHOD's pages from the start, appending each item's FIELD to
 * OUT ("a b c"), and return how many pages there were.  Each page holds
 * at most list_page_size items and carries the same caching hints; only
 * the last has no nextCursor.
 */
static int
walk(struct fixture *f, const char *method, const char *key, const char *field, char *out, size_t len)
{
    char *cursor = NULL;
    int pages = 0;

    out[0] = '\0';
    do {
        json_t *r = result_of(ask(f, method, cursor)), *items = json_object_get(r, key), *item;
        size_t i;

        free(cursor);
        cursor = NULL;
        pages++;
        assert_true(json_array_size(items) <= f->gw->list_page_size);
        assert_int_equal(json_integer_value(json_object_get(r, "ttlMs")), f->gw->list_ttl_ms);
        assert_string_equal(json_string_value(json_object_get(r, "cacheScope")), "private");
        json_array_foreach (items, i, item) {
            size_t o = strlen(out);
            snprintf(out + o, len - o, "%s%s", o ? " " : "", json_string_value(json_object_get(item, field)));
        }
        if (json_object_get(r, "nextCursor") != NULL) {
            assert_true(json_array_size(items) > 0);
            cursor = strdup(json_string_value(json_object_get(r, "nextCursor")));
        }
    } while (cursor != NULL && pages < 100);
    assert_null(cursor);
    return pages;
}

static void
test_every_list_in_pages(void **state)
{
    struct fixture *f = *state;
    char got[512];

    assert_int_equal(walk(f, "tools/list", "tools", "name", got, sizeof(got)), 4);
    assert_string_equal(got, "a__t1 a__t2 a__t3 a__t4 a__t5 b__x b__y");
    assert_int_equal(walk(f, "prompts/list", "prompts", "name", got, sizeof(got)), 2);
    assert_string_equal(got, "a__p1 a__p2 a__p3 b__q");
    assert_int_equal(walk(f, "resources/list", "resources", "uri", got, sizeof(got)), 2);
    assert_string_equal(got, "mem://a/1 mem://a/2 mem://a/3");
    /* Exactly one full page: no cursor to an empty page. */
    assert_int_equal(walk(f, "resources/templates/list", "resourceTemplates", "uriTemplate", got, sizeof(got)), 1);
    assert_string_equal(got, "mem://a/{id}/x mem://a/{id}/y");

    /* One page when the page is large enough; the same items. */
    f->gw->list_page_size = 500;
    assert_int_equal(walk(f, "tools/list", "tools", "name", got, sizeof(got)), 1);
    assert_string_equal(got, "a__t1 a__t2 a__t3 a__t4 a__t5 b__x b__y");
}

static const char *
next_cursor(json_t *msg)
{
    const char *c = json_string_value(json_object_get(result_of(msg), "nextCursor"));

    assert_non_null(c);
    return c;
}

static const char *
names(json_t *msg, char *out, size_t len)
{
    json_t *item;
    size_t i;

    out[0] = '\0';
    json_array_foreach (json_object_get(result_of(msg), "tools"), i, item) {
        size_t o = strlen(out);
        snprintf(out + o, len - o, "%s%s", o ? " " : "", json_string_value(json_object_get(item, "name")));
    }
    return out;
}

/* Tools added or removed between pages: the cursor keeps its place by
 * name, so nothing after it is skipped and nothing is repeated. */
static void
test_cursor_holds_its_place(void **state)
{
    struct fixture *f = *state;
    struct mg_bundle_def late = {.ns = "late", .tools = late_tools, .tool_count = 2, .unprefixed = 1};
    char cursor[512], got[256];

    snprintf(cursor, sizeof(cursor), "%s", next_cursor(ask(f, "tools/list", NULL)));
    add(f, &late); /* a-x before the cursor, zz after it */
    json_t *m = ask(f, "tools/list", cursor);
    assert_string_equal(names(m, got, sizeof(got)), "a__t3 a__t4");
    snprintf(cursor, sizeof(cursor), "%s", next_cursor(m));
    m = ask(f, "tools/list", cursor);
    assert_string_equal(names(m, got, sizeof(got)), "a__t5 b__x");
    snprintf(cursor, sizeof(cursor), "%s", next_cursor(m));
    /* b goes away, with b__x the cursor names and b__y after it. */
    mg_catalog_withdraw(&f->gw->catalog, mg_strmap_get(&f->gw->catalog.by_ns, "b"));
    m = ask(f, "tools/list", cursor);
    assert_string_equal(names(m, got, sizeof(got)), "zz");
    assert_null(json_object_get(result_of(m), "nextCursor"));
    /* A cursor stays good however often it is used. */
    m = ask(f, "tools/list", cursor);
    assert_string_equal(names(m, got, sizeof(got)), "zz");
}

/* A one-source view pages that source's items, under its own names; its
 * cursors open only there, and only for the list they were made for. */
static void
test_views_and_lists_keep_their_cursors(void **state)
{
    struct fixture *f = *state;
    char all[512], view_cursor[512], got[256];

    snprintf(all, sizeof(all), "%s", next_cursor(ask(f, "tools/list", NULL)));
    mg_session_set_view(f->s, "a");
    assert_int_equal(walk(f, "tools/list", "tools", "name", got, sizeof(got)), 3);
    assert_string_equal(got, "t1 t2 t3 t4 t5");
    assert_int_equal(walk(f, "prompts/list", "prompts", "name", got, sizeof(got)), 2);
    assert_string_equal(got, "p1 p2 p3");
    snprintf(view_cursor, sizeof(view_cursor), "%s", next_cursor(ask(f, "tools/list", NULL)));
    assert_invalid_cursor(ask(f, "tools/list", all));
    assert_invalid_cursor(ask(f, "prompts/list", view_cursor));
    assert_invalid_cursor(ask(f, "resources/list", view_cursor));
    assert_invalid_cursor(ask(f, "resources/templates/list", view_cursor));
    mg_session_set_view(f->s, "b");
    assert_invalid_cursor(ask(f, "tools/list", view_cursor));
    assert_int_equal(walk(f, "tools/list", "tools", "name", got, sizeof(got)), 1);
    assert_string_equal(got, "x y");
    /* A view of a source that is not there shows nothing. */
    mg_session_set_view(f->s, "nobody");
    assert_int_equal(walk(f, "tools/list", "tools", "name", got, sizeof(got)), 1);
    assert_string_equal(got, "");
    mg_session_set_view(f->s, NULL);
    assert_invalid_cursor(ask(f, "tools/list", view_cursor));
    assert_string_equal(names(ask(f, "tools/list", all), got, sizeof(got)), "a__t3 a__t4");
}

static void
test_bad_cursors(void **state)
{
    struct fixture *f = *state;
    json_t *msg = json_pack("{s:s, s:i, s:s, s:{s:{s:s, s:{}}, s:i}}", "jsonrpc", "2.0", "id", 1, "method",
                            "tools/list", "params", "_meta", "io.modelcontextprotocol/protocolVersion", "2026-07-28",
                            "io.modelcontextprotocol/clientCapabilities", "cursor", 7);
    char cursor[512];

    mg_session_receive(f->s, msg, &f->sink);
    json_decref(msg);
    assert_invalid_cursor(f->last);
    assert_invalid_cursor(ask(f, "tools/list", ""));
    assert_invalid_cursor(ask(f, "tools/list", "bogus"));
    snprintf(cursor, sizeof(cursor), "%s", next_cursor(ask(f, "tools/list", NULL)));
    cursor[3] = cursor[3] == 'A' ? 'B' : 'A';
    assert_invalid_cursor(ask(f, "tools/list", cursor));
}

/* Legacy sessions page the same way (and get no caching hints). */
static void
test_legacy_pages(void **state)
{
    struct fixture *f = *state;
    const char *init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                       "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    const char *ready = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    char text[1024], got[256];
    json_t *r;

    mg_session_receive_text(f->s, init, strlen(init), &f->sink);
    mg_session_receive_text(f->s, ready, strlen(ready), &f->sink);
    mg_session_receive_text(f->s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", 46, &f->sink);
    r = result_of(f->last);
    assert_null(json_object_get(r, "ttlMs"));
    snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"cursor\":\"%s\"}}",
             json_string_value(json_object_get(r, "nextCursor")));
    mg_session_receive_text(f->s, text, strlen(text), &f->sink);
    assert_string_equal(names(f->last, got, sizeof(got)), "a__t3 a__t4");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_list_in_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_holds_its_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_and_lists_keep_their_cursors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_cursors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_pages, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
