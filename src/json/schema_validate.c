/*
 * schema_validate.c - checking an instance against a compiled schema.
 *
 * Every keyword is checked and every failure recorded with its instance
 * path, so one message tells a caller everything wrong with its arguments.
 * Inside anyOf, oneOf, not, if and contains the outcome of a branch is all
 * that matters; those run "quiet" and stop at the first failure.
 *
 * Schemas come from upstream servers, so validation is bounded: a step
 * budget stops exponential anyOf/$ref structures and quadratic uniqueItems
 * on large arrays, and a depth limit stops "$ref" cycles that make no
 * progress through the instance.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json/schema_impl.h"
#include "util/alloc.h"

#define MAX_DEPTH 512        /* schema nesting while validating one instance */
#define MAX_STEPS 2000000UL  /* schema nodes and comparisons per validation */
#define MAX_ERRORS 32        /* messages listed; the count says how many more */

struct buf {
    char *p;
    size_t len, cap;
};

struct vstate {
    const struct mg_schema *s;
    struct buf path; /* JSON Pointer of the instance being checked */
    struct buf msg;
    int errors;
    int quiet;       /* > 0 inside a branch whose messages are not wanted */
    int depth;
    const char *aborted; /* why validation gave up; the instance is then invalid */
    unsigned long steps;
    pcre2_match_context *mctx;
};

/*
 * Annotations for "unevaluatedProperties" and "unevaluatedItems": the
 * property names and item indexes of one instance that a schema and its
 * in-place applicators evaluated.  Collected only when the schema uses one
 * of the two keywords; a subschema's set reaches its parent only when the
 * subschema passed.
 */
struct eval {
    const char **keys; /* point into the instance, which outlives the set */
    size_t nkeys, capkeys;
    unsigned char *items; /* one flag per item, allocated on first use */
    size_t nitems;
};

static int
ev_has_key(const struct eval *e, const char *k)
{
    for (size_t i = 0; i < e->nkeys; i++)
        if (strcmp(e->keys[i], k) == 0)
            return 1;
    return 0;
}

static void
ev_key(struct eval *e, const char *k)
{
    if (e == NULL || ev_has_key(e, k))
        return;
    if (e->nkeys == e->capkeys) {
        e->capkeys = e->capkeys ? e->capkeys * 2 : 8;
        e->keys = mg_realloc(e->keys, e->capkeys * sizeof(*e->keys));
    }
    e->keys[e->nkeys++] = k;
}

static void
ev_item(struct eval *e, size_t i, size_t n)
{
    if (e == NULL || i >= n)
        return;
    if (e->items == NULL) {
        e->items = mg_calloc(n, 1);
        e->nitems = n;
    }
    e->items[i] = 1;
}

static void
ev_merge(struct eval *to, const struct eval *from)
{
    for (size_t i = 0; i < from->nkeys; i++)
        ev_key(to, from->keys[i]);
    for (size_t i = 0; i < from->nitems; i++)
        if (from->items[i])
            ev_item(to, i, from->nitems);
}

static void
ev_free(struct eval *e)
{
    mg_free(e->keys);
    mg_free(e->items);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = mg_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
report(struct vstate *st, const char *fmt, ...)
{
    char reason[512];
    va_list ap;

    if (st->quiet > 0)
        return;
    if (++st->errors > MAX_ERRORS)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (st->msg.len > 0)
        buf_add(&st->msg, "; ", 2);
    if (st->path.len == 0)
        buf_add(&st->msg, "(root)", 6);
    else
        buf_add(&st->msg, st->path.p, st->path.len);
    buf_add(&st->msg, ": ", 2);
    buf_add(&st->msg, reason, strlen(reason));
}

/* Push a path segment, escaped as RFC 6901 requires; returns the length
 * to pop back to. */
static size_t
path_push(struct vstate *st, const char *seg)
{
    size_t mark = st->path.len;

    buf_add(&st->path, "/", 1);
    for (const char *p = seg; *p; p++) {
        if (*p == '~')
            buf_add(&st->path, "~0", 2);
        else if (*p == '/')
            buf_add(&st->path, "~1", 2);
        else
            buf_add(&st->path, p, 1);
    }
    return mark;
}

static size_t
path_push_index(struct vstate *st, size_t i)
{
    char seg[24];

    snprintf(seg, sizeof(seg), "%zu", i);
    return path_push(st, seg);
}

static void
path_pop(struct vstate *st, size_t mark)
{
    st->path.len = mark;
    if (st->path.p != NULL)
        st->path.p[mark] = '\0';
}

static int
regex_match(struct vstate *st, const char *pattern, const char *s, size_t len)
{
    pcre2_code *re = mg_strmap_get(&st->s->regexes, pattern);
    pcre2_match_data *md;
    int rc;

    if (re == NULL)
        return 1; /* compile refused it already; unreachable */
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, st->mctx);
    pcre2_match_data_free(md);
    if (rc >= 0)
        return 1;
    if (rc != PCRE2_ERROR_NOMATCH)
        st->aborted = "a pattern is too expensive to match"; /* backtracking limit */
    return 0;
}

/* --- keywords --- */

static int check_in(struct vstate *st, const json_t *schema, const json_t *x, struct eval *out);

/* Check X against SCHEMA, a schema at a new instance location. */
static int
check(struct vstate *st, const json_t *schema, const json_t *x)
{
    return check_in(st, schema, x, NULL);
}

/* Check X against SUB without recording messages; OUT as for check_in. */
static int
check_quiet_ev(struct vstate *st, const json_t *sub, const json_t *x, struct eval *out)
{
    int rc;

    st->quiet++;
    rc = check_in(st, sub, x, out);
    st->quiet--;
    return rc;
}

static int
check_quiet(struct vstate *st, const json_t *sub, const json_t *x)
{
    return check_quiet_ev(st, sub, x, NULL);
}

static int
check_type(struct vstate *st, const json_t *t, const json_t *x)
{
    size_t i;
    json_t *v;
    char want[128] = "";

    if (json_is_string(t)) {
        if (mg_json_has_type(x, json_string_value(t)))
            return 0;
        snprintf(want, sizeof(want), "%s", json_string_value(t));
    } else if (json_is_array(t)) {
        json_array_foreach (t, i, v) {
            if (json_is_string(v) && mg_json_has_type(x, json_string_value(v)))
                return 0;
            if (json_is_string(v) && strlen(want) + json_string_length(v) + 5 < sizeof(want)) {
                if (i > 0)
                    strcat(want, " or ");
                strcat(want, json_string_value(v));
            }
        }
    } else {
        return 0;
    }
    report(st, "expected %s, got %s", want, mg_json_type_name(x));
    return -1;
}

static int
check_number(struct vstate *st, const json_t *schema, const json_t *x)
{
    const json_t *v;
    char r[64];
    int rc = 0;

    if ((v = json_object_get(schema, "minimum")) && json_is_number(v)) {
        int exclusive = json_is_true(json_object_get(schema, "exclusiveMinimum")); /* draft-04 form */
        if (exclusive ? mg_json_num_cmp(x, v) <= 0 : mg_json_num_cmp(x, v) < 0) {
            mg_json_render(v, r, sizeof(r));
            report(st, "must be %s %s", exclusive ? ">" : ">=", r);
            rc = -1;
        }
    }
    if ((v = json_object_get(schema, "maximum")) && json_is_number(v)) {
        int exclusive = json_is_true(json_object_get(schema, "exclusiveMaximum"));
        if (exclusive ? mg_json_num_cmp(x, v) >= 0 : mg_json_num_cmp(x, v) > 0) {
            mg_json_render(v, r, sizeof(r));
            report(st, "must be %s %s", exclusive ? "<" : "<=", r);
            rc = -1;
        }
    }
    if ((v = json_object_get(schema, "exclusiveMinimum")) && json_is_number(v) && mg_json_num_cmp(x, v) <= 0) {
        mg_json_render(v, r, sizeof(r));
        report(st, "must be > %s", r);
        rc = -1;
    }
    if ((v = json_object_get(schema, "exclusiveMaximum")) && json_is_number(v) && mg_json_num_cmp(x, v) >= 0) {
        mg_json_render(v, r, sizeof(r));
        report(st, "must be < %s", r);
        rc = -1;
    }
    if ((v = json_object_get(schema, "multipleOf")) && json_is_number(v) && mg_json_num(v) > 0) {
        int ok;
        if (json_is_integer(x) && json_is_integer(v)) {
            ok = json_integer_value(x) % json_integer_value(v) == 0;
        } else {
            double q = mg_json_num(x) / mg_json_num(v);
            ok = isfinite(q) && fabs(q - nearbyint(q)) <= 1e-9 * fmax(1.0, fabs(q));
        }
        if (!ok) {
            mg_json_render(v, r, sizeof(r));
            report(st, "must be a multiple of %s", r);
            rc = -1;
        }
    }
    return rc;
}

static int
check_string(struct vstate *st, const json_t *schema, const json_t *x)
{
    const char *s = json_string_value(x);
    size_t len = json_string_length(x), chars = mg_utf8_length(s, len);
    const json_t *v;
    int rc = 0;

    if ((v = json_object_get(schema, "minLength")) && json_is_number(v) && (double)chars < mg_json_num(v)) {
        report(st, "must be at least %.0f characters long", mg_json_num(v));
        rc = -1;
    }
    if ((v = json_object_get(schema, "maxLength")) && json_is_number(v) && (double)chars > mg_json_num(v)) {
        report(st, "must be at most %.0f characters long", mg_json_num(v));
        rc = -1;
    }
    if ((v = json_object_get(schema, "pattern")) && json_is_string(v) &&
        !regex_match(st, json_string_value(v), s, len)) {
        report(st, "must match pattern '%.100s'", json_string_value(v));
        rc = -1;
    }
    if (st->s->assert_format && (v = json_object_get(schema, "format")) && json_is_string(v) &&
        !mg_format_valid(json_string_value(v), s, len)) {
        report(st, "must be a valid %.40s", json_string_value(v));
        rc = -1;
    }
    return rc;
}

static int
check_array(struct vstate *st, const json_t *schema, const json_t *x, struct eval *ev)
{
    const json_t *items = json_object_get(schema, "items"), *prefix = json_object_get(schema, "prefixItems");
    const json_t *v;
    size_t n = json_array_size(x), start = 0, mark;
    int rc = 0;

    /* Positional schemas: "prefixItems", or draft-07's array form of "items". */
    if (json_is_array(items))
        prefix = items;
    if (json_is_array(prefix)) {
        for (size_t i = 0; i < n && i < json_array_size(prefix); i++) {
            mark = path_push_index(st, i);
            rc |= check(st, json_array_get(prefix, i), json_array_get(x, i));
            path_pop(st, mark);
            ev_item(ev, i, n);
            if (rc && st->quiet)
                return -1;
        }
        start = json_array_size(prefix);
    }
    /* The rest: "items" (2020-12), or "additionalItems" after an array "items". */
    v = json_is_array(items) ? json_object_get(schema, "additionalItems") : items;
    if (v != NULL && !json_is_array(v)) {
        for (size_t i = start; i < n; i++) {
            mark = path_push_index(st, i);
            if (json_is_false(v)) {
                report(st, "no item is allowed at this position (at most %zu items)", start);
                rc = -1;
            } else {
                rc |= check(st, v, json_array_get(x, i));
            }
            path_pop(st, mark);
            ev_item(ev, i, n);
            if (rc && st->quiet)
                return -1;
        }
    }
    if ((v = json_object_get(schema, "minItems")) && json_is_number(v) && (double)n < mg_json_num(v)) {
        report(st, "must have at least %.0f items", mg_json_num(v));
        rc = -1;
    }
    if ((v = json_object_get(schema, "maxItems")) && json_is_number(v) && (double)n > mg_json_num(v)) {
        report(st, "must have at most %.0f items", mg_json_num(v));
        rc = -1;
    }
    if (json_is_true(json_object_get(schema, "uniqueItems"))) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            for (size_t j = i + 1; j < n; j++) {
                if (++st->steps > MAX_STEPS) {
                    st->aborted = "validation is too complex";
                    return -1;
                }
                if (mg_json_equal(json_array_get(x, i), json_array_get(x, j))) {
                    report(st, "items %zu and %zu are equal; items must be unique", i, j);
                    rc = -1;
                    break;
                }
            }
        }
    }
    if ((v = json_object_get(schema, "contains")) != NULL) {
        const json_t *minc = json_object_get(schema, "minContains"), *maxc = json_object_get(schema, "maxContains");
        double min = json_is_number(minc) ? mg_json_num(minc) : 1;
        size_t found = 0;
        for (size_t i = 0; i < n; i++) {
            if (check_quiet(st, v, json_array_get(x, i)) == 0) {
                found++;
                ev_item(ev, i, n);
            }
        }
        if ((double)found < min) {
            report(st, "must contain at least %.0f item(s) matching the 'contains' schema", min);
            rc = -1;
        }
        if (json_is_number(maxc) && (double)found > mg_json_num(maxc)) {
            report(st, "must contain at most %.0f item(s) matching the 'contains' schema", mg_json_num(maxc));
            rc = -1;
        }
    }
    return rc;
}

/* Does KEY match any "patternProperties" pattern?  Checks matching ones. */
static int
pattern_properties(struct vstate *st, const json_t *pprops, const char *key, const json_t *val, int *rc)
{
    const char *pattern;
    json_t *sub;
    int matched = 0;

    if (!json_is_object(pprops))
        return 0;
    json_object_foreach ((json_t *)pprops, pattern, sub) {
        if (regex_match(st, pattern, key, strlen(key))) {
            size_t mark = path_push(st, key);
            matched = 1;
            *rc |= check(st, sub, val);
            path_pop(st, mark);
        }
    }
    return matched;
}

static int
check_dependencies(struct vstate *st, const json_t *deps, const json_t *x, int want_arrays, int want_schemas,
                   struct eval *ev)
{
    const char *k;
    json_t *dep, *v;
    size_t i;
    int rc = 0;

    if (!json_is_object(deps))
        return 0;
    json_object_foreach ((json_t *)deps, k, dep) {
        if (json_object_get(x, k) == NULL)
            continue;
        if (json_is_array(dep) && want_arrays) {
            json_array_foreach (dep, i, v) {
                if (json_is_string(v) && json_object_get(x, json_string_value(v)) == NULL) {
                    report(st, "property '%.60s' is required when '%.60s' is present", json_string_value(v), k);
                    rc = -1;
                }
            }
        } else if (!json_is_array(dep) && want_schemas) {
            rc |= check_in(st, dep, x, ev);
        }
    }
    return rc;
}

static int
check_object(struct vstate *st, const json_t *schema, const json_t *x, struct eval *ev)
{
    const json_t *props = json_object_get(schema, "properties"), *pprops = json_object_get(schema, "patternProperties");
    const json_t *addl = json_object_get(schema, "additionalProperties"), *v, *names;
    const char *k;
    json_t *val;
    size_t i, n = json_object_size(x);
    int rc = 0;

    json_object_foreach ((json_t *)x, k, val) {
        const json_t *sub = json_is_object(props) ? json_object_get(props, k) : NULL;
        int known = sub != NULL;
        if (sub != NULL) {
            size_t mark = path_push(st, k);
            rc |= check(st, sub, val);
            path_pop(st, mark);
        }
        known |= pattern_properties(st, pprops, k, val, &rc);
        if (known || addl != NULL)
            ev_key(ev, k);
        if (!known && addl != NULL) {
            if (json_is_false(addl)) {
                report(st, "property '%.80s' is not allowed", k);
                rc = -1;
            } else {
                size_t mark = path_push(st, k);
                rc |= check(st, addl, val);
                path_pop(st, mark);
            }
        }
        if (rc && st->quiet)
            return -1;
    }
    if (json_is_array(v = json_object_get(schema, "required"))) {
        json_array_foreach (v, i, val) {
            if (json_is_string(val) && json_object_get(x, json_string_value(val)) == NULL) {
                report(st, "required property '%.80s' is missing", json_string_value(val));
                rc = -1;
            }
        }
    }
    if ((names = json_object_get(schema, "propertyNames")) != NULL) {
        json_object_foreach ((json_t *)x, k, val) {
            json_t *name = json_string(k);
            if (name != NULL && check_quiet(st, names, name) != 0) {
                report(st, "property name '%.80s' is not allowed by 'propertyNames'", k);
                rc = -1;
            }
            json_decref(name);
        }
    }
    if ((v = json_object_get(schema, "minProperties")) && json_is_number(v) && (double)n < mg_json_num(v)) {
        report(st, "must have at least %.0f properties", mg_json_num(v));
        rc = -1;
    }
    if ((v = json_object_get(schema, "maxProperties")) && json_is_number(v) && (double)n > mg_json_num(v)) {
        report(st, "must have at most %.0f properties", mg_json_num(v));
        rc = -1;
    }
    rc |= check_dependencies(st, json_object_get(schema, "dependentRequired"), x, 1, 0, ev);
    rc |= check_dependencies(st, json_object_get(schema, "dependentSchemas"), x, 0, 1, ev);
    rc |= check_dependencies(st, json_object_get(schema, "dependencies"), x, 1, 1, ev);
    return rc;
}

static int
check_combinators(struct vstate *st, const json_t *schema, const json_t *x, struct eval *ev)
{
    const json_t *v;
    json_t *sub;
    size_t i;
    int rc = 0;

    if (json_is_array(v = json_object_get(schema, "allOf")))
        json_array_foreach (v, i, sub)
            rc |= check_in(st, sub, x, ev);
    if (json_is_array(v = json_object_get(schema, "anyOf"))) {
        int any = 0;
        /* Every passing branch adds annotations, so all are tried then. */
        json_array_foreach (v, i, sub)
            if (check_quiet_ev(st, sub, x, ev) == 0) {
                any = 1;
                if (ev == NULL)
                    break;
            }
        if (!any) {
            report(st, "must match at least one of the %zu schemas in 'anyOf'", json_array_size(v));
            rc = -1;
        }
    }
    if (json_is_array(v = json_object_get(schema, "oneOf"))) {
        size_t matched = 0;
        json_array_foreach (v, i, sub)
            matched += check_quiet_ev(st, sub, x, ev) == 0;
        if (matched != 1) {
            report(st, "must match exactly one of the %zu schemas in 'oneOf' (matched %zu)", json_array_size(v), matched);
            rc = -1;
        }
    }
    if ((v = json_object_get(schema, "not")) != NULL && check_quiet(st, v, x) == 0) {
        report(st, "must not match the schema in 'not'");
        rc = -1;
    }
    if ((v = json_object_get(schema, "if")) != NULL) {
        const json_t *branch = json_object_get(schema, check_quiet_ev(st, v, x, ev) == 0 ? "then" : "else");
        if (branch != NULL)
            rc |= check_in(st, branch, x, ev);
    }
    return rc;
}

static int
check_ref(struct vstate *st, const json_t *schema, const char *keyword, const json_t *x, struct eval *ev)
{
    const json_t *node = json_object_get(schema, keyword), *target;

    if (!json_is_string(node))
        return 0;
    target = mg_ptrmap_get(&st->s->refs, node);
    if (target == NULL) {
        report(st, "unresolved %s '%.80s'", keyword, json_string_value(node));
        return -1;
    }
    return check_in(st, target, x, ev);
}

/* "unevaluatedProperties" and "unevaluatedItems", after every other keyword
 * of SCHEMA has added to EV. */
static int
check_unevaluated(struct vstate *st, const json_t *schema, const json_t *x, struct eval *ev)
{
    const json_t *v;
    size_t mark;
    int rc = 0;

    if (json_is_object(x) && (v = json_object_get(schema, "unevaluatedProperties")) != NULL) {
        const char *k;
        json_t *val;
        json_object_foreach ((json_t *)x, k, val) {
            st->steps += ev->nkeys;
            if (ev_has_key(ev, k))
                continue;
            if (json_is_false(v)) {
                report(st, "property '%.80s' is not allowed (unevaluatedProperties)", k);
                rc = -1;
                continue;
            }
            mark = path_push(st, k);
            if (check(st, v, val) == 0)
                ev_key(ev, k);
            else
                rc = -1;
            path_pop(st, mark);
        }
    }
    if (json_is_array(x) && (v = json_object_get(schema, "unevaluatedItems")) != NULL) {
        size_t n = json_array_size(x);
        for (size_t i = 0; i < n; i++) {
            if (ev->items != NULL && ev->items[i])
                continue;
            mark = path_push_index(st, i);
            if (json_is_false(v)) {
                report(st, "item %zu is not allowed (unevaluatedItems)", i);
                rc = -1;
            } else if (check(st, v, json_array_get(x, i)) == 0) {
                ev_item(ev, i, n);
            } else {
                rc = -1;
            }
            path_pop(st, mark);
        }
    }
    return rc;
}

/* Check X against SCHEMA.  When OUT is given and X passes, the properties
 * and items this evaluation covered are added to OUT. */
static int
check_in(struct vstate *st, const json_t *schema, const json_t *x, struct eval *out)
{
    const json_t *v;
    struct eval mine = {0}, *ev = NULL;
    int rc = 0;

    if (st->aborted)
        return -1;
    if (++st->steps > MAX_STEPS) {
        st->aborted = "validation is too complex";
        return -1;
    }
    if (st->depth >= MAX_DEPTH) {
        st->aborted = "schema references nest too deeply";
        return -1;
    }
    if (json_is_true(schema))
        return 0;
    if (json_is_false(schema)) {
        report(st, "no value is allowed here");
        return -1;
    }
    if (!json_is_object(schema))
        return 0;
    st->depth++;
    if (st->s->annotations && (json_is_object(x) || json_is_array(x)))
        ev = &mine;
    if (json_object_get(schema, "$ref") != NULL) {
        rc = check_ref(st, schema, "$ref", x, ev);
        /* Before 2019-09, "$ref" replaces every keyword beside it. */
        if (st->s->dialect == MG_DIALECT_DRAFT7)
            goto out;
    }
    rc |= check_ref(st, schema, "$dynamicRef", x, ev);
    rc |= check_ref(st, schema, "$recursiveRef", x, ev);
    if (rc && st->quiet)
        goto out;
    if ((v = json_object_get(schema, "type")) != NULL && check_type(st, v, x) != 0) {
        rc = -1;
        /* The other keywords would only repeat the mismatch. */
        goto out;
    }
    if ((v = json_object_get(schema, "enum")) != NULL && json_is_array(v)) {
        size_t i;
        json_t *e;
        int found = 0;
        json_array_foreach (v, i, e)
            if (mg_json_equal(e, x)) {
                found = 1;
                break;
            }
        if (!found) {
            char r[160];
            mg_json_render(v, r, sizeof(r));
            report(st, "must be one of %s", r);
            rc = -1;
        }
    }
    if ((v = json_object_get(schema, "const")) != NULL && !mg_json_equal(v, x)) {
        char r[160];
        mg_json_render(v, r, sizeof(r));
        report(st, "must be equal to %s", r);
        rc = -1;
    }
    if (json_is_number(x))
        rc |= check_number(st, schema, x);
    else if (json_is_string(x))
        rc |= check_string(st, schema, x);
    else if (json_is_array(x))
        rc |= check_array(st, schema, x, ev);
    else if (json_is_object(x))
        rc |= check_object(st, schema, x, ev);
    if (rc && st->quiet)
        goto out;
    rc |= check_combinators(st, schema, x, ev);
    if (ev != NULL && (rc == 0 || !st->quiet))
        rc |= check_unevaluated(st, schema, x, ev);
out:
    st->depth--;
    if (ev != NULL) {
        if (rc == 0 && out != NULL)
            ev_merge(out, ev);
        ev_free(ev);
    }
    return rc ? -1 : 0;
}

int
mg_schema_validate(const struct mg_schema *s, const json_t *instance, char **msg)
{
    struct vstate st = {.s = s};
    int rc;

    if (msg != NULL)
        *msg = NULL;
    st.mctx = pcre2_match_context_create(NULL);
    /* Bound backtracking: a pattern from an upstream must not stall the loop. */
    pcre2_set_match_limit(st.mctx, 1000000);
    pcre2_set_depth_limit(st.mctx, 10000);
    if (msg == NULL)
        st.quiet = 1;
    rc = check(&st, s->root, instance);
    if (st.aborted != NULL) {
        /* Quiet branches may have turned the give-up into a "pass". */
        rc = -1;
        st.quiet = 0;
        path_pop(&st, 0);
        report(&st, "%s", st.aborted);
    }
    if (rc != 0 && msg != NULL) {
        if (st.errors > MAX_ERRORS) {
            char more[64];
            snprintf(more, sizeof(more), "; and %d more", st.errors - MAX_ERRORS);
            buf_add(&st.msg, more, strlen(more));
        }
        *msg = st.msg.len ? st.msg.p : mg_strdup("(root): invalid");
        if (st.msg.len == 0)
            mg_free(st.msg.p);
    } else {
        mg_free(st.msg.p);
    }
    mg_free(st.path.p);
    pcre2_match_context_free(st.mctx);
    return rc ? -1 : 0;
}
