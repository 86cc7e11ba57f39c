/*
 * test_param_headers.c - x-mcp-header declarations: which are valid, and
 * how a header value is compared with its argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcp/param_headers.h"

static json_t *
scan_ok(const char *schema_text)
{
    json_t *schema = json_loads(schema_text, 0, NULL), *out = NULL;
    char err[256] = "";

    assert_non_null(schema);
    if (mg_param_headers_scan(schema, &out, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    json_decref(schema);
    return out;
}

static void
scan_refused(const char *schema_text, const char *want)
{
    json_t *schema = json_loads(schema_text, 0, NULL), *out = (json_t *)1;
    char err[256] = "";

    assert_non_null(schema);
    assert_int_equal(mg_param_headers_scan(schema, &out, err, sizeof(err)), -1);
    assert_null(out);
    if (strstr(err, want) == NULL)
        fail_msg("message '%s' lacks '%s'", err, want);
    json_decref(schema);
}

static void
test_declarations_found_with_paths(void **state)
{
    json_t *d = scan_ok("{\"type\":\"object\",\"properties\":{"
                        "\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                        "\"opts\":{\"type\":\"object\",\"properties\":{"
                        "  \"n\":{\"type\":\"integer\",\"x-mcp-header\":\"N\"}}},"
                        "\"plain\":{\"type\":\"string\"}}}");
    json_t *want = json_loads("[{\"name\":\"Region\",\"path\":[\"region\"],\"type\":\"string\"},"
                              "{\"name\":\"N\",\"path\":[\"opts\",\"n\"],\"type\":\"integer\"}]",
                              0, NULL);

    assert_true(json_equal(d, want));
    json_decref(d);
    json_decref(want);
    assert_null(scan_ok("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"));
    /* A default value is data, not a schema: its keys declare nothing. */
    assert_null(scan_ok("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\","
                        "\"default\":{\"x-mcp-header\":\"X\"}}}}"));
}

static void
test_invalid_declarations_refused(void **state)
{
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"\"}}}",
                 "HTTP token");
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"A B\"}}}",
                 "HTTP token");
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":7}}}",
                 "not a string");
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"x-mcp-header\":\"A\"}}}",
                 "not object");
    /* A fraction has no one spelling: 2026-07-28 allows integer, not number. */
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\",\"x-mcp-header\":\"A\"}}}",
                 "type string, integer or boolean, not number");
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"],\"x-mcp-header\":\"A\"}}}",
                 "untyped");
    scan_refused("{\"type\":\"object\",\"properties\":{"
                 "\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                 "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"REGION\"}}}",
                 "declared twice");
    scan_refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":"
                 "{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}}",
                 "reachable");
    scan_refused("{\"type\":\"object\",\"anyOf\":[{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}]}",
                 "reachable");
    scan_refused("{\"type\":\"object\",\"$defs\":{\"d\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}", "reachable");
    scan_refused("{\"type\":\"string\",\"x-mcp-header\":\"Root\"}", "reachable");
}

static void
test_values_compared_by_type(void **state)
{
    json_t *s = json_string("Hello"), *i = json_integer(-42), *r = json_real(1.5), *t = json_true();

    assert_true(mg_param_headers_equal("string", s, "Hello", 5));
    assert_false(mg_param_headers_equal("string", s, "hello", 5));
    assert_false(mg_param_headers_equal("string", s, "Hell", 4));
    assert_true(mg_param_headers_equal("integer", i, "-42", 3));
    assert_false(mg_param_headers_equal("integer", i, "-042", 4));
    assert_false(mg_param_headers_equal("integer", i, "-42.0x", 6));
    assert_false(mg_param_headers_equal("integer", i, "", 0));
    assert_true(mg_param_headers_equal("number", r, "1.5", 3));
    assert_true(mg_param_headers_equal("number", r, "1.50", 4));
    assert_false(mg_param_headers_equal("number", r, "1.5e", 4));
    assert_true(mg_param_headers_equal("boolean", t, "true", 4));
    assert_false(mg_param_headers_equal("boolean", t, "True", 4));
    assert_false(mg_param_headers_equal("boolean", t, "1", 1));
    /* A string argument is never equal to a header about another type. */
    assert_false(mg_param_headers_equal("integer", s, "Hello", 5));
    json_decref(s);
    json_decref(i);
    json_decref(r);
    json_decref(t);
}

static void
test_value_lookup(void **state)
{
    json_t *decl = json_loads("{\"name\":\"N\",\"path\":[\"opts\",\"n\"],\"type\":\"integer\"}", 0, NULL);
    json_t *args = json_loads("{\"opts\":{\"n\":3}}", 0, NULL), *none = json_loads("{\"opts\":{\"n\":null}}", 0, NULL);

    assert_int_equal(json_integer_value(mg_param_headers_value(decl, args)), 3);
    assert_null(mg_param_headers_value(decl, none));
    assert_null(mg_param_headers_value(decl, NULL));
    json_decref(decl);
    json_decref(args);
    json_decref(none);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declarations_found_with_paths),
        cmocka_unit_test(test_invalid_declarations_refused),
        cmocka_unit_test(test_values_compared_by_type),
        cmocka_unit_test(test_value_lookup),
    };
    return cmocka_run_group_tests_name("param_headers", tests, NULL, NULL);
}
