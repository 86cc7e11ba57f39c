/*
 * strbuf.h - a growable string, always NUL-terminated once anything was
 * added.  Zero-initialised it is empty; the caller frees p with mg_free.
 */
#ifndef MG_UTIL_STRBUF_H
#define MG_UTIL_STRBUF_H

#include <stddef.h>

struct mg_strbuf {
    char *p;
    size_t len, cap;
};

/* Append the N bytes at S (doubling the allocation as needed). */
void mg_strbuf_add(struct mg_strbuf *b, const char *s, size_t n);

/* Room for N more bytes and the NUL: where they go, p + len.  The caller
 * writes there, adds what it wrote to len, and terminates. */
char *mg_strbuf_reserve(struct mg_strbuf *b, size_t n);

#endif
