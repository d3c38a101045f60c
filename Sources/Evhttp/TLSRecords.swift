import CEvent

/// TLSRecords makes a queued reply one TLS record instead of one per buffer segment.
///
/// evhttp queues a reply as separate segments (the head it formats, the body it moves in), and
/// libevent's OpenSSL bufferevent encrypts each segment as its own record: two `SSL_write`s,
/// each with its fixed cost. Joining the few hundred bytes first halves that. The reply is only
/// queued here (the bufferevent writes it when the socket is writable), so the request and the
/// connection are still alive.
enum TLSRecords {
    /// Joins the unsent output into one contiguous segment when it is small enough to copy.
    static func coalesce(_ bufferevent: OpaquePointer) {
        guard let output = bufferevent_get_output(bufferevent) else { return }
        let length = evbuffer_get_length(output)
        // A large body (a file, a big payload) is written in pieces anyway: leave it.
        guard length > 0, length <= 16 * 1024 else { return }
        _ = evbuffer_pullup(output, -1)
    }
}
