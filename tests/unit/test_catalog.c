/*
 * test_catalog.c - bundle registration rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/catalog.h"
#include "gateway/gateway.h"
#include "mcpgate.h"

static void
noop(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_finish(call);
}

static struct mg_gateway *gw;

static int
setup(void **state)
{
    gw = mg_gateway_new(NULL);
    return 0;
}

static int
teardown(void **state)
{
    mg_gateway_free(gw);
    return 0;
}

static int
reg(const char *ns, const struct mg_tool_def *tools, size_t n, char *err, size_t errlen)
{
    struct mg_bundle_def def = {.ns = ns, .tools = tools, .tool_count = n};
    return mg_bundle_register(gw, &def, err, errlen);
}

static void
expect_refused(const char *ns, const struct mg_tool_def *tools, size_t n, const char *needle1, const char *needle2)
{
    char err[512] = "";

    assert_int_equal(reg(ns, tools, n, err, sizeof(err)), -1);
    if (strstr(err, needle1) == NULL || (needle2 && strstr(err, needle2) == NULL))
        fail_msg("message '%s' lacks '%s'/'%s'", err, needle1, needle2 ? needle2 : "");
}

static void
test_exposed_names_and_lookup(void **state)
{
    struct mg_tool_def tools[] = {{.name = "get_issue", .handler = noop}, {.name = "a-b", .handler = noop}};
    char err[256];

    assert_int_equal(reg("linear", tools, 2, err, sizeof(err)), 0);
    assert_non_null(mg_catalog_find(&gw->catalog, "linear__get_issue"));
    assert_non_null(mg_catalog_find(&gw->catalog, "linear__a-b"));
    assert_null(mg_catalog_find(&gw->catalog, "get_issue"));
    assert_int_equal(gw->catalog.tool_count, 2);
    /* deterministic order: sorted by exposed name */
    assert_string_equal(gw->catalog.order[0]->name, "linear__a-b");
    /* no inputSchema: an object that takes no properties */
    json_t *schema = json_object_get(mg_catalog_find(&gw->catalog, "linear__a-b")->def, "inputSchema");
    assert_string_equal(json_string_value(json_object_get(schema, "type")), "object");
}

static void
test_bad_names_refused(void **state)
{
    struct mg_tool_def ok[] = {{.name = "t", .handler = noop}};
    struct mg_tool_def upper[] = {{.name = "Tool", .handler = noop}};
    struct mg_tool_def digit[] = {{.name = "1tool", .handler = noop}};

    expect_refused("Bad", ok, 1, "'Bad'", "^[a-z][a-z0-9-]*$");
    expect_refused("a_b", ok, 1, "'a_b'", NULL);
    expect_refused("", ok, 1, "invalid", NULL);
    expect_refused(NULL, ok, 1, "invalid", NULL);
    expect_refused("ns", upper, 1, "'Tool'", "^[a-z][a-z0-9_-]*$");
    expect_refused("ns", digit, 1, "'1tool'", NULL);

    char longname[130];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    struct mg_tool_def longt[] = {{.name = longname, .handler = noop}};
    expect_refused("ns", longt, 1, "longer than 128", NULL);
}

static void
test_same_namespace_refused_naming_both(void **state)
{
    struct mg_tool_def a[] = {{.name = "x", .handler = noop}};
    struct mg_tool_def b[] = {{.name = "y", .handler = noop}};
    char err[256];

    assert_int_equal(reg("dup", a, 1, err, sizeof(err)), 0);
    expect_refused("dup", b, 1, "'dup'", "already registered");
    /* nothing of the refused bundle is visible */
    assert_null(mg_catalog_find(&gw->catalog, "dup__y"));
    assert_int_equal(gw->catalog.tool_count, 1);
}

static void
test_duplicate_tool_in_bundle_refused(void **state)
{
    struct mg_tool_def t[] = {{.name = "x", .handler = noop}, {.name = "x", .handler = noop}};

    expect_refused("ns", t, 2, "'x'", "twice");
    assert_int_equal(gw->catalog.tool_count, 0);
}

static void
test_collision_with_other_bundle_names_both(void **state)
{
    /* Only reachable through the lookup table, not through namespaces:
     * plant a tool under the name another bundle will expose. */
    struct mg_tool_def a[] = {{.name = "x", .handler = noop}};
    struct mg_tool_def b[] = {{.name = "y", .handler = noop}, {.name = "x", .handler = noop}};
    char err[256];

    assert_int_equal(reg("first", a, 1, err, sizeof(err)), 0);
    struct mg_tool *planted = mg_catalog_find(&gw->catalog, "first__x");
    mg_strmap_put(&gw->catalog.by_name, "second__x", planted);
    expect_refused("second", b, 2, "bundle 'second'", "bundle 'first'");
    mg_strmap_del(&gw->catalog.by_name, "second__x");
    assert_null(mg_catalog_find(&gw->catalog, "second__y"));
}

static void
test_bad_schemas_refused(void **state)
{
    struct mg_tool_def notjson[] = {{.name = "t", .input_schema = "{", .handler = noop}};
    struct mg_tool_def notobj[] = {{.name = "t", .input_schema = "{\"type\":\"string\"}", .handler = noop}};
    struct mg_tool_def badout[] = {{.name = "t", .output_schema = "[1]", .handler = noop}};
    struct mg_tool_def badpattern[] = {
        {.name = "t", .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"pattern\":\"(\"}}}",
         .handler = noop}};
    struct mg_tool_def badann[] = {{.name = "t", .annotations = "[]", .handler = noop}};
    struct mg_tool_def nohandler[] = {{.name = "t"}};
    struct mg_tool_def badheader[] = {
        {.name = "t",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\","
                         "\"x-mcp-header\":\"A\"}}}",
         .handler = noop}};

    expect_refused("ns", notjson, 1, "inputSchema is not valid JSON", NULL);
    expect_refused("ns", notobj, 1, "\"type\": \"object\"", NULL);
    expect_refused("ns", badout, 1, "outputSchema", NULL);
    expect_refused("ns", badpattern, 1, "inputSchema does not compile", NULL);
    expect_refused("ns", badann, 1, "annotations", NULL);
    expect_refused("ns", nohandler, 1, "handler", NULL);
    /* Clients drop such a tool (2026-07-28), so it is refused up front. */
    expect_refused("ns", badheader, 1, "x-mcp-header \"A\" must be on a property of type string", NULL);
    assert_int_equal(gw->catalog.tool_count, 0);
}

static void
test_unprefixed_bundle_uses_own_names(void **state)
{
    struct mg_tool_def tools[] = {{.name = "test_simple_text", .handler = noop}};
    struct mg_tool_def clash[] = {{.name = "test_simple_text", .handler = noop}};
    struct mg_bundle_def flat = {.ns = "fixture", .tools = tools, .tool_count = 1, .unprefixed = 1};
    struct mg_bundle_def other = {.ns = "other", .tools = clash, .tool_count = 1, .unprefixed = 1};
    char err[256] = "";

    assert_int_equal(mg_bundle_register(gw, &flat, err, sizeof(err)), 0);
    assert_non_null(mg_catalog_find(&gw->catalog, "test_simple_text"));
    assert_null(mg_catalog_find(&gw->catalog, "fixture__test_simple_text"));
    /* Without the prefix, names can collide across bundles: refused. */
    assert_int_equal(mg_bundle_register(gw, &other, err, sizeof(err)), -1);
    if (strstr(err, "fixture") == NULL || strstr(err, "other") == NULL)
        fail_msg("collision message '%s' does not name both bundles", err);
}

static void
read_noop(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    mg_call_finish(call);
}

static void
get_noop(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_finish(call);
}

static void
test_resources_and_prompts(void **state)
{
    struct mg_resource_def res[] = {
        {.uri = "docs://readme", .name = "readme", .read = read_noop},
        {.uri_template = "docs://page/{id}/text", .name = "page", .read = read_noop},
    };
    struct mg_prompt_def prompts[] = {{.name = "review", .description = "Review code",
                                       .arguments = "[{\"name\":\"file\",\"required\":true}]", .get = get_noop}};
    struct mg_bundle_def def = {.ns = "docs", .resources = res, .resource_count = 2, .prompts = prompts,
                                .prompt_count = 1};
    struct mg_resource_def clash[] = {{.uri_template = "docs://page/{id}/text", .name = "again", .read = read_noop}};
    struct mg_bundle_def other = {.ns = "other", .resources = clash, .resource_count = 1};
    struct mg_resource_def bad[] = {{.uri = "a://b", .uri_template = "a://{c}", .name = "both", .read = read_noop}};
    struct mg_bundle_def worse = {.ns = "worse", .resources = bad, .resource_count = 1};
    json_t *vars = NULL;
    struct mg_resource *r;
    char err[256] = "";

    assert_int_equal(mg_bundle_register(gw, &def, err, sizeof(err)), 0);
    r = mg_catalog_find_resource(&gw->catalog, "docs://readme", &vars);
    assert_non_null(r);
    assert_int_equal(json_object_size(vars), 0);
    json_decref(vars);
    r = mg_catalog_find_resource(&gw->catalog, "docs://page/42/text", &vars);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(vars, "id")), "42");
    json_decref(vars);
    assert_null(mg_catalog_find_resource(&gw->catalog, "docs://page//text", &vars)); /* a variable is never empty */
    json_decref(vars);
    assert_null(mg_catalog_find_resource(&gw->catalog, "docs://page/1/2/text", &vars)); /* one segment only */
    json_decref(vars);
    /* Prompts are exposed like tools; URIs are not rewritten. */
    assert_non_null(mg_catalog_find_prompt(&gw->catalog, "docs__review"));
    assert_null(mg_catalog_find_prompt(&gw->catalog, "review"));

    /* The same template from another bundle: refused, naming both. */
    assert_int_equal(mg_bundle_register(gw, &other, err, sizeof(err)), -1);
    if (strstr(err, "docs") == NULL || strstr(err, "other") == NULL)
        fail_msg("collision message '%s' does not name both bundles", err);
    assert_int_equal(mg_bundle_register(gw, &worse, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "exactly one of uri and uri_template"));
    /* Nothing of a refused bundle is visible. */
    assert_null(mg_catalog_find_resource(&gw->catalog, "a://b", &vars));
    json_decref(vars);
}

static void
test_definition_fields_exposed(void **state)
{
    struct mg_tool_def t[] = {{.name = "t",
                               .title = "T",
                               .description = "does t",
                               .input_schema = "{\"type\":\"object\"}",
                               .output_schema = "{\"type\":\"object\"}",
                               .annotations = "{\"readOnlyHint\":true}",
                               .icons = "[{\"src\":\"https://example.invalid/i.png\"}]",
                               .handler = noop}};
    char err[256];

    assert_int_equal(reg("ns", t, 1, err, sizeof(err)), 0);
    json_t *def = mg_catalog_find(&gw->catalog, "ns__t")->def;
    assert_string_equal(json_string_value(json_object_get(def, "name")), "ns__t");
    assert_string_equal(json_string_value(json_object_get(def, "title")), "T");
    assert_string_equal(json_string_value(json_object_get(def, "description")), "does t");
    assert_true(json_is_true(json_object_get(json_object_get(def, "annotations"), "readOnlyHint")));
    assert_int_equal(json_array_size(json_object_get(def, "icons")), 1);
    assert_non_null(json_object_get(def, "outputSchema"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exposed_names_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_names_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_namespace_refused_naming_both, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_tool_in_bundle_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collision_with_other_bundle_names_both, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_schemas_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_definition_fields_exposed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unprefixed_bundle_uses_own_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resources_and_prompts, setup, teardown),
    };
    return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
