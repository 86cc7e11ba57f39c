/*
 * call_record.c - filling a call record from the request and its reply.
 *
 * Outcomes, from what the client was sent:
 *   error       a JSON-RPC error: unknown tool, invalid params, and
 *               invalid arguments before 2025-11-25 (-32602)
 *   tool_error  a result with isError: the tool failed, or (2025-11-25
 *               and modern) its arguments were invalid (SEP-1303)
 *   cancelled   no reply: the client cancelled it or went away
 *   ok          any other result (input_required included: the call
 *               goes on in a request of its own)
 */
#include "mcp/call_record.h"

#include <string.h>
#include <uv.h>

#include "gateway/gateway.h"
#include "json/json_size.h"
#include "mcp/session.h"
#include "store/store.h"
#include "store/store_calls.h"
#include "util/alloc.h"

/* A copy of S up to its first line break and at most MAX bytes, cut
 * before a UTF-8 sequence it would split. */
static char *
first_line(const char *s, size_t max)
{
    size_t n = strcspn(s, "\r\n");

    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return mg_strndup(s, n);
}

/* A copy of the tool name as requested (a name no tool may have). */
static char *
requested_name(const json_t *name)
{
    return first_line(json_is_string(name) ? json_string_value(name) : "", MG_CALL_RECORD_NAME_MAX);
}

/* A new row for tools/call MSG of session S: arrival, caller, size and,
 * when asked, the arguments.  The tool comes later. */
static struct mg_call_row *
row_begin(struct mg_session *s, json_t *msg, json_t *params)
{
    struct mg_call_row *r = mg_call_row_new();

    r->time_us = mg_store_now_us();
    memcpy(r->key_id, s->caller.key.id, sizeof(r->key_id));
    r->project = s->caller.project != NULL ? mg_strdup(s->caller.project) : NULL;
    r->session = s->caller.session_id != NULL ? mg_strdup(s->caller.session_id) : NULL;
    r->request_bytes = (int64_t)mg_json_compact_size(msg);
    if (s->gw->record_arguments) {
        json_t *args = json_object_get(params, "arguments");
        if (args != NULL)
            r->arguments = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
    }
    return r;
}

/* The outcome and error message of REPLY into R. */
static void
row_end(struct mg_call_row *r, json_t *reply)
{
    json_t *error = json_object_get(reply, "error"), *result = json_object_get(reply, "result");
    const char *text = NULL;

    r->response_bytes = (int64_t)mg_json_compact_size(reply);
    if (error != NULL) {
        r->outcome = MG_CALL_ERROR;
        text = json_string_value(json_object_get(error, "message"));
    } else if (json_is_true(json_object_get(result, "isError"))) {
        json_t *block;
        size_t i;

        r->outcome = MG_CALL_TOOL_ERROR;
        /* What the tool said: its first text block. */
        json_array_foreach (json_object_get(result, "content"), i, block) {
            if ((text = json_string_value(json_object_get(block, "text"))) != NULL)
                break;
        }
    } else {
        r->outcome = MG_CALL_OK;
    }
    if (text != NULL)
        r->error = first_line(text, MG_CALLS_ERROR_MAX);
}

void
mg_call_record_begin(struct mg_req *req, json_t *msg, json_t *params)
{
    struct mg_gateway *gw = req->s->gw;

    if (!gw->record_calls || gw->writer == NULL)
        return;
    req->record.row = row_begin(req->s, msg, params);
    req->record.to = gw->writer;
    req->record.start_ns = uv_hrtime();
    /* Copied only if no tool is found (mg_req_set_tool): one copy less
     * on the path every successful call takes. */
    req->record.name = json_incref(json_object_get(params, "name"));
}

void
mg_req_set_tool(struct mg_req *req, const char *server, const char *tool)
{
    struct mg_call_row *r = req->record.row;

    if (r == NULL)
        return;
    mg_free(r->server);
    mg_free(r->tool);
    r->server = mg_strdup(server);
    r->tool = mg_strdup(tool);
}

void
mg_call_record_end(struct mg_req *req, json_t *reply)
{
    struct mg_call_row *r = req->record.row;

    if (r == NULL)
        return;
    req->record.row = NULL;
    r->duration_us = (int64_t)((uv_hrtime() - req->record.start_ns) / 1000);
    if (r->tool == NULL)
        r->tool = requested_name(req->record.name);
    json_decref(req->record.name);
    req->record.name = NULL;
    if (reply != NULL)
        row_end(r, reply);
    else
        r->outcome = MG_CALL_CANCELLED;
    mg_store_call_push(req->record.to, r);
}

void
mg_call_record_refused(struct mg_session *s, json_t *msg, json_t *reply)
{
    struct mg_call_row *r;

    if (!s->gw->record_calls || s->gw->writer == NULL)
        return;
    r = row_begin(s, msg, json_object_get(msg, "params"));
    r->tool = requested_name(json_object_get(json_object_get(msg, "params"), "name"));
    row_end(r, reply);
    mg_store_call_push(s->gw->writer, r);
}
