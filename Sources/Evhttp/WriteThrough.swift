import CEvent

/// WriteThrough writes a reply to its socket in the loop pass that produced it, instead of one
/// pass later (`BatchedWrites` calls it at the end of the pass).
///
/// `evhttp_send_reply` only queues the reply and enables `EV_WRITE`; the write happens in the
/// next pass, and evhttp's completion (`evhttp_send_done` → read the next request) disables
/// `EV_WRITE` in the pass after: an `epoll_ctl` add and delete in different passes. Writing now,
/// and running the bufferevent's write callback at once when the output is empty
/// (`bufferevent_trigger`), puts the add and the delete in the same pass, where libevent's change
/// list cancels them. A partial write leaves the rest to the bufferevent, as before.
///
/// Plain sockets only (a TLS bufferevent must write through OpenSSL), and only with the change
/// list, which `EventLoop` always sets. After `flush`, evhttp may have freed the request, and the
/// connection too (`Connection: close`): the caller must touch neither.
enum WriteThrough {
    static func flush(_ bufferevent: OpaquePointer) {
        guard let output = bufferevent_get_output(bufferevent) else { return }
        let socket = bufferevent_getfd(bufferevent)
        while evbuffer_get_length(output) > 0 {
            guard evbuffer_write(output, socket) > 0 else { return }  // EAGAIN or an error: the bufferevent's turn
        }
        bufferevent_trigger(bufferevent, Int16(EV_WRITE), 0)
    }
}
