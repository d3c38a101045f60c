/// ConfigurationError is a configuration value that cannot work: the operator must change it.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, in the operator's terms.
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid configuration: \(reason)" }
}
