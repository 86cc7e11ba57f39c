/*
 * test_cli_args.c - the flags of `mcpgate call` turned into arguments
 * (src/cli/call_args.c, call_params.c) and the "did you mean" search
 * (src/util/suggest.c): spellings, conversions by type, and every
 * problem reported at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/call.h"
#include "gateway/catalog.h"
#include "json/schema.h"
#include "util/suggest.h"

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"count\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"How many\"},"
    "\"ratio\":{\"type\":\"number\"},"
    "\"verbose\":{\"type\":\"boolean\"},"
    "\"mode\":{\"type\":\"string\",\"enum\":[\"fast\",\"slow\"]},"
    "\"level\":{\"enum\":[1,2,3]},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
    "\"options\":{\"type\":\"object\"},"
    "\"maxResults\":{\"type\":\"integer\"},"
    "\"URLPath\":{\"type\":\"string\"},"
    "\"limit\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"null\"}]},"
    "\"any\":{}"
    "},\"required\":[\"count\"]}";

struct fixture {
    json_t *schema;
    struct mg_tool tool;
    struct mg_cli_params params;
    char *err;                  /* what the last run wrote */
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char err[256];

    f->schema = json_loads(schema_text, 0, NULL);
    f->tool.local_name = "kinds";
    f->tool.input = mg_schema_compile(f->schema, err, sizeof(err));
    mg_cli_params_init(&f->params, f->schema);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    mg_cli_params_free(&f->params);
    mg_schema_free(f->tool.input);
    json_decref(f->schema);
    free(f->err);
    free(f);
    return 0;
}

/* Run the flags (NULL-terminated) over BASE (or {}); the arguments (new)
 * and the exit code in *RC. */
static json_t *
run(struct fixture *f, const char *base, int *rc, ...)
{
    char *argv[32];
    int argc = 0;
    size_t len = 0;
    json_t *args = base ? json_loads(base, 0, NULL) : json_object();
    va_list ap;
    FILE *err;

    va_start(ap, rc);
    while ((argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    free(f->err);
    f->err = NULL;
    err = open_memstream(&f->err, &len);
    *rc = mg_cli_args(&f->params, f->tool.local_name, f->tool.input, args, argc, argv, err);
    fclose(err);
    return args;
}

static void
assert_json(json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    char *text = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

    if (!json_equal(got, w))
        fail_msg("got %s, want %s", text, want);
    free(text);
    json_decref(w);
    json_decref(got);
}

static void
test_flags_in_kebab_case(void **state)
{
    struct fixture *f = *state;
    const char *want[] = {"--count", "--ratio", "--verbose", "--mode", "--level", "--tags", "--options",
                          "--max-results", "--url-path", "--limit", "--any"};

    assert_int_equal(f->params.n, 11);
    for (size_t i = 0; i < f->params.n; i++)
        assert_string_equal(f->params.v[i].flag, want[i]);
    assert_true(f->params.v[0].required);
    assert_false(f->params.v[1].required);
    assert_int_equal(f->params.v[5].types, MG_PT_ARRAY);
    assert_int_equal(f->params.v[5].item_types, MG_PT_INTEGER);
    assert_int_equal(f->params.v[4].types, MG_PT_INTEGER); /* from the enum's values */
    assert_int_equal(f->params.v[9].types, MG_PT_INTEGER | MG_PT_NULL);
    assert_int_equal(f->params.v[10].types, 0);
}

static void
test_same_flag_keeps_spelling(void **state)
{
    json_t *s = json_loads("{\"properties\":{\"max_results\":{},\"maxResults\":{},\"page\":{}}}", 0, NULL);
    struct mg_cli_params p;

    (void)state;
    mg_cli_params_init(&p, s);
    assert_string_equal(p.v[0].flag, "--max_results");
    assert_string_equal(p.v[1].flag, "--maxResults");
    assert_string_equal(p.v[2].flag, "--page");
    mg_cli_params_free(&p);
    json_decref(s);
}

static void
test_conversions(void **state)
{
    struct fixture *f = *state;
    int rc;
    json_t *args;

    args = run(f, NULL, &rc, "--count", "3", "--ratio=-0.5", "--verbose", "--mode", "slow", "--level", "2", "--tags",
               "1", "--tags", "-2", "--options", "{\"a\":[1]}", "--max-results", "9", "--url-path", "/x", "--limit",
               "null", "--any", "[true]", NULL);
    assert_int_equal(rc, 0);
    assert_json(args, "{\"count\":3,\"ratio\":-0.5,\"verbose\":true,\"mode\":\"slow\",\"level\":2,\"tags\":[1,-2],"
                      "\"options\":{\"a\":[1]},\"maxResults\":9,\"URLPath\":\"/x\",\"limit\":null,\"any\":[true]}");
    /* Any spelling of the letters; booleans off three ways. */
    args = run(f, NULL, &rc, "--COUNT", "0", "--max_results", "1", "--maxResults=2", NULL);
    assert_int_equal(rc, 2); /* one parameter given twice */
    assert_non_null(strstr(f->err, "--max-results: given more than once"));
    json_decref(args);
    args = run(f, NULL, &rc, "--count", "0", "--no-verbose", "--any", "not json", NULL);
    assert_int_equal(rc, 0);
    assert_json(args, "{\"count\":0,\"verbose\":false,\"any\":\"not json\"}");
    args = run(f, NULL, &rc, "--count", "0", "--verbose=no", NULL);
    assert_json(args, "{\"count\":0,\"verbose\":false}");
}

static void
test_flags_over_json(void **state)
{
    struct fixture *f = *state;
    int rc;
    json_t *args = run(f, "{\"count\":1,\"tags\":[7,8],\"mode\":\"fast\",\"extra\":1}", &rc, "--tags", "9", "--mode",
                       "slow", NULL);

    assert_int_equal(rc, 0);
    assert_json(args, "{\"count\":1,\"tags\":[9],\"mode\":\"slow\",\"extra\":1}");
}

/* A null in --args-json for an optional parameter that takes none means
 * "no value": left out.  One that takes null keeps it; a required one is
 * missing. */
static void
test_null_left_out(void **state)
{
    struct fixture *f = *state;
    int rc;
    json_t *args = run(f, "{\"count\":1,\"verbose\":null,\"limit\":null,\"any\":null}", &rc, NULL);

    assert_int_equal(rc, 0);
    assert_json(args, "{\"count\":1,\"limit\":null,\"any\":null}");
    args = run(f, "{\"count\":null}", &rc, NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(f->err, "  --count: expected an integer, got null"));
    json_decref(args);
}

static void
test_every_problem_at_once(void **state)
{
    struct fixture *f = *state;
    int rc;
    json_t *args = run(f, "{\"ratio\":\"x\"}", &rc, "--count", "1.5", "--mode", "medium", "--tags", "x", "--ratio2",
                       "3", "stray", "--no-mode", "--options", "[1]", "--verbose=maybe", "--limit", NULL);

    assert_int_equal(rc, 2);
    assert_non_null(strstr(f->err, "  --count: expected an integer, got '1.5' (How many)\n"));
    assert_non_null(strstr(f->err, "  --mode: 'medium' is not one of the choices\n    choices: fast, slow\n"));
    assert_non_null(strstr(f->err, "  --tags: expected an integer, got 'x'\n"));
    assert_non_null(strstr(f->err, "  --ratio2 is not a parameter of kinds; did you mean --ratio?\n"));
    assert_non_null(strstr(f->err, "  'stray' is not a flag"));
    assert_non_null(strstr(f->err, "  --no-mode is not a parameter of kinds"));
    assert_non_null(strstr(f->err, "  --options: expected a JSON object, got '[1]'\n"));
    assert_non_null(strstr(f->err, "  --verbose: expected true or false, got 'maybe'\n"));
    assert_non_null(strstr(f->err, "  --limit: needs a value: an integer or null\n"));
    assert_non_null(strstr(f->err, "  --ratio: expected a number, got \"x\"\n"));
    assert_null(strstr(f->err, "--count: required")); /* given, if wrongly */
    json_decref(args);

    args = run(f, NULL, &rc, NULL);
    assert_int_equal(rc, 2);
    assert_string_equal(f->err, "  --count: required, and missing (How many)\n");
    json_decref(args);
    /* What only the schema says: the minimum. */
    args = run(f, NULL, &rc, "--count", "-1", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(f->err, "do not fit the tool's schema: /count"));
    json_decref(args);
    /* mcpgate's own options after TOOL are named as such. */
    args = run(f, NULL, &rc, "--count", "1", "--json", NULL);
    assert_non_null(strstr(f->err, "--json is an option of mcpgate: put it before SERVER"));
    json_decref(args);
}

static void
test_help_and_values_like_flags(void **state)
{
    struct fixture *f = *state;
    int rc;
    json_t *args = run(f, NULL, &rc, "--count", "1", "--help", NULL);

    assert_int_equal(rc, MG_CLI_ARGS_HELP);
    json_decref(args);
    /* A value that looks like a flag is still the value. */
    args = run(f, NULL, &rc, "--count", "1", "--url-path", "--help", NULL);
    assert_int_equal(rc, 0);
    assert_json(args, "{\"count\":1,\"URLPath\":\"--help\"}");
}

static void
test_suggest(void **state)
{
    static const char *const names[] = {"everything", "files", "echo", "get-sum", "read_text_file", NULL};
    struct {
        const char *typed, *best;
    } cases[] = {
        {"evrything", "everything"}, {"ehco", "echo"},         {"get_sum", "get-sum"}, {"read-text-file", "read_text_file"},
        {"read", "read_text_file"},  {"file", "files"},        {"xyz", NULL},          {"e", NULL},
        {"everything2", "everything"}, {"sum", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mg_suggest sg;
        mg_suggest_init(&sg, cases[i].typed);
        for (size_t j = 0; names[j] != NULL; j++)
            mg_suggest_try(&sg, names[j]);
        if (cases[i].best == NULL && sg.best != NULL)
            fail_msg("%s: suggested %s", cases[i].typed, sg.best);
        if (cases[i].best != NULL && (sg.best == NULL || strcmp(sg.best, cases[i].best) != 0))
            fail_msg("%s: suggested %s, want %s", cases[i].typed, sg.best ? sg.best : "nothing", cases[i].best);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flags_in_kebab_case, setup, teardown),
        cmocka_unit_test(test_same_flag_keeps_spelling),
        cmocka_unit_test_setup_teardown(test_conversions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags_over_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_left_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_problem_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_values_like_flags, setup, teardown),
        cmocka_unit_test(test_suggest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
