/*
 * admit: the admission checks every HTTP request passes, and logins.
 *
 * Off loopback (and on loopback with --http-auth always) nothing is served
 * without a login: a session cookie from a one-time URL that `ssh kvm@host
 * web` prints (redeemed at /login), or a password (HTTP Basic, with
 * --http-passwd). A loopback client without a login gets in only when it
 * names a loopback host, so a site that rebinds its name to 127.0.0.1 does
 * not. Requests that act on the target must also come from our own page: a
 * custom header no cross-site form can send, and no cross-site Origin or
 * Sec-Fetch-Site. Failures are counted and audited; passwords never are. A
 * source that guessed wrong passwords too often lately gets 429 for a while.
 */
#ifndef SK_ADMIT_H
#define SK_ADMIT_H

#include <microhttpd.h>

#include "http/request.h"

struct sk_app;
struct sk_auth;

#define SK_ADMIT_COOKIE "sshkvm_session"
/* The header our page sends with every POST; a cross-site form cannot. */
#define SK_ADMIT_CSRF_HEADER "X-Sshkvm"

/* The policy (all borrowed, set up by http.c). */
struct sk_admit {
    struct sk_app *app;   /* the roster and the audit log */
    struct sk_auth *auth; /* sessions, tokens, passwords; NULL: nobody off loopback gets in */
    int auth_loopback;    /* 1: loopback clients need a login too */
    int tls;              /* HTTPS: our page's origin is https://, cookies are Secure */
};

/* What a route asks of the check. */
enum sk_admit_flags {
    SK_ADMIT_PUBLIC = 1,      /* served before any login (the login URL itself) */
    SK_ADMIT_SAME_ORIGIN = 2, /* acts on the target: only from our own page */
};

/*
 * May this request (to path, for the log) go on? 1 with req's identity,
 * role and roster member set (a request that acts on the target has its
 * session's key looked at again first: sk_auth_recheck); 0 with the refusal queued and its MHD
 * result in *rc (401 without a login, 429 while this source's passwords are not checked, 403 for a
 * cross-site request).
 */
int sk_admit_request(const struct sk_admit *a, struct MHD_Connection *conn, struct sk_request *req,
                     const char *path, int flags, enum MHD_Result *rc);

/*
 * GET /login?token=T: redeem a one-time URL and set the session cookie,
 * or 403 for an unknown, used or expired token.
 */
enum MHD_Result sk_admit_login(const struct sk_admit *a, struct MHD_Connection *conn,
                               struct sk_request *req);

/*
 * POST /api/logout: end this browser's session (its cookie cleared too).
 * 200 whether or not there was one.
 */
enum MHD_Result sk_admit_logout(const struct sk_admit *a, struct MHD_Connection *conn,
                                struct sk_request *req);

/*
 * Pure: does a Host header value ("127.0.0.1:8080", "[::1]:80",
 * "localhost") name this machine's loopback? 1 or 0; NULL is 0.
 */
int sk_admit_host_is_loopback(const char *host);

#endif
