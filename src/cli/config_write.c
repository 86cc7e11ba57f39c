/*
 * config_write.c - finding, reading, checking and atomically replacing
 * the config file for the commands that change it.
 */
#include "cli/config_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/run.h"
#include "config/config.h"
#include "util/alloc.h"

void
mg_cfgfile_path(const char *flag, char *path, size_t len, int *exists)
{
    struct mg_run_flags f;
    struct stat st;

    mg_run_flags_init(&f, 0);
    f.config_path = flag;
    mg_run_config_path(&f, path, len);
    mg_run_flags_free(&f);
    if (path[0] == '\0')
        snprintf(path, len, "mcpgate.yaml");
    *exists = stat(path, &st) == 0;
}

const char *
mg_cfgfile_shown(const char *path, char *buf, size_t len)
{
    snprintf(buf, len, strchr(path, '/') != NULL ? "%s" : "./%s", path);
    return buf;
}

char *
mg_cfgfile_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "mcpgate: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    text = mg_malloc(MG_CONFIG_MAX_SIZE + 2);
    n = fread(text, 1, MG_CONFIG_MAX_SIZE + 1, f);
    if (ferror(f) || n > MG_CONFIG_MAX_SIZE) {
        fprintf(stderr, "mcpgate: cannot read %s: %s\n", path,
                ferror(f) ? strerror(errno) : "larger than the 1 MiB a config may be");
        fclose(f);
        mg_free(text);
        return NULL;
    }
    fclose(f);
    text[n] = '\0';
    *len = n;
    return text;
}

/* The directory of PATH into DIR ("." for a bare name). */
static void
dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int
mg_cfgfile_write(const char *path, const char *text, size_t len)
{
    char target[PATH_MAX], tmp[PATH_MAX + 16], dir[PATH_MAX];
    struct stat st;
    mode_t mode, mask;
    int fd = -1, exists, made = 0;
    const char *what = "creating a temporary file";
    size_t off = 0;

    /* Through a link: the file it points to is the config. */
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (realpath(path, target) == NULL) {
            fprintf(stderr, "mcpgate: cannot follow the link %s: %s\n", path, strerror(errno));
            return -1;
        }
    } else if (snprintf(target, sizeof(target), "%s", path) >= (int)sizeof(target)) {
        fprintf(stderr, "mcpgate: %s: file name too long\n", path);
        return -1;
    }
    exists = stat(target, &st) == 0;
    mask = umask(0);
    umask(mask);
    mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", target);
    if ((fd = mkstemp(tmp)) < 0)
        goto fail;
    made = 1;
    what = "writing";
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        off += (size_t)w;
    }
    if (fchmod(fd, mode) != 0)
        goto fail;
    if (exists && fchown(fd, st.st_uid, st.st_gid) != 0) {
        /* Only root can give a file away; the mode is what matters. */
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    what = "renaming";
    if (rename(tmp, target) != 0)
        goto fail;
    dir_of(target, dir, sizeof(dir));
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
        fsync(fd); /* the rename itself; best effort */
        close(fd);
    }
    return 0;

fail:
    fprintf(stderr, "mcpgate: cannot save %s (%s: %s); it was not changed\n", target, what, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (made)
        unlink(tmp);
    return -1;
}

/* When every line of ERR says an environment variable is not set, their
 * names into VARS (", " between) and 1; else 0. */
static int
only_unset_vars(const char *err, char *vars, size_t len)
{
    static const char marker[] = "environment variable ";
    const char *line = err;
    size_t used = 0;

    vars[0] = '\0';
    while (*line != '\0') {
        const char *nl = strchr(line, '\n'), *end = nl != NULL ? nl : line + strlen(line);
        const char *m = strstr(line, marker), *name, *stop;

        if (m == NULL || m > end)
            return 0;
        name = m + strlen(marker);
        stop = strstr(name, " is not set");
        if (stop == NULL || stop > end)
            return 0;
        /* Each variable once. */
        char one[128];
        snprintf(one, sizeof(one), "%.*s", (int)(stop - name), name);
        if (strstr(vars, one) == NULL && used + strlen(one) + 3 < len)
            used += (size_t)snprintf(vars + used, len - used, "%s%s", used > 0 ? ", " : "", one);
        line = nl != NULL ? nl + 1 : end;
    }
    return vars[0] != '\0';
}

int
mg_cfgfile_commit(const char *path, const char *text, size_t len, const char *done)
{
    char err[8192], vars[512], shown[4200];
    struct mg_config *cfg = mg_config_parse(text, len, path, err, sizeof(err));
    int unset = 0;

    if (cfg == NULL && !(unset = only_unset_vars(err, vars, sizeof(vars)))) {
        fprintf(stderr, "mcpgate: the config would have problems, so %s was not changed:\n%s\n",
                mg_cfgfile_shown(path, shown, sizeof(shown)), err);
        return 1;
    }
    mg_config_free(cfg);
    if (mg_cfgfile_write(path, text, len) != 0)
        return 1;
    printf("%s\n", done);
    if (unset)
        fprintf(stderr,
                "warning: the config refers to %s, not set in this environment; set it before running mcpgate "
                "(the config keeps the reference, not the value).\n",
                vars);
    fputs(MG_CFGFILE_RESTART_NOTE, stdout);
    return 0;
}
