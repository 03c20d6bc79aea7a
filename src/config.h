/*
 * config: sshkvm's settings, from the command line and a config file.
 *
 * Both use the same names: `--video demo` on the command line is
 * `video = demo` in the file given by --config (one setting per line, #
 * comments). The command line wins over the file, except for --text-font
 * and --serial, where each use adds to a list. Parsing checks the form
 * of every value and reports the first problem as one line naming the
 * option ("--fps: 'abc' is not a number from 1 to 120").
 */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include <stddef.h>

#include <stdint.h>

#include "policy/roster.h" /* enum sk_control_mode */
#include "term/render.h"

/*
 * --http-auth: who must log in to the web side. Not given, it is remote
 * when --http-listen is a loopback address and always otherwise: behind a
 * reverse proxy on the same host, or for any local user, "loopback" is not
 * a person at the machine (sk_config_http_auth).
 */
enum sk_http_auth {
    SK_HTTP_AUTH_UNSET = -1,
    SK_HTTP_AUTH_REMOTE = 0, /* everyone but loopback clients */
    SK_HTTP_AUTH_ALWAYS = 1, /* everyone */
};

/* --capture: when a V4L2 device streams. */
enum sk_capture_mode {
    SK_CAPTURE_ON_DEMAND = 0, /* while someone watches */
    SK_CAPTURE_ALWAYS = 1,
};

struct sk_config {
    char *config_file;
    char *video;                /* demo | /dev/videoN | file:PATH */
    char *hid;                  /* demo | /dev/hidgN | file:PATH */
    char *mouse;                /* demo | /dev/hidgN | file:PATH | none */
    char *ssh_listen;           /* ADDR:PORT */
    char *http_listen;          /* ADDR:PORT, or "off" */
    char *hostkeys;             /* directory */
    char *authorized_keys;      /* file */
    char *trusted_user_ca_keys; /* CAs whose user certificates may log in, or NULL */
    char *keymap;               /* name in keymaps/ */
    char *keymaps_dir;          /* NULL: found next to the program */
    char *web_dir;              /* NULL: found next to the program */
    int http_auth;              /* enum sk_http_auth as given; read it with sk_config_http_auth */
    char *http_passwd;          /* user:crypt-hash lines for HTTP Basic, or NULL */
    char *tls_cert;             /* PEM certificate for HTTPS, or NULL */
    char *tls_key;              /* its PEM private key */
    double fps;                 /* demo/file playback, V4L2 request */
    int jpeg_quality;
    unsigned width; /* --resolution WxH for V4L2, 0 x 0: the device's */
    unsigned height;
    uint32_t format;  /* --format as a fourcc (SK_FMT_*); 0: auto */
    int input;        /* --input N (V4L2 S_INPUT), -1: keep the device's */
    int capture;      /* enum sk_capture_mode */
    char *list_video; /* --list-video [DEV]: print what DEV offers and exit ("" = --video) */
    int paste_rate;   /* keystrokes per second for type/paste, 0: unpaced */
    struct sk_render_opts view; /* the ssh view's defaults (view-mode, view-colors, ...) */
    int view_fps;               /* picture updates a second per ssh view */
    char *audit_log;            /* stderr (the logger, default) | syslog | off | FILE */
    int control;      /* enum sk_control_mode: exclusive (one writer at a time, default) | shared */
    int control_idle; /* seconds without input after which the holder loses control; 0: never */
    char *text_font;  /* --text-font FILE[,FILE...], each use adding: or NULL (fontfile.h) */
    char *text_font_dir; /* --text-font-dir: the console fonts read at start, or "none"
                          * (text/consolefonts.h) */
    char *serial;        /* --serial NAME=DEVICE[,SETTINGS], one a line, each use adding; or NULL */
    char *record_dir;    /* --record-dir: console sessions recorded there, or NULL */
    int record_max_mb;   /* --record-max: the bound on one recording, megabytes */
    char *media_dir;     /* the boot-media image store */
    char *media_gadget;  /* the USB gadget's configfs directory (sshkvm-gadget's) */
    char *media_max_bytes; /* all images together at most this size (512M, 8G), or NULL */
    char *power_gpio;      /* --power-gpio CHIP[,LINE=N[:low]|none]..., or NULL (powerspec.h) */
    char *wol;             /* --wol MAC[,BROADCAST[:PORT]], or NULL */
    char *serial_log_dir;  /* --serial-log-dir: each port's output logged there; NULL: no logs */
    int max_startups;      /* ssh connections waiting to log in at once */
    int http_max_idle;     /* HTTP connections without a request in flight at once */
    int verbose;
    int help;
    int version;
};

/* Defaults: demo everything, loopback listeners, hostkeys/, ~/.ssh/authorized_keys. */
void sk_config_defaults(struct sk_config *cfg, const char *home);
void sk_config_free(struct sk_config *cfg);

/*
 * Apply one setting by name (without "--"). Returns 0, or -1 with err set
 * ("--NAME: ..." ) for an unknown name or a bad value.
 */
int sk_config_set(struct sk_config *cfg, const char *name, const char *value, char *err,
                  size_t errlen);
/* Parse argv; returns 0 or -1 with err set. --config FILE is read before the other options apply.
 */
int sk_config_parse_args(struct sk_config *cfg, int argc, char **argv, char *err, size_t errlen);
/* Parse config-file text (pure); errors are "NAME:LINE: ...". */
int sk_config_parse_text(struct sk_config *cfg, const char *text, const char *name, char *err,
                         size_t errlen);
/* Check what needs the whole picture (e.g. HTTP beyond loopback). 0 or -1. */
int sk_config_check(const struct sk_config *cfg, char *err, size_t errlen);

/* --http-auth as given, else remote for a loopback --http-listen and always otherwise. */
enum sk_http_auth sk_config_http_auth(const struct sk_config *cfg);

extern const char sk_config_usage[];

#endif
