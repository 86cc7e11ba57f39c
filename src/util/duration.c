/*
 * duration.c - "7d" and friends into seconds.
 *
 * Parsed by hand, digit by digit, with the value capped as it grows, so
 * that no length of digits can wrap around into range.
 */
#include "util/duration.h"

#include <stddef.h>

static const struct unit {
    char c;
    uint64_t seconds;
} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};

int
mg_duration_parse(const char *s, uint64_t max_s, uint64_t *out_s)
{
    uint64_t v = 0, scale = 1;
    const char *c = s;

    if (s == NULL)
        return -1;
    for (; *c >= '0' && *c <= '9'; c++) {
        v = v * 10 + (uint64_t)(*c - '0');
        if (v > max_s)
            return -1;
    }
    if (c == s)
        return -1;
    if (*c != '\0') {
        size_t i;
        for (i = 0; i < sizeof(units) / sizeof(units[0]) && units[i].c != *c; i++)
            ;
        if (i == sizeof(units) / sizeof(units[0]) || c[1] != '\0')
            return -1;
        scale = units[i].seconds;
    }
    if (v == 0 || v > max_s / scale)
        return -1;
    *out_s = v * scale;
    return 0;
}
