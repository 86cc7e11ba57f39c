/*
 * json_text.c - compact JSON text of a jansson value, in one pass.
 *
 * The same text as jansson's encoder with JSON_COMPACT (no spaces, no
 * sorting, objects in their order) and strings escaped as json_escape.h
 * says (no JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH).  Reals are rare in
 * MCP messages and their text depends on printf, so jansson writes
 * those.  json_size.c counts the same text without writing it;
 * tests/unit/test_json_text.c holds both to jansson's answers.
 */
#include "json/json_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_escape.h"
#include "util/alloc.h"
#include "util/strbuf.h"

#define MAX_DEPTH 4096

/* Room for N more bytes and the NUL: the check inline, the growing not. */
static inline void
room(struct mg_strbuf *o, size_t n)
{
    if (o->len + n + 1 > o->cap)
        mg_strbuf_reserve(o, n);
}

static void
put_char(struct mg_strbuf *o, char c)
{
    room(o, 1);
    o->p[o->len++] = c;
    o->p[o->len] = '\0';
}

static void
put_string(struct mg_strbuf *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;

    /* At most 6 bytes per input byte, plus the quotes: one reserve. */
    room(o, len * 6 + 2);
    o->p[o->len++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char e = mg_json_escape_of(c);

        if (e == 0)
            continue;
        /* The bytes before this one go as they are, in one copy. */
        memcpy(o->p + o->len, s + run, i - run);
        o->len += i - run;
        run = i + 1;
        o->p[o->len++] = '\\';
        if (e != 'u') {
            o->p[o->len++] = e;
        } else {
            memcpy(o->p + o->len, "u00", 3);
            o->p[o->len + 3] = hex[c >> 4];
            o->p[o->len + 4] = hex[c & 15];
            o->len += 5;
        }
    }
    memcpy(o->p + o->len, s + run, len - run);
    o->len += len - run;
    o->p[o->len++] = '"';
    o->p[o->len] = '\0';
}

static void
put_integer(struct mg_strbuf *o, json_int_t v)
{
    /* Digits from the magnitude as unsigned, so INT64_MIN works. */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[24];
    size_t n = sizeof(digits);

    do {
        digits[--n] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        digits[--n] = '-';
    mg_strbuf_add(o, digits + n, sizeof(digits) - n);
}

static int
put_real(struct mg_strbuf *o, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

    if (text == NULL)
        return -1;
    mg_strbuf_add(o, text, strlen(text));
    free(text);
    return 0;
}

static int
put_value(struct mg_strbuf *o, const json_t *v, int depth)
{
    size_t i;
    json_t *item;

    if (v == NULL || depth > MAX_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_NULL:
        mg_strbuf_add(o, "null", 4);
        return 0;
    case JSON_TRUE:
        mg_strbuf_add(o, "true", 4);
        return 0;
    case JSON_FALSE:
        mg_strbuf_add(o, "false", 5);
        return 0;
    case JSON_INTEGER:
        put_integer(o, json_integer_value(v));
        return 0;
    case JSON_REAL:
        return put_real(o, v);
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_ARRAY:
        put_char(o, '[');
        json_array_foreach ((json_t *)v, i, item) {
            if (i > 0)
                put_char(o, ',');
            if (put_value(o, item, depth + 1) != 0)
                return -1;
        }
        put_char(o, ']');
        return 0;
    case JSON_OBJECT:
        i = 0;
        put_char(o, '{');
        for (void *it = json_object_iter((json_t *)v); it != NULL; it = json_object_iter_next((json_t *)v, it)) {
            if (i++ > 0)
                put_char(o, ',');
            put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
            put_char(o, ':');
            if (put_value(o, json_object_iter_value(it), depth + 1) != 0)
                return -1;
        }
        put_char(o, '}');
        return 0;
    }
    return -1;
}

char *
mg_json_text(const json_t *v, size_t *len)
{
    struct mg_strbuf o = {0};

    /* Most messages fit at once. */
    mg_strbuf_reserve(&o, 1023);
    if (put_value(&o, v, 0) != 0) {
        mg_free(o.p);
        return NULL;
    }
    if (len != NULL)
        *len = o.len;
    return o.p;
}
