/*
 * json_escape.h - how compact JSON text escapes a byte inside a string,
 * as jansson writes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH.
 * json_text.c writes by this rule and json_size.c counts by it.
 */
#ifndef MG_JSON_JSON_ESCAPE_H
#define MG_JSON_JSON_ESCAPE_H

/*
 * The letter after the backslash for byte C: one of " \ b f n r t, or
 * 'u' for any other control character (written \u00XX, upper-case hex);
 * 0 when C is written as it is (every other byte, UTF-8 included).
 */
static inline char
mg_json_escape_of(unsigned char c)
{
    if (c >= 0x20)
        return c == '"' || c == '\\' ? (char)c : 0;
    switch (c) {
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case '\n':
        return 'n';
    case '\r':
        return 'r';
    case '\t':
        return 't';
    default:
        return 'u';
    }
}

#endif
