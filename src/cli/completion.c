/*
 * completion.c - `mcpgate completion bash|zsh`: the shell completion
 * scripts, and `mcpgate __complete servers|projects|catalog`, which they
 * run.
 *
 * The scripts are completions/mcpgate.bash and completions/_mcpgate,
 * compiled into the binary by CMake (cmake/embed.cmake), so that the
 * binary needs no data directory.  `__complete` is for the scripts only:
 * it reads the config the way every command does (run.h) and prints one
 * name per line, starting no server and opening no connection; on any
 * error it prints nothing at all, so a broken config never garbles a
 * command line.
 */
#include "cli/catalog.h"
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/run.h"
#include "config/config.h"
#include "util/suggest.h"

/* The scripts, NUL-terminated (generated from completions/ at build time). */
extern const char mg_completion_bash[];
extern const char mg_completion_zsh[];

static const char usage[] =
    "usage: mcpgate completion bash|zsh\n"
    "\n"
    "Print the shell completion script for bash or zsh.  It completes the\n"
    "commands, their options and the values of those that have a few (log\n"
    "levels, scopes, ...), the keys subcommands, client-config's clients, and\n"
    "the names of the config's servers and projects where a command takes one\n"
    "(read from the same config file as the command would, at each TAB; no\n"
    "server is started).  Tool names are not completed: finding them means\n"
    "starting the server.\n"
    "\n"
    "bash (needs the bash-completion package for the directory below):\n"
    "  source <(mcpgate completion bash)                  # this shell only\n"
    "  mkdir -p ~/.local/share/bash-completion/completions\n"
    "  mcpgate completion bash > ~/.local/share/bash-completion/completions/mcpgate\n"
    "\n"
    "zsh (as _mcpgate in a directory on $fpath, before compinit runs):\n"
    "  mkdir -p ~/.zfunc\n"
    "  mcpgate completion zsh > ~/.zfunc/_mcpgate\n"
    "  # and in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit\n"
    "  source <(mcpgate completion zsh)                   # or this shell only\n";

int
mg_cmd_completion(int argc, char **argv)
{
    static const char *const shells[] = {"bash", "zsh"};
    const char *shell = argc > 1 ? argv[1] : NULL;
    struct mg_suggest s;

    if (shell != NULL && (strcmp(shell, "-h") == 0 || strcmp(shell, "--help") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (shell == NULL || argc > 2)
        return mg_cli_usage("completion", "completion needs one shell: bash or zsh");
    if (strcmp(shell, "bash") == 0) {
        fputs(mg_completion_bash, stdout);
        return 0;
    }
    if (strcmp(shell, "zsh") == 0) {
        fputs(mg_completion_zsh, stdout);
        return 0;
    }
    mg_suggest_init(&s, shell);
    for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
        mg_suggest_try(&s, shells[i]);
    if (s.best != NULL)
        return mg_cli_usage("completion", "no completion for '%s' (did you mean '%s'?); bash or zsh", shell, s.best);
    return mg_cli_usage("completion", "no completion for '%s': bash or zsh", shell);
}

/* The config --config names (or the usual one), or NULL: none can be
 * read.  Nothing is printed either way. */
static struct mg_config *
quiet_config(int argc, char **argv)
{
    struct mg_run_flags f;
    char path[4096], err[256];

    mg_run_flags_init(&f, 0);
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0)
            f.config_path = argv[++i];
    mg_run_config_path(&f, path, sizeof(path));
    mg_run_flags_free(&f);
    if (path[0] == '\0')
        return NULL;
    return mg_config_load(path, err, sizeof(err));
}

/* The names of the catalog's servers (catalog.c), for connect. */
static int
complete_catalog(void)
{
    json_t *known = mg_known_servers(), *entry;
    size_t i;

    if (known == NULL)
        return 1;
    json_array_foreach (known, i, entry)
        printf("%s\n", mg_known_str(entry, "name"));
    json_decref(known);
    return 0;
}

int
mg_cmd_complete(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    struct mg_config *cfg;

    if (strcmp(what, "catalog") == 0)
        return complete_catalog();
    if (strcmp(what, "servers") != 0 && strcmp(what, "projects") != 0)
        return 2;
    if ((cfg = quiet_config(argc, argv)) == NULL)
        return 1;
    if (strcmp(what, "servers") == 0)
        for (size_t i = 0; i < cfg->nservers; i++)
            printf("%s\n", cfg->servers[i].name);
    else
        for (size_t i = 0; i < cfg->nprojects; i++)
            printf("%s\n", cfg->projects[i].name);
    mg_config_free(cfg);
    return 0;
}
