/*
 * http: the browser side (libmicrohttpd).
 *
 *   /          the viewer page from web/
 *   /stream    the MJPEG stream (multipart/x-mixed-replace), each part the
 *              hub's frame bytes exactly as captured
 *   /snapshot  the newest frame as one image/jpeg
 *   /?action=stream, /?action=snapshot   the same, at mjpg-streamer's URLs
 *   /status    one line of JSON; /metrics  Prometheus text format
 *   /login?token=T   redeems a one-time URL from `ssh kvm@host web`
 *   POST /api/keys, /api/mouse, /api/release, /api/paste, /api/control
 *              control from the page (see http/control.h); same-origin
 *              requests only
 * Every client pulls the newest frame from the hub; a client that cannot
 * keep up skips frames and never slows capture or other clients.
 */
#ifndef SK_HTTP_H
#define SK_HTTP_H

#include <stddef.h>

struct sk_app;
struct sk_http;

struct sk_auth;

struct sk_http_opts {
    const char *addr; /* listen address, e.g. "127.0.0.1" */
    int port;
    const char *web_dir; /* where index.html and friends live */
    struct sk_app *app;  /* hub, HID, status, client counters (borrowed) */
    /*
     * The logins (borrowed; see policy/auth.h and http/admit.h). Clients off loopback always
     * need a session or a password; with NULL nobody off loopback gets in.
     */
    struct sk_auth *auth;
    int auth_loopback;    /* 1: loopback clients need credentials too */
    const char *tls_cert; /* PEM files; both set: HTTPS */
    const char *tls_key;
    int max_idle; /* connections without a request in flight, the oldest
                     dropped beyond; 0: 32 */
};

struct sk_http *sk_http_new(const struct sk_http_opts *opts);
void sk_http_free(struct sk_http *http);
/* Bind and start serving; 0, or -1 with err set (port in use, ...). */
int sk_http_open(struct sk_http *http, char *err, size_t errlen);
/* Stop serving and close every connection. Idempotent. */
void sk_http_close(struct sk_http *http);

#endif
