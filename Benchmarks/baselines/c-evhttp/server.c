/*
 * The plain C evhttp baseline: what a competent C programmer writes with libevent's defaults.
 * GET / -> 200 text; SIGUSR1/SIGUSR2 flip the same maintenance flag as eventserver's, and in
 * maintenance every path answers 503 with the same headers and page.
 *
 *   server PORT [PAGE_FILE] [--changelist] [--reuseport]
 *
 * --changelist builds the event base with EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, the one
 * libevent tuning eventserver uses, to separate the flag's effect from Swift's.
 * --reuseport binds with SO_REUSEPORT, so one process per core can share the port (the C
 * counterpart of `eventserver --workers N` in Benchmarks/scaling.sh).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in_maintenance;
static char *page;
static size_t page_length;
static const char greeting[] = "Hello from eventserver\n";

static void on_request(struct evhttp_request *request, void *unused) {
    (void)unused;
    struct evkeyvalq *headers = evhttp_request_get_output_headers(request);
    struct evbuffer *body = evhttp_request_get_output_buffer(request);
    if (in_maintenance) {
        evhttp_add_header(headers, "Retry-After", "300");
        evhttp_add_header(headers, "Cache-Control", "no-store");
        evhttp_add_header(headers, "Content-Type", "text/html; charset=utf-8");
        evbuffer_add(body, page, page_length);
        evhttp_send_reply(request, 503, "Service Unavailable", NULL);
        return;
    }
    evhttp_add_header(headers, "Content-Type", "text/plain; charset=utf-8");
    evbuffer_add(body, greeting, sizeof greeting - 1);
    evhttp_send_reply(request, 200, "OK", NULL);
}

static void on_signal(evutil_socket_t signum, short events, void *unused) {
    (void)events;
    (void)unused;
    in_maintenance = signum == SIGUSR1;
}

static void on_stop(evutil_socket_t signum, short events, void *base) {
    (void)signum;
    (void)events;
    event_base_loopbreak(base);
}

static void load_page(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    page_length = (size_t)ftell(file);
    rewind(file);
    page = malloc(page_length);
    if (fread(page, 1, page_length, file) != page_length) { perror(path); exit(1); }
    fclose(file);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [PAGE_FILE] [--changelist] [--reuseport]\n", argv[0]);
        return 2;
    }
    int changelist = 0, reuseport = 0;
    const char *page_path = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--changelist") == 0) changelist = 1;
        else if (strcmp(argv[i], "--reuseport") == 0) reuseport = 1;
        else page_path = argv[i];
    }
    if (page_path) load_page(page_path); else { page = "maintenance\n"; page_length = 12; }
    signal(SIGPIPE, SIG_IGN);

    struct event_config *config = event_config_new();
    if (changelist) event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(config);
    event_config_free(config);

    struct event *usr1 = evsignal_new(base, SIGUSR1, on_signal, NULL);
    struct event *usr2 = evsignal_new(base, SIGUSR2, on_signal, NULL);
    struct event *term = evsignal_new(base, SIGTERM, on_stop, base);
    evsignal_add(usr1, NULL);
    evsignal_add(usr2, NULL);
    evsignal_add(term, NULL);

    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, on_request, NULL);
    int bound;
    if (reuseport) {
        struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                                       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct evconnlistener *listener = evconnlistener_new_bind(
            base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
            128, (struct sockaddr *)&address, sizeof address);
        bound = listener && evhttp_bind_listener(http, listener) != NULL;
    } else {
        bound = evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)atoi(argv[1])) == 0;
    }
    if (!bound) {
        fprintf(stderr, "cannot bind port %s\n", argv[1]);
        return 1;
    }
    fprintf(stderr, "c-evhttp%s listening on http://127.0.0.1:%s\n", changelist ? " (changelist)" : "", argv[1]);
    event_base_dispatch(base);
    evhttp_free(http);
    event_free(usr1);
    event_free(usr2);
    event_free(term);
    event_base_free(base);
    return 0;
}
