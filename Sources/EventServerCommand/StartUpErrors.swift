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
    StandardError.writeLine("eventserver: error: \(message)")
    throw ExitCode.failure
}
