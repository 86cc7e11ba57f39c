/*
 * test_cursor.c - list cursors sealed and opened (src/mcp/cursor.c) on
 * top of util/seal.c: a cursor opens only for the list and view it was
 * made for, unaltered, in time, under the key that sealed it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcp/cursor.h"
#include "util/alloc.h"
#include "util/seal.h"

static const unsigned char key[MG_SEAL_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const time_t now = 1800000000;

static char *
open_at(const char *token, enum mg_cursor_list list, const char *view, time_t t)
{
    return mg_cursor_open(key, token, strlen(token), list, view, t);
}

static void
assert_opens(const char *token, enum mg_cursor_list list, const char *view, const char *after)
{
    char *got = open_at(token, list, view, now);

    assert_non_null(got);
    assert_string_equal(got, after);
    mg_free(got);
}

static void
test_round_trip(void **state)
{
    /* Keys as they come: names, URIs with any punctuation, newlines,
     * non-ASCII, and the empty string. */
    static const char *const keys[] = {"everything__echo", "file:///a b/c?d=e#f", "two\nlines", "caf\xc3\xa9", ""};
    static const char *const views[] = {NULL, "github"};

    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            for (int list = MG_CURSOR_TOOLS; list <= MG_CURSOR_TEMPLATES; list++) {
                char *c = mg_cursor_seal(key, (enum mg_cursor_list)list, views[v], keys[i], now);
                assert_opens(c, (enum mg_cursor_list)list, views[v], keys[i]);
                mg_free(c);
            }
        }
    }
}

/* Flipping any one byte of the payload or of the MAC spoils the cursor. */
static void
test_tamper(void **state)
{
    char *c = mg_cursor_seal(key, MG_CURSOR_TOOLS, NULL, "demo__add", now);
    size_t n = strlen(c);
    char *copy = mg_strdup(c);

    assert_non_null(strchr(c, '.'));
    for (size_t i = 0; i < n; i++) {
        char *got;
        copy[i] = (char)(copy[i] ^ 1);
        got = open_at(copy, MG_CURSOR_TOOLS, NULL, now);
        if (got != NULL)
            fail_msg("byte %zu of %s flipped, still opens as \"%s\"", i, c, got);
        copy[i] = c[i];
    }
    assert_opens(copy, MG_CURSOR_TOOLS, NULL, "demo__add");
    mg_free(copy);
    mg_free(c);
}

/* A cursor re-sealed with the payload changed but without the key. */
static void
test_forged_payload(void **state)
{
    static const unsigned char other[MG_SEAL_KEY_LEN] = "another key, not the gateway's!";
    char *c = mg_cursor_seal(other, MG_CURSOR_TOOLS, NULL, "demo__add", now);

    assert_null(open_at(c, MG_CURSOR_TOOLS, NULL, now));
    mg_free(c);
}

static void
test_wrong_list(void **state)
{
    char *c = mg_cursor_seal(key, MG_CURSOR_PROMPTS, NULL, "x__p", now);

    assert_null(open_at(c, MG_CURSOR_TOOLS, NULL, now));
    assert_null(open_at(c, MG_CURSOR_RESOURCES, NULL, now));
    assert_null(open_at(c, MG_CURSOR_TEMPLATES, NULL, now));
    assert_opens(c, MG_CURSOR_PROMPTS, NULL, "x__p");
    mg_free(c);
}

/* A cursor of /servers/a/mcp opens neither at /mcp nor at another
 * server's view, and the other way round. */
static void
test_wrong_view(void **state)
{
    char *a = mg_cursor_seal(key, MG_CURSOR_TOOLS, "a", "echo", now);
    char *all = mg_cursor_seal(key, MG_CURSOR_TOOLS, NULL, "a__echo", now);

    assert_null(open_at(a, MG_CURSOR_TOOLS, NULL, now));
    assert_null(open_at(a, MG_CURSOR_TOOLS, "b", now));
    assert_null(open_at(a, MG_CURSOR_TOOLS, "ab", now));
    assert_null(open_at(a, MG_CURSOR_TOOLS, "", now));
    assert_null(open_at(all, MG_CURSOR_TOOLS, "a", now));
    assert_opens(a, MG_CURSOR_TOOLS, "a", "echo");
    assert_opens(all, MG_CURSOR_TOOLS, NULL, "a__echo");
    mg_free(a);
    mg_free(all);
}

static void
test_expiry(void **state)
{
    char *c = mg_cursor_seal(key, MG_CURSOR_RESOURCES, NULL, "file:///x", now);
    char *got = open_at(c, MG_CURSOR_RESOURCES, NULL, now + MG_CURSOR_TTL_S);

    assert_non_null(got);
    mg_free(got);
    assert_null(open_at(c, MG_CURSOR_RESOURCES, NULL, now + MG_CURSOR_TTL_S + 1));
    mg_free(c);
}

static void
test_garbage(void **state)
{
    static const char *const junk[] = {
        "", ".", "bogus", "abc.def",
        /* the right shape, a wrong MAC */
        "MQowCjE3OTU0NTQ5MDIKCnRlc3Q=.0000000000000000000000000000000000000000000000000000000000000000",
        /* no payload at all */
        ".0000000000000000000000000000000000000000000000000000000000000000",
    };

    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_null(open_at(junk[i], MG_CURSOR_TOOLS, NULL, now));
}

/* Sealed well but not as a cursor: the payload is checked field by
 * field, and a token sealed for another purpose does not open at all. */
static void
test_not_a_cursor(void **state)
{
    static const char *const payloads[] = {
        "2\n0\n1800000100\n\nx",  /* another format version */
        "1\n0\n\n\nx",            /* no expiry */
        "1\n0\n18000001x0\n\nx",  /* expiry not a number */
        "1\n0\n1800000100\n",     /* no view field */
        "1\n0",                   /* cut short */
    };
    char *t, *got;

    for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        t = mg_seal(key, "mcpgate list cursor", payloads[i], strlen(payloads[i]));
        assert_null(open_at(t, MG_CURSOR_TOOLS, NULL, now));
        mg_free(t);
    }
    /* The control: the label and format above are the cursor's own. */
    t = mg_seal(key, "mcpgate list cursor", "1\n0\n1800000100\n\nx", 17);
    assert_opens(t, MG_CURSOR_TOOLS, NULL, "x");
    mg_free(t);
    t = mg_seal(key, "mcpgate requestState", "1\n0\n1800000100\n\nx", 17);
    assert_null(open_at(t, MG_CURSOR_TOOLS, NULL, now));
    mg_free(t);
    /* And a payload with a NUL in the key never becomes a C string. */
    t = mg_seal(key, "mcpgate list cursor", "1\n0\n1800000100\n\nx\0y", 19);
    got = open_at(t, MG_CURSOR_TOOLS, NULL, now);
    assert_null(got);
    mg_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_forged_payload),
        cmocka_unit_test(test_wrong_list),
        cmocka_unit_test(test_wrong_view),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_not_a_cursor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
