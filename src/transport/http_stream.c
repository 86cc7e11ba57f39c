/*
 * http_stream.c - queued streaming responses on h2o.
 */
#include "transport/http_stream.h"

#include <string.h>

#include "util/alloc.h"
#include "util/limits.h"

struct buf {
    char *p;
    size_t len, cap;
};

struct mg_http_stream {
    h2o_generator_t gen; /* first: h2o hands it back to us */
    h2o_req_t *req;      /* NULL once the request is gone */
    struct buf sending;  /* handed to h2o_send, awaiting proceed() */
    struct buf queued;   /* written since */
    int in_flight;       /* an h2o_send() awaits proceed() */
    int ending;          /* end after the queue drains */
    int finished;        /* FINAL sent */
    mg_http_stream_gone_cb on_gone;
    void *ctx;
};

static void
on_link_dispose(void *p)
{
    struct mg_http_req_link *link = p;

    if (link->fn != NULL)
        link->fn(link->ctx);
}

struct mg_http_req_link *
mg_http_on_req_free(h2o_req_t *req, void (*fn)(void *ctx), void *ctx)
{
    struct mg_http_req_link *link = h2o_mem_alloc_shared(&req->pool, sizeof(*link), on_link_dispose);

    link->fn = fn;
    link->ctx = ctx;
    return link;
}

static void
flush(struct mg_http_stream *st)
{
    h2o_iovec_t vec;
    struct buf tmp;

    if (st->req == NULL || st->in_flight || st->finished)
        return;
    if (st->queued.len == 0) {
        if (st->ending) {
            st->finished = 1;
            h2o_send(st->req, NULL, 0, H2O_SEND_STATE_FINAL);
        }
        return;
    }
    tmp = st->sending;
    st->sending = st->queued;
    st->queued = tmp;
    st->queued.len = 0;
    st->in_flight = 1;
    vec = h2o_iovec_init(st->sending.p, st->sending.len);
    if (st->ending) {
        st->finished = 1;
        h2o_send(st->req, &vec, 1, H2O_SEND_STATE_FINAL);
    } else {
        h2o_send(st->req, &vec, 1, H2O_SEND_STATE_IN_PROGRESS);
    }
}

static void
on_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    struct mg_http_stream *st = (struct mg_http_stream *)gen;

    st->in_flight = 0;
    st->sending.len = 0;
    flush(st);
}

static void
on_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    struct mg_http_stream *st = (struct mg_http_stream *)gen;
    mg_http_stream_gone_cb cb = st->on_gone;

    /* The connection failed; h2o frees the request next. */
    st->on_gone = NULL;
    st->finished = 1;
    st->req = NULL;
    if (cb != NULL)
        cb(st->ctx);
}

struct mg_http_stream *
mg_http_stream_start(h2o_req_t *req, mg_http_stream_gone_cb on_gone, void *ctx)
{
    struct mg_http_stream *st = mg_calloc(1, sizeof(*st));

    st->gen.proceed = on_proceed;
    st->gen.stop = on_stop;
    st->req = req;
    st->on_gone = on_gone;
    st->ctx = ctx;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/event-stream"), 1);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-cache"), 1);
    h2o_set_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-accel-buffering"), 0, H2O_STRLIT("no"), 1);
    /* The headers leave with the first write: every caller writes at once
     * (an event, or an SSE comment), since clients wait for the headers. */
    h2o_start_response(req, &st->gen);
    return st;
}

int
mg_http_stream_write(struct mg_http_stream *st, const char *p, size_t len)
{
    struct buf *b = &st->queued;

    if (st->req == NULL || st->finished || st->ending)
        return -1;
    if (b->len + st->sending.len + len > MG_MAX_WRITE_QUEUE)
        return -1;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->p = mg_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, len);
    b->len += len;
    flush(st);
    return 0;
}

int
mg_http_stream_event(struct mg_http_stream *st, const char *id, const char *data, size_t len)
{
    size_t idlen = id != NULL ? strlen(id) : 0, n = 0;
    char *ev = mg_malloc(idlen + len + 16);
    int rc;

    /* One write per event, so an event never straddles two sends. */
    if (id != NULL) {
        memcpy(ev, "id: ", 4);
        memcpy(ev + 4, id, idlen);
        ev[4 + idlen] = '\n';
        n = idlen + 5;
    }
    memcpy(ev + n, "data: ", 6);
    memcpy(ev + n + 6, data, len);
    memcpy(ev + n + 6 + len, "\n\n", 2);
    rc = mg_http_stream_write(st, ev, n + len + 8);
    mg_free(ev);
    return rc;
}

size_t
mg_http_stream_backlog(const struct mg_http_stream *st)
{
    return st->queued.len + st->sending.len;
}

void
mg_http_stream_end(struct mg_http_stream *st)
{
    st->ending = 1;
    flush(st);
}

void
mg_http_stream_free(struct mg_http_stream *st)
{
    if (st == NULL)
        return;
    mg_free(st->sending.p);
    mg_free(st->queued.p);
    mg_free(st);
}

static void
free_abandoned(void *ctx)
{
    mg_http_stream_free(ctx);
}

void
mg_http_stream_abandon(struct mg_http_stream *st, struct mg_http_req_link *link, const char *last)
{
    if (last != NULL)
        mg_http_stream_write(st, last, strlen(last));
    link->fn = free_abandoned;
    link->ctx = st;
    mg_http_stream_end(st);
}
