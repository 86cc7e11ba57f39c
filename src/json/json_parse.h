/*
 * json_parse.h - a fast path for decoding well-formed JSON messages.
 *
 * jansson's parser reads its input a character at a time through a
 * stream with one-character push-back and copies every token through a
 * growing buffer: about a tenth of the gateway's CPU on a small
 * tools/call, which it decodes twice (the request, the upstream's
 * answer).  This parser walks the bytes directly and builds the same
 * jansson values.
 */
#ifndef MG_JSON_JSON_PARSE_H
#define MG_JSON_JSON_PARSE_H

#include <jansson.h>
#include <stddef.h>

/*
 * The value of the JSON text BUF[LEN] (any value at the top, whitespace
 * around it), equal to what json_loadb(JSON_DECODE_ANY) gives, keys in
 * the same order; or NULL when this parser does not decode it: text that
 * is not JSON, a string holding U+0000, an integer beyond 64 bits, a
 * real beyond a double, or a value deeper than MAX_DEPTH (the top value
 * is at depth 1).  On NULL the caller asks jansson, which says why.  It
 * never decodes what jansson refuses; tests/unit/test_json_parse.c and
 * fuzz_message hold it to that.
 */
json_t *mg_json_parse(const char *buf, size_t len, int max_depth);

/*
 * json_loadb(BUF, LEN, FLAGS, ERR), by the fast path when it can: the
 * same value, or NULL with ERR (when not NULL) filled by jansson.  FLAGS
 * other than JSON_DECODE_ANY go to jansson alone.
 */
json_t *mg_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);

#endif
