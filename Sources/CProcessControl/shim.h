#ifndef EVENTSERVER_CPROCESSCONTROL_SHIM_H
#define EVENTSERVER_CPROCESSCONTROL_SHIM_H

// prctl(2) is variadic, which Swift cannot call; this is its one use here, without libevent.

#include <sys/prctl.h>

/// Asks the kernel to send `signum` to this process when its parent dies.
static inline int cprocess_signal_on_parent_death(int signum) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signum, 0, 0, 0);
}

#endif
