/*
 * fuzz_config.c - libFuzzer driver for the YAML config loader.  A config
 * file is written by an operator, not a peer, but the loader must still
 * survive anything: no crash, no leak, and it either returns a config
 * whose invariants hold or says why not.
 *
 *   build/fuzz/fuzz_config -max_total_time=60 tests/fuzz/config-corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct mg_config *cfg)
{
    if (cfg->listen == NULL || cfg->listen_host == NULL || cfg->listen_port == 0 || cfg->listen_port > 65535 ||
        cfg->state_dir == NULL || cfg->tool_name_format == NULL || cfg->tool_name_max < 32 ||
        cfg->tool_name_max > 128 || cfg->max_message < 64 || cfg->session_idle_timeout_ms == 0 ||
        cfg->list_page_size < 1 || cfg->list_page_size > MG_CONFIG_MAX_PAGE_SIZE)
        abort();
    for (size_t i = 0; i < cfg->nservers; i++) {
        const struct mg_server_config *s = &cfg->servers[i];
        /* Exactly one of url and command, and a findable, unique name. */
        if (s->name == NULL || (s->url == NULL) == (s->command == NULL) || s->timeout_ms == 0 ||
            mg_config_find_server(cfg, s->name) != s)
            abort();
        if (s->url != NULL && (s->nargs || s->nenv || s->cwd || s->transport == MG_CONFIG_TRANSPORT_STDIO))
            abort();
        if (s->command != NULL && (s->nheaders || s->transport != MG_CONFIG_TRANSPORT_STDIO))
            abort();
    }
    for (size_t i = 0; i < cfg->nprojects; i++) {
        if (cfg->projects[i].name == NULL)
            abort();
        for (size_t j = 0; j < cfg->projects[i].nservers; j++)
            if (mg_config_find_server(cfg, cfg->projects[i].servers[j]) == NULL)
                abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[4096];
    struct mg_config *cfg;

    err[0] = '\0';
    cfg = mg_config_parse((const char *)data, size, "fuzz.yaml", err, sizeof(err));
    if (cfg == NULL) {
        /* A refusal always says why, naming the file, on its own lines. */
        if (strncmp(err, "fuzz.yaml", 9) != 0)
            abort();
        return 0;
    }
    check(cfg);
    mg_config_free(cfg);
    return 0;
}
