/*
 * fuzz_schema.c - libFuzzer driver for the JSON Schema compiler and
 * validator.  Tool schemas come from upstream servers, so both halves must
 * survive anything: the input is "<schema>\n<instance>".
 *
 *   build/fuzz/fuzz_schema -max_total_time=60 tests/fuzz/schema-corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    json_t *schema, *instance;
    struct mg_schema *s;
    char err[256], *msg = NULL;

    if (nl == NULL)
        return 0;
    schema = json_loadb((const char *)data, (size_t)(nl - data), JSON_DECODE_ANY, NULL);
    instance = json_loadb((const char *)nl + 1, size - (size_t)(nl - data) - 1, JSON_DECODE_ANY, NULL);
    if (schema != NULL && instance != NULL && (s = mg_schema_compile(schema, err, sizeof(err))) != NULL) {
        if (mg_schema_validate(s, instance, &msg) != 0 && msg == NULL)
            abort(); /* an invalid instance always gets a message */
        free(msg);
        mg_schema_free(s);
    }
    json_decref(schema);
    json_decref(instance);
    return 0;
}
