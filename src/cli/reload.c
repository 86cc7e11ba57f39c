/*
 * reload.c - `mcpgate serve` reading its config file again on SIGHUP.
 *
 * What a running gateway can take from the new file it takes at once:
 * its servers (upstream_reload.c: unchanged ones keep running, removed
 * ones stop, new and changed ones start), its projects and team for
 * requests from now on, its log level.  Settings bound at start (listen,
 * auth, the call record, ...) are logged as needing a restart.  A file
 * with problems is refused whole, and the gateway goes on as it was.
 *
 * Sessions, tasks and calls may point into the config they began under,
 * so every config served is kept until the gateway is gone.
 */
#include <stdio.h>
#include <string.h>

#include "cli/run.h"
#include "config/config.h"
#include "gateway/gateway.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "util/log.h"

void
mg_run_reloader_init(struct mg_run_reloader *r, struct mg_gateway *gw, const struct mg_run_flags *flags,
                     struct mg_config *cfg)
{
    memset(r, 0, sizeof(*r));
    r->gw = gw;
    r->flags = flags;
    r->configs = mg_calloc(1, sizeof(*r->configs));
    r->configs[r->nconfigs++] = cfg;
}

void
mg_run_reloader_free(struct mg_run_reloader *r)
{
    for (size_t i = 0; i < r->nconfigs; i++)
        mg_config_free(r->configs[i]);
    mg_free(r->configs);
    r->configs = NULL;
    r->nconfigs = 0;
}

void
mg_run_reload(void *ctx)
{
    struct mg_run_reloader *r = ctx;
    const struct mg_config *old = r->gw->cfg;
    struct mg_reload_counts n;
    struct mg_config *cfg;
    char path[4096], err[8192], later[300];
    enum mg_log_level level = mg_log_threshold; /* reading a config sets it */

    if (r->gw->upstreams_stopping)
        return; /* shutting down */
    mg_run_config_path(r->flags, path, sizeof(path));
    if (path[0] == '\0') {
        mg_log_warn("SIGHUP: there is no config file to read (--config, $MCPGATE_CONFIG, ./mcpgate.yaml or "
                    "~/.config/mcpgate/mcpgate.yaml); nothing changed");
        return;
    }
    cfg = mg_run_config_file(r->flags, path, err, sizeof(err));
    mg_log_threshold = level;
    if (cfg == NULL) {
        mg_log_warn("SIGHUP: %s has problems, so nothing changed:", path);
        for (char *line = strtok(err, "\n"); line != NULL; line = strtok(NULL, "\n"))
            mg_log_warn("  %s", line);
        return;
    }
    if (mg_run_names_free(r->gw, cfg, err, sizeof(err)) != 0) {
        mg_log_warn("SIGHUP: %s: %s; nothing changed", path, err);
        mg_config_free(cfg);
        return;
    }
    if (mg_config_restart_only(old, cfg, later, sizeof(later)) > 0)
        mg_log_warn("SIGHUP: %s: %s changed, which takes effect when mcpgate is restarted", path, later);
    mg_log_threshold = cfg->log_level;
    mg_upstreams_reload(r->gw, cfg, &n);
    mg_run_apply(r->gw, cfg);
    r->configs = mg_realloc(r->configs, (r->nconfigs + 1) * sizeof(*r->configs));
    r->configs[r->nconfigs++] = cfg;
    mg_log_info("SIGHUP: %s read again: servers %zu unchanged, %zu added, %zu removed, %zu started again as changed",
                path, n.kept, n.added, n.removed, n.restarted);
}
