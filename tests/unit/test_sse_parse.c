/*
 * test_sse_parse.c - the text/event-stream parser.
 *
 * Cases follow the WHATWG examples; every stream is also fed split at
 * every offset and in random pieces, and must give the same events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "upstream/sse_parse.h"

struct out {
    char text[8192]; /* events as "TYPE(ID)[DATA]" or "TYPE(ID)!SIZE" */
    size_t len;
    int stop_after;  /* stop after this many events (0: never) */
    int n;
};

static int
collect(void *ctx, const struct mg_sse_event *ev)
{
    struct out *o = ctx;
    int k;

    assert_true(ev->data[ev->data_len] == '\0');
    if (ev->too_big)
        k = snprintf(o->text + o->len, sizeof(o->text) - o->len, "%s(%s)!%zu", ev->type, ev->id, ev->size);
    else
        k = snprintf(o->text + o->len, sizeof(o->text) - o->len, "%s(%s)[%.*s]", ev->type, ev->id,
                     (int)ev->data_len, ev->data);
    assert_true(k > 0 && (size_t)k < sizeof(o->text) - o->len);
    o->len += (size_t)k;
    o->n++;
    return o->stop_after && o->n >= o->stop_after ? 7 : 0;
}

/* Feed TEXT/N cut at CUTS; returns the parser's retry after. */
static uint32_t
run(const char *text, size_t n, size_t max, const size_t *cuts, size_t ncuts, struct out *o)
{
    struct mg_sse_parser p;
    size_t at = 0;
    uint32_t retry;

    memset(o, 0, sizeof(*o));
    mg_sse_init(&p, max);
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        assert_int_equal(mg_sse_feed(&p, text + at, end - at, collect, o), 0);
        assert_true(p.line_len <= max + MG_SSE_LINE_SLACK);
        assert_true(p.data_len <= max + 1);
        at = end;
    }
    retry = p.retry_ms;
    mg_sse_reset(&p);
    return retry;
}

/* TEXT must give WANT however it is split. */
static void
check(const char *text, size_t max, const char *want)
{
    size_t n = strlen(text), cuts[8];
    struct out o;

    run(text, n, max, NULL, 0, &o);
    assert_string_equal(o.text, want);
    for (size_t at = 0; at <= n; at++) {
        run(text, n, max, &at, 1, &o);
        assert_string_equal(o.text, want);
    }
    srand(7);
    for (int round = 0; round < 200 && n > 0; round++) {
        size_t k = 1 + (size_t)rand() % 8;
        for (size_t i = 0; i < k; i++)
            cuts[i] = (size_t)rand() % (n + 1);
        for (size_t i = 1; i < k; i++) /* insertion sort */
            for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
                size_t t = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = t;
            }
        run(text, n, max, cuts, k, &o);
        assert_string_equal(o.text, want);
    }
}

static void
test_fields(void **state)
{
    check("data: hello\n\n", 100, "message()[hello]");
    check("event: endpoint\ndata: /messages?s=1\n\n", 100, "endpoint()[/messages?s=1]");
    check("id: 7\ndata: a\n\ndata: b\n\n", 100, "message(7)[a]message(7)[b]");
    /* No space after the colon, and only one space dropped. */
    check("data:x\ndata:  y\n\n", 100, "message()[x\n y]");
    /* A field without a colon has an empty value. */
    check("data\ndata\n\n", 100, "message()[\n]");
    /* Unknown fields and comments are ignored. */
    check(": hi\nfoo: bar\ndata: z\n\n", 100, "message()[z]");
    /* An event with no data is not dispatched, and its type is reset. */
    check("event: x\n\ndata: y\n\n", 100, "message()[y]");
    /* An empty id resets the last event id. */
    check("id: 1\ndata: a\n\nid\ndata: b\n\n", 100, "message(1)[a]message()[b]");
}

static void
test_nul_id(void **state)
{
    static const char text[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";
    struct out o;

    run(text, sizeof(text) - 1, 100, NULL, 0, &o);
    assert_string_equal(o.text, "message(1)[a]message(1)[b]");
}

static void
test_line_endings(void **state)
{
    check("data: a\r\ndata: b\rdata: c\n\r\n", 100, "message()[a\nb\nc]");
    check("data: a\r\rdata: b\r\n\r\n", 100, "message()[a]message()[b]");
    /* A BOM is skipped once, at the start only. */
    check("\xEF\xBB\xBF" "data: a\n\n", 100, "message()[a]");
    check("\xEF\xBB" "data: a\n\n", 100, "");
    /* An unfinished event at the end is not dispatched. */
    check("data: a\n\ndata: b\n", 100, "message()[a]");
}

static void
test_retry(void **state)
{
    struct out o;

    assert_int_equal(run("retry: 1500\n", 12, 100, NULL, 0, &o), 1500);
    assert_int_equal(run("retry: 15x\n", 11, 100, NULL, 0, &o), MG_SSE_RETRY_NONE);
    assert_int_equal(run("retry:\n", 7, 100, NULL, 0, &o), MG_SSE_RETRY_NONE);
    assert_int_equal(run("retry: 99999999999999999999\n", 28, 100, NULL, 0, &o), MG_SSE_RETRY_MAX);
}

static void
test_too_big(void **state)
{
    /* max 8: "12345678" fits, nine bytes do not, across lines too. */
    check("data: 12345678\n\n", 8, "message()[12345678]");
    check("id: 3\ndata: 123456789\n\ndata: ok\n\n", 8, "message(3)!9message(3)[ok]");
    check("data: 1234\ndata: 5678\n\ndata: ok\n\n", 8, "message()!9message()[ok]");
    /* A long comment or unknown field costs nothing and drops nothing. */
    check(": 0123456789abcdef0123456789abcdef\ndata: ok\n\n", 8, "message()[ok]");
    /* A line past the slack too: its first bytes still name the field. */
    check("data: 0123456789abcdef0123456789abcdef\n\ndata: ok\n\n", 8, "message()!19message()[ok]");
}

static void
test_stop(void **state)
{
    struct mg_sse_parser p;
    struct out o;
    const char *text = "data: a\n\ndata: b\n\n";

    memset(&o, 0, sizeof(o));
    o.stop_after = 1;
    mg_sse_init(&p, 100);
    assert_int_equal(mg_sse_feed(&p, text, strlen(text), collect, &o), 7);
    assert_string_equal(o.text, "message()[a]");
    mg_sse_reset(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),   cmocka_unit_test(test_nul_id), cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_retry),    cmocka_unit_test(test_too_big), cmocka_unit_test(test_stop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
