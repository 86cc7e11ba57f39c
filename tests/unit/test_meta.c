/*
 * test_meta.c - which _meta keys are the protocol's (mg_meta_key_reserved)
 * and what passes through the gateway (mg_meta_passable).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mcp/meta.h"

static void
test_reserved_keys(void **state)
{
    (void)state;
    /* The specification's examples, the keys the protocol uses, and
     * progressToken. */
    assert_true(mg_meta_key_reserved("modelcontextprotocol.io/x"));
    assert_true(mg_meta_key_reserved("mcp.dev/x"));
    assert_true(mg_meta_key_reserved("api.modelcontextprotocol.org/x"));
    assert_true(mg_meta_key_reserved("tools.mcp.com/x"));
    assert_true(mg_meta_key_reserved("io.modelcontextprotocol/related-task"));
    assert_true(mg_meta_key_reserved("mcp/x"));
    assert_true(mg_meta_key_reserved("progressToken"));
    /* Everybody else's: a label only has to contain the word. */
    assert_false(mg_meta_key_reserved("com.example/trace"));
    assert_false(mg_meta_key_reserved("mcpx.dev/x"));
    assert_false(mg_meta_key_reserved("my-mcp.dev/x"));
    assert_false(mg_meta_key_reserved("notmodelcontextprotocol.io/x"));
    assert_false(mg_meta_key_reserved("traceparent"));
    assert_false(mg_meta_key_reserved("example/mcp.dev"));
    assert_false(mg_meta_key_reserved(""));
}

static void
test_passable(void **state)
{
    json_t *meta = json_pack("{s:s, s:i, s:{s:s}, s:b}", "com.example/trace", "t", "progressToken", 3,
                             "io.modelcontextprotocol/related-task", "taskId", "x", "traceparent", 1);
    json_t *out = mg_meta_passable(meta), *want = json_pack("{s:s, s:b}", "com.example/trace", "t", "traceparent", 1);

    (void)state;
    assert_true(json_equal(out, want));
    json_decref(out);
    json_decref(want);
    json_decref(meta);
    /* Nothing of anybody's, or not an object: nothing at all. */
    meta = json_pack("{s:i}", "progressToken", 1);
    assert_null(mg_meta_passable(meta));
    json_decref(meta);
    meta = json_string("x");
    assert_null(mg_meta_passable(meta));
    json_decref(meta);
    assert_null(mg_meta_passable(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserved_keys),
        cmocka_unit_test(test_passable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
