#include "event_allocator.h"

#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Every block starts with a 16-byte header (keeping the 16-byte alignment malloc gives): its size
// class, or LARGE and its size for a block left to malloc. Classes: 16-byte steps to 1 KiB, then
// 1 KiB steps to 16 KiB (a buffer chain for a 4 KiB read is 4 KiB and a chain header).
enum {
    HEADER = 16,
    SMALL_STEP = 16,
    SMALL_LIMIT = 1024,
    MEDIUM_STEP = 1024,
    MEDIUM_LIMIT = 16384,
    SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP,
    CLASSES = SMALL_CLASSES + (MEDIUM_LIMIT - SMALL_LIMIT) / MEDIUM_STEP,
    LARGE = 0xFFFF,
    // What a class keeps for reuse, at most (and at least 8 blocks): a burst of connections
    // leaves bounded memory behind, given back to malloc.
    KEPT_BYTES_PER_CLASS = 128 * 1024,
};

struct header {
    uint32_t size_class;
    uint32_t unused;
    size_t large_size;
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

static inline struct header *header_of(void *block) {
    return (struct header *)((char *)block - HEADER);
}

void *event_allocator_malloc(size_t size) {
    if (size > MEDIUM_LIMIT) {
        if (size > SIZE_MAX - HEADER) return NULL;
        struct header *header = malloc(HEADER + size);
        if (!header) return NULL;
        header->size_class = LARGE;
        header->large_size = size;
        return (char *)header + HEADER;
    }
    unsigned size_class = class_of(size);
    struct free_block *reused = free_lists[size_class];
    if (reused) {
        free_lists[size_class] = reused->next;
        free_counts[size_class] -= 1;
        return reused;
    }
    struct header *header = malloc(HEADER + class_size(size_class));
    if (!header) return NULL;
    header->size_class = size_class;
    return (char *)header + HEADER;
}

void event_allocator_free(void *block) {
    if (!block) return;
    struct header *header = header_of(block);
    unsigned size_class = header->size_class;
    if (size_class == LARGE || free_counts[size_class] >= kept_limits[size_class]) {
        free(header);
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
    struct header *header = header_of(block);
    if (header->size_class == LARGE && size > MEDIUM_LIMIT) {
        if (size > SIZE_MAX - HEADER) return NULL;
        struct header *grown = realloc(header, HEADER + size);
        if (!grown) return NULL;
        grown->large_size = size;
        return (char *)grown + HEADER;
    }
    size_t capacity = header->size_class == LARGE ? header->large_size : class_size(header->size_class);
    if (size <= capacity && header->size_class != LARGE) return block;
    void *moved = event_allocator_malloc(size);
    if (!moved) return NULL;
    memcpy(moved, block, capacity < size ? capacity : size);
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
