/*
 * base64.c - base64 on top of OpenSSL's block coder, which does the work
 * but counts padding as decoded zero bytes and wants whole quads.
 */
#include "util/base64.h"

#include <openssl/evp.h>

#include "util/alloc.h"

char *
mg_base64_encode(const void *in, size_t n)
{
    char *out = mg_malloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

char *
mg_base64_decode(const char *in, size_t len, size_t *out_len)
{
    char *out;
    int n;

    if (len % 4 != 0 || len > (size_t)1 << 30)
        return NULL;
    out = mg_malloc(len / 4 * 3 + 1);
    n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
    if (n < 0) {
        mg_free(out);
        return NULL;
    }
    if (len >= 1 && in[len - 1] == '=')
        n--;
    if (len >= 2 && in[len - 2] == '=')
        n--;
    out[n] = '\0';
    *out_len = (size_t)n;
    return out;
}
