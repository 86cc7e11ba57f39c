/*
 * http_link.c - what each exchange of an HTTP upstream means.
 *
 * The link is a small state machine over a set of exchanges (xfer):
 *
 *   up        the owner may send.  For Streamable HTTP that is at once (no
 *             connection is made before the first POST); for HTTP+SSE only
 *             once the GET stream has named the endpoint.
 *   stream    at most one long GET: the standalone stream of a session, or
 *             the HTTP+SSE stream.  It is reopened after a delay when it
 *             ends, as long as its session lives.
 *   events    state changes are queued and reported from the tick timer,
 *             so no callback ever runs inside a call into this module.
 *             The tick also starts exchanges that wait for their delay.
 *
 * Exchanges are freed only in their curl DONE (curl_loop.h), whatever
 * ended them, so a callback that stops or resets the link while curl is
 * still writing into an exchange leaves nothing dangling: the exchange is
 * marked aborted and ignores what still comes.
 */
#include "upstream/http_link.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "json/json_parse.h"
#include "json/jsonrpc.h"
#include "upstream/http_link_impl.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

static void schedule(struct mg_http_link *l);
static void open_stream(struct mg_http_link *l, enum xfer_kind kind, uint64_t delay);

/* --- reporting ---------------------------------------------------------------- */

void
mg_http_link__report(struct mg_http_link *l, enum mg_http_link_event ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void
mg_http_link__report(struct mg_http_link *l, enum mg_http_link_event ev, const char *fmt, ...)
{
    struct event *e;
    va_list ap;

    if (l->stopping)
        return;
    if (l->nevents == MAX_PENDING_EVENTS) {
        /* Only a flapping link gets here; the latest state is what counts. */
        memmove(&l->events[0], &l->events[1], sizeof(l->events[0]) * (MAX_PENDING_EVENTS - 1));
        l->nevents--;
    }
    e = &l->events[l->nevents++];
    e->ev = ev;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof(e->why), fmt, ap);
    va_end(ap);
    if (ev == MG_HTTP_LINK_DOWN) {
        l->up = 0;
        mg_log_warn("upstream %s: down: %s", l->name, e->why);
    } else {
        mg_log_info("upstream %s: up: %s", l->name, e->why);
    }
    schedule(l);
}

/* Answer every request X still carries with an error saying WHAT. */
/* At most this many failed requests a second are logged for a link; the
 * rest are counted, and the count is logged with the next failure logged,
 * so a server failing every call at thousands a second cannot flood the
 * log (each caller still gets its own error). */
#define FAILS_LOGGED_PER_SECOND 10

static int
fail_worth_logging(struct mg_http_link *l)
{
    uint64_t second = uv_now(l->loop) / 1000;

    if (second != l->fail_second) {
        if (l->fails_unlogged > 0)
            mg_log_warn("upstream %s: %u more failed requests were not logged", l->name, l->fails_unlogged);
        l->fail_second = second;
        l->fails_logged = l->fails_unlogged = 0;
    }
    if (l->fails_logged < FAILS_LOGGED_PER_SECOND) {
        l->fails_logged++;
        return 1;
    }
    if (l->fails_unlogged++ == 0)
        mg_log_warn("upstream %s: more than %d requests failed within a second; the rest of this second's are "
                    "counted, and the count logged with the next one",
                    l->name, FAILS_LOGGED_PER_SECOND);
    return 0;
}

void
mg_http_link__fail(struct xfer *x, const char *what)
{
    struct mg_http_link *l = x->l;
    char msg[600];
    size_t i, len;
    json_t *id;

    if (json_array_size(x->ids) == 0) {
        mg_log_warn("upstream %s: %s", l->name, what);
        return;
    }
    snprintf(msg, sizeof(msg), "upstream %s: %s", l->name, what);
    /* server/discover is the era probe: a legacy server refuses it, and
     * the caller falls back to initialize (upstream_era.c) and says so. */
    if (x->method != NULL && strcmp(x->method, "server/discover") == 0)
        mg_log_debug("%s", msg);
    else if (fail_worth_logging(l))
        mg_log_warn("%s", msg);
    json_array_foreach (x->ids, i, id) {
        json_t *err = mg_rpc_make_error(id, MG_RPC_INTERNAL_ERROR, msg, NULL);
        char *text = mg_rpc_encode(err, &len);

        json_decref(err);
        if (!l->stopping)
            l->on_message(l->ctx, text, len);
        mg_free(text);
    }
    json_array_clear(x->ids);
}

static void
fail_requests_rc(struct xfer *x, CURLcode rc, const char *prefix)
{
    char what[500], full[600];

    mg_http_link__describe(x, rc, what, sizeof(what));
    snprintf(full, sizeof(full), "%s%s", prefix, what);
    mg_http_link__fail(x, full);
}

/* --- messages from the server ----------------------------------------------------- */

/* Note that X's request ID has its answer. */
static void
answered(struct xfer *x, json_t *msg)
{
    json_t *id = json_object_get(msg, "id"), *v;
    size_t i;

    if (id == NULL || json_object_get(msg, "method") != NULL)
        return; /* a request or notification, not an answer */
    json_array_foreach (x->ids, i, v) {
        if (json_equal(v, id)) {
            json_array_remove(x->ids, i);
            return;
        }
    }
}

/* One message (or batch) from the server, on X's body or stream. */
void
mg_http_link__deliver(struct xfer *x, const char *text, size_t len)
{
    struct mg_http_link *l = x->l;
    json_error_t jerr;
    json_t *msg, *m;
    size_t i, n;

    if (x->aborted || l->stopping)
        return;
    msg = mg_json_loadb(text, len, 0, &jerr);
    if (msg == NULL) {
        mg_log_warn("upstream %s: dropped a message that is not JSON: %s", l->name, jerr.text);
        return;
    }
    if (json_is_array(msg)) {
        /* A batch (2025-03-26): each element on its own, as stdio would. */
        json_array_foreach (msg, i, m) {
            char *one = mg_rpc_encode(m, &n);

            answered(x, m);
            l->on_message(l->ctx, one, n);
            mg_free(one);
            if (x->aborted || l->stopping)
                break;
        }
    } else {
        answered(x, msg);
        l->on_message(l->ctx, text, len);
    }
    json_decref(msg);
}

/* --- events on streams ----------------------------------------------------------- */

int
mg_http_link__on_event(void *ctx, const struct mg_sse_event *ev)
{
    struct xfer *x = ctx;
    struct mg_http_link *l = x->l;

    if (x->aborted || l->stopping)
        return 1;
    /* Remembered for resuming: the stream's, or the request's own. */
    if (x == l->stream) {
        snprintf(l->stream_last_id, sizeof(l->stream_last_id), "%s", ev->id);
        if (x->sse.retry_ms != MG_SSE_RETRY_NONE)
            l->stream_retry_ms = x->sse.retry_ms;
    } else {
        snprintf(x->last_id, sizeof(x->last_id), "%s", ev->id);
        if (x->sse.retry_ms != MG_SSE_RETRY_NONE)
            x->retry_ms = x->sse.retry_ms;
    }
    if (ev->too_big) {
        mg_log_warn("upstream %s: dropped an event of %zu bytes (the limit is %zu)", l->name, ev->size,
                    l->max_message);
        /* Perhaps the answer: a request must not wait for it in vain. */
        x->too_big = 1;
        fail_requests_rc(x, CURLE_OK, "");
        x->too_big = 0;
        return 0;
    }
    if (x->kind == XFER_LEGACY_GET) {
        if (strcmp(ev->type, "endpoint") == 0)
            mg_http_link__on_endpoint(l, x, ev->data);
        else if (strcmp(ev->type, "message") == 0)
            mg_http_link__deliver(x, ev->data, ev->data_len);
    } else if (strcmp(ev->type, "message") == 0 && ev->data_len > 0) {
        /* An empty data field only primes the stream (SEP-1699). */
        mg_http_link__deliver(x, ev->data, ev->data_len);
    }
    return x->aborted || l->stopping;
}

/* --- losing and regaining a session ------------------------------------------------- */

void
mg_http_link__abort(struct mg_http_link *l, struct xfer *x)
{
    if (x == l->stream)
        l->stream = NULL;
    if (x->aborted)
        return;
    x->aborted = 1;
    /* A waiting one has no DONE to come: the tick frees it. */
    if (x->easy != NULL && !x->ending)
        mg_curl_loop_abort(l->cl, x->easy);
}

int
mg_http_link_abort_request(struct mg_http_link *l, int64_t id)
{
    for (struct xfer *x = l->xfers; x != NULL; x = x->next) {
        json_t *only = json_array_size(x->ids) == 1 ? json_array_get(x->ids, 0) : NULL;
        if (x->aborted || (x->kind != XFER_POST && x->kind != XFER_RESUME) || !json_is_integer(only) ||
            json_integer_value(only) != id)
            continue;
        json_array_clear(x->ids);
        mg_http_link__abort(l, x);
        schedule(l);
        return 0;
    }
    return -1;
}

/* Abort every exchange but the DELETEs. */
static void
abort_all(struct mg_http_link *l)
{
    for (struct xfer *x = l->xfers; x != NULL; x = x->next)
        if (x->kind != XFER_DELETE)
            mg_http_link__abort(l, x);
    mg_http_link__drop_queue(l, NULL);
    schedule(l);
}

static void
send_delete(struct mg_http_link *l)
{
    struct xfer *x;

    if (l->session_id == NULL || l->legacy)
        return;
    x = mg_http_link__xfer_new(l, XFER_DELETE);
    if (mg_http_link__xfer_start(x) != 0)
        mg_http_link__xfer_free(x);
}

/* The session is gone (WHY): DOWN, forget it, and begin anew. */
static void
session_lost(struct mg_http_link *l, int delete, const char *why)
{
    int was_up = l->up;

    l->up = 0;
    l->answered = 0;
    abort_all(l);
    if (delete)
        send_delete(l);
    mg_free(l->session_id);
    mg_free(l->endpoint);
    l->session_id = l->endpoint = NULL;
    l->stream_last_id[0] = '\0';
    l->stream_retry_ms = MG_SSE_RETRY_NONE;
    if (was_up)
        mg_http_link__report(l, MG_HTTP_LINK_DOWN, "%s", why);
    if (l->legacy) {
        /* UP again once the new stream names its endpoint. */
        open_stream(l, XFER_LEGACY_GET, 0);
    } else {
        mg_http_link__report(l, MG_HTTP_LINK_UP, "ready for a new session");
    }
}

/* --- starting and restarting ----------------------------------------------------- */

/* The delay before reconnecting a stream: the server's retry, else
 * doubling from MG_HTTP_LINK_RETRY_MS. */
static uint64_t
stream_delay(struct mg_http_link *l)
{
    uint64_t ms = MG_HTTP_LINK_RETRY_MS;

    if (l->stream_retry_ms != MG_SSE_RETRY_NONE && l->stream_failures == 0)
        return l->stream_retry_ms > MG_HTTP_LINK_RETRY_MIN_MS ? l->stream_retry_ms : MG_HTTP_LINK_RETRY_MIN_MS;
    for (unsigned i = 0; i < l->stream_failures && ms < MG_HTTP_LINK_RETRY_MAX_MS; i++)
        ms *= 2;
    if (l->stream_retry_ms != MG_SSE_RETRY_NONE && ms < l->stream_retry_ms)
        ms = l->stream_retry_ms;
    return ms < MG_HTTP_LINK_RETRY_MAX_MS ? ms : MG_HTTP_LINK_RETRY_MAX_MS;
}

static void
open_stream(struct mg_http_link *l, enum xfer_kind kind, uint64_t delay)
{
    struct xfer *x;

    if (l->stopping || l->stream != NULL)
        return;
    x = mg_http_link__xfer_new(l, kind);
    x->due = uv_now(l->loop) + delay;
    l->stream = x;
    schedule(l);
}

/* Resume X's event stream with GET, after the server's retry delay. */
static int
resume_later(struct mg_http_link *l, struct xfer *x)
{
    struct xfer *r;
    uint32_t retry = x->retry_ms;

    if (x->last_id[0] == '\0' || x->resumes >= MG_HTTP_LINK_MAX_RESUMES)
        return -1;
    r = mg_http_link__xfer_new(l, XFER_RESUME);
    r->resumes = x->resumes + 1;
    memcpy(r->last_id, x->last_id, sizeof(r->last_id));
    json_array_extend(r->ids, x->ids);
    json_array_clear(x->ids);
    if (x->method)
        r->method = mg_strdup(x->method);
    r->retry_ms = retry;
    if (retry == MG_SSE_RETRY_NONE)
        retry = MG_HTTP_LINK_RETRY_MS;
    r->due = uv_now(l->loop) + (retry > MG_HTTP_LINK_RETRY_MIN_MS ? retry : MG_HTTP_LINK_RETRY_MIN_MS);
    mg_log_debug("upstream %s: resuming a stream after event %s", l->name, r->last_id);
    schedule(l);
    return 0;
}

static void
on_tick(uv_timer_t *t)
{
    struct mg_http_link *l = t->data;
    uint64_t now = uv_now(l->loop);
    struct xfer *x, *next;

    while (l->nevents > 0 && !l->stopping) {
        struct event e = l->events[0];

        memmove(&l->events[0], &l->events[1], sizeof(l->events[0]) * (size_t)(l->nevents - 1));
        l->nevents--;
        /* Sends are taken from the moment the owner hears UP, not before:
         * what it sent in between would belong to no session. */
        l->up = e.ev == MG_HTTP_LINK_UP;
        l->on_state(l->ctx, e.ev, e.why);
    }
    for (x = l->xfers; x != NULL; x = next) {
        next = x->next;
        if (x->easy != NULL)
            continue;
        if (x->aborted || l->stopping) {
            mg_http_link__xfer_free(x);
        } else if (x->due <= now && mg_http_link__xfer_start(x) != 0) {
            mg_http_link__fail(x, "could not start an HTTP request");
            mg_http_link__xfer_free(x);
            next = l->xfers; /* the owner may have changed anything: look again */
        }
    }
    schedule(l);
}

static void
on_tick_closed(uv_handle_t *h)
{
    struct mg_http_link *l = h->data;

    l->tick_closed = 1;
    if (l->nxfers == 0 && l->done)
        l->done(l->done_ctx);
}

/* Arm the tick for the next thing due. */
static void
schedule(struct mg_http_link *l)
{
    uint64_t now = uv_now(l->loop), next = UINT64_MAX;

    if (l->stopping)
        return;
    if (l->nevents > 0)
        next = now;
    for (struct xfer *x = l->xfers; x != NULL; x = x->next)
        if (x->easy == NULL && (x->aborted ? now : x->due) < next)
            next = x->aborted ? now : x->due;
    if (next == UINT64_MAX)
        uv_timer_stop(&l->tick);
    else
        uv_timer_start(&l->tick, on_tick, next > now ? next - now : 0, 0);
}

/* --- the end of an exchange ---------------------------------------------------------- */

/* A request's event stream ended (cleanly or not) with REASON: resume it
 * if its answer has not come, else fail the request. */
static void
stream_ended(struct mg_http_link *l, struct xfer *x, CURLcode rc)
{
    char what[500], why[600];

    if (json_array_size(x->ids) == 0 || resume_later(l, x) == 0)
        return;
    if (rc == CURLE_OK) {
        mg_http_link__fail(x, "the event stream ended before the response");
    } else {
        mg_http_link__describe(x, rc, what, sizeof(what));
        snprintf(why, sizeof(why), "the event stream broke before the response (%s)", what);
        mg_http_link__fail(x, why);
    }
}

static void
post_done(struct mg_http_link *l, struct xfer *x, CURLcode rc, long status)
{
    int failed = rc != CURLE_OK && !x->too_big && x->mode != BODY_SNIPPET && x->mode != BODY_SSE;
    json_t *err;

    if (!failed && status == 404 && x->with_session) {
        /* "The client MUST start a new session ... on 404" */
        fail_requests_rc(x, rc, "session expired: ");
        session_lost(l, 0, "session expired");
        return;
    }
    err = mg_http_link__error_body(x);
    if (!failed && l->transport == MG_CONFIG_TRANSPORT_AUTO && !l->decided && x->kind == XFER_POST &&
        (status == 400 || status == 404 || status == 405) && err == NULL) {
        /* 2025-03-26, "Backwards compatibility": try HTTP+SSE with the
         * same initialize (2026-07-28: unless the 4xx body is a JSON-RPC
         * error, which only a Streamable HTTP server sends). */
        struct xfer *p = mg_http_link__xfer_new(l, XFER_LEGACY_POST);

        mg_http_link__describe(x, rc, l->fallback_why, sizeof(l->fallback_why));
        mg_log_info("upstream %s: POST got %s; trying the HTTP+SSE transport", l->name, l->fallback_why);
        p->body = x->body, p->body_len = x->body_len, x->body = NULL;
        json_array_extend(p->ids, x->ids);
        json_array_clear(x->ids);
        mg_http_link__enqueue(l, p);
        l->legacy = 1;
        open_stream(l, XFER_LEGACY_GET, 0);
        return;
    }
    if ((rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) && l->up && l->answered && !l->legacy) {
        /* A server that answered stopped answering: it is down, not this
         * request wrong.  The link goes down, so the upstream is tried
         * again with backoff while calls fail at once, instead of every
         * call trying to connect (and logging that it could not).  Only
         * once per answering link: a handshake that cannot connect fails
         * as it always did, and the upstream's backoff takes over. */
        char what[500];

        mg_http_link__describe(x, rc, what, sizeof(what));
        json_decref(err);
        fail_requests_rc(x, rc, "");
        session_lost(l, 0, what);
        return;
    }
    if (failed || status < 200 || status >= 300 || x->too_big || x->mode == BODY_SNIPPET) {
        /* The server's own JSON-RPC error keeps its code and data (a
         * modern -32022 lists the versions to retry with); whatever it
         * did not answer gets ours. */
        if (err != NULL && status >= 400 && json_equal(json_object_get(err, "id"), json_array_get(x->ids, 0)))
            mg_http_link__deliver(x, x->buf, x->len);
        json_decref(err);
        fail_requests_rc(x, rc, "");
        return;
    }
    json_decref(err);
    l->decided = 1;
    l->answered = 1;
    if (x->mode == BODY_JSON) {
        mg_http_link__deliver(x, x->buf ? x->buf : "", x->len);
        if (json_array_size(x->ids) > 0)
            mg_http_link__fail(x, "the response body is not the JSON-RPC response");
    } else if (x->mode == BODY_SSE) {
        stream_ended(l, x, rc);
    } else if (json_array_size(x->ids) > 0) {
        /* A request MUST get JSON or an event stream; a 202 would leave
         * the caller waiting for an answer that is not coming. */
        char why[400];

        snprintf(why, sizeof(why), "HTTP %ld from %s without a response to the request", status, l->url);
        mg_http_link__fail(x, why);
    }
    if (x->method != NULL && strcmp(x->method, "notifications/initialized") == 0 && l->up) {
        /* The session is live: the server may talk on its own now. */
        l->stream_failures = 0;
        open_stream(l, XFER_GET, 0);
    }
}

static void
resume_done(struct mg_http_link *l, struct xfer *x, CURLcode rc, long status)
{
    if (x->mode == BODY_SSE)
        stream_ended(l, x, rc);
    else if (status == 404 && x->with_session) {
        fail_requests_rc(x, rc, "session expired: ");
        session_lost(l, 0, "session expired");
    } else if (rc != CURLE_OK && x->mode != BODY_SNIPPET && resume_later(l, x) == 0)
        ; /* could not connect: try again while attempts last */
    else
        fail_requests_rc(x, rc, "resuming the response stream: ");
}

static void
stream_done(struct mg_http_link *l, struct xfer *x, CURLcode rc, long status)
{
    char what[500];
    int connected = status == 200 && x->mode == BODY_SSE;

    mg_http_link__describe(x, rc, what, sizeof(what));
    if (x->kind == XFER_GET) {
        if (status == 405) {
            mg_log_debug("upstream %s: no standalone event stream (HTTP 405)", l->name);
            return;
        }
        if (status == 404 && x->with_session) {
            session_lost(l, 0, "session expired");
            return;
        }
        l->stream_failures = connected ? 0 : l->stream_failures + 1;
        mg_log_debug("upstream %s: event stream ended (%s); reopening", l->name, what);
        if (l->up)
            open_stream(l, XFER_GET, stream_delay(l));
        return;
    }
    /* HTTP+SSE */
    if (l->endpoint != NULL) {
        /* The stream was the session. */
        l->stream_failures = 0;
        session_lost(l, 0, connected ? "the HTTP+SSE stream ended" : what);
        return;
    }
    if (l->queue != NULL && l->transport == MG_CONFIG_TRANSPORT_AUTO) {
        /* Neither transport works: the initialize fails with both reasons,
         * and the next one tries Streamable HTTP again. */
        char why[1100];

        snprintf(why, sizeof(why), "POST got %s; GET for HTTP+SSE got %s", l->fallback_why, what);
        l->legacy = 0;
        mg_http_link__drop_queue(l, why);
        return;
    }
    l->stream_failures++;
    if (l->up || l->stream_failures == 1)
        mg_http_link__report(l, MG_HTTP_LINK_DOWN, "HTTP+SSE stream: %s", what);
    l->up = 0;
    open_stream(l, XFER_LEGACY_GET, stream_delay(l));
}

void
mg_http_link__done(void *ctx, CURL *easy, CURLcode rc)
{
    struct xfer *x = ctx;
    struct mg_http_link *l = x->l;
    long status = 0;

    x->ending = 1;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (!x->aborted && !l->stopping)
        mg_http_link__settle(x); /* a response without a body byte */
    if (!x->aborted && !l->stopping && rc != MG_CURL_ABORTED) {
        switch (x->kind) {
        case XFER_POST:
            post_done(l, x, rc, status);
            break;
        case XFER_RESUME:
            resume_done(l, x, rc, status);
            break;
        case XFER_GET:
        case XFER_LEGACY_GET:
            if (l->stream == x)
                l->stream = NULL;
            stream_done(l, x, rc, status);
            break;
        case XFER_LEGACY_POST:
            if (rc != CURLE_OK || status < 200 || status >= 300)
                fail_requests_rc(x, rc, "");
            break;
        case XFER_DELETE:
            break;
        }
    }
    mg_http_link__xfer_free(x);
    if (l->stopping && l->nxfers == 0 && l->tick_closed && l->done)
        l->done(l->done_ctx);
}

/* --- sending --------------------------------------------------------------------------- */

int
mg_http_link_send(struct mg_http_link *l, const char *json, size_t len)
{
    return mg_http_link_send_params(l, json, len, NULL);
}

int
mg_http_link_send_params(struct mg_http_link *l, const char *json, size_t len, json_t *params)
{
    struct xfer *x;
    json_t *msg;

    if (!l->up || l->stopping)
        return -1;
    msg = mg_json_loadb(json, len, 0, NULL);
    if (msg == NULL)
        return -1;
    if (l->legacy && l->endpoint == NULL && l->nqueued >= MG_HTTP_LINK_MAX_QUEUED) {
        json_decref(msg);
        return -1;
    }
    x = mg_http_link__xfer_new(l, l->legacy ? XFER_LEGACY_POST : XFER_POST);
    mg_http_link__read_message(x, msg, params);
    json_decref(msg);
    x->body = mg_malloc(len + 1);
    memcpy(x->body, json, len);
    x->body[len] = '\0';
    x->body_len = len;
    if (l->legacy && l->endpoint == NULL) {
        mg_http_link__enqueue(l, x);
        return 0;
    }
    if (mg_http_link__xfer_start(x) != 0) {
        mg_http_link__xfer_free(x);
        return -1;
    }
    return 0;
}

/* --- lifecycle ----------------------------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
    return s ? mg_strdup(s) : NULL;
}

struct mg_http_link *
mg_http_link_start(struct mg_curl_loop *cl, const struct mg_http_link_opts *o)
{
    struct mg_http_link *l;

    if (o->name == NULL || o->url == NULL || o->on_message == NULL || o->on_state == NULL ||
        (o->transport != MG_CONFIG_TRANSPORT_AUTO && o->transport != MG_CONFIG_TRANSPORT_STREAMABLE_HTTP &&
         o->transport != MG_CONFIG_TRANSPORT_SSE))
        return NULL;
    l = mg_calloc(1, sizeof(*l));
    l->cl = cl;
    l->loop = mg_curl_loop_uv(cl);
    l->name = mg_strdup(o->name);
    l->url = mg_strdup(o->url);
    l->transport = o->transport;
    l->nheaders = o->nheaders;
    l->hkeys = mg_calloc(o->nheaders + 1, sizeof(char *));
    l->hvalues = mg_calloc(o->nheaders + 1, sizeof(char *));
    for (size_t i = 0; i < o->nheaders; i++) {
        l->hkeys[i] = mg_strdup(o->header_keys[i]);
        l->hvalues[i] = dup_or_null(o->header_values[i]);
        if (l->hvalues[i] == NULL)
            l->hvalues[i] = mg_strdup("");
    }
    l->max_message = o->max_message ? o->max_message : MG_MAX_MESSAGE_DEFAULT;
    l->connect_timeout_ms = o->connect_timeout_ms;
    l->on_message = o->on_message;
    l->on_state = o->on_state;
    l->ctx = o->ctx;
    l->queue_tail = &l->queue;
    l->stream_retry_ms = MG_SSE_RETRY_NONE;
    l->legacy = o->transport == MG_CONFIG_TRANSPORT_SSE;
    uv_timer_init(l->loop, &l->tick);
    l->tick.data = l;
    if (l->legacy) {
        open_stream(l, XFER_LEGACY_GET, 0);
    } else {
        mg_http_link__report(l, MG_HTTP_LINK_UP, "Streamable HTTP to %s", l->url);
    }
    return l;
}

void
mg_http_link_set_protocol_version(struct mg_http_link *l, const char *v)
{
    mg_free(l->protocol_version);
    l->protocol_version = v ? mg_http_link__header_safe(v) : NULL;
}

void
mg_http_link_reset(struct mg_http_link *l)
{
    if (l->stopping)
        return;
    l->decided = 0;
    l->answered = 0;
    l->stream_failures = 0;
    if (l->transport == MG_CONFIG_TRANSPORT_SSE)
        l->legacy = 1;
    else if (l->endpoint == NULL)
        l->legacy = 0; /* auto: look again */
    if (!l->up && l->nevents == 0)
        mg_http_link__report(l, MG_HTTP_LINK_DOWN, "reset");
    session_lost(l, 1, "reset");
}

void
mg_http_link_stop(struct mg_http_link *l, void (*done)(void *), void *ctx)
{
    abort_all(l);
    send_delete(l);
    l->stopping = 1;
    l->up = 0;
    l->nevents = 0;
    l->done = done;
    l->done_ctx = ctx;
    /* Waiting exchanges have no DONE coming: free them here. */
    for (struct xfer *x = l->xfers, *next; x != NULL; x = next) {
        next = x->next;
        if (x->easy == NULL)
            mg_http_link__xfer_free(x);
    }
    uv_timer_stop(&l->tick);
    uv_close((uv_handle_t *)&l->tick, on_tick_closed);
}

void
mg_http_link_free(struct mg_http_link *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->nheaders; i++) {
        mg_free(l->hkeys[i]);
        mg_free(l->hvalues[i]);
    }
    mg_free(l->hkeys);
    mg_free(l->hvalues);
    mg_free(l->name);
    mg_free(l->url);
    mg_free(l->session_id);
    mg_free(l->protocol_version);
    mg_free(l->endpoint);
    mg_free(l);
}
