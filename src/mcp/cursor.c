/*
 * cursor.c - sealing and opening list cursors (payload in cursor.h).
 */
#include "mcp/cursor.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/seal.h"

/* What the seal of a cursor is for (seal.h): never a requestState. */
#define LABEL "mcpgate list cursor"

char *
mg_cursor_seal(const unsigned char *key, enum mg_cursor_list list, const char *view, const char *after,
               time_t now)
{
    size_t vlen = view ? strlen(view) : 0, klen = strlen(after), n;
    char head[48], *payload, *token;
    int h;

    h = snprintf(head, sizeof(head), "1\n%d\n%lld\n", (int)list, (long long)now + MG_CURSOR_TTL_S);
    n = (size_t)h + vlen + 1 + klen;
    payload = mg_malloc(n);
    memcpy(payload, head, (size_t)h);
    if (vlen > 0)
        memcpy(payload + h, view, vlen);
    payload[(size_t)h + vlen] = '\n';
    memcpy(payload + (size_t)h + vlen + 1, after, klen);
    token = mg_seal(key, LABEL, payload, n);
    mg_free(payload);
    return token;
}

/* The field at *P up to the next '\n' before END: its start, with its
 * length in *LEN and *P past the separator; NULL when there is none. */
static const char *
field(const char **p, const char *end, size_t *len)
{
    const char *start = *p, *nl = memchr(start, '\n', (size_t)(end - start));

    if (nl == NULL)
        return NULL;
    *len = (size_t)(nl - start);
    *p = nl + 1;
    return start;
}

static int
equals(const char *s, size_t len, const char *text)
{
    return strlen(text) == len && memcmp(s, text, len) == 0;
}

char *
mg_cursor_open(const unsigned char *key, const char *token, size_t len, enum mg_cursor_list list,
               const char *view, time_t now)
{
    char *payload, want[4];
    const char *p, *end, *f;
    size_t n, flen;
    long long exp = 0;

    if ((payload = mg_unseal(key, LABEL, token, len, &n)) == NULL)
        return NULL;
    /* Sealed by this process, so well formed; the checks below say
     * whether it is a cursor for this list and view, still in time. */
    p = payload;
    end = payload + n;
    snprintf(want, sizeof(want), "%d", (int)list);
    if ((f = field(&p, end, &flen)) == NULL || !equals(f, flen, "1"))
        goto refuse;
    if ((f = field(&p, end, &flen)) == NULL || !equals(f, flen, want))
        goto refuse;
    if ((f = field(&p, end, &flen)) == NULL || flen == 0 || flen > 18)
        goto refuse;
    for (size_t i = 0; i < flen; i++) {
        if (f[i] < '0' || f[i] > '9')
            goto refuse;
        exp = exp * 10 + (f[i] - '0');
    }
    if (exp < (long long)now)
        goto refuse;
    if ((f = field(&p, end, &flen)) == NULL || !equals(f, flen, view ? view : ""))
        goto refuse;
    /* The key is the rest, handed back in the payload's own buffer. */
    flen = (size_t)(end - p);
    if (memchr(p, '\0', flen) != NULL)
        goto refuse;
    memmove(payload, p, flen);
    payload[flen] = '\0';
    return payload;
refuse:
    mg_free(payload);
    return NULL;
}
