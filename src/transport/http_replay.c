/*
 * http_replay.c - a bounded ring of recently sent SSE events.
 */
#include "transport/http_replay.h"

#include <string.h>

#include "util/alloc.h"

static void
drop_oldest(struct http_replay *r)
{
    struct http_replay_event *ev = &r->ring[r->head];

    r->bytes -= ev->len;
    mg_free(ev->data);
    ev->data = NULL;
    r->head = (r->head + 1) % HTTP_REPLAY_MAX_EVENTS;
    r->count--;
}

void
http_replay_add(struct http_replay *r, unsigned long stream, unsigned long seq, const char *data, size_t len)
{
    struct http_replay_event *ev;

    if (len > HTTP_REPLAY_MAX_BYTES)
        return;
    if (r->ring == NULL)
        r->ring = mg_calloc(HTTP_REPLAY_MAX_EVENTS, sizeof(*r->ring));
    while (r->count > 0 && (r->count == HTTP_REPLAY_MAX_EVENTS || r->bytes + len > HTTP_REPLAY_MAX_BYTES))
        drop_oldest(r);
    ev = &r->ring[(r->head + r->count) % HTTP_REPLAY_MAX_EVENTS];
    ev->stream = stream;
    ev->seq = seq;
    ev->data = mg_malloc(len + 1);
    memcpy(ev->data, data, len);
    ev->data[len] = '\0';
    ev->len = len;
    r->count++;
    r->bytes += len;
}

size_t
http_replay_each(const struct http_replay *r, unsigned long stream, unsigned long seq,
                 void (*fn)(void *ctx, const struct http_replay_event *ev), void *ctx, int *gap)
{
    size_t n = 0;
    unsigned long expect = seq + 1;

    *gap = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct http_replay_event *ev = &r->ring[(r->head + i) % HTTP_REPLAY_MAX_EVENTS];
        if (ev->stream != stream || ev->seq <= seq)
            continue;
        /* Sequence numbers of a stream are consecutive: a jump means
         * the events between were evicted. */
        if (ev->seq != expect)
            *gap = 1;
        expect = ev->seq + 1;
        fn(ctx, ev);
        n++;
    }
    return n;
}

void
http_replay_free(struct http_replay *r)
{
    while (r->count > 0)
        drop_oldest(r);
    mg_free(r->ring);
    r->ring = NULL;
}

static int
parse_ulong(const char **p, const char *end, unsigned long *out)
{
    unsigned long v = 0;
    const char *s = *p;

    if (s == end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9'))
        return -1;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (v > (~0UL - 9) / 10)
            return -1;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    *p = s;
    *out = v;
    return 0;
}

int
http_event_id_parse(const char *s, size_t len, unsigned long *stream, unsigned long *seq)
{
    const char *p = s, *end = s + len;

    if (parse_ulong(&p, end, stream) != 0 || p == end || *p++ != '-' || parse_ulong(&p, end, seq) != 0 || p != end)
        return -1;
    return 0;
}
