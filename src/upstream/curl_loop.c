/*
 * curl_loop.c - curl multi-socket over uv_poll_t and uv_timer_t.
 *
 * The shape follows curl's docs/examples/multi-uv.c, plus what a long
 * running daemon needs: transfers are tracked so they can be aborted and
 * each owner hears exactly once; calls curl forbids from inside its
 * callbacks are deferred (depth counts nested socket actions); and close
 * tears everything down in the order curl and uv each require: transfers
 * out of the multi, the multi cleaned up (which may still report sockets
 * gone), then every uv handle closed, and only then CL freed.
 */
#include "upstream/curl_loop.h"

#include <stddef.h>
#include <sys/socket.h>

#include "util/alloc.h"

/* Idle connections kept for reuse, over all HTTP upstreams. */
#define IDLE_CONNS_MAX 256

enum xfer_state {
    XFER_ADD_LATER,   /* added from inside curl: goes into the multi after */
    XFER_ACTIVE,      /* in the multi */
    XFER_ABORT_LATER, /* aborted from inside curl: leaves the multi after */
    XFER_ENDED,       /* out of the multi; DONE due on the reap timer */
};

struct xfer {
    struct xfer *prev, *next;
    CURL *easy;
    struct curl_slist *headers;
    mg_curl_done_fn done;
    void *ctx;
    enum xfer_state state;
    CURLcode result;  /* for XFER_ENDED */
};

/* One socket curl waits on. */
struct sock {
    struct sock *prev, *next;
    uv_poll_t poll;
    curl_socket_t fd;
    struct mg_curl_loop *cl;
};

struct mg_curl_loop {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;      /* curl's own timeout */
    uv_timer_t reap;       /* runs DONE of ended transfers, outside any caller */
    struct xfer *xfers;
    size_t nxfers;
    struct sock *socks;
    int depth;             /* inside curl_multi_socket_action */
    int closing;
    int torn_down;         /* the multi is gone, handles are closing */
    int nhandles;          /* uv handles open (timers, polls) */
    void (*closed)(void *ctx);
    void *closed_ctx;
};

static void teardown(struct mg_curl_loop *cl);

/* --- handles ------------------------------------------------------------------ */

static void
on_handle_closed(uv_handle_t *h)
{
    struct mg_curl_loop *cl = h->data;

    if (h->type == UV_POLL)
        mg_free(((char *)h) - offsetof(struct sock, poll));
    if (--cl->nhandles == 0 && cl->torn_down) {
        void (*closed)(void *) = cl->closed;
        void *ctx = cl->closed_ctx;

        mg_free(cl);
        if (closed)
            closed(ctx);
    }
}

static void
sock_close(struct mg_curl_loop *cl, struct sock *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        cl->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    /* uv_close stops watching the fd at once, so curl may reuse it. */
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

/* --- finished transfers -------------------------------------------------------- */

static void
xfer_unlink(struct mg_curl_loop *cl, struct xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        cl->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
    cl->nxfers--;
}

/* Tell the owner, then clean up; the transfer is out of the multi. */
static void
finish(struct mg_curl_loop *cl, struct xfer *x, CURLcode result)
{
    xfer_unlink(cl, x);
    x->state = XFER_ENDED; /* an abort from inside DONE does nothing */
    x->done(x->ctx, x->easy, result);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    mg_free(x);
}

static void
on_reap(uv_timer_t *t)
{
    struct mg_curl_loop *cl = t->data;
    struct xfer *x;

    /* DONE may add or abort others: look again from the start each time. */
    for (;;) {
        for (x = cl->xfers; x != NULL && x->state != XFER_ENDED; x = x->next)
            ;
        if (x == NULL)
            break;
        finish(cl, x, x->result);
    }
    if (cl->closing && cl->nxfers == 0 && !cl->torn_down)
        teardown(cl);
}

static void
end_later(struct mg_curl_loop *cl, struct xfer *x, CURLcode result)
{
    x->state = XFER_ENDED;
    x->result = result;
    uv_timer_start(&cl->reap, on_reap, 0, 0);
}

/* After curl returned: do what was deferred, then hand out what ended. */
static void
after_action(struct mg_curl_loop *cl)
{
    struct xfer *x;
    CURLMsg *msg;
    int left;

    for (x = cl->xfers; x != NULL; x = x->next) {
        if (x->state == XFER_ADD_LATER) {
            if (curl_multi_add_handle(cl->multi, x->easy) == CURLM_OK)
                x->state = XFER_ACTIVE;
            else
                end_later(cl, x, CURLE_FAILED_INIT);
        } else if (x->state == XFER_ABORT_LATER) {
            curl_multi_remove_handle(cl->multi, x->easy);
            end_later(cl, x, MG_CURL_ABORTED);
        }
    }
    while ((msg = curl_multi_info_read(cl->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        char *priv = NULL;

        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        x = (struct xfer *)priv;
        curl_multi_remove_handle(cl->multi, easy);
        finish(cl, x, result);
    }
}

static void
action(struct mg_curl_loop *cl, curl_socket_t fd, int flags)
{
    int running;

    cl->depth++;
    curl_multi_socket_action(cl->multi, fd, flags, &running);
    cl->depth--;
    if (cl->depth == 0)
        after_action(cl);
}

/* --- what curl asks of the loop --------------------------------------------------- */

static void
on_poll(uv_poll_t *h, int status, int events)
{
    struct sock *s = (struct sock *)((char *)h - offsetof(struct sock, poll));
    int flags = 0;

    /* On an error libuv reports no events and stops watching: curl is
     * told to read and write too, so it meets the socket's own error
     * ("Connection reset by peer") and ends the transfer with it, not
     * with a bare "select/poll returned error". */
    if (status < 0)
        flags = CURL_CSELECT_ERR | CURL_CSELECT_IN | CURL_CSELECT_OUT;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    action(s->cl, s->fd, flags);
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct mg_curl_loop *cl = userp;
    struct sock *s = socketp;
    int events = 0;

    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            curl_multi_assign(cl->multi, fd, NULL);
            sock_close(cl, s);
        }
        return 0;
    }
    if (s == NULL) {
        s = mg_calloc(1, sizeof(*s));
        s->fd = fd;
        s->cl = cl;
        if (uv_poll_init_socket(cl->loop, &s->poll, fd) != 0) {
            mg_free(s);
            return -1; /* curl fails the transfer */
        }
        s->poll.data = cl;
        cl->nhandles++;
        s->next = cl->socks;
        if (s->next)
            s->next->prev = s;
        cl->socks = s;
        curl_multi_assign(cl->multi, fd, s);
    }
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

/* curl's sockets for connections, close-on-exec so that no upstream
 * process started later holds a connection open.  (They are closed by
 * curl, with close(2); each poll handle is closed at CURL_POLL_REMOVE,
 * which curl sends before it closes a socket it reported.  Keeping the
 * handle past REMOVE would need every close to be seen, and libcurl 7.88
 * closes some sockets, those of connects cut short, without the
 * CURLOPT_CLOSESOCKETFUNCTION callback.) */
static curl_socket_t
on_open_socket(void *userp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)userp;
    (void)purpose;
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static void
on_timeout(uv_timer_t *t)
{
    action(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct mg_curl_loop *cl = userp;

    if (cl->torn_down)
        return 0;
    if (timeout_ms < 0)
        uv_timer_stop(&cl->timer);
    else /* 0 too: curl must not be called back from inside this callback */
        uv_timer_start(&cl->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* --- the API --------------------------------------------------------------------- */

struct mg_curl_loop *
mg_curl_loop_new(uv_loop_t *loop)
{
    struct mg_curl_loop *cl;

    cl = mg_calloc(1, sizeof(*cl));
    cl->loop = loop;
    cl->multi = curl_multi_init();
    if (cl->multi == NULL) {
        mg_free(cl);
        return NULL;
    }
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
    /* Keep every finished connection for reuse, up to IDLE_CONNS_MAX: at
     * libcurl's default (a multiple of the transfers in progress, which
     * dips between bursts) one call in 60 at 16 concurrent opened a new
     * connection to its upstream, a TLS handshake each for https. */
    curl_multi_setopt(cl->multi, CURLMOPT_MAXCONNECTS, (long)IDLE_CONNS_MAX);
    uv_timer_init(loop, &cl->timer);
    uv_timer_init(loop, &cl->reap);
    cl->timer.data = cl->reap.data = cl;
    cl->nhandles = 2;
    return cl;
}

uv_loop_t *
mg_curl_loop_uv(const struct mg_curl_loop *cl)
{
    return cl->loop;
}

size_t
mg_curl_loop_count(const struct mg_curl_loop *cl)
{
    return cl->nxfers;
}

int
mg_curl_loop_add(struct mg_curl_loop *cl, CURL *easy, struct curl_slist *headers, mg_curl_done_fn done,
                 void *ctx)
{
    struct xfer *x;

    if (cl->closing) {
        curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        return -1;
    }
    x = mg_calloc(1, sizeof(*x));
    x->easy = easy;
    x->headers = headers;
    x->done = done;
    x->ctx = ctx;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)x);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    if (cl->depth > 0) {
        x->state = XFER_ADD_LATER;
    } else if (curl_multi_add_handle(cl->multi, easy) != CURLM_OK) {
        curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        mg_free(x);
        return -1;
    } else {
        x->state = XFER_ACTIVE;
    }
    x->next = cl->xfers;
    if (x->next)
        x->next->prev = x;
    cl->xfers = x;
    cl->nxfers++;
    return 0;
}

static void
abort_xfer(struct mg_curl_loop *cl, struct xfer *x)
{
    switch (x->state) {
    case XFER_ADD_LATER:
        end_later(cl, x, MG_CURL_ABORTED);
        break;
    case XFER_ACTIVE:
        if (cl->depth > 0) {
            x->state = XFER_ABORT_LATER;
        } else {
            curl_multi_remove_handle(cl->multi, x->easy);
            end_later(cl, x, MG_CURL_ABORTED);
        }
        break;
    case XFER_ABORT_LATER:
    case XFER_ENDED:
        break;
    }
}

void
mg_curl_loop_abort(struct mg_curl_loop *cl, CURL *easy)
{
    char *priv = NULL;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    if (priv != NULL)
        abort_xfer(cl, (struct xfer *)priv);
}

static void
teardown(struct mg_curl_loop *cl)
{
    cl->torn_down = 1;
    /* Cached connections close here; curl may report their sockets. */
    curl_multi_cleanup(cl->multi);
    cl->multi = NULL;
    while (cl->socks != NULL)
        sock_close(cl, cl->socks);
    uv_close((uv_handle_t *)&cl->timer, on_handle_closed);
    uv_close((uv_handle_t *)&cl->reap, on_handle_closed);
}

void
mg_curl_loop_close(struct mg_curl_loop *cl, void (*closed)(void *ctx), void *ctx)
{
    if (cl->closing)
        return;
    cl->closing = 1;
    cl->closed = closed;
    cl->closed_ctx = ctx;
    for (struct xfer *x = cl->xfers; x != NULL; x = x->next)
        abort_xfer(cl, x);
    /* Teardown on the reap timer, after every DONE, never inside the caller
     * (who may be in a DONE, or inside curl). */
    uv_timer_start(&cl->reap, on_reap, 0, 0);
}
