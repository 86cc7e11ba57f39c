/*
 * param_headers.c - finding and checking x-mcp-header declarations.
 */
#include "mcp/param_headers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

#define MAX_DEPTH 32
#define MAX_NAME 100 /* header names stay well under any proxy's limit */

/* Keywords whose values are subschemas (objects, or arrays or maps of
 * them).  A declaration under any of them is not statically reachable. */
static const char *const sub_one[] = {"items", "contains", "additionalProperties", "propertyNames",
                                      "unevaluatedProperties", "unevaluatedItems", "not", "if", "then", "else"};
static const char *const sub_list[] = {"prefixItems", "allOf", "anyOf", "oneOf"};
static const char *const sub_map[] = {"$defs", "definitions", "patternProperties", "dependentSchemas"};

struct scan {
    json_t *out;
    char *err;
    size_t errlen;
    int failed;
};

static int
is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr("!#$%&'*+-.^_`|~", c)))
            return 0;
    }
    return 1;
}

static void
fail(struct scan *sc, const char *fmt, const char *name, const char *more)
{
    if (sc->failed)
        return;
    sc->failed = 1;
    snprintf(sc->err, sc->errlen, fmt, name, more);
}

static void visit(struct scan *sc, json_t *node, json_t *path, int reachable, int depth);

static void
declare(struct scan *sc, json_t *node, json_t *path, int reachable)
{
    json_t *decl = json_object_get(node, "x-mcp-header");
    const char *name = json_string_value(decl), *type = json_string_value(json_object_get(node, "type"));
    size_t i;
    json_t *d;

    if (name == NULL || !is_token(name) || strlen(name) > MAX_NAME) {
        fail(sc, "x-mcp-header must be an HTTP token of at most 100 characters (letters, digits, "
                 "!#$%%&'*+-.^_`|~)%s%s", "", name ? "" : "; it is not a string");
        return;
    }
    if (!reachable || json_array_size(path) == 0) {
        fail(sc, "x-mcp-header \"%s\" must be on a property reachable from the root through \"properties\" "
                 "alone%s", name, "");
        return;
    }
    /* Not number: a fraction has no one spelling for the header to
     * mirror (the specification of 2026-07-28 rules it out). */
    if (type == NULL ||
        (strcmp(type, "string") != 0 && strcmp(type, "integer") != 0 && strcmp(type, "boolean") != 0)) {
        fail(sc, "x-mcp-header \"%s\" must be on a property of type string, integer or boolean, not %s", name,
             type ? type : "an untyped one");
        return;
    }
    json_array_foreach (sc->out, i, d) {
        if (strcasecmp(json_string_value(json_object_get(d, "name")), name) == 0) {
            fail(sc, "x-mcp-header \"%s\" is declared twice (names are case-insensitive)%s", name, "");
            return;
        }
    }
    json_array_append_new(sc->out, json_pack("{s:s, s:O, s:s}", "name", name, "path", path, "type", type));
}

static void
visit_each(struct scan *sc, json_t *container, json_t *path, int depth)
{
    size_t i;
    const char *k;
    json_t *v;

    if (json_is_array(container)) {
        json_array_foreach (container, i, v)
            visit(sc, v, path, 0, depth + 1);
    } else if (json_is_object(container)) {
        json_object_foreach (container, k, v)
            visit(sc, v, path, 0, depth + 1);
    }
}

static void
visit(struct scan *sc, json_t *node, json_t *path, int reachable, int depth)
{
    json_t *props, *v;
    const char *k;

    if (!json_is_object(node) || sc->failed)
        return;
    if (depth > MAX_DEPTH) {
        fail(sc, "inputSchema nests deeper than %s levels%s", "32", "");
        return;
    }
    if (json_object_get(node, "x-mcp-header") != NULL)
        declare(sc, node, path, reachable);
    if (json_is_object(props = json_object_get(node, "properties"))) {
        json_object_foreach (props, k, v) {
            json_t *sub = json_copy(path);
            json_array_append_new(sub, json_string(k));
            visit(sc, v, sub, reachable, depth + 1);
            json_decref(sub);
        }
    }
    for (size_t i = 0; i < sizeof(sub_one) / sizeof(sub_one[0]); i++)
        visit(sc, json_object_get(node, sub_one[i]), path, 0, depth + 1);
    for (size_t i = 0; i < sizeof(sub_list) / sizeof(sub_list[0]); i++)
        visit_each(sc, json_object_get(node, sub_list[i]), path, depth);
    for (size_t i = 0; i < sizeof(sub_map) / sizeof(sub_map[0]); i++)
        visit_each(sc, json_object_get(node, sub_map[i]), path, depth);
}

int
mg_param_headers_scan(json_t *schema, json_t **out, char *err, size_t errlen)
{
    struct scan sc = {.out = json_array(), .err = err, .errlen = errlen};
    json_t *root = json_array();

    visit(&sc, schema, root, 1, 0);
    json_decref(root);
    if (sc.failed || json_array_size(sc.out) == 0) {
        json_decref(sc.out);
        *out = NULL;
        return sc.failed ? -1 : 0;
    }
    *out = sc.out;
    return 0;
}

json_t *
mg_param_headers_value(json_t *decl, json_t *args)
{
    size_t i;
    json_t *key, *v = args;

    json_array_foreach (json_object_get(decl, "path"), i, key)
        v = json_object_get(v, json_string_value(key));
    return json_is_null(v) ? NULL : v;
}

int
mg_param_headers_equal(const char *type, json_t *value, const char *got, size_t len)
{
    char buf[64], *end;

    if (json_is_string(value))
        return strcmp(type, "string") == 0 && json_string_length(value) == len &&
               memcmp(json_string_value(value), got, len) == 0;
    if (json_is_boolean(value))
        return len == (json_is_true(value) ? 4u : 5u) && memcmp(got, json_is_true(value) ? "true" : "false", len) == 0;
    if (!json_is_number(value) || len == 0 || len >= sizeof(buf) || memchr(got, '\0', len) != NULL)
        return 0;
    memcpy(buf, got, len);
    buf[len] = '\0';
    if (json_is_integer(value) && strcmp(type, "integer") == 0) {
        long long n;
        errno = 0;
        n = strtoll(buf, &end, 10);
        return errno == 0 && *end == '\0' && buf[0] != '+' && n == json_integer_value(value) &&
               !(buf[0] == '0' && len > 1) && !(buf[0] == '-' && buf[1] == '0');
    }
    /* A number (or an integer written as one): equal by value. */
    {
        double d;
        errno = 0;
        d = strtod(buf, &end);
        return errno == 0 && *end == '\0' && isfinite(d) && d == json_number_value(value);
    }
}
