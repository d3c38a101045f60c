#ifndef EVENTSERVER_CEVENT_SHIM_H
#define EVENTSERVER_CEVENT_SHIM_H

// The only C surface Swift sees: libevent's core, bufferevent, evhttp and listener APIs, plus tiny inline
// helpers for what Swift cannot import (function-like macros, struct fields behind macros).

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

/// evsignal_new() is a macro: a persistent signal event on `base`.
static inline struct event *cevent_signal_new(struct event_base *base, int signum,
                                              event_callback_fn callback, void *argument) {
    return event_new(base, signum, EV_SIGNAL | EV_PERSIST, callback, argument);
}

/// evtimer_new() is a macro: a one-shot timer on `base`.
static inline struct event *cevent_timer_new(struct event_base *base,
                                             event_callback_fn callback, void *argument) {
    return event_new(base, -1, 0, callback, argument);
}

/// The HTTP minor version of a parsed request (1 for HTTP/1.1); evhttp has no getter for it.
static inline int cevent_request_minor_version(const struct evhttp_request *request) {
    return request->minor;
}

/// The first header of a header list; TAILQ_FIRST is a macro.
static inline struct evkeyval *cevent_headers_first(struct evkeyvalq *headers) {
    return headers->tqh_first;
}

/// The header after `header`; TAILQ_NEXT is a macro.
static inline struct evkeyval *cevent_headers_next(struct evkeyval *header) {
    return header->next.tqe_next;
}

// libevent's own allocation functions (exported, declared in its private mm-internal.h): memory
// libevent frees must come from the functions it was given (event_set_mem_functions; see
// CEventAllocator), not from malloc. Weak: a libevent without them still loads, and the
// transport then keeps to its public API (`LibeventRuntime`).
void *event_mm_malloc_(size_t size) __attribute__((weak));
void *event_mm_calloc_(size_t count, size_t size) __attribute__((weak));
char *event_mm_strdup_(const char *text) __attribute__((weak));
void event_mm_free_(void *block) __attribute__((weak));

/// Whether libevent exports the private allocation functions the joined reply head uses.
static inline int cevent_has_private_allocation(void) {
    return event_mm_malloc_ && event_mm_calloc_ && event_mm_strdup_ && event_mm_free_;
}

// The opt-in `LibeventTuning` product (CEventAllocator, CEventOverrides), present only in an
// executable that links it: weak references, so the transport learns what is in effect without
// linking either.
int event_allocator_installed(void) __attribute__((weak));
int event_overrides_reached(void) __attribute__((weak));

/// 1 or 0: whether libevent allocates from the free lists; -1: the allocator is not linked.
static inline int cevent_tuning_allocator_state(void) {
    return event_allocator_installed ? event_allocator_installed() : -1;
}

/// The overrides libevent's calls reach (CEventOverrides' bits), or -1: they are not linked.
static inline int cevent_tuning_overrides_reached(void) {
    return event_overrides_reached ? event_overrides_reached() : -1;
}

/// A block libevent may free, as it frees its own.
static inline void *cevent_malloc(size_t size) {
    return event_mm_malloc_(size);
}

/// Appends `key: value` to a header list, the list taking ownership of `value` (from
/// `cevent_malloc`; freed with the request, as evhttp frees its own). Unlike evhttp_add_header it
/// does not refuse a value with line breaks: the caller joins checked fields into one entry on
/// purpose (ReplyHead.swift). TAILQ_INSERT_TAIL is a macro. Returns -1 (value freed) when out of
/// memory.
static inline int cevent_headers_append_taking(struct evkeyvalq *headers, const char *key, char *value) {
    struct evkeyval *header = event_mm_calloc_(1, sizeof *header);
    if (header == NULL || (header->key = event_mm_strdup_(key)) == NULL) {
        event_mm_free_(header);
        event_mm_free_(value);
        return -1;
    }
    header->value = value;
    header->next.tqe_next = NULL;
    header->next.tqe_prev = headers->tqh_last;
    *headers->tqh_last = header;
    headers->tqh_last = &header->next.tqe_next;
    return 0;
}

#endif
