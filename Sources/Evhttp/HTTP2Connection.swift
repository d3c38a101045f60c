import CEvent
import CNGHTTP2
import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// HTTP2Connection serves one cleartext HTTP/2 connection (prior knowledge) on the loop, framed
/// by nghttp2: bytes read from its bufferevent go to `nghttp2_session_mem_recv`, the frames
/// nghttp2 produces are written to the bufferevent. Each complete request goes to the same
/// responder as HTTP/1.1 (route table, gate, middleware) and its reply is submitted on its stream.
///
/// The socket was accepted by evhttp and handed over when its first bytes were the preface
/// (`ConnectionTracker.handOffToHTTP2`): this connection takes over evhttp's bufferevent (its
/// callbacks, never its descriptor, which evhttp shuts down and closes when its connection is
/// freed) and, when done, asks for evhttp's connection to be freed (`release`). Loop-confined;
/// the transport holds it from start to close.
final class HTTP2Connection {
    /// One request being received, then its reply being sent.
    final class Stream {
        /// The loop's second its HEADERS began: the header and request deadlines count from it.
        let openedAt: Int
        /// Whether the header block has ended, and whether a reply was submitted (to the whole
        /// request, or a refusal before it ended): nothing more is answered after one.
        var headComplete = false
        var answered = false
        var method = ""
        var path = ""
        var headers = HTTPHeaders()
        var body: [UInt8] = []
        /// Set when the body passed `--max-body-bytes`: the rest is dropped, not kept.
        var bodyTooLarge = false
        /// The header fields' bytes so far, and whether they passed `--max-header-bytes`.
        var headerBytes = 0
        var headersTooLarge = false
        var reply: [UInt8] = []
        var replySent = 0
        /// The task making an async handler's reply, cancelled if the stream closes first.
        var task: Task<Void, Never>?
        /// A streamed body: true while its producer may still write (`reply` holds what it
        /// wrote and nghttp2 has not taken yet), and the producer waiting for room.
        var isStreaming = false
        var drainWaiter: CheckedContinuation<Void, any Error>?
        /// A file reply: the region's descriptor and the next offset to read, bytes left.
        var file: (descriptor: Int32, offset: Int, remaining: Int)?

        init(openedAt: Int) {
            self.openedAt = openedAt
        }

        deinit {
            if let file { Glibc.close(file.descriptor) }
            drainWaiter?.resume(throwing: CancellationError())
        }
    }

    private let bufferevent: OpaquePointer
    private var session: OpaquePointer?
    private var streams: [Int32: Stream] = [:]
    /// The transport this connection answers through; it holds this connection until `close`.
    private unowned(unsafe) let transport: HTTPServerTransport
    private let peerAddress: String?
    /// The same limits as HTTP/1.1's: `--max-header-bytes` bounds a request's header fields
    /// (names and values, 431 past it), `--max-body-bytes` its body (413); the deadlines apply
    /// per stream (`checkDeadlines`).
    private let limits: HTTPLimits
    private var isClosed = false
    /// Whether nghttp2 holds frames the output had no room for (`send`), until it drains.
    private var isOutputFull = false
    /// Frees evhttp's connection, and with it the bufferevent and the socket, at a safe point.
    private let release: () -> Void
    /// The transport's key for this connection.
    var key: ObjectIdentifier?
    /// The loop's second when bytes last arrived (the idle clock).
    private var lastReceived: Int
    /// Bytes handed to the output so far, those the socket had taken at the last deadline
    /// check, and the second it last took any: a client that takes nothing for `--timeout` is
    /// closed (write timeout), one that reads slowly is not.
    private var bytesQueued = 0
    private var bytesSentAtLastCheck = 0
    private var lastWriteProgress: Int
    /// When the shutdown notice went out (`goAway`), and whether the final GOAWAY has.
    private var goingAwaySince: Int?
    private var sentFinalGoAway = false
    /// The stream resets still allowed (a token bucket refilled at `resetsPerSecond`), and when
    /// it was last refilled.
    private var resetTokens = Double(HTTP2Connection.resetBurst)
    private var resetsCountedAt = MonotonicClock.seconds()

    /// The most streams a client may have open at once.
    static let maxConcurrentStreams: UInt32 = 100
    /// Stream resets a client may send: a burst, then this many a second. Past it the
    /// connection ends with GOAWAY ENHANCE_YOUR_CALM (`noteReset`); nghttp2's own limit, set a
    /// little higher, is the backstop (it answers INTERNAL_ERROR).
    static let resetBurst: UInt64 = 200
    static let resetsPerSecond: UInt64 = 33
    /// CONTINUATION frames one header block may take.
    static let maxContinuations = 8
    /// Unsent bytes at which nghttp2's frames stay with nghttp2 (it makes them as the output
    /// drains: file replies are read from disk then) and the connection stops reading until its
    /// client takes them: a client that sends requests and never reads the replies holds this
    /// much, not more, whatever windows it grants.
    static let outputLimit = 256 * 1024
    /// SETTINGS and PING acknowledgements queued at most, and entries one SETTINGS may carry.
    static let maxOutboundAcks = 1000
    static let maxSettings = 32
    /// What a client speaking HTTP/2 with prior knowledge sends first (RFC 9113 §3.4).
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    init(
        bufferevent: OpaquePointer, transport: HTTPServerTransport, peerAddress: String?, limits: HTTPLimits,
        release: @escaping () -> Void
    ) {
        self.limits = limits
        self.bufferevent = bufferevent
        self.transport = transport
        self.peerAddress = peerAddress
        self.release = release
        lastReceived = transport.loop.cachedUnixSeconds
        lastWriteProgress = lastReceived
    }

    /// Called once a second. HTTP/1.1's deadlines, per stream: a header block unfinished after
    /// `--header-timeout` ends the connection (nghttp2 takes no other frame until it ends); a
    /// request unfinished after `--request-timeout`, or quiet for `--timeout`, gets 408 on its
    /// stream; a client that takes no byte of its replies for `--timeout` is closed; a
    /// connection with no stream, quiet for the shorter of `--timeout` and `--header-timeout`,
    /// gets GOAWAY (as an idle HTTP/1.1 connection is closed).
    func checkDeadlines(now: Int) {
        guard !isClosed, let session else { return }
        let unsent = evbuffer_get_length(bufferevent_get_output(bufferevent))
        let bytesSent = bytesQueued - unsent
        if unsent == 0 || bytesSent > bytesSentAtLastCheck { lastWriteProgress = now }
        bytesSentAtLastCheck = bytesSent
        if now - lastWriteProgress > limits.idleTimeoutSeconds {
            transport.http2Refused(.writeTimeout, peerAddress: peerAddress)
            return close()
        }
        if let since = goingAwaySince, !sentFinalGoAway, now - since >= 2 {  // a full second for the notice to arrive
            sentFinalGoAway = true
            let lastStream = nghttp2_session_get_last_proc_stream_id(session)
            nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStream, UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
            if !flush() { return close() }
            if streams.isEmpty && evbuffer_get_length(bufferevent_get_output(bufferevent)) == 0 { return close() }
        }
        if streams.isEmpty {
            if now - lastReceived >= min(limits.idleTimeoutSeconds, limits.headerTimeoutSeconds) { terminate(NGHTTP2_NO_ERROR) }
            return
        }
        let quiet = now - lastReceived > limits.idleTimeoutSeconds
        var refused = false
        for (streamID, stream) in streams where !stream.answered {
            let elapsed = now - stream.openedAt
            if !stream.headComplete && (elapsed > limits.headerTimeoutSeconds || quiet) {
                // A header block held open stops the whole connection (a slow-client attack).
                transport.http2Refused(.headerTimeout, peerAddress: peerAddress)
                return terminate(NGHTTP2_ENHANCE_YOUR_CALM)
            }
            let refusal: ConnectionRefusal? =
                elapsed > limits.requestTimeoutSeconds ? .requestTimeout : quiet ? .readTimeout : nil
            guard let refusal else { continue }
            transport.http2Refused(refusal, peerAddress: peerAddress)
            submit(Self.timedOut, method: .get, on: streamID, stream, session)
            refused = true
        }
        if refused && !flush() { close() }
    }

    /// Starts the session with the bytes already read (the preface and what followed).
    func start(with initialBytes: [UInt8]) -> Bool {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { return false }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_send_callback(callbacks, sendCallback)
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, beginHeadersCallback)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, headerCallback)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, dataChunkCallback)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, frameReceivedCallback)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, streamClosedCallback)
        var options: OpaquePointer?
        guard nghttp2_option_new(&options) == 0, let options else { return false }
        defer { nghttp2_option_del(options) }
        // The known floods: streams opened and reset at once (CVE-2023-44487), endless
        // CONTINUATION frames, SETTINGS and PING frames sent only to make the server answer.
        // nghttp2 answers each with GOAWAY (ENHANCE_YOUR_CALM) and the connection ends.
        nghttp2_option_set_stream_reset_rate_limit(options, Self.resetBurst * 2, Self.resetsPerSecond * 2)
        nghttp2_option_set_max_continuations(options, Self.maxContinuations)
        nghttp2_option_set_max_outbound_ack(options, Self.maxOutboundAcks)
        nghttp2_option_set_max_settings(options, Self.maxSettings)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard nghttp2_session_server_new2(&session, callbacks, context, options) == 0, let session else { return false }
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: Self.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(limits.maxHeaderBytes)),
        ]
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count) == 0 else { return false }
        bufferevent_setcb(bufferevent, http2ReadCallback, http2WriteCallback, http2EventCallback, context)
        // `written` refills the output while a quarter is left, so the socket does not run dry.
        bufferevent_setwatermark(bufferevent, Int16(EV_WRITE), Self.outputLimit / 4, 0)
        bufferevent_enable(bufferevent, Int16(EV_READ | EV_WRITE))
        return initialBytes.withUnsafeBufferPointer { receive($0) } && flush()
    }

    /// Ends the connection gracefully (the server is stopping or being replaced), as RFC 9113
    /// §6.8 advises: a GOAWAY naming the largest stream id at once, so the client opens no more
    /// streams here, and one to two seconds later (time for the notice to reach the client and
    /// its requests already on the way to arrive) the final GOAWAY naming the last stream
    /// taken; the client retries any later one elsewhere, the streams taken finish, and the
    /// connection closes when they have (`written`).
    func goAway() {
        guard let session, !isClosed, goingAwaySince == nil else { return }
        goingAwaySince = transport.loop.cachedUnixSeconds
        nghttp2_submit_shutdown_notice(session)
        if !flush() { close() }
    }

    /// Ends an idle connection: GOAWAY, then close once written.
    private func terminate(_ code: nghttp2_error_code) {
        guard let session else { return }
        nghttp2_session_terminate_session(session, code.rawValue)
        if !flush() { close() }
    }

    // MARK: Bytes in and out

    fileprivate func readable() {
        let input = bufferevent_get_input(bufferevent)
        let length = evbuffer_get_length(input)
        guard length > 0, let bytes = evbuffer_pullup(input, length) else { return }
        lastReceived = transport.loop.cachedUnixSeconds
        let ok = receive(UnsafeBufferPointer(start: bytes, count: length))
        evbuffer_drain(input, length)
        if !ok || !flush() { close() }
    }

    /// Feeds `bytes` to nghttp2 in place (the input buffer's, or the bytes read before the hand-off).
    private func receive(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let session else { return false }
        let result = nghttp2_session_mem_recv(session, bytes.baseAddress, bytes.count)
        if result == NGHTTP2_ERR_FLOODED.rawValue || result == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue {
            transport.http2Refused(.flood, peerAddress: peerAddress)
        }
        return result >= 0
    }

    /// Hands nghttp2's pending frames to the bufferevent; false when the session failed.
    @discardableResult
    private func flush() -> Bool {
        guard let session else { return false }
        guard nghttp2_session_send(session) == 0 else { return false }
        if isOutputFull {
            bufferevent_disable(bufferevent, Int16(EV_READ))  // until `written` finds it drained
        }
        return true
    }

    fileprivate func written() {
        guard let session else { return }
        let output = bufferevent_get_output(bufferevent)
        if isOutputFull {  // drained: what nghttp2 held goes out, and the next requests are read
            isOutputFull = false
            bufferevent_enable(bufferevent, Int16(EV_READ))
            if !flush() { return close() }
        }
        if evbuffer_get_length(output) == 0 && nghttp2_session_want_read(session) == 0
            && nghttp2_session_want_write(session) == 0
        {
            close()
        }
    }

    func close() {
        guard !isClosed else { return }
        abandon()
        bufferevent_setcb(bufferevent, nil, nil, nil, nil)
        bufferevent_disable(bufferevent, Int16(EV_READ | EV_WRITE))
        release()
    }

    /// Lets go of the session; evhttp's connection is going away (or already gone) by itself.
    func abandon() {
        guard !isClosed else { return }
        isClosed = true
        if let session { nghttp2_session_del(session) }
        session = nil
        for stream in streams.values { stream.task?.cancel() }
        streams.removeAll()
        transport.http2ConnectionClosed(self)
    }

    fileprivate func send(_ data: UnsafePointer<UInt8>, _ length: Int) -> Int {
        if evbuffer_get_length(bufferevent_get_output(bufferevent)) >= Self.outputLimit {
            isOutputFull = true
            return Int(NGHTTP2_ERR_WOULDBLOCK.rawValue)
        }
        bufferevent_write(bufferevent, data, length)
        bytesQueued += length
        return length
    }

    // MARK: Requests and replies

    fileprivate func beginRequest(_ streamID: Int32) {
        streams[streamID] = Stream(openedAt: transport.loop.cachedUnixSeconds)
    }

    fileprivate func headComplete(_ streamID: Int32) {
        streams[streamID]?.headComplete = true
    }

    /// Counts a field before decoding it, so fields past the limit (an HPACK bomb's thousands of
    /// references to one large entry) cost no copy.
    fileprivate func header(_ streamID: Int32, name rawName: UnsafeBufferPointer<UInt8>, value rawValue: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID], !stream.headersTooLarge else { return }
        stream.headerBytes += rawName.count + rawValue.count
        guard stream.headerBytes <= limits.maxHeaderBytes else {
            stream.headersTooLarge = true
            stream.headers = HTTPHeaders()
            return
        }
        let name = String(decoding: rawName, as: UTF8.self)
        let value = String(decoding: rawValue, as: UTF8.self)
        switch name {
        case ":method": stream.method = value
        case ":path": stream.path = value
        case ":authority": stream.headers.add(name: "Host", value: value)
        case ":scheme": break
        default: stream.headers.add(name: name, value: value)
        }
    }

    fileprivate func data(_ streamID: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID], !stream.bodyTooLarge, !stream.answered else { return }
        guard stream.body.count + bytes.count <= limits.maxBodyBytes else {
            stream.bodyTooLarge = true
            stream.body = []
            return
        }
        stream.body.append(contentsOf: bytes)
    }

    /// The request on `streamID` is complete: answer it.
    fileprivate func requestComplete(_ streamID: Int32) {
        guard let stream = streams[streamID], !stream.answered, let session else { return }
        guard !stream.headersTooLarge else { return submit(Self.headersTooLarge, method: .get, on: streamID, stream, session) }
        guard !stream.bodyTooLarge else { return submit(Self.tooLarge, method: .post, on: streamID, stream, session) }
        guard let method = HTTPMethod(rawValue: stream.method), stream.path.first == "/" else {
            return submit(Self.badRequest, method: .get, on: streamID, stream, session)
        }
        let (path, query) = Self.split(stream.path)
        var request = Request(
            method: method, path: path, rawQuery: query, minorVersion: 0, headers: stream.headers, body: stream.body,
            peerAddress: peerAddress)
        request.majorVersion = 2
        let response = transport.responder.respond(to: request)
        if let deferred = response.deferred { return runLater(deferred, placeholder: response, for: request, on: streamID, stream) }
        submit(Self.servable(response), method: method, on: streamID, stream, session)
    }

    /// A deferred reply that resolves to another deferred one cannot be served: 500.
    private static func servable(_ response: Response) -> Response {
        response.deferred == nil ? response : internalError
    }

    /// An async handler's reply: its task runs on the loop's executor, and the reply goes out on
    /// the stream if the stream (and the connection) is still there.
    private func runLater(_ deferred: DeferredResponse, placeholder: Response, for request: Request, on streamID: Int32, _ stream: Stream) {
        let executor = transport.loop.executor
        let connection = LoopBound(self, on: executor)
        let responder = LoopBound(transport.responder, on: executor)
        let boundStream = LoopBound(stream, on: executor)
        stream.task = Task(executorPreference: executor) {
            var produced: Response
            do {
                produced = try await deferred.produce()
            } catch {
                if Task.isCancelled { return }  // the stream or the connection went away
                produced = responder.value.response(for: error, to: request)
            }
            connection.value.finishLater(produced, placeholder: placeholder, for: request, on: streamID, boundStream.value)
        }
    }

    private func finishLater(_ produced: Response, placeholder: Response, for request: Request, on streamID: Int32, _ stream: Stream) {
        guard !isClosed, let session, streams[streamID] === stream else { return }
        var response = produced
        // Headers a middleware added around the async route reach the client, as over HTTP/1.1.
        for field in placeholder.headers where response.headers[field.name] == nil {
            response.headers.add(name: field.name, value: field.value)
        }
        transport.responder.answeredLater(request, with: response)
        submit(Self.servable(response), method: request.method, on: streamID, stream, session)
        if !flush() { close() }
    }

    private func submit(_ response: Response, method: HTTPMethod, on streamID: Int32, _ stream: Stream, _ session: OpaquePointer) {
        stream.answered = true
        let sendsBody = !response.status.forbidsBody
        var fields: [(String, String)] = [(":status", String(response.status.code))]
        fields.append(("date", transport.dateCache.value(at: transport.loop.cachedUnixSeconds)))
        var hasContentType = false
        for field in response.headers where !ReplyHead.isFramingHeader(field.name) && field.isSendable {
            let name = field.name.lowercased()
            if Self.connectionSpecific.contains(name) { continue }
            if name == "content-type" { hasContentType = true }
            fields.append((name, field.value))
        }
        if sendsBody {
            if !hasContentType { fields.append(("content-type", ReplyHead.defaultContentType)) }
            fields.append(("content-length", String(response.body.count)))
        }
        let sendsBytes = sendsBody && method != .head
        if let file = response.file {
            if sendsBody, let descriptor = file.takeDescriptor() {
                fields.removeAll { $0.0 == "content-length" }
                fields.append(("content-length", String(file.count)))
                if sendsBytes { stream.file = (descriptor, file.offset, file.count) } else { Glibc.close(descriptor) }
            }
        } else if response.stream != nil {
            fields.removeAll { $0.0 == "content-length" }  // the length is not known: DATA until END_STREAM
            stream.isStreaming = sendsBytes
        } else {
            stream.reply = sendsBytes ? response.body : []
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        var provider = cnghttp2_data_provider(context, readReplyCallback)
        let hasBody = !stream.reply.isEmpty || stream.file != nil || stream.isStreaming
        Self.withNameValues(fields) { nva in
            if hasBody {
                _ = nghttp2_submit_response(session, streamID, nva.baseAddress, nva.count, &provider)
            } else {
                _ = nghttp2_submit_response(session, streamID, nva.baseAddress, nva.count, nil)
            }
        }
        if let body = response.stream, stream.isStreaming { produce(body, on: streamID, stream) }
    }

    /// Copies the next piece of the reply on `streamID` into `buffer`: from memory, from the
    /// file (pread), or what a streamed body wrote (none yet: deferred until it writes).
    fileprivate func readReply(_ streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, _ length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = streams[streamID] else {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            return 0
        }
        if let file = stream.file {
            let count = pread(file.descriptor, buffer, min(length, file.remaining), off_t(file.offset))
            guard count > 0 else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }  // the file shrank: reset
            stream.file = (file.descriptor, file.offset + count, file.remaining - count)
            if file.remaining - count == 0 {
                Glibc.close(file.descriptor)
                stream.file = nil
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            }
            return count
        }
        if stream.isStreaming && stream.reply.count == stream.replySent {
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)  // resumed by `write` or `endStream`
        }
        let count = min(length, stream.reply.count - stream.replySent)
        stream.reply.withUnsafeBufferPointer { bytes in
            buffer.update(from: bytes.baseAddress! + stream.replySent, count: count)
        }
        stream.replySent += count
        if stream.isStreaming {
            if stream.replySent == stream.reply.count {
                stream.reply.removeAll(keepingCapacity: true)
                stream.replySent = 0
                stream.drainWaiter?.resume()
                stream.drainWaiter = nil
            }
            return count
        }
        if stream.replySent == stream.reply.count { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
        return count
    }

    // MARK: Streamed bodies

    /// Runs a streamed body's producer as a task on the loop; its writes go out as DATA frames
    /// under HTTP/2's flow control, and a write waits while this stream holds more than the
    /// transport's watermark unsent (a slow reader slows the producer).
    private func produce(_ body: BodyStream, on streamID: Int32, _ stream: Stream) {
        let executor = transport.loop.executor
        let connection = LoopBound(self, on: executor)
        let boundStream = LoopBound(stream, on: executor)
        let writer = BodyWriter { bytes in try await connection.value.write(bytes, on: streamID, boundStream.value) }
        stream.task = Task(executorPreference: executor) {
            do {
                try await body.produce(writer)
            } catch {
                connection.value.resetStream(streamID, boundStream.value)  // stopped half-way: the client must know
                return
            }
            connection.value.endStream(streamID, boundStream.value)
        }
    }

    private func write(_ bytes: [UInt8], on streamID: Int32, _ stream: Stream) async throws {
        guard !isClosed, let session, streams[streamID] === stream, stream.isStreaming else { throw CancellationError() }
        stream.reply += bytes
        nghttp2_session_resume_data(session, streamID)
        if !flush() { close() }
        if stream.reply.count - stream.replySent > HTTPServerTransport.streamWatermark {
            try await withCheckedThrowingContinuation { stream.drainWaiter = $0 }
        }
    }

    private func endStream(_ streamID: Int32, _ stream: Stream) {
        guard !isClosed, let session, streams[streamID] === stream else { return }
        stream.isStreaming = false  // what is left goes out, then END_STREAM
        if stream.reply.count == stream.replySent {
            stream.reply = []
            stream.replySent = 0
        }
        nghttp2_session_resume_data(session, streamID)
        if !flush() { close() }
    }

    private func resetStream(_ streamID: Int32, _ stream: Stream) {
        guard !isClosed, let session, streams[streamID] === stream else { return }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, UInt32(NGHTTP2_INTERNAL_ERROR.rawValue))
        if !flush() { close() }
    }

    /// A client reset one of its streams: past the allowed rate (rapid reset, CVE-2023-44487)
    /// the session ends with GOAWAY ENHANCE_YOUR_CALM.
    fileprivate func noteReset() {
        let now = MonotonicClock.seconds()
        resetTokens = min(Double(Self.resetBurst), resetTokens + (now - resetsCountedAt) * Double(Self.resetsPerSecond))
        resetsCountedAt = now
        resetTokens -= 1
        if resetTokens < 0, let session {
            nghttp2_session_terminate_session(session, UInt32(NGHTTP2_ENHANCE_YOUR_CALM.rawValue))
        }
    }

    fileprivate func streamClosed(_ streamID: Int32) {
        streams.removeValue(forKey: streamID)?.task?.cancel()
    }

    private static func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// `fields` as nghttp2's name/value array, valid inside `body` (nghttp2 copies them).
    private static func withNameValues(_ fields: [(String, String)], _ body: (UnsafeBufferPointer<nghttp2_nv>) -> Void) {
        var bytes: [UInt8] = []
        var spans: [(Int, Int, Int, Int)] = []
        for (name, value) in fields {
            let nameStart = bytes.count
            bytes += name.utf8
            let valueStart = bytes.count
            bytes += value.utf8
            spans.append((nameStart, valueStart - nameStart, valueStart, bytes.count - valueStart))
        }
        bytes.withUnsafeBufferPointer { storage in
            let base = storage.baseAddress!
            let nva = spans.map { cnghttp2_nv(base + $0.0, $0.1, base + $0.2, $0.3) }
            nva.withUnsafeBufferPointer(body)
        }
    }

    private static let tooLarge = Response(status: .contentTooLarge, body: Array("request body too large\n".utf8))
    private static let badRequest = Response(status: .badRequest, body: Array("bad request\n".utf8))
    private static let headersTooLarge = Response(
        status: .requestHeaderFieldsTooLarge, body: Array("request header fields too large\n".utf8))
    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2), beyond the framing ones `ReplyHead` already drops.
    private static let connectionSpecific: Set<String> = ["keep-alive", "upgrade", "proxy-connection"]
    private static let timedOut = Response(status: .requestTimeout, body: Array("request timeout\n".utf8))
    private static let internalError = Response(status: .internalServerError, body: Array("internal server error\n".utf8))
}

private func connection(_ context: UnsafeMutableRawPointer?) -> HTTP2Connection? {
    context.map { Unmanaged<HTTP2Connection>.fromOpaque($0).takeUnretainedValue() }
}

private func sendCallback(
    _: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _: Int32, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let connection = connection(context) else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return connection.send(data, length)
}

private func beginHeadersCallback(_: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame, cnghttp2_is_request_headers(frame) != 0 else { return 0 }
    connection(context)?.beginRequest(cnghttp2_frame_stream_id(frame))
    return 0
}

private func headerCallback(
    _: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ name: UnsafePointer<UInt8>?, _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?, _ valueLength: Int, _: UInt8, _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value else { return 0 }
    connection(context)?.header(
        cnghttp2_frame_stream_id(frame), name: UnsafeBufferPointer(start: name, count: nameLength),
        value: UnsafeBufferPointer(start: value, count: valueLength))
    return 0
}

private func dataChunkCallback(
    _: OpaquePointer?, _: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data else { return 0 }
    connection(context)?.data(streamID, UnsafeBufferPointer(start: data, count: length))
    return 0
}

private func frameReceivedCallback(_: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let frame else { return 0 }
    let type = cnghttp2_frame_type(frame)
    let endsStream = cnghttp2_frame_flags(frame) & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    if type == UInt8(NGHTTP2_HEADERS.rawValue) { connection(context)?.headComplete(cnghttp2_frame_stream_id(frame)) }
    if endsStream && (type == UInt8(NGHTTP2_HEADERS.rawValue) || type == UInt8(NGHTTP2_DATA.rawValue)) {
        connection(context)?.requestComplete(cnghttp2_frame_stream_id(frame))
    } else if type == UInt8(NGHTTP2_RST_STREAM.rawValue) {
        connection(context)?.noteReset()
    }
    return 0
}

private func streamClosedCallback(_: OpaquePointer?, _ streamID: Int32, _: UInt32, _ context: UnsafeMutableRawPointer?) -> Int32 {
    connection(context)?.streamClosed(streamID)
    return 0
}

private func readReplyCallback(
    _: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?, _: UnsafeMutablePointer<nghttp2_data_source>?, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let flags, let connection = connection(context) else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return connection.readReply(streamID, into: buffer, length, flags: flags)
}

private func http2ReadCallback(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    connection(context)?.readable()
}

private func http2WriteCallback(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    connection(context)?.written()
}

private func http2EventCallback(_: OpaquePointer?, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    if events & Int16(BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT) != 0 { connection(context)?.close() }
}
