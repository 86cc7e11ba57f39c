/*
 * seal.h - tokens a client carries from one request to the next and must
 * not be able to alter: a payload signed with HMAC-SHA256 under a
 * per-process key.  A token is
 *
 *     base64(payload) "." hex(HMAC-SHA256(K, base64(payload)))
 *
 * where K = HMAC-SHA256(key, label).  The label says what the token is
 * for (a requestState, a list cursor), so a token sealed for one purpose
 * never opens as another, though both share the gateway's key.  Tokens
 * are signed, not encrypted: the client can read the payload.
 */
#ifndef MG_UTIL_SEAL_H
#define MG_UTIL_SEAL_H

#include <stddef.h>

#define MG_SEAL_KEY_LEN 32

/* N bytes of IN as lower-case hex into OUT (2 * N + 1 bytes, NUL-ended). */
void mg_hex(const unsigned char *in, size_t n, char *out);

/* Seal N bytes of PAYLOAD under KEY (MG_SEAL_KEY_LEN bytes) for LABEL.
 * Returns a malloc'd, NUL-terminated token. */
char *mg_seal(const unsigned char *key, const char *label, const void *payload, size_t n);

/*
 * Open the LEN bytes of TOKEN sealed under KEY for LABEL.  Returns the
 * payload (malloc'd, NUL-terminated, its length in *N), or NULL when TOKEN
 * is not a token mg_seal made with this key and label, or was altered.
 */
char *mg_unseal(const unsigned char *key, const char *label, const char *token, size_t len, size_t *n);

#endif
