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

/* The web side's own figures, gathered by http.c. */
struct sk_metrics_web {
    uint64_t parts;         /* stream parts started */
    uint64_t bytes;         /* stream bytes written */
    uint64_t skipped;       /* frames streams skipped because their client was slower */
    int streams;            /* streams open now */
    uint64_t auth_failures; /* requests refused by the admission checks */
};

/* Append the whole exposition for app (borrowed) and web to out. */
void sk_metrics_text(struct sk_buf *out, struct sk_app *app, const struct sk_metrics_web *web);

#endif
