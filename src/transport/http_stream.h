/*
 * http_stream.h - a streamed HTTP response (Server-Sent Events) over h2o.
 *
 * h2o lets a generator have one h2o_send() outstanding at a time and
 * needs its buffers to live until proceed(); this queues what is written
 * meanwhile.  The owner learns that the client went away from on_gone, and
 * frees the stream when h2o frees the request (mg_http_on_req_free()).
 */
#ifndef MG_TRANSPORT_HTTP_STREAM_H
#define MG_TRANSPORT_HTTP_STREAM_H

#include <stddef.h>
#include <h2o.h>

struct mg_http_stream;

/* Called at most once, when the client went away before the end; writes
 * fail from then on.  The stream stays allocated until freed. */
typedef void (*mg_http_stream_gone_cb)(void *ctx);

/* Call FN(CTX) when h2o frees REQ (the response ended, or the connection
 * closed).  The owner may clear link->fn if it goes first. */
struct mg_http_req_link {
    void (*fn)(void *ctx);
    void *ctx;
};
struct mg_http_req_link *mg_http_on_req_free(h2o_req_t *req, void (*fn)(void *ctx), void *ctx);

/* Start a 200 text/event-stream response on REQ (headers already set on
 * req->res are kept). */
struct mg_http_stream *mg_http_stream_start(h2o_req_t *req, mg_http_stream_gone_cb on_gone, void *ctx);

/* Queue bytes; returns -1 when the queue is over its bound (the client
 * does not read), and the caller should end the stream. */
int mg_http_stream_write(struct mg_http_stream *st, const char *buf, size_t len);

/* Queue one SSE event: "id: ID\n" (when ID is not NULL), "data: DATA\n\n". */
int mg_http_stream_event(struct mg_http_stream *st, const char *id, const char *data, size_t len);

/* Bytes queued and not yet taken by the socket. */
size_t mg_http_stream_backlog(const struct mg_http_stream *st);

/* Finish the response after what is queued. */
void mg_http_stream_end(struct mg_http_stream *st);

/* Free the stream; only when its request is gone (from the req link). */
void mg_http_stream_free(struct mg_http_stream *st);

/* Let go of ST, whose request LINK watches: LAST (may be NULL) is written,
 * the response ends after what is queued, and ST is freed when h2o frees
 * the request.  The owner must not touch ST or LINK afterwards. */
void mg_http_stream_abandon(struct mg_http_stream *st, struct mg_http_req_link *link, const char *last);

#endif
