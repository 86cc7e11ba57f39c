/*
 * test_replay.c - the replay buffer behind Last-Event-ID, and event ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport/http_replay.h"

struct seen {
    unsigned long seqs[HTTP_REPLAY_MAX_EVENTS + 8];
    size_t n;
};

static void
collect(void *ctx, const struct http_replay_event *ev)
{
    struct seen *s = ctx;
    char want[32];

    snprintf(want, sizeof(want), "m%lu.%lu", ev->stream, ev->seq);
    assert_int_equal(ev->len, strlen(want));
    assert_memory_equal(ev->data, want, ev->len);
    s->seqs[s->n++] = ev->seq;
}

static void
add(struct http_replay *r, unsigned long stream, unsigned long seq)
{
    char data[32];
    int n = snprintf(data, sizeof(data), "m%lu.%lu", stream, seq);

    http_replay_add(r, stream, seq, data, (size_t)n);
}

static void
test_events_of_one_stream_after_a_seq(void **state)
{
    struct http_replay r = {0};
    struct seen s = {0};
    int gap = -1;

    for (unsigned long i = 1; i <= 5; i++) {
        add(&r, 7, i);
        add(&r, 8, i); /* another stream interleaved */
    }
    assert_int_equal(http_replay_each(&r, 7, 2, collect, &s, &gap), 3);
    assert_int_equal(gap, 0);
    assert_int_equal(s.seqs[0], 3);
    assert_int_equal(s.seqs[2], 5);
    s.n = 0;
    assert_int_equal(http_replay_each(&r, 7, 5, collect, &s, &gap), 0);
    assert_int_equal(http_replay_each(&r, 9, 0, collect, &s, &gap), 0);
    http_replay_free(&r);
}

static void
test_oldest_evicted_by_count_and_gap_reported(void **state)
{
    struct http_replay r = {0};
    struct seen s = {0};
    int gap = 0;

    for (unsigned long i = 1; i <= HTTP_REPLAY_MAX_EVENTS + 10; i++)
        add(&r, 1, i);
    assert_int_equal(r.count, HTTP_REPLAY_MAX_EVENTS);
    assert_int_equal(http_replay_each(&r, 1, 0, collect, &s, &gap), HTTP_REPLAY_MAX_EVENTS);
    assert_int_equal(gap, 1);
    assert_int_equal(s.seqs[0], 11);
    s.n = 0;
    assert_int_equal(http_replay_each(&r, 1, 10, collect, &s, &gap), HTTP_REPLAY_MAX_EVENTS);
    assert_int_equal(gap, 0);
    http_replay_free(&r);
    assert_null(r.ring);
}

static void
test_evicted_by_bytes_and_huge_events_not_kept(void **state)
{
    struct http_replay r = {0};
    size_t big = HTTP_REPLAY_MAX_BYTES / 3 + 1;
    char *data = malloc(HTTP_REPLAY_MAX_BYTES + 1);

    memset(data, 'x', HTTP_REPLAY_MAX_BYTES + 1);
    http_replay_add(&r, 1, 1, data, big);
    http_replay_add(&r, 1, 2, data, big);
    assert_int_equal(r.count, 2);
    http_replay_add(&r, 1, 3, data, big); /* over budget: the first goes */
    assert_int_equal(r.count, 2);
    assert_true(r.bytes <= HTTP_REPLAY_MAX_BYTES);
    http_replay_add(&r, 1, 4, data, HTTP_REPLAY_MAX_BYTES + 1);
    assert_int_equal(r.count, 2);
    free(data);
    http_replay_free(&r);
}

static void
test_event_id_parse(void **state)
{
    unsigned long a, b;
    static const char *const bad[] = {"", "-", "1", "1-", "-1", "a-1", "1-a", "1-2-3", "01-1", "1-01", " 1-1",
                                      "1-1 ", "1--1", "184467440737095516160-1"};

    assert_int_equal(http_event_id_parse("12-0", 4, &a, &b), 0);
    assert_int_equal(a, 12);
    assert_int_equal(b, 0);
    assert_int_equal(http_event_id_parse("0-7", 3, &a, &b), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(http_event_id_parse(bad[i], strlen(bad[i]), &a, &b), -1);
    /* Only LEN bytes are read. */
    assert_int_equal(http_event_id_parse("3-4junk", 3, &a, &b), 0);
    assert_int_equal(b, 4);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_of_one_stream_after_a_seq),
        cmocka_unit_test(test_oldest_evicted_by_count_and_gap_reported),
        cmocka_unit_test(test_evicted_by_bytes_and_huge_events_not_kept),
        cmocka_unit_test(test_event_id_parse),
    };
    return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
