/*
 * config: one table of options, shared by the command line and the file.
 *
 * Each option names its field and how to check its value; sk_config_set is
 * the single place values are accepted, so the command line and the config
 * file behave identically.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/negotiate.h"
#include "hid/hid.h"
#include "media/store.h"
#include "power/powerspec.h"
#include "serial/serialspec.h"
#include "text/consolefonts.h"
#include "base/util.h"

const char sk_config_usage[] =
    "usage: sshkvm [--config FILE] [--video SRC] [--hid SINK] [--mouse SINK]\n"
    "              [--ssh-listen ADDR:PORT] [--http-listen ADDR:PORT|off] [--hostkeys DIR]\n"
    "              [--authorized-keys FILE] [--keymap NAME] [--fps N] [--jpeg-quality N]\n"
    "              [--resolution WxH] [--format F] [--input N] [--capture MODE]\n"
    "              [--http-auth remote|always] [--http-passwd FILE] [--tls-cert FILE --tls-key "
    "FILE]\n"
    "              [--control exclusive|shared] [--control-idle S] [--audit-log FILE|syslog|off]\n"
    "              [--trusted-user-ca-keys FILE] [--serial NAME=DEVICE[,SETTINGS]]...\n"
    "              [--power-gpio CHIP[,LINE=N[:low]]...] [--wol MAC[,BROADCAST[:PORT]]]\n"
    "              [--serial-log-dir DIR] [-v]\n"
    "       sshkvm --list-video [DEV]\n"
    "\n"
    "  --video SRC            demo (default) | /dev/videoN | file:PATH (concatenated JPEGs)\n"
    "  --hid SINK             demo (default) | /dev/hidgN | file:PATH (raw 8-byte reports)\n"
    "  --mouse SINK           demo (default) | /dev/hidgN | file:PATH | none\n"
    "  --ssh-listen ADDR:PORT default 127.0.0.1:2222\n"
    "  --http-listen ADDR:PORT default 127.0.0.1:8080; off to disable. Off loopback every\n"
    "                         client must log in (ssh kvm@HOST web, or --http-passwd)\n"
    "  --http-auth POLICY     remote: loopback clients need no login; always: they do. Default:\n"
    "                         remote when --http-listen is a loopback address, else always\n"
    "  --http-passwd FILE     user:hash lines (crypt(3), e.g. openssl passwd -6) for HTTP Basic\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate (and --tls-key FILE)\n"
    "  --hostkeys DIR         default hostkeys/ (ed25519 key generated on first start)\n"
    "  --authorized-keys FILE default ~/.ssh/authorized_keys; sshkvm-role=view|control (or\n"
    "                         restrict: view) in a key's options sets its role\n"
    "  --trusted-user-ca-keys FILE  CA public keys (ssh-ed25519) whose user certificates\n"
    "                         for principal kvm may log in; the line's options set the role\n"
    "  --control MODE         exclusive (default): one writer at a time, others watch until\n"
    "                         they take control; shared: every control-role session types\n"
    "  --control-idle S       the writer loses control after S s without input, default 300;\n"
    "                         0: never\n"
    "  --audit-log DEST       stderr (default, the journal under systemd) | syslog | off | FILE:\n"
    "                         logins, failed logins, control changes, refusals, commands\n"
    "  --keymap NAME          the target's keyboard layout, default us\n"
    "  --keymaps-dir DIR      where keymaps live (default: found next to the program)\n"
    "  --paste-rate N         type and paste at most N keystrokes a second (0, the default:\n"
    "                         as fast as the target reads them)\n"
    "  --web-dir DIR          where the web page lives (default: found next to the program)\n"
    "  --fps N                frame rate of demo and file sources, default 30; asked of V4L2\n"
    "  --jpeg-quality N       for sources that encode JPEG (demo, YUYV, RGB24), default 80\n"
    "  --resolution WxH       V4L2 capture size, default the device's (DV timings: the source's)\n"
    "  --format F             V4L2 pixel format: auto (default: MJPEG, else YUYV, else RGB24),\n"
    "                         mjpeg, jpeg, yuyv or rgb24\n"
    "  --input N              V4L2 input to select (e.g. an HDMI input), default the current one\n"
    "  --capture MODE         on-demand (default: V4L2 streams only while someone watches) | "
    "always\n"
    "  --list-video [DEV]     print DEV's (or --video's) inputs, formats, sizes, rates; exit\n"
    "  --view-mode M          ssh view: auto (text when the screen is text, else art; default)\n"
    "                         | art (libcaca glyphs) | half (two pixels a cell) | text (a text\n"
    "                         screen as its characters)\n"
    "  --view-colors C        auto (from TERM/COLORTERM, default) | 16 | 256 | 24bit\n"
    "  --view-charset S       ascii (default) | shades | blocks\n"
    "  --view-dither D        none (default) | ordered2 | ordered4 | ordered8 | random | fstein\n"
    "  --view-brightness B    -1 to 1, default 0\n"
    "  --view-contrast C      0 to 4, default 1\n"
    "  --view-gamma G         0.1 to 10, default 1\n"
    "  --view-fps N           picture updates a second per ssh view, default 15\n"
    "  --text-font FILE[,..]  also read text screens in these fonts (text views, screen, wait):\n"
    "                         Linux console fonts (PSF1/PSF2, plain or .gz, 8 wide, 8/14/16\n"
    "                         high, e.g. /usr/share/consolefonts/Lat15-Terminus16.psf.gz),\n"
    "                         GRUB PF2 fonts (/usr/share/grub/unicode.pf2, its menu's on\n"
    "                         UEFI), VGA BIOS ROM images or raw 8x16 fonts; repeatable\n"
    "  --text-font-dir DIR    the Linux console fonts (PSF, 6 to 16 wide) read at start, so\n"
    "                         that a console drawn in a font without a built-in table reads\n"
    "                         as text (default /usr/share/consolefonts, console-setup's;\n"
    "                         none: off)\n"
    "  --serial NAME=DEVICE[,SETTINGS]  a serial port for `serial` commands, repeatable:\n"
    "                         com1=/dev/ttyUSB0, con=/dev/ttyAMA0,9600,7e1, x=/dev/ttyS1,rtscts;\n"
    "                         default 115200 8n1; a missing device is looked for every second;\n"
    "                         or over telnet (a terminal server, ser2net, a QEMU console):\n"
    "                         sw=telnet:HOST:PORT[,SETTINGS] (settings sent by RFC 2217)\n"
    "  --record-dir DIR       record every console session there as an asciicast v2 file\n"
    "                         (asciinema play): what was shown, resizes, and keys as markers,\n"
    "                         never typed text; files 0600, DIR made 0700 if missing\n"
    "  --record-max MB        stop a session's recording at MB megabytes, default 64\n"
    "  --media-dir DIR        the boot-media images (media commands), default\n"
    "                         /var/lib/sshkvm/media; unusable: media is off, sshkvm runs on\n"
    "  --media-gadget DIR     the USB gadget in configfs that media insert adds its mass-\n"
    "                         storage function to, default /sys/kernel/config/usb_gadget/sshkvm\n"
    "  --media-max-bytes SIZE all images together at most SIZE (512M, 8G); default: the disk\n"
    "  --power-gpio CHIP[,power=N][,reset=N][,led=N][,hdd=N]  the ATX buttons and LEDs on\n"
    "                         GPIO chip CHIP (gpiochip0, /dev/gpiochip0 or 0) for `power`;\n"
    "                         lines default to PiKVM's: power 23, reset 27, led 24, hdd 22;\n"
    "                         N:low for an active-low line, none for no reset or LED\n"
    "  --wol MAC[,BROADCAST[:PORT]]  `power wake` sends the Wake-on-LAN packet to MAC, by\n"
    "                         default to 255.255.255.255 port 9\n"
    "  --max-startups N       ssh connections waiting to log in at once, default 16; the\n"
    "                         oldest is dropped for a newcomer beyond that\n"
    "  --http-max-idle N      HTTP connections without a request in flight at once, default\n"
    "                         32; the oldest is dropped for a newcomer beyond that\n"
    "  --config FILE          settings as 'name = value' lines, same names as the options\n"
    "  -v, --verbose          debug logging\n";

enum opt_kind {
    OPT_STRING,
    OPT_VIDEO,
    OPT_SINK,
    OPT_MOUSE,
    OPT_LISTEN,
    OPT_HTTP_LISTEN,
    OPT_FPS,
    OPT_QUALITY,
    OPT_FLAG,
    OPT_RESOLUTION,
    OPT_FORMAT,
    OPT_INPUT,
    OPT_CHOICE,
    OPT_LIST_VIDEO,
    OPT_INT,
    OPT_VIEW,
    OPT_VIEW_FPS,
    OPT_LIST,
    OPT_SERIAL,
    OPT_POWER_GPIO,
    OPT_WOL
};

/* Options whose field is a char * (freed by sk_config_free). */
static int is_string_kind(enum opt_kind k)
{
    return k != OPT_FPS && k != OPT_QUALITY && k != OPT_FLAG && k != OPT_RESOLUTION &&
           k != OPT_INPUT && k != OPT_INT && k != OPT_VIEW && k != OPT_VIEW_FPS &&
           k != OPT_CHOICE && k != OPT_FORMAT;
}

struct opt {
    const char *name;
    enum opt_kind kind;
    size_t offset;
};

/* The two values each OPT_CHOICE option takes; the field gets the index (its enum's value). */
static const struct {
    const char *name;
    const char *values[2];
} choices[] = {
    {"http-auth", {"remote", "always"}},
    {"capture", {"on-demand", "always"}},
    {"control", {"exclusive", "shared"}},
};
_Static_assert(SK_HTTP_AUTH_ALWAYS == 1 && SK_CAPTURE_ALWAYS == 1 && SK_CONTROL_SHARED == 1,
               "choices[] lists each enum's values in order");

static const char *const *choice_values(const char *name)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(choices); i++) {
        if (strcmp(choices[i].name, name) == 0) {
            return choices[i].values;
        }
    }
    abort(); /* an OPT_CHOICE option missing from the table: a bug */
}

/* The whole numbers each OPT_INT and OPT_INPUT option takes. */
static const struct {
    const char *name;
    int lo, hi;
} ranges[] = {
    {"input", 0, 255},         {"paste-rate", 0, 10000},   {"control-idle", 0, 86400},
    {"max-startups", 1, 1024}, {"http-max-idle", 1, 1024}, {"record-max", 1, 65536},
};

static void int_range(const char *name, int *lo, int *hi)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(ranges); i++) {
        if (strcmp(ranges[i].name, name) == 0) {
            *lo = ranges[i].lo;
            *hi = ranges[i].hi;
            return;
        }
    }
    abort(); /* an OPT_INT option missing from the table: a bug */
}

#define FIELD(f) offsetof(struct sk_config, f)

static const struct opt options[] = {
    {"config", OPT_STRING, FIELD(config_file)},
    {"video", OPT_VIDEO, FIELD(video)},
    {"hid", OPT_SINK, FIELD(hid)},
    {"mouse", OPT_MOUSE, FIELD(mouse)},
    {"ssh-listen", OPT_LISTEN, FIELD(ssh_listen)},
    {"http-listen", OPT_HTTP_LISTEN, FIELD(http_listen)},
    {"hostkeys", OPT_STRING, FIELD(hostkeys)},
    {"authorized-keys", OPT_STRING, FIELD(authorized_keys)},
    {"trusted-user-ca-keys", OPT_STRING, FIELD(trusted_user_ca_keys)},
    {"keymap", OPT_STRING, FIELD(keymap)},
    {"keymaps-dir", OPT_STRING, FIELD(keymaps_dir)},
    {"web-dir", OPT_STRING, FIELD(web_dir)},
    {"http-auth", OPT_CHOICE, FIELD(http_auth)},
    {"http-passwd", OPT_STRING, FIELD(http_passwd)},
    {"tls-cert", OPT_STRING, FIELD(tls_cert)},
    {"tls-key", OPT_STRING, FIELD(tls_key)},
    {"fps", OPT_FPS, FIELD(fps)},
    {"jpeg-quality", OPT_QUALITY, FIELD(jpeg_quality)},
    {"resolution", OPT_RESOLUTION, FIELD(width)},
    {"format", OPT_FORMAT, FIELD(format)},
    {"input", OPT_INPUT, FIELD(input)},
    {"capture", OPT_CHOICE, FIELD(capture)},
    {"list-video", OPT_LIST_VIDEO, FIELD(list_video)},
    {"paste-rate", OPT_INT, FIELD(paste_rate)},
    {"view-mode", OPT_VIEW, FIELD(view)},
    {"view-colors", OPT_VIEW, FIELD(view)},
    {"view-charset", OPT_VIEW, FIELD(view)},
    {"view-dither", OPT_VIEW, FIELD(view)},
    {"view-brightness", OPT_VIEW, FIELD(view)},
    {"view-contrast", OPT_VIEW, FIELD(view)},
    {"view-gamma", OPT_VIEW, FIELD(view)},
    {"view-fps", OPT_VIEW_FPS, FIELD(view_fps)},
    {"audit-log", OPT_STRING, FIELD(audit_log)},
    {"control", OPT_CHOICE, FIELD(control)},
    {"control-idle", OPT_INT, FIELD(control_idle)},
    {"text-font", OPT_LIST, FIELD(text_font)},
    {"text-font-dir", OPT_STRING, FIELD(text_font_dir)},
    {"serial", OPT_SERIAL, FIELD(serial)},
    {"record-dir", OPT_STRING, FIELD(record_dir)},
    {"record-max", OPT_INT, FIELD(record_max_mb)},
    {"media-dir", OPT_STRING, FIELD(media_dir)},
    {"media-gadget", OPT_STRING, FIELD(media_gadget)},
    {"media-max-bytes", OPT_STRING, FIELD(media_max_bytes)},
    {"power-gpio", OPT_POWER_GPIO, FIELD(power_gpio)},
    {"wol", OPT_WOL, FIELD(wol)},
    {"serial-log-dir", OPT_STRING, FIELD(serial_log_dir)},
    {"max-startups", OPT_INT, FIELD(max_startups)},
    {"http-max-idle", OPT_INT, FIELD(http_max_idle)},
    {"verbose", OPT_FLAG, FIELD(verbose)},
    {"help", OPT_FLAG, FIELD(help)},
    {"version", OPT_FLAG, FIELD(version)},
};

static void set_str(char **dst, const char *value)
{
    free(*dst);
    *dst = value ? xstrdup(value) : NULL;
}

void sk_config_defaults(struct sk_config *cfg, const char *home)
{
    memset(cfg, 0, sizeof(*cfg));
    set_str(&cfg->video, "demo");
    set_str(&cfg->hid, "demo");
    set_str(&cfg->mouse, "demo");
    set_str(&cfg->ssh_listen, "127.0.0.1:2222");
    set_str(&cfg->http_listen, "127.0.0.1:8080");
    set_str(&cfg->hostkeys, "hostkeys");
    char *ak = xasprintf("%s/.ssh/authorized_keys", home ? home : "");
    cfg->authorized_keys = ak;
    set_str(&cfg->keymap, "us");
    cfg->http_auth = SK_HTTP_AUTH_UNSET;
    cfg->fps = 30;
    cfg->jpeg_quality = 80;
    cfg->format = 0; /* auto */
    cfg->capture = SK_CAPTURE_ON_DEMAND;
    cfg->input = -1;
    sk_render_opts_default(&cfg->view);
    cfg->view.mode = SK_RENDER_AUTO; /* text screens as text: what people ssh in for */
    cfg->view.colors = 0;            /* auto: each session's terminal decides */
    cfg->view_fps = 15;
    set_str(&cfg->audit_log, "stderr");
    cfg->control = SK_CONTROL_EXCLUSIVE;
    cfg->control_idle = 300;
    set_str(&cfg->media_dir, "/var/lib/sshkvm/media");
    set_str(&cfg->text_font_dir, SK_CONSOLEFONTS_DIR);
    set_str(&cfg->media_gadget, "/sys/kernel/config/usb_gadget/sshkvm");
    cfg->max_startups = 16;
    cfg->record_max_mb = 64;
    cfg->http_max_idle = 32;
}

void sk_config_free(struct sk_config *cfg)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(options); i++) {
        if (is_string_kind(options[i].kind)) {
            char **p = (char **)((char *)cfg + options[i].offset);
            free(*p);
            *p = NULL;
        }
    }
}

static const struct opt *find_opt(const char *name)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(options); i++) {
        if (strcmp(options[i].name, name) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

int sk_config_set(struct sk_config *cfg, const char *name, const char *value, char *err,
                  size_t errlen)
{
    const struct opt *o = find_opt(name);
    char why[256];
    if (o == NULL) {
        snprintf(err, errlen, "--%s: unknown option (see --help)", name);
        return -1;
    }
    void *field = (char *)cfg + o->offset;
    if (o->kind == OPT_FLAG) {
        *(int *)field = 1;
        return 0;
    }
    if (o->kind == OPT_LIST_VIDEO) {
        /* The device is optional: without one, --video's is listed. */
        set_str((char **)field, value ? value : "");
        return 0;
    }
    if (value == NULL || value[0] == '\0') {
        snprintf(err, errlen, "--%s: needs a value", name);
        return -1;
    }
    switch (o->kind) {
    case OPT_POWER_GPIO:
    case OPT_WOL: {
        /* Checked here, parsed again by main: the value is kept as given. */
        struct sk_powerspec ps;
        struct sk_wolspec ws;
        if ((o->kind == OPT_POWER_GPIO ? sk_powerspec_parse(value, &ps, why, sizeof(why))
                                       : sk_wolspec_parse(value, &ws, why, sizeof(why))) != 0) {
            snprintf(err, errlen, "--%s: %s", name, why);
            return -1;
        }
        set_str((char **)field, value);
        return 0;
    }
    case OPT_RESOLUTION:
        if (sk_resolution_parse(value, &cfg->width, &cfg->height) != 0) {
            snprintf(err, errlen,
                     "--%s: '%s' is not WIDTHxHEIGHT (each 16 to 8192), e.g. 1920x1080", name,
                     value);
            return -1;
        }
        return 0;
    case OPT_FORMAT: {
        uint32_t fourcc;
        if (sk_format_parse(value, &fourcc) != 0) {
            snprintf(err, errlen, "--%s: '%s' is not one of auto, mjpeg, jpeg, yuyv, rgb24", name,
                     value);
            return -1;
        }
        *(uint32_t *)field = fourcc;
        return 0;
    }
    case OPT_CHOICE: {
        const char *const *v = choice_values(name);
        if (strcmp(value, v[0]) != 0 && strcmp(value, v[1]) != 0) {
            snprintf(err, errlen, "--%s: '%s' is not %s or %s", name, value, v[0], v[1]);
            return -1;
        }
        *(int *)field = strcmp(value, v[1]) == 0;
        return 0;
    }
    case OPT_VIDEO:
        if (sk_capture_check_spec(value, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--%s: %s", name, why);
            return -1;
        }
        break;
    case OPT_MOUSE:
        if (strcmp(value, "none") == 0) {
            break;
        }
        /* Otherwise a mouse sink is spelled like a keyboard sink. */
        __attribute__((fallthrough));
    case OPT_SINK:
        if (sk_hid_check_spec(value, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--%s: %s", name, why);
            return -1;
        }
        break;
    case OPT_HTTP_LISTEN:
        if (strcmp(value, "off") == 0) {
            break;
        }
        __attribute__((fallthrough));
    case OPT_LISTEN: {
        char addr[256];
        int port;
        if (sk_parse_hostport(value, addr, sizeof(addr), &port, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--%s: %s", name, why);
            return -1;
        }
        break;
    }
    case OPT_INPUT:
    case OPT_INT: {
        char *end;
        int lo, hi;
        int_range(name, &lo, &hi);
        errno = 0;
        long v = strtol(value, &end, 10);
        if (*end != '\0' || errno != 0 || v < lo || v > hi || value[0] < '0' || value[0] > '9') {
            snprintf(err, errlen, "--%s: '%s' is not %s number from %d to %d", name, value,
                     o->kind == OPT_INPUT ? "an input" : "a", lo, hi);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    case OPT_LIST: {
        /* Each use adds to the list: the file's and the command line's together. */
        size_t vlen = strlen(value);
        if (value[0] == ',' || value[vlen - 1] == ',' || strstr(value, ",,") != NULL) {
            snprintf(err, errlen, "--%s: '%s' has an empty item in its comma-separated list", name,
                     value);
            return -1;
        }
        char **list = (char **)field;
        char *joined = *list ? xasprintf("%s,%s", *list, value) : xstrdup(value);
        free(*list);
        *list = joined;
        return 0;
    }
    case OPT_SERIAL: {
        /* Each use adds a port; settings hold commas, so the list is one port a line. */
        struct sk_serialspec spec, other;
        if (sk_serialspec_parse(value, &spec, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--%s: %s", name, why);
            return -1;
        }
        char **list = (char **)field;
        char *copy = xstrdup(*list ? *list : "");
        char *save = NULL;
        int same = 0;
        for (char *line = strtok_r(copy, "\n", &save); line != NULL && !same;
             line = strtok_r(NULL, "\n", &save)) {
            same = sk_serialspec_parse(line, &other, why, sizeof(why)) == 0 &&
                   strcmp(other.name, spec.name) == 0;
        }
        free(copy);
        if (same) {
            snprintf(err, errlen, "--%s: the name '%s' is given to two ports", name, spec.name);
            return -1;
        }
        char *joined = *list ? xasprintf("%s\n%s", *list, value) : xstrdup(value);
        free(*list);
        *list = joined;
        return 0;
    }
    case OPT_VIEW:
        /* "view-colors" sets the renderer's "colors". */
        if (sk_render_opts_set(field, name + 5, value, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--view-%s", why);
            return -1;
        }
        return 0;
    case OPT_VIEW_FPS:
    case OPT_FPS:
    case OPT_QUALITY: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        double max = o->kind == OPT_QUALITY ? 100 : 120;
        if (*end != '\0' || errno != 0 || v < 1 || v > max || (o->kind != OPT_FPS && v != (int)v)) {
            snprintf(err, errlen, "--%s: '%s' is not a number from 1 to %.0f", name, value, max);
            return -1;
        }
        if (o->kind == OPT_FPS) {
            *(double *)field = v;
        } else {
            *(int *)field = (int)v;
        }
        return 0;
    }
    default:
        break;
    }
    set_str((char **)field, value);
    return 0;
}

int sk_config_parse_text(struct sk_config *cfg, const char *text, const char *name, char *err,
                         size_t errlen)
{
    int lineno = 0;
    const char *p = text;
    while (*p != '\0') {
        lineno++;
        size_t len = strcspn(p, "\n");
        char *line = xstrndup(p, len);
        p += len + (p[len] == '\n');
        char *s = line;
        char *hash = strchr(s, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        char *end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
            *--end = '\0';
        }
        if (*s == '\0') {
            free(line);
            continue;
        }
        size_t klen = strcspn(s, " \t=");
        char *value = s + klen;
        while (*value == ' ' || *value == '\t') {
            value++;
        }
        if (*value == '=') {
            value++;
            while (*value == ' ' || *value == '\t') {
                value++;
            }
        }
        s[klen] = '\0';
        char why[512];
        int command = strcmp(s, "config") == 0 || strcmp(s, "list-video") == 0;
        int rc = command ? -1 : sk_config_set(cfg, s, value, why, sizeof(why));
        if (rc != 0) {
            if (strcmp(s, "config") == 0) {
                snprintf(why, sizeof(why), "a config file cannot include another");
            } else if (command) {
                snprintf(why, sizeof(why), "%s is a command-line action, not a setting", s);
            }
            snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
            free(line);
            return -1;
        }
        free(line);
    }
    return 0;
}

int sk_config_parse_args(struct sk_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    /* The file first, so that the command line overrides it. */
    for (int i = 1; i < argc; i++) {
        const char *cf = NULL;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            cf = argv[i + 1];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            cf = argv[i] + 9;
        }
        if (cf != NULL) {
            char *text, why[512];
            if (sk_read_file(cf, 1024 * 1024, &text, NULL, why, sizeof(why)) != 0) {
                snprintf(err, errlen, "--config: %s", why);
                return -1;
            }
            int rc = sk_config_parse_text(cfg, text, cf, err, errlen);
            free(text);
            if (rc != 0) {
                return -1;
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-v") == 0) {
            cfg->verbose = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0) {
            cfg->help = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errlen, "'%s': unexpected argument (see --help)", arg);
            return -1;
        }
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg + 2, '=');
        size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        snprintf(name, sizeof(name), "%.*s", (int)nlen, arg + 2);
        const struct opt *o = find_opt(name);
        if (o != NULL && o->kind == OPT_LIST_VIDEO) {
            /* An optional value: the next argument unless it is another option. */
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc && argv[i + 1][0] != '-') {
                value = argv[++i];
            }
        } else if (o != NULL && o->kind != OPT_FLAG) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                snprintf(err, errlen, "--%s: needs a value", name);
                return -1;
            }
        }
        if (strcmp(name, "config") == 0) {
            continue; /* already read */
        }
        if (sk_config_set(cfg, name, value, err, errlen) != 0) {
            return -1;
        }
    }
    return 0;
}

enum sk_http_auth sk_config_http_auth(const struct sk_config *cfg)
{
    if (cfg->http_auth != SK_HTTP_AUTH_UNSET) {
        return (enum sk_http_auth)cfg->http_auth;
    }
    char addr[256], why[128];
    int port;
    int loopback =
        cfg->http_listen != NULL &&
        sk_parse_hostport(cfg->http_listen, addr, sizeof(addr), &port, why, sizeof(why)) == 0 &&
        sk_addr_is_loopback(addr);
    return loopback ? SK_HTTP_AUTH_REMOTE : SK_HTTP_AUTH_ALWAYS;
}

int sk_config_check(const struct sk_config *cfg, char *err, size_t errlen)
{
    /*
     * HTTP beyond loopback is allowed: clients off loopback must always log
     * in (see http/auth.h), whatever --http-auth says.
     */
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        snprintf(err, errlen, "--%s: needs --%s as well", cfg->tls_cert ? "tls-cert" : "tls-key",
                 cfg->tls_cert ? "tls-key" : "tls-cert");
        return -1;
    }
    if (cfg->media_max_bytes != NULL && sk_store_parse_size(cfg->media_max_bytes) <= 0) {
        snprintf(err, errlen, "--media-max-bytes: '%s' is not a size (512M, 8G, 1T)",
                 cfg->media_max_bytes);
        return -1;
    }
    return 0;
}
