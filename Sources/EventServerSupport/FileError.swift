/// FileError is a file the server was told to read or maintain that it cannot use.
public enum FileError: Error, Equatable, CustomStringConvertible {
    /// A file the configuration names could not be read.
    case unreadable(path: String, reason: String)
    /// A file the server maintains could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .unwritable(path, reason): "cannot write \(path): \(reason)"
        }
    }

    /// Whether the file simply does not exist (as opposed to existing and being unusable).
    public var isMissing: Bool {
        if case let .unreadable(_, reason) = self { return reason == Self.missingReason }
        return false
    }

    static let missingReason = "No such file or directory"
}
