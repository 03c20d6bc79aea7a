/*
 * admit: who is asking, and may they.
 *
 * Owns no state of its own: sessions, tokens and passwords live in
 * policy/auth.c, who is connected in policy/roster.c. For each request it
 * reads the cookie, the Authorization and Host headers and the client's
 * address from the connection, names the identity (a key's fingerprint,
 * "password:USER" or "loopback") and its role in the request, and counts
 * the web member as present in the roster. A refusal is queued here, so the
 * caller only passes on the result.
 */
#include "http/admit.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "policy/audit.h"
#include "policy/auth.h"
#include "policy/roster.h"

int sk_admit_host_is_loopback(const char *host)
{
    char name[128];
    if (host == NULL) {
        return 0;
    }
    size_t len;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (close == NULL) {
            return 0;
        }
        len = (size_t)(close - host - 1);
        host++;
    } else {
        len = strcspn(host, ":");
    }
    if (len == 0 || len >= sizeof(name)) {
        return 0;
    }
    memcpy(name, host, len);
    name[len] = '\0';
    return sk_addr_is_loopback(name);
}

/*
 * Does the Host header name this machine's loopback? A page from another
 * site that rebinds its own name to 127.0.0.1 sends its own name here, so
 * the credential-free loopback door stays shut to it.
 */
static int host_is_loopback(struct MHD_Connection *conn)
{
    return sk_admit_host_is_loopback(
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST));
}

/* Who is asking, if anyone we know: 1 with req->identity set, else 0. */
static int authenticate(const struct sk_admit *a, struct MHD_Connection *conn,
                        struct sk_request *req, int acts)
{
    if (a->auth == NULL) {
        return 0;
    }
    const char *sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SK_ADMIT_COOKIE);
    if (sid != NULL && acts) {
        sk_auth_recheck(a->auth, sid); /* a key taken out or turned view-only stops typing now */
    }
    if (sid != NULL &&
        sk_auth_session(a->auth, sid, req->identity, sizeof(req->identity), &req->role)) {
        return 1;
    }
    const char *basic =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (basic == NULL) {
        return 0;
    }
    int64_t wait_ms = sk_auth_basic_wait_ms(a->auth, req->addr);
    if (wait_ms > 0) {
        /* Too many wrong passwords from here lately: no check, no audit line, a 429. */
        req->retry_after_s = (int)((wait_ms + 999) / 1000);
        return 0;
    }
    if (sk_auth_basic(a->auth, basic, req->addr, req->identity, sizeof(req->identity),
                      &req->role)) {
        return 1;
    }
    /* Never the password, nor the user name (people type passwords there too). */
    sk_audit(a->app->audit, "login-failed", "-", req->addr, "kind=web reason=bad-password");
    return 0;
}

/* Requests that act on the target must come from our own page. */
static const char *cross_site_problem(const struct sk_admit *a, struct MHD_Connection *conn)
{
    if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, SK_ADMIT_CSRF_HEADER) == NULL) {
        return "missing the " SK_ADMIT_CSRF_HEADER " header";
    }
    const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site != NULL && strcmp(site, "same-origin") != 0) {
        return "cross-site request";
    }
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (origin != NULL) {
        const char *scheme = a->tls ? "https://" : "http://";
        size_t sl = strlen(scheme);
        if (host == NULL || strncmp(origin, scheme, sl) != 0 || strcmp(origin + sl, host) != 0) {
            return "cross-origin request";
        }
    }
    return NULL;
}

static void count_failure(const struct sk_admit *a)
{
    if (a->auth != NULL) {
        sk_auth_count_failure(a->auth);
    }
}

static enum MHD_Result refuse(const struct sk_admit *a, struct MHD_Connection *conn)
{
    static const char text[] =
        "sshkvm: log in first: run `ssh kvm@HOST web` and open the URL it prints"
        " (or use a password, when the server has a password file)\n";
    count_failure(a);
    struct MHD_Response *resp = sk_request_literal(text);
    if (resp == NULL) {
        return MHD_NO;
    }
    if (a->auth != NULL && sk_auth_has_passwords(a->auth)) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"sshkvm\", charset=\"UTF-8\"");
    }
    return sk_request_queue(conn, MHD_HTTP_UNAUTHORIZED, resp, "text/plain; charset=utf-8");
}

/* 429 with Retry-After: the password from here will be checked again in seconds. */
static enum MHD_Result too_many_guesses(struct MHD_Connection *conn, int seconds)
{
    struct MHD_Response *resp =
        sk_request_literal("sshkvm: too many wrong passwords from this address; wait and retry\n");
    if (resp == NULL) {
        return MHD_NO;
    }
    char v[16];
    snprintf(v, sizeof(v), "%d", seconds);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    return sk_request_queue(conn, MHD_HTTP_TOO_MANY_REQUESTS, resp, "text/plain; charset=utf-8");
}

int sk_admit_request(const struct sk_admit *a, struct MHD_Connection *conn, struct sk_request *req,
                     const char *path, int flags, enum MHD_Result *rc)
{
    int public_route = (flags & SK_ADMIT_PUBLIC) != 0;
    if (!public_route && !authenticate(a, conn, req, (flags & SK_ADMIT_SAME_ORIGIN) != 0)) {
        if (req->retry_after_s > 0) {
            *rc = too_many_guesses(conn, req->retry_after_s);
            return 0;
        }
        if (a->auth_loopback || !sk_request_client_is_loopback(conn) || !host_is_loopback(conn)) {
            *rc = refuse(a, conn);
            return 0;
        }
        snprintf(req->identity, sizeof(req->identity), "loopback");
        req->role = SK_ROLE_CONTROL; /* whoever is on this machine could run sshkvm itself */
    }
    if (!public_route && a->app->roster != NULL) {
        /* Every request counts as the web member being there: the page polls once a second. */
        int joined = 0;
        req->member = sk_roster_web(a->app->roster, req->identity, req->addr, req->role, &joined);
        if (joined) {
            sk_audit(a->app->audit, "login", req->identity, req->addr, "kind=web role=%s",
                     sk_role_name(req->role));
        }
    }
    if (flags & SK_ADMIT_SAME_ORIGIN) {
        const char *why = cross_site_problem(a, conn);
        if (why != NULL) {
            count_failure(a);
            sk_log(SK_LOG_WARN, "http", "refused %s: %s", path, why);
            *rc = sk_request_text(conn, MHD_HTTP_FORBIDDEN, "cross-site request refused\n");
            return 0;
        }
    }
    return 1;
}

enum MHD_Result sk_admit_login(const struct sk_admit *a, struct MHD_Connection *conn,
                               struct sk_request *req)
{
    const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
    char sid[SK_AUTH_SECRET_LEN];
    if (a->auth == NULL || token == NULL ||
        sk_auth_redeem(a->auth, token, sid, req->identity, sizeof(req->identity), &req->role) !=
            0) {
        count_failure(a);
        sk_audit(a->app->audit, "login-failed", "-", req->addr, "kind=web reason=bad-token");
        return sk_request_text(conn, MHD_HTTP_FORBIDDEN,
                               "sshkvm: this login link is unknown, used or expired; run `ssh "
                               "kvm@HOST web` for a new one\n");
    }
    sk_log(SK_LOG_INFO, "http", "web login for %s (%s role)", req->identity,
           sk_role_name(req->role));
    /*
     * The cookie is SameSite=Strict, so the browser would not send it on a
     * redirect that began on another site (a link clicked in a mail
     * reader). A page of our own that moves on to / is a same-site
     * navigation, so the first view already carries the cookie.
     */
    static const char page[] =
        "<!DOCTYPE html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url=/\">"
        "<title>sshkvm</title><a href=\"/\">logged in: continue</a>\n";
    struct MHD_Response *resp = sk_request_literal(page);
    if (resp == NULL) {
        return MHD_NO;
    }
    char cookie[256];
    snprintf(cookie, sizeof(cookie),
             SK_ADMIT_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", sid,
             sk_auth_session_ttl(a->auth), a->tls ? "; Secure" : "");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    sk_wipe(cookie, sizeof(cookie));
    sk_wipe(sid, sizeof(sid));
    return sk_request_queue(conn, MHD_HTTP_OK, resp, "text/html; charset=utf-8");
}

enum MHD_Result sk_admit_logout(const struct sk_admit *a, struct MHD_Connection *conn,
                                struct sk_request *req)
{
    const char *sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SK_ADMIT_COOKIE);
    if (a->auth != NULL && sid != NULL && sk_auth_end_session(a->auth, sid)) {
        sk_audit(a->app->audit, "logout", req->identity, req->addr, "kind=web");
    }
    struct MHD_Response *resp = sk_request_literal("logged out\n");
    if (resp == NULL) {
        return MHD_NO;
    }
    char cookie[128];
    snprintf(cookie, sizeof(cookie),
             SK_ADMIT_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             a->tls ? "; Secure" : "");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return sk_request_queue(conn, MHD_HTTP_OK, resp, "text/plain; charset=utf-8");
}
