/*
 * app: the status report shared by the `status` command and the web page
 * (finding a serial port by its name is sk_app_serial_port, in app.h).
 */
#include "cmd/app.h"
#include "cmd/commands.h"

#include <string.h>

#include "capture/capture.h"
#include "hid/hid.h"
#include "policy/auth.h"
#include "video/hub.h"
#include "policy/roster.h"
#include "power/power.h"
#include "serial/port.h"
#include "term/textshare.h"
#include "term/view.h"

/* The q-quantile of the view's latency histogram, in ms (a bucket's upper edge); 0 when empty. */
static double latency_ms(struct sk_app *app, double q)
{
    unsigned long long total = 0;
    for (int i = 0; i < SK_VIEW_LAT_BUCKETS; i++) {
        total += atomic_load(&app->view.latency[i]);
    }
    if (total == 0) {
        return 0;
    }
    unsigned long long want = (unsigned long long)(q * (double)total + 0.5);
    unsigned long long seen = 0;
    for (int i = 0; i < SK_VIEW_LAT_BUCKETS; i++) {
        seen += atomic_load(&app->view.latency[i]);
        if (seen >= want && seen > 0) {
            return (i + 1) * SK_VIEW_LAT_US / 1000.0;
        }
    }
    return SK_VIEW_LAT_BUCKETS * SK_VIEW_LAT_US / 1000.0;
}

/* Each serial port: ,"serial":[{...},...]. */
static void serial_json(struct sk_app *app, struct sk_buf *out)
{
    sk_buf_puts(out, ",\"serial\":[");
    for (size_t i = 0; i < app->serial_count; i++) {
        struct sk_port_stats st;
        sk_port_stats(app->serial[i], &st);
        if (i > 0) {
            sk_buf_puts(out, ",");
        }
        sk_port_stats_json(&st, out);
        sk_buf_printf(out,
                      ",\"rx\":%llu,\"tx\":%llu,\"errors\":%llu,\"reopens\":%llu,\"breaks\":%llu",
                      st.rx, st.tx, st.errors, st.reopens, st.breaks);
        if (st.logging) {
            sk_buf_printf(out, ",\"logged\":%llu,\"log_errors\":%llu", st.logged, st.log_errors);
        }
        sk_buf_puts(out, "}");
    }
    sk_buf_puts(out, "]");
}

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
    if (app->capture != NULL) {
        struct sk_capture_stats cs;
        sk_capture_stats(app->capture, &cs);
        sk_buf_printf(out, ",\"capture\":{\"state\":\"%s\",\"format\":\"%s\"", cs.state, cs.format);
        sk_buf_printf(out,
                      ",\"frames\":%llu,\"dropped\":%llu,\"restarts\":%llu,\"reconnects\":%llu}",
                      cs.frames, cs.dropped, cs.restarts, cs.reconnects);
    }
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
    if (app->roster != NULL) {
        sk_buf_puts(out, ",\"control\":");
        sk_roster_json(app->roster, out);
    }
    sk_buf_printf(out,
                  ",\"view\":{\"frames\":%llu,\"updates\":%llu,\"bytes\":%llu,\"deferred\":%llu,"
                  "\"max_update\":%llu,\"latency_p50_ms\":%.2f,\"latency_p99_ms\":%.2f",
                  (unsigned long long)atomic_load(&app->view.renders),
                  (unsigned long long)atomic_load(&app->view.updates),
                  (unsigned long long)atomic_load(&app->view.bytes),
                  (unsigned long long)atomic_load(&app->view.deferred),
                  (unsigned long long)atomic_load(&app->view.max_update), latency_ms(app, 0.50),
                  latency_ms(app, 0.99));
    struct sk_viewcache_stats vs = {0};
    if (app->viewcache != NULL) {
        sk_viewcache_stats(app->viewcache, &vs);
    }
    sk_buf_printf(
        out,
        ",\"decodes\":%llu,\"grids\":%llu,\"shared\":%llu,\"text_reads\":%llu,\"text_frames\":%llu,"
        "\"text_art\":%llu}",
        vs.decodes, vs.renders, vs.shared, vs.reads,
        (unsigned long long)atomic_load(&app->view.text_frames),
        (unsigned long long)atomic_load(&app->view.text_art));
    if (app->text_share != NULL) {
        /* Pictures the text readers searched (a command's first frame is not, once the
         * server has found the screen's geometry), and the geometries found. */
        unsigned long searches = 0, found = 0;
        sk_textshare_stats(app->text_share, &searches, &found);
        sk_buf_printf(out, ",\"text\":{\"searches\":%lu,\"found\":%lu}", searches, found);
    }
    serial_json(app, out);
    sk_mediacmd_json(app, out);
    if (app->power != NULL) {
        struct sk_power_stats ps;
        sk_power_stats(app->power, &ps);
        sk_buf_puts(out, ",\"power\":");
        sk_power_json(&ps, out);
    }
    sk_buf_printf(out, ",\"uptime_s\":%lld}", (long long)((sk_now_ms() - app->started_ms) / 1000));
}
