/*
 * http_link_impl.h - what http_link.c and http_link_xfer.c share.
 *
 * http_link_xfer.c runs one HTTP exchange (builds the request, reads the
 * headers and the body as it arrives, turns failures into text);
 * http_link.c decides what exchanges to make and what their endings mean;
 * http_link_headers.c reads what an outgoing message's headers must say;
 * http_link_legacy.c takes the HTTP+SSE endpoint and holds what waits
 * for it.
 */
#ifndef MG_UPSTREAM_HTTP_LINK_IMPL_H
#define MG_UPSTREAM_HTTP_LINK_IMPL_H

#include <jansson.h>
#include <stdint.h>

#include "upstream/http_link.h"
#include "upstream/sse_parse.h"

/* Bytes of an error body quoted in a synthesised error; a JSON one is
 * kept up to ERROR_BODY_MAX so it can be read as a JSON-RPC error. */
#define SNIPPET_MAX 200
#define ERROR_BODY_MAX (16 * 1024)

enum xfer_kind {
    XFER_POST,        /* Streamable HTTP: one message out */
    XFER_RESUME,      /* GET resuming a POST's event stream (SEP-1699) */
    XFER_GET,         /* the standalone GET stream */
    XFER_LEGACY_GET,  /* HTTP+SSE: the stream that carries everything back */
    XFER_LEGACY_POST, /* HTTP+SSE: one message out, to the endpoint */
    XFER_DELETE,      /* ending the session */
};

enum body_mode {
    BODY_UNKNOWN,     /* no body byte seen yet */
    BODY_JSON,        /* buffered up to max_message */
    BODY_SSE,         /* parsed as it comes */
    BODY_SNIPPET,     /* an error or unexpected body: its start is kept */
    BODY_IGNORE,      /* 202, or a body nobody reads */
};

struct xfer {
    struct xfer *prev, *next;
    struct mg_http_link *l;
    enum xfer_kind kind;
    CURL *easy;              /* NULL while waiting to start */
    uint64_t due;            /* waiting: start at this uv_now */
    int aborted;             /* the link gave up on it; callbacks do nothing */
    int ending;              /* its DONE is running: nothing to abort */
    /* what went out */
    char *body;              /* POSTs: the message (curl reads it in place) */
    size_t body_len;
    json_t *ids;             /* ids of the requests not answered yet */
    char *method;            /* of a single message, or NULL */
    char *version;           /* MCP-Protocol-Version of this message, or NULL: the link's */
    char *name_header;       /* Mcp-Name value, or NULL */
    json_t *param_headers;   /* {Mcp-Param-* header: value text}, or NULL */
    int with_session;        /* carried Mcp-Session-Id */
    unsigned resumes;        /* RESUME: how many so far */
    char last_id[MG_SSE_MAX_FIELD + 1]; /* RESUME: Last-Event-ID to send, then the latest */
    uint32_t retry_ms;       /* the stream's retry field, or MG_SSE_RETRY_NONE */
    /* what came back */
    char errbuf[CURL_ERROR_SIZE];
    int headers_taken;
    char *content_type;
    char *session_id;
    enum body_mode mode;
    char *buf;               /* BODY_JSON or BODY_SNIPPET */
    size_t len;
    size_t keep;             /* BODY_SNIPPET: bytes kept at most */
    size_t seen;             /* body bytes seen */
    int too_big;             /* a body or event past max_message */
    struct mg_sse_parser sse;
};

struct queued {
    struct queued *next;
    struct xfer *x;          /* a LEGACY_POST not started yet */
};

struct event {
    enum mg_http_link_event ev;
    char why[300];
};

#define MAX_PENDING_EVENTS 4

struct mg_http_link {
    struct mg_curl_loop *cl;
    uv_loop_t *loop;
    char *name, *url;
    int transport;           /* enum mg_config_transport */
    char **hkeys, **hvalues;
    size_t nheaders;
    size_t max_message;
    unsigned connect_timeout_ms;
    void (*on_message)(void *ctx, const char *json, size_t len);
    void (*on_state)(void *ctx, enum mg_http_link_event ev, const char *why);
    void *ctx;

    int up;                  /* sends are accepted */
    int legacy;              /* speaking HTTP+SSE */
    int decided;             /* auto: a POST got through, no fallback now */
    int answered;            /* a POST got a 2xx since the link last came up */
    /* Failed requests logged in the current second, and those left out. */
    uint64_t fail_second;
    unsigned fails_logged, fails_unlogged;
    char *session_id;
    char *protocol_version;
    char *endpoint;          /* HTTP+SSE: where messages go */
    struct xfer *xfers;      /* every exchange, waiting or running */
    size_t nxfers;
    struct xfer *stream;     /* the GET or LEGACY_GET stream, or NULL */
    char stream_last_id[MG_SSE_MAX_FIELD + 1];
    uint32_t stream_retry_ms;
    unsigned stream_failures;
    char fallback_why[300];  /* auto: why the POST failed, for errors */
    struct queued *queue;    /* HTTP+SSE messages awaiting the endpoint */
    struct queued **queue_tail;
    size_t nqueued;
    struct event events[MAX_PENDING_EVENTS]; /* state changes to report */
    int nevents;
    uv_timer_t tick;         /* reports events, starts waiting exchanges */
    int stopping, tick_closed;
    void (*done)(void *ctx);
    void *done_ctx;
};

/* http_link_xfer.c */
struct xfer *mg_http_link__xfer_new(struct mg_http_link *l, enum xfer_kind kind);
int mg_http_link__xfer_start(struct xfer *x);
void mg_http_link__xfer_free(struct xfer *x);

/* http_link_headers.c */
/* V as a 2026-07-28 header value: plain when it is visible ASCII without
 * edge spaces, else "=?base64?...?=" (malloc'd). */
char *mg_http_link__header_safe(const char *v);
/* Fill X's ids, method and 2026-07-28 headers from MSG, the message it
 * sends, and PARAMS ({name: argument}, may be NULL: Mcp-Param-*). */
void mg_http_link__read_message(struct xfer *x, json_t *msg, json_t *params);
void mg_http_link__settle(struct xfer *x);
void mg_http_link__describe(struct xfer *x, CURLcode rc, char *out, size_t n);
json_t *mg_http_link__error_body(struct xfer *x);

/* http_link.c, called back by the exchanges */
void mg_http_link__deliver(struct xfer *x, const char *json, size_t len);
int mg_http_link__on_event(void *ctx, const struct mg_sse_event *ev);
void mg_http_link__done(void *ctx, CURL *easy, CURLcode rc);
/* http_link.c: queue a state change for the tick to report */
void mg_http_link__report(struct mg_http_link *l, enum mg_http_link_event ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* http_link.c: answer X's requests with an error saying WHAT */
void mg_http_link__fail(struct xfer *x, const char *what);
/* http_link.c: give up on X (its DONE, or the tick, frees it) */
void mg_http_link__abort(struct mg_http_link *l, struct xfer *x);

/* http_link_legacy.c */
void mg_http_link__on_endpoint(struct mg_http_link *l, struct xfer *x, const char *data);
void mg_http_link__enqueue(struct mg_http_link *l, struct xfer *x);
void mg_http_link__drop_queue(struct mg_http_link *l, const char *why);

#endif
