#ifndef EVENTSERVER_CTCPPROGRESS_H
#define EVENTSERVER_CTCPPROGRESS_H

// How much of what a TCP socket sent its peer has acknowledged, from the kernel's TCP_INFO. Its
// `tcpi_bytes_acked` is declared by <linux/tcp.h> only, which clashes with the C library's
// <netinet/tcp.h> that Swift sees: so a C file reads it, and this header names no system header.

/// Stores in `acked` the bytes of the connection on `socket` its peer has acknowledged so far
/// and returns 0; returns -1 where the kernel says nothing (not a TCP socket, or a kernel
/// before 4.1).
int ctcp_bytes_acked(int socket, unsigned long long *acked);

#endif
