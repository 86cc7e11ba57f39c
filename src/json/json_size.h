/*
 * json_size.h - how long a JSON value is as compact text, without
 * writing it.
 *
 * The call record counts the bytes of every tools/call and its reply.
 * jansson can only count by dumping through a callback, which costs
 * about 1.3 us for a small message (a hash table for loop detection, a
 * printf per container); walking the value costs a fraction of that.
 */
#ifndef MG_JSON_JSON_SIZE_H
#define MG_JSON_JSON_SIZE_H

#include <jansson.h>
#include <stddef.h>

/*
 * The length of json_dumps(V, JSON_COMPACT | JSON_ENCODE_ANY): the same
 * escapes (quote, backslash, control characters; UTF-8 as is), the same
 * numbers.  NULL counts 0.
 */
size_t mg_json_compact_size(const json_t *v);

#endif
