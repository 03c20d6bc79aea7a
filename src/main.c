/*
 * main: options, wiring and signals: the only file that sees every module.
 *
 * Start-up order follows the data: the demo target (if used), the hub, the
 * HID (which releases every key first), capture, then the servers. Shutdown
 * runs it backwards, so sessions end (and release their keys) before the
 * HID closes, and the HID's last report is always "nothing pressed".
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "cmd/app.h"
#include "policy/audit.h"
#include "capture/capture.h"
#include "capture/negotiate.h"
#include "config.h"
#include "demo/democap.h"
#include "demo/demo.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "policy/auth.h"
#include "http/http.h"
#include "video/hub.h"
#include "base/log.h"
#include "policy/roster.h"
#include "media/massstorage.h"
#include "media/store.h"
#include "power/power.h"
#include "serial/port.h"
#include "serial/serlog.h"
#include "ssh/authkeys.h"
#include "ssh/ssh.h"
#include "term/textshare.h"
#include "term/view.h"
#include "text/consolefonts.h"
#include "text/fontfile.h"
#include "text/textrec.h"
#include "base/util.h"

#define SK_VERSION "0.1.0"

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0') {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/";
    }
    return home;
}

/* keymaps/ and web/ next to the program: build/sshkvm in a checkout, or PREFIX/share/sshkvm. */
static char *find_data_dir(const char *name)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
        char *candidates[] = {xasprintf("%s/../%s", exe, name),
                              xasprintf("%s/../share/sshkvm/%s", exe, name)};
        for (size_t i = 0; i < SK_ARRAY_LEN(candidates); i++) {
            char *path = candidates[i];
            candidates[i] = NULL;
            struct stat st;
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                free(candidates[SK_ARRAY_LEN(candidates) - 1]);
                return path;
            }
            free(path);
        }
    }
    return xstrdup(name);
}

/*
 * The role a web session's key has now (sk_auth_opts.role_now): looked up
 * in the authorized keys (ctx, their path) by fingerprint, so that a key
 * taken out, expired or turned view-only ends or narrows the browser
 * sessions it opened. Passwords and certificates are not judged here.
 */
static int web_key_role(void *ctx, const char *identity)
{
    if (strncmp(identity, "SHA256:", 7) != 0) {
        return SK_AUTH_ROLE_KEEP;
    }
    char err[256];
    int role = sk_authkeys_role_now(ctx, identity, time(NULL), err, sizeof(err));
    if (role < 0) {
        sk_log(SK_LOG_INFO, "http", "web sessions of key %s end: %s", identity, err);
    }
    return role;
}

static int demo_keyboard(void *ctx, const uint8_t *report, size_t len)
{
    return sk_demo_keyboard_report(ctx, report, len);
}

static int demo_mouse(void *ctx, const uint8_t *report, size_t len)
{
    return sk_demo_mouse_report(ctx, report, len);
}

static uint8_t demo_leds(void *ctx)
{
    return sk_demo_leds(ctx);
}

static int count_keys(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        return -1;
    }
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (strstr(line, "ssh-") != NULL || strstr(line, "ecdsa-") != NULL) {
            n++;
        }
    }
    fclose(fp);
    return n;
}

static void print_banner(const struct sk_config *cfg, const char *fingerprint)
{
    char addr[256], why[128];
    int port;
    sk_parse_hostport(cfg->ssh_listen, addr, sizeof(addr), &port, why, sizeof(why));
    printf("sshkvm %s: video %s, keyboard %s, keymap %s\n", SK_VERSION, cfg->video, cfg->hid,
           cfg->keymap);
    printf("  console:  ssh -t -p %d kvm@%s\n", port, addr);
    printf("  script:   ssh -p %d kvm@%s type 'Hello'   (also: key, paste, snapshot, screen, "
           "status)\n",
           port, addr);
    printf("  host key: ED25519 %s\n", fingerprint);
    if (strcmp(cfg->http_listen, "off") != 0) {
        printf("  browser:  %s://%s/   (a login URL: ssh -p %d kvm@%s web)\n",
               cfg->tls_cert != NULL ? "https" : "http", cfg->http_listen, port, addr);
    }
    int keys = count_keys(cfg->authorized_keys);
    if (keys <= 0) {
        printf("  No authorized keys in %s: nobody can log in yet. Authorize yours with\n"
               "    test -f ~/.ssh/id_ed25519 || ssh-keygen -t ed25519 -N '' -f ~/.ssh/id_ed25519\n"
               "    cat ~/.ssh/id_ed25519.pub >> %s\n"
               "  (the file is re-read at every login; no restart needed)\n",
               cfg->authorized_keys, cfg->authorized_keys);
    } else {
        printf("  %d key%s authorized in %s\n", keys, keys == 1 ? "" : "s", cfg->authorized_keys);
    }
    fflush(stdout);
}

/*
 * Load each file of --text-font's comma-separated list (NULL: none) into
 * fonts (room for 3 * SK_TEXT_FONT_FILES_MAX), logging what each gave.
 * Returns 0 with *count set, or -1 with err set.
 */

static int text_fonts_load(const char *list, struct sk_text_font *fonts, int *count, char *err,
                           size_t errlen)
{
    *count = 0;
    if (list == NULL) {
        return 0;
    }
    char *copy = xstrdup(list);
    char *save = NULL;
    int files = 0;
    int rc = 0;
    for (char *path = strtok_r(copy, ",", &save); path != NULL; path = strtok_r(NULL, ",", &save)) {
        if (++files > SK_TEXT_FONT_FILES_MAX) {
            snprintf(err, errlen, "more than %d font files", SK_TEXT_FONT_FILES_MAX);
            rc = -1;
            break;
        }
        int n = sk_text_font_load(path, fonts + *count, err, errlen);
        if (n < 0) {
            rc = -1;
            break;
        }
        for (int i = 0; i < n; i++) {
            const struct sk_text_font *f = &fonts[*count + i];
            sk_log(SK_LOG_INFO, "main", "text font %s: %s, 8x%u, %u of 256 CP437 glyphs", path,
                   f->format, f->height, f->mapped);
        }
        *count += n;
    }
    free(copy);
    if (rc == 0 && *count > 0) {
        /* What a recogniser given them all holds: say so when some glyphs find no room. */
        struct sk_textrec *probe = sk_textrec_new();
        unsigned left[17] = {0}; /* by height: 8, 14 or 16 */
        for (int i = 0; i < *count; i++) {
            int n = sk_textrec_add_font(probe, fonts[i].rows, fonts[i].height);
            left[fonts[i].height] += n > 0 ? (unsigned)n : 0;
        }
        sk_textrec_free(probe);
        for (unsigned h = 0; h < 17; h++) {
            if (left[h] > 0) {
                sk_log(
                    SK_LOG_WARN, "main",
                    "text fonts: %u glyphs of 8x%u left out, the recogniser holds %d of a height "
                    "(the fonts listed first are in)",
                    left[h], h, SK_TEXTREC_MAX_GLYPHS);
            }
        }
    }
    return rc;
}

/*
 * --text-font-dir's console fonts into *out (NULL for "none"), logging what
 * a recogniser takes of them. The default folder may be missing (no
 * console-setup): said, and sshkvm reads in its built-in fonts. Returns 0,
 * or -1 with err set for a folder given that cannot be read.
 */
static int console_fonts_load(const char *dir, struct sk_consolefonts **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    if (dir == NULL || strcmp(dir, "none") == 0) {
        return 0;
    }
    unsigned skipped = 0;
    char why[512];
    *out = sk_consolefonts_load(dir, &skipped, why, sizeof(why));
    if (*out == NULL) {
        if (strcmp(dir, SK_CONSOLEFONTS_DIR) != 0) {
            sk_set_err(err, errlen, "%s", why);
            return -1;
        }
        sk_log(SK_LOG_INFO, "main", "text fonts: %s; text screens are read in the built-in fonts",
               why);
        return 0;
    }
    struct sk_textrec *probe = sk_textrec_new();
    unsigned taken = sk_consolefonts_teach(*out, probe);
    sk_textrec_free(probe);
    sk_log(SK_LOG_INFO, "main",
           "text fonts: %u console fonts in %s (%u files passed over), %u new to the recogniser",
           sk_consolefonts_count(*out), dir, skipped, taken);
    return 0;
}

int main(int argc, char **argv)
{
    struct sk_config cfg;
    char err[512];
    int rc = 1;
    struct sk_demo *demo = NULL;
    struct sk_hub *hub = NULL;
    struct sk_hid *hid = NULL;
    struct sk_capture *cap = NULL;
    struct sk_keymap *keymap = NULL;
    struct sk_ssh *ssh = NULL;
    struct sk_viewcache *viewcache = NULL;
    struct sk_textshare *text_share = NULL;
    struct sk_consolefonts *console_fonts = NULL;
    struct sk_http *http = NULL;
    struct sk_auth *auth = NULL;
    struct sk_roster *roster = NULL;
    struct sk_audit *audit = NULL;
    struct sk_port **ports = NULL;
    struct sk_store *media = NULL;
    struct sk_massstorage *gadget = NULL;
    struct sk_power *power = NULL;
    size_t nports = 0;
    char *keymaps_dir = NULL, *web_dir = NULL;

    sk_config_defaults(&cfg, home_dir());
    if (sk_config_parse_args(&cfg, argc, argv, err, sizeof(err)) != 0 ||
        sk_config_check(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: %s\n", err);
        sk_config_free(&cfg);
        return 2;
    }
    if (cfg.help) {
        fputs(sk_config_usage, stdout);
        sk_config_free(&cfg);
        return 0;
    }
    if (cfg.version) {
        printf("sshkvm %s\n", SK_VERSION);
        sk_config_free(&cfg);
        return 0;
    }
    sk_log_set_level(cfg.verbose ? SK_LOG_DEBUG : SK_LOG_INFO);
    if (cfg.list_video != NULL) {
        /* A named device is taken as it is (a by-id link, say); --video only if it is one. */
        const char *dev = cfg.list_video[0] ? cfg.list_video : cfg.video;
        if (cfg.list_video[0] == '\0' && strncmp(dev, "/dev/", 5) != 0) {
            fprintf(stderr,
                    "sshkvm: --list-video: '%s' is not a V4L2 device; name one, e.g. "
                    "--list-video /dev/video0\n",
                    dev);
            rc = 2;
        } else if (sk_capture_list_video(dev, stdout, err, sizeof(err)) != 0) {
            fprintf(stderr, "sshkvm: --list-video: %s\n", err);
            rc = 1;
        } else {
            rc = 0;
        }
        sk_config_free(&cfg);
        return rc;
    }
    keymaps_dir = cfg.keymaps_dir ? xstrdup(cfg.keymaps_dir) : find_data_dir("keymaps");
    web_dir = cfg.web_dir ? xstrdup(cfg.web_dir) : find_data_dir("web");

    /*
     * The signals that stop us are blocked here, before any thread starts, so
     * every thread inherits the mask and none of them is interrupted; main
     * takes them with sigwait below, the one place they are handled. A write
     * to a socket or FIFO whose reader went away returns EPIPE instead of
     * raising SIGPIPE.
     */
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    ssh_init();

    keymap = sk_keymap_load(keymaps_dir, cfg.keymap, err, sizeof(err));
    if (keymap == NULL) {
        fprintf(stderr, "sshkvm: --keymap: %s\n", err);
        goto out;
    }
    int uses_demo = strcmp(cfg.video, "demo") == 0 || strcmp(cfg.hid, "demo") == 0 ||
                    strcmp(cfg.mouse, "demo") == 0;
    if (uses_demo) {
        demo = sk_demo_new();
    }
    hub = sk_hub_new();

    struct sk_hid_opts hid_opts = {
        .keyboard = cfg.hid,
        .mouse = strcmp(cfg.mouse, "none") == 0 ? NULL : cfg.mouse,
        .demo_keyboard = demo_keyboard,
        .demo_mouse = demo_mouse,
        .demo_leds = demo_leds,
        .demo_ctx = demo,
    };
    hid = sk_hid_new(&hid_opts);
    if (sk_hid_open(hid, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --hid: %s\n", err);
        goto out;
    }

    struct sk_capture_opts cap_opts = {
        .spec = cfg.video,
        .hub = hub,
        .demo_ops = demo ? &sk_democap_ops : NULL,
        .demo_ctx = demo,
        .fps = cfg.fps,
        .jpeg_quality = cfg.jpeg_quality,
        .width = cfg.width,
        .height = cfg.height,
        .input = cfg.input,
        .always = cfg.capture == SK_CAPTURE_ALWAYS,
        .format = cfg.format,
    };
    cap = sk_capture_new(&cap_opts);
    if (sk_capture_open(cap, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --video: %s\n", err);
        goto out;
    }

    if (cfg.serial_log_dir != NULL && sk_private_dir(cfg.serial_log_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --serial-log-dir: %s\n", err);
        goto out;
    }
    /* --serial (one port a line, checked by config): a device not there yet is looked for. */
    char *serial_list = xstrdup(cfg.serial ? cfg.serial : "");
    char *save = NULL;
    for (char *line = strtok_r(serial_list, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct sk_port_opts port_opts = {.log_dir = cfg.serial_log_dir};
        sk_serialspec_parse(line, &port_opts.spec, err, sizeof(err));
        ports = xrealloc(ports, (nports + 1) * sizeof(*ports));
        ports[nports] = sk_port_new(&port_opts);
        if (sk_port_open(ports[nports++], err, sizeof(err)) != 0) {
            fprintf(stderr, "sshkvm: --serial: %s\n", err);
            free(serial_list);
            goto out;
        }
    }
    free(serial_list);

    /* --power-gpio, --wol (checked by config): a missing chip is logged, and looked for later. */
    if (cfg.power_gpio != NULL || cfg.wol != NULL) {
        struct sk_powerspec pspec;
        struct sk_wolspec wspec;
        struct sk_power_opts popts = {0};
        if (cfg.power_gpio != NULL &&
            sk_powerspec_parse(cfg.power_gpio, &pspec, err, sizeof(err)) == 0) {
            popts.gpio = &pspec;
        }
        if (cfg.wol != NULL && sk_wolspec_parse(cfg.wol, &wspec, err, sizeof(err)) == 0) {
            popts.wol = &wspec;
        }
        power = sk_power_new(&popts);
    }

    audit = sk_audit_new(cfg.audit_log, err, sizeof(err));
    if (audit == NULL) {
        fprintf(stderr, "sshkvm: %s\n", err);
        goto out;
    }
    roster = sk_roster_new(
        &(struct sk_roster_opts){.mode = (enum sk_control_mode)cfg.control,
                                 .idle_s = cfg.control_idle > 0 ? cfg.control_idle : -1});
    /* Static: a few fonts of 8 KiB, kept for the program's life. */
    static struct sk_text_font text_fonts[3 * SK_TEXT_FONT_FILES_MAX];
    int text_font_count = 0;
    if (text_fonts_load(cfg.text_font, text_fonts, &text_font_count, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --text-font: %s\n", err);
        goto out;
    }
    if (console_fonts_load(cfg.text_font_dir, &console_fonts, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --text-font-dir: %s\n", err);
        goto out;
    }

    if (cfg.record_dir != NULL && sk_private_dir(cfg.record_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --record-dir: %s\n", err);
        goto out;
    }
    /* Boot media: a store that cannot be used is one line in the log; sshkvm runs without it. */
    media = sk_store_new(
        &(struct sk_store_opts){
            .dir = cfg.media_dir,
            .reserve = -1,
            .max_bytes = cfg.media_max_bytes ? sk_store_parse_size(cfg.media_max_bytes) : 0},
        err, sizeof(err));
    if (media == NULL) {
        sk_log(SK_LOG_WARN, "media", "%s: the media commands are off", err);
    }
    gadget = sk_ms_new(cfg.media_gadget);

    viewcache = sk_viewcache_new();
    text_share = sk_textshare_new();
    struct sk_app app = {
        .hub = hub,
        .hid = hid,
        .keymap = keymap,
        .keymap_dir = keymaps_dir,
        .video_name = sk_capture_name(cap),
        .capture = cap,
        .paste_rate = cfg.paste_rate,
        .started_ms = sk_now_ms(),
        .view_opts = &cfg.view,
        .view_fps = cfg.view_fps,
        .viewcache = viewcache,
        .roster = roster,
        .audit = audit,
        .text_fonts = text_fonts,
        .text_font_count = (size_t)text_font_count,
        .console_fonts = console_fonts,
        .text_share = text_share,
        .serial = ports,
        .serial_count = nports,
        .record_dir = cfg.record_dir,
        .record_max = (uint64_t)cfg.record_max_mb << 20,
        .media = media,
        .gadget = gadget,
        .power = power,
    };

    char haddr[256];
    int hport = 0;
    if (strcmp(cfg.http_listen, "off") != 0) {
        sk_parse_hostport(cfg.http_listen, haddr, sizeof(haddr), &hport, err, sizeof(err));
        auth = sk_auth_new(&(struct sk_auth_opts){.passwd_file = cfg.http_passwd,
                                                  .role_now = web_key_role,
                                                  .role_ctx = cfg.authorized_keys},
                           err, sizeof(err));
        if (auth == NULL) {
            fprintf(stderr, "sshkvm: %s\n", err);
            goto out;
        }
        app.auth = auth;
        app.web_scheme = cfg.tls_cert != NULL ? "https" : "http";
        /*
         * A wildcard address is no place to browse to: `web` uses the one ssh
         * reached (sk_parse_hostport has taken [::]'s brackets off).
         */
        app.web_host = strcmp(haddr, "0.0.0.0") == 0 || strcmp(haddr, "::") == 0 ? NULL : haddr;
        app.web_port = hport;
    }

    char addr[256];
    int port;
    sk_parse_hostport(cfg.ssh_listen, addr, sizeof(addr), &port, err, sizeof(err));
    struct sk_ssh_opts ssh_opts = {
        .addr = addr,
        .port = port,
        .hostkeys_dir = cfg.hostkeys,
        .authorized_keys = cfg.authorized_keys,
        .trusted_user_ca_keys = cfg.trusted_user_ca_keys,
        .app = &app,
        .max_startups = cfg.max_startups,
    };
    ssh = sk_ssh_new(&ssh_opts);
    if (sk_ssh_open(ssh, err, sizeof(err)) != 0) {
        fprintf(stderr, "sshkvm: --ssh-listen: %s\n", err);
        goto out;
    }

    if (auth != NULL) {
        struct sk_http_opts http_opts = {
            .addr = haddr,
            .port = hport,
            .web_dir = web_dir,
            .app = &app,
            .auth = auth,
            .auth_loopback = sk_config_http_auth(&cfg) == SK_HTTP_AUTH_ALWAYS,
            .tls_cert = cfg.tls_cert,
            .tls_key = cfg.tls_key,
            .max_idle = cfg.http_max_idle,
        };
        http = sk_http_new(&http_opts);
        if (sk_http_open(http, err, sizeof(err)) != 0) {
            fprintf(stderr, "sshkvm: --http-listen: %s\n", err);
            goto out;
        }
    }

    print_banner(&cfg, sk_ssh_fingerprint(ssh));
    int sig = 0;
    sigwait(&stop_signals, &sig); /* fails only for an invalid set */
    sk_log(SK_LOG_INFO, "main", "signal %d: shutting down", sig);
    rc = 0;

out:
    /* A press in progress is cut short, its line released, before the sessions are stopped. */
    sk_power_close(power);
    /* Backwards: servers first (sessions release their keys), then capture, then the HID. */
    if (http != NULL) {
        sk_http_close(http);
    }
    if (ssh != NULL) {
        sk_ssh_close(ssh);
    }
    if (hub != NULL) {
        sk_hub_close(hub);
    }
    if (cap != NULL) {
        sk_capture_close(cap);
    }
    if (hid != NULL) {
        sk_hid_close(hid);
    }
    for (size_t i = 0; i < nports; i++) {
        sk_port_free(ports[i]);
    }
    free(ports);
    sk_store_free(media);
    sk_ms_free(gadget);
    sk_power_free(power);
    sk_http_free(http);
    sk_auth_free(auth);
    sk_ssh_free(ssh);
    sk_capture_free(cap);
    sk_hid_free(hid);
    sk_viewcache_free(viewcache);
    sk_textshare_free(text_share);
    sk_consolefonts_free(console_fonts);
    sk_roster_free(roster);
    sk_audit_free(audit);
    sk_hub_free(hub);
    sk_demo_free(demo);
    sk_keymap_free(keymap);
    free(keymaps_dir);
    free(web_dir);
    sk_config_free(&cfg);
    ssh_finalize();
    return rc;
}
