/*
 * log.c - timestamped log lines on stderr.
 *
 * Text that came from a peer may be logged; control characters in the
 * formatted line are escaped so a peer cannot forge log lines or drive the
 * terminal.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum mg_log_level mg_log_threshold = MG_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "none"};

int
mg_log_parse_level(const char *name)
{
    for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void
mg_log_write(enum mg_log_level level, const char *func, const char *fmt, ...)
{
    char msg[2048], out[4096];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    size_t o = 0;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof(out); p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n", tm.tm_year + 1900, tm.tm_mon + 1,
            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, level_names[level], func, out);
}
