/*
 * config_edit.h - editing the text of a config file's `servers` list
 * (`mcpgate add`, `remove`, `enable`, `disable`, `connect`).
 *
 * The file is edited as text, not re-emitted from a parsed document, so
 * that every comment, blank line and formatting choice outside the edited
 * entry stays byte for byte.  libyaml's events locate the pieces (the
 * top-level `servers` key, each entry, its `name` and `enabled`); the edit
 * replaces whole lines.  What cannot be edited that way for sure (servers
 * written in flow style with entries, anchors or aliases in the list, a
 * file that is not one YAML mapping) is refused with MG_CFGEDIT_UNSAFE,
 * and the caller asks the user to edit the file by hand.  After each edit
 * the new text is scanned again and must show exactly the change wanted.
 *
 * The functions here only transform text; config_write.c checks the
 * result with the config loader and writes the file.
 */
#ifndef MG_CLI_CONFIG_EDIT_H
#define MG_CLI_CONFIG_EDIT_H

#include <stddef.h>

#include "config/config.h"

/* A server entry to append.  Every pointer is borrowed; NULL or a count
 * of 0 leaves the key out.  Values are written literally: "${VAR}" stays
 * a reference for the loader to expand. */
struct mg_cfgedit_server {
    const char *name;
    const char *description;
    const char *url;
    const char *transport;            /* "auto", "streamable-http", "sse", or NULL */
    const struct mg_config_kv *headers;
    size_t nheaders;
    const char *command;
    const char *const *args;
    size_t nargs;
    const struct mg_config_kv *env;
    size_t nenv;
    const char *cwd;
    const char *const *include_tools;
    size_t ninclude_tools;
    const char *const *exclude_tools;
    size_t nexclude_tools;
    const char *timeout;              /* seconds as typed; the loader checks it */
    int disabled;                     /* write enabled: false */
};

enum mg_cfgedit_rc {
    MG_CFGEDIT_OK = 0,
    MG_CFGEDIT_NOT_FOUND,             /* no server of that name */
    MG_CFGEDIT_DUPLICATE,             /* add: a server has that name already */
    MG_CFGEDIT_UNCHANGED,             /* enable/disable: it already is */
    MG_CFGEDIT_UNSAFE,                /* not edited safely; the reason in err */
};

/* An edit's result: NEW text (NUL terminated, LEN bytes before the NUL)
 * and, for MG_CFGEDIT_NOT_FOUND, the closest server name or NULL. */
struct mg_cfgedit_out {
    char *text;
    size_t len;
    char *closest;
    int created_servers;              /* add: the servers key was written */
};

/*
 * Append S to the servers list of the LEN bytes at TEXT: after the last
 * entry, indented like the entries before it; under a `servers:` that has
 * no entries (null or `[]`, replaced); or, with no servers key, at the end
 * of the file.  Returns MG_CFGEDIT_OK with OUT filled, or another code
 * with nothing allocated (ERR says why for MG_CFGEDIT_UNSAFE).
 */
enum mg_cfgedit_rc mg_cfgedit_add(const char *text, size_t len, const struct mg_cfgedit_server *s,
                                  struct mg_cfgedit_out *out, char *err, size_t errlen);

/* Delete the lines of the entry called NAME.  Returns as mg_cfgedit_add;
 * MG_CFGEDIT_NOT_FOUND sets out->closest. */
enum mg_cfgedit_rc mg_cfgedit_remove(const char *text, size_t len, const char *name, struct mg_cfgedit_out *out,
                                     char *err, size_t errlen);

/*
 * Disable (ENABLED 0) or enable (1) the entry called NAME: an existing
 * `enabled:` value is replaced, or a line `enabled: false` added; enabling
 * deletes a line that holds nothing but `enabled: ...`, so that disable
 * then enable gives the file back as it was.  Returns as
 * mg_cfgedit_remove, and MG_CFGEDIT_UNCHANGED (nothing allocated) when
 * the entry already is so.
 */
enum mg_cfgedit_rc mg_cfgedit_set_enabled(const char *text, size_t len, const char *name, int enabled,
                                          struct mg_cfgedit_out *out, char *err, size_t errlen);

/* Free what an edit allocated in OUT. */
void mg_cfgedit_out_free(struct mg_cfgedit_out *out);

/* S as a YAML scalar that reads back as S: plain when that is certain to
 * be safe (letters, digits, "_./+-@", not a YAML keyword), else double
 * quoted with escapes.  New string; NULL when S is not valid UTF-8. */
char *mg_cfgedit_scalar(const char *s);

#endif
