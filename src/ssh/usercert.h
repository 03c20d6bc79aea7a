/*
 * usercert: OpenSSH user certificates signed by a trusted CA
 * (sshd_config's TrustedUserCAKeys).
 *
 * A pure parser of the certificate format (OpenSSH PROTOCOL.certkeys) and
 * a check that re-reads the trusted-CA file at each login: the CA's
 * signature (Ed25519 CAs, verified with libcrypto), the certificate type
 * (user), the validity window, the login name among the principals, and
 * no critical option (none is supported, so any one refuses the
 * certificate, as the format requires). The role comes from the CA line's
 * options (sshkvm-role=view|control, restrict), as in authorized_keys.
 */
#ifndef SK_USERCERT_H
#define SK_USERCERT_H

#include <stddef.h>
#include <stdint.h>

#include <libssh/libssh.h>

#include "policy/roster.h"

#define SK_USERCERT_TYPE_USER 1

/* A parsed certificate: pointers into the blob it came from. */
struct sk_usercert {
    const uint8_t *type; /* "ssh-ed25519-cert-v01@openssh.com", ... */
    size_t type_len;
    uint64_t serial;
    uint32_t cert_type; /* 1 user, 2 host */
    const uint8_t *key_id;
    size_t key_id_len;
    const uint8_t *principals; /* packed strings */
    size_t principals_len;
    uint64_t valid_after; /* seconds since the epoch */
    uint64_t valid_before;
    size_t critical_len;   /* the critical options' packed length */
    const uint8_t *ca_key; /* the signature key's blob */
    size_t ca_key_len;
    const uint8_t *signature; /* the signature's blob */
    size_t signature_len;
    const uint8_t *signed_data; /* the blob from its start, ... */
    size_t signed_len;          /* ... to the signature key included: what the CA signed */
};

/*
 * Parse a certificate blob. Returns 0, or SK_PARSE_INVALID for anything
 * malformed, truncated or followed by extra bytes, or a key type other
 * than ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa certificates.
 */
int sk_usercert_parse(const uint8_t *blob, size_t len, struct sk_usercert *out);

/* Is name one of the certificate's principals? 1 or 0. */
int sk_usercert_has_principal(const struct sk_usercert *c, const char *name);

/* Does the CA's signature verify? 0, or -1 with err set (bad, or a CA type we cannot check). */
int sk_usercert_verify(const struct sk_usercert *c, char *err, size_t errlen);

struct sk_usercert_result {
    enum sk_role role;
    char key_id[128];
    unsigned long long serial;
};

/*
 * Check the certificate key offered for login as user against the CAs in
 * the file at path, at time now (seconds). Returns 1 accepted (res filled),
 * 0 refused (why set: "expired", "wrong principal", ...), -1 when the file
 * cannot be read (why set).
 */
int sk_usercert_check(const char *path, ssh_key key, const char *user, int64_t now,
                      struct sk_usercert_result *res, char *why, size_t whylen);

/* Whether key is a certificate (any *-cert-v01 type). */
int sk_usercert_is_cert(ssh_key key);

#endif
