/*
 * upstream_bridge.c - a 2026-07-28 client calling a server of the legacy
 * era that asks for sampling, elicitation or roots mid-call.
 *
 * The legacy server sends a request and waits for its answer; the modern
 * client cannot receive requests, only an input_required result, after
 * which it calls again with the answers.  So the gateway ends the client's
 * call with input_required (the server's requests as inputRequests, the
 * forward's serial number in the sealed requestState) and parks the
 * forward: the upstream call stays open.  The client's retry finds the
 * parked forward, the answers go upstream as responses, and the retry's
 * call takes the forward over; further requests make further rounds.
 *
 * Requests a server sends together belong to one round: a round ends
 * GATHER_MS after its first request.  A parked forward the client does
 * not come back for is cancelled upstream after PARK_MAX_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcpgate.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

#define GATHER_MS 20
#define PARK_MAX_MS (10u * 60u * 1000u)

static void
on_gather(uv_timer_t *t)
{
    struct mg_upstream *u = t->data;
    char state[48];

    for (struct fwd *f = u->fwds; f != NULL; f = f->next) {
        struct mg_call *call = f->call;
        if (call == NULL || json_object_size(f->asked) == 0)
            continue;
        f->call = NULL;
        f->parked_at = uv_now(u->gw->loop);
        u->nparked++;
        snprintf(state, sizeof(state), "fwd:%lu", f->serial);
        mg_call_set_state(call, state);
        mg_call_input_required(call); /* answers the client and ends the call */
    }
}

void
mg_upstream_bridge_ask(struct fwd *f, json_t *id, const char *method, json_t *params)
{
    struct mg_upstream *u = f->u;
    struct mg_call *call = f->call;
    char *idtext = json_is_string(id) ? NULL : json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY), key[96], msg[300];
    const char *cap = mg_call_capability_for(method);

    /* The key names the request; the server's own request id is all a
     * legacy request has to tell it apart. */
    snprintf(key, sizeof(key), "%s-%s", u->sc->name, idtext ? idtext : json_string_value(id));
    free(idtext);
    if (mg_call_ask(call, key, method, json_incref(params)) != 0) {
        /* The client did not declare what the server needs: the server
         * hears so and goes on without it, as it would with this client. */
        if (cap != NULL)
            snprintf(msg, sizeof(msg), "mcpgate could not pass %s to the client: it did not declare the '%s' "
                     "capability", method, cap);
        else
            snprintf(msg, sizeof(msg), "mcpgate does not pass %s on to clients", method);
        mg_rpc_client_respond_error(&u->rpc, id, MG_RPC_INTERNAL_ERROR, msg);
        return;
    }
    if (f->asked == NULL)
        f->asked = json_object();
    json_object_set(f->asked, key, id);
    if (!uv_is_active((uv_handle_t *)&u->gather))
        uv_timer_start(&u->gather, on_gather, GATHER_MS, 0);
}

static struct fwd *
parked(struct mg_upstream *u, const char *state)
{
    char *end;
    unsigned long serial;

    if (state == NULL || strncmp(state, "fwd:", 4) != 0)
        return NULL;
    serial = strtoul(state + 4, &end, 10);
    for (struct fwd *f = u->fwds; f != NULL; f = f->next)
        if (f->call == NULL && f->serial == serial)
            return f;
    return NULL;
}

int
mg_upstream_bridge_resume(struct mg_upstream *u, struct mg_call *call)
{
    const char *state = mg_call_state(call), *key;
    struct fwd *f;
    json_t *id;
    char msg[400];

    if (state == NULL || strncmp(state, "fwd:", 4) != 0)
        return 0;
    if ((f = parked(u, state)) == NULL) {
        snprintf(msg, sizeof(msg), "Upstream %s: the call this requestState continues is no longer open (it "
                 "expired, or the server restarted); call the tool again", u->sc->name);
        mg_call_fail_rpc(call, MG_RPC_INVALID_PARAMS, msg, NULL);
        return 1;
    }
    json_object_foreach (f->asked, key, id) {
        json_t *answer = mg_call_input(call, key);
        if (answer != NULL)
            mg_rpc_client_respond(&u->rpc, id, json_incref(answer));
        else
            mg_rpc_client_respond_error(&u->rpc, id, MG_RPC_INTERNAL_ERROR, "the client gave no answer");
    }
    json_decref(f->asked);
    f->asked = NULL;
    f->call = call;
    u->nparked--;
    if (f->result != NULL || f->error != NULL || f->why != NULL) {
        /* The server answered while the client was away. */
        mg_upstream_fwd_unlink(f);
        mg_upstream_fwd_finish(f, call, f->result, f->error, f->why);
        mg_upstream_fwd_free(f);
        return 1;
    }
    mg_call_on_cancel(call, mg_upstream_fwd_cancel, f);
    return 1;
}

void
mg_upstream_bridge_sweep(struct mg_upstream *u)
{
    uint64_t now = uv_now(u->gw->loop);
    struct fwd *f = u->fwds, *next;

    if (u->nparked == 0)
        return; /* the common case: nothing to walk on each call */
    for (; f != NULL; f = next) {
        next = f->next;
        if (f->call != NULL || now - f->parked_at < PARK_MAX_MS)
            continue;
        mg_log_info("upstream %s: a client did not come back with its answers; the call is cancelled", u->sc->name);
        if (f->id >= 0) {
            mg_rpc_client_notify(&u->rpc, "notifications/cancelled",
                                 json_pack("{s:I, s:s}", "requestId", (json_int_t)f->id, "reason",
                                           "the client did not come back with its answers"));
            mg_rpc_client_forget(&u->rpc, f->id);
        }
        mg_upstream_fwd_unlink(f);
        mg_upstream_fwd_free(f);
        u->nparked--;
    }
}
