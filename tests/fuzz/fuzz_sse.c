/*
 * fuzz_sse.c - libFuzzer driver for the text/event-stream parser.
 *
 * The first input byte picks the event size bound (1..256) and the second
 * where the stream is split; the rest is the stream.  The events must be
 * the same whether the stream comes in one piece or two, and no buffer may
 * pass its bound.
 *
 *   build/fuzz/fuzz_sse -max_total_time=60 tests/fuzz/sse-corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upstream/sse_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
    uint64_t hash;
    size_t n;
    size_t max;
};

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static int
on_event(void *ctx, const struct mg_sse_event *ev)
{
    struct digest *d = ctx;

    if (ev->data_len > d->max || ev->data[ev->data_len] != '\0' || (ev->too_big && ev->data_len != 0))
        abort();
    if (strlen(ev->type) > MG_SSE_MAX_FIELD || strlen(ev->id) > MG_SSE_MAX_FIELD)
        abort();
    d->hash = mix(d->hash, ev->type, strlen(ev->type) + 1);
    d->hash = mix(d->hash, ev->id, strlen(ev->id) + 1);
    d->hash = mix(d->hash, ev->data, ev->data_len);
    d->hash = mix(d->hash, &ev->too_big, sizeof(ev->too_big));
    d->n++;
    return 0;
}

static struct digest
parse(const char *text, size_t n, size_t max, size_t cut, uint32_t *retry)
{
    struct mg_sse_parser p;
    struct digest d = {.hash = 0xcbf29ce484222325ULL, .max = max};

    mg_sse_init(&p, max);
    mg_sse_feed(&p, text, cut, on_event, &d);
    if (p.line_len > max + MG_SSE_LINE_SLACK || p.data_len > max + 1)
        abort();
    mg_sse_feed(&p, text + cut, n - cut, on_event, &d);
    if (p.line_len > max + MG_SSE_LINE_SLACK || p.data_len > max + 1)
        abort();
    *retry = p.retry_ms;
    mg_sse_reset(&p);
    return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct digest whole, split;
    uint32_t r1, r2;
    size_t max, cut;

    if (size < 2)
        return 0;
    max = 1 + data[0];
    cut = data[1] % (size - 1);
    whole = parse((const char *)data + 2, size - 2, max, 0, &r1);
    split = parse((const char *)data + 2, size - 2, max, cut < size - 2 ? cut : size - 2, &r2);
    if (whole.hash != split.hash || whole.n != split.n || r1 != r2)
        abort();
    return 0;
}
