// Whether the dynamic linker resolves libevent's calls to the definitions here (see
// event_overrides.h).
#define _GNU_SOURCE
#include "event_overrides.h"

#include <dlfcn.h>
#include <event2/buffer.h>
#include <event2/util.h>

int event_overrides_in_effect(void) {
    return dlsym(RTLD_DEFAULT, "evbuffer_add_printf") == (void *)evbuffer_add_printf
        && dlsym(RTLD_DEFAULT, "evutil_ascii_strcasecmp") == (void *)evutil_ascii_strcasecmp
        && dlsym(RTLD_DEFAULT, "evbuffer_read") == (void *)evbuffer_read;
}
