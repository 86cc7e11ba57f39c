/*
 * call_elicit.c - answering a server's elicitation/create during `call`.
 *
 * A server may stop in the middle of a call to ask the user for input (a
 * form described by a flat JSON schema).  On a terminal the command line
 * asks, one field at a time, showing each field's default; elsewhere it
 * declines, unless --elicit defaults says to accept with the schema's
 * defaults (what a user pressing Enter at every prompt would send).
 */
#include "cli/call.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/standalone.h"

/* The values FIELD admits, as the elicitation schema spells a choice:
 * "enum", or "oneOf"/"anyOf" of {const, title}; NULL for free input.
 * A new array. */
static json_t *
choices(json_t *field)
{
    json_t *e = json_object_get(field, "enum"), *out, *alt;
    size_t i;

    if (json_is_array(e))
        return json_incref(e);
    if (!json_is_array(alt = json_object_get(field, "oneOf")) && !json_is_array(alt = json_object_get(field, "anyOf")))
        return NULL;
    out = json_array();
    for (i = 0; i < json_array_size(alt); i++) {
        json_t *c = json_object_get(json_array_get(alt, i), "const");
        if (c != NULL)
            json_array_append(out, c);
    }
    return out;
}

/* TEXT converted to the scalar FIELD describes: a new value, or NULL
 * with *WHY when it does not fit. */
static json_t *
convert_one(json_t *field, const char *text, const char **why)
{
    const char *type = json_string_value(json_object_get(field, "type"));
    json_t *options = choices(field), *o;
    char *end;
    size_t i;

    if (options != NULL) {
        json_array_foreach (options, i, o) {
            if (json_is_string(o) && strcmp(json_string_value(o), text) == 0) {
                json_incref(o);
                json_decref(options);
                return o;
            }
        }
        json_decref(options);
        *why = "not one of the choices";
        return NULL;
    }
    if (type != NULL && strcmp(type, "boolean") == 0) {
        if (strcmp(text, "y") == 0 || strcmp(text, "yes") == 0 || strcmp(text, "true") == 0)
            return json_true();
        if (strcmp(text, "n") == 0 || strcmp(text, "no") == 0 || strcmp(text, "false") == 0)
            return json_false();
        *why = "answer yes or no";
        return NULL;
    }
    if (type != NULL && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)) {
        errno = 0;
        if (strcmp(type, "integer") == 0) {
            long long v = strtoll(text, &end, 10);
            if (errno == 0 && end != text && *end == '\0')
                return json_integer(v);
            *why = "not a whole number";
        } else {
            double v = strtod(text, &end);
            if (errno == 0 && end != text && *end == '\0')
                return json_real(v);
            *why = "not a number";
        }
        return NULL;
    }
    return json_string(text);
}

/* One answer typed at the terminal, converted by the field's type (a
 * list: comma-separated items): a new value, or NULL with *WHY. */
static json_t *
convert(json_t *field, char *text, const char **why)
{
    const char *type = json_string_value(json_object_get(field, "type"));
    json_t *items = json_object_get(field, "items"), *list, *v;
    char *save = NULL;

    if (type == NULL || strcmp(type, "array") != 0)
        return convert_one(field, text, why);
    list = json_array();
    for (char *tok = strtok_r(text, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        size_t n;
        while (*tok == ' ')
            tok++;
        n = strlen(tok);
        while (n > 0 && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if ((v = convert_one(items != NULL ? items : json_object(), tok, why)) == NULL) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, v);
    }
    return list;
}

/* Ask for field NAME at the terminal until it has a fitting answer.
 * 0 with *OUT (new, or NULL: left empty), or -1 at end of input. */
static int
ask_field(const char *name, json_t *field, int required, json_t **out)
{
    const char *title = json_string_value(json_object_get(field, "title"));
    const char *desc = json_string_value(json_object_get(field, "description"));
    json_t *def = json_object_get(field, "default"), *options = choices(field);
    json_t *items = choices(json_object_get(field, "items"));
    char line[1024];

    for (;;) {
        const char *why = NULL;
        size_t n;

        fputs("  ", stderr);
        mg_cli_print_text(stderr, title != NULL ? title : name, 0);
        fputs(required ? "" : " (optional)", stderr);
        if (desc != NULL) {
            fputs(" - ", stderr);
            mg_cli_print_text(stderr, desc, 0);
        }
        if (options != NULL || items != NULL) {
            char *list = json_dumps(options != NULL ? options : items, JSON_COMPACT);
            fprintf(stderr, " %s%s", items != NULL ? "(comma-separated) " : "", list);
            free(list);
        }
        if (def != NULL) {
            char *text = json_dumps(def, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
            fprintf(stderr, " [%s]", text);
            free(text);
        }
        fputs(": ", stderr);
        fflush(stderr);
        if (fgets(line, sizeof(line), stdin) == NULL) {
            json_decref(options);
            json_decref(items);
            return -1;
        }
        n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0) {
            if (def != NULL || !required) {
                *out = def != NULL ? json_incref(def) : NULL;
                break;
            }
            why = "it is required";
        } else if ((*out = convert(field, line, &why)) != NULL) {
            break;
        }
        fprintf(stderr, "  (%s)\n", why);
    }
    json_decref(options);
    json_decref(items);
    return 0;
}

/* Fill CONTENT with the schema's defaults.  0, or -1 when a required
 * field has none. */
static int
fill_defaults(json_t *schema, json_t *content)
{
    json_t *props = json_object_get(schema, "properties"), *field;
    const char *name;

    json_object_foreach (props, name, field) {
        json_t *def = json_object_get(field, "default");
        if (def != NULL)
            json_object_set(content, name, def);
        else if (mg_cli_schema_requires(schema, name))
            return -1;
    }
    return 0;
}

/* Ask every field at the terminal.  0, or -1 at end of input. */
static int
fill_asking(json_t *schema, json_t *content)
{
    json_t *props = json_object_get(schema, "properties"), *field, *value;
    const char *name;

    json_object_foreach (props, name, field) {
        if (ask_field(name, field, mg_cli_schema_requires(schema, name), &value) != 0)
            return -1;
        if (value != NULL)
            json_object_set_new(content, name, value);
    }
    return 0;
}

json_t *
mg_cli_elicit(json_t *params, enum mg_cli_elicit mode, const char *server)
{
    const char *message = json_string_value(json_object_get(params, "message"));
    const char *kind = json_string_value(json_object_get(params, "mode"));
    json_t *schema = json_object_get(params, "requestedSchema"), *content = json_object();
    const char *action = "decline";

    if (mode == MG_CLI_ELICIT_AUTO)
        mode = isatty(STDIN_FILENO) && isatty(STDERR_FILENO) ? MG_CLI_ELICIT_ASK : MG_CLI_ELICIT_DECLINE;
    fprintf(stderr, "mcpgate: %s asks: ", server);
    mg_cli_print_text(stderr, message != NULL ? message : "(no message)", 1);
    fputc('\n', stderr);
    if (kind != NULL && strcmp(kind, "form") != 0) {
        fprintf(stderr, "mcpgate: declined: only forms can be answered here\n");
    } else if (mode == MG_CLI_ELICIT_DEFAULTS) {
        if (fill_defaults(schema, content) == 0) {
            action = "accept";
            fprintf(stderr, "mcpgate: answered with the defaults (--elicit defaults)\n");
        } else {
            json_object_clear(content);
            fprintf(stderr, "mcpgate: declined: a required field has no default\n");
        }
    } else if (mode == MG_CLI_ELICIT_ASK) {
        action = fill_asking(schema, content) == 0 ? "accept" : "cancel";
    } else {
        fprintf(stderr, "mcpgate: declined: no terminal to ask on (--elicit defaults accepts the defaults)\n");
    }
    if (strcmp(action, "accept") != 0) {
        json_decref(content);
        return json_pack("{s:s}", "action", action);
    }
    return json_pack("{s:s, s:o}", "action", action, "content", content);
}
