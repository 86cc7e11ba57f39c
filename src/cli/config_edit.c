/*
 * config_edit.c - line edits of a config file's `servers` list.
 *
 * config_scan.c finds where the list, each entry, its name and its
 * enabled key are; edits here delete or insert whole lines, or replace
 * one scalar, so nothing outside them moves.  New lines use the file's
 * line ending (CRLF when the file has one).
 */
#include "cli/config_edit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/config_scan.h"
#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/suggest.h"

static void
sb_str(struct mg_strbuf *b, const char *s)
{
    mg_strbuf_add(b, s, strlen(s));
}

static void
sb_spaces(struct mg_strbuf *b, size_t n)
{
    while (n-- > 0)
        mg_strbuf_add(b, " ", 1);
}

/* ---- Writing values ---- */

/* Length of the UTF-8 sequence at S (up to END), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
    size_t n;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* S can be written plain, and read back as the same text. */
static int
plain_ok(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", NULL};
    const char *c;

    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9') ||
          s[0] == '_' || s[0] == '/'))
        return 0;
    for (c = s; *c != '\0'; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              strchr("_./+-@", *c) != NULL))
            return 0;
    for (size_t i = 0; words[i] != NULL; i++)
        if (strcasecmp(s, words[i]) == 0)
            return 0;
    return 1;
}

/* Append S to B as a YAML scalar; -1 when S is not valid UTF-8. */
static int
add_scalar(struct mg_strbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s, *end = u + strlen(s);
    char esc[8];

    if (plain_ok(s)) {
        sb_str(b, s);
        return 0;
    }
    /* A double-quoted scalar: only "\" and '"' are special, and line
     * breaks (which would be folded) and other controls are escaped.
     * YAML reads NEL, LS and PS as line breaks too: \N, \L, \P. */
    mg_strbuf_add(b, "\"", 1);
    while (u < end) {
        size_t n = utf8_len(u, end);
        if (n == 0)
            return -1;
        if (*u == '"' || *u == '\\') {
            esc[0] = '\\', esc[1] = (char)*u;
            mg_strbuf_add(b, esc, 2);
        } else if (*u == '\n') {
            mg_strbuf_add(b, "\\n", 2);
        } else if (*u == '\t') {
            mg_strbuf_add(b, "\\t", 2);
        } else if (*u == '\r') {
            mg_strbuf_add(b, "\\r", 2);
        } else if (*u < 0x20 || *u == 0x7F) {
            snprintf(esc, sizeof(esc), "\\x%02X", *u);
            sb_str(b, esc);
        } else if (n == 2 && u[0] == 0xC2 && u[1] == 0x85) {
            mg_strbuf_add(b, "\\N", 2);
        } else if (n == 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9)) {
            mg_strbuf_add(b, u[2] == 0xA8 ? "\\L" : "\\P", 2);
        } else if (n == 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
            mg_strbuf_add(b, "\\uFEFF", 6);
        } else {
            mg_strbuf_add(b, (const char *)u, n);
        }
        u += n;
    }
    mg_strbuf_add(b, "\"", 1);
    return 0;
}

char *
mg_cfgedit_scalar(const char *s)
{
    struct mg_strbuf b = {0};

    if (add_scalar(&b, s) != 0) {
        mg_free(b.p);
        return NULL;
    }
    if (b.p == NULL)
        mg_strbuf_add(&b, "", 0);
    return b.p;
}

/* "KEY: VALUE" at INDENT; a NULL VALUE is the boolean false. */
static int
add_key(struct mg_strbuf *b, size_t indent, const char *key, const char *value, const char *nl)
{
    sb_spaces(b, indent);
    sb_str(b, key);
    sb_str(b, ": ");
    if (value == NULL)
        sb_str(b, "false");
    else if (add_scalar(b, value) != 0)
        return -1;
    sb_str(b, nl);
    return 0;
}

/* "KEY: [A, B]". */
static int
add_list(struct mg_strbuf *b, size_t indent, const char *key, const char *const *v, size_t n, const char *nl)
{
    if (n == 0)
        return 0;
    sb_spaces(b, indent);
    sb_str(b, key);
    sb_str(b, ": [");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sb_str(b, ", ");
        if (add_scalar(b, v[i]) != 0)
            return -1;
    }
    sb_str(b, "]");
    sb_str(b, nl);
    return 0;
}

/* "KEY:" and a block mapping under it. */
static int
add_map(struct mg_strbuf *b, size_t indent, const char *key, const struct mg_config_kv *kv, size_t n, const char *nl)
{
    if (n == 0)
        return 0;
    sb_spaces(b, indent);
    sb_str(b, key);
    sb_str(b, ":");
    sb_str(b, nl);
    for (size_t i = 0; i < n; i++) {
        sb_spaces(b, indent + 2);
        if (add_scalar(b, kv[i].key) != 0)
            return -1;
        sb_str(b, ": ");
        if (add_scalar(b, kv[i].value) != 0)
            return -1;
        sb_str(b, nl);
    }
    return 0;
}

/* S as a list item: its dash at DASH_COL, its keys KEY_OFF further. */
static int
render(struct mg_strbuf *b, const struct mg_cfgedit_server *s, size_t dash_col, size_t key_off, const char *nl)
{
    size_t k = dash_col + key_off;

    sb_spaces(b, dash_col);
    sb_str(b, "-");
    /* The first key follows the dash on its line. */
    if (add_key(b, key_off - 1, "name", s->name, nl) != 0)
        return -1;
    if ((s->description && add_key(b, k, "description", s->description, nl) != 0) ||
        (s->url && add_key(b, k, "url", s->url, nl) != 0) ||
        (s->transport && add_key(b, k, "transport", s->transport, nl) != 0) ||
        add_map(b, k, "headers", s->headers, s->nheaders, nl) != 0 ||
        (s->command && add_key(b, k, "command", s->command, nl) != 0) ||
        add_list(b, k, "args", s->args, s->nargs, nl) != 0 ||
        add_map(b, k, "env", s->env, s->nenv, nl) != 0 || (s->cwd && add_key(b, k, "cwd", s->cwd, nl) != 0) ||
        (s->timeout && add_key(b, k, "timeout", s->timeout, nl) != 0) ||
        add_list(b, k, "include_tools", s->include_tools, s->ninclude_tools, nl) != 0 ||
        add_list(b, k, "exclude_tools", s->exclude_tools, s->nexclude_tools, nl) != 0 ||
        (s->disabled && add_key(b, k, "enabled", NULL, nl) != 0))
        return -1;
    return 0;
}

/* ---- Edits ---- */

/* OUT's text: TEXT with [FROM, TO) replaced by the LEN bytes at WITH. */
static void
splice(struct mg_cfgedit_out *out, const struct mg_cfgscan_text *t, size_t from, size_t to, const char *with, size_t len)
{
    struct mg_strbuf b = {0};

    mg_strbuf_add(&b, t->p, from);
    mg_strbuf_add(&b, with, len);
    mg_strbuf_add(&b, t->p + to, t->len - to);
    out->text = b.p;
    out->len = b.len;
}

static struct mg_cfgscan_item *
find(struct mg_cfgscan *sc, const char *name)
{
    for (size_t i = 0; i < sc->nitems; i++)
        if (sc->items[i].name != NULL && strcmp(sc->items[i].name, name) == 0)
            return &sc->items[i];
    return NULL;
}

static void
closest(struct mg_cfgscan *sc, const char *name, struct mg_cfgedit_out *out)
{
    struct mg_suggest sg;

    mg_suggest_init(&sg, name);
    for (size_t i = 0; i < sc->nitems; i++)
        if (sc->items[i].name != NULL)
            mg_suggest_try(&sg, sc->items[i].name);
    out->closest = sg.best != NULL ? mg_strdup(sg.best) : NULL;
}

/* 1 true, 0 false, -1 neither (e.g. a ${VAR}). */
static int
bool_value(const char *v)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};

    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* The names of SC's items, in order, compared with the names of OLD's
 * less SKIP plus ADDED (either NULL). */
static int
same_names(const struct mg_cfgscan *sc, const struct mg_cfgscan *old, const char *skip, const char *added)
{
    size_t j = 0;

    for (size_t i = 0; i < old->nitems; i++) {
        const char *n = old->items[i].name;
        if (skip != NULL && n != NULL && strcmp(n, skip) == 0)
            continue;
        if (j >= sc->nitems || (n == NULL) != (sc->items[j].name == NULL) ||
            (n != NULL && strcmp(n, sc->items[j].name) != 0))
            return 0;
        j++;
    }
    if (added != NULL) {
        if (j >= sc->nitems || sc->items[j].name == NULL || strcmp(sc->items[j].name, added) != 0)
            return 0;
        j++;
    }
    return j == sc->nitems;
}

/*
 * Scan OUT's new text and check that it holds OLD's entries less SKIP
 * plus ADDED, and (ENABLED >= 0) that NAME's entry is so.  0, or -1 with
 * ERR set and OUT freed: the edit went wrong and nothing may be written.
 */
static int
verify(struct mg_cfgedit_out *out, const struct mg_cfgscan *old, const char *skip, const char *added, const char *name,
       int enabled, char *err, size_t errlen)
{
    struct mg_cfgscan_text t;
    struct mg_cfgscan sc;
    char why[256];
    int ok;

    mg_cfgscan_text_init(&t, out->text, out->len);
    ok = mg_cfgscan_servers(&t, &sc, why, sizeof(why)) == 0;
    if (ok) {
        ok = same_names(&sc, old, skip, added);
        if (ok && enabled >= 0) {
            struct mg_cfgscan_item *it = find(&sc, name);
            ok = it != NULL && (it->has_enabled ? it->en_value != NULL && bool_value(it->en_value) == enabled
                                                : enabled == 1);
        }
        mg_cfgscan_free(&sc);
    }
    mg_free(t.starts);
    if (ok)
        return 0;
    mg_cfgedit_out_free(out);
    return mg_cfgscan_unsafe(err, errlen, "the edited text did not read back as intended");
}

/* Scan TEXT into T and SC; MG_CFGEDIT_OK or MG_CFGEDIT_UNSAFE. */
static enum mg_cfgedit_rc
begin(struct mg_cfgscan_text *t, struct mg_cfgscan *sc, const char *text, size_t len, struct mg_cfgedit_out *out, char *err,
      size_t errlen)
{
    memset(out, 0, sizeof(*out));
    mg_cfgscan_text_init(t, text, len);
    if (mg_cfgscan_servers(t, sc, err, errlen) != 0) {
        mg_free(t->starts);
        return MG_CFGEDIT_UNSAFE;
    }
    return MG_CFGEDIT_OK;
}

static enum mg_cfgedit_rc
finish(struct mg_cfgscan_text *t, struct mg_cfgscan *sc, enum mg_cfgedit_rc rc)
{
    mg_cfgscan_free(sc);
    mg_free(t->starts);
    return rc;
}

/* begin, then find the entry NAME into *IT: MG_CFGEDIT_NOT_FOUND (with
 * out->closest, and everything freed) when there is none. */
static enum mg_cfgedit_rc
begin_named(struct mg_cfgscan_text *t, struct mg_cfgscan *sc, const char *text, size_t len, const char *name, struct mg_cfgscan_item **it,
            struct mg_cfgedit_out *out, char *err, size_t errlen)
{
    enum mg_cfgedit_rc rc;

    if ((rc = begin(t, sc, text, len, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    if ((*it = find(sc, name)) == NULL) {
        closest(sc, name, out);
        return finish(t, sc, MG_CFGEDIT_NOT_FOUND);
    }
    return MG_CFGEDIT_OK;
}

enum mg_cfgedit_rc
mg_cfgedit_add(const char *text, size_t len, const struct mg_cfgedit_server *s, struct mg_cfgedit_out *out,
               char *err, size_t errlen)
{
    struct mg_cfgscan_text t;
    struct mg_cfgscan sc;
    struct mg_strbuf b = {0};
    size_t at, dash_col, key_off = 2, from, to;
    enum mg_cfgedit_rc rc;

    if ((rc = begin(&t, &sc, text, len, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    if (find(&sc, s->name) != NULL)
        return finish(&t, &sc, MG_CFGEDIT_DUPLICATE);
    switch (sc.kind) {
    case SV_BLOCK: {
        struct mg_cfgscan_item *first = &sc.items[0];
        size_t ls = mg_cfgscan_line_start(&t, first->dash);
        dash_col = first->dash - ls;
        if (first->block_map && first->start > first->dash && first->key_col > dash_col &&
            mg_cfgscan_line_start(&t, first->start) == ls && mg_cfgscan_blank(t.p, first->dash + 1, first->start))
            key_off = first->key_col - dash_col;
        at = mg_cfgscan_cut_after(&t, sc.seq_end);
        if (!mg_cfgscan_at_line_start(&t, at))
            sb_str(&b, t.nl); /* the last line had no line break */
        from = to = at;
        break;
    }
    case SV_NULL:
    case SV_EMPTY_FLOW: {
        /* "servers: []  # none" -> "servers:  # none", entries below. */
        size_t ls = mg_cfgscan_line_start(&t, sc.key_off);
        from = sc.val_start;
        while (from > ls && (t.p[from - 1] == ' ' || t.p[from - 1] == '\t'))
            from--;
        to = sc.val_end;
        if (sc.kind == SV_NULL && to == from) /* "servers:" alone */
            from = to = sc.val_end;
        at = mg_cfgscan_next_line(&t, to);
        mg_strbuf_add(&b, t.p + to, at - to);
        if (!mg_cfgscan_at_line_start(&t, at))
            sb_str(&b, t.nl);
        dash_col = sc.key_off - ls + 2;
        to = at;
        break;
    }
    case SV_NONE:
    default:
        from = to = t.len;
        if (!mg_cfgscan_at_line_start(&t, t.len))
            sb_str(&b, t.nl);
        /* A blank line between what was there and the new key. */
        if (t.len > 0 && !mg_cfgscan_blank(t.p, mg_cfgscan_line_start(&t, t.len - 1), t.len))
            sb_str(&b, t.nl);
        sb_spaces(&b, sc.root_col);
        sb_str(&b, "servers:");
        sb_str(&b, t.nl);
        dash_col = sc.root_col + 2;
        out->created_servers = 1;
        break;
    }
    if (render(&b, s, dash_col, key_off, t.nl) != 0) {
        mg_free(b.p);
        mg_cfgscan_unsafe(err, errlen, "a value is not valid UTF-8");
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    }
    splice(out, &t, from, to, b.p, b.len);
    mg_free(b.p);
    if (verify(out, &sc, NULL, s->name, NULL, -1, err, errlen) != 0)
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    return finish(&t, &sc, MG_CFGEDIT_OK);
}

enum mg_cfgedit_rc
mg_cfgedit_remove(const char *text, size_t len, const char *name, struct mg_cfgedit_out *out, char *err,
                  size_t errlen)
{
    struct mg_cfgscan_text t;
    struct mg_cfgscan sc;
    struct mg_cfgscan_item *it;
    enum mg_cfgedit_rc rc;

    if ((rc = begin_named(&t, &sc, text, len, name, &it, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    splice(out, &t, mg_cfgscan_line_start(&t, it->dash), mg_cfgscan_cut_after(&t, it->end), "", 0);
    if (verify(out, &sc, name, NULL, NULL, -1, err, errlen) != 0)
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    return finish(&t, &sc, MG_CFGEDIT_OK);
}

enum mg_cfgedit_rc
mg_cfgedit_set_enabled(const char *text, size_t len, const char *name, int enabled, struct mg_cfgedit_out *out,
                       char *err, size_t errlen)
{
    struct mg_cfgscan_text t;
    struct mg_cfgscan sc;
    struct mg_cfgscan_item *it;
    enum mg_cfgedit_rc rc;

    if ((rc = begin_named(&t, &sc, text, len, name, &it, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    if (!it->block_map) {
        mg_cfgscan_unsafe(err, errlen, "server \"%s\" is written in flow style ({...})", name);
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    }
    if (it->has_enabled) {
        size_t ls = mg_cfgscan_line_start(&t, it->en_key);
        if (it->en_bad || it->en_value == NULL) {
            mg_cfgscan_unsafe(err, errlen, "server \"%s\" has an enabled: value that is not one word", name);
            return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
        }
        if (bool_value(it->en_value) == enabled)
            return finish(&t, &sc, MG_CFGEDIT_UNCHANGED);
        /* A line of its own goes (enabled is the default); anything
         * sharing the line (the dash, a comment) keeps it, set true. */
        if (enabled && !it->en_first && mg_cfgscan_blank(t.p, ls, it->en_key) &&
            mg_cfgscan_blank(t.p, it->en_val_end, mg_cfgscan_line_end(&t, it->en_val_end)))
            splice(out, &t, ls, mg_cfgscan_next_line(&t, it->en_val_end), "", 0);
        else
            splice(out, &t, it->en_val, it->en_val_end, enabled ? "true" : "false", enabled ? 4 : 5);
    } else {
        struct mg_strbuf b = {0};
        size_t at = mg_cfgscan_cut_after(&t, it->end);
        if (enabled)
            return finish(&t, &sc, MG_CFGEDIT_UNCHANGED);
        if (!mg_cfgscan_at_line_start(&t, at))
            sb_str(&b, t.nl);
        sb_spaces(&b, it->key_col);
        sb_str(&b, "enabled: false");
        sb_str(&b, t.nl);
        splice(out, &t, at, at, b.p, b.len);
        mg_free(b.p);
    }
    if (verify(out, &sc, NULL, NULL, name, enabled, err, errlen) != 0)
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    return finish(&t, &sc, MG_CFGEDIT_OK);
}

void
mg_cfgedit_out_free(struct mg_cfgedit_out *out)
{
    mg_free(out->text);
    mg_free(out->closest);
    memset(out, 0, sizeof(*out));
}
