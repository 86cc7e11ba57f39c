/*
 * test_config.c - the YAML config loader: defaults, every key's
 * conversion and range, ${VAR} expansion, and each error with its
 * file:line and key path.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/config_impl.h"

static struct mg_config *
parse(const char *text, char *err, size_t errlen)
{
    return mg_config_parse(text, strlen(text), "cfg.yaml", err, errlen);
}

static struct mg_config *
parse_ok(const char *text)
{
    char err[4096] = "";
    struct mg_config *cfg = parse(text, err, sizeof(err));

    if (cfg == NULL)
        fail_msg("refused:\n%s\nwith:\n%s", text, err);
    return cfg;
}

/* Does ERR hold WANT as one whole line? */
static int
has_line(const char *err, const char *want)
{
    size_t n = strlen(want);

    for (const char *p = err; (p = strstr(p, want)) != NULL; p++)
        if ((p == err || p[-1] == '\n') && (p[n] == '\0' || p[n] == '\n'))
            return 1;
    return 0;
}

static size_t
count_lines(const char *err)
{
    size_t n = err[0] != '\0';

    for (; *err != '\0'; err++)
        n += *err == '\n';
    return n;
}

/* TEXT is refused, and one of the errors is exactly the line WANT. */
static void
expect_error(const char *text, const char *want)
{
    char err[8192] = "";
    struct mg_config *cfg = parse(text, err, sizeof(err));

    if (cfg != NULL) {
        mg_config_free(cfg);
        fail_msg("accepted:\n%s", text);
    }
    if (!has_line(err, want))
        fail_msg("errors:\n%s\ndo not include the line:\n%s", err, want);
}

/* As expect_error, and WANT is the only error. */
static void
expect_only_error(const char *text, const char *want)
{
    char err[8192] = "";
    struct mg_config *cfg = parse(text, err, sizeof(err));

    if (cfg != NULL) {
        mg_config_free(cfg);
        fail_msg("accepted:\n%s", text);
    }
    if (strcmp(err, want) != 0)
        fail_msg("errors:\n%s\nexpected only:\n%s", err, want);
}

static void
check_defaults(const struct mg_config *cfg)
{
    assert_string_equal(cfg->listen, "127.0.0.1:8808");
    assert_string_equal(cfg->listen_host, "127.0.0.1");
    assert_int_equal(cfg->listen_port, 8808);
    assert_int_equal(cfg->nallow_origins, 0);
    assert_int_equal(cfg->session_idle_timeout_ms, 1800000);
    assert_int_equal(cfg->max_message, 4194304);
    assert_int_equal(cfg->log_level, MG_LOG_INFO);
    assert_int_equal(cfg->demo, 0);
    assert_int_equal(cfg->conformance, 0);
    assert_string_equal(cfg->state_dir, "");
    assert_int_equal(cfg->connection_timeout_ms, 30000);
    assert_int_equal(cfg->discovery_timeout_ms, 30000);
    assert_int_equal(cfg->liveness_probe_interval_ms, 10000);
    assert_string_equal(cfg->tool_name_format, "{server}__{tool}");
    assert_int_equal(cfg->tool_name_max, 128);
    assert_int_equal(cfg->list_page_size, 500);
    assert_int_equal(cfg->nservers, 0);
    assert_int_equal(cfg->nprojects, 0);
}

static void
test_empty_is_defaults(void **state)
{
    const char *empties[] = {"", "\n", "# nothing but a comment\n", "---\n", "~\n", "---\n...\n",
                             "servers:\nprojects:\nallow_origins:\n"};

    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        struct mg_config *cfg = parse_ok(empties[i]);
        check_defaults(cfg);
        mg_config_free(cfg);
    }
    /* Text need not be NUL terminated: only LEN bytes are read. */
    char err[256];
    struct mg_config *cfg = mg_config_parse("demo: true\nxx", 10, NULL, err, sizeof(err));
    assert_non_null(cfg);
    assert_int_equal(cfg->demo, 1);
    mg_config_free(cfg);
    mg_config_free(NULL);
}

static const char full[] = "listen: \"[::1]:9000\"\n"                            /* 1 */
                           "allow_origins:\n"                                     /* 2 */
                           "  - https://app.example.com\n"                        /* 3 */
                           "  - http://localhost:3000\n"                          /* 4 */
                           "  - \"*\"\n"                                          /* 5 */
                           "session_idle_timeout: 600\n"                          /* 6 */
                           "max_message: 8m\n"                                    /* 7 */
                           "log_level: debug\n"                                   /* 8 */
                           "demo: yes\n"                                          /* 9 */
                           "conformance: off\n"                                   /* 10 */
                           "state_dir: /var/lib/mcpgate\n"                        /* 11 */
                           "connection_timeout: 2.5\n"                            /* 12 */
                           "discovery_timeout: 45\n"                              /* 13 */
                           "liveness_probe_interval: 0\n"                         /* 14 */
                           "tool_name_format: \"{server}.{tool}\"\n"              /* 15 */
                           "tool_name_max: 64\n"                                  /* 16 */
                           "servers:\n"                                           /* 17 */
                           "  - name: files\n"                                    /* 18 */
                           "    description: Local files\n"                       /* 19 */
                           "    command: npx\n"                                   /* 20 */
                           "    args: [-y, \"@modelcontextprotocol/server-filesystem\", /tmp, \"\"]\n" /* 21 */
                           "    env: {NODE_ENV: production, EMPTY: \"\"}\n"       /* 22 */
                           "    cwd: /srv\n"                                      /* 23 */
                           "    timeout: 0.5\n"                                   /* 24 */
                           "    isolation: session\n"                             /* 25 */
                           "    include_tools: [read_*, list_directory]\n"        /* 26 */
                           "    exclude_tools: [write_file]\n"                    /* 27 */
                           "    overrides:\n"                                     /* 28 */
                           "      read_file: {name: read, description: Read one file}\n" /* 29 */
                           "      list_directory:\n"                              /* 30 */
                           "        description: List a directory\n"              /* 31 */
                           "  - name: github\n"                                   /* 32 */
                           "    url: https://api.example.com/mcp?x=1\n"           /* 33 */
                           "    transport: streamable-http\n"                     /* 34 */
                           "    headers:\n"                                       /* 35 */
                           "      Authorization: Bearer abc\n"                    /* 36 */
                           "      X-Trace: \"1\"\n"                               /* 37 */
                           "    enabled: false\n"                                 /* 38 */
                           "  - name: legacy_sse\n"                               /* 39 */
                           "    url: http://10.0.0.1:8080/sse\n"                  /* 40 */
                           "    transport: SSE\n"                                 /* 41 */
                           "projects:\n"                                          /* 42 */
                           "  - name: dev\n"                                      /* 43 */
                           "    description: Development\n"                       /* 44 */
                           "    servers: [files, github]\n"                       /* 45 */
                           "  - name: empty\n";                                   /* 46 */

static void
test_full_config(void **state)
{
    struct mg_config *cfg = parse_ok(full);
    const struct mg_server_config *s;

    assert_string_equal(cfg->listen, "[::1]:9000");
    assert_string_equal(cfg->listen_host, "::1");
    assert_int_equal(cfg->listen_port, 9000);
    assert_int_equal(cfg->nallow_origins, 3);
    assert_string_equal(cfg->allow_origins[0], "https://app.example.com");
    assert_string_equal(cfg->allow_origins[2], "*");
    assert_int_equal(cfg->session_idle_timeout_ms, 600000);
    assert_int_equal(cfg->max_message, 8 * 1024 * 1024);
    assert_int_equal(cfg->log_level, MG_LOG_DEBUG);
    assert_int_equal(cfg->demo, 1);
    assert_int_equal(cfg->conformance, 0);
    assert_string_equal(cfg->state_dir, "/var/lib/mcpgate");
    assert_int_equal(cfg->connection_timeout_ms, 2500);
    assert_int_equal(cfg->discovery_timeout_ms, 45000);
    assert_int_equal(cfg->liveness_probe_interval_ms, 0);
    assert_string_equal(cfg->tool_name_format, "{server}.{tool}");
    assert_int_equal(cfg->tool_name_max, 64);
    assert_int_equal(cfg->nservers, 3);

    s = mg_config_find_server(cfg, "files");
    assert_ptr_equal(s, &cfg->servers[0]);
    assert_int_equal(s->line, 18);
    assert_string_equal(s->description, "Local files");
    assert_string_equal(s->command, "npx");
    assert_null(s->url);
    assert_int_equal(s->nargs, 4);
    assert_string_equal(s->args[1], "@modelcontextprotocol/server-filesystem");
    assert_string_equal(s->args[3], "");
    assert_int_equal(s->nenv, 2);
    assert_string_equal(s->env[0].key, "NODE_ENV");
    assert_string_equal(s->env[0].value, "production");
    assert_string_equal(s->env[1].value, "");
    assert_string_equal(s->cwd, "/srv");
    assert_int_equal(s->nheaders, 0);
    assert_int_equal(s->transport, MG_CONFIG_TRANSPORT_STDIO);
    assert_int_equal(s->enabled, 1);
    assert_int_equal(s->timeout_ms, 500);
    assert_int_equal(s->isolation, MG_CONFIG_ISOLATION_SESSION);
    assert_int_equal(s->ninclude_tools, 2);
    assert_string_equal(s->include_tools[0], "read_*");
    assert_int_equal(s->nexclude_tools, 1);
    assert_int_equal(s->noverrides, 2);
    assert_string_equal(s->overrides[0].tool, "read_file");
    assert_string_equal(s->overrides[0].name, "read");
    assert_string_equal(s->overrides[0].description, "Read one file");
    assert_string_equal(s->overrides[1].tool, "list_directory");
    assert_null(s->overrides[1].name);
    assert_string_equal(s->overrides[1].description, "List a directory");

    s = mg_config_find_server(cfg, "github");
    assert_int_equal(s->line, 32);
    assert_null(s->command);
    assert_null(s->description);
    assert_null(s->cwd);
    assert_string_equal(s->url, "https://api.example.com/mcp?x=1");
    assert_int_equal(s->transport, MG_CONFIG_TRANSPORT_STREAMABLE_HTTP);
    assert_int_equal(s->nheaders, 2);
    assert_string_equal(s->headers[0].key, "Authorization");
    assert_string_equal(s->headers[0].value, "Bearer abc");
    assert_string_equal(s->headers[1].value, "1");
    assert_int_equal(s->enabled, 0);
    assert_int_equal(s->timeout_ms, 60000);
    assert_int_equal(s->isolation, MG_CONFIG_ISOLATION_SHARED);
    assert_int_equal(s->protocol, MG_CONFIG_PROTOCOL_AUTO);

    s = mg_config_find_server(cfg, "legacy_sse");
    assert_int_equal(s->transport, MG_CONFIG_TRANSPORT_SSE);
    assert_null(mg_config_find_server(cfg, "nope"));
    assert_null(mg_config_find_server(cfg, "Files"));

    assert_int_equal(cfg->nprojects, 2);
    assert_string_equal(cfg->projects[0].name, "dev");
    assert_string_equal(cfg->projects[0].description, "Development");
    assert_int_equal(cfg->projects[0].line, 43);
    assert_int_equal(cfg->projects[0].nservers, 2);
    assert_string_equal(cfg->projects[0].servers[1], "github");
    assert_int_equal(cfg->projects[1].nservers, 0);
    mg_config_free(cfg);
}

static void
test_transport_defaults(void **state)
{
    struct mg_config *cfg = parse_ok("servers:\n"
                                     "  - {name: a, url: \"http://h\"}\n"
                                     "  - {name: b, command: srv, transport: stdio}\n"
                                     "  - {name: c, command: srv}\n");

    assert_int_equal(cfg->servers[0].transport, MG_CONFIG_TRANSPORT_AUTO);
    assert_int_equal(cfg->servers[1].transport, MG_CONFIG_TRANSPORT_STDIO);
    assert_int_equal(cfg->servers[2].transport, MG_CONFIG_TRANSPORT_STDIO);
    assert_int_equal(cfg->servers[0].line, 2);
    assert_int_equal(cfg->servers[2].line, 4);
    mg_config_free(cfg);
}

/* The path of the repository, from this file's own (absolute) path. */
static void
source_path(char *buf, size_t len, const char *rel)
{
    const char *me = __FILE__, *cut = strstr(me, "tests/unit/test_config.c");

    assert_non_null(cut);
    snprintf(buf, len, "%.*s%s", (int)(cut - me), me, rel);
}

static void
test_shipped_files_load(void **state)
{
    static const char *const files[] = {"examples/mcpgate.yaml", "tests/fuzz/config-corpus/full.yaml",
                                        "tests/fuzz/config-corpus/minimal.yaml",
                                        "tests/fuzz/config-corpus/env.yaml"};
    char path[1024], err[4096];

    setenv("MG_TEST_TOKEN", "t0ken", 1);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        source_path(path, sizeof(path), files[i]);
        struct mg_config *cfg = mg_config_load(path, err, sizeof(err));
        if (cfg == NULL)
            fail_msg("%s", err);
        if (i == 0)
            assert_int_equal(cfg->demo, 1);
        mg_config_free(cfg);
    }
    unsetenv("MG_TEST_TOKEN");
}

static void
test_load_errors(void **state)
{
    char err[512], want[600], path[] = "/tmp/test_config_XXXXXX";
    struct mg_config *cfg;
    int fd;

    assert_null(mg_config_load("/nonexistent/mcpgate.yaml", err, sizeof(err)));
    assert_string_equal(err, "cannot read /nonexistent/mcpgate.yaml: No such file or directory");
    assert_null(mg_config_load("/", err, sizeof(err)));
    assert_string_equal(err, "cannot read /: Is a directory");
    assert_null(mg_config_load("/nonexistent", NULL, 0));

    /* A real file: errors name it as given. */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "demo: true\nlisten: nope\n", 24), 24);
    close(fd);
    assert_null(mg_config_load(path, err, sizeof(err)));
    snprintf(want, sizeof(want),
             "%s:2: listen: expected HOST:PORT such as \"127.0.0.1:8808\" or \"[::1]:8808\", got \"nope\" (no port)",
             path);
    assert_string_equal(err, want);

    /* Larger than 1 MiB: refused without parsing, file or text. */
    size_t big = MG_CONFIG_MAX_SIZE + 1;
    char *text = malloc(big);
    memset(text, '#', big);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, big), (ssize_t)big);
    close(fd);
    assert_null(mg_config_load(path, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: larger than 1048576 bytes; a config file is at most 1 MiB", path);
    assert_string_equal(err, want);
    assert_null(mg_config_parse(text, big, "big.yaml", err, sizeof(err)));
    assert_string_equal(err, "big.yaml: larger than 1048576 bytes; a config file is at most 1 MiB");
    /* Exactly 1 MiB of comments is fine. */
    cfg = mg_config_parse(text, big - 1, "big.yaml", err, sizeof(err));
    assert_non_null(cfg);
    mg_config_free(cfg);
    free(text);
    unlink(path);
}

static void
test_yaml_syntax_errors(void **state)
{
    expect_only_error("demo: true\na: b: c\n",
                      "cfg.yaml:2: YAML syntax error: mapping values are not allowed in this context");
    expect_only_error("servers:\n  - name: a\n    command: [x\n",
                      "cfg.yaml:4: YAML syntax error: did not find expected ',' or ']' "
                      "(while parsing a flow sequence at line 3)");
    expect_only_error("- a\nb: c\n", "cfg.yaml:2: YAML syntax error: did not find expected '-' indicator "
                                     "(while parsing a block collection at line 1)");
    /* The reader's errors carry an offset, turned into a line. */
    expect_only_error("demo: true\n\nx: \"a\x01\"\n", "cfg.yaml:3: YAML syntax error: control characters are not allowed");
    char err[256];
    assert_null(mg_config_parse("demo: true\n\0\n", 13, "cfg.yaml", err, sizeof(err)));
    assert_string_equal(err, "cfg.yaml:2: YAML syntax error: control characters are not allowed");
    assert_null(mg_config_parse("demo: \xff\xfe\n", 9, "cfg.yaml", err, sizeof(err)));
    assert_non_null(strstr(err, "cfg.yaml:1: YAML syntax error: "));
}

static void
test_documents_aliases_depth(void **state)
{
    expect_only_error("demo: true\n---\ndemo: false\n",
                      "cfg.yaml:2: a second YAML document starts here; the file must hold one");
    expect_only_error("servers:\n  - &s {name: a, command: b}\n  - *s\n",
                      "cfg.yaml:3: YAML aliases are not supported (alias \"s\"); write the value out");
    /* An anchor alone is harmless. */
    struct mg_config *cfg = parse_ok("demo: &d true\n");
    assert_int_equal(cfg->demo, 1);
    mg_config_free(cfg);

    /* A billion laughs is refused at its first alias, quickly. */
    expect_error("a: &a [x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                 "cfg.yaml:2: YAML aliases are not supported (alias \"a\"); write the value out");

    /* 16 levels are allowed (then refused for their type), 17 are not. */
    char text[256];
    snprintf(text, sizeof(text), "servers: %.15s%.15s\n", "[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]");
    expect_only_error(text, "cfg.yaml:1: servers[0]: expected a mapping, got a list");
    snprintf(text, sizeof(text), "servers: %.16s%.16s\n", "[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]");
    expect_only_error(text, "cfg.yaml:1: nested deeper than 16 levels");

    /* Far deeper: refused, no stack exhaustion anywhere. */
    size_t n = 200000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    expect_only_error(deep, "cfg.yaml:1: nested deeper than 16 levels");
    free(deep);
}

static void
test_unknown_keys(void **state)
{
    /* The example from the documentation, line 4. */
    expect_error("servers:\n"
                 "  - name: github\n"
                 "    description: x\n"
                 "    comand: npx\n",
                 "cfg.yaml:4: servers[0].comand: unknown key (did you mean \"command\"?)");
    expect_only_error("lisen: 127.0.0.1:1\n", "cfg.yaml:1: lisen: unknown key (did you mean \"listen\"?)");
    expect_only_error("demo: true\nLog_Levle: info\n",
                      "cfg.yaml:2: Log_Levle: unknown key (did you mean \"log_level\"?)");
    expect_only_error("frobnicate: 1\n", "cfg.yaml:1: frobnicate: unknown key");
    expect_only_error("sessionidletimeout: 1\n",
                      "cfg.yaml:1: sessionidletimeout: unknown key (did you mean \"session_idle_timeout\"?)");
    expect_only_error("projects:\n  - name: p\n    sever: [a]\n",
                      "cfg.yaml:3: projects[0].sever: unknown key (did you mean \"servers\"?)");
    expect_only_error("servers:\n  - name: a\n    command: b\n    overrides:\n      t: {nmae: x}\n",
                      "cfg.yaml:5: servers[0].overrides.t.nmae: unknown key (did you mean \"name\"?)");
    /* Keys are never expanded. */
    expect_only_error("${HOME}: 1\n", "cfg.yaml:1: ${HOME}: unknown key");
    /* A key's control characters do not break the one-line format. */
    expect_only_error("\"a\\nb\": 1\n", "cfg.yaml:1: a?b: unknown key");
    expect_only_error("\"a\\0b\": 1\n", "cfg.yaml:1: a key cannot contain a NUL character");
    expect_only_error("? [a]\n: b\n", "cfg.yaml:1: a key must be a string, got a list");
}

static void
test_duplicate_keys(void **state)
{
    expect_only_error("demo: true\nlog_level: info\ndemo: false\n",
                      "cfg.yaml:3: demo: duplicate key (first at line 1)");
    expect_only_error("servers:\n  - name: a\n    command: b\n    name: c\n",
                      "cfg.yaml:4: servers[0].name: duplicate key (first at line 2)");
    expect_only_error("servers:\n  - name: a\n    command: b\n    env:\n      A: 1\n      B: 2\n      A: 3\n",
                      "cfg.yaml:7: servers[0].env.A: duplicate key (first at line 5)");
    /* Header names differ only in case: the same header. */
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    headers:\n      Authorization: x\n"
                      "      authorization: y\n",
                      "cfg.yaml:6: servers[0].headers.authorization: duplicate key (first at line 5)");
    /* Environment names are case-sensitive. */
    struct mg_config *cfg = parse_ok("servers:\n  - name: a\n    command: b\n    env: {Path: x, PATH: y}\n");
    assert_int_equal(cfg->servers[0].nenv, 2);
    mg_config_free(cfg);
    expect_only_error("servers:\n  - name: a\n    command: b\n    overrides:\n      t: {name: x}\n"
                      "      u: {name: y}\n      t: {name: z}\n",
                      "cfg.yaml:7: servers[0].overrides.t: duplicate key (first at line 5)");
    expect_only_error("projects:\n  - {name: p}\n  - name: q\n    name: r\n",
                      "cfg.yaml:4: projects[1].name: duplicate key (first at line 3)");
}

static void
test_wrong_types(void **state)
{
    expect_only_error("[1, 2]\n", "cfg.yaml:1: expected a mapping, got a list");
    expect_only_error("hello\n", "cfg.yaml:1: expected a mapping, got \"hello\"");
    expect_only_error("listen: [a]\n", "cfg.yaml:1: listen: expected HOST:PORT, got a list");
    expect_only_error("demo: {a: 1}\n", "cfg.yaml:1: demo: expected true or false, got a mapping");
    expect_only_error("state_dir:\n", "cfg.yaml:1: state_dir: expected a string, got null");
    expect_only_error("state_dir: [a]\n", "cfg.yaml:1: state_dir: expected a string, got a list");
    expect_only_error("allow_origins: \"*\"\n", "cfg.yaml:1: allow_origins: expected a list of strings, got \"*\"");
    expect_only_error("allow_origins: [[a]]\n", "cfg.yaml:1: allow_origins[0]: expected a string, got a list");
    expect_only_error("max_message: {}\n", "cfg.yaml:1: max_message: expected a size, got a mapping");
    expect_only_error("tool_name_max: []\n", "cfg.yaml:1: tool_name_max: expected an integer, got a list");
    expect_only_error("session_idle_timeout: ~\n",
                      "cfg.yaml:1: session_idle_timeout: expected a number of seconds, got null");
    expect_only_error("servers: {}\n", "cfg.yaml:1: servers: expected a list of servers, got a mapping");
    expect_only_error("projects: x\n", "cfg.yaml:1: projects: expected a list of projects, got \"x\"");
    expect_only_error("servers:\n  - github\n", "cfg.yaml:2: servers[0]: expected a mapping, got \"github\"");
    expect_only_error("servers:\n  - name: a\n    command: b\n    args: x\n",
                      "cfg.yaml:4: servers[0].args: expected a list of strings, got \"x\"");
    expect_only_error("servers:\n  - name: a\n    command: b\n    args: [x, {y: 1}, ~]\n",
                      "cfg.yaml:4: servers[0].args[1]: expected a string, got a mapping\n"
                      "cfg.yaml:4: servers[0].args[2]: expected a string, got null");
    expect_only_error("servers:\n  - name: a\n    command: b\n    env: [A]\n",
                      "cfg.yaml:4: servers[0].env: expected a mapping of names to strings, got a list");
    expect_only_error("servers:\n  - name: a\n    command: b\n    env: {A: [1]}\n",
                      "cfg.yaml:4: servers[0].env.A: expected a string, got a list");
    expect_only_error("servers:\n  - name: a\n    command: b\n    overrides: [t]\n",
                      "cfg.yaml:4: servers[0].overrides: expected a mapping of tool names to {name, description, access}, "
                      "got a list");
    expect_only_error("servers:\n  - name: a\n    command: b\n    overrides: {t: x}\n",
                      "cfg.yaml:4: servers[0].overrides.t: expected a mapping, got \"x\"");
    expect_only_error("servers:\n  - name: a\n    command: b\n    description:\n",
                      "cfg.yaml:4: servers[0].description: expected a string, got null");
    expect_only_error("projects:\n  - name: p\n    servers: a\n",
                      "cfg.yaml:3: projects[0].servers: expected a list of strings, got \"a\"");
    /* A NUL written as an escape would cut the string short. */
    expect_only_error("state_dir: \"/a\\0b\"\n", "cfg.yaml:1: state_dir: a value cannot contain a NUL character");
    /* Any scalar is a string: numbers and booleans keep their text. */
    struct mg_config *cfg = parse_ok("state_dir: 30\nservers:\n  - {name: \"1\", command: true, args: [1, no]}\n");
    assert_string_equal(cfg->state_dir, "30");
    assert_string_equal(cfg->servers[0].name, "1");
    assert_string_equal(cfg->servers[0].command, "true");
    assert_string_equal(cfg->servers[0].args[1], "no");
    mg_config_free(cfg);
}

static void
test_bools(void **state)
{
    static const char *const yes[] = {"true", "True", "YES", "yes", "on", "ON", "\"true\""};
    static const char *const no[] = {"false", "FALSE", "no", "No", "off", "'off'"};
    char text[128];
    struct mg_config *cfg;

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        snprintf(text, sizeof(text),
                 "demo: %s\nconformance: %s\nservers: [{name: a, command: b, resource_uri_prefix: %s}]\n", yes[i],
                 yes[i], yes[i]);
        cfg = parse_ok(text);
        assert_int_equal(cfg->demo, 1);
        assert_int_equal(cfg->conformance, 1);
        assert_int_equal(cfg->servers[0].resource_uri_prefix, 1);
        mg_config_free(cfg);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        snprintf(text, sizeof(text), "servers: [{name: a, command: b, enabled: %s, resource_uri_prefix: %s}]\n",
                 no[i], no[i]);
        cfg = parse_ok(text);
        assert_int_equal(cfg->servers[0].enabled, 0);
        assert_int_equal(cfg->servers[0].resource_uri_prefix, 0);
        mg_config_free(cfg);
    }
    expect_only_error("demo: maybe\n", "cfg.yaml:1: demo: expected true or false, got \"maybe\"");
    expect_only_error("demo: 1\n", "cfg.yaml:1: demo: expected true or false, got \"1\"");
    expect_only_error("conformance: \"\"\n", "cfg.yaml:1: conformance: expected true or false, got \"\"");
}

static void
test_seconds(void **state)
{
    struct mg_config *cfg = parse_ok("session_idle_timeout: 86400\n"
                                     "connection_timeout: 0.001\n"
                                     "discovery_timeout: \"1.23456\"\n"
                                     "liveness_probe_interval: 0.0\n");

    assert_int_equal(cfg->session_idle_timeout_ms, 86400000);
    assert_int_equal(cfg->connection_timeout_ms, 1);
    assert_int_equal(cfg->discovery_timeout_ms, 1234); /* ms resolution */
    assert_int_equal(cfg->liveness_probe_interval_ms, 0);
    mg_config_free(cfg);

    /* The example from the documentation: line 12, the second server. */
    expect_only_error("servers:\n"
                      "  - name: one\n"
                      "    command: a\n"
                      "\n"
                      "  # the second\n"
                      "  - name: github\n"
                      "    url: https://api.example.com/mcp\n"
                      "    headers:\n"
                      "      A: b\n"
                      "    enabled: true\n"
                      "    description: GitHub\n"
                      "    timeout: abc\n",
                      "cfg.yaml:12: servers[1].timeout: expected a number of seconds, got \"abc\"");
    static const char *const bad[] = {"-1", "1e3", ".5", "1.", "0x10", "30s", "1,5", "inf", "nan", " ", "1 2"};
    char text[64], want[160];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "connection_timeout: \"%s\"\n", bad[i]);
        snprintf(want, sizeof(want), "cfg.yaml:1: connection_timeout: expected a number of seconds, got \"%s\"",
                 bad[i]);
        expect_only_error(text, want);
    }
    expect_only_error("discovery_timeout: 0\n",
                      "cfg.yaml:1: discovery_timeout: expected a number of seconds from 0.001 to 86400, got \"0\"");
    expect_only_error("discovery_timeout: 0.0004\n",
                      "cfg.yaml:1: discovery_timeout: expected a number of seconds from 0.001 to 86400, got "
                      "\"0.0004\"");
    expect_only_error("session_idle_timeout: 86400.001\n",
                      "cfg.yaml:1: session_idle_timeout: expected a number of seconds from 0.001 to 86400, got "
                      "\"86400.001\"");
    expect_only_error("session_idle_timeout: 99999999999999999999999999\n",
                      "cfg.yaml:1: session_idle_timeout: expected a number of seconds from 0.001 to 86400, got "
                      "\"99999999999999999999999999\"");
    expect_only_error("liveness_probe_interval: 90000\n",
                      "cfg.yaml:1: liveness_probe_interval: expected a number of seconds from 0 (off) to 86400, got "
                      "\"90000\"");
    expect_only_error("servers: [{name: a, command: b, timeout: 0}]\n",
                      "cfg.yaml:1: servers[0].timeout: expected a number of seconds from 0.001 to 86400, got \"0\"");
}

static void
test_max_message_and_tool_name_max(void **state)
{
    static const struct {
        const char *text;
        size_t want;
    } ok[] = {{"64", 64}, {"65536", 65536}, {"2k", 2048}, {"4M", 4194304}, {"\"1024m\"", 1u << 30},
              {"1073741824", 1u << 30}};
    char text[64];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "max_message: %s\n", ok[i].text);
        struct mg_config *cfg = parse_ok(text);
        assert_int_equal(cfg->max_message, ok[i].want);
        mg_config_free(cfg);
    }
    static const char *const bad[] = {"63", "0", "1025m", "1073741825", "4x", "4mb", "1g", "-1", "m", "4 m",
                                      "99999999999999999999999k"};
    char want[200];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "max_message: \"%s\"\n", bad[i]);
        snprintf(want, sizeof(want),
                 "cfg.yaml:1: max_message: expected a size from 64 bytes to 1024m, in bytes or with a k or m suffix "
                 "(\"4m\"), got \"%s\"",
                 bad[i]);
        expect_only_error(text, want);
    }

    struct mg_config *cfg = parse_ok("tool_name_max: 32\n");
    assert_int_equal(cfg->tool_name_max, 32);
    mg_config_free(cfg);
    expect_only_error("tool_name_max: 31\n", "cfg.yaml:1: tool_name_max: expected an integer from 32 to 128, got \"31\"");
    expect_only_error("tool_name_max: 129\n",
                      "cfg.yaml:1: tool_name_max: expected an integer from 32 to 128, got \"129\"");
    expect_only_error("tool_name_max: 64.0\n",
                      "cfg.yaml:1: tool_name_max: expected an integer from 32 to 128, got \"64.0\"");
    expect_only_error("tool_name_max: 4294967360\n",
                      "cfg.yaml:1: tool_name_max: expected an integer from 32 to 128, got \"4294967360\"");
}

static void
test_list_page_size(void **state)
{
    static const struct {
        const char *text;
        unsigned want;
    } ok[] = {{"1", 1}, {"3", 3}, {"\"500\"", 500}, {"1000000", 1000000}};
    static const char *const bad[] = {"0", "-1", "1000001", "2.5", "1e3", "0x10", "99999999999999999999"};
    char text[64], want[200];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "list_page_size: %s\n", ok[i].text);
        struct mg_config *cfg = parse_ok(text);
        assert_int_equal(cfg->list_page_size, ok[i].want);
        mg_config_free(cfg);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "\nlist_page_size: \"%s\"\n", bad[i]);
        snprintf(want, sizeof(want), "cfg.yaml:2: list_page_size: expected an integer from 1 to 1000000, got \"%s\"",
                 bad[i]);
        expect_only_error(text, want);
    }
    expect_only_error("list_page_size: [3]\n", "cfg.yaml:1: list_page_size: expected an integer, got a list");
    expect_only_error("list_page_sise: 3\n", "cfg.yaml:1: list_page_sise: unknown key (did you mean \"list_page_size\"?)");
}

static void
test_log_level(void **state)
{
    static const char *const names[] = {"debug", "info", "warn", "error", "none"};
    char text[64];

    for (int i = 0; i < 5; i++) {
        snprintf(text, sizeof(text), "log_level: %s\n", names[i]);
        struct mg_config *cfg = parse_ok(text);
        assert_int_equal(cfg->log_level, i);
        mg_config_free(cfg);
    }
    struct mg_config *cfg = parse_ok("log_level: WARN\n");
    assert_int_equal(cfg->log_level, MG_LOG_WARN);
    mg_config_free(cfg);
    expect_only_error("log_level: verbose\n",
                      "cfg.yaml:1: log_level: expected one of debug, info, warn, error, none, got \"verbose\"");
    expect_only_error("log_level: warning\n", "cfg.yaml:1: log_level: expected one of debug, info, warn, error, none, "
                                              "got \"warning\" (did you mean \"warn\"?)");
}

static void
test_listen(void **state)
{
    static const struct {
        const char *text, *host;
        unsigned port;
    } ok[] = {{"0.0.0.0:80", "0.0.0.0", 80},
              {"localhost:65535", "localhost", 65535},
              {"127.0.0.1:0", "127.0.0.1", 0},
              {"\"[::1]:8808\"", "::1", 8808},
              {"\"[fe80::1:2]:1\"", "fe80::1:2", 1},
              {"mcp-gw.internal:443", "mcp-gw.internal", 443}};
    char text[96];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "listen: %s\n", ok[i].text);
        struct mg_config *cfg = parse_ok(text);
        assert_string_equal(cfg->listen_host, ok[i].host);
        assert_int_equal(cfg->listen_port, ok[i].port);
        mg_config_free(cfg);
    }
    static const struct {
        const char *text, *why;
    } bad[] = {{":8808", "no host"},
               {"localhost", "no port"},
               {"localhost:", "the port must be a number from 0 (any free port) to 65535"},
               {"localhost:65536", "the port must be a number from 0 (any free port) to 65535"},
               {"localhost:80x", "the port must be a number from 0 (any free port) to 65535"},
               {"::1:8808", "no host"},
               {"fe80::1:8808", "an IPv6 address goes in brackets, as in [::1]:8808"},
               {"[::1]", "no port"},
               {"[::1", "no \"]\" after the IPv6 address"},
               {"[]:80", "not an IPv6 address in the brackets"},
               {"[zz::]:80", "not an IPv6 address in the brackets"},
               {"[::1]x:80", "text after the address"},
               {"my host:80", "an invalid character in the host"},
               {"", "no host"}};
    char want[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "listen: \"%s\"\n", bad[i].text);
        snprintf(want, sizeof(want),
                 "cfg.yaml:1: listen: expected HOST:PORT such as \"127.0.0.1:8808\" or \"[::1]:8808\", got \"%s\" (%s)",
                 bad[i].text, bad[i].why);
        expect_only_error(text, want);
    }
}

static void
test_allow_origins(void **state)
{
    struct mg_config *cfg = parse_ok("allow_origins: [\"*\", \"https://app.example.com\", \"http://localhost:3000\", "
                                     "\"http://[::1]:8080\", \"chrome-extension://abcdef\"]\n");

    assert_int_equal(cfg->nallow_origins, 5);
    assert_string_equal(cfg->allow_origins[4], "chrome-extension://abcdef");
    mg_config_free(cfg);

    static const struct {
        const char *text, *why;
    } bad[] = {{"app.example.com", "no scheme://"},
               {"https://app.example.com/", "an origin has no path, not even \"/\""},
               {"https://app.example.com/x", "an origin has no path, not even \"/\""},
               {"https://x.com?q", "an origin has no path, not even \"/\""},
               {"https://", "no host"},
               {"https://x.com:99999", "the port must be a number from 1 to 65535"},
               {"https://user@x.com", "an invalid character in the host"},
               {"1http://x", "no scheme://"},
               {"", "no scheme://"}};
    char text[128], want[320];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "allow_origins:\n  - \"*\"\n  - \"%s\"\n", bad[i].text);
        snprintf(want, sizeof(want),
                 "cfg.yaml:3: allow_origins[1]: expected \"*\" or an origin such as \"https://app.example.com\", got "
                 "\"%s\" (%s)",
                 bad[i].text, bad[i].why);
        expect_only_error(text, want);
    }
}

static void
test_tool_name_format(void **state)
{
    static const char *const ok[] = {"{server}__{tool}", "{tool}.{server}", "mcp-{server}-{tool}", "{server}{tool}"};
    char text[128];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "tool_name_format: \"%s\"\n", ok[i]);
        struct mg_config *cfg = parse_ok(text);
        assert_string_equal(cfg->tool_name_format, ok[i]);
        mg_config_free(cfg);
    }
    expect_only_error("tool_name_format: \"{tool}\"\n",
                      "cfg.yaml:1: tool_name_format: must contain {server} and {tool} once each, got \"{tool}\"");
    expect_only_error("tool_name_format: \"{server}_{tool}_{server}\"\n",
                      "cfg.yaml:1: tool_name_format: must contain {server} and {tool} once each, got "
                      "\"{server}_{tool}_{server}\"");
    expect_only_error("tool_name_format: \"{sever}__{tool}\"\n",
                      "cfg.yaml:1: tool_name_format: unknown placeholder \"{sever}\" (did you mean \"{server}\"?); "
                      "only {server} and {tool} are replaced");
    expect_only_error("tool_name_format: \"{server}__{tool}__{version}\"\n",
                      "cfg.yaml:1: tool_name_format: unknown placeholder \"{version}\"; only {server} and {tool} are "
                      "replaced");
    expect_only_error("tool_name_format: \"{server} {tool}\"\n",
                      "cfg.yaml:1: tool_name_format: \" \" is not allowed; outside {server} and {tool} use only "
                      "letters, digits, \"_\", \".\" and \"-\"");
    expect_only_error("tool_name_format: \"{server}/{tool}\"\n",
                      "cfg.yaml:1: tool_name_format: \"/\" is not allowed; outside {server} and {tool} use only "
                      "letters, digits, \"_\", \".\" and \"-\"");
    expect_only_error("tool_name_format: \"{server}__{tool}}\"\n",
                      "cfg.yaml:1: tool_name_format: \"}\" is not allowed; outside {server} and {tool} use only "
                      "letters, digits, \"_\", \".\" and \"-\"");
    expect_only_error("tool_name_format: \"{server}__{tool\"\n",
                      "cfg.yaml:1: tool_name_format: a \"{\" without its \"}\"");
}

static void
test_server_kinds(void **state)
{
    expect_only_error("servers:\n  - name: a\n    command: x\n    url: http://h\n",
                      "cfg.yaml:4: servers[0]: has both url and command; a server is either an HTTP server or a "
                      "command");
    expect_only_error("servers:\n  - name: a\n    description: d\n",
                      "cfg.yaml:2: servers[0]: needs a url (an HTTP server) or a command (a stdio server)");
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    args: [x]\n    env: {A: b}\n    cwd: /\n",
                      "cfg.yaml:4: servers[0].args: only for a command server (this one has a url)\n"
                      "cfg.yaml:5: servers[0].env: only for a command server (this one has a url)\n"
                      "cfg.yaml:6: servers[0].cwd: only for a command server (this one has a url)");
    expect_only_error("servers:\n  - name: a\n    command: x\n    headers: {A: b}\n",
                      "cfg.yaml:4: servers[0].headers: only for a url server (this one has a command)");
    expect_only_error("servers:\n  - name: a\n    command: x\n    transport: sse\n",
                      "cfg.yaml:4: servers[0].transport: a command server speaks stdio, got \"sse\"");
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    transport: stdio\n",
                      "cfg.yaml:4: servers[0].transport: stdio is for command servers; a url server takes auto, "
                      "streamable-http or sse");
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    transport: streamable_http\n",
                      "cfg.yaml:4: servers[0].transport: expected one of stdio, auto, streamable-http, sse, got "
                      "\"streamable_http\" (did you mean \"streamable-http\"?)");
    expect_only_error("servers:\n  - name: a\n    command: \"\"\n",
                      "cfg.yaml:3: servers[0].command: expected a command, got \"\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    cwd: \"\"\n",
                      "cfg.yaml:4: servers[0].cwd: expected a directory, got \"\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    isolation: private\n",
                      "cfg.yaml:4: servers[0].isolation: expected one of shared, session, got \"private\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    resource_uri_prefix: yes please\n",
                      "cfg.yaml:4: servers[0].resource_uri_prefix: expected true or false, got \"yes please\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    protocol: 2026-07-28\n",
                      "cfg.yaml:4: servers[0].protocol: expected one of auto, legacy, modern, got \"2026-07-28\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    include_tools: [a, \"\"]\n",
                      "cfg.yaml:4: servers[0].include_tools[1]: expected a non-empty string");
    expect_only_error("servers:\n  -\n", "cfg.yaml:2: servers[0]: missing required key \"name\"\n"
                                         "cfg.yaml:2: servers[0]: needs a url (an HTTP server) or a command (a stdio "
                                         "server)");
}

static void
test_server_names(void **state)
{
    char text[256], want[256];

    expect_only_error("servers:\n  - command: x\n", "cfg.yaml:2: servers[0]: missing required key \"name\"");
    expect_only_error("servers:\n  - name: my server\n    command: x\n",
                      "cfg.yaml:2: servers[0].name: expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got "
                      "\"my server\"");
    expect_only_error("servers:\n  - name: a.b\n    command: x\n",
                      "cfg.yaml:2: servers[0].name: expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got "
                      "\"a.b\"");
    expect_only_error("servers:\n  - name: \"\"\n    command: x\n",
                      "cfg.yaml:2: servers[0].name: expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got "
                      "\"\"");
    snprintf(text, sizeof(text), "servers:\n  - name: %.64s\n    command: x\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    mg_config_free(parse_ok(text));
    snprintf(text, sizeof(text), "servers:\n  - name: %.65s\n    command: x\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(want, sizeof(want),
             "cfg.yaml:2: servers[0].name: expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got \"%.60s…\"",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    expect_only_error(text, want);
    expect_only_error("servers:\n"
                      "  - name: github\n"
                      "    command: a\n"
                      "  - name: other\n"
                      "    command: a\n"
                      "  - command: b\n"
                      "    name: github\n",
                      "cfg.yaml:7: servers[2].name: duplicate name \"github\" (first at line 2)");
    /* Names are case-sensitive. */
    struct mg_config *cfg = parse_ok("servers: [{name: A_1, command: x}, {name: a_1, command: x}]\n");
    assert_int_equal(cfg->nservers, 2);
    mg_config_free(cfg);
}

static void
test_urls(void **state)
{
    static const char *const ok[] = {"http://h", "https://api.example.com/mcp", "HTTPS://h:8443/x?y=1#z",
                                     "http://[::1]:9/", "https://user:pw@h.example/mcp", "http://10.0.0.1:65535"};
    char text[160], want[320];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "servers: [{name: a, url: \"%s\"}]\n", ok[i]);
        struct mg_config *cfg = parse_ok(text);
        assert_string_equal(cfg->servers[0].url, ok[i]);
        mg_config_free(cfg);
    }
    static const struct {
        const char *text, *why;
    } bad[] = {{"ftp://h", "the scheme must be http:// or https://"},
               {"h.example.com/mcp", "the scheme must be http:// or https://"},
               {"http://", "no host"},
               {"http:///mcp", "no host"},
               {"http://a b/", "spaces and control characters must be percent-encoded"},
               {"http://h:0/", "the port must be a number from 1 to 65535"},
               {"http://h:/", "the port must be a number from 1 to 65535"},
               {"http://h\\\\x/", "an invalid character in the host"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "servers:\n  - name: a\n    url: \"%s\"\n", bad[i].text);
        snprintf(want, sizeof(want), "cfg.yaml:3: servers[0].url: expected an http:// or https:// URL, got \"%s\" (%s)",
                 bad[i].text, bad[i].why);
        expect_only_error(text, want);
    }
}

static void
test_headers_and_env(void **state)
{
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    headers:\n      \"X Token\": a\n",
                      "cfg.yaml:5: servers[0].headers.X Token: a header name is letters, digits and "
                      "!#$%&'*+-.^_`|~ only");
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    headers:\n      \"X:Y\": a\n",
                      "cfg.yaml:5: servers[0].headers.X:Y: a header name is letters, digits and !#$%&'*+-.^_`|~ only");
    expect_only_error("servers:\n  - name: a\n    url: http://h\n    headers:\n      X: \"a\\r\\nInjected: 1\"\n",
                      "cfg.yaml:5: servers[0].headers.X: a header value cannot contain control characters");
    /* A tab is allowed in a header value. */
    struct mg_config *cfg = parse_ok("servers:\n  - name: a\n    url: http://h\n    headers: {X: \"a\\tb\"}\n");
    assert_string_equal(cfg->servers[0].headers[0].value, "a\tb");
    mg_config_free(cfg);
    expect_only_error("servers:\n  - name: a\n    command: x\n    env:\n      \"A=B\": x\n",
                      "cfg.yaml:5: servers[0].env.A=B: an environment variable name cannot be empty or contain \"=\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    env: {\"\": x}\n",
                      "cfg.yaml:4: servers[0].env.: an environment variable name cannot be empty or contain \"=\"");
}

static void
test_overrides(void **state)
{
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      t: {}\n",
                      "cfg.yaml:5: servers[0].overrides.t: give a new name, a description or an access (read or write)");
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      t:\n",
                      "cfg.yaml:5: servers[0].overrides.t: give a new name, a description or an access (read or write)");
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      t: {name: \"a b\"}\n",
                      "cfg.yaml:5: servers[0].overrides.t.name: expected a tool name of 1 to 128 letters, digits, "
                      "\"_\", \".\" or \"-\", got \"a b\"");
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      [t]: {name: b}\n",
                      "cfg.yaml:5: servers[0].overrides: expected a tool name as the key, got a list");
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      t: {name: b, description: [x]}\n",
                      "cfg.yaml:5: servers[0].overrides.t.description: expected a string, got a list");
    expect_only_error("servers:\n  - name: a\n    command: x\n    overrides:\n      t: {access: admin}\n",
                      "cfg.yaml:5: servers[0].overrides.t.access: expected one of auto, read, write, got \"admin\"");
}

/* Tools are classified for key scopes per server and per tool. */
static void
test_access(void **state)
{
    struct mg_config *cfg = parse_ok("write_tools_for_read_keys: hide\nteam: platform\nservers:\n"
                                     "  - name: a\n    command: x\n    access: read\n"
                                     "    overrides:\n      drop: {access: write}\n"
                                     "  - {name: b, command: x}\n");
    (void)state;
    assert_int_equal(cfg->write_tools_for_read_keys, MG_CONFIG_WRITE_TOOLS_HIDE);
    assert_string_equal(cfg->team, "platform");
    assert_int_equal(cfg->servers[0].access, MG_CONFIG_ACCESS_READ);
    assert_int_equal(cfg->servers[0].overrides[0].access, MG_CONFIG_ACCESS_WRITE);
    assert_null(cfg->servers[0].overrides[0].name);
    assert_int_equal(cfg->servers[1].access, MG_CONFIG_ACCESS_AUTO);
    mg_config_free(cfg);
    expect_only_error("servers:\n  - {name: a, command: x, access: readonly}\n",
                      "cfg.yaml:2: servers[0].access: expected one of auto, read, write, got \"readonly\"");
    expect_only_error("write_tools_for_read_keys: show\n",
                      "cfg.yaml:1: write_tools_for_read_keys: expected one of mark, hide, got \"show\"");
}

static void
test_projects(void **state)
{
    /* Projects may come before the servers they name. */
    struct mg_config *cfg = parse_ok("projects:\n  - name: p\n    servers: [b, a]\nservers:\n"
                                     "  - {name: a, command: x}\n  - {name: b, url: \"http://h\"}\n");
    assert_int_equal(cfg->nprojects, 1);
    assert_string_equal(cfg->projects[0].servers[0], "b");
    assert_null(cfg->projects[0].description);
    mg_config_free(cfg);

    /* A project's own credentials for its servers. */
    cfg = parse_ok("servers:\n  - {name: a, command: x}\nprojects:\n  - name: staging\n    servers: [a]\n"
                   "    env: {TOKEN: s3}\n    headers: {Authorization: Bearer t}\n");
    assert_int_equal(cfg->projects[0].nenv, 1);
    assert_string_equal(cfg->projects[0].env[0].key, "TOKEN");
    assert_string_equal(cfg->projects[0].env[0].value, "s3");
    assert_int_equal(cfg->projects[0].nheaders, 1);
    assert_string_equal(cfg->projects[0].headers[0].value, "Bearer t");
    assert_ptr_equal(mg_config_find_project(cfg, "staging"), &cfg->projects[0]);
    assert_null(mg_config_find_project(cfg, "prod"));
    assert_true(mg_config_project_has(&cfg->projects[0], "a"));
    assert_false(mg_config_project_has(&cfg->projects[0], "b"));
    mg_config_free(cfg);

    expect_only_error("servers:\n"
                      "  - {name: github, command: x}\n"
                      "  - {name: files, command: x}\n"
                      "projects:\n"
                      "  - name: dev\n"
                      "    servers:\n"
                      "      - files\n"
                      "      - gihtub\n"
                      "      - slack\n",
                      "cfg.yaml:8: projects[0].servers[1]: unknown server \"gihtub\" (did you mean \"github\"?)\n"
                      "cfg.yaml:9: projects[0].servers[2]: unknown server \"slack\"");
    expect_only_error("projects:\n  - name: p\n    servers: [a]\n",
                      "cfg.yaml:3: projects[0].servers[0]: unknown server \"a\"");
    expect_only_error("projects:\n  - description: x\n", "cfg.yaml:2: projects[0]: missing required key \"name\"");
    expect_only_error("projects:\n  - name: \"p q\"\n",
                      "cfg.yaml:2: projects[0].name: expected a name of 1 to 64 letters, digits, \"_\" or \"-\", got "
                      "\"p q\"");
    expect_only_error("projects:\n  - name: p\n  - name: q\n  - name: p\n",
                      "cfg.yaml:4: projects[2].name: duplicate name \"p\" (first at line 2)");
    expect_only_error("servers: [{name: a, command: x}]\nprojects:\n  - name: p\n    servers:\n      - a\n      - a\n",
                      "cfg.yaml:6: projects[0].servers[1]: lists server \"a\" again (first at line 5)");
    expect_only_error("servers: [{name: a, command: x}]\nprojects:\n  - name: p\n    servers: [\"\"]\n",
                      "cfg.yaml:4: projects[0].servers[0]: expected a non-empty string");
    expect_only_error("projects: [x]\n", "cfg.yaml:1: projects[0]: expected a mapping, got \"x\"");
}

static void
expand_is(const char *in, const char *want)
{
    char why[256] = "";
    char *out = mg_config__expand(in, strlen(in), why, sizeof(why));

    if (out == NULL)
        fail_msg("%s: %s", in, why);
    assert_string_equal(out, want);
    free(out);
}

static void
expand_fails(const char *in, const char *want)
{
    char why[256] = "";
    char *out = mg_config__expand(in, strlen(in), why, sizeof(why));

    if (out != NULL)
        fail_msg("%s expanded to %s", in, out);
    assert_string_equal(why, want);
}

static void
test_env_expansion(void **state)
{
    setenv("MG_T_SET", "value", 1);
    setenv("MG_T_EMPTY", "", 1);
    unsetenv("MG_T_UNSET");

    expand_is("", "");
    expand_is("plain", "plain");
    expand_is("${MG_T_SET}", "value");
    expand_is("a${MG_T_SET}b${MG_T_SET}", "avaluebvalue");
    expand_is("${MG_T_EMPTY}", "");
    expand_is("${MG_T_UNSET:-dflt}", "dflt");
    expand_is("${MG_T_EMPTY:-dflt}", "dflt");
    expand_is("${MG_T_SET:-dflt}", "value");
    expand_is("${MG_T_UNSET:-}", "");
    expand_is("${MG_T_UNSET:-a b:-c{d}", "a b:-c{d");
    expand_is("${MG_T_UNSET:-$x}", "$x"); /* defaults are verbatim */
    expand_is("$$", "$");
    expand_is("$${MG_T_SET}", "${MG_T_SET}");
    expand_is("$$$", "$$");
    expand_is("$HOME and 5$ and $", "$HOME and 5$ and $");
    expand_is("$ {x}", "$ {x}");
    expand_is("}", "}");

    expand_fails("${MG_T_UNSET}",
                 "environment variable MG_T_UNSET is not set (write ${MG_T_UNSET:-} to allow it to be empty)");
    expand_fails("${", "unterminated variable reference \"${\" (missing \"}\")");
    expand_fails("a ${MG_T_SET", "unterminated variable reference \"${MG_T_SET\" (missing \"}\")");
    expand_fails("${MG_T_SET:-x", "unterminated variable reference \"${MG_T_SET:-x\" (missing \"}\")");
    expand_fails("${}", "\"${}\": empty variable name");
    expand_fails("${:-x}", "\"${:-x}\": empty variable name");
    expand_fails("${1A}", "\"${1A}\": a variable name cannot start with a digit");
    expand_fails("${A B}", "\"${A B}\": a variable name is letters, digits and \"_\", followed by \"}\" or "
                           "\":-default}\"");
    expand_fails("${A-x}", "\"${A-x}\": a variable name is letters, digits and \"_\", followed by \"}\" or "
                           "\":-default}\"");
    expand_fails("${A:=x}", "\"${A:=x}\": a variable name is letters, digits and \"_\", followed by \"}\" or "
                            "\":-default}\"");
    expand_fails("${-x}", "\"${-x}\": a variable name is letters, digits and \"_\", followed by \"}\" or "
                          "\":-default}\"");

    /* Through the loader: every scalar value, before conversion. */
    setenv("MG_T_TIMEOUT", "2.5", 1);
    setenv("MG_T_TOKEN", "secret", 1);
    struct mg_config *cfg = parse_ok("listen: \"${MG_T_HOST:-0.0.0.0}:${MG_T_PORT:-9100}\"\n"
                                     "demo: ${MG_T_DEMO:-yes}\n"
                                     "connection_timeout: ${MG_T_TIMEOUT}\n"
                                     "discovery_timeout: \"${MG_T_UNSET:-30}\"\n"
                                     "max_message: ${MG_T_UNSET:-1m}\n"
                                     "state_dir: ${MG_T_UNSET:-}\n"
                                     "servers:\n"
                                     "  - name: ${MG_T_UNSET:-gh}\n"
                                     "    url: https://h/${MG_T_SET}\n"
                                     "    headers: {Authorization: \"Bearer ${MG_T_TOKEN}\", X-Cost: 5$$}\n");
    assert_string_equal(cfg->listen, "0.0.0.0:9100");
    assert_int_equal(cfg->listen_port, 9100);
    assert_int_equal(cfg->demo, 1);
    assert_int_equal(cfg->connection_timeout_ms, 2500);
    assert_int_equal(cfg->discovery_timeout_ms, 30000);
    assert_int_equal(cfg->max_message, 1024 * 1024);
    assert_string_equal(cfg->state_dir, "");
    assert_string_equal(cfg->servers[0].name, "gh");
    assert_string_equal(cfg->servers[0].url, "https://h/value");
    assert_string_equal(cfg->servers[0].headers[0].value, "Bearer secret");
    assert_string_equal(cfg->servers[0].headers[1].value, "5$");
    mg_config_free(cfg);

    /* An unset variable names the variable, file, line and key. */
    expect_only_error("servers:\n  - name: gh\n    url: https://h\n    headers:\n"
                      "      Authorization: \"Bearer ${MG_T_UNSET}\"\n",
                      "cfg.yaml:5: servers[0].headers.Authorization: environment variable MG_T_UNSET is not set "
                      "(write ${MG_T_UNSET:-} to allow it to be empty)");
    expect_only_error("demo: true\nconnection_timeout: ${MG_T_UNSET:-abc}\n",
                      "cfg.yaml:2: connection_timeout: expected a number of seconds, got \"abc\"");
    expect_only_error("state_dir: \"${MG_T_SET\"\n",
                      "cfg.yaml:1: state_dir: unterminated variable reference \"${MG_T_SET\" (missing \"}\")");
    /* A value from the environment cannot smuggle a second header in. */
    setenv("MG_T_EVIL", "x\r\nHost: evil", 1);
    expect_only_error("servers:\n  - name: gh\n    url: https://h\n    headers: {A: \"${MG_T_EVIL}\"}\n",
                      "cfg.yaml:4: servers[0].headers.A: a header value cannot contain control characters");

    unsetenv("MG_T_SET");
    unsetenv("MG_T_EMPTY");
    unsetenv("MG_T_TIMEOUT");
    unsetenv("MG_T_TOKEN");
    unsetenv("MG_T_EVIL");
}

static void
test_expansion_size_cap(void **state)
{
    /* A value cannot grow past 1 MiB through repeated references. */
    char *big = malloc(600 * 1024 + 1), *text;
    size_t n = 2000, len;

    memset(big, 'x', 600 * 1024);
    big[600 * 1024] = '\0';
    setenv("MG_T_BIG", big, 1);
    expand_fails("${MG_T_BIG}${MG_T_BIG}", "longer than 1048576 bytes after expanding variables");
    expand_is("${MG_T_UNSET:-a}", "a");

    text = malloc(n * 12 + 64);
    len = (size_t)sprintf(text, "state_dir: \"");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "${MG_T_BIG}");
    sprintf(text + len, "\"\n");
    expect_only_error(text, "cfg.yaml:1: state_dir: longer than 1048576 bytes after expanding variables");
    free(text);
    free(big);
    unsetenv("MG_T_BIG");
}

static void
test_error_list(void **state)
{
    char text[2048], err[8192], want[64];
    size_t len = 0;

    /* 25 errors: the first 20 by line, then a count. */
    for (int i = 0; i < 25; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "bad_%02d: 1\n", i);
    assert_null(parse(text, err, sizeof(err)));
    assert_int_equal(count_lines(err), 21);
    assert_true(has_line(err, "cfg.yaml:1: bad_00: unknown key"));
    assert_true(has_line(err, "cfg.yaml:20: bad_19: unknown key"));
    assert_false(has_line(err, "cfg.yaml:21: bad_20: unknown key"));
    snprintf(want, sizeof(want), "\xe2\x80\xa6 and 5 more");
    assert_true(has_line(err, want));
    assert_non_null(strstr(err, "bad_19: unknown key\n\xe2\x80\xa6 and 5 more"));

    /* Errors found late (project references) still come out by line,
     * and they displace later ones from the first 20. */
    len = (size_t)snprintf(text, sizeof(text), "projects:\n  - name: p\n    servers: [nope]\n");
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "bad_%02d: 1\n", i);
    assert_null(parse(text, err, sizeof(err)));
    assert_non_null(strstr(err, "cfg.yaml:3: projects[0].servers[0]: unknown server \"nope\"\n"
                                "cfg.yaml:4: bad_00: unknown key\n"));
    assert_true(has_line(err, "\xe2\x80\xa6 and 1 more"));
    assert_false(has_line(err, "cfg.yaml:23: bad_19: unknown key"));

    /* A short buffer gets a cut, terminated message. */
    char small[16];
    memset(small, 'z', sizeof(small));
    assert_null(parse("demo: x\n", small, sizeof(small)));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_memory_equal(small, "cfg.yaml:1: dem", 15);
    assert_null(parse("demo: x\n", NULL, 0));
    assert_null(parse("demo: x\n", small, 1));
    assert_string_equal(small, "");
}

static void
test_hostile_input(void **state)
{
    /* Control characters and long values come out escaped and short. */
    expect_only_error("demo: \"a\\x1b[2Jb\"\n", "cfg.yaml:1: demo: expected true or false, got \"a\\x1b[2Jb\"");
    char text[4096], err[4096];
    snprintf(text, sizeof(text), "demo: %0300d\n", 7);
    assert_null(parse(text, err, sizeof(err)));
    assert_true(strlen(err) < 200);
    assert_null(strchr(err, '\n'));

    /* A long key keeps the path within its buffer.  (libyaml itself
     * refuses implicit keys past 1024 characters.) */
    memset(text, 'k', 1000);
    strcpy(text + 1000, ": 1\n");
    assert_null(parse(text, err, sizeof(err)));
    assert_non_null(strstr(err, "cfg.yaml:1: kkkk"));
    assert_non_null(strstr(err, ": unknown key"));

    /* Many misspellings: hints stop, the loader does not slow down. */
    size_t n = 30000, len = 0;
    char *many = malloc(n * 40 + 64);
    len = (size_t)sprintf(many, "servers:\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(many + len, "  - {name: s%zu, comand: x}\n", i);
    assert_null(mg_config_parse(many, len, "cfg.yaml", err, sizeof(err)));
    assert_true(has_line(err, "cfg.yaml:2: servers[0].comand: unknown key (did you mean \"command\"?)"));
    free(many);

    /* Every prefix of a valid file: no crash, no leak, either answer. */
    for (size_t i = 0; i <= sizeof(full) - 1; i++) {
        struct mg_config *cfg = mg_config_parse(full, i, "cfg.yaml", err, sizeof(err));
        mg_config_free(cfg);
    }
}

/* What a reload compares (config_same.c). */
static void
test_reload_compare(void **state)
{
    static const char base[] = "servers:\n"
                               "  - name: a\n    command: node\n    args: [a.js]\n"
                               "  - name: b\n    url: http://127.0.0.1:1/mcp\n"
                               "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: x}\n";
    static const struct {
        const char *text;
        int a_same, b_same;
    } cases[] = {
        /* b moved up: only lines differ. */
        {"servers:\n  - name: b\n    url: http://127.0.0.1:1/mcp\n"
         "  - name: a\n    command: node\n    args: [a.js]\n"
         "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: x}\n", 1, 1},
        {"servers:\n  - name: a\n    command: node\n    args: [a.js, -v]\n"
         "  - name: b\n    url: http://127.0.0.1:1/mcp\n"
         "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: x}\n", 0, 1},
        /* A project's credentials for a belong to a. */
        {"servers:\n  - name: a\n    command: node\n    args: [a.js]\n"
         "  - name: b\n    url: http://127.0.0.1:1/mcp\n"
         "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: y}\n", 0, 1},
        {"servers:\n  - name: a\n    command: node\n    args: [a.js]\n"
         "  - name: b\n    url: http://127.0.0.1:1/mcp\n    timeout: 5\n"
         "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: x}\n", 1, 0},
        /* A setting every server starts with. */
        {"liveness_probe_interval: 3\nservers:\n  - name: a\n    command: node\n    args: [a.js]\n"
         "  - name: b\n    url: http://127.0.0.1:1/mcp\n"
         "projects:\n  - name: p\n    servers: [a]\n    env: {TOKEN: x}\n", 0, 0},
    };
    struct mg_config *old = parse_ok(base);
    char keys[200];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mg_config *cfg = parse_ok(cases[i].text);
        assert_int_equal(mg_config_server_same(old, mg_config_find_server(old, "a"), cfg,
                                               mg_config_find_server(cfg, "a")), cases[i].a_same);
        assert_int_equal(mg_config_server_same(old, mg_config_find_server(old, "b"), cfg,
                                               mg_config_find_server(cfg, "b")), cases[i].b_same);
        assert_int_equal(mg_config_restart_only(old, cfg, keys, sizeof(keys)), 0);
        mg_config_free(cfg);
    }
    {
        struct mg_config *cfg = parse_ok("listen: 127.0.0.1:9\nauth: required\nlog_level: debug\n");
        assert_int_equal(mg_config_restart_only(old, cfg, keys, sizeof(keys)), 2);
        assert_string_equal(keys, "listen, auth");
        mg_config_free(cfg);
    }
    mg_config_free(old);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_defaults),
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_transport_defaults),
        cmocka_unit_test(test_shipped_files_load),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_yaml_syntax_errors),
        cmocka_unit_test(test_documents_aliases_depth),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bools),
        cmocka_unit_test(test_seconds),
        cmocka_unit_test(test_max_message_and_tool_name_max),
        cmocka_unit_test(test_list_page_size),
        cmocka_unit_test(test_log_level),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_allow_origins),
        cmocka_unit_test(test_tool_name_format),
        cmocka_unit_test(test_server_kinds),
        cmocka_unit_test(test_server_names),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_headers_and_env),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_projects),
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_env_expansion),
        cmocka_unit_test(test_expansion_size_cap),
        cmocka_unit_test(test_error_list),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_reload_compare),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
