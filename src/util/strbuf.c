/*
 * strbuf.c - a growable string.
 */
#include "util/strbuf.h"

#include <string.h>

#include "util/alloc.h"

char *
mg_strbuf_reserve(struct mg_strbuf *b, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = mg_realloc(b->p, cap);
        b->cap = cap;
    }
    return b->p + b->len;
}

void
mg_strbuf_add(struct mg_strbuf *b, const char *s, size_t n)
{
    memcpy(mg_strbuf_reserve(b, n), s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
