/*
 * config_watch.h - calling a function when the config file changes
 * (`--watch`), for the transports that serve until stopped.
 */
#ifndef MG_TRANSPORT_CONFIG_WATCH_H
#define MG_TRANSPORT_CONFIG_WATCH_H

#include <uv.h>

struct mg_config_watch {
    uv_fs_event_t dir;       /* the file's directory */
    uv_timer_t settle;       /* a change is acted on once writes pause */
    const char *path;        /* borrowed */
    void (*changed)(void *ctx);
    void *ctx;
    int open;
};

/* Watch PATH (borrowed; it must outlive W): CHANGED(CTX) runs 200 ms
 * after the last write to it.  A directory that cannot be watched is
 * logged, and nothing is called. */
void mg_config_watch_start(struct mg_config_watch *w, uv_loop_t *loop, const char *path, void (*changed)(void *ctx),
                           void *ctx);
/* Stop watching and close the handles (nothing if never started). */
void mg_config_watch_close(struct mg_config_watch *w);

#endif
