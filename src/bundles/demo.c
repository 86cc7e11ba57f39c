/*
 * demo.c - the demo bundle, written against the public API only.
 *
 *   demo__echo  text in, the same text out
 *   demo__add   structured output checked against an outputSchema
 *   demo__wait  finishes later from a timer, reports progress, cancellable
 */
#include "bundles/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "mcpgate.h"

static void
echo(struct mg_call *call, json_t *args, void *udata)
{
    mg_call_add_text(call, json_string_value(json_object_get(args, "text")));
    mg_call_finish(call);
}

static void
add(struct mg_call *call, json_t *args, void *udata)
{
    double a = json_number_value(json_object_get(args, "a"));
    double b = json_number_value(json_object_get(args, "b"));

    mg_call_set_structured(call, json_pack("{s:f}", "sum", a + b));
    mg_call_finish(call);
}

/* demo__wait: one timer tick per step so progress can be reported. */
struct wait_state {
    uv_timer_t timer;
    struct mg_call *call;
    long long ms, elapsed, step;
};

static void
wait_state_free(uv_handle_t *h)
{
    free(h->data);
}

static void
wait_end(struct wait_state *w, int cancelled)
{
    uv_timer_stop(&w->timer);
    if (cancelled) {
        mg_call_fail(w->call, "cancelled after %lld ms", w->elapsed);
    } else {
        char text[64];
        snprintf(text, sizeof(text), "waited %lld ms", w->ms);
        mg_call_add_text(w->call, text);
        mg_call_finish(w->call);
    }
    uv_close((uv_handle_t *)&w->timer, wait_state_free);
}

static void
wait_tick(uv_timer_t *timer)
{
    struct wait_state *w = timer->data;

    w->elapsed += w->step;
    if (w->elapsed >= w->ms) {
        wait_end(w, 0);
        return;
    }
    mg_call_progress(w->call, (double)w->elapsed, (double)w->ms, "waiting");
    uv_timer_start(&w->timer, wait_tick, w->step, 0);
}

static void
wait_cancel(struct mg_call *call, void *data)
{
    wait_end(data, 1);
}

static void
wait_(struct mg_call *call, json_t *args, void *udata)
{
    struct wait_state *w = calloc(1, sizeof(*w));

    if (w == NULL) {
        mg_call_fail(call, "out of memory");
        return;
    }
    w->call = call;
    w->ms = json_integer_value(json_object_get(args, "ms"));
    w->step = w->ms >= 10 ? w->ms / 10 : (w->ms > 0 ? w->ms : 1);
    uv_timer_init(mg_call_loop(call), &w->timer);
    w->timer.data = w;
    mg_call_on_cancel(call, wait_cancel, w);
    if (w->ms == 0) {
        wait_end(w, 0);
        return;
    }
    uv_timer_start(&w->timer, wait_tick, w->step, 0);
}

static const struct mg_tool_def demo_tools[] = {
    {
        .name = "echo",
        .title = "Echo",
        .description = "Return the given text unchanged.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":1,"
                        "\"description\":\"The text to return\"}},\"required\":[\"text\"],"
                        "\"additionalProperties\":false}",
        .annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
        .handler = echo,
    },
    {
        .name = "add",
        .title = "Add two numbers",
        .description = "Add a and b; the sum comes back as structured content.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\",\"description\":"
                        "\"First addend\"},\"b\":{\"type\":\"number\",\"description\":\"Second addend\"}},"
                        "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}",
        .output_schema = "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},"
                         "\"required\":[\"sum\"]}",
        .annotations = "{\"readOnlyHint\":true,\"idempotentHint\":true,\"openWorldHint\":false}",
        .handler = add,
    },
    {
        .name = "wait",
        .title = "Wait",
        .description = "Wait ms milliseconds without blocking, reporting progress; can be cancelled.",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0,"
                        "\"maximum\":60000,\"description\":\"How long to wait, in milliseconds\"}},"
                        "\"required\":[\"ms\"],\"additionalProperties\":false}",
        .annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
        .handler = wait_,
    },
};

int
mg_demo_register(struct mg_gateway *gw, char *err, size_t errlen)
{
    static const struct mg_bundle_def def = {
        .ns = "demo",
        .tools = demo_tools,
        .tool_count = sizeof(demo_tools) / sizeof(demo_tools[0]),
    };

    return mg_bundle_register(gw, &def, err, errlen);
}
