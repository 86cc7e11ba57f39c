/*
 * request_state.h - the requestState of input_required results
 * (2026-07-28), integrity-protected.
 *
 * A modern client carries the state of a call that needs input from one
 * round to the next, so the gateway must treat what comes back as
 * attacker-controlled.  A sealed state is a token of util/seal.h (a
 * payload signed with HMAC-SHA256, labelled as a requestState).  The
 * payload binds the handler's state to the tool (or prompt, or resource)
 * name, a digest of the arguments, the input keys asked for, an expiry
 * and a single-use nonce.  The state is signed, not encrypted: a handler
 * must not put secrets in it.
 */
#ifndef MG_MCP_REQUEST_STATE_H
#define MG_MCP_REQUEST_STATE_H

#include <jansson.h>

#include "util/seal.h"
#include "util/strmap.h"

struct mg_state_keeper {
    unsigned char key[MG_SEAL_KEY_LEN]; /* random per process; seals list cursors too */
    unsigned ttl_s;                     /* how long a sealed state is accepted */
    struct mg_strmap spent;             /* nonces already accepted -> expiry (uintptr_t) */
};

/* 0, or -1 when there is no randomness for the key. */
int mg_state_keeper_init(struct mg_state_keeper *k, unsigned ttl_s);
void mg_state_keeper_free(struct mg_state_keeper *k);

/* Seal STATE (may be NULL) for a call of NAME with ARGS (may be NULL)
 * that asked for the input keys KEYS (an array of strings, borrowed).
 * Returns a malloc'd token, or NULL when there is no randomness. */
char *mg_state_seal(struct mg_state_keeper *k, const char *name, json_t *args, json_t *keys, const char *state);

/*
 * Open TOKEN for a call of NAME with ARGS.  On success returns 0, sets
 * *state to the handler's state (malloc'd, or NULL) and *keys to the keys
 * asked for (new reference), and spends the token: a second use is a
 * replay.  Otherwise returns -1 with a reason in *why.
 */
int mg_state_open(struct mg_state_keeper *k, const char *token, const char *name, json_t *args, char **state,
                  json_t **keys, const char **why);

#endif
