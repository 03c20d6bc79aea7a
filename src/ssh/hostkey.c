/*
 * hostkey: load or generate the SSH host key, and print its fingerprint.
 *
 * The key lives in --hostkeys (default hostkeys/), which git ignores; it is
 * written with umask 077 so there is no moment at which it is readable by
 * others, and an existing key with group/other permissions is refused, as
 * sshd refuses one.
 */
#include "ssh/hostkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <libssh/libssh.h>

#include "base/log.h"
#include "base/util.h"

#define HOSTKEY_FILE "ssh_host_ed25519_key"

int sk_ssh_key_fingerprint(ssh_key pub, char *fp, size_t fplen)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(pub, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
        return -1;
    }
    char *s = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    if (s == NULL) {
        return -1;
    }
    snprintf(fp, fplen, "%s", s);
    ssh_string_free_char(s);
    return 0;
}

static int fingerprint_of(ssh_key key, char *fp, size_t fplen)
{
    ssh_key pub = NULL;
    if (ssh_pki_export_privkey_to_pubkey(key, &pub) != SSH_OK) {
        return -1;
    }
    int rc = sk_ssh_key_fingerprint(pub, fp, fplen);
    ssh_key_free(pub);
    return rc;
}

int sk_hostkey_ensure(const char *dir, char *path, size_t pathlen, char *fingerprint, size_t fplen,
                      int *created, char *err, size_t errlen)
{
    ssh_key key = NULL;
    struct stat st;
    *created = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create host key directory %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, pathlen, "%s/%s", dir, HOSTKEY_FILE);
    if (stat(path, &st) == 0) {
        if (st.st_mode & 077) {
            snprintf(err, errlen, "host key %s is readable by others (mode %03o); chmod 600 it",
                     path, (unsigned)(st.st_mode & 0777));
            return -1;
        }
        if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
            snprintf(err, errlen, "cannot load host key %s", path);
            return -1;
        }
    } else {
        if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
            snprintf(err, errlen, "cannot generate an ed25519 host key");
            return -1;
        }
        mode_t old = umask(077);
        int rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path);
        umask(old);
        if (rc != SSH_OK || chmod(path, 0600) != 0) {
            snprintf(err, errlen, "cannot write host key %s", path);
            ssh_key_free(key);
            return -1;
        }
        *created = 1;
    }
    int rc = fingerprint_of(key, fingerprint, fplen);
    ssh_key_free(key);
    if (rc != 0) {
        snprintf(err, errlen, "cannot compute the host key's fingerprint");
        return -1;
    }
    return 0;
}
