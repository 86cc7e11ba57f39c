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

/* schema_validate.c */
int mg_json_equal(const json_t *a, const json_t *b);

#endif
