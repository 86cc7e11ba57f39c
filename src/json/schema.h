/*
 * schema.h - JSON Schema validation for tool arguments and results.
 *
 * Covers the 2020-12 vocabulary tools use, and the draft-07 spellings
 * (definitions, items as array, additionalItems, dependencies) that older
 * servers still send.  A schema is compiled once, at registration, and
 * validated many times; compiled schemas are immutable and may be shared.
 */
#ifndef MG_JSON_SCHEMA_H
#define MG_JSON_SCHEMA_H

#include <stddef.h>
#include <jansson.h>

struct mg_schema;

enum mg_schema_dialect {
    MG_DIALECT_AUTO,    /* from "$schema", else 2020-12 */
    MG_DIALECT_DRAFT7,
    MG_DIALECT_2020_12,
};

/* Resolves a "$ref" to a document outside the schema (by absolute URI
 * without fragment); returns a borrowed schema or NULL.  Only the
 * test-suite runner uses it: tools never fetch remote schemas. */
typedef json_t *(*mg_schema_resolver)(void *ctx, const char *uri);

struct mg_schema_opts {
    enum mg_schema_dialect dialect;
    mg_schema_resolver resolve;
    void *resolve_ctx;
    int assert_format; /* nonzero: "format" is an assertion (default for tools) */
};

/* Compile SCHEMA (not stolen; kept referenced).  On failure returns NULL
 * and writes a reason to ERR. */
struct mg_schema *mg_schema_compile(json_t *schema, char *err, size_t errlen);
struct mg_schema *mg_schema_compile_opts(json_t *schema, const struct mg_schema_opts *opts,
                                         char *err, size_t errlen);
void mg_schema_free(struct mg_schema *s);

/* 0 when INSTANCE is valid.  Otherwise -1, and when MSG is not NULL it
 * receives a malloc'd message listing every failing instance path with
 * its reason: "/items/2/name: expected string, got number; /count: must
 * be >= 1".  The root instance is written "(root)". */
int mg_schema_validate(const struct mg_schema *s, const json_t *instance, char **msg);

#endif
