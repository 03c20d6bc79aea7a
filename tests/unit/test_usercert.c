/*
 * test_usercert: the certificate parser and signature check on a
 * certificate made by ssh-keygen -s: fields read exactly; every truncation
 * and a trailing byte are malformed; one flipped bit in the signed part
 * fails the CA's signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "ssh/usercert.h"
#include "base/util.h"

static uint8_t blob[4096];
static size_t blob_len;
static char dir[] = "/tmp/sk-usercert-XXXXXX";

/* A CA, a user key and its certificate, made by ssh-keygen in a temporary directory. */
static int make_cert(void)
{
    char cmd[1024], path[256];
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(
        cmd, sizeof(cmd),
        "cd %s && ssh-keygen -q -N '' -t ed25519 -f ca && ssh-keygen -q -N '' -t ed25519 -f u"
        " && ssh-keygen -q -s ca -I 'alice id' -n kvm,ops -z 4242 -V 20300101:20300201 u.pub"
        " && ssh-keygen -q -N '' -t ed25519 -f h && ssh-keygen -q -s ca -h -I host -n kvm h.pub"
        " && (printf 'sshkvm-role=view '; cat ca.pub) > trusted 2>/dev/null",
        dir);
    if (system(cmd) != 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/u-cert.pub", dir);
    char *text = NULL, err[128];
    if (sk_read_file(path, 8192, &text, NULL, err, sizeof(err)) != 0) {
        return -1;
    }
    char *b64 = strchr(text, ' ') + 1;
    *strchr(b64, ' ') = '\0';
    int n = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)strlen(b64));
    blob_len = (size_t)n - (b64[strlen(b64) - 1] == '=') - (b64[strlen(b64) - 2] == '=');
    free(text);
    return n > 0 ? 0 : -1;
}

static void test_fields(void)
{
    struct sk_usercert c;
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len, &c), 0);
    CHECK(c.type_len == 32 && memcmp(c.type, "ssh-ed25519-cert-v01@openssh.com", 32) == 0);
    CHECK_EQ_INT(c.serial, 4242);
    CHECK_EQ_INT(c.cert_type, SK_USERCERT_TYPE_USER);
    CHECK(c.key_id_len == 8 && memcmp(c.key_id, "alice id", 8) == 0);
    CHECK_EQ_INT(sk_usercert_has_principal(&c, "kvm"), 1);
    CHECK_EQ_INT(sk_usercert_has_principal(&c, "ops"), 1);
    CHECK_EQ_INT(sk_usercert_has_principal(&c, "root"), 0);
    CHECK_EQ_INT(sk_usercert_has_principal(&c, "kv"), 0);
    /* 2030-01-01 and 2030-02-01, local midnight: within a day of UTC midnight. */
    CHECK(c.valid_after > 1893456000ULL - 86400 && c.valid_after < 1893456000ULL + 86400);
    CHECK_EQ_INT(c.valid_before - c.valid_after, 31 * 86400);
    CHECK_EQ_INT(c.critical_len, 0);
    char err[128];
    CHECK_EQ_INT(sk_usercert_verify(&c, err, sizeof(err)), 0);
}

static void test_malformed(void)
{
    struct sk_usercert c;
    int bad = 0;
    for (size_t n = 0; n < blob_len; n++) {
        bad += sk_usercert_parse(blob, n, &c) == SK_PARSE_INVALID;
    }
    CHECK_EQ_INT(bad, (int)blob_len);
    blob[blob_len] = 0;
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len + 1, &c), SK_PARSE_INVALID);
    /* A huge length field never reads past the end. */
    uint8_t saved = blob[0];
    blob[0] = 0xff;
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len, &c), SK_PARSE_INVALID);
    blob[0] = saved;
}

static void test_tampered(void)
{
    struct sk_usercert c;
    char err[128];
    /* Flip one bit of the key id, inside the signed part. */
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len, &c), 0);
    size_t at = (size_t)(c.key_id - blob);
    blob[at] ^= 1;
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len, &c), 0);
    CHECK_EQ_INT(sk_usercert_verify(&c, err, sizeof(err)), -1);
    CHECK_STR(err, "the CA's signature does not verify");
    blob[at] ^= 1;
    CHECK_EQ_INT(sk_usercert_parse(blob, blob_len, &c), 0);
    CHECK_EQ_INT(sk_usercert_verify(&c, err, sizeof(err)), 0);
}

/* An ssh_key of the certificate in file (under dir), with bytes [at] xor flip (0: as is). */
static ssh_key load_cert(const char *file, const char *needle, uint8_t flip)
{
    char path[256], *text = NULL, err[128];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (sk_read_file(path, 8192, &text, NULL, err, sizeof(err)) != 0) {
        return NULL;
    }
    char *b64 = strchr(text, ' ') + 1;
    *strchr(b64, ' ') = '\0';
    b64[-1] = '\0'; /* text is now the key type's name */
    uint8_t raw[4096];
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
    uint8_t *hit = needle ? memmem(raw, (size_t)n, needle, strlen(needle)) : NULL;
    if (hit != NULL) {
        *hit ^= flip;
    }
    char out[6000];
    EVP_EncodeBlock((unsigned char *)out, raw, n);
    ssh_key key = NULL;
    ssh_pki_import_cert_base64(out, ssh_key_type_from_name(text), &key);
    free(text);
    return key;
}

/* The whole check on certificates OpenSSH's client would never offer, with a role from the CA line.
 */
static void test_check(void)
{
    char trusted[256], why[256];
    snprintf(trusted, sizeof(trusted), "%s/trusted", dir);
    struct sk_usercert_result res;
    ssh_key good = load_cert("u-cert.pub", NULL, 0);
    CHECK(good != NULL && sk_usercert_is_cert(good));
    CHECK_EQ_INT(
        sk_usercert_check(trusted, good, "kvm", 1893456000LL + 5 * 86400, &res, why, sizeof(why)),
        1);
    CHECK_EQ_INT(res.role, SK_ROLE_VIEW);
    CHECK_STR(res.key_id, "alice id");
    CHECK_EQ_INT(res.serial, 4242);
    CHECK_EQ_INT(
        sk_usercert_check(trusted, good, "root", 1893456000LL + 5 * 86400, &res, why, sizeof(why)),
        0);
    CHECK_STR(why, "'root' is not among its principals");
    CHECK_EQ_INT(
        sk_usercert_check(trusted, good, "kvm", 1893456000LL + 40 * 86400, &res, why, sizeof(why)),
        0);
    CHECK_STR(why, "expired");
    ssh_key tampered = load_cert("u-cert.pub", "alice", 1);
    CHECK(tampered != NULL);
    CHECK_EQ_INT(sk_usercert_check(trusted, tampered, "kvm", 1893456000LL + 5 * 86400, &res, why,
                                   sizeof(why)),
                 0);
    CHECK_STR(why, "the CA's signature does not verify");
    ssh_key host = load_cert("h-cert.pub", NULL, 0);
    CHECK(host != NULL);
    CHECK_EQ_INT(sk_usercert_check(trusted, host, "kvm", 1893456000LL, &res, why, sizeof(why)), 0);
    CHECK_STR(why, "not a user certificate");
    CHECK_EQ_INT(sk_usercert_check("/nonexistent/ca", good, "kvm", 0, &res, why, sizeof(why)), -1);
    CHECK(strncmp(why, "--trusted-user-ca-keys: ", 24) == 0);
    ssh_key_free(good);
    ssh_key_free(tampered);
    ssh_key_free(host);
}

int main(void)
{
    if (make_cert() != 0) {
        fprintf(stderr, "FAIL make_cert: ssh-keygen could not make a certificate\n");
        return 1;
    }
    SK_RUN(test_fields);
    SK_RUN(test_malformed);
    SK_RUN(test_tampered);
    SK_RUN(test_check);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "  could not remove %s\n", dir);
    }
    return SK_CHECK_EXIT();
}
