/*
 * keys.h - `mcpgate keys create|list|revoke`: API keys for the HTTP front
 * door, kept in the store of the state directory.
 *
 * keys.c dispatches and holds what the three share (their common flags,
 * opening the store, printing times); each command has its own file.
 * Exit codes: 0 done, 1 it could not be done, 2 a usage error.
 */
#ifndef MG_CLI_KEYS_H
#define MG_CLI_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct mg_config;
struct mg_store;

/* The commands, each with argv[0] its own name. */
int mg_cmd_keys_create(int argc, char **argv);
int mg_cmd_keys_list(int argc, char **argv);
int mg_cmd_keys_revoke(int argc, char **argv);

/* --- shared (keys.c) --- */

/* The flags every keys command takes. */
struct mg_keys_flags {
    const char *config_path;
    const char *state_dir;
};

/* Help text for the shared flags. */
extern const char mg_keys_common_help[];

/* Take argv[*i] (and its value) if it is a shared flag: 1 taken, 0 not
 * one, -1 after a usage message (exit 2). */
int mg_keys_flag(struct mg_keys_flags *f, int argc, char **argv, int *i, const char *cmd);

/* Print "mcpgate: MSG\nRun 'mcpgate keys CMD --help' for usage." and
 * return 2. */
int mg_keys_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The config (for state_dir and projects) and the store it names, or
 * NULL after printing why (exit 1).  Free both after. */
struct mg_store *mg_keys_open(const struct mg_keys_flags *f, struct mg_config **cfg);

/* T (seconds since the epoch) as "2026-01-02 15:04Z", or "never" for 0. */
void mg_keys_time(int64_t t, char *out, size_t len);
/* T as ISO 8601 UTC, "2026-01-02T15:04:05Z". */
void mg_keys_time_iso(int64_t t, char *out, size_t len);

#endif
