import CEvent
import EventServerSupport

#if canImport(Glibc)
import Glibc
#endif

/// LibeventLog filters libevent's own log lines in a worker.
///
/// A forked worker inherits the master's signal registrations; when its fresh loop claims the
/// signals, libevent warns that another base "already has signals". That hand-over is exactly
/// what a worker wants, so that one warning is dropped; everything else goes to stderr.
public enum LibeventLog {
    public static func dropSignalOwnershipWarning() {
        event_set_log_callback(libeventLogLine)
    }
}

private func libeventLogLine(_ severity: Int32, _ message: UnsafePointer<CChar>?) {
    guard let message else { return }
    let text = String(cString: message)
    if text.hasPrefix("Added a signal to event base") { return }
    StandardError.writeLine("[libevent] \(text)")
}
