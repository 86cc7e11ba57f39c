/*
 * base64.h - standard base64 (RFC 4648 section 4, with padding).
 */
#ifndef MG_UTIL_BASE64_H
#define MG_UTIL_BASE64_H

#include <stddef.h>

/* Encode N bytes; returns a malloc'd, NUL-terminated string. */
char *mg_base64_encode(const void *in, size_t n);

/* Decode LEN characters; returns the malloc'd bytes, NUL-terminated, with
 * their count in *OUT_LEN, or NULL when IN is not base64. */
char *mg_base64_decode(const char *in, size_t len, size_t *out_len);

#endif
