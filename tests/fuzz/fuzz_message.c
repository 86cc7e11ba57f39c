/*
 * fuzz_message.c - libFuzzer driver for the message path: framing,
 * JSON-RPC classification, the era decision, dispatch and argument
 * validation, exactly as a stdio line or an HTTP body reaches them.
 *
 * The first input byte picks the session state (fresh, legacy 2025-03-26
 * so batches are accepted, legacy 2025-11-25, or modern requests), the
 * rest is the message.  Every reply must be encodable as one line, and
 * mcpgate's encoder must write jansson's text for it and for any JSON
 * the input holds; mcpgate's parser must decode the input as jansson
 * does, or leave it to jansson.
 *
 *   build/fuzz/fuzz_message -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bundles/demo.h"
#include "gateway/gateway.h"
#include "json/json_parse.h"
#include "json/json_text.h"
#include "json/jsonrpc.h"
#include "util/limits.h"
#include "mcp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(void *ctx, json_t *msg)
{
    size_t len;
    char *text = mg_rpc_encode(msg, &len), *theirs = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);

    if (memchr(text, '\n', len) != NULL)
        abort(); /* would break newline-delimited framing */
    /* mcpgate's encoder writes jansson's text, byte for byte. */
    if (theirs == NULL || strcmp(text, theirs) != 0)
        abort();
    free(theirs);
    free(text);
}

/* mcpgate's parser decodes nothing jansson refuses, and what it decodes
 * is jansson's value, keys in the same order. */
static void
check_parse(const char *text, size_t len)
{
    json_t *ours = mg_json_parse(text, len, MG_MAX_JSON_DEPTH), *theirs;
    char *a, *b;

    if (ours == NULL)
        return;
    if ((theirs = json_loadb(text, len, JSON_DECODE_ANY, NULL)) == NULL)
        abort();
    a = mg_json_text(ours, NULL);
    b = mg_json_text(theirs, NULL);
    if (!json_equal(ours, theirs) || strcmp(a, b) != 0)
        abort();
    free(a);
    free(b);
    json_decref(ours);
    json_decref(theirs);
}

static void
init_session(struct mg_session *s, const struct mg_sink *sink, const char *version)
{
    char text[256];
    size_t n = (size_t)snprintf(text, sizeof(text),
                                "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                                "\"protocolVersion\":\"%s\",\"capabilities\":{}}}",
                                version);
    mg_session_receive_text(s, text, n, sink);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uv_loop_t loop;
    static struct mg_gateway *gw;
    struct mg_sink sink = {.send = check_reply, .ctx = NULL};
    struct mg_session *s;
    json_t *input;
    char err[256];

    if (gw == NULL) {
        uv_loop_init(&loop);
        gw = mg_gateway_new(&loop);
        if (mg_demo_register(gw, err, sizeof(err)) != 0)
            abort();
    }
    if (size == 0)
        return 0;
    s = mg_session_new(gw, &sink);
    switch (data[0] & 3) {
    case 1:
        init_session(s, &sink, "2025-03-26");
        break;
    case 2:
        init_session(s, &sink, "2025-11-25");
        break;
    default:
        break;
    }
    /* Whatever JSON the message holds, encoded as every reply is. */
    if ((input = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)) != NULL) {
        check_reply(NULL, input);
        json_decref(input);
    }
    check_parse((const char *)data + 1, size - 1);
    mg_session_receive_text(s, (const char *)data + 1, size - 1, &sink);
    /* demo__wait may have started timers: close the session (cancelling
     * them) and let the loop finish the cancelled calls. */
    mg_session_close(s);
    uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}
