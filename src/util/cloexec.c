/*
 * cloexec.c - every descriptor close-on-exec, in one system call where
 * the kernel has close_range(CLOSE_RANGE_CLOEXEC) (Linux 5.11), else by
 * walking /proc/self/fd.
 */
#define _GNU_SOURCE
#include "util/cloexec.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void
mg_cloexec_from(int first)
{
    struct dirent *e;
    DIR *d;

    if (close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    d = opendir("/proc/self/fd");
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        int flags;

        if (end == e->d_name || *end != '\0' || fd < first || fd == dirfd(d))
            continue;
        flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    }
    closedir(d);
}
