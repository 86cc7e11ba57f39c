/*
 * curl_loop.h - libcurl's multi-socket API driven by a uv loop.
 *
 * One curl multi handle per uv loop: curl says which sockets it waits on
 * (CURLMOPT_SOCKETFUNCTION, one uv_poll_t each) and when it wants to be
 * woken (CURLMOPT_TIMERFUNCTION, one uv_timer_t); this module turns uv's
 * events back into curl_multi_socket_action() and hands each finished
 * transfer to its owner.  Nothing here blocks: DNS goes through curl's
 * threaded resolver, everything else through the loop.
 *
 * Ownership and timing, in the spirit of libuv's close callbacks:
 *   - mg_curl_loop_add() takes the easy handle and its header list;
 *     both are cleaned up after the transfer's DONE has returned.
 *   - DONE runs exactly once per added transfer: with curl's result when
 *     it ends, or with MG_CURL_ABORTED after mg_curl_loop_abort() or
 *     mg_curl_loop_close().  It never runs from inside a call to this
 *     module, so the owner frees its per-transfer state in DONE and
 *     nowhere else.
 *   - curl forbids most multi calls from inside its own callbacks (write,
 *     header); adding or aborting from there is deferred until curl
 *     returns.  An aborted transfer's write callback may still run until
 *     then: it should check its owner's state and return 0 (which makes
 *     curl stop the transfer).
 *   - Callbacks of every kind run on the loop thread.
 */
#ifndef MG_UPSTREAM_CURL_LOOP_H
#define MG_UPSTREAM_CURL_LOOP_H

#include <curl/curl.h>
#include <uv.h>

/* The result DONE gets for a transfer ended by abort or close.  curl
 * itself never reports it: nothing here installs a progress callback. */
#define MG_CURL_ABORTED CURLE_ABORTED_BY_CALLBACK

struct mg_curl_loop;

/* A transfer ended: RESULT is CURLE_OK (whatever the HTTP status),
 * curl's error, or MG_CURL_ABORTED.  EASY may be queried (getinfo) until
 * DONE returns. */
typedef void (*mg_curl_done_fn)(void *ctx, CURL *easy, CURLcode result);

/* A curl driver on LOOP, or NULL if curl has no multi handle for it (as
 * when libcurl cannot be loaded: the first curl call loads it, and runs
 * curl_global_init, see curl_lazy.c). */
struct mg_curl_loop *mg_curl_loop_new(uv_loop_t *loop);

uv_loop_t *mg_curl_loop_uv(const struct mg_curl_loop *cl);

/*
 * Start EASY, with HEADERS (NULL or the list set as CURLOPT_HTTPHEADER).
 * Both are taken, whatever the result.  Returns 0, or -1 when the loop is
 * closing or curl refuses the handle; DONE then never runs.
 */
int mg_curl_loop_add(struct mg_curl_loop *cl, CURL *easy, struct curl_slist *headers, mg_curl_done_fn done,
                     void *ctx);

/* End the transfer of EASY now; its DONE runs on a later loop turn with
 * MG_CURL_ABORTED.  Aborting twice, or from inside its DONE, does nothing;
 * after its DONE returned, EASY is gone. */
void mg_curl_loop_abort(struct mg_curl_loop *cl, CURL *easy);

/* Transfers added and whose DONE has not run yet. */
size_t mg_curl_loop_count(const struct mg_curl_loop *cl);

/*
 * Abort every transfer (each DONE runs), close every uv handle, free CL,
 * then call CLOSED(CTX) (may be NULL).  Adding fails from now on.  Users
 * that keep CL (an http_link) must have stopped before CLOSED runs.
 */
void mg_curl_loop_close(struct mg_curl_loop *cl, void (*closed)(void *ctx), void *ctx);

#endif
