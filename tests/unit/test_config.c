/*
 * test_config: options and config files share one table; bad values give
 * one line naming the option.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"

static void test_defaults(void)
{
    struct sk_config c;
    sk_config_defaults(&c, "/home/u");
    CHECK_STR(c.video, "demo");
    CHECK_STR(c.hid, "demo");
    CHECK_STR(c.ssh_listen, "127.0.0.1:2222");
    CHECK_STR(c.http_listen, "127.0.0.1:8080");
    CHECK_STR(c.hostkeys, "hostkeys");
    CHECK_STR(c.authorized_keys, "/home/u/.ssh/authorized_keys");
    CHECK_STR(c.keymap, "us");
    CHECK(c.fps == 30);
    sk_config_free(&c);
}

static void test_args(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    char *argv[] = {"sshkvm", "--video", "file:/tmp/x.mjpeg", "--hid=/dev/hidg0", "--fps", "15",
                    "-v", "--keymap", "de", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 9, argv, err, sizeof(err)), 0);
    CHECK_STR(c.video, "file:/tmp/x.mjpeg");
    CHECK_STR(c.hid, "/dev/hidg0");
    CHECK(c.fps == 15);
    CHECK_EQ_INT(c.verbose, 1);
    CHECK_STR(c.keymap, "de");
    sk_config_free(&c);
}

static void test_bad_values(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(sk_config_set(&c, "fps", "0", err, sizeof(err)), -1);
    CHECK_STR(err, "--fps: '0' is not a number from 1 to 120");
    CHECK_EQ_INT(sk_config_set(&c, "jpeg-quality", "50.5", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_config_set(&c, "video", "vhs", err, sizeof(err)), -1);
    CHECK(strncmp(err, "--video: ", 9) == 0);
    CHECK_EQ_INT(sk_config_set(&c, "ssh-listen", "localhost", err, sizeof(err)), -1);
    CHECK(strncmp(err, "--ssh-listen: ", 14) == 0);
    CHECK_EQ_INT(sk_config_set(&c, "nope", "1", err, sizeof(err)), -1);
    CHECK_STR(err, "--nope: unknown option (see --help)");
    CHECK_EQ_INT(sk_config_set(&c, "mouse", "none", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_set(&c, "http-listen", "off", err, sizeof(err)), 0);
    char *argv[] = {"sshkvm", "--keymap", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 2, argv, err, sizeof(err)), -1);
    CHECK_STR(err, "--keymap: needs a value");
    char *argv2[] = {"sshkvm", "stray", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 2, argv2, err, sizeof(err)), -1);
    sk_config_free(&c);
}

static void test_file(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    const char *text = "# a comment\n\nvideo = file:/x.mjpeg\nhid /dev/hidg0   # trailing\r\n"
                       "fps=10\n";
    CHECK_EQ_INT(sk_config_parse_text(&c, text, "kvm.conf", err, sizeof(err)), 0);
    CHECK_STR(c.video, "file:/x.mjpeg");
    CHECK_STR(c.hid, "/dev/hidg0");
    CHECK(c.fps == 10);
    CHECK_EQ_INT(sk_config_parse_text(&c, "fps = 10\nfps = 1000\n", "kvm.conf", err, sizeof(err)),
                 -1);
    CHECK_STR(err, "kvm.conf:2: --fps: '1000' is not a number from 1 to 120");
    CHECK_EQ_INT(sk_config_parse_text(&c, "config = other\n", "k", err, sizeof(err)), -1);
    sk_config_free(&c);
}

static void test_check(void)
{
    struct sk_config c;
    char err[512];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    /* Beyond loopback is fine now: clients there must log in. */
    sk_config_set(&c, "http-listen", "0.0.0.0:8080", err, sizeof(err));
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    CHECK_STR(c.http_auth, "remote");
    CHECK_EQ_INT(sk_config_set(&c, "http-auth", "always", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_set(&c, "http-auth", "never", err, sizeof(err)), -1);
    CHECK_STR(err, "--http-auth: 'never' is not remote or always");
    CHECK_EQ_INT(sk_config_set(&c, "tls-cert", "c.pem", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), -1);
    CHECK_STR(err, "--tls-cert: needs --tls-key as well");
    CHECK_EQ_INT(sk_config_set(&c, "tls-key", "k.pem", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    sk_config_free(&c);
}

int main(void)
{
    SK_RUN(test_defaults);
    SK_RUN(test_args);
    SK_RUN(test_bad_values);
    SK_RUN(test_file);
    SK_RUN(test_check);
    return SK_CHECK_EXIT();
}
