/*
 * schema_suite.c - run the official JSON-Schema-Test-Suite against the
 * validator.
 *
 *   schema_suite [--baseline FILE] [--min-percent P] DIR...
 *
 * DIR is one draft's directory of the suite (tests/draft7, ...); its
 * required tests are the .json files directly in it (optional/ is not
 * run).  The dialect follows the directory name.  "$ref"s to
 * http://localhost:1234/ load from the suite's remotes/ directory.
 *
 * Prints pass/fail per file and the total.  Exits 1 when a failing test is
 * not in the baseline (one "draft/file.json: group / test -- reason" per
 * line), or when fewer than P percent (default 97) of a directory pass.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json/schema.h"
#include "util/alloc.h"
#include "util/strmap.h"

#define REMOTE_PREFIX "http://localhost:1234/"

struct runner {
    char remotes[1024];
    struct mg_strmap remote_docs; /* uri -> json_t */
    struct mg_strmap baseline;    /* key -> reason (malloc'd) */
    struct mg_strmap seen;        /* baseline keys that failed this run */
    size_t passed, failed, known, files;
    double min_percent; /* each directory must reach it */
    int below;
};

static json_t *
resolve_remote(void *ctx, const char *uri)
{
    struct runner *r = ctx;
    json_t *doc;
    char path[2048];

    if ((doc = mg_strmap_get(&r->remote_docs, uri)) != NULL)
        return doc;
    if (strncmp(uri, REMOTE_PREFIX, strlen(REMOTE_PREFIX)) != 0)
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", r->remotes, uri + strlen(REMOTE_PREFIX));
    if ((doc = json_load_file(path, 0, NULL)) != NULL)
        mg_strmap_put(&r->remote_docs, uri, doc);
    return doc;
}

static void
load_baseline(struct runner *r, const char *file)
{
    FILE *f = fopen(file, "r");
    char line[2048];

    if (f == NULL) {
        fprintf(stderr, "schema_suite: cannot read baseline %s\n", file);
        exit(2);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *sep;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        sep = strstr(line, " -- ");
        if (sep == NULL) {
            fprintf(stderr, "schema_suite: baseline line without ' -- reason': %s\n", line);
            exit(2);
        }
        *sep = '\0';
        mg_strmap_put(&r->baseline, line, mg_strdup(sep + 4));
    }
    fclose(f);
}

static enum mg_schema_dialect
dialect_for(const char *dir)
{
    return strstr(dir, "2020-12") || strstr(dir, "2019-09") ? MG_DIALECT_2020_12 : MG_DIALECT_DRAFT7;
}

static void
run_file(struct runner *r, const char *draft, const char *dir, const char *name)
{
    char path[2048], key[4096], err[512];
    json_t *groups, *group, *test;
    json_error_t jerr;
    size_t gi, ti, pass = 0, total = 0;
    struct mg_schema_opts opts = {.dialect = dialect_for(dir), .resolve = resolve_remote, .resolve_ctx = r};

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    groups = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!json_is_array(groups)) {
        fprintf(stderr, "schema_suite: %s: %s\n", path, jerr.text);
        exit(2);
    }
    json_array_foreach (groups, gi, group) {
        struct mg_schema *s = mg_schema_compile_opts(json_object_get(group, "schema"), &opts, err, sizeof(err));
        json_array_foreach (json_object_get(group, "tests"), ti, test) {
            int want = json_is_true(json_object_get(test, "valid")), got;
            char *msg = NULL;
            total++;
            got = s != NULL && mg_schema_validate(s, json_object_get(test, "data"), &msg) == 0;
            free(msg);
            if (s != NULL && got == want) {
                pass++;
                continue;
            }
            snprintf(key, sizeof(key), "%s/%s: %s / %s", draft, name,
                     json_string_value(json_object_get(group, "description")),
                     json_string_value(json_object_get(test, "description")));
            if (mg_strmap_get(&r->baseline, key) != NULL) {
                r->known++;
                mg_strmap_put(&r->seen, key, "");
            } else {
                printf("  unexpected failure: %s (%s)\n", key,
                       s == NULL ? err : want ? "valid instance rejected" : "invalid instance accepted");
            }
        }
        mg_schema_free(s);
    }
    printf("%s %s/%s: %zu/%zu\n", pass == total ? "PASS" : "FAIL", draft, name, pass, total);
    r->passed += pass;
    r->failed += total - pass;
    r->files++;
    json_decref(groups);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_dir(struct runner *r, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL, *draft;
    size_t n = 0;

    if (d == NULL) {
        fprintf(stderr, "schema_suite: cannot open %s\n", dir);
        exit(2);
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = mg_realloc(names, (n + 1) * sizeof(*names));
            names[n++] = mg_strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    draft = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : (char *)dir;
    snprintf(r->remotes, sizeof(r->remotes), "%s/../../remotes", dir);
    size_t passed0 = r->passed, failed0 = r->failed;
    for (size_t i = 0; i < n; i++) {
        run_file(r, draft, dir, names[i]);
        mg_free(names[i]);
    }
    mg_free(names);
    {
        size_t passed = r->passed - passed0, total = passed + r->failed - failed0;
        double percent = total ? 100.0 * (double)passed / (double)total : 0;
        printf("%s: %zu files, %zu/%zu tests pass (%.2f%%)\n", draft, n, passed, total, percent);
        if (percent < r->min_percent) {
            printf("%s: below the required %.0f%%\n", draft, r->min_percent);
            r->below = 1;
        }
    }
}

int
main(int argc, char **argv)
{
    struct runner r = {.min_percent = 97.0};
    double percent;
    size_t stale = 0, total;
    int i = 1, rc = 0;

    mg_strmap_init(&r.remote_docs);
    mg_strmap_init(&r.baseline);
    mg_strmap_init(&r.seen);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
            load_baseline(&r, argv[++i]);
        else if (strcmp(argv[i], "--min-percent") == 0 && i + 1 < argc)
            r.min_percent = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: schema_suite [--baseline FILE] [--min-percent P] DIR...\n");
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "usage: schema_suite [--baseline FILE] [--min-percent P] DIR...\n");
        return 2;
    }
    for (; i < argc; i++) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s", argv[i]);
        if (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
            dir[strlen(dir) - 1] = '\0';
        run_dir(&r, dir);
    }
    for (size_t k = 0; k < r.baseline.cap; k++) {
        struct mg_strmap_slot *slot = &r.baseline.slots[k];
        if (slot->key == NULL || slot->value == NULL)
            continue;
        if (mg_strmap_get(&r.seen, slot->key) == NULL) {
            printf("  baseline entry now passes (remove it): %s\n", slot->key);
            stale++;
        }
        mg_free(slot->value);
    }
    total = r.passed + r.failed;
    percent = total ? 100.0 * (double)r.passed / (double)total : 0;
    printf("schema-suite: %zu files, %zu/%zu tests pass (%.2f%%), %zu known failures in the baseline, "
           "%zu unexpected, %zu stale baseline entries\n",
           r.files, r.passed, total, percent, r.known, r.failed - r.known, stale);
    if (r.failed > r.known || r.below)
        rc = 1;
    for (size_t k = 0; k < r.remote_docs.cap; k++)
        if (r.remote_docs.slots[k].key != NULL && r.remote_docs.slots[k].value != NULL)
            json_decref(r.remote_docs.slots[k].value);
    mg_strmap_free(&r.remote_docs);
    mg_strmap_free(&r.baseline);
    mg_strmap_free(&r.seen);
    return rc;
}
