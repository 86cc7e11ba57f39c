/*
 * call_record.h - taking the call record of each tools/call, at the
 * request level (session.c), whatever the transport and the outcome.
 *
 * A record begins when a tools/call request arrives (time, caller, tool
 * name, request size, arguments when the config asks) and ends with the
 * request: its reply (or none, when cancelled) gives the outcome, the
 * error message and the response size.  It is then queued to the store's
 * writer thread (store/store_calls.h); nothing is written on the loop.
 *
 * Cost on the loop when on: one allocation and a few small copies, a
 * clock read at each end, counting the request's and the reply's bytes
 * (a walk over the JSON, nothing written: json/json_size.h), and a
 * mutex to queue the row.
 */
#ifndef MG_MCP_CALL_RECORD_H
#define MG_MCP_CALL_RECORD_H

#include <jansson.h>

struct mg_req;
struct mg_session;

/* Longest tool name kept as requested (a name no tool has). */
#define MG_CALL_RECORD_NAME_MAX 256

/* Begin the record of REQ, a tools/call request: MSG is the whole
 * message and PARAMS its params (both borrowed).  Nothing when the
 * gateway does not record calls. */
void mg_call_record_begin(struct mg_req *req, json_t *msg, json_t *params);

/* REQ ends with REPLY (borrowed; NULL: no reply is sent, it was
 * cancelled): complete the record and queue it. */
void mg_call_record_end(struct mg_req *req, json_t *reply);

/* A tools/call message MSG (borrowed) of session S answered with REPLY
 * (borrowed) before it became a request (a reused id, too many in
 * progress): recorded as an error of no duration. */
void mg_call_record_refused(struct mg_session *s, json_t *msg, json_t *reply);

#endif
