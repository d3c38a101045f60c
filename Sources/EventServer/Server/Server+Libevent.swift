internal import Evhttp

extension Server {
    /// The libevent this process runs on and what of it is in effect: the transport's tuned paths
    /// or plain ones, the allocator, the overrides libevent's calls reach (`--version` prints it;
    /// the start-up line carries it).
    public static var libeventSummary: String { LibeventRuntime.current.summary }
}
