/*
 * usercert: parse and check OpenSSH user certificates.
 *
 * The certificate arrives from libssh as an ssh_key of a *_CERT01 type;
 * its base64 export is the whole certificate blob, which is parsed here
 * field by field (every length bounded by what is left). The signed part
 * is everything before the signature field. Only Ed25519 CA signatures are
 * verified (libssh 0.10 has no public verify call, so libcrypto's
 * EVP_DigestVerify does it); a certificate from another CA type is refused
 * with a message saying so. The trusted-CA file uses authorized_keys line
 * syntax (options, then the CA's public key) and is re-read at each login.
 */
#include "ssh/usercert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ssh/authkeys.h"
#include "base/util.h"

#define ED25519_KEY_LEN 32
#define ED25519_SIG_LEN 64
#define CA_FILE_MAX (256 * 1024)

struct reader {
    const uint8_t *p;
    size_t left;
};

static int read_u32(struct reader *r, uint32_t *v)
{
    if (r->left < 4) {
        return -1;
    }
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int read_u64(struct reader *r, uint64_t *v)
{
    uint32_t hi, lo;
    if (read_u32(r, &hi) != 0 || read_u32(r, &lo) != 0) {
        return -1;
    }
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

static int read_string(struct reader *r, const uint8_t **s, size_t *len)
{
    uint32_t n;
    if (read_u32(r, &n) != 0 || n > r->left) {
        return -1;
    }
    *s = r->p;
    *len = n;
    r->p += n;
    r->left -= n;
    return 0;
}

static int skip_strings(struct reader *r, int n)
{
    const uint8_t *s;
    size_t len;
    for (int i = 0; i < n; i++) {
        if (read_string(r, &s, &len) != 0) {
            return -1;
        }
    }
    return 0;
}

static int is(const uint8_t *s, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* How many string fields the certified public key has after the nonce, by certificate type. */
static int key_fields(const uint8_t *type, size_t len)
{
    if (is(type, len, "ssh-ed25519-cert-v01@openssh.com")) {
        return 1; /* pk */
    }
    if (is(type, len, "ecdsa-sha2-nistp256-cert-v01@openssh.com") ||
        is(type, len, "ecdsa-sha2-nistp384-cert-v01@openssh.com") ||
        is(type, len, "ecdsa-sha2-nistp521-cert-v01@openssh.com") ||
        is(type, len, "ssh-rsa-cert-v01@openssh.com")) {
        return 2; /* curve, Q; or e, n (mpints are strings on the wire) */
    }
    return -1;
}

int sk_usercert_parse(const uint8_t *blob, size_t len, struct sk_usercert *out)
{
    memset(out, 0, sizeof(*out));
    struct reader r = {blob, len};
    const uint8_t *s;
    size_t n;
    if (read_string(&r, &out->type, &out->type_len) != 0) {
        return SK_PARSE_INVALID;
    }
    int fields = key_fields(out->type, out->type_len);
    if (fields < 0 || skip_strings(&r, 1 + fields) != 0 || /* the nonce, then the key */
        read_u64(&r, &out->serial) != 0 || read_u32(&r, &out->cert_type) != 0 ||
        read_string(&r, &out->key_id, &out->key_id_len) != 0 ||
        read_string(&r, &out->principals, &out->principals_len) != 0 ||
        read_u64(&r, &out->valid_after) != 0 || read_u64(&r, &out->valid_before) != 0 ||
        read_string(&r, &s, &out->critical_len) != 0 ||
        read_string(&r, &s, &n) != 0 || /* extensions */
        read_string(&r, &s, &n) != 0 || /* reserved */
        read_string(&r, &out->ca_key, &out->ca_key_len) != 0) {
        return SK_PARSE_INVALID;
    }
    out->signed_data = blob;
    out->signed_len = len - r.left;
    if (read_string(&r, &out->signature, &out->signature_len) != 0 || r.left != 0) {
        return SK_PARSE_INVALID;
    }
    /* The principals must be well-formed packed strings too. */
    struct reader p = {out->principals, out->principals_len};
    while (p.left > 0) {
        if (read_string(&p, &s, &n) != 0) {
            return SK_PARSE_INVALID;
        }
    }
    return 0;
}

int sk_usercert_has_principal(const struct sk_usercert *c, const char *name)
{
    struct reader p = {c->principals, c->principals_len};
    const uint8_t *s;
    size_t n;
    while (p.left > 0 && read_string(&p, &s, &n) == 0) {
        if (is(s, n, name)) {
            return 1;
        }
    }
    return 0;
}

int sk_usercert_verify(const struct sk_usercert *c, char *err, size_t errlen)
{
    struct reader k = {c->ca_key, c->ca_key_len}, g = {c->signature, c->signature_len};
    const uint8_t *ktype, *pk, *stype, *sig;
    size_t ktype_len, pk_len, stype_len, sig_len;
    if (read_string(&k, &ktype, &ktype_len) != 0) {
        sk_set_err(err, errlen, "malformed CA key");
        return -1;
    }
    if (!is(ktype, ktype_len, "ssh-ed25519")) {
        sk_set_err(err, errlen, "CA key type %.*s: only ssh-ed25519 CAs are supported",
                   (int)SK_MIN(ktype_len, (size_t)64), (const char *)ktype);
        return -1;
    }
    if (read_string(&k, &pk, &pk_len) != 0 || pk_len != ED25519_KEY_LEN || k.left != 0 ||
        read_string(&g, &stype, &stype_len) != 0 || !is(stype, stype_len, "ssh-ed25519") ||
        read_string(&g, &sig, &sig_len) != 0 || sig_len != ED25519_SIG_LEN || g.left != 0) {
        sk_set_err(err, errlen, "malformed Ed25519 CA key or signature");
        return -1;
    }
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pk_len);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = key != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, c->signed_data, c->signed_len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!ok) {
        sk_set_err(err, errlen, "the CA's signature does not verify");
        return -1;
    }
    return 0;
}

int sk_usercert_is_cert(ssh_key key)
{
    const char *name = ssh_key_type_to_char(ssh_key_type(key));
    return name != NULL && strstr(name, "-cert-v01@openssh.com") != NULL;
}

/* Base64 to bytes (libcrypto's decoder, less the padding it counts). NULL when malformed. */
static uint8_t *decode_b64(const char *b64, size_t len, size_t *out_len)
{
    if (len == 0 || len % 4 != 0) {
        return NULL;
    }
    uint8_t *out = xmalloc(len / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    size_t pad = (b64[len - 1] == '=') + (b64[len - 2] == '=');
    *out_len = (size_t)n - pad;
    return out;
}

/* The options of the CA line in text whose key blob is ca (copied to options), or 0. */
static int find_ca(char *text, const uint8_t *ca, size_t ca_len, char *options, size_t optlen)
{
    int found = 0;
    for (char *line = text; line != NULL && *line != '\0' && !found;) {
        char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        struct sk_authkey_line al;
        if (sk_authkeys_parse_line(line, len, &al) == 1) {
            size_t blen;
            uint8_t *blob = decode_b64(al.blob, al.blob_len, &blen);
            if (blob != NULL && blen == ca_len && memcmp(blob, ca, ca_len) == 0) {
                snprintf(options, optlen, "%.*s", (int)al.options_len,
                         al.options ? al.options : "");
                found = 1;
            }
            free(blob);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return found;
}

int sk_usercert_check(const char *path, ssh_key key, const char *user, int64_t now,
                      struct sk_usercert_result *res, char *why, size_t whylen)
{
    char *text = NULL, err[256], *b64 = NULL, options[1024];
    if (sk_read_trusted_file(path, CA_FILE_MAX, &text, NULL, err, sizeof(err)) != 0) {
        sk_set_err(why, whylen, "--trusted-user-ca-keys: %s", err);
        return -1;
    }
    uint8_t *blob = NULL;
    size_t len = 0;
    struct sk_usercert c;
    int rc = 0;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK ||
        (blob = decode_b64(b64, strlen(b64), &len)) == NULL ||
        sk_usercert_parse(blob, len, &c) != 0) {
        sk_set_err(why, whylen, "malformed or unsupported certificate");
    } else if (c.cert_type != SK_USERCERT_TYPE_USER) {
        sk_set_err(why, whylen, "not a user certificate");
    } else if (!find_ca(text, c.ca_key, c.ca_key_len, options, sizeof(options))) {
        sk_set_err(why, whylen, "signed by a CA that is not trusted");
    } else if (sk_usercert_verify(&c, err, sizeof(err)) != 0) {
        sk_set_err(why, whylen, "%s", err);
    } else if (now < 0 || (uint64_t)now < c.valid_after) {
        sk_set_err(why, whylen, "not valid yet");
    } else if ((uint64_t)now >= c.valid_before) {
        sk_set_err(why, whylen, "expired");
    } else if (!sk_usercert_has_principal(&c, user)) {
        sk_set_err(why, whylen, "'%s' is not among its principals", user);
    } else if (c.critical_len != 0) {
        sk_set_err(why, whylen,
                   "it has critical options (force-command, source-address, ...), "
                   "which sshkvm does not support");
    } else if (sk_authkeys_role(options, &res->role, err, sizeof(err)) != 0) {
        sk_set_err(why, whylen, "the CA line: %s", err);
    } else {
        /* The key id is shown to other people's terminals: printable ASCII only. */
        size_t n = SK_MIN(c.key_id_len, sizeof(res->key_id) - 1);
        for (size_t i = 0; i < n; i++) {
            res->key_id[i] = c.key_id[i] >= 0x20 && c.key_id[i] < 0x7f ? (char)c.key_id[i] : '?';
        }
        res->key_id[n] = '\0';
        res->serial = (unsigned long long)c.serial;
        rc = 1;
    }
    ssh_string_free_char(b64);
    free(blob);
    free(text);
    return rc;
}
