/*
 * fuzz_http: what a browser (or anyone) sends the web side, through the
 * pure functions that judge it: the Host header, Basic credentials,
 * session cookies and one-time tokens, and the /api/keys and /api/mouse
 * bodies. libmicrohttpd splits the request line, path and query string
 * before these see them. The first byte picks the function; the rest is
 * the value. The password file holds one user with an MD5 crypt hash so a
 * guess costs a thousand rounds, not SHA-512's five thousand.
 */
#include <unistd.h>

#include "fuzz.h"
#include "policy/auth.h"
#include "http/control.h"
#include "http/admit.h"
#include "policy/roster.h"

static struct sk_auth *auth;

static void setup(void)
{
    char path[] = "/tmp/sshkvm-fuzz-passwd.XXXXXX";
    int fd = mkstemp(path);
    /* crypt("secret", "$1$sshkvm$") */
    static const char line[] = "admin:$1$sshkvm$BkvdPKnKCU3hHCupy2Xmg.\n";
    if (fd < 0 || write(fd, line, sizeof(line) - 1) != (ssize_t)(sizeof(line) - 1)) {
        abort();
    }
    close(fd);
    char err[256];
    struct sk_auth_opts opts = {.passwd_file = path};
    auth = sk_auth_new(&opts, err, sizeof(err));
    unlink(path);
    if (auth == NULL) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (auth == NULL) {
        setup();
    }
    if (size == 0) {
        return 0;
    }
    char *s = sk_fuzz_cstr(data + 1, size - 1);
    size_t len = size - 1;
    char err[256], identity[SK_AUTH_IDENTITY_LEN], sid[SK_AUTH_SECRET_LEN];
    switch (data[0] % 5) {
    case 0:
        (void)sk_admit_host_is_loopback(s);
        break;
    case 1: {
        int role = -1;
        if (sk_auth_basic(auth, s, "10.0.0.1", identity, sizeof(identity), &role)) {
            SK_FUZZ_CHECK(strcmp(identity, "password:admin") == 0);
            SK_FUZZ_CHECK(role == SK_ROLE_CONTROL); /* the file gives admin no role: control */
        }
        break;
    }
    case 2:
        SK_FUZZ_CHECK(sk_auth_session(auth, s, identity, sizeof(identity), NULL) == 0);
        SK_FUZZ_CHECK(sk_auth_redeem(auth, s, sid, identity, sizeof(identity), NULL) != 0);
        break;
    case 3: {
        struct sk_control_key keys[SK_CONTROL_MAX_KEYS];
        int n = sk_control_parse_keys(s, len, keys, err, sizeof(err));
        SK_FUZZ_CHECK(n >= -1 && n <= SK_CONTROL_MAX_KEYS);
        for (int i = 0; i < n; i++) {
            SK_FUZZ_CHECK(keys[i].down <= 1);
        }
        break;
    }
    default: {
        uint16_t x, y;
        uint8_t buttons;
        int8_t wheel;
        if (sk_control_parse_mouse(s, len, &x, &y, &buttons, &wheel, err, sizeof(err)) == 0) {
            SK_FUZZ_CHECK(x <= 32767 && y <= 32767 && wheel >= -127);
        }
        break;
    }
    }
    free(s);
    return 0;
}
