/*
 * catalog_upstream.c - upstream tools into the catalog.
 */
#include "gateway/catalog_upstream.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/catalog.h"
#include "json/schema.h"
#include "mcp/param_headers.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/log.h"

static int
name_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '-' || ch == '.';
}

static unsigned
fnv1a(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void
mg_upstream_tool_name(const struct mg_naming *nm, const char *server, const char *tool, char *out)
{
    char full[1024];
    size_t n = 0, max = nm->max > 0 && nm->max <= MG_MAX_TOOL_NAME ? nm->max : MG_MAX_TOOL_NAME;
    const char *f = nm->format != NULL ? nm->format : "{server}__{tool}";

    for (; *f && n < sizeof(full) - 1; f++) {
        const char *part = NULL;
        if (strncmp(f, "{server}", 8) == 0)
            part = server, f += 7;
        else if (strncmp(f, "{tool}", 6) == 0)
            part = tool, f += 5;
        if (part == NULL) {
            full[n++] = *f;
            continue;
        }
        for (; *part && n < sizeof(full) - 1; part++)
            full[n++] = name_char_ok(*part) ? *part : '_';
    }
    full[n] = '\0';
    if (n <= max) {
        memcpy(out, full, n + 1);
        return;
    }
    /* Too long: a stable prefix and a hash of the whole name. */
    snprintf(out, max + 1, "%.*s-%08x", (int)(max - 9), full, fnv1a(full));
}

static int
matches(char *const *globs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], name, 0) == 0)
            return 1;
    return 0;
}

/* include_tools wins: a tool it names is kept even if excluded. */
static int
wanted(const struct mg_server_config *sc, const char *name)
{
    if (sc->ninclude_tools > 0)
        return matches(sc->include_tools, sc->ninclude_tools, name);
    return !matches(sc->exclude_tools, sc->nexclude_tools, name);
}

static const struct mg_tool_override *
override_of(const struct mg_server_config *sc, const char *name)
{
    for (size_t i = 0; i < sc->noverrides; i++)
        if (strcmp(sc->overrides[i].tool, name) == 0)
            return &sc->overrides[i];
    return NULL;
}

/* One upstream Tool as a catalog tool, or NULL with the reason in WHY. */
static struct mg_tool *
build(const struct mg_server_config *sc, json_t *def, const struct mg_naming *nm, char *why, size_t whylen)
{
    const char *local = json_string_value(json_object_get(def, "name"));
    const struct mg_tool_override *ov = override_of(sc, local);
    json_t *input = json_object_get(def, "inputSchema"), *output = json_object_get(def, "outputSchema");
    char exposed[MG_MAX_TOOL_NAME + 1], schema_why[256];
    struct mg_tool *t = mg_calloc(1, sizeof(*t));

    mg_upstream_tool_name(nm, sc->name, ov && ov->name ? ov->name : local, exposed);
    t->name = mg_strdup(exposed);
    t->local_name = mg_strdup(local);
    if (!json_is_object(input) || !json_is_string(json_object_get(input, "type")) ||
        strcmp(json_string_value(json_object_get(input, "type")), "object") != 0) {
        snprintf(why, whylen, "its inputSchema is not an object schema with \"type\": \"object\"");
        goto fail;
    }
    if ((t->input = mg_schema_compile(input, schema_why, sizeof(schema_why))) == NULL) {
        snprintf(why, whylen, "its inputSchema does not compile: %s", schema_why);
        goto fail;
    }
    if (json_is_object(output) && (t->output = mg_schema_compile(output, schema_why, sizeof(schema_why))) == NULL) {
        snprintf(why, whylen, "its outputSchema does not compile: %s", schema_why);
        goto fail;
    }
    if (mg_param_headers_scan(input, &t->param_headers, schema_why, sizeof(schema_why)) != 0) {
        snprintf(why, whylen, "inputSchema: %s", schema_why);
        goto fail;
    }
    t->def = json_deep_copy(def);
    json_object_set_new(t->def, "name", json_string(exposed));
    if (ov != NULL && ov->description != NULL)
        json_object_set_new(t->def, "description", json_string(ov->description));
    /* The config has the last word on what a tool does: the tool's own
     * override, then its server's, then the upstream's annotations. */
    if (ov != NULL && ov->access != MG_CONFIG_ACCESS_AUTO)
        t->read_only = ov->access == MG_CONFIG_ACCESS_READ;
    else if (sc->access != MG_CONFIG_ACCESS_AUTO)
        t->read_only = sc->access == MG_CONFIG_ACCESS_READ;
    else
        t->read_only = mg_tool_def_reads_only(def);
    return t;
fail:
    mg_catalog_tool_free(t);
    return NULL;
}

/* An upstream's prompt: named like its tools, its definition as given. */
static struct mg_prompt *
prompt_build(const struct mg_server_config *sc, json_t *def, const struct mg_naming *nm)
{
    const char *local = json_string_value(json_object_get(def, "name"));
    char exposed[MG_MAX_TOOL_NAME + 1];
    struct mg_prompt *p;

    if (local == NULL || local[0] == '\0')
        return NULL;
    mg_upstream_tool_name(nm, sc->name, local, exposed);
    p = mg_calloc(1, sizeof(*p));
    p->name = mg_strdup(exposed);
    p->local_name = mg_strdup(local);
    p->def = json_deep_copy(def);
    json_object_set_new(p->def, "name", json_string(exposed));
    return p;
}

/* An upstream's resource or template, under its own URI: a URI names a
 * thing already, and the links tools return must keep working.  Under
 * resource_uri_prefix, under the server's prefix (catalog_upstream.h). */
static struct mg_resource *
resource_build(const struct mg_server_config *sc, json_t *def, int is_template)
{
    const char *field = is_template ? "uriTemplate" : "uri";
    const char *given = json_string_value(json_object_get(def, field));
    struct mg_resource *r;
    char *key;

    if (given == NULL || given[0] == '\0')
        return NULL;
    if (sc->resource_uri_prefix) {
        size_t n = strlen(MG_UPSTREAM_URI_SCHEME) + strlen(sc->name) + 1 + strlen(given) + 1;
        key = mg_malloc(n);
        snprintf(key, n, "%s%s/%s", MG_UPSTREAM_URI_SCHEME, sc->name, given);
    } else {
        key = mg_strdup(given);
    }
    r = mg_calloc(1, sizeof(*r));
    if (is_template)
        r->uri_template = key;
    else
        r->uri = key;
    if (sc->resource_uri_prefix)
        r->local_key = mg_strdup(given);
    r->def = json_deep_copy(def);
    json_object_set_new(r->def, field, json_string(key));
    return r;
}

static void
add_tools(struct mg_catalog *c, struct mg_bundle *b, const struct mg_server_config *sc, json_t *tools,
          const struct mg_naming *nm, const struct mg_upstream_handlers *h)
{
    struct mg_strmap seen;
    size_t i;
    json_t *def;
    char why[400];

    b->tools = mg_realloc(b->tools, (json_array_size(tools) + 1) * sizeof(*b->tools));
    mg_strmap_init(&seen);
    json_array_foreach (tools, i, def) {
        const char *local = json_string_value(json_object_get(def, "name"));
        struct mg_tool *t, *other;
        if (local == NULL || local[0] == '\0') {
            mg_log_warn("server '%s': tool %zu of its list has no name; left out", sc->name, i);
            continue;
        }
        if (!wanted(sc, local))
            continue;
        if ((t = build(sc, def, nm, why, sizeof(why))) == NULL) {
            mg_log_warn("server '%s': tool '%s' left out: %s", sc->name, local, why);
            continue;
        }
        if ((other = mg_strmap_get(&seen, t->name)) != NULL || (other = mg_strmap_get(&c->by_name, t->name)) != NULL) {
            mg_log_error("server '%s': tool '%s' would be exposed as '%s', which tool '%s' of '%s' already is; "
                         "left out (rename one with overrides)",
                         sc->name, local, t->name, other->local_name, other->bundle ? other->bundle->ns : sc->name);
            mg_catalog_tool_free(t);
            continue;
        }
        t->handler = h->tool;
        t->udata = h->udata;
        t->bundle = b;
        b->tools[b->tool_count++] = t;
        mg_strmap_put(&seen, t->name, t);
    }
    mg_strmap_free(&seen);
}

static void
add_prompts(struct mg_catalog *c, struct mg_bundle *b, const struct mg_server_config *sc, json_t *prompts,
            const struct mg_naming *nm, const struct mg_upstream_handlers *h)
{
    size_t i;
    json_t *def;

    b->prompts = mg_calloc(json_array_size(prompts) + 1, sizeof(*b->prompts));
    json_array_foreach (prompts, i, def) {
        struct mg_prompt *p = prompt_build(sc, def, nm), *other = NULL;
        if (p == NULL) {
            mg_log_warn("server '%s': prompt %zu of its list has no name; left out", sc->name, i);
            continue;
        }
        for (size_t j = 0; j < b->prompt_count && other == NULL; j++)
            if (strcmp(b->prompts[j]->name, p->name) == 0)
                other = b->prompts[j];
        if (other != NULL || (other = mg_strmap_get(&c->by_prompt, p->name)) != NULL) {
            mg_log_error("server '%s': prompt '%s' would be exposed as '%s', which prompt '%s' of '%s' already is; "
                         "left out", sc->name, p->local_name, p->name, other->local_name,
                         other->bundle ? other->bundle->ns : sc->name);
            mg_prompt_release(p);
            continue;
        }
        p->get = h->prompt;
        p->udata = h->udata;
        p->bundle = b;
        b->prompts[b->prompt_count++] = p;
    }
}

/* Resources and templates share the URI table; fixed URIs first. */
static void
add_resources(struct mg_catalog *c, struct mg_bundle *b, const struct mg_server_config *sc, json_t *resources,
              json_t *templates, const struct mg_upstream_handlers *h)
{
    json_t *lists[2] = {resources, templates};

    b->resources = mg_calloc(json_array_size(resources) + json_array_size(templates) + 1, sizeof(*b->resources));
    for (int tpl = 0; tpl < 2; tpl++) {
        size_t i;
        json_t *def;
        json_array_foreach (lists[tpl], i, def) {
            struct mg_resource *r = resource_build(sc, def, tpl), *other = NULL;
            const char *key;
            if (r == NULL) {
                mg_log_warn("server '%s': %s %zu of its list has no %s; left out", sc->name,
                            tpl ? "resource template" : "resource", i, tpl ? "uriTemplate" : "uri");
                continue;
            }
            key = tpl ? r->uri_template : r->uri;
            for (size_t j = 0; j < b->resource_count && other == NULL; j++) {
                const char *k = b->resources[j]->uri ? b->resources[j]->uri : b->resources[j]->uri_template;
                if (strcmp(k, key) == 0)
                    other = b->resources[j];
            }
            if (other != NULL || (other = mg_strmap_get(&c->by_uri, key)) != NULL) {
                mg_log_error("server '%s': resource '%s' is offered by '%s' already; left out (give one of them "
                             "resource_uri_prefix: true)",
                             sc->name, key, other->bundle ? other->bundle->ns : sc->name);
                mg_resource_release(r);
                continue;
            }
            r->read = h->resource;
            r->udata = h->udata;
            r->bundle = b;
            b->resources[b->resource_count++] = r;
        }
    }
}

/* What clients see of B, per kind, to tell which lists changed. */
static json_t *
snapshot(const struct mg_bundle *b)
{
    json_t *tools = json_array(), *prompts = json_array(), *resources = json_array();

    for (size_t i = 0; i < b->tool_count; i++)
        json_array_append(tools, b->tools[i]->def);
    for (size_t i = 0; i < b->prompt_count; i++)
        json_array_append(prompts, b->prompts[i]->def);
    for (size_t i = 0; i < b->resource_count; i++)
        json_array_append(resources, b->resources[i]->def);
    return json_pack("[o, o, o]", tools, prompts, resources);
}

int
mg_catalog_set_upstream(struct mg_catalog *c, const struct mg_server_config *sc, const struct mg_upstream_lists *l,
                        const struct mg_naming *nm, const struct mg_upstream_handlers *h, char *err, size_t errlen)
{
    struct mg_bundle *b = mg_strmap_get(&c->by_ns, sc->name);
    json_t *before, *after;
    int changed = 0, fresh = b == NULL;

    if (b != NULL && b->owner != h->udata) {
        snprintf(err, errlen, "server '%s': the name is already used by another source", sc->name);
        return -1;
    }
    if (fresh) {
        b = mg_calloc(1, sizeof(*b));
        b->ns = mg_strdup(sc->name);
        b->owner = h->udata;
        b->on_subscribe = h->subscribe;
        b->complete = h->complete;
    }
    before = snapshot(b);
    mg_catalog_withdraw(c, b);
    add_tools(c, b, sc, l->tools, nm, h);
    add_prompts(c, b, sc, l->prompts, nm, h);
    add_resources(c, b, sc, l->resources, l->templates, h);
    if (fresh)
        mg_catalog_publish(c, b);
    else
        mg_catalog_publish_tools(c, b);
    mg_catalog_publish_items(c, b);
    after = snapshot(b);
    for (int k = 0; k < 3; k++)
        if (!json_equal(json_array_get(before, (size_t)k), json_array_get(after, (size_t)k)))
            changed |= 1 << k;
    json_decref(before);
    json_decref(after);
    return changed;
}
