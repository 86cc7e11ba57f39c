/*
 * http_replay.h - the events a legacy session sent recently, for clients
 * that resume a stream with Last-Event-ID.
 *
 * Every SSE event of a Streamable HTTP session (2025-03-26 and later) has
 * the id "<stream>-<seq>": the stream it belongs to and its place in it.
 * The log keeps the latest events of all the session's streams, bounded in
 * count and bytes; the oldest go first.  A client that comes back later
 * than the log reaches gets what is left, and the gap is logged.
 */
#ifndef MG_TRANSPORT_HTTP_REPLAY_H
#define MG_TRANSPORT_HTTP_REPLAY_H

#include <stddef.h>

#define HTTP_REPLAY_MAX_EVENTS 256
#define HTTP_REPLAY_MAX_BYTES (1024u * 1024)

struct http_replay_event {
    unsigned long stream;
    unsigned long seq;
    char *data; /* the JSON-RPC message as sent */
    size_t len;
};

struct http_replay {
    struct http_replay_event *ring; /* HTTP_REPLAY_MAX_EVENTS, allocated on first use */
    size_t head, count, bytes;
};

/* Remember one event (DATA is copied).  An event larger than the whole
 * budget is not kept. */
void http_replay_add(struct http_replay *r, unsigned long stream, unsigned long seq, const char *data, size_t len);

/* Call FN for each kept event of STREAM after SEQ, oldest first.  Returns
 * the number of events; *GAP is set when events of STREAM after SEQ were
 * already evicted. */
size_t http_replay_each(const struct http_replay *r, unsigned long stream, unsigned long seq,
                        void (*fn)(void *ctx, const struct http_replay_event *ev), void *ctx, int *gap);

void http_replay_free(struct http_replay *r);

/* Parse an event id "<stream>-<seq>"; -1 when it is not one of ours. */
int http_event_id_parse(const char *s, size_t len, unsigned long *stream, unsigned long *seq);

#endif
