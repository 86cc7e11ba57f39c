/*
 * test_child.c - the upstream child supervisor, with real processes.
 *
 * Every test drives a real uv loop and real children (sh, cat, sleep).
 * Waits go through run_until(), which gives up at a deadline timer, and
 * an alarm() per test kills the run if something blocks outside the loop.
 * Logs (stderr) are captured in a temporary file so tests can look for
 * lines in them; set CHILD_TEST_LOG=1 to see them instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "upstream/child.h"
#include "util/log.h"

#define MAX_EVENTS 64
#define MAX_LINES 1024

struct rec {
    struct fixture *f;
    struct mg_child *c;
    enum mg_child_state states[MAX_EVENTS];
    char whys[MAX_EVENTS][512];
    uint64_t state_at[MAX_EVENTS]; /* uv_hrtime, ns */
    int nstates;
    char *lines[MAX_LINES];
    int nlines;
    int done;
};

struct fixture {
    uv_loop_t loop;
    uv_timer_t deadline;
    int expired;
    char log_path[64];
    int saved_stderr; /* -1 when logs are not captured */
    struct rec r;
};

/* --- recording callbacks ----------------------------------------------------- */

/* Let run_until look at what just happened: without this, uv_run
 * (UV_RUN_ONCE) goes on to poll and sleeps until the next event. */
static void
wake(struct rec *r)
{
    uv_stop(&r->f->loop);
}

static void
rec_line(void *ctx, const char *line, size_t len)
{
    struct rec *r = ctx;

    if (r->nlines < MAX_LINES)
        r->lines[r->nlines++] = strndup(line, len);
    wake(r);
}

static void
rec_state(void *ctx, enum mg_child_state state, const char *why)
{
    struct rec *r = ctx;

    if (r->nstates < MAX_EVENTS) {
        r->states[r->nstates] = state;
        snprintf(r->whys[r->nstates], sizeof(r->whys[0]), "%s", why);
        r->state_at[r->nstates] = uv_hrtime();
        r->nstates++;
    }
    wake(r);
}

static void
rec_done(void *ctx)
{
    struct rec *r = ctx;

    r->done = 1;
    wake(r);
}

static void
rec_clear(struct rec *r)
{
    for (int i = 0; i < r->nlines; i++)
        free(r->lines[i]);
    r->nlines = 0;
    r->nstates = 0;
}

static int
count_state(const struct rec *r, enum mg_child_state s)
{
    int n = 0;

    for (int i = 0; i < r->nstates; i++)
        n += r->states[i] == s;
    return n;
}

/* The WHY of the Nth report of state S (from 0), or NULL. */
static const char *
nth_why(const struct rec *r, enum mg_child_state s, int nth)
{
    for (int i = 0; i < r->nstates; i++)
        if (r->states[i] == s && nth-- == 0)
            return r->whys[i];
    return NULL;
}

/* --- running the loop -------------------------------------------------------- */

static void
on_deadline(uv_timer_t *t)
{
    struct fixture *f = t->data;

    f->expired = 1;
}

/* Run the loop until COND(ARG) holds (1) or TIMEOUT_MS pass (0). */
static int
run_until(struct fixture *f, int (*cond)(void *), void *arg, unsigned timeout_ms)
{
    f->expired = 0;
    uv_timer_start(&f->deadline, on_deadline, timeout_ms, 0);
    while (!cond(arg) && !f->expired)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_timer_stop(&f->deadline);
    return cond(arg);
}

static int
never(void *arg)
{
    (void)arg;
    return 0;
}

static void
run_for(struct fixture *f, unsigned ms)
{
    run_until(f, never, NULL, ms);
}

struct want {
    struct rec *r;
    enum mg_child_state state;
    int n;
};

static int
has_states(void *arg)
{
    struct want *w = arg;

    return count_state(w->r, w->state) >= w->n;
}

static int
wait_state(struct fixture *f, struct rec *r, enum mg_child_state s, int n, unsigned timeout_ms)
{
    struct want w = {r, s, n};

    return run_until(f, has_states, &w, timeout_ms);
}

static int
has_lines(void *arg)
{
    struct want *w = arg;

    return w->r->nlines >= w->n;
}

static int
wait_lines(struct fixture *f, struct rec *r, int n, unsigned timeout_ms)
{
    struct want w = {r, 0, n};

    return run_until(f, has_lines, &w, timeout_ms);
}

static int
is_done(void *arg)
{
    return ((struct rec *)arg)->done;
}

static uint64_t
ms_since(uint64_t t0)
{
    return (uv_hrtime() - t0) / 1000000;
}

/* --- logs and processes ------------------------------------------------------ */

static char *
read_log(struct fixture *f)
{
    static char buf[1 << 20];
    int fd;
    ssize_t n;

    fflush(stderr);
    buf[0] = '\0';
    if (f->saved_stderr < 0)
        return buf;
    fd = open(f->log_path, O_RDONLY);
    if (fd < 0)
        return buf;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

struct log_want {
    struct fixture *f;
    const char *needle;
};

static int
log_has(void *arg)
{
    struct log_want *w = arg;

    return strstr(read_log(w->f), w->needle) != NULL;
}

/* Wait until the log holds NEEDLE; always true when logs are not captured. */
static int
wait_log(struct fixture *f, const char *needle, unsigned timeout_ms)
{
    struct log_want w = {f, needle};

    if (f->saved_stderr < 0)
        return 1;
    return run_until(f, log_has, &w, timeout_ms);
}

static int
in_log(struct fixture *f, const char *needle)
{
    return f->saved_stderr < 0 || strstr(read_log(f), needle) != NULL;
}

/* PID no longer runs: gone, or a zombie waiting for its new parent. */
static int
process_gone(pid_t pid)
{
    char path[64], stat[512];
    int fd;
    ssize_t n;
    const char *p;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    n = read(fd, stat, sizeof(stat) - 1);
    close(fd);
    if (n <= 0)
        return 1;
    stat[n] = '\0';
    p = strrchr(stat, ')');
    return p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static int
wait_gone(pid_t pid, unsigned timeout_ms)
{
    struct timespec ts = {0, 10 * 1000 * 1000};

    for (unsigned waited = 0; waited < timeout_ms; waited += 10) {
        if (process_gone(pid))
            return 1;
        nanosleep(&ts, NULL);
    }
    return process_gone(pid);
}

/* No child of ours is left, not even a zombie. */
static void
assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* --- fixture ----------------------------------------------------------------- */

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    alarm(30);
    uv_loop_init(&f->loop);
    uv_timer_init(&f->loop, &f->deadline);
    f->deadline.data = f;
    f->r.f = f;
    f->saved_stderr = -1;
    if (getenv("CHILD_TEST_LOG") == NULL) {
        int fd;

        snprintf(f->log_path, sizeof(f->log_path), "/tmp/test_child.XXXXXX");
        fd = mkstemp(f->log_path);
        assert_true(fd >= 0);
        fflush(stderr);
        f->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3); /* not for the children */
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    mg_log_threshold = MG_LOG_DEBUG;
    *state = f;
    return 0;
}

/* Stop R's child if it is still there, and free it. */
static void
finish(struct fixture *f, struct rec *r)
{
    if (r->c == NULL)
        return;
    if (mg_child_get_state(r->c) != MG_CHILD_STOPPED) {
        r->done = 0;
        mg_child_stop(r->c, rec_done, r);
        assert_true(run_until(f, is_done, r, 5000));
    }
    mg_child_free(r->c);
    r->c = NULL;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    finish(f, &f->r);
    rec_clear(&f->r);
    uv_close((uv_handle_t *)&f->deadline, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    /* Every handle of every child was closed. */
    assert_int_equal(uv_loop_close(&f->loop), 0);
    assert_int_equal(mg_child_live_count(), 0);
    assert_no_children();
    if (f->saved_stderr >= 0) {
        fflush(stderr);
        dup2(f->saved_stderr, STDERR_FILENO);
        close(f->saved_stderr);
        unlink(f->log_path);
    }
    mg_log_threshold = MG_LOG_INFO;
    alarm(0);
    free(f);
    return 0;
}

static struct mg_child_opts
opts_for(struct rec *r, const char *name, const char *command)
{
    struct mg_child_opts o;

    memset(&o, 0, sizeof(o));
    o.name = name;
    o.command = command;
    o.on_line = rec_line;
    o.on_state = rec_state;
    o.ctx = r;
    o.grace_ms = 150;
    o.backoff_min_ms = 20;
    o.backoff_max_ms = 80;
    return o;
}

/* Start `sh -c SCRIPT`. */
static struct mg_child *
start_sh(struct fixture *f, struct mg_child_opts *o, const char *script)
{
    static const char *args[2];

    args[0] = "-c";
    args[1] = script;
    o->args = args;
    o->nargs = 2;
    return mg_child_start(&f->loop, o);
}

/* --- tests ------------------------------------------------------------------- */

static void
test_echo_round_trip(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "echo", "cat");
    char line[64];

    r->c = mg_child_start(&f->loop, &o);
    assert_non_null(r->c);
    /* Nothing runs before the loop does. */
    assert_int_equal(r->nstates, 0);
    assert_int_equal(mg_child_pid(r->c), 0);
    assert_int_equal(mg_child_send(r->c, "early", 5), UV_EPIPE);

    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 1, 3000));
    assert_int_equal(r->states[0], MG_CHILD_STARTING);
    assert_int_equal(r->states[1], MG_CHILD_RUNNING);
    assert_true(mg_child_pid(r->c) > 0);
    /* A process group of its own, so signals reach grandchildren. */
    assert_int_equal(getpgid(mg_child_pid(r->c)), mg_child_pid(r->c));

    assert_int_equal(mg_child_send(r->c, "hello", 5), 0);
    assert_int_equal(mg_child_send(r->c, "", 0), 0);       /* blank lines are skipped */
    assert_int_equal(mg_child_send(r->c, " \t ", 3), 0);
    assert_int_equal(mg_child_send(r->c, "world\r", 6), 0); /* "\r\n" comes back */
    assert_int_equal(mg_child_send(r->c, "{\"jsonrpc\":\"2.0\"}", 17), 0);
    assert_int_equal(mg_child_send(r->c, "a\nb", 3), UV_EINVAL);
    for (int i = 0; i < 500; i++) {
        int n = snprintf(line, sizeof(line), "line %d", i);
        assert_int_equal(mg_child_send(r->c, line, (size_t)n), 0);
    }
    assert_true(wait_lines(f, r, 503, 5000));
    assert_int_equal(r->nlines, 503);
    assert_string_equal(r->lines[0], "hello");
    assert_string_equal(r->lines[1], "world");
    assert_string_equal(r->lines[2], "{\"jsonrpc\":\"2.0\"}");
    for (int i = 0; i < 500; i++) {
        snprintf(line, sizeof(line), "line %d", i);
        assert_string_equal(r->lines[3 + i], line);
    }
}

/* A descriptor the gateway opened without close-on-exec (as libraries
 * do) does not reach the child. */
static void
test_no_descriptor_inherited(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "fds", "sh");
    char script[160];
    int fd = open("/dev/null", O_RDONLY);

    assert_true(fd > 2);
    snprintf(script, sizeof(script), "[ -e /proc/$$/fd/%d ] && echo inherited || echo clean", fd);
    r->c = start_sh(f, &o, script);
    assert_true(wait_lines(f, r, 1, 3000));
    assert_string_equal(r->lines[0], "clean");
    close(fd);
}

/* A turn's lines larger than the pipe takes at once: the rest is written
 * later, and lines sent meanwhile follow it, in order. */
static void
test_writes_larger_than_the_pipe(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "counter", "sh");
    static char big[300000];

    o.max_queue = 4u << 20;
    r->c = start_sh(f, &o, "while IFS= read -r l; do echo ${#l}; done");
    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 1, 3000));
    memset(big, 'b', sizeof(big));
    assert_int_equal(mg_child_send(r->c, big, sizeof(big)), 0);
    assert_int_equal(mg_child_send(r->c, "tail", 4), 0);
    /* One turn writes what the pipe takes and queues the rest. */
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(mg_child_send(r->c, big, 200000), 0);
    assert_int_equal(mg_child_send(r->c, "end", 3), 0);
    assert_true(wait_lines(f, r, 4, 5000));
    assert_string_equal(r->lines[0], "300000");
    assert_string_equal(r->lines[1], "4");
    assert_string_equal(r->lines[2], "200000");
    assert_string_equal(r->lines[3], "3");
}

static void
test_lines_split_across_writes(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "split", "sh");

    o.max_restarts_per_min = 1;
    r->c = start_sh(f, &o, "printf 'par'; sleep 0.1; printf 'tial\\r'; sleep 0.1; printf '\\n{\"a\":1}\\n\\n\\r\\n'; "
                           "printf 'last'");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    /* The child exited; what it wrote before is still read, to the end
     * (a last line without "\n" included), before the backoff. */
    assert_int_equal(r->nlines, 3);
    assert_string_equal(r->lines[0], "partial");
    assert_string_equal(r->lines[1], "{\"a\":1}");
    assert_string_equal(r->lines[2], "last");
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 0), "exited with code 0"));
}

static void
test_stderr_logged_and_cut(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "errsrv", "sh");
    char big[1100];

    r->c = start_sh(f, &o,
                    "echo 'starting up' >&2; head -c 3000 /dev/zero | tr '\\0' x >&2; echo >&2; "
                    "printf 'tail\\r\\n' >&2; echo ready; exec sleep 10");
    assert_true(wait_lines(f, r, 1, 3000));
    assert_true(wait_log(f, "upstream errsrv: tail\n", 3000));
    assert_true(in_log(f, "upstream errsrv: starting up\n"));
    /* The 3000-byte line is logged cut at MG_MAX_CHILD_STDERR_LINE. */
    assert_true(in_log(f, "... (1976 more bytes cut)"));
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(f->saved_stderr >= 0 && strstr(read_log(f), big) != NULL);
    /* stderr never reaches on_line. */
    assert_int_equal(r->nlines, 1);
    assert_string_equal(r->lines[0], "ready");
}

static void
test_long_stdout_line_dropped(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "long", "sh");

    o.max_line = 100;
    r->c = start_sh(f, &o,
                    "head -c 5000 /dev/zero | tr '\\0' a; echo; printf '%0100d\\r\\n' 0; printf '%0101d\\n' 0; "
                    "echo after; exec sleep 10");
    assert_true(wait_lines(f, r, 2, 3000));
    run_for(f, 50);
    /* Exactly the limit passes ("\r\n" not counted); one more byte does not. */
    assert_int_equal(r->nlines, 2);
    assert_int_equal(strlen(r->lines[0]), 100);
    assert_int_equal(strspn(r->lines[0], "0"), 100);
    assert_string_equal(r->lines[1], "after");
    assert_true(in_log(f, "upstream long: dropped a 5000-byte line from stdout (the limit is 100 bytes)"));
    assert_true(in_log(f, "upstream long: dropped a 101-byte line from stdout"));
    assert_int_equal(count_state(r, MG_CHILD_RUNNING), 1);
}

static void
test_crash_backoff_then_failed(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "crashy", "sh");
    int nstates;

    o.max_restarts_per_min = 3;
    r->c = start_sh(f, &o, "exit 3");
    assert_true(wait_state(f, r, MG_CHILD_FAILED, 1, 5000));
    /* The first spawn and three restarts, then no more. */
    assert_int_equal(count_state(r, MG_CHILD_RUNNING), 4);
    assert_int_equal(count_state(r, MG_CHILD_BACKOFF), 3);
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 0), "exited with code 3; restarting in"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 0), "(attempt 1)"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 2), "(attempt 3)"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_FAILED, 0), "exited with code 3"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_FAILED, 0), "not restarted at once"));
    assert_true(in_log(f, "check the command and its stderr above"));
    /* Each restart waited at least backoff_min_ms. */
    for (int i = 0; i + 1 < r->nstates; i++)
        if (r->states[i] == MG_CHILD_BACKOFF) {
            uint64_t gap = (r->state_at[i + 1] - r->state_at[i]) / 1000000;
            assert_int_equal(r->states[i + 1], MG_CHILD_STARTING);
            assert_in_range(gap, 15, 1000);
        }
    assert_int_equal(mg_child_get_state(r->c), MG_CHILD_FAILED);
    assert_int_equal(mg_child_pid(r->c), 0);
    assert_int_equal(mg_child_send(r->c, "x", 1), UV_EPIPE);

    nstates = r->nstates;
    run_for(f, 300);
    assert_int_equal(r->nstates, nstates);

    /* mg_child_restart revives it, with its history forgotten. */
    mg_child_restart(r->c);
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 4, 3000));
    assert_int_equal(count_state(r, MG_CHILD_RUNNING), 5);
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 3), "(attempt 1)"));
}

static void
test_attempts_reset_when_stable(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "stable", "sh");

    o.stable_ms = 100;
    o.backoff_min_ms = 10;
    o.backoff_max_ms = 1000;
    r->c = start_sh(f, &o, "sleep 0.2; exit 1");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 3, 5000));
    for (int i = 0; i < 3; i++)
        assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, i), "(attempt 1)"));
}

static void
test_command_not_found(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "missing", "mg-no-such-command-x");
    uint64_t t0 = uv_hrtime();

    o.backoff_min_ms = 50;
    o.backoff_max_ms = 50;
    o.max_restarts_per_min = 2;
    r->c = mg_child_start(&f->loop, &o);
    assert_true(wait_state(f, r, MG_CHILD_FAILED, 1, 3000));
    /* Three tries, 50 ms apart, then it gives up: no busy loop. */
    assert_int_equal(count_state(r, MG_CHILD_STARTING), 3);
    assert_int_equal(count_state(r, MG_CHILD_RUNNING), 0);
    assert_true(ms_since(t0) >= 90);
    assert_string_equal(nth_why(r, MG_CHILD_BACKOFF, 0),
                        "cannot run 'mg-no-such-command-x': no such file or directory; restarting in 50 ms "
                        "(attempt 1)");
    assert_non_null(strstr(nth_why(r, MG_CHILD_FAILED, 0), "cannot run 'mg-no-such-command-x'"));
    assert_true(in_log(f, "upstream missing: cannot run 'mg-no-such-command-x': no such file or directory"));
    assert_int_equal(mg_child_live_count(), 0);
    assert_no_children();
}

static void
test_env_and_cwd(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "env", "sh");
    static const char *keys[] = {"MG_TEST_A", "HOME"};
    static const char *values[] = {"alpha", "/nonexistent-home"};

    o.env_keys = keys;
    o.env_values = values;
    o.nenv = 2;
    o.cwd = "/";
    r->c = start_sh(f, &o, "echo \"$MG_TEST_A\"; echo \"$HOME\"; pwd; env | grep -c '^HOME='; exec sleep 10");
    assert_true(wait_lines(f, r, 4, 3000));
    assert_string_equal(r->lines[0], "alpha");
    assert_string_equal(r->lines[1], "/nonexistent-home");
    assert_string_equal(r->lines[2], "/");
    assert_string_equal(r->lines[3], "1"); /* replaced, not doubled */
}

static void
test_stop_on_eof(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "eof", "cat");
    uint64_t t0;

    o.grace_ms = 3000;
    r->c = mg_child_start(&f->loop, &o);
    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 1, 3000));
    t0 = uv_hrtime();
    mg_child_stop(r->c, rec_done, r);
    assert_int_equal(mg_child_send(r->c, "x", 1), UV_EPIPE);
    assert_int_equal(r->done, 0); /* never from inside the call */
    assert_true(run_until(f, is_done, r, 2000));
    /* cat exits on end of file: no signal, no waiting for the grace. */
    assert_true(ms_since(t0) < 1000);
    assert_int_equal(r->states[r->nstates - 1], MG_CHILD_STOPPED);
    assert_string_equal(r->whys[r->nstates - 1], "stopped (exited with code 0)");
    assert_false(in_log(f, "SIGTERM") && f->saved_stderr >= 0);
    assert_int_equal(mg_child_live_count(), 0);
}

static int
atoi_line(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

static void
test_stop_escalates_to_sigkill(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "stubborn", "sh");
    uint64_t t0, took;
    pid_t grandchild;

    /* Ignores end of file and SIGTERM, and so does its grandchild. */
    r->c = start_sh(f, &o, "trap '' TERM; sleep 1000 & echo $!; while :; do sleep 0.05; done");
    assert_true(wait_lines(f, r, 1, 3000));
    grandchild = atoi_line(r->lines[0]);
    assert_true(grandchild > 0);
    assert_false(process_gone(grandchild));

    t0 = uv_hrtime();
    mg_child_stop(r->c, rec_done, r);
    assert_true(run_until(f, is_done, r, 3000));
    took = ms_since(t0);
    assert_in_range(took, 2 * 150 - 20, 2000);
    assert_true(in_log(f, "still running 150 ms after its stdin was closed; sending SIGTERM"));
    assert_true(in_log(f, "still running 150 ms after SIGTERM; sending SIGKILL"));
    assert_string_equal(r->whys[r->nstates - 1], "stopped (killed by signal 9 (Killed))");
    assert_true(wait_gone(grandchild, 2000));
}

static void
test_stop_term_reaches_grandchild(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "launcher", "sh");
    pid_t grandchild;

    /* Like npx: a launcher waiting on the real server. */
    r->c = start_sh(f, &o, "sleep 1000 & echo $!; wait");
    assert_true(wait_lines(f, r, 1, 3000));
    grandchild = atoi_line(r->lines[0]);
    mg_child_stop(r->c, rec_done, r);
    assert_true(run_until(f, is_done, r, 3000));
    assert_string_equal(r->whys[r->nstates - 1], "stopped (killed by signal 15 (Terminated))");
    assert_false(in_log(f, "SIGKILL") && f->saved_stderr >= 0);
    assert_true(wait_gone(grandchild, 2000));
}

static void
test_crash_leaves_no_grandchild(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "orphaner", "sh");
    pid_t grandchild;

    o.backoff_min_ms = 2000;
    o.backoff_max_ms = 2000;
    r->c = start_sh(f, &o, "sleep 1000 & echo $!; exit 1");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    assert_true(r->nlines >= 1);
    grandchild = atoi_line(r->lines[0]);
    assert_true(grandchild > 0);
    assert_true(wait_gone(grandchild, 2000));
}

static void
test_output_read_after_exit(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "daemon", "sh");
    pid_t escapee;

    o.backoff_min_ms = 2000;
    o.backoff_max_ms = 2000;
    /* A process that left the group (setsid) holds stdout after the child
     * exits: what it writes soon is still read, but it cannot hold the
     * pipes open for long.  The child waits a little before exiting, or
     * the exit's SIGKILL to the group could catch the escapee before its
     * setsid(). */
    r->c = start_sh(f, &o, "setsid sh -c 'sleep 0.2; echo late; sleep 1; echo too-late' & echo $!; sleep 0.1; exit 0");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    assert_int_equal(r->nlines, 2);
    escapee = atoi_line(r->lines[0]);
    assert_string_equal(r->lines[1], "late");
    assert_true(r->state_at[r->nstates - 1] - r->state_at[1] >= 400 * 1000000ull);
    assert_true(escapee > 0);
    kill(-escapee, SIGKILL); /* its own group, since setsid */
}

static void
test_restart_running(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "again", "cat");
    pid_t first;

    r->c = mg_child_start(&f->loop, &o);
    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 1, 3000));
    first = mg_child_pid(r->c);
    mg_child_restart(r->c);
    assert_int_equal(mg_child_send(r->c, "x", 1), UV_EPIPE);
    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 2, 3000));
    assert_int_not_equal(mg_child_pid(r->c), first);
    assert_int_equal(count_state(r, MG_CHILD_BACKOFF), 0);
    assert_true(wait_gone(first, 1000));
    assert_int_equal(mg_child_send(r->c, "again", 5), 0);
    assert_true(wait_lines(f, r, 1, 3000));
    assert_string_equal(r->lines[0], "again");
}

static void
test_write_queue_bound(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "deaf", "sleep");
    static const char *args[] = {"10"};
    static char line[4096];
    int i, rc = 0;

    o.args = args;
    o.nargs = 1;
    o.max_queue = 64 * 1024;
    r->c = mg_child_start(&f->loop, &o);
    assert_true(wait_state(f, r, MG_CHILD_RUNNING, 1, 3000));
    memset(line, 'q', sizeof(line));
    /* The socket buffer fills, then the queue; then sends are refused. */
    for (i = 0; i < 10000 && rc == 0; i++)
        rc = mg_child_send(r->c, line, sizeof(line));
    assert_int_equal(rc, UV_ENOBUFS);
    assert_true(i < 10000);
}

static void
test_write_error_ends_child(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "closer", "sh");

    o.backoff_min_ms = 2000;
    o.backoff_max_ms = 2000;
    r->c = start_sh(f, &o, "exec 0<&-; echo closed; exec sleep 10");
    assert_true(wait_lines(f, r, 1, 3000));
    mg_child_send(r->c, "hello", 5);
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    assert_true(in_log(f, "upstream closer: writing to its stdin: broken pipe; ending it"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 0), "killed by signal 15"));
}

static void
test_stdout_closed_ends_child(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "mute", "sh");

    o.backoff_min_ms = 2000;
    o.backoff_max_ms = 2000;
    r->c = start_sh(f, &o, "exec 1>&-; exec sleep 10");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    assert_true(in_log(f, "upstream mute: closed its stdout but is still running; ending it"));
    assert_non_null(strstr(nth_why(r, MG_CHILD_BACKOFF, 0), "killed by signal 15"));
}

static void
test_stop_while_in_backoff(void **state)
{
    struct fixture *f = *state;
    struct rec *r = &f->r;
    struct mg_child_opts o = opts_for(r, "pause", "sh");

    o.backoff_min_ms = 5000;
    o.backoff_max_ms = 5000;
    r->c = start_sh(f, &o, "exit 2");
    assert_true(wait_state(f, r, MG_CHILD_BACKOFF, 1, 3000));
    mg_child_stop(r->c, rec_done, r);
    assert_true(run_until(f, is_done, r, 1000));
    assert_int_equal(count_state(r, MG_CHILD_RUNNING), 1);
    assert_string_equal(r->whys[r->nstates - 1], "stopped");
}

#define MANY 200

static int
all_running(void *arg)
{
    struct rec *rs = arg;

    for (int i = 0; i < MANY; i++)
        if (count_state(&rs[i], MG_CHILD_RUNNING) == 0)
            return 0;
    return 1;
}

static int
all_done(void *arg)
{
    struct rec *rs = arg;

    for (int i = 0; i < MANY; i++)
        if (!rs[i].done)
            return 0;
    return 1;
}

static void
test_many_children(void **state)
{
    struct fixture *f = *state;
    struct rec *rs = calloc(MANY, sizeof(*rs));

    alarm(60);
    for (int i = 0; i < MANY; i++) {
        struct mg_child_opts o = opts_for(&rs[i], "many", "cat");
        rs[i].f = f;
        rs[i].c = mg_child_start(&f->loop, &o);
    }
    assert_true(run_until(f, all_running, rs, 30000));
    assert_int_equal(mg_child_live_count(), MANY);
    for (int i = 0; i < MANY; i++)
        mg_child_stop(rs[i].c, rec_done, &rs[i]);
    assert_true(run_until(f, all_done, rs, 20000));
    assert_int_equal(mg_child_live_count(), 0);
    for (int i = 0; i < MANY; i++) {
        assert_int_equal(count_state(&rs[i], MG_CHILD_BACKOFF), 0);
        mg_child_free(rs[i].c);
        rec_clear(&rs[i]);
    }
    assert_no_children();
    free(rs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_descriptor_inherited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_larger_than_the_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_split_across_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_logged_and_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_stdout_line_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_backoff_then_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attempts_reset_when_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_and_cwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_on_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_escalates_to_sigkill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_term_reaches_grandchild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_leaves_no_grandchild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_read_after_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_queue_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_error_ends_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout_closed_ends_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_while_in_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_children, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
