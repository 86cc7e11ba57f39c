/*
 * adapt.c - say only what the client's revision can express.
 *
 * The catalog holds the newest form of every definition and result; a
 * client that negotiated an older revision gets a copy without the fields
 * its schema does not have (checklist §15.9: "strip fields an older peer
 * can't use"), and content types it cannot parse become text that says
 * what was there.
 *
 *   field / content       first revision
 *   annotations           2025-03-26
 *   audio content         2025-03-26
 *   title, outputSchema   2025-06-18
 *   structuredContent     2025-06-18
 *   resource_link         2025-06-18
 *   icons, execution      2025-11-25
 */
#include <stdio.h>
#include <string.h>

#include "mcp/methods.h"
#include "mcp/version.h"

json_t *
mg_adapt_tool(json_t *tool, const char *version)
{
    json_t *t;

    if (version == NULL || mg_proto_at_least(version, MG_PROTO_2025_11_25))
        return json_incref(tool);
    t = json_copy(tool);
    json_object_del(t, "icons");
    json_object_del(t, "execution");
    if (!mg_proto_at_least(version, MG_PROTO_2025_06_18)) {
        json_object_del(t, "title");
        json_object_del(t, "outputSchema");
    }
    if (!mg_proto_at_least(version, MG_PROTO_2025_03_26))
        json_object_del(t, "annotations");
    return t;
}

/* A text block standing in for content the client cannot receive. */
static json_t *
stand_in(json_t *block, const char *version)
{
    const char *type = json_string_value(json_object_get(block, "type"));
    char text[1024];

    if (type == NULL)
        return NULL;
    if (strcmp(type, "resource_link") == 0 && !mg_proto_at_least(version, MG_PROTO_2025_06_18)) {
        const char *uri = json_string_value(json_object_get(block, "uri"));
        const char *name = json_string_value(json_object_get(block, "name"));
        snprintf(text, sizeof(text), "Resource link: %s%s%s%s", uri ? uri : "", name ? " (" : "", name ? name : "",
                 name ? ")" : "");
        return json_pack("{s:s, s:s}", "type", "text", "text", text);
    }
    if (strcmp(type, "audio") == 0 && !mg_proto_at_least(version, MG_PROTO_2025_03_26)) {
        const char *mime = json_string_value(json_object_get(block, "mimeType"));
        snprintf(text, sizeof(text), "[audio content (%s) omitted: protocol %s cannot carry audio]",
                 mime ? mime : "unknown type", version);
        return json_pack("{s:s, s:s}", "type", "text", "text", text);
    }
    return NULL;
}

json_t *
mg_adapt_call_result(json_t *result, const char *version)
{
    json_t *r, *content, *block, *sub;
    size_t i;

    if (version == NULL || mg_proto_at_least(version, MG_PROTO_2025_06_18))
        return json_incref(result);
    r = json_deep_copy(result);
    json_object_del(r, "structuredContent");
    content = json_object_get(r, "content");
    json_array_foreach(content, i, block) {
        if ((sub = stand_in(block, version)) != NULL)
            json_array_set_new(content, i, sub);
    }
    return r;
}
