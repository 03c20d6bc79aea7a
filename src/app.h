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
struct sk_keymap;
struct sk_auth;

struct sk_app {
    struct sk_hub *hub;
    struct sk_hid *hid;
    struct sk_keymap *keymap; /* the server's default layout (--keymap) */
    const char *keymap_dir;   /* where keymaps live, for per-session/command layouts */
    const char *video_name;   /* the capture source, for status */
    atomic_int ssh_clients;   /* sessions authenticated and open */
    atomic_int http_clients;  /* HTTP requests being served (streams included) */
    int64_t started_ms;       /* monotonic start time */
    /* The web side, for `web`: its doors (NULL when HTTP is off) and where it listens. */
    struct sk_auth *auth;
    const char *web_scheme;   /* "http" or "https" */
    const char *web_host;     /* listen address; NULL when it is a wildcard */
    int web_port;
};

/*
 * One line of JSON describing the program now (no newline):
 * {"source":..,"resolution":"WxH","fps":..,"signal":..,"hid":{..},"leds":{..},"clients":{..},"uptime_s":..}
 * clients: {"ssh":N,"http":N,"web":[identities logged in to the web side]} ("web" only with HTTP on).
 */
void sk_app_status_json(struct sk_app *app, struct sk_buf *out);

#endif
