/*
 * ptrmap.c - pointer-keyed hash map with linear probing.
 */
#include "util/ptrmap.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

/* Pointers are aligned, so mix the bits before masking. */
static size_t
hash_ptr(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h;
}

void
mg_ptrmap_init(struct mg_ptrmap *m)
{
    memset(m, 0, sizeof(*m));
}

void
mg_ptrmap_free(struct mg_ptrmap *m)
{
    mg_free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct mg_ptrmap_slot *
find(const struct mg_ptrmap *m, const void *key)
{
    size_t mask = m->cap - 1, i = hash_ptr(key) & mask;

    while (m->slots[i].key != NULL && m->slots[i].key != key)
        i = (i + 1) & mask;
    return &m->slots[i];
}

void *
mg_ptrmap_get(const struct mg_ptrmap *m, const void *key)
{
    if (m->cap == 0)
        return NULL;
    return find(m, key)->value;
}

static void
grow(struct mg_ptrmap *m)
{
    struct mg_ptrmap_slot *old = m->slots;
    size_t oldcap = m->cap;

    m->cap = oldcap ? oldcap * 2 : 16;
    m->slots = mg_calloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key != NULL)
            *find(m, old[i].key) = old[i];
    mg_free(old);
}

void
mg_ptrmap_put(struct mg_ptrmap *m, const void *key, void *value)
{
    struct mg_ptrmap_slot *slot;

    if ((m->len + 1) * 4 > m->cap * 3)
        grow(m);
    slot = find(m, key);
    if (slot->key == NULL) {
        slot->key = key;
        m->len++;
    }
    slot->value = value;
}
