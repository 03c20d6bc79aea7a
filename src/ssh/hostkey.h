/*
 * hostkey: the server's ed25519 host key, generated on first start.
 */
#ifndef SK_HOSTKEY_H
#define SK_HOSTKEY_H

#include <stddef.h>

#include <libssh/libssh.h>

/* A public key's "SHA256:..." fingerprint into fp: 0 or -1. */
int sk_ssh_key_fingerprint(ssh_key pub, char *fp, size_t fplen);

/*
 * Make sure dir/ssh_host_ed25519_key exists: create dir (0700) and the key
 * (0600, OpenSSH format) when missing; refuse a key file that others can
 * read. On success returns 0, sets path (the key file) and fingerprint
 * ("SHA256:..."), and says "generated" in *created when it made a new one.
 */
int sk_hostkey_ensure(const char *dir, char *path, size_t pathlen, char *fingerprint, size_t fplen,
                      int *created, char *err, size_t errlen);

#endif
