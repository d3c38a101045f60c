#ifndef EVENTSERVER_CTLSCLIENT_SHIM_H
#define EVENTSERVER_CTLSCLIENT_SHIM_H

// The client side of TLS for `ctl` and the tests: one blocking connection that trusts one
// certificate file (the server's own) and checks the name or address it was given.

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

/// Starts TLS on the connected `socket`; returns the session (for the functions below) or
/// NULL (nothing to free). The session is `void *` so Swift holds a plain raw pointer.
static inline void *ctlsclient_connect(int socket, const char *trusted, const char *host) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (!context) return NULL;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(context, trusted, NULL) != 1) { SSL_CTX_free(context); return NULL; }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    SSL *ssl = SSL_new(context);
    SSL_CTX_free(context);  // the SSL object keeps its own reference
    if (!ssl) return NULL;
    X509_VERIFY_PARAM *parameters = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(parameters, host) != 1) {
        X509_VERIFY_PARAM_set1_host(parameters, host, strlen(host));
        SSL_set_tlsext_host_name(ssl, host);
    }
    static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    SSL_set_alpn_protos(ssl, http11, sizeof http11);
    if (SSL_set_fd(ssl, socket) != 1 || SSL_connect(ssl) != 1) { SSL_free(ssl); return NULL; }
    return ssl;
}

static inline int ctlsclient_write(void *session, const void *bytes, int count) { return SSL_write((SSL *)session, bytes, count); }
static inline int ctlsclient_read(void *session, void *bytes, int count) { return SSL_read((SSL *)session, bytes, count); }
static inline void ctlsclient_close(void *session) { SSL_free((SSL *)session); }

#endif
