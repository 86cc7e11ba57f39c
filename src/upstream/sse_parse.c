/*
 * sse_parse.c - text/event-stream, byte by byte but copying runs.
 *
 * The parser keeps the line being read and the event being built; both
 * grow on demand up to `max`.  A line past the bound keeps its first max
 * bytes (enough to know its field name) and skips the rest up to its end.
 */
#include "upstream/sse_parse.h"

#include <string.h>

#include "util/alloc.h"

static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};

void
mg_sse_init(struct mg_sse_parser *p, size_t max)
{
    memset(p, 0, sizeof(*p));
    p->max = max > 0 ? max : 1;
    p->retry_ms = MG_SSE_RETRY_NONE;
}

static void
clear_event(struct mg_sse_parser *p)
{
    p->data_len = 0;
    p->data_size = 0;
    p->has_data = 0;
    p->type[0] = '\0';
}

void
mg_sse_reset(struct mg_sse_parser *p)
{
    mg_free(p->line);
    mg_free(p->data);
    p->line = p->data = NULL;
    p->line_len = p->line_cap = p->data_cap = 0;
    p->line_over = 0;
    p->after_cr = 0;
    p->bom_state = 0; /* a new stream may start with its own BOM */
    clear_event(p);
}

/* Make room for WANT bytes (plus a NUL) in *BUF; WANT is within max. */
static void
reserve(char **buf, size_t *cap, size_t want)
{
    size_t n = *cap ? *cap : 256;

    if (want + 1 <= *cap)
        return;
    while (n < want + 1)
        n *= 2;
    *buf = mg_realloc(*buf, n);
    *cap = n;
}

static void
append_line(struct mg_sse_parser *p, const char *s, size_t n)
{
    if (p->line_over)
        return;
    if (n > p->max + MG_SSE_LINE_SLACK - p->line_len) {
        n = p->max + MG_SSE_LINE_SLACK - p->line_len;
        p->line_over = 1;
    }
    reserve(&p->line, &p->line_cap, p->line_len + n);
    memcpy(p->line + p->line_len, s, n);
    p->line_len += n;
}

static int
dispatch(struct mg_sse_parser *p, mg_sse_event_fn cb, void *ctx)
{
    struct mg_sse_event ev;
    int rc;

    if (!p->has_data) {
        clear_event(p); /* "If the data buffer is an empty string ... return" */
        return 0;
    }
    ev.too_big = p->data_size > p->data_len;
    if (ev.too_big)
        p->data_len = 0;
    else
        p->data_len--; /* the "\n" after the last data line */
    reserve(&p->data, &p->data_cap, p->data_len);
    p->data[p->data_len] = '\0';
    ev.data = p->data;
    ev.data_len = p->data_len;
    ev.size = p->data_size - 1;
    ev.type = p->type[0] != '\0' ? p->type : "message";
    ev.id = p->id;
    rc = cb(ctx, &ev);
    clear_event(p);
    return rc;
}

/* One data line (V/N, the first bytes of a longer one when CUT): kept
 * while the event's data stays within max, else the event is dropping. */
static void
add_data(struct mg_sse_parser *p, const char *v, size_t n, int cut)
{
    int keep = !cut && p->data_size == p->data_len && p->data_len <= p->max && n <= p->max - p->data_len;

    p->has_data = 1;
    p->data_size += n + 1 + (cut ? 1 : 0); /* a cut line was longer than seen */
    if (!keep)
        return;
    reserve(&p->data, &p->data_cap, p->data_len + n + 1);
    memcpy(p->data + p->data_len, v, n);
    p->data[p->data_len + n] = '\n';
    p->data_len += n + 1;
}

static int
field_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(name, want, len) == 0;
}

static void
set_retry(struct mg_sse_parser *p, const char *v, size_t n)
{
    uint64_t ms = 0;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return; /* "If the field value consists of only ASCII digits" */
        if (ms <= MG_SSE_RETRY_MAX)
            ms = ms * 10 + (uint64_t)(v[i] - '0');
    }
    p->retry_ms = ms > MG_SSE_RETRY_MAX ? MG_SSE_RETRY_MAX : (uint32_t)ms;
}

static int
end_line(struct mg_sse_parser *p, mg_sse_event_fn cb, void *ctx)
{
    const char *line = p->line, *colon, *v;
    size_t len = p->line_len, nlen, vlen;
    int over = p->line_over;

    p->line_len = 0;
    p->line_over = 0;
    if (len == 0 && !over)
        return dispatch(p, cb, ctx);
    if (line[0] == ':')
        return 0; /* a comment */
    colon = memchr(line, ':', len);
    nlen = colon ? (size_t)(colon - line) : len;
    v = colon ? colon + 1 : line + len;
    vlen = len - (size_t)(v - line);
    if (vlen > 0 && v[0] == ' ')
        v++, vlen--;
    if (field_is(line, nlen, "data")) {
        add_data(p, v, vlen, over);
    } else if (over) {
        return 0; /* an over-long event, id or retry: not one we take */
    } else if (field_is(line, nlen, "event")) {
        if (vlen > MG_SSE_MAX_FIELD)
            vlen = MG_SSE_MAX_FIELD;
        memcpy(p->type, v, vlen);
        p->type[vlen] = '\0';
    } else if (field_is(line, nlen, "id")) {
        /* A cut id would resume at the wrong place: ignore a long one. */
        if (vlen <= MG_SSE_MAX_FIELD && memchr(v, '\0', vlen) == NULL) {
            memcpy(p->id, v, vlen);
            p->id[vlen] = '\0';
        }
    } else if (field_is(line, nlen, "retry")) {
        set_retry(p, v, vlen);
    }
    return 0;
}

int
mg_sse_feed(struct mg_sse_parser *p, const char *data, size_t n, mg_sse_event_fn cb, void *ctx)
{
    size_t i = 0, j;
    int rc;

    while (i < n) {
        if (p->bom_state >= 0) {
            if ((unsigned char)data[i] == bom[p->bom_state]) {
                i++;
                if (++p->bom_state == 3)
                    p->bom_state = -1;
                continue;
            }
            /* Not a BOM after all: what matched is text. */
            append_line(p, (const char *)bom, (size_t)p->bom_state);
            p->bom_state = -1;
        }
        if (p->after_cr) {
            p->after_cr = 0;
            if (data[i] == '\n') {
                i++;
                continue;
            }
        }
        if (data[i] == '\r' || data[i] == '\n') {
            p->after_cr = data[i] == '\r';
            i++;
            if ((rc = end_line(p, cb, ctx)) != 0)
                return rc;
            continue;
        }
        for (j = i; j < n && data[j] != '\r' && data[j] != '\n'; j++)
            ;
        append_line(p, data + i, j - i);
        i = j;
    }
    return 0;
}
