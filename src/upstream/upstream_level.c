/*
 * upstream_level.c - the log level clients ask for, passed on to legacy
 * upstreams.
 *
 * A legacy client sets its level with logging/setLevel, and the gateway
 * filters the log messages each session gets by that level (call.c).  A
 * server that declares `logging` decides what to send by the level it
 * was given, so it is given one too: an instance serving one session
 * (isolation: session) gets that session's level; a connection shared by
 * many sessions gets the most verbose level among them, so that each
 * still gets everything it asked for (the gateway's filter keeps from
 * every session what it did not ask for).  Until a session it serves sets
 * a level, a server keeps its own default; a level once sent stays when
 * the sessions that asked for it end, since MCP has no way to unset it.
 *
 * The level is sent when it changes, and again after every initialize,
 * before the new connection is used: a restarted process or a new
 * upstream session starts at the server's default.  A 2026-07-28 server
 * has no logging/setLevel; it gets the level in each request's _meta
 * (upstream_era.c).
 */
#include "config/config.h"
#include "gateway/gateway.h"
#include "mcp/session.h"
#include "upstream/upstream_impl.h"
#include "util/log.h"

/* 1 if U can be sent logging/setLevel now. */
static int
takes_level(const struct mg_upstream *u)
{
    return u->log_ready && !u->modern && json_object_get(u->capabilities, "logging") != NULL;
}

/* The level U should be at: the most verbose of those set by the
 * sessions it serves (debug is 0), or -1 when none has set one. */
static int
wanted_level(const struct mg_upstream *u)
{
    int level = -1;

    if (u->session != NULL) { /* an instance of one session */
        const struct mg_session *s = u->session;
        return s->log_level_set ? s->log_level : -1;
    }
    for (const struct mg_session *s = u->gw->sessions; s != NULL; s = s->gw_next)
        if (s->log_level_set && (level < 0 || s->log_level < level) && mg_upstream_isolate_serves(u, s))
            level = s->log_level;
    return level;
}

/* The server's error is its own business: its messages still pass the
 * gateway's filter, only perhaps more or fewer of them. */
static void
report(struct mg_upstream *u, json_t *error, const char *why)
{
    const char *msg = json_string_value(json_object_get(error, "message"));

    if (error != NULL)
        mg_log_warn("upstream %s: logging/setLevel refused: %s", u->sc->name, msg ? msg : "(no message)");
    else if (why != NULL && u->link_up && !u->closing)
        mg_log_warn("upstream %s: logging/setLevel: %s", u->sc->name, why);
}

static void
on_level_set(void *data, json_t *result, json_t *error, const char *why)
{
    if (result == NULL)
        report(data, error, why);
}

static void
on_level_replayed(void *data, json_t *result, json_t *error, const char *why)
{
    struct mg_upstream *u = data;

    if (result == NULL && error == NULL && (!u->link_up || u->closing))
        return; /* the link went down: reported there, and reconnected */
    if (result == NULL)
        report(u, error, why);
    mg_upstream_handshake_done(u);
}

static void
send_level(struct mg_upstream *u, int level, mg_rpc_reply_fn fn)
{
    u->log_level = level;
    mg_log_debug("upstream %s: log level %s", u->sc->name, mg_mcp_log_level_name(level));
    mg_rpc_client_call(&u->rpc, "logging/setLevel", json_pack("{s:s}", "level", mg_mcp_log_level_name(level)),
                       u->cfg->connection_timeout_ms, fn, u);
}

void
mg_upstream_level_replay(struct mg_upstream *u)
{
    int level;

    u->log_ready = 1;
    u->log_level = -1; /* a new connection is at the server's default */
    if (takes_level(u) && (level = wanted_level(u)) >= 0) {
        /* Answered before the connection is used, so that nothing it
         * serves runs at the default level. */
        send_level(u, level, on_level_replayed);
        return;
    }
    mg_upstream_handshake_done(u);
}

static void
update(struct mg_upstream *u, const struct mg_session *s)
{
    int level;

    if (!takes_level(u) || !mg_upstream_isolate_serves(u, s))
        return;
    if ((level = wanted_level(u)) >= 0 && level != u->log_level)
        send_level(u, level, on_level_set);
}

void
mg_upstream_level_update(struct mg_gateway *gw, const struct mg_session *s)
{
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i];
        update(u, s);
        for (struct mg_upstream *inst = u->instances; inst != NULL; inst = inst->inst_next)
            update(inst, s);
    }
}
