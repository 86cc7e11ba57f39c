/*
 * gateway.h - the gateway object shared by every session and transport.
 */
#ifndef MG_GATEWAY_GATEWAY_H
#define MG_GATEWAY_GATEWAY_H

#include <stddef.h>
#include <uv.h>

#include "gateway/catalog.h"
#include "mcp/request_state.h"

struct mg_upstream;
struct mg_session;
struct mg_req;
struct mg_curl_loop;
struct mg_config;
struct mg_search;
struct mg_store_writer;
struct mg_calls_retention;

/* The tasks of upstream servers (upstream_tasks.c): where a session's
 * tasks/get, tasks/result, tasks/cancel and tasks/list go. */
struct mg_tasks {
    void (*request)(struct mg_gateway *gw, struct mg_req *req, json_t *params);
};

struct mg_gateway {
    uv_loop_t *loop;
    const struct mg_config *cfg; /* borrowed, for the life of the gateway; NULL in some tests */
    struct mg_catalog catalog;
    struct mg_search *search; /* tool search index, made by the first search (search.h), or NULL */
    size_t max_message;     /* largest inbound message, bytes */
    long long list_ttl_ms;  /* ttlMs on modern list results */
    size_t list_page_size;  /* most items on one page of a list, >= 1 */
    unsigned drain_ms;      /* how long in-flight calls may run after end of input */
    struct mg_state_keeper states; /* requestState of input_required results */
    struct mg_session *sessions;   /* every open session (subscriptions.c) */
    struct mg_upstream **upstreams; /* configured servers (upstream.c) */
    size_t nupstreams;
    struct mg_upstream *upstreams_retired; /* gone from the config by a reload (upstream_reload.c) */
    size_t upstreams_running;      /* children not yet stopped */
    struct mg_curl_loop *curl;     /* HTTP to upstreams; made when the first url server starts, or NULL */
    int upstreams_stopping;
    void (*upstreams_done)(void *ctx);
    /* A client session ended, or set its log level (upstream.c reaps
     * what it kept for the session and passes levels on to servers). */
    void (*session_closed)(struct mg_gateway *gw, const struct mg_session *s);
    void (*session_log_level)(struct mg_gateway *gw, const struct mg_session *s);
    struct mg_tasks *tasks;        /* upstreams' tasks, or NULL: no upstreams, no tasks */
    void *upstreams_done_ctx;
    /* The store (store/store.h), opened by serve and stdio at start and
     * closed after the last request (cli/run.c): its writer thread and
     * its file, or NULL with the reason in store_error. */
    struct mg_store_writer *writer;
    char *store_path;
    char *store_error;
    /* The call record (mcp/call_record.c): on when the store is open and
     * the config enables it. */
    int record_calls;
    int record_arguments;
    struct mg_calls_retention *retention; /* the writer applies it */
};

#endif
