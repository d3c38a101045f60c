#ifndef EVENTSERVER_CTLS_OPENSSL_LIBRARY_H
#define EVENTSERVER_CTLS_OPENSSL_LIBRARY_H

// The OpenSSL and libevent_openssl functions eventserver calls, resolved with dlsym the first
// time TLS is used. The headers still give every function's exact type (`__typeof__`), so a
// call through the table is checked by the compiler as a direct call would be.

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define CTLS_OPENSSL_FUNCTIONS(X) \
    X(TLS_server_method) X(TLS_client_method) \
    X(SSL_CTX_new) X(SSL_CTX_free) X(SSL_CTX_ctrl) X(SSL_CTX_set_options) X(SSL_CTX_clear_options) \
    X(SSL_CTX_set_cipher_list) X(SSL_CTX_set_ciphersuites) \
    X(SSL_CTX_set_alpn_select_cb) X(SSL_select_next_proto) \
    X(SSL_CTX_use_certificate_chain_file) X(SSL_CTX_use_PrivateKey_file) X(SSL_CTX_check_private_key) \
    X(SSL_CTX_load_verify_locations) X(SSL_CTX_set_verify) \
    X(SSL_new) X(SSL_free) X(SSL_ctrl) X(SSL_is_init_finished) X(SSL_get0_param) \
    X(SSL_set_alpn_protos) X(SSL_set_fd) X(SSL_connect) X(SSL_write) X(SSL_read) \
    X(X509_VERIFY_PARAM_set1_ip_asc) X(X509_VERIFY_PARAM_set1_host) \
    X(ERR_clear_error) X(ERR_get_error) X(ERR_reason_error_string)

#define CTLS_EVENT_OPENSSL_FUNCTIONS(X) X(bufferevent_openssl_socket_new) X(bufferevent_openssl_get_ssl)

/// The one ALPN protocol both sides speak, in ALPN's wire form (a length, then the name).
static const unsigned char ctls_alpn_http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
// h2 first, then http/1.1: the server's order of preference (`--http2 on`).
static const unsigned char ctls_alpn_h2_http11[] = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

#define CTLS_FIELD(name) __typeof__(&name) name;

struct ctls_openssl { CTLS_OPENSSL_FUNCTIONS(CTLS_FIELD) };
struct ctls_event_openssl { CTLS_EVENT_OPENSSL_FUNCTIONS(CTLS_FIELD) };

/// libssl (and libcrypto, its dependency), loaded once per process; NULL with the reason in
/// `error` when it cannot be.
const struct ctls_openssl *ctls_openssl(char *error, unsigned long length);

/// OpenSSL's reason for the latest error of this thread, never NULL.
const char *ctls_error_reason(const struct ctls_openssl *ssl);

/// libevent_openssl of the same version as the libevent in use, loaded once per process.
const struct ctls_event_openssl *ctls_event_openssl(char *error, unsigned long length);

#endif
