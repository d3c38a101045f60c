import EventServerTesting
import Foundation
import Testing

/// HTTPS on the same loop: certificates made by openssl at test time, clients are curl and
/// openssl s_client (the test kit's client speaks plain HTTP).
@Suite struct TLSTests {
    @Test func servesHTTPSWithKeepAliveAndTheGate() throws {
        let pair = try CertificatePair(commonName: "first")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        #expect(server.log.contains("listening on https://127.0.0.1:\(server.port)"))
        let url = "https://127.0.0.1:\(server.port)/"
        // Two requests, one connection: keep-alive over TLS.
        let both = try run("curl", "-s", "--cacert", pair.certificate, "-w", " connects=%{num_connects}", url, url)
        #expect(both.output == "Hello from eventserver\n connects=1Hello from eventserver\n connects=0")
        server.send(SIGUSR1)
        let gated = try run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pair.certificate, url)
        #expect(gated.output == "503")
        let probe = try run("curl", "-s", "--cacert", pair.certificate, url + "livez")
        #expect(probe.output == "alive\n")
    }

    @Test func hangupServesANewCertificateAndKeepsTheOldOneWhenTheNewIsBroken() throws {
        let pair = try CertificatePair(commonName: "first")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        #expect(try Self.servedCommonName(server.port) == "first")
        try pair.regenerate(commonName: "second")
        server.send(SIGHUP)
        try server.waitForLog(containing: "reloaded")
        #expect(try Self.servedCommonName(server.port) == "second")
        // A key that does not match: the server logs why and keeps serving the last good pair.
        let other = try CertificatePair(commonName: "other")
        try FileManager.default.removeItem(atPath: pair.key)
        try FileManager.default.copyItem(atPath: other.key, toPath: pair.key)
        server.send(SIGHUP)
        try server.waitForLog(containing: "TLS certificate kept")
        #expect(try Self.servedCommonName(server.port) == "second")
        #expect(server.process.isRunning)
    }

    @Test func hostileTLSInputIsRefusedAndCounted() throws {
        let pair = try CertificatePair(commonName: "first")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        let attempts: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),  // plain HTTP to the TLS port
            (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) },  // garbage
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03],  // a ClientHello cut short
        ]
        for bytes in attempts {
            let connection = try HTTPConnection(port: server.port)
            try connection.write(bytes)
        }  // each connection closes here, if the server has not closed it already
        // Each one ends as a failed handshake, counted; the server keeps serving.
        let deadline = Date().addingTimeInterval(30)
        var failures = 0
        while Date() < deadline {
            let metrics = try run("curl", "-s", "--cacert", pair.certificate, "https://127.0.0.1:\(server.port)/metrics").output
            failures = metrics.split(separator: "\n").first { $0.hasPrefix("eventserver_tls_handshake_failures_total ") }
                .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            if failures >= attempts.count { break }
            usleep(100_000)
        }
        #expect(failures >= attempts.count)
        let after = try run("curl", "-s", "--cacert", pair.certificate, "https://127.0.0.1:\(server.port)/")
        #expect(after.output == "Hello from eventserver\n")
    }

    @Test func aSlowButSteadyTLSReaderGetsTheWholeReply() throws {
        // OpenSSL takes the file whole and drains nothing from the output until all of it is
        // sent: `--timeout` must see the reply going out in the client's acknowledgements.
        let pair = try CertificatePair(commonName: "first")
        let folder = try StaticFolder(megabytes: 24)
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--root", folder.path, "--timeout", "1"])
        let url = "https://127.0.0.1:\(server.port)/static/big.bin"
        // 4 MB/s: about six seconds, six timeouts, for a client that never stops taking bytes.
        let download = try run("curl", "-s", "--cacert", pair.certificate, "--limit-rate", "4M", "-o", "/dev/null",
                               "-w", "%{size_download}", url)
        #expect(download.output == "\(24 << 20)")
        let metrics = try run("curl", "-s", "--cacert", pair.certificate, "https://127.0.0.1:\(server.port)/metrics").output
        #expect(!metrics.contains("reason=\"write_timeout\""))
    }

    @Test func ctlAndWorkersWorkOverTLS() throws {
        let pair = try CertificatePair(commonName: "first")
        let pidFile = temporaryPath("tls.pid")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--pid-file", pidFile, "--workers", "2"])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        try server.waitForLog(containing: "all 2 workers listening")
        // ctl reads /status over https, trusting the server's own certificate file.
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile])
        #expect(on.status == 0, "ctl: \(on.errors)")
        #expect(on.output.hasPrefix("maintenance since"))
        #expect(on.output.contains("https://127.0.0.1:\(server.port)"))
        for _ in 0..<6 {  // whichever worker answers
            let reply = try run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pair.certificate,
                                "https://127.0.0.1:\(server.port)/")
            #expect(reply.output == "503")
        }
        let status = try runEventserver(["ctl", "status", "--pid-file", pidFile])
        #expect(status.status == 0)
        #expect(status.output.hasPrefix("maintenance since"))
    }

    @Test func aTLSServerIsUpgradedLikeAnyOther() throws {
        let pair = try CertificatePair(commonName: "first")
        let pidFile = temporaryPath("tls.pid")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--pid-file", pidFile])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
        let newPID = try #require(PIDFileReader.pid(pidFile))
        #expect(newPID != server.pid)
        let status = try runEventserver(["ctl", "status", "--pid-file", pidFile])
        #expect(status.output.contains("(pid \(newPID), https://127.0.0.1:\(server.port))"))
        #expect(try server.waitForExit() == 0)
        kill(newPID, SIGTERM)
        try waitUntilGone(newPID)
    }

    @Test func openSSLIsLoadedOnlyWhenTLSIsAskedFor() throws {
        // A plain server never maps OpenSSL (2 MiB of its resident memory when it did).
        let plain = try ServerProcess([])
        let plainMaps = try run("cat", "/proc/\(plain.pid)/maps").output  // Foundation reads /proc files short
        #expect(plainMaps.contains("libevent"))
        for library in ["libssl", "libcrypto", "libevent_openssl"] { #expect(!plainMaps.contains(library), "\(library) mapped") }
        let pair = try CertificatePair(commonName: "first")
        let secure = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        let secureMaps = try run("cat", "/proc/\(secure.pid)/maps").output
        for library in ["libssl", "libcrypto", "libevent_openssl"] { #expect(secureMaps.contains(library), "\(library) not mapped") }
        // The client loads it too, and says why a handshake failed: here, a certificate it does not trust.
        let stranger = try CertificatePair(commonName: "stranger")
        #expect {
            try HTTPConnection(port: secure.port, trusting: stranger.certificate)
        } throws: { error in
            "\(error)".contains("handshake failed: certificate verify failed")
        }
        let trusted = try HTTPConnection(port: secure.port, trusting: pair.certificate)
        try trusted.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try trusted.readResponse().status == 200)
    }

    /// Hiding a library from one child takes root and a mount namespace; a container that
    /// forbids them skips the test below.
    static let canHideLibraries = getuid() == 0 && (try? run("unshare", "-m", "true"))?.status == 0

    @Test(.enabled(if: TLSTests.canHideLibraries, "needs root and a mount namespace"))
    func withoutOpenSSLATLSServerRefusesToStartInOneLine() throws {
        let pair = try CertificatePair(commonName: "first")
        let found = try run("sh", "-c", "ldconfig -p | awk '$1 == \"libssl.so.3\" { print $NF; exit }'")
        let libssl = found.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!libssl.isEmpty, "ldconfig knows no libssl.so.3")
        // In a mount namespace of its own, the child finds an empty file where libssl was.
        let started = try run(
            "unshare", "-m", "sh", "-c", #"mount --bind /dev/null "$0" && exec "$1" --port 0 --tls-cert "$2" --tls-key "$3""#,
            libssl, ServerProcess.binaryPath, pair.certificate, pair.key)
        #expect(started.status == 1)
        #expect(started.errors.split(separator: "\n").count == 1, "\(started.errors)")
        #expect(started.errors.contains("OpenSSL cannot be loaded: \(libssl)"), "\(started.errors)")
    }

    /// The subject CN of the certificate a new connection is served.
    static func servedCommonName(_ port: Int) throws -> String {
        let shown = try run(
            "sh", "-c", "openssl s_client -connect 127.0.0.1:\(port) -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -subject")
        return shown.output.components(separatedBy: "CN = ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}

/// A self-signed certificate and key for 127.0.0.1 in a temporary folder.
final class CertificatePair {
    let folder = temporaryPath("tls")
    var certificate: String { folder + "/cert.pem" }
    var key: String { folder + "/key.pem" }

    init(commonName: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try regenerate(commonName: commonName)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func regenerate(commonName: String) throws {
        let made = try run(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        guard made.status == 0 else { throw TestFailure("openssl req failed: \(made.errors)") }
    }
}

/// Runs a program found on PATH to completion.
@discardableResult
func run(_ program: String, _ arguments: String...) throws -> (status: Int32, output: String, errors: String) {
    try runProgram(program, arguments)
}
