/*
 * catalog_items.c - resources, resource templates and prompts of inline
 * bundles.
 *
 * Prompts are named like tools ("<ns>__<prompt>", or their own name in an
 * unprefixed bundle).  Resource URIs are kept as given: a URI names a thing
 * already, and rewriting it would break the links that tools return.  Two
 * bundles offering the same URI or template are refused, naming both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/catalog.h"
#include "util/alloc.h"
#include "util/limits.h"

static void
failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void
resource_free(struct mg_resource *r)
{
    if (r == NULL)
        return;
    if (r->holds > 0) {
        r->holds--;
        return;
    }
    mg_free(r->uri);
    mg_free(r->uri_template);
    mg_free(r->local_key);
    json_decref(r->def);
    mg_free(r);
}

static void
prompt_free(struct mg_prompt *p)
{
    if (p == NULL)
        return;
    if (p->holds > 0) {
        p->holds--;
        return;
    }
    mg_free(p->name);
    mg_free(p->local_name);
    json_decref(p->def);
    mg_free(p);
}

void
mg_resource_hold(struct mg_resource *r)
{
    r->holds++;
}

void
mg_resource_release(struct mg_resource *r)
{
    resource_free(r);
}

void
mg_prompt_hold(struct mg_prompt *p)
{
    p->holds++;
}

void
mg_prompt_release(struct mg_prompt *p)
{
    prompt_free(p);
}

void
mg_bundle_free_items(struct mg_bundle *b)
{
    for (size_t i = 0; i < b->resource_count; i++)
        resource_free(b->resources[i]);
    for (size_t i = 0; i < b->prompt_count; i++)
        prompt_free(b->prompts[i]);
    mg_free(b->resources);
    mg_free(b->prompts);
    b->resources = NULL;
    b->prompts = NULL;
    b->resource_count = b->prompt_count = 0;
}

void
mg_catalog_free_items(struct mg_catalog *c)
{
    mg_strmap_free(&c->by_uri);
    mg_strmap_free(&c->by_prompt);
    mg_free(c->resources);
    mg_free(c->templates);
    mg_free(c->prompts);
}

static void
set_opt(json_t *obj, const char *key, const char *value)
{
    if (value != NULL)
        json_object_set_new(obj, key, json_string(value));
}

static struct mg_resource *
resource_build(const char *ns, const struct mg_resource_def *d, char *err, size_t errlen)
{
    struct mg_resource *r;
    int is_template = d->uri_template != NULL;
    const char *key = is_template ? d->uri_template : d->uri;

    if ((d->uri == NULL) == (d->uri_template == NULL) || key[0] == '\0') {
        failf(err, errlen, "bundle '%s': a resource needs exactly one of uri and uri_template", ns);
        return NULL;
    }
    if (d->name == NULL || d->name[0] == '\0' || d->read == NULL) {
        failf(err, errlen, "bundle '%s', resource '%s': a name and a read function are required", ns, key);
        return NULL;
    }
    {
        json_t *k = json_string(key); /* NULL when not UTF-8 */
        if (k == NULL) {
            failf(err, errlen, "bundle '%s': a resource URI is not valid UTF-8", ns);
            return NULL;
        }
        json_decref(k);
    }
    if (is_template && strchr(key, '{') == NULL) {
        failf(err, errlen, "bundle '%s', resource template '%s' has no {variable}; give it as uri", ns, key);
        return NULL;
    }
    r = mg_calloc(1, sizeof(*r));
    r->uri = d->uri ? mg_strdup(d->uri) : NULL;
    r->uri_template = d->uri_template ? mg_strdup(d->uri_template) : NULL;
    r->read = d->read;
    r->udata = d->udata;
    r->def = json_object();
    json_object_set_new(r->def, is_template ? "uriTemplate" : "uri", json_string(key));
    json_object_set_new(r->def, "name", json_string(d->name));
    set_opt(r->def, "title", d->title);
    set_opt(r->def, "description", d->description);
    set_opt(r->def, "mimeType", d->mime_type);
    return r;
}

static struct mg_prompt *
prompt_build(const char *ns, int prefixed, const struct mg_prompt_def *d, char *err, size_t errlen)
{
    struct mg_prompt *p;
    json_t *args = NULL;
    json_error_t jerr;
    const char *name = d->name ? d->name : "(null)";
    size_t n = (prefixed ? strlen(ns) + 2 : 0) + strlen(name) + 1;

    if (!mg_name_valid_tool(d->name)) {
        failf(err, errlen, "bundle '%s': prompt name '%s' is invalid: it must match ^[a-z][a-z0-9_-]*$", ns, name);
        return NULL;
    }
    if (n - 1 > MG_MAX_TOOL_NAME || d->get == NULL) {
        failf(err, errlen, "bundle '%s', prompt '%s': %s", ns, name,
              d->get == NULL ? "no get function" : "the exposed name is too long");
        return NULL;
    }
    if (d->arguments != NULL) {
        size_t i;
        json_t *a;
        args = json_loads(d->arguments, 0, &jerr);
        if (!json_is_array(args)) {
            failf(err, errlen, "bundle '%s', prompt '%s': arguments must be a JSON array of PromptArgument", ns, name);
            json_decref(args);
            return NULL;
        }
        json_array_foreach (args, i, a) {
            if (!json_is_string(json_object_get(a, "name"))) {
                failf(err, errlen, "bundle '%s', prompt '%s': argument %zu has no name", ns, name, i);
                json_decref(args);
                return NULL;
            }
        }
    }
    p = mg_calloc(1, sizeof(*p));
    p->name = mg_malloc(n);
    if (prefixed)
        snprintf(p->name, n, "%s__%s", ns, name);
    else
        snprintf(p->name, n, "%s", name);
    p->local_name = mg_strdup(name);
    p->get = d->get;
    p->udata = d->udata;
    p->def = json_object();
    json_object_set_new(p->def, "name", json_string(p->name));
    set_opt(p->def, "title", d->title);
    set_opt(p->def, "description", d->description);
    if (args != NULL)
        json_object_set_new(p->def, "arguments", args);
    return p;
}

static const char *
resource_key(const struct mg_resource *r)
{
    return r->uri ? r->uri : r->uri_template;
}

int
mg_catalog_build_items(struct mg_catalog *c, struct mg_bundle *b, const struct mg_bundle_def *def, char *err,
                       size_t errlen)
{
    struct mg_strmap seen;
    int rc = -1;

    if ((def->resource_count > 0 && def->resources == NULL) || (def->prompt_count > 0 && def->prompts == NULL)) {
        failf(err, errlen, "bundle '%s': a count is set but its array is NULL", def->ns);
        return -1;
    }
    b->resources = mg_calloc(def->resource_count + 1, sizeof(*b->resources));
    b->prompts = mg_calloc(def->prompt_count + 1, sizeof(*b->prompts));
    mg_strmap_init(&seen);
    for (size_t i = 0; i < def->resource_count; i++) {
        struct mg_resource *r = resource_build(def->ns, &def->resources[i], err, errlen), *other;
        if (r == NULL)
            goto out;
        r->bundle = b;
        b->resources[b->resource_count++] = r;
        if (mg_strmap_get(&seen, resource_key(r)) != NULL) {
            failf(err, errlen, "bundle '%s': resource '%s' is defined twice", def->ns, resource_key(r));
            goto out;
        }
        mg_strmap_put(&seen, resource_key(r), r);
        if ((other = mg_strmap_get(&c->by_uri, resource_key(r))) != NULL) {
            failf(err, errlen, "resource '%s' from bundle '%s' collides with the same resource from bundle '%s'",
                  resource_key(r), def->ns, other->bundle->ns);
            goto out;
        }
    }
    mg_strmap_free(&seen);
    mg_strmap_init(&seen);
    for (size_t i = 0; i < def->prompt_count; i++) {
        struct mg_prompt *p = prompt_build(def->ns, !def->unprefixed, &def->prompts[i], err, errlen), *other;
        if (p == NULL)
            goto out;
        p->bundle = b;
        b->prompts[b->prompt_count++] = p;
        if (mg_strmap_get(&seen, p->name) != NULL) {
            failf(err, errlen, "bundle '%s': prompt '%s' is defined twice", def->ns, p->local_name);
            goto out;
        }
        mg_strmap_put(&seen, p->name, p);
        if ((other = mg_strmap_get(&c->by_prompt, p->name)) != NULL) {
            failf(err, errlen, "prompt '%s' from bundle '%s' collides with prompt '%s' from bundle '%s'", p->local_name,
                  def->ns, other->local_name, other->bundle->ns);
            goto out;
        }
    }
    rc = 0;
out:
    mg_strmap_free(&seen);
    return rc;
}

static int
cmp_resource(const void *a, const void *b)
{
    return strcmp(resource_key(*(struct mg_resource *const *)a), resource_key(*(struct mg_resource *const *)b));
}

static int
cmp_prompt(const void *a, const void *b)
{
    return strcmp((*(struct mg_prompt *const *)a)->name, (*(struct mg_prompt *const *)b)->name);
}

void
mg_catalog_publish_items(struct mg_catalog *c, struct mg_bundle *b)
{
    c->resources = mg_realloc(c->resources, (c->resource_count + b->resource_count + 1) * sizeof(*c->resources));
    c->templates = mg_realloc(c->templates, (c->template_count + b->resource_count + 1) * sizeof(*c->templates));
    for (size_t i = 0; i < b->resource_count; i++) {
        struct mg_resource *r = b->resources[i];
        mg_strmap_put(&c->by_uri, resource_key(r), r);
        if (r->uri != NULL)
            c->resources[c->resource_count++] = r;
        else
            c->templates[c->template_count++] = r;
    }
    qsort(c->resources, c->resource_count, sizeof(*c->resources), cmp_resource);
    qsort(c->templates, c->template_count, sizeof(*c->templates), cmp_resource);
    c->prompts = mg_realloc(c->prompts, (c->prompt_count + b->prompt_count + 1) * sizeof(*c->prompts));
    for (size_t i = 0; i < b->prompt_count; i++) {
        mg_strmap_put(&c->by_prompt, b->prompts[i]->name, b->prompts[i]);
        c->prompts[c->prompt_count++] = b->prompts[i];
    }
    qsort(c->prompts, c->prompt_count, sizeof(*c->prompts), cmp_prompt);
}

/* Drop B's resources, templates and prompts from the catalog's lists. */
void
mg_catalog_withdraw_items(struct mg_catalog *c, struct mg_bundle *b)
{
    size_t kept = 0;

    for (size_t i = 0; i < c->resource_count; i++)
        if (c->resources[i]->bundle != b)
            c->resources[kept++] = c->resources[i];
    c->resource_count = kept;
    kept = 0;
    for (size_t i = 0; i < c->template_count; i++)
        if (c->templates[i]->bundle != b)
            c->templates[kept++] = c->templates[i];
    c->template_count = kept;
    kept = 0;
    for (size_t i = 0; i < c->prompt_count; i++)
        if (c->prompts[i]->bundle != b)
            c->prompts[kept++] = c->prompts[i];
    c->prompt_count = kept;
    for (size_t i = 0; i < b->resource_count; i++)
        mg_strmap_del(&c->by_uri, resource_key(b->resources[i]));
    for (size_t i = 0; i < b->prompt_count; i++)
        mg_strmap_del(&c->by_prompt, b->prompts[i]->name);
    mg_bundle_free_items(b);
}

/* Match URI against an RFC 6570 level-1 template: literal text must be
 * equal, and each {var} takes one or more characters up to the next '/'
 * (or the template's next literal character). */
static int
template_match(const char *tpl, const char *uri, json_t *vars)
{
    while (*tpl != '\0') {
        if (*tpl == '{') {
            const char *close = strchr(tpl, '}');
            const char *start = uri;
            char stop;
            if (close == NULL)
                return 0;
            stop = close[1];
            while (*uri != '\0' && *uri != '/' && *uri != stop)
                uri++;
            if (uri == start)
                return 0;
            {
                char *name = mg_strndup(tpl + 1, (size_t)(close - tpl - 1));
                char *value = mg_strndup(start, (size_t)(uri - start));
                json_t *v = json_string(value);
                if (v != NULL)
                    json_object_set_new(vars, name, v);
                mg_free(name);
                mg_free(value);
            }
            tpl = close + 1;
        } else if (*tpl++ != *uri++) {
            return 0;
        }
    }
    return *uri == '\0';
}

struct mg_resource *
mg_catalog_find_resource(const struct mg_catalog *c, const char *uri, json_t **vars)
{
    struct mg_resource *r = mg_strmap_get(&c->by_uri, uri);

    *vars = json_object();
    if (r != NULL && r->uri != NULL)
        return r;
    for (size_t i = 0; i < c->template_count; i++) {
        json_object_clear(*vars);
        if (template_match(c->templates[i]->uri_template, uri, *vars))
            return c->templates[i];
    }
    json_object_clear(*vars);
    return NULL;
}

struct mg_prompt *
mg_catalog_find_prompt(const struct mg_catalog *c, const char *name)
{
    return mg_strmap_get(&c->by_prompt, name);
}
