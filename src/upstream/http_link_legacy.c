/*
 * http_link_legacy.c - the HTTP+SSE transport (2024-11-05) of http_link.
 *
 * The GET stream names, in an `endpoint` event, where messages are to be
 * POSTed.  That URL comes from the server, so it is resolved against the
 * configured URL and taken only on the same origin (see
 * shared/spec/CHECKLIST.md, "Legacy HTTP+SSE").  Messages sent before it
 * is known (in auto mode, the initialize that failed as a Streamable HTTP
 * POST) wait in a queue and go once it is.
 */
#include <stdio.h>
#include <string.h>

#include "upstream/http_link_impl.h"
#include "util/alloc.h"
#include "util/log.h"

/* --- HTTP+SSE endpoint ----------------------------------------------------------- */

static void legacy_flush(struct mg_http_link *l);

/* The parts of a URL that make its origin (RFC 6454). */
struct origin {
    char *scheme, *host, *port;
};

/* Fill O from U, host lower-cased; -1 if a part is missing. */
static int
origin_get(CURLU *u, struct origin *o)
{
    if (curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &o->host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        return -1;
    for (char *p = o->host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return 0;
}

static void
origin_free(struct origin *o)
{
    curl_free(o->scheme);
    curl_free(o->host);
    curl_free(o->port);
}

/* The endpoint DATA resolved against the URL, if it is on the same origin
 * (scheme, host, port): the 2024-11-05 spec has the client POST to it,
 * and a server must not be able to point our requests (and the configured
 * credentials) anywhere else.  Returns it new, or NULL with WHY set. */
static char *
resolve_endpoint(struct mg_http_link *l, const char *data, char *why, size_t n)
{
    CURLU *base = curl_url(), *u = curl_url();
    struct origin ob = {0}, ou = {0};
    char *full = NULL, *out = NULL;

    snprintf(why, n, "its endpoint event is not a URL");
    if (curl_url_set(base, CURLUPART_URL, l->url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, l->url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, data, 0) != CURLUE_OK || /* relative to the URL */
        origin_get(base, &ob) != 0 || origin_get(u, &ou) != 0 ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
        goto out;
    if (strcmp(ob.scheme, ou.scheme) != 0 || strcmp(ob.host, ou.host) != 0 || strcmp(ob.port, ou.port) != 0)
        snprintf(why, n, "refused its endpoint %.200s: not on the origin of %.200s", full, l->url);
    else
        out = mg_strdup(full);
out:
    origin_free(&ob);
    origin_free(&ou);
    curl_free(full);
    curl_url_cleanup(base);
    curl_url_cleanup(u);
    return out;
}

void
mg_http_link__on_endpoint(struct mg_http_link *l, struct xfer *x, const char *data)
{
    char why[600];

    if (l->endpoint != NULL)
        return; /* one per stream; a second would move the session */
    l->endpoint = resolve_endpoint(l, data, why, sizeof(why));
    if (l->endpoint == NULL) {
        mg_http_link__abort(l, x); /* down until reset: the server is misconfigured */
        mg_http_link__drop_queue(l, why);
        mg_http_link__report(l, MG_HTTP_LINK_DOWN, "%s", why);
        return;
    }
    l->stream_failures = 0;
    mg_log_debug("upstream %s: HTTP+SSE endpoint %s", l->name, l->endpoint);
    if (l->queue != NULL) {
        legacy_flush(l); /* auto: the initialize goes again, unnoticed */
    } else if (!l->up) {
        mg_http_link__report(l, MG_HTTP_LINK_UP, "HTTP+SSE stream open, endpoint %s", l->endpoint);
    }
}

/* --- HTTP+SSE queue -------------------------------------------------------------------- */

static void
legacy_flush(struct mg_http_link *l)
{
    struct queued *q;

    while ((q = l->queue) != NULL) {
        l->queue = q->next;
        l->nqueued--;
        if (mg_http_link__xfer_start(q->x) != 0) {
            mg_http_link__fail(q->x, "could not start an HTTP request");
            mg_http_link__xfer_free(q->x);
        }
        mg_free(q);
    }
    l->queue_tail = &l->queue;
}

/* Hold X (a LEGACY_POST) until the endpoint is known. */
void
mg_http_link__enqueue(struct mg_http_link *l, struct xfer *x)
{
    struct queued *q = mg_calloc(1, sizeof(*q));

    x->due = UINT64_MAX; /* started by legacy_flush, not the tick */
    q->x = x;
    *l->queue_tail = q;
    l->queue_tail = &q->next;
    l->nqueued++;
}

/* Forget what waits for the endpoint; WHY (if not NULL) fails its requests. */
void
mg_http_link__drop_queue(struct mg_http_link *l, const char *why)
{
    struct queued *q;

    while ((q = l->queue) != NULL) {
        l->queue = q->next;
        if (why != NULL)
            mg_http_link__fail(q->x, why);
        mg_http_link__xfer_free(q->x);
        mg_free(q);
    }
    l->nqueued = 0;
    l->queue_tail = &l->queue;
}
