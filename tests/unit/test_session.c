/*
 * test_session.c - lifecycle and era decision, as a client sees them.
 *
 * Messages go in as text through mg_session_receive_text() and come out
 * through a sink that collects them, exactly as a transport would see.
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
#include "json/jsonrpc.h"
#include "mcp/session.h"
#include "mcpgate.h"

struct fixture {
    uv_loop_t loop;
    struct mg_gateway *gw;
    struct mg_session *s;
    struct mg_sink sink;
    json_t *out; /* every message sent, in order */
    size_t seen; /* messages already taken */
};

static struct mg_call *held; /* a call the "hold" tool left open */

static void
collect(void *ctx, json_t *msg)
{
    struct fixture *f = ctx;
    json_array_append(f->out, msg);
}

static void
tool_echo(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, json_string_value(json_object_get(args, "text")));
    mg_call_finish(call);
}

static void
tool_hold(struct mg_call *call, json_t *args, void *udata)
{
    held = call;
}

static void
tool_needs_elicitation(struct mg_call *call, json_t *args, void *udata)
{
    if (mg_call_require(call, "elicitation") != 0)
        return;
    mg_call_add_text(call, "has elicitation");
    mg_call_finish(call);
}

static void
tool_rich(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_audio(call, "AAAA", "audio/wav");
    mg_call_add_resource_link(call, "file:///x", "x", NULL, NULL);
    mg_call_set_structured(call, json_pack("{s:i}", "n", 1));
    mg_call_finish(call);
}

static void
tool_bad_output(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_set_structured(call, json_pack("{s:s}", "n", "not a number"));
    mg_call_finish(call);
}

static const struct mg_tool_def test_tools[] = {
    {.name = "echo",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},\"count\":{\"type\":"
                     "\"integer\",\"minimum\":1}},\"required\":[\"text\"]}",
     .handler = tool_echo},
    {.name = "hold", .handler = tool_hold},
    {.name = "ask", .handler = tool_needs_elicitation},
    {.name = "rich",
     .title = "Rich",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}",
     .annotations = "{\"readOnlyHint\":true}",
     .icons = "[{\"src\":\"data:image/png;base64,AA==\"}]",
     .handler = tool_rich},
    {.name = "bad-output",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}",
     .handler = tool_bad_output},
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct mg_bundle_def def = {.ns = "t", .tools = test_tools, .tool_count = sizeof(test_tools) / sizeof(test_tools[0])};
    char err[256];

    uv_loop_init(&f->loop);
    f->gw = mg_gateway_new(&f->loop);
    assert_int_equal(mg_bundle_register(f->gw, &def, err, sizeof(err)), 0);
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

    if (f->s)
        mg_session_close(f->s);
    if (held) /* a cancelled call still has to be ended by its handler */
        mg_call_finish(held);
    held = NULL;
    json_decref(f->out);
    mg_gateway_free(f->gw);
    uv_loop_close(&f->loop);
    free(f);
    return 0;
}

static void
send_text(struct fixture *f, const char *text)
{
    mg_session_receive_text(f->s, text, strlen(text), &f->sink);
}

/* The next message sent (borrowed; valid until teardown). */
static json_t *
take(struct fixture *f)
{
    if (f->seen >= json_array_size(f->out))
        fail_msg("expected a message, none was sent");
    return json_array_get(f->out, f->seen++);
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

static int
error_code(json_t *msg)
{
    return (int)json_integer_value(json_object_get(json_object_get(msg, "error"), "code"));
}

static const char *
error_message(json_t *msg)
{
    return json_string_value(json_object_get(json_object_get(msg, "error"), "message"));
}

static void
initialize(struct fixture *f, const char *version)
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
             version);
    send_text(f, text);
}

#define MODERN_META                                                                                                  \
    "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","                                         \
    "\"io.modelcontextprotocol/clientCapabilities\":{}}"

static void
test_legacy_negotiation_echoes_supported(void **state)
{
    const char *versions[] = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};

    for (size_t i = 0; i < 4; i++) {
        struct fixture *f = *state;
        initialize(f, versions[i]);
        json_t *r = result_of(take(f));
        assert_string_equal(json_string_value(json_object_get(r, "protocolVersion")), versions[i]);
        assert_string_equal(json_string_value(json_object_get(json_object_get(r, "serverInfo"), "name")), "mcpgate");
        assert_non_null(json_object_get(json_object_get(r, "capabilities"), "tools"));
        teardown(state);
        setup(state);
    }
}

static void
test_legacy_negotiation_unknown_gets_latest(void **state)
{
    struct fixture *f = *state;

    initialize(f, "1999-01-01");
    assert_string_equal(json_string_value(json_object_get(result_of(take(f)), "protocolVersion")), "2025-11-25");
    /* 2026-07-28 has no initialize: a legacy session gets the latest legacy revision. */
    teardown(state);
    setup(state);
    f = *state;
    initialize(f, "2026-07-28");
    assert_string_equal(json_string_value(json_object_get(result_of(take(f)), "protocolVersion")), "2025-11-25");
}

static void
test_initialize_twice_and_bad_params(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message(m), "protocolVersion"));

    initialize(f, "2025-06-18");
    result_of(take(f));
    initialize(f, "2025-06-18");
    assert_int_equal(error_code(take(f)), MG_RPC_INVALID_REQUEST);
}

static void
test_request_before_initialize(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    assert_int_equal(json_object_size(result_of(take(f))), 0);
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INVALID_REQUEST);
    assert_non_null(strstr(error_message(m), "initialize"));
}

static void
test_batch_only_for_2025_03_26(void **state)
{
    struct fixture *f = *state;
    const char *batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                        "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"nope\"}]";

    initialize(f, "2025-03-26");
    result_of(take(f));
    send_text(f, batch);
    json_t *arr = take(f);
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), 2); /* the notification is not answered */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "id")), 1);
    assert_int_equal(error_code(json_array_get(arr, 1)), MG_RPC_METHOD_NOT_FOUND);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1), "id")), "b");

    /* initialize is never allowed inside a batch */
    send_text(f, "[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                 "\"2025-03-26\"}}]");
    assert_int_equal(error_code(json_array_get(take(f), 0)), MG_RPC_INVALID_REQUEST);

    teardown(state);
    setup(state);
    f = *state;
    initialize(f, "2025-06-18");
    result_of(take(f));
    send_text(f, batch);
    json_t *m = take(f);
    assert_true(json_is_object(m));
    assert_int_equal(error_code(m), MG_RPC_INVALID_REQUEST);
    assert_non_null(strstr(error_message(m), "2025-03-26"));
}

static void
test_modern_request_without_handshake(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" MODERN_META "}}");
    json_t *r = result_of(take(f));
    assert_string_equal(json_string_value(json_object_get(r, "resultType")), "complete");
    assert_true(json_is_integer(json_object_get(r, "ttlMs")));
    assert_string_equal(json_string_value(json_object_get(r, "cacheScope")), "private");
    assert_int_equal(json_array_size(json_object_get(r, "tools")), 5);
    assert_non_null(json_object_get(json_object_get(r, "_meta"), "io.modelcontextprotocol/serverInfo"));

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server/discover\",\"params\":{" MODERN_META "}}");
    r = result_of(take(f));
    json_t *versions = json_object_get(r, "supportedVersions");
    assert_string_equal(json_string_value(json_array_get(versions, 0)), "2026-07-28");
    assert_int_equal(json_array_size(versions), 5);
    assert_string_equal(json_string_value(json_object_get(r, "resultType")), "complete");
}

static void
test_modern_unsupported_version(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                 "\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                 "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_UNSUPPORTED_VERSION);
    json_t *data = json_object_get(json_object_get(m, "error"), "data");
    assert_string_equal(json_string_value(json_object_get(data, "requested")), "2099-01-01");
    assert_true(json_array_size(json_object_get(data, "supported")) >= 1);

    /* A legacy revision is not a modern one. */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                 "\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\","
                 "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    assert_int_equal(error_code(take(f)), MG_RPC_UNSUPPORTED_VERSION);

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                 "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
    m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message(m), "clientCapabilities"));
}

static void
test_modern_missing_capability(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__ask\","
                 MODERN_META "}}");
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_MISSING_CAPABILITY);
    json_t *req = json_object_get(json_object_get(json_object_get(m, "error"), "data"), "requiredCapabilities");
    assert_non_null(json_object_get(req, "elicitation"));

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t__ask\","
                 "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                 "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}}}");
    m = take(f);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(result_of(m), "content"), 0),
                                                          "text")),
                        "has elicitation");
}

static void
test_modern_methods_removed(void **state)
{
    struct fixture *f = *state;

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"info\","
                 MODERN_META "}}");
    assert_int_equal(error_code(take(f)), MG_RPC_METHOD_NOT_FOUND);
    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server/discover\",\"params\":{}}");
    assert_int_equal(error_code(take(f)), MG_RPC_METHOD_NOT_FOUND);
}

static void
test_invalid_arguments_by_revision(void **state)
{
    struct fixture *f = *state;
    const char *call = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\","
                       "\"arguments\":{\"text\":3,\"count\":0}}}";

    /* 2025-11-25: an execution error the model can read. */
    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, call);
    json_t *r = result_of(take(f));
    assert_true(json_is_true(json_object_get(r, "isError")));
    const char *text = json_string_value(json_object_get(json_array_get(json_object_get(r, "content"), 0), "text"));
    assert_non_null(strstr(text, "/text: expected string, got number"));
    assert_non_null(strstr(text, "/count"));

    /* 2025-06-18: protocol error -32602 with the same list. */
    teardown(state);
    setup(state);
    f = *state;
    initialize(f, "2025-06-18");
    result_of(take(f));
    send_text(f, call);
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message(m), "/text: expected string, got number"));

    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"t__nope\"}}");
    m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INVALID_PARAMS);
    assert_string_equal(error_message(m), "Unknown tool: t__nope");
}

static void
test_cancel_suppresses_reply(void **state)
{
    struct fixture *f = *state;

    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"tools/call\",\"params\":{\"name\":\"t__hold\"}}");
    assert_non_null(held);
    assert_int_equal(json_array_size(f->out), 1);
    /* the same id while the first is in progress is refused */
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"ping\"}");
    assert_int_equal(error_code(take(f)), MG_RPC_INVALID_REQUEST);
    send_text(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"h\"}}");
    assert_true(mg_call_cancelled(held));
    mg_call_add_text(held, "late");
    mg_call_finish(held);
    held = NULL;
    assert_int_equal(json_array_size(f->out), 2); /* no reply after cancellation */
    assert_int_equal(f->s->inflight_count, 0);
}

static void
test_session_close_with_call_in_flight(void **state)
{
    struct fixture *f = *state;

    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__hold\"}}");
    assert_non_null(held);
    mg_session_close(f->s);
    f->s = NULL;
    assert_true(mg_call_cancelled(held));
    mg_call_finish(held); /* still safe; nothing is sent */
    held = NULL;
    assert_int_equal(json_array_size(f->out), 1);
}

static void
test_results_adapted_to_revision(void **state)
{
    struct fixture *f = *state;
    const char *list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    const char *call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t__rich\"}}";

    initialize(f, "2024-11-05");
    result_of(take(f));
    send_text(f, list);
    json_t *tools = json_object_get(result_of(take(f)), "tools");
    json_t *rich = NULL, *t;
    size_t i;
    json_array_foreach(tools, i, t) {
        if (strcmp(json_string_value(json_object_get(t, "name")), "t__rich") == 0)
            rich = t;
    }
    assert_non_null(rich);
    assert_null(json_object_get(rich, "outputSchema"));
    assert_null(json_object_get(rich, "title"));
    assert_null(json_object_get(rich, "annotations"));
    assert_null(json_object_get(rich, "icons"));
    send_text(f, call);
    json_t *r = result_of(take(f));
    assert_null(json_object_get(r, "structuredContent"));
    json_t *content = json_object_get(r, "content");
    json_array_foreach(content, i, t) assert_string_equal(json_string_value(json_object_get(t, "type")), "text");

    teardown(state);
    setup(state);
    f = *state;
    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, call);
    r = result_of(take(f));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "structuredContent"), "n")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "content"), 0), "type")),
                        "audio");
}

static void
test_output_schema_enforced(void **state)
{
    struct fixture *f = *state;

    initialize(f, "2025-11-25");
    result_of(take(f));
    send_text(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__bad-output\"}}");
    json_t *m = take(f);
    assert_int_equal(error_code(m), MG_RPC_INTERNAL_ERROR);
    assert_non_null(strstr(error_message(m), "outputSchema"));
}

static void
test_hostile_text(void **state)
{
    struct fixture *f = *state;
    const char *inputs[] = {"", "{", "[", "null", "\"x\"", "{\"jsonrpc\":\"2.0\"}", "[1,2,3]", "{}{}"};

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        size_t before = json_array_size(f->out);
        send_text(f, inputs[i]);
        assert_int_equal(json_array_size(f->out), before + 1);
        json_t *m = json_array_get(f->out, before);
        assert_null(json_object_get(m, "id")); /* unreadable id: left out, never null */
        assert_true(error_code(m) == MG_RPC_PARSE_ERROR || error_code(m) == MG_RPC_INVALID_REQUEST);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_legacy_negotiation_echoes_supported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_negotiation_unknown_gets_latest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_initialize_twice_and_bad_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_before_initialize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_only_for_2025_03_26, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_request_without_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_unsupported_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_missing_capability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_methods_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments_by_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_suppresses_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_close_with_call_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_adapted_to_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_schema_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
    };
    return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
