/*
 * config_load.c - reading the config file: size and structure checks,
 * the top-level keys, and the list of errors handed back.
 *
 * libyaml reads the text twice.  The first pass, over events, refuses
 * what the document API would hide or build at great cost: aliases (a
 * few "*a" can stand for an exponential number of nodes, and "<<" merges
 * are better written out), a second document, and nesting deeper than
 * MG_CONFIG_MAX_DEPTH.  The second pass builds the node graph that the
 * rest of the loader walks, with a line for every node.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_impl.h"
#include "util/alloc.h"

enum {
    K_LISTEN,
    K_ALLOW_ORIGINS,
    K_SESSION_IDLE_TIMEOUT,
    K_MAX_MESSAGE,
    K_LOG_LEVEL,
    K_DEMO,
    K_CONFORMANCE,
    K_SSE_POLL_INTERVAL,
    K_STATE_DIR,
    K_AUTH,
    K_CONNECTION_TIMEOUT,
    K_DISCOVERY_TIMEOUT,
    K_LIVENESS_PROBE_INTERVAL,
    K_TOOL_NAME_FORMAT,
    K_TOOL_NAME_MAX,
    K_LIST_PAGE_SIZE,
    K_TEAM,
    K_WRITE_TOOLS_FOR_READ_KEYS,
    K_CALL_RECORD,
    K_SERVERS,
    K_PROJECTS,
    K_COUNT,
};

static const char *const top_keys[K_COUNT] = {
    "listen",
    "allow_origins",
    "session_idle_timeout",
    "max_message",
    "log_level",
    "demo",
    "conformance",
    "sse_poll_interval",
    "state_dir",
    "auth",
    "connection_timeout",
    "discovery_timeout",
    "liveness_probe_interval",
    "tool_name_format",
    "tool_name_max",
    "list_page_size",
    "team",
    "write_tools_for_read_keys",
    "call_record",
    "servers",
    "projects",
};

/* In enum mg_config_auth order. */
static const char *const auth_modes[] = {"auto", "required", NULL};

/* In enum mg_config_write_tools order. */
static const char *const write_tools_modes[] = {"mark", "hide", NULL};

/* In enum mg_log_level order. */
static const char *const log_levels[] = {"debug", "info", "warn", "error", "none", NULL};

/* Did-you-mean work allowed per file (edit-distance table cells). */
#define SUGGEST_BUDGET 4000000ul

void
mg_config__error(struct mg_cfg_parser *p, unsigned line, const char *path, const char *fmt, ...)
{
    char msg[512], text[MG_CONFIG_PATH_MAX + sizeof(msg) + 2];
    size_t pos;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (path != NULL && path[0] != '\0')
        snprintf(text, sizeof(text), "%s: %s", path, msg);
    else
        snprintf(text, sizeof(text), "%s", msg);

    /* Keep the earliest errors by line, in the order found within a line:
     * cross-reference errors are found after the lines that follow them. */
    if (p->nerrors == MG_CONFIG_MAX_ERRORS) {
        p->dropped++;
        if (line >= p->errors[p->nerrors - 1].line)
            return;
        mg_free(p->errors[--p->nerrors].text);
    }
    for (pos = p->nerrors; pos > 0 && p->errors[pos - 1].line > line; pos--)
        p->errors[pos] = p->errors[pos - 1];
    p->errors[pos].line = line;
    p->errors[pos].text = mg_strdup(text);
    p->nerrors++;
}

static void
syntax_error(struct mg_cfg_parser *p, const yaml_parser_t *parser, const char *text, size_t len)
{
    const char *problem = parser->problem != NULL ? parser->problem : "cannot be parsed";
    unsigned line = (unsigned)parser->problem_mark.line + 1;

    if (parser->error == YAML_READER_ERROR) {
        /* The reader (encoding, control characters) has only an offset. */
        size_t end = parser->problem_offset < len ? parser->problem_offset : len;
        line = 1;
        for (size_t i = 0; i < end; i++)
            line += text[i] == '\n';
    }
    if (parser->context != NULL)
        mg_config__error(p, line, NULL, "YAML syntax error: %s (%s at line %u)", problem, parser->context,
                         (unsigned)parser->context_mark.line + 1);
    else
        mg_config__error(p, line, NULL, "YAML syntax error: %s", problem);
}

static void
parser_init(yaml_parser_t *parser, const char *text, size_t len)
{
    /* libyaml fails here only when malloc does: out of memory. */
    if (!yaml_parser_initialize(parser))
        abort();
    yaml_parser_set_input_string(parser, (const unsigned char *)text, len);
}

/* The first pass.  Returns 0, or -1 after recording the problems. */
static int
prescan(struct mg_cfg_parser *p, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = 0, done = 0;
    char q[96];

    parser_init(&parser, text, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(p, &parser, text, len);
            rc = -1;
            break;
        }
        unsigned line = (unsigned)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                mg_config__error(p, line, NULL, "a second YAML document starts here; the file must hold one");
                rc = -1;
                done = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            mg_config__quote(q, sizeof(q), (const char *)ev.data.alias.anchor);
            mg_config__error(p, line, NULL, "YAML aliases are not supported (alias %s); write the value out", q);
            rc = -1;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > MG_CONFIG_MAX_DEPTH) {
                mg_config__error(p, line, NULL, "nested deeper than %d levels", MG_CONFIG_MAX_DEPTH);
                rc = -1;
                done = 1;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

static void
top_level(struct mg_cfg_parser *p, yaml_node_t *root)
{
    struct mg_config *cfg = p->cfg;
    yaml_node_t *v[K_COUNT];
    int level, mode;

    if (mg_config__fields(p, root, "", top_keys, K_COUNT, v) != 0)
        return;
    mg_config__listen(p, v[K_LISTEN], top_keys[K_LISTEN], cfg);
    mg_config__origins(p, v[K_ALLOW_ORIGINS], top_keys[K_ALLOW_ORIGINS], cfg);
    mg_config__seconds(p, v[K_SESSION_IDLE_TIMEOUT], top_keys[K_SESSION_IDLE_TIMEOUT], 0,
                       &cfg->session_idle_timeout_ms);
    mg_config__size(p, v[K_MAX_MESSAGE], top_keys[K_MAX_MESSAGE], &cfg->max_message);
    if (mg_config__enum(p, v[K_LOG_LEVEL], top_keys[K_LOG_LEVEL], log_levels, &level) == 0 && v[K_LOG_LEVEL])
        cfg->log_level = (enum mg_log_level)level;
    mg_config__bool(p, v[K_DEMO], top_keys[K_DEMO], &cfg->demo);
    mg_config__bool(p, v[K_CONFORMANCE], top_keys[K_CONFORMANCE], &cfg->conformance);
    mg_config__seconds(p, v[K_SSE_POLL_INTERVAL], top_keys[K_SSE_POLL_INTERVAL], 1, &cfg->sse_poll_interval_ms);
    mg_config__string(p, v[K_STATE_DIR], top_keys[K_STATE_DIR], &cfg->state_dir);
    if (mg_config__enum(p, v[K_AUTH], top_keys[K_AUTH], auth_modes, &mode) == 0 && v[K_AUTH])
        cfg->auth = (enum mg_config_auth)mode;
    mg_config__seconds(p, v[K_CONNECTION_TIMEOUT], top_keys[K_CONNECTION_TIMEOUT], 0,
                       &cfg->connection_timeout_ms);
    mg_config__seconds(p, v[K_DISCOVERY_TIMEOUT], top_keys[K_DISCOVERY_TIMEOUT], 0, &cfg->discovery_timeout_ms);
    mg_config__seconds(p, v[K_LIVENESS_PROBE_INTERVAL], top_keys[K_LIVENESS_PROBE_INTERVAL], 1,
                       &cfg->liveness_probe_interval_ms);
    mg_config__tool_name_format(p, v[K_TOOL_NAME_FORMAT], top_keys[K_TOOL_NAME_FORMAT], &cfg->tool_name_format);
    mg_config__uint(p, v[K_TOOL_NAME_MAX], top_keys[K_TOOL_NAME_MAX], 32, 128, &cfg->tool_name_max);
    mg_config__uint(p, v[K_LIST_PAGE_SIZE], top_keys[K_LIST_PAGE_SIZE], 1, MG_CONFIG_MAX_PAGE_SIZE,
                    &cfg->list_page_size);
    mg_config__string(p, v[K_TEAM], top_keys[K_TEAM], &cfg->team);
    if (mg_config__enum(p, v[K_WRITE_TOOLS_FOR_READ_KEYS], top_keys[K_WRITE_TOOLS_FOR_READ_KEYS], write_tools_modes,
                        &mode) == 0 && v[K_WRITE_TOOLS_FOR_READ_KEYS])
        cfg->write_tools_for_read_keys = (enum mg_config_write_tools)mode;
    mg_config__call_record(p, v[K_CALL_RECORD], top_keys[K_CALL_RECORD]);
    mg_config__servers(p, v[K_SERVERS], top_keys[K_SERVERS]);
    /* Projects name servers, so they come after all of them wherever
     * they are in the file. */
    mg_config__projects(p, v[K_PROJECTS], top_keys[K_PROJECTS]);
}

/* The errors, one per line, into ERR. */
static void
report(const struct mg_cfg_parser *p, char *err, size_t errlen)
{
    size_t o = 0;
    int n;

    if (err == NULL || errlen == 0)
        return;
    err[0] = '\0';
    for (size_t i = 0; i < p->nerrors && o < errlen; i++) {
        const char *sep = i > 0 ? "\n" : "";
        if (p->errors[i].line > 0)
            n = snprintf(err + o, errlen - o, "%s%s:%u: %s", sep, p->filename, p->errors[i].line,
                         p->errors[i].text);
        else
            n = snprintf(err + o, errlen - o, "%s%s: %s", sep, p->filename, p->errors[i].text);
        if (n < 0)
            return;
        o += (size_t)n;
    }
    if (p->dropped > 0 && o < errlen)
        snprintf(err + o, errlen - o, "\n\xe2\x80\xa6 and %zu more", p->dropped);
}

struct mg_config *
mg_config_parse(const char *text, size_t len, const char *filename, char *err, size_t errlen)
{
    struct mg_cfg_parser p;
    struct mg_config *cfg;
    yaml_parser_t parser;

    memset(&p, 0, sizeof(p));
    p.filename = filename != NULL ? filename : "config";
    p.cfg = mg_config__defaults();
    p.suggest_budget = SUGGEST_BUDGET;
    if (len > MG_CONFIG_MAX_SIZE) {
        mg_config__error(&p, 0, NULL, "larger than %u bytes; a config file is at most 1 MiB", MG_CONFIG_MAX_SIZE);
    } else if (prescan(&p, text, len) == 0) {
        parser_init(&parser, text, len);
        if (!yaml_parser_load(&parser, &p.doc)) {
            /* The first pass read the same text: only a composer error
             * that it cannot see is left.  libyaml freed the document. */
            syntax_error(&p, &parser, text, len);
        } else {
            yaml_node_t *root = yaml_document_get_root_node(&p.doc);
            if (root != NULL)
                top_level(&p, root);
            yaml_document_delete(&p.doc);
        }
        yaml_parser_delete(&parser);
    }

    cfg = p.cfg;
    if (p.nerrors > 0) {
        report(&p, err, errlen);
        mg_config_free(cfg);
        cfg = NULL;
    }
    for (size_t i = 0; i < p.nerrors; i++)
        mg_free(p.errors[i].text);
    return cfg;
}

struct mg_config *
mg_config_load(const char *path, char *err, size_t errlen)
{
    struct mg_config *cfg;
    size_t len = 0, cap = 4096;
    char *buf;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        goto fail;
    buf = mg_malloc(cap);
    /* Read one byte past the limit, so that parse can refuse a larger
     * file without reading all of it. */
    while (len <= MG_CONFIG_MAX_SIZE) {
        ssize_t n;

        if (len == cap) {
            cap *= 2;
            buf = mg_realloc(buf, cap);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            mg_free(buf);
            close(fd);
            errno = e;
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    cfg = mg_config_parse(buf, len, path, err, errlen);
    mg_free(buf);
    return cfg;

fail:
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return NULL;
}
