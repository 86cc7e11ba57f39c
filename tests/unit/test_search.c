/*
 * test_search.c - ranked tool search over a real catalog and a real
 * in-memory SQLite FTS5 index: ranking, word splitting, hostile search
 * text, visibility, and the index following the catalog as a source's
 * tools change.  Also reports how long indexing 1,000 tools takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "config/config.h"
#include "gateway/catalog.h"
#include "gateway/catalog_upstream.h"
#include "gateway/gateway.h"
#include "gateway/search.h"
#include "mcpgate.h"
#include "util/limits.h"

/* Filler tools, so bm25 has a realistic spread of words to weigh. */
#define BULK 300

static struct mg_gateway *gw;
static struct mg_server_config upstream_sc = {.name = "github"};

static void
noop(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_finish(call);
}

static const char *const verbs[] = {"list", "get", "create", "delete", "update", "search", "read", "write"};
static const char *const things[] = {"file", "issue", "branch", "user", "ticket", "page", "record", "invoice",
                                     "message", "channel"};

/* BULK tools: "<verb>_<thing>_<n>", described in plain words. */
static void
register_bulk(void)
{
    static char names[BULK][32], descs[BULK][96];
    static struct mg_tool_def defs[BULK];
    struct mg_bundle_def def = {.ns = "bulk", .tools = defs, .tool_count = BULK};
    char err[256];

    for (size_t i = 0; i < BULK; i++) {
        const char *v = verbs[i % 8], *t = things[(i / 8) % 10];
        snprintf(names[i], sizeof(names[i]), "%s_%s_%zu", v, t, i);
        snprintf(descs[i], sizeof(descs[i]), "%s a %s in the workspace number %zu", v, t, i);
        defs[i] = (struct mg_tool_def){.name = names[i], .description = descs[i], .handler = noop};
    }
    assert_int_equal(mg_bundle_register(gw, &def, err, sizeof(err)), 0);
}

static void
register_special(void)
{
    static const struct mg_tool_def alpha[] = {
        {.name = "send_echo", .description = "Sends a message back to the caller.", .handler = noop},
        {.name = "fetch",
         .title = "Fetch a web page",
         .description = "Download a URL.\nSecond line with more detail.",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\","
                         "\"description\":\"The address to download\"},\"maxLength\":{\"type\":\"integer\"}}}",
         .handler = noop},
    };
    static const struct mg_tool_def beta[] = {
        /* Says "echo" three times, but only in its description. */
        {.name = "repeat", .description = "Repeat text: echo, echo and echo again.", .handler = noop},
        {.name = "translate", .description = "Übersetzt einen Text ins Französische", .handler = noop},
    };
    struct mg_bundle_def a = {.ns = "alpha", .tools = alpha, .tool_count = 2};
    struct mg_bundle_def b = {.ns = "beta", .tools = beta, .tool_count = 2};
    char err[256];

    assert_int_equal(mg_bundle_register(gw, &a, err, sizeof(err)), 0);
    assert_int_equal(mg_bundle_register(gw, &b, err, sizeof(err)), 0);
}

/* Give upstream "github" the tools of JSON (a tools/list array). */
static void
set_upstream(const char *json)
{
    json_t *tools = json_loads(json, 0, NULL);
    struct mg_upstream_lists l = {.tools = tools};
    struct mg_naming nm = {.format = "{server}__{tool}", .max = 64};
    struct mg_upstream_handlers h = {.udata = &upstream_sc};
    char err[256];

    assert_non_null(tools);
    assert_true(mg_catalog_set_upstream(&gw->catalog, &upstream_sc, &l, &nm, &h, err, sizeof(err)) >= 0);
    json_decref(tools);
}

static int
setup(void **state)
{
    gw = mg_gateway_new(NULL);
    register_bulk();
    register_special();
    set_upstream("[{\"name\":\"listPullRequests\",\"description\":\"Pull requests of a repository\","
                 "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"repoOwner\":{\"type\":\"string\"}}}},"
                 "{\"name\":\"get_issue\",\"inputSchema\":{\"type\":\"object\"}},"
                 "{\"name\":\"HTTPServerStatus\",\"inputSchema\":{\"type\":\"object\"}}]");
    return 0;
}

static int
teardown(void **state)
{
    mg_gateway_free(gw);
    return 0;
}

/* Search WORDS for at most LIMIT hits; fails the test unless it works. */
static json_t *
search(const char *words, size_t limit)
{
    struct mg_search_query q = {.words = words, .limit = limit};
    json_t *out = NULL;
    char err[256] = "";

    if (mg_search_tools(gw, &q, &out, err, sizeof(err)) != MG_SEARCH_OK)
        fail_msg("search '%s' failed: %s", words, err);
    assert_true(json_is_array(out));
    return out;
}

static const char *
hit_name(json_t *hits, size_t i)
{
    return json_string_value(json_object_get(json_array_get(hits, i), "name"));
}

static int
has_hit(json_t *hits, const char *name)
{
    for (size_t i = 0; i < json_array_size(hits); i++)
        if (strcmp(hit_name(hits, i), name) == 0)
            return 1;
    return 0;
}

static void
test_name_beats_description(void **state)
{
    json_t *hits = search("echo", 10);

    assert_true(json_array_size(hits) >= 2);
    assert_string_equal(hit_name(hits, 0), "alpha__send_echo");
    assert_string_equal(hit_name(hits, 1), "beta__repeat");
    assert_true(json_real_value(json_object_get(json_array_get(hits, 0), "score")) >
                json_real_value(json_object_get(json_array_get(hits, 1), "score")));
    json_decref(hits);

    /* The title outranks a description that says the same word. */
    hits = search("web", 10);
    assert_string_equal(hit_name(hits, 0), "alpha__fetch");
    json_decref(hits);
}

static void
test_hit_shape(void **state)
{
    json_t *hits = search("fetch", 1), *h = json_array_get(hits, 0);

    assert_int_equal(json_array_size(hits), 1);
    assert_string_equal(json_string_value(json_object_get(h, "server")), "alpha");
    assert_string_equal(json_string_value(json_object_get(h, "tool")), "fetch");
    assert_string_equal(json_string_value(json_object_get(h, "name")), "alpha__fetch");
    assert_string_equal(json_string_value(json_object_get(h, "title")), "Fetch a web page");
    /* Only the first line of the description. */
    assert_string_equal(json_string_value(json_object_get(h, "description")), "Download a URL.");
    assert_true(json_is_real(json_object_get(h, "score")));
    json_decref(hits);

    /* No title: the key is left out. */
    hits = search("send_echo", 1);
    assert_null(json_object_get(json_array_get(hits, 0), "title"));
    json_decref(hits);
}

static void
test_words_split(void **state)
{
    /* Each search finds its tool only through the split name. */
    static const char *const cases[][2] = {
        {"issue", "github__get_issue"},      {"pull", "github__listPullRequests"},
        {"requests", "github__listPullRequests"}, {"listpullrequests", "github__listPullRequests"},
        {"server", "github__HTTPServerStatus"}, {"http", "github__HTTPServerStatus"},
        {"owner", "github__listPullRequests"}, /* a parameter name, camelCase */
        {"length", "alpha__fetch"},             /* parameter maxLength */
        {"address", "alpha__fetch"},            /* a parameter's description */
        {"github", "github__get_issue"},        /* the server is part of the gateway name */
        {"UBERSETZT", "beta__translate"},       /* case and accents do not matter */
        {"französische", "beta__translate"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *hits = search(cases[i][0], 20);
        if (!has_hit(hits, cases[i][1]))
            fail_msg("search '%s' did not find %s", cases[i][0], cases[i][1]);
        json_decref(hits);
    }
}

static void
test_prefix_and_several_words(void **state)
{
    json_t *hits = search("iss", 400);

    /* The last word is also a prefix: "iss" finds every "issue". */
    assert_true(has_hit(hits, "github__get_issue"));
    assert_true(json_array_size(hits) > 20);
    json_decref(hits);

    /* Any word may match; matching more of them ranks higher. */
    hits = search("create invoice", 400);
    assert_true(json_array_size(hits) > 30);
    assert_non_null(strstr(hit_name(hits, 0), "create_invoice"));
    json_decref(hits);
}

static void
test_hostile_words(void **state)
{
    char longest[MG_MAX_SEARCH_QUERY + 1], toolong[MG_MAX_SEARCH_QUERY + 2];
    static const char *const ok[] = {
        "\"echo",     "\"\"echo",   "echo\"",      "NEAR(echo",  "NEAR(echo send, 2)", "echo*",   "*echo",
        "-echo",      "echo:",      "name:echo",   "{name}:echo", "(((echo",            "echo)))", "echo OR",
        "AND echo",   "NOT echo",   "^echo",       "echo + send", "e'cho",              "café",    "日本語 echo",
        "→",          "\xff\xfe echo \xc3", "a",   "ec ho",       "echo\techo\n",       "x:y:z",   "\\echo",
    };
    static const char *const bad[] = {"", "   ", "!!!", "\"\"", "*", "-", ":", "()", "(((", "\t\n", "\"*\"", "\""};
    struct mg_search_query q = {.limit = 5};
    json_t *out;
    char err[256];

    memset(longest, 'e', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    memset(toolong, 'e', sizeof(toolong) - 1);
    toolong[sizeof(toolong) - 1] = '\0';

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        q.words = ok[i];
        err[0] = '\0';
        if (mg_search_tools(gw, &q, &out, err, sizeof(err)) != MG_SEARCH_OK)
            fail_msg("search '%s' failed: %s", ok[i], err);
        json_decref(out);
    }
    /* Operators are words like any other: this finds the echo tool. */
    out = search("NEAR(echo", 5);
    assert_string_equal(hit_name(out, 0), "alpha__send_echo");
    json_decref(out);
    out = search(longest, 5);
    json_decref(out);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        q.words = bad[i];
        out = NULL;
        assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
        assert_null(out);
        assert_non_null(strstr(err, "at least one word"));
        assert_int_equal(mg_search_check(bad[i], err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    }
    q.words = toolong;
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    assert_non_null(strstr(err, "at most 1024"));
    q.words = "a b c d e f g h i j k l m n o p q r s t u v w x y z a1 b1 c1 d1 e1 f1 g1";
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    assert_non_null(strstr(err, "more than 32 words"));
    q.words = NULL;
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    q.words = "echo";
    q.limit = 0;
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    assert_non_null(strstr(err, "limit"));
    q.limit = MG_MAX_SEARCH_RESULTS + 1;
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_BAD_QUERY);
    assert_int_equal(mg_search_check("echo", err, sizeof(err)), MG_SEARCH_OK);

    /* Nothing matches: an empty array, not an error. */
    out = search("zzyzx", 5);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
}

/* Hides one source, as a session of another project would. */
static int
not_alpha(void *ctx, const struct mg_tool *t)
{
    (*(int *)ctx)++;
    return strcmp(t->bundle->ns, "alpha") != 0;
}

static void
test_visibility(void **state)
{
    int asked = 0;
    struct mg_search_query q = {.words = "echo", .limit = 10, .visible = not_alpha, .ctx = &asked};
    json_t *out;
    char err[256];

    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_OK);
    assert_true(asked > 0);
    assert_false(has_hit(out, "alpha__send_echo"));
    assert_string_equal(hit_name(out, 0), "beta__repeat");
    json_decref(out);

    /* The limit counts visible hits only. */
    q.words = "file";
    q.limit = 7;
    assert_int_equal(mg_search_tools(gw, &q, &out, err, sizeof(err)), MG_SEARCH_OK);
    assert_int_equal(json_array_size(out), 7);
    json_decref(out);
}

static void
test_follows_catalog(void **state)
{
    json_t *hits = search("issue", 50);

    assert_true(has_hit(hits, "github__get_issue"));
    json_decref(hits);

    /* The server's list changes: a tool goes, another comes. */
    set_upstream("[{\"name\":\"merge_branch\",\"description\":\"Merge a branch into another\","
                 "\"inputSchema\":{\"type\":\"object\"}}]");
    hits = search("issue", 400);
    assert_false(has_hit(hits, "github__get_issue"));
    json_decref(hits);
    hits = search("merge", 5);
    assert_int_equal(json_array_size(hits), 1);
    assert_string_equal(hit_name(hits, 0), "github__merge_branch");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "server")), "github");
    json_decref(hits);

    /* Withdrawn entirely (the server went away). */
    mg_catalog_withdraw(&gw->catalog, mg_strmap_get(&gw->catalog.by_ns, "github"));
    hits = search("merge", 5);
    assert_int_equal(json_array_size(hits), 0);
    json_decref(hits);
}

/* A server's huge description: indexed up to MG_MAX_SEARCH_FIELD, shown
 * as its first line cut between characters. */
static void
test_long_description(void **state)
{
    size_t n = 3 * MG_MAX_SEARCH_FIELD, len = 9;
    char *desc = malloc(n + 64), *list = malloc(n + 256);
    json_t *hits;
    const char *shown;

    memcpy(desc, "haystack ", len);
    for (; len + 2 <= n; len += 2)
        memcpy(desc + len, "\xC3\xA9", 2); /* é */
    memcpy(desc + len, " needle", 8);
    snprintf(list, n + 256, "[{\"name\":\"big\",\"description\":\"%s\",\"inputSchema\":{\"type\":\"object\"}}]",
             desc);
    set_upstream(list);
    hits = search("haystack", 5);
    assert_int_equal(json_array_size(hits), 1);
    shown = json_string_value(json_object_get(json_array_get(hits, 0), "description"));
    assert_non_null(shown); /* valid UTF-8, or jansson would have refused it */
    assert_true(strlen(shown) <= 200 + 3);
    assert_non_null(strstr(shown, "\xE2\x80\xA6")); /* marked as cut */
    json_decref(hits);
    /* Past the indexed part: not found. */
    hits = search("needle", 5);
    assert_int_equal(json_array_size(hits), 0);
    json_decref(hits);
    free(desc);
    free(list);
}

/* Reports the time to index 1,000 tools (and answer one query). */
static void
test_rebuild_time(void **state)
{
    struct mg_gateway *big = mg_gateway_new(NULL);
    static char names[1000][32], descs[1000][160];
    static struct mg_tool_def defs[1000];
    struct mg_bundle_def def = {.ns = "big", .tools = defs, .tool_count = 1000};
    struct mg_search_query q = {.words = "ticket", .limit = 10};
    json_t *out;
    char err[256];
    uint64_t t0, t1, t2;

    for (size_t i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), "%s_%s_%zu", verbs[i % 8], things[(i / 8) % 10], i);
        snprintf(descs[i], sizeof(descs[i]), "%s a %s of the project; returns its id, title, owner and the time "
                 "it last changed (item %zu)", verbs[i % 8], things[(i / 8) % 10], i);
        defs[i] = (struct mg_tool_def){
            .name = names[i], .description = descs[i], .handler = noop,
            .input_schema = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"description\":"
                            "\"Which one\"},\"pageSize\":{\"type\":\"integer\"}}}"};
    }
    assert_int_equal(mg_bundle_register(big, &def, err, sizeof(err)), 0);
    t0 = uv_hrtime();
    assert_int_equal(mg_search_tools(big, &q, &out, err, sizeof(err)), MG_SEARCH_OK);
    t1 = uv_hrtime();
    assert_int_equal(json_array_size(out), 10);
    json_decref(out);
    assert_int_equal(mg_search_tools(big, &q, &out, err, sizeof(err)), MG_SEARCH_OK);
    t2 = uv_hrtime();
    json_decref(out);
    print_message("search: index 1000 tools + first query %.1f ms; next query %.2f ms\n", (double)(t1 - t0) / 1e6,
                  (double)(t2 - t1) / 1e6);
    mg_gateway_free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_beats_description, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hit_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_words_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_and_several_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follows_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_description, setup, teardown),
        cmocka_unit_test(test_rebuild_time),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
