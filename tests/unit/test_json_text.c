/*
 * test_json_text.c - mg_json_text and mg_json_compact_size against
 * jansson's own compact encoding, value by value: every escape, UTF-8,
 * the integer limits, reals, empty and nested containers, MCP messages as
 * they are sent, and thousands of random values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/json_size.h"
#include "json/json_text.h"
#include "json_random.h"

/* The text and the size jansson writes, for V (stolen). */
static void
check(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *ours;
    size_t len = 0;

    assert_non_null(text);
    if (mg_json_compact_size(v) != strlen(text))
        fail_msg("size %zu, jansson wrote %zu bytes: %s", mg_json_compact_size(v), strlen(text), text);
    ours = mg_json_text(v, &len);
    assert_non_null(ours);
    if (len != strlen(text) || memcmp(ours, text, len + 1) != 0)
        fail_msg("mg_json_text wrote %zu bytes: %s\njansson wrote %zu bytes: %s", len, ours, strlen(text), text);
    free(ours);
    free(text);
    json_decref(v);
}

static void
test_scalars(void **state)
{
    static const json_int_t ints[] = {0, 1, -1, 9, 10, -10, 99, 100, 123456789, -987654321, INT64_MAX, INT64_MIN,
                                      INT64_MIN + 1};
    static const double reals[] = {0.0, -0.0, 1.5, -2.25, 1e20, 1e-7, 3.141592653589793, 1e300, 123456789.0};

    check(json_null());
    check(json_true());
    check(json_false());
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        check(json_integer(ints[i]));
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        check(json_real(reals[i]));
}

static void
test_strings_and_escapes(void **state)
{
    static const char *const strings[] = {
        "", "plain", "quote \" and backslash \\", "slash / stays", "\b\f\n\r\t", "\x01\x02\x1f control",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\x7f del",
    };
    char all[32];

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        check(json_string(strings[i]));
        /* The same text as a key. */
        check(json_pack("{s:i}", strings[i], 1));
    }
    /* Every control character at once. */
    for (int c = 1; c < 32; c++)
        all[c - 1] = (char)c;
    all[31] = '\0';
    check(json_string(all));
    /* An embedded NUL (json_stringn keeps it; jansson writes \u0000). */
    check(json_stringn("a\0b", 3));
}

static void
test_containers_and_messages(void **state)
{
    static const char *const texts[] = {
        "[]", "{}", "[[]]", "[{}, {}]", "{\"a\":[1,2,3],\"b\":{\"c\":null}}", "[1, -2.5, \"x\", true, false, null]",
        "{\"jsonrpc\":\"2.0\",\"id\":1000012345,\"method\":\"tools/call\",\"params\":{\"name\":\"demo__echo\","
        "\"arguments\":{\"text\":\"hello\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"line 1\\nline 2 "
        "\\\"q\\\"\"}],\"isError\":true}}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32602,\"message\":\"Unknown tool: x\"}}",
    };
    json_t *deep = json_array(), *cur = deep;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_t *v = json_loads(texts[i], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        check(v);
    }
    for (int i = 0; i < 200; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        json_array_append_new(cur, json_integer(i));
        cur = next;
    }
    check(deep);
    assert_int_equal(mg_json_compact_size(NULL), 0);
    assert_null(mg_json_text(NULL, NULL));
}

/* Deeper than any message may be: refused, not a stack overflow. */
static void
test_too_deep_is_refused(void **state)
{
    json_t *deep = json_array(), *cur = deep;

    for (int i = 0; i < 5000; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    assert_null(mg_json_text(deep, NULL));
    json_decref(deep);
}

static void
test_random_values(void **state)
{
    unsigned seed = 20261124;

    for (int i = 0; i < 5000; i++)
        check(random_json_value(&seed, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings_and_escapes),
        cmocka_unit_test(test_containers_and_messages),
        cmocka_unit_test(test_too_deep_is_refused),
        cmocka_unit_test(test_random_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
