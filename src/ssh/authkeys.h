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

#include "policy/roster.h"

struct sk_authkey_line {
    const char *options; /* start of the options field, or NULL */
    size_t options_len;
    const char *type;    /* "ssh-ed25519", "ssh-rsa", ... */
    size_t type_len;
    const char *blob;    /* base64 public key */
    size_t blob_len;
    const char *comment; /* the rest of the line (often user@host), or NULL */
    size_t comment_len;
};

/*
 * Parse one line (without its newline). Returns 1 when it holds a key (out
 * points into line), 0 for a blank or comment line, SK_PARSE_INVALID when
 * it is malformed.
 */
int sk_authkeys_parse_line(const char *line, size_t len, struct sk_authkey_line *out);

/*
 * Is key listed in the authorized-keys file at path? Returns 1 yes, 0 no,
 * -1 when the file cannot be read (err set). When yes, the line's options
 * and comment are copied to options and comment when they are not NULL
 * (NUL-terminated, may be empty).
 */
int sk_authkeys_match(const char *path, ssh_key key, char *options, size_t options_len,
                      char *comment, size_t comment_len, char *err, size_t errlen);

/*
 * The role an options field gives (pure). OpenSSH-style options are
 * comma-separated, values may be double-quoted. sshkvm-role=view|control
 * sets the role; restrict alone means view; without either the role is
 * control. Other options are ignored. Returns 0, or -1 with err set when
 * an sshkvm-role value is neither view nor control (refuse the key).
 */
int sk_authkeys_role(const char *options, enum sk_role *role, char *err, size_t errlen);

#endif
