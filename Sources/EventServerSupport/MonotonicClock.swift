#if canImport(Glibc)
import Glibc
#endif

/// MonotonicClock reads CLOCK_MONOTONIC, which wall-clock changes do not move.
package enum MonotonicClock {
    package static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
