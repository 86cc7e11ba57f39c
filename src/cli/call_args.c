/*
 * call_args.c - the flags after TOOL turned into the call's arguments.
 *
 * Flags are matched to properties by their letters alone: case, '-' and
 * '_' do not count, so --max-results, --max_results and --maxResults all
 * name maxResults (an exact spelling wins when two properties would
 * match).  Values are converted by the property's schema: numbers,
 * booleans (--flag, --flag=false, --no-flag), enums, lists by repeating
 * the flag, objects as JSON.  Every problem is found before anything is
 * sent, and all of them are reported at once.
 */
#include "cli/call.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/catalog.h"
#include "json/schema.h"
#include "util/alloc.h"
#include "util/suggest.h"

/* Longest piece of a description repeated next to a problem. */
#define DESC_MAX 100

/* 1 if A[0..la) and B spell the same name, case, '-' and '_' aside. */
static int
same_letters(const char *a, size_t la, const char *b)
{
    size_t i = 0;

    for (;;) {
        while (i < la && (a[i] == '-' || a[i] == '_'))
            i++;
        while (*b == '-' || *b == '_')
            b++;
        if (i == la || *b == '\0')
            return i == la && *b == '\0';
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)*b))
            return 0;
        i++, b++;
    }
}

/* 1 if Q is a plain switch: --flag for true, --no-flag for false. */
static int
is_switch(const struct mg_cli_param *q)
{
    return (q->types & MG_PT_BOOLEAN) && !(q->types & ~(unsigned)(MG_PT_BOOLEAN | MG_PT_NULL));
}

/* 1 if Q is given by repeating its flag, one item each. */
static int
is_list(const struct mg_cli_param *q)
{
    return (q->types & MG_PT_ARRAY) && !(q->types & MG_PT_STRING);
}

/*
 * The parameter NAME[0..len) names: spelled exactly, else by its letters.
 * NULL when none does, or when several do (*AMBIGUOUS is then set).
 */
static const struct mg_cli_param *
match(const struct mg_cli_params *p, const char *name, size_t len, int *ambiguous)
{
    const struct mg_cli_param *found = NULL;

    *ambiguous = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->v[i].name) == len && strncmp(p->v[i].name, name, len) == 0)
            return &p->v[i];
    for (size_t i = 0; i < p->n; i++) {
        if (!same_letters(name, len, p->v[i].name))
            continue;
        if (found != NULL) {
            *ambiguous = 1;
            return NULL;
        }
        found = &p->v[i];
    }
    return found;
}

/* Write one problem about Q (or none): "  --flag: what (description)". */
static void
problem(FILE *err, const struct mg_cli_param *q, const char *fmt, ...)
{
    const char *d = q != NULL ? json_string_value(json_object_get(q->schema, "description")) : NULL;
    va_list ap;

    fprintf(err, "  %s%s", q != NULL ? q->flag : "", q != NULL ? ": " : "");
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    if (d != NULL && d[0] != '\0') {
        size_t n = strcspn(d, "\r\n");
        fprintf(err, " (%.*s%s)", (int)(n > DESC_MAX ? DESC_MAX : n), d, n > DESC_MAX ? "..." : "");
    }
    fputc('\n', err);
}

/* The member of CHOICES that V spells, or NULL. */
static json_t *
choice(json_t *choices, const char *v)
{
    json_t *c;
    size_t i;

    json_array_foreach (choices, i, c) {
        char *text = json_is_string(c) ? NULL : json_dumps(c, JSON_ENCODE_ANY | JSON_COMPACT);
        int same = strcmp(json_is_string(c) ? json_string_value(c) : text ? text : "", v) == 0;
        free(text);
        if (same)
            return c;
    }
    return NULL;
}

static json_t *
parse_integer(const char *v)
{
    char *end;
    long long n;

    if (strspn(v, "+-0123456789") != strlen(v) || v[0] == '\0')
        return NULL;
    errno = 0;
    n = strtoll(v, &end, 10);
    return errno == 0 && *end == '\0' ? json_integer(n) : NULL;
}

static json_t *
parse_number(const char *v)
{
    char *end;
    double d;

    /* Digits only: strtod would also take "inf", "nan" and hex. */
    if (strspn(v, "+-.0123456789eE") != strlen(v) || v[0] == '\0')
        return NULL;
    if (strpbrk(v, ".eE") == NULL)
        return parse_integer(v);
    d = strtod(v, &end);
    return *end == '\0' && isfinite(d) ? json_real(d) : NULL;
}

static json_t *
parse_boolean(const char *v)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};

    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return json_true();
        if (strcasecmp(v, no[i]) == 0)
            return json_false();
    }
    return NULL;
}

/*
 * V converted to one of TYPES (0: any JSON value, else text), one of
 * CHOICES when it is an array.  A new value, or NULL with WHY.
 */
static json_t *
convert(const char *v, unsigned types, json_t *choices, char *why, size_t whylen)
{
    char want[160];
    json_t *out = NULL;

    if (json_is_array(choices)) {
        if ((out = choice(choices, v)) != NULL)
            return json_incref(out);
        snprintf(why, whylen, "'%s' is not one of the choices", v);
        return NULL;
    }
    if (types == 0) {
        out = json_loads(v, JSON_DECODE_ANY, NULL);
        return out != NULL ? out : json_string(v);
    }
    if ((types & MG_PT_NULL) && !(types & MG_PT_STRING) && strcmp(v, "null") == 0)
        return json_null();
    if ((types & MG_PT_INTEGER) && (out = parse_integer(v)) != NULL)
        return out;
    if ((types & MG_PT_NUMBER) && (out = parse_number(v)) != NULL)
        return out;
    if ((types & MG_PT_BOOLEAN) && (out = parse_boolean(v)) != NULL)
        return out;
    if (types & (MG_PT_OBJECT | MG_PT_ARRAY)) {
        out = json_loads(v, JSON_DECODE_ANY, NULL);
        if ((json_is_object(out) && (types & MG_PT_OBJECT)) || (json_is_array(out) && (types & MG_PT_ARRAY)))
            return out;
        json_decref(out);
    }
    if (types & MG_PT_STRING)
        return json_string(v);
    snprintf(why, whylen, "expected %s, got '%s'", mg_cli_types_text(types, 0, want, sizeof(want)), v);
    return NULL;
}

/* The allowed values of Q's items (lists) or of Q, or NULL. */
static json_t *
choices_of(const struct mg_cli_param *q, int item)
{
    json_t *s = item ? json_object_get(q->schema, "items") : q->schema;
    return json_object_get(s, "enum");
}

static void
list_choices(FILE *err, json_t *choices)
{
    json_t *c;
    size_t i;

    fputs("    choices:", err);
    json_array_foreach (choices, i, c) {
        char *text = json_dumps(c, JSON_ENCODE_ANY | JSON_COMPACT);
        fprintf(err, "%s %s", i > 0 ? "," : "", json_is_string(c) ? json_string_value(c) : text);
        free(text);
    }
    fputc('\n', err);
}

/* A flag that names no parameter. */
static void
unknown_flag(FILE *err, const struct mg_cli_params *p, const char *tool, const char *arg, size_t len, int ambiguous)
{
    struct mg_suggest sg;
    char name[128];

    snprintf(name, sizeof(name), "%.*s", (int)(len < 120 ? len : 120), arg + 2);
    if (ambiguous) {
        fprintf(err, "  --%s could be any of several parameters of %s: spell it as the schema does\n", name, tool);
        return;
    }
    mg_suggest_init(&sg, name);
    for (size_t i = 0; i < p->n; i++)
        mg_suggest_try(&sg, p->v[i].name);
    fprintf(err, "  --%s is not a parameter of %s", name, tool);
    for (size_t i = 0; sg.best != NULL && i < p->n; i++)
        if (p->v[i].name == sg.best)
            fprintf(err, "; did you mean %s?", p->v[i].flag);
    if (mg_cli_own_option(arg))
        fprintf(err, "; --%s is an option of mcpgate: put it before SERVER", name);
    fputc('\n', err);
}

/* Set Q to the value of one flag, V.  0, or -1 after a problem. */
static int
take(const struct mg_cli_param *q, json_t *args, const char *v, int again, FILE *err)
{
    char why[320];
    json_t *out;
    int item = is_list(q);

    if (again && !item) {
        problem(err, q, "given more than once; it takes one value");
        return -1;
    }
    out = convert(v, item ? q->item_types : q->types, choices_of(q, item), why, sizeof(why));
    if (out == NULL) {
        problem(err, q, "%s", why);
        if (choices_of(q, item) != NULL)
            list_choices(err, choices_of(q, item));
        return -1;
    }
    if (!item) {
        json_object_set_new(args, q->name, out);
        return 0;
    }
    if (!again) /* the flags' list replaces one from --args-json */
        json_object_set_new(args, q->name, json_array());
    json_array_append_new(json_object_get(args, q->name), out);
    return 0;
}

/* 1 if V (from --args-json) is of one of TYPES. */
static int
fits(const json_t *v, unsigned types)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return (types & MG_PT_STRING) != 0;
    case JSON_INTEGER: return (types & (MG_PT_INTEGER | MG_PT_NUMBER)) != 0;
    case JSON_REAL:
        return (types & MG_PT_NUMBER) || ((types & MG_PT_INTEGER) && json_real_value(v) == floor(json_real_value(v)));
    case JSON_TRUE:
    case JSON_FALSE: return (types & MG_PT_BOOLEAN) != 0;
    case JSON_ARRAY: return (types & MG_PT_ARRAY) != 0;
    case JSON_OBJECT: return (types & MG_PT_OBJECT) != 0;
    case JSON_NULL: return (types & MG_PT_NULL) != 0;
    }
    return 0;
}

/* After the flags: every required parameter there (GIVEN counts each
 * one's flags: a flag whose value was refused is not missing too), and
 * the values of --args-json of the right types.  The number of problems. */
static int
check_values(const struct mg_cli_params *p, const unsigned char *given, json_t *args, FILE *err)
{
    char want[160];
    int problems = 0;

    for (size_t i = 0; i < p->n; i++) {
        const struct mg_cli_param *q = &p->v[i];
        json_t *v = json_object_get(args, q->name);
        if (v != NULL && json_is_null(v) && !q->required && q->types != 0 && !(q->types & MG_PT_NULL)) {
            /* null for an optional parameter that takes none: "no value",
             * so it is left out (and no Mcp-Param header carries it). */
            json_object_del(args, q->name);
        } else if (v == NULL && q->required && given[i] == 0) {
            problem(err, q, "required, and missing");
            problems++;
        } else if (v != NULL && q->types != 0 && !fits(v, q->types)) {
            char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            problem(err, q, "expected %s, got %s", mg_cli_types_text(q->types, q->item_types, want, sizeof(want)),
                    text);
            free(text);
            problems++;
        }
    }
    return problems;
}

int
mg_cli_args(const struct mg_cli_params *p, const char *name, const struct mg_schema *input, json_t *args, int argc,
            char **argv, FILE *err)
{
    unsigned char *given = mg_calloc(p->n + 1, 1);
    int problems = 0, ambiguous, rc = 0;
    char *why = NULL;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '='), *v;
        size_t len = strncmp(a, "--", 2) != 0 ? 0 : eq != NULL ? (size_t)(eq - a) - 2 : strlen(a) - 2;
        const struct mg_cli_param *q;
        int negated = 0;

        if (len == 0) {
            if (strcmp(a, "-h") == 0)
                goto help;
            fprintf(err, "  '%s' is not a flag: give each parameter as --name value\n", a);
            problems++;
            continue;
        }
        q = match(p, a + 2, len, &ambiguous);
        if (q == NULL && !ambiguous && len > 3 && (strncmp(a, "--no-", 5) == 0 || strncmp(a, "--no_", 5) == 0)) {
            q = match(p, a + 5, len - 3, &ambiguous);
            negated = q != NULL && is_switch(q);
            q = negated ? q : NULL;
        }
        if (q == NULL) {
            if (!ambiguous && len == 4 && strncmp(a, "--help", 6) == 0)
                goto help;
            unknown_flag(err, p, name, a, len, ambiguous);
            problems++;
            if (eq == NULL && i + 1 < argc && argv[i + 1][0] != '-')
                i++; /* its value, surely: one problem is enough */
            continue;
        }
        if (negated || (is_switch(q) && eq == NULL)) {
            if (negated && eq != NULL) {
                problem(err, q, "--no-%.*s takes no value", (int)(len - 3), a + 5);
                problems++;
            } else if (given[q - p->v]++ > 0) {
                problem(err, q, "given more than once; it takes one value");
                problems++;
            } else {
                json_object_set_new(args, q->name, json_boolean(!negated));
            }
            continue;
        }
        if (eq != NULL) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i]; /* whatever it is: "-5" is a value too */
        } else {
            char want[160];
            problem(err, q, "needs a value: %s", mg_cli_types_text(q->types, q->item_types, want, sizeof(want)));
            problems++;
            continue;
        }
        if (take(q, args, v, given[q - p->v]++ > 0, err) != 0)
            problems++;
    }
    problems += check_values(p, given, args, err);
    /* The rest of the schema (ranges, formats, nested objects): checked
     * here too so that nothing is sent that the gateway would refuse. */
    if (problems == 0 && input != NULL && mg_schema_validate(input, args, &why) != 0) {
        fprintf(err, "  the arguments do not fit the tool's schema: %s\n", why);
        problems++;
    }
    rc = problems > 0 ? 2 : 0;
    goto out;
help:
    rc = MG_CLI_ARGS_HELP;
out:
    mg_free(why);
    mg_free(given);
    return rc;
}
