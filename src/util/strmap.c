/*
 * strmap.c - string-keyed hash map with linear probing and tombstones.
 */
#include "util/strmap.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

static char tombstone;
#define TOMBSTONE (&tombstone)

/* FNV-1a: short keys, no adversarial flooding concern at these sizes since
 * keys come from configuration and registration, not from clients. */
static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void
mg_strmap_init(struct mg_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void
mg_strmap_free(struct mg_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL && m->slots[i].key != TOMBSTONE)
            mg_free(m->slots[i].key);
    mg_free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct mg_strmap_slot *
find(const struct mg_strmap *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct mg_strmap_slot *s = &m->slots[i];
        if (s->key == NULL)
            return NULL;
        if (s->key != TOMBSTONE && strcmp(s->key, key) == 0)
            return s;
    }
}

void *
mg_strmap_get(const struct mg_strmap *m, const char *key)
{
    struct mg_strmap_slot *s = find(m, key);
    return s ? s->value : NULL;
}

static void
grow(struct mg_strmap *m)
{
    struct mg_strmap_slot *old = m->slots;
    size_t oldcap = m->cap;

    m->cap = oldcap ? oldcap * 2 : 16;
    m->slots = mg_calloc(m->cap, sizeof(*m->slots));
    m->used = m->len;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key == NULL || old[i].key == TOMBSTONE)
            continue;
        size_t j = hash_str(old[i].key) & (m->cap - 1);
        while (m->slots[j].key != NULL)
            j = (j + 1) & (m->cap - 1);
        m->slots[j] = old[i];
    }
    mg_free(old);
}

void
mg_strmap_put(struct mg_strmap *m, const char *key, void *value)
{
    struct mg_strmap_slot *s = find(m, key);

    if (s != NULL) {
        s->value = value;
        return;
    }
    if ((m->used + 1) * 4 >= m->cap * 3)
        grow(m);
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->slots[i].key != NULL && m->slots[i].key != TOMBSTONE)
        i = (i + 1) & (m->cap - 1);
    if (m->slots[i].key == NULL)
        m->used++;
    m->slots[i].key = mg_strdup(key);
    m->slots[i].value = value;
    m->len++;
}

void *
mg_strmap_del(struct mg_strmap *m, const char *key)
{
    struct mg_strmap_slot *s = find(m, key);
    void *v;

    if (s == NULL)
        return NULL;
    v = s->value;
    mg_free(s->key);
    s->key = TOMBSTONE;
    s->value = NULL;
    m->len--;
    return v;
}
