/*
 * schema_impl.h - what the JSON Schema compiler, validator and format
 * checkers share.  Not a public header.
 */
#ifndef MG_JSON_SCHEMA_IMPL_H
#define MG_JSON_SCHEMA_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "json/schema.h"
#include "util/ptrmap.h"
#include "util/strmap.h"

struct mg_schema {
    json_t *root;
    json_t *documents;        /* array: root and every remote document, referenced */
    enum mg_schema_dialect dialect;
    int assert_format;
    int annotations;          /* uses unevaluatedProperties/unevaluatedItems */
    struct mg_ptrmap refs;    /* "$ref" string node -> target schema node */
    struct mg_strmap regexes; /* pattern text -> pcre2_code * */
};

/* schema_uri.c */
char *mg_uri_resolve(const char *base, const char *ref);
/* Follow a URI fragment that is a JSON Pointer ("" or "/a/b", still
 * percent-encoded) from DOC; NULL when it names nothing. */
json_t *mg_json_pointer(json_t *doc, const char *fragment);

/* schema_format.c: nonzero when S is a valid instance of FORMAT, and for
 * formats it does not know. */
int mg_format_valid(const char *format, const char *s, size_t len);

/* schema_value.c */
double mg_json_num(const json_t *x);
int mg_json_is_integral(const json_t *x);
/* -1, 0, 1 as A <, =, > B; exact for two integers. */
int mg_json_num_cmp(const json_t *a, const json_t *b);
/* Equal as JSON Schema sees it: 1 and 1.0 are equal. */
int mg_json_equal(const json_t *a, const json_t *b);
/* "object", "array", "string", "number", "boolean" or "null". */
const char *mg_json_type_name(const json_t *x);
/* Is X of the JSON Schema type T ("integer" included)? */
int mg_json_has_type(const json_t *x, const char *t);
/* A short rendering of a JSON value for messages. */
void mg_json_render(const json_t *v, char *out, size_t n);
/* Code points in N bytes of UTF-8. */
size_t mg_utf8_length(const char *s, size_t n);

#endif
