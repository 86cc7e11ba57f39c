/*
 * config_call_record.c - the `call_record` section: whether each
 * tools/call is recorded, how long rows are kept, and whether the
 * arguments are kept with them (docs/config.md).
 *
 *   call_record:
 *     enabled: true
 *     max_age: 30d          # 90s, 15m, 12h, 30d, 4w, or seconds
 *     max_rows: 1000000
 *     record_arguments: false
 */
#include "config/config_impl.h"
#include "util/alloc.h"
#include "util/duration.h"

enum { F_ENABLED, F_MAX_AGE, F_MAX_ROWS, F_RECORD_ARGUMENTS, F_COUNT };

static const char *const fields[F_COUNT] = {"enabled", "max_age", "max_rows", "record_arguments"};

/* Ten years: longer is surely a typo. */
#define MAX_AGE_MAX_S (3650u * 86400u)
#define MAX_ROWS_MAX 1000000000u

static void
max_age(struct mg_cfg_parser *p, yaml_node_t *n, const char *path, unsigned *out)
{
    uint64_t s;
    char *text, q[96];

    if (n == NULL || (text = mg_config__scalar(p, n, path, "a duration such as 30d")) == NULL)
        return;
    if (mg_duration_parse(text, MAX_AGE_MAX_S, &s) == 0) {
        *out = (unsigned)s;
    } else {
        mg_config__quote(q, sizeof(q), text);
        mg_config__error(p, mg_config__line(n), path,
                         "expected a duration from 1s to 3650d, such as 90m, 12h, 30d or 4w (a bare number is "
                         "seconds), got %s",
                         q);
    }
    mg_free(text);
}

void
mg_config__call_record(struct mg_cfg_parser *p, yaml_node_t *n, const char *path)
{
    struct mg_call_record_config *cr = &p->cfg->call_record;
    yaml_node_t *v[F_COUNT];
    char sub[MG_CONFIG_PATH_MAX];

    if (n == NULL)
        return;
    if (mg_config__fields(p, n, path, fields, F_COUNT, v) != 0)
        return;
#define SUB(i) (mg_config__path_key(sub, sizeof(sub), path, fields[i]), sub)
    mg_config__bool(p, v[F_ENABLED], SUB(F_ENABLED), &cr->enabled);
    max_age(p, v[F_MAX_AGE], SUB(F_MAX_AGE), &cr->max_age_s);
    mg_config__uint(p, v[F_MAX_ROWS], SUB(F_MAX_ROWS), 1, MAX_ROWS_MAX, &cr->max_rows);
    mg_config__bool(p, v[F_RECORD_ARGUMENTS], SUB(F_RECORD_ARGUMENTS), &cr->record_arguments);
#undef SUB
}
