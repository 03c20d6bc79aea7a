/*
 * app: what the servers share about the running program.
 *
 * main builds one sk_app and hands it (borrowed) to the SSH and HTTP
 * servers and to the script commands: the hub to read frames from, the HID
 * to send keys to, the default keymap, names for status lines, and the
 * live client counts. Everything it points to outlives the servers.
 */
#ifndef SK_APP_H
#define SK_APP_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "base/util.h"
#include "policy/access.h"
#include "serial/port.h"

struct sk_hub;
struct sk_hid;
struct sk_capture;
struct sk_keymap;
struct sk_render_opts;
struct sk_viewcache;
struct sk_text_font;
struct sk_consolefonts;
struct sk_textshare;
struct sk_auth;
struct sk_roster;
struct sk_audit;
struct sk_port;
struct sk_store;
struct sk_massstorage;
struct sk_power;

/* Latency histogram of the terminal view: SK_VIEW_LAT_US per bucket, the last holds the rest. */
#define SK_VIEW_LAT_BUCKETS 400
#define SK_VIEW_LAT_US 250

/* What the ssh views did, summed over sessions (status JSON "view"). */
struct sk_view_stats {
    atomic_ullong renders;     /* frames a view took from the hub and made a grid of ("frames") */
    atomic_ullong updates;     /* picture updates written (a static screen makes none) */
    atomic_ullong bytes;       /* bytes of those updates */
    atomic_ullong deferred;    /* frames not drawn because the client had not drained the last */
    atomic_ullong max_update;  /* the largest single update, bytes */
    atomic_ullong text_frames; /* frames a text/auto view showed as text */
    atomic_ullong text_art;    /* frames a text/auto view showed as art (not text, or no room) */
    atomic_uint latency[SK_VIEW_LAT_BUCKETS]; /* hub publish to channel write */
};

struct sk_app {
    struct sk_hub *hub;
    struct sk_hid *hid;
    struct sk_keymap *keymap;   /* the server's default layout (--keymap) */
    const char *keymap_dir;     /* where keymaps live, for per-session/command layouts */
    const char *video_name;     /* the capture source, for status */
    struct sk_capture *capture; /* for its stats in status; NULL in tests without one */
    int paste_rate;             /* --paste-rate: keystrokes per second for type/paste, 0 unpaced */
    atomic_int ssh_clients;     /* sessions authenticated and open */
    atomic_int http_clients;    /* HTTP requests being served (streams included) */
    int64_t started_ms;         /* monotonic start time */
    const struct sk_render_opts *view_opts; /* the view's defaults (NULL: built-in) */
    int view_fps; /* at most this many picture updates a second per session (0: 15) */
    struct sk_view_stats view;
    struct sk_viewcache *viewcache; /* decode/render once for all ssh views (NULL: per session) */
    /* Who is connected and who holds control (NULL in tests without one: everyone controls). */
    struct sk_roster *roster;
    struct sk_audit *audit; /* the audit log; NULL: none */
    /* The web side, for `web`: its doors (NULL when HTTP is off) and where it listens. */
    struct sk_auth *auth;
    const char *web_scheme; /* "http" or "https" */
    const char *web_host;   /* listen address; NULL when it is a wildcard */
    int web_port;
    /* --text-font: fonts the text recogniser also knows (NULL, 0: the built-in ones only). */
    const struct sk_text_font *text_fonts;
    size_t text_font_count;
    /* --text-font-dir: the system's console fonts, also taught (NULL: none). */
    const struct sk_consolefonts *console_fonts;
    /* Where the text reading last found a text screen, for every reader to start from (NULL in
     * tests without one: each reader searches on its own). */
    struct sk_textshare *text_share;
    /* --serial: the serial ports, each kept open (or looked for) by its own thread. */
    struct sk_port **serial;
    size_t serial_count;
    /* --record-dir: console sessions are recorded there (NULL: not), each up to record_max bytes.
     */
    const char *record_dir;
    uint64_t record_max;
    /* Boot media (`media`): the image store (NULL: none, the commands say so) and the
     * gadget's mass-storage function. */
    struct sk_store *media;
    struct sk_massstorage *gadget;
    struct sk_power *power; /* --power-gpio / --wol; NULL: neither given */
};

/*
 * One line of JSON describing the program now (no newline):
 * {"source":..,"resolution":"WxH","fps":..,"signal":..,"capture":{..},"hid":{..},"leds":{..},
 *  "clients":{..},"view":{..},"uptime_s":..}
 * capture: {"state":"streaming|idle|no-signal|no-device|starting","format":"mjpeg|yuyv|rgb24|",
 *  "frames":N,"dropped":N,"restarts":N,"reconnects":N}
 * clients: {"ssh":N,"http":N,"web":[identities logged in to the web side]} ("web" only with HTTP
 * on). control (with a roster): see sk_roster_json: the mode, the holder and every session. serial:
 * [{"name","device","settings":"115200 8n1","state":"open|absent|error|closed","error",
 *  "rx":N,"tx":N,"errors":N,"reopens":N,"breaks":N[,"logged":N,"log_errors":N]},...] (rx, tx:
 *  bytes from and to the port; logged: bytes written to its log, with --serial-log-dir).
 * media: {"images":N,"bytes":N,"free":N,"inserted":NAME|null[,"mode":"cdrom|disk","ro":B]}
 * or null without a store.
 * power (with --power-gpio or --wol): see sk_power_json.
 */
void sk_app_status_json(struct sk_app *app, struct sk_buf *out);

/*
 * sk_access_input against this program's roster, keyboard and audit log:
 * may who send keys or clicks now? 0, or SK_ROSTER_VIEW_ONLY /
 * SK_ROSTER_HELD with a message for the person in msg.
 */
static inline int sk_app_input(struct sk_app *app, const struct sk_identity *who, const char *what,
                               int take, char *msg, size_t msglen)
{
    const struct sk_access acc = {.roster = app->roster, .hid = app->hid, .audit = app->audit};
    return sk_access_input(&acc, who, what, take, msg, msglen);
}

/* sk_access_port against this program's roster and audit log: may who write to port now? */
static inline int sk_app_port(struct sk_app *app, const struct sk_identity *who, const char *port,
                              int take, char *msg, size_t msglen)
{
    const struct sk_access acc = {.roster = app->roster, .hid = app->hid, .audit = app->audit};
    return sk_access_port(&acc, who, port, take, msg, msglen);
}

/*
 * The serial port called name (--serial NAME=...), or NULL. Here, not in
 * app.c, so that the web's serial API uses it without linking app.c (and
 * with it the HID and media modules its status report reads).
 */
static inline struct sk_port *sk_app_serial_port(struct sk_app *app, const char *name)
{
    for (size_t i = 0; i < app->serial_count; i++) {
        if (strcmp(sk_port_spec(app->serial[i])->name, name) == 0) {
            return app->serial[i];
        }
    }
    return NULL;
}

#endif
