/*
 * version.c - protocol revision table and legacy negotiation.
 */
#include "mcp/version.h"

#include <string.h>

const char *const mg_proto_versions[] = {
    MG_PROTO_2026_07_28, MG_PROTO_2025_11_25, MG_PROTO_2025_06_18, MG_PROTO_2025_03_26, MG_PROTO_2024_11_05,
};
const size_t mg_proto_version_count = sizeof(mg_proto_versions) / sizeof(mg_proto_versions[0]);

int
mg_proto_supported(const char *v)
{
    if (v == NULL)
        return 0;
    for (size_t i = 0; i < mg_proto_version_count; i++)
        if (strcmp(v, mg_proto_versions[i]) == 0)
            return 1;
    return 0;
}

int
mg_proto_is_modern(const char *v)
{
    return mg_proto_supported(v) && strcmp(v, MG_PROTO_2026_07_28) >= 0;
}

int
mg_proto_is_legacy(const char *v)
{
    return mg_proto_supported(v) && strcmp(v, MG_PROTO_2026_07_28) < 0;
}

const char *
mg_proto_negotiate_legacy(const char *requested)
{
    for (size_t i = 0; i < mg_proto_version_count; i++)
        if (requested != NULL && strcmp(requested, mg_proto_versions[i]) == 0 && mg_proto_is_legacy(requested))
            return mg_proto_versions[i];
    return MG_PROTO_LATEST_LEGACY;
}

int
mg_proto_at_least(const char *v, const char *since)
{
    return v != NULL && strcmp(v, since) >= 0;
}
