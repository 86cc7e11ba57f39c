/*
 * strbuf.c - a growable string.
 */
#include "util/strbuf.h"

#include <string.h>

#include "util/alloc.h"

void
mg_strbuf_add(struct mg_strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = mg_realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
