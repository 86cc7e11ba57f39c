/*
 * schema_uri.c - URI reference resolution (RFC 3986 section 5) and JSON
 * Pointer fragments (RFC 6901), for "$id" and "$ref".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "json/schema_impl.h"
#include "util/alloc.h"

struct slice {
    const char *p;
    size_t n;
    int set; /* the component is present (an empty query differs from none) */
};

struct uri {
    struct slice scheme, authority, path, query, fragment;
};

static void
uri_parse(const char *s, struct uri *u)
{
    const char *p = s, *end;

    memset(u, 0, sizeof(*u));
    /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (isalpha((unsigned char)*p)) {
        const char *q = p + 1;
        while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.')
            q++;
        if (*q == ':') {
            u->scheme = (struct slice){p, (size_t)(q - p), 1};
            p = q + 1;
        }
    }
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        end = p + strcspn(p, "/?#");
        u->authority = (struct slice){p, (size_t)(end - p), 1};
        p = end;
    }
    end = p + strcspn(p, "?#");
    u->path = (struct slice){p, (size_t)(end - p), 1};
    p = end;
    if (*p == '?') {
        p++;
        end = p + strcspn(p, "#");
        u->query = (struct slice){p, (size_t)(end - p), 1};
        p = end;
    }
    if (*p == '#') {
        p++;
        u->fragment = (struct slice){p, strlen(p), 1};
    }
}

/* remove_dot_segments of RFC 3986 5.2.4, writing into OUT (large enough). */
static void
remove_dots(const char *in, size_t n, char *out)
{
    char *o = out;
    const char *p = in, *end = in + n;

    while (p < end) {
        size_t left = (size_t)(end - p);
        if (left >= 3 && memcmp(p, "../", 3) == 0) {
            p += 3;
        } else if (left >= 2 && memcmp(p, "./", 2) == 0) {
            p += 2;
        } else if ((left >= 3 && memcmp(p, "/./", 3) == 0) || (left == 2 && memcmp(p, "/.", 2) == 0)) {
            p += 2;
            if (left == 2)
                *o++ = '/';
        } else if ((left >= 4 && memcmp(p, "/../", 4) == 0) || (left == 3 && memcmp(p, "/..", 3) == 0)) {
            p += 3;
            while (o > out && o[-1] != '/')
                o--;
            if (o > out)
                o--;
            if (left == 3)
                *o++ = '/';
        } else if ((left == 1 && p[0] == '.') || (left == 2 && memcmp(p, "..", 2) == 0)) {
            p = end;
        } else {
            if (*p == '/')
                *o++ = *p++;
            while (p < end && *p != '/')
                *o++ = *p++;
        }
    }
    *o = '\0';
}

static void
put(char **o, const char *p, size_t n)
{
    memcpy(*o, p, n);
    *o += n;
}

char *
mg_uri_resolve(const char *base, const char *ref)
{
    struct uri b, r;
    struct slice scheme, authority, query, fragment;
    size_t cap = strlen(base) + strlen(ref) + 8;
    char *path = mg_malloc(cap), *merged = mg_malloc(cap), *out = mg_malloc(cap), *o = out;

    uri_parse(base, &b);
    uri_parse(ref, &r);
    fragment = r.fragment;
    if (r.scheme.set) {
        scheme = r.scheme, authority = r.authority, query = r.query;
        remove_dots(r.path.p, r.path.n, path);
    } else {
        scheme = b.scheme;
        if (r.authority.set) {
            authority = r.authority, query = r.query;
            remove_dots(r.path.p, r.path.n, path);
        } else {
            authority = b.authority;
            if (r.path.n == 0) {
                memcpy(path, b.path.p, b.path.n);
                path[b.path.n] = '\0';
                query = r.query.set ? r.query : b.query;
            } else {
                query = r.query;
                if (r.path.p[0] == '/') {
                    remove_dots(r.path.p, r.path.n, path);
                } else {
                    size_t keep = 0;
                    char *m = merged;
                    if (b.authority.set && b.path.n == 0) {
                        *m++ = '/';
                    } else {
                        for (size_t i = 0; i < b.path.n; i++)
                            if (b.path.p[i] == '/')
                                keep = i + 1;
                        put(&m, b.path.p, keep);
                    }
                    put(&m, r.path.p, r.path.n);
                    remove_dots(merged, (size_t)(m - merged), path);
                }
            }
        }
    }
    if (scheme.set) {
        put(&o, scheme.p, scheme.n);
        *o++ = ':';
    }
    if (authority.set) {
        put(&o, "//", 2);
        put(&o, authority.p, authority.n);
    }
    put(&o, path, strlen(path));
    if (query.set) {
        *o++ = '?';
        put(&o, query.p, query.n);
    }
    if (fragment.set) {
        *o++ = '#';
        put(&o, fragment.p, fragment.n);
    }
    *o = '\0';
    mg_free(path);
    mg_free(merged);
    return out;
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one pointer token (percent-decoding, then ~1 and ~0). */
static char *
pointer_token(const char *p, size_t n)
{
    char *tmp = mg_malloc(n + 1), *out = mg_malloc(n + 1);
    size_t t = 0, o = 0;

    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)p[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)p[i + 2])) >= 0) {
            tmp[t++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            tmp[t++] = p[i];
        }
    }
    for (size_t i = 0; i < t; i++) {
        if (tmp[i] == '~' && i + 1 < t && (tmp[i + 1] == '0' || tmp[i + 1] == '1')) {
            out[o++] = tmp[i + 1] == '0' ? '~' : '/';
            i++;
        } else {
            out[o++] = tmp[i];
        }
    }
    out[o] = '\0';
    mg_free(tmp);
    return out;
}

json_t *
mg_json_pointer(json_t *doc, const char *fragment)
{
    const char *p = fragment;

    if (*p != '\0' && *p != '/')
        return NULL;
    while (doc != NULL && *p == '/') {
        size_t n = strcspn(p + 1, "/");
        char *tok = pointer_token(p + 1, n), *end;
        p += 1 + n;
        if (json_is_object(doc)) {
            doc = json_object_get(doc, tok);
        } else if (json_is_array(doc)) {
            unsigned long idx = strtoul(tok, &end, 10);
            doc = (*tok == '\0' || *end != '\0' || (tok[0] == '0' && tok[1] != '\0')) ? NULL : json_array_get(doc, idx);
        } else {
            doc = NULL;
        }
        mg_free(tok);
    }
    return doc;
}
