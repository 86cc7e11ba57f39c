/*
 * config_watch.c - calling a function when the config file changes.
 *
 * Editors write a new file and rename it over the old one, which a watch
 * on the file itself would lose (it follows the old inode), so the
 * directory is watched and the file picked out by name.  A save comes as
 * several events (truncate, write, close, rename): the function runs once
 * they have paused for SETTLE_MS.
 */
#include "transport/config_watch.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

#define SETTLE_MS 200

static const char *
base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

static void
on_settled(uv_timer_t *t)
{
    struct mg_config_watch *w = t->data;

    mg_log_info("%s changed: reading it again", w->path);
    w->changed(w->ctx);
}

static void
on_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
    struct mg_config_watch *w = h->data;

    (void)events;
    if (status < 0 || !w->open || (filename != NULL && strcmp(filename, base_name(w->path)) != 0))
        return;
    uv_timer_start(&w->settle, on_settled, SETTLE_MS, 0);
}

void
mg_config_watch_start(struct mg_config_watch *w, uv_loop_t *loop, const char *path, void (*changed)(void *ctx),
                      void *ctx)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    int rc;

    memset(w, 0, sizeof(*w));
    w->path = path;
    w->changed = changed;
    w->ctx = ctx;
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    uv_fs_event_init(loop, &w->dir);
    uv_timer_init(loop, &w->settle);
    w->dir.data = w->settle.data = w;
    w->open = 1;
    if ((rc = uv_fs_event_start(&w->dir, on_event, dir, 0)) != 0) {
        mg_log_warn("--watch: cannot watch %s (%s); the config is read again on SIGHUP only", dir, uv_strerror(rc));
        return;
    }
    mg_log_info("watching %s: a change reads it again", path);
}

void
mg_config_watch_close(struct mg_config_watch *w)
{
    if (!w->open)
        return;
    w->open = 0;
    uv_close((uv_handle_t *)&w->dir, NULL);
    uv_close((uv_handle_t *)&w->settle, NULL);
}
