/*
 * test_curl_loop.c - curl multi driven by a uv loop.
 *
 * A tiny HTTP server on the same loop (uv TCP on a loopback port 0)
 * answers "/ok" at once and never answers "/hang".  Checked: a transfer
 * completes and its DONE runs once, outside any call into the module;
 * abort and close end transfers with MG_CURL_ABORTED; many transfers at
 * once; adding from inside DONE and from inside a write callback;
 * sockets are close-on-exec; and after close, uv_loop_close() succeeds:
 * no handle is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include "upstream/curl_loop.h"

#define MAX_CONNS 64

struct conn {
    uv_tcp_t tcp;
    char req[1024];
    size_t len;
    int used;   /* 1 open, 2 closed by the test */
};

struct fixture {
    uv_loop_t loop;
    uv_tcp_t server;
    int port;
    struct conn conns[MAX_CONNS];
    struct mg_curl_loop *cl;
    int in_call;         /* inside a call into curl_loop */
    int ndone, nok, naborted;
    int closed;
    int add_from_write;  /* the write callback adds one more transfer */
    int nfailed;         /* ended with curl's error, when allow_fail */
    int allow_fail;
};


/* --- the server ---------------------------------------------------------------------- */

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = h->data;

    *buf = uv_buf_init(c->req + c->len, (unsigned)(sizeof(c->req) - 1 - c->len));
}

static void
on_write(uv_write_t *w, int status)
{
    free(w);
}

static void
on_conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    struct conn *c = s->data;

    if (n < 0) {
        uv_read_stop(s);
        return;
    }
    c->len += (size_t)n;
    c->req[c->len] = '\0';
    if (strstr(c->req, "\r\n\r\n") != NULL && strncmp(c->req, "GET /ok", 7) == 0) {
        uv_write_t *w = malloc(sizeof(*w));
        uv_buf_t b = uv_buf_init((char *)ok, sizeof(ok) - 1);
        c->len = 0; /* keep-alive: the next request starts afresh */
        uv_write(w, s, &b, 1, on_write);
    }
}

static void
on_connection(uv_stream_t *server, int status)
{
    struct fixture *f = server->data;

    for (int i = 0; i < MAX_CONNS; i++) {
        struct conn *c = &f->conns[i];
        if (c->used)
            continue;
        c->used = 1;
        uv_tcp_init(&f->loop, &c->tcp);
        c->tcp.data = c;
        uv_accept(server, (uv_stream_t *)&c->tcp);
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_conn_read);
        return;
    }
    fail_msg("too many connections");
}

/* --- transfers ----------------------------------------------------------------------- */

static void
on_done(void *ctx, CURL *easy, CURLcode rc)
{
    struct fixture *f = ctx;
    long status = 0;

    assert_false(f->in_call);
    f->ndone++;
    if (rc == MG_CURL_ABORTED) {
        f->naborted++;
        return;
    }
    if (rc != CURLE_OK && f->allow_fail) {
        f->nfailed++;
        return;
    }
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    f->nok++;
}

static CURL *start_at(struct fixture *f, int port, const char *path);

/* A transfer of PATH from the fixture's own server. */
static CURL *
start(struct fixture *f, const char *path)
{
    return start_at(f, f->port, path);
}

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct fixture *f = ctx;

    if (f->add_from_write) {
        f->add_from_write = 0;
        start(f, "/ok"); /* deferred until curl returns */
    }
    return size * n;
}

static CURL *
start_at(struct fixture *f, int port, const char *path)
{
    char url[128];
    CURL *e = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "X-Test: 1");

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    f->in_call = 1;
    assert_int_equal(mg_curl_loop_add(f->cl, e, h, on_done, f), 0);
    f->in_call = 0;
    return e;
}

static void
run_for(struct fixture *f, int (*cond)(struct fixture *), unsigned ms)
{
    uint64_t end = uv_now(&f->loop) + ms;

    while (!cond(f) && uv_now(&f->loop) < end) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        usleep(1000);
        uv_update_time(&f->loop);
    }
}

static int
all_done(struct fixture *f)
{
    return mg_curl_loop_count(f->cl) == 0;
}

static int
is_closed(struct fixture *f)
{
    return f->closed;
}

/* --- setup ---------------------------------------------------------------------------- */

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct sockaddr_in a;
    int len = sizeof(a);

    alarm(30);
    uv_loop_init(&f->loop);
    uv_tcp_init(&f->loop, &f->server);
    f->server.data = f;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&f->server, (struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&f->server, 16, on_connection), 0);
    uv_tcp_getsockname(&f->server, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    f->cl = mg_curl_loop_new(&f->loop);
    *state = f;
    return 0;
}

static void
on_closed(void *ctx)
{
    ((struct fixture *)ctx)->closed = 1;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    if (!f->closed) {
        f->in_call = 1;
        mg_curl_loop_close(f->cl, on_closed, f);
        f->in_call = 0;
        run_for(f, is_closed, 5000);
        assert_true(f->closed);
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (f->conns[i].used == 1)
            uv_close((uv_handle_t *)&f->conns[i].tcp, NULL);
    uv_close((uv_handle_t *)&f->server, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    alarm(0);
    return 0;
}

/* --- tests ------------------------------------------------------------------------------ */

static void
test_transfer(void **state)
{
    struct fixture *f = *state;

    start(f, "/ok");
    assert_int_equal(f->ndone, 0);
    run_for(f, all_done, 5000);
    assert_int_equal(f->nok, 1);
    assert_int_equal(f->ndone, 1);
}

static void
test_many(void **state)
{
    struct fixture *f = *state;

    for (int i = 0; i < 20; i++)
        start(f, "/ok");
    run_for(f, all_done, 5000);
    assert_int_equal(f->nok, 20);
}

static void
test_abort(void **state)
{
    struct fixture *f = *state;
    CURL *e = start(f, "/hang");

    run_for(f, all_done, 100); /* let it connect and wait */
    assert_int_equal(mg_curl_loop_count(f->cl), 1);
    f->in_call = 1;
    mg_curl_loop_abort(f->cl, e);
    f->in_call = 0;
    assert_int_equal(f->ndone, 0); /* never inside the call */
    run_for(f, all_done, 5000);
    assert_int_equal(f->naborted, 1);
    assert_int_equal(f->ndone, 1);
}

static void
test_add_from_write(void **state)
{
    struct fixture *f = *state;

    f->add_from_write = 1;
    start(f, "/ok");
    run_for(f, all_done, 5000);
    assert_int_equal(f->nok, 2);
}

static void
test_close_in_flight(void **state)
{
    struct fixture *f = *state;

    start(f, "/hang");
    start(f, "/hang");
    start(f, "/ok");
    run_for(f, all_done, 100);
    f->in_call = 1;
    mg_curl_loop_close(f->cl, on_closed, f);
    f->in_call = 0;
    assert_int_equal(f->closed, 0);
    run_for(f, is_closed, 5000);
    assert_true(f->closed);
    assert_int_equal(f->ndone, 3);
    assert_true(f->naborted >= 2);
}

/* A port on 127.0.0.1 with a socket bound to it: listening (LISTEN) with
 * a queue of one that is never accepted from, or not (connects refused). */
static int
bound_port(int *fd, int listening)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
    if (listening)
        assert_int_equal(listen(*fd, 0), 0);
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

/* Connections that never come up: refused, or stuck in progress (the
 * server's queue is full) and aborted.  curl closes some of those sockets
 * without CURLOPT_CLOSESOCKETFUNCTION, so the loop must let go of each
 * fd at CURL_POLL_REMOVE; transfers whose new sockets take the same
 * numbers then work. */
static void
test_connects_that_fail(void **state)
{
    struct fixture *f = *state;
    int refused_fd, stuck_fd, refused = bound_port(&refused_fd, 0), stuck = bound_port(&stuck_fd, 1);
    CURL *e[4];

    f->allow_fail = 1;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 4; i++)
            start_at(f, refused, "/refused");
        for (int i = 0; i < 4; i++)
            e[i] = start_at(f, stuck, "/stuck");
        run_for(f, all_done, 300);
        f->in_call = 1;
        for (int i = 0; i < 4; i++)
            mg_curl_loop_abort(f->cl, e[i]);
        f->in_call = 0;
        for (int i = 0; i < 4; i++)
            start(f, "/ok");
        run_for(f, all_done, 5000);
        assert_int_equal(mg_curl_loop_count(f->cl), 0);
    }
    assert_int_equal(f->nfailed, 12);
    assert_int_equal(f->naborted, 12);
    assert_int_equal(f->nok, 12);
    close(refused_fd);
    close(stuck_fd);
}

static int
server_conns(struct fixture *f)
{
    int n = 0;

    for (int i = 0; i < MAX_CONNS; i++)
        n += f->conns[i].used != 0;
    return n;
}

/* The server ends a kept connection between transfers: the next transfer
 * finds it dead, and curl closes it and opens another. */
static void
test_server_ends_kept_connection(void **state)
{
    struct fixture *f = *state;

    for (int round = 0; round < 3; round++) {
        start(f, "/ok");
        run_for(f, all_done, 5000);
        assert_int_equal(f->nok, round + 1);
        for (int i = 0; i < MAX_CONNS; i++)
            if (f->conns[i].used == 1) {
                f->conns[i].used = 2; /* closed here, not again at teardown */
                uv_close((uv_handle_t *)&f->conns[i].tcp, NULL);
            }
        uv_run(&f->loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(server_conns(f), 3);
}

/* The fd of a poll handle on the loop, or -1. */
static void
poll_fd(uv_handle_t *h, void *arg)
{
    if (h->type == UV_POLL && !uv_is_closing(h))
        uv_fileno(h, arg);
}

/* A transfer's socket is close-on-exec: no upstream process started
 * while it is open inherits the connection. */
static void
test_socket_close_on_exec(void **state)
{
    struct fixture *f = *state;
    uv_os_fd_t fd = -1;

    start(f, "/hang");
    run_for(f, all_done, 100);
    uv_walk(&f->loop, poll_fd, &fd);
    assert_true(fd >= 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_from_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_close_on_exec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connects_that_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_ends_kept_connection, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
