import ArgumentParser
import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`; a start-up failure ends in one clear line on stderr and exit status 1, not a
/// stack trace.
func reportingStartUpErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ServerError {
        try fail(error.description)
    } catch let error as RouteError {
        try fail(error.description)
    }
}

private func fail(_ message: String) throws -> Never {
    let line = Array("eventserver: error: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    throw ExitCode.failure
}
