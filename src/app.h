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

#include "util.h"

struct sk_hub;
struct sk_hid;
struct sk_capture;
struct sk_keymap;

struct sk_app {
    struct sk_hub *hub;
    struct sk_hid *hid;
    struct sk_keymap *keymap; /* the server's default layout (--keymap) */
    const char *keymap_dir;   /* where keymaps live, for per-session/command layouts */
    const char *video_name;   /* the capture source, for status */
    struct sk_capture *capture; /* for its stats in status; NULL in tests without one */
    int paste_rate;           /* --paste-rate: keystrokes per second for type/paste, 0 unpaced */
    atomic_int ssh_clients;   /* sessions authenticated and open */
    atomic_int http_clients;  /* HTTP requests being served (streams included) */
    int64_t started_ms;       /* monotonic start time */
};

/*
 * One line of JSON describing the program now (no newline):
 * {"source":..,"resolution":"WxH","fps":..,"signal":..,"capture":{..},"hid":{..},"leds":{..},
 *  "clients":{..},"uptime_s":..}
 * capture: {"state":"streaming|idle|no-signal|no-device|starting","format":"mjpeg|yuyv|rgb24|",
 *  "frames":N,"dropped":N,"restarts":N,"reconnects":N}
 */
void sk_app_status_json(struct sk_app *app, struct sk_buf *out);

#endif
