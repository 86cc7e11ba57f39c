/*
 * config_scan.h - where things are in a config file's text, for the
 * config editor (config_edit.c): its lines, and one pass of libyaml
 * events that finds, as byte offsets into the text:
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
 * CR, NEL, LS, PS).
 */
#ifndef MG_CLI_CONFIG_SCAN_H
#define MG_CLI_CONFIG_SCAN_H

#include <stddef.h>

/* The text and where its lines start. */
struct mg_cfgscan_text {
    const char *p;
    size_t len;
    size_t *starts;   /* byte offset of each line's first byte */
    size_t n;
    const char *nl;   /* "\n", or "\r\n" when the file uses it */
};

/* P (LEN bytes, borrowed) with its table of line starts; free t->starts
 * with mg_free. */
void mg_cfgscan_text_init(struct mg_cfgscan_text *t, const char *p, size_t len);
/* The start of the line holding byte OFF. */
size_t mg_cfgscan_line_start(const struct mg_cfgscan_text *t, size_t off);
/* The start of the line after the one holding OFF, or the end of the
 * text when that line has no break. */
size_t mg_cfgscan_next_line(const struct mg_cfgscan_text *t, size_t off);
/* The end of the line holding OFF: its line break, or the end. */
size_t mg_cfgscan_line_end(const struct mg_cfgscan_text *t, size_t off);
/* 1 when OFF is the first byte of its line. */
int mg_cfgscan_at_line_start(const struct mg_cfgscan_text *t, size_t off);
/* 1 when P[FROM, TO) holds only spaces and tabs (and a CR). */
int mg_cfgscan_blank(const char *p, size_t from, size_t to);
/* Where the lines of content ending at END stop: END itself when only
 * indentation precedes it on its line (a block scalar ends there), else
 * the start of the next line. */
size_t mg_cfgscan_cut_after(const struct mg_cfgscan_text *t, size_t end);

/* One entry of the servers list. */
struct mg_cfgscan_item {
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

/* What the servers key holds: absent, null, [], or a block list. */
enum mg_cfgscan_kind { SV_NONE, SV_NULL, SV_EMPTY_FLOW, SV_BLOCK };

struct mg_cfgscan {
    int has_root;         /* the document is a block mapping */
    size_t root_col;
    enum mg_cfgscan_kind kind;
    size_t key_off;       /* the servers key */
    size_t val_start, val_end; /* SV_NULL, SV_EMPTY_FLOW: the value's text */
    size_t seq_end;       /* SV_BLOCK: past the last item's content */
    struct mg_cfgscan_item *items;
    size_t nitems;
};

/* Scan T's servers list into SC.  0, or -1 with why the file cannot be
 * edited safely in ERR (mg_cfgscan_free either way). */
int mg_cfgscan_servers(const struct mg_cfgscan_text *t, struct mg_cfgscan *sc, char *err, size_t errlen);
void mg_cfgscan_free(struct mg_cfgscan *sc);

/* Format ERR; returns -1, for `return mg_cfgscan_unsafe(...)`. */
int mg_cfgscan_unsafe(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
