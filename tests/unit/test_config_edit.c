/*
 * test_config_edit.c - the text edits of a config's servers list
 * (src/cli/config_edit.c): adding to every shape the list can have,
 * removing and toggling entries with everything around them kept byte
 * for byte, refusing layouts it cannot edit safely, and quoting values
 * so that they read back exactly and cannot add YAML of their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/config_edit.h"
#include "config/config.h"

static const char *const everything_args[] = {"-y", "@modelcontextprotocol/server-everything"};

static const struct mg_cfgedit_server stdio_server = {
    .name = "ev",
    .command = "npx",
    .args = everything_args,
    .nargs = 2,
};

/* Parse TEXT with the real loader; it must be valid. */
static struct mg_config *
load(const char *text)
{
    char err[4096] = "";
    struct mg_config *cfg = mg_config_parse(text, strlen(text), "t.yaml", err, sizeof(err));

    if (cfg == NULL)
        fail_msg("invalid config:\n%s\n--- because:\n%s", text, err);
    return cfg;
}

/* Add S to TEXT; the result must be WANT exactly (when not NULL) and a
 * valid config with S in it.  Returns the new text (free it). */
static char *
add_ok(const char *text, const struct mg_cfgedit_server *s, const char *want)
{
    struct mg_cfgedit_out out;
    char err[256] = "";
    enum mg_cfgedit_rc rc = mg_cfgedit_add(text, strlen(text), s, &out, err, sizeof(err));
    struct mg_config *cfg;

    if (rc != MG_CFGEDIT_OK)
        fail_msg("add refused (%d): %s\n%s", rc, err, text);
    assert_int_equal(out.len, strlen(out.text));
    if (want != NULL)
        assert_string_equal(out.text, want);
    cfg = load(out.text);
    assert_non_null(mg_config_find_server(cfg, s->name));
    mg_config_free(cfg);
    free(out.closest);
    return out.text;
}

static void
test_add_to_empty_file(void **state)
{
    char *t = add_ok("", &stdio_server,
                     "servers:\n"
                     "  - name: ev\n"
                     "    command: npx\n"
                     "    args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n");
    free(t);
    t = add_ok("# just a comment\n", &stdio_server, NULL);
    assert_true(strncmp(t, "# just a comment\n\nservers:\n  - name: ev\n", 40) == 0);
    free(t);
}

static void
test_add_without_servers_key(void **state)
{
    char *t = add_ok("listen: 127.0.0.1:9000\ndemo: true", &stdio_server, NULL);

    /* The last line had no line break: one is added, then a blank line. */
    assert_true(strncmp(t, "listen: 127.0.0.1:9000\ndemo: true\n\nservers:\n  - name: ev\n", 57) == 0);
    free(t);
}

static void
test_add_to_empty_list(void **state)
{
    char *t = add_ok("servers: []\nlog_level: info\n", &stdio_server,
                     "servers:\n"
                     "  - name: ev\n"
                     "    command: npx\n"
                     "    args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n"
                     "log_level: info\n");
    free(t);
    t = add_ok("servers: []   # none yet\n", &stdio_server, NULL);
    assert_true(strncmp(t, "servers:   # none yet\n  - name: ev\n", 35) == 0);
    free(t);
    t = add_ok("servers: ~\n", &stdio_server, NULL);
    assert_true(strncmp(t, "servers:\n  - name: ev\n", 22) == 0);
    free(t);
    /* A null list followed only by comments: the entry goes right under
     * the key, the comments stay below it. */
    t = add_ok("demo: true\nservers:\n  # - name: x\n  #   command: y\n", &stdio_server,
               "demo: true\nservers:\n"
               "  - name: ev\n"
               "    command: npx\n"
               "    args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n"
               "  # - name: x\n  #   command: y\n");
    free(t);
}

static const char commented[] =
    "# My gateway.\n"
    "listen: 127.0.0.1:8808   # loopback only\n"
    "\n"
    "servers:\n"
    "    # the first one\n"
    "    -   name: one\n"
    "        command: /bin/one   # trailing\n"
    "        env: {A: \"1\"}\n"
    "\n"
    "    # the second one\n"
    "    -   name: two\n"
    "        url: https://example.com/mcp\n"
    "        headers:\n"
    "          Authorization: \"Bearer ${TOKEN:-x}\"\n"
    "    # a commented-out one\n"
    "    # -   name: three\n"
    "\n"
    "# Projects.\n"
    "projects: []\n";

static void
test_add_keeps_comments(void **state)
{
    char *t = add_ok(commented, &stdio_server, NULL);
    const char *cut = strstr(commented, "    # a commented-out one");
    size_t head = (size_t)(cut - commented);
    const char *entry = "    -   name: ev\n"
                        "        command: npx\n"
                        "        args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n";

    /* Everything before the end of the last entry, the new entry indented
     * like the others, then everything after, byte for byte. */
    assert_memory_equal(t, commented, head);
    assert_memory_equal(t + head, entry, strlen(entry));
    assert_string_equal(t + head + strlen(entry), cut);
    free(t);
}

static char *
remove_ok(const char *text, const char *name)
{
    struct mg_cfgedit_out out;
    char err[256] = "";

    if (mg_cfgedit_remove(text, strlen(text), name, &out, err, sizeof(err)) != MG_CFGEDIT_OK)
        fail_msg("remove refused: %s", err);
    mg_config_free(load(out.text));
    return out.text;
}

static const char three[] = "servers:\n"
                            "  - name: a   # first\n"
                            "    command: x\n"
                            "  # about b\n"
                            "  - name: b\n"
                            "    command: y\n"
                            "    args:\n"
                            "      - one\n"
                            "      - two\n"
                            "  - name: c\n"
                            "    description: |\n"
                            "      two lines\n"
                            "      of text\n"
                            "    command: z\n"
                            "# end\n";

static void
test_remove(void **state)
{
    char *t;

    t = remove_ok(three, "a");
    char want[512];
    snprintf(want, sizeof(want), "servers:\n%s", strstr(three, "  # about b"));
    assert_string_equal(t, want);
    free(t);

    t = remove_ok(three, "b");
    assert_string_equal(t, "servers:\n"
                           "  - name: a   # first\n"
                           "    command: x\n"
                           "  # about b\n"
                           "  - name: c\n"
                           "    description: |\n"
                           "      two lines\n"
                           "      of text\n"
                           "    command: z\n"
                           "# end\n");
    free(t);

    t = remove_ok(three, "c");
    assert_string_equal(t, "servers:\n"
                           "  - name: a   # first\n"
                           "    command: x\n"
                           "  # about b\n"
                           "  - name: b\n"
                           "    command: y\n"
                           "    args:\n"
                           "      - one\n"
                           "      - two\n"
                           "# end\n");
    free(t);

    /* The last one of all: an empty (null) list is still a valid file. */
    t = remove_ok("servers:\n  - name: only\n    command: x\n", "only");
    assert_string_equal(t, "servers:\n");
    free(t);
}

static void
test_not_found_and_duplicate(void **state)
{
    struct mg_cfgedit_out out;
    char err[256];

    static const char two[] = "servers:\n  - name: github\n    url: https://x.example/mcp\n";
    assert_int_equal(mg_cfgedit_remove(two, strlen(two), "gihtub", &out, err, sizeof(err)), MG_CFGEDIT_NOT_FOUND);
    assert_string_equal(out.closest, "github");
    mg_cfgedit_out_free(&out);
    assert_int_equal(mg_cfgedit_set_enabled(three, strlen(three), "zzzzzz", 0, &out, err, sizeof(err)),
                     MG_CFGEDIT_NOT_FOUND);
    assert_null(out.closest);
    struct mg_cfgedit_server dup = stdio_server;
    dup.name = "c";
    assert_int_equal(mg_cfgedit_add(three, strlen(three), &dup, &out, err, sizeof(err)), MG_CFGEDIT_DUPLICATE);
    assert_null(out.text);
}

static char *
toggle_ok(const char *text, const char *name, int enabled)
{
    struct mg_cfgedit_out out;
    char err[256] = "";
    struct mg_config *cfg;

    if (mg_cfgedit_set_enabled(text, strlen(text), name, enabled, &out, err, sizeof(err)) != MG_CFGEDIT_OK)
        fail_msg("set_enabled refused: %s", err);
    cfg = load(out.text);
    assert_int_equal(mg_config_find_server(cfg, name)->enabled, enabled);
    mg_config_free(cfg);
    return out.text;
}

static void
test_enable_disable(void **state)
{
    struct mg_cfgedit_out out;
    char err[256];
    char *off, *on;

    off = toggle_ok(three, "b", 0);
    assert_non_null(strstr(off, "      - two\n    enabled: false\n  - name: c\n"));
    assert_int_equal(mg_cfgedit_set_enabled(off, strlen(off), "b", 0, &out, err, sizeof(err)), MG_CFGEDIT_UNCHANGED);
    on = toggle_ok(off, "b", 1);
    assert_string_equal(on, three); /* disable then enable: as it was */
    free(off);
    free(on);
    assert_int_equal(mg_cfgedit_set_enabled(three, strlen(three), "a", 1, &out, err, sizeof(err)),
                     MG_CFGEDIT_UNCHANGED);

    /* After a block scalar as the last value. */
    off = toggle_ok(three, "c", 0);
    assert_non_null(strstr(off, "    command: z\n    enabled: false\n# end\n"));
    free(off);

    /* An existing value is replaced in place, comments kept. */
    static const char written[] = "servers:\n  - name: a\n    enabled: no   # for now\n    command: x\n";
    on = toggle_ok(written, "a", 1);
    assert_string_equal(on, "servers:\n  - name: a\n    enabled: true   # for now\n    command: x\n");
    off = toggle_ok(on, "a", 0);
    assert_string_equal(off, "servers:\n  - name: a\n    enabled: false   # for now\n    command: x\n");
    free(on);
    free(off);
    /* enabled first, on the dash line: replaced, never deleted. */
    on = toggle_ok("servers:\n  - enabled: false\n    name: a\n    command: x\n", "a", 1);
    assert_string_equal(on, "servers:\n  - enabled: true\n    name: a\n    command: x\n");
    free(on);
}

static void
test_refusals(void **state)
{
    static const char *const unsafe[] = {
        "servers: [{name: a, command: x}]\n",
        "servers: [\n  {name: a, command: x}\n]\n",
        "servers:\n  - &one\n    name: a\n    command: x\n",
        "base: &b {command: x}\nservers:\n  - name: a\n    <<: *b\n",
        "{servers: []}\n",
        "- just\n- a list\n",
        "servers: {a: 1}\n",
        "servers: nope\n",
        "a: 1\n---\nb: 2\n",
        "servers:\n  - name: a\n   bad indent: [\n",
    };
    struct mg_cfgedit_out out;
    char err[256];

    for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
        const char *t = unsafe[i];
        err[0] = '\0';
        assert_int_equal(mg_cfgedit_add(t, strlen(t), &stdio_server, &out, err, sizeof(err)), MG_CFGEDIT_UNSAFE);
        assert_true(err[0] != '\0');
        assert_null(out.text);
        assert_int_equal(mg_cfgedit_remove(t, strlen(t), "a", &out, err, sizeof(err)), MG_CFGEDIT_UNSAFE);
        assert_int_equal(mg_cfgedit_set_enabled(t, strlen(t), "a", 0, &out, err, sizeof(err)), MG_CFGEDIT_UNSAFE);
    }
    /* A flow mapping entry in a block list can be removed, not toggled. */
    static const char flow_item[] = "servers:\n  - {name: a, command: x}\n  - name: b\n    command: y\n";
    assert_int_equal(mg_cfgedit_set_enabled(flow_item, strlen(flow_item), "a", 0, &out, err, sizeof(err)),
                     MG_CFGEDIT_UNSAFE);
    char *t = remove_ok(flow_item, "a");
    assert_string_equal(t, "servers:\n  - name: b\n    command: y\n");
    free(t);
}

static void
test_hostile_values(void **state)
{
    static const char *const hostile[] = {
        "plain",
        "with \"quotes\" and 'single'",
        "key: value",
        "a\nnew_key: injected",
        "# not a comment",
        "x # y",
        "back\\slash",
        "-starts-with-dash",
        "@at",
        "true",
        "~",
        "",
        "[1, 2]",
        "{a: b}",
        "tab\there",
        "ctrl\x01\x7f",
        "line\xe2\x80\xa8separator and \xc2\x85nel",
        "caf\xc3\xa9 \xf0\x9f\x98\x80",
        "* & ! | > % `",
        "${TOKEN}",
    };
    const size_t n = sizeof(hostile) / sizeof(hostile[0]);
    struct mg_config_kv env[sizeof(hostile) / sizeof(hostile[0])];
    char keys[sizeof(hostile) / sizeof(hostile[0])][16];
    struct mg_cfgedit_server s = stdio_server;
    struct mg_config *cfg;
    const struct mg_server_config *sc;
    char *t;

    for (size_t i = 0; i < n; i++) {
        snprintf(keys[i], sizeof(keys[i]), "K%zu", i);
        env[i].key = keys[i];
        env[i].value = (char *)hostile[i];
    }
    s.args = hostile;
    s.nargs = n;
    s.env = env;
    s.nenv = n;
    s.description = "desc: with\nlines # and a hash";
    s.cwd = "/tmp/a dir: yes";
    setenv("TOKEN", "secret", 1);
    t = add_ok("servers: []\n", &s, NULL);
    /* The reference is written as it is, never expanded. */
    assert_null(strstr(t, "secret"));
    assert_non_null(strstr(t, "\"${TOKEN}\""));
    cfg = load(t);
    assert_int_equal(cfg->nservers, 1);
    sc = &cfg->servers[0];
    assert_int_equal(sc->nargs, n);
    assert_int_equal(sc->nenv, n);
    for (size_t i = 0; i < n - 1; i++) {
        assert_string_equal(sc->args[i], hostile[i]);
        assert_string_equal(sc->env[i].value, hostile[i]);
    }
    assert_string_equal(sc->args[n - 1], "secret"); /* the loader expands it */
    assert_string_equal(sc->description, s.description);
    assert_string_equal(sc->cwd, s.cwd);
    mg_config_free(cfg);
    free(t);
    unsetenv("TOKEN");

    /* Invalid UTF-8 cannot be written at all. */
    struct mg_cfgedit_out out;
    char err[256];
    s = stdio_server;
    s.command = "bad\xff";
    assert_int_equal(mg_cfgedit_add("", 0, &s, &out, err, sizeof(err)), MG_CFGEDIT_UNSAFE);
    assert_null(mg_cfgedit_scalar("\xc3("));
    char *q = mg_cfgedit_scalar("npx");
    assert_string_equal(q, "npx");
    free(q);
}

static void
test_url_server_and_crlf(void **state)
{
    static const struct mg_config_kv headers[] = {{"Authorization", "Bearer ${GH_TOKEN}"}};
    static const char *const include[] = {"search_*", "get_file"};
    struct mg_cfgedit_server s = {
        .name = "gh",
        .url = "https://api.githubcopilot.com/mcp/",
        .transport = "streamable-http",
        .headers = headers,
        .nheaders = 1,
        .include_tools = include,
        .ninclude_tools = 2,
        .timeout = "120",
        .disabled = 1,
    };
    struct mg_cfgedit_out out;
    char err[256];
    char *t;

    assert_int_equal(mg_cfgedit_add("", 0, &s, &out, err, sizeof(err)), MG_CFGEDIT_OK);
    assert_string_equal(out.text, "servers:\n"
                                  "  - name: gh\n"
                                  "    url: \"https://api.githubcopilot.com/mcp/\"\n"
                                  "    transport: streamable-http\n"
                                  "    headers:\n"
                                  "      Authorization: \"Bearer ${GH_TOKEN}\"\n"
                                  "    timeout: 120\n"
                                  "    include_tools: [\"search_*\", get_file]\n"
                                  "    enabled: false\n");
    assert_true(out.created_servers);
    mg_cfgedit_out_free(&out);

    /* A CRLF file gets CRLF lines. */
    t = add_ok("demo: true\r\nservers:\r\n  - name: a\r\n    command: x\r\n", &stdio_server,
               "demo: true\r\nservers:\r\n  - name: a\r\n    command: x\r\n"
               "  - name: ev\r\n    command: npx\r\n"
               "    args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\r\n");
    free(t);
    /* The last entry without a final line break. */
    t = add_ok("servers:\n- name: a\n  command: x", &stdio_server,
               "servers:\n- name: a\n  command: x\n"
               "- name: ev\n  command: npx\n  args: [\"-y\", \"@modelcontextprotocol/server-everything\"]\n");
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_to_empty_file),
        cmocka_unit_test(test_add_without_servers_key),
        cmocka_unit_test(test_add_to_empty_list),
        cmocka_unit_test(test_add_keeps_comments),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_not_found_and_duplicate),
        cmocka_unit_test(test_enable_disable),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_url_server_and_crlf),
    };
    return cmocka_run_group_tests_name("config_edit", tests, NULL, NULL);
}
