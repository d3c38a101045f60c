// evbuffer_read without asking the kernel first how much there is to read (see
// event_overrides.h).
#define _GNU_SOURCE
#include "event_overrides.h"
#include "reach_counts.h"

#include <dlfcn.h>
#include <event2/buffer.h>
#include <sys/uio.h>

// libevent 2.1's EVBUFFER_MAX_READ: the most one call reads, so one busy connection cannot hold
// the loop; and its NUM_READ_IOVEC, the most chains one read fills.
enum { MAX_READ = 4096, MAX_VECTORS = 4 };
// The space a first read asks for at least: a request head fits in what the buffer then offers
// (a new chain's 976 bytes, the chain libevent allocates for a read of that size anyway).
enum { FIRST_READ = 512 };

// One readv into at most `limit` bytes of the buffer's free space (at least `wanted` of it):
// the bytes read (committed, which runs the buffer's callbacks), 0 at the end of the stream, or
// -1 with errno as readv left it. `*offered` is the space the read was given.
static int read_once(struct evbuffer *buffer, int fd, int wanted, int limit, int *offered) {
    struct evbuffer_iovec space[MAX_VECTORS];
    int count = evbuffer_reserve_space(buffer, wanted, space, MAX_VECTORS);
    if (count < 1) return -1;
    // The reservation offers whole chains: read no more than libevent would have.
    size_t given = 0;
    int used = 0;
    while (used < count && given < (size_t)limit) {
        size_t room = (size_t)limit - given;
        if (space[used].iov_len > room) space[used].iov_len = room;
        given += space[used].iov_len;
        used++;
    }
    *offered = (int)given;
    // evbuffer_iovec has struct iovec's layout (EVBUFFER_IOVEC_IS_NATIVE_ on POSIX systems).
    ssize_t received = readv(fd, (struct iovec *)space, used);
    if (received <= 0) return (int)received;
    size_t remaining = (size_t)received;
    int filled = 0;
    while (remaining > 0) {
        if (space[filled].iov_len > remaining) space[filled].iov_len = remaining;
        remaining -= space[filled].iov_len;
        filled++;
    }
    if (evbuffer_commit_space(buffer, space, filled) != 0) return -1;
    return (int)received;
}

int evbuffer_read(struct evbuffer *buffer, evutil_socket_t fd, int howmuch) {
    event_overrides_reach_counts.read_calls++;
    if (howmuch < 0 || howmuch > MAX_READ) howmuch = MAX_READ;
    // libevent's reads nothing then, and returns readv's 0 for no buffers.
    if (howmuch == 0) return 0;
    int offered;
    int first = read_once(buffer, fd, howmuch < FIRST_READ ? howmuch : FIRST_READ, howmuch, &offered);
    // A read that filled what it was given may have left more behind: read it now, as libevent
    // would have in its one read of the size it asked for. Its end of stream or error is met
    // by the next call (the socket stays readable).
    if (first > 0 && first == offered && first < howmuch) {
        int rest = read_once(buffer, fd, howmuch - first, howmuch - first, &offered);
        if (rest > 0) first += rest;
    }
    return first;
}

int event_overrides_read(struct evbuffer *buffer, int fd, int howmuch) {
    return evbuffer_read(buffer, fd, howmuch);
}

int event_overrides_reference_read(struct evbuffer *buffer, int fd, int howmuch) {
    int (*libevents)(struct evbuffer *, evutil_socket_t, int) =
        (int (*)(struct evbuffer *, evutil_socket_t, int))dlsym(RTLD_NEXT, "evbuffer_read");
    return libevents(buffer, fd, howmuch);
}
