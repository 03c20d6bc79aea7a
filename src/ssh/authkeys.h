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
#include <time.h>

#include <libssh/libssh.h>

#include "policy/roster.h"

struct sk_authkey_line {
    const char *options; /* start of the options field, or NULL */
    size_t options_len;
    const char *type; /* "ssh-ed25519", "ssh-rsa", ... */
    size_t type_len;
    const char *blob; /* base64 public key */
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

/*
 * Does an options field let this key log in from ip (the client's address,
 * without port) at time now? (pure) Options as OpenSSH reads them:
 *   from="pattern-list"   the address must match (sk_authkeys_from_match);
 *   expiry-time="YYYYMMDD[HHMM[SS]][Z]"  the key is not valid after that
 *                         local (or with Z, UTC) time;
 *   restrict, sshkvm-role=, and options that only govern what sshkvm never
 *   offers or only lift a restriction (no-agent-forwarding,
 *   no-port-forwarding, no-X11-forwarding, no-user-rc, no-pty (no shell
 *   here; the console can do no more than the role's commands), pty,
 *   user-rc, agent-forwarding, port-forwarding, X11-forwarding,
 *   no-touch-required) are allowed.
 * ip NULL: from= is not judged (there is no client address to judge).
 * Any other option (command=, permitopen=, permitlisten=, environment=,
 * principals=, tunnel=, verify-required, or one sshkvm does not know) is a restriction sshkvm does
 * not carry out, so the key is refused rather than let in without it. Returns 0 to let the key in,
 * -1 with err saying why not.
 */
int sk_authkeys_allow(const char *options, const char *ip, time_t now, char *err, size_t errlen);

/*
 * What the key with this fingerprint ("SHA256:...", as sk_ssh_key_fingerprint
 * writes it) may do now, by the authorized-keys file at path: its role
 * (enum sk_role), or -1 with err set when it is no longer there, its line
 * refuses it (an expiry passed, an unknown restriction, a bad role), or the
 * file cannot be read or trusted. from= is not judged. For web sessions
 * made from a key, looked at again while they live.
 */
int sk_authkeys_role_now(const char *path, const char *fingerprint, time_t now, char *err,
                         size_t errlen);

/*
 * OpenSSH's from= rule for one address (pure): list is comma-separated
 * patterns, each an address, an address/masklen (CIDR), or a wildcard
 * pattern (* and ?) matched against the address text; a leading ! negates.
 * An IPv4-mapped IPv6 address is matched as IPv4. Returns 1 when a pattern
 * matches and no negated one does, 0 when none matches, -1 when a negated
 * pattern matches, -2 for a malformed list (an empty entry, a bad masklen).
 */
int sk_authkeys_from_match(const char *ip, const char *list);

#endif
