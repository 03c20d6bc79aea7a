/*
 * democap: the demo target's screen as a capture source ("--video demo").
 *
 * main hands sk_democap_ops and the sk_demo to the capture
 * (sk_capture_opts.demo_ops, .demo_ctx); the capture thread then renders
 * and encodes the demo's screen at --fps like any other source.
 */
#ifndef SK_DEMO_DEMOCAP_H
#define SK_DEMO_DEMOCAP_H

#include "capture/source.h"

extern const struct sk_source_ops sk_democap_ops;

#endif
