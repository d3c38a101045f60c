#define _GNU_SOURCE
#include "openssl_library.h"

#include <dlfcn.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// libssl's soname follows OpenSSL's major version, which the headers state.
#define CTLS_STRING(x) #x
#define CTLS_SONAME(major) "libssl.so." CTLS_STRING(major)

static struct ctls_openssl openssl;
static char openssl_failure[512];
static pthread_once_t openssl_once = PTHREAD_ONCE_INIT;

static struct ctls_event_openssl event_openssl;
static char event_openssl_failure[512];
static pthread_once_t event_openssl_once = PTHREAD_ONCE_INIT;

// Resolves every name of a table from `library`; the first missing one is the failure.
#define CTLS_RESOLVE(name) \
    if (!*failure) { \
        *(void **)&table->name = dlsym(library, #name); \
        if (!table->name) snprintf(failure, 512, "%s has no %s", path, #name); \
    }

static void load_openssl(void) {
    const char *path = CTLS_SONAME(OPENSSL_VERSION_MAJOR);
    char *failure = openssl_failure;
    struct ctls_openssl *table = &openssl;
    // Never closed: the process keeps TLS once it has it.
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) { snprintf(failure, 512, "OpenSSL cannot be loaded: %s", dlerror()); return; }
    CTLS_OPENSSL_FUNCTIONS(CTLS_RESOLVE)
}

static void load_event_openssl(void) {
    char *failure = event_openssl_failure;
    struct ctls_event_openssl *table = &event_openssl;
    // libevent_openssl must be the build of the libevent already mapped: its file sits next to
    // it with the same version suffix (libevent-2.1.so.7 -> libevent_openssl-2.1.so.7).
    Dl_info info;
    if (!dladdr((void *)&event_base_new, &info) || !info.dli_fname) {
        snprintf(failure, 512, "the libevent in use cannot be located");
        return;
    }
    const char *name = strrchr(info.dli_fname, '/');
    name = name ? name + 1 : info.dli_fname;
    const char *suffix = strncmp(name, "libevent", 8) == 0 ? strpbrk(name, "-.") : NULL;
    if (!suffix) { snprintf(failure, 512, "the version of %s cannot be read", info.dli_fname); return; }
    char path[512];
    snprintf(path, sizeof path, "%.*slibevent_openssl%s", (int)(name - info.dli_fname), info.dli_fname, suffix);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) { snprintf(failure, 512, "libevent's OpenSSL support cannot be loaded: %s", dlerror()); return; }
    CTLS_EVENT_OPENSSL_FUNCTIONS(CTLS_RESOLVE)
}

const struct ctls_openssl *ctls_openssl(char *error, unsigned long length) {
    pthread_once(&openssl_once, load_openssl);
    if (!*openssl_failure) return &openssl;
    if (error && length) snprintf(error, length, "%s", openssl_failure);
    return NULL;
}

const char *ctls_error_reason(const struct ctls_openssl *ssl) {
    const char *reason = ssl->ERR_reason_error_string(ssl->ERR_get_error());
    return reason ? reason : "no reason given";
}

const struct ctls_event_openssl *ctls_event_openssl(char *error, unsigned long length) {
    pthread_once(&event_openssl_once, load_event_openssl);
    if (!*event_openssl_failure) return &event_openssl;
    if (error && length) snprintf(error, length, "%s", event_openssl_failure);
    return NULL;
}
