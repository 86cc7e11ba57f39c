/*
 * json_size.c - the length of a value's compact JSON text, by walking it.
 *
 * Mirrors jansson's encoder with JSON_COMPACT (no spaces, no sorting),
 * as json_text.c writes it: in strings and keys, a byte json_escape.h
 * escapes takes two bytes (six as \u00XX), every other byte one.  Reals
 * are rare in MCP messages and their text depends on printf, so jansson
 * itself measures them.  tests/unit/test_json_text.c holds the two to
 * jansson's answers.
 */
#include "json/json_size.h"

#include <stdint.h>

#include "json/json_escape.h"

/* Deeper than any decoded message may be (MG_MAX_JSON_DEPTH); a cycle,
 * which only a bug could build, stops here instead of recursing on. */
#define MAX_DEPTH 4096

static size_t
string_size(const char *s, size_t len)
{
    size_t n = 2; /* the quotes */

    for (size_t i = 0; i < len; i++) {
        char e = mg_json_escape_of((unsigned char)s[i]);
        n += e == 0 ? 1 : e == 'u' ? 6 : 2;
    }
    return n;
}

static size_t
integer_size(json_int_t v)
{
    /* Count digits on the magnitude as unsigned, so INT64_MIN works. */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = v < 0 ? 2 : 1;

    while (m >= 10) {
        m /= 10;
        n++;
    }
    return n;
}

static int
count_bytes(const char *buf, size_t size, void *data)
{
    (void)buf;
    *(size_t *)data += size;
    return 0;
}

static size_t
value_size(const json_t *v, int depth)
{
    size_t n = 0, i;
    const char *key;
    json_t *item;

    if (v == NULL || depth > MAX_DEPTH)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_TRUE:
        return 4;
    case JSON_FALSE:
        return 5;
    case JSON_INTEGER:
        return integer_size(json_integer_value(v));
    case JSON_REAL:
        json_dump_callback(v, count_bytes, &n, JSON_COMPACT | JSON_ENCODE_ANY);
        return n;
    case JSON_STRING:
        return string_size(json_string_value(v), json_string_length(v));
    case JSON_ARRAY:
        n = 2 + (json_array_size(v) > 0 ? json_array_size(v) - 1 : 0); /* brackets, commas */
        json_array_foreach ((json_t *)v, i, item)
            n += value_size(item, depth + 1);
        return n;
    case JSON_OBJECT:
        n = 2 + (json_object_size(v) > 0 ? json_object_size(v) - 1 : 0); /* braces, commas */
        for (void *it = json_object_iter((json_t *)v); it != NULL; it = json_object_iter_next((json_t *)v, it)) {
            key = json_object_iter_key(it);
            n += string_size(key, json_object_iter_key_len(it)) + 1; /* and the colon */
            n += value_size(json_object_iter_value(it), depth + 1);
        }
        return n;
    }
    return 0;
}

size_t
mg_json_compact_size(const json_t *v)
{
    return value_size(v, 0);
}
