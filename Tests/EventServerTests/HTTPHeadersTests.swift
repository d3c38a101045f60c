import Testing
@testable import EventServer

@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCase() {
        let headers: HTTPHeaders = ["Content-Type": "text/plain", "X-Id": "1"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-ID"] == "1")
        #expect(headers["Content-Typ"] == nil)
    }

    @Test func duplicatesAreKeptInOrderAndReplaceable() {
        var headers = HTTPHeaders()
        headers.add(name: "Vary", value: "a")
        headers.add(name: "vary", value: "b")
        #expect(headers.values(named: "VARY") == ["a", "b"])
        headers.replaceOrAdd(name: "Vary", value: "c")
        #expect(headers.values(named: "vary") == ["c"])
        #expect(headers.count == 1)
    }
}

/// The transport refills one header list per request (`overwrite(at:name:value:)`).
@Suite struct HTTPHeadersRefillTests {
    private func fill(_ headers: inout HTTPHeaders, _ fields: [(String, [UInt8])]) {
        for (index, field) in fields.enumerated() {
            Array(field.0.utf8).withUnsafeBytes { name in
                field.1.withUnsafeBytes { value in headers.overwrite(at: index, name: name, value: value) }
            }
        }
        headers.truncate(to: fields.count)
    }

    @Test func refillsReplaceChangedFieldsAndDropTheRest() {
        var headers = HTTPHeaders()
        fill(&headers, [("Host", Array("a.example".utf8)), ("Accept", Array("*/*".utf8)), ("X-Old", [0x31])])
        let held = headers  // a request a task still holds
        fill(&headers, [("Host", Array("a.example".utf8)), ("User-Agent", Array("curl/8".utf8))])
        #expect(headers.map(\.name) == ["Host", "User-Agent"])
        #expect(headers["user-agent"] == "curl/8")
        #expect(headers["accept"] == nil)
        #expect(held.map(\.name) == ["Host", "Accept", "X-Old"], "copy-on-write keeps the held list intact")
        #expect(held["accept"] == "*/*")
    }

    @Test func bytesThatAreNotUTF8AreDecodedAnewNeverMatched() {
        var headers = HTTPHeaders()
        fill(&headers, [("X-Bin", [0xFF, 0x41])])
        #expect(headers["x-bin"] == "\u{FFFD}A")
        fill(&headers, [("X-Bin", [0xEF, 0xBF, 0xBD, 0x41])])  // the replacement character's own bytes
        #expect(headers["x-bin"] == "\u{FFFD}A")
        fill(&headers, [("X-Bin", [0xFF, 0x42])])
        #expect(headers["x-bin"] == "\u{FFFD}B")
    }

    @Test func caseIsIgnoredForASCIILettersOnly() {
        #expect("Content-Type".equalsIgnoringASCIICase("content-TYPE"))
        #expect(!"Content-Type".equalsIgnoringASCIICase("Content-Typf"))
        #expect(!"Content-Type".equalsIgnoringASCIICase("Content-Typ"))
        #expect("X-Über-Long-Name-Beyond-Fifteen".equalsIgnoringASCIICase("x-Über-long-name-beyond-fifteen"))
        #expect(!"x-über".equalsIgnoringASCIICase("X-ÜBER"))  // Ü is not ASCII
        #expect(!"[".equalsIgnoringASCIICase("{"))  // 0x5B and 0x7B differ by the case bit, not by case
    }

    @Test func onlyFieldsThatFitOneLineCanBeSent() {
        #expect(HTTPHeaders.Field(name: "X-Kept", value: "a\tb ü").isSendable)
        #expect(HTTPHeaders.Field(name: "X-Empty", value: "").isSendable)
        #expect(!HTTPHeaders.Field(name: "X-Split", value: "ok\r\nSet-Cookie: x=1").isSendable)
        #expect(!HTTPHeaders.Field(name: "X-Folded", value: "a\r\n b").isSendable)
        #expect(!HTTPHeaders.Field(name: "X-Nul", value: "a\u{0}b").isSendable)
        #expect(!HTTPHeaders.Field(name: "Bad Name", value: "x").isSendable)
        #expect(!HTTPHeaders.Field(name: "X:Colon", value: "x").isSendable)
        #expect(!HTTPHeaders.Field(name: "", value: "x").isSendable)
    }

    @Test func sameBytesIsNotCanonicalEquivalence() {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift's ==
        #expect(!composed.hasSameBytes(as: decomposed))
        #expect("".hasSameBytes(as: ""))
        #expect(String(repeating: "long value ", count: 4).hasSameBytes(as: String(repeating: "long value ", count: 4)))
        let headers: HTTPHeaders = ["X-Menu": composed]
        #expect(headers.hasSameBytes(as: headers))
        #expect(!headers.hasSameBytes(as: ["X-Menu": decomposed]))
        #expect(headers.hasSameBytes(as: ["X-Menu": "caf\u{E9}"]))
        #expect(!headers.hasSameBytes(as: ["X-Menu": composed, "X-More": "1"]))
    }
}
