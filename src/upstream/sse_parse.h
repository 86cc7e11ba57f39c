/*
 * sse_parse.h - an incremental text/event-stream parser (WHATWG HTML,
 * "Server-sent events", 9.2.6 Interpreting an event stream).
 *
 * Bytes go in as they arrive, split anywhere; complete events come out
 * through a callback.  What the spec says, and this follows:
 *
 *   - lines end with CRLF, LF or CR; one leading UTF-8 BOM is skipped;
 *   - a line starting with ":" is a comment;
 *   - "field: value" (one space after the colon dropped; no colon: the
 *     whole line is the field name and the value is empty);
 *   - data lines are joined with "\n"; event sets the type (default
 *     "message"); id sets the last event id unless the value holds a NUL;
 *     retry sets the reconnection time when it is all ASCII digits;
 *     other fields are ignored;
 *   - a blank line dispatches the event, unless no data line came;
 *   - an incomplete event at the end of the stream is dropped (the owner
 *     simply stops feeding).
 *
 * Untrusted input: no event's data is buffered past `max` bytes, and no
 * line past max + MG_SSE_LINE_SLACK.  An event that would be larger is dropped whole: its data is
 * discarded as it comes, and at its blank line the callback hears of it
 * with `too_big` set (and no data), so the owner can tell someone.  The
 * fields of the dropped event other than data still count (an id still
 * moves the last event id, so a resumed stream does not send it again).
 */
#ifndef MG_UPSTREAM_SSE_PARSE_H
#define MG_UPSTREAM_SSE_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* The reconnection time before any retry field, and the largest taken. */
#define MG_SSE_RETRY_NONE UINT32_MAX
#define MG_SSE_RETRY_MAX (24u * 3600 * 1000)
/* A line may be this much longer than max: room for "data: ". */
#define MG_SSE_LINE_SLACK 16
/* Longest event type and id kept; longer ones are cut (ids are opaque
 * tokens, a server has no business sending kilobytes of them). */
#define MG_SSE_MAX_FIELD 1024

struct mg_sse_event {
    const char *type;    /* NUL terminated, "message" by default */
    const char *data;    /* NUL terminated (data may hold NULs: use data_len) */
    size_t data_len;
    const char *id;      /* the last event id after this event, "" if none */
    int too_big;         /* dropped for size: data is "" */
    size_t size;         /* data bytes the event had (when too_big: at least this many) */
};

/* One event; the strings are borrowed for the call.  Return 0 to go on,
 * anything else to stop: mg_sse_feed returns it at once. */
typedef int (*mg_sse_event_fn)(void *ctx, const struct mg_sse_event *ev);

struct mg_sse_parser {
    size_t max;          /* largest event data */
    char *line;          /* the line being read, at most max + MG_SSE_LINE_SLACK bytes */
    size_t line_len, line_cap;
    int line_over;       /* the line went past max: its rest is skipped */
    int after_cr;        /* the last byte was a CR: a following LF is part of it */
    int bom_state;       /* bytes of a leading BOM matched; -1 once past it */
    char *data;          /* joined data lines, each followed by "\n" */
    size_t data_len, data_cap;
    size_t data_size;    /* what data_len would be without the bound */
    int has_data;
    char type[MG_SSE_MAX_FIELD + 1];
    char id[MG_SSE_MAX_FIELD + 1];   /* the last event id buffer */
    uint32_t retry_ms;   /* MG_SSE_RETRY_NONE until a retry field came */
};

/* Start empty; MAX (at least 1) bounds each event's data. */
void mg_sse_init(struct mg_sse_parser *p, size_t max);
/* Free the buffers; the last event id and retry are kept, a partial event
 * is forgotten.  P may be fed again (a new stream of the same source). */
void mg_sse_reset(struct mg_sse_parser *p);

/* Parse N bytes of DATA, calling CB(CTX, ev) for each event.  Returns 0,
 * or the first nonzero value CB returned (the rest of DATA unparsed). */
int mg_sse_feed(struct mg_sse_parser *p, const char *data, size_t n, mg_sse_event_fn cb, void *ctx);

#endif
