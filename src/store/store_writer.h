/*
 * store_writer.h - the one thread that writes the store while serving.
 *
 * The loop thread never waits on SQLite (DESIGN.md, Threads): what it
 * wants written (a key's last use now, call records later) becomes an
 * operation pushed on a queue, which returns at once.  The writer thread
 * takes what has gathered, waits up to a short batch window for more, and
 * commits it all in one transaction: one fsync for many writes.
 *
 * The queue is bounded (MG_STORE_QUEUE_MAX): when the disk cannot keep
 * up, further operations are dropped and counted in a warning, rather
 * than memory growing without end.  Stopping the writer commits
 * everything queued before it returns, so nothing pushed is lost on a
 * clean shutdown.
 *
 * The writer can also run one periodic job of its own (mg_store_writer_every),
 * such as the call record's retention, so that housekeeping never runs
 * on the loop thread either.
 */
#ifndef MG_STORE_STORE_WRITER_H
#define MG_STORE_STORE_WRITER_H

#include <sqlite3.h>
#include <stddef.h>

struct mg_store;
struct mg_store_writer;

/* Operations queued at most; more are dropped. */
#define MG_STORE_QUEUE_MAX 65536
/* Default batch window, ms. */
#define MG_STORE_BATCH_MS 200
/* A failed commit is tried this many times before its batch is dropped. */
#define MG_STORE_COMMIT_TRIES 3

/* One write.  Embed it first in a struct of your own. */
struct mg_store_op {
    struct mg_store_op *next;   /* the queue's */
    /* Runs on the writer thread inside the batch's transaction; returns
     * 0, or -1 to have it logged and skipped (the batch goes on). */
    int (*apply)(sqlite3 *db, struct mg_store_op *op);
    /* Frees the operation, on the writer thread (or the pusher's, when
     * it is dropped). */
    void (*free)(struct mg_store_op *op);
    const char *what;           /* for messages: "key last used" */
};

/*
 * Start the writer on ST's connection, which it takes over: ST must not
 * be used again except by mg_store_writer_stop, which closes it.  BATCH_MS
 * 0 means MG_STORE_BATCH_MS.  NULL when the thread cannot start (ERR).
 */
struct mg_store_writer *mg_store_writer_start(struct mg_store *st, unsigned batch_ms, char *err, size_t errlen);

/*
 * Run FN(db, CTX) on the writer thread in a transaction of its own, once
 * soon and then every INTERVAL_MS, between batches.  FN returns 0, or -1
 * to have its transaction rolled back and a warning logged.  CTX must
 * outlive the writer.  Call it once, before pushing.
 */
void mg_store_writer_every(struct mg_store_writer *w, unsigned interval_ms, int (*fn)(sqlite3 *db, void *ctx),
                           void *ctx);

/* Queue OP (stolen).  Any thread; never blocks on the disk. */
void mg_store_writer_push(struct mg_store_writer *w, struct mg_store_op *op);

/* Wait until everything pushed before the call is committed (or
 * dropped).  Blocks: for tests and shutdown, not the loop thread. */
void mg_store_writer_flush(struct mg_store_writer *w);

/* Commit what is queued, end the thread, close the store and free all.
 * NULL is fine. */
void mg_store_writer_stop(struct mg_store_writer *w);

/* Operations dropped so far (queue full or failed commits). */
size_t mg_store_writer_dropped(struct mg_store_writer *w);

#endif
