#include "include/tls.h"
#include "openssl_library.h"

#include <stdio.h>
#include <string.h>

// The client side, for `ctl` and the tests: one blocking connection that trusts one certificate
// file (the server's own) and checks the name or address it was given.

void *ctls_client_connect(int socket, const char *trusted, const char *host, char *error, unsigned long length) {
    const struct ctls_openssl *ssl = ctls_openssl(error, length);
    if (!ssl) return NULL;
    SSL_CTX *context = ssl->SSL_CTX_new(ssl->TLS_client_method());
    if (!context) { snprintf(error, length, "cannot create a TLS context"); return NULL; }
    ssl->SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    ssl->ERR_clear_error();
    if (ssl->SSL_CTX_load_verify_locations(context, trusted, NULL) != 1) {
        snprintf(error, length, "cannot load %s: %s", trusted, ctls_error_reason(ssl));
        ssl->SSL_CTX_free(context);
        return NULL;
    }
    ssl->SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    SSL *session = ssl->SSL_new(context);
    ssl->SSL_CTX_free(context);  // the session keeps its own reference
    if (!session) { snprintf(error, length, "cannot create a TLS session"); return NULL; }
    X509_VERIFY_PARAM *parameters = ssl->SSL_get0_param(session);
    if (ssl->X509_VERIFY_PARAM_set1_ip_asc(parameters, host) != 1) {
        ssl->X509_VERIFY_PARAM_set1_host(parameters, host, strlen(host));
        ssl->SSL_ctrl(session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host);
    }
    ssl->SSL_set_alpn_protos(session, ctls_alpn_http11, sizeof ctls_alpn_http11);
    ssl->ERR_clear_error();  // a host name is not an address: that check's error is not the reason
    if (ssl->SSL_set_fd(session, socket) != 1 || ssl->SSL_connect(session) != 1) {
        snprintf(error, length, "handshake failed: %s", ctls_error_reason(ssl));
        ssl->SSL_free(session);
        return NULL;
    }
    return session;
}

int ctls_client_write(void *session, const void *bytes, int count) {
    return ctls_openssl(NULL, 0)->SSL_write(session, bytes, count);
}

int ctls_client_read(void *session, void *bytes, int count) {
    return ctls_openssl(NULL, 0)->SSL_read(session, bytes, count);
}

void ctls_client_close(void *session) {
    ctls_openssl(NULL, 0)->SSL_free(session);
}
