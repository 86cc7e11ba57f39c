/*
 * store_open.c - finding the state directory, creating it and the file
 * with private modes, and opening SQLite connections to it.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"

/* What to tell a person whose state directory does not work. */
#define DIR_HINT "set state_dir in the config, --state-dir, or MCPGATE_STATE_DIR to a directory you can write"

int64_t
mg_store_now(void)
{
    return (int64_t)time(NULL);
}

int64_t
mg_store_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
mg_store_dir(const char *configured, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;

    /* XDG: a relative $XDG_STATE_HOME is invalid and must be ignored. */
    if (configured != NULL && configured[0] != '\0')
        n = snprintf(out, outlen, "%s", configured);
    else if (xdg != NULL && xdg[0] == '/')
        n = snprintf(out, outlen, "%s/mcpgate", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(out, outlen, "%s/.local/state/mcpgate", home);
    else {
        snprintf(err, errlen, "no state directory: HOME is not set; " DIR_HINT);
        return -1;
    }
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "the state directory's path is too long; " DIR_HINT);
        return -1;
    }
    return 0;
}

/* mkdir -p with mode 0700 for every directory it creates.  DIR is
 * modified in place and restored. */
static int
make_dirs(char *dir)
{
    struct stat st;

    for (char *p = dir + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            *p = c;
            return -1;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    if (stat(dir, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    if ((st.st_mode & 077) != 0)
        mg_log_warn("the state directory %s can be read by other users (mode %03o); chmod 700 it", dir,
                    (unsigned)(st.st_mode & 0777));
    return 0;
}

/* Create the database file 0600 before SQLite opens it: SQLite would make
 * it 0644 (less the umask), and it gives the -wal and -shm files the
 * database file's mode.  A file left readable by an older run is made
 * private. */
static int
make_file(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        mg_log_warn("%s could be read by other users (mode %03o); made it 0600", path, (unsigned)(st.st_mode & 0777));
        if (fchmod(fd, 0600) != 0) {
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

/* Run one statement that may return a row; its first column's text into
 * OUT when given. */
static int
pragma(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    rc = sqlite3_step(st);
    if (out != NULL && outlen > 0) {
        const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
        snprintf(out, outlen, "%s", t != NULL ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Open a connection to PATH (which exists) and set it up. */
static sqlite3 *
store_connect(const char *path, int busy_ms, int readonly, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    char mode[16];
    /* Each connection is used by one thread at a time (the writer's is
     * handed over before that thread starts), so SQLite's own mutexes are
     * not needed. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;

    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_ms);
    if (pragma(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode)) != 0) {
        /* The first statement is where a file that is not SQLite shows. */
        if (sqlite3_errcode(db) == SQLITE_NOTADB)
            snprintf(err, errlen, "%s is not an mcpgate store (not a SQLite database); move it away and try again",
                     path);
        else
            snprintf(err, errlen, "cannot use %s: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (strcmp(mode, "wal") != 0) {
        snprintf(err, errlen, "cannot use %s: SQLite would not switch it to WAL mode (got '%s')", path, mode);
        goto fail;
    }
    /* FULL: a revoked key stays revoked across a power cut.  In WAL mode
     * that is one fsync per transaction, and the writer batches. */
    if (pragma(db, "PRAGMA synchronous=FULL", NULL, 0) != 0 || pragma(db, "PRAGMA foreign_keys=ON", NULL, 0) != 0 ||
        (readonly && pragma(db, "PRAGMA query_only=ON", NULL, 0) != 0)) {
        snprintf(err, errlen, "cannot use %s: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    return db;

fail:
    sqlite3_close(db);
    return NULL;
}

struct mg_store *
mg_store_open(const char *dir, char *err, size_t errlen)
{
    struct mg_store *st;
    char *d = mg_strdup(dir), *path;
    size_t n = strlen(dir) + sizeof(MG_STORE_FILE) + 2;
    sqlite3 *db;

    if (d[0] == '\0' || make_dirs(d) != 0) {
        snprintf(err, errlen, "cannot create the state directory %s: %s; " DIR_HINT, dir,
                 d[0] == '\0' ? "empty path" : strerror(errno));
        mg_free(d);
        return NULL;
    }
    mg_free(d);
    path = mg_malloc(n);
    snprintf(path, n, "%s/%s", dir, MG_STORE_FILE);
    if (make_file(path) != 0) {
        snprintf(err, errlen, "cannot create %s: %s; " DIR_HINT, path, strerror(errno));
        mg_free(path);
        return NULL;
    }
    if ((db = store_connect(path, MG_STORE_BUSY_TIMEOUT_MS, 0, err, errlen)) == NULL) {
        mg_free(path);
        return NULL;
    }
    if (mg_store_migrate(db, err, errlen) != 0) {
        sqlite3_close(db);
        mg_free(path);
        return NULL;
    }
    st = mg_calloc(1, sizeof(*st));
    st->db = db;
    st->path = path;
    return st;
}

sqlite3 *
mg_store_open_reader(const char *path, int busy_ms, char *err, size_t errlen)
{
    return store_connect(path, busy_ms, 1, err, errlen);
}

sqlite3_stmt *
mg_store_stmt(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    /* A connection has a handful of statements at most: a scan is
     * cheaper than preparing again (about 4 us for an insert). */
    while ((st = sqlite3_next_stmt(db, st)) != NULL)
        if (!sqlite3_stmt_busy(st) && strcmp(sqlite3_sql(st), sql) == 0)
            return st;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

void
mg_store_close(struct mg_store *st)
{
    sqlite3_stmt *s;

    if (st == NULL)
        return;
    /* The statements kept by mg_store_stmt go now; every other one is
     * finalized by its user, so a failure to close is a bug worth
     * hearing about. */
    while (st->db != NULL && (s = sqlite3_next_stmt(st->db, NULL)) != NULL)
        sqlite3_finalize(s);
    /* sqlite3_close_v2 would defer. */
    if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
        mg_log_warn("closing %s: %s", st->path, sqlite3_errmsg(st->db));
    mg_free(st->path);
    mg_free(st);
}
