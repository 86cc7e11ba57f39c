/*
 * test_json_parse.c - mg_json_parse against jansson's json_loadb: the
 * same values (keys in the same order) for valid text, NULL for whatever
 * jansson refuses, and the same answers for thousands of random values
 * and of random corruptions of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/json_parse.h"
#include "json/json_text.h"
#include "json_random.h"

#define DEPTH 128

/* TEXT[LEN] decodes here to exactly what jansson decodes it to. */
static void
same_as_jansson(const char *text, size_t len)
{
    json_t *ours = mg_json_parse(text, len, DEPTH), *theirs = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    char *a, *b;

    if (theirs == NULL)
        fail_msg("jansson refuses a text the test takes as valid: %.*s", (int)len, text);
    if (ours == NULL)
        fail_msg("not decoded: %.*s", (int)len, text);
    a = mg_json_text(ours, NULL);
    b = mg_json_text(theirs, NULL);
    if (!json_equal(ours, theirs) || strcmp(a, b) != 0)
        fail_msg("%.*s\ndecoded as %s\njansson: %s", (int)len, text, a, b);
    free(a);
    free(b);
    json_decref(ours);
    json_decref(theirs);
}

/* Never laxer than jansson: what it refuses is refused; what is decoded
 * is what jansson decodes. */
static void
never_laxer(const char *text, size_t len)
{
    json_t *ours = mg_json_parse(text, len, DEPTH), *theirs;

    if (ours == NULL)
        return;
    theirs = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    if (theirs == NULL)
        fail_msg("decoded a text jansson refuses: %.*s", (int)len, text);
    json_decref(theirs);
    json_decref(ours);
    same_as_jansson(text, len);
}

static void
refused(const char *text, size_t len)
{
    json_t *v = mg_json_parse(text, len, DEPTH);

    if (v != NULL)
        fail_msg("decoded a text that must be left to jansson: %.*s", (int)len, text);
}

#define SAME(s) same_as_jansson((s), sizeof(s) - 1)
#define REFUSED(s) refused((s), sizeof(s) - 1)

static void
test_valid_texts(void **state)
{
    SAME("null");
    SAME("true");
    SAME(" \t\r\nfalse \n");
    SAME("0");
    SAME("-0");
    SAME("123456789");
    SAME("9223372036854775807");
    SAME("-9223372036854775808");
    SAME("1.5");
    SAME("-0.0");
    SAME("1e3");
    SAME("1E+3");
    SAME("2.5e-3");
    SAME("1e-400"); /* underflow is zero, as jansson has it */
    SAME("0.1000000000000000055511151231257827021181583404541015625");
    SAME("\"\"");
    SAME("\"plain\"");
    SAME("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
    SAME("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
    SAME("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80\"");
    SAME("\"\x7f\"");
    SAME("[]");
    SAME("{}");
    SAME("[ 1 , [ 2 , [ ] ] , { } ]");
    SAME("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}");
    SAME("{\"k\":1,\"j\":2,\"k\":3}"); /* a repeated key: its first place, its last value */
    SAME("{\"\\u00e9\\n\":\"key with escapes\",\"\":\"empty key\"}");
    SAME("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"demo__echo\","
         "\"arguments\":{\"text\":\"hello\"},\"_meta\":{\"progressToken\":\"p1\"}}}");
    SAME("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"line\\nline\"}],"
         "\"isError\":false}}");
}

static void
test_escaped_string_longer_than_scratch(void **state)
{
    char text[10000];
    size_t n = 0;

    text[n++] = '[';
    text[n++] = '"';
    for (int i = 0; i < 900; i++) {
        memcpy(text + n, "ab\\n\\u00e9", 10);
        n += 10;
    }
    memcpy(text + n, "\",{\"", 4);
    n += 4;
    for (int i = 0; i < 100; i++) {
        memcpy(text + n, "k\\t", 3);
        n += 3;
    }
    memcpy(text + n, "\":1}]", 5);
    n += 5;
    same_as_jansson(text, n);
}

static void
test_invalid_texts_are_refused(void **state)
{
    REFUSED("");
    REFUSED("   ");
    REFUSED("nul");
    REFUSED("nulll");
    REFUSED("True");
    REFUSED("truefalse");
    REFUSED("1 2");
    REFUSED("01");
    REFUSED("-01");
    REFUSED("+1");
    REFUSED(".5");
    REFUSED("1.");
    REFUSED("1.e3");
    REFUSED("1e");
    REFUSED("1e+");
    REFUSED("-");
    REFUSED("0x10");
    REFUSED("NaN");
    REFUSED("Infinity");
    REFUSED("9223372036854775808");
    REFUSED("-9223372036854775809");
    REFUSED("123456789012345678901234567890");
    REFUSED("1e400");
    REFUSED("-1e400");
    REFUSED("\"");
    REFUSED("\"abc");
    REFUSED("\"abc\\\"");
    REFUSED("\"\\x\"");
    REFUSED("\"\\u12\"");
    REFUSED("\"\\u12G4\"");
    REFUSED("\"\\u0000\"");           /* U+0000: jansson's to refuse */
    REFUSED("\"\\ud83d\"");           /* a high surrogate alone */
    REFUSED("\"\\ud83dx\"");
    REFUSED("\"\\ud83d\\u0041\"");    /* not followed by a low one */
    REFUSED("\"\\ude00\"");           /* a low surrogate alone */
    REFUSED("\"tab\there\"");         /* a raw control character */
    REFUSED("\"nul\0byte\"");
    REFUSED("\"\xc3\"");              /* a truncated sequence */
    REFUSED("\"\xc0\x80\"");          /* overlong */
    REFUSED("\"\xc1\xbf\"");
    REFUSED("\"\xe0\x80\x80\"");
    REFUSED("\"\xf0\x80\x80\x80\"");
    REFUSED("\"\xed\xa0\x80\"");      /* a surrogate as UTF-8 */
    REFUSED("\"\xf4\x90\x80\x80\"");  /* past U+10FFFF */
    REFUSED("\"\xf5\x80\x80\x80\"");
    REFUSED("\"\x80\"");
    REFUSED("\"\xff\"");
    REFUSED("[");
    REFUSED("[1");
    REFUSED("[1,");
    REFUSED("[1,]");
    REFUSED("[,1]");
    REFUSED("[1 2]");
    REFUSED("{");
    REFUSED("{\"a\"");
    REFUSED("{\"a\":");
    REFUSED("{\"a\":1,}");
    REFUSED("{a:1}");
    REFUSED("{\"a\" 1}");
    REFUSED("{1:1}");
    REFUSED("{\"a\\u0000b\":1}");
    REFUSED("[1]]");
    REFUSED("\xef\xbb\xbf{}"); /* a byte order mark */
    REFUSED("{} x");
    REFUSED("[1]\0");
}

/* Nesting: up to the limit decoded, past it left to jansson (which
 * decodes it; mg_rpc_decode then refuses it as too deep). */
static void
test_depth_limit(void **state)
{
    char text[2 * DEPTH + 8];
    size_t n = 0;
    json_t *v;

    for (int i = 0; i < DEPTH; i++)
        text[n++] = '[';
    for (int i = 0; i < DEPTH; i++)
        text[n++] = ']';
    same_as_jansson(text, n); /* the innermost array is at depth DEPTH */

    n = 0;
    for (int i = 0; i < DEPTH; i++)
        text[n++] = '[';
    text[n++] = '1'; /* at depth DEPTH + 1 */
    for (int i = 0; i < DEPTH; i++)
        text[n++] = ']';
    refused(text, n);
    v = json_loadb(text, n, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    json_decref(v);
}

/* mg_json_loadb keeps json_loadb's flags: without JSON_DECODE_ANY only
 * an object or array is a document; other flags are jansson's. */
static void
test_loadb_keeps_jansson_flags(void **state)
{
    json_error_t err;
    json_t *v;

    v = mg_json_loadb("7", 1, JSON_DECODE_ANY, &err);
    assert_true(json_is_integer(v));
    json_decref(v);
    err.text[0] = '\0';
    assert_null(mg_json_loadb("7", 1, 0, &err));
    assert_true(err.text[0] != '\0');
    v = mg_json_loadb("{\"a\":[1]}", 9, 0, &err);
    assert_true(json_is_object(v));
    json_decref(v);
    assert_null(mg_json_loadb("{\"a\":1,\"a\":2}", 15, JSON_REJECT_DUPLICATES, &err));
    assert_non_null(strstr(err.text, "duplicate"));
    /* What the fast path leaves: jansson's error, with its place. */
    assert_null(mg_json_loadb("[1,]", 4, 0, &err));
    assert_int_equal(err.line, 1);
}

/* --- random values and random corruptions of their text ----------------- */

static void
test_random_values_and_corruptions(void **state)
{
    static const char junk[] = "{}[]\",:\\u0123456789abcdefe.+-tnf \n\x80\xc3\xed\xf0\xff";
    unsigned seed = 8259;

    for (int i = 0; i < 4000; i++) {
        json_t *v = random_json_value(&seed, 0);
        /* jansson's own layout (indents, spaces) and the compact one. */
        char *text = json_dumps(v, rand_r(&seed) % 2 ? JSON_INDENT(2) | JSON_ENCODE_ANY : JSON_ENCODE_ANY);
        size_t len = strlen(text);

        same_as_jansson(text, len);
        for (int k = 0; k < 8; k++) {
            char *bad = malloc(len + 2);
            size_t at = len ? (size_t)rand_r(&seed) % len : 0, n = len;
            memcpy(bad, text, len);
            switch (rand_r(&seed) % 3) {
            case 0: /* replace a byte */
                if (len)
                    bad[at] = junk[rand_r(&seed) % (sizeof(junk) - 1)];
                break;
            case 1: /* insert one */
                memmove(bad + at + 1, bad + at, len - at);
                bad[at] = junk[rand_r(&seed) % (sizeof(junk) - 1)];
                n = len + 1;
                break;
            default: /* cut the text short */
                n = at;
                break;
            }
            never_laxer(bad, n);
            free(bad);
        }
        free(text);
        json_decref(v);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_texts),
        cmocka_unit_test(test_escaped_string_longer_than_scratch),
        cmocka_unit_test(test_invalid_texts_are_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_loadb_keeps_jansson_flags),
        cmocka_unit_test(test_random_values_and_corruptions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
