/*
 * test_http_link.c - the HTTP upstream link against real servers.
 *
 * Each test runs a real Node server on a free loopback port: the official
 * server-everything (Streamable HTTP and the legacy HTTP+SSE transport),
 * or tests/integration/fixtures/http_faults.mjs for the failures a real
 * server will not produce on demand.  The link runs on a real uv loop;
 * waits go through run_until(), which gives up at a deadline.  Every test
 * ends by stopping the link and closing the curl loop, and then
 * uv_loop_close() must succeed: no handle is left behind.
 *
 * Set HTTP_LINK_TEST_LOG=1 to see the link's logs (=debug: all of them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "config/config.h"
#include "upstream/curl_loop.h"
#include "upstream/http_link.h"
#include "upstream/http_link_impl.h"
#include "util/log.h"

#define NODE MG_SOURCE_DIR "/tests/node_modules/.bin/node"
#define EVERYTHING MG_SOURCE_DIR "/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
#define FAULTS MG_SOURCE_DIR "/tests/integration/fixtures/http_faults.mjs"
#define MAX_EVENTS 32

extern char **environ;

struct peer {
    uv_process_t proc;
    uv_pipe_t out, err;
    char text[16384];   /* stdout and stderr, as they came */
    size_t len;
    int running;
    int open;           /* handles not closed yet */
};

struct fixture {
    uv_loop_t loop;
    uv_timer_t deadline;
    int expired;
    struct mg_curl_loop *cl;
    struct mg_http_link *l;
    struct peer peer;
    int port;
    char url[256];
    json_t *msgs;       /* every message from the link, in order */
    enum mg_http_link_event events[MAX_EVENTS];
    char whys[MAX_EVENTS][300];
    int nevents;
    int stopped, cl_closed;
    int stop_in_callback;   /* the next message stops the link from on_message */
    int reset_in_callback;  /* ... or resets it */
};

/* --- the loop ---------------------------------------------------------------------- */

static void
on_deadline(uv_timer_t *t)
{
    struct fixture *f = t->data;

    f->expired = 1;
}

/* Run the loop until COND(F, ARG) holds or TIMEOUT_MS pass; returns COND.
 * Every recording callback calls uv_stop(), or UV_RUN_ONCE would go on to
 * poll until the deadline after the event that made COND true. */
static int
run_until(struct fixture *f, int (*cond)(struct fixture *, const void *), const void *arg, unsigned timeout_ms)
{
    f->expired = 0;
    uv_timer_start(&f->deadline, on_deadline, timeout_ms, 0);
    while (!cond(f, arg) && !f->expired)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_timer_stop(&f->deadline);
    return cond(f, arg);
}

/* --- the server --------------------------------------------------------------------- */

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char chunk[4096];

    *buf = uv_buf_init(chunk, sizeof(chunk));
}

static void
on_peer_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct peer *p = s->data;

    if (n > 0) {
        size_t k = (size_t)n < sizeof(p->text) - 1 - p->len ? (size_t)n : sizeof(p->text) - 1 - p->len;
        memcpy(p->text + p->len, buf->base, k);
        p->len += k;
        p->text[p->len] = '\0';
        uv_stop(s->loop);
        if (getenv("HTTP_LINK_TEST_LOG"))
            fprintf(stderr, "%.*s", (int)n, buf->base);
    } else if (n < 0) {
        uv_read_stop(s);
    }
}

static void
on_peer_closed(uv_handle_t *h)
{
    struct peer *p = h->data;

    p->open--;
    uv_stop(p->proc.loop);
}

static void
on_peer_exit(uv_process_t *proc, int64_t status, int sig)
{
    struct peer *p = proc->data;

    p->running = 0;
    uv_stop(proc->loop);
}

static int
peer_said(struct fixture *f, const void *needle)
{
    return strstr(f->peer.text, needle) != NULL || !f->peer.running;
}

/* A port nobody listens on right now. */
static int
free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Run node SCRIPT MODE (PORT in its environment when > 0) until it says
 * NEEDLE. */
static void
peer_start(struct fixture *f, const char *script, const char *mode, int port, const char *needle)
{
    struct peer *p = &f->peer;
    char *args[] = {NODE, (char *)script, (char *)mode, NULL};
    uv_stdio_container_t stdio[3];
    uv_process_options_t o = {0};
    char portvar[32], **env;
    size_t n = 0;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + 2, sizeof(*env));
    memcpy(env, environ, n * sizeof(*env));
    snprintf(portvar, sizeof(portvar), "PORT=%d", port);
    if (port > 0)
        env[n] = portvar;
    uv_pipe_init(&f->loop, &p->out, 0);
    uv_pipe_init(&f->loop, &p->err, 0);
    p->out.data = p->err.data = p->proc.data = p;
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&p->out;
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&p->err;
    o.file = NODE;
    o.args = args;
    o.env = env;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_peer_exit;
    assert_int_equal(uv_spawn(&f->loop, &p->proc, &o), 0);
    free(env);
    p->running = 1;
    p->open = 3;
    uv_read_start((uv_stream_t *)&p->out, alloc_cb, on_peer_read);
    uv_read_start((uv_stream_t *)&p->err, alloc_cb, on_peer_read);
    if (!run_until(f, peer_said, needle, 20000) || !p->running)
        fail_msg("the server did not start: %s", p->text);
    if (port == 0) {
        const char *at = strstr(p->text, "PORT ");
        assert_non_null(at);
        port = atoi(at + 5);
    }
    f->port = port;
}

static int
peer_gone(struct fixture *f, const void *arg)
{
    return f->peer.open == 0;
}

static void
peer_stop(struct fixture *f)
{
    struct peer *p = &f->peer;

    if (p->open == 0)
        return;
    if (p->running)
        uv_process_kill(&p->proc, SIGTERM);
    while (p->running)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&p->proc, on_peer_closed);
    uv_close((uv_handle_t *)&p->out, on_peer_closed);
    uv_close((uv_handle_t *)&p->err, on_peer_closed);
    assert_true(run_until(f, peer_gone, NULL, 5000));
}

/* --- the link -------------------------------------------------------------------------- */

static void on_stopped(void *ctx);

static void
rec_message(void *ctx, const char *text, size_t len)
{
    struct fixture *f = ctx;
    json_t *m = json_loadb(text, len, 0, NULL);

    assert_non_null(m);
    json_array_append_new(f->msgs, m);
    uv_stop(&f->loop); /* let run_until look, rather than poll on */
    /* Inside curl's write callback: the link must defer what curl forbids. */
    if (f->stop_in_callback) {
        f->stop_in_callback = 0;
        mg_http_link_stop(f->l, on_stopped, f);
    }
    if (f->reset_in_callback) {
        f->reset_in_callback = 0;
        mg_http_link_reset(f->l);
    }
}

static void
rec_state(void *ctx, enum mg_http_link_event ev, const char *why)
{
    struct fixture *f = ctx;

    assert_true(f->nevents < MAX_EVENTS);
    f->events[f->nevents] = ev;
    snprintf(f->whys[f->nevents], sizeof(f->whys[0]), "%s", why);
    f->nevents++;
    uv_stop(&f->loop);
}

static void
link_start(struct fixture *f, const char *path, int transport, size_t max)
{
    static const char *const keys[] = {"X-Test"}, *const values[] = {"yes"};
    struct mg_http_link_opts o = {
        .name = "docs",
        .url = f->url,
        .transport = transport,
        .header_keys = keys,
        .header_values = values,
        .nheaders = 1,
        .max_message = max,
        .connect_timeout_ms = 5000,
        .on_message = rec_message,
        .on_state = rec_state,
        .ctx = f,
    };

    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d%s", f->port, path);
    f->l = mg_http_link_start(f->cl, &o);
    assert_non_null(f->l);
}

static int
has_event(struct fixture *f, const void *arg)
{
    const int *want = arg; /* {event, nth} */
    int seen = 0;

    for (int i = 0; i < f->nevents; i++)
        if ((int)f->events[i] == want[0] && seen++ == want[1])
            return 1;
    return 0;
}

/* Wait for the NTH (from 0) report of EV; returns its why. */
static const char *
wait_event(struct fixture *f, enum mg_http_link_event ev, int nth, unsigned ms)
{
    int want[2] = {ev, nth}, seen = 0;

    if (!run_until(f, has_event, want, ms))
        fail_msg("no %s #%d", ev == MG_HTTP_LINK_UP ? "UP" : "DOWN", nth);
    for (int i = 0; i < f->nevents; i++)
        if (f->events[i] == ev && seen++ == nth)
            return f->whys[i];
    return NULL;
}

static json_t *
find_reply(struct fixture *f, int id)
{
    size_t i;
    json_t *m;

    json_array_foreach (f->msgs, i, m)
        if (json_integer_value(json_object_get(m, "id")) == id && json_object_get(m, "method") == NULL)
            return m;
    return NULL;
}

static int
has_reply(struct fixture *f, const void *arg)
{
    return find_reply(f, *(const int *)arg) != NULL;
}

/* Wait for the answer to request ID (borrowed). */
static json_t *
wait_reply(struct fixture *f, int id, unsigned ms)
{
    if (!run_until(f, has_reply, &id, ms))
        fail_msg("no answer to request %d", id);
    return find_reply(f, id);
}

/* Member KEY of the result of REPLY (borrowed), or NULL. */
static json_t *
result_get(json_t *reply, const char *key)
{
    return json_object_get(json_object_get(reply, "result"), key);
}

/* The error message of the answer to ID, or NULL if it succeeded. */
static const char *
error_of(json_t *reply)
{
    return json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
}

static void
sendf(struct fixture *f, const char *text)
{
    assert_int_equal(mg_http_link_send(f->l, text, strlen(text)), 0);
}

/* tools/call NAME without arguments as request ID; its answer (borrowed). */
static json_t *
call_tool(struct fixture *f, int id, const char *name)
{
    char text[200];

    snprintf(text, sizeof(text),
             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\"}}", id, name);
    sendf(f, text);
    return wait_reply(f, id, 5000);
}

static void
initialize(struct fixture *f, int id)
{
    char text[300];
    json_t *r;

    snprintf(text, sizeof(text),
             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
             "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}",
             id);
    sendf(f, text);
    r = wait_reply(f, id, 10000);
    if (error_of(r) != NULL)
        fail_msg("initialize failed: %s", error_of(r));
    mg_http_link_set_protocol_version(
        f->l, json_string_value(result_get(r, "protocolVersion")));
    sendf(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

/* --- setup and teardown ------------------------------------------------------------------- */

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!getenv("HTTP_LINK_TEST_LOG"))
        mg_log_threshold = MG_LOG_NONE;
    else if (strcmp(getenv("HTTP_LINK_TEST_LOG"), "debug") == 0)
        mg_log_threshold = MG_LOG_DEBUG;
    alarm(60);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    uv_timer_init(&f->loop, &f->deadline);
    f->deadline.data = f;
    f->cl = mg_curl_loop_new(&f->loop);
    assert_non_null(f->cl);
    f->msgs = json_array();
    *state = f;
    return 0;
}

static void
on_stopped(void *ctx)
{
    struct fixture *f = ctx;

    f->stopped = 1;
    uv_stop(&f->loop);
}

static void
on_cl_closed(void *ctx)
{
    struct fixture *f = ctx;

    f->cl_closed = 1;
    uv_stop(&f->loop);
}

static int
is_stopped(struct fixture *f, const void *arg)
{
    return f->stopped;
}

static int
is_cl_closed(struct fixture *f, const void *arg)
{
    return f->cl_closed;
}

static void
link_stop(struct fixture *f)
{
    int nevents = f->nevents;

    mg_http_link_stop(f->l, on_stopped, f);
    assert_true(run_until(f, is_stopped, NULL, 5000));
    assert_int_equal(f->nevents, nevents); /* nothing after stop */
    mg_http_link_free(f->l);
    f->l = NULL;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    if (f->l != NULL)
        link_stop(f);
    mg_curl_loop_close(f->cl, on_cl_closed, f);
    assert_true(run_until(f, is_cl_closed, NULL, 5000));
    peer_stop(f);
    uv_close((uv_handle_t *)&f->deadline, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    json_decref(f->msgs);
    free(f);
    alarm(0);
    return 0;
}

/* --- tests ----------------------------------------------------------------------------------- */

/* The fault fixture, and a link to its PATH that is UP. */
static void
faults_up(struct fixture *f, const char *path, int transport, size_t max)
{
    peer_start(f, FAULTS, "", 0, "PORT ");
    link_start(f, path, transport, max);
    wait_event(f, MG_HTTP_LINK_UP, 0, 5000);
}

static int
has_log_message(struct fixture *f, const void *arg)
{
    size_t i;
    json_t *m;

    json_array_foreach (f->msgs, i, m)
        if (json_is_string(json_object_get(m, "method")) &&
            strcmp(json_string_value(json_object_get(m, "method")), "notifications/message") == 0)
            return 1;
    return 0;
}

static void
test_streamable_everything(void **state)
{
    struct fixture *f = *state;
    json_t *r;
    char *session;

    peer_start(f, EVERYTHING, "streamableHttp", free_port(), "listening on port");
    link_start(f, "/mcp", MG_CONFIG_TRANSPORT_AUTO, 0);
    wait_event(f, MG_HTTP_LINK_UP, 0, 2000);
    initialize(f, 1);
    assert_non_null(f->l->session_id);
    session = strdup(f->l->session_id);
    /* server-everything answers 400 to a POST without its session. */
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    r = wait_reply(f, 2, 10000);
    assert_null(error_of(r));
    assert_true(json_array_size(result_get(r, "tools")) > 5);
    assert_string_equal(f->l->session_id, session);
    assert_int_equal(f->l->legacy, 0);
    /* Logging goes to the standalone GET stream, opened after initialized. */
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
             "\"toggle-simulated-logging\",\"arguments\":{}}}");
    assert_null(error_of(wait_reply(f, 3, 10000)));
    assert_true(run_until(f, has_log_message, NULL, 12000));
    assert_non_null(f->l->stream);
    assert_int_equal(f->l->stream->kind, XFER_GET);
    /* A modern request: routing headers must not upset a legacy server. */
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":"
             "{\"message\":\"h\\u00e9\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\"}}}");
    assert_null(error_of(wait_reply(f, 4, 10000)));
    assert_int_equal(f->nevents, 1);
    free(session);
}

static void
test_sse_everything(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    peer_start(f, EVERYTHING, "sse", free_port(), "running on port");
    link_start(f, "/sse", MG_CONFIG_TRANSPORT_SSE, 0);
    assert_int_equal(mg_http_link_send(f->l, "{}", 2), -1); /* not up before the endpoint */
    wait_event(f, MG_HTTP_LINK_UP, 0, 5000);
    assert_non_null(f->l->endpoint);
    initialize(f, 1);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    r = wait_reply(f, 2, 10000);
    assert_true(json_array_size(result_get(r, "tools")) > 5);
}

static void
test_auto_falls_back(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    peer_start(f, EVERYTHING, "sse", free_port(), "running on port");
    link_start(f, "/sse", MG_CONFIG_TRANSPORT_AUTO, 0);
    wait_event(f, MG_HTTP_LINK_UP, 0, 2000);
    /* POST /sse gets 404; the initialize goes again over HTTP+SSE. */
    initialize(f, 1);
    assert_int_equal(f->l->legacy, 1);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    r = wait_reply(f, 2, 10000);
    assert_null(error_of(r));
    assert_int_equal(f->nevents, 1); /* the owner saw nothing of it */
}

static void
test_http_500(void **state)
{
    struct fixture *f = *state;
    char want[400];

    faults_up(f, "/500", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{}}");
    snprintf(want, sizeof(want), "upstream docs: HTTP 500 from %s: Internal Server Error", f->url);
    assert_string_equal(error_of(wait_reply(f, 7, 5000)), want);
    /* A notification has nobody to tell; a batch answers each request. */
    sendf(f, "[{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]");
    assert_string_equal(error_of(wait_reply(f, 9, 5000)), want);
    assert_string_equal(error_of(wait_reply(f, 8, 5000)), want);
}

/* A 4xx carrying a JSON-RPC error comes from a Streamable HTTP server:
 * no fallback, and the server's error reaches the owner as it is. */
static void
test_jsonrpc_error_body(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    faults_up(f, "/modern", MG_CONFIG_TRANSPORT_AUTO, 0);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{}}");
    r = wait_reply(f, 5, 5000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "error"), "code")), -32022);
    assert_non_null(json_object_get(json_object_get(r, "error"), "data"));
    assert_int_equal(f->l->legacy, 0);
    assert_int_equal(json_array_size(f->msgs), 1); /* answered once */
}

static void
test_accepted_request(void **state)
{
    struct fixture *f = *state;
    const char *e;

    faults_up(f, "/accept", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    e = error_of(call_tool(f, 1, "x"));
    assert_non_null(e);
    assert_non_null(strstr(e, "HTTP 202 from"));
    assert_int_equal(json_array_size(f->msgs), 1); /* nothing for the notification */
}

static void
test_refused(void **state)
{
    struct fixture *f = *state;
    const char *e;

    f->port = free_port();
    link_start(f, "/mcp", MG_CONFIG_TRANSPORT_AUTO, 0);
    wait_event(f, MG_HTTP_LINK_UP, 0, 2000);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    e = error_of(wait_reply(f, 1, 5000));
    assert_non_null(e);
    assert_non_null(strstr(e, "upstream docs: http://127.0.0.1:"));
    assert_non_null(strstr(e, "onnect"));
}

static void
test_cross_origin_endpoint(void **state)
{
    struct fixture *f = *state;
    const char *why;

    peer_start(f, FAULTS, "", 0, "PORT ");
    link_start(f, "/cross", MG_CONFIG_TRANSPORT_SSE, 0);
    why = wait_event(f, MG_HTTP_LINK_DOWN, 0, 5000);
    assert_non_null(strstr(why, "refused its endpoint http://127.0.0.1:1/message"));
    assert_non_null(strstr(why, "not on the origin"));
    assert_null(f->l->endpoint);
    assert_int_equal(mg_http_link_send(f->l, "{}", 2), -1);
    for (int i = 0; i < f->nevents; i++)
        assert_int_equal(f->events[i], MG_HTTP_LINK_DOWN);
}

/* Read the fixture's counters with a plain blocking GET (test code). */
static long
fixture_stat(struct fixture *f, const char *key)
{
    char url[128], body[256] = "";
    CURL *e = curl_easy_init();
    FILE *mem = fmemopen(body, sizeof(body) - 1, "w");
    json_t *j;
    long v;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/stats", f->port);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, mem);
    assert_int_equal(curl_easy_perform(e), CURLE_OK);
    curl_easy_cleanup(e);
    fclose(mem);
    j = json_loads(body, 0, NULL);
    assert_non_null(j);
    v = (long)json_integer_value(json_object_get(j, key));
    json_decref(j);
    return v;
}

static void
test_resume_after_drop(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    faults_up(f, "/drop", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    initialize(f, 1);
    /* The stream is cut after event e1; GET with Last-Event-ID: e1 answers. */
    r = call_tool(f, 2, "x");
    assert_null(error_of(r));
    assert_true(json_is_true(result_get(r, "resumed")));
    assert_int_equal(fixture_stat(f, "resumes"), 1);
}

static void
test_session_expired(void **state)
{
    struct fixture *f = *state;
    json_t *r;
    const char *e;

    faults_up(f, "/expire", MG_CONFIG_TRANSPORT_AUTO, 0);
    initialize(f, 1);
    assert_string_equal(f->l->session_id, "s1");
    r = call_tool(f, 2, "forget");
    assert_string_equal(json_string_value(result_get(r, "session")), "s1");
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
    e = error_of(wait_reply(f, 3, 5000));
    assert_non_null(e);
    assert_non_null(strstr(e, "session expired"));
    assert_non_null(strstr(e, "HTTP 404"));
    assert_string_equal(wait_event(f, MG_HTTP_LINK_DOWN, 0, 2000), "session expired");
    wait_event(f, MG_HTTP_LINK_UP, 1, 2000);
    assert_null(f->l->session_id);
    initialize(f, 4);
    assert_string_equal(f->l->session_id, "s2");
    /* Stop ends the session with DELETE. */
    link_stop(f);
    assert_int_equal(fixture_stat(f, "deletes"), 1);
}

static void
test_modern_headers(void **state)
{
    struct fixture *f = *state;
    json_t *r, *h;

    faults_up(f, "/expire", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    initialize(f, 1);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"caf\u00e9\","
             "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
    r = wait_reply(f, 2, 5000);
    h = result_get(r, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-protocol-version")), "2026-07-28");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-method")), "tools/call");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-name")), "=?base64?Y2Fmw6k=?=");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-session-id")), "s1");
    assert_string_equal(json_string_value(json_object_get(h, "x-test")), "yes");
    /* The tasks extension's methods name their task. */
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"t-1\","
             "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
    h = result_get(wait_reply(f, 4, 5000), "headers");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-method")), "tasks/get");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-name")), "t-1");
    /* Without the _meta version: the negotiated one, no routing headers. */
    r = call_tool(f, 3, "x");
    h = result_get(r, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "mcp-protocol-version")), "2025-11-25");
    assert_null(json_object_get(h, "mcp-method"));
}

static void
test_legacy_stream_lost(void **state)
{
    struct fixture *f = *state;
    json_t *r;

    faults_up(f, "/legacy", MG_CONFIG_TRANSPORT_SSE, 0);
    initialize(f, 1);
    r = call_tool(f, 2, "drop");
    assert_int_equal(json_integer_value(result_get(r, "stream")), 1);
    /* The stream was the session: DOWN, then UP on a new stream. */
    assert_string_equal(wait_event(f, MG_HTTP_LINK_DOWN, 0, 5000), "the HTTP+SSE stream ended");
    wait_event(f, MG_HTTP_LINK_UP, 1, 5000);
    initialize(f, 3);
    r = call_tool(f, 4, "x");
    assert_int_equal(json_integer_value(result_get(r, "stream")), 2);
}

static void
test_stop_from_callback(void **state)
{
    struct fixture *f = *state;

    faults_up(f, "/legacy", MG_CONFIG_TRANSPORT_SSE, 0);
    f->stop_in_callback = 1;
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    assert_true(run_until(f, is_stopped, NULL, 5000));
    assert_int_equal(json_array_size(f->msgs), 1);
    mg_http_link_free(f->l);
    f->l = NULL;
}

static void
test_reset_from_callback(void **state)
{
    struct fixture *f = *state;

    faults_up(f, "/drop", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    initialize(f, 1);
    f->reset_in_callback = 1;
    call_tool(f, 2, "x"); /* answered on a resumed event stream */
    wait_event(f, MG_HTTP_LINK_DOWN, 0, 2000);
    wait_event(f, MG_HTTP_LINK_UP, 1, 2000);
    initialize(f, 3);
    assert_string_equal(f->l->session_id, "s2");
    /* The initialize answer is a JSON body, handed on from the exchange's
     * DONE: a reset there aborts the exchange that is ending. */
    f->reset_in_callback = 1;
    initialize(f, 4);
    wait_event(f, MG_HTTP_LINK_DOWN, 1, 2000);
    wait_event(f, MG_HTTP_LINK_UP, 2, 2000);
    initialize(f, 5);
    assert_string_equal(f->l->session_id, "s4");
}

static void
test_reset(void **state)
{
    struct fixture *f = *state;

    faults_up(f, "/expire", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 0);
    initialize(f, 1);
    mg_http_link_reset(f->l);
    assert_int_equal(mg_http_link_send(f->l, "{}", 2), -1); /* down at once */
    wait_event(f, MG_HTTP_LINK_DOWN, 0, 2000);
    wait_event(f, MG_HTTP_LINK_UP, 1, 2000);
    initialize(f, 2);
    assert_string_equal(f->l->session_id, "s2");
    assert_int_equal(fixture_stat(f, "deletes"), 1);
}

static void
test_too_big(void **state)
{
    struct fixture *f = *state;
    const char *e;

    faults_up(f, "/big", MG_CONFIG_TRANSPORT_STREAMABLE_HTTP, 4096);
    sendf(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}");
    e = error_of(wait_reply(f, 1, 5000));
    assert_non_null(e);
    assert_non_null(strstr(e, "a message of more than 4096 bytes"));
}

/* Header values: plain when they can be, base64 when not, and when a
 * plain value would read as the base64 wrapping itself. */
static void
test_header_values(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"us-west1", "us-west1"},
        {"us west 1", "us west 1"},
        {" padded", "=?base64?IHBhZGRlZA==?="},
        {"Hello, \xe4\xb8\x96", "=?base64?SGVsbG8sIOS4lg==?="},
        {"line1\nline2", "=?base64?bGluZTEKbGluZTI=?="},
        {"=?base64?aGk=?=", "=?base64?PT9iYXNlNjQ/YUdrPT89?="},
        {"=?base64?", "=?base64?"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = mg_http_link__header_safe(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_values),
        cmocka_unit_test_setup_teardown(test_streamable_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sse_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_500, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonrpc_error_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accepted_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_origin_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_stream_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
