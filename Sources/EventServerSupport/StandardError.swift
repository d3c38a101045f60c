#if canImport(Glibc)
import Glibc
#endif

/// StandardError writes whole lines to stderr for messages that must appear even before (or
/// without) the logging system: start-up failures, `ctl` errors, libevent's own warnings.
package enum StandardError {
    package static func writeLine(_ text: String) {
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
