/*
 * version.h - MCP protocol revisions and the two eras.
 *
 * Legacy revisions (2024-11-05 .. 2025-11-25) open a session with
 * `initialize`; the modern revision (2026-07-28) is stateless and carries
 * its version in every request's _meta.  Features are tested by comparing
 * revision dates (they sort as strings), never by matching one literal.
 */
#ifndef MG_MCP_VERSION_H
#define MG_MCP_VERSION_H

#include <stddef.h>

enum mg_era {
    MG_ERA_UNKNOWN = 0,
    MG_ERA_LEGACY,
    MG_ERA_MODERN,
};

#define MG_PROTO_2024_11_05 "2024-11-05"
#define MG_PROTO_2025_03_26 "2025-03-26"
#define MG_PROTO_2025_06_18 "2025-06-18"
#define MG_PROTO_2025_11_25 "2025-11-25"
#define MG_PROTO_2026_07_28 "2026-07-28"

#define MG_PROTO_LATEST_LEGACY MG_PROTO_2025_11_25
#define MG_PROTO_LATEST MG_PROTO_2026_07_28

/* _meta keys of the modern era. */
#define MG_META_PROTOCOL_VERSION "io.modelcontextprotocol/protocolVersion"
#define MG_META_CLIENT_CAPABILITIES "io.modelcontextprotocol/clientCapabilities"
#define MG_META_CLIENT_INFO "io.modelcontextprotocol/clientInfo"
#define MG_META_SERVER_INFO "io.modelcontextprotocol/serverInfo"
#define MG_META_LOG_LEVEL "io.modelcontextprotocol/logLevel"
#define MG_META_RELATED_TASK "io.modelcontextprotocol/related-task" /* 2025-11-25 tasks */
/* The tasks extension of 2026-07-28 (capabilities.extensions). */
#define MG_EXT_TASKS "io.modelcontextprotocol/tasks"

/* Every revision mcpgate speaks, newest first (as server/discover lists them). */
extern const char *const mg_proto_versions[];
extern const size_t mg_proto_version_count;

/* 1 if `v` is a revision mcpgate speaks (either era). */
int mg_proto_supported(const char *v);
/* 1 if `v` is a legacy revision mcpgate speaks. */
int mg_proto_is_legacy(const char *v);
/* 1 if `v` is a modern revision mcpgate speaks. */
int mg_proto_is_modern(const char *v);
/*
 * Legacy version negotiation (lifecycle, "Version Negotiation"): the
 * requested version when supported, else the latest legacy version.
 * Returns a static string.
 */
const char *mg_proto_negotiate_legacy(const char *requested);
/* 1 when revision `v` is at least `since` (both "YYYY-MM-DD"). */
int mg_proto_at_least(const char *v, const char *since);

#endif
