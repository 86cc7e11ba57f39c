/*
 * catalog.c - registering inline bundles into the merged catalog.
 *
 * Registration is all-or-nothing: every tool of a bundle is checked (names,
 * schemas, collisions) before anything becomes visible.
 */
#include "gateway/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/schema.h"
#include "mcp/param_headers.h"
#include "util/alloc.h"
#include "util/limits.h"

static void
failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int
mg_name_valid_ns(const char *s)
{
    if (s == NULL || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

int
mg_name_valid_tool(const char *s)
{
    if (s == NULL || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

void
mg_catalog_init(struct mg_catalog *c)
{
    memset(c, 0, sizeof(*c));
    mg_strmap_init(&c->by_ns);
    mg_strmap_init(&c->by_name);
    mg_strmap_init(&c->by_uri);
    mg_strmap_init(&c->by_prompt);
}

void
mg_tool_hold(struct mg_tool *t)
{
    t->holds++;
}

void
mg_tool_release(struct mg_tool *t)
{
    if (t != NULL && t->holds > 0)
        t->holds--;
    else
        mg_catalog_tool_free(t);
}

void
mg_catalog_tool_free(struct mg_tool *t)
{
    if (t == NULL)
        return;
    mg_free(t->name);
    mg_free(t->local_name);
    json_decref(t->def);
    json_decref(t->param_headers);
    mg_schema_free(t->input);
    mg_schema_free(t->output);
    mg_free(t);
}

void
mg_catalog_bundle_free(struct mg_bundle *b)
{
    mg_bundle_free_items(b);
    for (size_t i = 0; i < b->tool_count; i++)
        mg_tool_release(b->tools[i]);
    mg_free(b->tools);
    mg_free(b->ns);
    mg_free(b);
}

void
mg_catalog_free(struct mg_catalog *c)
{
    for (size_t i = 0; i < c->bundle_count; i++)
        mg_catalog_bundle_free(c->bundles[i]);
    for (size_t i = 0; i < c->retired_count; i++)
        mg_catalog_bundle_free(c->retired[i]);
    mg_free(c->bundles);
    mg_free(c->retired);
    mg_free(c->order);
    mg_catalog_free_items(c);
    mg_strmap_free(&c->by_ns);
    mg_strmap_free(&c->by_name);
    memset(c, 0, sizeof(*c));
}

struct mg_tool *
mg_catalog_find(const struct mg_catalog *c, const char *name)
{
    return name ? mg_strmap_get(&c->by_name, name) : NULL;
}

/* Parse optional JSON text of the wanted type into *out (new reference). */
static int
parse_field(const char *text, json_type want, const char *ns, const char *tool, const char *field, json_t **out,
            char *err, size_t errlen)
{
    json_error_t jerr;

    *out = NULL;
    if (text == NULL)
        return 0;
    *out = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (*out == NULL) {
        failf(err, errlen, "bundle '%s', tool '%s': %s is not valid JSON: %s (column %d)", ns, tool, field, jerr.text,
              jerr.column);
        return -1;
    }
    if (json_typeof(*out) != want) {
        failf(err, errlen, "bundle '%s', tool '%s': %s must be a JSON %s", ns, tool, field,
              want == JSON_OBJECT ? "object" : "array");
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* Compile a tool schema; the root must be an object schema with type "object". */
static struct mg_schema *
compile_tool_schema(json_t *schema, const char *ns, const char *tool, const char *field, char *err, size_t errlen)
{
    char why[256];
    json_t *type = json_object_get(schema, "type");
    struct mg_schema *s;

    if (!json_is_string(type) || strcmp(json_string_value(type), "object") != 0) {
        failf(err, errlen, "bundle '%s', tool '%s': %s must have \"type\": \"object\" at its root", ns, tool, field);
        return NULL;
    }
    s = mg_schema_compile(schema, why, sizeof(why));
    if (s == NULL)
        failf(err, errlen, "bundle '%s', tool '%s': %s does not compile: %s", ns, tool, field, why);
    return s;
}

int
mg_tool_def_reads_only(const json_t *def)
{
    return json_is_true(json_object_get(json_object_get(def, "annotations"), "readOnlyHint"));
}

static struct mg_tool *
tool_build(const char *ns, int prefixed, const struct mg_tool_def *d, char *err, size_t errlen)
{
    struct mg_tool *t = mg_calloc(1, sizeof(*t));
    json_t *input = NULL, *output = NULL, *annotations = NULL, *icons = NULL;
    const char *name = d->name ? d->name : "(null)";
    char why[256];
    size_t nslen = prefixed ? strlen(ns) : 0, namelen = strlen(name), extra = prefixed ? 2 : 0;

    if (!mg_name_valid_tool(d->name)) {
        failf(err, errlen, "bundle '%s': tool name '%s' is invalid: it must match ^[a-z][a-z0-9_-]*$", ns, name);
        goto fail;
    }
    if (nslen + extra + namelen > MG_MAX_TOOL_NAME) {
        failf(err, errlen, "bundle '%s': tool name '%s__%s' is longer than %d characters", ns, ns, name,
              MG_MAX_TOOL_NAME);
        goto fail;
    }
    if (d->handler == NULL) {
        failf(err, errlen, "bundle '%s', tool '%s': no handler", ns, name);
        goto fail;
    }
    if (parse_field(d->input_schema, JSON_OBJECT, ns, name, "inputSchema", &input, err, errlen) != 0 ||
        parse_field(d->output_schema, JSON_OBJECT, ns, name, "outputSchema", &output, err, errlen) != 0 ||
        parse_field(d->annotations, JSON_OBJECT, ns, name, "annotations", &annotations, err, errlen) != 0 ||
        parse_field(d->icons, JSON_ARRAY, ns, name, "icons", &icons, err, errlen) != 0)
        goto fail;
    if (input == NULL) /* no parameters: the form the specification recommends */
        input = json_pack("{s:s, s:b}", "type", "object", "additionalProperties", 0);
    if ((t->input = compile_tool_schema(input, ns, name, "inputSchema", err, errlen)) == NULL)
        goto fail;
    if (mg_param_headers_scan(input, &t->param_headers, why, sizeof(why)) != 0) {
        failf(err, errlen, "bundle '%s', tool '%s': inputSchema: %s", ns, name, why);
        goto fail;
    }
    if (output != NULL && (t->output = compile_tool_schema(output, ns, name, "outputSchema", err, errlen)) == NULL)
        goto fail;

    t->name = mg_malloc(nslen + extra + namelen + 1);
    if (prefixed)
        snprintf(t->name, nslen + 2 + namelen + 1, "%s__%s", ns, name);
    else
        memcpy(t->name, name, namelen + 1);
    t->local_name = mg_strdup(name);
    t->handler = d->handler;
    t->udata = d->udata;

    t->def = json_object();
    json_object_set_new(t->def, "name", json_string(t->name));
    if (d->title)
        json_object_set_new(t->def, "title", json_string(d->title));
    if (d->description)
        json_object_set_new(t->def, "description", json_string(d->description));
    json_object_set_new(t->def, "inputSchema", input);
    input = NULL;
    if (output) {
        json_object_set_new(t->def, "outputSchema", output);
        output = NULL;
    }
    if (annotations) {
        json_object_set_new(t->def, "annotations", annotations);
        annotations = NULL;
    }
    t->read_only = mg_tool_def_reads_only(t->def);
    if (icons) {
        json_object_set_new(t->def, "icons", icons);
        icons = NULL;
    }
    /* json_string refuses invalid UTF-8: a title or description that
     * failed to convert is reported rather than silently dropped. */
    if ((d->title && !json_object_get(t->def, "title")) ||
        (d->description && !json_object_get(t->def, "description"))) {
        failf(err, errlen, "bundle '%s', tool '%s': title and description must be valid UTF-8", ns, name);
        goto fail;
    }
    return t;

fail:
    json_decref(input);
    json_decref(output);
    json_decref(annotations);
    json_decref(icons);
    mg_catalog_tool_free(t);
    return NULL;
}

static int
cmp_tool_name(const void *a, const void *b)
{
    return strcmp((*(struct mg_tool *const *)a)->name, (*(struct mg_tool *const *)b)->name);
}

void
mg_catalog_publish(struct mg_catalog *c, struct mg_bundle *b)
{
    c->bundles = mg_realloc(c->bundles, (c->bundle_count + 1) * sizeof(*c->bundles));
    c->bundles[c->bundle_count++] = b;
    mg_strmap_put(&c->by_ns, b->ns, b);
    mg_catalog_publish_tools(c, b);
}

void
mg_catalog_publish_tools(struct mg_catalog *c, struct mg_bundle *b)
{
    c->order = mg_realloc(c->order, (c->tool_count + b->tool_count + 1) * sizeof(*c->order));
    for (size_t i = 0; i < b->tool_count; i++) {
        mg_strmap_put(&c->by_name, b->tools[i]->name, b->tools[i]);
        c->order[c->tool_count++] = b->tools[i];
    }
    qsort(c->order, c->tool_count, sizeof(*c->order), cmp_tool_name);
    c->tools_version++;
}

void
mg_catalog_withdraw(struct mg_catalog *c, struct mg_bundle *b)
{
    size_t kept = 0;

    for (size_t i = 0; i < c->tool_count; i++)
        if (c->order[i]->bundle != b)
            c->order[kept++] = c->order[i];
    c->tool_count = kept;
    for (size_t i = 0; i < b->tool_count; i++) {
        mg_strmap_del(&c->by_name, b->tools[i]->name);
        mg_tool_release(b->tools[i]);
    }
    b->tool_count = 0;
    c->tools_version++;
    mg_catalog_withdraw_items(c, b);
}

int
mg_catalog_retire_bundle(struct mg_catalog *c, const char *ns, const void *owner)
{
    struct mg_bundle *b = mg_strmap_get(&c->by_ns, ns);
    size_t kept = 0;

    if (b == NULL || b->owner != owner)
        return 0;
    mg_catalog_withdraw(c, b);
    for (size_t i = 0; i < c->bundle_count; i++)
        if (c->bundles[i] != b)
            c->bundles[kept++] = c->bundles[i];
    c->bundle_count = kept;
    mg_strmap_del(&c->by_ns, ns);
    c->retired = mg_realloc(c->retired, (c->retired_count + 1) * sizeof(*c->retired));
    c->retired[c->retired_count++] = b;
    return 1;
}

int
mg_catalog_add_bundle(struct mg_catalog *c, const struct mg_bundle_def *def, char *err, size_t errlen)
{
    struct mg_bundle *b;
    struct mg_strmap seen;

    if (def == NULL || !mg_name_valid_ns(def->ns)) {
        failf(err, errlen, "bundle namespace '%s' is invalid: it must match ^[a-z][a-z0-9-]*$",
              def && def->ns ? def->ns : "(null)");
        return -1;
    }
    if (mg_strmap_get(&c->by_ns, def->ns) != NULL) {
        failf(err, errlen, "bundle namespace '%s' is already registered by another bundle; the second bundle '%s' "
              "is refused", def->ns, def->ns);
        return -1;
    }
    if (def->tool_count > 0 && def->tools == NULL) {
        failf(err, errlen, "bundle '%s': tool_count is %zu but tools is NULL", def->ns, def->tool_count);
        return -1;
    }

    b = mg_calloc(1, sizeof(*b));
    b->ns = mg_strdup(def->ns);
    b->tools = mg_calloc(def->tool_count ? def->tool_count : 1, sizeof(*b->tools));
    mg_strmap_init(&seen);
    for (size_t i = 0; i < def->tool_count; i++) {
        struct mg_tool *t = tool_build(def->ns, !def->unprefixed, &def->tools[i], err, errlen);
        struct mg_tool *other;

        if (t == NULL)
            goto fail;
        t->bundle = b;
        b->tools[b->tool_count++] = t;
        if (mg_strmap_get(&seen, t->name) != NULL) {
            failf(err, errlen, "bundle '%s': tool '%s' is defined twice (both would be exposed as '%s')", def->ns,
                  t->local_name, t->name);
            goto fail;
        }
        mg_strmap_put(&seen, t->name, t);
        if ((other = mg_strmap_get(&c->by_name, t->name)) != NULL) {
            failf(err, errlen, "tool '%s' from bundle '%s' collides with tool '%s' from bundle '%s'", t->local_name,
                  def->ns, other->local_name, other->bundle->ns);
            goto fail;
        }
    }
    mg_strmap_free(&seen);
    if (mg_catalog_build_items(c, b, def, err, errlen) != 0) {
        mg_catalog_bundle_free(b);
        return -1;
    }

    /* Everything checked: publish. */
    mg_catalog_publish(c, b);
    mg_catalog_publish_items(c, b);
    return 0;

fail:
    mg_strmap_free(&seen);
    mg_catalog_bundle_free(b);
    return -1;
}
