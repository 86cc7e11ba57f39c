/*
 * cursor.h - the cursors of the lists the gateway serves.
 *
 * The gateway pages its merged catalog itself (an upstream's own pages
 * are all gathered when it is discovered), so a cursor names a place in
 * the catalog: which list, seen through which view (the whole catalog at
 * /mcp, or one source at /servers/<name>/mcp), after which item, and
 * until when it may be used.  The place is the key of the last item a
 * page returned (its name, or its URI or URI template), not an offset,
 * so that items added or removed between two pages are neither repeated
 * nor skipped.  Clients are untrusted: the cursor is sealed (util/seal.h)
 * so that one altered, made for another list or view, or expired does not
 * open.  The payload is text, fields separated by '\n':
 *
 *     "1"      format version
 *     LIST     enum mg_cursor_list, one digit
 *     EXPIRY   Unix time, seconds
 *     VIEW     the view's source name, empty for the whole catalog
 *     KEY      the last item's key: the rest of the payload
 */
#ifndef MG_MCP_CURSOR_H
#define MG_MCP_CURSOR_H

#include <stddef.h>
#include <time.h>

enum mg_cursor_list {
    MG_CURSOR_TOOLS,
    MG_CURSOR_PROMPTS,
    MG_CURSOR_RESOURCES,
    MG_CURSOR_TEMPLATES,
};

/* How long a cursor may be used: long enough for a client that reads one
 * page at a time, short enough that a saved one is not a standing token. */
#define MG_CURSOR_TTL_S 3600

/*
 * A cursor for list LIST seen through VIEW (NULL: the whole catalog) that
 * continues after the item keyed AFTER, usable until NOW + MG_CURSOR_TTL_S.
 * KEY is the gateway's sealing key (MG_SEAL_KEY_LEN bytes).  Returns a
 * malloc'd string.
 */
char *mg_cursor_seal(const unsigned char *key, enum mg_cursor_list list, const char *view, const char *after,
                     time_t now);

/*
 * Open the LEN bytes of TOKEN as a cursor for LIST in VIEW at time NOW.
 * Returns the key of the item to continue after (malloc'd), or NULL when
 * TOKEN is not such a cursor: altered, made by another process, for
 * another list or view, or expired.
 */
char *mg_cursor_open(const unsigned char *key, const char *token, size_t len, enum mg_cursor_list list,
                     const char *view, time_t now);

#endif
