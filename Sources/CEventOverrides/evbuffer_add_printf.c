// evbuffer_add_printf without printf for evhttp's two reply-head formats (see event_overrides.h).
#include "event_overrides.h"
#include "reach_counts.h"

#include <event2/buffer.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

static const char status_line_format[] = "HTTP/%d.%d %d %s\r\n";
static const char header_line_format[] = "%s: %s\r\n";

// evhttp passes its formats from libevent's read-only data, the same pointer on every call: the
// pointer that matched once is compared first, so a line costs no strcmp after the first.
static __thread __attribute__((tls_model("initial-exec"))) const char *known_header_format;
static __thread __attribute__((tls_model("initial-exec"))) const char *known_status_format;

static inline int is_format(const char *format, const char *expected, const char **known) {
    if (format == *known) return 1;
    if (strcmp(format, expected) != 0) return 0;
    *known = format;
    return 1;
}

// The decimal digits of `value` at the end of `end`; returns where they start.
static char *decimal(char *end, int value) {
    unsigned int magnitude = value < 0 ? 0u - (unsigned int)value : (unsigned int)value;
    do {
        *--end = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) *--end = '-';
    return end;
}

// One contiguous reservation filled by copying, then committed (which runs the buffer's
// callbacks, as evbuffer_add_vprintf's add does). Returns the bytes added, or -1.
static int add_pieces(struct evbuffer *buffer, const char *const *pieces, const size_t *lengths, int count) {
    size_t total = 0;
    for (int index = 0; index < count; index++) total += lengths[index];
    if (total > INT_MAX) return -1;
    struct evbuffer_iovec space;
    if (evbuffer_reserve_space(buffer, (ev_ssize_t)total, &space, 1) < 1) return -1;
    char *at = space.iov_base;
    for (int index = 0; index < count; index++) {
        memcpy(at, pieces[index], lengths[index]);
        at += lengths[index];
    }
    space.iov_len = total;
    if (evbuffer_commit_space(buffer, &space, 1) != 0) return -1;
    return (int)total;
}

static int add_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason) {
    char major_digits[12], minor_digits[12], code_digits[12];
    char *major_start = decimal(major_digits + sizeof major_digits, major);
    char *minor_start = decimal(minor_digits + sizeof minor_digits, minor);
    char *code_start = decimal(code_digits + sizeof code_digits, code);
    const char *pieces[] = {"HTTP/", major_start, ".", minor_start, " ", code_start, " ", reason, "\r\n"};
    const size_t lengths[] = {
        5, (size_t)(major_digits + sizeof major_digits - major_start), 1,
        (size_t)(minor_digits + sizeof minor_digits - minor_start), 1,
        (size_t)(code_digits + sizeof code_digits - code_start), 1, strlen(reason), 2};
    return add_pieces(buffer, pieces, lengths, 9);
}

static int add_header_line(struct evbuffer *buffer, const char *name, const char *value) {
    const char *pieces[] = {name, ": ", value, "\r\n"};
    const size_t lengths[] = {strlen(name), 2, strlen(value), 2};
    return add_pieces(buffer, pieces, lengths, 4);
}

int evbuffer_add_printf(struct evbuffer *buffer, const char *format, ...) {
    va_list arguments;
    int added;
    event_overrides_reach_counts.printf_calls++;
    va_start(arguments, format);
    if (is_format(format, header_line_format, &known_header_format)) {
        const char *name = va_arg(arguments, const char *);
        const char *value = va_arg(arguments, const char *);
        if (name != NULL && value != NULL) {
            va_end(arguments);
            return add_header_line(buffer, name, value);
        }
    } else if (is_format(format, status_line_format, &known_status_format)) {
        int major = va_arg(arguments, int);
        int minor = va_arg(arguments, int);
        int code = va_arg(arguments, int);
        const char *reason = va_arg(arguments, const char *);
        if (reason != NULL) {
            va_end(arguments);
            return add_status_line(buffer, major, minor, code, reason);
        }
    }
    // Any other format, or a NULL string: printf's own, from the first argument again.
    va_end(arguments);
    va_start(arguments, format);
    added = evbuffer_add_vprintf(buffer, format, arguments);
    va_end(arguments);
    return added;
}

static int reference(struct evbuffer *buffer, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int added = evbuffer_add_vprintf(buffer, format, arguments);
    va_end(arguments);
    return added;
}

int event_overrides_reference_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason) {
    return reference(buffer, status_line_format, major, minor, code, reason);
}

int event_overrides_reference_header_line(struct evbuffer *buffer, const char *name, const char *value) {
    return reference(buffer, header_line_format, name, value);
}

int event_overrides_status_line(struct evbuffer *buffer, int major, int minor, int code, const char *reason) {
    return evbuffer_add_printf(buffer, status_line_format, major, minor, code, reason);
}

int event_overrides_header_line(struct evbuffer *buffer, const char *name, const char *value) {
    return evbuffer_add_printf(buffer, header_line_format, name, value);
}
