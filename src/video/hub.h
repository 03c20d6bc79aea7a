/*
 * hub: the one shared object between capture and its consumers.
 *
 * It holds the newest published frame and a generation counter (the frame's
 * seq). Consumers ask for "a frame newer than the one I have" and get the
 * newest only: frames are dropped, never queued, so a slow consumer skips
 * and never delays capture or anyone else. The hub also counts watchers, so
 * capture can idle when nobody looks, and measures the publish rate.
 */
#ifndef SK_HUB_H
#define SK_HUB_H

#include <stdint.h>

#include "video/frame.h"

struct sk_hub;

struct sk_hub_stats {
    uint64_t published; /* frames published since start */
    double fps;         /* publish rate over the last second or so */
    unsigned width;     /* of the newest frame, 0 before the first */
    unsigned height;
    int no_signal; /* the newest frame is a generated NO SIGNAL picture */
    int watchers;  /* consumers registered with sk_hub_watch */
};

struct sk_hub *sk_hub_new(void);
/* Frees the hub and drops its frame. NULL is a no-op. */
void sk_hub_free(struct sk_hub *hub);

/*
 * Publish a frame: the hub takes its own reference (the caller keeps
 * theirs), stamps frame->seq, and wakes every waiter.
 */
void sk_hub_publish(struct sk_hub *hub, struct sk_frame *frame);

/*
 * Wait up to timeout_ms (-1: forever) for a frame whose seq is greater than
 * after_seq. Returns a new reference to the newest such frame (the caller
 * unrefs it), or NULL on timeout or once the hub is closed.
 */
struct sk_frame *sk_hub_wait(struct sk_hub *hub, uint64_t after_seq, int timeout_ms);

/* The newest frame (a new reference), or NULL before the first publish. */
struct sk_frame *sk_hub_latest(struct sk_hub *hub);

/* Register (+1) or unregister (-1) a consumer that wants frames to flow. */
void sk_hub_watch(struct sk_hub *hub, int delta);

void sk_hub_stats(struct sk_hub *hub, struct sk_hub_stats *out);

/* Wake every waiter; from now on waits return NULL at once. */
void sk_hub_close(struct sk_hub *hub);

#endif
