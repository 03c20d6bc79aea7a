/*
 * authkeys: OpenSSH authorized_keys files.
 *
 * A pure line parser (options, key type, base64 blob, comment) and a
 * matcher that re-reads the file on every check, so a key added to the
 * file works at the next login without restarting sshkvm.
 */
#ifndef SK_AUTHKEYS_H
#define SK_AUTHKEYS_H

#include <stddef.h>

#include <libssh/libssh.h>

struct sk_authkey_line {
    const char *options; /* start of the options field, or NULL */
    size_t options_len;
    const char *type;    /* "ssh-ed25519", "ssh-rsa", ... */
    size_t type_len;
    const char *blob;    /* base64 public key */
    size_t blob_len;
};

/*
 * Parse one line (without its newline). Returns 1 when it holds a key (out
 * points into line), 0 for a blank or comment line, SK_PARSE_INVALID when
 * it is malformed.
 */
int sk_authkeys_parse_line(const char *line, size_t len, struct sk_authkey_line *out);

/*
 * Is key listed in the authorized-keys file at path? Returns 1 yes, 0 no,
 * -1 when the file cannot be read (err set). When yes and options is not
 * NULL, the line's options are copied there (NUL-terminated, may be empty).
 */
int sk_authkeys_match(const char *path, ssh_key key, char *options, size_t options_len, char *err,
                      size_t errlen);

#endif
