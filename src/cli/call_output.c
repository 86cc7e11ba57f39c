/*
 * call_output.c - a tool's result printed for a person.
 *
 * Text is printed as it is, so that `mcpgate call ... > file` keeps it
 * byte for byte; structured content follows as indented JSON unless it
 * only repeats the text.  Binary content (images, audio, blob resources) does
 * not belong on a terminal: each is decoded into a file of its own, in
 * --save-dir or else in a new directory under $TMPDIR (not the current
 * directory, which a call should not litter), and its path is printed.
 */
#include "cli/call.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/base64.h"

/* Most files of one name tried before giving up ("x-1.png", "x-2.png"). */
#define MAX_SAME_NAME 1000

struct saver {
    const char *want_dir;       /* --save-dir, or NULL */
    char *dir;                  /* where files go, once made */
    const char *prefix;         /* start of every file's name */
    unsigned n;                 /* files saved so far */
};

/* A file extension for MIME ("image/png": "png"). */
static const char *
extension(const char *mime)
{
    static const struct {
        const char *mime, *ext;
    } known[] = {
        {"image/jpeg", "jpg"}, {"image/svg+xml", "svg"}, {"audio/mpeg", "mp3"}, {"audio/x-wav", "wav"},
        {"audio/wave", "wav"}, {"text/plain", "txt"},    {"application/gzip", "gz"},
        {"application/octet-stream", "bin"},
    };
    const char *sub = mime != NULL ? strchr(mime, '/') : NULL;
    size_t n;

    for (size_t i = 0; mime != NULL && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(mime, known[i].mime) == 0)
            return known[i].ext;
    /* Else the subtype when it looks like an extension: png, wav, pdf. */
    if (sub == NULL || (n = strlen(sub + 1)) == 0 || n > 5 ||
        strspn(sub + 1, "abcdefghijklmnopqrstuvwxyz0123456789") != n)
        return "bin";
    return sub + 1;
}

/* The directory files go to, made on first use; NULL after saying why. */
static const char *
save_dir(struct saver *sv)
{
    const char *tmp = getenv("TMPDIR");
    size_t n;

    if (sv->dir != NULL)
        return sv->dir;
    if (sv->want_dir != NULL) {
        if (mkdir(sv->want_dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "mcpgate: cannot make the directory %s: %s\n", sv->want_dir, strerror(errno));
            return NULL;
        }
        return sv->dir = mg_strdup(sv->want_dir);
    }
    n = strlen(tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp") + sizeof("/mcpgate-XXXXXX");
    sv->dir = mg_malloc(n);
    snprintf(sv->dir, n, "%s/mcpgate-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(sv->dir) == NULL) {
        fprintf(stderr, "mcpgate: cannot make a directory for the files of the result (%s): %s\n"
                        "Give one with --save-dir DIR.\n", sv->dir, strerror(errno));
        mg_free(sv->dir);
        sv->dir = NULL;
    }
    return sv->dir;
}

/* Write LEN bytes to a new file named after the tool; its path (new), or
 * NULL after saying why. */
static char *
write_file(struct saver *sv, const char *bytes, size_t len, const char *mime)
{
    const char *dir = save_dir(sv);
    char *path;
    size_t n;
    int fd = -1;

    if (dir == NULL)
        return NULL;
    n = strlen(dir) + strlen(sv->prefix) + 32;
    path = mg_malloc(n);
    for (unsigned i = 0; fd < 0 && i < MAX_SAME_NAME; i++) {
        snprintf(path, n, "%s/%s-%u.%s", dir, sv->prefix, ++sv->n, extension(mime));
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || write(fd, bytes, len) != (ssize_t)len) {
        fprintf(stderr, "mcpgate: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        mg_free(path);
        return NULL;
    }
    close(fd);
    return path;
}

/* Decode base64 DATA of KIND into a file and print where it went.
 * 0, or -1 after saying why. */
static int
save(FILE *f, struct saver *sv, const char *kind, const char *data, const char *mime)
{
    size_t len;
    char *bytes = data != NULL ? mg_base64_decode(data, strlen(data), &len) : NULL, *path;

    if (bytes == NULL) {
        fprintf(stderr, "mcpgate: the %s in the result is not valid base64; nothing was saved\n", kind);
        return -1;
    }
    path = write_file(sv, bytes, len, mime);
    if (path != NULL)
        fprintf(f, "%s (%s, %zu bytes) saved to %s\n", kind, mime ? mime : "no type", len, path);
    mg_free(bytes);
    mg_free(path);
    return path != NULL ? 0 : -1;
}

static void
print_text(FILE *f, const char *text)
{
    size_t n = strlen(text);

    fputs(text, f);
    if (n == 0 || text[n - 1] != '\n')
        fputc('\n', f);
}

#define STR(o, k) json_string_value(json_object_get((o), (k)))

/* An embedded resource: its text, or its blob saved. */
static int
print_resource(FILE *f, struct saver *sv, json_t *res)
{
    const char *mime = STR(res, "mimeType");

    if (STR(res, "text") != NULL) {
        fprintf(f, "resource %s%s%s%s:\n", STR(res, "uri") ? STR(res, "uri") : "", mime ? " (" : "", mime ? mime : "",
                mime ? ")" : "");
        print_text(f, STR(res, "text"));
        return 0;
    }
    fprintf(f, "resource %s: ", STR(res, "uri") ? STR(res, "uri") : "");
    return save(f, sv, "blob", STR(res, "blob"), mime);
}

/* One content block. */
static int
print_block(FILE *f, struct saver *sv, json_t *b)
{
    const char *type = STR(b, "type");
    char *text;

    if (type != NULL && strcmp(type, "text") == 0 && STR(b, "text") != NULL) {
        print_text(f, STR(b, "text"));
        return 0;
    }
    if (type != NULL && (strcmp(type, "image") == 0 || strcmp(type, "audio") == 0))
        return save(f, sv, type, STR(b, "data"), STR(b, "mimeType"));
    if (type != NULL && strcmp(type, "resource") == 0 && json_is_object(json_object_get(b, "resource")))
        return print_resource(f, sv, json_object_get(b, "resource"));
    if (type != NULL && strcmp(type, "resource_link") == 0 && STR(b, "uri") != NULL) {
        fprintf(f, "link: %s", STR(b, "uri"));
        if (STR(b, "name") != NULL)
            fprintf(f, "  %s", STR(b, "name"));
        if (STR(b, "mimeType") != NULL)
            fprintf(f, " (%s)", STR(b, "mimeType"));
        if (STR(b, "description") != NULL)
            fprintf(f, ": %s", STR(b, "description"));
        fputc('\n', f);
        return 0;
    }
    /* A kind of content this version does not know: as JSON. */
    text = json_dumps(b, JSON_COMPACT);
    fprintf(f, "%s\n", text ? text : "");
    free(text);
    return 0;
}

/* 1 if the text block B is only STRUCTURED again, as servers send it
 * for older clients (MCP 2025-06-18, "structured content"). */
static int
repeats(json_t *b, json_t *structured)
{
    const char *text = STR(b, "text");
    json_t *parsed;
    int same;

    if (structured == NULL || text == NULL || strcmp(STR(b, "type") ? STR(b, "type") : "", "text") != 0)
        return 0;
    parsed = json_loads(text, JSON_DECODE_ANY, NULL);
    same = parsed != NULL && json_equal(parsed, structured);
    json_decref(parsed);
    return same;
}

/* 1 if STRUCTURED only wraps the text of CONTENT: an object whose every
 * member is a string some text block holds as it is ({"content": text},
 * as server-filesystem answers).  Printing it again would say it twice. */
static int
wraps_text(json_t *structured, json_t *content)
{
    const char *key;
    json_t *v, *b;
    size_t i;

    if (!json_is_object(structured) || json_object_size(structured) == 0)
        return 0;
    json_object_foreach (structured, key, v) {
        int found = 0;
        json_array_foreach (content, i, b)
            found |= json_is_string(v) && STR(b, "text") != NULL && strcmp(STR(b, "text"), json_string_value(v)) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

/* A name for files from the tool's: letters, digits, '-', '_' and '.'. */
static char *
file_prefix(const char *tool)
{
    char *p = mg_strdup(tool[0] != '\0' && tool[0] != '.' ? tool : "result");

    for (char *c = p; *c != '\0'; c++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c) == NULL)
            *c = '_';
    return p;
}

int
mg_cli_print_result(FILE *f, json_t *result, const char *dir, const char *tool)
{
    json_t *content = json_object_get(result, "content");
    json_t *structured = json_object_get(result, "structuredContent"), *b;
    struct saver sv = {dir, NULL, NULL, 0};
    char *prefix = file_prefix(tool);
    int rc = 0;
    size_t i;

    sv.prefix = prefix;
    json_array_foreach (content, i, b)
        if (!repeats(b, structured) && print_block(f, &sv, b) != 0)
            rc = -1;
    if (structured != NULL && !wraps_text(structured, content)) {
        char *text = json_dumps(structured, JSON_INDENT(2) | JSON_ENCODE_ANY);
        fprintf(f, "%s\n", text ? text : "");
        free(text);
    }
    fflush(f);
    mg_free(sv.dir);
    mg_free(prefix);
    return rc;
}
