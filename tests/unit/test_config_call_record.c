/*
 * test_config_call_record.c - the call_record section of the config and
 * the durations it (and `mcpgate calls --since`) take.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "util/duration.h"

static struct mg_config *
parse(const char *text, char *err, size_t errlen)
{
    err[0] = '\0';
    return mg_config_parse(text, strlen(text), "cfg.yaml", err, errlen);
}

static void
test_defaults(void **state)
{
    char err[1024];
    struct mg_config *cfg = parse("", err, sizeof(err));

    assert_non_null(cfg);
    assert_int_equal(cfg->call_record.enabled, 1);
    assert_int_equal(cfg->call_record.max_age_s, 30u * 86400);
    assert_int_equal(cfg->call_record.max_rows, 1000000);
    assert_int_equal(cfg->call_record.record_arguments, 0);
    mg_config_free(cfg);
}

static void
test_every_key(void **state)
{
    char err[1024];
    struct mg_config *cfg =
        parse("call_record:\n  enabled: false\n  max_age: 12h\n  max_rows: 5000\n  record_arguments: true\n", err,
              sizeof(err));

    assert_non_null(cfg);
    assert_int_equal(cfg->call_record.enabled, 0);
    assert_int_equal(cfg->call_record.max_age_s, 12u * 3600);
    assert_int_equal(cfg->call_record.max_rows, 5000);
    assert_int_equal(cfg->call_record.record_arguments, 1);
    mg_config_free(cfg);
    cfg = parse("call_record:\n  max_age: 3600\n", err, sizeof(err));
    assert_non_null(cfg);
    assert_int_equal(cfg->call_record.max_age_s, 3600);
    mg_config_free(cfg);
}

static void
test_errors_name_line_and_key(void **state)
{
    char err[2048];

    assert_null(parse("call_record:\n  max_age: 30 days\n", err, sizeof(err)));
    assert_non_null(strstr(err, "cfg.yaml:2: call_record.max_age: expected a duration"));
    assert_null(parse("call_record:\n  max_rows: 0\n", err, sizeof(err)));
    assert_non_null(strstr(err, "cfg.yaml:2: call_record.max_rows: expected an integer from 1"));
    assert_null(parse("call_record:\n  max_row: 5\n", err, sizeof(err)));
    assert_non_null(strstr(err, "call_record.max_row: unknown key"));
    assert_non_null(strstr(err, "\"max_rows\"")); /* did you mean */
    assert_null(parse("call_record: yes\n", err, sizeof(err)));
    assert_non_null(strstr(err, "call_record: expected a mapping"));
}

static void
test_durations(void **state)
{
    uint64_t s = 7;

    assert_int_equal(mg_duration_parse("90s", 1000, &s), 0);
    assert_int_equal(s, 90);
    assert_int_equal(mg_duration_parse("15m", 100000, &s), 0);
    assert_int_equal(s, 900);
    assert_int_equal(mg_duration_parse("2h", 100000, &s), 0);
    assert_int_equal(s, 7200);
    assert_int_equal(mg_duration_parse("7d", 1000000, &s), 0);
    assert_int_equal(s, 604800);
    assert_int_equal(mg_duration_parse("4w", 10000000, &s), 0);
    assert_int_equal(s, 2419200);
    assert_int_equal(mg_duration_parse("45", 100, &s), 0);
    assert_int_equal(s, 45);
    s = 7;
    /* Not a duration, zero, or beyond the limit: refused, S untouched. */
    const char *bad[] = {"", "m", "0", "0d", "1.5h", "-1d", "1dd", "1 d", "1y", "12H", "99999999999999999999999d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mg_duration_parse(bad[i], UINT64_MAX / 2, &s), -1);
    assert_int_equal(mg_duration_parse("2d", 86400, &s), -1);
    assert_int_equal(mg_duration_parse(NULL, 10, &s), -1);
    assert_int_equal(s, 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_durations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
