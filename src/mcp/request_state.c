/*
 * request_state.c - sealing and opening requestState tokens.
 */
#include "mcp/request_state.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "json/json_parse.h"
#include "util/alloc.h"
#include "util/random.h"
#include "util/seal.h"

#define SPENT_MAX 100000 /* remembered nonces; beyond it new states are refused */

int
mg_state_keeper_init(struct mg_state_keeper *k, unsigned ttl_s)
{
    memset(k, 0, sizeof(*k));
    k->ttl_s = ttl_s;
    mg_strmap_init(&k->spent);
    return mg_random_bytes(k->key, sizeof(k->key));
}

void
mg_state_keeper_free(struct mg_state_keeper *k)
{
    mg_strmap_free(&k->spent);
    OPENSSL_cleanse(k->key, sizeof(k->key));
}

/* Hex SHA-256 of the arguments' canonical text: equal arguments, equal
 * digest, whatever the order the client sent their keys in. */
static void
args_digest(json_t *args, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    char *text = args != NULL ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;

    SHA256((const unsigned char *)(text ? text : ""), text ? strlen(text) : 0, md);
    mg_hex(md, sizeof(md), out);
    free(text);
}

/* What the seal of a requestState is for (seal.h). */
#define LABEL "mcpgate requestState"

char *
mg_state_seal(struct mg_state_keeper *k, const char *name, json_t *args, json_t *keys, const char *state)
{
    unsigned char raw[16];
    char nonce[33], digest[65], *text, *token;
    json_t *payload;

    if (mg_random_bytes(raw, sizeof(raw)) != 0)
        return NULL;
    mg_hex(raw, sizeof(raw), nonce);
    args_digest(args, digest);
    payload = json_pack("{s:i, s:s, s:s, s:O, s:I, s:s}", "v", 1, "name", name, "args", digest, "keys", keys,
                        "exp", (json_int_t)time(NULL) + (json_int_t)k->ttl_s, "nonce", nonce);
    if (state != NULL)
        json_object_set_new(payload, "state", json_string(state));
    text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    token = mg_seal(k->key, LABEL, text, strlen(text));
    free(text);
    return token;
}

/* Forget nonces whose tokens have expired anyway. */
static void
prune(struct mg_state_keeper *k, time_t now)
{
    for (size_t i = 0; i < k->spent.cap; i++) {
        struct mg_strmap_slot *slot = &k->spent.slots[i];
        if (slot->value != NULL && (time_t)(uintptr_t)slot->value < now)
            mg_strmap_del(&k->spent, slot->key);
    }
}

int
mg_state_open(struct mg_state_keeper *k, const char *token, const char *name, json_t *args, char **state,
              json_t **keys, const char **why)
{
    char digest[65], *text;
    size_t n;
    json_t *payload;
    json_int_t exp;
    const char *p_name, *p_args, *p_nonce, *p_state = NULL;
    time_t now = time(NULL);

    *state = NULL;
    *keys = NULL;
    *why = "requestState is not one mcpgate issued, or was altered";
    if ((text = mg_unseal(k->key, LABEL, token, strlen(token), &n)) == NULL)
        return -1;
    payload = mg_json_loadb(text, n, 0, NULL);
    mg_free(text);
    if (json_unpack(payload, "{s:s, s:s, s:o, s:I, s:s, s?s}", "name", &p_name, "args", &p_args, "keys", keys,
                    "exp", &exp, "nonce", &p_nonce, "state", &p_state) != 0) {
        json_decref(payload);
        *keys = NULL;
        return -1;
    }
    args_digest(args, digest);
    if (strcmp(p_name, name) != 0 || strcmp(p_args, digest) != 0) {
        *why = "requestState belongs to another call (a different name or different arguments)";
        goto refuse;
    }
    if (exp < (json_int_t)now) {
        *why = "requestState has expired; call again without it";
        goto refuse;
    }
    if (mg_strmap_get(&k->spent, p_nonce) != NULL) {
        *why = "requestState was already used (a replay); call again without it";
        goto refuse;
    }
    if (k->spent.len >= SPENT_MAX)
        prune(k, now);
    if (k->spent.len >= SPENT_MAX) {
        *why = "too many calls are waiting for input; try again later";
        goto refuse;
    }
    mg_strmap_put(&k->spent, p_nonce, (void *)(uintptr_t)exp);
    json_incref(*keys);
    if (p_state != NULL)
        *state = mg_strdup(p_state);
    json_decref(payload);
    return 0;
refuse:
    json_decref(payload);
    *keys = NULL;
    return -1;
}
