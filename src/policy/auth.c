/*
 * auth: one-time login tokens, session cookies and the password file.
 *
 * Owns two small fixed tables under one mutex: outstanding tokens and live
 * sessions, each an identity, a random secret and an expiry. A token is
 * wiped the moment it is redeemed (single use). Room is shared fairly: an
 * identity that holds its share already replaces its own oldest entry, and
 * a full table makes room at the expense of whoever holds the most, so no
 * one can push everyone else's logins out by asking for many. Secrets are compared in constant
 * time; password hashes go through crypt_r(3), and a user that does not exist is checked against a
 * dummy hash so that timing does not tell which users exist.
 */
#include "policy/auth.h"

#include <crypt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "policy/roster.h"
#include "base/util.h"
#include "policy/throttle.h"

#define MAX_TOKENS 32
#define MAX_SESSIONS 256
/* Each identity's share: a few URLs in flight, a browser or sixteen. */
#define TOKENS_PER_IDENTITY 4
#define SESSIONS_PER_IDENTITY 16
#define MAX_USERS 64
#define PASSWD_MAX_BYTES (64 * 1024)
#define BASIC_MAX 512

struct entry {
    char secret[SK_AUTH_SECRET_LEN]; /* "" when the slot is free */
    char identity[SK_AUTH_IDENTITY_LEN];
    int role; /* enum sk_role: what the identity may do */
    int64_t expires_ms;
    int64_t used_ms;    /* sessions: last use, for the idle time-out */
    int64_t checked_ms; /* sessions: when role_now last answered */
};

struct user {
    char *name;
    char *hash;
    int role;
};

struct sk_auth {
    pthread_mutex_t lock;
    struct entry tokens[MAX_TOKENS];
    struct entry sessions[MAX_SESSIONS];
    struct user users[MAX_USERS];
    size_t nusers;
    int token_ttl_s;
    int session_ttl_s;
    int idle_ttl_s;
    int (*role_now)(void *ctx, const char *identity);
    void *role_ctx;
    int64_t (*now_ms)(void);
    atomic_uint_fast64_t failures;
    struct sk_throttle *guesses; /* failed passwords, per source and overall */
};

int sk_auth_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Walk the longer one whole so the time depends on lengths only. */
    size_t n = SK_MAX(la, lb);
    unsigned diff = (unsigned)(la ^ lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = i < la ? (unsigned char)a[i] : 0;
        unsigned char cb = i < lb ? (unsigned char)b[i] : 0;
        diff |= (unsigned)(ca ^ cb);
    }
    return diff == 0;
}

static int load_passwd(struct sk_auth *auth, const char *path, char *err, size_t errlen)
{
    char *text = NULL, why[256];
    if (sk_read_trusted_file(path, PASSWD_MAX_BYTES, &text, NULL, why, sizeof(why)) != 0) {
        sk_set_err(err, errlen, "--http-passwd: %s", why);
        return -1;
    }
    int lineno = 0, rc = 0;
    for (char *p = text; *p != '\0' && rc == 0;) {
        lineno++;
        size_t len = strcspn(p, "\n");
        char *line = p;
        p += len + (p[len] == '\n');
        line[len] = '\0';
        if (len > 0 && line[len - 1] == '\r') {
            line[--len] = '\0';
        }
        if (len == 0 || line[0] == '#') {
            continue;
        }
        char *colon = strchr(line, ':');
        /* An optional third field is the user's role: user:hash:view. */
        char *third = colon != NULL ? strchr(colon + 1, ':') : NULL;
        enum sk_role role = SK_ROLE_CONTROL;
        if (third != NULL) {
            *third++ = '\0';
        }
        if (colon == NULL || colon == line) {
            sk_set_err(err, errlen, "%s:%d: expected user:hash[:role]", path, lineno);
            rc = -1;
        } else if (third != NULL && sk_role_parse(third, &role) != 0) {
            sk_set_err(err, errlen, "%s:%d: the role '%s' is neither view nor control", path,
                       lineno, third);
            rc = -1;
        } else if (colon[1] != '$') {
            /* Plain-text passwords are refused: a hash is what crypt(3) makes ("$6$..."). */
            sk_set_err(err, errlen, "%s:%d: the password must be a crypt(3) hash such as $6$...",
                       path, lineno);
            rc = -1;
        } else if (auth->nusers == MAX_USERS) {
            sk_set_err(err, errlen, "%s:%d: more than %d users", path, lineno, MAX_USERS);
            rc = -1;
        } else {
            auth->users[auth->nusers].name = xstrndup(line, (size_t)(colon - line));
            auth->users[auth->nusers].hash = xstrdup(colon + 1);
            auth->users[auth->nusers].role = role;
            auth->nusers++;
        }
    }
    sk_wipe(text, strlen(text));
    free(text);
    return rc;
}

struct sk_auth *sk_auth_new(const struct sk_auth_opts *opts, char *err, size_t errlen)
{
    struct sk_auth *auth = xcalloc(1, sizeof(*auth));
    pthread_mutex_init(&auth->lock, NULL);
    auth->token_ttl_s = opts->token_ttl_s > 0 ? opts->token_ttl_s : 60;
    auth->session_ttl_s = opts->session_ttl_s > 0 ? opts->session_ttl_s : 12 * 3600;
    auth->idle_ttl_s = opts->idle_ttl_s > 0 ? opts->idle_ttl_s : 30 * 60;
    auth->role_now = opts->role_now;
    auth->role_ctx = opts->role_ctx;
    auth->now_ms = opts->now_ms != NULL ? opts->now_ms : sk_now_ms;
    atomic_init(&auth->failures, 0);
    auth->guesses = sk_throttle_new(&(struct sk_throttle_opts){.now_ms = auth->now_ms});
    if (opts->passwd_file != NULL && load_passwd(auth, opts->passwd_file, err, errlen) != 0) {
        sk_auth_free(auth);
        return NULL;
    }
    return auth;
}

void sk_auth_free(struct sk_auth *auth)
{
    if (auth == NULL) {
        return;
    }
    for (size_t i = 0; i < auth->nusers; i++) {
        sk_wipe(auth->users[i].hash, strlen(auth->users[i].hash));
        free(auth->users[i].hash);
        free(auth->users[i].name);
    }
    sk_throttle_free(auth->guesses);
    pthread_mutex_destroy(&auth->lock);
    sk_wipe(auth, sizeof(*auth));
    free(auth);
}

static int random_secret(char out[SK_AUTH_SECRET_LEN])
{
    uint8_t raw[32];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    }
    sk_wipe(raw, sizeof(raw));
    return 0;
}

static int live(const struct entry *e, int64_t now)
{
    return e->secret[0] != '\0' && e->expires_ms > now;
}

/* How many live entries identity holds, and the one of them closest to expiring. */
static size_t held_by(struct entry *table, size_t n, const char *identity, int64_t now,
                      struct entry **oldest)
{
    size_t count = 0;
    *oldest = NULL;
    for (size_t i = 0; i < n; i++) {
        if (live(&table[i], now) && strcmp(table[i].identity, identity) == 0) {
            count++;
            if (*oldest == NULL || table[i].expires_ms < (*oldest)->expires_ms) {
                *oldest = &table[i];
            }
        }
    }
    return count;
}

/*
 * Where identity's new entry goes (called locked): its own oldest entry
 * once it holds its share; else a free or expired slot; else, the table
 * being full, the oldest entry of the identity that holds the most (of
 * several, the entry closest to expiring).
 */
static struct entry *take_slot(struct entry *table, size_t n, int64_t now, const char *identity,
                               size_t share)
{
    struct entry *own;
    if (held_by(table, n, identity, now, &own) >= share) {
        return own;
    }
    for (size_t i = 0; i < n; i++) {
        if (!live(&table[i], now)) {
            return &table[i];
        }
    }
    struct entry *victim = &table[0];
    size_t most = 0;
    for (size_t i = 0; i < n; i++) {
        struct entry *theirs;
        size_t k = held_by(table, n, table[i].identity, now, &theirs);
        if (k > most || (k == most && theirs->expires_ms < victim->expires_ms)) {
            most = k;
            victim = theirs;
        }
    }
    return victim;
}

/* The live entry whose secret is s, or NULL. Called locked; looks at every slot alike. */
static struct entry *find_entry(struct entry *table, size_t n, const char *s, int64_t now)
{
    struct entry *found = NULL;
    if (strlen(s) != SK_AUTH_SECRET_LEN - 1) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (table[i].secret[0] != '\0' && sk_auth_equal(table[i].secret, s)) {
            found = &table[i];
        }
    }
    if (found != NULL && found->expires_ms <= now) {
        sk_wipe(found, sizeof(*found));
        return NULL;
    }
    return found;
}

static int add_entry(struct sk_auth *auth, struct entry *table, size_t n, size_t share, int ttl_s,
                     const char *identity, int role, char secret[SK_AUTH_SECRET_LEN])
{
    if (random_secret(secret) != 0) {
        return -1;
    }
    int64_t now = auth->now_ms();
    struct entry *e = take_slot(table, n, now, identity, share);
    snprintf(e->secret, sizeof(e->secret), "%s", secret);
    snprintf(e->identity, sizeof(e->identity), "%s", identity);
    e->role = role;
    e->expires_ms = now + (int64_t)ttl_s * 1000;
    e->used_ms = now;
    e->checked_ms = now;
    return 0;
}

int sk_auth_issue_token(struct sk_auth *auth, const char *identity, int role,
                        char token[SK_AUTH_SECRET_LEN])
{
    pthread_mutex_lock(&auth->lock);
    int rc = add_entry(auth, auth->tokens, MAX_TOKENS, TOKENS_PER_IDENTITY, auth->token_ttl_s,
                       identity, role, token);
    pthread_mutex_unlock(&auth->lock);
    return rc;
}

int sk_auth_new_session(struct sk_auth *auth, const char *identity, int role,
                        char sid[SK_AUTH_SECRET_LEN])
{
    pthread_mutex_lock(&auth->lock);
    int rc = add_entry(auth, auth->sessions, MAX_SESSIONS, SESSIONS_PER_IDENTITY,
                       auth->session_ttl_s, identity, role, sid);
    pthread_mutex_unlock(&auth->lock);
    return rc;
}

int sk_auth_redeem(struct sk_auth *auth, const char *token, char sid[SK_AUTH_SECRET_LEN],
                   char *identity, size_t idlen, int *role)
{
    char who[SK_AUTH_IDENTITY_LEN];
    pthread_mutex_lock(&auth->lock);
    int64_t now = auth->now_ms();
    struct entry *t = find_entry(auth->tokens, MAX_TOKENS, token, now);
    int rc = -1;
    if (t != NULL) {
        snprintf(who, sizeof(who), "%s", t->identity);
        int r = t->role;
        /* Single use: gone before anyone else can look. */
        sk_wipe(t, sizeof(*t));
        rc = add_entry(auth, auth->sessions, MAX_SESSIONS, SESSIONS_PER_IDENTITY,
                       auth->session_ttl_s, who, r, sid);
        if (rc == 0 && identity != NULL) {
            snprintf(identity, idlen, "%s", who);
        }
        if (rc == 0 && role != NULL) {
            *role = r;
        }
    }
    pthread_mutex_unlock(&auth->lock);
    return rc;
}

/* The live session sid, ended first when it idled too long. Called locked. */
static struct entry *live_session(struct sk_auth *auth, const char *sid, int64_t now)
{
    struct entry *s = find_entry(auth->sessions, MAX_SESSIONS, sid, now);
    if (s != NULL && now - s->used_ms > (int64_t)auth->idle_ttl_s * 1000) {
        sk_wipe(s, sizeof(*s));
        s = NULL;
    }
    return s;
}

/*
 * Ask role_now about sid's identity when the last answer is older than
 * max_age_ms, without the lock (it may read a file), then apply the answer
 * to the session if it is still there: a new role, or the session ended.
 */
static void recheck(struct sk_auth *auth, const char *sid, int64_t max_age_ms)
{
    if (auth->role_now == NULL) {
        return;
    }
    char who[SK_AUTH_IDENTITY_LEN];
    pthread_mutex_lock(&auth->lock);
    int64_t now = auth->now_ms();
    struct entry *s = live_session(auth, sid, now);
    int due = s != NULL && now - s->checked_ms >= max_age_ms;
    if (due) {
        snprintf(who, sizeof(who), "%s", s->identity);
    }
    pthread_mutex_unlock(&auth->lock);
    if (!due) {
        return;
    }
    int role = auth->role_now(auth->role_ctx, who);
    pthread_mutex_lock(&auth->lock);
    s = live_session(auth, sid, auth->now_ms());
    if (s != NULL && strcmp(s->identity, who) == 0) {
        if (role == SK_AUTH_ROLE_KEEP) {
            s->checked_ms = auth->now_ms();
        } else if (role < 0) {
            sk_wipe(s, sizeof(*s));
        } else {
            s->role = role;
            s->checked_ms = auth->now_ms();
        }
    }
    pthread_mutex_unlock(&auth->lock);
}

int sk_auth_session(struct sk_auth *auth, const char *sid, char *identity, size_t idlen, int *role)
{
    recheck(auth, sid, SK_AUTH_RECHECK_MS);
    pthread_mutex_lock(&auth->lock);
    int64_t now = auth->now_ms();
    struct entry *s = live_session(auth, sid, now);
    if (s != NULL) {
        s->used_ms = now;
        if (identity != NULL) {
            snprintf(identity, idlen, "%s", s->identity);
        }
        if (role != NULL) {
            *role = s->role;
        }
    }
    pthread_mutex_unlock(&auth->lock);
    return s != NULL;
}

void sk_auth_recheck(struct sk_auth *auth, const char *sid)
{
    recheck(auth, sid, 0);
}

int sk_auth_end_session(struct sk_auth *auth, const char *sid)
{
    pthread_mutex_lock(&auth->lock);
    struct entry *s = live_session(auth, sid, auth->now_ms());
    if (s != NULL) {
        sk_wipe(s, sizeof(*s));
    }
    pthread_mutex_unlock(&auth->lock);
    return s != NULL;
}

static int b64_value(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

/* Decode standard base64 into out (NUL-terminated); the length, or -1. */
static int b64_decode(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *in != '\0' && *in != '='; in++) {
        int v = b64_value(*in);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= cap) {
                return -1;
            }
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return (int)n;
}

int64_t sk_auth_basic_wait_ms(struct sk_auth *auth, const char *source)
{
    return sk_throttle_wait_ms(auth->guesses, source != NULL ? source : "");
}

int sk_auth_basic(struct sk_auth *auth, const char *header, const char *source, char *identity,
                  size_t idlen, int *role)
{
    if (auth->nusers == 0 || header == NULL || strncasecmp(header, "Basic ", 6) != 0) {
        return 0;
    }
    /* Checked before the hash: a guess that must wait costs no crypt. */
    if (sk_auth_basic_wait_ms(auth, source) > 0) {
        return 0;
    }
    char plain[BASIC_MAX];
    const char *b64 = header + 6;
    while (*b64 == ' ') {
        b64++;
    }
    if (b64_decode(b64, plain, sizeof(plain)) < 0) {
        return 0;
    }
    char *colon = strchr(plain, ':');
    if (colon == NULL) {
        sk_wipe(plain, sizeof(plain));
        return 0;
    }
    *colon = '\0';
    /* Users are fixed after start-up, so no lock is needed to read them. */
    const char *hash = NULL;
    int user_role = SK_ROLE_CONTROL;
    for (size_t i = 0; i < auth->nusers; i++) {
        if (strcmp(auth->users[i].name, plain) == 0) {
            hash = auth->users[i].hash;
            user_role = auth->users[i].role;
        }
    }
    /* An unknown user still costs one crypt, so timing does not tell users apart. */
    static const char dummy[] = "$6$sshkvmdummysalt$";
    struct crypt_data *cd = xcalloc(1, sizeof(*cd));
    const char *got = crypt_r(colon + 1, hash != NULL ? hash : dummy, cd);
    int ok = hash != NULL && got != NULL && got[0] != '*' && sk_auth_equal(got, hash);
    if (ok && identity != NULL) {
        snprintf(identity, idlen, "password:%s", plain);
    }
    if (ok && role != NULL) {
        *role = user_role;
    }
    sk_wipe(cd, sizeof(*cd));
    free(cd);
    sk_wipe(plain, sizeof(plain));
    if (!ok) {
        sk_throttle_fail(auth->guesses, source != NULL ? source : "");
    }
    return ok;
}

void sk_auth_identities_json(struct sk_auth *auth, struct sk_buf *out)
{
    pthread_mutex_lock(&auth->lock);
    int64_t now = auth->now_ms();
    sk_buf_puts(out, "[");
    int n = 0;
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        const struct entry *e = &auth->sessions[i];
        if (e->secret[0] == '\0' || e->expires_ms <= now) {
            continue;
        }
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            const struct entry *o = &auth->sessions[j];
            seen = o->secret[0] != '\0' && o->expires_ms > now &&
                   strcmp(o->identity, e->identity) == 0;
        }
        if (!seen) {
            sk_buf_puts(out, n++ ? "," : "");
            sk_buf_json_string(out, e->identity);
        }
    }
    sk_buf_puts(out, "]");
    pthread_mutex_unlock(&auth->lock);
}

int sk_auth_has_passwords(const struct sk_auth *auth)
{
    return auth->nusers > 0;
}

int sk_auth_session_ttl(const struct sk_auth *auth)
{
    return auth->session_ttl_s;
}

int sk_auth_token_ttl(const struct sk_auth *auth)
{
    return auth->token_ttl_s;
}

void sk_auth_count_failure(struct sk_auth *auth)
{
    atomic_fetch_add(&auth->failures, 1);
}

uint64_t sk_auth_failures(struct sk_auth *auth)
{
    return atomic_load(&auth->failures);
}
