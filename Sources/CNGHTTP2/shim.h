#ifndef EVENTSERVER_CNGHTTP2_SHIM_H
#define EVENTSERVER_CNGHTTP2_SHIM_H

// nghttp2 (HTTP/2 framing, no I/O) for the transport, and accessors for what Swift reads
// awkwardly: the fields of nghttp2_frame, a union.

#include <nghttp2/nghttp2.h>

static inline uint8_t cnghttp2_frame_type(const nghttp2_frame *frame) { return frame->hd.type; }
static inline uint8_t cnghttp2_frame_flags(const nghttp2_frame *frame) { return frame->hd.flags; }
static inline int32_t cnghttp2_frame_stream_id(const nghttp2_frame *frame) { return frame->hd.stream_id; }

/// Whether a HEADERS frame opens a request (not trailers).
static inline int cnghttp2_is_request_headers(const nghttp2_frame *frame) {
    return frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST;
}

/// A name/value pair nghttp2 copies when the response is submitted.
static inline nghttp2_nv cnghttp2_nv(const uint8_t *name, size_t name_length, const uint8_t *value, size_t value_length) {
    nghttp2_nv nv = {(uint8_t *)name, (uint8_t *)value, name_length, value_length, NGHTTP2_NV_FLAG_NONE};
    return nv;
}

/// A data provider whose source is `pointer`.
static inline nghttp2_data_provider cnghttp2_data_provider(void *pointer, nghttp2_data_source_read_callback read) {
    nghttp2_data_provider provider;
    provider.source.ptr = pointer;
    provider.read_callback = read;
    return provider;
}

#endif
