/*
 * strmap.h - a string-keyed hash map (open addressing, linear probing).
 *
 * Keys are copied; values are borrowed pointers.  Used for name lookups
 * (tools by exposed name, bundles by namespace).
 */
#ifndef MG_UTIL_STRMAP_H
#define MG_UTIL_STRMAP_H

#include <stddef.h>

struct mg_strmap_slot {
    char *key; /* NULL: empty; MG_STRMAP_TOMBSTONE: deleted */
    void *value;
};

struct mg_strmap {
    struct mg_strmap_slot *slots;
    size_t cap;  /* power of two, or 0 */
    size_t len;  /* live entries */
    size_t used; /* live + deleted entries */
};

void mg_strmap_init(struct mg_strmap *m);
void mg_strmap_free(struct mg_strmap *m);
/* The value for `key`, or NULL. */
void *mg_strmap_get(const struct mg_strmap *m, const char *key);
/* Insert or replace. */
void mg_strmap_put(struct mg_strmap *m, const char *key, void *value);
/* Remove; returns the old value or NULL. */
void *mg_strmap_del(struct mg_strmap *m, const char *key);

#endif
