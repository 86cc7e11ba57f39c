/*
 * test_catalog_upstream.c - upstream tool names: format, characters,
 * deterministic shortening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/catalog_upstream.h"

static void
test_format_and_characters(void **state)
{
    struct mg_naming nm = {.format = "{server}__{tool}", .max = 128};
    struct mg_naming mcp = {.format = "MCP_{server}_{tool}", .max = 128};
    char out[129];

    mg_upstream_tool_name(&nm, "github", "list_prs", out);
    assert_string_equal(out, "github__list_prs");
    mg_upstream_tool_name(&mcp, "github", "list_prs", out);
    assert_string_equal(out, "MCP_github_list_prs");
    /* Outside [A-Za-z0-9_.-]: replaced, so every client accepts it. */
    mg_upstream_tool_name(&nm, "files", "read file/now", out);
    assert_string_equal(out, "files__read_file_now");
}

static void
test_shortened_deterministically(void **state)
{
    struct mg_naming nm = {.format = "{server}__{tool}", .max = 64};
    char a[129], b[129], c[129], tool[200];

    memset(tool, 'x', 100);
    tool[100] = '\0';
    mg_upstream_tool_name(&nm, "srv", tool, a);
    mg_upstream_tool_name(&nm, "srv", tool, b);
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, b); /* the same on every run */
    assert_memory_equal(a, "srv__xxx", 8);
    tool[99] = 'y'; /* same prefix, different name: a different hash */
    mg_upstream_tool_name(&nm, "srv", tool, c);
    assert_int_equal(strlen(c), 64);
    assert_string_not_equal(a, c);
    assert_memory_equal(a, c, 55);
    /* Names that fit are left alone. */
    nm.max = 128;
    mg_upstream_tool_name(&nm, "srv", tool, c);
    assert_int_equal(strlen(c), 105);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_characters),
        cmocka_unit_test(test_shortened_deterministically),
    };
    return cmocka_run_group_tests_name("catalog_upstream", tests, NULL, NULL);
}
