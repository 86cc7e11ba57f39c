/*
 * json_random.h - random jansson values for the JSON tests: strings
 * with every kind of escape and multi-byte UTF-8, integers over the whole
 * 64-bit range, reals, and nested arrays and objects (keys from the same
 * strings).  Deterministic for a seed.
 */
#ifndef MG_TESTS_JSON_RANDOM_H
#define MG_TESTS_JSON_RANDOM_H

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static json_t *
random_json_string(unsigned *seed)
{
    static const char *const pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\b\f\r", "\x01", "\x1f",
                                         "\x7f", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf"};
    char buf[256];
    size_t len = 0;

    for (int i = rand_r(seed) % 12; i > 0; i--) {
        const char *p = pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))];
        memcpy(buf + len, p, strlen(p));
        len += strlen(p);
    }
    return json_stringn(buf, len);
}

static json_t *
random_json_value(unsigned *seed, int depth)
{
    json_t *v, *key;

    switch (rand_r(seed) % (depth > 4 ? 5 : 7)) {
    case 0:
        return rand_r(seed) % 2 ? json_null() : json_boolean(rand_r(seed) % 2);
    case 1:
        return json_integer((json_int_t)(((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 2)) -
                            (json_int_t)rand_r(seed));
    case 2:
        return json_real(((double)rand_r(seed) - 1e9) / ((double)(rand_r(seed) % 100000) + 1.0));
    case 3:
    case 4:
        return random_json_string(seed);
    case 5:
        v = json_array();
        for (int i = rand_r(seed) % 5; i > 0; i--)
            json_array_append_new(v, random_json_value(seed, depth + 1));
        return v;
    default:
        v = json_object();
        for (int i = rand_r(seed) % 5; i > 0; i--) {
            key = random_json_string(seed);
            json_object_setn_new(v, json_string_value(key), json_string_length(key),
                                 random_json_value(seed, depth + 1));
            json_decref(key);
        }
        return v;
    }
}

#endif
