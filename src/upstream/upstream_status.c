/*
 * upstream_status.c - what each configured server is doing, for people:
 * `mcpgate servers` (and later the gateway's own list_servers tool).
 *
 * Names, commands, URLs and errors are here, so this is never served
 * unauthenticated; /readyz has only the counts (mg_upstreams_counts).
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "upstream/upstream_impl.h"

static const char *
kind_of(const struct mg_server_config *sc)
{
    switch (sc->transport) {
    case MG_CONFIG_TRANSPORT_STDIO: return "stdio";
    case MG_CONFIG_TRANSPORT_STREAMABLE_HTTP: return "streamable-http";
    case MG_CONFIG_TRANSPORT_SSE: return "sse";
    case MG_CONFIG_TRANSPORT_AUTO: break;
    }
    return "http";
}

json_t *
mg_upstreams_status(const struct mg_gateway *gw)
{
    json_t *out = json_array();

    for (size_t i = 0; i < gw->nupstreams; i++) {
        const struct mg_upstream *u = gw->upstreams[i];
        json_t *s = json_pack("{s:s, s:s, s:s, s:s}", "name", u->sc->name, "kind", kind_of(u->sc), "where",
                              mg_upstream_where(u), "state", mg_upstream_state_name(u->state));
        json_object_set_new(s, "protocol", u->version && u->state == MG_UPSTREAM_READY ? json_string(u->version)
                                                                                        : json_null());
        json_object_set_new(s, "tools", json_integer((json_int_t)u->tool_count));
        json_object_set_new(s, "latency_ms",
                            u->state == MG_UPSTREAM_READY ? json_integer((json_int_t)u->latency_ms) : json_null());
        json_object_set_new(s, "last_error", u->last_error[0] ? json_string(u->last_error) : json_null());
        if (u->sc->description != NULL)
            json_object_set_new(s, "description", json_string(u->sc->description));
        json_array_append_new(out, s);
    }
    return out;
}

int
mg_upstreams_settled(const struct mg_gateway *gw)
{
    for (size_t i = 0; i < gw->nupstreams; i++)
        if (gw->upstreams[i]->state == MG_UPSTREAM_CONNECTING)
            return 0;
    return 1;
}

void
mg_upstreams_connecting(const struct mg_gateway *gw, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < gw->nupstreams && n + 1 < len; i++) {
        const char *name = gw->upstreams[i]->sc->name;
        if (gw->upstreams[i]->state != MG_UPSTREAM_CONNECTING)
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
    }
}
