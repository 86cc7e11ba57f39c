/*
 * duration.h - spans of time as people write them: "90s", "15m", "2h",
 * "7d", "4w", or a bare number of seconds.
 *
 * Used where a setting or an option is a window of time too long for
 * plain seconds to read well (call_record.max_age, `mcpgate calls
 * --since`).
 */
#ifndef MG_UTIL_DURATION_H
#define MG_UTIL_DURATION_H

#include <stdint.h>

/*
 * Parse S, digits and an optional unit (s, m, h, d or w; none means
 * seconds), into *OUT_S seconds.  Returns 0, or -1 (and *OUT_S untouched)
 * when S is not one, is 0, or is longer than MAX_S seconds.
 */
int mg_duration_parse(const char *s, uint64_t max_s, uint64_t *out_s);

#endif
