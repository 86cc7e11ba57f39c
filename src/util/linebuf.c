/*
 * linebuf.c - newline framing with a bound.
 *
 * The common case (a whole line inside one read, nothing buffered) is
 * passed on straight from the caller's bytes; only a line that spans reads
 * is copied, and never more than max + 1 bytes of it.
 */
#include "util/linebuf.h"

#include <string.h>

#include "util/alloc.h"

/* A buffer grown for one big line is given back after it, so a child
 * that sent one 4 MiB message does not hold 4 MiB for the rest of its life. */
#define KEEP_CAP (64 * 1024)

void
mg_linebuf_init(struct mg_linebuf *lb, size_t max)
{
    memset(lb, 0, sizeof(*lb));
    lb->max = max ? max : 1;
}

void
mg_linebuf_free(struct mg_linebuf *lb)
{
    mg_free(lb->buf);
    lb->buf = NULL;
    lb->len = lb->cap = lb->total = 0;
    lb->last = 0;
}

static int
blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

/* Pass on one complete line of TOTAL bytes whose start is P/N (N < TOTAL
 * only for an over-long line) and whose last byte is LAST. */
static void
emit(struct mg_linebuf *lb, const char *p, size_t n, size_t total, char last, mg_linebuf_cb cb, void *ctx)
{
    size_t full = total;

    if (full > 0 && last == '\r')
        full--;
    if (full > lb->max) {
        cb(ctx, p, lb->max, full);
        return;
    }
    if (n > full)
        n = full;
    if (n > 0 && !blank(p, n))
        cb(ctx, p, n, n);
}

static void
append(struct mg_linebuf *lb, const char *data, size_t take)
{
    size_t keep = lb->max + 1; /* the bound, plus a "\r" that may follow */
    size_t room = lb->len < keep ? keep - lb->len : 0;
    size_t copy = take < room ? take : room;

    if (copy > 0) {
        if (lb->len + copy > lb->cap) {
            size_t cap = lb->cap ? lb->cap : 256;
            while (cap < lb->len + copy)
                cap *= 2;
            if (cap > keep)
                cap = keep;
            lb->buf = mg_realloc(lb->buf, cap);
            lb->cap = cap;
        }
        memcpy(lb->buf + lb->len, data, copy);
        lb->len += copy;
    }
    if (take > 0) {
        lb->total += take;
        lb->last = data[take - 1];
    }
}

static void
reset(struct mg_linebuf *lb)
{
    lb->len = lb->total = 0;
    lb->last = 0;
    if (lb->cap > KEEP_CAP)
        mg_linebuf_free(lb);
}

void
mg_linebuf_feed(struct mg_linebuf *lb, const char *data, size_t n, mg_linebuf_cb cb, void *ctx)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;

        if (nl == NULL) {
            append(lb, data, take);
            return;
        }
        if (lb->total == 0) { /* the whole line is here: no copy */
            emit(lb, data, take, take, take ? data[take - 1] : 0, cb, ctx);
        } else {
            append(lb, data, take);
            emit(lb, lb->buf, lb->len, lb->total, lb->last, cb, ctx);
            reset(lb);
        }
        data += take + 1;
        n -= take + 1;
    }
}

void
mg_linebuf_finish(struct mg_linebuf *lb, mg_linebuf_cb cb, void *ctx)
{
    if (lb->total > 0)
        emit(lb, lb->buf, lb->len, lb->total, lb->last, cb, ctx);
    reset(lb);
}
