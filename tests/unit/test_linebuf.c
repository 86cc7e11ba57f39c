/*
 * test_linebuf.c - newline framing with a bound.
 *
 * The same bytes must give the same lines however they are split into
 * reads; the split test checks that against a one-shot feed for every
 * split point and for random splits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/linebuf.h"

struct out {
    char text[8192]; /* lines as "LEN/FULL:LINE|" */
    size_t len;
    size_t max_cap;  /* largest buffer seen */
    struct mg_linebuf *lb;
};

static void
collect(void *ctx, const char *line, size_t len, size_t full)
{
    struct out *o = ctx;
    int n;

    assert_null(memchr(line, '\n', len));
    n = snprintf(o->text + o->len, sizeof(o->text) - o->len, "%zu/%zu:%.*s|", len, full, (int)len, line);
    assert_true(n > 0 && (size_t)n < sizeof(o->text) - o->len);
    o->len += (size_t)n;
}

/* Feed TEXT in pieces cut at CUTS (sorted offsets), then finish. */
static void
run(const char *text, size_t max, const size_t *cuts, size_t ncuts, struct out *o)
{
    struct mg_linebuf lb;
    size_t n = strlen(text), at = 0;

    memset(o, 0, sizeof(*o));
    mg_linebuf_init(&lb, max);
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        mg_linebuf_feed(&lb, text + at, end - at, collect, o);
        assert_true(lb.len <= max + 1);
        if (lb.cap > o->max_cap)
            o->max_cap = lb.cap;
        at = end;
    }
    mg_linebuf_finish(&lb, collect, o);
    assert_int_equal(lb.total, 0);
    mg_linebuf_free(&lb);
}

static void
test_lines_and_endings(void **state)
{
    struct out o;

    run("one\ntwo\r\n\n\r\n  \t\nthree\rx\nlast", 100, NULL, 0, &o);
    assert_string_equal(o.text, "3/3:one|3/3:two|7/7:three\rx|4/4:last|");
}

static void
test_over_long(void **state)
{
    struct out o;

    /* Exactly the bound passes, "\r" not counted; one more is over. */
    run("abcde\r\nabcdef\nxy\n", 5, NULL, 0, &o);
    assert_string_equal(o.text, "5/5:abcde|5/6:abcde|2/2:xy|");
    /* An over-long last line without a newline is reported at the end. */
    run("ok\nabcdefghij", 5, NULL, 0, &o);
    assert_string_equal(o.text, "2/2:ok|5/10:abcde|");
}

static void
test_any_split_gives_the_same_lines(void **state)
{
    static const char text[] = "{\"a\":1}\r\n\nhello world\nthis line is far too long for us\r\n\r\nx\nend\r";
    struct out whole, split;
    size_t n = strlen(text);
    uint64_t seed = 42;

    run(text, 12, NULL, 0, &whole);
    for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n; b++) {
            size_t cuts[2] = {a, b};
            run(text, 12, cuts, 2, &split);
            assert_string_equal(split.text, whole.text);
        }
    }
    /* Byte at a time, and random splits. */
    for (int round = 0; round < 200; round++) {
        size_t cuts[64], ncuts = 0;
        for (size_t at = 0; at < n && ncuts < 64;) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            at += round == 0 ? 1 : 1 + (seed >> 33) % 6;
            if (at < n)
                cuts[ncuts++] = at;
        }
        run(text, 12, cuts, ncuts, &split);
        assert_string_equal(split.text, whole.text);
        assert_true(split.max_cap <= 13);
    }
}

static void
test_big_line_is_not_buffered(void **state)
{
    struct mg_linebuf lb;
    struct out o;
    char chunk[4096];

    memset(&o, 0, sizeof(o));
    memset(chunk, 'z', sizeof(chunk));
    mg_linebuf_init(&lb, 1000);
    for (int i = 0; i < 1000; i++) /* 4 MB without a newline */
        mg_linebuf_feed(&lb, chunk, sizeof(chunk), collect, &o);
    assert_true(lb.cap <= 1001);
    mg_linebuf_feed(&lb, "\nnext\n", 6, collect, &o);
    assert_int_equal(o.len, strlen("1000/4096000:") + 1000 + 1 + strlen("4/4:next|"));
    assert_non_null(strstr(o.text, "|4/4:next|"));
    mg_linebuf_free(&lb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_endings),
        cmocka_unit_test(test_over_long),
        cmocka_unit_test(test_any_split_gives_the_same_lines),
        cmocka_unit_test(test_big_line_is_not_buffered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
