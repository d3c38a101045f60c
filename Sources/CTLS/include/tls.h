#ifndef EVENTSERVER_CTLS_H
#define EVENTSERVER_CTLS_H

// TLS for the server and for the client, with OpenSSL loaded only when TLS is first asked for:
// a server without a certificate never maps libssl, libcrypto or libevent_openssl (megabytes of
// resident memory, Benchmarks/results/2026-11-30-memory/). This header names no system header,
// so Swift sees only these functions; libevent's structures stay CEvent's (opaque pointers on
// both sides).

struct event_base;
struct bufferevent;

/// Mozilla's profiles: TLS 1.2 (ECDHE with AEAD suites) and 1.3, or TLS 1.3 only.
enum { CTLS_PROFILE_INTERMEDIATE = 0, CTLS_PROFILE_MODERN = 1 };

/// A server context (`profile`'s versions and suites, groups X25519, P-256 and P-384, ALPN
/// `http/1.1`) holding the certificate chain and key from PEM files. Returns NULL and fills
/// `error` (capacity `length`) when OpenSSL cannot be loaded, a file is unusable or the key does
/// not match.
void *ctls_server_context_new(const char *certificate, const char *key, int profile, char *error, unsigned long length);

/// A session ticket key's length: a name (16 bytes), an HMAC key (32) and an AES key (32).
enum { CTLS_TICKET_KEY_LENGTH = 80 };

/// Encrypts and decrypts session tickets with `key` instead of the context's own random key, so
/// that contexts given the same key (a group's workers) resume each other's sessions. Returns 1,
/// or 0 when the length is not `CTLS_TICKET_KEY_LENGTH` or OpenSSL refuses it.
int ctls_server_context_set_ticket_key(void *context, const unsigned char *key, unsigned long length);

/// Drops the caller's reference; connections still using the context keep theirs.
void ctls_server_context_free(void *context);

/// Offers h2 ahead of http/1.1 in ALPN on connections made with `context` from now on.
void ctls_server_context_offer_h2(void *context);

/// A bufferevent that accepts a TLS connection on `context` (evhttp sets the socket later);
/// freeing it frees the SSL object. NULL when it cannot be created.
struct bufferevent *ctls_accepting_bufferevent(struct event_base *base, void *context);

/// Whether the connection finished its TLS handshake.
int ctls_handshake_done(struct bufferevent *bufferevent);

/// Encrypts and writes the bufferevent's whole output now, with one SSL_write, instead of when
/// the bufferevent's write event fires (an epoll_ctl to add it and one to remove it). Returns 1
/// when all of it went out; 0 when some is left in the output for the bufferevent to write
/// (what OpenSSL took is drained; a record it could not send whole stays pending in OpenSSL,
/// which the bufferevent's next SSL_write of the same bytes completes).
int ctls_write_output_now(struct bufferevent *bufferevent);

/// Starts TLS on the connected blocking `socket`, trusting the PEM file `trusted` only and
/// checking that the certificate names `host` (a name or an address). Returns the session, or
/// NULL (nothing to free) with the reason in `error`.
void *ctls_client_connect(int socket, const char *trusted, const char *host, char *error, unsigned long length);

/// SSL_write and SSL_read on a client session: bytes moved, or 0 / negative on failure.
int ctls_client_write(void *session, const void *bytes, int count);
int ctls_client_read(void *session, void *bytes, int count);

/// Ends the session (the socket stays the caller's).
void ctls_client_close(void *session);

#endif
