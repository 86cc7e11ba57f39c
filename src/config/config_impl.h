/*
 * config_impl.h - what the files of the config loader share.
 *
 * The loader works on a libyaml document (node graph with line marks).
 * Each value is checked where it is read, and every problem is recorded
 * with its line and key path instead of stopping at the first, so one run
 * shows the user all of them.  Only the MG_CONFIG_MAX_ERRORS earliest (by
 * line) are kept; the rest are counted.
 */
#ifndef MG_CONFIG_CONFIG_IMPL_H
#define MG_CONFIG_CONFIG_IMPL_H

#include <stddef.h>
#include <yaml.h>

#include "config/config.h"

/* Room for a key path such as "servers[12].overrides.search.name". */
#define MG_CONFIG_PATH_MAX 256

struct mg_cfg_error {
    unsigned line;          /* 1-based; 0: the file as a whole */
    char *text;             /* "KEYPATH: message", or "message" */
};

struct mg_cfg_parser {
    const char *filename;
    yaml_document_t doc;
    struct mg_config *cfg;
    struct mg_cfg_error errors[MG_CONFIG_MAX_ERRORS]; /* sorted by line */
    size_t nerrors;
    size_t dropped;         /* errors not kept */
    /* Edit-distance work left for did-you-mean hints, so that a huge file
     * full of misspellings cannot make loading quadratic. */
    unsigned long suggest_budget;
};

/* Closest-spelling search: feed candidates, then read `best`. */
struct mg_cfg_suggest {
    const char *word;
    const char *best;       /* NULL when nothing is close */
    unsigned best_d;
};

/* config.c */
struct mg_config *mg_config__defaults(void);
void mg_config__free_list(char **v, size_t n);
void mg_config__free_kv(struct mg_config_kv *v, size_t n);
void mg_config__suggest_init(struct mg_cfg_suggest *s, const char *word);
void mg_config__suggest_try(struct mg_cfg_parser *p, struct mg_cfg_suggest *s, const char *candidate);
/* " (did you mean \"X\"?)" into BUF for the best candidate, or "". */
void mg_config__suggest_hint(const struct mg_cfg_suggest *s, char *buf, size_t len);
/* S as a double-quoted, escaped, shortened string for messages. */
void mg_config__quote(char *buf, size_t len, const char *s);

/* config_env.c: expand ${VAR}, ${VAR:-default} and $$ in LEN bytes of S.
 * Returns a new string, or NULL with the reason in WHY. */
char *mg_config__expand(const char *s, size_t len, char *why, size_t whylen);

/* config_load.c */
void mg_config__error(struct mg_cfg_parser *p, unsigned line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* config_walk.c: reading nodes.  Each getter records its own errors and
 * returns 0, or -1 after an error (leaving *out as it was).  A NULL node
 * means the key is absent: nothing is read and 0 is returned. */
yaml_node_t *mg_config__node(struct mg_cfg_parser *p, int id);
unsigned mg_config__line(const yaml_node_t *n);
int mg_config__is_null(const yaml_node_t *n);
/* What N is, for "got ...": "a mapping", "a list", "null" or its quoted text. */
void mg_config__found(const yaml_node_t *n, char *buf, size_t len);
void mg_config__path_key(char *buf, size_t len, const char *parent, const char *key);
void mg_config__path_index(char *buf, size_t len, const char *parent, size_t i);
/* Sort MAP's values into VALUES[] by their key's index in NAMES (NULL if
 * absent), refusing unknown, duplicate and non-string keys.  A null node
 * reads as an empty mapping.  -1 if MAP is not a mapping. */
int mg_config__fields(struct mg_cfg_parser *p, yaml_node_t *map, const char *path, const char *const *names,
                      size_t nnames, yaml_node_t **values);
/* The scalar's text after ${VAR} expansion (new), or NULL after an error
 * that says EXPECTED (e.g. "a string") was wanted. */
char *mg_config__scalar(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, const char *expected);
int mg_config__string(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out);
/* A list of strings; empty strings only with ALLOW_EMPTY.  A null node
 * reads as an empty list. */
int mg_config__string_list(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int allow_empty,
                           char ***out, size_t *count);
/* A mapping of strings to strings; HEADERS: keys are HTTP field names
 * (tokens, compared without case) and values must be header-safe. */
int mg_config__string_map(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int headers,
                          struct mg_config_kv **out, size_t *count);

/* Names to check for repeats: NAME in the file's INDEX-th place. */
struct mg_cfg_name {
    const char *name;
    size_t index;
    unsigned line;
};
/* Sort V (by name, then index) and call DUP for every entry whose name an
 * earlier one already has, with that first one.  Returns how many. */
size_t mg_config__find_dups(struct mg_cfg_parser *p, struct mg_cfg_name *v, size_t n, int nocase,
                            void (*dup)(struct mg_cfg_parser *p, const struct mg_cfg_name *later,
                                        const struct mg_cfg_name *first, void *ctx),
                            void *ctx);
/* The find_dups callback for mapping keys; CTX is the mapping's path. */
void mg_config__dup_key(struct mg_cfg_parser *p, const struct mg_cfg_name *later, const struct mg_cfg_name *first,
                        void *ctx);

/* config_value.c: scalars converted and range-checked. */
int mg_config__bool(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int *out);
/* Seconds (integer or decimal) as milliseconds, in (0, 86400] or, with
 * ALLOW_ZERO, [0, 86400]. */
int mg_config__seconds(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int allow_zero,
                       unsigned *out_ms);
int mg_config__uint(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, unsigned min, unsigned max,
                    unsigned *out);
/* Bytes, or a count with a k or m suffix, from 64 to 1G. */
int mg_config__size(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, size_t *out);
/* One of the NULL-terminated NAMES; *out is its index. */
int mg_config__enum(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, const char *const *names,
                    int *out);
/* A server or project name: [A-Za-z0-9_-]{1,64}. */
int mg_config__name(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out);
/* An exposed tool name: [A-Za-z0-9_.-]{1,128}. */
int mg_config__tool_name(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out);
int mg_config__listen(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_config *cfg);
int mg_config__origins(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_config *cfg);
int mg_config__url(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out);
int mg_config__tool_name_format(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out);

/* config_call_record.c: the call_record section. */
void mg_config__call_record(struct mg_cfg_parser *p, yaml_node_t *n, const char *path);

/* config_servers.c */
void mg_config__servers(struct mg_cfg_parser *p, yaml_node_t *n, const char *path);
/* After the servers, since projects refer to them. */
void mg_config__projects(struct mg_cfg_parser *p, yaml_node_t *n, const char *path);

#endif
