/*
 * ssh: the embedded SSH server (libssh).
 *
 * Public-key authentication against an OpenSSH authorized_keys file; then
 * either the interactive console (pty-req + shell) or one script command
 * (exec). Never a shell, never port forwarding, sftp, scp or agent/X11
 * forwarding. One thread per connection owns its ssh_session.
 * Hostile clients are bounded: at most max_startups connections wait to
 * log in (the oldest is dropped for a newcomer), the key exchange and the
 * login have time limits, and refused keys are answered ever more slowly
 * while failures keep coming (the server-wide failure rate, not the
 * address, so a legitimate login on the same address is never slowed).
 */
#ifndef SK_SSH_H
#define SK_SSH_H

#include <stddef.h>

struct sk_app;
struct sk_ssh;

struct sk_ssh_opts {
    const char *addr; /* listen address */
    int port;
    const char *hostkeys_dir;         /* ed25519 host key, generated on first start */
    const char *authorized_keys;      /* OpenSSH authorized_keys file, re-read at each login */
    const char *trusted_user_ca_keys; /* CAs whose user certificates log in; NULL: none */
    struct sk_app *app;               /* borrowed */
    int login_grace_s;                /* seconds to authenticate; 0: 30 */
    int max_auth_tries;               /* 0: 6 */
    int max_sessions;                 /* connections at once; 0: 64 */
    int max_startups;                 /* unauthenticated connections at once, the oldest
                                         dropped beyond; 0: 16 */
};

struct sk_ssh *sk_ssh_new(const struct sk_ssh_opts *opts);
void sk_ssh_free(struct sk_ssh *ssh);
/*
 * Load or generate the host key (its fingerprint is logged), bind and start
 * accepting. 0, or -1 with err set.
 */
int sk_ssh_open(struct sk_ssh *ssh, char *err, size_t errlen);
/* The host key's "SHA256:..." fingerprint, valid after a successful open. */
const char *sk_ssh_fingerprint(const struct sk_ssh *ssh);
/* Stop accepting, end every session (their held keys are released) and wait for them. Idempotent.
 */
void sk_ssh_close(struct sk_ssh *ssh);

#endif
