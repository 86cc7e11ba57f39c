/*
 * conformance.c - the tools, resources and prompts the MCP conformance
 * suite's server scenarios call, with the payloads they check, written
 * against the public API.
 *
 * Registered unprefixed (the suite calls "test_simple_text", not
 * "<ns>__test_simple_text").  The tools that ask the client (sampling,
 * elicitation, roots) are in conformance_ask.c.
 */
#include "bundles/conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "mcpgate.h"

/* A 1x1 PNG and a minimal WAV, as the suite's reference server sends. */
static const char png_base64[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
static const char wav_base64[] = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

static void
simple_text(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, "This is a simple text response for testing.");
    mg_call_finish(call);
}

static void
image_content(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_image(call, png_base64, "image/png");
    mg_call_finish(call);
}

static void
audio_content(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_audio(call, wav_base64, "audio/wav");
    mg_call_finish(call);
}

static void
embedded_resource(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_resource(call, "test://embedded-resource", "text/plain", "This is an embedded resource content.",
                         NULL);
    mg_call_finish(call);
}

static void
multiple_content(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, "Multiple content types test:");
    mg_call_add_image(call, png_base64, "image/png");
    mg_call_add_resource(call, "test://mixed-content-resource", "application/json", "{\"test\":\"data\",\"value\":123}",
                         NULL);
    mg_call_finish(call);
}

static void
error_handling(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_fail(call, "This tool intentionally returns an error for testing");
}

/* --- tools that take several steps, 50 ms apart ------------------------- */

struct steps {
    uv_timer_t timer;
    struct mg_call *call;
    int step;
    void (*on_step)(struct steps *s); /* returns after ending the call on the last step */
    int done;
};

static void
steps_free(uv_handle_t *h)
{
    free(h->data);
}

static void
steps_end(struct steps *s)
{
    s->done = 1;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, steps_free);
}

static void
steps_tick(uv_timer_t *t)
{
    struct steps *s = t->data;

    s->on_step(s);
    if (!s->done) {
        s->step++;
        uv_timer_start(&s->timer, steps_tick, 50, 0);
    }
}

static void
steps_cancel(struct mg_call *call, void *data)
{
    struct steps *s = data;

    mg_call_fail(s->call, "cancelled at step %d", s->step);
    steps_end(s);
}

static void
steps_start(struct mg_call *call, void (*on_step)(struct steps *s))
{
    struct steps *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        mg_call_fail(call, "out of memory");
        return;
    }
    s->call = call;
    s->on_step = on_step;
    uv_timer_init(mg_call_loop(call), &s->timer);
    s->timer.data = s;
    mg_call_on_cancel(call, steps_cancel, s);
    uv_timer_start(&s->timer, steps_tick, 0, 0);
}

static void
progress_step(struct steps *s)
{
    static const double at[] = {0, 50, 100};

    if (s->step < 3) {
        char msg[64];
        snprintf(msg, sizeof(msg), "Completed step %d of 3", s->step + 1);
        mg_call_progress(s->call, at[s->step], 100, msg);
        return;
    }
    mg_call_add_text(s->call, "Progress test completed");
    mg_call_finish(s->call);
    steps_end(s);
}

static void
tool_with_progress(struct mg_call *call, json_t *args, void *udata)
{
    steps_start(call, progress_step);
}

static void
logging_step(struct steps *s)
{
    static const char *const lines[] = {"Tool execution started", "Tool processing data", "Tool execution completed"};

    if (s->step < 3) {
        mg_call_log(s->call, MG_CALL_LOG_INFO, "%s", lines[s->step]);
        return;
    }
    mg_call_add_text(s->call, "Tool with logging executed successfully");
    mg_call_finish(s->call);
    steps_end(s);
}

static void
tool_with_logging(struct mg_call *call, json_t *args, void *udata)
{
    steps_start(call, logging_step);
}

/* 2026-07-28: a tool that needs a capability the client did not declare
 * must be refused with -32021 before it runs. */
static void
missing_capability(struct mg_call *call, json_t *args, void *udata)
{
    if (mg_call_require(call, "sampling") != 0)
        return;
    mg_call_add_text(call, "The client declared sampling.");
    mg_call_finish(call);
}

/* Logs only when the request asked for a log level (2026-07-28 sends no
 * notifications/message otherwise; mg_call_log honours that). */
static void
logging_tool(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_log(call, MG_CALL_LOG_INFO, "logging tool ran");
    mg_call_add_text(call, "Logged at the requested level, if any.");
    mg_call_finish(call);
}

/* --- resources ------------------------------------------------------------ */

static void
read_text(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    mg_call_add_resource(call, uri, "text/plain", udata, NULL);
    mg_call_finish(call);
}

static void
read_binary(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    mg_call_add_resource(call, uri, "image/png", NULL, png_base64);
    mg_call_finish(call);
}

static void
read_template(struct mg_call *call, const char *uri, json_t *vars, void *udata)
{
    json_t *data = json_pack("{s:O, s:b, s:s+}", "id", json_object_get(vars, "id"), "templateTest", 1, "data",
                             "Data for ID: ", json_string_value(json_object_get(vars, "id")));
    char *text = json_dumps(data, JSON_COMPACT);

    mg_call_add_resource(call, uri, "application/json", text, NULL);
    free(text);
    json_decref(data);
    mg_call_finish(call);
}

static const struct mg_resource_def conformance_resources[] = {
    {.uri = "test://static-text", .name = "Static Text Resource", .description = "A static text resource",
     .mime_type = "text/plain", .read = read_text, .udata = "This is the content of the static text resource."},
    {.uri = "test://static-binary", .name = "Static Binary Resource", .description = "A 1x1 PNG",
     .mime_type = "image/png", .read = read_binary},
    {.uri = "test://watched-resource", .name = "Watched Resource", .description = "A resource to subscribe to",
     .mime_type = "text/plain", .read = read_text, .udata = "Watched resource content"},
    {.uri_template = "test://template/{id}/data", .name = "template", .description = "Data for an id",
     .mime_type = "application/json", .read = read_template},
};

/* --- prompts -------------------------------------------------------------- */

static void
simple_prompt(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, "This is a simple prompt for testing.");
    mg_call_finish(call);
}

static void
prompt_with_arguments(struct mg_call *call, json_t *args, void *udata)
{
    char text[512];

    snprintf(text, sizeof(text), "Prompt with arguments: arg1='%s', arg2='%s'",
             json_string_value(json_object_get(args, "arg1")), json_string_value(json_object_get(args, "arg2")));
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

static void
prompt_with_embedded_resource(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_resource(call, json_string_value(json_object_get(args, "resourceUri")), "text/plain",
                         "Embedded resource content for testing.", NULL);
    mg_call_add_text(call, "Please process the embedded resource above.");
    mg_call_finish(call);
}

static void
prompt_with_image(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_image(call, png_base64, "image/png");
    mg_call_add_text(call, "Please analyze the image above.");
    mg_call_finish(call);
}

static const struct mg_prompt_def conformance_prompts[] = {
    {.name = "test_simple_prompt", .description = "A prompt without arguments", .get = simple_prompt},
    {.name = "test_prompt_with_arguments", .description = "A prompt with two required arguments",
     .arguments = "[{\"name\":\"arg1\",\"description\":\"First argument\",\"required\":true},"
                  "{\"name\":\"arg2\",\"description\":\"Second argument\",\"required\":true}]",
     .get = prompt_with_arguments},
    {.name = "test_prompt_with_embedded_resource", .description = "A prompt that embeds a resource",
     .arguments = "[{\"name\":\"resourceUri\",\"description\":\"URI of the resource to embed\","
                  "\"required\":true}]",
     .get = prompt_with_embedded_resource},
    {.name = "test_prompt_with_image", .description = "A prompt with an image", .get = prompt_with_image},
};

#define NO_ARGS "{\"type\":\"object\",\"properties\":{}}"

/* The suite checks that every keyword of this schema reaches the client
 * as written (SEP-1613, SEP-2106); the validator enforces all of them. */
static const char schema_2020_12[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\","
    "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
    "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
    "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},"
    "\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"}},"
    "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
    "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":[\"contactMethod\"]},"
    "\"then\":{\"required\":[\"phone\"]},\"else\":{\"required\":[\"email\"]},"
    "\"additionalProperties\":false}";

/* SEP-1699: the event stream closes at once; the result follows 100 ms
 * later, for the client to fetch by reconnecting with Last-Event-ID. */
static void
reconnection_step(struct steps *s)
{
    if (s->step == 0) {
        if (mg_call_close_stream(s->call, 200) != 0)
            mg_call_log(s->call, MG_CALL_LOG_INFO, "this connection cannot poll; answering on the open stream");
        return;
    }
    if (s->step < 2)
        return;
    mg_call_add_text(s->call, "Reconnection test completed");
    mg_call_finish(s->call);
    steps_end(s);
}

static void
reconnection(struct mg_call *call, json_t *args, void *udata)
{
    steps_start(call, reconnection_step);
}

static void
schema_tool(struct mg_call *call, json_t *args, void *udata)
{
    char *text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);

    mg_call_add_text(call, text);
    free(text);
    mg_call_finish(call);
}

/* SEP-2243: arguments mirrored into Mcp-Param-* headers. */
static const char header_params[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\",\"description\":\"Where to route\"},"
    "\"priority\":{\"type\":\"integer\",\"x-mcp-header\":\"Priority\"},"
    "\"dry_run\":{\"type\":\"boolean\",\"x-mcp-header\":\"Dry-Run\"},"
    "\"note\":{\"type\":\"string\"}},"
    "\"required\":[\"region\"],\"additionalProperties\":false}";

/* --- changing the catalog while clients listen ------------------------- */

static void
noop_tool(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, "added at run time");
    mg_call_finish(call);
}

static void
noop_prompt(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, "A prompt added at run time");
    mg_call_finish(call);
}

/* Register a new bundle "changed-N" holding one tool or one prompt: the
 * catalog really changes, and listeners hear of it. */
static void
trigger_change(struct mg_call *call, void *gw, int prompt)
{
    static unsigned n;
    static const struct mg_tool_def tool = {.name = "added", .description = "Added at run time",
                                            .handler = noop_tool};
    static const struct mg_prompt_def prompt_def = {.name = "added", .description = "Added at run time",
                                                    .get = noop_prompt};
    struct mg_bundle_def def = {0};
    char ns[32], err[256];

    if (n >= 1000) {
        mg_call_fail(call, "this fixture adds at most 1000 bundles");
        return;
    }
    snprintf(ns, sizeof(ns), "changed-%u", ++n);
    def.ns = ns;
    if (prompt)
        def.prompts = &prompt_def, def.prompt_count = 1;
    else
        def.tools = &tool, def.tool_count = 1;
    if (mg_bundle_register(gw, &def, err, sizeof(err)) != 0) {
        mg_call_fail(call, "%s", err);
        return;
    }
    mg_call_add_text(call, prompt ? "added a prompt" : "added a tool");
    mg_call_finish(call);
}

static void
trigger_tool_change(struct mg_call *call, json_t *args, void *gw)
{
    trigger_change(call, gw, 0);
}

static void
trigger_prompt_change(struct mg_call *call, json_t *args, void *gw)
{
    trigger_change(call, gw, 1);
}

static void
trigger_resource_update(struct mg_call *call, json_t *args, void *gw)
{
    mg_resource_updated(gw, "test://static-text");
    mg_call_add_text(call, "test://static-text updated");
    mg_call_finish(call);
}

static const struct mg_tool_def conformance_tools[] = {
    {.name = "test_simple_text", .description = "Returns a simple text response", .input_schema = NO_ARGS,
     .handler = simple_text},
    {.name = "test_image_content", .description = "Returns an image (a 1x1 PNG)", .input_schema = NO_ARGS,
     .handler = image_content},
    {.name = "test_audio_content", .description = "Returns audio (a minimal WAV)", .input_schema = NO_ARGS,
     .handler = audio_content},
    {.name = "test_embedded_resource", .description = "Returns an embedded text resource", .input_schema = NO_ARGS,
     .handler = embedded_resource},
    {.name = "test_multiple_content_types", .description = "Returns text, an image and a resource",
     .input_schema = NO_ARGS, .handler = multiple_content},
    {.name = "test_error_handling", .description = "Always ends with an execution error", .input_schema = NO_ARGS,
     .handler = error_handling},
    {.name = "test_tool_with_progress", .description = "Reports progress 0, 50 and 100 of 100",
     .input_schema = NO_ARGS, .handler = tool_with_progress},
    {.name = "test_tool_with_logging", .description = "Sends three log messages while it runs",
     .input_schema = NO_ARGS, .handler = tool_with_logging},
    {.name = "test_missing_capability", .description = "Needs the client's sampling capability",
     .input_schema = NO_ARGS, .handler = missing_capability},
    {.name = "json_schema_2020_12_tool", .description = "Tool with JSON Schema 2020-12 features",
     .input_schema = schema_2020_12, .handler = schema_tool},
    {.name = "test_logging_tool", .description = "Logs only when the request sets a log level",
     .input_schema = NO_ARGS, .handler = logging_tool},
    {.name = "test_header_params", .description = "Echoes its arguments; region, priority and dry_run travel in "
     "Mcp-Param-* headers too", .input_schema = header_params, .handler = schema_tool},
    {.name = "test_trigger_tool_change", .description = "Adds a tool to the catalog (tools/list_changed)",
     .input_schema = NO_ARGS, .handler = trigger_tool_change},
    {.name = "test_trigger_prompt_change", .description = "Adds a prompt to the catalog (prompts/list_changed)",
     .input_schema = NO_ARGS, .handler = trigger_prompt_change},
    {.name = "test_trigger_resource_update", .description = "Reports that test://static-text changed",
     .input_schema = NO_ARGS, .handler = trigger_resource_update},
    {.name = "test_reconnection", .description = "Closes its event stream mid-call (SSE polling) and answers later",
     .input_schema = NO_ARGS, .handler = reconnection},
};

int
mg_conformance_register(struct mg_gateway *gw, char *err, size_t errlen)
{
    size_t ntools = sizeof(conformance_tools) / sizeof(conformance_tools[0]);
    size_t nprompts = sizeof(conformance_prompts) / sizeof(conformance_prompts[0]);
    struct mg_tool_def *tools = calloc(ntools + mg_conformance_ask_tool_count, sizeof(*tools));
    struct mg_prompt_def *prompts = calloc(nprompts + 1, sizeof(*prompts));
    struct mg_bundle_def def = {
        .ns = "conformance",
        .tools = tools,
        .tool_count = ntools + mg_conformance_ask_tool_count,
        .resources = conformance_resources,
        .resource_count = sizeof(conformance_resources) / sizeof(conformance_resources[0]),
        .prompts = prompts,
        .prompt_count = nprompts + 1,
        .unprefixed = 1,
    };
    int rc = -1;

    /* Registration copies the definitions, so one bundle can be put
     * together from both files here. */
    if (tools == NULL || prompts == NULL) {
        snprintf(err, errlen, "conformance fixture: out of memory");
    } else {
        memcpy(tools, conformance_tools, sizeof(conformance_tools));
        for (size_t i = 0; i < ntools; i++)
            if (strncmp(tools[i].name, "test_trigger_", 13) == 0)
                tools[i].udata = gw;
        memcpy(tools + ntools, mg_conformance_ask_tools, mg_conformance_ask_tool_count * sizeof(*tools));
        memcpy(prompts, conformance_prompts, sizeof(conformance_prompts));
        prompts[nprompts] = mg_conformance_ask_prompt;
        rc = mg_bundle_register(gw, &def, err, errlen);
    }
    free(tools);
    free(prompts);
    return rc;
}
