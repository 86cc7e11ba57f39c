/*
 * secret.h - API key secrets: making them, hashing them, naming keys.
 *
 * A secret is "sk-mcpgate-" followed by 43 characters of [0-9A-Za-z]
 * drawn uniformly from the kernel's generator: 43 * log2(62) = 256 bits.
 * The prefix lets people, log scrubbers and secret scanners recognise
 * one; base62 keeps it one word (a double click selects all of it) and
 * safe in a header, a URL or a shell without quoting.
 *
 * Only SHA-256(secret) is stored.  A fast hash is right here, unlike for
 * passwords: a slow hash (bcrypt, argon2) protects guessable inputs, and
 * nobody can guess among 2^256 secrets, fast hash or not.  A slow hash
 * would instead cost milliseconds on every request, since every request
 * is authenticated.
 */
#ifndef MG_AUTH_SECRET_H
#define MG_AUTH_SECRET_H

#include <stddef.h>

#define MG_SECRET_PREFIX "sk-mcpgate-"
#define MG_SECRET_PREFIX_LEN (sizeof(MG_SECRET_PREFIX) - 1)
#define MG_SECRET_BODY_LEN 43
#define MG_SECRET_LEN (MG_SECRET_PREFIX_LEN + MG_SECRET_BODY_LEN)
#define MG_SECRET_HASH_LEN 32

/* "key_" + 12 hex digits. */
#define MG_KEY_ID_LEN 16

/* A new secret into OUT (MG_SECRET_LEN + 1 bytes, NUL terminated).
 * Returns 0, or -1 when the kernel has no randomness to give. */
int mg_secret_new(char *out);

/* SHA-256 of the LEN bytes of SECRET into OUT (MG_SECRET_HASH_LEN). */
void mg_secret_hash(const char *secret, size_t len, unsigned char *out);

/* A new key id into OUT (MG_KEY_ID_LEN + 1 bytes); 0, or -1 as above. */
int mg_key_id_new(char *out);

/* 1 when S (LEN bytes) has the form of a secret: prefix and length right,
 * base62 body.  Says nothing about whether any key has it. */
int mg_secret_well_formed(const char *s, size_t len);

/* Compare two hashes in constant time: 1 when equal. */
int mg_secret_hash_equal(const unsigned char *a, const unsigned char *b);

#endif
