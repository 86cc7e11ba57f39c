/*
 * call_params.c - a tool's parameters as command-line flags: the
 * properties of its inputSchema, their types, and how describe shows them.
 *
 * A property is typed in kebab-case whatever its spelling in the schema
 * (maxResults and max_results are both --max-results), unless two
 * properties would then share a flag: those keep their own spelling.
 */
#include "cli/call.h"

#include <ctype.h>
#include <string.h>

#include "gateway/catalog.h"
#include "util/alloc.h"

static unsigned
type_bit(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"string", MG_PT_STRING}, {"integer", MG_PT_INTEGER}, {"number", MG_PT_NUMBER}, {"boolean", MG_PT_BOOLEAN},
        {"array", MG_PT_ARRAY},   {"object", MG_PT_OBJECT},   {"null", MG_PT_NULL},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (name != NULL && strcmp(name, names[i].name) == 0)
            return names[i].bit;
    return 0;
}

/* The type of one JSON value. */
static unsigned
value_bit(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return MG_PT_STRING;
    case JSON_INTEGER: return MG_PT_INTEGER;
    case JSON_REAL: return MG_PT_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE: return MG_PT_BOOLEAN;
    case JSON_ARRAY: return MG_PT_ARRAY;
    case JSON_OBJECT: return MG_PT_OBJECT;
    case JSON_NULL: return MG_PT_NULL;
    }
    return 0;
}

unsigned
mg_cli_schema_types(json_t *schema)
{
    json_t *type = json_object_get(schema, "type"), *list, *v;
    unsigned t = 0;
    size_t i;

    if (json_is_string(type))
        return type_bit(json_string_value(type));
    if (json_is_array(type)) {
        json_array_foreach (type, i, v)
            t |= type_bit(json_string_value(v));
        return t;
    }
    if (json_is_array(list = json_object_get(schema, "enum"))) {
        json_array_foreach (list, i, v)
            t |= value_bit(v);
        return t;
    }
    if ((v = json_object_get(schema, "const")) != NULL)
        return value_bit(v);
    /* Optional<T> as code generators write it: anyOf [T, null]. */
    if (json_is_array(list = json_object_get(schema, "anyOf")) || json_is_array(list = json_object_get(schema, "oneOf"))) {
        json_array_foreach (list, i, v) {
            unsigned one = mg_cli_schema_types(v);
            if (one == 0)
                return 0; /* one branch takes anything */
            t |= one;
        }
    }
    return t;
}

/* The schema of the items of an array parameter, or NULL. */
static json_t *
items_schema(json_t *schema)
{
    json_t *items = json_object_get(schema, "items"), *list, *v;
    size_t i;

    if (json_is_object(items))
        return items;
    if (json_is_array(list = json_object_get(schema, "anyOf")) || json_is_array(list = json_object_get(schema, "oneOf")))
        json_array_foreach (list, i, v)
            if (json_is_object(json_object_get(v, "items")))
                return json_object_get(v, "items");
    return NULL;
}

/* "--" and NAME in kebab-case: maxResults, max_results -> --max-results. */
static char *
kebab(const char *name)
{
    size_t n = strlen(name);
    char *out = mg_malloc(2 * n + 3), *o = out;

    *o++ = '-', *o++ = '-';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        int lower_before = i > 0 && (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]));
        int word_after = i > 0 && isupper((unsigned char)name[i - 1]) && islower((unsigned char)name[i + 1]);
        if (c == '_') {
            *o++ = '-';
            continue;
        }
        /* A capital starts a word after a small letter ("maxResults"), or
         * ends a run of capitals ("URLPath": url-path). */
        if (isupper(c) && (lower_before || word_after) && o[-1] != '-')
            *o++ = '-';
        *o++ = (char)tolower(c);
    }
    *o = '\0';
    return out;
}

int
mg_cli_schema_requires(json_t *input_schema, const char *name)
{
    json_t *req = json_object_get(input_schema, "required"), *v;
    size_t i;

    json_array_foreach (req, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
            return 1;
    return 0;
}

void
mg_cli_params_init(struct mg_cli_params *p, json_t *input_schema)
{
    json_t *props = json_object_get(input_schema, "properties"), *schema;
    const char *name;

    p->n = 0;
    p->v = mg_calloc(json_object_size(props) + 1, sizeof(*p->v));
    json_object_foreach (props, name, schema) {
        struct mg_cli_param *q = &p->v[p->n++];
        json_t *items = items_schema(schema);
        q->name = name;
        q->flag = kebab(name);
        q->schema = schema;
        q->types = json_is_object(schema) ? mg_cli_schema_types(schema) : 0;
        q->item_types = items != NULL ? mg_cli_schema_types(items) : 0;
        q->required = mg_cli_schema_requires(input_schema, name);
    }
    /* Two spellings of one flag: each keeps its own name. */
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++)
            if (strcmp(p->v[i].flag + 2, p->v[j].flag + 2) == 0 || strcmp(p->v[i].flag + 2, p->v[j].name) == 0 ||
                strcmp(p->v[j].flag + 2, p->v[i].name) == 0) {
                for (size_t k = 0; k < 2; k++) {
                    struct mg_cli_param *q = &p->v[k == 0 ? i : j];
                    size_t n = strlen(q->name) + 3;
                    mg_free(q->flag);
                    q->flag = mg_malloc(n);
                    snprintf(q->flag, n, "--%s", q->name);
                }
            }
}

void
mg_cli_params_free(struct mg_cli_params *p)
{
    for (size_t i = 0; i < p->n; i++)
        mg_free(p->v[i].flag);
    mg_free(p->v);
    p->v = NULL;
    p->n = 0;
}

/* Append S to BUF (of LEN bytes, NUL-terminated), cutting it short. */
static void
append(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);

    if (n + 1 < len)
        snprintf(buf + n, len - n, "%s", s);
}

/* Each type of TYPES in turn, as WORDS[bit] names it, joined by SEP;
 * "array" followed by the items' types ITEMS when there are any. */
static const char *
join_types(unsigned types, const char *const words[7], const char *sep, const char *items, char *buf, size_t len)
{
    buf[0] = '\0';
    for (unsigned b = 0; b < 7; b++) {
        if (!(types & (1u << b)))
            continue;
        if (buf[0] != '\0')
            append(buf, len, sep);
        append(buf, len, words[b]);
        if ((1u << b) == MG_PT_ARRAY && items != NULL)
            append(buf, len, items);
    }
    return buf;
}

const char *
mg_cli_types_text(unsigned types, unsigned item_types, char *buf, size_t len)
{
    static const char *const one[7] = {"a string", "an integer", "a number", "true or false", "a list",
                                       "a JSON object", "null"};
    static const char *const many[7] = {"strings", "integers", "numbers", "booleans", "lists", "JSON objects",
                                        "nulls"};
    char items[96] = " of ";

    if (types == 0)
        return snprintf(buf, len, "any JSON value"), buf;
    if (item_types != 0)
        join_types(item_types, many, " or ", NULL, items + 4, sizeof(items) - 4);
    return join_types(types, one, " or ", item_types != 0 ? items : NULL, buf, len);
}

/* The TYPE column: "string", "integer|null", "array of string", "any". */
static const char *
type_column(const struct mg_cli_param *q, char *buf, size_t len)
{
    static const char *const names[7] = {"string", "integer", "number", "boolean", "array", "object", "null"};
    char items[64] = " of ";

    if (q->types == 0)
        return snprintf(buf, len, "any"), buf;
    if (q->item_types != 0)
        join_types(q->item_types, names, "|", NULL, items + 4, sizeof(items) - 4);
    return join_types(q->types, names, "|", q->item_types != 0 ? items : NULL, buf, len);
}

/* V as it is typed: a string bare, anything else as JSON. */
static void
value_text(json_t *v, char *buf, size_t len)
{
    char *s;

    if (json_is_string(v)) {
        snprintf(buf, len, "%s", json_string_value(v));
        return;
    }
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, len, "%s", s ? s : "");
    free(s);
}

/* The DESCRIPTION column: the description on one line, the choices of an
 * enum and the default. */
static void
print_description(FILE *f, const struct mg_cli_param *q)
{
    const char *desc = json_string_value(json_object_get(q->schema, "description"));
    json_t *choices = json_object_get(q->schema, "enum"), *dflt = json_object_get(q->schema, "default"), *v;
    json_t *items = items_schema(q->schema);
    int said = desc != NULL && desc[0] != '\0';
    char text[256];
    size_t i;

    if (!json_is_array(choices) && items != NULL)
        choices = json_object_get(items, "enum");
    for (const char *d = desc; d != NULL && *d != '\0'; d++)
        fputc(*d == '\n' || *d == '\r' || *d == '\t' ? ' ' : *d, f);
    if (json_is_array(choices)) {
        fputs(said ? " (one of: " : "One of: ", f);
        json_array_foreach (choices, i, v) {
            value_text(v, text, sizeof(text));
            fprintf(f, "%s%s", i > 0 ? ", " : "", text);
        }
        fputs(said ? ")" : ".", f);
        said = 1;
    }
    if (dflt != NULL) {
        value_text(dflt, text, sizeof(text));
        fprintf(f, "%s(default: %s)", said ? " " : "", text);
    }
}

void
mg_cli_params_print(FILE *f, const struct mg_cli_params *p)
{
    size_t wflag = strlen("PARAMETER"), wtype = strlen("TYPE");
    unsigned seen = 0;
    char type[96];

    for (size_t i = 0; i < p->n; i++) {
        size_t a = strlen(p->v[i].flag), b = strlen(type_column(&p->v[i], type, sizeof(type)));
        wflag = a > wflag ? a : wflag;
        wtype = b > wtype ? b : wtype;
        seen |= p->v[i].types;
    }
    fprintf(f, "%-*s  %-*s  %-8s  %s\n", (int)wflag, "PARAMETER", (int)wtype, "TYPE", "REQUIRED", "DESCRIPTION");
    for (size_t i = 0; i < p->n; i++) {
        const struct mg_cli_param *q = &p->v[i];
        char *desc = NULL;
        size_t len = 0;
        FILE *d = open_memstream(&desc, &len);
        print_description(d, q);
        fclose(d);
        fprintf(f, "%-*s  %-*s  %-*s%s\n", (int)wflag, q->flag, (int)wtype, type_column(q, type, sizeof(type)),
                len > 0 ? 8 + 2 : 0, q->required ? "yes" : "no", desc);
        free(desc);
    }
    if (seen & MG_PT_BOOLEAN)
        fputs("\nA boolean is true with --flag alone, false with --no-flag (or --flag=false).", f);
    if (seen & MG_PT_ARRAY)
        fputs("\nA list takes one value per flag: repeat the flag for each item.", f);
    if (seen & MG_PT_OBJECT)
        fputs("\nAn object is given as JSON text, e.g. --options '{\"key\":\"value\"}'.", f);
    if (seen & (MG_PT_BOOLEAN | MG_PT_ARRAY | MG_PT_OBJECT))
        fputc('\n', f);
}

/* S quoted for a POSIX shell when it needs to be. */
static void
print_shell_word(FILE *f, const char *s)
{
    if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=+,") == strlen(s)) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '\'')
            fputs("'\\'", f); /* end the quote, an escaped one, start again */
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* NAME in capitals, a placeholder for text: maxResults -> MAX_RESULTS. */
static json_t *
placeholder(const char *name)
{
    char buf[128];
    size_t o = 0;

    for (size_t i = 0; name[i] != '\0' && o + 2 < sizeof(buf); i++) {
        unsigned char c = (unsigned char)name[i];
        if (i > 0 && isupper(c) && islower((unsigned char)name[i - 1]))
            buf[o++] = '_';
        buf[o++] = isalnum(c) ? (char)toupper(c) : '_';
    }
    buf[o] = '\0';
    return json_string(o > 0 ? buf : "VALUE");
}

/* A value for the example (new): one the schema gives, else one of the
 * right type; an object gets its required members (all when none is),
 * one level deep. */
static json_t *
example_json(json_t *schema, const char *name, int depth)
{
    unsigned types = mg_cli_schema_types(schema);
    json_t *v = json_array_get(json_object_get(schema, "examples"), 0), *props, *sub;
    const char *key;

    if (v == NULL || json_is_object(v) || json_is_array(v))
        v = json_object_get(schema, "default");
    if (v == NULL || json_is_object(v) || json_is_array(v))
        v = json_array_get(json_object_get(schema, "enum"), 0);
    if (v == NULL)
        v = json_object_get(schema, "const");
    if (v != NULL && !json_is_object(v) && !json_is_array(v) && !json_is_null(v))
        return json_incref(v);
    if ((types & (MG_PT_INTEGER | MG_PT_NUMBER)) && !(types & MG_PT_STRING)) {
        json_t *min = json_object_get(schema, "minimum");
        return json_integer(json_is_number(min) ? (json_int_t)json_number_value(min) : 1);
    }
    if (types == MG_PT_BOOLEAN)
        return json_true();
    if ((types & MG_PT_OBJECT) && !(types & MG_PT_STRING)) {
        v = json_object();
        props = json_object_get(schema, "properties");
        json_object_foreach (props, key, sub)
            if (depth == 0 && (mg_cli_schema_requires(schema, key) ||
                               json_array_size(json_object_get(schema, "required")) == 0))
                json_object_set_new(v, key, example_json(sub, key, depth + 1));
        return v;
    }
    return placeholder(name);
}

void
mg_cli_example(FILE *f, const char *server, const char *tool, const struct mg_cli_params *p)
{
    char value[256];
    json_t *v;

    fprintf(f, "mcpgate call ");
    print_shell_word(f, server);
    fputc(' ', f);
    print_shell_word(f, tool);
    for (size_t i = 0; i < p->n; i++) {
        const struct mg_cli_param *q = &p->v[i];
        int list = (q->types & MG_PT_ARRAY) && !(q->types & MG_PT_STRING);
        if (!q->required)
            continue;
        fprintf(f, " %s", q->flag);
        if (q->types == MG_PT_BOOLEAN)
            continue; /* the flag alone says true */
        v = example_json(list ? items_schema(q->schema) : q->schema, q->name, 0);
        value_text(v, value, sizeof(value));
        json_decref(v);
        fputc(' ', f);
        print_shell_word(f, value);
    }
    fputc('\n', f);
}

void
mg_cli_describe(FILE *f, const char *server, const struct mg_tool *tool)
{
    const char *title = json_string_value(json_object_get(tool->def, "title"));
    const char *desc = json_string_value(json_object_get(tool->def, "description"));
    struct mg_cli_params p;

    mg_cli_params_init(&p, json_object_get(tool->def, "inputSchema"));
    fprintf(f, "%s %s%s%s  (clients of the gateway call it %s)\n", server, tool->local_name, title ? " - " : "",
            title ? title : "", tool->name);
    if (desc != NULL && desc[0] != '\0')
        fprintf(f, "\n%s%s", desc, desc[strlen(desc) - 1] == '\n' ? "" : "\n");
    fputc('\n', f);
    if (p.n == 0)
        fputs("It takes no parameters.\n", f);
    else
        mg_cli_params_print(f, &p);
    fputs("\nexample:\n  ", f);
    mg_cli_example(f, server, tool->local_name, &p);
    mg_cli_params_free(&p);
}
