/*
 * search_words.c - words for tool search: names split the way people
 * read them, and the user's text made into a match expression that FTS5
 * cannot misread.
 *
 * Words are runs of ASCII letters and digits and of non-ASCII bytes; the
 * table's tokenizer (unicode61) splits on the same ASCII characters, and
 * decides for itself which non-ASCII characters are letters.  A run that
 * turns out to hold no letters becomes an empty phrase, which matches
 * nothing rather than failing.
 */
#include "gateway/search_impl.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/limits.h"

static int
word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int
is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

void
mg_search__text_init(struct mg_search_text *t, size_t cap)
{
    memset(t, 0, sizeof(*t));
    t->cap = cap;
}

void
mg_search__text_reset(struct mg_search_text *t)
{
    t->len = 0;
    if (t->p != NULL)
        t->p[0] = '\0';
}

void
mg_search__text_free(struct mg_search_text *t)
{
    mg_free(t->p);
    memset(t, 0, sizeof(*t));
}

void
mg_search__text_put(struct mg_search_text *t, const char *s, size_t n)
{
    if (n > t->cap - t->len) {
        n = t->cap - t->len;
        /* Never keep the first bytes of a character without the rest. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (t->len + n + 1 > t->size) {
        t->size = (t->len + n + 1) * 2;
        t->p = mg_realloc(t->p, t->size);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void
mg_search__text_add(struct mg_search_text *t, const char *s, size_t n)
{
    mg_search__text_put(t, s, n);
    mg_search__text_put(t, " ", 1);
}

/* Where RUN (N bytes, one word) changes case: "listPR" -> 4; "HTTPServer"
 * -> 4 (the last capital starts the next word).  0 when it does not. */
static size_t
camel_break(const char *run, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (!is_upper(run[i]))
            continue;
        if (is_lower_or_digit(run[i - 1]))
            return i;
        if (is_upper(run[i - 1]) && i + 1 < n && run[i + 1] >= 'a' && run[i + 1] <= 'z')
            return i;
    }
    return 0;
}

void
mg_search__add_name(struct mg_search_text *t, const char *name)
{
    const char *p = name;

    while (p != NULL && *p != '\0') {
        const char *run;
        size_t n, cut;

        while (*p != '\0' && !word_byte((unsigned char)*p))
            p++;
        for (run = p; word_byte((unsigned char)*p); p++)
            ;
        if ((n = (size_t)(p - run)) == 0)
            break;
        mg_search__text_add(t, run, n);
        if (camel_break(run, n) == 0)
            continue;
        while ((cut = camel_break(run, n)) != 0) {
            mg_search__text_add(t, run, cut);
            run += cut, n -= cut;
        }
        mg_search__text_add(t, run, n);
    }
}

int
mg_search__match_expr(const char *words, struct mg_search_text *expr, char *err, size_t errlen)
{
    size_t count = 0, total = strlen(words), last = 0;
    const char *p = words;

    if (total > MG_MAX_SEARCH_QUERY) {
        snprintf(err, errlen, "the search text is %zu bytes long; give at most %d", total, MG_MAX_SEARCH_QUERY);
        return -1;
    }
    mg_search__text_reset(expr);
    for (;;) {
        const char *run;
        size_t n;

        while (*p != '\0' && !word_byte((unsigned char)*p))
            p++;
        for (run = p; word_byte((unsigned char)*p); p++)
            ;
        if ((n = (size_t)(p - run)) == 0)
            break;
        if (++count > MG_MAX_SEARCH_WORDS) {
            snprintf(err, errlen, "the search has more than %d words; give fewer", MG_MAX_SEARCH_WORDS);
            return -1;
        }
        /* The run has no '"', so quoting it needs no escape. */
        if (count > 1)
            mg_search__text_put(expr, " OR ", 4);
        mg_search__text_put(expr, "\"", 1);
        mg_search__text_put(expr, run, n);
        mg_search__text_put(expr, "\"", 1);
        last = n;
    }
    if (count == 0) {
        snprintf(err, errlen, "the search needs at least one word of letters or digits");
        return -1;
    }
    /* Typing "iss" already finds "issue"; shorter stems match too much. */
    if (last >= 3)
        mg_search__text_put(expr, "*", 1);
    return 0;
}
