/*
 * schema_format.c - the "format" checks tools rely on: date-time, date,
 * time (RFC 3339), email (the RFC 5321 dot-atom form), uri (RFC 3986,
 * absolute) and uuid (RFC 4122 text form).  Unknown formats pass, as the
 * specification requires.
 */
#include <ctype.h>
#include <string.h>

#include "json/schema_impl.h"

/* N decimal digits at S into *OUT. */
static int
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int
days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* full-date = YYYY-MM-DD */
static int
full_date(const char *s, size_t len)
{
    int y, m, d;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* full-time = HH:MM:SS[.frac](Z|+HH:MM|-HH:MM).  A leap second is
 * accepted only where it can occur: 23:59:60 in UTC. */
static int
full_time(const char *s, size_t len)
{
    int h, m, sec, oh = 0, om = 0, sign = 0;
    size_t i = 8;

    if (len < 9 || s[2] != ':' || s[5] != ':')
        return 0;
    if (!digits(s, 2, &h) || !digits(s + 3, 2, &m) || !digits(s + 6, 2, &sec))
        return 0;
    if (h > 23 || m > 59 || sec > 60)
        return 0;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
        if (i == start)
            return 0;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '-' ? -1 : 1;
        if (len - i != 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om))
            return 0;
        if (oh > 23 || om > 59)
            return 0;
        i += 6;
    } else {
        return 0;
    }
    if (i != len)
        return 0;
    if (sec == 60) {
        /* Convert to UTC minutes of the day; the leap second is 23:59:60Z. */
        int utc = ((h * 60 + m) - sign * (oh * 60 + om)) % 1440;
        if (utc < 0)
            utc += 1440;
        if (utc != 23 * 60 + 59)
            return 0;
    }
    return 1;
}

static int
date_time(const char *s, size_t len)
{
    if (len < 20 || (s[10] != 'T' && s[10] != 't'))
        return 0;
    return full_date(s, 10) && full_time(s + 11, len - 11);
}

static int
atext(int c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL) || c >= 0x80;
}

/* local@domain: a dot-atom local part (no leading, trailing or doubled
 * dots) and a domain of dot-separated labels or an address literal. */
static int
email(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    size_t local, dlen;
    const char *d;

    if (at == NULL)
        return 0;
    local = (size_t)(at - s);
    d = at + 1;
    dlen = len - local - 1;
    if (local == 0 || local > 64 || dlen == 0 || memchr(d, '@', dlen) != NULL)
        return 0;
    if (s[0] == '.' || s[local - 1] == '.')
        return 0;
    for (size_t i = 0; i < local; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !atext((unsigned char)s[i]))
            return 0;
    }
    if (d[0] == '[')
        return d[dlen - 1] == ']' && dlen > 2;
    if (d[0] == '.' || d[0] == '-' || d[dlen - 1] == '.' || d[dlen - 1] == '-')
        return 0;
    for (size_t i = 0; i < dlen; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.' ? d[i + 1] == '.' : !(isalnum(c) || c == '-' || c >= 0x80))
            return 0;
    }
    return 1;
}

/* Characters RFC 3986 allows anywhere in a URI, '%' checked separately. */
static int
uri_char(int c)
{
    return isalnum(c) || (c != 0 && strchr("-._~:/?#[]@!$&'()*+,;=", c) != NULL);
}

/* An absolute URI: scheme ":" hier-part, only legal characters, well-formed
 * percent escapes, and an authority without "[" unless it is an IP literal. */
static int
uri(const char *s, size_t len)
{
    size_t i = 0;

    if (len == 0 || !isalpha((unsigned char)s[0]))
        return 0;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == len || s[i] != ':')
        return 0;
    for (size_t j = i + 1; j < len; j++) {
        unsigned char c = (unsigned char)s[j];
        if (c == '%') {
            if (j + 2 >= len || !isxdigit((unsigned char)s[j + 1]) || !isxdigit((unsigned char)s[j + 2]))
                return 0;
            j += 2;
        } else if (!uri_char(c)) {
            return 0;
        }
    }
    if (len - i > 3 && s[i + 1] == '/' && s[i + 2] == '/') {
        /* authority: userinfo@host:port; a port must be digits */
        const char *a = s + i + 3, *end = a;
        const char *host, *colon;
        while (end < s + len && *end != '/' && *end != '?' && *end != '#')
            end++;
        host = memchr(a, '@', (size_t)(end - a));
        host = host ? host + 1 : a;
        if (*host == '[') {
            const char *close = memchr(host, ']', (size_t)(end - host));
            if (close == NULL)
                return 0;
            colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
            if (close + 1 < end && colon == NULL)
                return 0;
        } else {
            if (memchr(host, '[', (size_t)(end - host)) || memchr(host, ']', (size_t)(end - host)))
                return 0;
            colon = memchr(host, ':', (size_t)(end - host));
        }
        if (colon != NULL)
            for (const char *p = colon + 1; p < end; p++)
                if (!isdigit((unsigned char)*p))
                    return 0;
    }
    return 1;
}

static int
uuid(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int
mg_format_valid(const char *format, const char *s, size_t len)
{
    static const struct {
        const char *name;
        int (*check)(const char *s, size_t len);
    } formats[] = {
        {"date-time", date_time}, {"date", full_date}, {"time", full_time},
        {"email", email},         {"uri", uri},        {"uuid", uuid},
    };

    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strcmp(format, formats[i].name) == 0)
            return memchr(s, '\0', len) == NULL && formats[i].check(s, len);
    }
    return 1;
}
