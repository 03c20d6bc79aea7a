/*
 * test_auth: the web doors' bookkeeping with a clock the test moves.
 *
 * One-time tokens work once and only before they expire; sessions expire;
 * the password file takes crypt(3) hashes (made here with crypt_r, checked
 * against `openssl passwd -6` output too) and refuses plain text.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "policy/auth.h"
#include "policy/roster.h"
#include "base/util.h"

static int64_t fake_now = 1000000;

static int64_t fake_clock(void)
{
    return fake_now;
}

static struct sk_auth *new_auth(const char *passwd_file)
{
    char err[256] = "";
    struct sk_auth *a = sk_auth_new(&(struct sk_auth_opts){.passwd_file = passwd_file,
                                                           .token_ttl_s = 60,
                                                           .session_ttl_s = 3600,
                                                           .idle_ttl_s = 3600,
                                                           .now_ms = fake_clock},
                                    err, sizeof(err));
    if (a == NULL) {
        fprintf(stderr, "  sk_auth_new: %s\n", err);
    }
    return a;
}

static void test_token_single_use(void)
{
    struct sk_auth *a = new_auth(NULL);
    char token[SK_AUTH_SECRET_LEN], token2[SK_AUTH_SECRET_LEN], sid[SK_AUTH_SECRET_LEN];
    char who[SK_AUTH_IDENTITY_LEN];
    CHECK_EQ_INT(sk_auth_issue_token(a, "SHA256:abc", 0, token), 0);
    CHECK_EQ_INT(strlen(token), 64);
    CHECK_EQ_INT(strspn(token, "0123456789abcdef"), 64);
    CHECK_EQ_INT(sk_auth_issue_token(a, "SHA256:abc", 0, token2), 0);
    CHECK(strcmp(token, token2) != 0);
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, who, sizeof(who), NULL), 0);
    CHECK_STR(who, "SHA256:abc");
    CHECK_EQ_INT(strlen(sid), 64);
    CHECK(strcmp(sid, token) != 0);
    /* Used once: never again, not even a moment later. */
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, who, sizeof(who), NULL), -1);
    /* The session it made is live and says who it is for. */
    who[0] = '\0';
    char sid1[SK_AUTH_SECRET_LEN];
    snprintf(sid1, sizeof(sid1), "%s", sid);
    CHECK_EQ_INT(sk_auth_session(a, sid1, who, sizeof(who), NULL), 1);
    CHECK_STR(who, "SHA256:abc");
    /* A token is not a session, and garbage is neither. */
    CHECK_EQ_INT(sk_auth_session(a, token2, NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_session(a, "", NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_redeem(a, "", sid, NULL, 0, NULL), -1);
    CHECK_EQ_INT(sk_auth_redeem(a, "0123", sid, NULL, 0, NULL), -1);
    sk_auth_free(a);
}

/* A token carries the role of the key that asked for it into the session it makes. */
static void test_token_carries_role(void)
{
    struct sk_auth *a = new_auth(NULL);
    char token[SK_AUTH_SECRET_LEN], sid[SK_AUTH_SECRET_LEN];
    int role = -1;
    CHECK_EQ_INT(sk_auth_issue_token(a, "SHA256:viewer", SK_ROLE_VIEW, token), 0);
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, NULL, 0, &role), 0);
    CHECK_EQ_INT(role, SK_ROLE_VIEW);
    role = -1;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_VIEW);
    CHECK_EQ_INT(sk_auth_issue_token(a, "SHA256:writer", SK_ROLE_CONTROL, token), 0);
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, NULL, 0, &role), 0);
    CHECK_EQ_INT(role, SK_ROLE_CONTROL);
    CHECK_EQ_INT(sk_auth_new_session(a, "password:v", SK_ROLE_VIEW, sid), 0);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_VIEW);
    sk_auth_free(a);
}

static void test_token_expires(void)
{
    struct sk_auth *a = new_auth(NULL);
    char token[SK_AUTH_SECRET_LEN], sid[SK_AUTH_SECRET_LEN];
    CHECK_EQ_INT(sk_auth_issue_token(a, "k", 0, token), 0);
    fake_now += 60 * 1000; /* exactly the TTL: expired */
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, NULL, 0, NULL), -1);
    CHECK_EQ_INT(sk_auth_issue_token(a, "k", 0, token), 0);
    fake_now += 59 * 1000;
    CHECK_EQ_INT(sk_auth_redeem(a, token, sid, NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 1);
    fake_now += 3600 * 1000 - 1;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 1);
    fake_now += 1;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 0);
    sk_auth_free(a);
}

/* role_now's answers, by identity: what the authorized keys say now. */
static int key_role = 0;
static int asked;
static int role_now(void *ctx, const char *identity)
{
    asked++;
    return strcmp(identity, "SHA256:key") == 0 ? key_role : SK_AUTH_ROLE_KEEP;
}

/* A session follows its key: a new role within SK_AUTH_RECHECK_MS, or at once when asked;
 * a removed key ends it; idle sessions end; a logout ends one. */
static void test_sessions_follow_the_key(void)
{
    char err[256], sid[SK_AUTH_SECRET_LEN], other[SK_AUTH_SECRET_LEN];
    struct sk_auth *a = sk_auth_new(
        &(struct sk_auth_opts){.idle_ttl_s = 600, .role_now = role_now, .now_ms = fake_clock}, err,
        sizeof(err));
    int role = -1;
    key_role = SK_ROLE_CONTROL;
    asked = 0;
    CHECK_EQ_INT(sk_auth_new_session(a, "SHA256:key", SK_ROLE_CONTROL, sid), 0);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_CONTROL);
    CHECK_EQ_INT(asked, 0); /* just made: nothing to look at */
    /* The key turns view-only: seen at the next look, not before. */
    key_role = SK_ROLE_VIEW;
    fake_now += SK_AUTH_RECHECK_MS - 1;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_CONTROL);
    fake_now += 1;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_VIEW);
    CHECK_EQ_INT(asked, 1);
    /* The key is removed: a recheck (before a control request) ends the session at once. */
    key_role = -1;
    sk_auth_recheck(a, sid);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, &role), 0);
    /* Idle: used within the idle time it lives on, past it it ends. */
    key_role = SK_ROLE_CONTROL;
    CHECK_EQ_INT(sk_auth_new_session(a, "SHA256:key", SK_ROLE_CONTROL, sid), 0);
    fake_now += 599 * 1000;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 1);
    fake_now += 599 * 1000;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 1);
    fake_now += 601 * 1000;
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 0);
    /* A logout ends that session only. */
    CHECK_EQ_INT(sk_auth_new_session(a, "SHA256:key", SK_ROLE_CONTROL, sid), 0);
    CHECK_EQ_INT(sk_auth_new_session(a, "password:alice", SK_ROLE_CONTROL, other), 0);
    CHECK_EQ_INT(sk_auth_end_session(a, sid), 1);
    CHECK_EQ_INT(sk_auth_end_session(a, sid), 0);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_session(a, other, NULL, 0, NULL), 1);
    /* An identity role_now does not judge keeps its role. */
    fake_now += SK_AUTH_RECHECK_MS;
    sk_auth_recheck(a, other);
    CHECK_EQ_INT(sk_auth_session(a, other, NULL, 0, &role), 1);
    CHECK_EQ_INT(role, SK_ROLE_CONTROL);
    sk_auth_free(a);
}

static void test_tables_are_bounded(void)
{
    struct sk_auth *a = new_auth(NULL);
    char first[SK_AUTH_SECRET_LEN], t[SK_AUTH_SECRET_LEN], sid[SK_AUTH_SECRET_LEN];
    CHECK_EQ_INT(sk_auth_issue_token(a, "k", 0, first), 0);
    /* Many more tokens than slots: the oldest makes room, nothing grows. */
    for (int i = 0; i < 100; i++) {
        fake_now++;
        CHECK_EQ_INT(sk_auth_issue_token(a, "k", 0, t), 0);
    }
    CHECK_EQ_INT(sk_auth_redeem(a, first, sid, NULL, 0, NULL), -1);
    CHECK_EQ_INT(sk_auth_redeem(a, t, sid, NULL, 0, NULL), 0);
    sk_auth_free(a);
}

/* One identity asking for many tokens and sessions pushes out its own, never anyone else's. */
static void test_tables_are_fair(void)
{
    struct sk_auth *a = new_auth(NULL);
    char alice_t[SK_AUTH_SECRET_LEN], alice_sid[SK_AUTH_SECRET_LEN], bob_sid[SK_AUTH_SECRET_LEN];
    char t[SK_AUTH_SECRET_LEN], sid[SK_AUTH_SECRET_LEN], who[SK_AUTH_IDENTITY_LEN];
    CHECK_EQ_INT(sk_auth_issue_token(a, "alice", 0, alice_t), 0);
    CHECK_EQ_INT(sk_auth_new_session(a, "alice", 0, alice_sid), 0);
    CHECK_EQ_INT(sk_auth_new_session(a, "bob", 0, bob_sid), 0);
    for (int i = 0; i < 1000; i++) {
        fake_now++;
        CHECK_EQ_INT(sk_auth_issue_token(a, "mallory", 0, t), 0);
        CHECK_EQ_INT(sk_auth_new_session(a, "mallory", 0, sid), 0);
    }
    CHECK_EQ_INT(sk_auth_session(a, alice_sid, who, sizeof(who), NULL), 1);
    CHECK_STR(who, "alice");
    CHECK_EQ_INT(sk_auth_session(a, bob_sid, NULL, 0, NULL), 1);
    CHECK_EQ_INT(sk_auth_redeem(a, alice_t, sid, NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_session(a, sid, NULL, 0, NULL), 1); /* mallory's latest still works */
    /* A full table of many identities (alice, bob, mallory's 16 and 240 more: 258 for 256
     * places) makes room at the expense of the one holding the most. */
    char name[32];
    for (int i = 0; i < 240; i++) {
        fake_now++;
        snprintf(name, sizeof(name), "user%d", i);
        CHECK_EQ_INT(sk_auth_new_session(a, name, 0, sid), 0);
    }
    CHECK_EQ_INT(sk_auth_session(a, alice_sid, NULL, 0, NULL), 1);
    CHECK_EQ_INT(sk_auth_session(a, bob_sid, NULL, 0, NULL), 1);
    sk_auth_free(a);
}

static void basic_header(const char *userpass, char *out, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(userpass), o = (size_t)snprintf(out, len, "Basic ");
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)userpass[i] << 16;
        v |= i + 1 < n ? (unsigned)(unsigned char)userpass[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned)(unsigned char)userpass[i + 2] : 0;
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
}

static void test_password_file(void)
{
    char path[] = "/tmp/sk-passwd-XXXXXX";
    int fd = mkstemp(path);
    struct crypt_data cd = {0};
    const char *h = crypt_r("s3cret pass", "$6$saltsalt$", &cd);
    char text[512];
    /* The second line is what `openssl passwd -6 -salt abcdefgh secret` prints. */
    snprintf(
        text, sizeof(text),
        "# users\nalice:%s\n\nbob:$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv7"
        "2N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.:view\n",
        h);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    struct sk_auth *a = new_auth(path);
    CHECK(a != NULL);
    if (a == NULL) {
        unlink(path);
        return;
    }
    char hdr[256], who[SK_AUTH_IDENTITY_LEN];
    CHECK_EQ_INT(sk_auth_has_passwords(a), 1);
    int role = -1;
    basic_header("alice:s3cret pass", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.1", who, sizeof(who), &role), 1);
    CHECK_STR(who, "password:alice");
    CHECK_EQ_INT(role, SK_ROLE_CONTROL); /* no third field: control */
    basic_header("bob:secret", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.1", who, sizeof(who), &role), 1);
    CHECK_STR(who, "password:bob");
    CHECK_EQ_INT(role, SK_ROLE_VIEW); /* ":view" */
    basic_header("alice:s3cret pas", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    basic_header("bob:s3cret pass", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    basic_header("carol:secret", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    basic_header("alice", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_basic(a, "Basic !!!not base64", "10.0.0.3", NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_basic(a, "Bearer abc", "10.0.0.3", NULL, 0, NULL), 0);
    /* 10.0.0.2 guessed wrong three times (the line without a colon is no guess): two more, then
     * it waits, even with the right password; others do not. */
    basic_header("alice:wrong", hdr, sizeof(hdr));
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(sk_auth_basic_wait_ms(a, "10.0.0.2"), 0);
        CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    }
    CHECK(sk_auth_basic_wait_ms(a, "10.0.0.2") > 0);
    basic_header("alice:s3cret pass", hdr, sizeof(hdr));
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.2", NULL, 0, NULL), 0);
    CHECK_EQ_INT(sk_auth_basic(a, hdr, "10.0.0.1", NULL, 0, NULL), 1);
    sk_auth_free(a);
    unlink(path);
}

static void test_password_file_errors(void)
{
    char path[] = "/tmp/sk-passwd-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "alice:$6$x$y\nbob:plaintext\n";
    CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1));
    close(fd);
    char err[256] = "", want[300];
    CHECK(sk_auth_new(&(struct sk_auth_opts){.passwd_file = path}, err, sizeof(err)) == NULL);
    snprintf(want, sizeof(want), "%s:2: the password must be a crypt(3) hash such as $6$...", path);
    CHECK_STR(err, want);
    unlink(path);
    /* A role that is neither view nor control refuses the whole file. */
    char path2[] = "/tmp/sk-passwd-XXXXXX";
    fd = mkstemp(path2);
    const char text2[] = "alice:$6$x$y:admin\n";
    CHECK(write(fd, text2, sizeof(text2) - 1) == (ssize_t)(sizeof(text2) - 1));
    close(fd);
    CHECK(sk_auth_new(&(struct sk_auth_opts){.passwd_file = path2}, err, sizeof(err)) == NULL);
    snprintf(want, sizeof(want), "%s:1: the role 'admin' is neither view nor control", path2);
    CHECK_STR(err, want);
    unlink(path2);
    CHECK(sk_auth_new(&(struct sk_auth_opts){.passwd_file = "/nonexistent/pw"}, err, sizeof(err)) ==
          NULL);
    CHECK(strncmp(err, "--http-passwd: cannot read /nonexistent/pw", 42) == 0);
    /* Without a password file Basic never succeeds. */
    struct sk_auth *a = new_auth(NULL);
    CHECK_EQ_INT(sk_auth_has_passwords(a), 0);
    CHECK_EQ_INT(sk_auth_basic(a, "Basic YTpi", "10.0.0.3", NULL, 0, NULL), 0);
    sk_auth_free(a);
}

static void test_equal(void)
{
    CHECK_EQ_INT(sk_auth_equal("abc", "abc"), 1);
    CHECK_EQ_INT(sk_auth_equal("abc", "abd"), 0);
    CHECK_EQ_INT(sk_auth_equal("abc", "abcd"), 0);
    CHECK_EQ_INT(sk_auth_equal("", ""), 1);
    CHECK_EQ_INT(sk_auth_equal("", "a"), 0);
}

static void test_identities(void)
{
    struct sk_auth *a = new_auth(NULL);
    char sid[SK_AUTH_SECRET_LEN];
    struct sk_buf b = {0};
    sk_auth_identities_json(a, &b);
    CHECK_STR(b.data, "[]");
    CHECK_EQ_INT(sk_auth_new_session(a, "SHA256:k1", 0, sid), 0);
    CHECK_EQ_INT(sk_auth_new_session(a, "password:bob", 0, sid), 0);
    CHECK_EQ_INT(sk_auth_new_session(a, "SHA256:k1", 0, sid), 0);
    sk_buf_reset(&b);
    sk_auth_identities_json(a, &b);
    CHECK_STR(b.data, "[\"SHA256:k1\",\"password:bob\"]");
    fake_now += 3600 * 1000; /* every session expired */
    sk_buf_reset(&b);
    sk_auth_identities_json(a, &b);
    CHECK_STR(b.data, "[]");
    sk_buf_free(&b);
    sk_auth_free(a);
}

static void test_failures_counted(void)
{
    struct sk_auth *a = new_auth(NULL);
    CHECK_EQ_INT(sk_auth_failures(a), 0);
    sk_auth_count_failure(a);
    sk_auth_count_failure(a);
    CHECK_EQ_INT(sk_auth_failures(a), 2);
    sk_auth_free(a);
}

int main(void)
{
    SK_RUN(test_token_single_use);
    SK_RUN(test_token_carries_role);
    SK_RUN(test_tables_are_fair);
    SK_RUN(test_sessions_follow_the_key);
    SK_RUN(test_token_expires);
    SK_RUN(test_tables_are_bounded);
    SK_RUN(test_password_file);
    SK_RUN(test_password_file_errors);
    SK_RUN(test_equal);
    SK_RUN(test_identities);
    SK_RUN(test_failures_counted);
    return SK_CHECK_EXIT();
}
