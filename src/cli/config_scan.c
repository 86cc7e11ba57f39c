/*
 * config_scan.c - the lines of a config file and where its servers list
 * and their entries are (config_scan.h).
 */
#include "cli/config_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "config/config.h"
#include "util/alloc.h"

/* ---- Lines ---- */

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

void
mg_cfgscan_text_init(struct mg_cfgscan_text *t, const char *p, size_t len)
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
offset(const struct mg_cfgscan_text *t, yaml_mark_t m)
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
size_t
mg_cfgscan_line_start(const struct mg_cfgscan_text *t, size_t off)
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
size_t
mg_cfgscan_next_line(const struct mg_cfgscan_text *t, size_t off)
{
    size_t b;

    for (size_t i = off; i < t->len; i++)
        if ((b = brk(t->p, t->len, i)) != 0)
            return i + b;
    return t->len;
}

/* The end of the line holding OFF: its line break, or the end. */
size_t
mg_cfgscan_line_end(const struct mg_cfgscan_text *t, size_t off)
{
    for (size_t i = off; i < t->len; i++)
        if (brk(t->p, t->len, i) != 0)
            return i;
    return t->len;
}

int
mg_cfgscan_at_line_start(const struct mg_cfgscan_text *t, size_t off)
{
    return mg_cfgscan_line_start(t, off) == off;
}

/* Only spaces and tabs (and a CR) in P[FROM, TO). */
int
mg_cfgscan_blank(const char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* Where the lines of content ending at END stop: END itself when only
 * indentation precedes it on its line (a block scalar ends there), else
 * the start of the next line. */
size_t
mg_cfgscan_cut_after(const struct mg_cfgscan_text *t, size_t end)
{
    size_t ls = mg_cfgscan_line_start(t, end);

    return mg_cfgscan_blank(t->p, ls, end) ? ls : mg_cfgscan_next_line(t, end);
}

/* ---- The scan ---- */


enum role { R_OTHER, R_ROOT, R_SERVERS, R_ITEM };
enum want { W_NONE, W_SERVERS, W_NAME, W_ENABLED };

struct frame {
    enum role role;
    int flow;
    int in_servers;
    size_t n;             /* children seen */
    enum want want;       /* what the value after the last key is */
};

void
mg_cfgscan_free(struct mg_cfgscan *sc)
{
    for (size_t i = 0; i < sc->nitems; i++) {
        mg_free(sc->items[i].name);
        mg_free(sc->items[i].en_value);
    }
    mg_free(sc->items);
    memset(sc, 0, sizeof(*sc));
}

int
mg_cfgscan_unsafe(char *err, size_t errlen, const char *fmt, ...)
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
new_item(const struct mg_cfgscan_text *t, struct mg_cfgscan *sc, size_t start, int block_map, char *err, size_t errlen)
{
    struct mg_cfgscan_item *it;
    size_t i = start;

    while (i > 0 && (t->p[i - 1] == ' ' || t->p[i - 1] == '\t' || t->p[i - 1] == '\n' || t->p[i - 1] == '\r'))
        i--;
    if (i == 0 || t->p[i - 1] != '-' || !mg_cfgscan_blank(t->p, mg_cfgscan_line_start(t, i - 1), i - 1))
        return mg_cfgscan_unsafe(err, errlen, "servers[%zu] is not written as \"- key: value\" lines", sc->nitems);
    sc->items = mg_realloc(sc->items, (sc->nitems + 1) * sizeof(*sc->items));
    it = &sc->items[sc->nitems++];
    memset(it, 0, sizeof(*it));
    it->start = start;
    it->dash = i - 1;
    it->end = start;
    it->block_map = block_map;
    it->key_col = start - mg_cfgscan_line_start(t, start);
    return 0;
}

/* One node event: where it is decides what it means. */
static int
scan_node(const struct mg_cfgscan_text *t, struct mg_cfgscan *sc, struct frame *st, size_t depth, int in_servers,
          const yaml_event_t *ev, char *err, size_t errlen)
{
    struct frame *parent = depth > 0 ? &st[depth - 1] : NULL;
    size_t idx = parent != NULL ? parent->n++ : 0, start = offset(t, ev->start_mark);
    int scalar = ev->type == YAML_SCALAR_EVENT;
    const char *value = scalar ? (const char *)ev->data.scalar.value : NULL;
    struct mg_cfgscan_item *it = sc->nitems > 0 ? &sc->items[sc->nitems - 1] : NULL;

    if (parent == NULL) {
        if (ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.style != YAML_FLOW_MAPPING_STYLE) {
            sc->has_root = 1;
            sc->root_col = start - mg_cfgscan_line_start(t, start);
            return 0;
        }
        if (scalar && is_null_scalar(ev))
            return 0;
        return mg_cfgscan_unsafe(err, errlen, "the file is not a YAML mapping of keys to values (\"key: value\" lines)");
    }
    if (in_servers && (ev->type == YAML_ALIAS_EVENT || anchor_of(ev) != NULL))
        return mg_cfgscan_unsafe(err, errlen, "the servers list uses YAML anchors or aliases");

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
            return mg_cfgscan_unsafe(err, errlen, "servers is not a list");
        }
        return 0;
    case R_SERVERS:
        if (parent->flow)
            return mg_cfgscan_unsafe(err, errlen, "servers is written in flow style ([...])");
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
int
mg_cfgscan_servers(const struct mg_cfgscan_text *t, struct mg_cfgscan *sc, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct frame st[MG_CONFIG_MAX_DEPTH + 2];
    size_t depth = 0, last_end = 0, docs = 0;
    int done = 0, rc = -1;

    memset(sc, 0, sizeof(*sc));
    if (t->len >= 2 && ((unsigned char)t->p[0] == 0xFE || (unsigned char)t->p[0] == 0xFF))
        return mg_cfgscan_unsafe(err, errlen, "the file is not UTF-8");
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)t->p, t->len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            mg_cfgscan_unsafe(err, errlen, "line %zu: %s", parser.problem_mark.line + 1,
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
                mg_cfgscan_unsafe(err, errlen, "the file holds more than one YAML document");
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
                mg_cfgscan_unsafe(err, errlen, "the file nests deeper than %d levels", MG_CONFIG_MAX_DEPTH);
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
                    mg_cfgscan_unsafe(err, errlen, "servers is written in flow style ([...])");
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
        mg_cfgscan_free(sc);
    return rc;
}
