#ifndef EVENTSERVER_CEVENT_TLS_H
#define EVENTSERVER_CEVENT_TLS_H

// TLS for the transport: libevent's OpenSSL bufferevents and the few OpenSSL calls a server
// context needs, with inline helpers for what Swift cannot import (macros, callbacks).

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>

/// A server context: TLS 1.2 and 1.3 only, OpenSSL's default ciphers, ALPN answering
/// `http/1.1`; the certificate chain and key from PEM files. Returns NULL and fills `error`
/// (capacity `length`) when the files are unusable or do not match.
static int ceventtls_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                          const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;  // a client without http/1.1 in its list: no ALPN, still served
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline SSL_CTX *ceventtls_server_context(const char *certificate, const char *key, char *error, size_t length) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (!context) { snprintf(error, length, "cannot create a TLS context"); return NULL; }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_alpn_select_cb(context, ceventtls_alpn, NULL);
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(context, certificate) != 1) {
        snprintf(error, length, "cannot load the certificate %s: %s", certificate, ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(context);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) {
        snprintf(error, length, "cannot load the key %s: %s", key, ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(context);
        return NULL;
    }
    if (SSL_CTX_check_private_key(context) != 1) {
        snprintf(error, length, "the key %s does not match the certificate %s", key, certificate);
        SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

/// A bufferevent that accepts a TLS connection on `context` (the socket is set later by evhttp);
/// freeing it frees the SSL object (evhttp then leaves the socket to it).
static inline struct bufferevent *ceventtls_accepting_bufferevent(struct event_base *base, SSL_CTX *context) {
    SSL *ssl = SSL_new(context);
    if (!ssl) return NULL;
    struct bufferevent *bufferevent = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bufferevent) SSL_free(ssl);
    return bufferevent;
}

/// Whether the connection finished its TLS handshake.
static inline int ceventtls_handshake_done(struct bufferevent *bufferevent) {
    SSL *ssl = bufferevent_openssl_get_ssl(bufferevent);
    return ssl && SSL_is_init_finished(ssl);
}

#endif
