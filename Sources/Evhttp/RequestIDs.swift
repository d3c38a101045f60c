/// RequestIDs gives each request its id (`--request-id`): the `X-Request-ID` a trusted balancer
/// sent, when it is a sane token, or one made here — a random prefix drawn once per process
/// (a worker draws its own) and a counter, so a request costs no system call.
struct RequestIDs {
    private let prefix: String
    private var counter: UInt64 = 0

    /// The longest id taken from a balancer.
    static let maxLength = 128

    init() {
        var generator = SystemRandomNumberGenerator()
        let digits = String(generator.next() as UInt64, radix: 16)
        prefix = String(repeating: "0", count: 16 - digits.count) + digits + "-"
    }

    /// `offered` when it is sane (a balancer's id, passed on), else a new one.
    mutating func id(offered: String?) -> String {
        if let offered, Self.isSane(offered) { return offered }
        counter &+= 1
        return prefix + String(counter, radix: 16)
    }

    /// 1 to 128 characters from letters, digits and `-_.:+/=@`: what ids in use look like (UUIDs,
    /// hex, base64), and nothing that could split a header or a log line.
    static func isSane(_ value: String) -> Bool {
        let bytes = value.utf8
        guard (1...maxLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "+"),
                UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
    }
}
