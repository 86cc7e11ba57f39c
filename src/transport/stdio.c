/*
 * stdio.c - the stdio server transport (`mcpgate stdio`).
 *
 * Wire format (MCP "Transports: stdio"): one JSON-RPC message per line,
 * UTF-8, lines end with "\n" (a "\r" before it is tolerated), messages
 * contain no embedded newline.  Only protocol messages go to stdout; logs
 * go to stderr.
 *
 * Input may be a pipe, a terminal or a regular file (`mcpgate stdio <
 * requests.jsonl`); files cannot be polled, so they are read on the
 * thread pool with uv_fs_read.  On end of input, requests still running
 * get up to gw->drain_ms to finish so their replies are written, then
 * the transport closes and mg_gateway_serve_stdio() returns.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/subscriptions.h"
#include "upstream/upstream.h"
#include "mcp/session.h"
#include "mcpgate.h"
#include "transport/config_watch.h"
#include "transport/stdio.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

#define READ_CHUNK (64 * 1024)

struct stdio_transport {
    struct mg_gateway *gw;
    uv_loop_t *loop;
    struct mg_session *session;
    struct mg_sink sink;

    union {
        uv_pipe_t pipe;
        uv_tty_t tty;
    } in_h, out_h;
    uv_stream_t *in;   /* NULL when stdin is a regular file */
    uv_stream_t *out;  /* NULL when stdout is a regular file */
    uv_fs_t file_req;  /* reading a regular-file stdin */
    char *file_buf;
    int64_t file_off;

    char *line;        /* bytes of a line not yet complete */
    size_t line_len, line_cap;
    int discarding;    /* the current line is over the limit: drop to "\n" */
    size_t discarded;

    uv_signal_t sigint, sigterm;
    uv_signal_t sighup;                /* with opts.reload only */
    struct mg_config_watch watch;      /* opts.watch, when given */
    struct mg_stdio_opts opts;
    uv_timer_t drain;
    int eof, closing, failed;
    int reading_paused;
};

struct write_req {
    uv_write_t req;
    struct stdio_transport *t;
    char *data;
};

static void transport_close(struct stdio_transport *t);
static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* --- output ---------------------------------------------------------------- */

static void
on_write(uv_write_t *w, int status)
{
    struct write_req *wr = (struct write_req *)w;
    struct stdio_transport *t = wr->t;

    mg_free(wr->data);
    mg_free(wr);
    if (status < 0 && !t->failed) {
        mg_log_warn("stdout: %s; stopping", uv_strerror(status));
        t->failed = 1;
        transport_close(t);
        return;
    }
    if (t->reading_paused && t->out && uv_stream_get_write_queue_size(t->out) < MG_MAX_WRITE_QUEUE / 2) {
        t->reading_paused = 0;
        if (t->in && !t->eof && !t->closing)
            uv_read_start(t->in, alloc_cb, on_read);
    }
}

static void
sink_send(void *ctx, json_t *msg)
{
    struct stdio_transport *t = ctx;
    size_t len;
    char *text;

    if (t->failed)
        return;
    text = mg_rpc_encode(msg, &len);
    text = mg_realloc(text, len + 1);
    text[len++] = '\n';

    if (t->out == NULL) { /* a regular file: writes do not block */
        size_t off = 0;
        while (off < len) {
            ssize_t n = write(STDOUT_FILENO, text + off, len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                mg_log_warn("stdout: %s; stopping", strerror(errno));
                t->failed = 1;
                break;
            }
            off += (size_t)n;
        }
        mg_free(text);
        return;
    }

    struct write_req *wr = mg_malloc(sizeof(*wr));
    uv_buf_t buf = uv_buf_init(text, (unsigned)len);
    wr->t = t;
    wr->data = text;
    int rc = uv_write(&wr->req, t->out, &buf, 1, on_write);
    if (rc < 0) {
        mg_log_warn("stdout: %s; stopping", uv_strerror(rc));
        mg_free(text);
        mg_free(wr);
        t->failed = 1;
        return;
    }
    /* A client that does not read its replies does not get to make us
     * buffer without bound: stop reading until it catches up. */
    if (t->in && !t->reading_paused && uv_stream_get_write_queue_size(t->out) > MG_MAX_WRITE_QUEUE) {
        t->reading_paused = 1;
        uv_read_stop(t->in);
    }
}

/* --- input ----------------------------------------------------------------- */

static void
over_limit(struct stdio_transport *t)
{
    char text[200];
    json_t *msg;

    snprintf(text, sizeof(text), "Invalid Request: message exceeds the %zu-byte limit; it was discarded",
             t->gw->max_message);
    msg = mg_rpc_make_error(NULL, MG_RPC_INVALID_REQUEST, text, NULL);
    sink_send(t, msg);
    json_decref(msg);
}

static void
handle_line(struct stdio_transport *t, const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == '\r')
        n--;
    /* Blank lines carry nothing; skipping them is kinder than -32700. */
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i == n)
        return;
    mg_session_receive_text(t->session, p, n, &t->sink);
}

/* Split `data` into lines; keep the incomplete tail in t->line. */
static void
feed(struct stdio_transport *t, const char *data, size_t n)
{
    while (n > 0 && !t->closing) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;

        if (t->discarding) {
            if (nl) {
                t->discarding = 0;
                n -= take + 1;
                data += take + 1;
                continue;
            }
            return;
        }
        if (t->line_len + take > t->gw->max_message) {
            /* Answer once, then drop the rest of this line. */
            over_limit(t);
            t->line_len = 0;
            t->discarding = 1;
            continue;
        }
        if (nl && t->line_len == 0) { /* the common case: no copy */
            handle_line(t, data, take);
        } else {
            if (t->line_len + take > t->line_cap) {
                t->line_cap = t->line_len + take + 1024;
                t->line = mg_realloc(t->line, t->line_cap);
            }
            memcpy(t->line + t->line_len, data, take);
            t->line_len += take;
            if (!nl)
                return;
            handle_line(t, t->line, t->line_len);
            t->line_len = 0;
        }
        n -= take + 1;
        data += take + 1;
    }
}

static void
on_drain_timeout(uv_timer_t *timer)
{
    struct stdio_transport *t = timer->data;

    mg_log_warn("end of input: %zu request(s) still running after %u ms; cancelling them",
                t->session ? t->session->inflight_count : (size_t)0, t->gw->drain_ms);
    transport_close(t);
}

static void
on_idle(struct mg_session *s, void *data)
{
    struct stdio_transport *t = data;

    if (t->eof)
        transport_close(t);
}

static void
at_eof(struct stdio_transport *t)
{
    t->eof = 1;
    if (t->line_len > 0 && !t->discarding) /* a last line without "\n" */
        handle_line(t, t->line, t->line_len);
    t->line_len = 0;
    if (t->closing)
        return;
    /* Listening needs a reader: the subscriptions end, with their result. */
    mg_subscriptions_end_session(t->session);
    if (t->session->inflight_count == 0) {
        transport_close(t);
        return;
    }
    t->session->on_idle = on_idle;
    t->session->idle_data = t;
    uv_timer_start(&t->drain, on_drain_timeout, t->gw->drain_ms, 0);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char chunk[READ_CHUNK]; /* one loop thread; consumed before the next read */

    (void)h;
    (void)suggested;
    *buf = uv_buf_init(chunk, sizeof(chunk));
}

static void
on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct stdio_transport *t = stream->data;

    if (nread > 0) {
        feed(t, buf->base, (size_t)nread);
        return;
    }
    if (nread == UV_EOF) {
        uv_read_stop(stream);
        at_eof(t);
    } else if (nread < 0) {
        mg_log_warn("stdin: %s; treating as end of input", uv_strerror((int)nread));
        uv_read_stop(stream);
        at_eof(t);
    }
}

static void on_file_read(uv_fs_t *req);

static void
file_read_next(struct stdio_transport *t)
{
    uv_buf_t buf = uv_buf_init(t->file_buf, READ_CHUNK);

    uv_fs_read(t->loop, &t->file_req, STDIN_FILENO, &buf, 1, t->file_off, on_file_read);
}

static void
on_file_read(uv_fs_t *req)
{
    struct stdio_transport *t = req->data;
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    if (n > 0) {
        t->file_off += n;
        feed(t, t->file_buf, (size_t)n);
        if (!t->closing) {
            file_read_next(t);
            return;
        }
    } else if (n < 0) {
        mg_log_warn("stdin: %s; treating as end of input", uv_strerror((int)n));
    }
    mg_free(t->file_buf);
    t->file_buf = NULL;
    if (!t->closing)
        at_eof(t);
}

static void
read_start(struct stdio_transport *t)
{
    if (t->in != NULL) {
        uv_read_start(t->in, alloc_cb, on_read);
    } else {
        t->file_buf = mg_malloc(READ_CHUNK);
        t->file_req.data = t;
        file_read_next(t);
    }
}

/* --- setup and teardown ---------------------------------------------------- */

static uv_stream_t *
open_stream(struct stdio_transport *t, uv_file fd, void *storage, int readable)
{
    switch (uv_guess_handle(fd)) {
    case UV_TTY:
        if (uv_tty_init(t->loop, storage, fd, readable) == 0)
            return storage;
        return NULL;
    case UV_NAMED_PIPE:
    case UV_TCP: /* a socketpair, e.g. from some process supervisors */
        if (uv_pipe_init(t->loop, storage, 0) == 0 && uv_pipe_open(storage, fd) == 0)
            return storage;
        return NULL;
    default:
        return NULL; /* regular file (or /dev/null): plain reads/writes */
    }
}

static void
on_signal(uv_signal_t *sig, int signum)
{
    struct stdio_transport *t = sig->data;

    mg_log_info("%s: closing", strsignal(signum));
    transport_close(t);
}

static void
on_hangup(uv_signal_t *sig, int signum)
{
    struct stdio_transport *t = sig->data;

    (void)signum;
    if (!t->closing)
        t->opts.reload(t->opts.reload_ctx);
}

static void
transport_close(struct stdio_transport *t)
{
    if (t->closing)
        return;
    t->closing = 1;
    if (t->session != NULL) {
        mg_session_close(t->session);
        t->session = NULL;
    }
    if (t->in)
        uv_read_stop(t->in);
    uv_timer_stop(&t->drain);
    uv_signal_stop(&t->sigint);
    uv_signal_stop(&t->sigterm);
    if (t->opts.reload != NULL)
        uv_signal_stop(&t->sighup);
    mg_config_watch_close(&t->watch);
    /* Nothing will be asked of the upstreams any more: their children get
     * their shutdown sequence while our own handles close. */
    mg_upstreams_stop(t->gw, NULL, NULL);
    /* Handles are closed once the loop returns (mg_gateway_serve_stdio),
     * after pending writes have drained. */
    uv_stop(t->loop);
}

static void
close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int
mg_gateway_serve_stdio(struct mg_gateway *gw)
{
    return mg_stdio_serve(gw, NULL);
}

int
mg_stdio_serve(struct mg_gateway *gw, const struct mg_stdio_opts *opts)
{
    struct stdio_transport *t = mg_calloc(1, sizeof(*t));
    int rc = 0;

    if (opts != NULL)
        t->opts = *opts;
    t->gw = gw;
    t->loop = gw->loop;
    t->sink.send = sink_send;
    t->sink.ctx = t;
    signal(SIGPIPE, SIG_IGN);

    t->in = open_stream(t, STDIN_FILENO, &t->in_h, 1);
    t->out = open_stream(t, STDOUT_FILENO, &t->out_h, 0);
    if (t->in)
        t->in->data = t;
    if (t->out) {
        t->out->data = t;
    }
    uv_timer_init(t->loop, &t->drain);
    t->drain.data = t;
    uv_signal_init(t->loop, &t->sigint);
    uv_signal_init(t->loop, &t->sigterm);
    t->sigint.data = t->sigterm.data = t;
    uv_signal_start(&t->sigint, on_signal, SIGINT);
    uv_signal_start(&t->sigterm, on_signal, SIGTERM);
    if (t->opts.reload != NULL) {
        /* SIGHUP reads the config again (a hung-up terminal also ends
         * stdin, which ends the transport anyway). */
        uv_signal_init(t->loop, &t->sighup);
        t->sighup.data = t;
        uv_signal_start(&t->sighup, on_hangup, SIGHUP);
        if (t->opts.watch != NULL)
            mg_config_watch_start(&t->watch, t->loop, t->opts.watch, t->opts.reload, t->opts.reload_ctx);
    }

    t->session = mg_session_new(gw, &t->sink);
    mg_log_info("serving MCP on stdio (%zu tools)", gw->catalog.tool_count);
    read_start(t);

    uv_run(t->loop, UV_RUN_DEFAULT);
    if (!t->closing)
        transport_close(t);

    /* A file read may still be in flight on the thread pool. */
    while (t->file_buf != NULL)
        uv_run(t->loop, UV_RUN_ONCE);
    /* Flush queued replies, then close every handle. */
    if (t->out)
        while (uv_stream_get_write_queue_size(t->out) > 0 && !t->failed && uv_run(t->loop, UV_RUN_ONCE))
            ;
    if (t->in)
        close_handle((uv_handle_t *)t->in);
    if (t->out)
        close_handle((uv_handle_t *)t->out);
    close_handle((uv_handle_t *)&t->drain);
    close_handle((uv_handle_t *)&t->sigint);
    close_handle((uv_handle_t *)&t->sigterm);
    if (t->opts.reload != NULL)
        close_handle((uv_handle_t *)&t->sighup);
    uv_run(t->loop, UV_RUN_DEFAULT);
    rc = t->failed ? -1 : 0;
    mg_free(t->line);
    mg_free(t);
    return rc;
}
