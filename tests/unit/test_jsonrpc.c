/*
 * test_jsonrpc.c - JSON-RPC 2.0 framing: decoding, classification, builders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/jsonrpc.h"
#include "util/limits.h"

static int
classify_text(const char *text, struct mg_rpc_msg *m, struct mg_rpc_error *err, json_t **out)
{
    json_t *v = mg_rpc_decode(text, strlen(text), err);
    int rc;

    if (v == NULL)
        return -2;
    rc = mg_rpc_classify(v, m, err);
    *out = v;
    return rc;
}

static void
test_request_string_and_integer_ids(void **state)
{
    struct mg_rpc_msg m;
    struct mg_rpc_error err;
    json_t *v = NULL;

    assert_int_equal(classify_text("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\"}", &m, &err, &v), 0);
    assert_int_equal(m.kind, MG_RPC_REQUEST);
    assert_string_equal(json_string_value(m.id), "abc");
    assert_string_equal(m.method, "ping");
    json_decref(v);

    assert_int_equal(classify_text("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"x\",\"params\":{}}", &m,
                                   &err, &v), 0);
    assert_true(json_is_integer(m.id));
    assert_true(json_integer_value(m.id) == 9007199254740993LL);
    /* The reply echoes the id exactly, digits and all. */
    json_t *reply = mg_rpc_make_result(m.id, json_object());
    char *text = mg_rpc_encode(reply, NULL);
    assert_non_null(strstr(text, "\"id\":9007199254740993"));
    free(text);
    json_decref(reply);
    json_decref(v);
}

static void
test_notification_and_responses(void **state)
{
    struct mg_rpc_msg m;
    struct mg_rpc_error err;
    json_t *v;

    assert_int_equal(classify_text("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &m, &err, &v), 0);
    assert_int_equal(m.kind, MG_RPC_NOTIFICATION);
    assert_null(m.id);
    json_decref(v);

    assert_int_equal(classify_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", &m, &err, &v), 0);
    assert_int_equal(m.kind, MG_RPC_RESPONSE);
    json_decref(v);

    assert_int_equal(
        classify_text("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}", &m, &err, &v),
        0);
    assert_int_equal(m.kind, MG_RPC_ERROR_RESPONSE);
    json_decref(v);
}

static void
expect_invalid(const char *text, const char *needle, int has_id)
{
    struct mg_rpc_msg m;
    struct mg_rpc_error err;
    json_t *v = NULL;

    assert_int_equal(classify_text(text, &m, &err, &v), -1);
    assert_int_equal(err.code, MG_RPC_INVALID_REQUEST);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message '%s' does not mention '%s'", err.message, needle);
    if (has_id)
        assert_non_null(err.id);
    else
        assert_null(err.id);
    json_decref(v);
}

static void
test_invalid_requests(void **state)
{
    expect_invalid("{\"id\":1,\"method\":\"ping\"}", "jsonrpc", 1);
    expect_invalid("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", "jsonrpc", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", "null", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", "string or an integer", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", "string or an integer", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "method", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", "method", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}", "params", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1}", "method", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}",
                   "exactly one", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"x\",\"message\":\"m\"}}", "integer", 1);
    expect_invalid("[]", "JSON object", 0);
    expect_invalid("42", "JSON object", 0);
}

static void
test_parse_errors(void **state)
{
    struct mg_rpc_error err;
    const char *bad[] = {"", "{", "{\"a\":}", "garbage", "{\"a\":1}{\"b\":2}", "\"\\ud800\"", "{\"a\":\"\\u0000\"}"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = mg_rpc_decode(bad[i], strlen(bad[i]), &err);
        if (v != NULL)
            fail_msg("'%s' decoded", bad[i]);
        assert_int_equal(err.code, MG_RPC_PARSE_ERROR);
        assert_non_null(strstr(err.message, "Parse error"));
    }
    /* Invalid UTF-8 is a parse error too. */
    const char inv[] = "{\"a\":\"\xff\"}";
    assert_null(mg_rpc_decode(inv, sizeof(inv) - 1, &err));
    assert_int_equal(err.code, MG_RPC_PARSE_ERROR);
}

static void
test_depth_limit(void **state)
{
    struct mg_rpc_error err;
    size_t n = MG_MAX_JSON_DEPTH + 5;
    char *text = malloc(2 * n + 1);
    json_t *v;

    for (size_t i = 0; i < n; i++) {
        text[i] = '[';
        text[n + i] = ']';
    }
    text[2 * n] = '\0';
    v = mg_rpc_decode(text, 2 * n, &err);
    assert_null(v);
    assert_int_equal(err.code, MG_RPC_INVALID_REQUEST);
    assert_non_null(strstr(err.message, "deeper"));
    free(text);

    /* Far deeper than jansson's own limit: refused, no stack overflow. */
    n = 100000;
    text = malloc(n + 1);
    memset(text, '[', n);
    text[n] = '\0';
    assert_null(mg_rpc_decode(text, n, &err));
    free(text);
}

static void
test_error_builder_and_encoding(void **state)
{
    json_t *e = mg_rpc_make_errorf(NULL, MG_RPC_METHOD_NOT_FOUND, NULL, "Method not found: %s", "a\nb");
    char *text = mg_rpc_encode(e, NULL);

    assert_string_equal(text,
                        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found: "
                        "a\\nb\"}}"); /* no readable id: the member is left out */
    assert_null(strchr(text, '\n'));
    free(text);
    json_decref(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_string_and_integer_ids),
        cmocka_unit_test(test_notification_and_responses),
        cmocka_unit_test(test_invalid_requests),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_error_builder_and_encoding),
    };
    return cmocka_run_group_tests_name("jsonrpc", tests, NULL, NULL);
}
