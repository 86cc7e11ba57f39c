/*
 * seal.c - signing and checking the tokens of seal.h.
 */
#include "util/seal.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/alloc.h"
#include "util/base64.h"

#define MAC_HEX 64 /* hex digits of a SHA-256 MAC */

void
mg_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The hex MAC of N bytes of DATA under the key for LABEL. */
static void
mac_of(const unsigned char *key, const char *label, const char *data, size_t n, char out[MAC_HEX + 1])
{
    unsigned char sub[EVP_MAX_MD_SIZE], md[EVP_MAX_MD_SIZE];
    unsigned int sub_len = 0, len = 0;

    /* A key per purpose: two HMACs of a few dozen bytes cost about 2 us,
     * and spare copying the label and the data into one buffer. */
    HMAC(EVP_sha256(), key, MG_SEAL_KEY_LEN, (const unsigned char *)label, strlen(label), sub, &sub_len);
    HMAC(EVP_sha256(), sub, (int)sub_len, (const unsigned char *)data, n, md, &len);
    OPENSSL_cleanse(sub, sizeof(sub));
    mg_hex(md, len, out);
}

char *
mg_seal(const unsigned char *key, const char *label, const void *payload, size_t n)
{
    char *encoded = mg_base64_encode(payload, n), *token;
    size_t enc_len = strlen(encoded);

    token = mg_realloc(encoded, enc_len + 1 + MAC_HEX + 1);
    mac_of(key, label, token, enc_len, token + enc_len + 1);
    token[enc_len] = '.';
    return token;
}

char *
mg_unseal(const unsigned char *key, const char *label, const char *token, size_t len, size_t *n)
{
    char mac[MAC_HEX + 1];
    size_t enc_len;

    /* The MAC is checked before anything reads the payload, and in
     * constant time, so a forger learns nothing from how it fails. */
    if (len < MAC_HEX + 1 || token[len - MAC_HEX - 1] != '.')
        return NULL;
    enc_len = len - MAC_HEX - 1;
    mac_of(key, label, token, enc_len, mac);
    if (CRYPTO_memcmp(mac, token + enc_len + 1, MAC_HEX) != 0)
        return NULL;
    return mg_base64_decode(token, enc_len, n);
}
