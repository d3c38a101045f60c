import ArgumentParser
import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`; a start-up failure ends in one clear line on stderr and exit status 1, not a
/// stack trace. Every error the libraries throw describes itself for the operator.
func reportingStartUpErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        StandardError.writeLine("eventserver: error: \(error)")
        throw ExitCode.failure
    }
}
