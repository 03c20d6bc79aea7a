/*
 * metrics: the figures of the program in Prometheus' text format.
 *
 * Reads the hub's and the HID's counters and the client counts from the app
 * (all borrowed), the boot-media store's size and whether an image is
 * inserted, and the stream writer's figures the caller gathered, and
 * appends one sample line per figure to a buffer; each family's first
 * sample brings its HELP and TYPE lines. Owns nothing.
 */
#include "http/metrics.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "hid/hid.h"
#include "http/streamer.h"
#include "media/massstorage.h"
#include "media/store.h"
#include "power/power.h"
#include "serial/port.h"
#include "video/hub.h"

static void metric(struct sk_buf *b, const char *name, const char *type, const char *help,
                   const char *labels, uint64_t value)
{
    /* HELP and TYPE once per family: the first sample of a family brings them. */
    if (help != NULL) {
        sk_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    }
    sk_buf_printf(b, "%s%s %" PRIu64 "\n", name, labels, value);
}

/* Each serial port's state and counters, labelled by its name (checked by serialspec: no quotes).
 */
static void serial_metrics(struct sk_buf *b, struct sk_app *app)
{
    for (size_t i = 0; i < app->serial_count; i++) {
        struct sk_port_stats st;
        sk_port_stats(app->serial[i], &st);
        char label[128];
        snprintf(label, sizeof(label), "{port=\"%s\"}", st.name);
        int first = i == 0;
        metric(b, "sshkvm_serial_up", "gauge",
               first ? "1 when the serial port's device is open." : NULL, label,
               strcmp(st.state, "open") == 0);
        metric(b, "sshkvm_serial_rx_bytes_total", "counter",
               first ? "Bytes read from the serial port." : NULL, label, st.rx);
        metric(b, "sshkvm_serial_tx_bytes_total", "counter",
               first ? "Bytes written to the serial port." : NULL, label, st.tx);
        metric(b, "sshkvm_serial_errors_total", "counter",
               first ? "Failed opens, reads and writes of the serial port." : NULL, label,
               st.errors);
        metric(b, "sshkvm_serial_reopens_total", "counter",
               first ? "Times the serial port's device came back after it was gone." : NULL, label,
               st.reopens);
        metric(b, "sshkvm_serial_log_errors_total", "counter",
               first ? "Failed writes of the serial port's log." : NULL, label, st.log_errors);
    }
}

void sk_metrics_text(struct sk_buf *b, struct sk_app *app, const struct sk_streamer_stats *streams,
                     uint64_t auth_failures)
{
    struct sk_hub_stats hs;
    struct sk_hid_status hid;
    sk_hub_stats(app->hub, &hs);
    sk_hid_status(app->hid, &hid);
    int requests = atomic_load(&app->http_clients);
    metric(b, "sshkvm_frames_captured_total", "counter", "Frames published by the capture source.",
           "", hs.published);
    metric(b, "sshkvm_http_frames_sent_total", "counter", "Stream parts handed to HTTP clients.",
           "", streams->parts);
    metric(b, "sshkvm_http_frames_dropped_total", "counter",
           "Frames HTTP streams skipped because their client was slower than capture.", "",
           streams->skipped);
    metric(b, "sshkvm_http_bytes_sent_total", "counter", "Stream bytes handed to HTTP clients.", "",
           streams->bytes);
    metric(b, "sshkvm_clients", "gauge", "Connected clients by kind.", "{kind=\"ssh\"}",
           (uint64_t)SK_MAX(atomic_load(&app->ssh_clients), 0));
    metric(b, "sshkvm_clients", "gauge", NULL, "{kind=\"http_stream\"}",
           (uint64_t)SK_MAX(streams->viewers, 0));
    metric(b, "sshkvm_clients", "gauge", NULL, "{kind=\"http_other\"}",
           (uint64_t)SK_MAX(requests - streams->viewers, 0));
    metric(b, "sshkvm_hid_reports_written_total", "counter", "HID reports written to the target.",
           "", hid.written);
    metric(b, "sshkvm_hid_reports_failed_total", "counter",
           "HID reports discarded because the target did not read them.", "", hid.dropped);
    metric(b, "sshkvm_http_auth_failures_total", "counter",
           "HTTP requests refused for missing or bad credentials, tokens or cross-site origin.", "",
           auth_failures);
    if (app->media != NULL) {
        int images;
        int64_t bytes;
        sk_store_usage(app->media, &images, &bytes);
        char path[4096];
        int cdrom, ro;
        int in = app->gadget != NULL && sk_ms_current(app->gadget, path, sizeof(path), &cdrom, &ro);
        metric(b, "sshkvm_media_images", "gauge", "Images in the boot-media store.", "",
               (uint64_t)images);
        metric(b, "sshkvm_media_bytes", "gauge", "Bytes of the images in the boot-media store.", "",
               (uint64_t)bytes);
        metric(b, "sshkvm_media_free_bytes", "gauge", "Bytes the boot-media store may still take.",
               "", (uint64_t)sk_store_room(app->media));
        metric(b, "sshkvm_media_inserted", "gauge",
               "1 while an image is presented to the target (media insert), else 0.", "",
               (uint64_t)in);
    }
    if (app->power != NULL) {
        struct sk_power_stats ps;
        sk_power_stats(app->power, &ps);
        /* The LED's reading: absent from the output when there is none to read. */
        if (strcmp(ps.state, "on") == 0 || strcmp(ps.state, "off") == 0) {
            metric(b, "sshkvm_power_on", "gauge", "The target's power LED: 1 lit, 0 dark.", "",
                   strcmp(ps.state, "on") == 0);
        }
        metric(b, "sshkvm_power_presses_total", "counter",
               "Presses of the power and reset buttons.", "", ps.presses);
        metric(b, "sshkvm_power_wakes_total", "counter", "Wake-on-LAN magic packets sent.", "",
               ps.wakes);
    }
    serial_metrics(b, app);
}
