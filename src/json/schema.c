/*
 * schema.c - compiling a JSON Schema: indexing "$id" and anchors, resolving
 * every "$ref" once, and compiling every pattern once, so that validation
 * (schema_validate.c) does no string work beyond the checks themselves.
 *
 * The compiled form keeps the schema document itself; "compiled" means the
 * side tables (ref targets, regexes) are complete.  A "$ref" that cannot be
 * resolved, a bad pattern or a malformed "type" or "required" fails here,
 * at registration, rather than on the first call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/schema_impl.h"
#include "util/alloc.h"

/* Base URI of a schema without "$id": an address of our own, so that
 * relative references resolve like they would in any document. */
#define DEFAULT_BASE "https://mcpgate.invalid/schema.json"

struct pending_ref {
    const json_t *node; /* the "$ref" string node */
    char *uri;          /* absolute, with fragment */
};

struct compiler {
    struct mg_schema *s;
    const struct mg_schema_opts *opts;
    struct mg_strmap resources; /* absolute URI (or URI#anchor) -> node */
    struct mg_ptrmap walked;
    struct pending_ref *refs;
    size_t nrefs, refcap;
    char *err;
    size_t errlen;
    int failed;
};

static void
fail(struct compiler *c, const char *fmt, ...)
{
    va_list ap;

    if (c->failed)
        return;
    c->failed = 1;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
}

static const char *const type_names[] = {"null", "boolean", "object", "array", "number", "integer", "string"};

static int
type_name_valid(const json_t *t)
{
    if (!json_is_string(t))
        return 0;
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcmp(json_string_value(t), type_names[i]) == 0)
            return 1;
    return 0;
}

static void
compile_regex(struct compiler *c, const char *pattern)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re;

    if (mg_strmap_get(&c->s->regexes, pattern) != NULL)
        return;
    /* ECMA-262 semantics where PCRE2 differs by default: "$" matches only
     * at the very end, and patterns are Unicode. */
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code,
                       &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR why[120];
        pcre2_get_error_message(code, why, sizeof(why));
        fail(c, "pattern '%.100s' is not a valid regular expression: %s at offset %zu", pattern, (char *)why,
             (size_t)offset);
        return;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* an optimisation; failure is fine */
    mg_strmap_put(&c->s->regexes, pattern, re);
}

static void
add_ref(struct compiler *c, const json_t *node, const char *base)
{
    if (c->nrefs == c->refcap) {
        c->refcap = c->refcap ? c->refcap * 2 : 16;
        c->refs = mg_realloc(c->refs, c->refcap * sizeof(*c->refs));
    }
    c->refs[c->nrefs].node = node;
    c->refs[c->nrefs].uri = mg_uri_resolve(base, json_string_value(node));
    c->nrefs++;
}

/* Register NODE under URI; the first registration wins. */
static void
add_resource(struct compiler *c, const char *uri, json_t *node)
{
    if (mg_strmap_get(&c->resources, uri) == NULL)
        mg_strmap_put(&c->resources, uri, node);
}

/* BASE without its fragment, as a new string. */
static char *
strip_fragment(const char *uri)
{
    return mg_strndup(uri, strcspn(uri, "#"));
}

static void walk(struct compiler *c, json_t *node, const char *base);

static void
walk_each_value(struct compiler *c, json_t *obj, const char *base)
{
    const char *k;
    json_t *v;

    if (json_is_object(obj))
        json_object_foreach (obj, k, v)
            walk(c, v, base);
}

static void
walk_each_item(struct compiler *c, json_t *arr, const char *base)
{
    size_t i;
    json_t *v;

    if (json_is_array(arr))
        json_array_foreach (arr, i, v)
            walk(c, v, base);
}

/* Keywords whose value is one schema, an array of schemas, or an object of
 * schemas.  Only these are walked: a "$id" inside "enum" or "const" is data. */
static const char *const one_schema[] = {
    "additionalProperties", "additionalItems", "contains", "not", "if", "then", "else",
    "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema",
};
static const char *const schema_arrays[] = {"prefixItems", "allOf", "anyOf", "oneOf"};
static const char *const schema_objects[] = {
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void
check_keywords(struct compiler *c, json_t *node)
{
    json_t *type = json_object_get(node, "type"), *required = json_object_get(node, "required"), *v;
    json_t *pattern = json_object_get(node, "pattern"), *pprops = json_object_get(node, "patternProperties");
    const char *k;
    size_t i;

    if (type != NULL) {
        int ok = json_is_array(type) ? 1 : type_name_valid(type);
        if (json_is_array(type))
            json_array_foreach (type, i, v)
                ok = ok && type_name_valid(v);
        if (!ok)
            fail(c, "\"type\" must be one of null, boolean, object, array, number, integer, string, or an "
                    "array of them");
    }
    if (required != NULL) {
        int ok = json_is_array(required);
        if (ok)
            json_array_foreach (required, i, v)
                ok = ok && json_is_string(v);
        if (!ok)
            fail(c, "\"required\" must be an array of strings");
    }
    if (json_object_get(node, "unevaluatedProperties") != NULL || json_object_get(node, "unevaluatedItems") != NULL)
        c->s->annotations = 1;
    if (json_is_string(pattern))
        compile_regex(c, json_string_value(pattern));
    if (json_is_object(pprops))
        json_object_foreach (pprops, k, v)
            compile_regex(c, k);
}

static void
walk(struct compiler *c, json_t *node, const char *base)
{
    json_t *id, *v;
    char *own_base = NULL;
    int draft7 = c->s->dialect == MG_DIALECT_DRAFT7;

    if (!json_is_object(node) || c->failed || mg_ptrmap_get(&c->walked, node) != NULL)
        return;
    mg_ptrmap_put(&c->walked, node, node);

    id = json_object_get(node, "$id");
    /* In draft-07 "$ref" hides its siblings, "$id" included. */
    if (json_is_string(id) && !(draft7 && json_object_get(node, "$ref") != NULL)) {
        const char *idv = json_string_value(id);
        char *abs = mg_uri_resolve(base, idv);
        if (idv[0] == '#') {
            add_resource(c, abs, node); /* draft-07 plain-name fragment */
            mg_free(abs);
        } else {
            own_base = strip_fragment(abs);
            mg_free(abs);
            add_resource(c, own_base, node);
            base = own_base;
        }
    }
    {
        static const char *const anchors[] = {"$anchor", "$dynamicAnchor"};
        for (size_t i = 0; i < COUNT(anchors); i++) {
            json_t *a = json_object_get(node, anchors[i]);
            if (json_is_string(a)) {
                char *doc = strip_fragment(base);
                size_t n = strlen(doc) + json_string_length(a) + 2;
                char *uri = mg_malloc(n);
                snprintf(uri, n, "%s#%s", doc, json_string_value(a));
                add_resource(c, uri, node);
                mg_free(uri);
                mg_free(doc);
            }
        }
    }
    {
        static const char *const refs[] = {"$ref", "$dynamicRef", "$recursiveRef"};
        for (size_t i = 0; i < COUNT(refs); i++) {
            json_t *r = json_object_get(node, refs[i]);
            if (json_is_string(r))
                add_ref(c, r, base);
        }
    }
    check_keywords(c, node);

    for (size_t i = 0; i < COUNT(one_schema); i++)
        walk(c, json_object_get(node, one_schema[i]), base);
    for (size_t i = 0; i < COUNT(schema_arrays); i++)
        walk_each_item(c, json_object_get(node, schema_arrays[i]), base);
    for (size_t i = 0; i < COUNT(schema_objects); i++)
        walk_each_value(c, json_object_get(node, schema_objects[i]), base);
    v = json_object_get(node, "items");
    if (json_is_array(v))
        walk_each_item(c, v, base);
    else
        walk(c, v, base);
    mg_free(own_base);
}

/* A document the resolver supplies; walked with its URI as base. */
static json_t *
load_remote(struct compiler *c, const char *doc_uri)
{
    json_t *doc;

    if (c->opts->resolve == NULL || (doc = c->opts->resolve(c->opts->resolve_ctx, doc_uri)) == NULL)
        return NULL;
    json_array_append(c->s->documents, doc);
    add_resource(c, doc_uri, doc);
    walk(c, doc, doc_uri);
    return doc;
}

static void
resolve_ref(struct compiler *c, const struct pending_ref *r)
{
    const char *hash = strchr(r->uri, '#');
    char *doc_uri = strip_fragment(r->uri);
    json_t *doc, *target = NULL;

    doc = mg_strmap_get(&c->resources, doc_uri);
    if (doc == NULL)
        doc = load_remote(c, doc_uri);
    if (doc != NULL) {
        if (hash == NULL || hash[1] == '\0' || hash[1] == '/') {
            target = mg_json_pointer(doc, hash ? hash + 1 : "");
            if (target != NULL && !json_is_object(target) && !json_is_boolean(target))
                target = NULL;
            if (target != NULL)
                walk(c, target, doc_uri); /* no-op unless only reachable by pointer */
        } else {
            target = mg_strmap_get(&c->resources, r->uri);
        }
    }
    if (target == NULL)
        fail(c, "$ref '%.200s' does not resolve to a schema", json_string_value(r->node));
    else
        mg_ptrmap_put(&c->s->refs, r->node, target);
    mg_free(doc_uri);
}

static enum mg_schema_dialect
dialect_of(json_t *schema)
{
    const char *uri = json_string_value(json_object_get(schema, "$schema"));

    if (uri != NULL && (strstr(uri, "draft-07") || strstr(uri, "draft-06") || strstr(uri, "draft-04")))
        return MG_DIALECT_DRAFT7;
    return MG_DIALECT_2020_12;
}

struct mg_schema *
mg_schema_compile_opts(json_t *schema, const struct mg_schema_opts *opts, char *err, size_t errlen)
{
    struct compiler c = {.opts = opts, .err = err, .errlen = errlen};
    struct mg_schema *s;

    if (errlen > 0)
        err[0] = '\0';
    if (!json_is_object(schema) && !json_is_boolean(schema)) {
        snprintf(err, errlen, "a schema must be an object or a boolean");
        return NULL;
    }
    s = mg_calloc(1, sizeof(*s));
    s->root = json_incref(schema);
    s->documents = json_array();
    s->dialect = opts->dialect == MG_DIALECT_AUTO ? dialect_of(schema) : opts->dialect;
    s->assert_format = opts->assert_format;
    mg_ptrmap_init(&s->refs);
    mg_strmap_init(&s->regexes);
    c.s = s;
    mg_strmap_init(&c.resources);
    mg_ptrmap_init(&c.walked);

    add_resource(&c, DEFAULT_BASE, schema);
    walk(&c, schema, DEFAULT_BASE);
    /* Resolving may load remote documents, which add references. */
    for (size_t i = 0; i < c.nrefs && !c.failed; i++) {
        struct pending_ref r = c.refs[i]; /* c.refs may move while resolving */
        resolve_ref(&c, &r);
    }

    for (size_t i = 0; i < c.nrefs; i++)
        mg_free(c.refs[i].uri);
    mg_free(c.refs);
    mg_strmap_free(&c.resources);
    mg_ptrmap_free(&c.walked);
    if (c.failed) {
        mg_schema_free(s);
        return NULL;
    }
    return s;
}

struct mg_schema *
mg_schema_compile(json_t *schema, char *err, size_t errlen)
{
    static const struct mg_schema_opts tool_opts = {.dialect = MG_DIALECT_AUTO, .assert_format = 1};

    return mg_schema_compile_opts(schema, &tool_opts, err, errlen);
}

void
mg_schema_free(struct mg_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->regexes.cap; i++) {
        struct mg_strmap_slot *slot = &s->regexes.slots[i];
        if (slot->key != NULL && slot->value != NULL)
            pcre2_code_free(slot->value);
    }
    mg_strmap_free(&s->regexes);
    mg_ptrmap_free(&s->refs);
    json_decref(s->documents);
    json_decref(s->root);
    mg_free(s);
}
