/*
 * app: the status report shared by the `status` command and the web page.
 */
#include "app.h"

#include "demo/demo.h"
#include "hid/hid.h"
#include "http/auth.h"
#include "hub.h"

void sk_app_status_json(struct sk_app *app, struct sk_buf *out)
{
    struct sk_hub_stats hs;
    struct sk_hid_status hid;
    sk_hub_stats(app->hub, &hs);
    sk_hid_status(app->hid, &hid);

    sk_buf_puts(out, "{\"source\":");
    sk_buf_json_string(out, app->video_name ? app->video_name : "");
    sk_buf_printf(out, ",\"resolution\":\"%ux%u\",\"fps\":%.1f,\"signal\":%s", hs.width, hs.height,
                  hs.fps, hs.width > 0 && !hs.no_signal ? "true" : "false");
    sk_buf_puts(out, ",\"hid\":{\"keyboard\":");
    sk_buf_json_string(out, hid.keyboard);
    sk_buf_puts(out, ",\"mouse\":");
    sk_buf_json_string(out, hid.mouse);
    sk_buf_puts(out, ",\"state\":");
    sk_buf_json_string(out, hid.state);
    sk_buf_puts(out, ",\"error\":");
    sk_buf_json_string(out, hid.error);
    sk_buf_printf(out, ",\"queued\":%zu,\"written\":%llu,\"dropped\":%llu}", hid.queued,
                  (unsigned long long)hid.written, (unsigned long long)hid.dropped);
    sk_buf_printf(out, ",\"pointer\":{\"x\":%u,\"y\":%u,\"buttons\":%u}", hid.mouse_x, hid.mouse_y,
                  hid.buttons);
    sk_buf_printf(out, ",\"leds\":{\"num\":%s,\"caps\":%s,\"scroll\":%s}",
                  hid.leds & SK_LED_NUM ? "true" : "false",
                  hid.leds & SK_LED_CAPS ? "true" : "false",
                  hid.leds & SK_LED_SCROLL ? "true" : "false");
    sk_buf_printf(out, ",\"clients\":{\"ssh\":%d,\"http\":%d", atomic_load(&app->ssh_clients),
                  atomic_load(&app->http_clients));
    if (app->auth != NULL) {
        /* Who is logged in to the web side: SSH key fingerprints, "password:USER". */
        sk_buf_puts(out, ",\"web\":");
        sk_auth_identities_json(app->auth, out);
    }
    sk_buf_puts(out, "}");
    sk_buf_printf(out, ",\"uptime_s\":%lld}", (long long)((sk_now_ms() - app->started_ms) / 1000));
}
