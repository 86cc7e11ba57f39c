/*
 * random.h - cryptographically secure random bytes from the kernel.
 *
 * Session ids, the requestState key and its nonces come from getrandom(2)
 * rather than OpenSSL's generator: same quality, and it spares the ~2 MB
 * that initialising OpenSSL's DRBG adds to an idle gateway.
 */
#ifndef MG_UTIL_RANDOM_H
#define MG_UTIL_RANDOM_H

#include <stddef.h>

/* Fill `buf` with `n` random bytes: 0, or -1 if the kernel cannot. */
int mg_random_bytes(void *buf, size_t n);
/* Write `n` random bytes as 2n lowercase hex digits and a NUL to `out`
 * (2n + 1 bytes; n at most 64): 0, or -1 if the kernel cannot. */
int mg_random_hex(char *out, size_t n);

#endif
