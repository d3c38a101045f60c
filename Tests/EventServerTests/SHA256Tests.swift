import EventServer
import Testing

/// The bypass token's digest (EventServerSupport/SHA256.swift) against FIPS 180-4's examples.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func knownDigests(message: String, expected: String) {
        #expect(SHA256.hexDigest(Array(message.utf8)) == expected)
    }

    @Test func constantTimeEqualityComparesWholeValues() {
        #expect(SHA256.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!SHA256.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!SHA256.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(SHA256.constantTimeEquals([], []))
    }

    @Test func bypassTokensAreFreshAndKeptAsDigests() {
        let first = MaintenanceBypass.makeToken(), second = MaintenanceBypass.makeToken()
        #expect(first.count == 32 && second.count == 32)
        #expect(first != second)
        #expect(MaintenanceBypass.digest(of: first) == SHA256.hexDigest(Array(first.utf8)))
        let request = Request(method: .get, path: "/", headers: ["Cookie": "a=1;eventserver_bypass=\(first)"])
        #expect(MaintenanceBypass.admits(request, digest: MaintenanceBypass.digest(of: first)))
        #expect(!MaintenanceBypass.admits(request, digest: MaintenanceBypass.digest(of: second)))
    }
}
