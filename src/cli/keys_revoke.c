/*
 * keys_revoke.c - `mcpgate keys revoke ID`: stop a key from working.
 *
 * The revocation is committed before this command returns, and a running
 * `mcpgate serve` sees it on its very next request (auth/keyring.c): that
 * request and every later one with the key get 401, and the key's open
 * sessions are ended within a second.  Revoking twice is not an error, so
 * scripts can repeat it.
 */
#include <stdio.h>
#include <string.h>

#include "auth/key.h"
#include "cli/keys.h"
#include "config/config.h"
#include "store/store.h"
#include "store/store_keys.h"

static const char revoke_usage[] =
    "usage: mcpgate keys revoke ID [options]\n"
    "\n"
    "Revoke the key with id ID (or the active key named ID): from now on it is\n"
    "refused (401), and sessions opened with it end.  This cannot be undone;\n"
    "make a new key instead.\n"
    "\n"
    "options:\n";

static const char revoke_examples[] =
    "\n"
    "examples:\n"
    "  mcpgate keys revoke key_3f9a1c0b2e4d\n"
    "  mcpgate keys revoke alice\n";

int
mg_cmd_keys_revoke(int argc, char **argv)
{
    struct mg_keys_flags f = {0};
    struct mg_config *cfg = NULL;
    struct mg_store *st;
    struct mg_key k;
    const char *which = NULL;
    char err[512], when[32];
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int r;

        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(revoke_usage, stdout);
            fputs(mg_keys_common_help, stdout);
            fputs(revoke_examples, stdout);
            return 0;
        }
        if ((r = mg_keys_flag(&f, argc, argv, &i, "revoke")) != 0) {
            if (r < 0)
                return 2;
        } else if (o[0] == '-') {
            return mg_keys_usage("revoke", "unknown option '%.80s'", o);
        } else if (which != NULL) {
            return mg_keys_usage("revoke", "one key at a time: got '%.80s' and '%.80s'", which, o);
        } else {
            which = o;
        }
    }
    if (which == NULL)
        return mg_keys_usage("revoke", "which key? Give its id ('mcpgate keys list' shows them)");
    if ((st = mg_keys_open(&f, &cfg)) == NULL)
        return 1;
    switch (mg_store_key_revoke(st->db, which, mg_store_now(), &k, err, sizeof(err))) {
    case MG_STORE_OK:
        fprintf(stderr, "Revoked key %s ('%s'): requests with it are refused from now on, and its open sessions end.\n",
                k.id, k.name);
        break;
    case MG_STORE_REVOKED:
        mg_keys_time(k.revoked_at, when, sizeof(when));
        fprintf(stderr, "Key %s ('%s') was already revoked, on %s.\n", k.id, k.name, when);
        break;
    case MG_STORE_NOT_FOUND:
        fprintf(stderr, "mcpgate: no key with id or active name '%.80s'; 'mcpgate keys list --all' shows them\n",
                which);
        rc = 1;
        break;
    default:
        fprintf(stderr, "mcpgate: %s\n", err);
        rc = 1;
        break;
    }
    mg_key_clear(&k);
    mg_store_close(st);
    mg_config_free(cfg);
    return rc;
}
