/*
 * upstream_isolate.c - isolation: session, one server instance per client
 * session.
 *
 * Some servers keep per-user state (a browser, a shell, a login), so two
 * clients must not share one process or one upstream session.  The
 * configured upstream connects at start as usual and its lists fill the
 * catalog; calls are not sent to it.  The first call of a client session
 * starts an instance of the server for that session (calls wait for its
 * handshake), later calls of the session reuse it, and it is stopped when
 * the session ends or expires.  A 2026-07-28 client has no session: its
 * requests made with an API key share one instance per key (and
 * project), stopped once it has had no call for session_idle_timeout,
 * as an idle legacy session would be; a request without a key is a
 * session of its own, and gets an instance for its duration.
 *
 * Projects with credentials of their own (`headers` or `env` in a
 * project) work the same way: a call made in such a project goes to an
 * instance started with the project's headers and environment over the
 * server's own, one per project (or, with isolation: session, one per
 * session as above), kept until shutdown.  The configured upstream, with
 * the server's own credentials, still fills the catalog.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "gateway/gateway.h"
#include "json/jsonrpc.h"
#include "mcp/call.h"
#include "mcp/session.h"
#include "upstream/upstream_impl.h"
#include "util/alloc.h"
#include "util/log.h"

/* A call waiting for its instance's handshake. */
struct waiting {
    struct waiting *next;
    struct mg_upstream *inst;
    struct mg_call *call;
    char *method;
    json_t *params;
};

static size_t live_instances;

size_t
mg_upstream_isolate_count(void)
{
    return live_instances;
}

static void
waiting_unlink(struct waiting *w)
{
    for (struct waiting **pp = &w->inst->waiting; *pp != NULL; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            return;
        }
}

static void
waiting_free(struct waiting *w)
{
    json_decref(w->params);
    mg_free(w->method);
    mg_free(w);
}

static void
waiting_cancelled(struct mg_call *call, void *data)
{
    struct waiting *w = data;

    waiting_unlink(w);
    waiting_free(w);
    mg_call_fail(call, "cancelled");
}

void
mg_upstream_isolate_fail_waiting(struct mg_upstream *u, const char *why)
{
    char msg[400];

    while (u->waiting != NULL) {
        struct waiting *w = u->waiting;
        u->waiting = w->next;
        snprintf(msg, sizeof(msg), "Upstream %s: %s", u->sc->name, why);
        mg_call_fail_rpc(w->call, MG_RPC_INTERNAL_ERROR, msg, NULL);
        waiting_free(w);
    }
}

void
mg_upstream_isolate_ready(struct mg_upstream *inst)
{
    struct waiting *list = inst->waiting, *w;

    inst->waiting = NULL;
    /* In the order they came: the list was built newest first. */
    struct waiting *rev = NULL;
    while (list != NULL) {
        w = list;
        list = w->next;
        w->next = rev;
        rev = w;
    }
    while ((w = rev) != NULL) {
        rev = w->next;
        mg_upstream_send(inst, w->call, w->method, w->params);
        w->params = NULL;
        waiting_free(w);
    }
}

/* Projects by name: a reload gives new sessions the new config's, and
 * a project whose credentials changed has had its instances stopped. */
static int
same_project(const struct mg_project_config *a, const struct mg_project_config *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a->name, b->name) == 0);
}

/* The instance for SESSION, or for KEY when not "" (SESSION is then
 * NULL), in PROJECT. */
static struct mg_upstream *
instance_of(struct mg_upstream *u, const void *session, const char *key, const struct mg_project_config *project)
{
    for (struct mg_upstream *i = u->instances; i != NULL; i = i->inst_next)
        if (i->session == session && strcmp(i->key_id, key) == 0 && same_project(i->project, project))
            return i;
    return NULL;
}

/* The API key whose 2026-07-28 requests share an instance of U, or "":
 * none (a legacy session, or a request without a key). */
static const char *
sharing_key(const struct mg_upstream *u, struct mg_call *call)
{
    const struct mg_session *s = mg_call_session(call);

    if (u->sc->isolation != MG_CONFIG_ISOLATION_SESSION || s == NULL ||
        !mg_proto_is_modern(mg_call_protocol_version(call)))
        return "";
    return s->caller.key.id;
}

int
mg_upstream_isolate_outlives(const struct mg_upstream *u, struct mg_call *call)
{
    return u->sc->isolation != MG_CONFIG_ISOLATION_SESSION || !mg_proto_is_modern(mg_call_protocol_version(call)) ||
           sharing_key(u, call)[0] != '\0';
}

/* The project of session S when it has credentials of its own for U's
 * kind of server, else NULL. */
static const struct mg_project_config *
credentials_of(const struct mg_upstream *u, const struct mg_session *s)
{
    const struct mg_project_config *pr = s != NULL ? s->caller.servers : NULL;

    if (pr == NULL || !mg_config_project_has(pr, u->sc->name))
        return NULL;
    return (u->sc->command != NULL ? pr->nenv : pr->nheaders) > 0 ? pr : NULL;
}

/* BASE with EXTRA over it (same key: EXTRA's value; header names match
 * whatever their case, FOLD), into a new array of borrowed strings; *N
 * its length. */
static struct mg_config_kv *
merge_kv(const struct mg_config_kv *base, size_t nbase, const struct mg_config_kv *extra, size_t nextra, int fold,
         size_t *n)
{
    struct mg_config_kv *out = mg_calloc(nbase + nextra + 1, sizeof(*out));

    *n = 0;
    for (size_t i = 0; i < nbase; i++) {
        int replaced = 0;
        for (size_t j = 0; j < nextra && !replaced; j++)
            replaced = (fold ? strcasecmp(base[i].key, extra[j].key) : strcmp(base[i].key, extra[j].key)) == 0;
        if (!replaced)
            out[(*n)++] = base[i];
    }
    for (size_t j = 0; j < nextra; j++)
        out[(*n)++] = extra[j];
    return out;
}

/* U's server config with project PR's credentials (owned by the caller). */
static struct mg_server_config *
with_credentials(const struct mg_server_config *sc, const struct mg_project_config *pr)
{
    struct mg_server_config *own = mg_malloc(sizeof(*own));

    *own = *sc;
    own->env = merge_kv(sc->env, sc->nenv, pr->env, pr->nenv, 0, &own->nenv);
    own->headers = merge_kv(sc->headers, sc->nheaders, pr->headers, pr->nheaders, 1, &own->nheaders);
    return own;
}

static void start_reaping(struct mg_upstream *u);

struct mg_upstream *
mg_upstream_isolate_route(struct mg_upstream *u, struct mg_call *call, const char *method, json_t *params)
{
    const void *session = mg_call_session(call);
    const struct mg_project_config *project;
    const char *key;
    struct mg_upstream *inst;
    struct waiting *w;

    if (u->parent != NULL || u->state == MG_UPSTREAM_DISABLED)
        return u;
    project = credentials_of(u, mg_call_session(call));
    if (u->sc->isolation != MG_CONFIG_ISOLATION_SESSION) {
        if (project == NULL)
            return u;
        session = NULL; /* one instance for the whole project */
    }
    if ((key = sharing_key(u, call))[0] != '\0')
        session = NULL; /* one instance for the key's 2026-07-28 requests */
    if ((inst = instance_of(u, session, key, project)) == NULL) {
        struct mg_server_config *own = project != NULL ? with_credentials(u->sc, project) : NULL;
        inst = mg_upstream_open(u->gw, u->cfg, own != NULL ? own : u->sc, u);
        inst->own_sc = own;
        inst->session = session;
        snprintf(inst->key_id, sizeof(inst->key_id), "%s", key);
        inst->project = project;
        inst->inst_next = u->instances;
        if (u->instances != NULL)
            u->instances->inst_prev = inst;
        u->instances = inst;
        live_instances++;
        if (project != NULL)
            mg_log_info("upstream %s: an instance with the credentials of project %s", u->sc->name, project->name);
        else if (key[0] != '\0')
            mg_log_debug("upstream %s: an instance for the 2026-07-28 requests of key %s", u->sc->name, key);
        else
            mg_log_debug("upstream %s: an instance for a new client session", u->sc->name);
    }
    if (key[0] != '\0') {
        inst->last_used = uv_now(u->gw->loop);
        start_reaping(u);
    }
    if (inst->state == MG_UPSTREAM_READY)
        return inst;
    w = mg_calloc(1, sizeof(*w));
    w->inst = inst;
    w->call = call;
    w->method = mg_strdup(method);
    w->params = params;
    w->next = inst->waiting;
    inst->waiting = w;
    mg_call_on_cancel(call, waiting_cancelled, w);
    return NULL;
}

static void
instance_closed(void *ctx)
{
    struct mg_upstream *inst = ctx;

    mg_upstream_free(inst);
    live_instances--;
}

/* Take INST out of its parent's list and stop it; it frees itself. */
static void
instance_stop(struct mg_upstream *inst, void (*done)(void *ctx), void *ctx)
{
    struct mg_upstream *u = inst->parent;

    if (inst->inst_prev != NULL)
        inst->inst_prev->inst_next = inst->inst_next;
    else
        u->instances = inst->inst_next;
    if (inst->inst_next != NULL)
        inst->inst_next->inst_prev = inst->inst_prev;
    inst->inst_prev = inst->inst_next = NULL;
    mg_upstream_isolate_fail_waiting(inst, "the client session ended");
    mg_upstream_close(inst, done, ctx);
}

/* --- instances of an API key's 2026-07-28 requests ------------------------ */

/* How long a key's instance may go without a call: as long as a legacy
 * session may be idle. */
static uint64_t
idle_limit_ms(const struct mg_upstream *u)
{
    return u->cfg->session_idle_timeout_ms > 0 ? u->cfg->session_idle_timeout_ms : 1800 * 1000;
}

/* Stop the key instances of U that have been idle too long: no call for
 * the limit, none running, no task held. */
static void
on_reap(uv_timer_t *t)
{
    struct mg_upstream *u = t->data, *inst, *next;
    uint64_t now = uv_now(u->gw->loop), limit = idle_limit_ms(u);
    int keyed = 0;

    if (mg_upstream_stopping(u))
        return;
    for (inst = u->instances; inst != NULL; inst = next) {
        next = inst->inst_next;
        if (inst->key_id[0] == '\0')
            continue;
        if (now - inst->last_used < limit || inst->fwds != NULL || inst->waiting != NULL ||
            mg_upstream_tasks_on(inst)) {
            keyed = 1;
            continue;
        }
        mg_log_debug("upstream %s: the instance of key %s stopped, idle for %llu s", u->sc->name, inst->key_id,
                     (unsigned long long)((now - inst->last_used) / 1000));
        instance_stop(inst, instance_closed, inst);
    }
    if (!keyed)
        uv_timer_stop(&u->reap);
}

static void
start_reaping(struct mg_upstream *u)
{
    uint64_t every = idle_limit_ms(u) / 4;

    if (!u->timers || mg_upstream_stopping(u) || uv_is_active((uv_handle_t *)&u->reap))
        return;
    every = every < 250 ? 250 : every > 60000 ? 60000 : every;
    uv_timer_start(&u->reap, on_reap, every, every);
}

/* The same choice as mg_upstream_isolate_route, made for a session
 * rather than a call. */
int
mg_upstream_isolate_serves(const struct mg_upstream *u, const struct mg_session *s)
{
    if (s->view != NULL && strcmp(s->view, u->sc->name) != 0)
        return 0; /* it sees another source only */
    if (u->parent != NULL && u->key_id[0] != '\0')
        return strcmp(s->caller.key.id, u->key_id) == 0 && same_project(credentials_of(u->parent, s), u->project);
    if (u->parent != NULL)
        return u->session != NULL ? u->session == s : same_project(credentials_of(u->parent, s), u->project);
    return u->sc->isolation != MG_CONFIG_ISOLATION_SESSION && credentials_of(u, s) == NULL &&
           mg_session_serves(s, u->sc->name);
}

void
mg_upstream_isolate_session_closed(struct mg_gateway *gw, const struct mg_session *session)
{
    if (gw->upstreams_stopping)
        return; /* mg_upstreams_stop() stops them all */
    for (size_t i = 0; i < gw->nupstreams; i++) {
        struct mg_upstream *u = gw->upstreams[i], *inst, *next;
        /* Each project the session used may have given it an instance. */
        for (inst = u->instances; inst != NULL; inst = next) {
            next = inst->inst_next;
            if (inst->session == session)
                instance_stop(inst, instance_closed, inst);
        }
    }
}

/* During shutdown the gateway's DONE is called as each closes; they are
 * freed by mg_upstream_isolate_free_all, after the loop has run down. */
size_t
mg_upstream_isolate_stop_all(struct mg_upstream *u, void (*done)(void *ctx), void *ctx)
{
    size_t n = 0;

    while (u->instances != NULL) {
        struct mg_upstream *inst = u->instances;
        instance_stop(inst, done, ctx);
        /* Kept in a list of their own until mg_upstreams_free. */
        inst->inst_next = u->stopped;
        u->stopped = inst;
        n++;
    }
    return n;
}

void
mg_upstream_isolate_free_all(struct mg_upstream *u)
{
    while (u->stopped != NULL) {
        struct mg_upstream *inst = u->stopped;
        u->stopped = inst->inst_next;
        mg_upstream_free(inst);
        live_instances--;
    }
}
