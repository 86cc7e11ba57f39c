/*
 * http_link_xfer.c - one HTTP exchange of an http_link.
 *
 * Builds the curl handle (method, URL, headers from the config and from
 * the protocol), reads the response's headers, and sorts its body by
 * status and Content-Type as the first bytes arrive: JSON is buffered up
 * to max_message, an event stream is parsed as it comes, an error body
 * keeps its first bytes for the message that reports it.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "json/json_parse.h"
#include "upstream/http_link_impl.h"
#include "util/alloc.h"
#include "util/log.h"

struct xfer *
mg_http_link__xfer_new(struct mg_http_link *l, enum xfer_kind kind)
{
    struct xfer *x = mg_calloc(1, sizeof(*x));

    x->l = l;
    x->kind = kind;
    x->ids = json_array();
    x->retry_ms = MG_SSE_RETRY_NONE;
    x->next = l->xfers;
    if (x->next)
        x->next->prev = x;
    l->xfers = x;
    l->nxfers++;
    return x;
}

void
mg_http_link__xfer_free(struct xfer *x)
{
    struct mg_http_link *l = x->l;

    if (x->prev)
        x->prev->next = x->next;
    else
        l->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
    l->nxfers--;
    if (l->stream == x)
        l->stream = NULL;
    json_decref(x->ids);
    mg_free(x->body);
    mg_free(x->method);
    mg_free(x->version);
    mg_free(x->name_header);
    json_decref(x->param_headers);
    mg_free(x->content_type);
    mg_free(x->session_id);
    mg_free(x->buf);
    mg_sse_reset(&x->sse);
    mg_free(x);
}

/* --- the response ------------------------------------------------------------- */

/* A header value trimmed of spaces, or NULL if LINE is not header NAME. */
static char *
header_value(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);

    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
        return NULL;
    line += n + 1;
    len -= n + 1;
    while (len > 0 && (line[0] == ' ' || line[0] == '\t'))
        line++, len--;
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        len--;
    return mg_strndup(line, len);
}

/* Visible ASCII only (RFC 9110 field-value, and the MCP rule for session
 * ids), so the value can go back out in a header unchanged. */
static int
visible_ascii(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e)
            return 0;
    return 1;
}

static size_t
on_header(char *line, size_t size, size_t nitems, void *userp)
{
    struct xfer *x = userp;
    size_t len = size * nitems;
    char *v;

    if (x->aborted)
        return 0;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* A new response (after a 1xx): forget the previous one's. */
        mg_free(x->content_type);
        mg_free(x->session_id);
        x->content_type = x->session_id = NULL;
    } else if ((v = header_value(line, len, "content-type")) != NULL) {
        mg_free(x->content_type);
        x->content_type = v;
    } else if ((v = header_value(line, len, "mcp-session-id")) != NULL) {
        mg_free(x->session_id);
        x->session_id = NULL;
        if (visible_ascii(v))
            x->session_id = v;
        else
            mg_free(v);
    }
    return len;
}

static int
media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);

    return ct != NULL && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static long
status_of(struct xfer *x)
{
    long status = 0;

    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* Once per response, before its body: the session id of an initialize. */
static void
take_headers(struct xfer *x)
{
    struct mg_http_link *l = x->l;
    long status = status_of(x);

    if (x->headers_taken)
        return;
    x->headers_taken = 1;
    if (x->kind == XFER_POST && status >= 200 && status < 300 && x->session_id != NULL && x->method != NULL &&
        strcmp(x->method, "initialize") == 0) {
        mg_free(l->session_id);
        l->session_id = mg_strdup(x->session_id);
        mg_log_debug("upstream %s: session %s", l->name, l->session_id);
    }
}

static enum body_mode
choose_mode(struct xfer *x)
{
    long status = status_of(x);

    if (status < 200 || status >= 300)
        return BODY_SNIPPET;
    switch (x->kind) {
    case XFER_POST:
        if (status == 202 || status == 204)
            return BODY_IGNORE;
        if (media_type_is(x->content_type, "text/event-stream"))
            return BODY_SSE;
        if (media_type_is(x->content_type, "application/json"))
            return BODY_JSON;
        return BODY_SNIPPET;
    case XFER_RESUME:
    case XFER_GET:
    case XFER_LEGACY_GET:
        return media_type_is(x->content_type, "text/event-stream") ? BODY_SSE : BODY_SNIPPET;
    case XFER_LEGACY_POST:
    case XFER_DELETE:
        break;
    }
    return BODY_IGNORE;
}

/* Decide, once the headers are in, what the body is and how to read it.
 * A resumed stream goes on from the event id it resumed after. */
void
mg_http_link__settle(struct xfer *x)
{
    const char *last_id = x->kind == XFER_GET ? x->l->stream_last_id : x->last_id;

    if (x->mode != BODY_UNKNOWN || x->easy == NULL)
        return;
    take_headers(x);
    x->mode = choose_mode(x);
    x->keep = SNIPPET_MAX;
    if (x->mode == BODY_SNIPPET && media_type_is(x->content_type, "application/json"))
        x->keep = ERROR_BODY_MAX < x->l->max_message ? ERROR_BODY_MAX : x->l->max_message;
    if (x->mode == BODY_SSE) {
        mg_sse_init(&x->sse, x->l->max_message);
        if (x->kind == XFER_GET || x->kind == XFER_RESUME)
            snprintf(x->sse.id, sizeof(x->sse.id), "%s", last_id);
    }
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct xfer *x = userp;
    size_t n = size * nmemb, room;

    if (x->aborted)
        return 0;
    mg_http_link__settle(x);
    x->seen += n;
    switch (x->mode) {
    case BODY_JSON:
        if (x->seen > x->l->max_message) {
            x->too_big = 1;
            return 0; /* stop reading: it will not be used */
        }
        x->buf = mg_realloc(x->buf, x->len + n + 1);
        memcpy(x->buf + x->len, data, n);
        x->len += n;
        x->buf[x->len] = '\0';
        return n;
    case BODY_SSE:
        if (mg_sse_feed(&x->sse, data, n, mg_http_link__on_event, x) != 0)
            return 0;
        return n;
    case BODY_SNIPPET:
        room = x->keep - x->len;
        if (x->buf == NULL)
            x->buf = mg_malloc(x->keep + 1);
        if (n < room)
            room = n;
        memcpy(x->buf + x->len, data, room);
        x->len += room;
        x->buf[x->len] = '\0';
        return x->len < x->keep ? n : 0; /* the rest is not read */
    default:
        return n;
    }
}

/* --- failures as text ------------------------------------------------------------- */

/* The start of a body, fit for a one-line message: ASCII, no controls,
 * spaces collapsed. */
static void
snippet(const char *s, size_t len, char *out, size_t n)
{
    size_t o = 0;
    int space = 1;

    for (size_t i = 0; i < len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f) {
            if (!space)
                out[o++] = ' ';
            space = 1;
            continue;
        }
        out[o++] = c < 0x80 ? (char)c : '?';
        space = 0;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static const char *
url_of(struct xfer *x)
{
    return x->kind == XFER_LEGACY_POST && x->l->endpoint ? x->l->endpoint : x->l->url;
}

/* The error body as a JSON-RPC error response (new), or NULL. */
json_t *
mg_http_link__error_body(struct xfer *x)
{
    json_t *j, *err;

    if (x->mode != BODY_SNIPPET || x->buf == NULL || x->len >= x->keep)
        return NULL; /* none, or cut */
    j = mg_json_loadb(x->buf, x->len, 0, NULL);
    err = json_object_get(j, "error");
    if (!json_is_object(err) || !json_is_integer(json_object_get(err, "code")) ||
        !json_is_string(json_object_get(err, "message"))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

void
mg_http_link__describe(struct xfer *x, CURLcode rc, char *out, size_t n)
{
    long status = x->easy ? status_of(x) : 0;
    char text[SNIPPET_MAX + 1];
    json_t *err = mg_http_link__error_body(x);

    if (err != NULL) {
        /* Quote the server's own words, not its JSON. */
        const char *m = json_string_value(json_object_get(json_object_get(err, "error"), "message"));
        snippet(m, strlen(m), text, sizeof(text));
        snprintf(out, n, "HTTP %ld from %s: %s", status, url_of(x), text);
        json_decref(err);
    } else if (x->too_big) {
        snprintf(out, n, "a message of more than %zu bytes from %s was dropped", x->l->max_message, url_of(x));
    } else if (status >= 300 || (status >= 200 && x->mode == BODY_SNIPPET)) {
        snippet(x->buf ? x->buf : "", x->len < SNIPPET_MAX ? x->len : SNIPPET_MAX, text, sizeof(text));
        if (status < 300)
            snprintf(out, n, "HTTP %ld from %s with Content-Type %s, not JSON or an event stream%s%s", status,
                     url_of(x), x->content_type ? x->content_type : "(none)", text[0] ? ": " : "", text);
        else
            snprintf(out, n, "HTTP %ld from %s%s%s", status, url_of(x), text[0] ? ": " : "", text);
    } else if (rc != CURLE_OK) {
        snprintf(out, n, "%s: %s", url_of(x), x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    } else {
        snprintf(out, n, "HTTP %ld from %s", status, url_of(x));
    }
}

/* --- the request ------------------------------------------------------------------- */

/* Append "NAME: VALUE"; a value that would break the header block (CR,
 * LF, NUL cannot be in a C string) is left out, not sent cut. */
static struct curl_slist *
add_header(struct curl_slist *h, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    struct curl_slist *out;
    char *line;

    if (strpbrk(value, "\r\n") != NULL) {
        mg_log_warn("header %s has a line break in its value; not sent", name);
        return h;
    }
    line = mg_malloc(n);
    snprintf(line, n, "%s: %s", name, value);
    out = curl_slist_append(h, line);
    mg_free(line);
    return out;
}

/* Headers the protocol sets; the config's own of these names are left out. */
static int
ours(const char *name)
{
    static const char *const names[] = {"accept", "content-type", "mcp-session-id", "mcp-protocol-version",
                                        "last-event-id", "mcp-method", "mcp-name"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i]) == 0)
            return 1;
    return 0;
}

static struct curl_slist *
build_headers(struct xfer *x)
{
    struct mg_http_link *l = x->l;
    struct curl_slist *h = NULL;
    int streamable = x->kind != XFER_LEGACY_GET && x->kind != XFER_LEGACY_POST;
    const char *last_id = x->kind == XFER_RESUME ? x->last_id : x->kind == XFER_GET ? l->stream_last_id : "";

    for (size_t i = 0; i < l->nheaders; i++)
        if (!ours(l->hkeys[i]))
            h = add_header(h, l->hkeys[i], l->hvalues[i]);
    switch (x->kind) {
    case XFER_POST:
        h = curl_slist_append(h, "Content-Type: application/json");
        h = curl_slist_append(h, "Accept: application/json, text/event-stream");
        break;
    case XFER_LEGACY_POST:
        h = curl_slist_append(h, "Content-Type: application/json");
        break;
    case XFER_RESUME:
    case XFER_GET:
    case XFER_LEGACY_GET:
        h = curl_slist_append(h, "Accept: text/event-stream");
        if (last_id[0] != '\0')
            h = add_header(h, "Last-Event-ID", last_id);
        break;
    case XFER_DELETE:
        break;
    }
    if (streamable && l->session_id != NULL) {
        h = add_header(h, "Mcp-Session-Id", l->session_id);
        x->with_session = 1;
    }
    if (streamable && (x->version || l->protocol_version))
        h = add_header(h, "MCP-Protocol-Version", x->version ? x->version : l->protocol_version);
    if (x->version != NULL && x->method != NULL) {
        /* 2026-07-28: routing headers mirror the body. */
        h = add_header(h, "Mcp-Method", x->method);
        if (x->name_header)
            h = add_header(h, "Mcp-Name", x->name_header);
    }
    if (x->param_headers != NULL) {
        const char *name;
        json_t *v;
        json_object_foreach (x->param_headers, name, v)
            h = add_header(h, name, json_string_value(v));
    }
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    return h;
}

int
mg_http_link__xfer_start(struct xfer *x)
{
    struct mg_http_link *l = x->l;
    CURL *e = curl_easy_init();
    struct curl_slist *h;

    if (e == NULL)
        return -1;
    x->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, url_of(x));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "mcpgate/" MG_VERSION);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (l->connect_timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)l->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    if (x->kind == XFER_POST || x->kind == XFER_LEGACY_POST) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
    } else if (x->kind == XFER_DELETE) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)MG_HTTP_LINK_DELETE_TIMEOUT_MS);
    }
    h = build_headers(x);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    if (mg_curl_loop_add(l->cl, e, h, mg_http_link__done, x) != 0) {
        x->easy = NULL;
        return -1;
    }
    return 0;
}
