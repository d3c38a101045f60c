#include "include/tls.h"
#include "openssl_library.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <limits.h>
#include <stdio.h>

// The server side: one context per certificate, one accepting bufferevent per connection.
// Called only after a context exists, so the tables are loaded by then.

static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (ctls_openssl(NULL, 0)->SSL_select_next_proto(&selected, outlen, ctls_alpn_http11, sizeof ctls_alpn_http11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;  // a client without http/1.1 in its list: no ALPN, still served
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static int select_h2_or_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                               const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (ctls_openssl(NULL, 0)->SSL_select_next_proto(&selected, outlen, ctls_alpn_h2_http11, sizeof ctls_alpn_h2_http11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

void ctls_server_context_offer_h2(void *context) {
    ctls_openssl(NULL, 0)->SSL_CTX_set_alpn_select_cb(context, select_h2_or_http11, NULL);
}

// Mozilla's server-side TLS recommendations (version 5.7): "intermediate" takes TLS 1.2 with
// forward-secret AEAD suites only, and TLS 1.3; "modern" TLS 1.3 alone. Both offer the groups
// every current client has. All suites are strong, so the client's order decides (a phone without
// AES instructions picks ChaCha20), as Mozilla advises.
static const char intermediate_tls12_suites[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
static const char tls13_suites[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
static const char groups[] = "X25519:P-256:P-384";

void *ctls_server_context_new(const char *certificate, const char *key, int profile, char *error, unsigned long length) {
    const struct ctls_openssl *ssl = ctls_openssl(error, length);
    if (!ssl || !ctls_event_openssl(error, length)) return NULL;
    SSL_CTX *context = ssl->SSL_CTX_new(ssl->TLS_server_method());
    if (!context) { snprintf(error, length, "cannot create a TLS context"); return NULL; }
    int minimum = profile == CTLS_PROFILE_MODERN ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (ssl->SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, minimum, NULL) != 1
        || ssl->SSL_CTX_set_cipher_list(context, intermediate_tls12_suites) != 1
        || ssl->SSL_CTX_set_ciphersuites(context, tls13_suites) != 1
        || ssl->SSL_CTX_ctrl(context, SSL_CTRL_SET_GROUPS_LIST, 0, (char *)groups) != 1) {
        snprintf(error, length, "this OpenSSL cannot apply the TLS profile: %s", ctls_error_reason(ssl));
        ssl->SSL_CTX_free(context);
        return NULL;
    }
    ssl->SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    ssl->SSL_CTX_clear_options(context, SSL_OP_CIPHER_SERVER_PREFERENCE);
    ssl->SSL_CTX_set_alpn_select_cb(context, select_http11, NULL);
    ssl->ERR_clear_error();
    if (ssl->SSL_CTX_use_certificate_chain_file(context, certificate) != 1) {
        snprintf(error, length, "cannot load the certificate %s: %s", certificate, ctls_error_reason(ssl));
        ssl->SSL_CTX_free(context);
        return NULL;
    }
    if (ssl->SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) {
        snprintf(error, length, "cannot load the key %s: %s", key, ctls_error_reason(ssl));
        ssl->SSL_CTX_free(context);
        return NULL;
    }
    if (ssl->SSL_CTX_check_private_key(context) != 1) {
        snprintf(error, length, "the key %s does not match the certificate %s", key, certificate);
        ssl->SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

int ctls_server_context_set_ticket_key(void *context, const unsigned char *key, unsigned long length) {
    if (length != CTLS_TICKET_KEY_LENGTH) return 0;
    return ctls_openssl(NULL, 0)->SSL_CTX_ctrl(context, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, (long)length, (void *)key) == 1;
}

void ctls_server_context_free(void *context) {
    ctls_openssl(NULL, 0)->SSL_CTX_free(context);
}

struct bufferevent *ctls_accepting_bufferevent(struct event_base *base, void *context) {
    const struct ctls_openssl *ssl = ctls_openssl(NULL, 0);
    SSL *session = ssl->SSL_new(context);
    if (!session) return NULL;
    struct bufferevent *bufferevent = ctls_event_openssl(NULL, 0)->bufferevent_openssl_socket_new(
        base, -1, session, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bufferevent) ssl->SSL_free(session);
    return bufferevent;
}

int ctls_handshake_done(struct bufferevent *bufferevent) {
    SSL *session = ctls_event_openssl(NULL, 0)->bufferevent_openssl_get_ssl(bufferevent);
    return session && ctls_openssl(NULL, 0)->SSL_is_init_finished(session);
}

int ctls_write_output_now(struct bufferevent *bufferevent) {
    struct evbuffer *output = bufferevent_get_output(bufferevent);
    size_t length = evbuffer_get_length(output);
    if (length == 0) return 1;
    SSL *session = ctls_event_openssl(NULL, 0)->bufferevent_openssl_get_ssl(bufferevent);
    if (!session || length > INT_MAX) return 0;
    const struct ctls_openssl *ssl = ctls_openssl(NULL, 0);
    // A write that would block leaves its record pending in OpenSSL; the bufferevent then
    // retries it with the same bytes, from its output, wherever they are by then.
    ssl->SSL_ctrl(session, SSL_CTRL_MODE, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, NULL);
    unsigned char *bytes = evbuffer_pullup(output, -1);
    if (!bytes) return 0;
    int written = ssl->SSL_write(session, bytes, (int)length);
    if (written > 0) evbuffer_drain(output, (size_t)written);
    return written == (int)length;
}
