/*
 * secret.c - making and hashing API key secrets.
 *
 * Randomness comes from getrandom(2) (util/random.c) rather than
 * RAND_bytes: the same kernel generator OpenSSL seeds from, without
 * initialising OpenSSL's DRBG in every process that makes a key.
 */
#include "auth/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int
mg_secret_new(char *out)
{
    unsigned char buf[64];
    size_t n = 0;

    memcpy(out, MG_SECRET_PREFIX, MG_SECRET_PREFIX_LEN);
    /* Rejection sampling: bytes 248..255 are dropped so that each of the
     * 62 characters is exactly as likely (248 = 4 * 62). */
    while (n < MG_SECRET_BODY_LEN) {
        if (mg_random_bytes(buf, sizeof(buf)) != 0)
            return -1;
        for (size_t i = 0; i < sizeof(buf) && n < MG_SECRET_BODY_LEN; i++)
            if (buf[i] < 248)
                out[MG_SECRET_PREFIX_LEN + n++] = base62[buf[i] % 62];
    }
    out[MG_SECRET_LEN] = '\0';
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

void
mg_secret_hash(const char *secret, size_t len, unsigned char *out)
{
    unsigned int n = 0;

    /* Only fails when out of memory, and mcpgate aborts on that. */
    if (EVP_Digest(secret, len, out, &n, EVP_sha256(), NULL) != 1 || n != MG_SECRET_HASH_LEN)
        abort();
}

int
mg_key_id_new(char *out)
{
    memcpy(out, "key_", 4);
    return mg_random_hex(out + 4, 6);
}

int
mg_secret_well_formed(const char *s, size_t len)
{
    if (len != MG_SECRET_LEN || memcmp(s, MG_SECRET_PREFIX, MG_SECRET_PREFIX_LEN) != 0)
        return 0;
    for (size_t i = MG_SECRET_PREFIX_LEN; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

int
mg_secret_hash_equal(const unsigned char *a, const unsigned char *b)
{
    return CRYPTO_memcmp(a, b, MG_SECRET_HASH_LEN) == 0;
}
