/*
 * call_impl.h - struct mg_call, shared by call.c (building and ending a
 * result) and call_input.c (asking the client between rounds).  Not a
 * public header.
 */
#ifndef MG_MCP_CALL_IMPL_H
#define MG_MCP_CALL_IMPL_H

#include <jansson.h>
#include <stddef.h>

struct mg_req;
struct mg_gateway;
struct mg_outreq;

/* CALL_COMPLETE: completion/complete for a prompt (call->prompt) or a
 * resource (call->resource, call->uri) of a bundle that completes. */
enum call_kind { CALL_TOOL, CALL_PROMPT, CALL_RESOURCE, CALL_COMPLETE };

/* One request sent to the client in a legacy round, awaiting its answer. */
struct call_ask {
    struct mg_call *call;
    struct mg_outreq *out; /* NULL once answered or withdrawn */
    const char *key;       /* borrowed from call->asks */
};

struct mg_call {
    enum call_kind kind;
    struct mg_req *req;
    struct mg_tool *tool;         /* CALL_TOOL */
    struct mg_prompt *prompt;     /* CALL_PROMPT */
    struct mg_resource *resource; /* CALL_RESOURCE */
    char *uri;                    /* CALL_RESOURCE: the URI read; CALL_COMPLETE: the reference's */
    json_t *roles;                /* CALL_PROMPT: the role of each content block */
    const char *role;
    struct mg_gateway *gw;
    json_t *args;       /* validated arguments */
    json_t *task;       /* CALL_TOOL: params.task of a task-augmented call (2025-11-25), or NULL */
    json_t *content;    /* array of content blocks */
    json_t *structured; /* or NULL */
    void (*on_cancel)(struct mg_call *call, void *data);
    void *cancel_data;

    /* Input from the client (call_input.c). */
    json_t *inputs;         /* this round's answers: key -> result, or NULL */
    char *state;            /* the handler's state from the previous round */
    json_t *asks;           /* this round's questions: key -> {method, params} */
    int rounds;             /* legacy: rounds asked so far */
    struct call_ask *pending; /* legacy: one per ask of the round */
    size_t npending, waiting;
    json_t *next_inputs;    /* legacy: answers gathered for the next round */
    char *ask_error;        /* legacy: why the client could not answer */
    int ask_lost;           /* legacy: the session ended while asking */
};

/* call.c */
void mg_call_run_handler(struct mg_call *call);
void mg_call_destroy(struct mg_call *call);
const char *mg_call_name(const struct mg_call *call);

/* call_input.c */
/* Take inputResponses and requestState from a modern request's params.
 * Returns 0, or -1 after answering the request with -32602. */
int mg_call_take_inputs(struct mg_call *call, json_t *params, const char *name);
/* Withdraw the questions still unanswered (legacy). */
void mg_call_withdraw_asks(struct mg_call *call);

#endif
