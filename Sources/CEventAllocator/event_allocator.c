#include "event_allocator.h"

#include <event2/event.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Blocks are malloc's, at their size class's size, with no header of their own: on free, the
// class is read back from malloc_usable_size as the largest class the block holds (which may be
// larger than the class it was made for: malloc gives a few spare bytes at times, and the block
// then serves that larger class safely). A 16-byte header per block cost every idle connection
// ~240 bytes (Benchmarks/results/2026-12-06-headerless-allocator/). Classes: 16-byte steps to
// 1 KiB, then 1 KiB steps to 16 KiB (a buffer chain for a 4 KiB read is 4 KiB and a chain header).
enum {
    SMALL_STEP = 16,
    SMALL_LIMIT = 1024,
    MEDIUM_STEP = 1024,
    MEDIUM_LIMIT = 16384,
    SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP,
    CLASSES = SMALL_CLASSES + (MEDIUM_LIMIT - SMALL_LIMIT) / MEDIUM_STEP,
    // A block over MEDIUM_LIMIT is made at least this large, so its usable size tells it apart
    // from a 16 KiB class block with malloc's spare bytes (at most 47 of them).
    LARGE_MINIMUM = MEDIUM_LIMIT + 64,
    // What a class keeps for reuse, at most (and at least 8 blocks): a burst of connections
    // leaves bounded memory behind, given back to malloc.
    KEPT_BYTES_PER_CLASS = 128 * 1024,
};

struct free_block {
    struct free_block *next;
};

// Per thread, so a stray call from another thread is still safe; libevent runs on the loop's.
static __thread __attribute__((tls_model("initial-exec"))) struct free_block *free_lists[CLASSES];
static __thread __attribute__((tls_model("initial-exec"))) uint32_t free_counts[CLASSES];
static int installed;
// Each class's `kept` limit, computed once (a division per free would be on every request).
static uint32_t kept_limits[CLASSES];

static inline unsigned class_of(size_t size) {
    if (size <= SMALL_LIMIT) return size == 0 ? 0 : (unsigned)((size - 1) / SMALL_STEP);
    return SMALL_CLASSES - 1 + (unsigned)((size - SMALL_LIMIT + MEDIUM_STEP - 1) / MEDIUM_STEP);
}

static inline size_t class_size(unsigned size_class) {
    if (size_class < SMALL_CLASSES) return (size_t)(size_class + 1) * SMALL_STEP;
    return SMALL_LIMIT + (size_t)(size_class - SMALL_CLASSES + 1) * MEDIUM_STEP;
}

/// The largest class a block of `usable` bytes holds (`usable` under LARGE_MINIMUM, and at least
/// 16: malloc's smallest).
static inline unsigned class_held(size_t usable) {
    if (usable < SMALL_LIMIT) return (unsigned)(usable / SMALL_STEP) - 1;
    unsigned size_class = SMALL_CLASSES - 1 + (unsigned)((usable - SMALL_LIMIT) / MEDIUM_STEP);
    return size_class < CLASSES ? size_class : CLASSES - 1;
}

void *event_allocator_malloc(size_t size) {
    if (size > MEDIUM_LIMIT) return malloc(size < LARGE_MINIMUM ? LARGE_MINIMUM : size);
    unsigned size_class = class_of(size);
    struct free_block *reused = free_lists[size_class];
    if (reused) {
        free_lists[size_class] = reused->next;
        free_counts[size_class] -= 1;
        return reused;
    }
    return malloc(class_size(size_class));
}

void event_allocator_free(void *block) {
    if (!block) return;
    size_t usable = malloc_usable_size(block);
    if (usable >= LARGE_MINIMUM) {
        free(block);
        return;
    }
    unsigned size_class = class_held(usable);
    if (free_counts[size_class] >= kept_limits[size_class]) {
        free(block);
        return;
    }
    struct free_block *freed = block;
    freed->next = free_lists[size_class];
    free_lists[size_class] = freed;
    free_counts[size_class] += 1;
}

void *event_allocator_realloc(void *block, size_t size) {
    if (!block) return event_allocator_malloc(size);
    if (size == 0) {
        event_allocator_free(block);
        return NULL;
    }
    size_t usable = malloc_usable_size(block);
    if (usable >= LARGE_MINIMUM && size > MEDIUM_LIMIT) return realloc(block, size < LARGE_MINIMUM ? LARGE_MINIMUM : size);
    if (size <= usable && usable < LARGE_MINIMUM) return block;
    void *moved = event_allocator_malloc(size);
    if (!moved) return NULL;
    memcpy(moved, block, usable < size ? usable : size);
    event_allocator_free(block);
    return moved;
}

// Derived from the counts when asked (tests), rather than kept up to date on every call.
size_t event_allocator_cached_bytes(void) {
    size_t bytes = 0;
    for (unsigned size_class = 0; size_class < CLASSES; size_class++) {
        bytes += free_counts[size_class] * class_size(size_class);
    }
    return bytes;
}

int event_allocator_installed(void) {
    return installed;
}

__attribute__((constructor)) static void install_event_allocator(void) {
    for (unsigned size_class = 0; size_class < CLASSES; size_class++) {
        size_t limit = KEPT_BYTES_PER_CLASS / class_size(size_class);
        kept_limits[size_class] = limit < 8 ? 8 : (uint32_t)limit;
    }
    const char *system = getenv("EVENTSERVER_SYSTEM_ALLOCATOR");
    if (system && *system && strcmp(system, "0") != 0) return;
    event_set_mem_functions(event_allocator_malloc, event_allocator_realloc, event_allocator_free);
    installed = 1;
}
