/*
 * config.c - the config's defaults, lookups and freeing, and the small
 * message helpers the loader shares (did-you-mean, quoting).
 */
#include "config/config.h"

#include <stdio.h>
#include <string.h>

#include "config/config_impl.h"
#include "store/store_calls.h"
#include "util/alloc.h"
#include "util/limits.h"

struct mg_config *
mg_config__defaults(void)
{
    struct mg_config *cfg = mg_calloc(1, sizeof(*cfg));

    cfg->listen = mg_strdup("127.0.0.1:8808");
    cfg->listen_host = mg_strdup("127.0.0.1");
    cfg->listen_port = 8808;
    cfg->session_idle_timeout_ms = 1800 * 1000;
    cfg->max_message = MG_MAX_MESSAGE_DEFAULT;
    cfg->log_level = MG_LOG_INFO;
    cfg->state_dir = mg_strdup("");
    cfg->connection_timeout_ms = 30 * 1000;
    cfg->discovery_timeout_ms = 30 * 1000;
    cfg->liveness_probe_interval_ms = 10 * 1000;
    cfg->tool_name_format = mg_strdup("{server}__{tool}");
    cfg->tool_name_max = MG_MAX_TOOL_NAME;
    cfg->list_page_size = MG_LIST_PAGE_SIZE_DEFAULT;
    cfg->call_record.enabled = 1;
    cfg->call_record.max_age_s = MG_CALLS_MAX_AGE_DEFAULT_S;
    cfg->call_record.max_rows = MG_CALLS_MAX_ROWS_DEFAULT;
    return cfg;
}

void
mg_config__free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mg_free(v[i]);
    mg_free(v);
}

void
mg_config__free_kv(struct mg_config_kv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mg_free(v[i].key);
        mg_free(v[i].value);
    }
    mg_free(v);
}

static void
free_server(struct mg_server_config *s)
{
    mg_free(s->name);
    mg_free(s->description);
    mg_free(s->url);
    mg_free(s->command);
    mg_config__free_list(s->args, s->nargs);
    mg_config__free_kv(s->env, s->nenv);
    mg_free(s->cwd);
    mg_config__free_kv(s->headers, s->nheaders);
    mg_config__free_list(s->include_tools, s->ninclude_tools);
    mg_config__free_list(s->exclude_tools, s->nexclude_tools);
    for (size_t i = 0; i < s->noverrides; i++) {
        mg_free(s->overrides[i].tool);
        mg_free(s->overrides[i].name);
        mg_free(s->overrides[i].description);
    }
    mg_free(s->overrides);
}

void
mg_config_free(struct mg_config *cfg)
{
    if (cfg == NULL)
        return;
    mg_free(cfg->listen);
    mg_free(cfg->listen_host);
    mg_config__free_list(cfg->allow_origins, cfg->nallow_origins);
    mg_free(cfg->state_dir);
    mg_free(cfg->tool_name_format);
    mg_free(cfg->team);
    for (size_t i = 0; i < cfg->nservers; i++)
        free_server(&cfg->servers[i]);
    mg_free(cfg->servers);
    for (size_t i = 0; i < cfg->nprojects; i++) {
        mg_free(cfg->projects[i].name);
        mg_free(cfg->projects[i].description);
        mg_config__free_list(cfg->projects[i].servers, cfg->projects[i].nservers);
        mg_config__free_kv(cfg->projects[i].headers, cfg->projects[i].nheaders);
        mg_config__free_kv(cfg->projects[i].env, cfg->projects[i].nenv);
    }
    mg_free(cfg->projects);
    mg_free(cfg);
}

const struct mg_server_config *
mg_config_find_server(const struct mg_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nservers; i++)
        if (cfg->servers[i].name != NULL && strcmp(cfg->servers[i].name, name) == 0)
            return &cfg->servers[i];
    return NULL;
}

const struct mg_project_config *
mg_config_find_project(const struct mg_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nprojects; i++)
        if (cfg->projects[i].name != NULL && strcmp(cfg->projects[i].name, name) == 0)
            return &cfg->projects[i];
    return NULL;
}

int
mg_config_project_has(const struct mg_project_config *pr, const char *name)
{
    for (size_t i = 0; i < pr->nservers; i++)
        if (strcmp(pr->servers[i], name) == 0)
            return 1;
    return 0;
}

/* Longest word compared for a hint; keys and names are shorter. */
#define SUGGEST_MAX_LEN 64

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Optimal string alignment distance, ignoring case: a swapped pair of
 * letters ("comamnd") counts as one edit, like a wrong one. */
static unsigned
distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned rows[3][SUGGEST_MAX_LEN + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

    for (size_t j = 0; j <= lb; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = lower(a[i - 1]) != lower(b[j - 1]);
            unsigned d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        t = prev2, prev2 = prev, prev = cur, cur = t;
    }
    return prev[lb];
}

static int
prefix_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

void
mg_config__suggest_init(struct mg_cfg_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_d = 0;
}

void
mg_config__suggest_try(struct mg_cfg_parser *p, struct mg_cfg_suggest *s, const char *candidate)
{
    size_t la = strlen(s->word), lb = strlen(candidate);
    unsigned d, limit;

    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN || p->suggest_budget < (la + 1) * (lb + 1))
        return;
    p->suggest_budget -= (la + 1) * (lb + 1);
    d = distance(s->word, la, candidate, lb);
    /* Close enough to be a typo, not just another short word. */
    limit = lb <= 4 ? 1 : lb <= 8 ? 2 : 3;
    if (d == 0 && strcmp(s->word, candidate) == 0)
        return; /* the word itself (a duplicate, not a typo) */
    /* Or the word cut short or run on ("warning" for "warn"). */
    if (d > limit && la >= 3 && lb >= 3 && prefix_nocase(s->word, candidate, la < lb ? la : lb))
        limit = d;
    if (d <= limit && d < lb && (s->best == NULL || d < s->best_d)) {
        s->best = candidate;
        s->best_d = d;
    }
}

void
mg_config__suggest_hint(const struct mg_cfg_suggest *s, char *buf, size_t len)
{
    char q[96];

    if (s->best == NULL) {
        if (len > 0)
            buf[0] = '\0';
        return;
    }
    mg_config__quote(q, sizeof(q), s->best);
    snprintf(buf, len, " (did you mean %s?)", q);
}

/* Longest piece of a value shown in a message. */
#define QUOTE_MAX 60

void
mg_config__quote(char *buf, size_t len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, shown = 0;

    if (len < 8) {
        if (len > 0)
            buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    /* Leave room for an escape, the ellipsis, the quote and the NUL. */
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (shown++ == QUOTE_MAX || o + 4 + 3 + 2 >= len) {
            memcpy(buf + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
            break;
        }
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            /* A message is one line: no newline or terminal control
             * from the file gets through. */
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
}
