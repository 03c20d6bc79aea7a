/*
 * test_config: options and config files share one table; bad values give
 * one line naming the option.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "capture/negotiate.h" /* SK_FMT_* */
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
    char *argv[] = {"sshkvm",
                    "--video",
                    "file:/tmp/x.mjpeg",
                    "--hid=/dev/hidg0",
                    "--fps",
                    "15",
                    "-v",
                    "--keymap",
                    "de",
                    NULL};
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

static void test_capture_options(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(c.format, 0);
    CHECK_EQ_INT(c.capture, SK_CAPTURE_ON_DEMAND);
    CHECK_EQ_INT(c.input, -1);
    CHECK_EQ_INT(c.width, 0);
    CHECK(c.list_video == NULL);

    char *argv[] = {"sshkvm",    "--resolution", "1280x720", "--format=yuyv", "--input", "3",
                    "--capture", "always",       NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 8, argv, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.width, 1280);
    CHECK_EQ_INT(c.height, 720);
    CHECK_EQ_INT(c.format, SK_FMT_YUYV);
    CHECK_EQ_INT(c.input, 3);
    CHECK_EQ_INT(c.capture, SK_CAPTURE_ALWAYS);

    /* Bad values: one line naming the option. */
    CHECK_EQ_INT(sk_config_set(&c, "resolution", "1280*720", err, sizeof(err)), -1);
    CHECK_STR(err,
              "--resolution: '1280*720' is not WIDTHxHEIGHT (each 16 to 8192), e.g. 1920x1080");
    CHECK_EQ_INT(sk_config_set(&c, "format", "h264", err, sizeof(err)), -1);
    CHECK_STR(err, "--format: 'h264' is not one of auto, mjpeg, jpeg, yuyv, rgb24");
    CHECK_EQ_INT(sk_config_set(&c, "input", "-1", err, sizeof(err)), -1);
    CHECK_STR(err, "--input: '-1' is not an input number from 0 to 255");
    CHECK_EQ_INT(sk_config_set(&c, "input", "256", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_config_set(&c, "capture", "lazy", err, sizeof(err)), -1);
    CHECK_STR(err, "--capture: 'lazy' is not on-demand or always");
    /* Bad values leave the good ones alone. */
    CHECK_EQ_INT(c.width, 1280);
    CHECK_EQ_INT(c.format, SK_FMT_YUYV);

    /* --list-video takes a device or nothing. */
    char *argv2[] = {"sshkvm", "--list-video", "--video", "/dev/video2", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 4, argv2, err, sizeof(err)), 0);
    CHECK_STR(c.list_video, "");
    CHECK_STR(c.video, "/dev/video2");
    char *argv3[] = {"sshkvm", "--list-video", "/dev/v4l/by-id/usb-x-video-index0", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 3, argv3, err, sizeof(err)), 0);
    CHECK_STR(c.list_video, "/dev/v4l/by-id/usb-x-video-index0");

    /* The same names in a file; list-video is an action, not a setting. */
    CHECK_EQ_INT(sk_config_parse_text(&c,
                                      "resolution = 1920x1080\nformat = mjpeg\ninput = 0\n"
                                      "capture = on-demand\n",
                                      "k.conf", err, sizeof(err)),
                 0);
    CHECK_EQ_INT(c.width, 1920);
    CHECK_EQ_INT(c.format, SK_FMT_MJPEG);
    CHECK_EQ_INT(c.input, 0);
    CHECK_EQ_INT(sk_config_parse_text(&c, "list-video = /dev/video0\n", "k.conf", err, sizeof(err)),
                 -1);
    CHECK_STR(err, "k.conf:1: list-video is a command-line action, not a setting");
    CHECK_EQ_INT(sk_config_parse_text(&c, "\nformat = yuv\n", "k.conf", err, sizeof(err)), -1);
    CHECK_STR(err, "k.conf:2: --format: 'yuv' is not one of auto, mjpeg, jpeg, yuyv, rgb24");
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

/* --text-font adds up: repeated, comma-separated, the file's and the command line's together. */
static void test_text_font_list(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    CHECK(c.text_font == NULL);
    CHECK_EQ_INT(sk_config_parse_text(&c, "text-font = /a.psf.gz\ntext-font /b.bin,/c\n", "k", err,
                                      sizeof(err)),
                 0);
    CHECK_STR(c.text_font, "/a.psf.gz,/b.bin,/c");
    char *argv[] = {"sshkvm", "--text-font", "/d.psf", "--text-font=/e,/f", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 4, argv, err, sizeof(err)), 0);
    CHECK_STR(c.text_font, "/a.psf.gz,/b.bin,/c,/d.psf,/e,/f");
    static const char *const bad[] = {",/a", "/a,", "/a,,/b", ","};
    for (size_t i = 0; i < SK_ARRAY_LEN(bad); i++) {
        CHECK_EQ_INT(sk_config_set(&c, "text-font", bad[i], err, sizeof(err)), -1);
        char want[128];
        snprintf(want, sizeof(want),
                 "--text-font: '%s' has an empty item in its comma-separated list", bad[i]);
        CHECK_STR(err, want);
    }
    CHECK_EQ_INT(sk_config_set(&c, "text-font", "", err, sizeof(err)), -1);
    CHECK_STR(err, "--text-font: needs a value");
    CHECK_STR(c.text_font, "/a.psf.gz,/b.bin,/c,/d.psf,/e,/f");
    /* --text-font-dir: the system's console fonts by default; a file's or the line's replaces it.
     */
    CHECK_STR(c.text_font_dir, "/usr/share/consolefonts");
    CHECK_EQ_INT(sk_config_parse_text(&c, "text-font-dir = none\n", "k", err, sizeof(err)), 0);
    CHECK_STR(c.text_font_dir, "none");
    char *argv2[] = {"sshkvm", "--text-font-dir", "/srv/fonts", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 3, argv2, err, sizeof(err)), 0);
    CHECK_STR(c.text_font_dir, "/srv/fonts");
    sk_config_free(&c);
}

/* --serial adds a port each time, from the file and the command line; a bad value or a name twice
 * is refused. */
static void test_serial_list(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    CHECK(c.serial == NULL);
    CHECK_EQ_INT(
        sk_config_parse_text(&c, "serial = com1=/dev/ttyUSB0,9600,7e1\n", "k", err, sizeof(err)),
        0);
    char *argv[] = {"sshkvm", "--serial", "con=/dev/ttyAMA0", "--serial=b-2=/dev/x,rtscts", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 4, argv, err, sizeof(err)), 0);
    CHECK_STR(c.serial, "com1=/dev/ttyUSB0,9600,7e1\ncon=/dev/ttyAMA0\nb-2=/dev/x,rtscts");
    CHECK_EQ_INT(sk_config_set(&c, "serial", "con=/dev/ttyS0", err, sizeof(err)), -1);
    CHECK_STR(err, "--serial: the name 'con' is given to two ports");
    CHECK_EQ_INT(sk_config_set(&c, "serial", "x=/dev/x,9601", err, sizeof(err)), -1);
    CHECK_STR(err, "--serial: x: '9601' is not a serial speed (50 to 4000000, e.g. 9600, 115200)");
    CHECK_EQ_INT(sk_config_parse_text(&c, "serial /dev/ttyUSB0\n", "f.conf", err, sizeof(err)), -1);
    CHECK_STR(err, "f.conf:1: --serial: '/dev/ttyUSB0' is not NAME=DEVICE[,SETTINGS], e.g. "
                   "com1=/dev/ttyUSB0,115200");
    CHECK_STR(c.serial, "com1=/dev/ttyUSB0,9600,7e1\ncon=/dev/ttyAMA0\nb-2=/dev/x,rtscts");
    sk_config_free(&c);
}

/* The ssh view's settings: one table entry each, checked by the renderer's own parser. */
static void test_view(void)
{
    struct sk_config c;
    char err[256];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(c.view.colors, 0);
    CHECK_EQ_INT(c.view.mode, SK_RENDER_AUTO);
    CHECK_EQ_INT(c.view_fps, 15);
    const char *text = "view-mode = half\nview-colors = 256\nview-dither = fstein\n"
                       "view-gamma = 1.5\nview-fps = 30\n";
    CHECK_EQ_INT(sk_config_parse_text(&c, text, "kvm.conf", err, sizeof(err)), 0);
    CHECK_EQ_INT(c.view.mode, SK_RENDER_HALF);
    CHECK_EQ_INT(c.view.colors, 256);
    CHECK_STR(c.view.algorithm, "fstein");
    CHECK(c.view.gamma == 1.5);
    CHECK_EQ_INT(c.view_fps, 30);
    char *argv[] = {"sshkvm", "--view-colors", "24bit", "--view-charset=blocks", NULL};
    CHECK_EQ_INT(sk_config_parse_args(&c, 4, argv, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.view.colors, 24);
    CHECK_STR(c.view.charset, "blocks");
    CHECK_EQ_INT(sk_config_set(&c, "view-colors", "17", err, sizeof(err)), -1);
    CHECK_STR(err, "--view-colors: '17' is not auto, 16, 256 or 24bit");
    CHECK_EQ_INT(sk_config_set(&c, "view-charset", "emoji", err, sizeof(err)), -1);
    CHECK_STR(err, "--view-charset: 'emoji' is not ascii, shades or blocks");
    CHECK_EQ_INT(sk_config_set(&c, "view-brightness", "2", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_config_set(&c, "view-fps", "7.5", err, sizeof(err)), -1);
    CHECK_STR(err, "--view-fps: '7.5' is not a number from 1 to 120");
    CHECK_EQ_INT(sk_config_parse_text(&c, "view-mode = sixel\n", "k", err, sizeof(err)), -1);
    CHECK_STR(err, "k:1: --view-mode: 'sixel' is not art, half, text or auto");
    sk_config_free(&c);
}

static void test_check(void)
{
    struct sk_config c;
    char err[512];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    /* Not given, --http-auth follows the listen address: remote on loopback, always beyond. */
    CHECK_EQ_INT(c.http_auth, SK_HTTP_AUTH_UNSET);
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_REMOTE); /* 127.0.0.1:8080 */
    sk_config_set(&c, "http-listen", "[::1]:8080", err, sizeof(err));
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_REMOTE);
    /* Beyond loopback is fine: clients there must log in, and loopback ones too by default. */
    sk_config_set(&c, "http-listen", "0.0.0.0:8080", err, sizeof(err));
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_ALWAYS);
    sk_config_set(&c, "http-listen", "192.168.1.5:8080", err, sizeof(err));
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_ALWAYS);
    CHECK_EQ_INT(sk_config_set(&c, "http-auth", "remote", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_REMOTE);
    CHECK_EQ_INT(sk_config_set(&c, "http-auth", "always", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_http_auth(&c), SK_HTTP_AUTH_ALWAYS);
    CHECK_EQ_INT(sk_config_set(&c, "http-auth", "never", err, sizeof(err)), -1);
    CHECK_STR(err, "--http-auth: 'never' is not remote or always");
    CHECK_EQ_INT(sk_config_set(&c, "tls-cert", "c.pem", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), -1);
    CHECK_STR(err, "--tls-cert: needs --tls-key as well");
    CHECK_EQ_INT(sk_config_set(&c, "tls-key", "k.pem", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_config_check(&c, err, sizeof(err)), 0);
    sk_config_free(&c);
}

/* People and roles: control mode, idle time-out, audit log, from the file as from the command line.
 */
static void test_roles(void)
{
    struct sk_config c;
    char err[512];
    sk_config_defaults(&c, "/h");
    CHECK_EQ_INT(c.control, SK_CONTROL_EXCLUSIVE);
    CHECK_EQ_INT(c.control_idle, 300);
    CHECK_STR(c.audit_log, "stderr");
    CHECK_EQ_INT(
        sk_config_parse_text(&c, "control = shared\ncontrol-idle = 0\naudit-log = /var/log/a\n",
                             "f", err, sizeof(err)),
        0);
    CHECK_EQ_INT(c.control, SK_CONTROL_SHARED);
    CHECK_EQ_INT(c.control_idle, 0);
    CHECK_STR(c.audit_log, "/var/log/a");
    CHECK_EQ_INT(sk_config_set(&c, "control", "both", err, sizeof(err)), -1);
    CHECK_STR(err, "--control: 'both' is not exclusive or shared");
    CHECK_EQ_INT(sk_config_set(&c, "control-idle", "-5", err, sizeof(err)), -1);
    CHECK_STR(err, "--control-idle: '-5' is not a number from 0 to 86400");
    CHECK_EQ_INT(sk_config_set(&c, "control-idle", "86401", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_config_set(&c, "control-idle", "86400", err, sizeof(err)), 0);
    CHECK_EQ_INT(c.control_idle, 86400);
    CHECK_EQ_INT(sk_config_set(&c, "capture", "sometimes", err, sizeof(err)), -1);
    CHECK_STR(err, "--capture: 'sometimes' is not on-demand or always");
    sk_config_free(&c);
}

int main(void)
{
    SK_RUN(test_roles);
    SK_RUN(test_defaults);
    SK_RUN(test_args);
    SK_RUN(test_bad_values);
    SK_RUN(test_capture_options);
    SK_RUN(test_file);
    SK_RUN(test_check);
    SK_RUN(test_view);
    SK_RUN(test_text_font_list);
    SK_RUN(test_serial_list);
    return SK_CHECK_EXIT();
}
