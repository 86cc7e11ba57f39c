/*
 * curl_lazy.c - libcurl, loaded with dlopen() the first time it is used.
 *
 * Why: libcurl.so.4 brings some 26 more shared libraries (TLS, Kerberos,
 * LDAP, SSH, RTMP, ...), about 4 MB of resident memory and their
 * load-time initialisation, into every process that links it.  mcpgate
 * needs curl only for servers with a `url:`; a gateway of stdio servers,
 * and every CLI command that reaches no URL, should not pay for it.
 *
 * How: mcpgate does not link libcurl.  This file defines each libcurl
 * function mcpgate calls, under libcurl's own name and prototype (from
 * <curl/curl.h>), as a trampoline: the first call of any of them
 * dlopen()s libcurl.so.4, looks every function up into `real`, and runs
 * curl_global_init() once; then each call is passed on.  Callers are
 * plain libcurl code.  A libcurl function not defined here fails to link,
 * so a new one is added to CURL_FUNCTIONS and given a trampoline below.
 *
 * When libcurl cannot be loaded, one error says so, and every function
 * fails as libcurl reports failure: handles and lists come back NULL,
 * CURLcode functions give CURLE_FAILED_INIT, CURLMcode ones
 * CURLM_INTERNAL_ERROR, CURLUcode ones CURLUE_OUT_OF_MEMORY, and
 * cleanups do nothing.  An HTTP upstream then fails to start (no curl
 * multi handle); the library is never unloaded once loaded.
 */

/* Functions, not curl's type-checking macros (typecheck-gcc.h), so they
 * can be defined here. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <uv.h>

#include "util/log.h"

#define CURL_SONAME "libcurl.so.4"

/* What is looked up in libcurl: the functions defined below, and
 * curl_global_init, which only load_libcurl() calls.  curl_easy_perform
 * is for the unit tests' blocking GETs. */
#define CURL_FUNCTIONS(X)                                                                                         \
    X(curl_global_init)                                                                                           \
    X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_perform) X(curl_easy_cleanup)          \
    X(curl_easy_strerror) X(curl_slist_append) X(curl_slist_free_all) X(curl_free)                                \
    X(curl_multi_init) X(curl_multi_setopt) X(curl_multi_add_handle) X(curl_multi_remove_handle)                  \
    X(curl_multi_assign) X(curl_multi_socket_action) X(curl_multi_info_read) X(curl_multi_cleanup)                \
    X(curl_url) X(curl_url_set) X(curl_url_get) X(curl_url_cleanup)

/* libcurl's own functions, each typed as curl.h declares it. */
static struct {
#define FIELD(name) __typeof__(name) *name;
    CURL_FUNCTIONS(FIELD)
#undef FIELD
} real;

static uv_once_t once = UV_ONCE_INIT;
static int usable; /* every function was found; set under ONCE */

static void
load_libcurl(void)
{
    const char *why = NULL;
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL) {
        mg_log_error("HTTP upstreams need " CURL_SONAME ", which could not be loaded: %s", dlerror());
        return;
    }
#define LOAD(name)                                                                                                \
    if (why == NULL && (real.name = (__typeof__(real.name))dlsym(h, #name)) == NULL)                              \
        why = dlerror();
    CURL_FUNCTIONS(LOAD)
#undef LOAD
    if (why != NULL) {
        mg_log_error("HTTP upstreams need " CURL_SONAME ", which lacks a function: %s", why);
        dlclose(h);
        return;
    }
    usable = 1;
    /* Not thread safe by curl's rules, hence here, once, before any handle. */
    if (real.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        mg_log_error("curl_global_init failed: HTTP upstreams will not work");
}

/* Load libcurl unless done; 1 if its functions can be called. */
static int
loaded(void)
{
    uv_once(&once, load_libcurl);
    return usable;
}

/*
 * Define libcurl's setopt NAME (curl_easy_setopt, curl_multi_setopt),
 * which returns FAIL without libcurl.  The one argument after OPTION is
 * read with the type the option's number gives (curl.h, CURLOPTTYPE_*):
 * long, data pointer, function pointer, curl_off_t, then blob pointers.
 */
typedef void (*any_fn)(void);
#define SETOPT(name, ret_t, handle_t, option_t, fail)                                                             \
    ret_t name(handle_t *handle, option_t option, ...)                                                            \
    {                                                                                                             \
        ret_t rc;                                                                                                 \
        va_list ap;                                                                                               \
                                                                                                                  \
        va_start(ap, option);                                                                                     \
        if (!loaded())                                                                                            \
            rc = fail;                                                                                            \
        else if (option < CURLOPTTYPE_OBJECTPOINT)                                                                \
            rc = real.name(handle, option, va_arg(ap, long));                                                     \
        else if (option < CURLOPTTYPE_FUNCTIONPOINT)                                                              \
            rc = real.name(handle, option, va_arg(ap, void *));                                                   \
        else if (option < CURLOPTTYPE_OFF_T)                                                                      \
            rc = real.name(handle, option, va_arg(ap, any_fn));                                                   \
        else if (option < CURLOPTTYPE_BLOB)                                                                       \
            rc = real.name(handle, option, va_arg(ap, curl_off_t));                                               \
        else                                                                                                      \
            rc = real.name(handle, option, va_arg(ap, void *));                                                   \
        va_end(ap);                                                                                               \
        return rc;                                                                                                \
    }

/* --- easy ----------------------------------------------------------------------- */

CURL *
curl_easy_init(void)
{
    return loaded() ? real.curl_easy_init() : NULL;
}

SETOPT(curl_easy_setopt, CURLcode, CURL, CURLoption, CURLE_FAILED_INIT)

/* The argument is always a pointer to where the answer goes. */
CURLcode
curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    CURLcode rc = CURLE_FAILED_INIT;
    va_list ap;

    va_start(ap, info);
    if (loaded())
        rc = real.curl_easy_getinfo(curl, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode
curl_easy_perform(CURL *curl)
{
    return loaded() ? real.curl_easy_perform(curl) : CURLE_FAILED_INIT;
}

/* The cleanups below never load libcurl for NULL: nothing came from it. */
void
curl_easy_cleanup(CURL *curl)
{
    if (curl != NULL && loaded())
        real.curl_easy_cleanup(curl);
}

const char *
curl_easy_strerror(CURLcode code)
{
    return loaded() ? real.curl_easy_strerror(code) : CURL_SONAME " could not be loaded";
}

struct curl_slist *
curl_slist_append(struct curl_slist *list, const char *data)
{
    return loaded() ? real.curl_slist_append(list, data) : NULL;
}

void
curl_slist_free_all(struct curl_slist *list)
{
    if (list != NULL && loaded())
        real.curl_slist_free_all(list);
}

void
curl_free(void *p)
{
    if (p != NULL && loaded())
        real.curl_free(p);
}

/* --- multi ---------------------------------------------------------------------- */

CURLM *
curl_multi_init(void)
{
    return loaded() ? real.curl_multi_init() : NULL;
}

SETOPT(curl_multi_setopt, CURLMcode, CURLM, CURLMoption, CURLM_INTERNAL_ERROR)

CURLMcode
curl_multi_add_handle(CURLM *multi_handle, CURL *curl_handle)
{
    return loaded() ? real.curl_multi_add_handle(multi_handle, curl_handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_remove_handle(CURLM *multi_handle, CURL *curl_handle)
{
    return loaded() ? real.curl_multi_remove_handle(multi_handle, curl_handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_assign(CURLM *multi_handle, curl_socket_t sockfd, void *sockp)
{
    return loaded() ? real.curl_multi_assign(multi_handle, sockfd, sockp) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_socket_action(CURLM *multi_handle, curl_socket_t s, int ev_bitmask, int *running_handles)
{
    return loaded() ? real.curl_multi_socket_action(multi_handle, s, ev_bitmask, running_handles)
                    : CURLM_INTERNAL_ERROR;
}

CURLMsg *
curl_multi_info_read(CURLM *multi_handle, int *msgs_in_queue)
{
    return loaded() ? real.curl_multi_info_read(multi_handle, msgs_in_queue) : NULL;
}

CURLMcode
curl_multi_cleanup(CURLM *multi_handle)
{
    return loaded() ? real.curl_multi_cleanup(multi_handle) : CURLM_INTERNAL_ERROR;
}

/* --- URLs ----------------------------------------------------------------------- */

CURLU *
curl_url(void)
{
    return loaded() ? real.curl_url() : NULL;
}

CURLUcode
curl_url_set(CURLU *handle, CURLUPart what, const char *part, unsigned int flags)
{
    return loaded() ? real.curl_url_set(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

/* curl.h gives the handle const from curl 8.1 (curl/curl#10708). */
#if LIBCURL_VERSION_NUM >= 0x080100
typedef const CURLU url_get_handle;
#else
typedef CURLU url_get_handle;
#endif

CURLUcode
curl_url_get(url_get_handle *handle, CURLUPart what, char **part, unsigned int flags)
{
    return loaded() ? real.curl_url_get(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

void
curl_url_cleanup(CURLU *handle)
{
    if (handle != NULL && loaded())
        real.curl_url_cleanup(handle);
}
