/*
 * json_parse.c - a recursive-descent JSON parser that builds jansson
 * values, for the messages the gateway decodes on every call.
 *
 * It follows RFC 8259 as jansson applies it: strings are valid UTF-8
 * (no overlong forms, no surrogates, nothing past U+10FFFF) with no raw
 * control characters; \u escapes pair surrogates; numbers without a
 * fraction or exponent are 64-bit integers, others doubles from strtod;
 * a key given twice keeps its first place and its last value.  Anything
 * else, and anything it does not handle (U+0000, numbers out of range,
 * nesting past the limit), is left to jansson: mg_json_parse answers
 * NULL and the caller decodes with jansson, which gives the error.  So
 * this parser may be stricter than jansson, never laxer.
 */
#include "json/json_parse.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/limits.h"

struct parser {
    const unsigned char *p, *end;
    int max_depth;
};

static json_t *parse_value(struct parser *ps, int depth);

static void
skip_space(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* The length of the UTF-8 sequence at S (at most N bytes there), whose
 * first byte is not ASCII; 0 when it is not valid UTF-8. */
static size_t
utf8_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;

    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and
     * code points past U+10FFFF. */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* Four hex digits at S as a number, or -1. */
static long
hex4(const unsigned char *s)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Code point CP (not U+0000, not a surrogate) as UTF-8 at OUT; its length. */
static size_t
put_utf8(unsigned char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The escape after the backslash at *IN (IN < END), decoded to OUT;
 * advances *IN past it.  Returns the bytes written, 0 when invalid. */
static size_t
unescape(const unsigned char **in, const unsigned char *end, unsigned char *out)
{
    const unsigned char *s = *in + 1;
    long cp, lo;

    if (s >= end)
        return 0;
    *in = s + 1;
    switch (*s) {
    case '"':
    case '\\':
    case '/':
        *out = *s;
        return 1;
    case 'b':
        *out = '\b';
        return 1;
    case 'f':
        *out = '\f';
        return 1;
    case 'n':
        *out = '\n';
        return 1;
    case 'r':
        *out = '\r';
        return 1;
    case 't':
        *out = '\t';
        return 1;
    case 'u':
        break;
    default:
        return 0;
    }
    if (end - s < 5 || (cp = hex4(s + 1)) <= 0) /* U+0000 is jansson's to refuse */
        return 0;
    *in = s + 5;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return 0; /* a low surrogate alone */
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        s += 5;
        if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || (lo = hex4(s + 2)) < 0xDC00 || lo > 0xDFFF)
            return 0;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *in = s + 6;
    }
    return put_utf8(out, cp);
}

/* The string whose opening quote is at ps->p: its bytes, decoded, at
 * *OUT (into SCRATCH when it had escapes, else in the input) and their
 * number in *LEN.  *HEAP is set when *OUT was allocated for it (the
 * caller frees it).  Returns 0, or -1 when it is not a valid string. */
static int
scan_string(struct parser *ps, const char **out, size_t *len, char *scratch, size_t scratch_len, char **heap)
{
    const unsigned char *start = ps->p + 1, *s = start, *end = ps->end, *q;
    unsigned char *dst;
    size_t n;

    *heap = NULL;
    /* The common case: no escapes; the bytes are the string's own. */
    while (s < end && *s != '"') {
        if (*s == '\\')
            break;
        if (*s < 0x20)
            return -1;
        if (*s < 0x80) {
            s++;
        } else if ((n = utf8_length(s, (size_t)(end - s))) != 0) {
            s += n;
        } else {
            return -1;
        }
    }
    if (s >= end)
        return -1;
    if (*s == '"') {
        *out = (const char *)start;
        *len = (size_t)(s - start);
        ps->p = s + 1;
        return 0;
    }
    /* Escapes: decoding never lengthens the text, so its length up to
     * the closing quote bounds the room needed. */
    for (q = s; q < end && *q != '"'; q += *q == '\\' && end - q > 1 ? 2 : 1)
        ;
    if (q >= end)
        return -1;
    if ((size_t)(q - start) <= scratch_len) {
        dst = (unsigned char *)scratch;
    } else {
        *heap = mg_malloc((size_t)(q - start));
        dst = (unsigned char *)*heap;
    }
    n = (size_t)(s - start);
    memcpy(dst, start, n);
    while (s < end && *s != '"') {
        size_t k;
        if (*s == '\\') {
            if ((k = unescape(&s, end, dst + n)) == 0)
                goto fail;
            n += k;
            continue;
        }
        if (*s < 0x20)
            goto fail;
        k = *s < 0x80 ? 1 : utf8_length(s, (size_t)(end - s));
        if (k == 0)
            goto fail;
        memcpy(dst + n, s, k);
        n += k;
        s += k;
    }
    if (s >= end)
        goto fail;
    *out = (const char *)dst;
    *len = n;
    ps->p = s + 1;
    return 0;

fail:
    mg_free(*heap);
    *heap = NULL;
    return -1;
}

static json_t *
parse_string(struct parser *ps)
{
    char scratch[256], *heap;
    const char *s;
    size_t len;
    json_t *v;

    if (scan_string(ps, &s, &len, scratch, sizeof(scratch), &heap) != 0)
        return NULL;
    v = json_stringn_nocheck(s, len);
    mg_free(heap);
    return v;
}

static int
is_digit(const struct parser *ps, const unsigned char *s)
{
    return s < ps->end && *s >= '0' && *s <= '9';
}

static json_t *
parse_number(struct parser *ps)
{
    const unsigned char *start = ps->p, *s = start;
    int real = 0, negative = 0;
    char text[64], *copy, *endp;
    size_t n;
    double d;

    if (*s == '-') {
        negative = 1;
        s++;
    }
    if (!is_digit(ps, s))
        return NULL;
    if (*s == '0') {
        s++;
        if (is_digit(ps, s))
            return NULL; /* a leading zero */
    } else {
        while (is_digit(ps, s))
            s++;
    }
    if (s < ps->end && *s == '.') {
        real = 1;
        if (!is_digit(ps, ++s))
            return NULL;
        while (is_digit(ps, s))
            s++;
    }
    if (s < ps->end && (*s == 'e' || *s == 'E')) {
        real = 1;
        s++;
        if (s < ps->end && (*s == '+' || *s == '-'))
            s++;
        if (!is_digit(ps, s))
            return NULL;
        while (is_digit(ps, s))
            s++;
    }
    ps->p = s;
    if (!real) {
        /* As strtoll would, refusing what is out of range. */
        uint64_t m = 0, limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (const unsigned char *c = start + negative; c < s; c++) {
            unsigned digit = (unsigned)(*c - '0');
            if (m > (limit - digit) / 10)
                return NULL;
            m = m * 10 + digit;
        }
        return json_integer(negative ? (json_int_t)(0 - m) : (json_int_t)m);
    }
    /* strtod wants the text NUL-terminated. */
    n = (size_t)(s - start);
    copy = n < sizeof(text) ? text : mg_malloc(n + 1);
    memcpy(copy, start, n);
    copy[n] = '\0';
    errno = 0;
    d = strtod(copy, &endp);
    if (endp != copy + n || ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)) {
        if (copy != text)
            mg_free(copy);
        return NULL;
    }
    if (copy != text)
        mg_free(copy);
    return json_real(d);
}

static json_t *
parse_literal(struct parser *ps, const char *word, size_t len, json_t *v)
{
    if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
        return NULL;
    ps->p += len;
    return v;
}

/* Just past '[' or '{': whether CLOSE follows (and is consumed), an empty
 * container. */
static int
opens_empty(struct parser *ps, char close)
{
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 1;
    }
    return 0;
}

/* After an item of a container: 1 at CLOSE, 0 at ',' (either consumed),
 * -1 at anything else. */
static int
after_item(struct parser *ps, char close)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return -1;
    if (*ps->p == close) {
        ps->p++;
        return 1;
    }
    return *ps->p++ == ',' ? 0 : -1;
}

static json_t *
parse_array(struct parser *ps, int depth)
{
    json_t *a = json_array(), *item;
    int next;

    ps->p++;
    if (opens_empty(ps, ']'))
        return a;
    do {
        if ((item = parse_value(ps, depth + 1)) == NULL || json_array_append_new(a, item) != 0)
            break;
        next = after_item(ps, ']');
        if (next > 0)
            return a;
    } while (next == 0);
    json_decref(a);
    return NULL;
}

static json_t *
parse_object(struct parser *ps, int depth)
{
    json_t *o = json_object(), *value;
    char scratch[128], *heap = NULL;
    const char *key;
    size_t klen;
    int next;

    ps->p++;
    if (opens_empty(ps, '}'))
        return o;
    do {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"' || scan_string(ps, &key, &klen, scratch, sizeof(scratch), &heap) != 0)
            break;
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':')
            break;
        ps->p++;
        if ((value = parse_value(ps, depth + 1)) == NULL)
            break;
        /* A key given again replaces the value in its first place. */
        if (json_object_setn_new_nocheck(o, key, klen, value) != 0)
            break;
        mg_free(heap);
        heap = NULL;
        next = after_item(ps, '}');
        if (next > 0)
            return o;
    } while (next == 0);
    mg_free(heap);
    json_decref(o);
    return NULL;
}

static json_t *
parse_value(struct parser *ps, int depth)
{
    if (depth > ps->max_depth)
        return NULL;
    skip_space(ps);
    if (ps->p >= ps->end)
        return NULL;
    switch (*ps->p) {
    case '{':
        return parse_object(ps, depth);
    case '[':
        return parse_array(ps, depth);
    case '"':
        return parse_string(ps);
    case 't':
        return parse_literal(ps, "true", 4, json_true());
    case 'f':
        return parse_literal(ps, "false", 5, json_false());
    case 'n':
        return parse_literal(ps, "null", 4, json_null());
    default:
        return parse_number(ps);
    }
}

json_t *
mg_json_parse(const char *buf, size_t len, int max_depth)
{
    struct parser ps = {.p = (const unsigned char *)buf, .end = (const unsigned char *)buf + len,
                        .max_depth = max_depth};
    json_t *v = parse_value(&ps, 1);

    if (v == NULL)
        return NULL;
    skip_space(&ps);
    if (ps.p != ps.end) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *
mg_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
    /* Deep enough for any message; deeper text is jansson's. */
    json_t *v = (flags & ~(size_t)JSON_DECODE_ANY) == 0 ? mg_json_parse(buf, len, MG_MAX_JSON_DEPTH) : NULL;

    if (v != NULL && ((flags & JSON_DECODE_ANY) || json_is_object(v) || json_is_array(v)))
        return v;
    json_decref(v);
    return json_loadb(buf, len, flags, err);
}
