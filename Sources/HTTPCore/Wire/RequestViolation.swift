/// RequestViolation is a way a request's bytes break HTTP/1.1 (RFC 9112, RFC 9110) that the
/// server refuses before evhttp parses them: with `status`, `Connection: close`, and a close.
public enum RequestViolation: String, Sendable, CaseIterable {
    /// The request line is not `method SP target SP HTTP/d.d`.
    case invalidRequestLine = "request_line"
    /// A control character (NUL, BEL, a bare CR, DEL…; anything below 0x20 but HTAB) in a field
    /// value or the request target.
    case controlCharacter = "control_character"
    /// A field line starting with a space or tab (obsolete line folding).
    case obsoleteLineFolding = "obs_fold"
    /// A field name that is empty or not a token (spaces, separators, controls).
    case invalidFieldName = "field_name"
    /// A `Host` that is not `uri-host [ ":" port ]`.
    case invalidHost = "invalid_host"
    /// An HTTP/1.1 request without `Host`.
    case missingHost = "missing_host"
    /// More than one `Host` line.
    case duplicateHost = "duplicate_host"
    /// More than one `Content-Length` line.
    case duplicateContentLength = "duplicate_content_length"
    /// A `Content-Length` that is not a plain decimal number.
    case invalidContentLength = "invalid_content_length"
    /// A `Transfer-Encoding` other than exactly `chunked` (evhttp would frame it as no body).
    case unsupportedTransferEncoding = "transfer_encoding"
    /// `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1: faulty framing).
    case transferEncodingInHTTP10 = "transfer_encoding_http10"
    /// Both `Content-Length` and `Transfer-Encoding`.
    case contentLengthWithTransferEncoding = "content_length_and_transfer_encoding"
    /// A chunk-size line that is not hexadecimal digits, or chunk data not followed by CRLF.
    case malformedChunk = "malformed_chunk"
    /// A chunk extension (`5;name=value`): evhttp 2.1 cannot parse one.
    case chunkExtension = "chunk_extension"
    /// A trailer section that is not field lines ended by an empty line.
    case malformedTrailer = "trailer"
    /// A request line and header block larger than the configured limit.
    case headerTooLarge = "header_too_large"
    /// A connection from a `--proxy-protocol-from` peer that did not begin with a PROXY header.
    case proxyHeaderMissing = "proxy_header_missing"
    /// A PROXY header that breaks the protocol (oversized, malformed, an unknown version).
    case proxyHeaderInvalid = "proxy_header_invalid"
    /// A PROXY header from a peer that is not trusted to send one: it could forge any address.
    case proxyHeaderUntrusted = "proxy_header_untrusted"

    /// The status the refusal carries: 431 for an oversized header block, 400 otherwise.
    public var status: HTTPStatus {
        self == .headerTooLarge ? .requestHeaderFieldsTooLarge : .badRequest
    }
}
