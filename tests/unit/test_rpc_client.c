/*
 * test_rpc_client.c - requests to an upstream: ids, answers, deadlines,
 * notifications and requests from the upstream, hostile lines.  The
 * "upstream" is the test itself: it reads what the client sent and feeds
 * it lines, on a real libuv loop for the deadlines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "upstream/rpc_client.h"

struct wire {
    json_t *sent;       /* every message the client wrote */
    int refuse;         /* send_line fails */
    json_t *answers;    /* {"result"|"error"|"why"} per reply, in order */
    json_t *notes;      /* notifications received */
    json_t *requests;   /* requests received */
};

static int
send_line(void *ctx, const char *line, size_t len)
{
    struct wire *w = ctx;
    json_t *m;

    if (w->refuse)
        return -1;
    assert_null(memchr(line, '\n', len)); /* one message, one line */
    m = json_loadb(line, len, 0, NULL);
    assert_non_null(m);
    json_array_append_new(w->sent, m);
    return 0;
}

static void
on_note(void *ctx, const char *method, json_t *params)
{
    struct wire *w = ctx;

    json_array_append_new(w->notes, json_pack("{s:s, s:O?}", "method", method, "params", params));
}

static void
on_request(void *ctx, json_t *id, const char *method, json_t *params)
{
    struct wire *w = ctx;

    json_array_append_new(w->requests, json_pack("{s:O, s:s}", "id", id, "method", method));
}

static void
reply(void *data, json_t *result, json_t *error, const char *why)
{
    struct wire *w = data;

    if (result != NULL)
        json_array_append_new(w->answers, json_pack("{s:O}", "result", result));
    else if (error != NULL)
        json_array_append_new(w->answers, json_pack("{s:O}", "error", error));
    else
        json_array_append_new(w->answers, json_pack("{s:s}", "why", why));
}

static uv_loop_t loop;
static struct wire w;
static struct mg_rpc_client c;

static int
setup(void **state)
{
    uv_loop_init(&loop);
    w.sent = json_array();
    w.answers = json_array();
    w.notes = json_array();
    w.requests = json_array();
    w.refuse = 0;
    memset(&c, 0, sizeof(c));
    c.name = "test";
    c.send_line = send_line;
    c.on_notification = on_note;
    c.on_request = on_request;
    c.ctx = &w;
    c.max_message = 1 << 20;
    mg_rpc_client_init(&c, &loop);
    return 0;
}

static int
teardown(void **state)
{
    mg_rpc_client_close(&c, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    json_decref(w.sent);
    json_decref(w.answers);
    json_decref(w.notes);
    json_decref(w.requests);
    return 0;
}

static void
feed(const char *text)
{
    mg_rpc_client_feed(&c, text, strlen(text));
}

static void
test_ids_and_answers_matched(void **state)
{
    int64_t a = mg_rpc_client_call(&c, "tools/list", NULL, 0, reply, &w);
    int64_t b = mg_rpc_client_call(&c, "tools/call", json_pack("{s:s}", "name", "x"), 0, reply, &w);

    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.sent, 1), "method")), "tools/call");
    /* Answers out of order, each reaches its caller once. */
    feed("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32602,\"message\":\"bad\"}}");
    feed("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}");
    feed("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"again\":true}}"); /* duplicate: dropped */
    assert_int_equal(json_array_size(w.answers), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(w.answers, 0), "error"), "code")),
                     -32602);
    assert_non_null(json_object_get(json_object_get(json_array_get(w.answers, 1), "result"), "tools"));
    assert_int_equal(c.npending, 0);
}

static void
test_deadline_and_lost_connection(void **state)
{
    json_t *cancel;

    mg_rpc_client_call(&c, "slow", NULL, 150, reply, &w);
    mg_rpc_client_call(&c, "forever", NULL, 0, reply, &w);
    while (json_array_size(w.answers) == 0)
        uv_run(&loop, UV_RUN_ONCE);
    /* The caller learns the limit; the upstream is told to stop. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.answers, 0), "why")),
                        "no answer within 0.15 s");
    assert_int_equal(json_array_size(w.sent), 3);
    cancel = json_array_get(w.sent, 2);
    assert_string_equal(json_string_value(json_object_get(cancel, "method")), "notifications/cancelled");
    assert_null(json_object_get(cancel, "id"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(cancel, "params"), "requestId")), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cancel, "params"), "reason")),
                        "no answer within 0.15 s");
    mg_rpc_client_fail_all(&c, "the child exited");
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.answers, 1), "why")), "the child exited");
    /* A late answer to the expired request is dropped. */
    feed("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
    assert_int_equal(json_array_size(w.answers), 2);
}

static void
test_deadline_whole_seconds_and_initialize(void **state)
{
    const char *why0, *why1;

    /* initialize is never cancelled (MCP lifecycle); the reason still
     * names the limit, in whole seconds when it is whole. */
    mg_rpc_client_call(&c, "initialize", json_object(), 1000, reply, &w);
    mg_rpc_client_call(&c, "tools/list", NULL, 1050, reply, &w);
    while (json_array_size(w.answers) < 2)
        uv_run(&loop, UV_RUN_ONCE);
    /* One sweep may expire both (a busy machine), newest first. */
    why0 = json_string_value(json_object_get(json_array_get(w.answers, 0), "why"));
    why1 = json_string_value(json_object_get(json_array_get(w.answers, 1), "why"));
    if (strcmp(why0, "no answer within 1 s") != 0) {
        const char *t = why0;
        why0 = why1;
        why1 = t;
    }
    assert_string_equal(why0, "no answer within 1 s");
    assert_string_equal(why1, "no answer within 1.05 s");
    /* The two requests and one cancellation, of tools/list (id 2). */
    assert_int_equal(json_array_size(w.sent), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(w.sent, 2), "params"), "requestId")),
                     2);
    /* A cancellation that cannot be sent does not keep the caller waiting. */
    mg_rpc_client_call(&c, "tools/call", NULL, 100, reply, &w);
    w.refuse = 1;
    while (json_array_size(w.answers) == 2)
        uv_run(&loop, UV_RUN_ONCE);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.answers, 2), "why")),
                        "no answer within 0.1 s");
    assert_int_equal(c.npending, 0);
}

static void
test_unsendable_and_forgotten(void **state)
{
    int64_t id;

    w.refuse = 1;
    assert_int_equal(mg_rpc_client_call(&c, "x", NULL, 0, reply, &w), -1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.answers, 0), "why")),
                        "the upstream connection is not open");
    w.refuse = 0;
    id = mg_rpc_client_call(&c, "y", NULL, 0, reply, &w);
    mg_rpc_client_forget(&c, id);
    feed("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}");
    assert_int_equal(json_array_size(w.answers), 1);
}

static void
test_notifications_requests_and_junk(void **state)
{
    feed("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
    feed("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}");
    feed("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":{}}");
    feed("not json");
    feed("[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]");
    feed("{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":{}}");
    feed("{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"result\":{}}");
    assert_int_equal(json_array_size(w.notes), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.notes, 0), "method")),
                        "notifications/tools/list_changed");
    assert_int_equal(json_array_size(w.requests), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.requests, 0), "id")), "s1");
    mg_rpc_client_respond_error(&c, json_object_get(json_array_get(w.requests, 0), "id"), -32601, "no");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(w.sent, 0), "error"), "code")),
                     -32601);
}

static void
test_close_fails_pending(void **state)
{
    mg_rpc_client_call(&c, "x", NULL, 1000, reply, &w);
    mg_rpc_client_close(&c, NULL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w.answers, 0), "why")),
                        "the upstream connection closed");
    assert_int_equal(mg_rpc_client_call(&c, "after", NULL, 0, reply, &w), -1);
    uv_run(&loop, UV_RUN_DEFAULT);
    /* teardown closes again: make that a no-op by reinitialising. */
    mg_rpc_client_init(&c, &loop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids_and_answers_matched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_and_lost_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_whole_seconds_and_initialize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsendable_and_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notifications_requests_and_junk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_fails_pending, setup, teardown),
    };
    return cmocka_run_group_tests_name("rpc_client", tests, NULL, NULL);
}
