// evutil_ascii_strcasecmp without a function call per character (see event_overrides.h).
#define _GNU_SOURCE
#include "event_overrides.h"
#include "reach_counts.h"

#include <dlfcn.h>
#include <event2/util.h>

// As libevent's EVUTIL_TOLOWER_: ASCII letters only, whatever the locale; the result compared
// as a (signed) char, as libevent compares it.
static inline char ascii_lowercased(char character) {
    return character >= 'A' && character <= 'Z' ? (char)(character + ('a' - 'A')) : character;
}

int evutil_ascii_strcasecmp(const char *left, const char *right) {
    event_overrides_reach_counts.strcasecmp_calls++;
    for (;; left++, right++) {
        // Equal bytes are the common case (a name against itself): no case to fold.
        if (*left == *right) {
            if (*left == 0) return 0;
            continue;
        }
        char l = ascii_lowercased(*left), r = ascii_lowercased(*right);
        if (l != r) return l < r ? -1 : 1;
    }
}

int event_overrides_strcasecmp(const char *left, const char *right) {
    return evutil_ascii_strcasecmp(left, right);
}

int event_overrides_reference_strcasecmp(const char *left, const char *right) {
    int (*libevents)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "evutil_ascii_strcasecmp");
    return libevents(left, right);
}
