#define _GNU_SOURCE
#include "socket_passing.h"

// The definitions behind socket_passing.h, compiled as C where the CMSG_* macros work.

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define CSOCKETPASSING_MAX 64

/// Sends `length` bytes of `bytes` with `count` descriptors attached; returns sendmsg's result.
long csocket_send_with_descriptors(int socket, const void *bytes, unsigned long length,
                                                 const int *descriptors, int count) {
    if (count < 0 || count > CSOCKETPASSING_MAX) { errno = EINVAL; return -1; }
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int) * CSOCKETPASSING_MAX)]; } control;
    memset(&control, 0, sizeof control);
    struct iovec vector = { .iov_base = (void *)bytes, .iov_len = length };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (count > 0) {
        message.msg_control = control.space;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * count);
        memcpy(CMSG_DATA(header), descriptors, sizeof(int) * count);
    }
    return sendmsg(socket, &message, MSG_NOSIGNAL);
}

/// Receives up to `length` bytes and up to `capacity` descriptors (stored in `descriptors`,
/// close-on-exec, their number in `*count`); returns recvmsg's result.
long csocket_receive_with_descriptors(int socket, void *bytes, unsigned long length,
                                                    int *descriptors, int capacity, int *count) {
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int) * CSOCKETPASSING_MAX)]; } control;
    memset(&control, 0, sizeof control);
    struct iovec vector = { .iov_base = bytes, .iov_len = length };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1,
                              .msg_control = control.space, .msg_controllen = sizeof control.space };
    *count = 0;
    long received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int carried = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int index = 0; index < carried; index++) {
            int descriptor;
            memcpy(&descriptor, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            if (*count < capacity) descriptors[(*count)++] = descriptor; else close(descriptor);
        }
    }
    return received;
}

/// posix_spawn's "start a new session" flag (glibc 2.26+), which Swift cannot see as a macro.
short csocket_spawn_setsid_flag(void) {
#ifdef POSIX_SPAWN_SETSID
    return POSIX_SPAWN_SETSID;
#else
    return 0;
#endif
}
