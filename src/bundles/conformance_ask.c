/*
 * conformance_ask.c - the fixture's tools and prompt that need the
 * client's help: sampling, elicitation and roots.  Each is written once,
 * in rounds (include/mcpgate.h, "asking the client"), and works in both
 * eras: legacy clients get real requests on the session's streams,
 * 2026-07-28 clients an input_required result to retry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundles/conformance.h"
#include "mcpgate.h"

static json_t *
elicitation(const char *message, const char *schema_json)
{
    return json_pack("{s:s, s:o}", "message", message, "requestedSchema", json_loads(schema_json, 0, NULL));
}

static json_t *
sampling(const char *text, int max_tokens)
{
    return json_pack("{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role", "user", "content", "type", "text", "text",
                     text, "maxTokens", max_tokens);
}

/* The text of a sampling result: content is one block, or (2025-11-25)
 * an array of them. */
static const char *
sampled_text(json_t *result)
{
    json_t *c = json_object_get(result, "content");

    if (json_is_array(c))
        c = json_array_get(c, 0);
    return json_string_value(json_object_get(c, "text")) ? json_string_value(json_object_get(c, "text")) : "";
}

/* "action=accept, content={...}" for an elicitation result. */
static void
add_elicitation_outcome(struct mg_call *call, const char *prefix, json_t *result)
{
    char *content = json_dumps(json_object_get(result, "content") ? json_object_get(result, "content")
                                                                   : json_object(),
                               JSON_COMPACT | JSON_ENCODE_ANY);
    const char *action = json_string_value(json_object_get(result, "action"));
    size_t n = strlen(prefix) + strlen(content) + 64;
    char *text = malloc(n);

    snprintf(text, n, "%saction=%s, content=%s", prefix, action ? action : "?", content);
    mg_call_add_text(call, text);
    free(text);
    free(content);
}

/* Ask once under KEY; returns the answer, or NULL after ending the round. */
static json_t *
need(struct mg_call *call, const char *key, const char *method, json_t *params)
{
    json_t *answer = mg_call_input(call, key);

    if (answer != NULL) {
        json_decref(params);
        return answer;
    }
    mg_call_ask(call, key, method, params);
    mg_call_input_required(call);
    return NULL;
}

/* --- legacy-era scenarios (requests on the session's streams) ----------- */

static void
tool_sampling(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer;
    char text[4096];

    if (mg_call_require(call, "sampling") != 0)
        return;
    answer = need(call, "sample", "sampling/createMessage",
                  sampling(json_string_value(json_object_get(args, "prompt")), 100));
    if (answer == NULL)
        return;
    snprintf(text, sizeof(text), "LLM response: %s", sampled_text(answer));
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

static void
tool_elicitation(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer;

    if (mg_call_require(call, "elicitation") != 0)
        return;
    answer = need(call, "info", "elicitation/create",
                  elicitation(json_string_value(json_object_get(args, "message")),
                              "{\"type\":\"object\",\"properties\":{"
                              "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
                              "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
                              "\"required\":[\"username\",\"email\"]}"));
    if (answer == NULL)
        return;
    add_elicitation_outcome(call, "User response: ", answer);
    mg_call_finish(call);
}

static void
tool_elicitation_defaults(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer;

    if (mg_call_require(call, "elicitation") != 0)
        return;
    answer = need(call, "defaults", "elicitation/create",
                  elicitation("Please review the defaults",
                              "{\"type\":\"object\",\"properties\":{"
                              "\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
                              "\"age\":{\"type\":\"integer\",\"default\":30},"
                              "\"score\":{\"type\":\"number\",\"default\":95.5},"
                              "\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"inactive\",\"pending\"],"
                              "\"default\":\"active\"},"
                              "\"verified\":{\"type\":\"boolean\",\"default\":true}}}"));
    if (answer == NULL)
        return;
    add_elicitation_outcome(call, "Elicitation completed: ", answer);
    mg_call_finish(call);
}

static void
tool_elicitation_enums(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer;

    if (mg_call_require(call, "elicitation") != 0)
        return;
    answer = need(
        call, "enums", "elicitation/create",
        elicitation("Please choose",
                    "{\"type\":\"object\",\"properties\":{"
                    "\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
                    "\"titledSingle\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
                    "{\"const\":\"value2\",\"title\":\"Second Option\"},{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
                    "\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
                    "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
                    "\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
                    "\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
                    "\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":"
                    "\"First Choice\"},{\"const\":\"value2\",\"title\":\"Second Choice\"},{\"const\":\"value3\","
                    "\"title\":\"Third Choice\"}]}}}}"));
    if (answer == NULL)
        return;
    add_elicitation_outcome(call, "Elicitation completed: ", answer);
    mg_call_finish(call);
}

/* --- 2026-07-28 input_required scenarios (SEP-2322) ---------------------- */

#define NAME_SCHEMA "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"
#define OK_SCHEMA "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}"

static const char *
content_string(json_t *elicit_result, const char *field)
{
    const char *s = json_string_value(json_object_get(json_object_get(elicit_result, "content"), field));
    return s ? s : "(none)";
}

static void
ir_elicitation(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer = need(call, "user_name", "elicitation/create", elicitation("What is your name?", NAME_SCHEMA));
    char text[300];

    if (answer == NULL)
        return;
    snprintf(text, sizeof(text), "Hello, %.200s!", content_string(answer, "name"));
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

static void
ir_sampling(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer = need(call, "capital_question", "sampling/createMessage",
                          sampling("What is the capital of France?", 100));

    if (answer == NULL)
        return;
    mg_call_add_text(call, sampled_text(answer));
    mg_call_finish(call);
}

static void
ir_list_roots(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer = need(call, "client_roots", "roots/list", json_object()), *root;
    char text[2048] = "Client roots:";
    size_t i;

    if (answer == NULL)
        return;
    json_array_foreach (json_object_get(answer, "roots"), i, root) {
        const char *uri = json_string_value(json_object_get(root, "uri"));
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, " %s", uri ? uri : "?");
    }
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

/* Round 1 leaves a state; round 2 completes only with it back, intact.
 * Also the tool of the tampered-state scenario: the gateway refuses an
 * altered state before this handler runs. */
static void
ir_request_state(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer = mg_call_input(call, "confirm");
    const char *state = mg_call_state(call);

    if (answer == NULL || state == NULL || strcmp(state, "awaiting-confirm") != 0) {
        mg_call_ask(call, "confirm", "elicitation/create", elicitation("Please confirm", OK_SCHEMA));
        mg_call_set_state(call, "awaiting-confirm");
        mg_call_input_required(call);
        return;
    }
    mg_call_add_text(call, json_is_true(json_object_get(json_object_get(answer, "content"), "ok"))
                               ? "state-ok: confirmed"
                               : "state-ok: not confirmed");
    mg_call_finish(call);
}

static void
ir_multiple_inputs(struct mg_call *call, json_t *args, void *udata)
{
    json_t *name = mg_call_input(call, "user_name"), *greeting = mg_call_input(call, "greeting");
    json_t *roots = mg_call_input(call, "client_roots");
    char text[600];

    if (name == NULL || greeting == NULL || roots == NULL) {
        mg_call_ask(call, "user_name", "elicitation/create", elicitation("What is your name?", NAME_SCHEMA));
        mg_call_ask(call, "greeting", "sampling/createMessage", sampling("Generate a greeting", 50));
        mg_call_ask(call, "client_roots", "roots/list", json_object());
        mg_call_set_state(call, "multiple");
        mg_call_input_required(call);
        return;
    }
    snprintf(text, sizeof(text), "%.200s, %.200s (%zu roots)", sampled_text(greeting), content_string(name, "name"),
             json_array_size(json_object_get(roots, "roots")));
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

/* Two questions in two rounds; the state carries the first answer. */
static void
ir_multi_round(struct mg_call *call, json_t *args, void *udata)
{
    const char *state = mg_call_state(call);
    json_t *step2 = mg_call_input(call, "step2"), *step1 = mg_call_input(call, "step1");
    char text[600];

    if (state != NULL && strncmp(state, "step2:", 6) == 0 && step2 != NULL) {
        snprintf(text, sizeof(text), "%.200s likes %.200s", state + 6, content_string(step2, "color"));
        mg_call_add_text(call, text);
        mg_call_finish(call);
        return;
    }
    if (state != NULL && strcmp(state, "step1") == 0 && step1 != NULL) {
        snprintf(text, sizeof(text), "step2:%.200s", content_string(step1, "name"));
        mg_call_set_state(call, text);
        mg_call_ask(call, "step2", "elicitation/create",
                    elicitation("Step 2: What is your favorite color?",
                                "{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"}},"
                                "\"required\":[\"color\"]}"));
        mg_call_input_required(call);
        return;
    }
    mg_call_set_state(call, "step1");
    mg_call_ask(call, "step1", "elicitation/create", elicitation("Step 1: What is your name?", NAME_SCHEMA));
    mg_call_input_required(call);
}

/* Asks only for what the client declared: mg_call_ask() refuses the rest. */
static void
ir_capabilities(struct mg_call *call, json_t *args, void *udata)
{
    int asked = 0;

    if (mg_call_input(call, "user_name") != NULL || mg_call_input(call, "greeting") != NULL) {
        mg_call_add_text(call, "Thanks for the input.");
        mg_call_finish(call);
        return;
    }
    asked += mg_call_ask(call, "user_name", "elicitation/create", elicitation("What is your name?", NAME_SCHEMA)) == 0;
    asked += mg_call_ask(call, "greeting", "sampling/createMessage", sampling("Generate a greeting", 50)) == 0;
    if (asked == 0) {
        mg_call_add_text(call, "The client declared neither elicitation nor sampling; nothing to ask.");
        mg_call_finish(call);
        return;
    }
    mg_call_input_required(call);
}

/* Needs the user's input; in 2026-07-28 that is an input_required result,
 * never a request on the response stream. */
static void
streaming_elicitation(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer;

    if (mg_call_require(call, "elicitation") != 0)
        return;
    answer = need(call, "confirm", "elicitation/create", elicitation("Continue?", OK_SCHEMA));
    if (answer == NULL)
        return;
    add_elicitation_outcome(call, "", answer);
    mg_call_finish(call);
}

static void
ir_prompt(struct mg_call *call, json_t *args, void *udata)
{
    json_t *answer = need(call, "user_context", "elicitation/create",
                          elicitation("What context should the prompt use?",
                                      "{\"type\":\"object\",\"properties\":{\"context\":{\"type\":\"string\"}},"
                                      "\"required\":[\"context\"]}"));
    char text[600];

    if (answer == NULL)
        return;
    snprintf(text, sizeof(text), "Answer with this context in mind: %.400s", content_string(answer, "context"));
    mg_call_add_text(call, text);
    mg_call_finish(call);
}

#define NO_ARGS "{\"type\":\"object\",\"properties\":{}}"

const struct mg_tool_def mg_conformance_ask_tools[] = {
    {.name = "test_sampling", .description = "Asks the client's LLM to answer a prompt (sampling)",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\","
                     "\"description\":\"The prompt to send to the LLM\"}},\"required\":[\"prompt\"]}",
     .handler = tool_sampling},
    {.name = "test_elicitation", .description = "Asks the user for a username and an email (elicitation)",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
                     "\"description\":\"The message to show the user\"}},\"required\":[\"message\"]}",
     .handler = tool_elicitation},
    {.name = "test_elicitation_sep1034_defaults", .description = "Elicits fields that all have default values",
     .input_schema = NO_ARGS, .handler = tool_elicitation_defaults},
    {.name = "test_elicitation_sep1330_enums", .description = "Elicits the five kinds of enum field",
     .input_schema = NO_ARGS, .handler = tool_elicitation_enums},
    {.name = "test_input_required_result_elicitation", .description = "Asks the user's name, then greets them",
     .input_schema = NO_ARGS, .handler = ir_elicitation},
    {.name = "test_input_required_result_sampling", .description = "Asks the client's LLM for a capital",
     .input_schema = NO_ARGS, .handler = ir_sampling},
    {.name = "test_input_required_result_list_roots", .description = "Asks the client for its roots",
     .input_schema = NO_ARGS, .handler = ir_list_roots},
    {.name = "test_input_required_result_request_state", .description = "Completes only with its state back",
     .input_schema = NO_ARGS, .handler = ir_request_state},
    {.name = "test_input_required_result_tampered_state", .description = "Refuses an altered requestState",
     .input_schema = NO_ARGS, .handler = ir_request_state},
    {.name = "test_input_required_result_multiple_inputs", .description = "Asks three questions at once",
     .input_schema = NO_ARGS, .handler = ir_multiple_inputs},
    {.name = "test_input_required_result_multi_round", .description = "Asks two questions in two rounds",
     .input_schema = NO_ARGS, .handler = ir_multi_round},
    {.name = "test_input_required_result_capabilities", .description = "Asks only what the client can answer",
     .input_schema = NO_ARGS, .handler = ir_capabilities},
    {.name = "test_streaming_elicitation", .description = "Needs the user's confirmation (elicitation)",
     .input_schema = NO_ARGS, .handler = streaming_elicitation},
};
const size_t mg_conformance_ask_tool_count = sizeof(mg_conformance_ask_tools) / sizeof(mg_conformance_ask_tools[0]);

const struct mg_prompt_def mg_conformance_ask_prompt = {
    .name = "test_input_required_result_prompt",
    .description = "A prompt that first asks the user for context",
    .get = ir_prompt,
};
