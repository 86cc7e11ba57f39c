/*
 * store_writer.c - a queue of store operations and the thread that
 * commits them in batches.
 *
 * The queue is a singly linked list with a tail pointer under one mutex;
 * pushing costs a lock and two pointer writes.  `pushed` and `done`
 * count operations in and out, so a flush can wait for the ones pushed
 * before it without a marker in the queue.
 */
#include "store/store_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"

struct mg_store_writer {
    struct mg_store *st;
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t wake;             /* the writer: work, a flush or stop */
    uv_cond_t progress;         /* flushers: `done` moved */
    struct mg_store_op *head, *tail;
    size_t queued;
    uint64_t pushed, done;      /* operations ever queued, and finished */
    uint64_t flush_to;          /* a flusher waits for done >= this */
    size_t dropped;
    unsigned batch_ms;
    int stopping;
    /* The periodic job, or NULL (mg_store_writer_every). */
    int (*job)(sqlite3 *db, void *ctx);
    void *job_ctx;
    uint64_t job_every_ns;
    uint64_t job_next;          /* uv_hrtime() when it runs next */
};

static void
free_list(struct mg_store_op *op)
{
    while (op != NULL) {
        struct mg_store_op *next = op->next;
        op->free(op);
        op = next;
    }
}

/* Commit OPS in one transaction; returns 0 or -1 (nothing committed). */
static int
commit(struct mg_store_writer *w, struct mg_store_op *ops)
{
    sqlite3 *db = w->st->db;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    for (struct mg_store_op *op = ops; op != NULL; op = op->next)
        if (op->apply(db, op) != 0)
            mg_log_warn("store: cannot write %s: %s; skipped", op->what, sqlite3_errmsg(db));
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;

fail:
    mg_log_warn("store: cannot commit to %s: %s", w->st->path, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Run the periodic job in a transaction of its own. */
static void
run_job(struct mg_store_writer *w)
{
    sqlite3 *db = w->st->db;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK && w->job(db, w->job_ctx) == 0 &&
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return;
    mg_log_warn("store: housekeeping on %s failed: %s; it is tried again later", w->st->path, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* With the lock held: 1 when the periodic job is due. */
static int
job_due(struct mg_store_writer *w)
{
    return w->job != NULL && !w->stopping && uv_hrtime() >= w->job_next;
}

static void
run(void *arg)
{
    struct mg_store_writer *w = arg;

    uv_mutex_lock(&w->mu);
    for (;;) {
        struct mg_store_op *ops;
        size_t n;
        int tries = 0;
        size_t lost = 0;

        /* Wait for work, a stop, or the periodic job's time. */
        while (w->head == NULL && !w->stopping) {
            uint64_t now = uv_hrtime();
            if (w->job == NULL)
                uv_cond_wait(&w->wake, &w->mu);
            else if (now < w->job_next)
                uv_cond_timedwait(&w->wake, &w->mu, w->job_next - now);
            else
                break;
        }
        if (job_due(w)) {
            w->job_next = uv_hrtime() + w->job_every_ns;
            uv_mutex_unlock(&w->mu);
            run_job(w);
            uv_mutex_lock(&w->mu);
            continue;
        }
        if (w->head == NULL)
            break; /* stopping, and nothing left */
        /* The batch window: let more gather, unless someone waits. */
        if (!w->stopping && w->flush_to <= w->done && w->queued < MG_STORE_QUEUE_MAX / 2)
            uv_cond_timedwait(&w->wake, &w->mu, (uint64_t)w->batch_ms * 1000000u);
        ops = w->head;
        n = w->queued;
        w->head = w->tail = NULL;
        w->queued = 0;
        uv_mutex_unlock(&w->mu);

        while (commit(w, ops) != 0 && ++tries < MG_STORE_COMMIT_TRIES)
            uv_sleep(100u << tries);
        if (tries == MG_STORE_COMMIT_TRIES) {
            mg_log_warn("store: %zu writes lost after %d failed commits", n, MG_STORE_COMMIT_TRIES);
            lost = n;
        }
        free_list(ops);

        uv_mutex_lock(&w->mu);
        w->dropped += lost;
        w->done += n;
        uv_cond_broadcast(&w->progress);
    }
    uv_mutex_unlock(&w->mu);
}

struct mg_store_writer *
mg_store_writer_start(struct mg_store *st, unsigned batch_ms, char *err, size_t errlen)
{
    struct mg_store_writer *w = mg_calloc(1, sizeof(*w));
    int rc;

    w->st = st;
    w->batch_ms = batch_ms != 0 ? batch_ms : MG_STORE_BATCH_MS;
    if (uv_mutex_init(&w->mu) != 0 || uv_cond_init(&w->wake) != 0 || uv_cond_init(&w->progress) != 0)
        abort(); /* only fails without memory */
    if ((rc = uv_thread_create(&w->thread, run, w)) != 0) {
        snprintf(err, errlen, "cannot start the store's writer thread: %s", uv_strerror(rc));
        uv_cond_destroy(&w->progress);
        uv_cond_destroy(&w->wake);
        uv_mutex_destroy(&w->mu);
        mg_free(w);
        return NULL;
    }
    return w;
}

void
mg_store_writer_every(struct mg_store_writer *w, unsigned interval_ms, int (*fn)(sqlite3 *db, void *ctx), void *ctx)
{
    uv_mutex_lock(&w->mu);
    w->job = fn;
    w->job_ctx = ctx;
    w->job_every_ns = (uint64_t)interval_ms * 1000000u;
    w->job_next = uv_hrtime(); /* once now */
    uv_cond_signal(&w->wake);
    uv_mutex_unlock(&w->mu);
}

void
mg_store_writer_push(struct mg_store_writer *w, struct mg_store_op *op)
{
    op->next = NULL;
    uv_mutex_lock(&w->mu);
    if (w->queued >= MG_STORE_QUEUE_MAX || w->stopping) {
        size_t d = ++w->dropped;
        uv_mutex_unlock(&w->mu);
        /* Powers of two: the log says it is happening without flooding. */
        if ((d & (d - 1)) == 0)
            mg_log_warn("store: the writer is behind (%d writes queued); %zu writes dropped so far",
                        MG_STORE_QUEUE_MAX, d);
        op->free(op);
        return;
    }
    if (w->tail != NULL)
        w->tail->next = op;
    else
        w->head = op;
    w->tail = op;
    w->queued++;
    w->pushed++;
    if (w->queued == 1 || w->queued == MG_STORE_QUEUE_MAX / 2)
        uv_cond_signal(&w->wake);
    uv_mutex_unlock(&w->mu);
}

void
mg_store_writer_flush(struct mg_store_writer *w)
{
    uv_mutex_lock(&w->mu);
    if (w->pushed > w->flush_to)
        w->flush_to = w->pushed;
    uv_cond_signal(&w->wake);
    while (w->done < w->flush_to)
        uv_cond_wait(&w->progress, &w->mu);
    uv_mutex_unlock(&w->mu);
}

void
mg_store_writer_stop(struct mg_store_writer *w)
{
    if (w == NULL)
        return;
    uv_mutex_lock(&w->mu);
    w->stopping = 1;
    uv_cond_signal(&w->wake);
    uv_mutex_unlock(&w->mu);
    uv_thread_join(&w->thread);
    if (w->dropped > 0)
        mg_log_warn("store: %zu writes were dropped while serving", w->dropped);
    uv_cond_destroy(&w->progress);
    uv_cond_destroy(&w->wake);
    uv_mutex_destroy(&w->mu);
    mg_store_close(w->st);
    mg_free(w);
}

size_t
mg_store_writer_dropped(struct mg_store_writer *w)
{
    size_t n;

    uv_mutex_lock(&w->mu);
    n = w->dropped;
    uv_mutex_unlock(&w->mu);
    return n;
}
