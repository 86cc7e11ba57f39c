/*
 * test_call_record.c - the call record taken at the request level: a
 * session (as a transport feeds it) in front of a small bundle, a real
 * store in a temporary directory and its writer thread.  Each outcome
 * (ok, tool_error, error, cancelled, refused before it began) leaves one
 * row, with the caller, the tool's server and own name, the sizes of
 * the messages as sent, and the arguments only when asked for.
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

#include "auth/key.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "store/store.h"
#include "store/store_calls.h"
#include "store/store_writer.h"
#include "util/alloc.h"

struct fixture {
    char dir[256];
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_session *s;
    struct mg_sink sink;
    json_t *out;            /* every message sent */
    sqlite3 *reader;
};

static struct mg_call *held;

static void
collect(void *ctx, json_t *msg)
{
    json_array_append(((struct fixture *)ctx)->out, msg);
}

static void
tool_echo(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, json_string_value(json_object_get(args, "text")));
    mg_call_finish(call);
}

static void
tool_fail(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_fail(call, "the disk is full\nsecond line");
}

static void
tool_hold(struct mg_call *call, json_t *args, void *udata)
{
    held = call;
}

static const struct mg_tool_def tools[] = {
    {.name = "echo",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
     .handler = tool_echo},
    {.name = "fail", .handler = tool_fail},
    {.name = "hold", .handler = tool_hold},
};

static int
setup(void **state)
{
    struct fixture *f = mg_calloc(1, sizeof(*f));
    struct mg_bundle_def def = {.ns = "t", .tools = tools, .tool_count = 3};
    struct mg_store *st;
    char err[512] = "";

    snprintf(f->dir, sizeof(f->dir), "%s/mcpgate-test-callrec-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    uv_loop_init(&f->loop);
    f->gw = mg_gateway_new(&f->loop);
    assert_int_equal(mg_bundle_register(f->gw, &def, err, sizeof(err)), 0);
    /* As cli/run.c opens it for serve and stdio. */
    st = mg_store_open(f->dir, err, sizeof(err));
    assert_non_null(st);
    f->gw->store_path = mg_strdup(st->path);
    f->gw->writer = mg_store_writer_start(st, 5, err, sizeof(err));
    assert_non_null(f->gw->writer);
    f->gw->record_calls = 1;
    f->reader = mg_store_open_reader(f->gw->store_path, 1000, err, sizeof(err));
    assert_non_null(f->reader);
    f->out = json_array();
    f->sink.send = collect;
    f->sink.ctx = f;
    f->s = mg_session_new(f->gw, &f->sink);
    held = NULL;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];

    if (f->s != NULL)
        mg_session_close(f->s);
    if (held != NULL)
        mg_call_finish(held);
    mg_store_writer_stop(f->gw->writer);
    sqlite3_close(f->reader);
    mg_free(f->gw->store_path);
    json_decref(f->out);
    mg_gateway_free(f->gw);
    uv_loop_close(&f->loop);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    mg_free(f);
    return 0;
}

static void
send_text(struct fixture *f, const char *text)
{
    mg_session_receive_text(f->s, text, strlen(text), &f->sink);
}

static void
initialize(struct fixture *f, const char *version)
{
    char text[300];

    snprintf(text, sizeof(text),
             "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
             version);
    send_text(f, text);
    send_text(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

/* Every row so far, oldest first (the writer is flushed first). */
static json_t *
rows(struct fixture *f)
{
    char err[256] = "";
    json_t *newest, *oldest = json_array();
    size_t i;

    mg_store_writer_flush(f->gw->writer);
    newest = mg_store_calls_recent(f->reader, &(struct mg_calls_filter){0}, MG_CALLS_NEWEST, 0, err, sizeof(err));
    if (newest == NULL)
        fail_msg("%s", err);
    for (i = json_array_size(newest); i-- > 0;)
        json_array_append(oldest, json_array_get(newest, i));
    json_decref(newest);
    return oldest;
}

static const char *
str(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static json_int_t
num(json_t *row, const char *key)
{
    return json_integer_value(json_object_get(row, key));
}

/* The length of MSG as compact JSON. */
static json_int_t
size_of(json_t *msg)
{
    char *s = json_dumps(msg, JSON_COMPACT);
    json_int_t n = (json_int_t)strlen(s);

    free(s);
    return n;
}

static void
test_each_outcome_one_row(void **state)
{
    struct fixture *f = *state;
    static const char call_ok[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\",\"arguments\":{\"text\":\"hi\"}}}";
    json_t *r, *sent_req, *reply;

    initialize(f, "2025-06-18");
    send_text(f, call_ok);
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t__fail\"}}");
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}");
    /* Invalid arguments before 2025-11-25: a -32602 error. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\",\"arguments\":{}}}");
    /* Cancelled: no reply. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"t__hold\"}}");
    assert_non_null(held);
    /* Refused before it began: id 5 is in progress. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\"}}");
    send_text(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}");
    mg_call_finish(held);
    held = NULL;
    /* Not a tools/call: no row. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\"}");

    r = rows(f);
    assert_int_equal(json_array_size(r), 6);

    json_t *ok = json_array_get(r, 0);
    assert_string_equal(str(ok, "outcome"), "ok");
    assert_string_equal(str(ok, "server"), "t");
    assert_string_equal(str(ok, "tool"), "echo");
    assert_true(json_is_null(json_object_get(ok, "error")));
    assert_true(json_is_null(json_object_get(ok, "key_id"))); /* no keys */
    assert_true(json_is_null(json_object_get(ok, "arguments"))); /* not by default */
    sent_req = json_loads(call_ok, 0, NULL);
    assert_int_equal(num(ok, "request_bytes"), size_of(sent_req));
    json_decref(sent_req);
    reply = json_array_get(f->out, 1); /* after initialize's reply */
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 1);
    assert_int_equal(num(ok, "response_bytes"), size_of(reply));
    assert_true(num(ok, "duration_us") >= 0);

    json_t *te = json_array_get(r, 1);
    assert_string_equal(str(te, "outcome"), "tool_error");
    assert_string_equal(str(te, "tool"), "fail");
    assert_string_equal(str(te, "error"), "the disk is full"); /* the first line */

    json_t *unknown = json_array_get(r, 2);
    assert_string_equal(str(unknown, "outcome"), "error");
    assert_true(json_is_null(json_object_get(unknown, "server")));
    assert_string_equal(str(unknown, "tool"), "nope");
    assert_string_equal(str(unknown, "error"), "Unknown tool: nope");

    json_t *bad = json_array_get(r, 3);
    assert_string_equal(str(bad, "outcome"), "error");
    assert_string_equal(str(bad, "server"), "t");
    assert_non_null(strstr(str(bad, "error"), "Invalid arguments for tool t__echo"));

    /* In order of arrival: the held call, then the one refused. */
    json_t *refused = json_array_get(r, 5);
    assert_string_equal(str(refused, "outcome"), "error");
    assert_non_null(strstr(str(refused, "error"), "already used"));
    assert_int_equal(num(refused, "duration_us"), 0);

    json_t *cancelled = json_array_get(r, 4);
    assert_string_equal(str(cancelled, "outcome"), "cancelled");
    assert_string_equal(str(cancelled, "tool"), "hold");
    assert_int_equal(num(cancelled, "response_bytes"), 0);
    json_decref(r);
}

static void
test_modern_invalid_arguments_are_a_tool_error(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\",\"arguments\":{},"
                 "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                 "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    /* A modern request without its _meta fails before any tool runs. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\"}}");
    r = rows(f);
    assert_int_equal(json_array_size(r), 2);
    assert_string_equal(str(json_array_get(r, 0), "outcome"), "tool_error");
    assert_non_null(strstr(str(json_array_get(r, 0), "error"), "Invalid arguments"));
    assert_string_equal(str(json_array_get(r, 1), "outcome"), "error");
    assert_non_null(strstr(str(json_array_get(r, 1), "error"), "no session"));
    json_decref(r);
}

static void
test_caller_and_arguments_when_asked(void **state)
{
    struct fixture *f = *state;
    struct mg_key k;
    json_t *r, *row;

    memset(&k, 0, sizeof(k));
    strcpy(k.id, "key_0123456789ab");
    k.scope = MG_SCOPE_WRITE;
    mg_session_set_caller(f->s, &k, "web", "sess-1");
    f->gw->record_arguments = 1;
    initialize(f, "2025-11-25");
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\","
                 "\"arguments\":{\"text\":\"secret-ish\"}}}");
    /* A session that goes away with a call running: cancelled. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t__hold\"}}");
    mg_session_close(f->s);
    f->s = NULL;
    mg_call_finish(held);
    held = NULL;

    r = rows(f);
    assert_int_equal(json_array_size(r), 2);
    row = json_array_get(r, 0);
    assert_string_equal(str(row, "key_id"), "key_0123456789ab");
    assert_string_equal(str(row, "project"), "web");
    assert_string_equal(str(row, "session"), "sess-1");
    assert_string_equal(json_string_value(json_object_get(json_object_get(row, "arguments"), "text")), "secret-ish");
    row = json_array_get(r, 1);
    assert_string_equal(str(row, "outcome"), "cancelled");
    assert_string_equal(str(row, "key_id"), "key_0123456789ab");
    json_decref(r);
}

static void
test_nothing_recorded_when_off(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    f->gw->record_calls = 0;
    initialize(f, "2025-06-18");
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\",\"arguments\":{\"text\":\"x\"}}}");
    r = rows(f);
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_outcome_one_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_invalid_arguments_are_a_tool_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caller_and_arguments_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_recorded_when_off, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
