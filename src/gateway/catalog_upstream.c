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
    return t;
fail:
    mg_catalog_tool_free(t);
    return NULL;
}

int
mg_catalog_add_upstream(struct mg_catalog *c, const struct mg_server_config *sc, json_t *tools,
                        const struct mg_naming *nm, mg_tool_fn handler, void *udata, char *err, size_t errlen)
{
    struct mg_bundle *b;
    struct mg_strmap seen;
    size_t i;
    json_t *def;
    char why[400];

    if (mg_strmap_get(&c->by_ns, sc->name) != NULL) {
        snprintf(err, errlen, "server '%s': the name is already used by another source", sc->name);
        return -1;
    }
    b = mg_calloc(1, sizeof(*b));
    b->ns = mg_strdup(sc->name);
    b->tools = mg_calloc(json_array_size(tools) + 1, sizeof(*b->tools));
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
        t->handler = handler;
        t->udata = udata;
        t->bundle = b;
        b->tools[b->tool_count++] = t;
        mg_strmap_put(&seen, t->name, t);
    }
    mg_strmap_free(&seen);
    mg_catalog_publish(c, b);
    return (int)b->tool_count;
}
