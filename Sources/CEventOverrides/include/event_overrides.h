#ifndef EVENTSERVER_CEVENTOVERRIDES_H
#define EVENTSERVER_CEVENTOVERRIDES_H

// Three libevent functions called on every request, defined again by the executable that links
// this target (the `LibeventTuning` product: an application's explicit choice, since it changes
// these functions for the whole process; eventserver's own binary links it).
//
// libevent calls its own exported functions through its PLT (objdump -d: ten calls to
// evbuffer_add_printf@plt, fifteen to evutil_ascii_strcasecmp@plt, one to evbuffer_read@plt from
// the socket bufferevent's read callback), so the executable's definition of such a function is
// the one libevent reaches. Each definition here keeps the function's documented behaviour
// exactly (EventOverridesTests compares it with libevent's own) and only does the work faster:
//
// - evbuffer_add_printf: evhttp writes a reply's status line and each entry of its header list
//   with it, three lines a reply here (status, Date with the joined fields, Content-Length), and
//   vsnprintf parsed the format on each: most of a line's cost, the largest single cost left on
//   the request path. evhttp's two formats, "HTTP/%d.%d %d %s\r\n" and "%s: %s\r\n", are copied
//   instead (what remains is mostly the buffer's own bookkeeping and callbacks); any other
//   format, and a NULL string (printf writes "(null)"), goes to libevent's evbuffer_add_vprintf.
// - evutil_ascii_strcasecmp: evhttp_find_header compares names with it, many times a request,
//   and libevent's calls a function through the PLT for each character of both strings (most
//   differ at the first character).
// - evbuffer_read: libevent's asks the kernel how many bytes wait (ioctl FIONREAD) before each
//   readv, so a request cost three system calls (ioctl, readv, writev). This
//   one reads into the buffer's free space at once (a new chain's 976 bytes for a request head,
//   the chain libevent's read of a head's size allocates too) and, only when a read fills what it
//   was given, reads again for the rest: at most 4096 bytes a call, as libevent's.
// The measurements: Benchmarks/results/2026-11-30-event-printf/, -event-overrides/ and -event-read/.

// Opaque here, so Swift modules importing this one meet libevent's headers only through CEvent.
struct evbuffer;

/// The definitions libevent's own calls reach, proved by calling libevent (a bit each): all three
/// where the dynamic linker resolves libevent's calls to the executable's definitions, none where
/// libevent binds to its own (-Bsymbolic, protected visibility, a static libevent).
enum {
    EVENT_OVERRIDE_PRINTF = 1,
    EVENT_OVERRIDE_STRCASECMP = 2,
    EVENT_OVERRIDE_READ = 4,
    EVENT_OVERRIDES_ALL = 7,
};
int event_overrides_reached(void);

/// What libevent's own evbuffer_add_vprintf writes for the status line and a header line, and
/// what evbuffer_add_printf here writes (exposed for tests).
int event_overrides_reference_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason);
int event_overrides_reference_header_line(struct evbuffer *buffer, const char *name, const char *value);
int event_overrides_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason);
int event_overrides_header_line(struct evbuffer *buffer, const char *name, const char *value);

/// libevent's own evutil_ascii_strcasecmp, and the one here (exposed for tests).
int event_overrides_reference_strcasecmp(const char *left, const char *right);
int event_overrides_strcasecmp(const char *left, const char *right);

/// libevent's own evbuffer_read, and the one here (exposed for tests).
int event_overrides_reference_read(struct evbuffer *buffer, int fd, int howmuch);
int event_overrides_read(struct evbuffer *buffer, int fd, int howmuch);

#endif
