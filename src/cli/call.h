/*
 * call.h - what `describe` and `call` share, one job per file:
 *
 *   call_tool.c    the command line up to SERVER TOOL, and the tool found
 *   call_params.c  a tool's parameters as flags: table and example line
 *   call_args.c    the flags after TOOL turned into the call's arguments
 *   call_run.c     the call itself, through an in-process client session
 *   call_elicit.c  the server's questions during the call answered
 *   call_output.c  its result printed for a person
 */
#ifndef MG_CLI_CALL_H
#define MG_CLI_CALL_H

#include <jansson.h>
#include <stdio.h>

#include "cli/run.h"

struct mg_standalone;
struct mg_tool;

/* --- call_tool.c ----------------------------------------------------------- */

/* A command taking [options] SERVER TOOL (or SERVER URI). */
struct mg_cli_cmd {
    const char *name;           /* "call" */
    const char *usage, *usage_tail; /* --help: before and after the shared options */
    int call;                   /* takes --args-json and --save-dir, and tool parameters after TOOL */
    int save_dir;               /* takes --save-dir */
    const char *second;         /* what follows SERVER: "TOOL" when NULL, "URI" or "PROMPT" */
    const char *example;        /* "everything echo" when NULL */
    const char *lister;         /* the command listing what SECOND names: "tools" when NULL */
};

/* The command line of such a command. */
struct mg_cli_line {
    struct mg_run_flags flags;  /* the shared options (run.h) */
    const char *server, *tool;
    int json;                   /* --json */
    const char *args_json;      /* --args-json TEXT, "-" for stdin, or NULL */
    json_t *args;               /* call: --args-json's object, or {}, read before any server starts */
    const char *save_dir;       /* --save-dir DIR, or NULL */
    int elicit;                 /* --elicit: enum mg_cli_elicit */
    char **params;              /* what follows TOOL (call only) */
    int nparams;
};

/*
 * Parse ARGV: mcpgate's options, then SERVER and TOOL.  Returns -1 to go
 * on (free LINE with mg_cli_line_free), or the exit code after printing
 * the usage (0) or what is wrong (2).
 */
int mg_cli_parse(const struct mg_cli_cmd *cmd, int argc, char **argv, struct mg_cli_line *line);
void mg_cli_line_free(struct mg_cli_line *line);

/* 1 if ARG ("--json", "--config=x") is one of mcpgate's own options. */
int mg_cli_own_option(const char *arg);

/*
 * Start LINE's server and find its TOOL (the name the server gives it).
 * Returns -1 with *TOOL set and held (mg_cli_close_tool when done), or
 * the exit code after saying why: 1 nothing started, 2 an unknown server
 * or tool (with the closest names), 3 a server that is not ready.
 */
int mg_cli_open_tool(struct mg_standalone *st, struct mg_cli_line *line, struct mg_tool **tool);
/* Let go of TOOL (the server may have withdrawn it meanwhile: its list
 * changed) and stop the servers. */
void mg_cli_close_tool(struct mg_standalone *st, struct mg_tool *tool);

/* --- call_params.c --------------------------------------------------------- */

/* Types a parameter admits ("type", the values of an enum, anyOf/oneOf). */
enum {
    MG_PT_STRING = 1 << 0,
    MG_PT_INTEGER = 1 << 1,
    MG_PT_NUMBER = 1 << 2,
    MG_PT_BOOLEAN = 1 << 3,
    MG_PT_ARRAY = 1 << 4,
    MG_PT_OBJECT = 1 << 5,
    MG_PT_NULL = 1 << 6,
};

/* One property of a tool's inputSchema. */
struct mg_cli_param {
    const char *name;           /* as the schema spells it (borrowed) */
    char *flag;                 /* how it is typed: "--kebab-case" */
    json_t *schema;             /* the property's schema (borrowed) */
    unsigned types;             /* MG_PT_* bits; 0: any JSON value */
    unsigned item_types;        /* for arrays: what the items admit */
    int required;
};

struct mg_cli_params {
    struct mg_cli_param *v;
    size_t n;
};

/* The parameters of INPUT_SCHEMA (borrowed; it must outlive P). */
void mg_cli_params_init(struct mg_cli_params *p, json_t *input_schema);
void mg_cli_params_free(struct mg_cli_params *p);

/* 1 when NAME is in SCHEMA's "required" list. */
int mg_cli_schema_requires(json_t *schema, const char *name);

/* The types of SCHEMA as MG_PT_* bits. */
unsigned mg_cli_schema_types(json_t *schema);
/* "an integer", "a string or null", "a list of numbers": for messages. */
const char *mg_cli_types_text(unsigned types, unsigned item_types, char *buf, size_t len);

/* The table of describe: flag, type, required, description. */
void mg_cli_params_print(FILE *f, const struct mg_cli_params *p);
/* One command line calling the tool with its required parameters. */
void mg_cli_example(FILE *f, const char *server, const char *tool, const struct mg_cli_params *p);
/* describe's whole output for TOOL of SERVER. */
void mg_cli_describe(FILE *f, const char *server, const struct mg_tool *tool);

/* --- call_args.c ----------------------------------------------------------- */

/* mg_cli_args: --help was among the flags, and no parameter is named so. */
#define MG_CLI_ARGS_HELP (-1)

/*
 * Set in ARGS (an object: what --args-json gave, if anything) the values
 * of the flags ARGV[0..ARGC), converted by the parameters' types; flags
 * win.  Then check ARGS against the parameters (types, enums, required
 * ones) and INPUT, the compiled schema (NULL: none).  NAME is the tool's
 * (or prompt's) in messages.  Returns 0, MG_CLI_ARGS_HELP, or 2 after
 * writing every problem to ERR, one a line, with the parameter's
 * description.
 */
struct mg_schema;
int mg_cli_args(const struct mg_cli_params *p, const char *name, const struct mg_schema *input, json_t *args,
                int argc, char **argv, FILE *err);

/* The object of --args-json TEXT ("-": stdin), new, or NULL after saying
 * on stderr why not. */
json_t *mg_cli_args_json(const char *text);

/* --- call_run.c ------------------------------------------------------------ */

/* How a server's elicitation/create is answered (--elicit). */
enum mg_cli_elicit {
    MG_CLI_ELICIT_AUTO,      /* ask on a terminal, else decline */
    MG_CLI_ELICIT_ASK,
    MG_CLI_ELICIT_DEFAULTS,  /* accept with the schema's defaults */
    MG_CLI_ELICIT_DECLINE,
};

/*
 * Call TOOL with ARGS (borrowed) through a client session on ST's gateway,
 * so that the call is routed, validated, timed and cancelled as any
 * client's.  On a terminal, progress shows on stderr; Ctrl-C cancels the
 * call upstream.  The server's questions (elicitation) are answered as
 * ELICIT says.  Returns 0 with *RESULT (new) or *ERROR (new: the
 * JSON-RPC error), or 130 when Ctrl-C cancelled it.
 */
int mg_cli_run(struct mg_standalone *st, const struct mg_tool *tool, json_t *args, enum mg_cli_elicit elicit,
               json_t **result, json_t **error);
/* The same for any request: METHOD with PARAMS (borrowed) in a session
 * that sees only source SERVER (resources/read). */
int mg_cli_request(struct mg_standalone *st, const char *server, const char *method, json_t *params,
                   enum mg_cli_elicit elicit, json_t **result, json_t **error);

/* --- call_elicit.c --------------------------------------------------------- */

/* The ElicitResult for PARAMS (an elicitation/create's, from SERVER),
 * asked at the terminal or answered as MODE says (new reference); what
 * was asked and answered is said on stderr. */
json_t *mg_cli_elicit(json_t *params, enum mg_cli_elicit mode, const char *server);

/* --- call_output.c --------------------------------------------------------- */

/*
 * Print RESULT (a CallToolResult) to F: text as it is, structuredContent
 * pretty-printed, images, audio and binary resources saved to files in
 * SAVE_DIR (NULL: a new directory under $TMPDIR) whose paths are printed,
 * links and text resources readably.  The files are named after TOOL.
 * Returns 0, or -1 when something could not be saved (said on stderr).
 */
int mg_cli_print_result(FILE *f, json_t *result, const char *save_dir, const char *tool);

#endif
