/*
 * test_schema.c - the JSON Schema validator: messages callers read, the
 * 2020-12 keywords the draft-07 test suite cannot exercise, draft-07
 * spellings, formats, and the bounds that keep hostile schemas cheap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/schema.h"

static struct mg_schema *
compile(const char *text)
{
    char err[256];
    json_error_t jerr;
    json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);
    struct mg_schema *s;

    if (doc == NULL)
        fail_msg("bad test schema: %s", jerr.text);
    s = mg_schema_compile(doc, err, sizeof(err));
    json_decref(doc);
    if (s == NULL)
        fail_msg("schema refused: %s", err);
    return s;
}

/* Validate INSTANCE; returns the message (or NULL when valid), malloc'd. */
static char *
validate(const struct mg_schema *s, const char *instance)
{
    json_t *x = json_loads(instance, JSON_DECODE_ANY, NULL);
    char *msg = NULL;
    int rc;

    if (x == NULL)
        fail_msg("bad test instance: %s", instance);
    rc = mg_schema_validate(s, x, &msg);
    json_decref(x);
    if ((rc == 0) != (msg == NULL))
        fail_msg("result %d disagrees with message %s", rc, msg ? msg : "(none)");
    return msg;
}

static void
expect_valid(const char *schema, const char *instance)
{
    struct mg_schema *s = compile(schema);
    char *msg = validate(s, instance);

    if (msg != NULL)
        fail_msg("%s against %s: unexpected error: %s", instance, schema, msg);
    mg_schema_free(s);
}

static void
expect_message(const char *schema, const char *instance, const char *message)
{
    struct mg_schema *s = compile(schema);
    char *msg = validate(s, instance);

    if (msg == NULL)
        fail_msg("%s against %s: accepted, wanted '%s'", instance, schema, message);
    if (strcmp(msg, message) != 0)
        fail_msg("%s against %s:\n  got    '%s'\n  wanted '%s'", instance, schema, msg, message);
    free(msg);
    mg_schema_free(s);
}

static void
expect_invalid(const char *schema, const char *instance)
{
    struct mg_schema *s = compile(schema);
    char *msg = validate(s, instance);

    if (msg == NULL)
        fail_msg("%s against %s: accepted, wanted an error", instance, schema);
    free(msg);
    mg_schema_free(s);
}

static void
expect_refused(const char *schema, const char *needle)
{
    char err[256];
    json_t *doc = json_loads(schema, JSON_DECODE_ANY, NULL);
    struct mg_schema *s = mg_schema_compile(doc, err, sizeof(err));

    json_decref(doc);
    if (s != NULL)
        fail_msg("%s compiled; wanted a refusal mentioning '%s'", schema, needle);
    if (strstr(err, needle) == NULL)
        fail_msg("refusal '%s' lacks '%s'", err, needle);
}

static void
test_message_lists_every_failure(void **state)
{
    const char *schema = "{\"type\":\"object\",\"properties\":{"
                         "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                         "\"properties\":{\"name\":{\"type\":\"string\"}}}},"
                         "\"count\":{\"type\":\"integer\",\"minimum\":1}}}";

    expect_message(schema, "{\"items\":[{\"name\":\"a\"},{},{\"name\":5}],\"count\":0}",
                   "/items/2/name: expected string, got number; /count: must be >= 1");
    expect_message("{\"required\":[\"text\",\"n\"]}", "{}",
                   "(root): required property 'text' is missing; (root): required property 'n' is missing");
    expect_message("{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}", "{\"a/b~c\":null}",
                   "/a~1b~0c: expected string, got null");
    expect_message("{\"type\":[\"string\",\"null\"]}", "3", "(root): expected string or null, got number");
    expect_message("{\"additionalProperties\":false,\"properties\":{\"a\":{}}}", "{\"a\":1,\"b\":2}",
                   "(root): property 'b' is not allowed");
    expect_message("{\"enum\":[\"red\",\"green\"]}", "\"blue\"", "(root): must be one of [\"red\",\"green\"]");
}

static void
test_numbers(void **state)
{
    expect_valid("{\"type\":\"integer\"}", "1.0");
    expect_message("{\"type\":\"integer\"}", "1.5", "(root): expected integer, got number");
    expect_message("{\"exclusiveMinimum\":0}", "0", "(root): must be > 0");
    expect_message("{\"maximum\":2.5}", "3", "(root): must be <= 2.5");
    expect_valid("{\"multipleOf\":0.01}", "19.99");
    expect_message("{\"multipleOf\":3}", "7", "(root): must be a multiple of 3");
    expect_valid("{\"minimum\":9007199254740993}", "9007199254740993");
    expect_invalid("{\"minimum\":9007199254740993}", "9007199254740992");
    expect_valid("{\"const\":1}", "1.0");
    expect_message("{\"uniqueItems\":true}", "[1,2,1.0]", "(root): items 0 and 2 are equal; items must be unique");
}

static void
test_strings_count_code_points(void **state)
{
    /* "héllo" is 5 code points, 6 bytes; the emoji is 1 code point. */
    expect_valid("{\"maxLength\":5}", "\"h\xc3\xa9llo\"");
    expect_valid("{\"minLength\":1,\"maxLength\":1}", "\"\xf0\x9f\x98\x80\"");
    expect_message("{\"minLength\":2}", "\"\xf0\x9f\x98\x80\"", "(root): must be at least 2 characters long");
    /* Patterns are not anchored, and "$" ends the string only. */
    expect_valid("{\"pattern\":\"b+\"}", "\"abbc\"");
    expect_message("{\"pattern\":\"^a$\"}", "\"a\\n\"", "(root): must match pattern '^a$'");
}

static void
test_2020_12_arrays(void **state)
{
    const char *tuple = "{\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"items\":{\"type\":\"boolean\"}}";

    expect_valid(tuple, "[\"a\",1,true,false]");
    expect_message(tuple, "[\"a\",1,true,\"x\"]", "/3: expected boolean, got string");
    expect_valid("{\"prefixItems\":[{}],\"items\":false}", "[1]");
    expect_invalid("{\"prefixItems\":[{}],\"items\":false}", "[1,2]");
    expect_valid("{\"contains\":{\"const\":1},\"minContains\":2,\"maxContains\":3}", "[1,1,2]");
    expect_message("{\"contains\":{\"const\":1},\"minContains\":2}", "[1,2]",
                   "(root): must contain at least 2 item(s) matching the 'contains' schema");
    expect_invalid("{\"contains\":{\"const\":1},\"maxContains\":1}", "[1,1]");
    expect_valid("{\"contains\":{\"const\":1},\"minContains\":0}", "[]");
}

static void
test_2020_12_objects(void **state)
{
    expect_message("{\"dependentRequired\":{\"card\":[\"cvv\"]}}", "{\"card\":1}",
                   "(root): property 'cvv' is required when 'card' is present");
    expect_valid("{\"dependentRequired\":{\"card\":[\"cvv\"]}}", "{\"cvv\":1}");
    expect_message("{\"dependentSchemas\":{\"a\":{\"required\":[\"b\"]}}}", "{\"a\":1}",
                   "(root): required property 'b' is missing");
    expect_message("{\"propertyNames\":{\"pattern\":\"^[a-z]+$\"}}", "{\"Bad\":1}",
                   "(root): property name 'Bad' is not allowed by 'propertyNames'");
    expect_valid("{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
                 "{\"x-a\":\"1\"}");
    expect_message("{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
                   "{\"x-a\":1,\"y\":1}", "/x-a: expected string, got number; (root): property 'y' is not allowed");
    expect_invalid("{\"minProperties\":1}", "{}");
    expect_invalid("{\"maxProperties\":1}", "{\"a\":1,\"b\":2}");
}

/* unevaluatedProperties/Items see what passing in-place applicators ($ref,
 * allOf, anyOf, if/then) evaluated, never a failing branch or a cousin. */
static void
test_2020_12_unevaluated(void **state)
{
    const char *base = "{\"$defs\":{\"named\":{\"properties\":{\"name\":{\"type\":\"string\"}}}},"
                       "\"$ref\":\"#/$defs/named\",\"properties\":{\"id\":{}},"
                       "\"anyOf\":[{\"properties\":{\"a\":{\"const\":1}}},{\"properties\":{\"b\":{}}}],"
                       "\"unevaluatedProperties\":false}";

    (void)state;
    expect_valid(base, "{\"id\":1,\"name\":\"x\",\"b\":2}");
    expect_valid(base, "{\"a\":1}");
    /* "a" fails its anyOf branch, so that branch evaluated nothing. */
    expect_message(base, "{\"id\":1,\"a\":2}",
                   "(root): property 'a' is not allowed (unevaluatedProperties)");
    expect_message(base, "{\"id\":1,\"extra\":true}",
                   "(root): property 'extra' is not allowed (unevaluatedProperties)");
    /* A cousin's properties do not count. */
    expect_invalid("{\"allOf\":[{\"properties\":{\"a\":{}}},{\"unevaluatedProperties\":false}]}", "{\"a\":1}");
    expect_message("{\"unevaluatedProperties\":{\"type\":\"integer\"}}", "{\"n\":\"x\"}",
                   "/n: expected integer, got string");
    expect_valid("{\"prefixItems\":[{}],\"contains\":{\"const\":\"k\"},\"unevaluatedItems\":false}",
                 "[0,\"k\",\"k\"]");
    expect_message("{\"prefixItems\":[{}],\"contains\":{\"const\":\"k\"},\"unevaluatedItems\":false}",
                   "[0,\"k\",3]", "/2: item 2 is not allowed (unevaluatedItems)");
}

static void
test_refs_and_recursion(void **state)
{
    const char *tree = "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"integer\"},"
                       "\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}},"
                       "\"required\":[\"value\"]}},\"$ref\":\"#/$defs/node\"}";

    expect_valid(tree, "{\"value\":1,\"children\":[{\"value\":2,\"children\":[{\"value\":3}]}]}");
    expect_message(tree, "{\"value\":1,\"children\":[{\"value\":2,\"children\":[{\"value\":\"x\"}]}]}",
                   "/children/0/children/0/value: expected integer, got string");
    /* 2020-12: keywords beside "$ref" apply too; draft-07: they do not. */
    expect_invalid("{\"$defs\":{\"s\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/s\",\"maxLength\":2}", "\"abc\"");
    expect_valid("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"definitions\":{\"s\":{\"type\":\"string\"}},"
                 "\"$ref\":\"#/definitions/s\",\"maxLength\":2}",
                 "\"abc\"");
    expect_valid("{\"$defs\":{\"a\":{\"$anchor\":\"pos\",\"minimum\":0}},\"$ref\":\"#pos\"}", "1");
    expect_invalid("{\"$defs\":{\"a\":{\"$anchor\":\"pos\",\"minimum\":0}},\"$ref\":\"#pos\"}", "-1");
    expect_valid("{\"$id\":\"https://example.com/root.json\",\"$defs\":{\"b\":{\"$id\":\"b.json\",\"type\":\"string\"}},"
                 "\"properties\":{\"x\":{\"$ref\":\"b.json\"}}}",
                 "{\"x\":\"s\"}");
}

static void
test_draft07_spellings(void **state)
{
    const char *tuple = "{\"items\":[{\"type\":\"string\"}],\"additionalItems\":{\"type\":\"integer\"}}";

    expect_valid(tuple, "[\"a\",1,2]");
    expect_message(tuple, "[\"a\",1,\"b\"]", "/2: expected integer, got string");
    expect_message("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}",
                   "(root): property 'b' is required when 'a' is present");
    expect_invalid("{\"dependencies\":{\"a\":{\"required\":[\"c\"]}}}", "{\"a\":1}");
    expect_valid("{\"definitions\":{\"n\":{\"type\":\"number\"}},\"properties\":{\"x\":{\"$ref\":\"#/definitions/n\"}}}",
                 "{\"x\":1}");
    expect_invalid("{\"minimum\":1,\"exclusiveMinimum\":true}", "1"); /* draft-04 boolean form */
}

static void
test_combinators(void **state)
{
    expect_message("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "1.5",
                   "(root): must match at least one of the 2 schemas in 'anyOf'");
    expect_message("{\"oneOf\":[{\"minimum\":0},{\"maximum\":10}]}", "5",
                   "(root): must match exactly one of the 2 schemas in 'oneOf' (matched 2)");
    expect_message("{\"not\":{\"type\":\"null\"}}", "null", "(root): must not match the schema in 'not'");
    expect_message("{\"if\":{\"properties\":{\"kind\":{\"const\":\"a\"}}},\"then\":{\"required\":[\"x\"]},"
                   "\"else\":{\"required\":[\"y\"]}}",
                   "{\"kind\":\"b\"}", "(root): required property 'y' is missing");
    expect_valid("{\"allOf\":[{\"minimum\":0},{\"maximum\":1}]}", "0.5");
    expect_message("{\"properties\":{\"a\":false}}", "{\"a\":1}", "/a: no value is allowed here");
}

static void
test_formats(void **state)
{
    static const struct {
        const char *format, *good, *bad;
    } cases[] = {
        {"date-time", "\"2026-07-28T12:00:00.5+02:00\"", "\"2026-02-30T12:00:00Z\""},
        {"date-time", "\"1998-12-31T23:59:60Z\"", "\"2026-07-28 12:00:00Z\""},
        {"date", "\"2024-02-29\"", "\"2023-02-29\""},
        {"email", "\"joe.bloggs@example.com\"", "\"joe..bloggs@example.com\""},
        {"email", "\"a+b@[127.0.0.1]\"", "\"no-at-sign\""},
        {"uri", "\"https://example.com:8080/a?b=c#d\"", "\"/relative/path\""},
        {"uri", "\"urn:isbn:0451450523\"", "\"http://exa mple.com\""},
        {"uuid", "\"2EB8AA08-AA98-11EA-B4AA-73B441D16380\"", "\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\""},
    };
    char schema[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(schema, sizeof(schema), "{\"format\":\"%s\"}", cases[i].format);
        expect_valid(schema, cases[i].good);
        expect_invalid(schema, cases[i].bad);
    }
    expect_message("{\"format\":\"date\"}", "\"2023-13-01\"", "(root): must be a valid date");
    expect_valid("{\"format\":\"date\"}", "12");              /* formats apply to strings only */
    expect_valid("{\"format\":\"x-unknown\"}", "\"anything\""); /* unknown formats pass */
}

static void
test_bad_schemas_refused(void **state)
{
    expect_refused("{\"pattern\":\"(\"}", "not a valid regular expression");
    expect_refused("{\"$ref\":\"#/$defs/missing\"}", "does not resolve");
    expect_refused("{\"$ref\":\"https://example.com/remote.json\"}", "does not resolve");
    expect_refused("{\"type\":\"strin\"}", "\"type\" must be one of");
    expect_refused("{\"required\":\"a\"}", "\"required\" must be an array of strings");
    expect_refused("[]", "must be an object or a boolean");
}

static void
test_hostile_schemas_are_bounded(void **state)
{
    char *msg;
    struct mg_schema *s;

    /* A reference cycle that makes no progress through the instance. */
    expect_message("{\"$ref\":\"#\"}", "1", "(root): schema references nest too deeply");
    /* Exponential alternation: 2^30 paths, each ending in "false", if
     * nothing stopped it; shallow, so only the step budget can. */
    {
        char text[8192];
        size_t n = 0;
        n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"not\":{\"$ref\":\"#/$defs/l0\"},\"$defs\":{");
        for (int i = 0; i < 30; i++)
            n += (size_t)snprintf(text + n, sizeof(text) - n,
                                  "\"l%d\":{\"anyOf\":[{\"$ref\":\"#/$defs/l%d\"},{\"$ref\":\"#/$defs/l%d\"}]},", i,
                                  i + 1, i + 1);
        snprintf(text + n, sizeof(text) - n, "\"l30\":false}}");
        s = compile(text);
        msg = validate(s, "1");
        assert_non_null(msg);
        assert_string_equal(msg, "(root): validation is too complex");
        free(msg);
        mg_schema_free(s);
    }
    /* Catastrophic backtracking is cut off, not waited out. */
    expect_invalid("{\"pattern\":\"^(a+)+$\"}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_lists_every_failure),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_count_code_points),
        cmocka_unit_test(test_2020_12_arrays),
        cmocka_unit_test(test_2020_12_unevaluated),
        cmocka_unit_test(test_2020_12_objects),
        cmocka_unit_test(test_refs_and_recursion),
        cmocka_unit_test(test_draft07_spellings),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_bad_schemas_refused),
        cmocka_unit_test(test_hostile_schemas_are_bounded),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
