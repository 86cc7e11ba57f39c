/*
 * config_value.c - scalar values converted and range-checked: booleans,
 * seconds, integers, sizes, enumerations, names, addresses and URLs.
 *
 * Numbers are parsed by hand, digit by digit: strtod would also take
 * "1e3", "0x10", "inf" and "nan", and the locale's decimal point.  Each
 * getter takes the text after ${VAR} expansion, so a quoted "30" or
 * "${T:-30}" is as good as a plain 30.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config_impl.h"
#include "util/alloc.h"

#define MAX_SECONDS 86400u

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Read digits at *S into *V, stopping the value at CAP + 1 so that any
 * length of digits stays out of range instead of wrapping.  Returns how
 * many digits were read. */
static size_t
digits(const char **s, unsigned long long cap, unsigned long long *v)
{
    size_t n = 0;

    *v = 0;
    for (; is_digit(**s); (*s)++, n++) {
        *v = *v * 10 + (unsigned long long)(**s - '0');
        if (*v > cap)
            *v = cap + 1;
    }
    return n;
}

/* The scalar's text, quoted for a message, into Q. */
#define QUOTED(q, s) (mg_config__quote((q), sizeof(q), (s)), (q))

int
mg_config__bool(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int *out)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    char *s, q[96];
    int rc = 0;

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "true or false")) == NULL)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            goto out;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            goto out;
        }
    }
    mg_config__error(p, mg_config__line(n), path, "expected true or false, got %s", QUOTED(q, s));
    rc = -1;
out:
    mg_free(s);
    return rc;
}

int
mg_config__seconds(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, int allow_zero, unsigned *out_ms)
{
    static const unsigned scale[3] = {100, 10, 1};
    unsigned long long whole, ms, frac = 0;
    const char *c;
    char *s, q[96];
    int rc = -1;

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a number of seconds")) == NULL)
        return -1;
    c = s;
    if (digits(&c, MAX_SECONDS, &whole) == 0)
        goto bad;
    if (*c == '.') {
        c++;
        if (!is_digit(*c))
            goto bad;
        /* Milliseconds are the resolution: further digits are dropped. */
        for (size_t i = 0; is_digit(*c); i++, c++)
            if (i < 3)
                frac += (unsigned long long)(*c - '0') * scale[i];
    }
    if (*c != '\0')
        goto bad;
    ms = whole * 1000 + frac;
    if (ms > MAX_SECONDS * 1000ULL || (ms == 0 && !allow_zero)) {
        if (allow_zero)
            mg_config__error(p, mg_config__line(n), path,
                             "expected a number of seconds from 0 (off) to %u, got %s", MAX_SECONDS,
                             QUOTED(q, s));
        else
            mg_config__error(p, mg_config__line(n), path, "expected a number of seconds from 0.001 to %u, got %s",
                             MAX_SECONDS, QUOTED(q, s));
        goto out;
    }
    *out_ms = (unsigned)ms;
    rc = 0;
    goto out;
bad:
    mg_config__error(p, mg_config__line(n), path, "expected a number of seconds, got %s", QUOTED(q, s));
out:
    mg_free(s);
    return rc;
}

int
mg_config__uint(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, unsigned min, unsigned max,
                unsigned *out)
{
    unsigned long long v;
    const char *c;
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "an integer")) == NULL)
        return -1;
    c = s;
    if (digits(&c, max, &v) == 0 || *c != '\0' || v < min || v > max) {
        mg_config__error(p, mg_config__line(n), path, "expected an integer from %u to %u, got %s", min, max,
                         QUOTED(q, s));
        mg_free(s);
        return -1;
    }
    *out = (unsigned)v;
    mg_free(s);
    return 0;
}

int
mg_config_parse_size(const char *s, size_t *out)
{
    const unsigned long long min = 64, max = 1ULL << 30;
    unsigned long long v;
    const char *c = s;

    if (digits(&c, max, &v) == 0)
        return -1;
    if (*c == 'k' || *c == 'K')
        v *= 1024, c++;
    else if (*c == 'm' || *c == 'M')
        v *= 1024 * 1024, c++;
    if (*c != '\0' || v < min || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

int
mg_config__size(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, size_t *out)
{
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a size")) == NULL)
        return -1;
    if (mg_config_parse_size(s, out) == 0) {
        mg_free(s);
        return 0;
    }
    mg_config__error(p, mg_config__line(n), path,
                     "expected a size from 64 bytes to 1024m, in bytes or with a k or m suffix (\"4m\"), got %s",
                     QUOTED(q, s));
    mg_free(s);
    return -1;
}

int
mg_config__enum(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, const char *const *names, int *out)
{
    char *s, q[96], list[256], hint[128];
    struct mg_cfg_suggest sg;
    size_t o = 0;

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a string")) == NULL)
        return -1;
    for (int i = 0; names[i] != NULL; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = i;
            mg_free(s);
            return 0;
        }
    }
    mg_config__suggest_init(&sg, s);
    list[0] = '\0';
    for (int i = 0; names[i] != NULL; i++) {
        mg_config__suggest_try(p, &sg, names[i]);
        if (o < sizeof(list))
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", names[i]);
    }
    mg_config__suggest_hint(&sg, hint, sizeof(hint));
    mg_config__error(p, mg_config__line(n), path, "expected one of %s, got %s%s", list, QUOTED(q, s), hint);
    mg_free(s);
    return -1;
}

/* A name of 1 to MAX characters, each alphanumeric or in EXTRA. */
static int
name_ok(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return 0;
    for (; *s != '\0'; s++)
        if (!is_alnum(*s) && strchr(extra, *s) == NULL)
            return 0;
    return 1;
}

int
mg_config_name_ok(const char *s)
{
    return name_ok(s, 64, "_-");
}

int
mg_config__name(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out)
{
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a name")) == NULL)
        return -1;
    if (!mg_config_name_ok(s)) {
        mg_config__error(p, mg_config__line(n), path,
                         "expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got %s", QUOTED(q, s));
        mg_free(s);
        return -1;
    }
    mg_free(*out);
    *out = s;
    return 0;
}

int
mg_config__tool_name(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out)
{
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a tool name")) == NULL)
        return -1;
    /* The character set MCP 2025-11-25 recommends for tool names. */
    if (!name_ok(s, 128, "_.-")) {
        mg_config__error(p, mg_config__line(n), path,
                         "expected a tool name of 1 to 128 letters, digits, \"_\", \".\" or \"-\", got %s",
                         QUOTED(q, s));
        mg_free(s);
        return -1;
    }
    mg_free(*out);
    *out = s;
    return 0;
}

/*
 * Check "HOST[:PORT]" in S..END: HOST is a name or IPv4 address
 * ([A-Za-z0-9._-]) or an IPv6 address in brackets.  On success returns
 * NULL and sets the host without brackets and the port (0 when absent);
 * otherwise returns what is wrong.
 */
static const char *
host_port(const char *s, const char *end, int need_port, const char **host, size_t *hostlen, unsigned *port)
{
    const char *c;
    unsigned long long v;

    *port = 0;
    if (s < end && *s == '[') {
        if ((c = memchr(s, ']', (size_t)(end - s))) == NULL)
            return "no \"]\" after the IPv6 address";
        if (memchr(s + 1, ':', (size_t)(c - s - 1)) == NULL)
            return "not an IPv6 address in the brackets";
        for (const char *h = s + 1; h < c; h++)
            if (!is_digit(*h) && strchr("abcdefABCDEF:.", *h) == NULL)
                return "not an IPv6 address in the brackets";
        *host = s + 1;
        *hostlen = (size_t)(c - s - 1);
        c++;
    } else {
        for (c = s; c < end && *c != ':'; c++)
            if (!is_alnum(*c) && strchr("._-", *c) == NULL)
                return "an invalid character in the host";
        if (c == s)
            return "no host";
        if (c < end && memchr(c + 1, ':', (size_t)(end - c - 1)) != NULL)
            return "an IPv6 address goes in brackets, as in [::1]:8808";
        *host = s;
        *hostlen = (size_t)(c - s);
    }
    if (c == end)
        return need_port ? "no port" : NULL;
    if (*c != ':')
        return "text after the address";
    c++;
    /* need_port 2: a listening address, where 0 asks for any free port. */
    if (digits(&c, 65535, &v) == 0 || c != end || v < (need_port == 2 ? 0u : 1u) || v > 65535)
        return need_port == 2 ? "the port must be a number from 0 (any free port) to 65535"
                              : "the port must be a number from 1 to 65535";
    *port = (unsigned)v;
    return NULL;
}

int
mg_config__listen(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_config *cfg)
{
    const char *why, *host;
    size_t hostlen;
    unsigned port;
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "HOST:PORT")) == NULL)
        return -1;
    if ((why = host_port(s, s + strlen(s), 2, &host, &hostlen, &port)) != NULL) {
        mg_config__error(p, mg_config__line(n), path,
                         "expected HOST:PORT such as \"127.0.0.1:8808\" or \"[::1]:8808\", got %s (%s)",
                         QUOTED(q, s), why);
        mg_free(s);
        return -1;
    }
    mg_free(cfg->listen_host);
    cfg->listen_host = mg_strndup(host, hostlen);
    cfg->listen_port = port;
    mg_free(cfg->listen);
    cfg->listen = s;
    return 0;
}

/* What is wrong with an allowed origin, or NULL.  An origin is what a
 * browser sends in Origin: scheme://host[:port], nothing after. */
static const char *
origin_problem(const char *s)
{
    const char *c = s, *end, *host;
    size_t hostlen;
    unsigned port;

    if (strcmp(s, "*") == 0)
        return NULL;
    if (!is_alnum(*c) || is_digit(*c))
        return "no scheme://";
    while (is_alnum(*c) || *c == '+' || *c == '.' || *c == '-')
        c++;
    if (strncmp(c, "://", 3) != 0)
        return "no scheme://";
    c += 3;
    end = c + strcspn(c, "/?#");
    if (*end != '\0')
        return "an origin has no path, not even \"/\"";
    return host_port(c, end, 0, &host, &hostlen, &port);
}

int
mg_config__origins(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, struct mg_config *cfg)
{
    char **v = NULL, ipath[MG_CONFIG_PATH_MAX], q[96];
    size_t nv = 0;
    int rc = 0;

    if (n == NULL)
        return 0;
    if (mg_config__string_list(p, n, path, 1, &v, &nv) != 0)
        return -1;
    /* string_list took a list, so the items are nodes of N in order. */
    for (size_t i = 0; i < nv; i++) {
        const char *why = origin_problem(v[i]);
        if (why != NULL) {
            yaml_node_t *item = mg_config__node(p, n->data.sequence.items.start[i]);
            mg_config__path_index(ipath, sizeof(ipath), path, i);
            mg_config__error(p, mg_config__line(item), ipath,
                             "expected \"*\" or an origin such as \"https://app.example.com\", got %s (%s)",
                             QUOTED(q, v[i]), why);
            rc = -1;
        }
    }
    if (rc != 0) {
        mg_config__free_list(v, nv);
        return -1;
    }
    mg_config__free_list(cfg->allow_origins, cfg->nallow_origins);
    cfg->allow_origins = v;
    cfg->nallow_origins = nv;
    return 0;
}

static const char *
url_problem(const char *s)
{
    const char *c, *end, *at, *host;
    size_t hostlen;
    unsigned port;

    for (c = s; *c != '\0'; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f)
            return "spaces and control characters must be percent-encoded";
    if (strncasecmp(s, "http://", 7) == 0)
        c = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        c = s + 8;
    else
        return "the scheme must be http:// or https://";
    end = c + strcspn(c, "/?#");
    /* user:password@ may come before the host. */
    for (at = end; at > c && at[-1] != '@'; at--)
        ;
    return host_port(at, end, 0, &host, &hostlen, &port);
}

int
mg_config__url(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out)
{
    const char *why;
    char *s, q[96];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a URL")) == NULL)
        return -1;
    if ((why = url_problem(s)) != NULL) {
        mg_config__error(p, mg_config__line(n), path, "expected an http:// or https:// URL, got %s (%s)",
                         QUOTED(q, s), why);
        mg_free(s);
        return -1;
    }
    mg_free(*out);
    *out = s;
    return 0;
}

/* What is wrong with a tool_name_format, or NULL. */
static const char *
format_problem(struct mg_cfg_parser *p, const char *s, char *why, size_t len)
{
    int nserver = 0, ntool = 0;
    char q[96], hint[128];

    for (const char *c = s; *c != '\0'; c++) {
        const char *close;

        if (*c != '{') {
            if (!is_alnum(*c) && strchr("_.-", *c) == NULL) {
                char one[2] = {*c, '\0'};
                snprintf(why, len,
                         "%s is not allowed; outside {server} and {tool} use only letters, digits, \"_\", "
                         "\".\" and \"-\"",
                         QUOTED(q, one));
                return why;
            }
            continue;
        }
        if ((close = strchr(c, '}')) == NULL) {
            snprintf(why, len, "a \"{\" without its \"}\"");
            return why;
        }
        if (close - c == 7 && strncmp(c, "{server}", 8) == 0) {
            nserver++;
        } else if (close - c == 5 && strncmp(c, "{tool}", 6) == 0) {
            ntool++;
        } else {
            char word[72];
            struct mg_cfg_suggest sg;
            size_t n = (size_t)(close - c) + 1 < sizeof(word) ? (size_t)(close - c) + 1 : sizeof(word) - 1;

            memcpy(word, c, n);
            word[n] = '\0';
            mg_config__suggest_init(&sg, word);
            mg_config__suggest_try(p, &sg, "{server}");
            mg_config__suggest_try(p, &sg, "{tool}");
            mg_config__suggest_hint(&sg, hint, sizeof(hint));
            snprintf(why, len, "unknown placeholder %s%s; only {server} and {tool} are replaced", QUOTED(q, word),
                     hint);
            return why;
        }
        c = close;
    }
    if (nserver != 1 || ntool != 1) {
        snprintf(why, len, "must contain {server} and {tool} once each, got %s", QUOTED(q, s));
        return why;
    }
    return NULL;
}

int
mg_config__tool_name_format(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, char **out)
{
    char *s, why[512];

    if (n == NULL)
        return 0;
    if ((s = mg_config__scalar(p, n, path, "a string")) == NULL)
        return -1;
    if (format_problem(p, s, why, sizeof(why)) != NULL) {
        mg_config__error(p, mg_config__line(n), path, "%s", why);
        mg_free(s);
        return -1;
    }
    mg_free(*out);
    *out = s;
    return 0;
}
