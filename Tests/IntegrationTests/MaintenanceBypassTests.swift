import EventServerTesting
import Foundation
import Testing

/// `ctl maintenance on --bypass-token`: an operator's token that lets requests through the gate
/// from anywhere (a balancer in between included), printed once and kept only as a digest.
@Suite struct MaintenanceBypassTests {
    static func token(in output: String) throws -> String {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("bypass token: ") })
        return String(line.dropFirst("bypass token: ".count))
    }

    @Test func aRequestCarryingTheTokenIsServedAndLeavingForgetsIt() throws {
        let pidFile = temporaryPath("pid")
        let stateFile = temporaryPath("state")
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        var server: ServerProcess? = try ServerProcess(["--pid-file", pidFile, "--state-file", stateFile])
        let port = server!.port
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile, "--bypass-token"])
        #expect(on.status == 0, "\(on.errors)")
        #expect(on.output.contains("bypass token in force"))
        let token = try Self.token(in: on.output)
        #expect(token.count == 32)  // 128 bits, hexadecimal
        #expect(!FileManager.default.fileExists(atPath: pidFile + ".notice"))

        #expect(try HTTPConnection(port: port).get("/").status == 503)
        #expect(try HTTPConnection(port: port).get("/", headers: ["Cookie": "theme=dark; eventserver_bypass=\(token); x=1"]).status == 200)
        #expect(try HTTPConnection(port: port).get("/", headers: ["X-Maintenance-Bypass": token]).status == 200)
        let wrong = token.dropLast() + (token.last == "0" ? "1" : "0")  // one digit off, never the token
        #expect(try HTTPConnection(port: port).get("/", headers: ["Cookie": "eventserver_bypass=\(wrong)"]).status == 503)
        #expect(try HTTPConnection(port: port).get("/", headers: ["X-Maintenance-Bypass": ""]).status == 503)
        #expect(try HTTPConnection(port: port).get("/readyz", headers: ["X-Maintenance-Bypass": token]).status == 503)

        // Never shown, never logged; the state file keeps only the digest.
        let status = try HTTPConnection(port: port).get("/status").text
        #expect(status.contains("\"bypass\":true"))
        #expect(!status.contains(token))
        let state = try String(contentsOfFile: stateFile, encoding: .utf8)
        #expect(state.contains("\"bypass_sha256\":"))
        #expect(!state.contains(token))
        #expect(!server!.log.contains(token))

        // A restart keeps the window, and its token, from the state file's digest.
        server!.send(SIGTERM)
        #expect(try server!.waitForExit() == 0)
        server = try ServerProcess(["--pid-file", pidFile, "--state-file", stateFile])
        let restarted = server!.port
        #expect(try HTTPConnection(port: restarted).get("/", headers: ["X-Maintenance-Bypass": token]).status == 200)
        #expect(try HTTPConnection(port: restarted).get("/").status == 503)

        // Leaving maintenance forgets the token: the next window does not take it.
        #expect(try runEventserver(["ctl", "maintenance", "off", "--pid-file", pidFile]).status == 0)
        #expect(try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile]).status == 0)
        #expect(try HTTPConnection(port: restarted).get("/", headers: ["X-Maintenance-Bypass": token]).status == 503)
        #expect(try HTTPConnection(port: restarted).get("/status").text.contains("\"bypass\":false"))
    }

    @Test func theTokenGoesWithOnOnly() throws {
        let result = try runEventserver(["ctl", "maintenance", "off", "--pid-file", temporaryPath("pid"), "--bypass-token"])
        #expect(result.status != 0)
        #expect(result.errors.contains("--bypass-token go with `on`"))
    }
}
