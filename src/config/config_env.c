/*
 * config_env.c - environment variables in config values.
 *
 * Every scalar value (never a key) is expanded before it is converted, so
 * `timeout: ${T:-30}` is a number:
 *
 *     ${NAME}           the variable's value; an unset variable is an error,
 *                       so a missing secret never becomes an empty header
 *     ${NAME:-DEFAULT}  the value, or DEFAULT (verbatim, up to the first
 *                       "}") when the variable is unset or empty
 *     $$                a literal "$"
 *     $ otherwise       kept as it is ("$HOME", "cost: 5$")
 *
 * NAME is [A-Za-z_][A-Za-z0-9_]*.  Expansion is not recursive: a value or
 * default containing "${X}" is used as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_impl.h"
#include "util/alloc.h"
#include "util/strbuf.h"

/* Append to B; -1 past the cap, so a few references to a large variable
 * cannot grow one value without bound. */
static int
buf_add(struct mg_strbuf *b, const char *s, size_t n)
{
    if (n > MG_CONFIG_MAX_SIZE - b->len)
        return -1;
    mg_strbuf_add(b, s, n);
    return 0;
}

static int
name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

/* The reference starting at S ("${..."), shortened, for a message. */
static void
quote_ref(char *out, size_t outlen, const char *s, const char *end)
{
    const char *close = memchr(s, '}', (size_t)(end - s));
    size_t n = close != NULL ? (size_t)(close - s) + 1 : (size_t)(end - s);
    char tmp[48];

    if (n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    mg_config__quote(out, outlen, tmp);
}

char *
mg_config__expand(const char *s, size_t len, char *why, size_t whylen)
{
    const char *end = s + len, *lit = s, *q;
    struct mg_strbuf b = {NULL, 0, 0};
    char ref[64];

    if (buf_add(&b, "", 0) != 0)
        goto toolong;
    for (q = s; q < end; q++) {
        if (*q != '$' || q + 1 == end || (q[1] != '$' && q[1] != '{'))
            continue;
        if (buf_add(&b, lit, (size_t)(q - lit)) != 0)
            goto toolong;
        if (q[1] == '$') {
            if (buf_add(&b, "$", 1) != 0)
                goto toolong;
            lit = ++q + 1;
            continue;
        }

        const char *name = q + 2, *n = name, *dflt = NULL, *close;
        char var[256];
        const char *val;

        while (n < end && name_char(*n))
            n++;
        if (n == end || memchr(n, '}', (size_t)(end - n)) == NULL) {
            quote_ref(ref, sizeof(ref), q, end);
            snprintf(why, whylen, "unterminated variable reference %s (missing \"}\")", ref);
            goto fail;
        }
        if (n == name && (*n == '}' || *n == ':')) {
            quote_ref(ref, sizeof(ref), q, end);
            snprintf(why, whylen, "%s: empty variable name", ref);
            goto fail;
        }
        if (n > name && !name_start(*name)) {
            quote_ref(ref, sizeof(ref), q, end);
            snprintf(why, whylen, "%s: a variable name cannot start with a digit", ref);
            goto fail;
        }
        if (*n == '}') {
            close = n;
        } else if (n + 1 < end && n[0] == ':' && n[1] == '-') {
            dflt = n + 2;
            close = memchr(dflt, '}', (size_t)(end - dflt));
        } else {
            quote_ref(ref, sizeof(ref), q, end);
            snprintf(why, whylen,
                     "%s: a variable name is letters, digits and \"_\", followed by \"}\" or \":-default}\"",
                     ref);
            goto fail;
        }
        if ((size_t)(n - name) >= sizeof(var)) {
            quote_ref(ref, sizeof(ref), q, end);
            snprintf(why, whylen, "%s: variable name too long", ref);
            goto fail;
        }
        memcpy(var, name, (size_t)(n - name));
        var[n - name] = '\0';
        val = getenv(var);
        if (dflt != NULL && (val == NULL || val[0] == '\0')) {
            if (buf_add(&b, dflt, (size_t)(close - dflt)) != 0)
                goto toolong;
        } else if (val == NULL) {
            snprintf(why, whylen, "environment variable %s is not set (write ${%s:-} to allow it to be empty)",
                     var, var);
            goto fail;
        } else if (buf_add(&b, val, strlen(val)) != 0) {
            goto toolong;
        }
        q = close;
        lit = close + 1;
    }
    if (buf_add(&b, lit, (size_t)(end - lit)) != 0)
        goto toolong;
    return b.p;

toolong:
    snprintf(why, whylen, "longer than %u bytes after expanding variables", MG_CONFIG_MAX_SIZE);
fail:
    mg_free(b.p);
    return NULL;
}
