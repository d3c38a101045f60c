import CEvent
import CTCPProgress
import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// Connection is the transport's record of one accepted connection: its bufferevent, evhttp's
/// connection object once known, the scanner that checks its raw bytes, and its deadlines.
///
/// Loop-confined; owned by `ConnectionTracker` from accept to close.
final class Connection {
    let bufferevent: OpaquePointer
    /// evhttp's connection object, known from the loop pass after accept (`adopted(by:)`).
    @exclusivity(unchecked) private(set) var evhttpConnection: OpaquePointer?
    /// The peer's address, read once, when evhttp's connection object is known; or the client's,
    /// from a trusted balancer's PROXY header.
    @exclusivity(unchecked) private(set) var peerAddress: String?
    /// Ranges whose peers must begin with a PROXY header (`--proxy-protocol-from`); while
    /// non-empty, the connection's first bytes go through `proxyGate`.
    private let trustedProxies: [AddressRange]
    /// Holds the first bytes until the PROXY header is settled; nil before the first bytes.
    @exclusivity(unchecked) private var proxyGate: ProxyHeaderGate?
    /// The first bytes while they are a proper prefix of the HTTP/2 preface.
    @exclusivity(unchecked) private var prefaceHeld: [UInt8] = []
    @exclusivity(unchecked) var scanner: RequestScanner
    /// The reply a task is producing for this connection's request, if any.
    @exclusivity(unchecked) var pending: PendingReply?
    /// The tick the current deadline window began: accept, or the end of the previous reply.
    @exclusivity(unchecked) var windowStart: Int
    /// The tick since which the client has sent no byte and taken none of a reply waiting to
    /// be sent (`noteProgress`): the clock of `--timeout`.
    @exclusivity(unchecked) private(set) var quietSince: Int
    /// The tracker that owns this record (and outlives it): told of violations and replies.
    /// `unowned(unsafe)`: that ownership makes the reference valid, so no check per request.
    unowned(unsafe) let tracker: ConnectionTracker
    @exclusivity(unchecked) private var inputCallback: OpaquePointer?
    /// Holds the socket registered for reading between requests (plain connections only).
    @exclusivity(unchecked) var readInterest: ReadInterest?
    /// What the last `noteProgress` saw: bytes scanned in all, bytes of reply still unsent, and
    /// bytes the client's TCP acknowledged in all (nil where the kernel does not say).
    @exclusivity(unchecked) private var lastSeen: (scanned: Int, unsent: Int, acked: UInt64?) = (0, 0, nil)
    /// The tick the refusal was sent; the socket then lingers, reading and dropping, until the
    /// client closes or the linger ends, so the reply is not lost to a reset.
    @exclusivity(unchecked) var lingeringSince: Int?
    // The one-byte fields together, after the word-sized ones and in the optionals' spare
    // bytes: no padding between them.
    /// Whether `peerAddress` came from a PROXY header (the socket's is then the balancer's).
    @exclusivity(unchecked) private(set) var isProxied = false
    /// Whether the peer is a `--proxy-protocol-from` balancer that began with a valid header:
    /// what it says of the request (its `X-Request-ID`) is trusted.
    @exclusivity(unchecked) private(set) var isFromTrustedProxy = false
    /// Whether the connection's beginning is settled: at once without `--proxy-protocol-from`.
    @exclusivity(unchecked) private var proxyHeaderSettled: Bool
    /// Whether it is settled that this is not an HTTP/2 connection: at once without `--http2`,
    /// else at its first bytes (after TLS, whose ALPN offered h2, they are the decrypted ones).
    @exclusivity(unchecked) private var prefaceSettled: Bool
    /// Set when the socket went to an `HTTP2Connection`: evhttp's side is closed, unread.
    @exclusivity(unchecked) var isHandedOff = false
    /// Whether a request was handed up and its reply is not yet written.
    @exclusivity(unchecked) var replyPending = false
    /// Whether a reply evhttp has queued waits to be written at the end of the pass
    /// (`BatchedWrites`); cleared when it is written, or the connection closes, before then.
    @exclusivity(unchecked) var awaitsWrite = false
    /// Whether the reply waiting in the output was made without evhttp (`DirectWrite` writes it).
    @exclusivity(unchecked) var answeredDirectly = false
    /// Whether reading stopped while a task answers a request read without evhttp; resumed once
    /// the reply is written (`ConnectionTracker.replyWritten`).
    @exclusivity(unchecked) var readsPaused = false
    /// Close once the reply in flight is written. evhttp never closes a CONNECT connection
    /// itself, even after answering `Connection: close`, so a client waiting for the close would
    /// hang until the timeout.
    @exclusivity(unchecked) var closeAfterReply = false
    /// Why the transport refuses this connection, once it does.
    @exclusivity(unchecked) var refusal: ConnectionRefusal?
    /// Set while `keepInput` puts back the requests it keeps.
    @exclusivity(unchecked) private var keepingInput = false
    /// Whether the bytes go through OpenSSL: never written to the socket directly.
    let isTLS: Bool

    init(
        bufferevent: OpaquePointer, tracker: ConnectionTracker, isTLS: Bool, maxHeadBytes: Int, tick: Int,
        trustedProxies: [AddressRange], servesHTTP2: Bool
    ) {
        self.bufferevent = bufferevent
        self.isTLS = isTLS
        self.tracker = tracker
        self.trustedProxies = trustedProxies
        proxyHeaderSettled = trustedProxies.isEmpty
        prefaceSettled = !servesHTTP2
        scanner = RequestScanner(maxHeadBytes: maxHeadBytes)
        windowStart = tick
        quietSince = tick
    }

    /// Called once a second, after the tick advanced: restarts the quiet clock if a byte arrived
    /// since the last call or, while a reply is pending, nothing of it is left to send (such as
    /// a reply an async handler is still making: not the client's silence) or the client's TCP
    /// acknowledged more of the connection's bytes. Acknowledgements, not the output buffer:
    /// the kernel wakes a writer only once a good part of its send buffer is free, and OpenSSL
    /// takes a large piece of a reply whole, so a client reading steadily can leave the buffer
    /// unchanged for seconds; a client that stops reading fills its receive window, and its
    /// acknowledgements stop. (Where the kernel says nothing, a shrinking buffer counts.)
    /// Counting here, rather than arming a timeout on every read and write event,
    /// keeps timers off the request path. Returns the ticks since the quiet began, counted from
    /// the deadline window's start at the earliest (a written reply is the client's progress
    /// too). Like `windowStart`, `quietSince` is the tick in force when the progress happened
    /// (the one before this call's), so strictly more ticks than the timeout means at least the
    /// timeout has passed.
    func noteProgress(at tick: Int) -> Int {
        let scanned = scanner.bytesScanned
        var moved = scanned != lastSeen.scanned
        var unsent = 0
        var acked: UInt64?
        if replyPending {
            unsent = evbuffer_get_length(bufferevent_get_output(bufferevent))
            acked = bytesAcknowledged
            let taken = if let acked, let before = lastSeen.acked { acked != before } else { unsent < lastSeen.unsent }
            moved = moved || unsent == 0 || taken
        }
        if moved { quietSince = tick - 1 }
        lastSeen = (scanned, unsent, acked)
        return tick - max(quietSince, windowStart)
    }

    /// The bytes of this connection its client's TCP acknowledged so far, if the kernel says.
    private var bytesAcknowledged: UInt64? {
        var acked: UInt64 = 0
        return ctcp_bytes_acked(bufferevent_getfd(bufferevent), &acked) == 0 ? acked : nil
    }

    /// Starts watching the bytes evhttp has not parsed yet; the tracker gets the violations.
    func watchInput() {
        let input = bufferevent_get_input(bufferevent)
        inputCallback = evbuffer_add_cb(input, inputChangedCallback, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Stops watching (the connection is closing).
    func stopWatchingInput() {
        if let inputCallback { evbuffer_remove_cb_entry(bufferevent_get_input(bufferevent), inputCallback) }
        inputCallback = nil
    }

    /// Drops every byte evhttp has not parsed yet, so none of it is read as a request.
    func dropInput() {
        let input = bufferevent_get_input(bufferevent)
        evbuffer_drain(input, evbuffer_get_length(input))
    }

    /// evhttp has wrapped the bufferevent in `evhttpConnection`.
    func adopted(by evhttpConnection: OpaquePointer) {
        self.evhttpConnection = evhttpConnection
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(evhttpConnection, &address, &port)
        if !isProxied { peerAddress = address.map { String(cString: $0) } }
        // OpenSSL writes a reply as several records; with Nagle's algorithm the second waits
        // for the client's delayed ACK (40 ms). Plain replies go out in one write anyway.
        if isTLS {
            var one: Int32 = 1
            setsockopt(bufferevent_getfd(bufferevent), Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Runs inside evbuffer_read, before evhttp's parser sees the new bytes (bufferevent_sock.c:
    /// evbuffer_read invokes the buffer's callbacks, then the read callback is triggered).
    fileprivate func inputChanged(_ input: OpaquePointer, added: Int) {
        if keepingInput { return }
        if refusal != nil { return dropInput() }
        tracker.lastScanned = self
        if !proxyHeaderSettled {
            if proxyGate == nil { proxyGate = ProxyHeaderGate(peerIsTrusted: isTrustedProxy) }
            return passProxyHeader(input)
        }
        receive(input, added: added)
    }

    /// The connection's bytes after any PROXY header: the HTTP/2 preface check at the start,
    /// then the HTTP/1.1 scan.
    @inline(__always)
    private func receive(_ input: OpaquePointer, added: Int) {
        if !prefaceSettled { return checkPreface(input) }
        scan(input, added: added)
    }

    /// Holds the first bytes out of evhttp's sight while they could be the HTTP/2 preface
    /// (`PRI * HTTP/2.0` would otherwise reach evhttp as a request line); the preface hands the
    /// socket to HTTP/2, anything else goes on as HTTP/1.1. An HTTP/1.1 request differs from the
    /// preface in its first bytes, so it is told apart by a look in place, nothing moved.
    private func checkPreface(_ input: OpaquePointer) {
        let preface = HTTP2Connection.preface
        let length = evbuffer_get_length(input)
        if prefaceHeld.isEmpty {
            var first = [UInt8](repeating: 0, count: min(length, preface.count))
            evbuffer_copyout(input, &first, first.count)
            if !preface.starts(with: first) {
                prefaceSettled = true
                return scan(input, added: length)
            }
        }
        var bytes = [UInt8](repeating: 0, count: length)
        evbuffer_remove(input, &bytes, length)
        prefaceHeld += bytes
        if prefaceHeld.count < preface.count && preface.starts(with: prefaceHeld) { return }  // wait for more
        prefaceSettled = true
        let held = prefaceHeld
        prefaceHeld = []
        if held.starts(with: preface) { return tracker.handOffToHTTP2(self, initialBytes: held) }
        keepingInput = true
        evbuffer_add(input, held, held.count)
        keepingInput = false
        scan(input, added: held.count)
    }

    /// Whether the socket's peer is in `trustedProxies` (read from the socket: evhttp may not
    /// have adopted the connection yet).
    private var isTrustedProxy: Bool {
        guard let peer = SocketAddress.peer(of: bufferevent_getfd(bufferevent)) else { return false }
        return trustedProxies.contains { $0.contains(peer.host) }
    }

    /// Takes the new bytes out of evhttp's sight until the gate settles; then what follows the
    /// header is put back and scanned as the connection's first bytes.
    private func passProxyHeader(_ input: OpaquePointer) {
        let length = evbuffer_get_length(input)
        var bytes = [UInt8](repeating: 0, count: length)
        evbuffer_remove(input, &bytes, length)  // a removal: no new input for this callback
        switch proxyGate?.take(bytes) ?? .waiting {
        case .waiting:
            return
        case let .refused(violation):
            proxyGate = nil
            proxyHeaderSettled = true
            tracker.refuse(self, .violation(violation))
        case let .passed(header, rest):
            isFromTrustedProxy = proxyGate?.peerIsTrusted ?? false
            proxyGate = nil
            proxyHeaderSettled = true
            if let source = header?.sourceAddress {
                peerAddress = source
                isProxied = true
            }
            guard !rest.isEmpty else { return }
            keepingInput = true  // put back, then scanned below, once
            evbuffer_add(input, rest, rest.count)
            keepingInput = false
            receive(input, added: rest.count)
        }
    }

    /// Scans the `added` bytes at the end of `input` with the connection's `RequestScanner`.
    /// Inlined into `inputChanged`, where it was written before the PROXY gate came in front of it.
    @inline(__always)
    private func scan(_ input: OpaquePointer, added: Int) {
        let length = evbuffer_get_length(input)
        var offset = length - added
        // The buffer begins with these bytes, at the start of a request: evhttp is waiting for
        // a request line and has read nothing of this one.
        let beginsRequest = offset == 0 && scanner.position == .betweenRequests
        // Every byte before the new ones was scanned by earlier calls: where the buffer begins
        // in the connection's stream (a violation stops the scan short of the buffer's end).
        let bufferStart = scanner.bytesScanned - offset
        var violation: RequestViolation?
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: 8) { vectors in
            var start = evbuffer_ptr()
            while offset < length && violation == nil {
                let wanted = length - offset
                let extents: Int32
                if offset == 0 {  // usual: evhttp consumed all before, the new bytes are the buffer
                    extents = evbuffer_peek(input, wanted, nil, vectors.baseAddress, Int32(vectors.count))
                } else {
                    guard evbuffer_ptr_set(input, &start, offset, EVBUFFER_PTR_SET) == 0 else { return }
                    extents = evbuffer_peek(input, wanted, &start, vectors.baseAddress, Int32(vectors.count))
                }
                for vector in vectors.prefix(Int(min(extents, Int32(vectors.count)))) where violation == nil {
                    let size = min(vector.iov_len, length - offset)
                    violation = scanner.scan(UnsafeRawBufferPointer(start: vector.iov_base, count: size))
                    offset += size
                }
                if extents <= Int32(vectors.count) { break }
            }
        }
        guard let violation else {
            if beginsRequest && scanner.position == .betweenRequests && scanner.endOfLastRequest == scanner.bytesScanned
                && !replyPending && !closeAfterReply && evhttpConnection != nil,
                let directResponder = tracker.directResponder, !tracker.isDraining
            {
                directResponder.answerDirectly(self, input: input)
            }
            return
        }
        // Whole requests that came before the offending one in this read are still answered;
        // nothing of the offending request (nor anything after it) reaches evhttp's parser.
        keepInput(first: scanner.endOfLastRequest - bufferStart)
        tracker.refuse(self, .violation(violation))
    }

    /// Drops every byte evhttp has not parsed yet but the first `count` (whole requests).
    private func keepInput(first count: Int) {
        guard count > 0, let kept = evbuffer_new() else { return dropInput() }
        defer { evbuffer_free(kept) }
        let input = bufferevent_get_input(bufferevent)
        evbuffer_remove_buffer(input, kept, count)
        dropInput()
        keepingInput = true  // putting the kept bytes back is not new input to scan
        evbuffer_add_buffer(input, kept)
        keepingInput = false
    }

    /// Puts a request's bytes back in front of the input for evhttp to parse, not scanned again
    /// (they were when they came).
    func putBack(_ bytes: [UInt8]) {
        keepingInput = true
        evbuffer_prepend(bufferevent_get_input(bufferevent), bytes, bytes.count)
        keepingInput = false
    }

    /// Whether there are bytes evhttp has not parsed yet (requests kept ahead of a refusal).
    var hasUnparsedInput: Bool { evbuffer_get_length(bufferevent_get_input(bufferevent)) > 0 }
}

private func inputChangedCallback(
    _ input: OpaquePointer?, _ info: UnsafePointer<evbuffer_cb_info>?, _ context: UnsafeMutableRawPointer?
) {
    // Most calls are evhttp consuming what it parsed: answered before touching the connection.
    guard let info, info.pointee.n_added > 0, let input, let context else { return }
    // The tracker holds the record until the close, which cannot happen inside this call: no
    // retain around it.
    Unmanaged<Connection>.fromOpaque(context)._withUnsafeGuaranteedRef {
        $0.inputChanged(input, added: info.pointee.n_added)
    }
}
