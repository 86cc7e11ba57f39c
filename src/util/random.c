/*
 * random.c - getrandom(2), retried on interruption and short reads.
 */
#include "util/random.h"

#include <errno.h>
#include <sys/random.h>

/* Most bytes mg_random_hex() writes. */
#define HEX_MAX 64

int
mg_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int
mg_random_hex(char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[HEX_MAX];

    if (n > HEX_MAX || mg_random_bytes(raw, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * n] = '\0';
    return 0;
}
