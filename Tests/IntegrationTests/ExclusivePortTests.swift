import EventServerTesting
import Foundation
import Testing

/// A port eventserver serves is its own: a second start, alone or with workers, is refused with
/// the same one line and exit 1 (SO_REUSEPORT is set only among one master's workers).
@Suite struct ExclusivePortTests {
    @Test(arguments: [([], []), ([], ["--workers", "2"]), (["--workers", "2"], []), (["--workers", "2"], ["--workers", "2"])])
    func aSecondStartOnTheSamePortIsRefused(first: [String], second: [String]) throws {
        let running = try ServerProcess(first)
        if first.contains("--workers") { try running.waitForLog(containing: "all 2 workers listening") }
        let intruder = try ServerProcess(["--port", String(running.port)] + second, waitForListening: false)
        #expect(try intruder.waitForExit() == 1)
        let errors = intruder.log.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors == ["eventserver: error: cannot listen on 127.0.0.1:\(running.port): Address already in use"])
        #expect(try HTTPConnection(port: running.port).get("/status").text.contains("\"pid\":"))
    }
}
