/*
 * config_edit.c - line edits of a config file's `servers` list.
 *
 * One pass of libyaml events (scan) finds, as byte offsets into the text:
 *
 *     servers:            <- key_off; the value is null, [] or a block list
 *       - name: a         <- item: dash, start (its first key), key column
 *         enabled: false  <- en_key, en_val .. en_val_end
 *         args: [x]       <- end: just past the item's last content
 *       # a comment       (belongs to no item: never touched)
 *       - name: b
 *
 * libyaml's marks count characters, and its index goes wrong on CRLF
 * inside scalars, so offsets come from (line, column) through a table of
 * line starts built with libyaml's own idea of a line break (LF, CRLF,
 * CR, NEL, LS, PS).  Edits delete or insert whole lines, or replace one
 * scalar, so nothing outside them moves.  New lines use the file's line
 * ending (CRLF when the file has one).
 */
#include "cli/config_edit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

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

/* ---- Lines ---- */

struct text {
    const char *p;
    size_t len;
    size_t *starts;   /* byte offset of each line's first byte */
    size_t n;
    const char *nl;   /* "\n", or "\r\n" when the file uses it */
};

/* Length of the line break at P[I], or 0 (libyaml's IS_BREAK). */
static size_t
brk(const char *p, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)p;

    if (u[i] == '\n')
        return 1;
    if (u[i] == '\r')
        return i + 1 < len && u[i + 1] == '\n' ? 2 : 1;
    if (u[i] == 0xC2 && i + 1 < len && u[i + 1] == 0x85)
        return 2;
    if (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
        return 3;
    return 0;
}

static void
text_init(struct text *t, const char *p, size_t len)
{
    size_t cap = 64, i = 0, b;

    memset(t, 0, sizeof(*t));
    t->p = p;
    t->len = len;
    t->nl = "\n";
    t->starts = mg_malloc(cap * sizeof(*t->starts));
    /* libyaml skips a UTF-8 byte order mark without counting it. */
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    t->starts[t->n++] = i;
    while (i < len) {
        if ((b = brk(p, len, i)) == 0) {
            i++;
            continue;
        }
        if (b == 2 && p[i] == '\r')
            t->nl = "\r\n";
        i += b;
        if (t->n == cap)
            t->starts = mg_realloc(t->starts, (cap *= 2) * sizeof(*t->starts));
        t->starts[t->n++] = i;
    }
}

/* The byte offset of MARK. */
static size_t
offset(const struct text *t, yaml_mark_t m)
{
    size_t i;

    if (m.line >= t->n)
        return t->len;
    i = t->starts[m.line];
    for (size_t c = 0; c < m.column && i < t->len; c++) {
        i++;
        while (i < t->len && ((unsigned char)t->p[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* The start of the line holding byte OFF. */
static size_t
line_start(const struct text *t, size_t off)
{
    size_t lo = 0, hi = t->n;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return t->starts[lo];
}

/* The start of the line after the one holding OFF, or the end of the
 * text when that line has no break. */
static size_t
next_line(const struct text *t, size_t off)
{
    size_t b;

    for (size_t i = off; i < t->len; i++)
        if ((b = brk(t->p, t->len, i)) != 0)
            return i + b;
    return t->len;
}

/* The end of the line holding OFF: its line break, or the end. */
static size_t
line_end(const struct text *t, size_t off)
{
    for (size_t i = off; i < t->len; i++)
        if (brk(t->p, t->len, i) != 0)
            return i;
    return t->len;
}

static int
at_line_start(const struct text *t, size_t off)
{
    return line_start(t, off) == off;
}

/* Only spaces and tabs (and a CR) in P[FROM, TO). */
static int
blank(const char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* Where the lines of content ending at END stop: END itself when only
 * indentation precedes it on its line (a block scalar ends there), else
 * the start of the next line. */
static size_t
cut_after(const struct text *t, size_t end)
{
    size_t ls = line_start(t, end);

    return blank(t->p, ls, end) ? ls : next_line(t, end);
}

/* ---- The scan ---- */

struct item {
    size_t start;         /* its node's first byte */
    size_t dash;          /* its "-" */
    size_t end;           /* just past its last content */
    int block_map;        /* a block mapping: keys can be added */
    size_t key_col;       /* block_map: bytes before its keys on their line */
    char *name;           /* its name, or NULL */
    int has_enabled, en_first, en_bad;
    size_t en_key, en_val, en_val_end;
    char *en_value;
};

enum servers_kind { SV_NONE, SV_NULL, SV_EMPTY_FLOW, SV_BLOCK };

struct scan {
    int has_root;         /* the document is a block mapping */
    size_t root_col;
    enum servers_kind kind;
    size_t key_off;       /* the servers key */
    size_t val_start, val_end; /* SV_NULL, SV_EMPTY_FLOW: the value's text */
    size_t seq_end;       /* SV_BLOCK: past the last item's content */
    struct item *items;
    size_t nitems;
};

enum role { R_OTHER, R_ROOT, R_SERVERS, R_ITEM };
enum want { W_NONE, W_SERVERS, W_NAME, W_ENABLED };

struct frame {
    enum role role;
    int flow;
    int in_servers;
    size_t n;             /* children seen */
    enum want want;       /* what the value after the last key is */
};

static void
scan_free(struct scan *sc)
{
    for (size_t i = 0; i < sc->nitems; i++) {
        mg_free(sc->items[i].name);
        mg_free(sc->items[i].en_value);
    }
    mg_free(sc->items);
    memset(sc, 0, sizeof(*sc));
}

static int
unsafe(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
unsafe(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int
is_null_scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;

    return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.tag == NULL &&
           (v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
            strcmp(v, "NULL") == 0);
}

static const char *
anchor_of(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return (const char *)ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return (const char *)ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return (const char *)ev->data.mapping_start.anchor;
    default: return NULL;
    }
}

/* A new entry of the servers list, starting at START; BLOCK_MAP when it
 * is a block mapping. */
static int
new_item(const struct text *t, struct scan *sc, size_t start, int block_map, char *err, size_t errlen)
{
    struct item *it;
    size_t i = start;

    while (i > 0 && (t->p[i - 1] == ' ' || t->p[i - 1] == '\t' || t->p[i - 1] == '\n' || t->p[i - 1] == '\r'))
        i--;
    if (i == 0 || t->p[i - 1] != '-' || !blank(t->p, line_start(t, i - 1), i - 1))
        return unsafe(err, errlen, "servers[%zu] is not written as \"- key: value\" lines", sc->nitems);
    sc->items = mg_realloc(sc->items, (sc->nitems + 1) * sizeof(*sc->items));
    it = &sc->items[sc->nitems++];
    memset(it, 0, sizeof(*it));
    it->start = start;
    it->dash = i - 1;
    it->end = start;
    it->block_map = block_map;
    it->key_col = start - line_start(t, start);
    return 0;
}

/* One node event: where it is decides what it means. */
static int
scan_node(const struct text *t, struct scan *sc, struct frame *st, size_t depth, int in_servers,
          const yaml_event_t *ev, char *err, size_t errlen)
{
    struct frame *parent = depth > 0 ? &st[depth - 1] : NULL;
    size_t idx = parent != NULL ? parent->n++ : 0, start = offset(t, ev->start_mark);
    int scalar = ev->type == YAML_SCALAR_EVENT;
    const char *value = scalar ? (const char *)ev->data.scalar.value : NULL;
    struct item *it = sc->nitems > 0 ? &sc->items[sc->nitems - 1] : NULL;

    if (parent == NULL) {
        if (ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.style != YAML_FLOW_MAPPING_STYLE) {
            sc->has_root = 1;
            sc->root_col = start - line_start(t, start);
            return 0;
        }
        if (scalar && is_null_scalar(ev))
            return 0;
        return unsafe(err, errlen, "the file is not a YAML mapping of keys to values (\"key: value\" lines)");
    }
    if (in_servers && (ev->type == YAML_ALIAS_EVENT || anchor_of(ev) != NULL))
        return unsafe(err, errlen, "the servers list uses YAML anchors or aliases");

    switch (parent->role) {
    case R_ROOT:
        if (idx % 2 == 0) {
            parent->want = scalar && strcmp(value, "servers") == 0 && sc->kind == SV_NONE ? W_SERVERS : W_NONE;
            if (parent->want == W_SERVERS)
                sc->key_off = start;
            return 0;
        }
        if (parent->want != W_SERVERS)
            return 0;
        if (scalar && is_null_scalar(ev)) {
            sc->kind = SV_NULL;
            sc->val_start = start;
            sc->val_end = offset(t, ev->end_mark);
        } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
            sc->kind = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? SV_EMPTY_FLOW : SV_BLOCK;
            sc->val_start = start;
        } else {
            return unsafe(err, errlen, "servers is not a list");
        }
        return 0;
    case R_SERVERS:
        if (parent->flow)
            return unsafe(err, errlen, "servers is written in flow style ([...])");
        return new_item(t, sc, start,
                        ev->type == YAML_MAPPING_START_EVENT &&
                            ev->data.mapping_start.style != YAML_FLOW_MAPPING_STYLE,
                        err, errlen);
    case R_ITEM:
        if (idx % 2 == 0) {
            parent->want = W_NONE;
            if (scalar && strcmp(value, "name") == 0) {
                parent->want = W_NAME;
            } else if (scalar && strcmp(value, "enabled") == 0) {
                parent->want = W_ENABLED;
                it->has_enabled = 1;
                it->en_first = idx == 0;
                it->en_key = start;
            }
            return 0;
        }
        if (parent->want == W_NAME && scalar && it->name == NULL) {
            it->name = mg_strdup(value);
        } else if (parent->want == W_ENABLED) {
            if (!scalar || ev->start_mark.line != ev->end_mark.line) {
                it->en_bad = 1;
            } else {
                mg_free(it->en_value);
                it->en_value = mg_strdup(value);
                it->en_val = start;
                it->en_val_end = offset(t, ev->end_mark);
            }
        }
        return 0;
    default:
        return 0;
    }
}

/* The role of a collection starting under PARENT (NULL: the root). */
static enum role
child_role(const struct frame *parent, const yaml_event_t *ev)
{
    if (parent == NULL)
        return R_ROOT;
    if (parent->role == R_ROOT && parent->want == W_SERVERS && parent->n % 2 == 1)
        return R_SERVERS;
    if (parent->role == R_SERVERS && ev->type == YAML_MAPPING_START_EVENT)
        return R_ITEM;
    return R_OTHER;
}

/* Scan the text.  0, or -1 with ERR set. */
static int
scan(const struct text *t, struct scan *sc, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct frame st[MG_CONFIG_MAX_DEPTH + 2];
    size_t depth = 0, last_end = 0, docs = 0;
    int done = 0, rc = -1;

    memset(sc, 0, sizeof(*sc));
    if (t->len >= 2 && ((unsigned char)t->p[0] == 0xFE || (unsigned char)t->p[0] == 0xFF))
        return unsafe(err, errlen, "the file is not UTF-8");
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)t->p, t->len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            unsafe(err, errlen, "line %zu: %s", parser.problem_mark.line + 1,
                   parser.problem ? parser.problem : "YAML syntax error");
            goto out;
        }
        struct frame *top = depth > 0 ? &st[depth - 1] : NULL;
        int in_servers = top != NULL && (top->in_servers || (top->want == W_SERVERS && top->n % 2 == 1));
        int content_end = 0;

        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                unsafe(err, errlen, "the file holds more than one YAML document");
                goto fail;
            }
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            if (scan_node(t, sc, st, depth, in_servers, &ev, err, errlen) != 0)
                goto fail;
            content_end = 1;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            enum role role = child_role(top, &ev);
            if (depth == sizeof(st) / sizeof(st[0])) {
                unsafe(err, errlen, "the file nests deeper than %d levels", MG_CONFIG_MAX_DEPTH);
                goto fail;
            }
            if (scan_node(t, sc, st, depth, in_servers, &ev, err, errlen) != 0)
                goto fail;
            st[depth].role = role;
            st[depth].flow = ev.type == YAML_SEQUENCE_START_EVENT
                                 ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                                 : ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
            st[depth].in_servers = in_servers || role == R_SERVERS;
            st[depth].n = 0;
            st[depth].want = W_NONE;
            depth++;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            /* Block ends are marked where the next token starts, maybe
             * lines later; a flow end is its bracket. */
            content_end = st[depth].flow;
            in_servers = st[depth].in_servers;
            if (st[depth].role == R_SERVERS && st[depth].flow) {
                if (st[depth].n > 0) {
                    unsafe(err, errlen, "servers is written in flow style ([...])");
                    goto fail;
                }
                sc->val_end = offset(t, ev.end_mark);
            }
            break;
        default:
            break;
        }
        if (content_end && in_servers) {
            last_end = offset(t, ev.end_mark);
            if (sc->nitems > 0)
                sc->items[sc->nitems - 1].end = last_end;
            sc->seq_end = last_end;
        }
        yaml_event_delete(&ev);
        continue;
    fail:
        yaml_event_delete(&ev);
        goto out;
    }
    rc = 0;
out:
    yaml_parser_delete(&parser);
    if (rc != 0)
        scan_free(sc);
    return rc;
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
splice(struct mg_cfgedit_out *out, const struct text *t, size_t from, size_t to, const char *with, size_t len)
{
    struct mg_strbuf b = {0};

    mg_strbuf_add(&b, t->p, from);
    mg_strbuf_add(&b, with, len);
    mg_strbuf_add(&b, t->p + to, t->len - to);
    out->text = b.p;
    out->len = b.len;
}

static struct item *
find(struct scan *sc, const char *name)
{
    for (size_t i = 0; i < sc->nitems; i++)
        if (sc->items[i].name != NULL && strcmp(sc->items[i].name, name) == 0)
            return &sc->items[i];
    return NULL;
}

static void
closest(struct scan *sc, const char *name, struct mg_cfgedit_out *out)
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
same_names(const struct scan *sc, const struct scan *old, const char *skip, const char *added)
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
verify(struct mg_cfgedit_out *out, const struct scan *old, const char *skip, const char *added, const char *name,
       int enabled, char *err, size_t errlen)
{
    struct text t;
    struct scan sc;
    char why[256];
    int ok;

    text_init(&t, out->text, out->len);
    ok = scan(&t, &sc, why, sizeof(why)) == 0;
    if (ok) {
        ok = same_names(&sc, old, skip, added);
        if (ok && enabled >= 0) {
            struct item *it = find(&sc, name);
            ok = it != NULL && (it->has_enabled ? it->en_value != NULL && bool_value(it->en_value) == enabled
                                                : enabled == 1);
        }
        scan_free(&sc);
    }
    mg_free(t.starts);
    if (ok)
        return 0;
    mg_cfgedit_out_free(out);
    return unsafe(err, errlen, "the edited text did not read back as intended");
}

/* Scan TEXT into T and SC; MG_CFGEDIT_OK or MG_CFGEDIT_UNSAFE. */
static enum mg_cfgedit_rc
begin(struct text *t, struct scan *sc, const char *text, size_t len, struct mg_cfgedit_out *out, char *err,
      size_t errlen)
{
    memset(out, 0, sizeof(*out));
    text_init(t, text, len);
    if (scan(t, sc, err, errlen) != 0) {
        mg_free(t->starts);
        return MG_CFGEDIT_UNSAFE;
    }
    return MG_CFGEDIT_OK;
}

static enum mg_cfgedit_rc
finish(struct text *t, struct scan *sc, enum mg_cfgedit_rc rc)
{
    scan_free(sc);
    mg_free(t->starts);
    return rc;
}

/* begin, then find the entry NAME into *IT: MG_CFGEDIT_NOT_FOUND (with
 * out->closest, and everything freed) when there is none. */
static enum mg_cfgedit_rc
begin_named(struct text *t, struct scan *sc, const char *text, size_t len, const char *name, struct item **it,
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
    struct text t;
    struct scan sc;
    struct mg_strbuf b = {0};
    size_t at, dash_col, key_off = 2, from, to;
    enum mg_cfgedit_rc rc;

    if ((rc = begin(&t, &sc, text, len, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    if (find(&sc, s->name) != NULL)
        return finish(&t, &sc, MG_CFGEDIT_DUPLICATE);
    switch (sc.kind) {
    case SV_BLOCK: {
        struct item *first = &sc.items[0];
        size_t ls = line_start(&t, first->dash);
        dash_col = first->dash - ls;
        if (first->block_map && first->start > first->dash && first->key_col > dash_col &&
            line_start(&t, first->start) == ls && blank(t.p, first->dash + 1, first->start))
            key_off = first->key_col - dash_col;
        at = cut_after(&t, sc.seq_end);
        if (!at_line_start(&t, at))
            sb_str(&b, t.nl); /* the last line had no line break */
        from = to = at;
        break;
    }
    case SV_NULL:
    case SV_EMPTY_FLOW: {
        /* "servers: []  # none" -> "servers:  # none", entries below. */
        size_t ls = line_start(&t, sc.key_off);
        from = sc.val_start;
        while (from > ls && (t.p[from - 1] == ' ' || t.p[from - 1] == '\t'))
            from--;
        to = sc.val_end;
        if (sc.kind == SV_NULL && to == from) /* "servers:" alone */
            from = to = sc.val_end;
        at = next_line(&t, to);
        mg_strbuf_add(&b, t.p + to, at - to);
        if (!at_line_start(&t, at))
            sb_str(&b, t.nl);
        dash_col = sc.key_off - ls + 2;
        to = at;
        break;
    }
    case SV_NONE:
    default:
        from = to = t.len;
        if (!at_line_start(&t, t.len))
            sb_str(&b, t.nl);
        /* A blank line between what was there and the new key. */
        if (t.len > 0 && !blank(t.p, line_start(&t, t.len - 1), t.len))
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
        unsafe(err, errlen, "a value is not valid UTF-8");
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
    struct text t;
    struct scan sc;
    struct item *it;
    enum mg_cfgedit_rc rc;

    if ((rc = begin_named(&t, &sc, text, len, name, &it, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    splice(out, &t, line_start(&t, it->dash), cut_after(&t, it->end), "", 0);
    if (verify(out, &sc, name, NULL, NULL, -1, err, errlen) != 0)
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    return finish(&t, &sc, MG_CFGEDIT_OK);
}

enum mg_cfgedit_rc
mg_cfgedit_set_enabled(const char *text, size_t len, const char *name, int enabled, struct mg_cfgedit_out *out,
                       char *err, size_t errlen)
{
    struct text t;
    struct scan sc;
    struct item *it;
    enum mg_cfgedit_rc rc;

    if ((rc = begin_named(&t, &sc, text, len, name, &it, out, err, errlen)) != MG_CFGEDIT_OK)
        return rc;
    if (!it->block_map) {
        unsafe(err, errlen, "server \"%s\" is written in flow style ({...})", name);
        return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
    }
    if (it->has_enabled) {
        size_t ls = line_start(&t, it->en_key);
        if (it->en_bad || it->en_value == NULL) {
            unsafe(err, errlen, "server \"%s\" has an enabled: value that is not one word", name);
            return finish(&t, &sc, MG_CFGEDIT_UNSAFE);
        }
        if (bool_value(it->en_value) == enabled)
            return finish(&t, &sc, MG_CFGEDIT_UNCHANGED);
        /* A line of its own goes (enabled is the default); anything
         * sharing the line (the dash, a comment) keeps it, set true. */
        if (enabled && !it->en_first && blank(t.p, ls, it->en_key) &&
            blank(t.p, it->en_val_end, line_end(&t, it->en_val_end)))
            splice(out, &t, ls, next_line(&t, it->en_val_end), "", 0);
        else
            splice(out, &t, it->en_val, it->en_val_end, enabled ? "true" : "false", enabled ? 4 : 5);
    } else {
        struct mg_strbuf b = {0};
        size_t at = cut_after(&t, it->end);
        if (enabled)
            return finish(&t, &sc, MG_CFGEDIT_UNCHANGED);
        if (!at_line_start(&t, at))
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
