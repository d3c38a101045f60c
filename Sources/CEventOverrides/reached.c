// Whether libevent's own calls reach the definitions here (see event_overrides.h): each is
// proved by a real call into libevent that calls it internally, not by comparing addresses. A
// libevent linked with -Bsymbolic, with protected visibility or statically (LTO) calls its own
// copies, and the counts then do not move.
#define _GNU_SOURCE
#include "event_overrides.h"
#include "reach_counts.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__thread __attribute__((tls_model("initial-exec"))) struct event_overrides_reach_counts event_overrides_reach_counts;

// evhttp_find_header compares names with evutil_ascii_strcasecmp.
static int strcasecmp_reached(void) {
    struct evkeyvalq headers = {NULL, NULL};
    headers.tqh_last = &headers.tqh_first;  // TAILQ_INIT, which libevent's public headers lack
    if (evhttp_add_header(&headers, "Probe", "1") != 0) return 0;
    unsigned long before = event_overrides_reach_counts.strcasecmp_calls;
    int found = evhttp_find_header(&headers, "PROBE") != NULL;
    evhttp_clear_headers(&headers);
    return found && event_overrides_reach_counts.strcasecmp_calls != before;
}

// evhttp_uri_join writes a URI's port with evbuffer_add_printf.
static int printf_reached(void) {
    struct evhttp_uri *uri = evhttp_uri_parse("http://probe:8080/");
    if (uri == NULL) return 0;
    char joined[64];
    unsigned long before = event_overrides_reach_counts.printf_calls;
    int written = evhttp_uri_join(uri, joined, sizeof joined) != NULL && strstr(joined, ":8080") != NULL;
    evhttp_uri_free(uri);
    return written && event_overrides_reach_counts.printf_calls != before;
}

// A socket bufferevent reads with evbuffer_read when its socket turns readable: one byte through
// a socket pair, one pass of a private loop.
static int read_reached(void) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 0;
    int reached = 0;
    struct event_base *base = event_base_new();
    struct bufferevent *reader = base ? bufferevent_socket_new(base, pair[0], BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (reader == NULL) {
        close(pair[0]);
    } else if (bufferevent_enable(reader, EV_READ) == 0 && write(pair[1], "x", 1) == 1) {
        unsigned long before = event_overrides_reach_counts.read_calls;
        event_base_loop(base, EVLOOP_ONCE);
        reached = evbuffer_get_length(bufferevent_get_input(reader)) == 1
            && event_overrides_reach_counts.read_calls != before;
    }
    if (reader) bufferevent_free(reader);
    if (base) event_base_free(base);
    close(pair[1]);
    return reached;
}

int event_overrides_reached(void) {
    return (printf_reached() ? EVENT_OVERRIDE_PRINTF : 0) | (strcasecmp_reached() ? EVENT_OVERRIDE_STRCASECMP : 0)
        | (read_reached() ? EVENT_OVERRIDE_READ : 0);
}
