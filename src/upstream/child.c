/*
 * child.c - spawn an upstream server, frame its output, keep it alive.
 *
 * Each spawn is one incarnation: a uv_process_t and three pipes.  The
 * incarnation goes through three phases:
 *
 *   IDLE     no process, no process handles: about to spawn, in backoff,
 *            FAILED, or stopped.
 *   RUNNING  spawned and not yet reaped.  A shutdown (stop, restart, or a
 *            child we gave up on) walks kill_stage: stdin closed, then
 *            SIGTERM, then SIGKILL, grace_ms apart.
 *   ENDING   reaped, or the spawn failed.  stdout and stderr are read to
 *            end of file (at most DRAIN_MS, so the last reply and the last
 *            words on stderr are not lost), then every handle is closed.
 *
 * When the last handle of an incarnation has closed, the next step is
 * taken: finish a stop, spawn again at once (mg_child_restart), or back
 * off.  The handles are embedded in struct mg_child and reused by the next
 * spawn, which is why nothing spawns before they are all closed.
 *
 * One timer serves every phase (spawn, backoff, shutdown steps, drain);
 * each callback checks the phase it was armed for.
 */
#include "upstream/child.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/cloexec.h"
#include "util/limits.h"
#include "util/linebuf.h"
#include "util/log.h"
#include "util/random.h"
#include "util/strbuf.h"

extern char **environ;

#define READ_CHUNK (64 * 1024)
/* After the child is reaped, how long its output may take to reach end of
 * file.  The group has been sent SIGKILL by then; only a process that left
 * the group (a daemon) can hold a pipe open longer. */
#define DRAIN_MS 500
/* The window of max_restarts_per_min. */
#define WINDOW_MS 60000
/* The restart ring is allocated up front; a larger limit means "often". */
#define MAX_RESTARTS_CAP 1000

enum phase {
    PHASE_IDLE,
    PHASE_RUNNING,
    PHASE_ENDING,
};

enum kill_stage {
    KILL_NONE,
    KILL_EOF,  /* stdin closed, waiting for the child to exit */
    KILL_TERM, /* SIGTERM sent to the group */
    KILL_KILL, /* SIGKILL sent to the group */
};

struct mg_child {
    uv_loop_t *loop;
    char *name;
    char *command;
    char *cwd;                 /* or NULL */
    char **argv;               /* command, args, NULL */
    char **env_add;            /* "KEY=VALUE" */
    size_t nenv;
    size_t max_line, max_queue;
    unsigned grace_ms, backoff_min_ms, backoff_max_ms, max_restarts, stable_ms;
    void (*on_line)(void *ctx, const char *line, size_t len);
    void (*on_state)(void *ctx, enum mg_child_state state, const char *why);
    void *ctx;

    enum mg_child_state state; /* as last reported */
    enum phase phase;
    enum kill_stage kill;
    int stopping;              /* mg_child_stop was called */
    int restart_pending;       /* spawn again at once when this process is gone */
    uv_timer_t timer;
    uv_process_t proc;
    uv_pipe_t in, out, err;
    /* Lines sent in one turn of the loop go to stdin in one write, at the
     * start of the next turn: under load the child wakes once for many. */
    uv_idle_t flush;
    struct mg_strbuf pending;
    int nopen;                 /* handles of this incarnation not yet closed */
    int in_open, out_open, err_open;
    pid_t pid;                 /* also the process group; 0 when not running */
    uint64_t spawned_at;       /* uv_now */
    char cause[256];           /* how the last process ended, or "" */

    struct mg_linebuf out_lines, err_lines;

    unsigned attempt;          /* restarts since the child was last stable */
    uint64_t *restarts;        /* ring of restart times (uv_now), max_restarts of them */
    size_t nrestarts, restart_head;
    uint64_t rng;              /* xorshift64* state, for jitter */

    void (*done)(void *ctx);
    void *done_ctx;
};

/* The gathering buffer starts at PENDING_FIRST bytes and is kept between
 * turns while it holds at most PENDING_KEEP. */
#define PENDING_FIRST 4096
#define PENDING_KEEP 65536

struct write_req {
    uv_write_t req;
    struct mg_child *c;
    char *data; /* the lines of one turn, taken from c->pending */
};

/* Processes spawned and not reaped, over every loop and thread. */
static atomic_size_t live_children;

static void spawn(struct mg_child *c);
static void close_all(struct mg_child *c);
static void incarnation_ended(struct mg_child *c);

/* --- state ------------------------------------------------------------------- */

static const char *const state_names[] = {"starting", "running", "backoff", "failed", "stopped"};

/* Record and report a new state.  The callback may call back into this
 * module, so callers do this last and touch nothing afterwards. */
static void
set_state(struct mg_child *c, enum mg_child_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_state(struct mg_child *c, enum mg_child_state state, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    c->state = state;
    switch (state) {
    case MG_CHILD_BACKOFF:
        mg_log_warn("upstream %s: %s", c->name, why);
        break;
    case MG_CHILD_FAILED:
        mg_log_error("upstream %s: %s", c->name, why);
        break;
    case MG_CHILD_STARTING:
        mg_log_debug("upstream %s: %s", c->name, why);
        break;
    default:
        mg_log_info("upstream %s: %s: %s", c->name, state_names[state], why);
        break;
    }
    if (c->on_state)
        c->on_state(c->ctx, state, why);
}

static uint64_t
next_random(struct mg_child *c)
{
    uint64_t x = c->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* --- signals ----------------------------------------------------------------- */

/* Signal the child's process group (see child.h for why the group). */
static void
kill_group(struct mg_child *c, int sig)
{
    if (c->pid <= 0)
        return;
    if (kill(-c->pid, sig) == 0 || errno == ESRCH)
        return;
    /* EPERM: a member changed its credentials; reach the child at least. */
    kill(c->pid, sig);
}

static void
on_handle_closed(uv_handle_t *h)
{
    struct mg_child *c = h->data;

    if (--c->nopen == 0)
        incarnation_ended(c);
}

/* Close one handle of the incarnation; the last one to close ends it. */
static void
close_one(struct mg_child *c, uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, on_handle_closed);
}

static void on_grace(uv_timer_t *timer);
static void flush_pending(struct mg_child *c);

static void
drop_pending(struct mg_child *c)
{
    mg_free(c->pending.p);
    memset(&c->pending, 0, sizeof(c->pending));
}

/* Begin ending the running child from STAGE: KILL_EOF closes stdin and
 * waits; KILL_TERM also sends SIGTERM at once. */
static void
terminate(struct mg_child *c, enum kill_stage stage)
{
    c->kill = stage;
    if (c->in_open) {
        /* What was sent goes before the end of input. */
        flush_pending(c);
        c->in_open = 0;
        close_one(c, (uv_handle_t *)&c->in);
    }
    if (stage == KILL_TERM)
        kill_group(c, SIGTERM);
    uv_timer_start(&c->timer, on_grace, c->grace_ms, 0);
}

static void
on_grace(uv_timer_t *timer)
{
    struct mg_child *c = timer->data;

    if (c->phase != PHASE_RUNNING)
        return;
    switch (c->kill) {
    case KILL_EOF:
        mg_log_info("upstream %s: still running %u ms after its stdin was closed; sending SIGTERM", c->name,
                    c->grace_ms);
        kill_group(c, SIGTERM);
        c->kill = KILL_TERM;
        uv_timer_start(&c->timer, on_grace, c->grace_ms, 0);
        break;
    case KILL_TERM:
        mg_log_warn("upstream %s: still running %u ms after SIGTERM; sending SIGKILL", c->name, c->grace_ms);
        kill_group(c, SIGKILL);
        c->kill = KILL_KILL;
        uv_timer_start(&c->timer, on_grace, c->grace_ms, 0);
        break;
    case KILL_KILL:
        /* Nothing is stronger than SIGKILL: a process in uninterruptible
         * sleep is reaped when the kernel lets it go. */
        mg_log_warn("upstream %s: pid %d not reaped %u ms after SIGKILL; still waiting", c->name, (int)c->pid,
                    c->grace_ms);
        break;
    case KILL_NONE:
        /* Armed by stdout's end of file: a child that closed stdout can no
         * longer answer, and it has had grace_ms to exit on its own. */
        mg_log_warn("upstream %s: closed its stdout but is still running; ending it", c->name);
        terminate(c, KILL_TERM);
        break;
    }
}

/* --- output from the child --------------------------------------------------- */

static void
out_line(void *ctx, const char *line, size_t len, size_t full)
{
    struct mg_child *c = ctx;

    if (full > len) {
        mg_log_warn("upstream %s: dropped a %zu-byte line from stdout (the limit is %zu bytes)", c->name, full,
                    c->max_line);
        return;
    }
    if (c->on_line)
        c->on_line(c->ctx, line, len);
}

static void
err_line(void *ctx, const char *line, size_t len, size_t full)
{
    struct mg_child *c = ctx;

    if (full > len)
        mg_log_info("upstream %s: %.*s... (%zu more bytes cut)", c->name, (int)len, line, full - len);
    else
        mg_log_info("upstream %s: %.*s", c->name, (int)len, line);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    /* Consumed before the next read on this thread; per thread so that a
     * loop per thread stays possible. */
    static _Thread_local char chunk[READ_CHUNK];

    (void)h;
    (void)suggested;
    *buf = uv_buf_init(chunk, sizeof(chunk));
}

static void
on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct mg_child *c = stream->data;
    int is_out = stream == (uv_stream_t *)&c->out;

    if (nread > 0) {
        if (is_out)
            mg_linebuf_feed(&c->out_lines, buf->base, (size_t)nread, out_line, c);
        else
            mg_linebuf_feed(&c->err_lines, buf->base, (size_t)nread, err_line, c);
        return;
    }
    if (nread == 0)
        return;
    if (nread != UV_EOF)
        mg_log_debug("upstream %s: reading %s: %s", c->name, is_out ? "stdout" : "stderr",
                     uv_strerror((int)nread));
    uv_read_stop(stream);
    if (is_out) {
        c->out_open = 0;
        mg_linebuf_finish(&c->out_lines, out_line, c);
    } else {
        c->err_open = 0;
        mg_linebuf_finish(&c->err_lines, err_line, c);
    }
    if (c->phase == PHASE_ENDING) {
        if (!c->out_open && !c->err_open)
            close_all(c);
    } else if (c->phase == PHASE_RUNNING && is_out && c->kill == KILL_NONE) {
        /* Usually the child is exiting and the exit is on its way. */
        uv_timer_start(&c->timer, on_grace, c->grace_ms, 0);
    }
}

/* --- input to the child ------------------------------------------------------ */

static void
write_failed(struct mg_child *c, int status)
{
    if (c->phase != PHASE_RUNNING || c->kill != KILL_NONE)
        return;
    mg_log_warn("upstream %s: writing to its stdin: %s; ending it", c->name, uv_strerror(status));
    terminate(c, KILL_TERM);
}

static void
on_write(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct mg_child *c = w->c;

    mg_free(w->data);
    mg_free(w);
    /* UV_ECANCELED: stdin was closed on purpose with writes queued. */
    if (status < 0 && status != UV_ECANCELED)
        write_failed(c, status);
}

/* The lines gathered so far, to stdin in one write. A write the pipe takes
 * whole at once needs no request, and so no extra turn of the loop to
 * complete it; the buffer is kept for the next turn unless it grew large. */
static void
flush_pending(struct mg_child *c)
{
    struct write_req *w;
    uv_buf_t buf;
    ssize_t n;
    int rc;

    uv_idle_stop(&c->flush);
    if (c->pending.len == 0 || !c->in_open) {
        drop_pending(c);
        return;
    }
    buf = uv_buf_init(c->pending.p, (unsigned)c->pending.len);
    n = uv_try_write((uv_stream_t *)&c->in, &buf, 1);
    if (n == (ssize_t)c->pending.len) {
        if (c->pending.cap > PENDING_KEEP)
            drop_pending(c);
        else
            c->pending.len = 0;
        return;
    }
    if (n < 0 && n != UV_EAGAIN) {
        drop_pending(c);
        write_failed(c, (int)n);
        return;
    }
    if (n < 0)
        n = 0;
    w = mg_malloc(sizeof(*w));
    w->c = c;
    w->data = c->pending.p;
    buf = uv_buf_init(w->data + n, (unsigned)(c->pending.len - (size_t)n));
    memset(&c->pending, 0, sizeof(c->pending));
    rc = uv_write(&w->req, (uv_stream_t *)&c->in, &buf, 1, on_write);
    if (rc < 0) {
        mg_free(w->data);
        mg_free(w);
        write_failed(c, rc);
    }
}

static void
on_flush(uv_idle_t *idle)
{
    flush_pending(idle->data);
}

int
mg_child_send(struct mg_child *c, const char *line, size_t len)
{
    size_t queued;

    if (c->phase != PHASE_RUNNING || c->kill != KILL_NONE || c->stopping || !c->in_open)
        return UV_EPIPE;
    if (memchr(line, '\n', len) != NULL)
        return UV_EINVAL;
    queued = uv_stream_get_write_queue_size((uv_stream_t *)&c->in) + c->pending.len;
    if (len >= UINT32_MAX || queued + len + 1 > c->max_queue || c->pending.len + len + 1 >= UINT32_MAX)
        return UV_ENOBUFS;
    if (c->pending.len == 0) {
        /* One allocation holds a turn's worth of small messages. */
        mg_strbuf_reserve(&c->pending, len + 1 > PENDING_FIRST ? len + 1 : PENDING_FIRST);
        uv_idle_start(&c->flush, on_flush);
    }
    mg_strbuf_add(&c->pending, line, len);
    mg_strbuf_add(&c->pending, "\n", 1);
    return 0;
}

/* --- the end of an incarnation ----------------------------------------------- */

static void
on_timer_closed(uv_handle_t *h)
{
    struct mg_child *c = h->data;
    void (*done)(void *ctx) = c->done;
    void *done_ctx = c->done_ctx;

    if (c->cause[0] != '\0')
        set_state(c, MG_CHILD_STOPPED, "stopped (%s)", c->cause);
    else
        set_state(c, MG_CHILD_STOPPED, "stopped");
    if (done)
        done(done_ctx);
}

static void
finish_stop(struct mg_child *c)
{
    uv_timer_stop(&c->timer);
    if (!uv_is_closing((uv_handle_t *)&c->timer))
        uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

static void
on_spawn_timer(uv_timer_t *timer)
{
    spawn(timer->data);
}

/* The process is gone on its own (or could not be run): back off, or give
 * up when it keeps failing. */
static void
schedule_restart(struct mg_child *c)
{
    uint64_t now = uv_now(c->loop);
    uint64_t cap, delay;
    char cause[sizeof(c->cause)];

    memcpy(cause, c->cause, sizeof(cause));
    c->cause[0] = '\0';
    if (now - c->spawned_at >= c->stable_ms)
        c->attempt = 0;

    /* The ring holds the latest max_restarts restart times; when it is full
     * and its oldest is within the window, this would be one too many. */
    if (c->nrestarts == c->max_restarts && now - c->restarts[c->restart_head] < WINDOW_MS) {
        set_state(c, MG_CHILD_FAILED,
                  "%s; it was restarted %u times within a minute, the limit, and is not restarted at once: "
                  "check the command and its stderr above",
                  cause, c->max_restarts);
        return;
    }
    c->restarts[c->restart_head] = now;
    c->restart_head = (c->restart_head + 1) % c->max_restarts;
    if (c->nrestarts < c->max_restarts)
        c->nrestarts++;

    /* Exponential backoff with full jitter, but never below the minimum. */
    cap = c->backoff_min_ms;
    for (unsigned i = 0; i < c->attempt && cap < c->backoff_max_ms; i++)
        cap *= 2;
    if (cap > c->backoff_max_ms)
        cap = c->backoff_max_ms;
    delay = next_random(c) % (cap + 1);
    if (delay < c->backoff_min_ms)
        delay = c->backoff_min_ms;
    if (c->attempt < UINT32_MAX)
        c->attempt++;

    uv_timer_start(&c->timer, on_spawn_timer, delay, 0);
    set_state(c, MG_CHILD_BACKOFF, "%s; restarting in %u ms (attempt %u)", cause, (unsigned)delay, c->attempt);
}

static void
incarnation_ended(struct mg_child *c)
{
    c->phase = PHASE_IDLE;
    c->pid = 0;
    c->kill = KILL_NONE;
    /* A partial line from a process that is gone is not a message. */
    mg_linebuf_free(&c->out_lines);
    mg_linebuf_free(&c->err_lines);
    if (c->stopping) {
        finish_stop(c);
    } else if (c->restart_pending) {
        c->restart_pending = 0;
        c->cause[0] = '\0';
        spawn(c);
    } else {
        schedule_restart(c);
    }
}

static void
close_all(struct mg_child *c)
{
    uv_timer_stop(&c->timer);
    c->in_open = c->out_open = c->err_open = 0;
    drop_pending(c);
    close_one(c, (uv_handle_t *)&c->flush);
    close_one(c, (uv_handle_t *)&c->in);
    close_one(c, (uv_handle_t *)&c->out);
    close_one(c, (uv_handle_t *)&c->err);
    close_one(c, (uv_handle_t *)&c->proc);
}

static void
on_drain_timeout(uv_timer_t *timer)
{
    struct mg_child *c = timer->data;

    if (c->phase != PHASE_ENDING)
        return;
    mg_log_debug("upstream %s: output still open %d ms after exit; closing it", c->name, DRAIN_MS);
    close_all(c);
}

static void
on_proc_exit(uv_process_t *proc, int64_t status, int sig)
{
    struct mg_child *c = proc->data;

    atomic_fetch_sub(&live_children, 1);
    if (sig != 0)
        snprintf(c->cause, sizeof(c->cause), "killed by signal %d (%s)", sig, strsignal(sig));
    else
        snprintf(c->cause, sizeof(c->cause), "exited with code %d", (int)status);
    if (c->stopping || c->restart_pending)
        mg_log_info("upstream %s: pid %d %s", c->name, (int)c->pid, c->cause);
    /* No grandchild outlives the child.  The group keeps its number while
     * any member lives; if none is left, the number was freed just now,
     * and the kernel hands pids out in increasing order, so it cannot
     * name a stranger's group this soon. */
    kill_group(c, SIGKILL);
    c->phase = PHASE_ENDING;
    c->kill = KILL_NONE;
    uv_timer_stop(&c->timer);
    if (c->in_open) {
        c->in_open = 0;
        close_one(c, (uv_handle_t *)&c->in);
    }
    if (c->out_open || c->err_open)
        uv_timer_start(&c->timer, on_drain_timeout, DRAIN_MS, 0);
    else
        close_all(c);
}

/* --- spawning ---------------------------------------------------------------- */

/* Our environment with the configured variables added or replaced.  Only
 * the array is new; the strings are borrowed for uv_spawn. */
static char **
build_env(struct mg_child *c)
{
    size_t n = 0, o = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = mg_calloc(n + c->nenv + 1, sizeof(*env));
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;

        for (size_t k = 0; k < c->nenv && !replaced; k++)
            replaced = strncmp(c->env_add[k], environ[i], klen) == 0 && c->env_add[k][klen] == '=';
        if (!replaced)
            env[o++] = environ[i];
    }
    for (size_t k = 0; k < c->nenv; k++)
        env[o++] = c->env_add[k];
    env[o] = NULL;
    return env;
}

static void
spawn(struct mg_child *c)
{
    uv_process_options_t opts;
    uv_stdio_container_t stdio[3];
    char **env = NULL;
    int rc;

    if (c->phase != PHASE_IDLE || c->stopping)
        return;
    set_state(c, MG_CHILD_STARTING, "running '%s'", c->command);
    /* The callback may have stopped us, or restarted us (which spawns from
     * the timer: this spawn goes on and that one finds it done). */
    if (c->phase != PHASE_IDLE || c->stopping)
        return;

    c->cause[0] = '\0';
    c->spawned_at = uv_now(c->loop);
    uv_pipe_init(c->loop, &c->in, 0);
    uv_pipe_init(c->loop, &c->out, 0);
    uv_pipe_init(c->loop, &c->err, 0);
    uv_idle_init(c->loop, &c->flush);
    c->in.data = c->out.data = c->err.data = c;
    c->flush.data = c;
    c->nopen = 4;

    memset(&opts, 0, sizeof(opts));
    memset(stdio, 0, sizeof(stdio));
    stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    stdio[0].data.stream = (uv_stream_t *)&c->in;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&c->out;
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&c->err;
    if (c->nenv > 0)
        env = build_env(c);
    opts.exit_cb = on_proc_exit;
    opts.file = c->command;
    opts.args = c->argv;
    opts.env = env;
    opts.cwd = c->cwd;
    opts.flags = UV_PROCESS_DETACHED; /* setsid: a process group of its own */
    opts.stdio_count = 3;
    opts.stdio = stdio;

    /* The child gets its three pipes and no other descriptor of ours. */
    mg_cloexec_from(3);
    rc = uv_spawn(c->loop, &c->proc, &opts);
    mg_free(env);
    /* uv_spawn initialises the handle even when it fails; it is closed
     * like any other. */
    c->proc.data = c;
    c->nopen++;
    if (rc < 0) {
        if (c->cwd != NULL)
            snprintf(c->cause, sizeof(c->cause), "cannot run '%s' in '%s': %s", c->command, c->cwd,
                     uv_strerror(rc));
        else
            snprintf(c->cause, sizeof(c->cause), "cannot run '%s': %s", c->command, uv_strerror(rc));
        c->phase = PHASE_ENDING;
        close_all(c);
        return;
    }

    atomic_fetch_add(&live_children, 1);
    c->pid = c->proc.pid;
    c->phase = PHASE_RUNNING;
    c->kill = KILL_NONE;
    c->in_open = c->out_open = c->err_open = 1;
    uv_timer_stop(&c->timer);
    uv_read_start((uv_stream_t *)&c->out, alloc_cb, on_read);
    uv_read_start((uv_stream_t *)&c->err, alloc_cb, on_read);
    set_state(c, MG_CHILD_RUNNING, "pid %d", (int)c->pid);
}

/* --- the API ----------------------------------------------------------------- */

struct mg_child *
mg_child_start(uv_loop_t *loop, const struct mg_child_opts *o)
{
    struct mg_child *c;

    if (o == NULL || o->name == NULL || o->command == NULL || o->command[0] == '\0')
        return NULL;
    /* A write to a child that just died must fail with EPIPE, not kill us. */
    signal(SIGPIPE, SIG_IGN);

    c = mg_calloc(1, sizeof(*c));
    c->loop = loop;
    c->name = mg_strdup(o->name);
    c->command = mg_strdup(o->command);
    c->cwd = o->cwd ? mg_strdup(o->cwd) : NULL;
    c->argv = mg_calloc(o->nargs + 2, sizeof(*c->argv));
    c->argv[0] = mg_strdup(o->command);
    for (size_t i = 0; i < o->nargs; i++)
        c->argv[i + 1] = mg_strdup(o->args[i]);
    c->nenv = o->nenv;
    c->env_add = mg_calloc(o->nenv + 1, sizeof(*c->env_add));
    for (size_t i = 0; i < o->nenv; i++) {
        size_t kl = strlen(o->env_keys[i]), vl = strlen(o->env_values[i]);
        char *kv = mg_malloc(kl + vl + 2);

        memcpy(kv, o->env_keys[i], kl);
        kv[kl] = '=';
        memcpy(kv + kl + 1, o->env_values[i], vl + 1);
        c->env_add[i] = kv;
    }

    c->max_line = o->max_line ? o->max_line : MG_MAX_MESSAGE_DEFAULT;
    c->max_queue = o->max_queue ? o->max_queue : MG_MAX_WRITE_QUEUE;
    c->grace_ms = o->grace_ms ? o->grace_ms : MG_CHILD_DEFAULT_GRACE_MS;
    c->backoff_min_ms = o->backoff_min_ms ? o->backoff_min_ms : MG_CHILD_DEFAULT_BACKOFF_MIN_MS;
    c->backoff_max_ms = o->backoff_max_ms ? o->backoff_max_ms : MG_CHILD_DEFAULT_BACKOFF_MAX_MS;
    if (c->backoff_max_ms < c->backoff_min_ms)
        c->backoff_max_ms = c->backoff_min_ms;
    c->max_restarts = o->max_restarts_per_min ? o->max_restarts_per_min : MG_CHILD_DEFAULT_MAX_RESTARTS;
    if (c->max_restarts > MAX_RESTARTS_CAP)
        c->max_restarts = MAX_RESTARTS_CAP;
    c->stable_ms = o->stable_ms ? o->stable_ms : MG_CHILD_DEFAULT_STABLE_MS;
    c->on_line = o->on_line;
    c->on_state = o->on_state;
    c->ctx = o->ctx;

    mg_linebuf_init(&c->out_lines, c->max_line);
    mg_linebuf_init(&c->err_lines, MG_MAX_CHILD_STDERR_LINE);
    c->restarts = mg_calloc(c->max_restarts, sizeof(*c->restarts));
    if (mg_random_bytes(&c->rng, sizeof(c->rng)) != 0 || c->rng == 0)
        c->rng = uv_hrtime() | 1; /* jitter need not be secret, only spread */

    c->state = MG_CHILD_STARTING;
    c->phase = PHASE_IDLE;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    /* From the loop, so that no callback runs before the caller holds c. */
    uv_timer_start(&c->timer, on_spawn_timer, 0, 0);
    return c;
}

void
mg_child_restart(struct mg_child *c)
{
    if (c->stopping)
        return;
    mg_log_info("upstream %s: restarting", c->name);
    c->attempt = 0;
    c->nrestarts = c->restart_head = 0;
    switch (c->phase) {
    case PHASE_IDLE:
        uv_timer_start(&c->timer, on_spawn_timer, 0, 0);
        break;
    case PHASE_RUNNING:
        c->restart_pending = 1;
        if (c->kill == KILL_NONE)
            terminate(c, KILL_EOF);
        break;
    case PHASE_ENDING:
        c->restart_pending = 1;
        break;
    }
}

void
mg_child_stop(struct mg_child *c, void (*done)(void *ctx), void *ctx)
{
    if (c->stopping)
        return;
    c->stopping = 1;
    c->done = done;
    c->done_ctx = ctx;
    switch (c->phase) {
    case PHASE_IDLE:
        finish_stop(c);
        break;
    case PHASE_RUNNING:
        mg_log_info("upstream %s: stopping pid %d", c->name, (int)c->pid);
        if (c->kill == KILL_NONE)
            terminate(c, KILL_EOF);
        break;
    case PHASE_ENDING:
        break; /* incarnation_ended() finishes */
    }
}

void
mg_child_free(struct mg_child *c)
{
    if (c == NULL)
        return;
    if (c->state != MG_CHILD_STOPPED) {
        /* libuv still holds pointers into c: freeing it now would be a
         * use after free, later and far from here. */
        mg_log_error("upstream %s: freed before its stop finished", c->name);
        abort();
    }
    for (size_t i = 0; c->argv[i] != NULL; i++)
        mg_free(c->argv[i]);
    for (size_t i = 0; i < c->nenv; i++)
        mg_free(c->env_add[i]);
    mg_free(c->argv);
    mg_free(c->env_add);
    mg_free(c->restarts);
    mg_linebuf_free(&c->out_lines);
    mg_linebuf_free(&c->err_lines);
    drop_pending(c);
    mg_free(c->name);
    mg_free(c->command);
    mg_free(c->cwd);
    mg_free(c);
}

pid_t
mg_child_pid(const struct mg_child *c)
{
    return c->phase == PHASE_RUNNING ? c->pid : 0;
}

enum mg_child_state
mg_child_get_state(const struct mg_child *c)
{
    return c->state;
}

size_t
mg_child_live_count(void)
{
    return atomic_load(&live_children);
}
