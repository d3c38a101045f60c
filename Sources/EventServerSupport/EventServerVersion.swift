/// EventServerVersion names this build of the server.
public enum EventServerVersion {
    /// The semantic version reported by `--version` and `/status`.
    public static let current = "0.1.0"
}
