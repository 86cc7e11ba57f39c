/*
 * linebuf.h - newline framing with a bound, for byte streams from peers.
 *
 * Bytes go in as they arrive; complete lines come out through a callback,
 * without their "\n" (a "\r" before it is dropped too).  Blank lines (empty,
 * or only spaces and tabs) carry nothing and are skipped.
 *
 * A line longer than the bound is never buffered past it: its first `max`
 * bytes are kept, the rest is counted and dropped up to the next newline,
 * and the callback hears of the line once, at its end, with FULL larger
 * than LEN.  Each user decides what an over-long line means (child stdout
 * drops it, child stderr logs it cut).
 */
#ifndef MG_UTIL_LINEBUF_H
#define MG_UTIL_LINEBUF_H

#include <stddef.h>

struct mg_linebuf {
    char *buf;    /* the start of the line not yet complete */
    size_t len;   /* bytes in buf (at most max + 1: room for a "\r") */
    size_t cap;
    size_t max;   /* longest line passed on whole, without its line ending */
    size_t total; /* bytes of the incomplete line seen so far */
    char last;    /* its last byte, to spot a "\r" that was not kept */
};

/*
 * One line: LINE/LEN is the line, or for an over-long line its first `max`
 * bytes; FULL is the line's real length (FULL == LEN unless over-long).
 * LINE is borrowed for the call.  The callback must not feed the same
 * linebuf.
 */
typedef void (*mg_linebuf_cb)(void *ctx, const char *line, size_t len, size_t full);

/* Start empty; MAX must be at least 1. */
void mg_linebuf_init(struct mg_linebuf *lb, size_t max);
/* Free the buffer and forget a partial line; LB may be fed again. */
void mg_linebuf_free(struct mg_linebuf *lb);

/* Split N bytes of DATA into lines, calling CB(CTX, ...) for each complete
 * one; an incomplete tail is kept for the next call. */
void mg_linebuf_feed(struct mg_linebuf *lb, const char *data, size_t n, mg_linebuf_cb cb, void *ctx);

/* At end of input: pass on a last line that had no newline, then start
 * empty again. */
void mg_linebuf_finish(struct mg_linebuf *lb, mg_linebuf_cb cb, void *ctx);

#endif
