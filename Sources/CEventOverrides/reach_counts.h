#ifndef EVENTSERVER_CEVENTOVERRIDES_REACH_COUNTS_H
#define EVENTSERVER_CEVENTOVERRIDES_REACH_COUNTS_H

// How often each definition here ran on this thread: the evidence `event_overrides_reached`
// reads after calling libevent. One increment of a thread-local a call (no atomic, no lock);
// libevent runs on its loop's thread.
struct event_overrides_reach_counts {
    unsigned long printf_calls;
    unsigned long strcasecmp_calls;
    unsigned long read_calls;
};

extern __thread __attribute__((tls_model("initial-exec"))) struct event_overrides_reach_counts
    event_overrides_reach_counts;

#endif
