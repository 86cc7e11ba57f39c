/*
 * config_walk.c - reading the YAML node graph: mappings with known keys,
 * scalars (with ${VAR} expansion), lists and maps of strings.
 *
 * YAML lets a mapping repeat a key (the last one silently wins); here a
 * repeat is an error naming the first, since one of the two values is
 * certainly not what the user meant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_impl.h"
#include "util/alloc.h"

/* Most keys in one of our fixed mappings (the server entry has 15). */
#define MAX_FIELDS 32

yaml_node_t *
mg_config__node(struct mg_cfg_parser *p, int id)
{
    return yaml_document_get_node(&p->doc, id);
}

unsigned
mg_config__line(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

int
mg_config__is_null(const yaml_node_t *n)
{
    const char *s;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

void
mg_config__found(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE)
        snprintf(buf, len, "a mapping");
    else if (n->type == YAML_SEQUENCE_NODE)
        snprintf(buf, len, "a list");
    else if (n->type != YAML_SCALAR_NODE)
        snprintf(buf, len, "nothing");
    else if (mg_config__is_null(n))
        snprintf(buf, len, "null");
    else
        mg_config__quote(buf, len, (const char *)n->data.scalar.value);
}

/* Keys come from the file: keep a path on one printable line. */
static void
append_clean(char *buf, size_t len, size_t o, const char *s)
{
    for (; *s != '\0' && o + 1 < len; s++, o++)
        buf[o] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    if (o < len)
        buf[o] = '\0';
}

void
mg_config__path_key(char *buf, size_t len, const char *parent, const char *key)
{
    int n = snprintf(buf, len, "%s%s", parent, parent[0] != '\0' ? "." : "");

    if (n >= 0 && (size_t)n < len)
        append_clean(buf, len, (size_t)n, key);
}

void
mg_config__path_index(char *buf, size_t len, const char *parent, size_t i)
{
    snprintf(buf, len, "%s[%zu]", parent, i);
}

/* A key's text, or NULL after an error if it is not a usable string. */
static const char *
key_text(struct mg_cfg_parser *p, yaml_node_t *key, const char *path)
{
    char found[96];

    if (key->type != YAML_SCALAR_NODE) {
        mg_config__found(key, found, sizeof(found));
        mg_config__error(p, mg_config__line(key), path, "a key must be a string, got %s", found);
        return NULL;
    }
    if (strlen((const char *)key->data.scalar.value) != key->data.scalar.length) {
        mg_config__error(p, mg_config__line(key), path, "a key cannot contain a NUL character");
        return NULL;
    }
    return (const char *)key->data.scalar.value;
}

int
mg_config__fields(struct mg_cfg_parser *p, yaml_node_t *map, const char *path, const char *const *names,
                  size_t nnames, yaml_node_t **values)
{
    unsigned first[MAX_FIELDS];
    char kpath[MG_CONFIG_PATH_MAX], found[96], hint[128];
    yaml_node_pair_t *pair;

    if (nnames > MAX_FIELDS)
        abort(); /* a table in this module outgrew MAX_FIELDS */
    for (size_t i = 0; i < nnames; i++)
        values[i] = NULL;
    if (map == NULL || mg_config__is_null(map))
        return 0;
    if (map->type != YAML_MAPPING_NODE) {
        mg_config__found(map, found, sizeof(found));
        mg_config__error(p, mg_config__line(map), path, "expected a mapping, got %s", found);
        return -1;
    }
    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = mg_config__node(p, pair->key), *value = mg_config__node(p, pair->value);
        const char *text;
        size_t k;

        if (key == NULL || value == NULL || (text = key_text(p, key, path)) == NULL)
            continue;
        for (k = 0; k < nnames && strcmp(text, names[k]) != 0; k++)
            ;
        mg_config__path_key(kpath, sizeof(kpath), path, text);
        if (k == nnames) {
            struct mg_cfg_suggest s;

            mg_config__suggest_init(&s, text);
            for (size_t i = 0; i < nnames; i++)
                mg_config__suggest_try(p, &s, names[i]);
            mg_config__suggest_hint(&s, hint, sizeof(hint));
            mg_config__error(p, mg_config__line(key), kpath, "unknown key%s", hint);
        } else if (values[k] != NULL) {
            mg_config__error(p, mg_config__line(key), kpath, "duplicate key (first at line %u)", first[k]);
        } else {
            values[k] = value;
            first[k] = mg_config__line(key);
        }
    }
    return 0;
}

char *
mg_config__scalar(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, const char *expected)
{
    char found[96], why[512];
    char *s;

    if (n->type != YAML_SCALAR_NODE || mg_config__is_null(n)) {
        mg_config__found(n, found, sizeof(found));
        mg_config__error(p, mg_config__line(n), path, "expected %s, got %s", expected, found);
        return NULL;
    }
    /* libyaml allows "\0" in a quoted scalar; C strings would cut it. */
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
        mg_config__error(p, mg_config__line(n), path, "a value cannot contain a NUL character");
        return NULL;
    }
    s = mg_config__expand((const char *)n->data.scalar.value, n->data.scalar.length, why, sizeof(why));
    if (s == NULL)
        mg_config__error(p, mg_config__line(n), path, "%s", why);
    return s;
}

int
mg_config__string(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out)
{
    char *s;

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a string")) == NULL)
        return -1;
    mg_free(*out);
    *out = s;
    return 0;
}

int
mg_config__string_list(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int allow_empty, char ***out,
                       size_t *count)
{
    char ipath[MG_CONFIG_PATH_MAX], found[96];
    char **v;
    size_t nv = 0, total;
    int rc = 0;

    if (n == NULL || mg_config__is_null(n))
        return 0;
    if (n->type != YAML_SEQUENCE_NODE) {
        mg_config__found(n, found, sizeof(found));
        mg_config__error(p, mg_config__line(n), path, "expected a list of strings, got %s", found);
        return -1;
    }
    total = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    v = mg_calloc(total, sizeof(*v));
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *item = mg_config__node(p, n->data.sequence.items.start[i]);
        char *s;

        if (item == NULL)
            continue;
        mg_config__path_index(ipath, sizeof(ipath), path, i);
        if ((s = mg_config__scalar(p, item, ipath, "a string")) == NULL) {
            rc = -1;
        } else if (!allow_empty && s[0] == '\0') {
            mg_config__error(p, mg_config__line(item), ipath, "expected a non-empty string");
            mg_free(s);
            rc = -1;
        } else {
            v[nv++] = s;
        }
    }
    if (rc != 0) {
        mg_config__free_list(v, nv);
        return -1;
    }
    mg_config__free_list(*out, *count);
    *out = v;
    *count = nv;
    return 0;
}

static int
cmp_name(const void *a, const void *b)
{
    const struct mg_cfg_name *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static int
cmp_name_nocase(const void *a, const void *b)
{
    const struct mg_cfg_name *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);

    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

size_t
mg_config__find_dups(struct mg_cfg_parser *p, struct mg_cfg_name *v, size_t n, int nocase,
                     void (*dup)(struct mg_cfg_parser *p, const struct mg_cfg_name *later,
                                 const struct mg_cfg_name *first, void *ctx),
                     void *ctx)
{
    size_t first = 0, found = 0;

    if (n < 2)
        return 0;
    /* Sorting, not comparing every pair: a list may hold many thousands. */
    qsort(v, n, sizeof(*v), nocase ? cmp_name_nocase : cmp_name);
    for (size_t i = 1; i < n; i++) {
        if ((nocase ? strcasecmp(v[i].name, v[first].name) : strcmp(v[i].name, v[first].name)) == 0) {
            dup(p, &v[i], &v[first], ctx);
            found++;
        } else {
            first = i;
        }
    }
    return found;
}

/* RFC 9110 section 5.6.2: a field name is a token. */
static int
is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", c) != NULL))
            return 0;
    }
    return 1;
}

/* RFC 9110 section 5.5: no CR, LF or other controls but tab in a value,
 * so a value from the environment cannot smuggle in a second header. */
static int
is_field_value(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

void
mg_config__dup_key(struct mg_cfg_parser *p, const struct mg_cfg_name *later, const struct mg_cfg_name *first, void *ctx)
{
    char kpath[MG_CONFIG_PATH_MAX];

    mg_config__path_key(kpath, sizeof(kpath), ctx, later->name);
    mg_config__error(p, later->line, kpath, "duplicate key (first at line %u)", first->line);
}

int
mg_config__string_map(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int headers,
                      struct mg_config_kv **out, size_t *count)
{
    char kpath[MG_CONFIG_PATH_MAX], found[96];
    struct mg_config_kv *v;
    struct mg_cfg_name *names;
    size_t nv = 0, total;
    int rc = 0;

    if (n == NULL || mg_config__is_null(n))
        return 0;
    if (n->type != YAML_MAPPING_NODE) {
        mg_config__found(n, found, sizeof(found));
        mg_config__error(p, mg_config__line(n), path, "expected a mapping of names to strings, got %s", found);
        return -1;
    }
    total = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    v = mg_calloc(total, sizeof(*v));
    names = mg_calloc(total, sizeof(*names));
    for (size_t i = 0; i < total; i++) {
        yaml_node_pair_t *pair = &n->data.mapping.pairs.start[i];
        yaml_node_t *key = mg_config__node(p, pair->key), *value = mg_config__node(p, pair->value);
        const char *k;
        char *s;

        if (key == NULL || value == NULL)
            continue;
        if ((k = key_text(p, key, path)) == NULL) {
            rc = -1;
            continue;
        }
        mg_config__path_key(kpath, sizeof(kpath), path, k);
        if (headers && !is_token(k)) {
            mg_config__error(p, mg_config__line(key), kpath,
                             "a header name is letters, digits and !#$%%&'*+-.^_`|~ only");
            rc = -1;
        } else if (!headers && (k[0] == '\0' || strchr(k, '=') != NULL)) {
            mg_config__error(p, mg_config__line(key), kpath,
                             "an environment variable name cannot be empty or contain \"=\"");
            rc = -1;
        }
        if ((s = mg_config__scalar(p, value, kpath, "a string")) == NULL) {
            rc = -1;
            continue;
        }
        if (headers && !is_field_value(s)) {
            mg_config__error(p, mg_config__line(value), kpath, "a header value cannot contain control characters");
            mg_free(s);
            rc = -1;
            continue;
        }
        names[nv].name = k;
        names[nv].index = i;
        names[nv].line = mg_config__line(key);
        v[nv].key = mg_strdup(k);
        v[nv].value = s;
        nv++;
    }
    /* Header names are case-insensitive: "Authorization" and
     * "authorization" are the same header. */
    if (mg_config__find_dups(p, names, nv, headers, mg_config__dup_key, (void *)path) > 0)
        rc = -1;
    mg_free(names);
    if (rc != 0) {
        mg_config__free_kv(v, nv);
        return -1;
    }
    mg_config__free_kv(*out, *count);
    *out = v;
    *count = nv;
    return 0;
}
