/*
 * remove.c - `mcpgate remove NAME`, `mcpgate enable NAME` and `mcpgate
 * disable NAME`: one server's entry in the config file deleted, or its
 * enabled key set, the rest of the file kept as it was (config_edit.c).
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/config_edit.h"
#include "cli/config_write.h"
#include "util/alloc.h"

enum op { OP_REMOVE, OP_ENABLE, OP_DISABLE };

static const char *const op_names[] = {"remove", "enable", "disable"};

static const char *const usages[] = {
    "usage: mcpgate remove NAME [options]\n"
    "\n"
    "Delete server NAME's entry from the config's servers list.  Comments and\n"
    "everything else in the file are kept; comments inside the entry go with\n"
    "it.  A project that still lists the server makes this fail (the file is\n"
    "not changed): take it out of the project first.\n",

    "usage: mcpgate enable NAME [options]\n"
    "\n"
    "Turn server NAME back on: the enabled: false that 'mcpgate disable'\n"
    "wrote is removed (enabled: true is the default), or an enabled value\n"
    "written by hand is set to true.\n",

    "usage: mcpgate disable NAME [options]\n"
    "\n"
    "Keep server NAME in the config but stop connecting to it: its entry gets\n"
    "enabled: false.  'mcpgate servers' shows it as disabled; 'mcpgate enable'\n"
    "undoes it.\n",
};

static const char usage_tail[] =
    "\n"
    "options:\n"
    "  -c, --config FILE      the config file (default: as for serve)\n"
    "  -h, --help             show this help\n"
    "\n"
    "examples:\n"
    "  mcpgate disable github\n"
    "  mcpgate enable github\n"
    "  mcpgate remove everything --config ~/team/mcpgate.yaml\n";

static int
bad(enum op op, const char *fmt, const char *arg)
{
    fputs("mcpgate: ", stderr);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'mcpgate %s --help' for usage.\n", op_names[op]);
    return 2;
}

static int
run(enum op op, int argc, char **argv)
{
    const char *name = NULL, *config = NULL;
    char path[4096], shown[4200], err[256], done[4400];
    struct mg_cfgedit_out out;
    enum mg_cfgedit_rc rc;
    size_t len;
    char *text;
    int exists, code;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usages[op], stdout);
            fputs(usage_tail, stdout);
            return 0;
        }
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (i + 1 >= argc)
                return bad(op, "%s needs a file name", a);
            config = argv[++i];
        } else if (a[0] == '-') {
            return bad(op, "unknown option '%s'", a);
        } else if (name != NULL) {
            return bad(op, "one server NAME only, got '%s' too", a);
        } else {
            name = a;
        }
    }
    if (name == NULL)
        return bad(op, "which server? Give its NAME ('mcpgate servers' lists them)%s", "");
    mg_cfgfile_path(config, path, sizeof(path), &exists);
    mg_cfgfile_shown(path, shown, sizeof(shown));
    if (!exists) {
        fprintf(stderr, "mcpgate: no config file at %s, so no server '%s'\n", shown, name);
        return 2;
    }
    if ((text = mg_cfgfile_read(path, &len)) == NULL)
        return 1;
    rc = op == OP_REMOVE ? mg_cfgedit_remove(text, len, name, &out, err, sizeof(err))
                         : mg_cfgedit_set_enabled(text, len, name, op == OP_ENABLE, &out, err, sizeof(err));
    mg_free(text);
    switch (rc) {
    case MG_CFGEDIT_OK:
        break;
    case MG_CFGEDIT_NOT_FOUND:
        fprintf(stderr, "mcpgate: no server named '%s' in %s", name, shown);
        if (out.closest != NULL)
            fprintf(stderr, "; did you mean '%s'?", out.closest);
        fprintf(stderr, "\nRun 'mcpgate servers' to list them.\n");
        mg_cfgedit_out_free(&out);
        return 2;
    case MG_CFGEDIT_UNCHANGED:
        printf("server \"%s\" is already %s in %s; nothing to change\n", name,
               op == OP_ENABLE ? "enabled" : "disabled", shown);
        return 0;
    default:
        fprintf(stderr, "mcpgate: cannot %s '%s' in %s safely: %s.\nEdit the file by hand (docs/config.md).\n",
                op_names[op], name, shown, err);
        return 1;
    }
    snprintf(done, sizeof(done), "%s server \"%s\" %s %s", op == OP_REMOVE ? "removed" : op == OP_ENABLE ? "enabled" : "disabled",
             name, op == OP_REMOVE ? "from" : "in", shown);
    code = mg_cfgfile_commit(path, out.text, out.len, done);
    mg_cfgedit_out_free(&out);
    return code;
}

int
mg_cmd_remove(int argc, char **argv)
{
    return run(OP_REMOVE, argc, argv);
}

int
mg_cmd_enable(int argc, char **argv)
{
    return run(OP_ENABLE, argc, argv);
}

int
mg_cmd_disable(int argc, char **argv)
{
    return run(OP_DISABLE, argc, argv);
}
