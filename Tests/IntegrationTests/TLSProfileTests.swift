import EventServerTesting
import Foundation
import Testing

/// The TLS profiles seen from a client's side (openssl s_client offering one version, suite or
/// group at a time): Mozilla's "intermediate" by default — TLS 1.2 with ECDHE and AEAD suites
/// only, TLS 1.3, groups X25519, P-256 and P-384 — and "modern", TLS 1.3 only.
@Suite struct TLSProfileTests {
    /// Whether a handshake offering only what `options` allow completes.
    static func handshakes(_ port: Int, _ options: String) throws -> Bool {
        let result = try run("sh", "-c", "openssl s_client -connect 127.0.0.1:\(port) \(options) </dev/null 2>&1")
        return result.status == 0 && result.output.contains("Cipher is ") && !result.output.contains("Cipher is (NONE)")
    }

    @Test func intermediateByDefault() throws {
        let pair = try CertificatePair(commonName: "profile")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        let accepted = [
            "-tls1_3", "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
            "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256", "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384",
            "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305",
            "-tls1_3 -groups X25519", "-tls1_3 -groups P-256", "-tls1_3 -groups P-384", "-tls1_2 -groups P-256",
        ]
        for options in accepted {
            #expect(try Self.handshakes(server.port, options), "refused: \(options)")
        }
        let refused = [
            "-tls1_2 -cipher ECDHE-RSA-AES128-SHA", "-tls1_2 -cipher ECDHE-RSA-AES256-SHA384",  // CBC
            "-tls1_2 -cipher AES128-GCM-SHA256",  // RSA key exchange, no forward secrecy
            "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256",  // finite-field DHE
            "-tls1_1 -cipher DEFAULT@SECLEVEL=0",
            "-tls1_3 -groups X448", "-tls1_3 -groups P-521", "-tls1_2 -groups X448", "-tls1_2 -groups P-521",
        ]
        for options in refused {
            #expect(try !Self.handshakes(server.port, options), "accepted: \(options)")
        }
        #expect(try run("curl", "-s", "--cacert", pair.certificate, "https://127.0.0.1:\(server.port)/").output
            == "Hello from eventserver\n")
    }

    @Test func modernIsTLS13Only() throws {
        let pair = try CertificatePair(commonName: "profile")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--tls-profile", "modern"])
        #expect(try Self.handshakes(server.port, "-tls1_3"))
        #expect(try !Self.handshakes(server.port, "-tls1_2"))
        #expect(try !Self.handshakes(server.port, "-tls1_3 -groups X448"))
    }

    @Test func anUnknownProfileIsRefusedAtStart() throws {
        let pair = try CertificatePair(commonName: "profile")
        let result = try runEventserver(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--tls-profile", "old"])
        #expect(result.status != 0)
        #expect(result.errors.contains("tls-profile"), "\(result.errors)")
    }

    /// A session ticket from one connection resumes the next (no full handshake).
    @Test func sessionsResumeAcrossConnections() throws {
        let pair = try CertificatePair(commonName: "profile")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key])
        let session = temporaryPath("tls-session.pem")
        let request = "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'"
        let client = "openssl s_client -connect 127.0.0.1:\(server.port) -ign_eof"
        let first = try run("sh", "-c", "\(request) | \(client) -sess_out \(session) 2>&1")
        #expect(first.output.contains("New, TLSv1.3"), "\(first.output.suffix(300))")
        let second = try run("sh", "-c", "\(request) | \(client) -sess_in \(session) 2>&1")
        #expect(second.output.contains("Reused, TLSv1.3"), "\(second.output.suffix(300))")
        #expect(second.output.contains("Hello from eventserver"))
    }

    /// `ctl upgrade` hands the ticket key to the new process (a single server, and a group's
    /// new master and workers): a session begun before the upgrade resumes after it.
    @Test(arguments: [[String](), ["--workers", "2"]])
    func sessionsResumeAcrossAnUpgrade(extra: [String]) throws {
        let pair = try CertificatePair(commonName: "profile")
        let pidFile = temporaryPath("tls-upgrade.pid")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--pid-file", pidFile] + extra)
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        if !extra.isEmpty { try server.waitForLog(containing: "all 2 workers listening") }
        let session = temporaryPath("tls-session.pem")
        let request = "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'"
        let client = "openssl s_client -connect 127.0.0.1:\(server.port) -ign_eof"
        let first = try run("sh", "-c", "\(request) | \(client) -sess_out \(session) 2>&1")
        #expect(first.output.contains("New, TLSv1.3"), "\(first.output.suffix(300))")
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
        try waitUntilGone(server.pid)
        for _ in 0..<4 {
            let next = try run("sh", "-c", "\(request) | \(client) -sess_in \(session) 2>&1")
            #expect(next.output.contains("Reused, TLSv1.3"), "\(next.output.suffix(300))")
            #expect(next.output.contains("Hello from eventserver"))
        }
    }

    /// The workers of a group seal tickets with one key, drawn by the master: a session begun on
    /// any worker resumes on whichever accepts the next connection.
    @Test func sessionsResumeAcrossWorkers() throws {
        let pair = try CertificatePair(commonName: "profile")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--workers", "3"])
        let session = temporaryPath("tls-session.pem")
        let request = "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'"
        let client = "openssl s_client -connect 127.0.0.1:\(server.port) -ign_eof"
        let first = try run("sh", "-c", "\(request) | \(client) -sess_out \(session) 2>&1")
        #expect(first.output.contains("New, TLSv1.3"), "\(first.output.suffix(300))")
        // Eight connections: with three workers, most reach another worker than the first.
        for _ in 0..<8 {
            let next = try run("sh", "-c", "\(request) | \(client) -sess_in \(session) 2>&1")
            #expect(next.output.contains("Reused, TLSv1.3"), "\(next.output.suffix(300))")
        }
    }
}
