import CEvent

/// DirectWrite writes a reply made without evhttp (`HTTPServerTransport.answerDirectly`) to its
/// socket and completes it; `BatchedWrites` calls it at the end of the pass, as it calls
/// `WriteThrough` for evhttp's replies.
///
/// evhttp is waiting for the next request on that connection and must not see the write: its
/// bufferevent write callback would run the completion of the last reply evhttp itself sent,
/// which it never clears (`evhttp_write_cb` calls `evcon->cb`). So a plain reply goes straight
/// to the socket. One the socket does not take whole, and every reply over TLS, is left to the
/// bufferevent with callbacks of our own, reading off as during evhttp's own writes, and
/// evhttp's are put back once it is written; bytes that arrived meanwhile are then handed to
/// evhttp's parser.
enum DirectWrite {
    static func flush(_ connection: Connection) {
        connection.answeredDirectly = false
        let bufferevent = connection.bufferevent
        guard let output = bufferevent_get_output(bufferevent) else { return }
        let socket = bufferevent_getfd(bufferevent)
        while evbuffer_get_length(output) > 0 {
            guard evbuffer_write(output, socket) > 0 else { return handToBufferevent(connection) }
        }
        connection.tracker.replyWritten(on: connection)
    }

    /// The bufferevent writes the reply as the socket takes it (the rest of a reply the socket
    /// did not take whole; a reply over TLS, which OpenSSL's bufferevent encrypts), or reports a
    /// failure to evhttp, which closes the connection.
    static func handToBufferevent(_ connection: Connection) {
        let bufferevent = connection.bufferevent
        var read: bufferevent_data_cb?
        var write: bufferevent_data_cb?
        var event: bufferevent_event_cb?
        bufferevent_getcb(bufferevent, &read, &write, &event, nil)
        connection.tracker.evhttpCallbacks = EvhttpCallbacks(read: read, write: write, event: event)
        bufferevent_setcb(
            bufferevent, nil, directWrittenCallback, directEventCallback, Unmanaged.passUnretained(connection).toOpaque())
        bufferevent_disable(bufferevent, Int16(EV_READ))
        bufferevent_enable(bufferevent, Int16(EV_WRITE))
    }

    /// Gives the bufferevent back to evhttp, as it was while waiting for a request.
    fileprivate static func restore(_ connection: Connection) {
        let callbacks = connection.tracker.evhttpCallbacks
        bufferevent_setcb(
            connection.bufferevent, callbacks.read, callbacks.write, callbacks.event,
            connection.evhttpConnection.map { UnsafeMutableRawPointer($0) })
    }

    fileprivate static func written(_ connection: Connection) {
        let bufferevent = connection.bufferevent
        restore(connection)
        bufferevent_disable(bufferevent, Int16(EV_WRITE))
        bufferevent_enable(bufferevent, Int16(EV_READ))
        connection.tracker.replyWritten(on: connection)
        if connection.hasUnparsedInput {
            // Read while the reply was written: evhttp's parser runs in the next pass.
            bufferevent_trigger(bufferevent, Int16(EV_READ), Int32(BEV_TRIG_DEFER_CALLBACKS.rawValue))
        }
    }

    fileprivate static func failed(_ connection: Connection, _ what: Int16) {
        restore(connection)
        let callbacks = connection.tracker.evhttpCallbacks
        callbacks.event?(connection.bufferevent, what, connection.evhttpConnection.map { UnsafeMutableRawPointer($0) })
    }
}

/// evhttp's bufferevent callbacks on a connection waiting for a request (the same functions
/// for every connection), kept while a direct reply's write holds the bufferevent.
struct EvhttpCallbacks {
    var read: bufferevent_data_cb?
    var write: bufferevent_data_cb?
    var event: bufferevent_event_cb?
}

private func directWrittenCallback(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    DirectWrite.written(Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue())
}

private func directEventCallback(_: OpaquePointer?, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // evhttp may close the connection inside: the record is held across the call.
    DirectWrite.failed(Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue(), what)
}
