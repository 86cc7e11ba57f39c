/*
 * config_write.h - the config file behind the commands that change it
 * (`init`, `add`, `remove`, `enable`, `disable`, `connect`): which file,
 * reading it, checking new text with the config loader, and replacing it
 * atomically.
 */
#ifndef MG_CLI_CONFIG_WRITE_H
#define MG_CLI_CONFIG_WRITE_H

#include <stddef.h>

/* Said after every change: nothing reloads the config while running. */
#define MG_CFGFILE_RESTART_NOTE \
    "A running 'mcpgate serve' or 'mcpgate stdio' reads the config again on SIGHUP (kill -HUP <pid>), or at " \
    "once if started with --watch.\n"

/*
 * The file to change into PATH: FLAG (--config) when not NULL, else
 * $MCPGATE_CONFIG, else the file `serve` would read, else ./mcpgate.yaml.
 * *EXISTS says whether it is there.
 */
void mg_cfgfile_path(const char *flag, char *path, size_t len, int *exists);

/* PATH as said to the user, into BUF (returned): "./mcpgate.yaml" for a
 * bare file name. */
const char *mg_cfgfile_shown(const char *path, char *buf, size_t len);

/* The whole file (new, NUL terminated, *LEN bytes), or NULL after
 * printing why. */
char *mg_cfgfile_read(const char *path, size_t *len);

/*
 * Replace PATH with the LEN bytes of TEXT atomically: a temporary file in
 * the same directory, written, synced and renamed over it, with the old
 * file's mode (a new file gets 0666 less the umask).  A symbolic link is
 * followed, not replaced.  0, or -1 after printing why (PATH unchanged).
 */
int mg_cfgfile_write(const char *path, const char *text, size_t len);

/*
 * Check TEXT with the config loader, then write it to PATH and print
 * DONE (one line, without its newline) and the restart note.  A text
 * whose only problems are unset ${VAR}s is written, with a warning that
 * names them; any other problem is printed and nothing is written.
 * Returns the exit code: 0, or 1.
 */
int mg_cfgfile_commit(const char *path, const char *text, size_t len, const char *done);

#endif
