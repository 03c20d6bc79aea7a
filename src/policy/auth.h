/*
 * auth: the doors of the web side.
 *
 * Three ways in, all ending in the same session cookie:
 *   - a one-time login URL, made by `ssh kvm@host web` for the SSH key that
 *     asked (random token from getrandom, single use, short-lived);
 *   - HTTP Basic against an optional password file of "user:crypt-hash[:role]"
 *     lines (crypt(3), e.g. SHA-512 "$6$..."; role view or control, the
 *     default), compared in constant time;
 *   - loopback clients, when the policy lets them in without credentials.
 * Every session records who it was made for (the SSH key's fingerprint, or
 * "password:USER") and its role (enum sk_role), so roles follow the identity. Tokens and sessions
 * live in memory only, bounded, and expire. All functions are thread-safe:
 * SSH session threads issue tokens while HTTP threads redeem them.
 */
#ifndef SK_AUTH_H
#define SK_AUTH_H

#include <stddef.h>
#include <stdint.h>

/* 32 random bytes as hex, plus the NUL. */
#define SK_AUTH_SECRET_LEN 65
#define SK_AUTH_IDENTITY_LEN 160

struct sk_auth_opts {
    const char *passwd_file; /* NULL: no password logins */
    int token_ttl_s;         /* one-time URLs; 0: 60 */
    int session_ttl_s;       /* cookies, at the most; 0: 12 hours */
    int idle_ttl_s;          /* a session not used this long ends; 0: 30 minutes */
    /*
     * What identity (a key's "SHA256:..." fingerprint) may do now: its role
     * (enum sk_role), -1 when it may no longer log in (the key was taken
     * out of the authorized keys), or SK_AUTH_ROLE_KEEP for an identity it
     * does not judge (a password user, a certificate). Asked again for a live session at most
     * every SK_AUTH_RECHECK_MS, and at once by sk_auth_recheck; its answer
     * replaces the role the session was made with, or ends the session.
     * Called without the lock held. NULL: a session keeps its role.
     */
    int (*role_now)(void *ctx, const char *identity);
    void *role_ctx;
    /* The clock, for tests; NULL: sk_now_ms. */
    int64_t (*now_ms)(void);
};

struct sk_auth;

/* A new door keeper; loads the password file. NULL with err set when it is unreadable or bad. */
struct sk_auth *sk_auth_new(const struct sk_auth_opts *opts, char *err, size_t errlen);
/* Wipes every token and session. NULL is a no-op. */
void sk_auth_free(struct sk_auth *auth);

/*
 * Make a one-time login token for identity (copied) with role (enum
 * sk_role). token gets SK_AUTH_SECRET_LEN bytes. Returns 0, or -1 when no
 * randomness is available.
 */
int sk_auth_issue_token(struct sk_auth *auth, const char *identity, int role,
                        char token[SK_AUTH_SECRET_LEN]);

/*
 * Redeem a token: valid only once and before it expires. On success a new
 * session is made: its id goes to sid, its identity to identity and the
 * token's role to role (each may be NULL), and 0 is returned; -1 otherwise
 * (unknown, used, expired).
 */
int sk_auth_redeem(struct sk_auth *auth, const char *token, char sid[SK_AUTH_SECRET_LEN],
                   char *identity, size_t idlen, int *role);

/* A session for an identity proven some other way (a password). 0 or -1. */
int sk_auth_new_session(struct sk_auth *auth, const char *identity, int role,
                        char sid[SK_AUTH_SECRET_LEN]);

/* opts.role_now's answer for an identity it does not judge: the session keeps its role. */
#define SK_AUTH_ROLE_KEEP (-2)

/* How often a live session's key is looked at again (opts.role_now). */
#define SK_AUTH_RECHECK_MS 5000

/*
 * Is sid a live session? 1 (identity and role copied when not NULL) or 0.
 * Using it keeps it from idling out; its key is looked at again when the
 * last look is SK_AUTH_RECHECK_MS old.
 */
int sk_auth_session(struct sk_auth *auth, const char *sid, char *identity, size_t idlen, int *role);
/* Look at sid's key now (before a request that acts on the target). */
void sk_auth_recheck(struct sk_auth *auth, const char *sid);
/* End sid (a logout). 1 when it was a live session, 0 otherwise. */
int sk_auth_end_session(struct sk_auth *auth, const char *sid);

/*
 * Check an "Authorization: Basic ..." header value from source (the
 * client's address) against the password file: 1 (identity "password:USER"
 * and the user's role copied when not NULL), or 0 for a wrong one (counted
 * against source) and, without checking anything, while source must wait
 * (sk_auth_basic_wait_ms): a source that failed too often lately waits, 5
 * at once and then one a second, and all sources together 50 at once and
 * then 20 a second. Ask sk_auth_basic_wait_ms first to tell the two apart.
 */
int sk_auth_basic(struct sk_auth *auth, const char *header, const char *source, char *identity,
                  size_t idlen, int *role);
/* How long source must wait before its next password is checked: 0, or ms (policy/throttle.h). */
int64_t sk_auth_basic_wait_ms(struct sk_auth *auth, const char *source);

struct sk_buf;
/*
 * Append the identities of the live sessions to out as a JSON array of
 * strings, each once, in slot order: who is logged in to the web side.
 */
void sk_auth_identities_json(struct sk_auth *auth, struct sk_buf *out);

/* Whether a password file is loaded. */
int sk_auth_has_passwords(const struct sk_auth *auth);
/* Seconds a session cookie lives, and a one-time URL. */
int sk_auth_session_ttl(const struct sk_auth *auth);
int sk_auth_token_ttl(const struct sk_auth *auth);

/* Count a refused request; the total is for /metrics. */
void sk_auth_count_failure(struct sk_auth *auth);
uint64_t sk_auth_failures(struct sk_auth *auth);

/* Constant-time comparison of two NUL-terminated strings: 1 equal, 0 not. */
int sk_auth_equal(const char *a, const char *b);

#endif
