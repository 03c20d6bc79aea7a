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
#include "hid/hid.h"
#include "util.h"

const char sk_config_usage[] =
    "usage: sshkvm [--config FILE] [--video SRC] [--hid SINK] [--mouse SINK]\n"
    "              [--ssh-listen ADDR:PORT] [--http-listen ADDR:PORT|off] [--hostkeys DIR]\n"
    "              [--authorized-keys FILE] [--keymap NAME] [--fps N] [--jpeg-quality N]\n"
    "              [--http-auth remote|always] [--http-passwd FILE] [--tls-cert FILE --tls-key FILE]\n"
    "              [-v]\n"
    "\n"
    "  --video SRC            demo (default) | /dev/videoN | file:PATH (concatenated JPEGs)\n"
    "  --hid SINK             demo (default) | /dev/hidgN | file:PATH (raw 8-byte reports)\n"
    "  --mouse SINK           demo (default) | /dev/hidgN | file:PATH | none\n"
    "  --ssh-listen ADDR:PORT default 127.0.0.1:2222\n"
    "  --http-listen ADDR:PORT default 127.0.0.1:8080; off to disable. Off loopback every\n"
    "                         client must log in (ssh kvm@HOST web, or --http-passwd)\n"
    "  --http-auth POLICY     remote (default): loopback clients need no login; always: they do\n"
    "  --http-passwd FILE     user:hash lines (crypt(3), e.g. openssl passwd -6) for HTTP Basic\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate (and --tls-key FILE)\n"
    "  --hostkeys DIR         default hostkeys/ (ed25519 key generated on first start)\n"
    "  --authorized-keys FILE default ~/.ssh/authorized_keys\n"
    "  --keymap NAME          the target's keyboard layout, default us\n"
    "  --keymaps-dir DIR      where keymaps live (default: found next to the program)\n"
    "  --web-dir DIR          where the web page lives (default: found next to the program)\n"
    "  --fps N                frame rate of demo and file sources, default 30\n"
    "  --jpeg-quality N       for sources that encode JPEG, default 80\n"
    "  --config FILE          settings as 'name = value' lines, same names as the options\n"
    "  -v, --verbose          debug logging\n";

enum opt_kind { OPT_STRING, OPT_VIDEO, OPT_SINK, OPT_MOUSE, OPT_LISTEN, OPT_HTTP_LISTEN, OPT_FPS,
                OPT_QUALITY, OPT_FLAG, OPT_HTTP_AUTH };

struct opt {
    const char *name;
    enum opt_kind kind;
    size_t offset;
};

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
    {"keymap", OPT_STRING, FIELD(keymap)},
    {"keymaps-dir", OPT_STRING, FIELD(keymaps_dir)},
    {"web-dir", OPT_STRING, FIELD(web_dir)},
    {"http-auth", OPT_HTTP_AUTH, FIELD(http_auth)},
    {"http-passwd", OPT_STRING, FIELD(http_passwd)},
    {"tls-cert", OPT_STRING, FIELD(tls_cert)},
    {"tls-key", OPT_STRING, FIELD(tls_key)},
    {"fps", OPT_FPS, FIELD(fps)},
    {"jpeg-quality", OPT_QUALITY, FIELD(jpeg_quality)},
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
    set_str(&cfg->http_auth, "remote");
    cfg->fps = 30;
    cfg->jpeg_quality = 80;
}

void sk_config_free(struct sk_config *cfg)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(options); i++) {
        if (options[i].kind != OPT_FPS && options[i].kind != OPT_QUALITY &&
            options[i].kind != OPT_FLAG) {
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
    if (value == NULL || value[0] == '\0') {
        snprintf(err, errlen, "--%s: needs a value", name);
        return -1;
    }
    switch (o->kind) {
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
    case OPT_HTTP_AUTH:
        if (strcmp(value, "remote") != 0 && strcmp(value, "always") != 0) {
            snprintf(err, errlen, "--%s: '%s' is not remote or always", name, value);
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
    case OPT_FPS:
    case OPT_QUALITY: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        double max = o->kind == OPT_FPS ? 120 : 100;
        if (*end != '\0' || errno != 0 || v < 1 || v > max ||
            (o->kind == OPT_QUALITY && v != (int)v)) {
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
        int rc = strcmp(s, "config") == 0 ? -1 : sk_config_set(cfg, s, value, why, sizeof(why));
        if (rc != 0) {
            if (strcmp(s, "config") == 0) {
                snprintf(why, sizeof(why), "a config file cannot include another");
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
        if (o != NULL && o->kind != OPT_FLAG) {
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
    return 0;
}
