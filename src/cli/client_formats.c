/*
 * client_formats.c - how each MCP client is told about a remote server:
 * where its configuration lives, and the snippet, with the API key named
 * by the variable it is read from, never written out.
 *
 * Checked against each client's documentation (docs/cli.md lists them):
 *
 *   client       file                                 server entry                    key reference
 *   claude-code  .mcp.json (or `claude mcp add`)      mcpServers.N {type:"http",url}  ${VAR}
 *   cursor       ~/.cursor/mcp.json, .cursor/mcp.json mcpServers.N {url}              ${env:VAR}
 *   vscode       .vscode/mcp.json, user mcp.json      servers.N {type:"http",url}     ${input:ID} (asked once)
 *   windsurf     ~/.codeium/windsurf/mcp_config.json  mcpServers.N {serverUrl}        ${env:VAR}
 *   codex        ~/.codex/config.toml                 [mcp_servers.N] url = ...       bearer_token_env_var
 *   opencode     opencode.json                        mcp.N {type:"remote",url}       {env:VAR}
 *   gemini       ~/.gemini/settings.json              mcpServers.N {httpUrl}          ${VAR}
 *
 * JSON is made with jansson, so quoting is always right; the TOML of
 * codex escapes its strings by hand (toml_string).
 */
#include "cli/client_config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* "Bearer " and the reference to the key: REF_OPEN VAR REF_CLOSE (new). */
static json_t *
bearer(const char *ref_open, const char *var, const char *ref_close)
{
    return json_sprintf("Bearer %s%s%s", ref_open, var, ref_close);
}

/* The server's entry for C (new): its type, the URL, the key's header. */
static json_t *
server_entry(const struct mg_client *c, const struct mg_client_ask *a)
{
    json_t *s = json_object();

    if (c->type != NULL)
        json_object_set_new(s, "type", json_string(c->type));
    json_object_set_new(s, c->url_key, json_string(a->url));
    if (a->key_env != NULL)
        json_object_set_new(s, "headers",
                            json_pack("{so}", "Authorization", bearer(c->ref_open, a->key_env, c->ref_close)));
    return s;
}

/* DOC (stolen), indented by two, to OUT. */
static void
dump(json_t *doc, FILE *out)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (text != NULL) {
        fputs(text, out);
        fputc('\n', out);
    }
    free(text);
    json_decref(doc);
}

/* { SERVERS_KEY: { NAME: entry } }: most clients. */
static void
print_json(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err)
{
    dump(json_pack("{s{so}}", c->servers_key, a->name, server_entry(c, a)), out);
}

/* S quoted for a POSIX shell when it needs to be. */
static void
shell_word(const char *s, FILE *f)
{
    if (s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-")] == '\0') {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* Claude Code: .mcp.json, and the command that adds it for every project.
 * In the command the shell puts the key in: the variable is in double
 * quotes, and its name is [A-Za-z_][A-Za-z0-9_]*. */
static void
print_claude(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err)
{
    print_json(c, a, out, err);
    fflush(out);
    fputs("# Or for every project (kept in ~/.claude.json; your shell fills in the key now):\n#   "
          "claude mcp add --scope user --transport http ", err);
    shell_word(a->name, err);
    fputc(' ', err);
    shell_word(a->url, err);
    if (a->key_env != NULL)
        fprintf(err, " --header \"Authorization: Bearer ${%s}\"", a->key_env);
    fputc('\n', err);
}

/* VS Code asks for the key once and keeps it in its secret storage: an
 * input of type promptString, with password set so it is masked. */
static void
print_vscode(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err)
{
    json_t *doc = json_object(), *entry = json_pack("{ssss}", "type", "http", "url", a->url), *id;

    if (a->key_env != NULL) {
        id = json_sprintf("%s-api-key", a->name);
        json_object_set_new(doc, "inputs",
                            json_pack("[{sssOsosb}]", "type", "promptString", "id", id, "description",
                                      json_sprintf("API key for the MCP gateway '%s'", a->name), "password", 1));
        json_object_set_new(entry, "headers",
                            json_pack("{so}", "Authorization", bearer("${input:", json_string_value(id), "}")));
        json_decref(id);
    }
    json_object_set_new(doc, "servers", json_pack("{so}", a->name, entry));
    dump(doc, out);
}

/* opencode: the schema, and `enabled`, which its schema wants. */
static void
print_opencode(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err)
{
    json_t *entry = server_entry(c, a);

    json_object_set_new(entry, "enabled", json_true());
    dump(json_pack("{sss{so}}", "$schema", "https://opencode.ai/config.json", c->servers_key, a->name, entry), out);
}

/* S as a TOML basic string: quotes, backslashes and controls escaped. */
static void
toml_string(const char *s, FILE *f)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04X", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Codex: a table of ~/.codex/config.toml; it sends the variable's value
 * as the bearer token itself.  The name is a bare key when it can be. */
static void
print_codex(const struct mg_client *c, const struct mg_client_ask *a, FILE *out, FILE *err)
{
    const char *bare = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    fputs("[mcp_servers.", out);
    if (a->name[strspn(a->name, bare)] == '\0')
        fputs(a->name, out);
    else
        toml_string(a->name, out);
    fputs("]\nurl = ", out);
    toml_string(a->url, out);
    if (a->key_env != NULL) {
        fputs("\nbearer_token_env_var = ", out);
        toml_string(a->key_env, out);
    }
    fputc('\n', out);
}

const struct mg_client mg_clients[] = {
    {"claude-code", "Claude Code", "Anthropic's coding agent in the terminal",
     "# Claude Code: .mcp.json at the project's root (shared with everyone who works on it).\n",
     print_claude, "mcpServers", "url", "http", "${", "}"},
    {"cursor", "Cursor", "the Cursor editor",
     "# Cursor: ~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project).\n",
     print_json, "mcpServers", "url", NULL, "${env:", "}"},
    {"vscode", "VS Code", "Visual Studio Code (GitHub Copilot agent mode)",
     "# VS Code: .vscode/mcp.json (one workspace), or your user mcp.json ('MCP: Open User Configuration').\n",
     print_vscode, "servers", "url", "http", NULL, NULL},
    {"windsurf", "Windsurf", "the Windsurf editor (Cascade)",
     "# Windsurf: ~/.codeium/windsurf/mcp_config.json.\n",
     print_json, "mcpServers", "serverUrl", NULL, "${env:", "}"},
    {"codex", "Codex", "OpenAI's Codex CLI and IDE extension",
     "# Codex: ~/.codex/config.toml (every project) or .codex/config.toml (one trusted project).\n",
     print_codex, NULL, NULL, NULL, NULL, NULL},
    {"opencode", "opencode", "the opencode terminal agent",
     "# opencode: opencode.json at the project's root, or ~/.config/opencode/opencode.json (every project).\n",
     print_opencode, "mcp", "url", "remote", "{env:", "}"},
    {"gemini", "Gemini CLI", "Google's Gemini CLI",
     "# Gemini CLI: ~/.gemini/settings.json (every project) or .gemini/settings.json (one project).\n",
     print_json, "mcpServers", "httpUrl", NULL, "${", "}"},
};

const size_t mg_nclients = sizeof(mg_clients) / sizeof(mg_clients[0]);

const struct mg_client *
mg_client_find(const char *name)
{
    for (size_t i = 0; i < mg_nclients; i++)
        if (strcmp(mg_clients[i].name, name) == 0)
            return &mg_clients[i];
    return NULL;
}

void
mg_client_key_line(const struct mg_client *c, const struct mg_client_ask *a, FILE *err)
{
    if (a->key_env == NULL)
        return;
    if (c->print == print_vscode)
        fprintf(err, "# VS Code asks for the key the first time it starts '%s' and keeps it in its secret storage:\n"
                     "# paste the secret (from 'mcpgate keys create').\n", a->name);
    else
        fprintf(err, "# %s reads the key from $%s: set it where %s starts, e.g.\n#   export %s=sk-mcpgate-...   "
                     "# the secret from 'mcpgate keys create'\n", c->title, a->key_env, c->title, a->key_env);
}
