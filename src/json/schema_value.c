/*
 * schema_value.c - comparing, classifying and showing JSON values, as the
 * JSON Schema validator needs them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/schema_impl.h"
#include "util/alloc.h"

double
mg_json_num(const json_t *x)
{
    return json_number_value(x);
}

int
mg_json_is_integral(const json_t *x)
{
    if (json_is_integer(x))
        return 1;
    if (json_is_real(x)) {
        double v = json_real_value(x);
        return isfinite(v) && floor(v) == v;
    }
    return 0;
}

/* -1, 0, 1 as A <, =, > B; exact for two integers. */
int
mg_json_num_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y;
    }
    return mg_json_num(a) < mg_json_num(b) ? -1 : mg_json_num(a) > mg_json_num(b);
}

int
mg_json_equal(const json_t *a, const json_t *b)
{
    size_t i;
    const char *k;
    json_t *v;

    if (json_is_number(a) && json_is_number(b))
        return mg_json_num_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        json_array_foreach ((json_t *)a, i, v)
            if (!mg_json_equal(v, json_array_get(b, i)))
                return 0;
        return 1;
    case JSON_OBJECT:
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach ((json_t *)a, k, v) {
            json_t *w = json_object_get(b, k);
            if (w == NULL || !mg_json_equal(v, w))
                return 0;
        }
        return 1;
    default:
        return 1; /* true, false, null */
    }
}

const char *
mg_json_type_name(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

int
mg_json_has_type(const json_t *x, const char *t)
{
    if (strcmp(t, "integer") == 0)
        return mg_json_is_integral(x);
    if (strcmp(t, "number") == 0)
        return json_is_number(x);
    return strcmp(t, mg_json_type_name(x)) == 0;
}

/* A short rendering of a JSON value for messages. */
void
mg_json_render(const json_t *v, char *out, size_t n)
{
    if (json_is_integer(v)) {
        snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(out, n, "%.15g", json_real_value(v));
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (s == NULL)
            s = mg_strdup("?");
        if (strlen(s) >= n && n > 4)
            snprintf(out, n, "%.*s...", (int)(n - 4), s);
        else
            snprintf(out, n, "%s", s);
        free(s);
    }
}

size_t
mg_utf8_length(const char *s, size_t n)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}
