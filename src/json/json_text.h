/*
 * json_text.h - a value as compact JSON text, written in one pass.
 *
 * Every message the gateway sends is encoded here.  jansson's json_dumps
 * gives the same text but costs about twice as much for a small message:
 * it builds a hash table of the containers it is inside (to catch
 * cycles), formats each integer with printf, and grows its buffer from
 * 16 bytes.
 */
#ifndef MG_JSON_JSON_TEXT_H
#define MG_JSON_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/*
 * The text of json_dumps(V, JSON_COMPACT | JSON_ENCODE_ANY), byte for
 * byte, in a new NUL-terminated buffer the caller frees; its length in
 * *LEN when LEN is not NULL.  NULL when V is NULL or nests deeper than
 * 4096 levels (only a cycle, which only a bug could build, does: decoded
 * messages are bounded far below).  Strings are written as they are:
 * jansson holds only valid UTF-8 (every way of making a string checks).
 */
char *mg_json_text(const json_t *v, size_t *len);

#endif
