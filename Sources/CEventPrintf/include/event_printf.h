#ifndef EVENTSERVER_CEVENTPRINTF_H
#define EVENTSERVER_CEVENTPRINTF_H

// Opaque here, so Swift modules importing this one meet libevent's headers only through CEvent.
struct evbuffer;

// evhttp writes a reply's status line and each of its header lines with evbuffer_add_printf,
// whose vsnprintf parses the format on every call: ~1,180 of a line's ~1,470 instructions,
// three lines a reply (status, Date with the joined fields, Content-Length), the largest single
// cost left on the request path, and a large piece of code for the instruction cache. Copied
// instead, a line costs ~550, most of it the buffer's own bookkeeping and callbacks.
//
// This process defines evbuffer_add_printf itself: libevent calls its own exported functions
// through the PLT, so the executable's definition is the one it reaches. The two formats
// evhttp's replies use, "HTTP/%d.%d %d %s\r\n" and "%s: %s\r\n", are written by copying; any
// other format (and a NULL string, which printf writes as "(null)") goes to
// evbuffer_add_vprintf, libevent's own. The bytes are the same either way (EventPrintfTests
// compares them).

/// Whether libevent's calls of evbuffer_add_printf reach this definition: the dynamic linker
/// resolves the name to it (it would not with a libevent linked statically or bound to itself).
int event_printf_interposed(void);

/// What libevent's own evbuffer_add_vprintf writes for the status line and a header line, and
/// what evbuffer_add_printf here writes (exposed for tests).
int event_printf_reference_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason);
int event_printf_reference_header_line(struct evbuffer *buffer, const char *name, const char *value);
int event_printf_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason);
int event_printf_header_line(struct evbuffer *buffer, const char *name, const char *value);

#endif
