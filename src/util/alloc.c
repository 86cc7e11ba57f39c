/*
 * alloc.c - allocation wrappers that abort on out-of-memory.
 */
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(size_t n, const char *file, int line)
{
    fprintf(stderr, "mcpgate: out of memory allocating %zu bytes at %s:%d\n", n, file, line);
    abort();
}

void *
mg__xmalloc(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n, file, line);
    return p;
}

void *
mg__xcalloc(size_t n, size_t size, const char *file, int line)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size, file, line);
    return p;
}

void *
mg__xrealloc(void *p, size_t n, const char *file, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n, file, line);
    return q;
}

char *
mg__xstrdup(const char *s, const char *file, int line)
{
    return mg__xstrndup(s, strlen(s), file, line);
}

char *
mg__xstrndup(const char *s, size_t n, const char *file, int line)
{
    char *p = mg__xmalloc(n + 1, file, line);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
