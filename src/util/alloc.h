/*
 * alloc.h - allocation wrappers.
 *
 * mcpgate aborts on out-of-memory (like h2o_mem_alloc): every growable
 * buffer fed by a peer is capped (see limits.h), so a peer cannot drive the
 * process out of memory, and a failed allocation means the machine itself
 * is exhausted.  All allocations go through these macros so that a debug
 * build can tag or fail them.
 */
#ifndef MG_UTIL_ALLOC_H
#define MG_UTIL_ALLOC_H

#include <stddef.h>

void *mg__xmalloc(size_t n, const char *file, int line);
void *mg__xcalloc(size_t n, size_t size, const char *file, int line);
void *mg__xrealloc(void *p, size_t n, const char *file, int line);
char *mg__xstrdup(const char *s, const char *file, int line);
char *mg__xstrndup(const char *s, size_t n, const char *file, int line);

#define mg_malloc(n) mg__xmalloc((n), __FILE__, __LINE__)
#define mg_calloc(n, s) mg__xcalloc((n), (s), __FILE__, __LINE__)
#define mg_realloc(p, n) mg__xrealloc((p), (n), __FILE__, __LINE__)
#define mg_strdup(s) mg__xstrdup((s), __FILE__, __LINE__)
#define mg_strndup(s, n) mg__xstrndup((s), (n), __FILE__, __LINE__)
#define mg_free(p) free(p)

#include <stdlib.h>

#endif
