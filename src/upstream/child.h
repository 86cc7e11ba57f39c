/*
 * child.h - one upstream server run as a child process, kept alive.
 *
 * The stdio transport of MCP from the client side: the child reads
 * newline-delimited JSON-RPC on stdin and writes it on stdout; stderr is
 * for its logs.  This module moves lines and supervises the process; it
 * does not speak MCP (the upstream client on top does).
 *
 *   - stdout is framed into lines of at most max_line bytes; a longer line
 *     is dropped up to its newline with a warning.  Blank lines are skipped,
 *     "\r\n" is accepted.
 *   - stderr lines are logged as "upstream NAME: LINE", cut at
 *     MG_MAX_CHILD_STDERR_LINE bytes.
 *   - When the child exits or cannot be run, it is spawned again after a
 *     backoff (exponential, full jitter).  More than max_restarts_per_min
 *     restarts within a rolling minute leave it FAILED until
 *     mg_child_restart().
 *   - Stopping follows MCP's stdio shutdown: close stdin, wait grace_ms,
 *     SIGTERM, wait grace_ms again, SIGKILL.
 *
 * Process group: the child runs in a session and process group of its own
 * (UV_PROCESS_DETACHED, i.e. setsid), and every signal goes to the whole
 * group (kill(-pid)).  Launchers such as `npx`, `uvx` or `sh -c` run the
 * real server as a grandchild; signalling only the launcher would leave
 * the server running with nobody to talk to.  When the child exits, the
 * group is swept with SIGKILL so no grandchild outlives it.  The price:
 * a terminal's Ctrl-C does not reach the children directly, the gateway
 * stops them itself; and if the gateway dies without stopping them, they
 * see end of file on stdin, on which well-behaved MCP servers exit.
 *
 * Every callback runs on the loop thread, never from inside a call to this
 * module; a callback may call any function here except mg_child_free().
 * The process must ignore SIGPIPE (mg_child_start makes sure of it), or a
 * write to a child that just died would kill the gateway.
 */
#ifndef MG_UPSTREAM_CHILD_H
#define MG_UPSTREAM_CHILD_H

#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

/* Defaults for the options left at 0. */
#define MG_CHILD_DEFAULT_GRACE_MS 2000u
#define MG_CHILD_DEFAULT_BACKOFF_MIN_MS 250u
#define MG_CHILD_DEFAULT_BACKOFF_MAX_MS 30000u
#define MG_CHILD_DEFAULT_MAX_RESTARTS 5u
/* A child that stayed up this long starts its backoff over. */
#define MG_CHILD_DEFAULT_STABLE_MS 60000u

enum mg_child_state {
    MG_CHILD_STARTING, /* about to spawn */
    MG_CHILD_RUNNING,  /* spawned: mg_child_send() is accepted */
    MG_CHILD_BACKOFF,  /* exited or could not be run; spawning again after a delay */
    MG_CHILD_FAILED,   /* restarted too often; left stopped until mg_child_restart() */
    MG_CHILD_STOPPED,  /* mg_child_stop() finished */
};

struct mg_child_opts {
    const char *name;                 /* server name, for logs */
    const char *command;              /* looked up in PATH (execvp) */
    const char *const *args;          /* after the command; nargs of them */
    size_t nargs;
    const char *const *env_keys;      /* added to (or replacing in) our environment */
    const char *const *env_values;
    size_t nenv;
    const char *cwd;                  /* or NULL: ours */
    size_t max_line;                  /* longest stdout line, bytes; 0: MG_MAX_MESSAGE_DEFAULT */
    size_t max_queue;                 /* bytes queued to stdin at most; 0: MG_MAX_WRITE_QUEUE */
    unsigned grace_ms;                /* each shutdown step; 0: the default */
    unsigned backoff_min_ms;          /* 0: the default */
    unsigned backoff_max_ms;          /* 0: the default (at least backoff_min_ms) */
    unsigned max_restarts_per_min;    /* 0: the default */
    unsigned stable_ms;               /* 0: the default */

    /* One stdout line, without its line ending; LINE is borrowed. */
    void (*on_line)(void *ctx, const char *line, size_t len);
    /* A state change; WHY says what happened, for logs and status (borrowed). */
    void (*on_state)(void *ctx, enum mg_child_state state, const char *why);
    void *ctx;
};

struct mg_child;

/*
 * Supervise a new child on LOOP.  Strings in OPTS are copied.  The process
 * is spawned on the loop's next turn (STARTING, then RUNNING or BACKOFF).
 * Returns the child, or NULL if OPTS has no name or command.
 */
struct mg_child *mg_child_start(uv_loop_t *loop, const struct mg_child_opts *opts);

/*
 * Queue LINE/LEN plus "\n" to the child's stdin (LINE is copied).  Returns
 * 0; UV_EPIPE when the child is not RUNNING or is being stopped; UV_ENOBUFS
 * when the queue is over max_queue (the child does not read); UV_EINVAL if
 * LINE contains a newline.  A failed write ends the child (it is restarted).
 */
int mg_child_send(struct mg_child *c, const char *line, size_t len);

/*
 * Start afresh, forgetting past restarts: a running child is stopped as by
 * mg_child_stop and spawned again at once once it has exited; a child in
 * BACKOFF or FAILED is spawned now.  Does nothing once stopping.
 */
void mg_child_restart(struct mg_child *c);

/*
 * Stop for good: close stdin, SIGTERM the group after grace_ms, SIGKILL it
 * after another grace_ms.  DONE(CTX) is called once the process is reaped
 * and every handle closed (after on_state(STOPPED)); then mg_child_free().
 * Call once; DONE may be NULL.
 */
void mg_child_stop(struct mg_child *c, void (*done)(void *ctx), void *ctx);

/* Free a child whose stop has finished. */
void mg_child_free(struct mg_child *c);

/* The running process (also its process group), or 0. */
pid_t mg_child_pid(const struct mg_child *c);

enum mg_child_state mg_child_get_state(const struct mg_child *c);

/* Processes spawned and not yet reaped, over the whole process; tests use
 * it to prove that nothing is left behind. */
size_t mg_child_live_count(void);

#endif
