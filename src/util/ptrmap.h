/*
 * ptrmap.h - a pointer-keyed hash map (open addressing, no deletion).
 *
 * Used where identity matters more than content: the JSON Schema compiler
 * maps schema nodes (json_t pointers) to their resolved "$ref" targets.
 */
#ifndef MG_UTIL_PTRMAP_H
#define MG_UTIL_PTRMAP_H

#include <stddef.h>

struct mg_ptrmap_slot {
    const void *key; /* NULL: empty */
    void *value;
};

struct mg_ptrmap {
    struct mg_ptrmap_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
};

void mg_ptrmap_init(struct mg_ptrmap *m);
void mg_ptrmap_free(struct mg_ptrmap *m);
/* The value for KEY, or NULL. */
void *mg_ptrmap_get(const struct mg_ptrmap *m, const void *key);
/* Insert or replace; KEY must not be NULL. */
void mg_ptrmap_put(struct mg_ptrmap *m, const void *key, void *value);

#endif
