#ifndef EVENTSERVER_CEVENTALLOCATOR_H
#define EVENTSERVER_CEVENTALLOCATOR_H

#include <stddef.h>

// libevent's memory, from per-size free lists instead of glibc's malloc.
//
// evhttp allocates and frees about twenty blocks a request (the request, its header entries and
// their strings, the URI, buffer chains); glibc's allocator spent a quarter of a request's
// instructions on them, most in its slow paths (its per-thread cache holds only 7 blocks of a
// size), and its code displaced the server's own from the instruction cache
// (Benchmarks/results/2026-11-30-event-allocator/). Installed before main (a
// constructor) through event_set_mem_functions, which must precede any libevent allocation.
// EVENTSERVER_SYSTEM_ALLOCATOR=1 in the environment keeps glibc's (for memcheck and
// AddressSanitizer, which see only the system allocator's blocks).

/// Whether libevent allocates through these free lists in this process.
int event_allocator_installed(void);

/// The allocator's functions, as libevent calls them (exposed for tests).
void *event_allocator_malloc(size_t size);
void *event_allocator_realloc(void *block, size_t size);
void event_allocator_free(void *block);

/// The bytes of freed blocks this thread keeps for reuse.
size_t event_allocator_cached_bytes(void);

#endif
