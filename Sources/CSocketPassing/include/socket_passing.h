#ifndef EVENTSERVER_SOCKET_PASSING_H
#define EVENTSERVER_SOCKET_PASSING_H

// Passing descriptors over a unix socket (SCM_RIGHTS) needs the CMSG_* macros, which Swift
// cannot import. This header names no system header, so Swift sees only these functions (the
// system types stay Glibc's).

/// Sends `length` bytes of `bytes` with `count` (at most 64) descriptors attached; returns
/// sendmsg's result.
long csocket_send_with_descriptors(int socket, const void *bytes, unsigned long length,
                                   const int *descriptors, int count);

/// Receives up to `length` bytes and up to `capacity` descriptors (close-on-exec, stored in
/// `descriptors`, their number in `*count`); returns recvmsg's result.
long csocket_receive_with_descriptors(int socket, void *bytes, unsigned long length,
                                      int *descriptors, int capacity, int *count);

/// posix_spawn's "start a new session" flag (glibc 2.26+), a macro Swift cannot see.
short csocket_spawn_setsid_flag(void);

#endif
