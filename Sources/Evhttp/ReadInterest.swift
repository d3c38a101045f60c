import CEvent

/// ReadInterest keeps a plain connection's socket registered with epoll for reading between
/// requests, so a keep-alive request costs no `epoll_ctl`.
///
/// evhttp stops reading once a request's head is parsed and starts again once its reply is
/// written; for a reply made at once both happen in one loop pass. libevent's change list
/// cancels an add followed by a delete, but not a delete followed by an add (the descriptor may
/// have been closed in between), so each request cost an `EPOLL_CTL_MOD` that changed nothing
/// (strace: 1.0 a request). A second persistent read event on the socket, held for the
/// connection's life, keeps libevent's count of the socket's readers above zero: evhttp's
/// disable and enable then stay inside libevent.
///
/// It must not keep the socket registered while evhttp is not reading: a client that pipelines
/// behind an async handler's reply, or that closed, would wake the loop on every pass. So when
/// the event fires twice with no byte read by evhttp in between, it stands down until the
/// connection's next reply is written (`resume()`). At worst that is two wake-ups, and the
/// connection then costs the `epoll_ctl` it cost before.
///
/// A request answered directly (`HTTPServerTransport+Direct.swift`) leaves evhttp reading, so
/// the tracker makes one only for a connection's first request evhttp answers itself: a
/// connection served directly holds none, and its reads wake no second event.
///
/// Loop-confined; owned by its `Connection` alone, released when the connection closes.
final class ReadInterest {
    @exclusivity(unchecked) private var event: OpaquePointer?  // set once in init (its context is `self`)
    /// The connection's scanner sees every byte evhttp reads: its count moves while evhttp reads.
    private unowned(unsafe) let connection: Connection
    /// The connection's scanned bytes when the event last fired; nil: not fired since it began.
    @exclusivity(unchecked) private var scannedAtLastWake: Int?
    @exclusivity(unchecked) private var isStandingDown = false

    /// Starts holding `connection`'s socket registered for reading; nil if libevent cannot.
    init?(connection: Connection, base: OpaquePointer) {
        self.connection = connection
        let socket = bufferevent_getfd(connection.bufferevent)
        guard socket >= 0 else { return nil }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let event = event_new(base, socket, Int16(EV_READ | EV_PERSIST), readInterestCallback, context) else {
            return nil
        }
        guard event_add(event, nil) == 0 else {
            event_free(event)
            return nil
        }
        self.event = event
    }

    /// Registers again after standing down: evhttp reads the next request from here.
    func resume() {
        guard isStandingDown, let event else { return }
        isStandingDown = false
        scannedAtLastWake = nil
        event_add(event, nil)
    }

    /// Its connection lets go of it when the connection closes, before evhttp closes the socket.
    deinit {
        if let event { event_free(event) }
    }

    fileprivate func wake() {
        let scanned = connection.scanner.bytesScanned
        guard scanned == scannedAtLastWake, let event else {
            scannedAtLastWake = scanned
            return
        }
        event_del(event)
        isStandingDown = true
    }
}

private func readInterestCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // Its connection holds it until the close, which cannot happen inside this call: no retain.
    Unmanaged<ReadInterest>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.wake() }
}
