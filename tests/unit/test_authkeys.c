/*
 * test_authkeys: authorized_keys lines with and without options, quotes,
 * comments; matching re-reads the file.
 */
#include <stdio.h>
#include <string.h>

#include <libssh/libssh.h>

#include "check.h"
#include "ssh/authkeys.h"
#include "ssh/hostkey.h"
#include "base/util.h"

static void test_parse_lines(void)
{
    struct sk_authkey_line l;
    const char *plain = "ssh-ed25519 AAAAC3Nza user@host";
    CHECK_EQ_INT(sk_authkeys_parse_line(plain, strlen(plain), &l), 1);
    CHECK(l.options == NULL);
    CHECK(l.type_len == 11 && memcmp(l.type, "ssh-ed25519", 11) == 0);
    CHECK(l.blob_len == 9 && memcmp(l.blob, "AAAAC3Nza", 9) == 0);

    const char *opts = "restrict,command=\"echo a b\",from=\"10.0.0.1\" ssh-rsa AAAAB3 c";
    CHECK_EQ_INT(sk_authkeys_parse_line(opts, strlen(opts), &l), 1);
    CHECK(l.options_len == strlen("restrict,command=\"echo a b\",from=\"10.0.0.1\""));
    CHECK(l.type_len == 7 && memcmp(l.type, "ssh-rsa", 7) == 0);

    const char *ecdsa = "  ecdsa-sha2-nistp256 AAAAE2 \r";
    CHECK_EQ_INT(sk_authkeys_parse_line(ecdsa, strlen(ecdsa), &l), 1);
    CHECK(l.blob_len == 6);

    CHECK(l.comment == NULL);
    CHECK_EQ_INT(sk_authkeys_parse_line(plain, strlen(plain), &l), 1);
    CHECK(l.comment_len == 9 && memcmp(l.comment, "user@host", 9) == 0);
    const char *spaced = "ssh-ed25519 AAAA  my laptop key  ";
    CHECK_EQ_INT(sk_authkeys_parse_line(spaced, strlen(spaced), &l), 1);
    CHECK(l.comment_len == 13 && memcmp(l.comment, "my laptop key", 13) == 0);
    CHECK_EQ_INT(sk_authkeys_parse_line("# comment", 9, &l), 0);
    CHECK_EQ_INT(sk_authkeys_parse_line("   ", 3, &l), 0);
    CHECK_EQ_INT(sk_authkeys_parse_line("garbage", 7, &l), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_authkeys_parse_line("ssh-ed25519", 11, &l), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_authkeys_parse_line("opt=\"unclosed ssh-ed25519 AAAA", 30, &l),
                 SK_PARSE_INVALID);
}

static void test_match(void)
{
    ssh_key k1 = NULL, k2 = NULL;
    char *b64 = NULL, err[256], opts[128];
    CHECK(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &k1) == SSH_OK);
    CHECK(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &k2) == SSH_OK);
    CHECK(ssh_pki_export_pubkey_base64(k1, &b64) == SSH_OK);
    const char *path = "/tmp/sk-test-authorized_keys";
    FILE *fp = fopen(path, "w");
    fprintf(fp, "# keys\nnot a key line\nssh-ed25519 AAAAinvalidbase64 broken\n");
    /* A cert-authority line authorizes certificates, not the CA key: skipped. */
    fprintf(fp, "cert-authority,sshkvm-role=view ssh-ed25519 %s ca\n", b64);
    fprintf(fp, "restrict ssh-ed25519 %s me@laptop\n", b64);
    fclose(fp);
    char comment[64];
    CHECK_EQ_INT(
        sk_authkeys_match(path, k1, opts, sizeof(opts), comment, sizeof(comment), err, sizeof(err)),
        1);
    CHECK_STR(opts, "restrict");
    CHECK_STR(comment, "me@laptop");
    CHECK_EQ_INT(sk_authkeys_match(path, k2, NULL, 0, NULL, 0, err, sizeof(err)), 0);
    /* The file is re-read at every check: a key added now works now. */
    char *b64b = NULL;
    ssh_pki_export_pubkey_base64(k2, &b64b);
    fp = fopen(path, "a");
    fprintf(fp, "ssh-ed25519 %s\n", b64b);
    fclose(fp);
    CHECK_EQ_INT(sk_authkeys_match(path, k2, opts, sizeof(opts), NULL, 0, err, sizeof(err)), 1);
    CHECK_STR(opts, "");
    remove(path);
    CHECK_EQ_INT(sk_authkeys_match(path, k1, NULL, 0, NULL, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, "cannot read authorized keys") != NULL);
    ssh_string_free_char(b64);
    ssh_string_free_char(b64b);
    ssh_key_free(k1);
    ssh_key_free(k2);
}

/* A web session's key, looked up again by fingerprint: its role now, or gone. */
static void test_role_now(void)
{
    ssh_key k = NULL, other = NULL;
    char *b64 = NULL, err[256], fp[128], ofp[128];
    CHECK(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &k) == SSH_OK);
    CHECK(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &other) == SSH_OK);
    CHECK(ssh_pki_export_pubkey_base64(k, &b64) == SSH_OK);
    CHECK_EQ_INT(sk_ssh_key_fingerprint(k, fp, sizeof(fp)), 0);
    CHECK_EQ_INT(sk_ssh_key_fingerprint(other, ofp, sizeof(ofp)), 0);
    const char *path = "/tmp/sk-test-authorized_keys-now";
    time_t now = 1800000000;
    static const struct {
        const char *options;
        int role;
    } cases[] = {
        {"", SK_ROLE_CONTROL},
        {"sshkvm-role=view", SK_ROLE_VIEW},
        {"from=\"10.9.9.9\"", SK_ROLE_CONTROL}, /* no client address to judge */
        {"expiry-time=\"20000101\"", -1},
        {"command=\"/bin/false\"", -1},
        {"cert-authority", -1},
        {"sshkvm-role=admin", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FILE *f = fopen(path, "w");
        fprintf(f, "%s%sssh-ed25519 %s me\n", cases[i].options, cases[i].options[0] ? " " : "",
                b64);
        fclose(f);
        CHECK_EQ_INT(sk_authkeys_role_now(path, fp, now, err, sizeof(err)), cases[i].role);
    }
    CHECK_EQ_INT(sk_authkeys_role_now(path, ofp, now, err, sizeof(err)), -1);
    CHECK(strstr(err, "no longer in") != NULL);
    remove(path);
    CHECK_EQ_INT(sk_authkeys_role_now(path, fp, now, err, sizeof(err)), -1);
    ssh_string_free_char(b64);
    ssh_key_free(k);
    ssh_key_free(other);
}

static enum sk_role role_of(const char *options, int *rc)
{
    enum sk_role r = (enum sk_role) - 1;
    char err[128];
    *rc = sk_authkeys_role(options, &r, err, sizeof(err));
    return r;
}

static void test_roles(void)
{
    int rc;
    CHECK_EQ_INT(role_of("", &rc), SK_ROLE_CONTROL);
    CHECK_EQ_INT(role_of(NULL, &rc), SK_ROLE_CONTROL);
    CHECK_EQ_INT(role_of("sshkvm-role=view", &rc), SK_ROLE_VIEW);
    CHECK_EQ_INT(role_of("sshkvm-role=\"view\"", &rc), SK_ROLE_VIEW);
    CHECK_EQ_INT(role_of("sshkvm-role=control", &rc), SK_ROLE_CONTROL);
    /* restrict alone is view; a role says otherwise, wherever it stands. */
    CHECK_EQ_INT(role_of("restrict", &rc), SK_ROLE_VIEW);
    CHECK_EQ_INT(role_of("restrict,sshkvm-role=control", &rc), SK_ROLE_CONTROL);
    CHECK_EQ_INT(role_of("sshkvm-role=\"control\",restrict", &rc), SK_ROLE_CONTROL);
    /* Other OpenSSH options are ignored, even with commas and quotes inside their values. */
    CHECK_EQ_INT(role_of("from=\"10.0.0.1,10.0.0.2\",command=\"echo a,sshkvm-role=view\"", &rc),
                 SK_ROLE_CONTROL);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(role_of("no-pty,sshkvm-role=view,no-agent-forwarding", &rc), SK_ROLE_VIEW);
    char err[128];
    enum sk_role r;
    CHECK_EQ_INT(sk_authkeys_role("sshkvm-role=admin", &r, err, sizeof(err)), -1);
    CHECK_STR(err, "sshkvm-role=\"admin\" is neither view nor control");
    CHECK_EQ_INT(sk_authkeys_role("sshkvm-role=", &r, err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_authkeys_role("restrict,sshkvm-role=View", &r, err, sizeof(err)), -1);
}

/* from=: OpenSSH's address patterns. */
static void test_from(void)
{
    CHECK_EQ_INT(sk_authkeys_from_match("10.9.9.9", "10.9.9.9"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("127.0.0.1", "10.9.9.9"), 0);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.2.3", "10.0.0.0/8"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("11.1.2.3", "10.0.0.0/8"), 0);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.7.20", "192.168.7.*"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.70.2", "192.168.7.?"), 0);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.7.2", "192.168.7.?"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.7.20", "192.168.7.*,!192.168.7.20"), -1);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.7.20", "!192.168.7.20,*"), -1);
    CHECK_EQ_INT(sk_authkeys_from_match("192.168.7.21", "!192.168.7.20,*"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("::1", "::1"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("2001:db8::5", "2001:DB8::/32"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("2001:db9::5", "2001:db8::/32"), 0);
    CHECK_EQ_INT(sk_authkeys_from_match("::ffff:10.1.1.1", "10.1.1.0/24"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("::ffff:10.1.1.1", "10.1.1.*"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", "10.0.0.0/33"), -2);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", "10.0.0.0/"), -2);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", "10.1.1.1,,*"), -2);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", "!"), -2);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", ""), -2);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.1.1", "*"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.2.3", "1*.*.2.?"), 1);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.2.3", "*.*.*.4"), 0);
    CHECK_EQ_INT(sk_authkeys_from_match("10.1.2.3", "**10.1.2.3**"), 1);
    /* Many stars against a long text: linear, not exponential (the fuzzer's timeout). */
    CHECK_EQ_INT(sk_authkeys_from_match("1111111111111111111111111111111111111111",
                                        "*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*2"),
                 0);
}

/* Whether options let a key in: from=, expiry-time=, and restrictions sshkvm cannot carry out. */
static void test_allow(void)
{
    char err[256];
    time_t now = 1800000000; /* 2027-01-15 */
    CHECK_EQ_INT(sk_authkeys_allow("", "127.0.0.1", now, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_authkeys_allow(NULL, "127.0.0.1", now, err, sizeof(err)), 0);
    CHECK_EQ_INT(
        sk_authkeys_allow("restrict,sshkvm-role=view,no-pty", "127.0.0.1", now, err, sizeof(err)),
        0);
    CHECK_EQ_INT(sk_authkeys_allow("restrict,no-ptyx", "127.0.0.1", now, err, sizeof(err)), -1);
    CHECK(strstr(err, "no-ptyx") != NULL);
    CHECK_EQ_INT(sk_authkeys_allow("restrict,pty,sshkvm-role=control,no-port-forwarding",
                                   "127.0.0.1", now, err, sizeof(err)),
                 0);
    /* The finding: every restriction of this key used to be ignored. */
    const char *hostile = "from=\"10.9.9.9\",command=\"/bin/false\",expiry-time=\"20000101\"";
    CHECK_EQ_INT(sk_authkeys_allow(hostile, "127.0.0.1", now, err, sizeof(err)), -1);
    CHECK(strstr(err, "from=") != NULL);
    CHECK_EQ_INT(
        sk_authkeys_allow("from=\"10.9.9.9,127.0.0.0/8\"", "127.0.0.1", now, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_authkeys_allow("from=\"127.0.0.1\",command=\"/bin/false\"", "127.0.0.1", now,
                                   err, sizeof(err)),
                 -1);
    CHECK(strstr(err, "command") != NULL);
    for (const char *const *o =
             (const char *const[]){"permitopen=\"h:1\"", "permitlisten=\"1\"",
                                   "environment=\"A=b\"", "principals=\"x\"", "tunnel=\"1\"",
                                   "verify-required", "no-such-option", NULL};
         *o != NULL; o++) {
        CHECK_EQ_INT(sk_authkeys_allow(*o, "127.0.0.1", now, err, sizeof(err)), -1);
    }
    CHECK_EQ_INT(sk_authkeys_allow("expiry-time=\"20000101\"", "127.0.0.1", now, err, sizeof(err)),
                 -1);
    CHECK(strstr(err, "expired") != NULL);
    CHECK_EQ_INT(
        sk_authkeys_allow("expiry-time=\"20270115080000Z\"", "127.0.0.1", now, err, sizeof(err)),
        0);
    CHECK_EQ_INT(
        sk_authkeys_allow("expiry-time=\"20270115075959Z\"", "127.0.0.1", now, err, sizeof(err)),
        -1);
    CHECK_EQ_INT(sk_authkeys_allow("expiry-time=\"2027011\"", "127.0.0.1", now, err, sizeof(err)),
                 -1);
    CHECK(strstr(err, "YYYYMMDD") != NULL);
    CHECK_EQ_INT(sk_authkeys_allow("expiry-time=\"20271301\"", "127.0.0.1", now, err, sizeof(err)),
                 -1);
    CHECK_EQ_INT(sk_authkeys_allow("from=\"!127.0.0.1,*\"", "127.0.0.1", now, err, sizeof(err)),
                 -1);
}

int main(void)
{
    SK_RUN(test_parse_lines);
    SK_RUN(test_match);
    SK_RUN(test_role_now);
    SK_RUN(test_roles);
    SK_RUN(test_from);
    SK_RUN(test_allow);
    return SK_CHECK_EXIT();
}
