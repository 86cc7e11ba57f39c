/*
 * log.h - logging to stderr.
 *
 * Protocol output never goes through here: on the stdio transport stdout
 * carries only JSON-RPC, so every log line goes to stderr.  The level check
 * happens in the macro, before the arguments are evaluated.
 */
#ifndef MG_UTIL_LOG_H
#define MG_UTIL_LOG_H

enum mg_log_level {
    MG_LOG_DEBUG = 0,
    MG_LOG_INFO = 1,
    MG_LOG_WARN = 2,
    MG_LOG_ERROR = 3,
    MG_LOG_NONE = 4,
};

extern enum mg_log_level mg_log_threshold;

void mg_log_write(enum mg_log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parse "debug", "info", "warn", "error" or "none"; -1 if unknown. */
int mg_log_parse_level(const char *name);

#define mg_log(level, ...)                                                     \
    do {                                                                       \
        if ((level) >= mg_log_threshold)                                       \
            mg_log_write((level), __func__, __VA_ARGS__);                      \
    } while (0)
#define mg_log_debug(...) mg_log(MG_LOG_DEBUG, __VA_ARGS__)
#define mg_log_info(...) mg_log(MG_LOG_INFO, __VA_ARGS__)
#define mg_log_warn(...) mg_log(MG_LOG_WARN, __VA_ARGS__)
#define mg_log_error(...) mg_log(MG_LOG_ERROR, __VA_ARGS__)

#endif
