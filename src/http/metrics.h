/*
 * metrics: /metrics in the Prometheus text exposition format.
 *
 * Frames captured and skipped by slow viewers, stream parts and bytes
 * sent, clients by kind, HID reports written and failed, and requests
 * refused by the admission checks. The counters live where the work is
 * done (the hub, the HID, the stream writer, the logins); this module only
 * reads them and writes the text.
 */
#ifndef SK_METRICS_H
#define SK_METRICS_H

#include <stdint.h>

struct sk_app;
struct sk_buf;
struct sk_streamer_stats;

/*
 * Append the whole exposition to out: app's figures (borrowed), the
 * stream writer's, and the requests the admission checks refused.
 */
void sk_metrics_text(struct sk_buf *out, struct sk_app *app,
                     const struct sk_streamer_stats *streams, uint64_t auth_failures);

#endif
